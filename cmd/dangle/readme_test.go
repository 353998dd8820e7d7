package main

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// TestMakeNotices: make test says which tests it skipped for lack of a
// tool or of ../shared (go test prints skips only with -v).
func TestMakeNotices(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("NOTICE: make not installed: skipping the Makefile notice test")
	}
	out, err := exec.Command("make", "-s", "-C", "../..", "notices",
		"SHARED=/nonexistent", "DTC=no-such-dtc", "FDTOVERLAY=no-such-fdtoverlay", "CPP_BIN=no-such-cpp").CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	for _, want := range []string{
		"NOTICE: no-such-dtc not installed: the dtc differential and corpus tests were SKIPPED",
		"NOTICE: no-such-fdtoverlay not installed",
		"NOTICE: no-such-cpp not installed: the -I preprocessing tests were SKIPPED",
		"NOTICE: /nonexistent/boards not found: the real-board tests were SKIPPED",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("make notices lacks %q:\n%s", want, out)
		}
	}
	out, _ = exec.Command("make", "-s", "-C", "../..", "notices", "SHARED=.", "DTC=sh", "FDTOVERLAY=sh", "CPP_BIN=sh").CombinedOutput()
	if strings.Contains(string(out), "NOTICE: sh") || strings.Contains(string(out), "./boards not found") != !dirExists("../../boards") {
		t.Errorf("notices for tools that exist:\n%s", out)
	}
}

func dirExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// TestReadmeCommands: the README's example files exist and the flags its
// walkthrough uses are the commands' flags.
func TestReadmeCommands(t *testing.T) {
	readme := string(mustRead(t, "../../README.md"))
	for _, m := range regexp.MustCompile(`corpus/[a-z0-9-]+\.prog`).FindAllString(readme, -1) {
		if _, err := os.Stat("../../" + m); err != nil {
			t.Errorf("README names %s: %v", m, err)
		}
	}
	for cmd, flags := range map[string][]string{"run": {"-I", "-kernel", "-base", "-trace"}, "new": {"-I", "-base", "-o", "-kernel"}} {
		_, help, _ := run(cmd, "-h")
		for _, f := range flags {
			if !strings.Contains(help, "\n  "+f+" ") && !strings.Contains(help, "\n  "+f+"\n") {
				t.Errorf("dangle %s -h lacks %s:\n%s", cmd, f, help)
			}
			if !strings.Contains(readme, "dangle "+cmd) {
				t.Errorf("README does not show dangle %s", cmd)
			}
		}
	}
	for _, want := range []string{"## Your own overlay", "-kernel all", "runs on `mainline`", "`../shared`", "NOTICE:"} {
		if !strings.Contains(readme, want) {
			t.Errorf("README lacks %q", want)
		}
	}
}
