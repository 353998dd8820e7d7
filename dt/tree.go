package dt

import (
	"bytes"
	"encoding/binary"
	"slices"
	"strings"
)

// Tree is a compiled device tree: the structure that dtc writes into a
// .dtb/.dtbo and that the kernel unflattens. Property values are raw bytes
// (cells big-endian, strings NUL-terminated), exactly as in a blob.
//
// Overlay trees (compiled from a /plugin/ source) have the layout dtc -@
// produces: fragment@N { target = <phandle> | target-path = "…"; __overlay__ {…} },
// plus __fixups__, __local_fixups__ and __symbols__ where they apply.
type Tree struct {
	Root       *Node
	MemReserve []MemReserve
}

// MemReserve is one /memreserve/ entry.
type MemReserve struct {
	Address, Size uint64
}

// Node is a node of a compiled tree. Name is the full node name including
// the unit address ("i2c@1000"); the root's Name is "".
// Children and Props keep source order (the order dtc emits).
type Node struct {
	Name     string
	Labels   []string
	Props    []*Property
	Children []*Node
}

// Property is a property of a compiled tree.
type Property struct {
	Name   string
	Value  []byte
	Labels []string
}

// Prop returns the property called name, or nil.
func (n *Node) Prop(name string) *Property {
	for _, p := range n.Props {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// Child returns the child called name (full name, with unit address), or nil.
func (n *Node) Child(name string) *Node {
	for _, c := range n.Children {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Find returns the node at an absolute path ("/", "/soc/i2c@1000"), or nil.
func (t *Tree) Find(path string) *Node {
	if t == nil || t.Root == nil || !strings.HasPrefix(path, "/") {
		return nil
	}
	n := t.Root
	for _, comp := range strings.Split(strings.Trim(path, "/"), "/") {
		if comp == "" {
			continue
		}
		n = n.Child(comp)
		if n == nil {
			return nil
		}
	}
	return n
}

// String returns the property's value as a string: the bytes before the
// first NUL. ok is false when the value contains no NUL, like the
// kernel's of_property_read_string.
func (p *Property) String() (s string, ok bool) {
	i := bytes.IndexByte(p.Value, 0)
	if i < 0 {
		return "", false
	}
	return string(p.Value[:i]), true
}

// Strings returns the NUL-separated strings of a string-list value
// ("compatible"), or nil when the value is empty or its last string is
// not NUL-terminated.
func (p *Property) Strings() []string {
	if len(p.Value) == 0 || p.Value[len(p.Value)-1] != 0 {
		return nil
	}
	return strings.Split(string(p.Value[:len(p.Value)-1]), "\x00")
}

// U32s returns the value as big-endian 32-bit cells. ok is false when the
// length is not a multiple of 4; an empty value gives no cells and true.
func (p *Property) U32s() (cells []uint32, ok bool) {
	if len(p.Value)%4 != 0 {
		return nil, false
	}
	for i := 0; i < len(p.Value); i += 4 {
		cells = append(cells, binary.BigEndian.Uint32(p.Value[i:]))
	}
	return cells, true
}

// Clone returns a deep copy of t (nil slices stay nil, empty ones empty).
func (t *Tree) Clone() *Tree {
	if t == nil {
		return nil
	}
	c := &Tree{MemReserve: slices.Clone(t.MemReserve)}
	if t.Root != nil {
		c.Root = t.Root.Clone()
	}
	return c
}

// Clone returns a deep copy of n and its subtree.
func (n *Node) Clone() *Node {
	c := &Node{Name: n.Name, Labels: slices.Clone(n.Labels)}
	if n.Props != nil {
		c.Props = make([]*Property, len(n.Props))
		for i, p := range n.Props {
			c.Props[i] = &Property{Name: p.Name, Value: slices.Clone(p.Value), Labels: slices.Clone(p.Labels)}
		}
	}
	if n.Children != nil {
		c.Children = make([]*Node, len(n.Children))
		for i, ch := range n.Children {
			c.Children[i] = ch.Clone()
		}
	}
	return c
}

// Label returns the node carrying label name and its path, or nil.
func (t *Tree) Label(name string) (*Node, string) {
	if t == nil || t.Root == nil {
		return nil, ""
	}
	var walk func(n *Node, path string) (*Node, string)
	walk = func(n *Node, path string) (*Node, string) {
		for _, l := range n.Labels {
			if l == name {
				return n, path
			}
		}
		for _, c := range n.Children {
			if found, p := walk(c, strings.TrimSuffix(path, "/")+"/"+c.Name); found != nil {
				return found, p
			}
		}
		return nil, ""
	}
	return walk(t.Root, "/")
}
