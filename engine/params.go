package engine

import (
	"errors"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Special parameter values (mizu_api.md §2.2).
const (
	// ValueNULL clears a parameter: it reads as "" even when it has a
	// default (for stunserveraddress/turnserveraddress it means "disabled").
	ValueNULL = "NULL"
	// ValueDEF resets a parameter to its default.
	ValueDEF = "DEF"
)

// storage keys
const (
	storeParamPrefix = "param."
	storeIndexKey    = "params.index"
	storeConfigVer   = "params.configversion"
)

// Params is the parameter store. Names are case-insensitive and trimmed; all
// values are strings. Lookup precedence, highest first:
//
//  1. runtime values: SetParameter and wp_ URL parameters (persisted);
//  2. the config object (webphone_api.parameters), except ucfg_ keys;
//  3. values persisted by earlier sessions;
//  4. ucfg_ keys of the config object (they yield to persisted values);
//  5. the documented default.
//
// It is safe for concurrent use.
type Params struct {
	mu      sync.RWMutex
	store   Storage
	runtime map[string]string
	config  map[string]string
	ucfg    map[string]string
	refused []error // values CheckParam refused, until TakeRefused
}

// NewParams returns a store persisting to st (nil: nothing persists).
func NewParams(st Storage) *Params {
	return &Params{
		store:   st,
		runtime: map[string]string{},
		config:  map[string]string{},
		ucfg:    map[string]string{},
	}
}

// decodeValue applies the value encodings every source shares: a literal
// "CRLF" becomes a real line break.
func decodeValue(v string) string {
	if strings.Contains(v, "CRLF") {
		v = strings.ReplaceAll(v, "CRLF", "\r\n")
	}
	return v
}

// LoadConfig applies the config object (webphone_config.js). A key with the
// ucfg_ prefix is only a fallback for a persisted client value. NULL clears
// and DEF resets, also removing any persisted value. resetsettings=true
// clears persisted values; a new configversion clears them once.
func (p *Params) LoadConfig(cfg map[string]string) {
	keys := make([]string, 0, len(cfg))
	for k := range cfg {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	reset := false
	for _, k := range keys {
		n := NormalizeParamName(k)
		switch n {
		case "resetsettings":
			reset = reset || parseBool(cfg[k])
		case "configversion":
			if v := strings.TrimSpace(cfg[k]); v != "" && v != "0" && p.store != nil {
				if old, _ := p.store.Get(storeConfigVer); old != v {
					p.store.Set(storeConfigVer, v)
					reset = true
				}
			}
		}
	}
	if reset {
		p.ClearStored()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, k := range keys {
		v := decodeValue(cfg[k])
		n := NormalizeParamName(k)
		layer := p.config
		if strings.HasPrefix(n, "ucfg_") {
			n = NormalizeParamName(strings.TrimPrefix(n, "ucfg_"))
			layer = p.ucfg
		}
		if n == "" {
			continue
		}
		if err := CheckParam(n, v); err != nil {
			p.noteRefusedLocked(err)
			continue
		}
		p.applyLayer(layer, n, v, true)
	}
}

// noteRefusedLocked keeps a refusal for TakeRefused (at most 20).
func (p *Params) noteRefusedLocked(err error) {
	if len(p.refused) < 20 {
		p.refused = append(p.refused, err)
	}
}

// TakeRefused returns and forgets the values LoadConfig, LoadURL and
// SetParameter refused since the last call, for the engine to report.
func (p *Params) TakeRefused() []error {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.refused
	p.refused = nil
	return out
}

// applyLayer stores v for n in layer m with the NULL/DEF rules. With
// dropStored, NULL and DEF also remove a persisted value.
func (p *Params) applyLayer(m map[string]string, n, v string, dropStored bool) {
	switch strings.TrimSpace(v) {
	case ValueDEF:
		delete(m, n)
		if dropStored {
			p.removeStoredLocked(n)
		}
	case ValueNULL:
		m[n] = ""
		if dropStored {
			p.removeStoredLocked(n)
		}
	default:
		m[n] = v
	}
}

// LoadURL applies the wp_-prefixed parameters of a page URL or query string
// ("https://x/p.html?wp_username=a&x=1" or "wp_username=a&x=1"). Values are
// URI-decoded. They count as runtime values and are persisted. It returns
// the number of parameters applied.
func (p *Params) LoadURL(rawURL string) int {
	q := rawURL
	if i := strings.IndexByte(q, '?'); i >= 0 {
		q = q[i+1:]
	}
	if i := strings.IndexByte(q, '#'); i >= 0 {
		q = q[:i]
	}
	if !strings.Contains(strings.ToLower(q), "wp_") || !strings.Contains(q, "=") {
		if dec, err := url.QueryUnescape(q); err == nil {
			q = dec // the whole query may arrive encoded (L9170)
		}
	}
	vals, _ := url.ParseQuery(q)
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	n := 0
	for _, k := range keys {
		lk := strings.ToLower(strings.TrimSpace(k))
		if !strings.HasPrefix(lk, "wp_") || len(lk) == 3 {
			continue
		}
		vs := vals[k]
		if p.SetParameter(lk[3:], vs[len(vs)-1]) {
			n++
		}
	}
	return n
}

// errEmptyName refuses a parameter without a name.
var errEmptyName = errors.New("empty parameter name")

// SetParameter sets a runtime value and persists it (setparameter). An empty
// value or NULL clears it; DEF resets it to the default. It returns false for
// an empty name or a value CheckParam refuses (nothing is stored then; the
// reason is kept for TakeRefused).
func (p *Params) SetParameter(name, value string) bool {
	err := p.Set(name, value)
	if err != nil && err != errEmptyName {
		p.mu.Lock()
		p.noteRefusedLocked(err)
		p.mu.Unlock()
	}
	return err == nil
}

// Set is SetParameter returning why a value was refused: an empty name, or
// a value that would reach a SIP message broken (CheckParam). A refused
// value changes nothing, in memory or in storage.
func (p *Params) Set(name, value string) error {
	n := NormalizeParamName(name)
	if n == "" {
		return errEmptyName
	}
	n = strings.TrimPrefix(n, "ucfg_")
	v := decodeValue(value)
	if strings.TrimSpace(v) == "" {
		v = ValueNULL
	}
	switch strings.TrimSpace(v) {
	case ValueDEF, ValueNULL:
	default:
		if err := CheckParam(n, v); err != nil {
			return err
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	switch strings.TrimSpace(v) {
	case ValueDEF:
		delete(p.runtime, n)
		delete(p.config, n)
		p.removeStoredLocked(n)
	case ValueNULL:
		p.runtime[n] = ""
		p.setStoredLocked(n, "")
	default:
		p.runtime[n] = v
		p.setStoredLocked(n, v)
	}
	return nil
}

// Get returns the effective value of a parameter, or "" when unset and
// without a default (getparameter).
func (p *Params) Get(name string) string {
	v, _ := p.Lookup(name)
	return v
}

// Lookup returns the effective value and whether it was set by any source
// other than the built-in default.
func (p *Params) Lookup(name string) (string, bool) {
	n := NormalizeParamName(name)
	n = strings.TrimPrefix(n, "ucfg_")
	p.mu.RLock()
	defer p.mu.RUnlock()
	if v, ok := p.runtime[n]; ok {
		return v, true
	}
	if v, ok := p.config[n]; ok {
		return v, true
	}
	if p.store != nil {
		// a value stored by an older version that cannot work is ignored
		if v, ok := p.store.Get(storeParamPrefix + n); ok && CheckParam(n, v) == nil {
			return v, true
		}
	}
	if v, ok := p.ucfg[n]; ok {
		return v, true
	}
	return paramDefaults[n], false
}

// IsSet reports whether a parameter has a non-empty value from any source
// other than the default.
func (p *Params) IsSet(name string) bool {
	v, ok := p.Lookup(name)
	return ok && v != ""
}

// Int returns the parameter as an integer, or def when it is unset, empty or
// not a number. "true"/"false" read as 1/0.
func (p *Params) Int(name string, def int) int {
	v := strings.TrimSpace(p.Get(name))
	if v == "" {
		return def
	}
	if i, err := strconv.Atoi(v); err == nil {
		return i
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		return int(f)
	}
	switch strings.ToLower(v) {
	case "true", "yes", "on":
		return 1
	case "false", "no", "off":
		return 0
	}
	return def
}

// Bool returns the parameter as a boolean: "true", "1", "yes", "on" (and any
// positive number) are true; def when unset or empty.
func (p *Params) Bool(name string, def bool) bool {
	v := strings.TrimSpace(p.Get(name))
	if v == "" {
		return def
	}
	return parseBool(v)
}

func parseBool(v string) bool {
	v = strings.ToLower(strings.TrimSpace(v))
	switch v {
	case "true", "yes", "on":
		return true
	}
	if i, err := strconv.Atoi(v); err == nil {
		return i > 0
	}
	return false
}

// ClearStored removes every persisted parameter (resetsettings,
// configversion, delsettings). Runtime and config values stay.
func (p *Params) ClearStored() {
	if p.store == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, n := range p.indexLocked() {
		p.store.Remove(storeParamPrefix + n)
	}
	p.store.Remove(storeIndexKey)
}

// ClearRuntime forgets the values set at runtime in this session
// (setparameter, URL); config values stay.
func (p *Params) ClearRuntime() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.runtime = map[string]string{}
}

// Names returns every parameter name with a value from any source, sorted.
func (p *Params) Names() []string {
	p.mu.RLock()
	defer p.mu.RUnlock()
	set := map[string]bool{}
	for _, m := range []map[string]string{p.runtime, p.config, p.ucfg} {
		for k := range m {
			set[k] = true
		}
	}
	for _, k := range p.indexLocked() {
		set[k] = true
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (p *Params) indexLocked() []string {
	if p.store == nil {
		return nil
	}
	s, _ := p.store.Get(storeIndexKey)
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func (p *Params) setStoredLocked(n, v string) {
	if p.store == nil {
		return
	}
	p.store.Set(storeParamPrefix+n, v)
	idx := p.indexLocked()
	for _, k := range idx {
		if k == n {
			return
		}
	}
	p.store.Set(storeIndexKey, strings.Join(append(idx, n), ","))
}

func (p *Params) removeStoredLocked(n string) {
	if p.store == nil {
		return
	}
	p.store.Remove(storeParamPrefix + n)
	idx := p.indexLocked()
	out := idx[:0]
	for _, k := range idx {
		if k != n {
			out = append(out, k)
		}
	}
	if len(out) == 0 {
		p.store.Remove(storeIndexKey)
		return
	}
	p.store.Set(storeIndexKey, strings.Join(out, ","))
}
