package sim

import (
	"strings"
	"testing"
)

// TestReleaseTextSameRun: with Config.ReleaseText (dangle run) every
// corpus program logs and finds exactly what it does without, its
// overlay sources have no text afterwards, and a second run of the same
// program (dangle run -kernel all, -svg) runs from the compiled trees
// alike.
func TestReleaseTextSameRun(t *testing.T) {
	progs := corpusPrograms(t)
	released := 0
	for _, name := range sortedNames(progs) {
		want, err := Run(progs[name], Config{Filename: name})
		if err != nil {
			t.Fatal(err)
		}
		p := progs[name].Clone()
		for i := 0; i < 2; i++ {
			got, err := Run(p, Config{Filename: name, ReleaseText: true})
			if err != nil {
				t.Fatalf("%s run %d: %v", name, i+1, err)
			}
			if got.Log != want.Log || len(got.Findings) != len(want.Findings) {
				t.Errorf("%s run %d with ReleaseText logs differently:\n%s\nwant:\n%s", name, i+1, got.Log, want.Log)
			}
		}
		for _, f := range p.Files {
			if strings.HasSuffix(f.Name, ".dtso") {
				if f.Data != nil {
					t.Errorf("%s: %s kept its text", name, f.Name)
				}
				released++
			}
		}
	}
	if released == 0 {
		t.Fatal("no corpus program has an overlay source")
	}
}
