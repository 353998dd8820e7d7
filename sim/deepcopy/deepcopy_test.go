package deepcopy

import (
	"reflect"
	"testing"
)

type shared struct{ n int }

var sentinel = &node{name: "poison"}

type list struct{ prev, next *list }

type node struct {
	name     string
	parent   *node
	children []*node
	list     list // embedded: pointers to it land inside the node
	buf      [2]int
	ints     []int // carved from buf
	byNode   map[*node]string
	data     any
	sh       *shared
	mark     *node // a sentinel, compared by identity
	fn       func(int) int
	raw      []byte // shared: immutable
	boxed    any
}

type holder struct{ n *node }

// boxed is stored in an interface boxed (two words): the copy must box
// its own.
type boxed struct {
	n *node
	k int
}

// testGraph builds a graph with every feature the copier handles.
func testGraph() (*Copier, *node, *shared) {
	c := New(reflect.TypeFor[*shared](), reflect.TypeFor[[]byte]())
	c.Keep(sentinel)
	c.Paranoid = true
	sh := &shared{7}
	root := &node{name: "root", sh: sh, mark: sentinel, fn: func(x int) int { return x + 1 }}
	a := &node{name: "a", parent: root, sh: sh}
	b := &node{name: "b", parent: root, data: holder{root}}
	root.children = []*node{a, b}
	root.list.next, root.list.prev = &a.list, &b.list
	a.list.next, a.list.prev = &b.list, &root.list
	b.list.next, b.list.prev = &root.list, &a.list
	root.buf = [2]int{1, 2}
	root.ints = root.buf[:1]
	root.byNode = map[*node]string{a: "A", b: "B"}
	root.data = a
	root.raw = []byte("value")
	b.boxed = boxed{n: a, k: 3}
	return c, root, sh
}

// TestCopy copies a graph with a cycle, back-pointers, a pointer into an
// embedded field, a slice carved from an array field, a pointer-keyed
// map, interfaces holding a pointer and a struct with a pointer, a
// shared type and a kept sentinel, and checks the copy is equal in shape
// and shares nothing mutable.
func TestCopy(t *testing.T) {
	c, root, sh := testGraph()
	cp := c.Copy(root).(*node)
	if s := c.SharedMemory(root, cp); len(s) > 0 {
		t.Errorf("the copy shares memory with the original at %v", s)
	}
	checkCopy(t, root, cp, sh)
	if s := c.SharedMemory(root, root); len(s) == 0 {
		t.Error("SharedMemory finds nothing shared between a graph and itself")
	}
}

// TestImage: copies made from a Snapshot, packed or not, are each a
// copy as Copy makes one, independent of each other.
func TestImage(t *testing.T) {
	c, root, sh := testGraph()
	img := c.Snapshot(root)
	x := img.New().(*node)
	y := img.New().(*node)
	if s := c.SharedMemory(x, y); len(s) > 0 {
		t.Errorf("two copies of an image share memory at %v", s)
	}
	if s := c.SharedMemory(root, x); len(s) > 0 {
		t.Errorf("a copy of an image shares memory with the original at %v", s)
	}
	img.Pack()
	z := img.New().(*node)
	checkCopy(t, root, x, sh)
	checkCopy(t, root, y, sh)
	checkCopy(t, root, z, sh)
	if x == y || x.children[0] == y.children[0] {
		t.Error("two copies of an image share nodes")
	}
}

// checkCopy checks that cp is a copy of the graph testGraph built,
// sharing nothing mutable with it, then mutates cp.
func checkCopy(t *testing.T, root, cp *node, sh *shared) {
	t.Helper()
	a, b := root.children[0], root.children[1]
	if cp == root || cp.children[0] == a || cp.children[1] == b {
		t.Fatal("the copy shares nodes with the original")
	}
	ca, cb := cp.children[0], cp.children[1]
	if ca.parent != cp || cb.parent != cp {
		t.Error("back-pointers do not point to the copy")
	}
	if cp.list.next != &ca.list || ca.list.next != &cb.list || cb.list.next != &cp.list || cp.list.prev != &cb.list {
		t.Error("pointers to embedded list fields do not land in the copies' fields")
	}
	if &cp.ints[0] != &cp.buf[0] {
		t.Error("a slice carved from an array field no longer aliases the copy's array")
	}
	if cp.byNode[ca] != "A" || cp.byNode[cb] != "B" || len(cp.byNode) != 2 {
		t.Errorf("pointer-keyed map not rekeyed: %v", cp.byNode)
	}
	if cp.data.(*node) != ca {
		t.Error("an interface holding a pointer does not point to the copy")
	}
	if cb.data.(holder).n != cp {
		t.Error("an interface holding a struct with a pointer does not point to the copy")
	}
	if bx := cb.boxed.(boxed); bx.n != ca || bx.k != 3 {
		t.Error("an interface holding a boxed struct with a pointer does not point to the copy")
	}
	if cp.sh != sh || ca.sh != sh {
		t.Error("a shared type was copied")
	}
	if &cp.raw[0] != &root.raw[0] {
		t.Error("a shared slice type was copied")
	}
	if &cp.ints[0] == &root.ints[0] {
		t.Error("a slice was shared")
	}
	if cp.mark != sentinel {
		t.Error("a kept sentinel was copied")
	}
	if cp.fn(1) != 2 {
		t.Error("func lost")
	}
	// mutate the copy: the original is untouched
	cp.name, ca.name = "root'", "a'"
	cp.list.next = nil
	cp.buf[0] = 9
	cp.byNode[cb] = "changed"
	ca.children = append(ca.children, cb)
	if root.name != "root" || a.name != "a" || root.list.next != &a.list || root.buf[0] != 1 || root.byNode[b] != "B" || len(a.children) != 0 {
		t.Error("mutating the copy changed the original")
	}
}

// TestParanoidOverlap: a pointer to a scalar field, which the copier
// does not follow to its container, is caught by Paranoid copies.
func TestParanoidOverlap(t *testing.T) {
	type box struct {
		p  *int
		id int
	}
	b := &box{id: 3}
	b.p = &b.id
	c := New()
	c.Paranoid = true
	defer func() {
		if recover() == nil {
			t.Error("a Paranoid copy of a pointer into a scalar field did not panic")
		}
	}()
	c.Copy(b)
}
