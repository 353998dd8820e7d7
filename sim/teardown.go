package sim

import (
	"fmt"
	"slices"
	"strconv"

	"dangle/sim/kobj"
	"dangle/sim/of"
	"dangle/sim/report"
)

// Teardown quiesces the kernel as a careful harness would (architecture
// §2): unload the program's notifier users, remove every overlay topmost
// first, then run the end-of-run oracles. Findings raised here have op 0.
func (k *Kernel) Teardown() {
	k.Log.Op = report.Teardown
	k.Log.Harness("teardown")
	for _, nb := range k.notifiers {
		if k.OF.OverlayNotifierUnregister(nb) == nil {
			k.Log.Harness("teardown: of_overlay_notifier_unregister nb=%s", nb.Name)
		}
	}
	k.teardownCore()
	k.checkProgramRefs(len(k.prog.Ops)+1, "the teardown's overlay removal")
	k.checkProgramDescs(len(k.prog.Ops) + 1)
	k.removeOverlays()
	k.flushCore()
	k.checkInvariants()
	if !k.noOracles {
		k.leakCheck()
	}
}

// removeOverlays removes overlays from the top of ovcs_list down, with a
// copy of each id (never &ovcs->id), repeating while any removal succeeds.
func (k *Kernel) removeOverlays() {
	for progress := true; progress; {
		progress = false
		list := k.OF.Overlays()
		for i := len(list) - 1; i >= 0; i-- {
			o := list[i]
			if o.Obj().Freed() || o.ID == 0 {
				continue
			}
			id := o.ID
			k.Log.Harness("teardown: of_overlay_remove ov=%d", id)
			err := k.OF.OverlayRemove(&id)
			k.Log.Harness("teardown: returned %s", errnoName(err))
			if err == nil {
				progress = true
				break
			}
		}
	}
}

// leakCheck is the end-of-run leak oracle. It judges what the program's
// operations changed, not when an object was allocated:
//   - every allocation made during the run must be freed, unless it
//     belongs to the running system at the end (a registered device, a
//     link between two of them, what lives inside one): a memory leak
//     otherwise, kmemleak-style;
//   - a reference taken during the run on a long-lived object (a base
//     node, a boot device) must have been dropped: a reference leak
//     otherwise;
//   - a reference its holder gave up without a put (kobj.Hold.Dropped)
//     can never be dropped: a reference leak, whether the object and the
//     reference date from boot or from an op.
//
// What leaks only because something else leaked (the nodes an unfreed
// changeset still holds, the properties of an unfreed node) is listed
// under that root cause, not reported again. Leaks the kernel announces
// (KnownFindings) are reported as known, apart, unless Strict.
func (k *Kernel) leakCheck() {
	live := map[*kobj.Object]bool{}
	isLive := func(o *kobj.Object) bool {
		v, ok := live[o]
		if !ok {
			v = k.Core.Live(o)
			live[o] = v
		}
		return v
	}
	// leaked: a run-time allocation not freed. A registered device is
	// not reported itself (isLive), but what it wrongly keeps alive is
	// reported under it (a forgotten i2c_del_adapter: the removed
	// platform device its adapter still holds).
	leaked := func(o *kobj.Object) bool { return o != nil && o.Dynamic && !o.Freed() }
	// root returns the leaked allocation o's leak is attributed to.
	var root func(o *kobj.Object, depth int) *kobj.Object
	root = func(o *kobj.Object, depth int) *kobj.Object {
		if depth > 8 {
			return o
		}
		if leaked(o.In) {
			return root(o.In, depth+1)
		}
		hs := o.Holds()
		if len(hs) == 0 {
			return o
		}
		for _, h := range hs {
			if !leaked(h.Owner) || h.Owner == o {
				return o
			}
		}
		return root(hs[0].Owner, depth+1)
	}
	var found, known report.Group
	titleOf := func(o *kobj.Object) string { return "memory leak of " + o.Type + " allocated in " + o.Alloc }
	for _, o := range k.Reg.Objects() {
		if o.Freed() || isLive(o) {
			continue
		}
		if c := o.In; c != nil && !c.Freed() && (!c.Dynamic || isLive(c)) {
			continue // lives and dies with its container, which stays
		}
		if o.Dynamic {
			desc := o.Name
			if home := k.OF.Home(o); home != "" {
				desc += " (" + home + ")"
			} else if o.Ref() > 0 {
				desc += " (refcount " + strconv.Itoa(int(o.Ref())) + ")"
			} else if lp := o.LastPut(); lp.Func != "" {
				desc += fmt.Sprintf(" (refcount 0, not freed; last put by %s in %s, %s)", lp.Holder, lp.Func, report.OpName(lp.Op))
			}
			f := report.Finding{Kind: report.Leak, Title: titleOf(o), Objects: []string{desc}, Holders: holdList(o)}
			if r := root(o, 0); r != o {
				f = report.Finding{Kind: report.Leak, Title: titleOf(r), Objects: []string{desc + " (with " + r.Name + ")"}}
			} else if e := k.knownLeak(f.Title, o); e != nil && !k.Log.Strict {
				f.Known = e.Note
				known.Add(f)
				continue
			}
			found.Add(f)
			continue
		}
		if o.In != nil {
			continue // lives and dies with its container
		}
		var late []kobj.Hold
		for _, h := range o.Holds() {
			if h.Dropped != "" || (h.Op != 0 || h.Holder == programHolder) && !leaked(h.Owner) && (h.Owner == nil || !isLive(h.Owner)) {
				late = append(late, h)
			}
		}
		if len(late) == 0 {
			continue
		}
		var hs []string
		for _, h := range late {
			hs = append(hs, of.FormatHold(h))
		}
		found.Add(report.Finding{Kind: report.Leak, Title: "reference leak of " + o.Type + " taken in " + late[0].Func, Objects: []string{o.Name}, Holders: hs})
	}
	// A changeset the teardown could not remove keeps alive everything
	// it applied (its nodes, their devices, the references those took),
	// so its leak is the cause of theirs: it is reported first, and a
	// program's primary finding (Primary) is the changeset, not one of
	// its consequences.
	fs := found.Findings()
	slices.SortStableFunc(fs, func(a, b report.Finding) int {
		return boolOrder(b.Title == changesetLeak) - boolOrder(a.Title == changesetLeak)
	})
	for _, g := range [][]report.Finding{fs, known.Findings()} {
		for _, f := range g {
			k.Log.Report(f)
			for _, obj := range f.Objects {
				k.Log.Harness("    leaked: %s", obj)
			}
		}
	}
}

// changesetLeak is the title of a leaked overlay changeset.
const changesetLeak = "memory leak of overlay_changeset allocated in of_overlay_fdt_apply"

func boolOrder(b bool) int {
	if b {
		return 1
	}
	return 0
}

func holdList(o *kobj.Object) []string {
	var hs []string
	for _, h := range o.Holds() {
		hs = append(hs, of.FormatHold(h))
	}
	return hs
}
