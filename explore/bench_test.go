package explore

import (
	"os"
	"testing"

	"dangle/prog"
)

// BenchmarkExplore is one search of the B2 tree on mainline to depth 4
// (make bench; scripts/explore-bench.sh measures 60 s runs).
func BenchmarkExplore(b *testing.B) {
	for _, hash := range []bool{true, false} {
		name := "hash"
		if !hash {
			name = "nohash"
		}
		b.Run(name, func(b *testing.B) {
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
				res, err := Run(Config{Tree: tr, TreeName: "b2", Profile: "mainline", Depth: 4, NoHash: !hash})
				if err != nil {
					b.Fatal(err)
				}
				states += res.States
			}
			b.ReportMetric(float64(states)/b.Elapsed().Seconds(), "states/s")
		})
	}
}
