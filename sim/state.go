package sim

import (
	"fmt"
	"hash/fnv"
	"runtime/debug"
	"sort"
	"strings"

	"dangle/prog"

	"dangle/sim/core"
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
//   - every live registry object with its refcount and holds (holder,
//     taking function, boot or run time, owning allocation), sorted;
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
// still points at them. It is what the exhaustive search hashes
// (StateHash), `dangle run -state` prints and tests compare.
func (k *Kernel) Encode() string {
	var b strings.Builder
	fmt.Fprintf(&b, "kernel %s\n", k.Prof.Name)
	b.WriteString(k.DumpTree())

	var objs []string
	for _, o := range k.Reg.Objects() {
		if o.Freed() {
			continue
		}
		objs = append(objs, encodeObject(o))
	}
	sort.Strings(objs)
	for _, s := range objs {
		b.WriteString(s)
		b.WriteByte('\n')
	}

	k.OF.EncodeState(&b)
	k.Core.EncodeState(&b, canonHolder)
	if g, ok := k.Core.GPIO.(*gpio.GPIO); ok {
		g.EncodeState(&b, canonHolder)
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

	handles := make([]string, 0, len(k.vars))
	for _, v := range k.vars {
		handles = append(handles, describeValue(v))
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
func encodeObject(o *kobj.Object) string {
	hs := make([]string, 0, len(o.Holds()))
	for _, h := range o.Holds() {
		s := canonHolder(h.Holder) + " in " + h.Func
		if h.Op == 0 {
			s += " at boot"
		}
		if h.Owner != nil {
			s += " owned by " + h.Owner.Name
		}
		hs = append(hs, s)
	}
	s := fmt.Sprintf("obj %s %s ref=%d dynamic=%t holders=[%s]", o.Type, o.Name, o.Ref(), o.Dynamic, strings.Join(hs, ", "))
	if lp := o.LastPut(); o.Ref() == 0 && lp.Func != "" {
		s += " last_put=" + canonHolder(lp.Holder) + " in " + lp.Func
	}
	return s
}

// canonHolder is the one place a holder or owner string is made
// independent of the program's variable names and op indices: the
// program's references are all held by "program", whichever handle or
// op took them ("program ref n (op 3)", "program (op 3)", "program n").
// Once the sim holds program references by op slot, this is where the
// slot is dropped instead.
func canonHolder(s string) string {
	if strings.HasPrefix(s, "program ") {
		return "program"
	}
	return s
}

// describeValue renders a program handle for Encode by its type and
// what it refers to (never by the name it is bound to).
func describeValue(v any) string {
	switch x := v.(type) {
	case *int:
		return fmt.Sprintf("overlay id %d", *x)
	case *nodeRef:
		if x.np == nil {
			return "node NULL"
		}
		return "node " + of.NodeState(x.np) + heldIn(x.np.Obj(), x.holder)
	case *deviceRef:
		if x.d == nil {
			return "device NULL"
		}
		return fmt.Sprintf("device %s freed=%t%s", x.d.Name, x.d.Obj().Freed(), heldIn(x.d.Obj(), x.holder))
	case *linkRef:
		if x.l == nil {
			return "device_link NULL"
		}
		return fmt.Sprintf("device_link %s freed=%t", x.l.Name(), x.l.Freed())
	case *descRef:
		if x.desc == nil {
			return "gpio_desc NULL"
		}
		return "gpio_desc " + x.desc.Name()
	case *of.OverlayNotifier:
		return "notifier " + of.NotifierState(x)
	}
	return "value " + core.DataString(v)
}

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

// StateHash is a 64-bit FNV-1a hash of Encode.
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
