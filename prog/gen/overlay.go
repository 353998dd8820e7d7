package gen

import (
	"fmt"
	"slices"
	"strings"
)

// Overlay is one generated overlay: its source and what it does.
type Overlay struct {
	// Seq numbers the overlays of a State from 1, in generation order.
	Seq int
	// Source is the overlay as DTS source ("/dts-v1/; /plugin/; …")
	// that dtc -@ compiles.
	Source []byte
	// Reject is the class of defect the generator put in, or Valid.
	Reject Reject
	// Fragments holds each fragment's target syntax, in file order
	// (the order the kernel applies them).
	Fragments []FragKind
	// Actions holds what each fragment does, and Targets the live path
	// it targets, like Fragments.
	Actions []Action
	Targets []string
	// Drivers and Compatibles name the catalog driver and compatible of
	// each device node the overlay adds, in order.
	Drivers, Compatibles []string
	// Nodes are the nodes the overlay adds, parents first, as they are
	// once it is applied.
	Nodes []Node
	// Status are the status values it writes on live nodes.
	Status []StatusChange
	// GPIOUses are the lines its consumers request.
	GPIOUses []GPIOUse
	// Links are the supplier references it writes.
	Links []Link
}

// Link is one supplier reference an overlay writes.
type Link struct {
	// Consumer and Provider are node paths; Prop the property.
	Consumer, Prop, Provider string
	// From says where the provider is.
	From Origin
}

// Origin is where a supplier of a Link is.
type Origin int

// The origins.
const (
	FromBase          Origin = iota // the base tree
	FromEarlier                     // an overlay applied earlier
	FromSameFragment                // this overlay, the consumer's fragment
	FromOtherFragment               // this overlay, another fragment
	NumOrigins
)

var originNames = [...]string{"base", "earlier-overlay", "same-fragment", "other-fragment"}

func (o Origin) String() string { return originNames[o] }

// onode is a node the overlay writes: a new node, or a fragment's body.
type onode struct {
	name, label string
	path        string
	drv         *Driver
	bind        *Binding
	compat      string
	props       []dprop
	children    []*onode
	frag        *frag
	parent      *onode
	// off: the node or a new ancestor is disabled.
	off     bool
	status  string
	addr    uint64
	hasAddr bool
	window  *Window
	// names and addrs are the children's, for new buses.
	names map[string]bool
	addrs map[uint64]bool
	depth int
}

type dprop struct{ name, value string }

func (n *onode) set(name, value string) { n.props = append(n.props, dprop{name, value}) }

// frag is one fragment: its target and its __overlay__ body.
type frag struct {
	kind   FragKind
	action Action
	target *vnode
	// path is the target path for the path kinds and the reject classes
	// that name a path that is not live.
	path  string
	label string
	body  *onode
}

// place is where new device nodes can go: under a live bus (a
// fragment's body) or under a new bus node.
type place struct {
	path   string
	kind   Kind
	window *Window
	names  map[string]bool
	addrs  map[uint64]bool
	node   *onode // the fragment body or the new bus
	frag   *frag
	depth  int
	off    bool
	// addrCells and sizeCells are the bus's #address-cells and
	// #size-cells (what a child's reg is written in).
	addrCells, sizeCells int
}

// generator is one Generate call.
type generator struct {
	s    *State
	c    Choices
	w    *Weights
	sw   *Swarm
	v    *view
	ov   *Overlay
	frag []*frag
	// nodes are the new nodes, in creation order.
	nodes   []*onode
	places  []*place
	touched map[string]bool // "path\x00prop" set by some fragment
	off     map[string]bool // live paths this overlay disables
	gpio    map[string]map[int]bool
	labels  map[string]bool
	pending []pendingSupply
	serial  int
}

type pendingSupply struct {
	n *onode
	s Supply
}

// Generate writes the next overlay against the state, making every
// decision through c. It does not apply it: call Apply once the kernel
// accepted it.
func (s *State) Generate(c Choices, w *Weights, sw *Swarm) *Overlay {
	s.seq++
	g := &generator{s: s, c: c, w: w, sw: sw, v: s.view(), ov: &Overlay{Seq: s.seq},
		touched: map[string]bool{}, off: map[string]bool{}, gpio: map[string]map[int]bool{}, labels: map[string]bool{}}
	nf := 1
	for nf < w.MaxFragments && yes(c, w.MoreFragments) {
		nf++
	}
	for range nf {
		g.fragment()
	}
	g.resolveSupplies()
	// the defect class is the last decision: the overlay's shape comes
	// first in the stream, so a short input writes a valid overlay and
	// a mutation of the class keeps the shape
	reject := Reject(pick(c, w.Reject[:]))
	if reject != Valid && !g.inject(reject) {
		reject = Valid
	}
	g.ov.Reject = reject
	g.finish()
	return g.ov
}

// fragment adds one fragment doing one action.
func (g *generator) fragment() {
	acts := make([]int, NumActions)
	for a := range NumActions {
		if g.sw.Actions[a] {
			acts[a] = g.w.Action[a]
		}
	}
	for {
		a := Action(pick(g.c, acts))
		if a < 0 {
			a = ActProps // always possible
		}
		var ok bool
		switch a {
		case ActDevices:
			ok = g.devicesFragment()
		case ActStatus:
			ok = g.statusFragment()
		case ActConsumer:
			ok = g.consumerFragment()
		default:
			ok = g.propsFragment()
		}
		if ok {
			return
		}
		acts[a] = 0
		if a == ActProps {
			return
		}
	}
}

// usable reports whether a live node and its ancestors are available
// and this overlay does not disable them.
func (g *generator) usable(n *vnode) bool {
	for p := n; ; {
		if !available(p.Status) || g.off[p.Path] {
			return false
		}
		if p.Path == "/" {
			return true
		}
		if p = g.v.byPath[parentPath(p.Path)]; p == nil {
			return true
		}
	}
}

// special reports nodes the generator leaves alone (__symbols__ etc.).
func special(path string) bool {
	return strings.Contains(path, "/__") || path == "/aliases" || path == "/chosen"
}

// chooseLive picks one of nodes, preferring (half the time) those added
// by earlier overlays, so that overlays build on overlays.
func (g *generator) chooseLive(nodes []*vnode) *vnode {
	var ov []*vnode
	for _, n := range nodes {
		if n.Overlay != 0 {
			ov = append(ov, n)
		}
	}
	if len(ov) > 0 && len(ov) < len(nodes) && g.c.Intn(2) == 1 {
		nodes = ov
	}
	return nodes[g.c.Intn(len(nodes))]
}

// newFrag makes a fragment on target with a syntax the swarm allows
// and the target permits (the label kinds need a label).
func (g *generator) newFrag(target *vnode, a Action) *frag {
	ws := make([]int, NumFragKinds)
	for k := range NumFragKinds {
		if g.sw.Frags[k] && (len(target.Labels) > 0 || k == FragPath || k == FragTargetPath) {
			ws[k] = g.w.Frag[k]
		}
	}
	k := FragKind(pick(g.c, ws))
	if k < 0 {
		k = FragPath
		if g.sw.Frags[FragTargetPath] {
			k = FragTargetPath
		}
	}
	f := &frag{kind: k, action: a, target: target, path: target.Path,
		body: &onode{path: target.Path, names: target.names, addrs: target.addrs}}
	if k == FragLabel || k == FragTarget {
		f.label = target.Labels[g.c.Intn(len(target.Labels))]
	}
	f.body.frag = f
	return f
}

// insertFrag puts f at a chosen position (0: first).
func (g *generator) insertFrag(f *frag, anywhere bool) {
	i := len(g.frag)
	if anywhere {
		i = g.c.Intn(len(g.frag) + 1)
	}
	g.frag = slices.Insert(g.frag, i, f)
}

func (g *generator) touch(path, prop string) bool {
	k := path + "\x00" + prop
	if g.touched[k] {
		return false
	}
	g.touched[k] = true
	return true
}

// driversFor lists the enabled drivers whose nodes live on bus; with
// noBus, not the ones that provide a bus.
func (g *generator) driversFor(bus Bus, noBus bool) []*Driver {
	var out []*Driver
	for i := range g.s.cat.Drivers {
		d := &g.s.cat.Drivers[i]
		if g.sw.Drivers[i] && d.Bus == bus && !(noBus && d.busKind() != "") {
			out = append(out, d)
		}
	}
	return out
}

// liveBuses lists the live buses new devices of bus can go under.
func (g *generator) liveBuses(bus Bus) []*vnode {
	var out []*vnode
	for _, n := range g.v.nodes {
		if n.busKind().childBus() != bus || special(n.Path) {
			continue
		}
		// the node itself may be disabled (the fragment enables it),
		// its ancestors may not
		if p := g.v.byPath[parentPath(n.Path)]; n.Path != "/" && p != nil && !g.usable(p) {
			continue
		}
		if g.off[n.Path] {
			continue
		}
		out = append(out, n)
	}
	return out
}

// livePlace opens a fragment on a live bus and returns the place its
// new children go.
func (g *generator) livePlace(target *vnode) *place {
	f := g.newFrag(target, ActDevices)
	if !available(target.Status) && g.touch(target.Path, "status") {
		f.body.set("status", `"okay"`)
		g.ov.Status = append(g.ov.Status, StatusChange{target.Path, "okay"})
	}
	pl := &place{path: target.Path, kind: target.busKind(), window: target.Window, names: target.names,
		addrs: target.addrs, node: f.body, frag: f, addrCells: max(target.AddrCells, 1), sizeCells: max(target.SizeCells, 0)}
	if target.SizeCells < 0 {
		pl.sizeCells = 1
	}
	g.places = append(g.places, pl)
	return pl
}

// devicesFragment adds device nodes under a live bus.
func (g *generator) devicesFragment() bool {
	var targets []*vnode
	for _, bus := range []Bus{BusPlatform, BusI2C, BusSPI} {
		if len(g.driversFor(bus, false)) > 0 {
			targets = append(targets, g.liveBuses(bus)...)
		}
	}
	if len(targets) == 0 || len(g.nodes) >= g.w.MaxNodes {
		return false
	}
	pl := g.livePlace(g.chooseLive(targets))
	n := 1
	for n < g.w.MaxDevices && yes(g.c, g.w.MoreDevices) {
		n++
	}
	for range n {
		g.device(pl, nil)
	}
	if len(pl.node.children) == 0 {
		// nothing fits there (no free address): no empty fragment
		g.places = slices.DeleteFunc(g.places, func(x *place) bool { return x == pl })
		if len(pl.node.props) > 0 {
			delete(g.touched, pl.path+"\x00status")
			g.ov.Status = g.ov.Status[:len(g.ov.Status)-1]
		}
		return false
	}
	g.insertFrag(pl.frag, false)
	return true
}

// device adds one device node at pl: of drv, or of an enabled driver
// chosen for the place's bus. It returns nil when nothing fits.
func (g *generator) device(pl *place, drv *Driver) *onode {
	if len(g.nodes) >= g.w.MaxNodes {
		return nil
	}
	if drv == nil {
		ds := g.driversFor(pl.kind.childBus(), pl.depth >= g.w.MaxDepth)
		if len(ds) == 0 {
			return nil
		}
		drv = ds[g.c.Intn(len(ds))]
	}
	n := &onode{drv: drv, bind: &drv.Binding, frag: pl.frag, parent: pl.node, depth: pl.depth, off: pl.off}
	n.compat = drv.Compatibles[g.c.Intn(len(drv.Compatibles))]
	if !g.name(n, pl) {
		return nil
	}
	g.serial++
	if (len(drv.Provides) > 0 || yes(g.c, g.w.Label)) && !g.s.base.NoSymbols {
		n.label = g.newLabel(drv.Node)
	}
	n.set("compatible", fmt.Sprintf("%q", n.compat))
	if n.hasAddr {
		n.setReg(pl)
	}
	g.props(n, &drv.Binding)
	if yes(g.c, g.w.Disabled) {
		n.status = "disabled"
		n.off = true
		n.set("status", `"disabled"`)
	}
	pl.node.children = append(pl.node.children, n)
	g.nodes = append(g.nodes, n)
	g.ov.Drivers = append(g.ov.Drivers, drv.Name)
	g.ov.Compatibles = append(g.ov.Compatibles, n.compat)
	if c := drv.Child; c != nil {
		k := 1
		for k < g.w.MaxChildren && yes(g.c, g.w.MoreDevices) {
			k++
		}
		for i := range k {
			ch := &onode{name: fmt.Sprintf("%s-%d", c.Node, i), bind: c, frag: pl.frag, parent: n, depth: n.depth, off: n.off}
			ch.path = joinPath(n.path, ch.name)
			g.props(ch, c)
			n.children = append(n.children, ch)
		}
	}
	if bk := drv.busKind(); bk != "" {
		n.names, n.addrs = map[string]bool{}, map[uint64]bool{}
		sub := &place{path: n.path, kind: bk, window: n.window, names: n.names, addrs: n.addrs, node: n,
			frag: pl.frag, depth: pl.depth + 1, off: n.off,
			addrCells: max(cellsProp(&drv.Binding, "#address-cells"), 1), sizeCells: max(cellsProp(&drv.Binding, "#size-cells"), 0)}
		g.places = append(g.places, sub)
		if pl.depth < g.w.MaxDepth && yes(g.c, g.w.Nest) {
			k := 1
			for k < g.w.MaxDevices && yes(g.c, g.w.MoreDevices) {
				k++
			}
			for range k {
				g.device(sub, nil)
			}
		}
	}
	return n
}

// props writes a binding's properties and queues its supplies.
func (g *generator) props(n *onode, b *Binding) {
	for _, p := range b.Props {
		if p.Optional && !yes(g.c, g.w.OptionalProp) {
			continue
		}
		n.set(p.Name, strings.ReplaceAll(p.Value, "$name", g.uniqueName(b.Node)))
	}
	for _, s := range b.Supplies {
		// choice 0 writes the supply: the plainest device overlay is a
		// consumer with its supplier (what B1 and B2 need), so an
		// exhausted stream still links the two
		if s.Required || likely(g.c, g.w.OptionalSupply) {
			g.pending = append(g.pending, pendingSupply{n, s})
		}
	}
}

func (g *generator) uniqueName(base string) string {
	g.serial++
	return fmt.Sprintf("%s-o%d-%d", base, g.ov.Seq, g.serial)
}

// newLabel returns a label neither the live tree nor this overlay has.
func (g *generator) newLabel(base string) string {
	base = strings.NewReplacer("-", "_", ",", "_").Replace(base)
	for i := 0; ; i++ {
		l := fmt.Sprintf("o%d_%s%d", g.ov.Seq, base, len(g.labels)+i)
		if !g.labels[l] && g.v.labels[l] == nil {
			g.labels[l] = true
			return l
		}
	}
}
