package sim

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"dangle/prog"
)

// needDTC returns dtc's path; without it the test is skipped, except in
// CI, where it must be installed.
func needDTC(t *testing.T) string {
	p, err := exec.LookPath("dtc")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI must have dtc (apt-get install device-tree-compiler)")
		}
		t.Skip("dtc not installed")
	}
	return p
}

// dtcCompile compiles DTS source with dtc -@ into a blob.
func dtcCompile(t *testing.T, dtc, name string, src []byte) []byte {
	t.Helper()
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.dts"), filepath.Join(dir, "out.dtb")
	if err := os.WriteFile(in, src, 0o644); err != nil {
		t.Fatal(err)
	}
	if msg, err := exec.Command(dtc, "-q", "-@", "-I", "dts", "-O", "dtb", "-o", out, in).CombinedOutput(); err != nil {
		t.Fatalf("dtc %s: %v\n%s", name, err, msg)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCorpusDTBO: every .dtso of the corpus compiles with dtc -@, and the
// program run with the compiled .dtbo in its place prints the same log
// (up to the file name) on every profile.
func TestCorpusDTBO(t *testing.T) {
	dtc := needDTC(t)
	for name, p := range corpusPrograms(t) {
		q := p.Clone()
		rename := map[string]string{}
		for i := range q.Files {
			f := &q.Files[i]
			if !strings.HasSuffix(f.Name, ".dtso") {
				continue
			}
			blob := dtcCompile(t, dtc, f.Name, f.Data)
			newName := strings.TrimSuffix(f.Name, ".dtso") + ".dtbo"
			rename[f.Name] = newName
			f.Name, f.Data = newName, prog.EncodeBlob(blob)
		}
		if len(rename) == 0 {
			continue
		}
		for _, op := range q.Ops {
			if a := op.Arg("blob"); a != nil {
				a.File = rename[a.File]
			}
		}
		if err := q.Validate(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, kern := range []string{"", "v5.15", "v6.8"} {
			a, err := Run(p, Config{Filename: name, Profile: kern})
			if err != nil {
				t.Fatal(err)
			}
			b, err := Run(q, Config{Filename: name, Profile: kern})
			if err != nil {
				t.Fatal(err)
			}
			got := b.Log
			for from, to := range rename {
				got = strings.ReplaceAll(got, to, from)
			}
			if got != a.Log {
				t.Errorf("%s (kernel %q): .dtbo log differs from .dtso log\n--- dtso:\n%s\n--- dtbo:\n%s", name, kern, a.Log, got)
			}
		}
	}
}
