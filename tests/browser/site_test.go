package browser

import (
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// makeSite returns a fresh folder holding the files of www/ (the built
// deliverable, with its examples/) and the test page from testdata/, ready
// to be served.
func makeSite(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, src := range []string{wwwSnapshot, "testdata"} {
		if err := copyTree(src, dir); err != nil {
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

// copyTree copies the regular files of folder src and of its subfolders
// (www/examples/) into folder dst; other entries (links, devices) are left
// out.
func copyTree(src, dst string) error {
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range entries {
		from, to := filepath.Join(src, e.Name()), filepath.Join(dst, e.Name())
		switch {
		case e.IsDir():
			if err := os.MkdirAll(to, 0o755); err != nil {
				return err
			}
			if err := copyTree(from, to); err != nil {
				return err
			}
		case e.Type().IsRegular():
			if err := copyFile(from, to); err != nil {
				return err
			}
		}
	}
	return nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
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
