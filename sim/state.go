package sim

import (
	"fmt"
	"hash/fnv"
	"runtime/debug"
	"sort"
	"strings"

	"dangle/prog"
	"dangle/sim/gpio"
	"dangle/sim/kobj"
	"dangle/sim/of"
)

// Encode returns the canonical encoding of the whole simulated state
// between two ops: everything a later op can observe, and nothing that
// cannot influence the future. In order:
//
//   - the profile, and the live tree (DumpTree: nodes, flags such as
//     OF_POPULATED, phandles, refcounts, properties and deadprops);
//   - every live registry object with its refcount and holds in order
//     (holder, taking function, boot or run time, owning allocation,
//     dropped), the owner-tracked holds already released, the leak the
//     kernel announced for it; objects sorted;
//   - the OF layer (sim/of EncodeState): nodes out of sysfs, DTSF_*
//     flags, overlay changesets with their entries' nodes and flags,
//     the overlay and reconfig notifier chains;
//   - the driver core (sim/core EncodeState): registered drivers,
//     devices with their bound driver, link status and devres entries
//     and groups (with the action's data), device links with flags and
//     status, deferred probe, fwnode links, PM domains, regulators,
//     clocks, lockdep's graph;
//   - GPIO (sim/gpio EncodeState): requested descriptors and owners;
//   - pending work, in the order queued across queues (the order a
//     sched point or the teardown flush runs it);
//   - once-only report state (invariants and KASAN reports made,
//     refcount_warn_saturate's WARN_ONCE);
//   - the program's handles as a sorted multiset of (type, referent).
//
// Left out: kobj ids and allocation order, addresses, op indices and
// the program's variable names (canonHolder strips them from holders),
// so two runs that reach the same state by different paths, or with
// other names, encode alike. Freed objects appear only where something
// still points at them. It is what `dangle run -state` prints (with
// StateHash) and tests compare; the exhaustive search hashes the same
// bytes written without fmt by AppendState (StateKey), which must stay
// in step with it (TestStateKeyMatchesEncode).
func (k *Kernel) Encode() string {
	var b strings.Builder
	fmt.Fprintf(&b, "kernel %s\n", k.Prof.Name)
	b.WriteString(k.DumpTree())

	var objs []string
	for _, o := range k.Reg.Objects() {
		if o.Freed() {
			continue
		}
		objs = append(objs, k.encodeObject(o))
	}
	sort.Strings(objs)
	for _, s := range objs {
		b.WriteString(s)
		b.WriteByte('\n')
	}

	k.OF.EncodeState(&b)
	k.Core.EncodeState(&b, k.canonHolder)
	if g, ok := k.Core.GPIO.(*gpio.GPIO); ok {
		g.EncodeState(&b, k.canonHolder)
	}
	for _, w := range k.Core.PendingWork() {
		fmt.Fprintf(&b, "pending %s %s %s\n", w.Queue(), w.Fn, w.What)
	}
	inv := make([]string, 0, len(k.invSeen))
	for s := range k.invSeen {
		inv = append(inv, strings.ReplaceAll(s, "\x00", ": "))
	}
	sort.Strings(inv)
	for _, s := range inv {
		fmt.Fprintf(&b, "invariant reported %s\n", s)
	}
	k.Reg.EncodeState(&b)

	// every bound slot is a handle: a later op links to the op, not to
	// a name, so a shadowed name's slot is as reachable as any
	var handles []string
	for i, v := range k.slots {
		if v != nil {
			handles = append(handles, slotTypes[k.prog.Ops[i].Result()].describe(v))
		}
	}
	sort.Strings(handles)
	for _, h := range handles {
		fmt.Fprintf(&b, "handle %s\n", h)
	}
	// notifier blocks the program registered (unregistered at teardown)
	for _, nb := range k.notifiers {
		fmt.Fprintf(&b, "program notifier %s\n", of.NotifierState(nb))
	}
	return b.String()
}

// encodeObject renders a live registry object: type, name, refcount and
// its holds, oldest first (a put by a holder that took no reference
// drops the newest, so the order is state). A hold's op index is left
// out; whether it was taken at boot (op 0) stays, since the leak oracle
// tells them apart.
func (k *Kernel) encodeObject(o *kobj.Object) string {
	hs := make([]string, 0, len(o.Holds()))
	for _, h := range o.Holds() {
		s := k.canonHolder(h.Holder) + " in " + h.Func
		if h.Op == 0 {
			s += " at boot"
		}
		if h.Owner != nil {
			s += " owned by " + h.Owner.Name
		}
		if h.Dropped != "" {
			s += " dropped in " + h.Dropped
		}
		hs = append(hs, s)
	}
	s := fmt.Sprintf("obj %s %s ref=%d dynamic=%t holders=[%s]", o.Type, o.Name, o.Ref(), o.Dynamic, strings.Join(hs, ", "))
	if rel := o.Released(); len(rel) > 0 {
		rs := make([]string, 0, len(rel))
		for _, h := range rel {
			rs = append(rs, k.canonHolder(h.Holder)+" in "+h.Func+" put in "+h.Dropped)
		}
		s += " released=[" + strings.Join(rs, ", ") + "]"
	}
	if lp := o.LastPut(); o.Ref() == 0 && lp.Func != "" {
		s += " last_put=" + k.canonHolder(lp.Holder) + " in " + lp.Func
	}
	if o.Announced != "" {
		s += fmt.Sprintf(" announced=%q", o.Announced)
	}
	return s
}

// canonHolder is the one place a holder or owner string is made
// independent of the program's variable names and op indices: every
// reference or ownership token the program holds, whichever slot took it
// ("program ref n (op 3)", "program (op 3)", "program n": HolderSlot),
// and a put by path ("program"), is held by "program". Which slot holds
// a reference is encoded with the handle (heldIn), by what took it.
func (k *Kernel) canonHolder(s string) string {
	if _, ok := k.HolderSlot(s); ok || s == programHolder {
		return programHolder
	}
	return s
}

// The per-type renderings of a slot for Encode (slotTypes' describe):
// a handle by its type and what it refers to, never by its name.

func describeOverlay(v any) string { return fmt.Sprintf("overlay id %d", *v.(*int)) }

func describeNode(v any) string {
	x := v.(*nodeRef)
	if x.np == nil {
		return "node NULL"
	}
	return "node " + of.NodeState(x.np) + heldIn(x.np.Obj(), x.holder)
}

func describeDevice(v any) string {
	x := v.(*deviceRef)
	if x.d == nil {
		return "device NULL"
	}
	return fmt.Sprintf("device %s freed=%t%s", x.d.Name, x.d.Obj().Freed(), heldIn(x.d.Obj(), x.holder))
}

func describeLink(v any) string {
	x := v.(*linkRef)
	if x.l == nil {
		return "device_link NULL"
	}
	return fmt.Sprintf("device_link %s freed=%t", x.l.Name(), x.l.Freed())
}

func describeDesc(v any) string {
	x := v.(*descRef)
	if x.desc == nil {
		return "gpio_desc NULL"
	}
	return "gpio_desc " + x.desc.Name()
}

func describeNotifier(v any) string { return "notifier " + of.NotifierState(v.(*of.OverlayNotifier)) }

// heldIn names the function that took the reference a handle holds on o
// (its hold, found by the handle's holder string): two handles on one
// object are told apart by what their puts will leave behind, not by
// their names. " not held" once the handle's reference was put.
func heldIn(o *kobj.Object, holder string) string {
	hs := o.Holds()
	for i := len(hs) - 1; i >= 0; i-- {
		if hs[i].Holder == holder {
			return " held in " + hs[i].Func
		}
	}
	return " not held"
}

// StateHash is a 64-bit FNV-1a hash of Encode: the hash line `dangle
// run -state` prints. The search keys states by StateKey instead.
func (k *Kernel) StateHash() uint64 {
	h := fnv.New64a()
	h.Write([]byte(k.Encode()))
	return h.Sum64()
}

// State runs p's ops under cfg, without teardown, and returns the
// canonical encoding of the state after the last op and its hash (what
// `dangle run -state` prints). A simulator panic is returned as a *Bug.
func State(p *prog.Program, cfg Config) (enc string, hash uint64, err error) {
	defer func() {
		if r := recover(); r != nil {
			enc, hash, err = "", 0, &Bug{Value: r, Stack: string(debug.Stack())}
		}
	}()
	cfg.Quiet = true
	k, err := New(p, cfg)
	if err != nil {
		return "", 0, err
	}
	k.RunOps()
	return k.Encode(), k.StateHash(), nil
}
