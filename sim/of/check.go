package of

import (
	"fmt"
	"slices"

	"dangle/sim/kobj"
)

// Invariants returns the broken ovcs invariants (kernel-model oracle 10):
// a freed overlay changeset still reachable from ovcs_idr or ovcs_list.
// Each string is "title\x00object". It runs after every op, so it walks
// the lists only when an object was freed since its last walk: a
// changeset becomes dangling only by being freed (new ones never are), so
// between frees nothing new can appear; the answer may then still list
// an entry removed since (the caller reports each string once).
func (t *OF) Invariants() []string {
	if t.invValid && t.invFrees == t.reg.Frees {
		return t.invLast
	}
	t.invLast, t.invFrees, t.invValid = t.invariants(), t.reg.Frees, true
	return t.invLast
}

func (t *OF) invariants() []string {
	var out []string
	// Invariants runs after every op: sort only the dangling ids, not
	// every id (4k applies spent most of their time sorting, issue 14).
	var dangling []int
	for id, o := range t.ovcsIDR {
		if o.obj.Freed() {
			dangling = append(dangling, id)
		}
	}
	slices.Sort(dangling)
	for _, id := range dangling {
		out = append(out, fmt.Sprintf("dangling overlay_changeset in ovcs_idr\x00id %d -> %s", id, t.ovcsIDR[id].obj.Name))
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
