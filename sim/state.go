package sim

import (
	"fmt"
	"hash/fnv"
	"sort"
	"strings"
)

// Encode returns the canonical encoding of the whole simulated state
// between two ops: the live tree (DumpTree), every live registry object
// with its refcount and holders, the overlay changesets in ovcs_list and
// ovcs_idr (dangling entries included), the pending work items, and the
// program's bindings. Object ids and allocation order are left out, so
// two runs that reach the same state by different paths encode alike;
// freed objects appear only where something still points at them. It is
// what the exhaustive search hashes (StateHash) and what tests compare.
func (k *Kernel) Encode() string {
	var b strings.Builder
	b.WriteString(k.DumpTree())

	var objs []string
	for _, o := range k.Reg.Objects() {
		if o.Freed() {
			continue
		}
		var hs []string
		for _, h := range o.Holds() {
			hs = append(hs, h.Holder)
		}
		sort.Strings(hs)
		objs = append(objs, fmt.Sprintf("obj %s %s ref=%d holders=[%s]", o.Type, o.Name, o.Ref(), strings.Join(hs, ", ")))
	}
	sort.Strings(objs)
	for _, s := range objs {
		b.WriteString(s)
		b.WriteByte('\n')
	}

	for _, o := range k.OF.Overlays() {
		fmt.Fprintf(&b, "ovcs_list %s id=%d freed=%t\n", o.Obj().Name, o.ID, o.Obj().Freed())
	}
	for _, id := range k.OF.IDs() {
		o := k.OF.OverlayByID(id)
		fmt.Fprintf(&b, "ovcs_idr %d -> %s freed=%t\n", id, o.Obj().Name, o.Obj().Freed())
	}
	for _, wq := range k.Core.Workqueues() {
		for _, w := range wq.Pending() {
			fmt.Fprintf(&b, "pending %s %s %s\n", wq.Name, w.Fn, w.What)
		}
	}
	vars := k.vars()
	names := make([]string, 0, len(vars))
	for n := range vars {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&b, "var %s = %s\n", n, vars[n])
	}
	return b.String()
}

// vars returns the program's bindings as the text sees them: each name's
// latest bound slot, described by its type.
func (k *Kernel) vars() map[string]string {
	m := map[string]string{}
	for i, v := range k.slots {
		if v != nil && k.names[i] != "" {
			m[k.names[i]] = slotTypes[k.prog.Ops[i].Result()].describe(v)
		}
	}
	return m
}

// StateHash is a 64-bit FNV-1a hash of Encode.
func (k *Kernel) StateHash() uint64 {
	h := fnv.New64a()
	h.Write([]byte(k.Encode()))
	return h.Sum64()
}
