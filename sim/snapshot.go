package sim

import (
	"dangle/dt"
	"dangle/sim/profile"
)

// A run with a Cache starts from a copy of a booted kernel instead of
// booting: the kernel is booted once per profile, base tree and log
// settings, kept as a Snapshot, and each run gets a fresh copy of it
// (issue 8 item 4; Cache.SetSnapshots(false) turns this off).
// Boot does not depend on the program (its overlays are compiled apart
// and attached after), so a run from a snapshot logs, traces and finds
// exactly what a run from a fresh boot does (TestSnapshotRuns).
//
// A base tree is snapshotted the second time it is booted: a fuzz input
// that brings its own base.dts, seen once, pays for one boot only, not a
// boot and a copy.

// snapKey says what a booted kernel depends on: the base tree (by
// identity: the Cache hands out one tree per content), the profile and
// the log settings (boot's log lines and the trace's boot events).
type snapKey struct {
	base                 *dt.Tree
	prof                 string
	quiet, trace, strict bool
}

// snapshots are a Cache's booted kernels, and the keys booted once.
type snapshots struct {
	booted map[snapKey]*Snapshot
	seen   map[snapKey]bool
	off    bool // SetSnapshots(false)
}

// Bounds: a worker runs few profiles on few base trees; past these the
// maps are emptied and refilled by what runs next.
const (
	maxSnapshots = 32
	maxSeen      = 1024
)

// boot returns a kernel of profile prof booted on base and ready for a
// program: a copy of the cache's snapshot when it has one, else a fresh
// boot (snapshotted the second time its key is booted).
// A nil cache boots afresh.
func (c *Cache) boot(prof *profile.Profile, base *dt.Tree, cfg Config) *Kernel {
	if c == nil || c.snaps.off || cfg.Stream != nil {
		// a streamed log shows boot's lines as they are printed
		return bootFresh(prof, base, cfg)
	}
	key := snapKey{base, prof.Name, cfg.Quiet, cfg.Trace, cfg.Strict}
	s := &c.snaps
	if snap := s.booted[key]; snap != nil {
		return snap.Kernel()
	}
	if !s.seen[key] {
		if len(s.seen) >= maxSeen {
			clear(s.seen)
		}
		if s.seen == nil {
			s.seen = map[snapKey]bool{}
		}
		s.seen[key] = true
		return bootFresh(prof, base, cfg)
	}
	if len(s.booted) >= maxSnapshots {
		clear(s.booted)
	}
	if s.booted == nil {
		s.booted = map[snapKey]*Snapshot{}
	}
	k := bootFresh(prof, base, cfg)
	snap := k.Snapshot()
	snap.pack()
	s.booted[key] = snap
	return k
}

// SetSnapshots turns the cache's snapshots on (the default) or off
// (every run boots). Turning them off drops the snapshots held.
func (c *Cache) SetSnapshots(on bool) {
	c.snaps.off = !on
	if !on {
		c.snaps.booted, c.snaps.seen = nil, nil
	}
}

// Snapshots is the number of booted kernels the cache holds.
func (c *Cache) Snapshots() int { return len(c.snaps.booted) }
