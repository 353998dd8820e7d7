package of

// attachNode is __of_attach_node() (drivers/of/dynamic.c): link np as the
// FIRST child of its parent, clear OF_DETACHED, mark the fwnode
// FWNODE_FLAG_NOT_DEVICE (1a50d9403fb9, v6.3 until its revert: profile
// knob overlay_fwnode), then __of_attach_node_sysfs().
func (t *OF) attachNode(np *Node) {
	if !np.Check(OF_OVERLAY) {
		np.Phandle = phandleOf(np)
	}
	// the child list is singly linked, as in the kernel: pushing at the
	// head is O(1) (a slice copy per attach made a 20k-node overlay
	// quadratic in memory)
	if !np.Check(OF_DETACHED) && np.onChildList() {
		// the kernel would link np after itself: a cyclic sibling list
		// every later walk loops on (no changeset path here gets there)
		panic("of: __of_attach_node of " + np.DisplayPath() + ", already on its parent's child list")
	}
	np.child = nil
	np.sibling = np.Parent.child
	np.Parent.child = np
	np.Flags &^= OF_DETACHED
	if t.prof.Is("overlay_fwnode", "not-device") {
		np.FwnodeFlags |= FWNODE_FLAG_NOT_DEVICE
	}
	t.attachNodeSysfs(np)
}

// onChildList reports whether np is linked in its parent's child list.
func (np *Node) onChildList() bool {
	for c := np.Parent.child; c != nil; c = c.sibling {
		if c == np {
			return true
		}
	}
	return false
}

// phandleOf reads "phandle", else "linux,phandle" (sz >= 4), else 0.
func phandleOf(np *Node) uint32 {
	for _, name := range []string{"phandle", "linux,phandle"} {
		if p := np.Prop(name); p != nil {
			v, _ := p.U32()
			return v
		}
	}
	return 0
}

// detachNode is __of_detach_node(): WARN_ON and do nothing if np is already
// detached or has no parent; else unlink from the parent's child list
// (np->sibling kept), set OF_DETACHED, drop its phandle
// cache entry and __of_detach_node_sysfs().
func (t *OF) detachNode(np *Node) {
	parent := np.Parent
	if np.Check(OF_DETACHED) || parent == nil {
		t.warn("drivers/of/dynamic.c", "__of_detach_node", np.Path())
		return
	}
	// unlink from the singly linked child list, finding the previous
	// sibling by a walk from the head as the kernel does (v6.x
	// drivers/of/dynamic.c); np->sibling is left as it was
	if parent.child == np {
		parent.child = np.sibling
	} else {
		prev := parent.child
		for prev != nil && prev.sibling != np {
			prev = prev.sibling
		}
		if prev != nil { // the kernel would walk off the list's end
			prev.sibling = np.sibling
		}
	}
	np.Flags |= OF_DETACHED
	t.detachNodeSysfs(np)
}

// attachNodeSysfs is __of_attach_node_sysfs() (drivers/of/kobj.c):
// kobject_add() takes a reference on the parent kobject, then the node
// takes one on itself. The parent reference lives in the child's
// kobj->parent and only kobject_del() of the child drops it, so the child
// node owns it: a leaked child's parent reference is reported under the
// child's leak, not as a separate reference leak of the parent.
func (t *OF) attachNodeSysfs(np *Node) {
	if np.Parent != nil {
		t.nodeGetOwned(np.Parent, "kobject_add", "sysfs: child "+np.FullName, np.obj)
	}
	np.inSysfs = true
	t.NodeGet(np, "__of_attach_node_sysfs", "sysfs")
}

// detachNodeSysfs is __of_detach_node_sysfs(): kobject_del() (which puts
// the parent) if the node is in sysfs, then of_node_put().
func (t *OF) detachNodeSysfs(np *Node) {
	if np.inSysfs {
		np.inSysfs = false
		if np.Parent != nil {
			t.NodePut(np.Parent, "kobject_del", "sysfs: child "+np.FullName)
		}
	}
	t.NodePut(np, "__of_detach_node_sysfs", "sysfs")
}
