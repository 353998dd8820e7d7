package sim

import (
	"path/filepath"
	"strings"
	"testing"

	"dangle/prog"
	"dangle/sim/profile"
)

// corpusPrograms returns every program of the repository's corpus.
func corpusPrograms(t testing.TB) map[string]*prog.Program {
	files, err := filepath.Glob("../corpus/*.prog")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus programs: %v", err)
	}
	out := map[string]*prog.Program{}
	for _, f := range files {
		p, err := prog.ParseFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[f] = p
	}
	return out
}

// TestDeterminism: the same program under the same profile gives
// byte-identical output, for every corpus program and every profile.
func TestDeterminism(t *testing.T) {
	for name, p := range corpusPrograms(t) {
		for _, kern := range profile.Names() {
			a, err := Run(p, Config{Filename: name, Profile: kern, Trace: true})
			if err != nil {
				t.Fatalf("%s %s: %v", name, kern, err)
			}
			b, err := Run(p, Config{Filename: name, Profile: kern, Trace: true})
			if err != nil {
				t.Fatal(err)
			}
			if a.Log != b.Log || a.Trace != b.Trace || len(a.Findings) != len(b.Findings) {
				t.Errorf("%s under %s: two runs differ", name, kern)
			}
		}
	}
}

// TestCorpusRuns: every corpus program runs on every profile without a
// simulator bug, and its "# expect:" header lines (if any) hold.
func TestCorpusRuns(t *testing.T) {
	for name, p := range corpusPrograms(t) {
		res, err := Run(p, Config{Filename: name})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, h := range p.Header {
			want, ok := strings.CutPrefix(h, "# expect: ")
			if !ok {
				continue
			}
			found := false
			for _, f := range res.Findings {
				if f.Title == want {
					found = true
				}
			}
			if want == "clean" {
				found = len(res.Findings) == 0
			}
			if !found {
				t.Errorf("%s: expected %q, got %d findings:\n%s", name, want, len(res.Findings), res.Log)
			}
		}
	}
}
