package crash

import (
	"fmt"
	"strings"

	"dangle/sim/kobj"
	"dangle/sim/report"
)

// Explain is report.txt's "What happened" paragraph: the finding in
// kernel terms, from its objects and holders and the lifetime trace —
// which object, who holds the extra reference and where it was taken,
// when (if ever) it was dropped and which operation should have dropped
// it; or which freed object was touched by which function.
func (t *Traced) Explain() string {
	f := t.Finding
	if f == nil {
		return "The program raises no finding."
	}
	var b strings.Builder
	at := t.where(f.Op)
	fn := titleFunc(f)
	objs := []*kobj.Object{}
	if len(f.Objects) > 0 {
		objs = t.lookup(f.Objects[0])
	}
	var o *kobj.Object
	if len(objs) > 0 {
		o = objs[0]
	}
	switch f.Kind {
	case report.UseAfterFree:
		fmt.Fprintf(&b, "During %s, %s touched %s after it was freed", at, fn, describe(o, f.Objects))
		if o != nil {
			if fe := eventOf(o, "free"); fe != nil {
				fmt.Fprintf(&b, ": it was freed in %s during %s", fe.Func, t.where(fe.Op))
				if pe := lastPutBefore(o, fe); pe != nil && pe.Holder != "" {
					fmt.Fprintf(&b, ", when %s dropped the last reference (in %s)", pe.Holder, pe.Func)
				}
			}
		}
		b.WriteString(". Whoever still uses the object after that point needed a reference of its own, or the free came too early.")
	case report.Ownership:
		fmt.Fprintf(&b, "During %s, %s put a reference it does not own", at, fn)
		if len(f.Objects) > 0 {
			fmt.Fprintf(&b, " (%s)", f.Objects[0])
		}
		b.WriteString(".")
		if len(f.Objects) > 1 {
			fmt.Fprintf(&b, " The references, in order: %s.", strings.Join(f.Objects[1:], "; "))
		}
		b.WriteString(" The refcount may hide it for now, but some other holder's reference is gone and its own later put (or the free that follows) acts on memory it no longer owns; lib/ref_tracker would flag it.")
	case report.Ordering:
		fmt.Fprintf(&b, "During %s: %s. The driver's devm-managed resources were released after the bus had already detached the device's PM domain, so they are torn down against a domain that may already be off; the detach must come after devres release (device_unbind_cleanup()).", at, strings.Join(f.Objects, "; "))
	case report.Deadlock:
		fmt.Fprintf(&b, "During %s: %s.", at, strings.Join(f.Objects, "; "))
	case report.Invariant:
		fmt.Fprintf(&b, "During %s the overlay bookkeeping broke an invariant the kernel relies on (%s): %s.", at, f.Title, strings.Join(f.Objects, "; "))
	default:
		t.explainRefs(&b, f, o, at)
	}
	return b.String()
}

// explainRefs explains a leak or a refcount error: the object, each
// holder with where its reference was taken and when (if ever) it was
// dropped, and the operation that should have dropped it.
func (t *Traced) explainRefs(b *strings.Builder, f *report.Finding, o *kobj.Object, at string) {
	switch {
	case f.Op == report.Teardown:
		fmt.Fprintf(b, "After the last op the harness tore everything down (removed the remaining overlays, unbound and unregistered what the program created, flushed every work queue), and %s was still allocated", describe(o, f.Objects))
	case len(f.Log) > 0:
		fmt.Fprintf(b, "During %s the kernel reported %q for %s", at, strings.TrimSpace(f.Log[0]), describe(o, f.Objects))
	default:
		fmt.Fprintf(b, "During %s: %s, for %s", at, f.Title, describe(o, f.Objects))
	}
	if o != nil && o.Alloc != "" {
		if ae := eventOf(o, "alloc"); ae != nil {
			fmt.Fprintf(b, " (allocated in %s during %s)", o.Alloc, t.where(ae.Op))
		}
	}
	b.WriteString(".")
	if len(f.Holders) == 0 {
		if len(f.Objects) > 1 {
			fmt.Fprintf(b, " With it: %s.", strings.Join(f.Objects[1:], "; "))
		}
		if o != nil && f.Op > 0 {
			if hs := holdsAt(o, f.Op); len(hs) > 0 {
				fmt.Fprintf(b, " At that point the %s was referenced by: %s.", o.Type, strings.Join(hs, "; "))
			}
		}
		return
	}
	if f.Op == report.Teardown {
		b.WriteString(" Nothing ever dropped these references:")
	} else {
		b.WriteString(" The references still held at that point:")
	}
	for i, h := range f.Holders {
		sep := ";"
		if i == len(f.Holders)-1 {
			sep = "."
		}
		name := holderName(h)
		fn, op, ok := holderTaken(h)
		if !ok {
			fmt.Fprintf(b, " %s%s", h, sep)
			continue
		}
		fmt.Fprintf(b, " %s, taken in %s during %s", name, fn, t.whereText(op))
		if _, gave, ok := strings.Cut(h, "given up without a put in "); ok {
			gave = strings.TrimSuffix(gave, ")")
			gfn, gop, _ := strings.Cut(gave, ", ")
			fmt.Fprintf(b, ", given up without a put in %s during %s", gfn, t.whereText(gop))
		} else if o != nil && f.Op > 0 {
			if pe := putAfter(o, name, f.Op); pe != nil {
				fmt.Fprintf(b, ", put only later, in %s during %s", pe.Func, t.where(pe.Op))
			} else {
				b.WriteString(", never put")
			}
		}
		b.WriteString(sep)
	}
	if w := t.laterWork(f.Op); w != "" && f.Op > 0 {
		fmt.Fprintf(b, " Deferred work still pending at op %d ran only later: %s.", f.Op, w)
	}
	if f.Op > 0 {
		fmt.Fprintf(b, " Those references had to be gone before %s ran in op %d: the operation that should have dropped them (or waited for the work that drops them) is op %d itself or an op before it.", titleFuncOr(f, "the check"), f.Op, f.Op)
	}
}

func titleFuncOr(f *report.Finding, dflt string) string {
	if fn := titleFunc(f); fn != "" {
		return fn + "()"
	}
	return dflt
}

// describe names an object for the paragraph.
func describe(o *kobj.Object, texts []string) string {
	if o != nil {
		return "the " + o.Type + " " + o.Name
	}
	if len(texts) > 0 {
		return texts[0]
	}
	return "an object"
}

// where names a step with its op text: "op 2 (of_overlay_remove ov=ov)".
func (t *Traced) where(op int) string {
	switch {
	case op > 0 && op <= len(t.Prog.Ops):
		return fmt.Sprintf("op %d (%s)", op, t.Prog.OpString(op-1, t.Prog.Names()))
	case op == report.Teardown:
		return "the teardown"
	}
	return "boot"
}

// whereText is where for "op N" / "teardown" / "boot" as findings print it.
func (t *Traced) whereText(s string) string {
	var n int
	if _, err := fmt.Sscanf(s, "op %d", &n); err == nil {
		return t.where(n)
	}
	if s == "teardown" {
		return t.where(report.Teardown)
	}
	return s
}

func eventOf(o *kobj.Object, what string) *kobj.Event {
	ev := o.Events()
	for i := range ev {
		if ev[i].What == what {
			return &ev[i]
		}
	}
	return nil
}

// lastPutBefore is the last put event before the event e.
func lastPutBefore(o *kobj.Object, e *kobj.Event) *kobj.Event {
	ev := o.Events()
	var last *kobj.Event
	for i := range ev {
		if &ev[i] == e {
			break
		}
		if ev[i].What == "put" {
			last = &ev[i]
		}
	}
	return last
}

// putAfter is holder's first put on o after op (teardown counts as
// after every op).
func putAfter(o *kobj.Object, holder string, op int) *kobj.Event {
	ev := o.Events()
	for i := range ev {
		e := &ev[i]
		if e.What != "put" || e.Holder != holder {
			continue
		}
		if e.Op > op || e.Op == report.Teardown {
			return e
		}
	}
	return nil
}

// laterWork lists the work items the log shows running after op (as
// "fn on wq during the teardown"), distinct, at most three: the work a
// leak at op was waiting for.
func (t *Traced) laterWork(op int) string {
	section := 0 // the op of the lines being read; Teardown after "teardown"
	seen := map[string]bool{}
	var out []string
	for _, l := range strings.Split(t.Result.Log, "\n") {
		var n int
		if _, err := fmt.Sscanf(l, "op %d:", &n); err == nil {
			section = n
			continue
		}
		if l == "teardown" {
			section = report.Teardown
			continue
		}
		if section != report.Teardown && section <= op {
			continue
		}
		s := strings.TrimSpace(l)
		if !strings.HasPrefix(s, "[") {
			continue
		}
		wq, rest, ok := strings.Cut(s[1:], "] ")
		if !ok {
			continue
		}
		fn, _, _ := strings.Cut(rest, ":")
		key := fn + " on " + wq
		if seen[key] || len(out) == 3 {
			continue
		}
		seen[key] = true
		out = append(out, key+" during "+t.where(section))
	}
	return strings.Join(out, "; ")
}

// holdsAt replays o's timeline up to the end of op and returns the
// references outstanding then, oldest first, the run-time ones only
// (those taken at boot are the system's own): "gpio reset-gpios (taken
// in gpiod_request, op 2)".
func holdsAt(o *kobj.Object, op int) []string {
	type hold struct {
		holder, fn string
		op         int
	}
	var hs []hold
	for _, e := range o.Events() {
		if e.Op == report.Teardown || e.Op > op {
			break
		}
		switch e.What {
		case "alloc", "get":
			hs = append(hs, hold{e.Holder, e.Func, e.Op})
		case "put":
			for i := len(hs) - 1; i >= 0; i-- {
				if hs[i].holder == e.Holder || i == 0 {
					hs = append(hs[:i], hs[i+1:]...)
					break
				}
			}
		}
	}
	var out []string
	for _, h := range hs {
		if h.op > 0 {
			out = append(out, fmt.Sprintf("%s (taken in %s, op %d)", h.holder, h.fn, h.op))
		}
	}
	return out
}
