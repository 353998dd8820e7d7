package crash

import (
	"fmt"
	"sort"
	"strconv"

	"dangle/crash/draw"
	"dangle/sim"
	"dangle/sim/core"
	"dangle/sim/kobj"
	"dangle/sim/of"
)

// graphOf is the device / link / node graph of k now: every device the
// driver core knows (registered or not yet released) with its parent,
// its device-tree node and its supplier links, and every dynamic
// device-tree node (added by an overlay or a changeset) with its
// refcount.
func graphOf(k *sim.Kernel) *draw.Graph {
	g := &draw.Graph{}
	ids := map[*kobj.Object]string{}
	id := func(o *kobj.Object) string {
		if s, ok := ids[o]; ok {
			return s
		}
		s := "o" + strconv.Itoa(o.ID)
		ids[o] = s
		return s
	}
	nodeSeen := map[*of.Node]bool{}
	addNode := func(n *of.Node) string {
		o := n.Obj()
		if !nodeSeen[n] {
			nodeSeen[n] = true
			g.Nodes = append(g.Nodes, draw.GraphNode{ID: id(o), Label: fmt.Sprintf("%s\nrefcount %d", n.Path(), o.Ref()), Kind: "node", Gone: o.Freed()})
		}
		return id(o)
	}
	devs := k.Core.Devices()
	for _, d := range devs {
		if d.Class == "devlink" {
			continue // drawn as the link edge
		}
		o := d.Obj()
		label := d.Name
		if d.Driver != nil {
			label += "\ndriver " + d.Driver.Name
		} else if d.Class != "" {
			label += "\nclass " + d.Class
		}
		label += fmt.Sprintf("\nrefcount %d", o.Ref())
		g.Nodes = append(g.Nodes, draw.GraphNode{ID: id(o), Label: label, Kind: "device", Gone: o.Freed() || !d.Registered()})
	}
	for _, d := range devs {
		if d.Class == "devlink" {
			continue
		}
		if d.Parent != nil && d.Parent.Class != "devlink" {
			ensureObject(g, d.Parent.Obj())
			g.Edges = append(g.Edges, draw.GraphEdge{From: id(d.Obj()), To: id(d.Parent.Obj()), Kind: "parent"})
		}
		if d.OfNode != nil {
			g.Edges = append(g.Edges, draw.GraphEdge{From: id(d.Obj()), To: addNode(d.OfNode), Kind: "of_node"})
		}
		sup, _ := d.Links()
		for _, l := range sup {
			g.Edges = append(g.Edges, draw.GraphEdge{From: id(l.Supplier.Obj()), To: id(l.Consumer.Obj()), Kind: "link", Label: linkLabel(l)})
		}
	}
	// dynamic nodes no device points at: an overlay's nodes
	var walk func(n *of.Node)
	walk = func(n *of.Node) {
		if n.Obj() != nil && n.Obj().Dynamic && !nodeSeen[n] {
			addNode(n)
		}
		for c := range n.Children() {
			walk(c)
		}
	}
	if k.OF.Root != nil {
		walk(k.OF.Root)
	}
	return g
}

func linkLabel(l *core.Link) string {
	return fmt.Sprintf("link %v", l.Status)
}

// ensureObject adds o to the graph if it is not there yet: an object the
// finding names that the live lists no longer reach (a node an overlay
// removal detached, a device already unregistered).
func ensureObject(g *draw.Graph, o *kobj.Object) {
	oid := "o" + strconv.Itoa(o.ID)
	for _, n := range g.Nodes {
		if n.ID == oid {
			return
		}
	}
	kind := "object"
	label := o.Type + " " + o.Name
	switch o.Type {
	case "device":
		kind, label = "device", o.Name
		if !o.Freed() && o.Dynamic { // (platform_bus is static, never listed)
			label += "\nunregistered, not yet released"
		}
	case "device_node":
		kind, label = "node", o.Name
	}
	state := fmt.Sprintf("\nrefcount %d", o.Ref())
	if o.Freed() {
		state = "\nfreed"
	}
	g.Nodes = append(g.Nodes, draw.GraphNode{ID: oid, Label: label + state, Kind: kind, Gone: o.Freed()})
}

// markCulprits marks the graph nodes of the objects a finding names,
// adding those the live lists no longer reach.
func markCulprits(g *draw.Graph, objs []*kobj.Object) {
	want := map[string]bool{}
	for _, o := range objs {
		want["o"+strconv.Itoa(o.ID)] = true
		ensureObject(g, o)
	}
	for i := range g.Nodes {
		if want[g.Nodes[i].ID] {
			g.Nodes[i].Culprit = true
		}
	}
}

// driversOf returns the names of the drivers bound to the devices among
// objs, or to their nearest bound parent, sorted.
func driversOf(k *sim.Kernel, objs []*kobj.Object) []string {
	want := map[*kobj.Object]bool{}
	for _, o := range objs {
		want[o] = true
	}
	seen := map[string]bool{}
	var out []string
	for _, d := range k.Core.Devices() {
		if !want[d.Obj()] {
			continue
		}
		for p := d; p != nil; p = p.Parent {
			if p.Driver != nil {
				if !seen[p.Driver.Name] {
					seen[p.Driver.Name] = true
					out = append(out, p.Driver.Name)
				}
				break
			}
		}
	}
	sort.Strings(out)
	return out
}
