package sim

import (
	"sort"
	"testing"
)

// BenchmarkRunCorpus runs every corpus program once per iteration on the
// built-in base tree with a warm compile cache and the log off, as the
// soak will: programs/s = corpus size × iterations / time.
func BenchmarkRunCorpus(b *testing.B) {
	progs := corpusPrograms(b)
	names := make([]string, 0, len(progs))
	for n := range progs {
		names = append(names, n)
	}
	sort.Strings(names)
	cache := NewCache()
	ops := 0
	for _, n := range names {
		ops += len(progs[n].Ops)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime()
	for i := 0; i < b.N; i++ {
		for _, n := range names {
			if _, err := Run(progs[n], Config{Filename: n, Quiet: true, Cache: cache}); err != nil {
				b.Fatal(err)
			}
		}
	}
	reportCPU(b, cpu)
	b.ReportMetric(float64(len(names)*b.N)/b.Elapsed().Seconds(), "programs/s")
	b.ReportMetric(float64(ops*b.N)/b.Elapsed().Seconds(), "ops/s")
}

// BenchmarkNew is the setup cost of one run: a kernel on the built-in
// base tree (compiled once, cached), booted with the catalog bound.
func BenchmarkNew(b *testing.B) {
	p := corpusPrograms(b)["../corpus/b1-reg-expander.prog"]
	cache := NewCache()
	b.ReportAllocs()
	cpu := cpuTime()
	for i := 0; i < b.N; i++ {
		if _, err := New(p, Config{Filename: "b1", Quiet: true, Cache: cache}); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu)
}

// BenchmarkRunB1 is one full run of B1 (apply, remove, teardown, oracles)
// on v6.8 with the log on, as dangle run does it.
func BenchmarkRunB1(b *testing.B) {
	p := corpusPrograms(b)["../corpus/b1-reg-expander.prog"]
	cache := NewCache()
	b.ReportAllocs()
	cpu := cpuTime()
	for i := 0; i < b.N; i++ {
		if _, err := Run(p, Config{Filename: "b1", Cache: cache}); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu)
}
