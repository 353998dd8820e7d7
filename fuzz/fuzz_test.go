package fuzz

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"dangle/dt"
	"dangle/prog"
	"dangle/sim"
)

// byteTarget is a target over the byte decoder: every input decodes to
// a valid program; a finding not known, not ignored and not expected of
// a seed fails the target with its report.
func byteTarget(f *testing.F, name string) {
	r, seeds := runners[name], seedInputs[name]
	if r == nil {
		env, err := ReadEnv()
		if err != nil {
			f.Fatal(err)
		}
		r = NewRunner(name, env)
		if seeds, err = r.Seeds(RepoRoot()); err != nil {
			f.Fatal(err)
		}
		runners[name], seedInputs[name] = r, seeds
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fails, err := r.Run(data)
		if err != nil {
			t.Fatalf("%v\nprogram:\n%s", err, r.decoded(data))
		}
		if len(fails) > 0 {
			t.Fatal(r.Report(fails[0]))
		}
	})
}

// runners and seedInputs keep each target's runner and seeds across
// calls: go-118-fuzz-build's libFuzzer harness calls FuzzX once per input.
var (
	runners    = map[string]*Runner{}
	seedInputs = map[string][][]byte{}
)

func (r *Runner) decoded(data []byte) []byte {
	return r.decode(data).Print()
}

// FuzzLifecycle: everything — overlays, drivers, links, GPIO, devres.
func FuzzLifecycle(f *testing.F) { byteTarget(f, "FuzzLifecycle") }

// FuzzOverlay: overlay applies and removals, notifiers, node references.
func FuzzOverlay(f *testing.F) { byteTarget(f, "FuzzOverlay") }

// FuzzDevlink: device links, (un)binding and devres on suppliers and
// consumers.
func FuzzDevlink(f *testing.F) { byteTarget(f, "FuzzDevlink") }

// FuzzGPIO: GPIO providers, consumers and descriptors.
func FuzzGPIO(f *testing.F) { byteTarget(f, "FuzzGPIO") }

// textSeeds adds the corpus programs' text (none without a corpus: a
// libFuzzer binary may run outside the tree).
func textSeeds(f *testing.F) [][]byte {
	env, err := ReadEnv()
	if err != nil {
		f.Fatal(err)
	}
	if !env.Seeds {
		return nil
	}
	root := RepoRoot()
	files, _ := filepath.Glob(filepath.Join(root, "corpus/*.prog"))
	m, _ := filepath.Glob(filepath.Join(root, "crashers/*/repro.prog"))
	var out [][]byte
	for _, name := range append(files, m...) {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, data)
	}
	return out
}

// FuzzProgText: program text through the parser and, when it parses,
// the simulator (what FuzzRun did): a simulator panic fails, and so does
// a program whose printed text does not parse back to the same text.
// Findings do not fail: hand-written text reproduces bugs on purpose.
func FuzzProgText(f *testing.F) {
	for _, s := range textSeeds(f) {
		f.Add(s)
	}
	cache := sim.NewCache()
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := prog.Parse("fuzz.prog", data)
		if err != nil {
			return
		}
		text := p.Print()
		q, err := prog.Parse("printed.prog", text)
		if err != nil {
			t.Fatalf("printed program does not parse: %v\n%s", err, text)
		}
		if again := q.Print(); !bytes.Equal(again, text) {
			t.Fatalf("printing is not canonical:\n%s\nthen:\n%s", text, again)
		}
		_, err = sim.Run(p, sim.Config{Filename: "fuzz.prog", Quiet: true, Cache: cache, Strict: sim.StrictFromEnv()})
		if b, ok := err.(*sim.Bug); ok {
			t.Fatalf("%v\nprogram:\n%s", b, data)
		}
	})
}

// FuzzDTS: device-tree source as an overlay the simulator applies and
// removes on the default base: dt's parser and compiler, the overlay
// resolver and the apply/revert paths must not panic, whatever the
// source. Findings do not fail.
func FuzzDTS(f *testing.F) {
	for _, s := range textSeeds(f) {
		if p, err := prog.Parse("seed.prog", s); err == nil {
			for _, file := range p.Files {
				f.Add(file.Data)
			}
		}
	}
	cache := sim.NewCache()
	f.Fuzz(func(t *testing.T, src []byte) {
		if _, _, err := dt.Load("fuzz.dtso", src, dt.CompileOptions{Symbols: true}); err != nil {
			return
		}
		p := DTSProgram(src)
		if p == nil {
			return
		}
		_, err := sim.Run(p, sim.Config{Filename: "fuzz.prog", Quiet: true, Cache: cache})
		if b, ok := err.(*sim.Bug); ok {
			t.Fatalf("%v\nsource:\n%s", b, src)
		}
	})
}
