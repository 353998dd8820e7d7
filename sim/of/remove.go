package of

// OverlayRemove is of_overlay_remove(ovcs_id). idp is the caller's id
// variable: the kernel writes 0 through it on success, and
// of_overlay_remove_all() passes &ovcs->id itself.
func (t *OF) OverlayRemove(idp *int) error {
	// b012c2ac3745 (v6.19): tolerate an id that was never set.
	if *idp == 0 && t.prof.Is("remove_zero_id", "noop") {
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

	ovcs := t.ovcsIDR[*idp]
	if ovcs == nil {
		t.prOverlay("remove: Could not find overlay #%d", *idp)
		return ENODEV
	}
	if !t.reg.Touch(ovcs.obj, "of_overlay_remove") {
		return EINVAL
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
		// before 067c098766c6 (v5.19) the changeset left the list here
		t.listDel(ovcs)
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
// by a later (more topmost) changeset.
func (t *OF) overlayRemovalIsOK(remove *Overlay) bool {
	for _, ce := range remove.Cset.Entries {
		if t.nodeOverlapsLaterCS(remove, ce.Np) {
			t.prOverlay("overlay #%d is not topmost", remove.ID)
			return false
		}
	}
	return true
}

// nodeOverlapsLaterCS is node_overlaps_later_cs(): the reverse walk from
// the list tail reads every later ovcs, freed or not.
func (t *OF) nodeOverlapsLaterCS(remove *Overlay, np *Node) bool {
	for i := len(t.ovcsList) - 1; i >= 0; i-- {
		ovcs := t.ovcsList[i]
		if ovcs == remove {
			break
		}
		if !t.reg.Touch(ovcs.obj, "node_overlaps_later_cs") {
			// reading freed memory: its list head was emptied by
			// of_changeset_destroy() before the kfree, so the walk
			// finds nothing and goes on.
			continue
		}
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
	for _, c := range tree.Children {
		if findNode(c, np) {
			return true
		}
	}
	return false
}

// freeOverlayChangeset is free_overlay_changeset().
func (t *OF) freeOverlayChangeset(ovcs *Overlay) {
	// Luca Ceresoli's / Hervé v2-v3 placement: wait with of_mutex dropped.
	if t.prof.Is("devlink_wait", "before-free-unlocked") {
		holder := t.OfMutex.Holder
		t.OfMutex.Unlock()
		t.deviceLinkWaitRemoval()
		t.OfMutex.Lock(holder)
	}
	if ovcs.csetInit {
		t.Destroy(&ovcs.Cset)
	}
	pre519 := t.prof.Is("overlay_list_del", "remove")
	if ovcs.ID != 0 {
		t.idrRemove(ovcs.ID)
		if !pre519 {
			t.listDel(ovcs)
		}
		ovcs.ID = 0
	}
	for i := 0; i < ovcs.count; i++ {
		f := &ovcs.Fragments[i]
		t.NodePut(f.Target, "free_overlay_changeset", f.holder)
		t.NodePut(f.Overlay, "free_overlay_changeset", f.holder)
	}
	ovcs.Fragments = nil
	// Since 067c098766c6 the overlay's fdt and unflattened tree are freed
	// only if no notifier can still hold pointers into them; before, they
	// were freed unconditionally.
	if pre519 || ovcs.notifyState == OF_OVERLAY_INIT || ovcs.notifyState == OF_OVERLAY_POST_REMOVE {
		t.freeOverlayMem(ovcs, "free_overlay_changeset")
		if ovcs.newFdt != nil {
			t.reg.Free(ovcs.newFdt, "free_overlay_changeset")
		}
	}
	t.reg.Free(ovcs.obj, "free_overlay_changeset")
}

// OverlayRemoveAll is of_overlay_remove_all(): remove from the list tail,
// passing &ovcs->id, so the "*ovcs_id = 0" aliases ovcs->id and
// free_overlay_changeset() skips idr_remove()/list_del() (v5.19+: a freed
// ovcs stays listed; before: it stays in the idr). Modelled literally.
func (t *OF) OverlayRemoveAll() error {
	for i := len(t.ovcsList) - 1; i >= 0; i-- {
		// list_for_each_entry_safe_reverse: the next entry (i-1) is
		// read before the body, and the body only ever unlinks entry i.
		ovcs := t.ovcsList[i]
		if err := t.OverlayRemove(&ovcs.ID); err != nil {
			return err
		}
	}
	return nil
}
