package minimizer

import (
	"fmt"
	"io"
	"time"

	"dangle/dt"
	"dangle/prog"
)

// Stats says what one Minimize did.
type Stats struct {
	// Passes holds one entry per pass, in pass order, summed over rounds.
	Passes []*PassStats
	// Rounds is the number of times the pass list ran.
	Rounds int
	// Steps is the number of predicate calls, the final re-verification
	// included.
	Steps int
	// Exhausted says the step budget or the timeout ran out: the result
	// fails but may not be 1-minimal.
	Exhausted bool
	// Before and After are the sizes of the original and the result.
	Before, After Size
	// Time is the wall time of the whole minimization.
	Time time.Duration
}

// PassStats are one pass's counters.
type PassStats struct {
	Name string
	// Runs counts predicate calls, Cached candidates the memo answered,
	// Invalid candidates rejected before running (not well formed, or a
	// source dtc would reject), Accepted the reductions adopted.
	Runs, Cached, Invalid, Accepted int
	Time                            time.Duration
}

// Size measures a program: its ops, and the nodes and properties of its
// device-tree sources (the base.dts too when the program has one; every
// top-level block counts as a node).
type Size struct {
	Ops, Nodes, Props int
}

func (z Size) String() string {
	return fmt.Sprintf("%d ops, %d nodes, %d properties", z.Ops, z.Nodes, z.Props)
}

// SizeOf returns p's size. Sources that do not parse count as empty.
func SizeOf(p *prog.Program) Size {
	z := Size{Ops: len(p.Ops)}
	for _, f := range p.Files {
		if !isSource(f.Name) {
			continue
		}
		df, err := dt.Parse(f.Name, f.Data)
		if err != nil {
			continue
		}
		var walk func(ns []*dt.NodeDef)
		walk = func(ns []*dt.NodeDef) {
			for _, n := range ns {
				z.Nodes++
				z.Props += len(n.Props)
				walk(n.Children)
			}
		}
		walk(df.Nodes)
	}
	return z
}

// Print writes the per-pass table and the totals, as dangle minimize -v
// shows them.
func (st *Stats) Print(w io.Writer) {
	fmt.Fprintf(w, "%-14s %6s %6s %7s %8s %10s\n", "pass", "runs", "cached", "invalid", "accepted", "time")
	for _, p := range st.Passes {
		fmt.Fprintf(w, "%-14s %6d %6d %7d %8d %10s\n", p.Name, p.Runs, p.Cached, p.Invalid, p.Accepted,
			p.Time.Round(time.Microsecond))
	}
	fmt.Fprintf(w, "%d rounds, %d predicate runs, %s\n", st.Rounds, st.Steps, st.Time.Round(time.Microsecond))
	fmt.Fprintf(w, "before: %s\nafter:  %s\n", st.Before, st.After)
	if st.Exhausted {
		fmt.Fprintln(w, "budget exhausted: the result fails but may not be 1-minimal")
	}
}
