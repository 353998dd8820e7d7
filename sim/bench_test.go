package sim

import (
	"os"
	"path/filepath"
	"sort"
	"testing"

	"dangle/prog"
	"dangle/sim/profile"
)

// BenchmarkRunCorpus runs every corpus program once per iteration on the
// built-in base tree with a warm compile cache (and its snapshots of
// booted kernels) and the log off, as the soak will: programs/s =
// corpus size × iterations / time.
func BenchmarkRunCorpus(b *testing.B) { benchRunCorpus(b, true) }

// BenchmarkRunCorpusBoot is BenchmarkRunCorpus with the cache's
// snapshots off: every run boots, as before snapshots.
func BenchmarkRunCorpusBoot(b *testing.B) { benchRunCorpus(b, false) }

func benchRunCorpus(b *testing.B, snap bool) {
	progs := corpusPrograms(b)
	names := make([]string, 0, len(progs))
	for n := range progs {
		names = append(names, n)
	}
	sort.Strings(names)
	cache := NewCache()
	cache.SetSnapshots(snap)
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
// base tree (compiled once, cached), booted with the catalog bound — a
// copy of the cache's snapshot of that booted kernel.
func BenchmarkNew(b *testing.B) { benchNew(b, true) }

// BenchmarkNewBoot is BenchmarkNew with the cache's snapshots off: the
// setup boots, as before snapshots.
func BenchmarkNewBoot(b *testing.B) { benchNew(b, false) }

func benchNew(b *testing.B, snap bool) {
	p := corpusPrograms(b)["../corpus/b1-reg-expander.prog"]
	cache := NewCache()
	cache.SetSnapshots(snap)
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

// BenchmarkParseRun parses and runs every corpus program per iteration,
// as a fuzz worker does with each input (shared cache, log off): the
// program's sources are parsed by prog.Parse and compiled at most once.
func BenchmarkParseRun(b *testing.B) {
	files, err := filepath.Glob("../corpus/*.prog")
	if err != nil || len(files) == 0 {
		b.Fatalf("no corpus programs: %v", err)
	}
	sort.Strings(files)
	var data [][]byte
	for _, f := range files {
		d, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		data = append(data, d)
	}
	cache := NewCache()
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime()
	for i := 0; i < b.N; i++ {
		for j, d := range data {
			p, err := prog.Parse(files[j], d)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := Run(p, Config{Filename: files[j], Quiet: true, Cache: cache}); err != nil {
				b.Fatal(err)
			}
		}
	}
	reportCPU(b, cpu)
	b.ReportMetric(float64(len(data)*b.N)/b.Elapsed().Seconds(), "programs/s")
}

// BenchmarkClone is Kernel.Clone of a freshly booted kernel (the B1
// program on its profile, built-in base): what a run's setup costs from
// a snapshot, next to BenchmarkBoot's fresh boot.
func BenchmarkClone(b *testing.B) {
	p := corpusPrograms(b)["../corpus/b1-reg-expander.prog"]
	k, err := New(p, Config{Filename: "b1", Quiet: true, Cache: NewCache()})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	cpu := cpuTime()
	for i := 0; i < b.N; i++ {
		k.Clone()
	}
	reportCPU(b, cpu)
}

// BenchmarkSnapshotKernel is a fresh kernel from a Snapshot of a booted
// kernel (the B1 program on its profile): a run's setup with snapshots
// on, next to BenchmarkBoot and BenchmarkClone.
func BenchmarkSnapshotKernel(b *testing.B) {
	p := corpusPrograms(b)["../corpus/b1-reg-expander.prog"]
	k, err := New(p, Config{Filename: "b1", Quiet: true, Cache: NewCache()})
	if err != nil {
		b.Fatal(err)
	}
	snap := k.Snapshot()
	snap.pack() // as the Cache's snapshots are
	b.ReportAllocs()
	cpu := cpuTime()
	for i := 0; i < b.N; i++ {
		snap.Kernel()
	}
	reportCPU(b, cpu)
}

// BenchmarkBoot is a fresh boot on the built-in base tree (compiled
// once), as New did for every run before snapshots.
func BenchmarkBoot(b *testing.B) {
	p := corpusPrograms(b)["../corpus/b1-reg-expander.prog"]
	base, err := LoadTree(&Source{Name: prog.DefaultBaseName, Data: prog.DefaultBase})
	if err != nil {
		b.Fatal(err)
	}
	prof := profile.MustParse(p.Kernel)
	b.ReportAllocs()
	cpu := cpuTime()
	for i := 0; i < b.N; i++ {
		bootFresh(prof, base, Config{Quiet: true})
	}
	reportCPU(b, cpu)
}
