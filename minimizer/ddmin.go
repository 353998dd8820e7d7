package minimizer

import "time"

// Budget bounds a minimization: at most Steps calls of the real predicate
// (memoized answers are free) and no new call after Deadline. The zero
// value is unlimited. A Budget is shared by every pass of one Minimize.
type Budget struct {
	// Steps is the maximum number of predicate calls; 0 means no limit.
	Steps int
	// Deadline, when not zero, is the time after which no predicate call
	// starts.
	Deadline time.Time

	used      int
	exhausted bool
}

// Spend takes one step from the budget. It returns false, and marks the
// budget exhausted, when no step is left.
func (b *Budget) Spend() bool {
	if b == nil {
		return true
	}
	if b.exhausted || (b.Steps > 0 && b.used >= b.Steps) ||
		(!b.Deadline.IsZero() && !time.Now().Before(b.Deadline)) {
		b.exhausted = true
		return false
	}
	b.used++
	return true
}

// Exhausted reports whether a Spend was refused: the result of the
// minimization may then not be 1-minimal.
func (b *Budget) Exhausted() bool { return b != nil && b.exhausted }

// Used returns the number of steps spent.
func (b *Budget) Used() int {
	if b == nil {
		return 0
	}
	return b.used
}

// Config is what DDMin needs besides the items.
type Config[T any] struct {
	// Fails reports whether a candidate subsequence still shows the
	// failure. It must not retain or modify its argument.
	Fails func([]T) bool
	// Key, when set, memoizes Fails: candidates with the same key are
	// tested once (for programs: the canonical text).
	Key func([]T) string
	// Budget, when set, is spent once per call of Fails that the memo
	// does not answer; when it runs out, DDMin stops and returns the
	// smallest failing subsequence found so far.
	Budget *Budget
	// Stop, when set, is asked before each round: true ends the search
	// with the smallest failing subsequence found so far. It lets a
	// caller whose Fails spends a shared budget itself stop DDMin.
	Stop func() bool
}

func (cfg Config[T]) stopped() bool {
	return cfg.Budget.Exhausted() || (cfg.Stop != nil && cfg.Stop())
}

// DDMin returns a 1-minimal subsequence of items for which Fails holds:
// removing any single element of the result makes Fails false. items is
// assumed to fail (the caller checks that first); the result keeps the
// elements' order and is a new slice.
//
// It is Zeller and Hildebrandt's ddmin ("Simplifying and Isolating
// Failure-Inducing Input", TSE 2002): split the current sequence into n
// chunks, try each chunk alone, then each complement; on success continue
// from the smaller sequence (n = 2 after a chunk, n-1 after a complement),
// otherwise double n until the chunks are single elements. A final
// one-at-a-time sweep, repeated until nothing more goes, makes
// 1-minimality hold whatever the predicate's quirks.
func DDMin[T any](items []T, cfg Config[T]) []T {
	fails := cfg.tester()
	c := append([]T(nil), items...)
	n := 2
	for len(c) >= 2 && !cfg.stopped() {
		chunks := split(c, n)
		reduced := false
		// Chunks first (a small failing chunk is the big win), then
		// complements; with n == 2 a complement is the other chunk.
		for _, ch := range chunks {
			if fails(ch) {
				c, n, reduced = ch, 2, true
				break
			}
		}
		if !reduced && n > 2 {
			for i := range chunks {
				comp := complement(chunks, i)
				if fails(comp) {
					c, n, reduced = comp, max(n-1, 2), true
					break
				}
			}
		}
		if !reduced {
			if n >= len(c) {
				break
			}
			n = min(2*n, len(c))
		}
	}
	return oneMinimal(c, fails, cfg.stopped)
}

// oneMinimal removes single elements while the failure stays, sweeping
// until a whole sweep removes nothing.
func oneMinimal[T any](c []T, fails func([]T) bool, stopped func() bool) []T {
	for changed := true; changed && !stopped(); {
		changed = false
		for i := 0; i < len(c) && !stopped(); {
			cand := append(append([]T(nil), c[:i]...), c[i+1:]...)
			if fails(cand) {
				c, changed = cand, true
				continue
			}
			i++
		}
	}
	return c
}

// tester wraps Fails with the memo and the budget.
func (cfg Config[T]) tester() func([]T) bool {
	var memo map[string]bool
	if cfg.Key != nil {
		memo = map[string]bool{}
	}
	return func(s []T) bool {
		var k string
		if memo != nil {
			k = cfg.Key(s)
			if v, ok := memo[k]; ok {
				return v
			}
		}
		if !cfg.Budget.Spend() {
			return false
		}
		v := cfg.Fails(s)
		if memo != nil {
			memo[k] = v
		}
		return v
	}
}

// split cuts c into n chunks of nearly equal length (the first ones one
// longer), n <= len(c).
func split[T any](c []T, n int) [][]T {
	out := make([][]T, 0, n)
	start := 0
	for i := range n {
		size := len(c) / n
		if i < len(c)%n {
			size++
		}
		out = append(out, c[start:start+size:start+size])
		start += size
	}
	return out
}

// complement concatenates every chunk but the i-th, in order.
func complement[T any](chunks [][]T, i int) []T {
	var out []T
	for j, ch := range chunks {
		if j != i {
			out = append(out, ch...)
		}
	}
	return out
}
