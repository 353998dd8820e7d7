package sim

import (
	"hash/fnv"
	"runtime/debug"

	"dangle/prog"
	"dangle/sim/canon"
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
//   - the OF layer (sim/of AppendState): nodes out of sysfs, DTSF_*
//     flags, overlay changesets with their entries' nodes and flags,
//     the overlay and reconfig notifier chains;
//   - the driver core (sim/core AppendState): registered drivers,
//     devices with their bound driver, link status and devres entries
//     and groups (with the action's data), device links with flags and
//     status, deferred probe, fwnode links, PM domains, regulators,
//     clocks, lockdep's graph;
//   - GPIO (sim/gpio AppendState): requested descriptors and owners;
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
// StateHash) and tests compare; the text is AppendState's, the one
// rendering of the state, whose bytes the exhaustive search hashes
// (StateKey).
func (k *Kernel) Encode() string {
	b := k.render()
	return b.String()
}

// render writes the state into a fresh buffer sized for a typical one
// (the corpus's states are 14-23 KB), so that it grows once at most.
func (k *Kernel) render() *canon.Buf {
	b := new(canon.Buf)
	b.Grow(32 << 10)
	k.AppendState(b)
	return b
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

// The per-type renderings of a slot (slotTypes' describe): a handle by
// its type and what it refers to, never by its name.

func describeOverlay(b *canon.Buf, v any) { b.Str("overlay id ").Int(int64(*v.(*int))) }

func describeNode(b *canon.Buf, v any) {
	x := v.(*nodeRef)
	if x.np == nil {
		b.Str("node NULL")
		return
	}
	b.Str("node ")
	of.AppendNodeState(b, x.np)
	appendHeldIn(b, x.np.Obj(), x.holder)
}

func describeDevice(b *canon.Buf, v any) {
	x := v.(*deviceRef)
	if x.d == nil {
		b.Str("device NULL")
		return
	}
	b.Str("device ").Str(x.d.Name).Str(" freed=").Bool(x.d.Obj().Freed())
	appendHeldIn(b, x.d.Obj(), x.holder)
}

func describeLink(b *canon.Buf, v any) {
	x := v.(*linkRef)
	if x.l == nil {
		b.Str("device_link NULL")
		return
	}
	b.Str("device_link ").Str(x.l.Name()).Str(" freed=").Bool(x.l.Freed())
}

func describeDesc(b *canon.Buf, v any) {
	x := v.(*descRef)
	if x.desc == nil {
		b.Str("gpio_desc NULL")
		return
	}
	b.Str("gpio_desc ").Str(x.desc.Name())
}

func describeNotifier(b *canon.Buf, v any) {
	b.Str("notifier ")
	of.AppendNotifierState(b, v.(*of.OverlayNotifier))
}

// appendHeldIn names the function that took the reference a handle
// holds on o (its hold, found by the handle's holder string): two
// handles on one object are told apart by what their puts will leave
// behind, not by their names. " not held" once the handle's reference
// was put.
func appendHeldIn(b *canon.Buf, o *kobj.Object, holder string) {
	hs := o.Holds()
	for i := len(hs) - 1; i >= 0; i-- {
		if hs[i].Holder == holder {
			b.Str(" held in ").Str(hs[i].Func)
			return
		}
	}
	b.Str(" not held")
}

// StateHash is a 64-bit FNV-1a hash of Encode's text: the hash line
// `dangle run -state` prints. The search keys states by StateKey instead.
func (k *Kernel) StateHash() uint64 {
	h := fnv.New64a()
	h.Write(k.render().B)
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
