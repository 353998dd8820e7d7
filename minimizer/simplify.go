package minimizer

import (
	"strings"

	"dangle/dt"
	"dangle/prog"
)

// passSimplify makes what is left easier to read without making it
// smaller: canonical binding names, no labels nothing refers to, shorter
// node names, zero for integer cells whose value does not matter. Each
// change is kept only if the finding stays.
func passSimplify(s *session) {
	simplifyBindings(s)
	for _, f := range s.cur.Files {
		if isSource(f.Name) {
			dropLabels(s, f.Name)
			shortenNames(s, f.Name)
			zeroCells(s, f.Name)
		}
	}
}

// simplifyBindings drops the bindings nothing uses and names the others
// by type in order (canonicalBindings).
func simplifyBindings(s *session) {
	s.try(canonicalBindings(s.cur))
}

// label is one label on a node of a source file, by walk position.
type label struct {
	node *dt.NodeDef
	name string
}

// dropLabels removes the node labels of file name that no source of the
// program refers to. (A referenced label must stay even where the
// compiler would not object: in an overlay an unresolved &label becomes
// a fixup against the base tree.)
func dropLabels(s *session, name string) {
	refs := referencedLabels(s.cur)
	collect := func(f *dt.File) []label {
		var out []label
		walkNodes(f.Nodes, func(n *dt.NodeDef) {
			for _, l := range n.Labels {
				if !refs[l] {
					out = append(out, label{n, l})
				}
			}
		})
		return out
	}
	base := s.cur
	f := parseFile(base, name)
	if f == nil {
		return
	}
	idx := make([]int, len(collect(f)))
	for i := range idx {
		idx[i] = i
	}
	ddmin(s, idx, func(keep []int) *prog.Program {
		g := parseFile(base, name)
		ls := collect(g)
		kept := map[label]bool{}
		for _, i := range keep {
			kept[ls[i]] = true
		}
		walkNodes(g.Nodes, func(n *dt.NodeDef) {
			var out []string
			for _, l := range n.Labels {
				if refs[l] || kept[label{n, l}] {
					out = append(out, l)
				}
			}
			n.Labels = out
		})
		return withFile(base, name, dt.Format(g))
	})
}

// shortenNames tries, for each node below the top level of file name, the
// first word of its name ("regulator-vdd" becomes "regulator"), unit
// address kept, and renames the node in the ops' node paths too.
func shortenNames(s *session, name string) {
	f := parseFile(s.cur, name)
	if f == nil {
		return
	}
	var n int
	for _, top := range f.Nodes {
		walkNodes(top.Children, func(*dt.NodeDef) { n++ })
	}
	for i := range n {
		g := parseFile(s.cur, name)
		if g == nil {
			return
		}
		var node *dt.NodeDef
		k := 0
		for _, top := range g.Nodes {
			walkNodes(top.Children, func(nd *dt.NodeDef) {
				if k == i {
					node = nd
				}
				k++
			})
		}
		if node == nil || node.Delete {
			continue
		}
		base, unit, hasUnit := strings.Cut(node.Name, "@")
		short, _, cut := strings.Cut(base, "-")
		if !cut || short == "" {
			continue
		}
		newName := short
		if hasUnit {
			newName += "@" + unit
		}
		old := node.Name
		node.Name = newName
		c := withFile(s.cur, name, dt.Format(g))
		renamePathComponent(c, old, newName)
		s.try(c)
	}
}

// referencedLabels returns the labels that some source file of p refers
// to (&label in a value or a cell, or as a block's target).
func referencedLabels(p *prog.Program) map[string]bool {
	refs := map[string]bool{}
	add := func(r dt.Ref) {
		if r != "" && !r.IsPath() {
			refs[string(r)] = true
		}
	}
	for _, f := range p.Files {
		df := parseFile(p, f.Name)
		if df == nil {
			continue
		}
		for _, n := range df.Nodes {
			add(n.Ref)
		}
		walkProps(df, func(pr *dt.PropDef) {
			for _, v := range pr.Values {
				add(v.Ref)
				for _, c := range v.Cells {
					add(c.Ref)
				}
			}
		})
	}
	return refs
}

// zeroCells tries 0 for each integer literal cell of file name, one at a
// time, except in the properties whose numbers are structure rather than
// data: reg, ranges and the #…-cells counts (unit addresses follow reg).
func zeroCells(s *session, name string) {
	collect := func(f *dt.File) []*dt.Cell {
		var out []*dt.Cell
		walkProps(f, func(p *dt.PropDef) {
			if p.Name == "reg" || p.Name == "ranges" || strings.HasPrefix(p.Name, "#") {
				return
			}
			for _, v := range p.Values {
				for _, c := range v.Cells {
					if c.Expr != nil && c.Expr.Op == "" && c.Expr.Lit != "0" {
						out = append(out, c)
					}
				}
			}
		})
		return out
	}
	f := parseFile(s.cur, name)
	if f == nil {
		return
	}
	for i := range collect(f) {
		g := parseFile(s.cur, name)
		cells := collect(g)
		if i >= len(cells) {
			return
		}
		cells[i].Expr = dt.Num(0, false)
		s.try(withFile(s.cur, name, dt.Format(g)))
	}
}
