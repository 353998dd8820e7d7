package sim

import (
	"fmt"
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
	k.removeOverlays()
	k.flushCore()
	k.checkInvariants()
	k.leakCheck()
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

// leakCheck is the end-of-run leak oracle: every run-time allocation must
// be freed (a memory leak otherwise, kmemleak-style), and every reference
// taken on a long-lived object during the run must have been dropped (a
// reference leak otherwise). What leaks only because something else leaked
// (the nodes an unfreed changeset still holds, the properties of an
// unfreed node) is listed under that root cause, not reported again.
func (k *Kernel) leakCheck() {
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
	byTitle := map[string]*report.Finding{}
	var order []string
	add := func(title string, object string, holders []string) {
		f := byTitle[title]
		if f == nil {
			f = &report.Finding{Kind: report.Leak, Title: title}
			byTitle[title] = f
			order = append(order, title)
		}
		f.Objects = append(f.Objects, object)
		f.Holders = append(f.Holders, holders...)
	}
	titleOf := func(o *kobj.Object) string { return "memory leak of " + o.Type + " allocated in " + o.Alloc }
	for _, o := range k.Reg.Objects() {
		// what lives in a live device (a gpio_device's descs) is in use,
		// even when the program re-created the device (a base node
		// disabled, then enabled again)
		if o.Freed() || k.Core.Live(o) || (o.In != nil && k.Core.Live(o.In)) {
			continue
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
			r := root(o, 0)
			if r != o {
				desc += " (with " + r.Name + ")"
				add(titleOf(r), desc, nil)
				continue
			}
			add(titleOf(o), desc, holdList(o))
			continue
		}
		if o.In != nil {
			continue // lives and dies with its container
		}
		var late []kobj.Hold
		for _, h := range o.Holds() {
			if (h.Op != 0 || h.Holder == "program") && !leaked(h.Owner) && (h.Owner == nil || !k.Core.Live(h.Owner)) {
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
		add("reference leak of "+o.Type+" taken in "+late[0].Func, o.Name, hs)
	}
	for _, t := range order {
		f := byTitle[t]
		k.Log.Report(*f)
		for _, obj := range f.Objects {
			k.Log.Harness("    leaked: %s", obj)
		}
	}
}

func holdList(o *kobj.Object) []string {
	var hs []string
	for _, h := range o.Holds() {
		hs = append(hs, of.FormatHold(h))
	}
	return hs
}
