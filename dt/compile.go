package dt

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
)

// CompileOptions are the dtc options that change the compiled tree.
type CompileOptions struct {
	// Symbols adds a /__symbols__ node that maps every node label to the
	// node's path, as dtc -@ does. Like dtc it also gives every labelled
	// node a phandle, so that an overlay can refer to it later.
	Symbols bool
}

// Compile compiles f into the tree that dtc 1.6.1 (dtc -I dts -O dtb,
// with -@ when opts.Symbols is set) writes into a blob: the same nodes,
// properties, values and phandle numbers, in the same order. A /plugin/
// file becomes an overlay with fragment@N nodes, __fixups__ and
// __local_fixups__, exactly as dtc generates them.
//
// Compile rejects what dtc rejects: references to undefined labels,
// duplicate labels, node names or property names, bad name characters,
// values out of range and so on. Errors are *Error values pointing at
// the offending source.
func Compile(f *File, opts CompileOptions) (t *Tree, err error) {
	if f == nil {
		return nil, &Error{Msg: "no file"}
	}
	c := &compiler{file: f.Name, plugin: f.Plugin, symbols: opts.Symbols, nextPhandle: 1}
	defer func() {
		if r := recover(); r != nil {
			ce, ok := r.(compileError)
			if !ok {
				panic(r)
			}
			t, err = nil, errorf(c.file, ce.pos, "%s", ce.msg)
		}
	}()
	c.build(f)
	c.check()
	// dtc's order (dtc.c): checks, then __symbols__, then the fixups.
	if c.symbols {
		c.generateSymbols()
	}
	if c.plugin {
		c.generateFixups()
		c.generateLocalFixups()
	}
	return c.tree(), nil
}

// Load parses and compiles src.
func Load(filename string, src []byte, opts CompileOptions) (*Tree, *File, error) {
	f, err := Parse(filename, src)
	if err != nil {
		return nil, nil, err
	}
	t, err := Compile(f, opts)
	if err != nil {
		return nil, f, err
	}
	return t, f, nil
}

type compiler struct {
	file         string
	plugin       bool
	symbols      bool
	root         *lnode
	mem          []MemReserve
	nextFragment int    // dtc's next_orphan_fragment
	nextPhandle  uint32 // the static counter of dtc's get_node_phandle
}

// build replays dtc's parser actions: nodes are built bottom-up and
// top-level blocks merged into the tree one after the other, so a
// reference can only name a label defined earlier in the file.
func (c *compiler) build(f *File) {
	for _, m := range f.MemReserves {
		if m != nil {
			c.mem = append(c.mem, MemReserve{Address: c.eval(m.Address), Size: c.eval(m.Size)})
		}
	}
	// dtc writes every entry, but in the blob an entry of size 0 ends the
	// reserve map, for dtc's reader, libfdt and the kernel alike; the Tree
	// holds what they see.
	for i, m := range c.mem {
		if m.Size == 0 {
			c.mem = slices.Clip(c.mem[:i])
			if i == 0 {
				c.mem = nil
			}
			break
		}
	}
	first := true
	for _, d := range f.Nodes {
		if d == nil {
			continue
		}
		c.topLevel(d, first)
		first = false
	}
	if c.root == nil {
		c.fail(Pos{1, 1}, "no root node")
	}
}

func (c *compiler) topLevel(d *NodeDef, first bool) {
	ref := string(d.Ref)
	if first {
		switch {
		case d.IsStatement(true) || len(d.Labels) > 0 || (d.Name != "/" && ref == ""):
			c.fail(d.Pos, "the first block must be the root node '/ { }' or a '&reference { }' block")
		case ref == "":
			c.root = c.buildNode(d)
			c.root.name = ""
		case !c.plugin:
			c.fail(d.Pos, "label or path %s not found", d.Ref)
		default:
			body := c.buildNode(d)
			c.root = &lnode{pos: d.Pos}
			c.addOrphan(body, ref, d.Pos)
		}
		return
	}
	if ref == "" {
		if d.Name != "/" || d.IsStatement(true) {
			c.fail(d.Pos, "a top-level block must be '/ { }' or '&reference { }'")
		}
		mergeNodes(c.root, c.buildNode(d))
		return
	}
	if d.IsStatement(true) {
		target := nodeByRef(c.root, ref)
		if target == nil {
			c.fail(d.Pos, "label or path %s not found", d.Ref)
		}
		if d.Delete {
			deleteNode(target)
		} else {
			target.omitIfUnused = true
		}
		return
	}
	body := c.buildNode(d)
	target := nodeByRef(c.root, ref)
	switch {
	case len(d.Labels) > 0:
		// "lbl: &ref { }" labels the target; dtc has no orphan form of it.
		if target == nil {
			c.fail(d.Pos, "label or path %s not found", d.Ref)
		}
		for _, l := range d.Labels {
			addLabel(&target.labels, l)
		}
		mergeNodes(target, body)
	case c.plugin && d.Ref.IsPath():
		// In an overlay a path always names a node of the base tree.
		c.addOrphan(body, ref, d.Pos)
	case target != nil:
		mergeNodes(target, body)
	case c.plugin:
		c.addOrphan(body, ref, d.Pos)
	default:
		c.fail(d.Pos, "label or path %s not found", d.Ref)
	}
}

// buildNode builds a fresh node from a block (dtc's nodedef). Its name
// is set by the caller.
func (c *compiler) buildNode(d *NodeDef) *lnode {
	n := &lnode{pos: d.Pos}
	for _, pd := range d.Props {
		if pd == nil {
			continue
		}
		p := &lprop{name: pd.Name, pos: pd.Pos, deleted: pd.Delete}
		if !pd.Delete {
			p.val, p.markers = c.encodeValues(pd.Values)
		}
		addLabelsLikeDTC(&p.labels, pd.Labels)
		n.props = append(n.props, p)
	}
	for _, cd := range d.Children {
		if cd == nil {
			continue
		}
		var child *lnode
		if cd.Delete {
			child = &lnode{deleted: true, pos: cd.Pos}
		} else {
			child = c.buildNode(cd)
		}
		child.name = cd.Name
		child.omitIfUnused = cd.OmitIfNoRef
		addLabelsLikeDTC(&child.labels, cd.Labels)
		if cd.Delete {
			// dtc's build_node sets the parent of live children only. A
			// /delete-node/ placeholder brought back by a later block keeps
			// a nil parent, which truncates its __local_fixups__ paths.
			n.children = append(n.children, child)
		} else {
			n.addChild(child)
		}
	}
	return n
}

// addLabelsLikeDTC adds the labels written before an item. dtc's grammar
// is right-recursive (DT_LABEL subnode), so the label nearest the name is
// added first and, added at the front, ends up last.
func addLabelsLikeDTC(ls *[]*label, names []string) {
	for i := len(names) - 1; i >= 0; i-- {
		addLabel(ls, names[i])
	}
}

// check runs the checks of dtc's checks.c that can fail or change the
// output, in dtc's order. The others only warn.
func (c *compiler) check() {
	root := c.root
	fillFullpaths(root, "")
	root.walk(c.checkDuplicateNames)
	root.walk(c.checkNameChars)
	root.walk(c.checkNameProperty)
	root.walk(c.checkDuplicateLabels)
	root.walk(c.checkExplicitPhandles)
	root.walk(c.fixupPhandleReferences)
	root.walk(c.fixupPathReferences)
	root.walk(c.omitUnusedNodes)
}

// checkDuplicateNames is dtc's check_duplicate_node_names and
// check_duplicate_property_names: each live node (property) against every
// later sibling, the first pair found fails. dtc's loops are quadratic, a
// 20k-child overlay node took most of its compile in them; firstDuplicate
// finds the same pair in one pass.
func (c *compiler) checkDuplicateNames(n *lnode) {
	// dtc compares with every later sibling, deleted or not: a
	// /delete-node/ in the block that defines the node is a duplicate.
	if _, j := firstDuplicate(len(n.children), func(i int) string { return n.children[i].name },
		func(i int) bool { return n.children[i].deleted }, false); j >= 0 {
		b := n.children[j]
		c.fail(b.pos, "duplicate node name %q in %s", b.name, n.fullpath)
	}
	if _, j := firstDuplicate(len(n.props), func(i int) string { return n.props[i].name },
		func(i int) bool { return n.props[i].deleted }, true); j >= 0 {
		b := n.props[j]
		c.fail(b.pos, "duplicate property name %q in %s", b.name, n.fullpath)
	}
}

// firstDuplicate returns the first pair (i, j), i < j, in the order of
//
//	for i := range n { if !deleted(i) { for j := i+1; j < n; j++ { if (!liveOnly || !deleted(j)) && name(i) == name(j) ...
//
// or (-1, -1). Short lists run those loops; longer ones note, walking
// back, the next index with the same name (among live ones with
// liveOnly), so the first live i with a next one gives the pair.
func firstDuplicate(n int, name func(int) string, deleted func(int) bool, liveOnly bool) (int, int) {
	if n <= 32 {
		for i := 0; i < n; i++ {
			if deleted(i) {
				continue
			}
			for j := i + 1; j < n; j++ {
				if (!liveOnly || !deleted(j)) && name(i) == name(j) {
					return i, j
				}
			}
		}
		return -1, -1
	}
	next := make([]int, n)
	seen := make(map[string]int, n)
	for i := n - 1; i >= 0; i-- {
		nm := name(i)
		if j, ok := seen[nm]; ok {
			next[i] = j
		} else {
			next[i] = -1
		}
		if !liveOnly || !deleted(i) {
			seen[nm] = i
		}
	}
	for i := 0; i < n; i++ {
		if !deleted(i) && next[i] >= 0 {
			return i, next[i]
		}
	}
	return -1, -1
}

const (
	nodeChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789,._+-@"
	propChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789,._+*#?-"
)

func (c *compiler) checkNameChars(n *lnode) {
	if n != c.root {
		if n.name == "" {
			c.fail(n.pos, "empty node name at %s", n.fullpath)
		}
		if i := strings.IndexFunc(n.name, func(r rune) bool { return !strings.ContainsRune(nodeChars, r) }); i >= 0 {
			c.fail(n.pos, "bad character %q in node name %q", n.name[i], n.name)
		}
		if _, unit, _ := strings.Cut(n.name, "@"); strings.Contains(unit, "@") {
			c.fail(n.pos, "multiple '@' characters in node name %q", n.name)
		}
	}
	for _, p := range n.props {
		if p.deleted {
			continue
		}
		if p.name == "" {
			c.fail(p.pos, "empty property name in %s", n.fullpath)
		}
		if i := strings.IndexFunc(p.name, func(r rune) bool { return !strings.ContainsRune(propChars, r) }); i >= 0 {
			c.fail(p.pos, "bad character %q in property name %q", p.name[i], p.name)
		}
	}
}

// checkNameProperty mirrors dtc's name_is_string and name_properties: a
// "name" property must be a string, and one equal to the node's base
// name is redundant and dropped.
func (c *compiler) checkNameProperty(n *lnode) {
	if p := n.prop("name"); p != nil && !isOneString(p.val) {
		c.fail(p.pos, "\"name\" property is not a string")
	}
	for i, p := range n.props {
		if p.name != "name" {
			continue
		}
		base, _, _ := strings.Cut(n.name, "@")
		if len(p.val) != len(base)+1 || !bytes.HasPrefix(p.val, []byte(base)) {
			c.fail(p.pos, "\"name\" property is incorrect (%q instead of base node name)", strings.TrimRight(string(p.val), "\x00"))
		}
		n.props = append(n.props[:i:i], n.props[i+1:]...)
		return
	}
}

func isOneString(v []byte) bool {
	return len(v) > 0 && bytes.IndexByte(v, 0) == len(v)-1
}

// checkDuplicateLabels: a label may name only one node, property or
// value position (dtc's duplicate_label, which looks labels up in that
// order).
func (c *compiler) checkDuplicateLabels(n *lnode) {
	for _, l := range liveLabels(n.labels) {
		c.checkLabel(l, n, nil, nil, n.pos)
	}
	for _, p := range n.props {
		if p.deleted {
			continue
		}
		for _, l := range liveLabels(p.labels) {
			c.checkLabel(l, n, p, nil, p.pos)
		}
		for _, m := range p.markers {
			if m.kind == labelMark {
				c.checkLabel(m.ref, n, p, m, m.pos)
			}
		}
	}
}

func (c *compiler) checkLabel(name string, n *lnode, p *lprop, m *marker, pos Pos) {
	on, op, om := findLabel(c.root, name)
	if on != nil && (on != n || op != p || om != m) {
		c.fail(pos, "duplicate label %q on %s and %s", name, describeLabel(n, p, m), describeLabel(on, op, om))
	}
}

func describeLabel(n *lnode, p *lprop, m *marker) string {
	switch {
	case m != nil:
		return fmt.Sprintf("value of '%s' in %s", p.name, n.fullpath)
	case p != nil:
		return fmt.Sprintf("'%s' in %s", p.name, n.fullpath)
	}
	return n.fullpath
}

// findLabel finds the first carrier of a label: a node, else a property,
// else a position inside a value (get_node_by_label,
// get_property_by_label, get_marker_label).
func findLabel(root *lnode, name string) (*lnode, *lprop, *marker) {
	if n := nodeByLabel(root, name); n != nil {
		return n, nil, nil
	}
	var fn *lnode
	var fp *lprop
	var fm *marker
	root.walk(func(n *lnode) {
		for _, p := range n.props {
			if fn == nil && !p.deleted && hasLabel(p.labels, name) {
				fn, fp = n, p
			}
		}
	})
	if fn != nil {
		return fn, fp, nil
	}
	root.walk(func(n *lnode) {
		for _, p := range n.props {
			for _, m := range p.markers {
				if fn == nil && !p.deleted && m.kind == labelMark && m.ref == name {
					fn, fp, fm = n, p, m
				}
			}
		}
	})
	return fn, fp, fm
}

// checkExplicitPhandles records phandles set in the source (dtc's
// explicit_phandles).
func (c *compiler) checkExplicitPhandles(n *lnode) {
	ph := c.phandleProp(n, "phandle")
	lph := c.phandleProp(n, "linux,phandle")
	if ph == 0 && lph == 0 {
		return
	}
	if ph != 0 && lph != 0 && ph != lph {
		c.fail(n.pos, "mismatching 'phandle' and 'linux,phandle' properties in %s", n.fullpath)
	}
	if ph == 0 {
		ph = lph
	}
	if other := nodeByPhandle(c.root, ph); other != nil && other != n {
		c.fail(n.prop("phandle").posOr(n.pos), "duplicated phandle %#x in %s (seen before at %s)", ph, n.fullpath, other.fullpath)
	}
	n.phandle = ph
}

func (p *lprop) posOr(def Pos) Pos {
	if p == nil {
		return def
	}
	return p.pos
}

func (c *compiler) phandleProp(n *lnode, name string) uint32 {
	p := n.prop(name)
	if p == nil {
		return 0
	}
	if len(p.val) != 4 {
		c.fail(p.pos, "bad length (%d) %s property", len(p.val), name)
	}
	for _, m := range p.markers {
		if m.kind != refPhandle {
			continue
		}
		// phandle = <&self> asks for a phandle to be allocated.
		if nodeByRef(c.root, m.ref) != n {
			c.fail(m.pos, "%s is a reference to another node", name)
		}
		return 0
	}
	ph := binary.BigEndian.Uint32(p.val)
	if !phandleValid(ph) {
		c.fail(p.pos, "bad value (%#x) in %s property", ph, name)
	}
	return ph
}

// nodePhandle returns n's phandle, allocating the lowest free number
// above the last one allocated and adding a "phandle" property if there
// is none (dtc's get_node_phandle).
func (c *compiler) nodePhandle(n *lnode) uint32 {
	if phandleValid(n.phandle) {
		return n.phandle
	}
	for nodeByPhandle(c.root, c.nextPhandle) != nil {
		c.nextPhandle++
	}
	n.phandle = c.nextPhandle
	if n.prop("phandle") == nil {
		n.props = append(n.props, &lprop{name: "phandle", val: binary.BigEndian.AppendUint32(nil, n.phandle), pos: n.pos})
	}
	return n.phandle
}

// fixupPhandleReferences replaces &ref cells by phandles; in an overlay a
// reference that does not resolve becomes 0xffffffff, for __fixups__.
func (c *compiler) fixupPhandleReferences(n *lnode) {
	for _, p := range n.props {
		if p.deleted {
			continue
		}
		for _, m := range p.markers {
			if m.kind != refPhandle {
				continue
			}
			target := nodeByRef(c.root, m.ref)
			if target == nil {
				if !c.plugin {
					c.fail(m.pos, "reference to non-existent node or label %s", Ref(m.ref))
				}
				binary.BigEndian.PutUint32(p.val[m.offset:], 0xffffffff)
				continue
			}
			binary.BigEndian.PutUint32(p.val[m.offset:], c.nodePhandle(target))
			target.referenced = true
		}
	}
}

// fixupPathReferences inserts the path of each bare &ref, moving the
// markers after it.
func (c *compiler) fixupPathReferences(n *lnode) {
	for _, p := range n.props {
		if p.deleted {
			continue
		}
		for i, m := range p.markers {
			if m.kind != refPath {
				continue
			}
			target := nodeByRef(c.root, m.ref)
			if target == nil {
				c.fail(m.pos, "reference to non-existent node or label %s", Ref(m.ref))
			}
			path := append([]byte(target.fullpath), 0)
			val := make([]byte, 0, len(p.val)+len(path))
			val = append(append(append(val, p.val[:m.offset]...), path...), p.val[m.offset:]...)
			p.val = val
			for _, later := range p.markers[i+1:] {
				later.offset += len(path)
			}
			target.referenced = true
		}
	}
}

// omitUnusedNodes deletes /omit-if-no-ref/ nodes nothing referred to.
// With -@ dtc keeps labelled nodes, since an overlay might refer to them.
func (c *compiler) omitUnusedNodes(n *lnode) {
	if c.symbols && len(n.labels) > 0 {
		return
	}
	if n.omitIfUnused && !n.referenced {
		deleteNode(n)
	}
}

// tree converts the live tree into a Tree, dropping what was deleted.
func (c *compiler) tree() *Tree {
	if c.root.deleted {
		c.fail(c.root.pos, "the root node is deleted (dtc would write a broken blob)")
	}
	return &Tree{Root: convertNode(c.root), MemReserve: c.mem}
}

func convertNode(n *lnode) *Node {
	out := &Node{Name: n.name, Labels: liveLabels(n.labels)}
	for _, p := range n.props {
		if !p.deleted {
			// the encoded value itself when it has no spare room
			// (encodeValues sizes it): the compiler is dropped after
			// this and a Tree's values are never written; else a copy
			// of just the bytes
			val := p.val
			if cap(val) != len(val) {
				val = append([]byte(nil), val...)
			}
			out.Props = append(out.Props, &Property{
				Name:   p.name,
				Value:  val,
				Labels: liveLabels(p.labels),
			})
		}
	}
	for _, ch := range n.children {
		if !ch.deleted {
			out.Children = append(out.Children, convertNode(ch))
		}
	}
	return out
}
