package kobj

import "dangle/sim/canon"

// Released returns the owner-tracked holds already put, oldest first:
// what a later over-put by the same owner names, so part of the state.
func (o *Object) Released() []Hold {
	if o.rare == nil {
		return nil
	}
	return o.rare.released
}

// AppendState writes the registry's once-only report state for the
// canonical state (sim.Kernel.AppendState): whether
// refcount_warn_saturate() already warned (WARN_ONCE per kind) and which
// use-after-free reports KASAN already made, since a later op reports
// them only if not.
func (r *Registry) AppendState(b *canon.Buf) {
	b.Str("refcount_warned add=").Bool(r.warnedAdd).Str(" sub=").Bool(r.warnedSub).Byte('\n')
	s := b.Begin()
	for k := range r.uafSeen {
		b.Str("kasan reported ").Str(k.o.Type).Byte(' ').Str(k.o.Name).Str(" in ").Str(k.fn)
		b.Item(s)
	}
	b.End(s, "", "\n", false)
}
