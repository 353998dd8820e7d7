package sim

import (
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
// targets therefore file at most one finding per program: its earliest
// (Result.Findings is in the order the oracles raised them, teardown
// last). Nothing before it can be its consequence; anything after it
// may be. A bug that only shows after another one in some program is
// still filed when some other program reaches it first.
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
