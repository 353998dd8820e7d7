package minimizer

import (
	"dangle/dt"
	"dangle/prog"
)

// Hierarchical delta debugging (Misherghi and Su, "HDD: Hierarchical
// Delta Debugging", ICSE 2006) of the device-tree sources: parse the file
// with dt, run ddmin over the items of one level of the tree at a time —
// top-level blocks (an overlay's fragments), then the nodes of each depth,
// then properties, then the parts of multi-part values (strings of a
// list, the cell groups), then the cells of multi-cell arrays (phandle
// references and their arguments) — and print each candidate with
// dt.Format. Removing an item removes what it contains; a candidate whose
// references break is rejected by dt's compiler before it costs a run.

// A treeLevel collects the removable items of one level of f, in a fixed
// walk order. Items are pointers into f.
type treeLevel struct {
	name    string
	collect func(f *dt.File) []any
}

// nodeLevel is the level of the nodes at depth d (0: top-level blocks).
func nodeLevel(d int) treeLevel {
	return treeLevel{"nodes", func(f *dt.File) []any { return nodesAt(f.Nodes, d) }}
}

// partLevels are the levels below the nodes, coarsest first.
var partLevels = []treeLevel{
	{"props", func(f *dt.File) []any {
		var out []any
		walkNodes(f.Nodes, func(n *dt.NodeDef) {
			for _, p := range n.Props {
				out = append(out, p)
			}
		})
		return out
	}},
	{"values", func(f *dt.File) []any {
		var out []any
		walkProps(f, func(p *dt.PropDef) {
			if countParts(p.Values) < 2 {
				return
			}
			for _, v := range p.Values {
				if v.Kind != dt.LabelValue {
					out = append(out, v)
				}
			}
		})
		return out
	}},
	{"cells", func(f *dt.File) []any {
		var out []any
		walkProps(f, func(p *dt.PropDef) {
			for _, v := range p.Values {
				if v.Kind != dt.CellsValue || len(v.Cells) < 2 {
					continue
				}
				for _, c := range v.Cells {
					if c.Label == "" {
						out = append(out, c)
					}
				}
			}
		})
		return out
	}},
}

func maxDepth(ns []*dt.NodeDef) int {
	d := -1
	for _, n := range ns {
		d = max(d, 1+maxDepth(n.Children))
	}
	return d
}

func nodesAt(ns []*dt.NodeDef, d int) []any {
	var out []any
	for _, n := range ns {
		if d == 0 {
			out = append(out, n)
		} else {
			out = append(out, nodesAt(n.Children, d-1)...)
		}
	}
	return out
}

func walkNodes(ns []*dt.NodeDef, fn func(*dt.NodeDef)) {
	for _, n := range ns {
		fn(n)
		walkNodes(n.Children, fn)
	}
}

func walkProps(f *dt.File, fn func(*dt.PropDef)) {
	walkNodes(f.Nodes, func(n *dt.NodeDef) {
		for _, p := range n.Props {
			fn(p)
		}
	})
}

func countParts(vs []*dt.Value) int {
	n := 0
	for _, v := range vs {
		if v.Kind != dt.LabelValue {
			n++
		}
	}
	return n
}

// prune removes every item in del from f, in place.
func prune(f *dt.File, del map[any]bool) {
	f.Nodes = pruneNodes(f.Nodes, del)
}

func pruneNodes(ns []*dt.NodeDef, del map[any]bool) []*dt.NodeDef {
	out := ns[:0]
	for _, n := range ns {
		if del[n] {
			continue
		}
		props := n.Props[:0]
		for _, p := range n.Props {
			if del[p] {
				continue
			}
			vals := p.Values[:0]
			for _, v := range p.Values {
				if del[v] {
					continue
				}
				if v.Kind == dt.CellsValue {
					cells := v.Cells[:0]
					for _, c := range v.Cells {
						if !del[c] {
							cells = append(cells, c)
						}
					}
					v.Cells = cells
				}
				vals = append(vals, v)
			}
			p.Values = vals
			props = append(props, p)
		}
		n.Props = props
		n.Children = pruneNodes(n.Children, del)
		out = append(out, n)
	}
	return out
}

// passOverlays runs HDD over every overlay source (.dtso) in the archive.
func passOverlays(s *session) {
	for _, f := range s.cur.Files {
		if f.Name != prog.DefaultBaseName && isSource(f.Name) {
			hddFile(s, f.Name)
		}
	}
}

// passBase first tries the program on the built-in base tree instead of
// its own base.dts (or base.dtb), then runs HDD over the base.dts.
func passBase(s *session) {
	if s.cur.File(prog.DefaultBlobBaseName) != nil && s.try(withoutFile(s.cur, prog.DefaultBlobBaseName)) {
		return
	}
	if s.cur.File(prog.DefaultBaseName) == nil {
		return
	}
	if s.try(withoutFile(s.cur, prog.DefaultBaseName)) {
		return
	}
	hddFile(s, prog.DefaultBaseName)
}

// hddFile minimizes the source file called name, level by level: the
// nodes depth by depth (a level is collected again from the current file,
// since the level above changed it), then the parts of the survivors.
func hddFile(s *session, name string) {
	for d := 0; ; d++ {
		f := parseFile(s.cur, name)
		if f == nil || d > maxDepth(f.Nodes) {
			break
		}
		hddLevel(s, name, nodeLevel(d))
	}
	for _, lv := range partLevels {
		hddLevel(s, name, lv)
	}
}

// hddLevel runs ddmin over the items of one level of file name.
func hddLevel(s *session, name string, lv treeLevel) {
	base := s.cur
	f := parseFile(base, name)
	if f == nil {
		return
	}
	n := len(lv.collect(f))
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	ddmin(s, idx, func(keep []int) *prog.Program {
		g := parseFile(base, name)
		items := lv.collect(g)
		del := make(map[any]bool, len(items))
		for _, it := range items {
			del[it] = true
		}
		for _, i := range keep {
			delete(del, items[i])
		}
		prune(g, del)
		return withFile(base, name, dt.Format(g))
	})
}

// parseFile parses p's archive file name, or returns nil.
func parseFile(p *prog.Program, name string) *dt.File {
	f := p.File(name)
	if f == nil {
		return nil
	}
	df, err := dt.Parse(name, f.Data)
	if err != nil {
		return nil
	}
	return df
}
