package minimizer

import (
	"strings"
	"testing"
)

// BenchmarkMinimizePadded minimizes each padded corpus bug (see
// TestPaddedPrograms) once per iteration, predicate memo cleared; it
// reports the predicate runs and the result's size.
//
//	go test ./minimizer -run '^$' -bench MinimizePadded -count 5 -benchtime 5x
func BenchmarkMinimizePadded(b *testing.B) {
	for _, name := range paddedSeeds {
		b.Run(strings.TrimSuffix(name, ".prog"), func(b *testing.B) {
			seed := loadSeed(b, name)
			padded := pad(b, seed, 100, 1)
			pred := seedPredicate(b, seed)
			var st *Stats
			for b.Loop() {
				var err error
				if _, st, err = Minimize(padded, pred, Options{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(st.Steps), "runs/op")
			b.ReportMetric(float64(st.Before.Ops), "ops-before")
			b.ReportMetric(float64(st.After.Ops), "ops")
			b.ReportMetric(float64(st.After.Nodes), "nodes")
			b.ReportMetric(float64(st.After.Props), "props")
		})
	}
}
