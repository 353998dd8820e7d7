package minimizer

import (
	"fmt"
	"strings"

	"dangle/prog"
)

// This file is the only place that knows how one op refers to another
// and how argument values are stored. Today a program links ops by
// binding names ("ov = of_overlay_fdt_apply …" … "of_overlay_remove
// ov=ov") and keeps every argument as a string: deps resolves the names,
// removeOps drops the users of what it drops, rebind and
// canonicalBindings rename bindings, and the argument helpers at the end
// read and write values. With typed, linked programs (arguments pointing
// at the op whose result they use, names chosen at printing) these become
// walks over the links and typed accessors, and nothing else in the
// package changes.

// deps returns the indices of the earlier ops whose results op i uses,
// in argument order. A name refers to the latest earlier op binding it
// (later bindings shadow earlier ones).
func deps(p *prog.Program, i int) []int {
	var out []int
	for _, a := range p.Ops[i].Args {
		if j := binder(p, i, a); j >= 0 {
			out = append(out, j)
		}
	}
	return out
}

// binder returns the index of the op before i that binds the name used by
// argument a of op i, or -1 if a uses no bound name (a path, a literal,
// an enum).
func binder(p *prog.Program, i int, a prog.Arg) int {
	d := p.Ops[i].Desc.Arg(a.Key)
	if d == nil || (d.Kind != prog.KindRef && d.Kind != prog.KindNode) || !isName(a.Value) {
		return -1
	}
	for j := i - 1; j >= 0; j-- {
		if p.Ops[j].Result == a.Value {
			return j
		}
	}
	return -1
}

// isName reports whether v is a binding name rather than a node path or
// an overlay id literal.
func isName(v string) bool {
	return v != "" && !strings.HasPrefix(v, "/") && (v[0] < '0' || v[0] > '9')
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
	c := p.Clone()
	c.Ops = c.Ops[:0]
	for i, op := range p.Ops {
		if !gone[i] {
			c.Ops = append(c.Ops, op.Clone())
		}
	}
	return c
}

// rebind returns a copy of p in which op i binds names[i] ("" for
// nothing) and every use refers to its binder by the binder's new name.
// It returns nil if that would change which op a use refers to (a name
// captured by a nearer binding) or leave a use without a binder.
func rebind(p *prog.Program, names []string) *prog.Program {
	c := p.Clone()
	for i := range c.Ops {
		c.Ops[i].Result = names[i]
	}
	for k, op := range p.Ops {
		for ai, a := range op.Args {
			if j := binder(p, k, a); j >= 0 {
				if names[j] == "" {
					return nil
				}
				c.Ops[k].Args[ai].Value = names[j]
			}
		}
	}
	for k, op := range p.Ops {
		for ai, a := range op.Args {
			if binder(p, k, a) != binder(c, k, c.Ops[k].Args[ai]) {
				return nil
			}
		}
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

// bindingBase is the canonical name of a binding of each result type.
var bindingBase = map[prog.Type]string{
	prog.TypeOverlay:  "ov",
	prog.TypeNode:     "np",
	prog.TypeNotifier: "nb",
	prog.TypeDevice:   "dev",
	prog.TypeLink:     "link",
	prog.TypeDesc:     "desc",
}

// canonicalBindings returns a copy of p without the bindings nothing
// uses and with the others named by type in order: ov, ov2, …; np, np2,
// …; or nil if that is not possible (see rebind).
func canonicalBindings(p *prog.Program) *prog.Program {
	used := users(p)
	names := make([]string, len(p.Ops))
	count := map[prog.Type]int{}
	for i, op := range p.Ops {
		if op.Result == "" || !used[i] {
			continue
		}
		t := op.Desc.Result
		count[t]++
		names[i] = bindingBase[t]
		if count[t] > 1 {
			names[i] += fmt.Sprint(count[t])
		}
	}
	return rebind(p, names)
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

// argValues returns the values of op's arguments of the given kind.
func argValues(op *prog.Op, kind prog.ArgKind) []string {
	var out []string
	for _, k := range argKeys(op, kind) {
		v, _ := op.Get(k)
		out = append(out, v)
	}
	return out
}

// nodePaths returns the absolute node paths op's node arguments name
// (not the bound node references).
func nodePaths(op *prog.Op) []string {
	var out []string
	for _, v := range argValues(op, prog.KindNode) {
		if strings.HasPrefix(v, "/") {
			out = append(out, v)
		}
	}
	return out
}

// getArg returns the value of op i's argument key.
func getArg(p *prog.Program, i int, key string) (string, bool) {
	return p.Ops[i].Get(key)
}

// withArg returns a copy of p with op i's argument key set to value, or
// deleted when value is "".
func withArg(p *prog.Program, i int, key, value string) *prog.Program {
	c := p.Clone()
	if value == "" {
		c.Ops[i].Del(key)
	} else {
		c.Ops[i].Set(key, value)
	}
	return c
}

// renamePathComponent rewrites, in place, every node path argument of
// c's ops that has a component called old.
func renamePathComponent(c *prog.Program, old, new string) {
	for _, op := range c.Ops {
		for _, k := range argKeys(op, prog.KindNode) {
			v, _ := op.Get(k)
			if !strings.HasPrefix(v, "/") {
				continue
			}
			parts := strings.Split(v, "/")
			for j := range parts {
				if parts[j] == old {
					parts[j] = new
				}
			}
			op.Set(k, strings.Join(parts, "/"))
		}
	}
}
