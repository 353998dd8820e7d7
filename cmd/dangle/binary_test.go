package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// The tests in this file run the built binary, as a user does.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// dangleBin builds cmd/dangle once per test binary and returns its path.
func dangleBin(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "dangle-bin-")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(buildDir, "dangle")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = errors.New(string(out))
		}
	})
	if buildErr != nil {
		t.Fatalf("go build: %v", buildErr)
	}
	return binPath
}

// runBin runs the built binary in dir with stdin and returns its exit
// status, stdout and stderr.
func runBin(t *testing.T, dir, stdin string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(dangleBin(t), args...)
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, out.String(), errb.String()
}

// TestNewRunsAsIs: dangle new writes a program from overlay sources and
// blobs and a board; the program runs as it is, applying every overlay
// and removing them topmost first.
func TestNewRunsAsIs(t *testing.T) {
	dir := t.TempDir()
	board := filepath.Join(dir, "board.dts")
	os.WriteFile(board, []byte("/dts-v1/;\n/ { bus: bus { #address-cells = <1>; #size-cells = <1>; }; };\n"), 0o644)
	ov := filepath.Join(dir, "my overlay.dtso")
	os.WriteFile(ov, []byte("/dts-v1/;\n/plugin/;\n&bus { dev@100 { compatible = \"dangle,dev\"; reg = <0x100 0x10>; }; };\n"), 0o644)
	blob := filepath.Join("testdata", "status.dtbo")
	code, out, errs := runBin(t, dir, "", "new", "-base", board, "-o", "x.prog", ov, absPath(blob),
		"n = of_node_get node=/bus/dev@100", "of_node_put node=n")
	if code != 0 || !strings.Contains(out, "wrote x.prog: 2 overlay(s)") {
		t.Fatalf("dangle new: exit %d\n%s%s", code, out, errs)
	}
	text, _ := os.ReadFile(filepath.Join(dir, "x.prog"))
	for _, want := range []string{"-- base.dts --", "-- my-overlay.dtso --", "-- status.dtbo --",
		"ov1 = of_overlay_fdt_apply blob=my-overlay.dtso\n", "ov2 = of_overlay_fdt_apply blob=status.dtbo\n",
		"# your ops, from the command line\nn = of_node_get node=/bus/dev@100\nof_node_put node=n\n# remove the overlays, topmost first\nof_overlay_remove ov=ov2\nof_overlay_remove ov=ov1\n",
		"# Written by dangle new. Edit it"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("program lacks %q:\n%s", want, text)
		}
	}
	code, out, errs = runBin(t, dir, "", "run", "x.prog")
	for _, want := range []string{"op 1: returned 0, ov1 = 1", "op 2: returned 0, ov2 = 2", "op 3: n = of_node_get node=/bus/dev@100", "op 5: of_overlay_remove ov=ov2", "op 6: returned 0, ov1 = 0"} {
		if !strings.Contains(out, want) {
			t.Errorf("run lacks %q (exit %d):\n%s%s", want, code, out, errs)
		}
	}
	if code == 2 {
		t.Errorf("the new program does not run: %s", errs)
	}
	// an overlay as -base, and a corrupt blob, are refused
	plugin := filepath.Join(dir, "plugin.dts")
	os.WriteFile(plugin, []byte("/dts-v1/;\n/plugin/;\n&bus { };\n"), 0o644)
	code, _, errs = runBin(t, dir, "", "new", "-base", plugin, "-o", "y.prog", ov)
	if code != 2 || !strings.Contains(errs, "is an overlay") {
		t.Errorf("overlay as -base: exit %d: %s", code, errs)
	}
	code, _, errs = runBin(t, dir, "", "new", "-o", "y.prog", board)
	if code != 2 || !strings.Contains(errs, "board.dts is not an overlay") {
		t.Errorf("a board as an overlay: exit %d: %s", code, errs)
	}
	bad := filepath.Join(dir, "bad.dtbo")
	os.WriteFile(bad, []byte("garbage"), 0o644)
	code, _, errs = runBin(t, dir, "", "new", "-o", "y.prog", bad)
	if code != 2 || !strings.Contains(errs, "bad.dtbo") {
		t.Errorf("corrupt .dtbo: exit %d: %s", code, errs)
	}
}

// TestKernelAll: -kernel all runs every profile, then prints the finding ×
// profile table with the commits of the knobs that separate the last
// affected from the first unaffected profile; exit 1 for a finding.
func TestKernelAll(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := runBin(t, dir, "", "run", "-kernel", "all", absPath("../../corpus/b1-reg-expander.prog"))
	if code != 1 {
		t.Fatalf("exit %d:\n%s%s", code, out, errs)
	}
	if n := strings.Count("\n"+out, "\n=== "); n != 11 { // 10 profiles and the table
		t.Errorf("%d === sections, want 11", n)
	}
	_, table, ok := strings.Cut(out, "findings by kernel profile\n")
	if !ok {
		t.Fatalf("no table:\n%s", out)
	}
	for _, want := range []string{
		"v5.10  v5.15  v6.1  v6.6  v6.8  v6.8.5  v6.9  v6.12  v6.17  mainline\n",
		"memory leak in of_changeset_destroy ",
		" X      X      X     X     X     -       -     -      -      -\n",
		"memory leak in of_changeset_destroy:\n  last affected v6.8, first unaffected v6.8.5; the knobs that differ:\n" +
			"    devlink_wait: v6.8=none (-), v6.8.5=changeset-destroy (8917e7385346)\n\n",
	} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
	// a comma list; a clean program exits 0
	clean := filepath.Join(dir, "clean.prog")
	os.WriteFile(clean, []byte(cleanProg), 0o644)
	code, out, _ = runBin(t, dir, "", "run", "-kernel", "v5.10,v6.8", clean)
	if code != 0 || !strings.Contains(out, "no findings on any of v5.10 v6.8") {
		t.Errorf("comma list: exit %d:\n%s", code, out)
	}
	code, _, errs = runBin(t, dir, "", "run", "-kernel", "v5.10,v7", clean)
	if code != 2 || !strings.Contains(errs, "unknown kernel version \"v7\"") {
		t.Errorf("bad list: exit %d: %s", code, errs)
	}
}

// TestReplayAndStdin: "-" reads the program from stdin; the replay
// command is shell-quoted and, pasted into a shell in another directory,
// reproduces the run.
func TestReplayAndStdin(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := runBin(t, dir, findingProg, "run", "-strict", "-kernel", "v6.8 devlink_wait=none", "-")
	if code != 1 || !strings.Contains(out, "=== <stdin>") {
		t.Fatalf("stdin: exit %d:\n%s%s", code, out, errs)
	}
	sub := filepath.Join(dir, "with space")
	os.Mkdir(sub, 0o755)
	prog := filepath.Join(sub, "f.prog")
	os.WriteFile(prog, []byte(findingProg), 0o644)
	code, out, _ = runBin(t, sub, "", "run", "-kernel", "v6.8 devlink_wait=none", "f.prog", "-strict")
	_, replay, ok := strings.Cut(out, "; replay: ")
	if code != 1 || !ok {
		t.Fatalf("exit %d, no replay line:\n%s", code, out)
	}
	replay = strings.TrimSpace(replay)
	if !strings.Contains(replay, "'v6.8 devlink_wait=none' -strict") || !strings.Contains(replay, "'"+prog+"'") {
		t.Errorf("replay not quoted: %s", replay)
	}
	sh := exec.Command("sh", "-c", replay)
	sh.Dir = os.TempDir()
	again, _ := sh.Output()
	// the same run; only the "=== FILE" line names the file differently
	_, a, _ := strings.Cut(string(again), "\n")
	_, b, _ := strings.Cut(out, "\n")
	if a != b || !strings.HasPrefix(string(again), "=== "+prog+"\n") {
		t.Errorf("replay from %s differs:\n%s\nwant:\n%s", sh.Dir, again, out)
	}
}
