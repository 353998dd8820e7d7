package of

import (
	"strings"
	"testing"

	"dangle/dt"
	"dangle/sim/kobj"
	"dangle/sim/profile"
	"dangle/sim/report"
)

const testBase = `/dts-v1/;
/ {
	a: a { p = <1>; b { }; };
	__symbols__ { };
};
`

func newTestOF(t *testing.T, prof string) (*OF, *report.Log) {
	t.Helper()
	tree, _, err := dt.Load("base.dts", []byte(testBase), dt.CompileOptions{Symbols: true})
	if err != nil {
		t.Fatal(err)
	}
	log := &report.Log{}
	o := New(kobj.New(log), log, profile.MustParse(prof))
	o.LoadBase(tree)
	return o, log
}

// TestBootRefcounts: of_core_init leaves a leaf at 2 and a node with k
// children at 2+k (seeds/002's table).
func TestBootRefcounts(t *testing.T) {
	o, _ := newTestOF(t, "mainline")
	for path, want := range map[string]int32{"/a": 3, "/a/b": 2} {
		if got := o.FindNodeByPath(path).Obj().Ref(); got != want {
			t.Errorf("%s refcount %d, want %d", path, got, want)
		}
	}
}

// TestChangesetRollback: a failing entry prints the entry error, then
// "Error applying changeset", and reverts the applied entries in reverse.
func TestChangesetRollback(t *testing.T) {
	for _, tc := range []struct{ prof, msg string }{
		{"mainline", "OF: changeset: apply failed: ADD_PROPERTY    /a:p"},
		{"v6.1", "OF: changeset: add_property failed @/a/p"},
	} {
		o, log := newTestOF(t, tc.prof)
		a := o.FindNodeByPath("/a")
		cs := &Changeset{Name: "test"}
		q := &Property{Name: "q", Value: []byte{0, 0, 0, 2}}
		dup := &Property{Name: "p", Value: []byte{0, 0, 0, 3}}
		o.ChangesetAction(cs, OF_RECONFIG_ADD_PROPERTY, a, q)
		o.ChangesetAction(cs, OF_RECONFIG_ADD_PROPERTY, a, dup) // -EEXIST
		err, rev := o.applyEntries(cs)
		if err != EEXIST || rev != nil {
			t.Fatalf("%s: applyEntries = %v, %v", tc.prof, err, rev)
		}
		want := tc.msg + "\nOF: Error applying changeset (-17)\n"
		if got := strings.ReplaceAll(log.String(), "  ", ""); !strings.Contains(log.String(), tc.msg) || !strings.HasSuffix(got, strings.ReplaceAll(want, "  ", "")) {
			t.Errorf("%s: log:\n%s\nwant:\n%s", tc.prof, log.String(), want)
		}
		if a.Prop("q") != nil {
			t.Errorf("%s: q still applied after rollback", tc.prof)
		}
		if len(a.Deadprops) != 1 || a.Deadprops[0] != q {
			t.Errorf("%s: rolled-back q not on deadprops: %v", tc.prof, a.Deadprops)
		}
		o.Destroy(cs)
		if got := a.Obj().Ref(); got != 3 {
			t.Errorf("%s: refcount after destroy %d, want 3", tc.prof, got)
		}
	}
}

// TestUpdateRevert: reverting an UPDATE puts the original back and leaves
// the new value on deadprops; an UPDATE whose property did not exist
// reverts as a REMOVE.
func TestUpdateRevert(t *testing.T) {
	o, _ := newTestOF(t, "mainline")
	a := o.FindNodeByPath("/a")
	orig := a.Prop("p")
	cs := &Changeset{Name: "test"}
	np := &Property{Name: "p", Value: []byte{9}}
	nq := &Property{Name: "q", Value: []byte{8}}
	o.ChangesetAction(cs, OF_RECONFIG_UPDATE_PROPERTY, a, np)
	o.ChangesetAction(cs, OF_RECONFIG_UPDATE_PROPERTY, a, nq)
	if err, _ := o.applyEntries(cs); err != nil {
		t.Fatal(err)
	}
	if a.Prop("p") != np || a.Deadprops[0] != orig {
		t.Fatal("update did not replace p")
	}
	if err, _ := o.revertEntries(cs); err != nil {
		t.Fatal(err)
	}
	if a.Prop("p") != orig || a.Prop("q") != nil {
		t.Fatal("revert did not restore p / remove q")
	}
	if len(a.Deadprops) != 2 {
		t.Fatalf("deadprops %d, want the two overlay values", len(a.Deadprops))
	}
}

func TestGetStateChange(t *testing.T) {
	ok := &Property{Name: "status", Value: []byte("okay\x00")}
	dis := &Property{Name: "status", Value: []byte("disabled\x00")}
	other := &Property{Name: "reg", Value: []byte{1}}
	n := &Node{}
	nd := &Node{Props: []*Property{dis}}
	for _, tc := range []struct {
		action Action
		rd     *ReconfigData
		want   int
	}{
		{OF_RECONFIG_ATTACH_NODE, &ReconfigData{Dn: n}, OF_RECONFIG_CHANGE_ADD},
		{OF_RECONFIG_ATTACH_NODE, &ReconfigData{Dn: nd}, OF_RECONFIG_NO_CHANGE},
		{OF_RECONFIG_DETACH_NODE, &ReconfigData{Dn: n}, OF_RECONFIG_CHANGE_REMOVE},
		{OF_RECONFIG_ADD_PROPERTY, &ReconfigData{Dn: n, Prop: dis}, OF_RECONFIG_CHANGE_REMOVE},
		{OF_RECONFIG_ADD_PROPERTY, &ReconfigData{Dn: n, Prop: other}, OF_RECONFIG_NO_CHANGE},
		{OF_RECONFIG_REMOVE_PROPERTY, &ReconfigData{Dn: n, Prop: dis}, OF_RECONFIG_CHANGE_ADD},
		{OF_RECONFIG_UPDATE_PROPERTY, &ReconfigData{Dn: n, Prop: ok, OldProp: dis}, OF_RECONFIG_CHANGE_ADD},
		{OF_RECONFIG_UPDATE_PROPERTY, &ReconfigData{Dn: n, Prop: dis, OldProp: ok}, OF_RECONFIG_CHANGE_REMOVE},
		{OF_RECONFIG_UPDATE_PROPERTY, &ReconfigData{Dn: n, Prop: ok}, OF_RECONFIG_NO_CHANGE},
	} {
		if got := GetStateChange(tc.action, tc.rd); got != tc.want {
			t.Errorf("%s %+v: %d, want %d", tc.action, tc.rd.Prop, got, tc.want)
		}
	}
}

func TestFindPath(t *testing.T) {
	o, _ := newTestOF(t, "mainline")
	for path, want := range map[string]string{"/": "/", "/a": "/a", "/a/b": "/a/b", "/a/c": "", "a": "", "/a:opt": "/a"} {
		got := ""
		if n := o.FindNodeByPath(path); n != nil {
			got = n.DisplayPath()
		}
		if got != want {
			t.Errorf("FindNodeByPath(%q) = %q, want %q", path, got, want)
		}
	}
}
