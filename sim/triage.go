package sim

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"dangle/prog"
	"dangle/sim/report"
)

// A program that trips one bug usually trips more: the freed changeset
// that one removal left listed is touched by every later op, a leaked
// device keeps its node, its links and its properties. Those secondary
// findings are real symptoms but not separate bugs, and filing each as a
// title buries the cause under its cascade. The soak and the fuzz
// targets therefore file a program's earliest finding (Result.Findings
// is in the order the oracles raised them, teardown last): nothing
// before it can be its consequence; anything after it may be. A later
// finding is filed only when Laters (below) shows it independent of the
// earlier ones.
//
// The earliest finding is not filed either when it is API misuse by the
// program (Misuse): the kernel checking its caller, and the program is
// the caller. The rest of such a program runs on a state the API
// contract excludes, so nothing after it is filed.

// Primary returns the finding a soak or fuzz target files for program p
// run as res: its earliest finding, and "" — or, when it is API misuse
// by the program, that finding and the reason: a contract an earlier op
// (or that op) broke (Result.Misuse, sim/misuse.go), or the kernel
// checking the program's own call (Misuse). It returns nil for a clean
// run.
func Primary(p *prog.Program, res *Result) (*report.Finding, string) {
	if res == nil || len(res.Findings) == 0 {
		return nil, ""
	}
	f := &res.Findings[0]
	if m := res.Misuse; m.Op > 0 && (f.Op >= m.Op || f.Op == report.Teardown) {
		return f, m.Why + " (op " + strconv.Itoa(m.Op) + ")"
	}
	return f, Misuse(p, *f)
}

// Misuse returns why finding f of program p is API misuse by the
// program rather than a kernel bug, or "" when it is not:
//
//   - a WARN_ON or an ownership finding (a put of a reference the caller
//     does not hold) in the very function op f.Op calls, at that op, or
//     in the callee that checks that op's argument (misuseCallee):
//     "WARNING in devres_close_group" at devres_close_group with no
//     open group, "of_node_put of a reference not held in of_node_put";
//   - a leak whose only holders are the program's own references (an
//     of_node_get it never put);
//   - a use-after-free in the very function a handle op calls (handleOps);
//   - "gpiod_put by non-owner" at the program's own gpiod_put: it put a
//     descriptor it got nonexclusively, which another consumer owns.
//
// A warning deeper down (WARNING in gpiod_free at gpiod_put) is not
// misuse, and neither is a consumer's double gpiod_put (B6): the
// program models the consumer driver, and the double put is the bug.
func Misuse(p *prog.Program, f report.Finding) string {
	if f.Kind == report.Leak && len(f.Holders) > 0 && !slices.ContainsFunc(f.Holders, func(h string) bool { return !strings.HasPrefix(h, "program ") }) {
		return "only the program's own references hold it: the program never put them"
	}
	if f.Op < 1 || f.Op > len(p.Ops) {
		return ""
	}
	op := p.Ops[f.Op-1].Name()
	if f.Kind == report.Ownership && f.Title == op+" by non-owner" {
		return "the program put a descriptor it does not own (" + op + " of a nonexclusive or borrowed descriptor)"
	}
	if f.Kind == report.UseAfterFree && handleOps[op] && strings.HasSuffix(f.Title, " in "+op) {
		return "the program passed " + op + " a pointer it holds no reference on (a dead handle)"
	}
	if f.Kind != report.Warning && f.Kind != report.Ownership {
		return ""
	}
	i := strings.LastIndex(f.Title, " in ")
	if i < 0 {
		return ""
	}
	fn := f.Title[i+len(" in "):]
	switch {
	case fn == op:
		return "the kernel checks the program's own call to " + op
	case misuseCallee[op] == fn:
		return fn + " checks the program's call to " + op
	}
	return ""
}

// handleOps are the ops that only dereference the handle the program
// passes: a use-after-free in that very function, at that op, is the
// program using a pointer it no longer holds a reference on (the kernel
// freed the object once the program's own reference was gone, or the
// program never had one: a notifier keeping overlay pointers past
// OF_OVERLAY_POST_REMOVE against of_overlay_notifier_register()'s rule).
// Had the kernel freed it under a reference the program held, the put
// that took that reference would have been reported first (ownership).
var handleOps = map[string]bool{
	"of_node_get": true, "of_node_put": true, "get_device": true, "put_device": true,
	"device_link_del": true, "overlay_notifier_deref": true,
}

// misuseCallee names, for some ops, the callee whose WARN checks the
// op's caller: device_link_put_kref() WARNs "Unable to drop a managed
// device link reference" when device_link_del() or device_link_remove()
// is called on a managed link (drivers/base/core.c).
var misuseCallee = map[string]string{
	"device_link_del":    "device_link_put_kref",
	"device_link_remove": "device_link_put_kref",
}

// Later findings. Filing only the primary hides a real bug that a
// program also trips after an unrelated one: a driver forgetting one
// release shows as a teardown leak, and teardown comes last, so any
// earlier finding in the program (another bug, or the program's own
// misuse) hid it. Laters files a later finding when it is independent
// of the earlier ones by one of two rules, tried in this order:
//
//   - re-verification: it removes, from a copy of the program, the op
//     that raised the copy's primary finding (or broke the contract the
//     primary is misuse of; prog.RemoveOp takes the ops using its result
//     with it, so the copy stays def-use consistent), runs the copy, and
//     repeats until the later title is the copy's primary finding: it is
//     filed with the copy, a program that shows it first (what the
//     minimizer's crash.FirstPredicate keeps). A title that is gone once
//     its cause is removed is a cascade and is not filed.
//   - object-disjointness, for a leak that no removal can bring first
//     (the harness's teardown removes what the program left applied, so
//     the earlier bug comes back first there): the leak is filed, with
//     the program itself, when no earlier finding names one of its
//     objects (a node counts with its properties and children), except
//     an earlier finding held only by objects the leak leaks, which is
//     its consequence: of_changeset_destroy() finding the leds overlay
//     node still referenced by the device leds-gpio forgot to
//     unregister. A cascade leak names the earlier finding's objects (B1
//     on v6.8: the node of_changeset_destroy reported, freed late and
//     then leaked), and is not filed. No object rule applies after
//     misuse: the rest of that program runs outside the API contract.
//
// Re-verification is the honest test (its repro shows the title first);
// disjointness alone would be cheaper but misses causes that touch no
// shared object, so it only backs up re-verification for leaks. Both
// run only for titles the caller has not filed (skip), and only on
// programs with more than one finding, or a misuse-tainted one.

// maxLaterRounds bounds the removals Laters tries for one later title.
const maxLaterRounds = 4

// Later is a later finding Laters files, with the reduced program in
// which it is the primary finding.
type Later struct {
	Finding report.Finding
	Prog    *prog.Program
}

// Laters returns the later findings of program p, run as res under cfg,
// that are independent of the earlier ones (see above), each with the
// program that shows it first, in the order res raised them. skip, when
// set, names titles not to consider (the ones the caller has filed
// already); the primary finding's title and titles an earlier finding
// of res has are never considered. cfg.Signal is not used (a
// re-verification run is not the caller's coverage).
func Laters(p *prog.Program, res *Result, cfg Config, skip func(title string) bool) []Later {
	if res == nil || len(res.Findings) == 0 {
		return nil
	}
	cfg.Signal = nil
	cfg.Trace, cfg.FailList, cfg.Stream = false, false, nil
	// the primary itself is a candidate when Primary does not file it
	// for a contract an earlier op broke: without that op it may be first
	first, why := Primary(p, res)
	later := res.Findings[1:]
	seen := map[string]bool{first.Title: true}
	if why != "" && Misuse(p, *first) == "" && res.Misuse.Op > 0 {
		later, seen = res.Findings, map[string]bool{}
	}
	var out []Later
	for _, f := range later {
		if seen[f.Title] {
			continue
		}
		seen[f.Title] = true
		if skip != nil && skip(f.Title) {
			continue
		}
		if l, ok := reverify(p, res, cfg, f.Title); ok {
			out = append(out, l)
		} else if disjoint(p, res, f) && stable(p, cfg, func(q *prog.Program, r *Result) bool {
			g := findingTitled(r, f.Title)
			return g != nil && disjoint(q, r, *g)
		}) {
			out = append(out, Later{Finding: f, Prog: p})
		}
	}
	return out
}

// reverify removes the ops that raise the primary finding of a copy of p
// until title is the copy's primary finding, and returns the copy and
// that finding. Each round tries two removals of the primary's op: the
// op alone, then the op that defines the object it works on (the start
// of its chain of links, Program.Links: the of_overlay_fdt_apply whose
// of_overlay_remove raised it), which takes the object's whole life with
// it, for when the op alone only moves the earlier bug to the teardown
// (the harness removes what the program left applied).
func reverify(p *prog.Program, res *Result, cfg Config, title string) (Later, bool) {
	q, r := p, res
	for round := 0; round < maxLaterRounds; round++ {
		f, why := Primary(q, r)
		if f == nil || findingTitled(r, title) == nil {
			return Later{}, false
		}
		// the op that raised the primary, or that broke the contract
		// the primary is the misuse of
		at := f.Op - 1
		if why != "" && r.Misuse.Op > 0 {
			at = r.Misuse.Op - 1
		}
		if at < 0 || at >= len(q.Ops) {
			return Later{}, false // boot or teardown: nothing to remove
		}
		var next *prog.Program
		var nres *Result
		for _, i := range removals(q, at) {
			c := q.Clone()
			prog.RemoveOp(c, i)
			cr, err := Run(c, cfg)
			if err != nil {
				continue
			}
			g, gwhy := Primary(c, cr)
			if g != nil && g.Title == title {
				if gwhy != "" || !stable(c, cfg, func(q *prog.Program, r *Result) bool {
					h, hwhy := Primary(q, r)
					return h != nil && h.Title == title && hwhy == ""
				}) {
					return Later{}, false // misuse, with its cause gone
				}
				return Later{Finding: *g, Prog: c}, true
			}
			if g == nil || findingTitled(cr, title) == nil || (g.Op <= 0 && (gwhy == "" || cr.Misuse.Op <= 0)) {
				continue // a cascade of what went, or stuck at teardown
			}
			next, nres = c, cr
			break
		}
		if next == nil {
			return Later{}, false
		}
		q, r = next, nres
	}
	return Later{}, false
}

// stable reports whether program p, printed and parsed again (what the
// caller files: a crasher's repro.prog), still satisfies ok when run
// under cfg: a filed title must show in the program as written, not
// only in the generator's in-memory one.
func stable(p *prog.Program, cfg Config, ok func(*prog.Program, *Result) bool) bool {
	q, err := prog.Parse(cfg.Filename, p.Print())
	if err != nil {
		return false
	}
	r, err := Run(q, cfg)
	return err == nil && ok(q, r)
}

// removals are the ops reverify tries to remove for the primary raised
// at op i of p: i, then the op its chain of links starts at, if another.
func removals(p *prog.Program, i int) []int {
	root := i
	for {
		ls := p.Links(root)
		if len(ls) == 0 || ls[0] < 0 || ls[0] >= root {
			break
		}
		root = ls[0]
	}
	if root == i {
		return []int{i}
	}
	return []int{i, root}
}

// disjoint reports whether later finding l of program p, run as res, is
// a leak independent of every finding before it by its objects: res has
// no misuse, no earlier finding corrupted the state (corrupts) or says
// the teardown itself went wrong (teardownWrong: every leak it then
// finds may be its consequence), and
// each earlier finding either names no object l names or
// holds it (its holders: what keeps the leak alive may be the earlier
// finding's victim, a gpiochip a double gpiod_put freed, whose parent
// i2c client then leaks), a node counting with its properties and
// children, or is held only by objects l leaks (the earlier finding is
// l's consequence: of_changeset_destroy() finding the leds overlay node
// still referenced by the device leds-gpio forgot to unregister, which
// the teardown then reports leaked), or has no holders and was raised
// at an op after every reference that keeps l alive was taken (it
// noticed l's object still referenced: "WARNING in
// regulator_unregister" for a regulator a consumer never put; a
// warning cannot have taken a reference older than itself).
func disjoint(p *prog.Program, res *Result, l report.Finding) bool {
	if l.Kind != report.Leak || res.Misuse.Op > 0 || Misuse(p, l) != "" {
		return false
	}
	leaked := objectNames(l.Objects)
	mine := append(objectNames(l.Holders), leaked...)
	for _, e := range res.Findings {
		if e.Title == l.Title && e.Op == l.Op && slices.Equal(e.Objects, l.Objects) {
			break // l itself: the findings before it are checked
		}
		if Misuse(p, e) != "" || corrupts(e) || (e.Op <= 0 && teardownWrong(e)) {
			return false
		}
		if !overlaps(objectNames(e.Objects), mine) {
			continue
		}
		hs := objectNames(e.Holders)
		if len(hs) > 0 && overlapsAll(hs, leaked) {
			continue // e is l's consequence
		}
		if len(e.Holders) == 0 && e.Op > 0 && heldBefore(l.Holders, e.Op) {
			continue // e noticed l's object still referenced
		}
		return false
	}
	return true
}

// takenAt is the op a holder line says its reference was taken at.
var takenAt = regexp.MustCompile(`, op (\d+)\)$`)

// heldBefore reports whether every holder of a leak took its reference
// before op: the kernel warning at op about the leaked object (a
// regulator_unregister() that finds its regulator still open) did not
// make that reference, it noticed it.
func heldBefore(holders []string, op int) bool {
	if len(holders) == 0 {
		return false
	}
	for _, h := range holders {
		m := takenAt.FindStringSubmatch(h)
		if m == nil {
			return false
		}
		if n, err := strconv.Atoi(m[1]); err != nil || n >= op {
			return false
		}
	}
	return true
}

// corrupts reports whether finding e leaves a state no later finding can
// be told apart from by its objects: memory the kernel freed or put
// once too often (a use-after-free, a refcount underflow or add on
// zero, a double put: B6's double gpiod_put frees a gpiochip whose
// parent i2c client then leaks), a broken invariant, or a kernel that
// hung (a deadlock: nothing after it runs on a real kernel). Only
// re-verification files what comes after those.
func corrupts(e report.Finding) bool {
	switch e.Kind {
	case report.UseAfterFree, report.RefcountUnderflow, report.RefcountAddOnZero, report.Ownership, report.Invariant, report.Deadlock:
		return true
	}
	return strings.HasPrefix(e.Title, "livelock ") || strings.HasPrefix(e.Title, "general protection fault ")
}

// teardownWrong reports whether finding e, raised at boot or teardown,
// means the teardown itself went wrong: anything but a leak (a removal
// that deadlocked or warned stops part way), or the leak of a whole
// overlay changeset (every node and device its overlay made stays, and
// each leak the teardown then finds may be that).
func teardownWrong(e report.Finding) bool {
	return e.Kind != report.Leak || strings.HasPrefix(e.Title, "memory leak of overlay_changeset ")
}

// objectNames are the names of objects in a finding's object or holder
// lines ("soc:bus@10000:leds (refcount 2) (with led0)", "device_add:
// child gpiochip1 (taken in device_add, op 1)"): the words that look
// like an object's name, with a letter and a digit or one of "/:@.-"
// (a node path, a device or module name), not a function name, a note
// or a number.
func objectNames(lines []string) []string {
	var out []string
	for _, line := range lines {
		for _, w := range strings.FieldsFunc(line, func(r rune) bool { return r == ' ' || r == '(' || r == ')' || r == ',' || r == ';' }) {
			w = strings.TrimRight(w, ":")
			if strings.ContainsAny(w, "abcdefghijklmnopqrstuvwxyz") && strings.ContainsAny(w, "0123456789/:@.-") && !strings.Contains(w, "_") {
				out = append(out, w)
			}
		}
	}
	return out
}

// sameObject reports whether a and b name one object, or a node and its
// property or descendant (device-tree paths), or a GPIO line and its
// chip ("gpiochip1:3").
func sameObject(a, b string) bool {
	if a == b {
		return true
	}
	if strings.HasPrefix(a, "/") && strings.HasPrefix(b, "/") {
		return strings.HasPrefix(a, b+"/") || strings.HasPrefix(b, a+"/")
	}
	return strings.HasPrefix(a, b+":") || strings.HasPrefix(b, a+":")
}

// overlaps reports whether some object of as is some object of bs.
func overlaps(as, bs []string) bool {
	for _, a := range as {
		for _, b := range bs {
			if sameObject(a, b) {
				return true
			}
		}
	}
	return false
}

// overlapsAll reports whether every object of as is some object of bs.
func overlapsAll(as, bs []string) bool {
	for _, a := range as {
		if !overlaps([]string{a}, bs) {
			return false
		}
	}
	return true
}

// findingTitled returns res's first finding titled title, or nil.
func findingTitled(res *Result, title string) *report.Finding {
	for i := range res.Findings {
		if res.Findings[i].Title == title {
			return &res.Findings[i]
		}
	}
	return nil
}
