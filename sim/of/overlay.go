package of

import (
	"fmt"
	"sort"

	"dangle/dt"
	"dangle/sim/kobj"
)

// NotifyAction is enum of_overlay_notify_action (OF_OVERLAY_INIT added in
// v5.19 by 1ac17586c950).
type NotifyAction uint8

const (
	OF_OVERLAY_INIT NotifyAction = iota
	OF_OVERLAY_PRE_APPLY
	OF_OVERLAY_POST_APPLY
	OF_OVERLAY_PRE_REMOVE
	OF_OVERLAY_POST_REMOVE
)

var overlayActionNames = [...]string{"init", "pre-apply", "post-apply", "pre-remove", "post-remove"}

func (a NotifyAction) String() string { return overlayActionNames[a] }

// Fragment is a struct fragment: both nodes are held (+1) until
// free_overlay_changeset().
type Fragment struct {
	Overlay, Target *Node
	holder          string
}

// Overlay is a struct overlay_changeset.
//
// Invariants (kernel-model oracle 10): an ovcs that is not freed is in
// ovcsIDR under ID and in ovcs_list, or in neither once removed; the
// kernel breaks this in of_overlay_remove_all(), and Check reports it.
type Overlay struct {
	obj *kobj.Object
	// list is ovcs->ovcs_list, the node in ovcs_list.
	list listHead
	// ID is ovcs->id. of_overlay_remove_all() passes &ovcs->id as the
	// caller's id, so the "*ovcs_id = 0" of a removal writes here.
	ID     int
	newFdt *kobj.Object
	mem    *kobj.Object // overlay_mem
	// Root is overlay_root, the unflattened overlay tree.
	Root        *Node
	treeNodes   []*Node
	notifyState NotifyAction
	count       int // ovcs->count: fragments[0:count] are valid
	Fragments   []Fragment
	// fragsObj is the ovcs->fragments allocation (kcalloc in
	// init_overlay_changeset). Not leak-checked on its own: it lives
	// and dies with the changeset; it is an object so that reading
	// it after the kfree, or a second kfree, is seen.
	fragsObj        *kobj.Object
	symbolsFragment bool
	Cset            Changeset
	name            string
	// csetInit: of_changeset_init() ran (cset.entries.next is set), so
	// free_overlay_changeset() destroys the changeset.
	csetInit bool
}

// Obj returns the ovcs allocation.
func (o *Overlay) Obj() *kobj.Object { return o.obj }

// Name returns the log name, "overlay #N" as allocated.
func (o *Overlay) Name() string { return o.name }

// devicetreeCorrupt is devicetree_corrupt().
func (t *OF) devicetreeCorrupt() bool {
	return t.devicetreeStateFlags&(dtsfApplyFail|dtsfRevertFail) != 0
}

const (
	dtsfApplyFail  = 0x01
	dtsfRevertFail = 0x02
)

// idrAlloc is idr_alloc(&ovcs_idr, ovcs, 1, 0): the lowest free id >= 1.
func (t *OF) idrAlloc(ovcs *Overlay) int {
	// the lowest free id >= 1, as idr_alloc(&ovcs_idr, ovcs, 1, 0, …):
	// every id below idrFree is taken (idrRemove lowers it), so the scan
	// starts there instead of at 1 (4k applies were quadratic, issue 14)
	id := max(t.idrFree, 1)
	for t.ovcsIDR[id] != nil {
		id++
	}
	t.ovcsIDR[id] = ovcs
	t.idrFree = id + 1
	return id
}

// idrRemove is idr_remove(&ovcs_idr, id).
func (t *OF) idrRemove(id int) {
	delete(t.ovcsIDR, id)
	t.idrFree = min(t.idrFree, max(id, 1))
}

// OverlayByID is idr_find(&ovcs_idr, id) without the use: the entry,
// possibly a freed changeset, or nil.
func (t *OF) OverlayByID(id int) *Overlay { return t.ovcsIDR[id] }

// IDs returns the ids present in ovcs_idr, ascending.
func (t *OF) IDs() []int {
	ids := make([]int, 0, len(t.ovcsIDR))
	for id := range t.ovcsIDR {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	return ids
}

// newOverlay allocates the ovcs and, as of_overlay_fdt_apply() does before
// applying, copies the blob (new_fdt) and unflattens it into overlay_mem.
func (t *OF) newOverlay(blob string) *Overlay {
	ovcs := t.allocOverlay(blob)
	t.allocNewFdt(ovcs, blob)
	return ovcs
}

// allocOverlay is the kzalloc() of the ovcs.
func (t *OF) allocOverlay(blob string) *Overlay {
	ovcs := &Overlay{}
	ovcs.obj = t.reg.Alloc("overlay_changeset", "overlay changeset ("+blob+")", "of_overlay_fdt_apply", true, false, "")
	ovcs.Cset.Owner = ovcs.obj
	return ovcs
}

// allocNewFdt is the copy of the blob the unflattened tree points into.
func (t *OF) allocNewFdt(ovcs *Overlay, blob string) {
	ovcs.newFdt = t.reg.Alloc("overlay_fdt", "new_fdt ("+blob+")", "of_overlay_fdt_apply", true, false, "")
	ovcs.newFdt.In = ovcs.obj
}

// unflattenOverlay is of_fdt_unflatten_tree(): overlay_mem holds every
// node; only the root gets OF_DETACHED; nothing is OF_DYNAMIC.
func (t *OF) unflattenOverlay(ovcs *Overlay, tree *dt.Tree, blob string) {
	ovcs.mem = t.reg.Alloc("overlay_mem", "overlay_mem ("+blob+")", "of_fdt_unflatten_tree", true, false, "")
	ovcs.mem.In = ovcs.obj
	ovcs.Root = t.unflatten(tree.Root, nil, blob+":", ovcs.mem, &ovcs.treeNodes)
	ovcs.Root.Flags |= OF_DETACHED
}

// checkBlob runs of_overlay_fdt_apply()'s header checks: "Invalid
// overlay_fdt header" for a blob fdt_check_header() refuses, a silent
// -EINVAL when the buffer is shorter than the header's totalsize.
func (t *OF) checkBlob(b *Blob) error {
	if b.Raw == nil {
		return nil
	}
	if !fdtCheckHeader(b.Raw) {
		t.prOverlay("Invalid overlay_fdt header")
		return EINVAL
	}
	if uint32(len(b.Raw)) < fdtTotalSize(b.Raw) {
		return EINVAL
	}
	return nil
}

// OverlayFdtApply is of_overlay_fdt_apply(blob, size, &id, NULL). It
// returns the id handed back through *ovcs_id and the return value.
func (t *OF) OverlayFdtApply(b *Blob) (int, error) {
	if t.prof.Is("overlay_list_del", "remove") {
		return t.overlayFdtApplyPre519(b)
	}
	// v5.19+ (067c098766c6 and 1ac17586c950; newest overlay.c).
	id := 0
	if t.devicetreeCorrupt() {
		t.prOverlay("devicetree state suspect, refuse to apply overlay")
		return 0, EBUSY
	}
	if err := t.checkBlob(b); err != nil {
		t.noteBadBlob(b)
		return 0, err
	}
	const fn = "of_overlay_fdt_apply"
	if t.ShouldFail("kzalloc", fn+" (overlay_changeset)", ENOMEM) {
		return 0, ENOMEM
	}
	ovcs := t.allocOverlay(b.Name)
	t.OfOverlayPhandleMutex.Lock(fn)
	t.OfMutex.Lock(fn)
	if t.ShouldFail("idr_alloc", fn, ENOMEM) {
		// ovcs->id = idr_alloc() <= 0: goto err_free_ovcs with the
		// errno in ovcs->id, so free_overlay_changeset()'s "if
		// (ovcs->id)" does idr_remove() and list_del() of the ovcs_list
		// that INIT_LIST_HEAD() has not initialised yet.
		ovcs.ID = Errno(ENOMEM)
		ovcs.name = "overlay changeset (" + b.Name + ")"
		t.freeOverlayChangeset(ovcs)
		t.OfMutex.Unlock()
		t.OfOverlayPhandleMutex.Unlock()
		return 0, ENOMEM
	}
	ovcs.ID = t.idrAlloc(ovcs)
	ovcs.name = fmt.Sprintf("overlay #%d", ovcs.ID)
	ovcs.Cset.Name = ovcs.name
	// INIT_LIST_HEAD(); list_add_tail(): writes the tail's next, which
	// of_overlay_remove_all() may have left freed.
	ovcs.list = listHead{ovcs: ovcs}
	t.listAddTail(ovcs, fn)
	ovcs.csetInit = true
	// new_fdt = kmalloc(size + FDT_ALIGN_SIZE): goto err_free_ovcs
	if t.ShouldFail("kmalloc", fn+" (new_fdt)", ENOMEM) {
		t.freeOverlayChangeset(ovcs)
		t.OfMutex.Unlock()
		t.OfOverlayPhandleMutex.Unlock()
		return 0, ENOMEM
	}
	t.allocNewFdt(ovcs, b.Name)
	// of_fdt_unflatten_tree() returns NULL when its allocation fails,
	// as for a blob it cannot unflatten
	if b.Tree == nil || t.ShouldFail("kzalloc", "of_fdt_unflatten_tree (overlay_mem)", ENOMEM) {
		t.prOverlay("unable to unflatten overlay_fdt")
		t.noteBadBlob(b)
		t.freeOverlayChangeset(ovcs)
		t.OfMutex.Unlock()
		t.OfOverlayPhandleMutex.Unlock()
		return 0, EINVAL
	}
	t.unflattenOverlay(ovcs, b.Tree, b.Name)

	err := t.overlayApply(ovcs)
	// If of_overlay_apply() failed, the caller is expected to call
	// of_overlay_remove() with the id to clean up.
	id = ovcs.ID
	t.OfMutex.Unlock()
	t.OfOverlayPhandleMutex.Unlock()
	return id, err
}

// overlayApply is of_overlay_apply(ovcs, base) of v5.19+.
func (t *OF) overlayApply(ovcs *Overlay) error {
	if err := t.resolvePhandles(ovcs.Root); err != nil {
		return err
	}
	if err := t.initOverlayChangeset(ovcs); err != nil {
		return err
	}
	if err := t.overlayNotify(ovcs, OF_OVERLAY_PRE_APPLY); err != nil {
		return err
	}
	if err := t.buildChangeset(ovcs); err != nil {
		return err
	}
	err, retRevert := t.applyEntries(&ovcs.Cset)
	if err != nil {
		if retRevert != nil {
			t.devicetreeStateFlags |= dtsfApplyFail
		}
		return err
	}
	if err = t.applyNotify(&ovcs.Cset); err != nil {
		t.prOverlay("overlay apply changeset entry notify error %d", Errno(err))
	}
	// notify failure is not fatal, continue
	if t.prof.Is("overlay_fwnode", "refresh") {
		// overlay_fw_devlink_refresh() (81e7c6befa36): after the
		// changeset notify, so the listeners have created their devices
		for _, f := range ovcs.Fragments {
			if t.Hooks.FwDevlinkRefreshFwnode != nil {
				t.Hooks.FwDevlinkRefreshFwnode(t.Hooks.Ctx, f.Target)
			}
		}
	}
	if e := t.overlayNotify(ovcs, OF_OVERLAY_POST_APPLY); e != nil && err == nil {
		err = e
	}
	return err
}

// findTarget is find_target(): "target" phandle, else "target-path".
func (t *OF) findTarget(info *Node) *Node {
	if p := info.Prop("target"); p != nil {
		if val, ok := p.U32(); ok {
			node := t.FindNodeByPhandle(val)
			if node == nil {
				t.prOverlay("find target, node: %s, phandle 0x%x not found", info.Path(), val)
			}
			return node
		}
	}
	if p := info.Prop("target-path"); p != nil {
		if path, ok := p.ReadString(); ok {
			node := t.FindNodeByPath(path)
			if node == nil {
				t.prOverlay("find target, node: %s, path '%s' not found", info.Path(), path)
			}
			return node
		}
	}
	t.prOverlay("find target, node: %s, no target property", info.Path())
	return nil
}

// initOverlayChangeset is init_overlay_changeset(): one fragment per root
// child that has an __overlay__ child, then the __symbols__ fragment.
// On failure ovcs->count stays 0, so the references already taken for
// earlier fragments are never put (as in the kernel).
func (t *OF) initOverlayChangeset(ovcs *Overlay) (err error) {
	defer func() {
		if err != nil {
			t.prOverlay("init_overlay_changeset() failed, ret = %d", Errno(err))
		}
	}()
	cnt := 0
	for node := range ovcs.Root.Children() {
		if node.ChildByName("__overlay__") != nil {
			cnt++
		}
	}
	if ovcs.Root.ChildByName("__symbols__") != nil {
		cnt++
	}
	if t.ShouldFail("kcalloc", "init_overlay_changeset (fragments)", ENOMEM) {
		return ENOMEM
	}
	ovcs.Fragments = make([]Fragment, cnt)
	ovcs.fragsObj = t.reg.Alloc("overlay_fragments", "fragments of "+ovcs.obj.Name, "init_overlay_changeset", false, false, "")
	ovcs.fragsObj.In = ovcs.obj
	if t.prof.Is("overlay_list_del", "remove") {
		// before 067c098766c6 the array was a local until success:
		// err_free_fragments kfrees it, ovcs->fragments stays NULL.
		defer func() {
			if err != nil {
				t.kfree(ovcs.fragsObj, "init_overlay_changeset")
				ovcs.fragsObj = nil
			}
		}()
	}
	cnt = 0
	for node := range ovcs.Root.Children() {
		ov := node.ChildByName("__overlay__")
		if ov == nil {
			continue
		}
		f := &ovcs.Fragments[cnt]
		f.holder = fmt.Sprintf("%s fragment %d", ovcs.name, cnt)
		f.Overlay = t.nodeGetOwned(ov, "of_get_child_by_name", f.holder, ovcs.obj)
		f.Target = t.nodeGetOwned(t.findTarget(node), "init_overlay_changeset", f.holder, ovcs.obj)
		if f.Target == nil {
			t.NodePut(f.Overlay, "init_overlay_changeset", f.holder)
			return EINVAL
		}
		cnt++
	}
	if node := ovcs.Root.ChildByName("__symbols__"); node != nil {
		ovcs.symbolsFragment = true
		f := &ovcs.Fragments[cnt]
		f.holder = fmt.Sprintf("%s symbols fragment", ovcs.name)
		f.Overlay = t.nodeGetOwned(node, "of_get_child_by_name", f.holder, ovcs.obj)
		f.Target = t.nodeGetOwned(t.FindNodeByPath("/__symbols__"), "init_overlay_changeset", f.holder, ovcs.obj)
		if f.Target == nil {
			t.prOverlay("symbols in overlay, but not in live tree")
			// the of_get_child_by_name() reference: put since
			// 39affd1fdf65 (v6.5), kept before (profile knob
			// symbols_err_put)
			if t.prof.Is("symbols_err_put", "put") {
				t.NodePut(node, "init_overlay_changeset", f.holder)
			}
			return EINVAL
		}
		cnt++
	}
	if cnt == 0 {
		t.prOverlay("no fragments or symbols in overlay")
		return EINVAL
	}
	ovcs.count = cnt
	return nil
}

// overlayNotify is overlay_notify(): the chain once per fragment. Before
// v5.19 (5f756a2eaa44) a NOTIFY_OK/NOTIFY_STOP result ended the walk over
// fragments early; since then only an errno does.
func (t *OF) overlayNotify(ovcs *Overlay, action NotifyAction) error {
	pre519 := t.prof.Is("overlay_list_del", "remove")
	// reads ovcs->count and ovcs->fragments (and, v5.19+, writes
	// ovcs->notify_state): all freed memory for a stale id's changeset.
	t.reg.Touch(ovcs.obj, "overlay_notify")
	if !pre519 {
		ovcs.notifyState = action
	}
	for i := 0; i < ovcs.count; i++ {
		t.reg.Touch(ovcs.fragsObj, "overlay_notify")
		f := &ovcs.Fragments[i]
		nd := &OverlayNotifyData{Overlay: f.Overlay, Target: f.Target}
		ok, err := t.callOverlayChain(action, nd)
		if pre519 && ok {
			return nil
		}
		if err != nil {
			t.prOverlay("overlay changeset %s notifier error %d, target: %s", action, Errno(err), nd.Target.Path())
			return err
		}
	}
	return nil
}
