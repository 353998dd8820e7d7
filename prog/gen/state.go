package gen

import (
	"slices"
	"strings"
)

// Base is what the live tree offers before the first generated overlay:
// the base tree's nodes, as the simulator computes them from the
// compiled tree (sim.GenBase).
type Base struct {
	// Nodes are the tree's nodes, parents before children.
	Nodes []Node
	// GPIOUses are the lines the base tree's consumers hold.
	GPIOUses []GPIOUse
	// NoSymbols says the tree has no /__symbols__ (a blob built without
	// dtc -@): the kernel then refuses overlays with labels or label
	// references, so valid overlays carry none (and so no supplier
	// references).
	NoSymbols bool
}

// Node is a live-tree node as the generator sees it.
type Node struct {
	// Path is the node's full path ("/soc/i2c@3000"; "/" for the root).
	Path string
	// Labels are the __symbols__ names pointing at it.
	Labels []string
	// Compatible is its first compatible string, "" if none.
	Compatible string
	// Status is its status property ("okay", "disabled"), "" if absent.
	Status string
	// Provides is what it offers others: from the binding of the
	// catalog driver that binds it (the root: KindSimpleBus).
	Provides []Kind
	// GPIOLines is the line count of a KindGPIO provider.
	GPIOLines int
	// AddrCells and SizeCells are its #address-cells and #size-cells,
	// -1 where it has none.
	AddrCells, SizeCells int
	// Window is how its children's addresses translate to CPU
	// addresses, nil where they do not (no ranges up the path).
	Window *Window
	// Addr is the first address of its reg in its parent's address
	// space; HasAddr says it has one.
	Addr    uint64
	HasAddr bool
	// Phandle says the node has a phandle.
	Phandle bool
	// Props are the names of its properties.
	Props []string
	// Overlay is 0 for base nodes, else the Seq of the overlay that
	// added the node.
	Overlay int
}

// Window maps a bus's child addresses [Child, Child+Size) to the CPU
// addresses [CPU, CPU+Size), as its ranges (and its parents') do.
type Window struct {
	Child, CPU, Size uint64
}

// contains reports whether w's CPU range holds o's, and is not o's.
func (w *Window) strictlyHolds(o *Window) bool {
	return o.CPU >= w.CPU && o.CPU+o.Size <= w.CPU+w.Size && (o.CPU != w.CPU || o.Size != w.Size)
}

// GPIOUse is a GPIO line a consumer holds: the provider's path and the
// line number.
type GPIOUse struct {
	Provider string
	Line     int
}

// StatusChange is a status an overlay writes on a live node.
type StatusChange struct {
	Path, Status string
}

// available is of_device_is_available() on a status value.
func available(status string) bool {
	return status == "" || status == "okay" || status == "ok"
}

// State is the live tree as the generator sees it between overlays: the
// base, and the overlays applied since, in order. Generate writes the
// next overlay against it; Apply and Remove record what the kernel did
// with one.
type State struct {
	cat     *Catalog
	base    Base
	applied []*Overlay
	seq     int
}

// NewState returns the state of a tree that is base, with the drivers
// of cat.
func NewState(cat *Catalog, base *Base) *State {
	return &State{cat: cat, base: *base}
}

// Apply records that ov was applied: its nodes, labels, status changes
// and GPIO lines are live for the overlays generated next. Only
// overlays the kernel accepted should be applied.
func (s *State) Apply(ov *Overlay) { s.applied = append(s.applied, ov) }

// Remove records that ov was removed.
func (s *State) Remove(ov *Overlay) {
	s.applied = slices.DeleteFunc(s.applied, func(x *Overlay) bool { return x == ov })
}

// Applied returns the applied overlays, oldest first.
func (s *State) Applied() []*Overlay { return slices.Clone(s.applied) }

// vnode is a live node in a view.
type vnode struct {
	Node
	// names and addrs are its children's names and unit addresses.
	names map[string]bool
	addrs map[uint64]bool
}

// view is the live tree the next overlay is written against.
type view struct {
	nodes    []*vnode
	byPath   map[string]*vnode
	labels   map[string]*vnode
	gpioUsed map[string]map[int]bool
	// cpuUsed holds the CPU granules (address >> 8) of platform devices.
	cpuUsed map[uint64]bool
	windows []*Window
}

func (s *State) view() *view {
	v := &view{byPath: map[string]*vnode{}, labels: map[string]*vnode{}, gpioUsed: map[string]map[int]bool{},
		cpuUsed: map[uint64]bool{}}
	for i := range s.base.Nodes {
		v.add(s.base.Nodes[i])
	}
	v.useGPIOs(s.base.GPIOUses)
	for _, ov := range s.applied {
		for _, n := range ov.Nodes {
			v.add(n)
		}
		for _, sc := range ov.Status {
			if n := v.byPath[sc.Path]; n != nil {
				n.Status = sc.Status
			}
		}
		v.useGPIOs(ov.GPIOUses)
	}
	return v
}

func (v *view) useGPIOs(uses []GPIOUse) {
	for _, u := range uses {
		if v.gpioUsed[u.Provider] == nil {
			v.gpioUsed[u.Provider] = map[int]bool{}
		}
		v.gpioUsed[u.Provider][u.Line] = true
	}
}

func (v *view) add(n Node) {
	vn := &vnode{Node: n, names: map[string]bool{}, addrs: map[uint64]bool{}}
	if old := v.byPath[n.Path]; old != nil {
		// an overlay node merged into a live one: keep the live node
		return
	}
	v.nodes = append(v.nodes, vn)
	v.byPath[n.Path] = vn
	for _, l := range n.Labels {
		v.labels[l] = vn
	}
	if n.Window != nil {
		v.windows = append(v.windows, n.Window)
	}
	if n.Path == "/" {
		return
	}
	parent := v.byPath[parentPath(n.Path)]
	if parent == nil {
		return
	}
	parent.names[baseName(n.Path)] = true
	if n.HasAddr {
		parent.addrs[n.Addr] = true
		if w := parent.Window; w != nil && n.Addr >= w.Child && n.Addr-w.Child < w.Size {
			v.cpuUsed[(n.Addr-w.Child+w.CPU)>>8] = true
		}
	}
}

func parentPath(p string) string {
	i := strings.LastIndexByte(p, '/')
	if i <= 0 {
		return "/"
	}
	return p[:i]
}

func baseName(p string) string { return p[strings.LastIndexByte(p, '/')+1:] }

func joinPath(parent, name string) string {
	if parent == "/" {
		return "/" + name
	}
	return parent + "/" + name
}

// provides reports whether n provides k.
func (n *Node) provides(k Kind) bool { return slices.Contains(n.Provides, k) }

// busKind is the bus kind n provides, or "".
func (n *Node) busKind() Kind {
	for _, k := range n.Provides {
		if k.childBus() != "" {
			return k
		}
	}
	return ""
}
