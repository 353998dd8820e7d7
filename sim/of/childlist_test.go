package of

import (
	"strings"
	"testing"

	"dangle/dt"
	"dangle/sim/kobj"
	"dangle/sim/profile"
	"dangle/sim/report"
)

func childNames(n *Node) string {
	var names []string
	for c := range n.Children() {
		names = append(names, c.FullName)
	}
	return strings.Join(names, " ")
}

// TestChildList: the child list is the kernel's singly linked one.
// Unflattening keeps blob order (populate_node() + reverse_nodes());
// __of_attach_node() links at the head; __of_detach_node() unlinks and
// leaves the detached node's sibling, so a walk standing on it (as
// of_get_next_child() reads ->sibling after the body) goes on to the
// node that followed it, skips a later sibling detached meanwhile and
// does not see a node attached meanwhile.
func TestChildList(t *testing.T) {
	tree, _, err := dt.Load("base.dts", []byte("/dts-v1/;\n/ { p { a { }; b { }; c { }; d { }; }; };\n"), dt.CompileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	log := &report.Log{}
	o := New(kobj.New(log), log, profile.MustParse("mainline"))
	o.LoadBase(tree)
	p := o.FindNodeByPath("/p")
	if got := childNames(p); got != "a b c d" {
		t.Fatalf("unflattened children %q, want blob order", got)
	}
	n := func(name string) *Node { return p.Child(name) }
	a, b, c, d := n("a"), n("b"), n("c"), n("d")

	var seen []string
	for ch := range p.Children() {
		seen = append(seen, ch.FullName)
		if ch == b {
			o.detachNode(b) // the node the walk stands on
			o.detachNode(d) // a later sibling
			o.attachNode(d) // back, at the head: behind the walk
		}
	}
	if got := strings.Join(seen, " "); got != "a b c" {
		t.Errorf("walk while detaching visited %q, want a b c", got)
	}
	if got := childNames(p); got != "d a c" {
		t.Errorf("children %q after detach b, d and attach d, want d a c", got)
	}
	if b.sibling != c || !b.Check(OF_DETACHED) {
		t.Errorf("detached b: sibling %v, flags %v; want c and DETACHED", b.sibling, b.Flags)
	}
	o.detachNode(c) // in the middle: found from the head
	o.detachNode(d) // the head
	if got := childNames(p); got != "a" || a.sibling != nil {
		t.Errorf("children %q, want a alone", got)
	}
}
