package report

// SignalBits is the size of a Signal's feature space: features are
// hashed into it, as AFL hashes edges into its coverage map. 2^16 keeps
// the map at 8 KiB while the model has a few thousand distinct features.
const SignalBits = 1 << 16

// Signal is the model's coverage of one run, what KCOV is to syzkaller:
// the distinct features the run executed, each a hash of a modelled
// kernel function with its outcome. Features are
//
//   - a reference-count event (kobj: alloc, get, put, dropped) of an
//     object type in a kernel function, with the count after it in
//     coarse buckets (0, 1, 2, 3, 4+);
//   - a kernel message site (the printk format, not its arguments);
//   - an op's return value (its name and errno), a deferred work
//     function running (its queue and function);
//   - for op returns and work runs, the edge from the previous one of
//     them (the order deferred work ran in against the ops); reference
//     events carry no edges: with them nearly every program is new and
//     the corpus floods;
//   - a finding's title.
//
// It is off by default (sim.Config.Signal nil): the hooks test one
// pointer. A Signal is deterministic (hashes of strings and counts only)
// and not safe for concurrent use: one per worker, Reset between runs.
type Signal struct {
	bits [SignalBits / 64]uint64
	// hit lists the features set since Reset, in first-hit order.
	hit  []uint32
	prev uint32
}

// Reset empties the signal for the next run, in time proportional to the
// features the last run hit.
func (s *Signal) Reset() {
	for _, f := range s.hit {
		s.bits[f/64] = 0
	}
	s.hit, s.prev = s.hit[:0], 0
}

// Features returns the features hit since Reset, in first-hit order (the
// caller must not keep the slice past the next Reset).
func (s *Signal) Features() []uint32 { return s.hit }

func (s *Signal) add(h uint32) {
	f := h % SignalBits
	w, b := f/64, uint64(1)<<(f%64)
	if s.bits[w]&b == 0 {
		s.bits[w] |= b
		s.hit = append(s.hit, f)
	}
}

// FNV-1a, inline: no allocation per feature.
const (
	fnvOffset = 2166136261
	fnvPrime  = 16777619
)

func fnv(h uint32, s string) uint32 {
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * fnvPrime
	}
	return (h ^ 0xff) * fnvPrime // separator: ("ab","c") != ("a","bc")
}

// Ref records a reference-count event what (alloc, get, put, dropped,
// free) on an object of type typ in function fn, leaving count ref.
func (s *Signal) Ref(typ, fn, what string, ref int32) {
	b := ref
	if b > 4 {
		b = 4
	}
	if b < 0 {
		b = 0
	}
	s.add(fnv(fnv(fnv(fnvOffset, typ), fn), what) ^ uint32(b)*0x9e3779b1)
}

// edge records feature h and the edge from the previous event to it
// (the order of events, as AFL's prev_loc ^ cur_loc).
func (s *Signal) edge(h uint32) {
	s.add(h)
	s.add(h ^ s.prev*0x85ebca6b)
	s.prev = h
}

// Site records a kernel message site (a printk format) or a finding
// title.
func (s *Signal) Site(format string) { s.add(fnv(fnvOffset^0x5bd1e995, format)) }

// Return records op returning ret (an id, "0" or an errno name).
func (s *Signal) Return(op, ret string) {
	if len(ret) > 0 && ret[0] != '-' {
		ret = "ok" // ids differ per run; only errors are outcomes
	}
	s.Pair(op, ret)
}

// Pair records the feature (a, b): a deferred work function run (the
// queue, the function), or any other (function, outcome) pair.
func (s *Signal) Pair(a, b string) { s.edge(fnv(fnv(fnvOffset^0x27d4eb2f, a), b)) }
