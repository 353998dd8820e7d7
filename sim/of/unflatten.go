package of

import (
	"strings"

	"dangle/dt"
	"dangle/sim/kobj"
)

// unflatten builds device_nodes from a compiled tree, as
// of_fdt_unflatten_tree()/unflatten_device_tree() do: every node starts
// with a kref of one (of_node_init), full_name is the node name with unit
// address ("" for the root), phandle comes from "phandle" or
// "linux,phandle", children and properties keep blob order. Properties are
// static (they live in the blob or in overlay_mem, not OF_DYNAMIC).
//
// prefix names the tree in object names ("" for the live tree,
// "overlay #1 tree:" for an overlay); mem is the overlay_mem allocation
// the nodes live in (nil for the boot tree); all collects every node.
func (t *OF) unflatten(src *dt.Node, parent *Node, prefix string, mem *kobj.Object, all *[]*Node) *Node {
	return t.unflattenAt(src, parent, 0, "", prefix, mem, all)
}

// FDT_MAX_DEPTH is drivers/of/fdt.c's bound on unflatten_dt_nodes()'s
// stack of parents, nps[FDT_MAX_DEPTH].
const FDT_MAX_DEPTH = 64

// unflattenAt is unflatten for a node at depth (the root at 0) whose
// parent's path is parentPath ("" for the root and its children), so each
// node's path is one concatenation rather than a walk to the root. A
// node's properties are carved from one array, their values are the
// compiled tree's (a large overlay's values are not held twice).
//
// As unflatten_dt_nodes() does since "of: fdt: fix off-by-one error in
// unflatten_dt_nodes()" (v6.0, CVE-2022-48672; in every stable series
// modelled), a node at depth FDT_MAX_DEPTH-1 or deeper is skipped with
// WARN_ON_ONCE(depth >= FDT_MAX_DEPTH - 1) and the loop goes on, so its
// whole subtree is left out and the tree is still unflattened: the same
// for a tree compiled from source and for its blob.
func (t *OF) unflattenAt(src *dt.Node, parent *Node, depth int, parentPath, prefix string, mem *kobj.Object, all *[]*Node) *Node {
	// full_name is the blob's node name: "" for the root (since
	// a7e4cfb0a7ca, v4.15), so %pOF of the root prints "".
	np := &Node{FullName: src.Name, Parent: parent, mem: mem}
	n := len(src.Props)
	// populate_properties() synthesizes "name" from the unit name when a
	// v16+ blob has none
	synth, hasSynth := "", t.synthName && src.Prop("name") == nil
	if hasSynth {
		synth = src.Name
		if i := strings.LastIndexByte(synth, '@'); i >= 0 {
			synth = synth[:i]
		}
		n++
	}
	if n > 0 {
		props := make([]Property, n)
		np.Props = make([]*Property, n)
		for i, p := range src.Props {
			// populate_properties() points pp->value into the blob; here
			// into the compiled tree, shared with other runs and the
			// cache and never written: the resolver copies a value
			// before it patches it (cow). Capped, so an append cannot
			// reach the next value.
			props[i].Name = p.Name
			if len(p.Value) > 0 { // else nil, as a copy gave
				props[i].Value = p.Value[:len(p.Value):len(p.Value)]
			}
			np.Props[i] = &props[i]
		}
		if hasSynth {
			props[n-1] = Property{Name: "name", Value: append([]byte(synth), 0)}
			np.Props[n-1] = &props[n-1]
		}
	}
	np.Phandle = phandleOf(np)
	path := "/" // DisplayPath of the root, whatever its name
	if parent != nil {
		path = parentPath + "/" + src.Name
	}
	np.obj = t.reg.Alloc("device_node", prefix+path, "of_node_init", false, true, "of_node_init")
	np.obj.In = mem
	*all = append(*all, np)
	if parent == nil {
		path = "" // the root's children are "/name"
	}
	// populate_node() pushes each child at the head of its parent's
	// list and reverse_nodes() then restores blob order: the same list
	// as appending at the tail, which this does
	var last *Node
	for _, c := range src.Children {
		if depth+1 >= FDT_MAX_DEPTH-1 {
			if !t.unflattenDepthWarned {
				t.unflattenDepthWarned = true
				t.warn("drivers/of/fdt.c", "unflatten_dt_nodes", prefix+path+"/"+c.Name+" (nodes at depth >= 63 are skipped)")
			}
			continue
		}
		child := t.unflattenAt(c, np, depth+1, path, prefix, mem, all)
		if last == nil {
			np.child = child
		} else {
			last.sibling = child
		}
		last = child
	}
	return np
}

// LoadBase installs the boot-time live tree: unflatten_device_tree()
// followed by of_core_init(), which attaches every node to sysfs
// (__of_attach_node_sysfs: +1 on the node, +1 on its parent through
// kobject_add), so a leaf idles at a refcount of 2 and a node with k
// children at 2+k.
func (t *OF) LoadBase(tree *dt.Tree) {
	var all []*Node
	t.Root = t.unflatten(tree.Root, nil, "", nil, &all)
	for _, np := range all {
		t.attachNodeSysfs(np)
	}
}

// AllNodes walks the live tree in for_each_of_allnodes() order (depth
// first, children in list order) and calls fn until it returns false.
func (t *OF) AllNodes(fn func(*Node) bool) {
	var walk func(*Node) bool
	walk = func(n *Node) bool {
		if !fn(n) {
			return false
		}
		for c := range n.Children() {
			if !walk(c) {
				return false
			}
		}
		return true
	}
	if t.Root != nil {
		walk(t.Root)
	}
}

// FindNodeByPath is of_find_node_by_path() for absolute paths, without
// taking the reference (callers that keep the node call NodeGet).
func (t *OF) FindNodeByPath(path string) *Node {
	return findPath(t.Root, path)
}

// findPath is __of_find_node_by_full_path(): each component must equal a
// child's full name (with unit address) exactly.
func findPath(root *Node, path string) *Node {
	if root == nil || len(path) == 0 || path[0] != '/' {
		return nil
	}
	np := root
	rest := path[1:]
	for rest != "" {
		comp := rest
		for i := 0; i < len(rest); i++ {
			if rest[i] == '/' || rest[i] == ':' {
				comp = rest[:i]
				break
			}
		}
		if comp == "" {
			break
		}
		np = np.Child(comp)
		if np == nil {
			return nil
		}
		rest = rest[len(comp):]
		if rest != "" && rest[0] == ':' {
			break
		}
		if rest != "" {
			rest = rest[1:]
		}
	}
	return np
}

// FindNodeByPhandle is of_find_node_by_phandle() without the reference:
// the first attached node with that phandle, in allnodes order.
func (t *OF) FindNodeByPhandle(ph uint32) *Node {
	if ph == 0 {
		return nil
	}
	var found *Node
	t.AllNodes(func(n *Node) bool {
		if n.Phandle == ph && !n.Check(OF_DETACHED) {
			found = n
			return false
		}
		return true
	})
	return found
}
