package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunPictures: -svg and -dot write the timeline and the graph of the
// first finding; they take one program on one profile.
func TestRunPictures(t *testing.T) {
	dir := t.TempDir()
	svg, dot := filepath.Join(dir, "t.svg"), filepath.Join(dir, "g.dot")
	code, stdout, stderr := run("run", "-kernel", "v6.8", "-svg", svg, "-dot", dot, "../../corpus/b1-reg-expander.prog")
	if code != 1 {
		t.Fatalf("exit %d, want 1 (a finding)\n%s%s", code, stdout, stderr)
	}
	s, err := os.ReadFile(svg)
	if err != nil || !strings.HasPrefix(string(s), "<svg") || !strings.Contains(string(s), "memory leak in of_changeset_destroy") {
		t.Errorf("timeline: %v\n%.300s", err, s)
	}
	d, err := os.ReadFile(dot)
	if err != nil || !strings.HasPrefix(string(d), "digraph") || !strings.Contains(string(d), "holds a reference") {
		t.Errorf("graph: %v\n%.300s", err, d)
	}
	if !strings.Contains(stdout, "timeline: "+svg) {
		t.Errorf("stdout:\n%s", stdout)
	}
	// rendered where Graphviz is installed, else the source beside it
	png := filepath.Join(dir, "g.png")
	if code, stdout, stderr := run("run", "-kernel", "v6.8", "-dot", png, "../../corpus/b1-reg-expander.prog"); code != 1 {
		t.Fatalf("-dot g.png: exit %d\n%s%s", code, stdout, stderr)
	}
	if _, err := exec.LookPath("dot"); err == nil {
		if b, err := os.ReadFile(png); err != nil || !strings.HasPrefix(string(b), "\x89PNG") {
			t.Errorf("g.png not rendered: %v", err)
		}
	} else if _, err := os.Stat(filepath.Join(dir, "g.dot")); err != nil {
		t.Errorf("no dot installed and no g.dot: %v", err)
	}
	// without Graphviz: the source beside it, and how to render it
	t.Setenv("PATH", "")
	svgOut := filepath.Join(dir, "h.svg")
	if code, stdout, _ := run("run", "-kernel", "v6.8", "-dot", svgOut, "../../corpus/b1-reg-expander.prog"); code != 1 || !strings.Contains(stdout, "dot is not installed") {
		t.Errorf("-dot h.svg without dot: exit %d\n%s", code, stdout)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "h.dot")); err != nil || !strings.HasPrefix(string(b), "digraph") {
		t.Errorf("h.dot: %v", err)
	}
	if code, _, stderr := run("run", "-kernel", "all", "-svg", svg, "../../corpus/b1-reg-expander.prog"); code != 2 || !strings.Contains(stderr, "one program on one profile") {
		t.Errorf("-svg with -kernel all: exit %d\n%s", code, stderr)
	}
}
