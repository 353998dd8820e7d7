package explore

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
// Only letters without a handle (ref < 0) sleep: a handle letter names
// a path position, which means a different handle on another path to
// the same state.
//
// The independence relation (independent) is declared per pair of ops
// from what each op reads and writes in the model: of_node_get only
// adds the program's hold on a node that exists (reading the tree, not
// the driver core or the workqueues); the ops it commutes with neither
// attach, detach nor free a node, and the hold lists they change are
// order-free (a put drops its own holder's hold). Two unbinds of
// distinct devices commute in the model's driver core (a consumer's
// unbind under its supplier's is device_links_unbind_consumers(), the
// same either way). TestIndependentCommutes checks every declared pair
// on every state of the corpus trees up to a depth, running both orders.

// independent reports whether letters a and b commute (see above).
func (a *alphabet) independent(x, y letter) bool {
	if x.ref >= 0 || y.ref >= 0 || x.t == y.t {
		return false
	}
	s, t := &a.templates[x.t], &a.templates[y.t]
	if s.desc.Name != "of_node_get" {
		s, t = t, s
	}
	switch {
	case s.desc.Name == "of_node_get":
		switch t.desc.Name {
		case "of_node_get", "device_release_driver", "run_work", "gpiod_get", "of_platform_depopulate":
			return true
		case "device_attach":
			// the probe takes its own node's reference: the holds' order
			return s.node != t.node
		}
	case s.desc.Name == "device_release_driver" && t.desc.Name == "device_release_driver":
		return s.node != t.node
	}
	return false
}

// sleepSet is a set of letters without a handle, by template index.
type sleepSet []uint64

func (s sleepSet) has(t int32) bool {
	w := int(t) / 64
	return w < len(s) && s[w]&(1<<(uint(t)%64)) != 0
}

func (s *sleepSet) add(t int32) {
	w := int(t) / 64
	for len(*s) <= w {
		*s = append(*s, 0)
	}
	(*s)[w] |= 1 << (uint(t) % 64)
}

// intersect keeps in s what o has too.
func (s sleepSet) intersect(o sleepSet) {
	for i := range s {
		if i < len(o) {
			s[i] &= o[i]
		} else {
			s[i] = 0
		}
	}
}

// sleep returns the letters of next to try from a state sleeping on z,
// in order, and the sleep set of each one's child.
func (a *alphabet) sleep(next []letter, z sleepSet) (try []letter, sleeps []sleepSet) {
	var done []letter // static letters tried so far, and the sleeping ones
	for _, l := range next {
		if l.ref < 0 && z.has(l.t) {
			done = append(done, l)
		}
	}
	for _, l := range next {
		if l.ref < 0 && z.has(l.t) {
			continue
		}
		var s sleepSet
		for _, d := range done {
			if a.independent(d, l) {
				s.add(d.t)
			}
		}
		try = append(try, l)
		sleeps = append(sleeps, s)
		if l.ref < 0 {
			done = append(done, l)
		}
	}
	return try, sleeps
}
