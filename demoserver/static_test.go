package demoserver

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// get requests path from h with the Accept-Encoding and extra headers.
func get(t *testing.T, h http.Handler, path, accept string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	if accept != "" {
		req.Header.Set("Accept-Encoding", accept)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func decode(t *testing.T, enc string, body []byte) []byte {
	t.Helper()
	var r io.Reader
	switch enc {
	case "br":
		r = brotli.NewReader(bytes.NewReader(body))
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(body))
		require.NoError(t, err)
		r = zr
	default:
		return body
	}
	out, err := io.ReadAll(r)
	require.NoError(t, err)
	return out
}

// Each client gets the best encoding it accepts, the same bytes after
// decoding, a validator per representation answered with 304, the cache
// and Vary headers; each representation is compressed once per file
// version.
func TestStaticHandlerEncodingsAndValidators(t *testing.T) {
	dir := t.TempDir()
	wasm := append([]byte("\x00asm\x01\x00\x00\x00"), bytes.Repeat([]byte("webphone "), 5000)...)
	require.NoError(t, writeFile(filepath.Join(dir, "webphone.wasm"), wasm))
	h := NewStaticHandler(dir)

	tags := map[string]string{}
	for _, tc := range []struct{ accept, enc string }{
		{"gzip, deflate, br, zstd", "br"},
		{"gzip", "gzip"},
		{"br;q=0, gzip;q=0.5", "gzip"},
		{"identity", ""},
		{"br;q=0.0, gzip;q=0", ""},
	} {
		rec := get(t, h, "/webphone.wasm", tc.accept)
		require.Equal(t, 200, rec.Code, tc.accept)
		assert.Equal(t, tc.enc, rec.Header().Get("Content-Encoding"), tc.accept)
		assert.Equal(t, "application/wasm", rec.Header().Get("Content-Type"))
		assert.Equal(t, "no-cache", rec.Header().Get("Cache-Control"))
		assert.Equal(t, "Accept-Encoding", rec.Header().Get("Vary"))
		assert.NotEmpty(t, rec.Header().Get("Last-Modified"))
		assert.Equal(t, wasm, decode(t, tc.enc, rec.Body.Bytes()), tc.accept)
		tag := rec.Header().Get("ETag")
		require.NotEmpty(t, tag, tc.accept)
		if old, ok := tags[tc.enc]; ok {
			assert.Equal(t, old, tag, "one tag per representation")
		}
		tags[tc.enc] = tag

		again := get(t, h, "/webphone.wasm", tc.accept, "If-None-Match", tag)
		assert.Equal(t, http.StatusNotModified, again.Code, tc.accept)
		assert.Empty(t, again.Body.Bytes())
	}
	assert.Len(t, tags, 3)
	assert.NotEqual(t, tags["br"], tags["gzip"])
	assert.NotEqual(t, tags[""], tags["gzip"])
	assert.Equal(t, int64(2), h.compressions.Load(), "brotli and gzip computed once each")

	// A changed file is a new version: new bytes, new tag, the old tag no
	// longer matches.
	changed := append(wasm, []byte("more")...)
	require.NoError(t, writeFile(filepath.Join(dir, "webphone.wasm"), changed))
	later := time.Now().Add(time.Minute)
	require.NoError(t, os.Chtimes(filepath.Join(dir, "webphone.wasm"), later, later))
	rec := get(t, h, "/webphone.wasm", "br", "If-None-Match", tags["br"])
	assert.Equal(t, 200, rec.Code)
	assert.Equal(t, changed, decode(t, "br", rec.Body.Bytes()))
	assert.NotEqual(t, tags["br"], rec.Header().Get("ETag"))
	assert.Equal(t, int64(3), h.compressions.Load())

	// A range request gets the plain file.
	rec = get(t, h, "/webphone.wasm", "br", "Range", "bytes=0-3")
	assert.Equal(t, http.StatusPartialContent, rec.Code)
	assert.Equal(t, "\x00asm", rec.Body.String())
}

// A name.br / name.gz next to the file, not older than it, is served as is
// (a build may compress at the best level ahead of time); an older one is
// ignored.
func TestStaticHandlerSidecars(t *testing.T) {
	dir := t.TempDir()
	js := bytes.Repeat([]byte("var a = 1;\n"), 200)
	path := filepath.Join(dir, "webphone_api.js")
	require.NoError(t, writeFile(path, js))
	var br bytes.Buffer
	w := brotli.NewWriterLevel(&br, 11)
	_, _ = w.Write(js)
	require.NoError(t, w.Close())
	require.NoError(t, writeFile(path+".br", br.Bytes()))
	require.NoError(t, writeFile(path+".gz", []byte("stale")))
	old := time.Now().Add(-time.Hour)
	require.NoError(t, os.Chtimes(path+".gz", old, old))

	h := NewStaticHandler(dir)
	rec := get(t, h, "/webphone_api.js", "br")
	assert.Equal(t, br.Bytes(), rec.Body.Bytes(), "the sidecar's bytes")
	assert.Equal(t, "text/javascript; charset=utf-8", rec.Header().Get("Content-Type"))
	rec = get(t, h, "/webphone_api.js", "gzip")
	assert.Equal(t, js, decode(t, "gzip", rec.Body.Bytes()), "the stale sidecar is ignored")
	assert.Equal(t, int64(1), h.compressions.Load())
}

// Warm computes every representation ahead of the first request.
func TestStaticHandlerWarm(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "examples"), 0o755))
	require.NoError(t, writeFile(filepath.Join(dir, "a.js"), []byte("var a;")))
	require.NoError(t, writeFile(filepath.Join(dir, "examples", "b.html"), []byte("<p>b</p>")))
	require.NoError(t, writeFile(filepath.Join(dir, "c.wav"), []byte("RIFF")))
	h := NewStaticHandler(dir)
	h.Warm()
	assert.Equal(t, int64(4), h.compressions.Load(), "2 files x (br, gzip); the wav is not compressible")
	get(t, h, "/examples/b.html", "br")
	assert.Equal(t, int64(4), h.compressions.Load())
}
