package gen

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// finish writes the overlay's source and its record of what it adds.
func (g *generator) finish() {
	ov := g.ov
	auto := 0
	for _, f := range g.frag {
		if f.kind == FragLabel || f.kind == FragPath {
			auto++
		}
	}
	var b bytes.Buffer
	b.WriteString("/dts-v1/;\n/plugin/;\n")
	explicit := 0
	for _, f := range g.frag {
		ov.Fragments = append(ov.Fragments, f.kind)
		ov.Actions = append(ov.Actions, f.action)
		ov.Targets = append(ov.Targets, f.path)
		b.WriteString("\n")
		switch f.kind {
		case FragLabel:
			fmt.Fprintf(&b, "&%s {\n", f.label)
			writeBody(&b, f.body, 1)
			b.WriteString("};\n")
		case FragPath:
			fmt.Fprintf(&b, "&{%s} {\n", f.path)
			writeBody(&b, f.body, 1)
			b.WriteString("};\n")
		default:
			// dtc numbers the &-fragments from 0 in file order; an
			// explicit one takes a number after theirs, so none merge
			fmt.Fprintf(&b, "/ {\n\tfragment@%d {\n", auto+explicit)
			explicit++
			if f.kind == FragTarget {
				fmt.Fprintf(&b, "\t\ttarget = <&%s>;\n", f.label)
			} else {
				fmt.Fprintf(&b, "\t\ttarget-path = %q;\n", f.path)
			}
			b.WriteString("\n\t\t__overlay__ {\n")
			writeBody(&b, f.body, 3)
			b.WriteString("\t\t};\n\t};\n};\n")
		}
		if ov.Reject == Valid {
			for _, ch := range f.body.children {
				g.record(ch)
			}
		}
	}
	ov.Source = b.Bytes()
}

// record adds n and its subtree to the overlay's Nodes.
func (g *generator) record(n *onode) {
	rn := Node{Path: n.path, Status: n.status, Compatible: n.compat, AddrCells: -1, SizeCells: -1,
		Window: n.window, Addr: n.addr, HasAddr: n.hasAddr, Overlay: g.ov.Seq}
	if n.label != "" {
		rn.Labels = []string{n.label}
		rn.Phandle = true // dtc -@ gives every labelled node a phandle
	}
	if n.drv != nil {
		rn.Provides = n.bind.Provides
		rn.GPIOLines = n.bind.GPIOLines
	}
	for _, p := range n.props {
		rn.Props = append(rn.Props, p.name)
		switch p.name {
		case "#address-cells":
			rn.AddrCells = cellValue(p.value)
		case "#size-cells":
			rn.SizeCells = cellValue(p.value)
		}
	}
	g.ov.Nodes = append(g.ov.Nodes, rn)
	for _, ch := range n.children {
		g.record(ch)
	}
}

func cellValue(v string) int {
	x, err := strconv.Atoi(strings.Trim(v, "<>"))
	if err != nil {
		return -1
	}
	return x
}

// writeBody writes a node's properties, then its children.
func writeBody(b *bytes.Buffer, n *onode, depth int) {
	ind := strings.Repeat("\t", depth)
	for _, p := range n.props {
		if p.value == "" {
			fmt.Fprintf(b, "%s%s;\n", ind, p.name)
		} else {
			fmt.Fprintf(b, "%s%s = %s;\n", ind, p.name, p.value)
		}
	}
	for i, ch := range n.children {
		if len(n.props) > 0 || i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(ind)
		if ch.label != "" {
			b.WriteString(ch.label + ": ")
		}
		b.WriteString(ch.name + " {\n")
		writeBody(b, ch, depth+1)
		b.WriteString(ind + "};\n")
	}
}
