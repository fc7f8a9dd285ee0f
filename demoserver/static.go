package demoserver

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"mime"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/andybalholm/brotli"
)

// httpHandler routes WebSocket upgrades on /rtp to the RTP relay, other
// upgrades (any path) to SIP, "/" to the landing page (landing.go) unless
// the folder has an index.html, and everything else to the static folder,
// whose compressed forms it starts computing at once so that the first page
// load finds them ready.
func (s *Server) httpHandler() http.Handler {
	static := NewStaticHandler(s.opts.WWWDir)
	go static.Warm()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.rtpRelay != nil && r.URL.Path == relayPath && isWebSocketUpgrade(r) {
			s.rtpRelay.ServeHTTP(w, r)
			return
		}
		if isWebSocketUpgrade(r) {
			s.serveUpgrade(w, r)
			return
		}
		if r.URL.Path == "/" && s.opts.WWWDir != "" && !fileExists(filepath.Join(s.opts.WWWDir, "index.html")) &&
			(r.Method == http.MethodGet || r.Method == http.MethodHead) {
			s.serveLanding(w, r)
			return
		}
		static.ServeHTTP(w, r)
	})
}

// compressible lists the extensions worth compressing.
var compressible = map[string]bool{
	".wasm": true, ".js": true, ".mjs": true, ".html": true, ".htm": true,
	".css": true, ".json": true, ".svg": true, ".txt": true, ".map": true,
}

// Compression levels: quick enough to compute on the first request
// (brotli 5 takes ~0.7 s for a 10 MB wasm, level 11 ~30 s); a build that
// wants the best ratio puts name.br / name.gz files next to the file.
const (
	brotliLevel = 5
	gzipLevel   = gzip.DefaultCompression
)

// StaticHandler serves a folder for the demo: correct types
// (application/wasm), brotli or gzip as the client accepts, each computed
// once per file version (size and modification time) or taken from a
// name.br / name.gz file not older than the file, a strong ETag per
// representation and Last-Modified (so a repeat visit revalidates with a
// 304 and keeps the browser's compiled wasm), Cache-Control: no-cache
// (always revalidate: the demo's files change while developing) and Vary:
// Accept-Encoding.
type StaticHandler struct {
	dir   string
	files http.Handler

	mu    sync.Mutex
	cache map[string]*staticEntry

	compressions atomic.Int64 // representations computed here (not read from a sidecar)
}

// staticEntry is one file version with its representations, computed at
// most once each.
type staticEntry struct {
	size int64
	mod  time.Time

	compressions *atomic.Int64

	mu    sync.Mutex // held while computing
	done  map[string]bool
	reps  map[string][]byte // "br", "gzip"
	etags map[string]string // "", "br", "gzip"
}

// NewStaticHandler serves dir; an empty dir answers 404 with a hint.
func NewStaticHandler(dir string) *StaticHandler {
	_ = mime.AddExtensionType(".wasm", "application/wasm")
	_ = mime.AddExtensionType(".mjs", "text/javascript")
	h := &StaticHandler{dir: dir, cache: make(map[string]*staticEntry)}
	if dir != "" {
		h.files = http.FileServer(http.Dir(dir))
	}
	return h
}

// Warm computes the compressed forms of every compressible file of the
// folder (its top level and sub folders), so that no request waits for
// them. Safe to run alongside requests.
func (h *StaticHandler) Warm() {
	if h.dir == "" {
		return
	}
	_ = filepath.WalkDir(h.dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !compressible[strings.ToLower(filepath.Ext(p))] {
			return nil
		}
		fi, err := d.Info()
		if err != nil || !fi.Mode().IsRegular() {
			return nil
		}
		e := h.entry(p, fi)
		e.etag(p, "")
		for _, enc := range []string{"br", "gzip"} {
			e.representation(p, enc)
		}
		return nil
	})
}

// ServeHTTP serves GET and HEAD.
func (h *StaticHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
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
	if compressible[ext] && h.serveFile(w, r, name, ext) {
		return
	}
	h.files.ServeHTTP(w, r)
}

// serveFile answers with the best representation the client accepts; false
// lets the plain file server handle the request (directories, missing
// files, errors).
func (h *StaticHandler) serveFile(w http.ResponseWriter, r *http.Request, name, ext string) bool {
	full := filepath.Join(h.dir, filepath.FromSlash(name))
	fi, err := os.Stat(full)
	if err != nil || !fi.Mode().IsRegular() {
		return false
	}
	e := h.entry(full, fi)
	w.Header().Add("Vary", "Accept-Encoding")
	enc := ""
	if r.Header.Get("Range") == "" {
		enc = chooseEncoding(r.Header.Get("Accept-Encoding"))
	}
	var body []byte
	if enc != "" {
		body = e.representation(full, enc)
		if body == nil {
			enc = ""
		}
	}
	if enc == "" {
		if tag := e.etag(full, ""); tag != "" {
			w.Header().Set("ETag", tag)
		}
		return false // the file server sends the file itself (and handles Range)
	}
	if w.Header().Get("Content-Type") == "" {
		if ct := mime.TypeByExtension(ext); ct != "" {
			w.Header().Set("Content-Type", ct)
		}
	}
	w.Header().Set("Content-Encoding", enc)
	w.Header().Set("ETag", e.etag(full, enc))
	http.ServeContent(w, r, name, fi.ModTime(), bytes.NewReader(body))
	return true
}

// entry returns the cache entry of the file's current version.
func (h *StaticHandler) entry(full string, fi os.FileInfo) *staticEntry {
	h.mu.Lock()
	defer h.mu.Unlock()
	e, ok := h.cache[full]
	if !ok || e.size != fi.Size() || !e.mod.Equal(fi.ModTime()) {
		e = &staticEntry{size: fi.Size(), mod: fi.ModTime(), compressions: &h.compressions, done: map[string]bool{},
			reps: map[string][]byte{}, etags: map[string]string{}}
		h.cache[full] = e
	}
	return e
}

// representation returns the file compressed with enc ("br" or "gzip"):
// a sidecar file (name.br, name.gz) when one exists and is not older than
// the file, else compressed here once. nil when the file cannot be read.
func (e *staticEntry) representation(full, enc string) []byte {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.done[enc] {
		return e.reps[enc]
	}
	e.done[enc] = true
	sidecar := full + map[string]string{"br": ".br", "gzip": ".gz"}[enc]
	if fi, err := os.Stat(sidecar); err == nil && fi.Mode().IsRegular() && !fi.ModTime().Before(e.mod) {
		if b, err := os.ReadFile(sidecar); err == nil {
			e.setRep(enc, b)
			return b
		}
	}
	raw, err := e.read(full)
	if err != nil {
		return nil
	}
	e.compressions.Add(1)
	var buf bytes.Buffer
	switch enc {
	case "br":
		zw := brotli.NewWriterLevel(&buf, brotliLevel)
		_, _ = zw.Write(raw)
		_ = zw.Close()
	case "gzip":
		zw, _ := gzip.NewWriterLevel(&buf, gzipLevel)
		_, _ = zw.Write(raw)
		_ = zw.Close()
	default:
		return nil
	}
	e.setRep(enc, buf.Bytes())
	return e.reps[enc]
}

// etag returns the strong ETag of representation enc ("" the file itself),
// computing the file's hash once.
func (e *staticEntry) etag(full, enc string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if tag, ok := e.etags[enc]; ok {
		return tag
	}
	if enc != "" {
		return "" // set with the representation
	}
	raw, err := e.read(full)
	if err != nil {
		return ""
	}
	e.etags[""] = contentTag(raw, "")
	return e.etags[""]
}

// read reads the file, refusing a version other than the entry's.
func (e *staticEntry) read(full string) ([]byte, error) {
	raw, err := os.ReadFile(full)
	if err != nil {
		return nil, err
	}
	if int64(len(raw)) != e.size {
		return nil, os.ErrNotExist // changed under us: the next request sees the new version
	}
	return raw, nil
}

func (e *staticEntry) setRep(enc string, b []byte) {
	e.reps[enc] = b
	e.etags[enc] = contentTag(b, enc)
}

// contentTag is a strong ETag from the bytes (and the encoding, so that
// two representations never share a tag).
func contentTag(b []byte, enc string) string {
	sum := sha256.Sum256(b)
	tag := hex.EncodeToString(sum[:12])
	if enc != "" {
		tag += "-" + enc
	}
	return `"` + tag + `"`
}

// chooseEncoding picks "br", else "gzip", else "" from an Accept-Encoding
// header, honouring q=0 refusals.
func chooseEncoding(header string) string {
	accepts := map[string]bool{}
	for _, part := range strings.Split(header, ",") {
		enc, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		enc = strings.ToLower(strings.TrimSpace(enc))
		refused := false
		for _, p := range strings.Split(params, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(strings.TrimSpace(k), "q") && strings.Trim(strings.TrimSpace(v), "0.") == "" && strings.TrimSpace(v) != "" {
				refused = true
			}
		}
		if enc != "" {
			accepts[enc] = !refused
		}
	}
	switch {
	case accepts["br"]:
		return "br"
	case accepts["gzip"]:
		return "gzip"
	}
	return ""
}
