package sim

import (
	"strings"

	"dangle/dt"
	"dangle/prog/gen"
	"dangle/sim/core"
	"dangle/sim/drivers"
)

// GenCatalog describes the driver catalog for the overlay generator:
// every driver model with a Binding, in catalog order.
func GenCatalog() *gen.Catalog {
	cat := &gen.Catalog{}
	for _, d := range drivers.Catalog() {
		if d.Binding == nil {
			continue
		}
		cat.Drivers = append(cat.Drivers, gen.Driver{Name: d.Name, Compatibles: d.OfMatch, Bus: gen.Bus(d.Bus),
			Binding: genBinding(d.Binding)})
	}
	return cat
}

func genBinding(b *core.Binding) gen.Binding {
	out := gen.Binding{Node: b.Node, NoReg: b.NoReg, GPIOLines: b.GPIOLines}
	for _, k := range b.Provides {
		out.Provides = append(out.Provides, gen.Kind(k))
	}
	for _, p := range b.Props {
		out.Props = append(out.Props, gen.Prop{Name: p.Name, Value: p.Value, Optional: p.Optional})
	}
	for _, s := range b.Supplies {
		out.Supplies = append(out.Supplies, gen.Supply{Prop: s.Prop, Provider: gen.Kind(s.Provider), Required: s.Required})
	}
	if b.Child != nil {
		c := genBinding(b.Child)
		out.Child = &c
	}
	return out
}

// GenBase describes a compiled base tree (LoadTree's) for the overlay
// generator: each node's labels (from /__symbols__, as the kernel's
// resolver sees them), what it provides (by the catalog binding of its
// compatible; the root is a platform bus), its cells, how its children's
// addresses translate (its ranges and its parents'), and the GPIO lines
// the tree's consumers hold.
func GenBase(t *dt.Tree, cat *gen.Catalog) *gen.Base {
	b := &gen.Base{}
	labels := map[string][]string{}
	sym := t.Find("/__symbols__")
	b.NoSymbols = sym == nil
	if sym != nil {
		for _, p := range sym.Props {
			if s, ok := p.String(); ok {
				labels[s] = append(labels[s], p.Name)
			}
		}
	}
	phandles := map[uint32]*dt.Node{}
	var order []*dt.Node
	paths := map[*dt.Node]string{}
	var walk func(n *dt.Node, path string, parent *gen.Node)
	walk = func(n *dt.Node, path string, parent *gen.Node) {
		order = append(order, n)
		paths[n] = path
		gn := gen.Node{Path: path, Labels: labels[path], AddrCells: u32Prop(n, "#address-cells"), SizeCells: u32Prop(n, "#size-cells")}
		if p := n.Prop("compatible"); p != nil {
			if s := p.Strings(); len(s) > 0 {
				gn.Compatible = s[0]
				if d := catalogDriver(cat, s); d != nil {
					gn.Provides, gn.GPIOLines = d.Provides, d.GPIOLines
				}
			}
		}
		if p := n.Prop("status"); p != nil {
			gn.Status, _ = p.String()
		}
		for _, p := range n.Props {
			gn.Props = append(gn.Props, p.Name)
			if (p.Name == "phandle" || p.Name == "linux,phandle") && len(p.Value) == 4 {
				gn.Phandle = true
				phandles[be32(p.Value)] = n
			}
		}
		if parent == nil {
			gn.Provides = []gen.Kind{gen.KindSimpleBus}
			gn.Window = &gen.Window{Size: 1 << 32}
		} else {
			pac := effCells(parent.AddrCells)
			if reg := n.Prop("reg"); reg != nil {
				if a, _, ok := cellsAt(reg.Value, pac); ok {
					gn.Addr, gn.HasAddr = a, true
				}
			}
			gn.Window = window(n, gn, parent)
		}
		b.Nodes = append(b.Nodes, gn)
		for _, ch := range n.Children {
			walk(ch, joinPath(path, ch.Name), &gn)
		}
	}
	walk(t.Root, "/", nil)
	// the lines the base tree's consumers hold
	for _, n := range order {
		for _, p := range n.Props {
			if !isGPIOProp(p.Name) {
				continue
			}
			v := p.Value
			for len(v) >= 4 {
				sup := phandles[be32(v)]
				if sup == nil {
					break
				}
				nc := u32Prop(sup, "#gpio-cells")
				if nc < 1 || len(v) < 4+4*nc {
					break
				}
				b.GPIOUses = append(b.GPIOUses, gen.GPIOUse{Provider: paths[sup], Line: int(be32(v[4:]))})
				v = v[4+4*nc:]
			}
		}
	}
	return b
}

// window is how the children of n translate to CPU addresses: its first
// ranges entry mapped through its parent's window (of_translate_address:
// empty ranges is identity, no ranges or #size-cells 0 stops it).
func window(n *dt.Node, gn gen.Node, parent *gen.Node) *gen.Window {
	r := n.Prop("ranges")
	pw := parent.Window
	if r == nil || pw == nil || gn.SizeCells == 0 {
		return nil
	}
	if len(r.Value) == 0 {
		w := *pw
		return &w
	}
	cb, rest, ok1 := cellsAt(r.Value, effCells(gn.AddrCells))
	pb, rest, ok2 := cellsAt(rest, effCells(parent.AddrCells))
	sz, _, ok3 := cellsAt(rest, effCells(gn.SizeCells))
	if !ok1 || !ok2 || !ok3 || pb < pw.Child || pb-pw.Child >= pw.Size {
		return nil
	}
	return &gen.Window{Child: cb, CPU: pb - pw.Child + pw.CPU, Size: min(sz, pw.Size-(pb-pw.Child))}
}

func catalogDriver(cat *gen.Catalog, comps []string) *gen.Driver {
	for _, c := range comps {
		for i := range cat.Drivers {
			for _, m := range cat.Drivers[i].Compatibles {
				if m == c {
					return &cat.Drivers[i]
				}
			}
		}
	}
	return nil
}

// isGPIOProp is the gpio case of fw_devlink's supplier bindings.
func isGPIOProp(name string) bool {
	if strings.HasSuffix(name, "nr-gpios") {
		return false
	}
	return name == "gpios" || name == "gpio" || strings.HasSuffix(name, "-gpios") || strings.HasSuffix(name, "-gpio")
}

func u32Prop(n *dt.Node, name string) int {
	if p := n.Prop(name); p != nil && len(p.Value) == 4 {
		return int(be32(p.Value))
	}
	return -1
}

func effCells(c int) int {
	if c < 0 {
		return 1
	}
	return c
}

func cellsAt(v []byte, n int) (uint64, []byte, bool) {
	if len(v) < 4*n {
		return 0, nil, false
	}
	var x uint64
	for i := 0; i < n; i++ {
		x = x<<32 | uint64(be32(v[4*i:]))
	}
	return x, v[4*n:], true
}

func be32(v []byte) uint32 {
	return uint32(v[0])<<24 | uint32(v[1])<<16 | uint32(v[2])<<8 | uint32(v[3])
}

func joinPath(parent, name string) string {
	if parent == "/" {
		return "/" + name
	}
	return parent + "/" + name
}

// GenBaseOf loads a base tree (a program's base.dts, -base's file, or
// prog.DefaultBase under prog.DefaultBaseName) and describes it.
func GenBaseOf(src *Source, cat *gen.Catalog) (*gen.Base, error) {
	t, err := LoadTree(src)
	if err != nil {
		return nil, err
	}
	return GenBase(t, cat), nil
}
