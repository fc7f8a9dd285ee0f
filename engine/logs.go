package engine

import (
	"strings"
	"sync"
)

// Log levels (loglevel parameter): 1 important events, 3 details, 5 SIP
// traces.
const (
	LogImportant = 1
	LogDetail    = 3
	LogTrace     = 5
)

// logBuffer keeps the most recent log text up to a size limit (getlogs).
type logBuffer struct {
	mu    sync.Mutex
	lines []string
	size  int
	limit int
}

func newLogBuffer(limit int) *logBuffer { return &logBuffer{limit: limit} }

func (b *logBuffer) add(line string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.lines = append(b.lines, line)
	b.size += len(line) + 2
	for b.size > b.limit && len(b.lines) > 1 {
		b.size -= len(b.lines[0]) + 2
		b.lines[0] = ""
		b.lines = b.lines[1:]
	}
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Join(b.lines, "\r\n")
}

// logf records a log line "KIND, text" (KIND: EVENT, WARNING, ERROR) and
// forwards it to onEvent("log") when level <= loglevel.
func (e *Engine) log(level int, kind, text string) {
	line := e.now().UTC().Format("15:04:05.000") + " " + kind + ", " + text
	e.logs.add(line)
	if level <= e.params.Int("loglevel", 1) {
		e.emit("onEvent", "log", kind+", "+text)
	}
}

func (e *Engine) logEvent(level int, text string) { e.log(level, "EVENT", text) }
func (e *Engine) logWarn(text string)             { e.log(LogImportant, "WARNING", text) }
func (e *Engine) logError(text string)            { e.log(LogImportant, "ERROR", text) }
