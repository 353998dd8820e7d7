package dt

import "strings"

// The compiler works on a "live tree" that mirrors dtc's struct node and
// struct property (livetree.c), including their quirks: deletion only
// marks nodes, properties and labels as deleted, so a later definition
// brings a node or property back at its old position; labels are kept
// newest first, which decides the order of __symbols__. Only the final
// conversion to a Tree drops what is deleted.

type label struct {
	name    string
	deleted bool
}

type lnode struct {
	name     string
	labels   []*label
	props    []*lprop
	children []*lnode
	parent   *lnode
	deleted  bool
	pos      Pos

	omitIfUnused bool
	referenced   bool
	phandle      uint32
	fullpath     string
}

type lprop struct {
	name    string
	labels  []*label
	val     []byte
	markers []*marker
	deleted bool
	pos     Pos
}

type markerKind int

const (
	refPhandle markerKind = iota // a phandle reference in a cell array
	refPath                      // a bare reference: insert the path string
	labelMark                    // a label inside a value
)

// marker records something at an offset of a property value, as dtc's
// struct marker does.
type marker struct {
	kind   markerKind
	offset int
	ref    string
	pos    Pos
}

// addLabel adds a label the way dtc's add_label does: a label already
// present is revived, a new one goes to the front of the list.
func addLabel(labels *[]*label, name string) {
	for _, l := range *labels {
		if l.name == name {
			l.deleted = false
			return
		}
	}
	*labels = append([]*label{{name: name}}, *labels...)
}

func liveLabels(ls []*label) []string {
	var out []string
	for _, l := range ls {
		if !l.deleted {
			out = append(out, l.name)
		}
	}
	return out
}

func hasLabel(ls []*label, name string) bool {
	for _, l := range ls {
		if !l.deleted && l.name == name {
			return true
		}
	}
	return false
}

func deleteLabels(ls []*label) {
	for _, l := range ls {
		l.deleted = true
	}
}

// prop returns the first live property called name (get_property).
func (n *lnode) prop(name string) *lprop {
	for _, p := range n.props {
		if !p.deleted && p.name == name {
			return p
		}
	}
	return nil
}

// subnode returns the first live child called name (get_subnode).
func (n *lnode) subnode(name string) *lnode {
	for _, c := range n.children {
		if !c.deleted && c.name == name {
			return c
		}
	}
	return nil
}

func (n *lnode) addChild(c *lnode) {
	c.parent = n
	n.children = append(n.children, c)
}

// buildChild returns the live child called name, creating it at the end
// if there is none (dtc's build_root_node).
func (n *lnode) buildChild(name string) *lnode {
	if c := n.subnode(name); c != nil {
		return c
	}
	c := &lnode{name: name}
	n.addChild(c)
	return c
}

// mergeNodes merges the freshly parsed node nw into old (merge_nodes):
// properties override in place, new ones are appended, children merge
// by name, and /delete-…/ entries delete by name.
func mergeNodes(old, nw *lnode) {
	old.deleted = false
	for _, l := range nw.labels {
		addLabel(&old.labels, l.name)
	}
	for _, np := range nw.props {
		if np.deleted {
			deletePropByName(old, np.name)
			continue
		}
		merged := false
		for _, op := range old.props {
			if op.name == np.name {
				for _, l := range np.labels {
					addLabel(&op.labels, l.name)
				}
				op.val, op.markers, op.deleted, op.pos = np.val, np.markers, false, np.pos
				merged = true
				break
			}
		}
		if !merged {
			old.props = append(old.props, np)
		}
	}
	for _, nc := range nw.children {
		if nc.deleted {
			deleteNodeByName(old, nc.name)
			continue
		}
		merged := false
		for _, oc := range old.children {
			if oc.name == nc.name {
				mergeNodes(oc, nc)
				merged = true
				break
			}
		}
		if !merged {
			old.addChild(nc)
		}
	}
}

// deletePropByName deletes the first property called name, deleted or
// not, as delete_property_by_name does.
func deletePropByName(n *lnode, name string) {
	for _, p := range n.props {
		if p.name == name {
			deleteProp(p)
			return
		}
	}
}

func deleteProp(p *lprop) {
	p.deleted = true
	deleteLabels(p.labels)
}

func deleteNodeByName(n *lnode, name string) {
	for _, c := range n.children {
		if c.name == name {
			deleteNode(c)
			return
		}
	}
}

func deleteNode(n *lnode) {
	n.deleted = true
	for _, c := range n.children {
		if !c.deleted {
			deleteNode(c)
		}
	}
	for _, p := range n.props {
		if !p.deleted {
			deleteProp(p)
		}
	}
	deleteLabels(n.labels)
}

// walk calls fn on every live node in pre-order, the order of dtc's
// checks and tree walks.
func (n *lnode) walk(fn func(*lnode)) {
	fn(n)
	for _, c := range n.children {
		if !c.deleted {
			c.walk(fn)
		}
	}
}

// fillFullpaths sets fullpath on every live node (fill_fullpaths).
func fillFullpaths(n *lnode, prefix string) {
	switch {
	case prefix == "":
		n.fullpath = "/" + n.name
	case strings.HasSuffix(prefix, "/"):
		n.fullpath = prefix + n.name
	default:
		n.fullpath = prefix + "/" + n.name
	}
	for _, c := range n.children {
		if !c.deleted {
			fillFullpaths(c, n.fullpath)
		}
	}
}

// nodeByPath follows an absolute path the way get_node_by_path does:
// slashes before a component are skipped, a trailing slash is allowed,
// and the first child whose name matches is taken, without backtracking.
func nodeByPath(n *lnode, path string) *lnode {
	for {
		if path == "" {
			if n.deleted {
				return nil
			}
			return n
		}
		comp, rest, more := strings.Cut(strings.TrimLeft(path, "/"), "/")
		var next *lnode
		for _, c := range n.children {
			if !c.deleted && c.name == comp {
				next = c
				break
			}
		}
		if next == nil || !more {
			return next
		}
		n, path = next, rest
	}
}

// nodeByLabel returns the first live node in pre-order that carries the
// live label name.
func nodeByLabel(n *lnode, name string) *lnode {
	if hasLabel(n.labels, name) {
		return n
	}
	for _, c := range n.children {
		if !c.deleted {
			if found := nodeByLabel(c, name); found != nil {
				return found
			}
		}
	}
	return nil
}

// nodeByRef resolves a reference: "/" is the root, "/…" a path, anything
// else a label (get_node_by_ref).
func nodeByRef(root *lnode, ref string) *lnode {
	switch {
	case ref == "/":
		return root
	case strings.HasPrefix(ref, "/"):
		return nodeByPath(root, ref)
	}
	return nodeByLabel(root, ref)
}

func phandleValid(ph uint32) bool { return ph != 0 && ph != 0xffffffff }

// nodeByPhandle is get_node_by_phandle: deleted nodes do not count.
func nodeByPhandle(n *lnode, ph uint32) *lnode {
	if n.phandle == ph {
		if n.deleted {
			return nil
		}
		return n
	}
	for _, c := range n.children {
		if !c.deleted {
			if found := nodeByPhandle(c, ph); found != nil {
				return found
			}
		}
	}
	return nil
}
