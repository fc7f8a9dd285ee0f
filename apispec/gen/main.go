// Command gen writes docs/api-status.md, docs/api-reference.md,
// www/webphone_api.d.ts and the NOT_BUILT block of www/webphone_api.js from
// apispec/names.json (run by `go generate ./apispec`).
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/opensoftphone/webphone/apispec"
)

func main() {
	root := flag.String("root", ".", "the repository root")
	flag.Parse()
	if err := run(*root); err != nil {
		fmt.Fprintln(os.Stderr, "apispec/gen:", err)
		os.Exit(1)
	}
}

func run(root string) error {
	names, err := apispec.All()
	if err != nil {
		return err
	}
	jsPath := filepath.Join(root, "www", "webphone_api.js")
	js, err := os.ReadFile(jsPath)
	if err != nil {
		return err
	}
	updated, err := apispec.UpdateJS(string(js), names)
	if err != nil {
		return err
	}
	if err := os.WriteFile(jsPath, []byte(updated), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(root, "docs", "api-status.md"), []byte(apispec.StatusMarkdown(names)), 0o644); err != nil {
		return err
	}
	ref, err := apispec.ReferenceMarkdown(names)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(root, "docs", "api-reference.md"), []byte(ref), 0o644); err != nil {
		return err
	}
	dts, err := apispec.DTS(names)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(root, "www", "webphone_api.d.ts"), []byte(dts), 0o644)
}
