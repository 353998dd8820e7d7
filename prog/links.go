package prog

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Links between ops: an argument of kind KindRef or KindNode may link to
// the result of an earlier op (Arg.Ref), as syzkaller's ResultArg links a
// use to its result. The graph is kept only in those forward pointers;
// Uses computes the other direction, so no edit can leave it stale.

// Index returns the position of op in p.Ops, or -1.
func (p *Program) Index(op *Op) int {
	if op == nil {
		return -1
	}
	return slices.Index(p.Ops, op)
}

// Links returns, for op i of p, the positions of the ops its arguments
// link to, in argument order (an op linked twice appears twice; a link
// to an op outside p is -1).
func (p *Program) Links(i int) []int {
	var out []int
	for _, a := range p.Ops[i].Args {
		if a.Ref != nil {
			out = append(out, p.Index(a.Ref))
		}
	}
	return out
}

// Uses returns the positions of the ops that use the result of op i
// (each once, in program order).
func Uses(p *Program, i int) []int {
	target := p.Ops[i]
	var out []int
	for j, op := range p.Ops {
		if op == nil || op == target {
			continue
		}
		for _, a := range op.Args {
			if a.Ref == target {
				out = append(out, j)
				break
			}
		}
	}
	return out
}

// RemoveOp removes op i from p together with every op that uses its
// result, transitively (the users cannot run without it: most handle
// types have no literal form), and returns the positions, in the program
// before removal, of every op removed, ascending. Links among the ops
// left stay valid, as they are pointers. The removed ops' comments go
// with them.
func RemoveOp(p *Program, i int) []int {
	drop := make([]bool, len(p.Ops))
	drop[i] = true
	for j := i + 1; j < len(p.Ops); j++ {
		for _, a := range p.Ops[j].Args {
			if k := p.Index(a.Ref); k >= 0 && drop[k] {
				drop[j] = true
				break
			}
		}
	}
	var removed []int
	kept := p.Ops[:0:0]
	for j, op := range p.Ops {
		if drop[j] {
			removed = append(removed, j)
			continue
		}
		kept = append(kept, op)
	}
	p.Ops = kept
	return removed
}

// InsertOp inserts op into p before position i (i == len(p.Ops) appends).
// Every link of op must point to an op before i, so the program stays
// valid; otherwise p is unchanged and the error says which argument.
func InsertOp(p *Program, i int, op *Op) error {
	if i < 0 || i > len(p.Ops) {
		return fmt.Errorf("insert %s at %d: out of range 0..%d", op.Name(), i, len(p.Ops))
	}
	for _, a := range op.Args {
		if a.Ref == nil {
			continue
		}
		if j := p.Index(a.Ref); j < 0 || j >= i {
			return fmt.Errorf("insert %s at %d: %s links to an op that is not before it", op.Name(), i, a.Key)
		}
	}
	p.Ops = slices.Insert(p.Ops, i, op)
	return nil
}

// Names returns the name each op's result has in the text: its Label,
// or for an unlabelled result that some op uses a canonical name (the
// type's Prefix, then Prefix2, Prefix3, … skipping names in use). An
// unused unlabelled result has no name (""). Where a label would be
// shadowed at a use (after edits, "n = …; n = …; put →first"), the
// earlier op is renamed to a fresh canonical name, so every printed name
// resolves to the op its use links to. A parsed program keeps all its
// labels. The simulator shows these names in its log, so running p and
// running Parse(Print(p)) log the same.
func (p *Program) Names() []string {
	names := make([]string, len(p.Ops))
	for i, op := range p.Ops {
		if op != nil {
			names[i] = op.Label
		}
	}
	// Unlabelled used results first, then shadowed labels; each rename
	// gives one op a name used nowhere else, so the loop ends. A parsed
	// program needs neither and allocates nothing more.
	for {
		j := p.unnamedOrShadowed(names)
		if j < 0 {
			return names
		}
		names[j] = freshName(names, p.Ops[j].Result().Prefix())
	}
}

// unnamedOrShadowed returns an op whose result a later op uses but cannot
// name (it has no name, or a later op between them binds the same name),
// or -1.
func (p *Program) unnamedOrShadowed(names []string) int {
	for i, op := range p.Ops {
		if op == nil {
			continue
		}
		for _, a := range op.Args {
			j := indexBefore(p.Ops, a.Ref, i)
			if j < 0 {
				continue
			}
			if names[j] == "" {
				return j
			}
			for k := j + 1; k < i; k++ {
				if names[k] == names[j] {
					return j
				}
			}
		}
	}
	return -1
}

// indexBefore returns the position of op among ops[:i], searching back
// from i (links mostly point to recent ops), or -1.
func indexBefore(ops []*Op, op *Op, i int) int {
	if op == nil {
		return -1
	}
	for j := min(i, len(ops)) - 1; j >= 0; j-- {
		if ops[j] == op {
			return j
		}
	}
	return -1
}

// freshName returns prefix, prefix2, prefix3, … : the first not in names.
func freshName(names []string, prefix string) string {
	for n := 1; ; n++ {
		s := prefix
		if n > 1 {
			s += strconv.Itoa(n)
		}
		if !slices.Contains(names, s) {
			return s
		}
	}
}

// OpString returns op i's line as Print writes it, without comments,
// given names from Names (nil: computed here).
func (p *Program) OpString(i int, names []string) string {
	if names == nil {
		names = p.Names()
	}
	var b strings.Builder
	// namer's answer for this op's few links, without building its map of
	// every op (the simulator prints every op: that was O(ops²), issue 14)
	nameOf := func(r *Op) string {
		for j := len(p.Ops) - 1; j >= 0; j-- { // namer's map keeps the last index
			if p.Ops[j] == r {
				if names[j] != "" {
					return names[j]
				}
				break
			}
		}
		return "?"
	}
	writeOp(&b, p.Ops[i], names[i], nameOf)
	return b.String()
}
