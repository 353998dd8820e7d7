package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dangle/crash"
	"dangle/fuzz"
	"dangle/prog"
	"dangle/prog/seq"
)

// fuzzInput writes data as go test -fuzz does, into dir/FuzzLifecycle/name.
func fuzzInput(t *testing.T, dir, name string, data []byte) {
	t.Helper()
	d := filepath.Join(dir, "FuzzLifecycle")
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
	text := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", data)
	if err := os.WriteFile(filepath.Join(d, name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestTriage: two inputs of one bug (B1, one padded) and a clean one
// become one crasher whose report names the title; triaging again
// merges into the same directory.
func TestTriage(t *testing.T) {
	b1, err := prog.ParseFile("../../corpus/b1-reg-expander.prog")
	if err != nil {
		t.Fatal(err)
	}
	padded := b1.Clone()
	padded.Ops = append([]*prog.Op{prog.NewOp(prog.Lookup("flush_workqueue"), "")}, padded.Ops...)
	m, w := fuzz.NewModel(), fuzz.TargetWeights("FuzzLifecycle")
	in := t.TempDir()
	for name, p := range map[string]*prog.Program{"a": b1, "b": padded, "c": {}} {
		data, err := seq.Encode(m, &w, p)
		if err != nil {
			t.Fatal(err)
		}
		fuzzInput(t, in, name, data)
	}
	out := filepath.Join(t.TempDir(), "crashers")
	t.Setenv("DANGLE_KERNEL", "")
	code, stdout, stderr := run("triage", "-o", out, "-timeout", "5s", filepath.Join(in, "FuzzLifecycle"))
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	const title = "memory leak in of_changeset_destroy"
	dir := filepath.Join(out, "memory-leak-in-of-changeset-destroy")
	if !strings.Contains(stdout, title+": 2 input(s) -> "+dir) || !strings.Contains(stdout, "/c: no finding") {
		t.Errorf("stdout:\n%s", stdout)
	}
	rep, err := os.ReadFile(filepath.Join(dir, "report.txt"))
	if err != nil || !strings.HasPrefix(string(rep), title+"\n") {
		t.Fatalf("report.txt: %v\n%s", err, rep)
	}
	repro, err := prog.ParseFile(filepath.Join(dir, "repro.prog"))
	if err != nil {
		t.Fatal(err)
	}
	if repro.Title() != title || repro.Kernel != "v6.8" || len(repro.Ops) != 2 {
		t.Errorf("repro: title %q kernel %q, %d ops:\n%s", repro.Title(), repro.Kernel, len(repro.Ops), repro)
	}
	// again: merged, not duplicated
	if code, stdout, stderr := run("triage", "-o", out, "-min=false", filepath.Join(in, "FuzzLifecycle")); code != 0 {
		t.Fatalf("again: exit %d\n%s\n%s", code, stdout, stderr)
	}
	dirs, _ := filepath.Glob(filepath.Join(out, "*"))
	if len(dirs) != 1 {
		t.Errorf("crashers after the second triage: %v", dirs)
	}
	if again, _ := prog.ParseFile(filepath.Join(dir, "repro.prog")); again == nil || len(again.Ops) != 2 {
		t.Errorf("the merge replaced the smaller repro")
	}
}

func TestReadInputErrors(t *testing.T) {
	for _, text := range []string{"", "go test fuzz v1\n", "go test fuzz v1\nint(3)\n", "go test fuzz v1\n[]byte(\"x)\n"} {
		p := write(t, "in", text)
		if _, err := fuzz.ReadInput(p); err == nil {
			t.Errorf("%q: no error", text)
		}
	}
}

// TestTriageSoak: raw findings the soak saved with crash.WriteRaw (one
// padded, one not) become one minimized crasher in -o, and the soak's
// raw/ in its own directory is left alone.
func TestTriageSoak(t *testing.T) {
	b1, err := prog.ParseFile("../../corpus/b1-reg-expander.prog")
	if err != nil {
		t.Fatal(err)
	}
	padded := b1.Clone()
	padded.Ops = append([]*prog.Op{prog.NewOp(prog.Lookup("flush_workqueue"), "")}, padded.Ops...)
	soak := t.TempDir()
	const title = "memory leak in of_changeset_destroy"
	for _, p := range []*prog.Program{b1, padded} {
		if _, err := crash.WriteRaw(soak, p, title); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "crashers")
	t.Setenv("DANGLE_KERNEL", "")
	code, stdout, stderr := run("triage", "-o", out, "-timeout", "5s", soak)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, title+": 2 input(s) -> ") {
		t.Errorf("stdout:\n%s", stdout)
	}
	cs, err := crash.Load(out)
	if err != nil || len(cs) != 1 || cs[0].Prog == nil || len(cs[0].Prog.Ops) != 2 || cs[0].Title != title {
		t.Fatalf("crashers: %v %+v", err, cs)
	}
	if raw, _ := filepath.Glob(filepath.Join(soak, "*", "raw", "*.prog")); len(raw) != 2 {
		t.Errorf("the soak's raw findings: %v", raw)
	}
}
