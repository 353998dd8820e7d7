package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// dangle explore prints each finding's program, writes it with -o, and
// the written program replays with dangle run to the same title.
func TestExploreFindsAndReplays(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := run("explore", "-q", "-depth", "2", "-kernel", "v6.8", "-tree", "../../corpus/b1-reg-expander.prog", "-o", dir)
	if code != 1 || !strings.Contains(out, "found: memory leak in of_changeset_destroy") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	if !strings.Contains(out, "finding title(s) up to depth 2 on profile v6.8") {
		t.Errorf("no statement:\n%s", out)
	}
	file := filepath.Join(dir, "b1-reg-expander-1.prog")
	if _, err := os.Stat(file); err != nil {
		t.Fatal(err)
	}
	code, out, _ = run("run", file)
	if code != 1 || !strings.Contains(out, "FINDING: memory leak in of_changeset_destroy") {
		t.Errorf("replay: exit %d\n%s", code, out)
	}
}

func TestExploreUsage(t *testing.T) {
	for _, args := range [][]string{
		{"explore"},
		{"explore", "-depth", "2", "-kernel", "nosuch"},
		{"explore", "-depth", "2", "-ops", "nosuch_op", "-tree", "../../corpus/b1-reg-expander.prog"},
		{"explore", "-depth", "2", "-tree", "nosuch.prog"},
		{"explore", "-depth", "2", "-branch", "nosuch"},
	} {
		if code, _, errs := run(args...); code != 2 || errs == "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, errs)
		}
	}
}

// The default trees, depth 1: one statement per tree, exit 0 on mainline
// at that depth.
func TestExploreDefaultTrees(t *testing.T) {
	t.Chdir("../..")
	code, out, errs := run("explore", "-q", "-depth", "1", "-kernel", "mainline")
	if code != 0 || strings.Count(out, "no finding up to depth 1 on profile mainline") != 3 {
		t.Errorf("exit %d\n%s\n%s", code, out, errs)
	}
}

// On mainline B1's tree gives only findings that need the program's own
// of_node_get: printed as misuse, the bound says "no kernel finding",
// and the exit status is 0; -por gives the same statement's findings.
func TestExploreMisuse(t *testing.T) {
	for _, por := range []string{"-por=false", "-por=true"} {
		code, out, errs := run("explore", "-q", "-depth", "3", "-kernel", "mainline", por, "-tree", "../../corpus/b1-reg-expander.prog")
		if code != 0 || !strings.Contains(out, "--- misuse 1: memory leak in of_changeset_destroy") ||
			strings.Contains(out, "--- finding") || !strings.Contains(out, "no kernel finding up to depth 3 on profile mainline (3 program-misuse title(s)") {
			t.Errorf("%s: exit %d\n%s\n%s", por, code, out, errs)
		}
	}
}
