package draw

import (
	"fmt"
	"strings"
)

// Graph is the device / device-link / device-tree node graph at the
// moment of a failure.
type Graph struct {
	Title string
	Nodes []GraphNode
	Edges []GraphEdge
}

// GraphNode is a device, a device-tree node or another object.
type GraphNode struct {
	ID    string // unique, stable
	Label string
	// Kind is "device", "node" (device_node) or "object".
	Kind string
	// Culprit: named by the finding. Gone: freed or unregistered.
	Culprit, Gone bool
}

// GraphEdge is a relation: "parent", "of_node", "link" (supplier ->
// consumer), "holds" (a reference).
type GraphEdge struct {
	From, To string
	Kind     string
	Label    string
}

// DOT renders the graph for Graphviz's dot.
func (g *Graph) DOT() []byte {
	var b strings.Builder
	b.WriteString("digraph dangle {\n")
	fmt.Fprintf(&b, "\tlabel=%s; labelloc=t; fontsize=16; fontname=\"DejaVu Sans\";\n", quote(g.Title))
	b.WriteString("\trankdir=LR; node [fontname=\"DejaVu Sans Mono\", fontsize=10]; edge [fontname=\"DejaVu Sans\", fontsize=9];\n")
	for _, n := range g.Nodes {
		shape, style, fill, color := "ellipse", "solid", "white", "black"
		switch n.Kind {
		case "device":
			shape, style, fill = "box", "rounded,filled", "#e8f0fe"
		case "node":
			shape, style, fill = "note", "filled", "#f3f3f3"
		}
		if n.Gone {
			style, color = "dashed", "#999999"
		}
		attrs := []string{"label=" + quote(n.Label), "shape=" + shape, "style=" + quote(style), "fillcolor=" + quote(fill), "color=" + quote(color)}
		if n.Culprit {
			attrs = []string{"label=" + quote(n.Label), "shape=" + shape, `style="filled,bold"`, `fillcolor="#fde8e8"`, `color="#c00000"`, "penwidth=2.5"}
		}
		fmt.Fprintf(&b, "\t%s [%s];\n", quote(n.ID), strings.Join(attrs, ", "))
	}
	for _, e := range g.Edges {
		attrs := []string{}
		if e.Label != "" {
			attrs = append(attrs, "label="+quote(e.Label))
		}
		switch e.Kind {
		case "parent":
			attrs = append(attrs, "style=dashed", "color=\"#888888\"", "arrowhead=empty")
		case "of_node":
			attrs = append(attrs, "style=dotted", "color=\"#555555\"")
		case "link":
			attrs = append(attrs, "color=\"#1a7f37\"", "penwidth=1.8")
		case "holds":
			attrs = append(attrs, "color=\"#c00000\"", "fontcolor=\"#c00000\"", "penwidth=1.8")
		}
		fmt.Fprintf(&b, "\t%s -> %s [%s];\n", quote(e.From), quote(e.To), strings.Join(attrs, ", "))
	}
	b.WriteString("}\n")
	return []byte(b.String())
}

func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

// Around returns the graph cut to at most max nodes: the culprits and
// what is nearest them (breadth first over the edges, either way), with
// the edges among those. A graph that fits, or has no culprit, is
// returned as it is. A real board's tree has hundreds of devices; the
// finding concerns a few.
func (g *Graph) Around(max int) *Graph {
	if len(g.Nodes) <= max {
		return g
	}
	adj := map[string][]string{}
	for _, e := range g.Edges {
		adj[e.From] = append(adj[e.From], e.To)
		adj[e.To] = append(adj[e.To], e.From)
	}
	keep := map[string]bool{}
	var queue []string
	for _, n := range g.Nodes {
		if n.Culprit && len(keep) < max {
			keep[n.ID] = true
			queue = append(queue, n.ID)
		}
	}
	if len(queue) == 0 {
		return g
	}
	for len(queue) > 0 && len(keep) < max {
		id := queue[0]
		queue = queue[1:]
		for _, nb := range adj[id] {
			if !keep[nb] && len(keep) < max {
				keep[nb] = true
				queue = append(queue, nb)
			}
		}
	}
	out := &Graph{Title: fmt.Sprintf("%s (the %d of %d objects nearest the finding)", g.Title, len(keep), len(g.Nodes))}
	for _, n := range g.Nodes {
		if keep[n.ID] {
			out.Nodes = append(out.Nodes, n)
		}
	}
	for _, e := range g.Edges {
		if keep[e.From] && keep[e.To] {
			out.Edges = append(out.Edges, e)
		}
	}
	return out
}
