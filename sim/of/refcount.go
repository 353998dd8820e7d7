package of

import (
	"dangle/sim/kobj"
	"dangle/sim/report"
)

// NodeGet is of_node_get(): NULL-tolerant kobject_get. holder names who
// keeps the reference (for leak reports); fn is the kernel function taking it.
func (t *OF) NodeGet(np *Node, fn, holder string) *Node {
	if np == nil {
		return nil
	}
	t.reg.Get(np.obj, fn, holder)
	return np
}

// nodeGetOwned is NodeGet for a reference kept by the allocation owner
// (an overlay changeset's entries and fragments).
func (t *OF) nodeGetOwned(np *Node, fn, holder string, owner *kobj.Object) *Node {
	if np == nil {
		return nil
	}
	t.reg.GetOwned(np.obj, fn, holder, owner)
	return np
}

// NodePut is of_node_put(): NULL-tolerant kobject_put; at zero the kobject
// release runs of_node_release().
func (t *OF) NodePut(np *Node, fn, holder string) {
	if np == nil {
		return
	}
	if t.reg.Put(np.obj, fn, holder) {
		t.nodeRelease(np, fn)
	}
}

// NodePutOwned is NodePut of a reference taken with NodeGetOwned by
// owner: the hold owner keeps is the one dropped (kobj.PutOwned).
func (t *OF) NodePutOwned(np *Node, fn, holder string, owner *kobj.Object) {
	if np == nil {
		return
	}
	if t.reg.PutOwned(np.obj, fn, holder, owner) {
		t.nodeRelease(np, fn)
	}
}

// Touch checks a dereference of np (a read of its fields) by fn.
func (t *OF) Touch(np *Node, fn string) bool { return t.reg.Touch(np.obj, fn) }

// nodeRelease is of_node_release() (drivers/of/dynamic.c, v6.x; the
// "detected bad of_node_put()" text dates from v5.x, older kernels printed
// "Bad of_node_put() on %pOF"). fn is the function whose put hit zero.
func (t *OF) nodeRelease(node *Node, fn string) {
	// We should never be releasing nodes that haven't been detached.
	if !node.Check(OF_DETACHED) {
		mark := t.log.Mark()
		if t.prof.Is("bad_put_msg", "short") {
			// before 23522dd7033a (v6.3)
			t.pr("ERROR: Bad of_node_put() on %s", node.Path())
			t.log.Line("Call trace: of_node_release <- kobject_put <- " + fn)
		} else {
			t.pr("ERROR: of_node_release() detected bad of_node_put() on %s/%s", node.Parent.Path(), node.FullName)
			t.log.Line("Call trace: of_node_release <- kobject_put <- " + fn)
			t.pr("ERROR: next of_node_put() on this node will result in a kobject warning 'refcount_t: underflow; use-after-free.'")
		}
		t.log.Report(report.Finding{Kind: report.KernelError, Title: "bad of_node_put in " + fn,
			Objects: []string{node.DisplayPath()}, Log: t.log.Since(mark)})
		return
	}
	if !node.Check(OF_DYNAMIC) {
		return
	}
	if node.Check(OF_OVERLAY) {
		if !node.Check(OF_OVERLAY_FREE_CSET) {
			// premature refcount of zero, do not free memory
			mark := t.log.Mark()
			t.pr("ERROR: memory leak before free overlay changeset,  %s", node.Path())
			t.log.Report(report.Finding{Kind: report.KernelError, Title: "memory leak before free overlay changeset in of_node_release",
				Objects: []string{node.DisplayPath()}, Holders: []string{"last put by " + fn}, Log: t.log.Since(mark)})
			return
		}
		// If node->properties non-empty then properties were added to
		// this node either by different overlay that has not yet been
		// removed, or by a non-overlay mechanism.
		if len(node.Props) > 0 {
			t.pr("ERROR: of_node_release(), unexpected properties in %s", node.Path())
		}
	}
	// the consistency check of ec0b7e24d566 (v6.3)
	if node.child != nil && t.prof.Is("bad_put_msg", "detected") {
		t.pr("ERROR: of_node_release() unexpected children for %s/%s", node.Parent.Path(), node.FullName)
	}
	t.propertyListFree(node.Props)
	t.propertyListFree(node.Deadprops)
	node.Props, node.Deadprops = nil, nil
	t.reg.Free(node.obj, "of_node_release")
}

// propertyListFree is property_list_free(): kfree every dynamic property.
func (t *OF) propertyListFree(list []*Property) {
	for _, p := range list {
		switch {
		case p.obj != nil && p.obj.Freed():
			// a property freed while still listed (an error path
			// that frees what it pushed on deadprops): KASAN's
			// double-free
			t.kfree(p.obj, "of_node_release")
		case p.obj != nil:
			t.reg.Free(p.obj, "of_node_release")
		}
	}
}
