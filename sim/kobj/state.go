package kobj

import (
	"fmt"
	"sort"
	"strings"

	"dangle/sim/canon"
)

// EncodeState writes the registry's once-only report state for the
// canonical state (sim.Kernel.Encode): whether refcount_warn_saturate()
// already warned (WARN_ONCE per kind) and which use-after-free reports
// KASAN already made, since a later op reports them only if not.
func (r *Registry) EncodeState(b *strings.Builder) {
	fmt.Fprintf(b, "refcount_warned add=%t sub=%t\n", r.warnedAdd, r.warnedSub)
	var uaf []string
	for k := range r.uafSeen {
		uaf = append(uaf, "kasan reported "+k.o.Type+" "+k.o.Name+" in "+k.fn)
	}
	sort.Strings(uaf)
	for _, s := range uaf {
		b.WriteString(s)
		b.WriteByte('\n')
	}
}

// Released returns the owner-tracked holds already put, oldest first:
// what a later over-put by the same owner names, so part of the state.
func (o *Object) Released() []Hold {
	if o.rare == nil {
		return nil
	}
	return o.rare.released
}

// AppendState writes into b exactly what EncodeState writes (the state
// key's path, sim.Kernel.StateKey).
func (r *Registry) AppendState(b *canon.Buf) {
	b.Str("refcount_warned add=").Bool(r.warnedAdd).Str(" sub=").Bool(r.warnedSub).Byte('\n')
	s := b.Begin()
	for k := range r.uafSeen {
		b.Str("kasan reported ").Str(k.o.Type).Byte(' ').Str(k.o.Name).Str(" in ").Str(k.fn)
		b.Item(s)
	}
	b.End(s, "", "\n", false)
}
