package explore

import (
	"slices"
	"sort"
)

// Partial-order reduction by sleep sets (Godefroid, "Partial-Order
// Methods for the Verification of Concurrent Systems", LNCS 1032,
// ch. 5). Two letters are independent when, from any state where both
// are enabled, running them in either order reaches the same state
// (the canonical encoding and the held handles), raises the same
// findings, and neither disables the other. When a state's letters
// l1, l2, … are tried in order, the child of li sleeps on the earlier
// siblings (and the parent's sleeping letters) independent of li: the
// path that runs that sibling after li reaches a state the sibling's
// own subtree reaches with li after it, at the same depth. Sleep sets
// alone prune transitions, not states: every state is still reached,
// at its shortest depth (TestPORSameStates checks the counts), and
// every title is found with a program of the same length, though not
// always the same program (Config.POR).
//
// With state hashing a state reached by several paths of one level
// sleeps only on the letters every such path sleeps on (the
// intersection); a state reached again at a deeper level keeps what it
// had, as BFS does: the letters it slept on lead to states reached at
// the shallower depth already.
//
// A letter with a handle (of_node_put of the handle op i bound) names a
// path position: along one path it means one handle, but on another path
// to the same state it may mean another, so a merge keeps only the
// letters without one.
//
// The independence relation (independent) is declared per pair of ops
// from what each op reads and writes in the model: of_node_get only
// adds the program's hold on a node that exists (reading the tree, not
// the driver core or the workqueues), of_node_put only drops the hold
// its handle took; the ops they commute with neither attach nor detach
// a node, and the hold lists they change are order-free (a put drops
// its own holder's hold). Two unbinds of
// distinct devices commute in the model's driver core (a consumer's
// unbind under its supplier's is device_links_unbind_consumers(), the
// same either way). TestIndependentCommutes checks every declared pair
// on every state of the corpus trees up to a depth, running both orders.

// independent reports whether letters x and y commute (see above).
func (a *alphabet) independent(x, y letter) bool {
	if x == y {
		return false
	}
	s, t := &a.templates[x.t], &a.templates[y.t]
	// order the pair: of_node_put first, then of_node_get
	if t.desc.Name == "of_node_put" || t.desc.Name == "of_node_get" && s.desc.Name != "of_node_put" {
		s, t = t, s
	}
	switch s.desc.Name {
	case "of_node_put":
		// drops the program's own hold on its handle's node (another
		// handle's, for two puts); the ops below neither detach a node
		// nor take the program's holds. Not run_work: on a node an
		// overlay removal detached, the put that drops the last
		// reference frees it, and whether the pending work has
		// destroyed the changeset first decides what of_node_release()
		// reports (B1 on v6.8, found by TestIndependentCommutes at
		// depth 4)
		switch t.desc.Name {
		case "of_node_put", "of_node_get", "device_release_driver", "device_attach", "gpiod_get",
			"of_platform_depopulate", "of_platform_populate":
			return true
		}
	case "of_node_get":
		switch t.desc.Name {
		case "of_node_get", "device_release_driver", "run_work", "gpiod_get", "of_platform_depopulate":
			return true
		case "device_attach":
			// the probe takes its own node's reference: the holds' order
			return s.node != t.node
		}
	case "device_release_driver":
		return t.desc.Name == "device_release_driver" && s.node != t.node
	}
	return false
}

// sleepSet is a set of letters, sorted by template and handle.
type sleepSet []letter

func less(x, y letter) bool { return x.t < y.t || x.t == y.t && x.ref < y.ref }

func (s sleepSet) has(l letter) bool {
	i := sort.Search(len(s), func(i int) bool { return !less(s[i], l) })
	return i < len(s) && s[i] == l
}

func (s *sleepSet) add(l letter) {
	i := sort.Search(len(*s), func(i int) bool { return !less((*s)[i], l) })
	if i < len(*s) && (*s)[i] == l {
		return
	}
	*s = slices.Insert(*s, i, l)
}

// merge keeps in s the letters without a handle that o has too: a
// handle letter names a path position, which on another path to the
// same state may be another handle, so none survives a merge.
func (s *sleepSet) merge(o sleepSet) {
	out := (*s)[:0]
	for _, l := range *s {
		if l.ref < 0 && o.has(l) {
			out = append(out, l)
		}
	}
	*s = out
}

// sleep returns the letters of next to try from a state sleeping on z,
// in order, and the sleep set of each one's child.
func (a *alphabet) sleep(next []letter, z sleepSet) (try []letter, sleeps []sleepSet) {
	var done []letter // the letters tried so far, and the sleeping ones
	for _, l := range next {
		if z.has(l) {
			done = append(done, l)
		}
	}
	for _, l := range next {
		if z.has(l) {
			continue
		}
		var s sleepSet
		for _, d := range done {
			if a.independent(d, l) {
				s.add(d)
			}
		}
		try = append(try, l)
		sleeps = append(sleeps, s)
		done = append(done, l)
	}
	return try, sleeps
}
