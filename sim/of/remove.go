package of

import "dangle/sim/report"

// OverlayRemove is of_overlay_remove(ovcs_id). idp is the caller's id
// variable: the kernel writes 0 through it on success.
func (t *OF) OverlayRemove(idp *int) error { return t.overlayRemove(idp, nil) }

// overlayRemove is of_overlay_remove(idp) where idp may point into a
// changeset (of_overlay_remove_all() passes &ovcs->id): idOwner is that
// changeset, so reading and writing *idp touch its memory.
//
// An id whose idr entry points at a freed changeset is not refused: the
// kernel runs the whole removal over the freed memory (v5.19+ layout,
// of_overlay_remove() at 067c098766c6 and later): the topmost check reads
// the freed changeset (its entries list was emptied by
// of_changeset_destroy(), so it passes), the notifiers run over the
// freed fragments array, the revert walks the empty entries list, and
// free_overlay_changeset() puts the fragment nodes, kfrees the fragments,
// overlay_mem, new_fdt and the changeset a second time, returning 0.
func (t *OF) overlayRemove(idp *int, idOwner *Overlay) error {
	readID := func() int {
		if idOwner != nil {
			t.reg.Touch(idOwner.obj, "of_overlay_remove")
		}
		return *idp
	}
	// b012c2ac3745 (v6.19): tolerate an id that was never set.
	if readID() == 0 && t.prof.Is("remove_zero_id", "noop") {
		return nil
	}
	if t.devicetreeCorrupt() {
		t.prOverlay("suspect devicetree state, refuse to remove overlay")
		return EBUSY
	}
	// Hervé Codina's v1 placement (2023-11-30): wait before taking of_mutex.
	if t.prof.Is("devlink_wait", "remove-start") {
		t.deviceLinkWaitRemoval()
	}
	t.OfMutex.Lock("of_overlay_remove")
	defer t.OfMutex.Unlock()

	id := readID()
	ovcs := t.ovcsIDR[id]
	if ovcs == nil {
		t.prOverlay("remove: Could not find overlay #%d", readID())
		return ENODEV
	}
	if !t.overlayRemovalIsOK(ovcs) {
		return EBUSY
	}
	pre519 := t.prof.Is("overlay_list_del", "remove")
	if err := t.overlayNotify(ovcs, OF_OVERLAY_PRE_REMOVE); err != nil {
		if pre519 {
			t.prOverlay("overlay changeset pre-remove notify error %d", Errno(err))
		}
		return err
	}
	if pre519 {
		// before 067c098766c6 (v5.19) the changeset left the list here.
		// A stale id's changeset was list_del()ed before: the kernel
		// oopses on LIST_POISON1 and the task dies holding of_mutex;
		// the model returns -EINVAL so the program can go on.
		if !t.listDel(ovcs, "of_overlay_remove") {
			return EINVAL
		}
	}
	err, retApply := t.revertEntries(&ovcs.Cset)
	if err != nil {
		if retApply != nil {
			t.devicetreeStateFlags |= dtsfRevertFail
		}
		return err
	}
	if err = t.revertNotify(&ovcs.Cset); err != nil {
		t.prOverlay("overlay remove changeset entry notify error %d", Errno(err))
	}
	// notify failure is not fatal, continue
	t.sched(SchedAfterRevertNotify)

	if idOwner != nil {
		t.reg.Touch(idOwner.obj, "of_overlay_remove")
	}
	*idp = 0

	// POST_REMOVE notifiers may not return an error (and none do here).
	if e := t.overlayNotify(ovcs, OF_OVERLAY_POST_REMOVE); e != nil {
		if pre519 {
			t.prOverlay("overlay changeset post-remove notify error %d", Errno(e))
		}
		if err == nil {
			err = e
		}
	}
	t.freeOverlayChangeset(ovcs)
	return err
}

// SchedAfterRevertNotify names the sched point of of_overlay_remove()
// between the revert notifiers (device teardown) and the changeset
// destroy (prog.SchedAfterRevertNotify).
const SchedAfterRevertNotify = "after-revert-notify"

// overlayRemovalIsOK is overlay_removal_is_ok(): every node an entry
// touches must not be an ancestor, descendant or equal of a node touched
// by a later (more topmost) changeset. Walking remove's entries reads it.
func (t *OF) overlayRemovalIsOK(remove *Overlay) bool {
	t.reg.Touch(remove.obj, "overlay_removal_is_ok")
	for _, ce := range remove.Cset.Entries {
		if t.nodeOverlapsLaterCS(remove, ce.Np) {
			t.prOverlay("overlay #%d is not topmost", remove.ID)
			return false
		}
	}
	return true
}

// nodeOverlapsLaterCS is node_overlaps_later_cs():
// list_for_each_entry_reverse from the list tail reads every later ovcs
// (its cset.entries and its ovcs_list.prev), freed or not.
func (t *OF) nodeOverlapsLaterCS(remove *Overlay, np *Node) bool {
	const fn = "node_overlaps_later_cs"
	head := &t.ovcsHead
	for pos := head.prev; pos != head; pos = pos.prev {
		if pos.ovcs == nil {
			// a poisoned pointer: the walk would fault; stop here.
			return false
		}
		ovcs := pos.ovcs
		if ovcs == remove {
			break
		}
		// reading freed memory: its list head was emptied by
		// of_changeset_destroy() before the kfree, so the walk
		// finds nothing and goes on.
		t.access(pos, fn)
		for _, ce := range ovcs.Cset.Entries {
			if findNode(ce.Np, np) || findNode(np, ce.Np) {
				t.prOverlay("node_overlaps_later_cs: #%d overlaps with #%d @%s", remove.ID, ovcs.ID, np.Path())
				return true
			}
		}
	}
	return false
}

// findNode is find_node(): np is tree or inside it.
func findNode(tree, np *Node) bool {
	if tree == np {
		return true
	}
	for c := range tree.Children() {
		if findNode(c, np) {
			return true
		}
	}
	return false
}

// freeOverlayChangeset is free_overlay_changeset(). On a changeset that
// is already freed (a stale idr entry) every step reads freed memory and
// every kfree is a double free.
func (t *OF) freeOverlayChangeset(ovcs *Overlay) {
	const fn = "free_overlay_changeset"
	// Luca Ceresoli's / Hervé v2-v3 placement: wait with of_mutex dropped.
	if t.prof.Is("devlink_wait", "before-free-unlocked") {
		holder := t.OfMutex.Holder
		t.OfMutex.Unlock()
		t.deviceLinkWaitRemoval()
		t.OfMutex.Lock(holder)
	}
	t.reg.Touch(ovcs.obj, fn)
	if ovcs.csetInit {
		t.Destroy(&ovcs.Cset)
	}
	pre519 := t.prof.Is("overlay_list_del", "remove")
	if ovcs.ID != 0 {
		t.idrRemove(ovcs.ID)
		if !pre519 {
			t.listDel(ovcs, fn)
		}
		ovcs.ID = 0
	}
	if ovcs.count > 0 && ovcs.fragsObj != nil {
		t.reg.Touch(ovcs.fragsObj, fn)
	}
	for i := 0; i < ovcs.count; i++ {
		f := &ovcs.Fragments[i]
		t.checkFragmentHold(f.Target, f.holder, fn)
		if !t.Skipped("free_overlay_changeset:of_node_put(target)") { // a kernel mutant, make bench only
			t.NodePut(f.Target, fn, f.holder)
		}
		t.NodePut(f.Overlay, fn, f.holder)
	}
	t.kfree(ovcs.fragsObj, fn)
	// Since 067c098766c6 the overlay's fdt and unflattened tree are freed
	// only if no notifier can still hold pointers into them; before, they
	// were freed unconditionally.
	if pre519 || ovcs.notifyState == OF_OVERLAY_INIT || ovcs.notifyState == OF_OVERLAY_POST_REMOVE {
		t.freeTreeMem(ovcs, ovcs.mem, fn)
		t.kfree(ovcs.newFdt, fn)
	}
	t.kfree(ovcs.obj, fn)
}

// OverlayRemoveAll is of_overlay_remove_all():
// list_for_each_entry_safe_reverse(ovcs, ovcs_n, &ovcs_list, ovcs_list)
// calling of_overlay_remove(&ovcs->id). The "*ovcs_id = 0" of a removal
// aliases ovcs->id, so free_overlay_changeset() skips idr_remove() and
// list_del() (v5.19+: a freed ovcs stays listed; before: it stays in the
// idr). The walk reads each entry's prev before the body; a second call
// walks the freed entries again and reads their ids. Modelled literally.
func (t *OF) OverlayRemoveAll() error {
	const fn = "of_overlay_remove_all"
	head := &t.ovcsHead
	pos := head.prev
	var n *listHead
	if pos != head {
		t.access(pos, fn)
		n = pos.prev
	}
	for pos != head {
		if pos.ovcs == nil {
			return EINVAL // a poisoned pointer: the kernel faults here
		}
		ovcs := pos.ovcs
		if err := t.overlayRemove(&ovcs.ID, ovcs); err != nil {
			return err
		}
		pos = n
		if pos != head && pos.ovcs != nil {
			t.access(pos, fn)
			n = pos.prev
		}
	}
	return nil
}

// checkFragmentHold reports a fragment's put of a target reference it no
// longer holds: a stale changeset's second free_overlay_changeset() puts
// its targets again. The kernel sees nothing until the count reaches zero
// (then "refcount_t: underflow" or a premature of_node_release()); the
// reference it takes away belongs to another holder.
func (t *OF) checkFragmentHold(np *Node, holder, fn string) {
	if np == nil || np.obj.Freed() {
		return
	}
	if np.obj.HeldBy(holder) {
		return
	}
	t.log.Report(report.Finding{
		Kind:    report.Ownership,
		Title:   "of_node_put of a reference not held in " + fn,
		Objects: []string{np.Path() + " (" + holder + " already put its reference)"},
	})
}
