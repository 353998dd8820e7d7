package sim

import (
	"dangle/sim/canon"
	"dangle/sim/gpio"
	"dangle/sim/kobj"
	"dangle/sim/of"
)

// AppendState writes the canonical state (what Encode documents and
// returns) into b, without fmt, intermediate strings or sorting
// allocations once b's buffers have grown: the one rendering of the
// state, which Encode and StateHash print and StateKey hashes for every
// state the exhaustive search visits. A new state component is added
// here (or in its subsystem's AppendState) and nowhere else.
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

// StateKey is the SHA-256 of the canonical state (AppendState's text,
// which Encode returns), computed into b (reset first; nil allocates one):
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

// appendTree writes the live tree (DumpTree): one line per node in
// for_each_of_allnodes() order with its flags, phandle and refcount,
// then its properties and deadprops in list order.
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

// appendValue writes a property value: a NUL-terminated string of
// printable ASCII (0x20-0x7e) quoted, else hex, "<empty>" for none.
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

// appendObject writes a live registry object: type, name, refcount and
// its holds, oldest first (a put by a holder that took no reference
// drops the newest, so the order is state). A hold's op index is left
// out; whether it was taken at boot (op 0) stays, since the leak oracle
// tells them apart.
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

// appendDescribe writes slot i's value v by its result type's
// describe (slotTypes).
func (k *Kernel) appendDescribe(b *canon.Buf, i int, v any) {
	slotTypes[k.prog.Ops[i].Result()].describe(b, v)
}
