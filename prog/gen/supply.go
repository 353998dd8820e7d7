package gen

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Supplier references. Every consumer's supply is resolved after the
// fragments are written, so that it can point at a provider in any
// fragment of the overlay, a live one, or a provider added for it — the
// provider/consumer pairs across fragments and overlays that the known
// bugs need (B1: a regulator and its consumer in two fragments).

func (g *generator) resolveSupplies() {
	for i := 0; i < len(g.pending); i++ {
		p := g.pending[i]
		if !g.supply(p.n, p.s) && p.s.Required && p.n.drv == nil {
			// a child the driver cannot use without it (an LED without
			// a line): leave it out
			par := p.n.parent
			par.children = slices.DeleteFunc(par.children, func(x *onode) bool { return x == p.n })
		}
	}
}

// freeLines lists a GPIO provider's free lines.
func (g *generator) freeLines(path string, lines int) []int {
	var out []int
	for l := range lines {
		if !g.v.gpioUsed[path][l] && !g.gpio[path][l] {
			out = append(out, l)
		}
	}
	return out
}

// providerDrivers lists the enabled drivers providing k.
func (g *generator) providerDrivers(k Kind) []*Driver {
	var out []*Driver
	for i := range g.s.cat.Drivers {
		d := &g.s.cat.Drivers[i]
		if g.sw.Drivers[i] && d.provides(k) {
			out = append(out, d)
		}
	}
	return out
}

// supply writes n's supplier property s pointing at a chosen provider.
func (g *generator) supply(n *onode, s Supply) bool {
	if g.s.base.NoSymbols {
		return false // no label to refer to a supplier by
	}
	gpio := s.Provider == KindGPIO
	var live [2][]*vnode // base, earlier overlays
	for _, v := range g.v.nodes {
		if v.provides(s.Provider) && len(v.Labels) > 0 && g.usable(v) && (!gpio || len(g.freeLines(v.Path, v.GPIOLines)) > 0) {
			i := 0
			if v.Overlay != 0 {
				i = 1
			}
			live[i] = append(live[i], v)
		}
	}
	var same []*onode
	for _, o := range g.nodes {
		if o != n && o.drv != nil && o.bind.provides(s.Provider) && o.label != "" && !o.off &&
			(!gpio || len(g.freeLines(o.path, o.bind.GPIOLines)) > 0) {
			same = append(same, o)
		}
	}
	canNew := len(g.nodes) < g.w.MaxNodes && len(g.providerDrivers(s.Provider)) > 0
	ws := []int{0, 0, 0, 0}
	if len(live[0]) > 0 {
		ws[0] = g.w.RefBase
	}
	if len(live[1]) > 0 {
		ws[1] = g.w.RefEarlier
	}
	if len(same) > 0 {
		ws[2] = g.w.RefSame
	}
	if canNew {
		ws[3] = g.w.RefNew
	}
	var label, path string
	var lines int
	var from Origin
	switch k := pick(g.c, ws); k {
	case 0, 1:
		v := live[k][g.c.Intn(len(live[k]))]
		label, path, lines, from = v.Labels[0], v.Path, v.GPIOLines, Origin(k) // FromBase, FromEarlier
	case 2:
		o := same[g.c.Intn(len(same))]
		label, path, lines, from = o.label, o.path, o.bind.GPIOLines, g.origin(n, o)
	case 3:
		o := g.newProvider(s.Provider)
		if o == nil {
			return false
		}
		label, path, lines, from = o.label, o.path, o.bind.GPIOLines, g.origin(n, o)
	default:
		return false
	}
	value := "<&" + label + ">"
	if gpio {
		free := g.freeLines(path, lines)
		l := free[g.c.Intn(len(free))]
		if g.gpio[path] == nil {
			g.gpio[path] = map[int]bool{}
		}
		g.gpio[path][l] = true
		g.ov.GPIOUses = append(g.ov.GPIOUses, GPIOUse{path, l})
		value = fmt.Sprintf("<&%s %d 0>", label, l)
	}
	n.set(s.Prop, value)
	g.ov.Links = append(g.ov.Links, Link{Consumer: n.path, Prop: s.Prop, Provider: path, From: from})
	return true
}

func (g *generator) origin(consumer, provider *onode) Origin {
	if consumer.frag == provider.frag {
		return FromSameFragment
	}
	return FromOtherFragment
}

// newProvider adds a provider of k for a consumer: beside other new
// devices of this overlay, or in a fragment of its own on a live bus,
// placed anywhere among the fragments (before or after the consumer's).
func (g *generator) newProvider(k Kind) *onode {
	ds := g.providerDrivers(k)
	drv := ds[g.c.Intn(len(ds))]
	var here []*place
	for _, pl := range g.places {
		if pl.kind.childBus() == drv.Bus && !pl.off {
			here = append(here, pl)
		}
	}
	lives := g.liveBuses(drv.Bus)
	var usableLive []*vnode
	for _, v := range lives {
		if available(v.Status) {
			usableLive = append(usableLive, v)
		}
	}
	ws := []int{0, 0}
	if len(usableLive) > 0 {
		ws[0] = 1
	}
	if len(here) > 0 {
		ws[1] = 1
	}
	switch pick(g.c, ws) {
	case 0:
		pl := g.livePlace(g.chooseLive(usableLive))
		o := g.device(pl, drv)
		if o == nil {
			g.places = g.places[:len(g.places)-1]
			return nil
		}
		g.insertFrag(pl.frag, true)
		return o
	case 1:
		return g.device(here[g.c.Intn(len(here))], drv)
	}
	return nil
}

// cellsProp reads a "<N>" property of a binding, -1 if absent.
func cellsProp(b *Binding, name string) int {
	for _, p := range b.Props {
		if p.Name == name {
			if v, err := strconv.Atoi(strings.Trim(p.Value, "<>")); err == nil {
				return v
			}
		}
	}
	return -1
}
