package sim

import (
	"slices"
	"testing"

	"dangle/sim/report"
)

// TestSignal: Config.Signal collects a deterministic set of features
// per run (the same program gives the same features in the same order,
// from a cold boot or a snapshot clone), programs that do different
// things give different sets, and collecting changes nothing else of
// the run.
func TestSignal(t *testing.T) {
	progs := corpusPrograms(t)
	cache := NewCache()
	sets := map[string][]uint32{}
	for _, name := range sortedNames(progs) {
		p := progs[name]
		var runs [][]uint32
		for i, c := range []*Cache{nil, cache, cache, cache} {
			s := &report.Signal{}
			res, err := Run(p, Config{Filename: name, Quiet: true, Cache: c, Signal: s})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			plain, _ := Run(p, Config{Filename: name, Quiet: true})
			if len(res.Findings) != len(plain.Findings) || len(res.Known) != len(plain.Known) {
				t.Errorf("%s run %d: findings %d/%d with the signal, %d/%d without", name, i,
					len(res.Findings), len(res.Known), len(plain.Findings), len(plain.Known))
			}
			if len(s.Features()) < 10 {
				t.Errorf("%s: only %d features", name, len(s.Features()))
			}
			runs = append(runs, slices.Clone(s.Features()))
			s.Reset()
			if len(s.Features()) != 0 {
				t.Fatalf("Reset left %d features", len(s.Features()))
			}
		}
		for i := 1; i < len(runs); i++ {
			if !slices.Equal(runs[0], runs[i]) {
				t.Errorf("%s: run %d has %d features, run 0 %d (or another order)", name, i, len(runs[i]), len(runs[0]))
			}
		}
		sets[name] = runs[0]
	}
	// distinct programs: every pair differs
	names := sortedNames(progs)
	for i := range names {
		for j := i + 1; j < len(names); j++ {
			a, b := slices.Sorted(slices.Values(sets[names[i]])), slices.Sorted(slices.Values(sets[names[j]]))
			if slices.Equal(a, b) {
				t.Errorf("%s and %s have the same signal", names[i], names[j])
			}
		}
	}
}

// TestSignalReuse: a signal reset and reused by the next run holds that
// run's features only.
func TestSignalReuse(t *testing.T) {
	progs := corpusPrograms(t)
	names := sortedNames(progs)
	s := &report.Signal{}
	fresh := func(name string) []uint32 {
		f := &report.Signal{}
		if _, err := Run(progs[name], Config{Quiet: true, Signal: f}); err != nil {
			t.Fatal(err)
		}
		return f.Features()
	}
	for _, name := range names {
		s.Reset()
		if _, err := Run(progs[name], Config{Quiet: true, Signal: s}); err != nil {
			t.Fatal(err)
		}
		if want := fresh(name); !slices.Equal(s.Features(), want) {
			t.Errorf("%s: reused signal has %d features, a fresh one %d", name, len(s.Features()), len(want))
		}
	}
}
