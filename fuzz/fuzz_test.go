package fuzz

import (
	"os"
	"path/filepath"
	"testing"

	"dangle/prog"
	"dangle/sim"
	"dangle/sim/profile"
)

// seeds adds every corpus program.
func seeds(f *testing.F) {
	files, err := filepath.Glob("../corpus/*.prog")
	if err != nil || len(files) == 0 {
		f.Fatalf("no corpus programs: %v", err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, uint8(0))
	}
}

// FuzzRun: parse arbitrary program text and run what parses; a *sim.Bug
// (a simulator panic) fails, findings do not.
func FuzzRun(f *testing.F) {
	seeds(f)
	names := profile.Names()
	cache := sim.NewCache()
	// DANGLE_STRICT=1 counts known findings, as dangle run -strict does
	strict := sim.StrictFromEnv()
	f.Fuzz(func(t *testing.T, data []byte, kern uint8) {
		p, err := prog.Parse("fuzz.prog", data)
		if err != nil {
			return
		}
		_, err = sim.Run(p, sim.Config{Filename: "fuzz.prog", Profile: names[int(kern)%len(names)], Quiet: true, Cache: cache, Strict: strict})
		if b, ok := err.(*sim.Bug); ok {
			t.Fatalf("simulator bug: %v\nprogram:\n%s", b, data)
		}
	})
}
