package infra

import (
	"io"
	"os"
	"path/filepath"
)

// CopyTree copies the regular files of folder src and of its subfolders
// into folder dst, overwriting files of the same name; other entries
// (links, devices) are left out. Tests use it to serve a private copy of
// www/ that a concurrent build cannot change under them.
func CopyTree(src, dst string) error {
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
			if err := CopyTree(from, to); err != nil {
				return err
			}
		case e.Type().IsRegular():
			if err := CopyFile(from, to); err != nil {
				return err
			}
		}
	}
	return nil
}

// CopyFile copies one file's content from from to to.
func CopyFile(from, to string) error {
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
