package of

import (
	"slices"

	"dangle/sim/canon"
)

// AppendState writes the OF layer's part of the canonical state
// (sim.Kernel.AppendState) beyond the live tree's dump: the live nodes not in
// sysfs or with fwnode flags set, the sticky DTSF_* flags, each overlay
// changeset in ovcs_list (walked as Overlays does) and ovcs_idr with its
// notify state, whether its list node is poisoned, and its
// changeset entries (the nodes they point at, attached or not, with
// their flags: what a removal will revert), the overlay notifier chain
// in call order (without the program's names for the blocks), the
// reconfig notifier chain and the double frees KASAN already reported.
func (t *OF) AppendState(b *canon.Buf) {
	t.AllNodes(func(n *Node) bool {
		if !n.inSysfs || n.FwnodeFlags != 0 {
			b.Str("node ")
			AppendPath(b, n)
			b.Str(" sysfs=").Bool(n.inSysfs).Str(" fwnode_flags=").Hex(uint64(n.FwnodeFlags)).Byte('\n')
		}
		return true
	})
	b.Str("devicetree_state_flags=").Hex(uint64(t.devicetreeStateFlags)).Byte('\n')
	listed := t.Overlays()
	for _, o := range listed {
		t.appendOverlay(b, "ovcs_list", -1, o)
	}
	for _, id := range t.IDs() {
		if o := t.ovcsIDR[id]; !slices.Contains(listed, o) {
			listed = append(listed, o)
			t.appendOverlay(b, "ovcs_idr", id, o)
		}
	}
	for _, nb := range t.overlayChain {
		b.Str("overlay_notifier ")
		AppendNotifierState(b, nb)
		b.Byte('\n')
	}
	for _, rn := range t.reconfigChain {
		b.Str("reconfig_notifier ").Str(rn.Name).Byte('\n')
	}
	s := b.Begin()
	for k := range t.doubleFreeSeen {
		b.Str("kasan double-free reported ").Str(k.o.Type).Byte(' ').Str(k.o.Name).Str(" in ").Str(k.fn)
		b.Item(s)
	}
	b.End(s, "", "\n", false)
}

// appendOverlay writes an overlay changeset and its entries; an id >= 0
// is written as "ovcs_idr <id> only" (an idr entry not on ovcs_list).
func (t *OF) appendOverlay(b *canon.Buf, where string, id int, o *Overlay) {
	list := "linked"
	if o.list.next == listPoison1 || o.list.prev == listPoison2 {
		list = "poisoned" // list_del()ed: a second list_del faults
	}
	b.Str(where)
	if id >= 0 {
		b.Byte(' ').Int(int64(id)).Str(" only")
	}
	b.Byte(' ').Str(o.name).Str(" id=").Int(int64(o.ID)).Str(" freed=").Bool(o.obj.Freed()).
		Str(" notify=").Str(o.notifyState.String()).Str(" count=").Int(int64(o.count)).
		Str(" cset_init=").Bool(o.csetInit).Str(" list=").Str(list).Byte('\n')
	for _, ce := range o.Cset.Entries {
		b.Str("  entry ").Str(ce.Action.String()).Byte(' ')
		AppendNodeState(b, ce.Np)
		if ce.Prop != nil {
			b.Str(" prop=").Str(ce.Prop.Name)
		}
		b.Byte('\n')
	}
}

// AppendPath appends n.DisplayPath() without building the string.
func AppendPath(b *canon.Buf, n *Node) {
	if n == nil {
		b.Str("(null)")
		return
	}
	if n.Parent == nil {
		if n.FullName == "" {
			b.Byte('/')
		}
		b.Str(n.FullName)
		return
	}
	var stack [32]*Node
	parts := stack[:0]
	for p := n; p.Parent != nil; p = p.Parent {
		parts = append(parts, p)
	}
	for i := len(parts) - 1; i >= 0; i-- {
		b.Byte('/').Str(parts[i].FullName)
	}
}

// AppendFlags appends f.String().
func AppendFlags(b *canon.Buf, f Flags) {
	first := true
	for _, n := range flagNames {
		if f&n.f != 0 {
			if !first {
				b.Byte('|')
			}
			b.Str(n.name)
			first = false
		}
	}
	if first {
		b.Byte('-')
	}
}

// AppendNodeState renders a node pointer as state: its path, flags
// (OF_DETACHED, OF_POPULATED, …), whether it is in sysfs and whether it
// was freed.
func AppendNodeState(b *canon.Buf, n *Node) {
	if n == nil {
		b.Str("NULL")
		return
	}
	AppendPath(b, n)
	b.Str(" flags=")
	AppendFlags(b, n.Flags)
	b.Str(" sysfs=").Bool(n.inSysfs).Str(" freed=").Bool(n.obj != nil && n.obj.Freed())
}

// AppendNotifierState renders an overlay notifier block by what it does
// and the nodes it kept, not by the program's name for it.
func AppendNotifierState(b *canon.Buf, nb *OverlayNotifier) {
	b.Str("action=").Str(nb.Action).Str(" kept=[")
	for i, np := range nb.Kept {
		if i > 0 {
			b.Str(", ")
		}
		AppendNodeState(b, np)
	}
	b.Byte(']')
}
