package of

import "testing"

// TestSamePath: samePath agrees with comparing Path() strings for every
// pair of a set of nodes in two trees: same node, equal names in
// another tree, different depths, roots, and names holding '/' that
// join into the same string at a different depth.
func TestSamePath(t *testing.T) {
	mk := func(parent *Node, name string) *Node { return &Node{FullName: name, Parent: parent} }
	r1, r2 := mk(nil, ""), mk(nil, "")
	a1, a2 := mk(r1, "a"), mk(r2, "a")
	b1, b2 := mk(a1, "b"), mk(a2, "b")
	c1 := mk(a1, "c")
	slash := mk(r2, "a/b") // "/a/b", like b1, at depth 1
	deep := mk(b2, "x")
	nodes := []*Node{r1, r2, a1, a2, b1, b2, c1, slash, deep, mk(r1, "b"), mk(mk(r1, "A"), "b")}
	for _, x := range nodes {
		for _, y := range nodes {
			if got, want := samePath(x, y), x.Path() == y.Path(); got != want {
				t.Errorf("samePath(%q, %q) = %t, want %t", x.Path(), y.Path(), got, want)
			}
		}
	}
}
