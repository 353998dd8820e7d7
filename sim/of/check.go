package of

import (
	"fmt"

	"dangle/sim/kobj"
)

// Invariants returns the broken ovcs invariants (kernel-model oracle 10):
// a freed overlay changeset still reachable from ovcs_idr or ovcs_list.
// Each string is "title\x00object".
func (t *OF) Invariants() []string {
	var out []string
	for _, id := range t.IDs() {
		if o := t.ovcsIDR[id]; o.obj.Freed() {
			out = append(out, fmt.Sprintf("dangling overlay_changeset in ovcs_idr\x00id %d -> %s", id, o.obj.Name))
		}
	}
	for _, o := range t.Overlays() {
		if o.obj.Freed() {
			out = append(out, "dangling overlay_changeset in ovcs_list\x00"+o.obj.Name)
		}
	}
	return out
}

// Home says where a dynamic property object sits now ("on deadprops of
// /soc/i2c@5000"), or "" if it is on no list of a live-tree node.
func (t *OF) Home(o *kobj.Object) string {
	home := ""
	t.AllNodes(func(n *Node) bool {
		for _, p := range n.Props {
			if p.obj == o {
				home = "on properties of " + n.DisplayPath()
				return false
			}
		}
		for _, p := range n.Deadprops {
			if p.obj == o {
				home = "on deadprops of " + n.DisplayPath()
				return false
			}
		}
		return true
	})
	return home
}
