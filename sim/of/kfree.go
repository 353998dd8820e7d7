package of

import (
	"dangle/sim/kobj"
	"dangle/sim/report"
)

// kfreeKey dedups double-free reports per object and function, as
// kobj dedups use-after-free reports.
type kfreeKey struct {
	o  *kobj.Object
	fn string
}

// kfree is kfree(o) in fn; kfree(NULL) (o == nil) does nothing. Freeing
// an allocation a second time is KASAN's double-free report (mm/kasan/
// report.c: "double-free" since v6.0, "double-free or invalid-free"
// before; the caller of kfree is the reported function).
func (t *OF) kfree(o *kobj.Object, fn string) {
	if o == nil {
		return
	}
	if !o.Freed() {
		t.reg.Free(o, fn)
		if t.freedBy == nil {
			t.freedBy = map[*kobj.Object]string{}
		}
		t.freedBy[o] = fn
		return
	}
	k := kfreeKey{o, fn}
	if t.doubleFreeSeen[k] {
		return
	}
	if t.doubleFreeSeen == nil {
		t.doubleFreeSeen = map[kfreeKey]bool{}
	}
	t.doubleFreeSeen[k] = true
	what := "double-free"
	if t.prof.Is("overlay_list_del", "remove") {
		// the pre-5.19 profiles (v5.10, v5.15) predate the split
		// of the KASAN report in v6.0
		what = "double-free or invalid-free"
	}
	t.log.Printf("BUG: KASAN: %s in %s", what, fn)
	by := t.freedBy[o]
	if by == "" {
		by = "an earlier kfree"
	}
	t.log.Report(report.Finding{
		Kind:    report.UseAfterFree,
		Title:   "double-free of " + o.Type + " in " + fn,
		Objects: []string{o.Name + " (freed in " + by + ")"},
	})
}

// freeTreeMem kfree()s an overlay's unflattened tree, mem (overlay_mem,
// ovcs->overlay_tree before v5.19): every node of the tree dies with it,
// and later touches are use-after-free. mem == nil is kfree(NULL).
func (t *OF) freeTreeMem(ovcs *Overlay, mem *kobj.Object, fn string) {
	if mem == nil {
		return
	}
	double := mem.Freed()
	t.kfree(mem, fn)
	if double {
		return
	}
	for _, n := range ovcs.treeNodes {
		if !n.obj.Freed() {
			t.reg.Free(n.obj, fn)
		}
	}
}
