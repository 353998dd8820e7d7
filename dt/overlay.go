package dt

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// Overlay (/plugin/) generation, following dtc 1.6.1's livetree.c:
// add_orphan_node, generate_label_tree, generate_fixups_tree and
// generate_local_fixups_tree.

// addOrphan wraps the body of a top-level "&ref { }" whose target is not
// in this file into a new fragment@N node of the root:
//
//	fragment@N { target = <&ref>; __overlay__ { body }; };
//
// or target-path = "/path" for &{/path}. N counts orphans in file order.
func (c *compiler) addOrphan(body *lnode, ref string, pos Pos) {
	var target *lprop
	if strings.HasPrefix(ref, "/") {
		target = &lprop{name: "target-path", val: append([]byte(ref), 0), pos: pos}
	} else {
		target = &lprop{
			name:    "target",
			val:     binary.BigEndian.AppendUint32(nil, 0xffffffff),
			markers: []*marker{{kind: refPhandle, offset: 0, ref: ref, pos: pos}},
			pos:     pos,
		}
	}
	body.name = "__overlay__"
	frag := &lnode{name: fmt.Sprintf("fragment@%d", c.nextFragment), props: []*lprop{target}, pos: pos}
	c.nextFragment++
	frag.addChild(body)
	c.root.addChild(frag)
}

// generateSymbols builds /__symbols__ (dtc -@): one property per label,
// label = "path", in tree order and, per node, in label-list order. Every
// node with labels – even labels since deleted – gets a phandle.
func (c *compiler) generateSymbols() {
	found := false
	c.root.walk(func(n *lnode) { found = found || len(n.labels) > 0 })
	if !found {
		return
	}
	syms := c.root.buildChild("__symbols__")
	c.root.walk(func(n *lnode) {
		if len(n.labels) == 0 {
			return
		}
		for _, l := range n.labels {
			// dtc warns about and skips a label already present, which
			// only happens when the source has its own __symbols__.
			if !l.deleted && syms.prop(l.name) == nil {
				syms.props = append(syms.props, &lprop{name: l.name, val: append([]byte(n.fullpath), 0)})
			}
		}
		c.nodePhandle(n)
	})
}

// eachPhandleRef calls fn for every phandle reference of the tree, telling
// whether it resolves inside this file.
func (c *compiler) eachPhandleRef(fn func(n *lnode, p *lprop, m *marker, resolved bool)) {
	c.root.walk(func(n *lnode) {
		for _, p := range n.props {
			if p.deleted {
				continue
			}
			for _, m := range p.markers {
				if m.kind == refPhandle {
					fn(n, p, m, nodeByRef(c.root, m.ref) != nil)
				}
			}
		}
	})
}

// generateFixups builds /__fixups__: for each label the overlay refers to
// but does not define, the list of places to patch, "path:property:offset".
func (c *compiler) generateFixups() {
	found := false
	c.eachPhandleRef(func(_ *lnode, _ *lprop, _ *marker, resolved bool) { found = found || !resolved })
	if !found {
		return
	}
	fixups := c.root.buildChild("__fixups__")
	c.eachPhandleRef(func(n *lnode, p *lprop, m *marker, resolved bool) {
		if resolved {
			return
		}
		if strings.Contains(m.ref, "/") {
			// dtc 1.6.1 writes a property named after the path, which no
			// loader understands; later versions refuse, and so do we.
			c.fail(m.pos, "cannot generate a fixup for path reference %s: the path is not in the overlay", Ref(m.ref))
		}
		if strings.Contains(n.fullpath, ":") || strings.Contains(p.name, ":") {
			c.fail(m.pos, "cannot generate a fixup for %s:%s: names must not contain ':'", n.fullpath, p.name)
		}
		entry := fmt.Sprintf("%s:%s:%d", n.fullpath, p.name, m.offset)
		appendToProp(fixups, m.ref, append([]byte(entry), 0))
	})
}

// generateLocalFixups builds /__local_fixups__: a tree shadowing the
// overlay's nodes whose properties list the offsets of phandles that
// point inside the overlay, so a loader can renumber them.
func (c *compiler) generateLocalFixups() {
	found := false
	c.eachPhandleRef(func(_ *lnode, _ *lprop, _ *marker, resolved bool) { found = found || resolved })
	if !found {
		return
	}
	local := c.root.buildChild("__local_fixups__")
	c.eachPhandleRef(func(n *lnode, p *lprop, m *marker, resolved bool) {
		if !resolved {
			return
		}
		// The path is rebuilt from parent links, as dtc does: a node
		// without a parent link counts as the root (see buildNode).
		var path []string
		for w := n; w.parent != nil; w = w.parent {
			path = append(path, w.name)
		}
		w := local
		for i := len(path) - 1; i >= 0; i-- {
			w = w.buildChild(path[i])
		}
		appendToProp(w, p.name, binary.BigEndian.AppendUint32(nil, uint32(m.offset)))
	})
}

// appendToProp appends data to the live property name of n, creating it
// at the end if needed (dtc's append_to_property).
func appendToProp(n *lnode, name string, data []byte) {
	p := n.prop(name)
	if p == nil {
		p = &lprop{name: name}
		n.props = append(n.props, p)
	}
	p.val = append(p.val, data...)
}
