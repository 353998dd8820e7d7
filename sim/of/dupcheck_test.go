package of

import (
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"unsafe"
)

// TestLaterDuplicates: the hashed duplicate-entry check agrees with the
// plain one (a set of (node?, Path(), property name) keys filled from
// the end) on random changesets over nodes whose paths coincide across
// trees and through names holding '/', and pathHash is the hash of the
// Path() string. Seeded: DANGLE_DUP_SEED=N replays a seed.
func TestLaterDuplicates(t *testing.T) {
	mk := func(parent *Node, name string) *Node { return &Node{FullName: name, Parent: parent} }
	r1, r2 := mk(nil, "/"), mk(nil, "/")
	a1, a2 := mk(r1, "a"), mk(r2, "a")
	b1, b2 := mk(a1, "b"), mk(a2, "b")
	slash := mk(r2, "a/b")
	nodes := []*Node{r1, r2, a1, a2, b1, b2, mk(a1, "c"), slash, mk(b2, "x"), mk(r1, "b"), mk(mk(r1, "A"), "b")}
	for _, n := range nodes {
		if got, want := pathHash(n), fnvString(fnvOffset, n.Path()); got != want {
			t.Errorf("pathHash(%q) = %#x, want the hash of the string %#x", n.Path(), got, want)
		}
	}
	props := []*Property{{Name: "status"}, {Name: "reg"}, {Name: "Status"}}
	actions := []Action{OF_RECONFIG_ATTACH_NODE, OF_RECONFIG_DETACH_NODE, OF_RECONFIG_ADD_PROPERTY, OF_RECONFIG_REMOVE_PROPERTY, OF_RECONFIG_UPDATE_PROPERTY}
	seed := uint64(1)
	if s := os.Getenv("DANGLE_DUP_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	for round := 0; round < 200; round++ {
		s := seed + uint64(round)
		rng := rand.New(rand.NewPCG(s, 0))
		entries := make([]*Entry, rng.IntN(12))
		for i := range entries {
			entries[i] = &Entry{Action: actions[rng.IntN(len(actions))], Np: nodes[rng.IntN(len(nodes))], Prop: props[rng.IntN(len(props))]}
		}
		got, want := laterDuplicates(entries), referenceDuplicates(entries)
		for i := range entries {
			if got[i] != want[i] {
				t.Fatalf("seed %d: entry %d (%s %s) duplicate %t, want %t; replay: DANGLE_DUP_SEED=%d go test ./sim/of -run TestLaterDuplicates",
					s, i, entries[i].Action, entries[i].Np.Path(), got[i], want[i], s)
			}
		}
	}
}

// referenceDuplicates is the check with path strings and a set.
func referenceDuplicates(entries []*Entry) []bool {
	type key struct {
		node       bool
		path, prop string
	}
	later := map[key]bool{}
	out := make([]bool, len(entries))
	for i := len(entries) - 1; i >= 0; i-- {
		ce := entries[i]
		k := key{node: isNodeAction(ce.Action), path: ce.Np.Path()}
		if !k.node {
			k.prop = ce.Prop.Name
		}
		out[i] = later[k]
		later[k] = true
	}
	return out
}

// TestEntryHolder: an entry's reference is named from its changeset, its
// number and the action it was made with, also once inverted (the
// name the reference was taken under is the one it is put under), and
// an entry is 32 bytes on a 64-bit machine.
func TestEntryHolder(t *testing.T) {
	cs := &Changeset{Name: "overlay #2"}
	ce := &Entry{Action: OF_RECONFIG_ATTACH_NODE, made: OF_RECONFIG_ATTACH_NODE, seq: 17}
	inv := ce.invert()
	if got, want := ce.holder(cs), "overlay #2 cset entry 17 (ATTACH_NODE)"; got != want || inv.holder(cs) != want {
		t.Errorf("holder %q, inverted %q, want %q", got, inv.holder(cs), want)
	}
	if unsafe.Sizeof(uintptr(0)) == 8 && unsafe.Sizeof(Entry{}) > 32 {
		t.Errorf("of.Entry is %d bytes, want <= 32", unsafe.Sizeof(Entry{}))
	}
}
