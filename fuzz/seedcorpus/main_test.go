package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dangle/fuzz"
	"dangle/prog/seq"
)

// TestWrite: one file per seed, each decoding to its program.
func TestWrite(t *testing.T) {
	out := t.TempDir()
	if err := write(out, "FuzzLifecycle", "../..", true); err != nil {
		t.Fatal(err)
	}
	seeds, err := fuzz.LoadSeeds("../..")
	if err != nil {
		t.Fatal(err)
	}
	m, w := fuzz.NewModel(), fuzz.TargetWeights("FuzzLifecycle")
	for _, s := range seeds {
		rel, _ := filepath.Rel("../..", s.Path)
		name := filepath.Join(out, strings.NewReplacer("/", "-", ".prog", "").Replace(rel)) // as write names it
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatalf("%s: %v", s.Path, err)
		}
		if got, want := seq.Decode(m, &w, data).String(), seq.Canonical(s.Prog).String(); got != want {
			t.Errorf("%s: decodes to\n%s", name, got)
		}
	}
	if err := write(t.TempDir(), "FuzzLifecycle", t.TempDir(), false); err == nil {
		t.Error("no error without seeds")
	}
}

// TestFrame: the framing go-fuzz-headers' GetBytes undoes.
func TestFrame(t *testing.T) {
	data := []byte("dangle")
	f := frame(data)
	if len(f) != 4+len(data) || f[3] != byte(len(data)) || string(f[4:]) != "dangle" {
		t.Errorf("frame = %x", f)
	}
}
