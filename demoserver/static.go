package demoserver

import (
	"bytes"
	"compress/gzip"
	"mime"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// httpHandler routes WebSocket upgrades (any path) to SIP and everything
// else to the static folder.
func (s *Server) httpHandler() http.Handler {
	static := newStaticHandler(s.opts.WWWDir)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isWebSocketUpgrade(r) {
			s.serveUpgrade(w, r)
			return
		}
		static.ServeHTTP(w, r)
	})
}

// compressible lists the extensions worth gzipping on the fly.
var compressible = map[string]bool{
	".wasm": true, ".js": true, ".mjs": true, ".html": true, ".htm": true,
	".css": true, ".json": true, ".svg": true, ".txt": true, ".map": true,
}

// staticHandler serves a folder with correct types (application/wasm),
// no-cache for development, and gzip when the client accepts it. Compressed
// bodies are cached per file size and modification time.
type staticHandler struct {
	dir   string
	files http.Handler

	mu    sync.Mutex
	cache map[string]gzEntry
}

type gzEntry struct {
	size  int64
	mod   time.Time
	bytes []byte
}

func newStaticHandler(dir string) *staticHandler {
	_ = mime.AddExtensionType(".wasm", "application/wasm")
	_ = mime.AddExtensionType(".mjs", "text/javascript")
	h := &staticHandler{dir: dir, cache: make(map[string]gzEntry)}
	if dir != "" {
		h.files = http.FileServer(http.Dir(dir))
	}
	return h
}

func (h *staticHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.files == nil {
		http.Error(w, "no static folder configured (webphone-demo -www DIR)", http.StatusNotFound)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Cache-Control", "no-cache")
	name := path.Clean("/" + r.URL.Path)
	ext := strings.ToLower(path.Ext(name))
	if ext == ".wasm" {
		w.Header().Set("Content-Type", "application/wasm")
	}
	if compressible[ext] && acceptsGzip(r) && r.Header.Get("Range") == "" {
		if h.serveGzip(w, r, name, ext) {
			return
		}
	}
	h.files.ServeHTTP(w, r)
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") && strings.ReplaceAll(q, " ", "") != "q=0" {
			return true
		}
	}
	return false
}

// serveGzip answers with the gzipped file; false lets the plain file server
// handle the request (directories, missing files, errors).
func (h *staticHandler) serveGzip(w http.ResponseWriter, r *http.Request, name, ext string) bool {
	full := filepath.Join(h.dir, filepath.FromSlash(name))
	fi, err := os.Stat(full)
	if err != nil || !fi.Mode().IsRegular() {
		return false
	}
	h.mu.Lock()
	e, ok := h.cache[full]
	h.mu.Unlock()
	if !ok || e.size != fi.Size() || !e.mod.Equal(fi.ModTime()) {
		raw, err := os.ReadFile(full)
		if err != nil {
			return false
		}
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
		_, _ = zw.Write(raw)
		_ = zw.Close()
		e = gzEntry{size: fi.Size(), mod: fi.ModTime(), bytes: buf.Bytes()}
		h.mu.Lock()
		h.cache[full] = e
		h.mu.Unlock()
	}
	if w.Header().Get("Content-Type") == "" {
		if ct := mime.TypeByExtension(ext); ct != "" {
			w.Header().Set("Content-Type", ct)
		}
	}
	w.Header().Set("Content-Encoding", "gzip")
	w.Header().Add("Vary", "Accept-Encoding")
	http.ServeContent(w, r, name, fi.ModTime(), bytes.NewReader(e.bytes))
	return true
}
