package of

import (
	"strings"
	"testing"
)

// TestOvcsListRing: list_add_tail/list_del keep ovcs_list a consistent
// ring (forward and backward walks agree), a deleted entry is poisoned,
// and a second list_del of it is the LIST_POISON1 fault, not a panic.
func TestOvcsListRing(t *testing.T) {
	o, log := newTestOF(t, "mainline")
	var ov []*Overlay
	for _, name := range []string{"a", "b", "c"} {
		x := &Overlay{obj: o.reg.Alloc("overlay_changeset", name, "test", true, false, "")}
		x.list = listHead{ovcs: x}
		o.listAddTail(x, "test")
		ov = append(ov, x)
	}
	check := func(want string) {
		t.Helper()
		var fwd, back []string
		for _, x := range o.Overlays() {
			fwd = append(fwd, x.obj.Name)
		}
		for l := o.ovcsHead.prev; l != &o.ovcsHead; l = l.prev {
			back = append([]string{l.ovcs.obj.Name}, back...)
		}
		if got := strings.Join(fwd, ","); got != want || strings.Join(back, ",") != want {
			t.Errorf("forward %q, backward %q, want %q", got, strings.Join(back, ","), want)
		}
	}
	check("a,b,c")
	if !o.listDel(ov[1], "test") {
		t.Fatal("list_del of a listed entry failed")
	}
	check("a,c")
	if ov[1].list.next != listPoison1 || ov[1].list.prev != listPoison2 {
		t.Error("list_del did not poison the entry")
	}
	if o.listDel(ov[1], "test") {
		t.Error("second list_del of the same entry succeeded")
	}
	if f := log.Findings(); len(f) != 1 || f[0].Title != "general protection fault in test" {
		t.Errorf("findings %v, want one general protection fault", f)
	}
	// a ring whose entry points back into itself must not loop the walk
	ov[2].list.next = &ov[0].list
	if n := len(o.Overlays()); n != 2 {
		t.Errorf("walk of a corrupted ring returned %d entries, want 2", n)
	}
}
