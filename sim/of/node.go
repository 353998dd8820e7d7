package of

import (
	"bytes"
	"iter"
	"strings"

	"dangle/sim/kobj"
)

// Flags are the device_node flags (include/linux/of.h bit numbers).
type Flags uint16

const (
	OF_DYNAMIC           Flags = 1 << 1
	OF_DETACHED          Flags = 1 << 2
	OF_POPULATED         Flags = 1 << 3
	OF_POPULATED_BUS     Flags = 1 << 4
	OF_OVERLAY           Flags = 1 << 5
	OF_OVERLAY_FREE_CSET Flags = 1 << 6
)

var flagNames = []struct {
	f    Flags
	name string
}{{OF_DYNAMIC, "DYNAMIC"}, {OF_DETACHED, "DETACHED"}, {OF_POPULATED, "POPULATED"},
	{OF_POPULATED_BUS, "POPULATED_BUS"}, {OF_OVERLAY, "OVERLAY"}, {OF_OVERLAY_FREE_CSET, "OVERLAY_FREE_CSET"}}

func (f Flags) String() string {
	var parts []string
	for _, n := range flagNames {
		if f&n.f != 0 {
			parts = append(parts, n.name)
		}
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, "|")
}

// FWNODE_FLAG_NOT_DEVICE is the fwnode flag __of_attach_node sets.
const FWNODE_FLAG_NOT_DEVICE = 1 << 1

// Node is a struct device_node.
//
// Invariants: Parent holds no reference (as in the kernel); child and
// sibling are the kernel's singly linked child list (np->child, then each
// child's np->sibling), head first (__of_attach_node inserts at the
// head); Props is the properties list in list order; Deadprops is head first
// (removed properties are pushed at the head); obj.Ref() is the kobject
// kref. A node of an overlay's unflattened tree has mem set to that
// overlay's overlay_mem allocation.
type Node struct {
	obj      *kobj.Object
	FullName string // full_name: the node name with unit address ("" for an FDT root)
	Parent   *Node
	// child is np->child, the head of the child list; sibling is
	// np->sibling, the next child of Parent. __of_detach_node() leaves a
	// detached node's sibling as it was, so a walk standing on it goes
	// on to the node that followed it (of_get_next_child()).
	child, sibling *Node
	Props          []*Property
	Deadprops      []*Property
	Flags          Flags
	Phandle        uint32
	// FwnodeFlags are the embedded fwnode's flags.
	FwnodeFlags uint8
	// Dev is the device bound to this node's fwnode (fwnode->dev), owned
	// by the driver core; nil when none.
	Dev any
	// inSysfs is kobj.state_in_sysfs: of_node_is_attached().
	inSysfs bool
	mem     *kobj.Object
}

// Obj returns the node's registry object.
func (n *Node) Obj() *kobj.Object { return n.obj }

// Check reports whether all bits of f are set (of_node_check_flag).
func (n *Node) Check(f Flags) bool { return n.Flags&f == f }

// IsAttached is of_node_is_attached(): the node is in sysfs.
func (n *Node) IsAttached() bool { return n.inSysfs }

// Path returns the node's path as %pOF prints it: the root of an
// unflattened tree prints as its full_name, "" (so "%pOF/%s" of a child of
// the root reads "/name"); NULL prints "(null)".
func (n *Node) Path() string {
	if n == nil {
		return "(null)"
	}
	if n.Parent == nil {
		return n.FullName
	}
	// one allocation, the string itself: the ancestors go on a stack
	// array and the builder is sized first (Path runs for every object
	// name and changeset property)
	var stack [32]*Node
	parts, size := stack[:0], 0
	for p := n; p.Parent != nil; p = p.Parent {
		parts = append(parts, p)
		size += 1 + len(p.FullName)
	}
	var b strings.Builder
	b.Grow(size)
	for i := len(parts) - 1; i >= 0; i-- {
		b.WriteByte('/')
		b.WriteString(parts[i].FullName)
	}
	return b.String()
}

// Name returns the node name without unit address (np->name for FDT trees).
func (n *Node) Name() string {
	name, _, _ := strings.Cut(n.FullName, "@")
	return name
}

// Prop returns the property called name from the live properties list
// (__of_find_property), or nil.
func (n *Node) Prop(name string) *Property {
	for _, p := range n.Props {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// Children iterates over n's child list from its head, as
// for_each_child_of_node() does without the references: like
// of_get_next_child(), it reads a child's sibling after the loop body
// for it has run, so a body that detaches that child goes on to the
// child that followed it, and a child attached meanwhile (at the head)
// is not visited.
func (n *Node) Children() iter.Seq[*Node] {
	return func(yield func(*Node) bool) {
		for c := n.child; c != nil; c = c.sibling {
			if !yield(c) {
				return
			}
		}
	}
}

// Child returns the first child whose full name is name, or nil.
func (n *Node) Child(name string) *Node {
	for c := n.child; c != nil; c = c.sibling {
		if c.FullName == name {
			return c
		}
	}
	return nil
}

// ChildByName is of_get_child_by_name() without the reference: the first
// child whose name (before '@') equals name (of_node_name_eq).
func (n *Node) ChildByName(name string) *Node {
	for c := n.child; c != nil; c = c.sibling {
		if c.Name() == name {
			return c
		}
	}
	return nil
}

// Property is a struct property.
type Property struct {
	// obj is set for OF_DYNAMIC properties (heap copies made by
	// __of_prop_dup and friends), which must eventually be freed; static
	// properties (boot-time tree, overlay_mem) have none.
	obj   *kobj.Object
	Name  string
	Value []byte
}

// Obj returns the property's registry object (nil for static properties).
func (p *Property) Obj() *kobj.Object { return p.obj }

// Dynamic reports OF_DYNAMIC.
func (p *Property) Dynamic() bool { return p.obj != nil }

// ReadString is of_property_read_string(): the value up to its first NUL,
// or false when the value is empty or has no NUL within its length.
func (p *Property) ReadString() (string, bool) {
	i := bytes.IndexByte(p.Value, 0)
	if i < 0 {
		return "", false
	}
	return string(p.Value[:i]), true
}

// String returns the value as a string if it is exactly one
// NUL-terminated string (for dumps; the kernel reads with ReadString).
func (p *Property) String() (string, bool) {
	v := p.Value
	if len(v) == 0 || v[len(v)-1] != 0 {
		return "", false
	}
	s := string(v[:len(v)-1])
	if strings.IndexByte(s, 0) >= 0 {
		return "", false
	}
	return s, true
}

// U32 returns the first cell of the value (of_property_read_u32).
func (p *Property) U32() (uint32, bool) {
	if len(p.Value) < 4 {
		return 0, false
	}
	v := p.Value
	return uint32(v[0])<<24 | uint32(v[1])<<16 | uint32(v[2])<<8 | uint32(v[3]), true
}

func (p *Property) valueEq(q *Property) bool { return string(p.Value) == string(q.Value) }

// DisplayPath is Path for dangle's own output: the root is "/".
func (n *Node) DisplayPath() string {
	if p := n.Path(); p != "" {
		return p
	}
	return "/"
}
