package minimizer

import (
	"slices"
	"strings"

	"dangle/prog"
)

// This file is the only place that knows how one op refers to another
// and how argument values are stored. Programs are typed and linked
// (prog.Arg.Ref points at the op whose result an argument uses; names are
// chosen at printing), so deps is a walk over the links, removeOps drops
// the users of what it drops, and labels only change how a program
// prints.

// deps returns the indices of the earlier ops whose results op i uses,
// in argument order.
func deps(p *prog.Program, i int) []int {
	var out []int
	for _, j := range p.Links(i) {
		if j >= 0 {
			out = append(out, j)
		}
	}
	return out
}

// removeOps returns a copy of p without the ops marked in drop and
// without every op that uses (directly or through others) the result of
// a dropped op, so the program stays well formed. drop is indexed like
// p.Ops; it may be shorter (missing entries are false).
func removeOps(p *prog.Program, drop []bool) *prog.Program {
	gone := make([]bool, len(p.Ops))
	copy(gone, drop)
	for i := range p.Ops {
		if gone[i] {
			continue
		}
		for _, j := range deps(p, i) {
			if gone[j] {
				gone[i] = true
				break
			}
		}
	}
	c := p.Clone() // links point into c
	kept := c.Ops[:0:0]
	for i, op := range c.Ops {
		if !gone[i] {
			kept = append(kept, op)
		}
	}
	c.Ops = kept
	return c
}

// rebind returns a copy of p in which op i carries the label names[i]
// ("" for none: an unlabelled result that is used gets a canonical name
// when printed). Links are pointers, so no renaming can capture a use.
func rebind(p *prog.Program, names []string) *prog.Program {
	c := p.Clone()
	for i := range c.Ops {
		c.Ops[i].Label = names[i]
	}
	return c
}

// users returns, for each op, whether some later op uses its result.
func users(p *prog.Program) []bool {
	used := make([]bool, len(p.Ops))
	for i := range p.Ops {
		for _, j := range deps(p, i) {
			used[j] = true
		}
	}
	return used
}

// canonicalBindings returns a copy of p without labels: the results that
// are used print with the canonical names prog.Program.Names chooses by
// type in order (ov, ov2, …; np, np2, …), the others with none.
func canonicalBindings(p *prog.Program) *prog.Program {
	return rebind(p, make([]string, len(p.Ops)))
}

// Argument values.

// argKeys returns the keys of op's arguments of the given kind, in order.
func argKeys(op *prog.Op, kind prog.ArgKind) []string {
	var out []string
	for _, a := range op.Args {
		if d := op.Desc.Arg(a.Key); d != nil && d.Kind == kind {
			out = append(out, a.Key)
		}
	}
	return out
}

// fileNames returns the archive files op's file arguments name.
func fileNames(op *prog.Op) []string {
	var out []string
	for _, k := range argKeys(op, prog.KindFile) {
		out = append(out, op.Arg(k).File)
	}
	return out
}

// nodePaths returns the absolute node paths op's node arguments name
// (not the linked node references).
func nodePaths(op *prog.Op) []string {
	var out []string
	for _, k := range argKeys(op, prog.KindNode) {
		if a := op.Arg(k); a.Ref == nil && a.Path != "" {
			out = append(out, a.Path)
		}
	}
	return out
}

// getArg returns op i's argument key, or nil.
func getArg(p *prog.Program, i int, key string) *prog.Arg {
	return p.Ops[i].Arg(key)
}

// withArg returns a copy of p with op i's argument a.Key set to a.
func withArg(p *prog.Program, i int, a prog.Arg) *prog.Program {
	c := p.Clone()
	if a.Ref != nil {
		a.Ref = c.Ops[p.Index(a.Ref)]
	}
	a.Sched = slices.Clone(a.Sched)
	c.Ops[i].Set(a)
	return c
}

// withoutArg returns a copy of p with op i's argument key deleted.
func withoutArg(p *prog.Program, i int, key string) *prog.Program {
	c := p.Clone()
	c.Ops[i].Del(key)
	return c
}

// renamePathComponent rewrites, in place, every node path argument of
// c's ops that has a component called old.
func renamePathComponent(c *prog.Program, old, new string) {
	for _, op := range c.Ops {
		for _, k := range argKeys(op, prog.KindNode) {
			a := op.Arg(k)
			if a.Ref != nil || !strings.HasPrefix(a.Path, "/") {
				continue
			}
			parts := strings.Split(a.Path, "/")
			for j := range parts {
				if parts[j] == old {
					parts[j] = new
				}
			}
			a.Path = strings.Join(parts, "/")
		}
	}
}
