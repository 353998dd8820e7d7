package of

import (
	"fmt"
	"sort"
	"strings"
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
