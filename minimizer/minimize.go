package minimizer

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"dangle/dt"
	"dangle/prog"
)

// Verdict is the predicate's answer for one candidate program.
type Verdict struct {
	// Fails says the candidate still fails the way the original does
	// (for dangle minimize: a finding with the original's title).
	Fails bool
	// Op is where that finding was raised, as report.Finding.Op has it:
	// the 1-based op index, 0 for boot, -1 for the teardown. Read only
	// when Fails is set.
	Op int
}

// Predicate runs a candidate and judges it. It must be deterministic: the
// minimizer memoizes it by the candidate's canonical text. Candidates it
// sees are well formed (Validate accepts them and their device-tree
// sources compile).
type Predicate func(*prog.Program) Verdict

// Options tune Minimize. The zero value is usable.
type Options struct {
	// Steps is the maximum number of predicate calls (memoized answers
	// are free); 0 means DefaultSteps.
	Steps int
	// Timeout, when positive, stops calling the predicate after that
	// long; the result is then the smallest failing program found.
	Timeout time.Duration
}

// DefaultSteps is the step budget when Options.Steps is 0.
const DefaultSteps = 20000

// ErrNoRepro is returned (wrapped) when the original program does not
// fail, or the minimized one no longer does on re-verification.
var ErrNoRepro = errors.New("does not reproduce")

// maxRounds bounds the repetitions of the pass list: one pass's removal
// can enable another's (a node gone makes an op removable), so the list
// runs again until a round changes nothing.
const maxRounds = 6

// Minimize shrinks p while pred keeps failing. The original must fail
// first (ErrNoRepro otherwise); the passes run in a fixed order (see
// Passes), repeated until a round removes nothing; the result is checked
// once more with a fresh predicate call. The returned Stats say what each
// pass did. p is not modified.
func Minimize(p *prog.Program, pred Predicate, opts Options) (*prog.Program, *Stats, error) {
	start := time.Now()
	steps := opts.Steps
	if steps <= 0 {
		steps = DefaultSteps
	}
	b := &Budget{Steps: steps}
	if opts.Timeout > 0 {
		b.Deadline = start.Add(opts.Timeout)
	}
	s := newSession(pred, b)
	st := &Stats{Before: SizeOf(p)}
	if err := valid(p); err != nil {
		return nil, st, fmt.Errorf("the original program is not well formed: %w", err)
	}
	b.Spend()
	v := pred(p)
	if !v.Fails {
		return nil, st, fmt.Errorf("the original program %w", ErrNoRepro)
	}
	s.memo[key(p)] = v
	s.cur, s.op = p.Clone(), v.Op
	byName := map[string]*PassStats{}
	for round := 0; round < maxRounds && !b.Exhausted(); round++ {
		st.Rounds++
		changed := false
		for _, ps := range passes {
			if b.Exhausted() {
				break
			}
			pst := byName[ps.name]
			if pst == nil {
				pst = &PassStats{Name: ps.name}
				byName[ps.name] = pst
				st.Passes = append(st.Passes, pst)
			}
			s.st = pst
			before := key(s.cur)
			t0 := time.Now()
			ps.run(s)
			pst.Time += time.Since(t0)
			if key(s.cur) != before {
				changed = true
			}
		}
		if !changed {
			break
		}
	}
	st.Steps, st.Exhausted = b.Used(), b.Exhausted()
	// Re-verify without the memo: a flaky predicate must not hand back a
	// program that does not fail.
	st.Steps++
	if v := pred(s.cur); !v.Fails {
		return nil, st, fmt.Errorf("the minimized program %w on re-verification", ErrNoRepro)
	}
	st.After = SizeOf(s.cur)
	st.Time = time.Since(start)
	return s.cur, st, nil
}

// session is the state of one Minimize: the current smallest failing
// program, where its finding is raised, the memo and the budget.
type session struct {
	pred   Predicate
	budget *Budget
	memo   map[string]Verdict // canonical text -> verdict (invalid: not failing)
	cur    *prog.Program
	op     int // Verdict.Op of cur
	st     *PassStats
}

func newSession(pred Predicate, b *Budget) *session {
	return &session{pred: pred, budget: b, memo: map[string]Verdict{}, st: &PassStats{Name: "original"}}
}

func key(p *prog.Program) string { return string(p.Print()) }

// test reports whether candidate c fails. It does not adopt c.
func (s *session) test(c *prog.Program) bool {
	k := key(c)
	if v, ok := s.memo[k]; ok {
		s.st.Cached++
		return v.Fails
	}
	if valid(c) != nil {
		s.st.Invalid++
		s.memo[k] = Verdict{}
		return false
	}
	if !s.budget.Spend() {
		return false
	}
	s.st.Runs++
	v := s.pred(c)
	s.memo[k] = v
	return v.Fails
}

// try tests c and adopts it if it fails.
func (s *session) try(c *prog.Program) bool {
	if c == nil || !s.test(c) {
		return false
	}
	s.adopt(c)
	return true
}

// adopt makes c, a candidate test found failing, the current program.
func (s *session) adopt(c *prog.Program) {
	k := key(c)
	if k == key(s.cur) {
		return
	}
	s.cur, s.op = c, s.memo[k].Op
	s.st.Accepted++
}

// ddmin runs DDMin over items with build making a candidate from a
// subsequence, and adopts the result.
func ddmin[T any](s *session, items []T, build func([]T) *prog.Program) {
	if len(items) == 0 {
		return
	}
	keep := DDMin(items, Config[T]{
		Fails: func(sub []T) bool {
			c := build(sub)
			return c != nil && s.test(c)
		},
		Stop: s.budget.Exhausted,
	})
	if len(keep) == len(items) {
		return
	}
	if c := build(keep); c != nil && s.test(c) {
		s.adopt(c)
	}
}

// valid checks what the predicate may assume: the program is well formed
// and each device-tree source compiles as the simulator compiles it
// (dtc -@), so broken candidates never cost a run.
func valid(p *prog.Program) error {
	if err := p.Validate(); err != nil {
		return err
	}
	for _, f := range p.Files {
		if !isSource(f.Name) {
			continue
		}
		if _, _, err := dt.Load(f.Name, f.Data, dt.CompileOptions{Symbols: true}); err != nil {
			return err
		}
	}
	return nil
}

func isSource(name string) bool {
	return strings.HasSuffix(name, ".dts") || strings.HasSuffix(name, ".dtso")
}
