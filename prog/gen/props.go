package gen

import (
	"fmt"
	"slices"
)

// structural properties are never added or updated by ActProps: the
// kernel refuses some (cells), others would change what the node is.
var structural = []string{"compatible", "reg", "ranges", "#address-cells", "#size-cells", "phandle",
	"linux,phandle", "name", "status", "gpio-controller", "#gpio-cells", "#clock-cells", "#power-domain-cells"}

// liveTargets lists the live nodes fragments may write properties on.
func (g *generator) liveTargets(needCompatible bool) []*vnode {
	var out []*vnode
	for _, n := range g.v.nodes {
		if special(n.Path) || (needCompatible && (n.Compatible == "" || n.Path == "/")) {
			continue
		}
		out = append(out, n)
	}
	return out
}

// propsFragment adds or updates properties on a live node (base nodes:
// the kernel warns that the copies leak when the overlay is removed).
func (g *generator) propsFragment() bool {
	targets := g.liveTargets(false)
	if len(targets) == 0 {
		return false
	}
	t := g.chooseLive(targets)
	f := g.newFrag(t, ActProps)
	n := 1
	for n < g.w.MaxProps && yes(g.c, 50) {
		n++
	}
	for range n {
		// 0: a property the node does not have; 1: its label;
		// 2: a clock rate (fixed clocks, I2C buses)
		opts := []int{2, 1, 0}
		if slices.Contains(t.Props, "clock-frequency") || t.busKind() == KindI2CBus {
			opts[2] = 2
		}
		var name, value string
		switch pick(g.c, opts) {
		case 0:
			g.serial++
			name, value = fmt.Sprintf("dangle,gen-o%d-%d", g.ov.Seq, g.serial), fmt.Sprintf("<%d>", g.c.Intn(1000))
		case 1:
			name, value = "label", fmt.Sprintf("%q", g.uniqueName("label"))
		default:
			name, value = "clock-frequency", fmt.Sprintf("<%d>", []int{100000, 400000, 1000000, 12000000}[g.c.Intn(4)])
		}
		if slices.Contains(structural, name) || !g.touch(t.Path, name) {
			continue
		}
		f.body.set(name, value)
	}
	if len(f.body.props) == 0 {
		return false
	}
	g.insertFrag(f, false)
	return true
}

// statusFragment toggles the status of a live device node: "disabled"
// unpopulates it (and unbinds its consumers), "okay" populates it.
func (g *generator) statusFragment() bool {
	var targets []*vnode
	for _, n := range g.liveTargets(true) {
		if g.touched[n.Path+"\x00status"] {
			continue
		}
		if p := g.v.byPath[parentPath(n.Path)]; p != nil && !g.usable(p) {
			continue
		}
		targets = append(targets, n)
	}
	if len(targets) == 0 {
		return false
	}
	t := g.chooseLive(targets)
	f := g.newFrag(t, ActStatus)
	st := "okay"
	if available(t.Status) {
		st = "disabled"
		g.off[t.Path] = true
	}
	g.touch(t.Path, "status")
	f.body.set("status", fmt.Sprintf("%q", st))
	g.ov.Status = append(g.ov.Status, StatusChange{t.Path, st})
	g.insertFrag(f, false)
	return true
}
