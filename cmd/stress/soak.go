package main

import (
	"context"
	"math/rand/v2"
	"regexp"
	"slices"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"dangle/fuzz"
	"dangle/prog"
	"dangle/sim"
	"dangle/sim/report"
)

// options are the soak's settings (flags).
type options struct {
	duration      time.Duration
	kernel        string
	profiles      []string
	seed          uint64
	workers       int
	out           string
	ignore        *regexp.Regexp
	until         *regexp.Regexp // stop at the first new title it matches (-until)
	strict        bool
	shard, shards int
	logFile       string
	noSignal      bool
	misuse        bool
	programs      int64 // stop after this many programs (0: no limit)
	minTimeout    time.Duration
	minimize      bool
	maxCorpus     int
	statusMode    string
	statusEvery   time.Duration
	stats         string
	known         []string
	cpuProfile    string
	memProfile    string        // -memprofile: heap profile at the end
	memEvery      time.Duration // -memprofile-every: and every D
	hang          time.Duration
	mutant        *sim.Mutant // -mutant: an injected bug (make bench only)
	rawOnly       bool        // -mutant (none too): crashers stay raw
}

// soak is one running soak: the workers, the corpus and the findings.
type soak struct {
	opt    options
	corpus *corpus
	finds  *findings
	log    *zap.Logger
	start  time.Time

	programs, ops, rejected, simBugs, fresh, mutated atomic.Int64
	newest                                           atomic.Pointer[string]
	// onHang, when set, is told the file a hang was saved to.
	onHang func(file string, replaced bool)
}

// streamID is worker id's PRNG stream within the master seed: shard i of
// n owns the streams i, n+i, 2n+i, …, so n shards run with one seed never
// repeat each other's programs, and a shard's worker w always runs the
// same stream.
func (s *soak) streamID(id int) uint64 {
	return uint64(id)*uint64(s.opt.shards) + uint64(s.opt.shard)
}

// maxHangs bounds the replaced workers, per worker.
const maxHangs = 4

// simRun is sim.Run (a variable for the hang test).
var simRun = sim.Run

// slot is one worker's program in hand, watched for hangs.
type slot struct {
	cur       atomic.Pointer[inHand]
	abandoned atomic.Bool
}

type inHand struct {
	start time.Time
	p     *prog.Program
	prof  string
}

// run starts the workers and waits for them to stop (ctx done, or the
// program budget spent). Worker 0 first replays the corpus loaded from
// disk, so that its signal counts as seen.
//
// A program that runs longer than -hang is a simulator hang (a loop in
// the model): Go cannot stop the goroutine, so its program is saved as
// a simulator bug, the worker is abandoned (still spinning: each hang
// costs a core's share) and a new one (on a new stream) takes its
// place, up to maxHangs per worker; then the soak winds down.
func (s *soak) run(ctx context.Context, replay []*entry) {
	done := make(chan *slot, 4*s.opt.workers)
	live := 0
	start := func(id int, mine []*entry) *slot {
		sl := &slot{}
		live++
		go func() {
			s.worker(ctx, id, mine, sl)
			done <- sl
		}()
		return sl
	}
	var slots []*slot
	for id := range s.opt.workers {
		var mine []*entry
		if id == 0 {
			mine = replay
		}
		slots = append(slots, start(id, mine))
	}
	next, hangs := s.opt.workers, 0
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for live > 0 {
		select {
		case sl := <-done:
			if !sl.abandoned.Load() {
				live--
			}
		case <-tick.C:
			for i, sl := range slots {
				h := sl.cur.Load()
				if h == nil || sl.abandoned.Load() || time.Since(h.start) < s.opt.hang {
					continue
				}
				sl.abandoned.Store(true)
				live--
				hangs++
				s.simBugs.Add(1)
				name := s.finds.hang(h.p, h.prof, time.Since(h.start))
				s.log.Error("simulator hang: worker abandoned", zap.String("program", name), zap.Int("hangs", hangs))
				replaced := hangs <= maxHangs*s.opt.workers && ctx.Err() == nil
				if replaced {
					slots[i] = start(next, nil)
					next++
				}
				if s.onHang != nil {
					s.onHang(name, replaced)
				}
			}
		}
	}
}

// worker runs programs until ctx is done: first the replay entries, then
// fresh ones (a new swarm and stream) or mutations of a corpus program's
// stream, each on the next profile of the rotation.
func (s *soak) worker(ctx context.Context, id int, replay []*entry, sl *slot) {
	rng := rand.New(rand.NewPCG(s.opt.seed, s.streamID(id)))
	model := fuzz.NewModel() // seq.Model caches bases: one per worker
	// generated overlays rarely repeat: a small compile cache (the base
	// tree, a mutated program's unchanged overlays) keeps memory low
	cache := sim.NewCacheSize(128, 4<<20)
	cache.SetSnapshots(true) // runs start from a copy of the booted kernel (h-clone: ~2x cheaper than a boot)
	var sig *report.Signal
	if !s.opt.noSignal {
		sig = &report.Signal{}
	}
	for k := 0; ctx.Err() == nil; k++ {
		n := s.programs.Add(1)
		if s.opt.programs > 0 && n > s.opt.programs {
			s.programs.Add(-1)
			return
		}
		prof := s.opt.profiles[k%len(s.opt.profiles)]
		var swarm uint64
		var vals []uint32
		var decode bool
		known := k < len(replay)
		switch a, b := s.corpus.pick(rng); {
		case known:
			swarm, vals, decode = replay[k].swarm, replay[k].vals, replay[k].decode
		case a != nil && rng.IntN(5) == 0:
			if b.decode != a.decode {
				b = a // splice streams of one kind
			}
			swarm, vals, decode = a.swarm, mutate(rng, a.vals, b.vals), a.decode
			if rng.IntN(8) == 0 {
				swarm = rng.Uint64() // the same decisions under other weights
			}
			s.mutated.Add(1)
		default:
			swarm = rng.Uint64()
			decode = rng.IntN(4) == 0
			s.fresh.Add(1)
		}
		p, rec := generate(model, swarm, vals, rng, decode)
		if sig != nil {
			sig.Reset()
		}
		sl.cur.Store(&inHand{start: time.Now(), p: p, prof: prof})
		res, err := simRun(p, sim.Config{Filename: "stress.prog", Profile: prof, Quiet: true, Strict: s.opt.strict, Cache: cache, Signal: sig, Mutant: s.opt.mutant})
		sl.cur.Store(nil)
		if sl.abandoned.Load() {
			return // reported as a hang; a new worker took over
		}
		s.ops.Add(int64(len(p.Ops)))
		if err != nil {
			if b, ok := err.(*sim.Bug); ok {
				s.simBugs.Add(1)
				s.finds.simBug(p, prof, b)
			} else {
				s.rejected.Add(1)
			}
			continue
		}
		if sig != nil {
			var e *entry
			if !known {
				// an exact copy: rec has append's spare capacity, which
				// a corpus of thousands would hold for hours
				e = &entry{swarm: swarm, vals: slices.Clone(rec), decode: decode}
			}
			if _, err := s.corpus.add(rng, sig.Features(), e, p); err != nil {
				s.log.Error("corpus write failed", zap.Error(err))
			}
		}
		// one title per program: its earliest finding, unless that is
		// the program's own API misuse (sim.Primary); the later ones may
		// be its cascade
		f, misuse := sim.Primary(p, res)
		if f != nil && (misuse == "" || s.opt.misuse) && (s.opt.ignore == nil || !s.opt.ignore.MatchString(f.Title)) {
			if s.finds.found(p, res.Profile, f.Title, f.Op > 0, n, time.Since(s.start)) {
				t := f.Title
				s.newest.Store(&t)
			}
		}
		// and each later new title that is independent of the earlier
		// findings, with the reduced program that shows it first
		// (sim.Laters; findings.tryLater bounds the re-runs)
		if len(res.Findings) > 1 || misuse != "" {
			sl.cur.Store(&inHand{start: time.Now(), p: p, prof: prof})
			later := sim.Laters(p, res, sim.Config{Filename: "stress.prog", Profile: prof, Quiet: true, Strict: s.opt.strict, Cache: cache, Mutant: s.opt.mutant},
				func(t string) bool {
					return (s.opt.ignore != nil && s.opt.ignore.MatchString(t)) || !s.finds.tryLater(t)
				})
			sl.cur.Store(nil)
			if sl.abandoned.Load() {
				return
			}
			for _, l := range later {
				if s.finds.found(l.Prog, res.Profile, l.Finding.Title, l.Finding.Op > 0, n, time.Since(s.start)) {
					t := l.Finding.Title
					s.newest.Store(&t)
				}
			}
		}
	}
}
