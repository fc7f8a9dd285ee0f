package browser

import (
	"errors"
	"mime"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/opensoftphone/webphone/tests/infra"
)

// makeSite returns a fresh folder holding the files of www/ (the built
// deliverable, with its examples/) and the test page from testdata/, ready
// to be served.
func makeSite(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, src := range []string{wwwSnapshot, "testdata"} {
		if err := infra.CopyTree(src, dir); err != nil {
			t.Fatalf("site: %v", err)
		}
	}
	for _, need := range []string{"webphone_api.js", "webphone.wasm", "wasm_exec.js", "phone.html"} {
		if _, err := os.Stat(filepath.Join(dir, need)); err != nil {
			t.Fatalf("site: %s is missing from www/ or testdata/: %v", need, err)
		}
	}
	return dir
}

// serveStatic serves dir over HTTP on a free 127.0.0.1 port until the test
// ends and returns its base URL ("http://127.0.0.1:port/").
func serveStatic(t *testing.T, dir string) string {
	t.Helper()
	_ = mime.AddExtensionType(".wasm", "application/wasm")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("static server: %v", err)
	}
	files := http.FileServer(http.Dir(dir))
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if filepath.Ext(r.URL.Path) == ".wasm" {
				w.Header().Set("Content-Type", "application/wasm")
			}
			w.Header().Set("Cache-Control", "no-store")
			files.ServeHTTP(w, r)
		}),
		ReadHeaderTimeout: 10 * time.Second,
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Logf("static server: %v", err)
		}
	}()
	t.Cleanup(func() {
		_ = srv.Close()
		<-done
	})
	return "http://" + ln.Addr().String() + "/"
}
