package sim

import (
	"dangle/sim/canon"
	"dangle/sim/gpio"
	"dangle/sim/kobj"
	"dangle/sim/of"
)

// AppendState writes Encode's text into b, byte for byte, without fmt,
// intermediate strings or sorting allocations once b's buffers have
// grown: the path the exhaustive search hashes for every state
// (StateKey). Encode stays the readable reference the subsystems'
// EncodeState methods build; TestStateKeyMatchesEncode holds the two
// equal over the corpus and generated programs.
func (k *Kernel) AppendState(b *canon.Buf) {
	b.Str("kernel ").Str(k.Prof.Name).Byte('\n')
	k.appendTree(b)

	s := b.Begin()
	for _, o := range k.Reg.Objects() {
		if !o.Freed() {
			k.appendObject(b, o)
			b.Item(s)
		}
	}
	b.End(s, "", "\n", false)

	k.OF.AppendState(b)
	k.Core.AppendState(b, k.canonHolder)
	if g, ok := k.Core.GPIO.(*gpio.GPIO); ok {
		g.AppendState(b, k.canonHolder)
	}
	for _, w := range k.Core.PendingWork() {
		b.Str("pending ").Str(w.Queue()).Byte(' ').Str(w.Fn).Byte(' ').Str(w.What).Byte('\n')
	}
	s = b.Begin()
	for inv := range k.invSeen {
		b.Str("invariant reported ")
		for i := 0; i < len(inv); i++ {
			if inv[i] == 0 {
				b.Str(": ")
			} else {
				b.Byte(inv[i])
			}
		}
		b.Item(s)
	}
	b.End(s, "", "\n", false)
	k.Reg.AppendState(b)

	s = b.Begin()
	for i, v := range k.slots {
		if v != nil {
			b.Str("handle ")
			k.appendDescribe(b, i, v)
			b.Item(s)
		}
	}
	b.End(s, "", "\n", false)
	for _, nb := range k.notifiers {
		b.Str("program notifier ")
		of.AppendNotifierState(b, nb)
		b.Byte('\n')
	}
}

// StateKey is the SHA-256 of the canonical state (Encode's text),
// computed through AppendState into b (reset first; nil allocates one):
// two states have equal keys exactly when they encode alike, collisions
// of SHA-256 aside. Unlike maphash it is the same in every process.
func (k *Kernel) StateKey(b *canon.Buf) [32]byte {
	if b == nil {
		b = new(canon.Buf)
	}
	b.Reset()
	k.AppendState(b)
	return b.Key()
}

// appendTree writes DumpTree's text.
func (k *Kernel) appendTree(b *canon.Buf) {
	k.OF.AllNodes(func(n *of.Node) bool {
		of.AppendPath(b, n)
		b.Str(" flags=")
		of.AppendFlags(b, n.Flags)
		b.Str(" phandle=").Int(int64(n.Phandle)).Str(" ref=").Int(int64(n.Obj().Ref())).Byte('\n')
		for _, p := range n.Props {
			b.Str("  ").Str(p.Name).Str(" = ")
			appendValue(b, p)
			b.Byte('\n')
		}
		for _, p := range n.Deadprops {
			b.Str("  dead ").Str(p.Name).Str(" = ")
			appendValue(b, p)
			b.Byte('\n')
		}
		return true
	})
}

// appendValue writes valueString(p): a NUL-terminated printable string
// quoted, else hex (Property.String, then printable, byte by byte: a
// byte outside 0x20-0x7e is a rune outside it or an invalid one).
func appendValue(b *canon.Buf, p *of.Property) {
	v := p.Value
	if n := len(v); n > 0 && v[n-1] == 0 && printableBytes(v[:n-1]) {
		b.QuotePrintable(v[:n-1])
		return
	}
	if len(v) == 0 {
		b.Str("<empty>")
		return
	}
	b.Byte('[').HexBytes(v).Byte(']')
}

func printableBytes(p []byte) bool {
	for _, c := range p {
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

// appendObject writes encodeObject(o).
func (k *Kernel) appendObject(b *canon.Buf, o *kobj.Object) {
	b.Str("obj ").Str(o.Type).Byte(' ').Str(o.Name).Str(" ref=").Int(int64(o.Ref())).
		Str(" dynamic=").Bool(o.Dynamic).Str(" holders=[")
	for i, h := range o.Holds() {
		if i > 0 {
			b.Str(", ")
		}
		b.Str(k.canonHolder(h.Holder)).Str(" in ").Str(h.Func)
		if h.Op == 0 {
			b.Str(" at boot")
		}
		if h.Owner != nil {
			b.Str(" owned by ").Str(h.Owner.Name)
		}
		if h.Dropped != "" {
			b.Str(" dropped in ").Str(h.Dropped)
		}
	}
	b.Byte(']')
	if rel := o.Released(); len(rel) > 0 {
		b.Str(" released=[")
		for i, h := range rel {
			if i > 0 {
				b.Str(", ")
			}
			b.Str(k.canonHolder(h.Holder)).Str(" in ").Str(h.Func).Str(" put in ").Str(h.Dropped)
		}
		b.Byte(']')
	}
	if lp := o.LastPut(); o.Ref() == 0 && lp.Func != "" {
		b.Str(" last_put=").Str(k.canonHolder(lp.Holder)).Str(" in ").Str(lp.Func)
	}
	if o.Announced != "" {
		b.Str(" announced=").Quote(o.Announced)
	}
}

// appendDescribe writes slot i's describe text (slotTypes), the handle
// types of Encode's describe* functions without fmt; another type falls
// back to its describe.
func (k *Kernel) appendDescribe(b *canon.Buf, i int, v any) {
	switch x := v.(type) {
	case *int:
		b.Str("overlay id ").Int(int64(*x))
	case *nodeRef:
		if x.np == nil {
			b.Str("node NULL")
			return
		}
		b.Str("node ")
		of.AppendNodeState(b, x.np)
		appendHeldIn(b, x.np.Obj(), x.holder)
	case *deviceRef:
		if x.d == nil {
			b.Str("device NULL")
			return
		}
		b.Str("device ").Str(x.d.Name).Str(" freed=").Bool(x.d.Obj().Freed())
		appendHeldIn(b, x.d.Obj(), x.holder)
	case *linkRef:
		if x.l == nil {
			b.Str("device_link NULL")
			return
		}
		b.Str("device_link ").Str(x.l.Name()).Str(" freed=").Bool(x.l.Freed())
	case *descRef:
		if x.desc == nil {
			b.Str("gpio_desc NULL")
			return
		}
		b.Str("gpio_desc ").Str(x.desc.Name())
	case *of.OverlayNotifier:
		b.Str("notifier ")
		of.AppendNotifierState(b, x)
	default:
		b.Str(slotTypes[k.prog.Ops[i].Result()].describe(v))
	}
}

// appendHeldIn writes heldIn(o, holder).
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

// AppendHandle writes what Handle(i) returns as desc into b and reports
// its live; an op that bound nothing writes nothing. The search's key
// adds the live handles to the state's text without a string each.
func (k *Kernel) AppendHandle(b *canon.Buf, i int) (live bool) {
	if i < 0 || i >= len(k.slots) || k.slots[i] == nil {
		return false
	}
	v := k.slots[i]
	k.appendDescribe(b, i, v)
	switch x := v.(type) {
	case *int:
		return *x != 0
	case *nodeRef:
		return x.np != nil
	case *deviceRef:
		return x.d != nil
	case *descRef:
		return x.desc != nil
	}
	return true
}
