package gen

import "fmt"

// inject adds the defect of class r to the overlay being written. It
// reports false when the live tree offers no way to (then the overlay
// stays valid).
func (g *generator) inject(r Reject) bool {
	targets := g.liveTargets(false)
	if len(targets) == 0 {
		return false
	}
	switch r {
	case RejectDupNode, RejectDupProp:
		// the same live node by two syntaxes (as the same node by the
		// same syntax twice, which dtc would merge, is not two fragments)
		t := targets[g.c.Intn(len(targets))]
		f1, f2 := g.newFrag(t, ActProps), g.newFrag(t, ActProps)
		if f1.kind == FragLabel || f1.kind == FragTarget {
			f2.kind = FragPath
		} else {
			f2.kind = FragPath + FragTargetPath - f1.kind
		}
		g.serial++
		if r == RejectDupNode {
			name := fmt.Sprintf("dup-o%d-%d", g.ov.Seq, g.serial)
			for _, f := range []*frag{f1, f2} {
				f.body.children = append(f.body.children, &onode{name: name, path: joinPath(t.Path, name)})
			}
		} else {
			name := fmt.Sprintf("dangle,dup-o%d-%d", g.ov.Seq, g.serial)
			f1.body.set(name, "<1>")
			f2.body.set(name, "<2>")
		}
		g.insertFrag(f1, true)
		g.insertFrag(f2, true)
	case RejectUnresolved:
		missing := g.newLabel("missing")
		delete(g.labels, missing) // defined nowhere
		if len(g.nodes) > 0 && g.c.Intn(2) == 1 {
			n := g.nodes[g.c.Intn(len(g.nodes))]
			n.set("dangle,ref", "<&"+missing+">")
			break
		}
		t := targets[g.c.Intn(len(targets))]
		f := g.newFrag(t, ActProps)
		f.kind, f.label, f.target = FragLabel, missing, nil
		if g.sw.Frags[FragTarget] && g.c.Intn(2) == 1 {
			f.kind = FragTarget
		}
		f.body.set("status", `"okay"`)
		g.insertFrag(f, true)
	case RejectNoTarget:
		t := targets[g.c.Intn(len(targets))]
		f := g.newFrag(t, ActProps)
		f.kind, f.target, f.label = FragPath, nil, ""
		if g.c.Intn(2) == 1 {
			f.kind = FragTargetPath
		}
		f.path = joinPath(t.Path, fmt.Sprintf("missing-o%d", g.ov.Seq))
		f.body.set("status", `"okay"`)
		g.insertFrag(f, true)
	case RejectCells:
		var cands []*vnode
		for _, t := range targets {
			if t.AddrCells >= 0 || t.SizeCells >= 0 {
				cands = append(cands, t)
			}
		}
		if len(cands) == 0 {
			return false
		}
		t := cands[g.c.Intn(len(cands))]
		name, v := "#address-cells", t.AddrCells
		if v < 0 || (t.SizeCells >= 0 && g.c.Intn(2) == 1) {
			name, v = "#size-cells", t.SizeCells
		}
		if !g.touch(t.Path, name) {
			return false
		}
		f := g.newFrag(t, ActProps)
		f.body.set(name, fmt.Sprintf("<%d>", v+1))
		g.insertFrag(f, true)
	case RejectPhandle:
		var cands []*vnode
		for _, t := range targets {
			if t.Phandle && t.Path != "/" && g.v.byPath[parentPath(t.Path)] != nil {
				cands = append(cands, t)
			}
		}
		if len(cands) == 0 {
			return false
		}
		t := cands[g.c.Intn(len(cands))]
		f := g.newFrag(g.v.byPath[parentPath(t.Path)], ActProps)
		l := g.newLabel("dup")
		n := &onode{name: baseName(t.Path), label: l, path: t.Path}
		n.set("dangle,self", "<&"+l+">")
		f.body.children = append(f.body.children, n)
		g.insertFrag(f, true)
	case RejectLabel:
		var labelled []*vnode
		for _, t := range g.v.nodes {
			if len(t.Labels) > 0 {
				labelled = append(labelled, t)
			}
		}
		if len(labelled) == 0 {
			return false
		}
		l := labelled[g.c.Intn(len(labelled))]
		t := targets[g.c.Intn(len(targets))]
		f := g.newFrag(t, ActProps)
		g.serial++
		name := fmt.Sprintf("node-o%d-%d", g.ov.Seq, g.serial)
		f.body.children = append(f.body.children, &onode{name: name, label: l.Labels[0], path: joinPath(t.Path, name)})
		g.insertFrag(f, true)
	default:
		return false
	}
	return true
}
