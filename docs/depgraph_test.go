// Package docs holds no code: its tests keep the documents in this folder
// true to the code.
package docs

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// The import graph in architecture.md sits between these markers.
const (
	graphBegin = "<!-- depgraph:begin (scripts/depgraph.sh) -->"
	graphEnd   = "<!-- depgraph:end -->"
)

// TestArchitectureGraphMatchesGoList fails when the import graph written in
// architecture.md is not what `go list` reports (scripts/depgraph.sh):
// after a change of imports, run the script and paste its output there.
func TestArchitectureGraphMatchesGoList(t *testing.T) {
	cmd := exec.Command("bash", "../scripts/depgraph.sh")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("scripts/depgraph.sh: %v\n%s", err, stderr.String())
	}
	doc, err := os.ReadFile("architecture.md")
	if err != nil {
		t.Fatal(err)
	}
	documented, ok := graphBlock(string(doc))
	if !ok {
		t.Fatalf("architecture.md has no import graph between %q and %q", graphBegin, graphEnd)
	}
	want := lines(string(out))
	if got := lines(documented); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("architecture.md's import graph differs from go list\n--- documented\n%s\n--- go list (scripts/depgraph.sh)\n%s",
			strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// graphBlock returns the text between the graph markers, without the code
// fence around it.
func graphBlock(doc string) (string, bool) {
	_, rest, ok := strings.Cut(doc, graphBegin)
	if !ok {
		return "", false
	}
	block, _, ok := strings.Cut(rest, graphEnd)
	if !ok {
		return "", false
	}
	var kept []string
	for _, l := range strings.Split(block, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "```") {
			kept = append(kept, l)
		}
	}
	return strings.Join(kept, "\n"), true
}

// lines returns the non-empty lines of s, trimmed.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
