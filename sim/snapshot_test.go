package sim

import (
	"testing"

	"dangle/sim/profile"
)

// TestSnapshotRuns runs every corpus program on every profile from a
// fresh boot and, three times, with a Cache (the first run boots, the
// second makes the snapshot and runs on a clone, the third runs on a
// clone): log, trace and findings must be byte for byte the same, with
// the log on and with it off.
func TestSnapshotRuns(t *testing.T) {
	progs := corpusPrograms(t)
	for _, quiet := range []bool{false, true} {
		cache := NewCache()
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
