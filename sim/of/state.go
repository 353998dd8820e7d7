package of

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"dangle/sim/canon"
)

// EncodeState writes the OF layer's part of the canonical state
// (sim.Kernel.Encode) beyond the live tree's dump: the live nodes not in
// sysfs or with fwnode flags set, the sticky DTSF_* flags, each overlay
// changeset in ovcs_list (walked as Overlays does) and ovcs_idr with its
// notify state, whether its list node is poisoned, and its
// changeset entries (the nodes they point at, attached or not, with
// their flags: what a removal will revert), the overlay notifier chain
// in call order (without the program's names for the blocks), the
// reconfig notifier chain and the double frees KASAN already reported.
func (t *OF) EncodeState(b *strings.Builder) {
	t.AllNodes(func(n *Node) bool {
		if !n.inSysfs || n.FwnodeFlags != 0 {
			fmt.Fprintf(b, "node %s sysfs=%t fwnode_flags=%#x\n", n.DisplayPath(), n.inSysfs, n.FwnodeFlags)
		}
		return true
	})
	fmt.Fprintf(b, "devicetree_state_flags=%#x\n", t.devicetreeStateFlags)
	listed := map[*Overlay]bool{}
	for _, o := range t.Overlays() {
		listed[o] = true
		t.encodeOverlay(b, "ovcs_list", o)
	}
	for _, id := range t.IDs() {
		if o := t.ovcsIDR[id]; !listed[o] {
			listed[o] = true
			t.encodeOverlay(b, fmt.Sprintf("ovcs_idr %d only", id), o)
		}
	}
	for _, nb := range t.overlayChain {
		fmt.Fprintf(b, "overlay_notifier %s\n", NotifierState(nb))
	}
	for _, rn := range t.reconfigChain {
		fmt.Fprintf(b, "reconfig_notifier %s\n", rn.Name)
	}
	// KASAN reports a double free once per object and function
	var df []string
	for k := range t.doubleFreeSeen {
		df = append(df, "kasan double-free reported "+k.o.Type+" "+k.o.Name+" in "+k.fn)
	}
	sort.Strings(df)
	for _, l := range df {
		b.WriteString(l)
		b.WriteByte('\n')
	}
}

func (t *OF) encodeOverlay(b *strings.Builder, where string, o *Overlay) {
	list := "linked"
	if o.list.next == listPoison1 || o.list.prev == listPoison2 {
		list = "poisoned" // list_del()ed: a second list_del faults
	}
	fmt.Fprintf(b, "%s %s id=%d freed=%t notify=%s count=%d cset_init=%t list=%s\n",
		where, o.name, o.ID, o.obj.Freed(), o.notifyState, o.count, o.csetInit, list)
	for _, ce := range o.Cset.Entries {
		prop := ""
		if ce.Prop != nil {
			prop = " prop=" + ce.Prop.Name
		}
		fmt.Fprintf(b, "  entry %s %s%s\n", ce.Action, NodeState(ce.Np), prop)
	}
}

// NodeState renders a node pointer as state: its path, flags (OF_DETACHED,
// OF_POPULATED, …), whether it is in sysfs and whether it was freed.
func NodeState(n *Node) string {
	if n == nil {
		return "NULL"
	}
	return fmt.Sprintf("%s flags=%s sysfs=%t freed=%t", n.DisplayPath(), n.Flags, n.inSysfs, n.obj != nil && n.obj.Freed())
}

// NotifierState renders an overlay notifier block by what it does and
// the nodes it kept, not by the program's name for it.
func NotifierState(nb *OverlayNotifier) string {
	var kept []string
	for _, np := range nb.Kept {
		kept = append(kept, NodeState(np))
	}
	return fmt.Sprintf("action=%s kept=[%s]", nb.Action, strings.Join(kept, ", "))
}

// AppendState writes into b exactly what EncodeState writes, without fmt
// or intermediate strings: the state key's path (sim.Kernel.StateKey).
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

// appendOverlay is encodeOverlay's appender; an id >= 0 is written as
// "ovcs_idr <id> only".
func (t *OF) appendOverlay(b *canon.Buf, where string, id int, o *Overlay) {
	list := "linked"
	if o.list.next == listPoison1 || o.list.prev == listPoison2 {
		list = "poisoned"
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

// AppendNodeState appends NodeState(n).
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

// AppendNotifierState appends NotifierState(nb).
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
