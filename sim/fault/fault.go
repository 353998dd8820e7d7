package fault

import (
	"fmt"

	"dangle/sim/errno"
)

// Step is one fallible step an op reached.
type Step struct {
	Op   int    // the op's 1-based index in the program
	N    int    // the step's 1-based number inside the op (fail_nth=N fails it)
	Site string // the fallible call: "kzalloc", "idr_alloc", "device_add", …
	Func string // the kernel function making it (and the object, for the reader)
	// Errno is what the kernel returns when the step fails.
	Errno errno.Errno
	// Failed: this is the step fail_nth made fail.
	Failed bool
}

// String renders the step as dangle run -fail-list prints it.
func (s Step) String() string {
	mark := ""
	if s.Failed {
		mark = " (failed)"
	}
	return fmt.Sprintf("op %d step %d: %s in %s: %s%s", s.Op, s.N, s.Site, s.Func, s.Errno, mark)
}

// Injector counts the fallible steps of the current op and fails the
// fail_nth-th. The zero value injects nothing and records nothing.
type Injector struct {
	op  int // current op, 1-based; 0: no op (boot, teardown): never fail
	nth int // the step to fail; 0: none
	n   int // steps reached so far in the current op
	// Record keeps every step reached in Steps (dangle run -fail-list).
	Record bool
	Steps  []Step
}

// Begin starts op (1-based) with fail_nth nth (0: none).
func (f *Injector) Begin(op, nth int) { f.op, f.nth, f.n = op, nth, 0 }

// End ends the current op: steps after it (teardown) never fail.
func (f *Injector) End() { f.op, f.nth, f.n = 0, 0, 0 }

// Should is consulted at each fallible step (site called from fn, failing
// with e): it reports whether this step is the one to fail.
func (f *Injector) Should(site, fn string, e errno.Errno) bool {
	if f.op == 0 || (f.nth == 0 && !f.Record) {
		return false
	}
	f.n++
	fail := f.n == f.nth
	if f.Record {
		f.Steps = append(f.Steps, Step{Op: f.op, N: f.n, Site: site, Func: fn, Errno: e, Failed: fail})
	}
	return fail
}

// Reached returns how many fallible steps the current op has reached.
func (f *Injector) Reached() int { return f.n }

// Clone returns a copy that shares nothing with f.
func (f *Injector) Clone() Injector {
	c := *f
	c.Steps = append([]Step(nil), f.Steps...)
	return c
}
