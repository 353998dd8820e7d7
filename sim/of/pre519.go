package of

import "fmt"

// overlayFdtApplyPre519 is of_overlay_fdt_apply() + of_overlay_apply() as
// they were before the v5.19 rework (067c098766c6, 1ac17586c950): the
// changeset is listed and its id handed back only after a successful
// apply; every earlier failure frees it and returns id 0; the callers of
// overlay_notify() print their own error line.
func (t *OF) overlayFdtApplyPre519(b *Blob) (int, error) {
	if err := t.checkBlob(b); err != nil {
		t.noteBadBlob(b)
		return 0, err
	}
	if b.Tree == nil {
		// new_fdt is kfree()d at once
		t.prOverlay("unable to unflatten overlay_fdt")
		t.noteBadBlob(b)
		return 0, EINVAL
	}
	blob := b.Name
	ovcs := t.newOverlay(blob)
	t.unflattenOverlay(ovcs, b.Tree, blob)
	// fdt and tree are of_overlay_apply()'s arguments until
	// init_overlay_changeset() stores them in the changeset.
	fdt, tree := ovcs.newFdt, ovcs.mem
	ovcs.newFdt, ovcs.mem = nil, nil
	// As of this point, fdt and tree belong to the overlay changeset.
	if t.devicetreeCorrupt() {
		t.prOverlay("devicetree state suspect, refuse to apply overlay")
		t.kfree(fdt, "of_overlay_apply")
		t.freeTreeMem(ovcs, tree, "of_overlay_apply")
		t.kfree(ovcs.obj, "of_overlay_apply")
		return 0, EBUSY
	}
	t.OfOverlayPhandleMutex.Lock("of_overlay_apply")
	t.OfMutex.Lock("of_overlay_apply")
	defer t.OfOverlayPhandleMutex.Unlock()
	defer t.OfMutex.Unlock()

	// err_free_tree: kfree(fdt); kfree(tree); then
	// free_overlay_changeset(), which kfrees ovcs->overlay_tree and
	// ovcs->fdt again if init_overlay_changeset() had stored them: the
	// double kfree 067c098766c6 fixed ("Double kfree() of fdt and tree
	// when init_overlay_changeset() returns an error").
	errFreeTree := func() {
		t.kfree(fdt, "of_overlay_apply")
		t.freeTreeMem(ovcs, tree, "of_overlay_apply")
		t.freeOverlayChangeset(ovcs)
	}
	if err := t.resolvePhandles(ovcs.Root); err != nil {
		errFreeTree()
		return 0, err
	}
	// init_overlay_changeset() (v5.15): ovcs->overlay_tree = tree;
	// ovcs->fdt = fdt; INIT_LIST_HEAD(); of_changeset_init();
	// idr_alloc(); ... ovcs->id = id only on success.
	ovcs.mem, ovcs.newFdt = tree, fdt
	ovcs.csetInit = true
	ovcs.ID = t.idrAlloc(ovcs)
	ovcs.name = fmt.Sprintf("overlay #%d", ovcs.ID)
	ovcs.Cset.Name = ovcs.name
	if err := t.initOverlayChangeset(ovcs); err != nil {
		t.idrRemove(ovcs.ID)
		ovcs.ID = 0
		errFreeTree()
		return 0, err
	}
	fail := func(err error) (int, error) {
		t.freeOverlayChangeset(ovcs)
		return 0, err
	}
	if err := t.overlayNotify(ovcs, OF_OVERLAY_PRE_APPLY); err != nil {
		t.prOverlay("overlay changeset pre-apply notify error %d", Errno(err))
		return fail(err)
	}
	if err := t.buildChangeset(ovcs); err != nil {
		return fail(err)
	}
	err, retRevert := t.applyEntries(&ovcs.Cset)
	if err != nil {
		if retRevert != nil {
			t.devicetreeStateFlags |= dtsfApplyFail
		}
		return fail(err)
	}
	if err = t.applyNotify(&ovcs.Cset); err != nil {
		t.prOverlay("overlay apply changeset entry notify error %d", Errno(err))
	}
	ovcs.list = listHead{ovcs: ovcs}
	t.listAddTail(ovcs, "of_overlay_apply")
	id := ovcs.ID
	if e := t.overlayNotify(ovcs, OF_OVERLAY_POST_APPLY); e != nil {
		t.prOverlay("overlay changeset post-apply notify error %d", Errno(e))
		if err == nil {
			err = e
		}
	}
	return id, err
}
