package explore

import (
	"os"
	"testing"

	"dangle/prog"
)

// BenchmarkExplore is one search of the B2 tree on mainline to depth 4
// with state hashing, with sleep sets (-por), branching by replaying or
// copying kernels (-branch), and without hashing (make bench-all;
// scripts/explore-bench.sh measures 60 s runs).
func BenchmarkExplore(b *testing.B) {
	for _, mode := range []struct {
		name string
		cfg  Config
	}{{"hash", Config{}}, {"hash-por", Config{POR: true}}, {"hash-replay", Config{Branch: BranchReplay}}, {"hash-copy", Config{Branch: BranchCopy}}, {"nohash", Config{NoHash: true}}} {
		b.Run(mode.name, func(b *testing.B) {
			data, err := os.ReadFile("../corpus/b2-depopulate-remove.prog")
			if err != nil {
				b.Fatal(err)
			}
			tr, err := prog.Parse("b2", data)
			if err != nil {
				b.Fatal(err)
			}
			states := 0
			for i := 0; i < b.N; i++ {
				cfg := mode.cfg
				cfg.Tree, cfg.TreeName, cfg.Profile, cfg.Depth = tr, "b2", "mainline", 4
				res, err := Run(cfg)
				if err != nil {
					b.Fatal(err)
				}
				states += res.States
			}
			b.ReportMetric(float64(states)/b.Elapsed().Seconds(), "states/s")
		})
	}
}
