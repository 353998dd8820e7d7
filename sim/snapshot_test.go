package sim

import (
	"testing"

	"dangle/sim/profile"
)

// TestSnapshotRuns runs every corpus program on every profile from a
// fresh boot and, three times, with a Cache (the first run boots, the
// second boots and snapshots the booted kernel, the third runs on a copy
// of it): log, trace and findings must be byte for byte the same, with
// the log on and with it off.
func TestSnapshotRuns(t *testing.T) {
	progs := corpusPrograms(t)
	for _, quiet := range []bool{false, true} {
		cache := NewCache()
		cache.SetSnapshots(true)
		for _, name := range sortedNames(progs) {
			p := progs[name]
			for _, kern := range profile.Names() {
				cfg := Config{Filename: name, Profile: kern, Trace: true, Quiet: quiet}
				want, err := Run(p, cfg)
				if err != nil {
					t.Fatalf("%s %s: %v", name, kern, err)
				}
				cfg.Cache = cache
				for i := 1; i <= 3; i++ {
					got, err := Run(p, cfg)
					if err != nil {
						t.Fatalf("%s %s: %v", name, kern, err)
					}
					if got.Log != want.Log {
						t.Errorf("%s on %s (quiet=%t), cached run %d: log differs from a fresh boot's:\n%s", name, kern, quiet, i, firstDiff(got.Log, want.Log))
					}
					if got.Trace != want.Trace {
						t.Errorf("%s on %s (quiet=%t), cached run %d: trace differs from a fresh boot's:\n%s", name, kern, quiet, i, firstDiff(got.Trace, want.Trace))
					}
					if findingsText(got) != findingsText(want) {
						t.Errorf("%s on %s (quiet=%t), cached run %d: findings differ from a fresh boot's:\n%s", name, kern, quiet, i, firstDiff(findingsText(got), findingsText(want)))
					}
				}
			}
		}
		if cache.Snapshots() == 0 {
			t.Fatalf("quiet=%t: the cache made no snapshot: the runs above never started from one", quiet)
		}
	}
}

// TestSnapshotKernels: every corpus program's booted kernel, and the
// same kernel after its ops, snapshotted: two kernels from the
// snapshot share no mutable memory with each other or with the kernel,
// encode as it does, and finish as it does.
func TestSnapshotKernels(t *testing.T) {
	progs := corpusPrograms(t)
	for _, name := range sortedNames(progs) {
		p := progs[name]
		for _, ran := range []int{0, len(p.Ops)} {
			k, err := New(p, Config{Filename: name, Trace: true})
			if err != nil {
				t.Fatal(err)
			}
			k.Log.Harness("kernel %s", k.Prof.Name)
			for i := 0; i < ran; i++ {
				k.Step(i)
			}
			snap := k.Snapshot()
			a, b := snap.Kernel(), snap.Kernel()
			hw := len(k.Reg.Objects()) // the boot's (or the ops') high-water mark
			for _, pair := range [][2]*Kernel{{k, a}, {k, b}, {a, b}} {
				if sh := paranoid.SharedMemory(pair[0], pair[1]); len(sh) > 0 {
					t.Fatalf("%s after %d ops: kernels from a snapshot share memory at %v", name, ran, sh)
				}
			}
			enc := k.Encode()
			if a.Encode() != enc || b.Encode() != enc {
				t.Fatalf("%s after %d ops: a kernel from a snapshot encodes differently:\n%s", name, ran, firstDiff(a.Encode(), enc))
			}
			want := finish(k, ran, true)
			if got := finish(a, ran, true); got != want {
				t.Errorf("%s after %d ops: a kernel from a snapshot finishes differently:\n%s", name, ran, firstDiff(got, want))
			}
			for i, o := range a.Reg.Objects() {
				if o.ID != i+1 || (i >= hw) != (o.ID > hw) {
					t.Fatalf("%s after %d ops: object %s has id %d at %d (high-water mark %d): ids after the snapshot must be above it", name, ran, o.Name, o.ID, i, hw)
				}
			}
			if got := finish(b, ran, true); got != want {
				t.Errorf("%s after %d ops: a second kernel from a snapshot finishes differently:\n%s", name, ran, firstDiff(got, want))
			}
		}
	}
}
