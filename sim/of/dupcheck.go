package of

import (
	"cmp"
	"slices"
)

// laterDuplicates returns, for each changeset entry, whether a later
// entry has the same key: both node actions on the same "%pOF" path, or
// both property actions on the same path and property name
// (changeset_dup_entry_check()'s question, see changesetDupEntryCheck).
//
// It works on a 64-bit hash of each key, computed from the names without
// building the path string, and sorts the entries by it: a 50 MB overlay
// has 300k entries, whose path strings and a set of keys were 47 MB of
// garbage in the middle of its apply (issue 14 item 8). Entries of equal
// hash are then compared exactly (entryKeyEqual), so a collision cannot
// change the answer.
func laterDuplicates(entries []*Entry) []bool {
	n := len(entries)
	hs := make([]uint64, n)
	for i, ce := range entries {
		hs[i] = entryKeyHash(ce)
	}
	order := make([]int32, n)
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		if c := cmp.Compare(hs[a], hs[b]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	hasDup := make([]bool, n)
	for s := 0; s < n; {
		e := s + 1
		for e < n && hs[order[e]] == hs[order[s]] {
			e++
		}
		// a run of equal hashes in entry order: almost always one
		// entry; for equal keys the first comparison answers
		for x := s; x < e; x++ {
			i := order[x]
			for y := x + 1; y < e; y++ {
				if entryKeyEqual(entries[i], entries[order[y]]) {
					hasDup[i] = true
					break
				}
			}
		}
		s = e
	}
	return hasDup
}

// FNV-1a, 64 bits: deterministic (no per-process seed), so a run does
// the same work every time.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func fnvString(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * fnvPrime
	}
	return h
}

// pathHash is the FNV-1a hash of n.Path(), made from the same pieces in
// the same order without building the string.
func pathHash(n *Node) uint64 {
	h := uint64(fnvOffset)
	if n == nil || n.Parent == nil {
		return fnvString(h, n.Path())
	}
	var stack [32]*Node
	parts := stack[:0]
	for p := n; p.Parent != nil; p = p.Parent {
		parts = append(parts, p)
	}
	for i := len(parts) - 1; i >= 0; i-- {
		h = (h ^ '/') * fnvPrime
		h = fnvString(h, parts[i].FullName)
	}
	return h
}

// entryKeyHash hashes an entry's key: its path, whether it is a node
// action, and for a property action the property's name.
func entryKeyHash(ce *Entry) uint64 {
	h := pathHash(ce.Np)
	if isNodeAction(ce.Action) {
		return (h ^ 1) * fnvPrime
	}
	return fnvString((h^2)*fnvPrime, ce.Prop.Name)
}

// entryKeyEqual reports whether two entries have the same key.
func entryKeyEqual(a, b *Entry) bool {
	an, bn := isNodeAction(a.Action), isNodeAction(b.Action)
	if an != bn || !an && a.Prop.Name != b.Prop.Name {
		return false
	}
	return samePath(a.Np, b.Np)
}
