package kobj

import (
	"strings"
	"testing"
	"unsafe"

	"dangle/sim/report"
)

func TestRefcountOracles(t *testing.T) {
	log := &report.Log{}
	r := New(log)
	o := r.Alloc("device_node", "/x", "test_alloc", true, true, "init")
	if !r.Get(o, "get_fn", "a") || o.Ref() != 2 {
		t.Fatalf("get: ref %d", o.Ref())
	}
	if r.Put(o, "put_fn", "a") || o.Ref() != 1 {
		t.Fatalf("put: ref %d", o.Ref())
	}
	if !r.Put(o, "put_fn", "init") {
		t.Fatal("last put did not report zero")
	}
	r.Put(o, "put_fn", "x") // underflow
	r.Get(o, "get_fn", "y") // addition on 0
	r.Free(o, "free_fn")
	r.Touch(o, "reader")
	r.Touch(o, "reader") // same bug: reported once
	r.Put(o, "late_put", "z")
	var titles []string
	for _, f := range log.Findings() {
		titles = append(titles, f.Title)
	}
	want := []string{
		"refcount underflow in put_fn",
		"refcount addition on 0 in get_fn",
		"use-after-free of device_node in reader",
		"use-after-free of device_node in late_put",
	}
	if strings.Join(titles, "|") != strings.Join(want, "|") {
		t.Errorf("findings:\n got %q\nwant %q", titles, want)
	}
	if !strings.Contains(log.String(), "refcount_t: underflow; use-after-free.") ||
		!strings.Contains(log.String(), "refcount_t: addition on 0; use-after-free.") {
		t.Errorf("log lacks the refcount_t warnings:\n%s", log.String())
	}
}

func TestHoldsAndLeaks(t *testing.T) {
	log := &report.Log{}
	r := New(log)
	a := r.Alloc("property", "/p", "alloc_p", true, false, "")
	b := r.Alloc("device_node", "/n", "alloc_n", true, true, "init")
	r.Get(b, "keeper", "driver")
	r.Free(a, "kfree")
	if got := r.Leaks(); len(got) != 1 || got[0] != b {
		t.Fatalf("leaks = %v", got)
	}
	hs := b.Holds()
	if len(hs) != 2 || hs[1].Holder != "driver" || hs[1].Func != "keeper" {
		t.Fatalf("holds = %+v", hs)
	}
	r.Put(b, "dropper", "driver")
	if hs := b.Holds(); len(hs) != 1 || hs[0].Holder != "init" {
		t.Fatalf("after put, holds = %+v", hs)
	}
	if min, max := b.MinMax(); min != 1 || max != 2 {
		t.Fatalf("min/max = %d/%d", min, max)
	}
}

// TestAbandonMarksTheHolderOnly: an abandoned reference keeps the count
// and is marked at the op it was given up; a holder with no reference
// abandons nothing.
func TestAbandonMarksTheHolderOnly(t *testing.T) {
	log := &report.Log{}
	r := New(log)
	o := r.Alloc("gpio_device", "gpiochip0", "gpiochip_add_data_with_key", false, true, "init")
	r.Get(o, "gpiod_request", "leds")
	log.Op = 4
	r.Abandon(o, "gpiod_free", "leds")
	r.Abandon(o, "gpiod_free", "nobody")
	hs := o.Holds()
	if o.Ref() != 2 || len(hs) != 2 {
		t.Fatalf("ref %d holds %+v", o.Ref(), hs)
	}
	if hs[0].Dropped != "" || hs[1].Dropped != "gpiod_free" || hs[1].DroppedOp != 4 {
		t.Errorf("holds = %+v", hs)
	}
	r.Abandon(o, "gpiod_free", "leds") // already dropped: unchanged
	if o.Holds()[1].DroppedOp != 4 {
		t.Errorf("a second abandon moved the mark")
	}
}

// TestOwnersOverPut: with owner tracking, a put by an owner that holds no
// reference is an Ownership finding naming the release; the bare prefix
// drops any owner's reference; untracked types and holders are not
// checked; the count falls either way.
func TestOwnersOverPut(t *testing.T) {
	log := &report.Log{}
	r := New(log)
	r.Owners, r.OwnedTypes = "program", map[string]bool{"device": true}
	d := r.Alloc("device", "dev", "device_initialize", false, true, "init")
	log.Op = 1
	r.Get(d, "get_device", "program ref d")
	log.Op = 2
	r.Put(d, "put_device", "program ref d")
	if n := len(log.Findings()); n != 0 {
		t.Fatalf("a balanced put reported %d findings", n)
	}
	log.Op = 3
	r.Put(d, "put_device", "program ref d")
	fs := log.Findings()
	if len(fs) != 1 || fs[0].Kind != report.Ownership || fs[0].Title != "refcount over-put of device in put_device" || fs[0].Op != 3 ||
		len(fs[0].Holders) != 1 || !strings.Contains(fs[0].Holders[0], "already released (taken in get_device, op 1; put in put_device, op 2)") {
		t.Fatalf("findings = %+v", fs)
	}
	if d.Ref() != 0 {
		t.Errorf("ref %d: the over-put must still count", d.Ref())
	}
	n := r.Alloc("device_node", "/n", "alloc", false, true, "init")
	r.Get(n, "of_node_get", "program ref x")
	r.Put(n, "of_node_put", "program") // bare prefix: drops x's reference
	r.Put(n, "of_node_put", "program") // untracked type: no finding
	if len(log.Findings()) != 1 {
		t.Errorf("untracked type reported: %+v", log.Findings())
	}
	e := r.Alloc("device", "e", "device_initialize", false, true, "init")
	r.Get(e, "get_device", "program ref y")
	r.Put(e, "put_device", "program")
	r.Put(e, "put_device", "driver") // not an owner: not checked
	if len(log.Findings()) != 1 || len(e.Holds()) != 0 {
		t.Errorf("findings %+v holds %+v", log.Findings(), e.Holds())
	}
}

// TestAllocSizes checks that an object without a count (a property, most
// of a large overlay's objects) is allocated without room for holds, and
// that a counted one keeps its first holds inline (issue 14 item 8).
func TestAllocSizes(t *testing.T) {
	r := New(&report.Log{})
	prop := r.Alloc("property", "/x/p", "__of_prop_dup", true, false, "")
	if cap(prop.holds) != 0 {
		t.Errorf("an object without a count has room for %d holds", cap(prop.holds))
	}
	if r.Get(prop, "get_fn", "a") || len(prop.Holds()) != 0 {
		t.Errorf("a get on an object without a count took a hold")
	}
	node := r.Alloc("device_node", "/x", "of_node_init", false, true, "of_node_init")
	if cap(node.holds) != 2 || len(node.holds) != 1 {
		t.Errorf("counted object: %d holds, room for %d; want 1 and 2", len(node.holds), cap(node.holds))
	}
	held := &node.holds[0]
	r.Get(node, "get_fn", "b")
	if &node.holds[0] != held {
		t.Error("the second hold did not fit in the inline room")
	}
	// what only traced or owner-tracked runs record stays off the
	// Object: 192 bytes is Go's size class for it (it was 264, in 288)
	if n := unsafe.Sizeof(Object{}); n > 192 {
		t.Errorf("an Object takes %d bytes, want at most 192", n)
	}
	if prop.rare != nil || node.rare != nil {
		t.Error("an untraced registry made the rare fields")
	}
}

// TestHoldIsSmall: an object stores its holds in 48 bytes on a 64-bit
// machine (a 50 MB overlay takes about 350k holds: at the exported
// Hold's 72 bytes they were 40% of what its apply keeps live), and the
// view Holds() returns carries every field, Dropped included.
func TestHoldIsSmall(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) == 8 && unsafe.Sizeof(hold{}) > 48 {
		t.Errorf("kobj.hold is %d bytes, want <= 48", unsafe.Sizeof(hold{}))
	}
	log := &report.Log{}
	r := New(log)
	o := r.Alloc("device", "d", "device_initialize", false, true, "init")
	owner := r.Alloc("overlay_changeset", "ov", "init_overlay_changeset", false, true, "ovcs")
	log.Op = 7
	r.GetOwned(o, "get_device", "entry", owner)
	log.Op = 9
	r.Abandon(o, "gpiod_free", "entry")
	want := []Hold{
		{Holder: "init", Func: "device_initialize"},
		{Holder: "entry", Func: "get_device", Op: 7, Owner: owner, Dropped: "gpiod_free", DroppedOp: 9},
	}
	if got := o.Holds(); len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("Holds() = %+v, want %+v", got, want)
	}
	if !o.HeldBy("entry") || o.HeldBy("nobody") {
		t.Errorf("HeldBy: entry %t nobody %t", o.HeldBy("entry"), o.HeldBy("nobody"))
	}
}

// TestHoldsSpillOnce: a counted object keeps its first two holds inline
// and then moves them once into room for six (what an overlay-added node
// holds), so a third to sixth get allocates once.
func TestHoldsSpillOnce(t *testing.T) {
	r := New(&report.Log{})
	o := r.Alloc("device_node", "/n", "of_node_init", true, true, "init")
	r.Get(o, "of_node_get", "h1")
	if cap(o.holds) != inlineHolds {
		t.Fatalf("cap %d with %d holds, want the inline %d", cap(o.holds), len(o.holds), inlineHolds)
	}
	r.Get(o, "of_node_get", "h2")
	r.Get(o, "of_node_get", "h3")
	if cap(o.holds) != spillHolds {
		t.Errorf("cap %d after the first spill, want %d", cap(o.holds), spillHolds)
	}
	if hs := o.Holds(); len(hs) != 4 || hs[0].Holder != "init" || hs[3].Holder != "h3" {
		t.Errorf("holds after the spill: %+v", hs)
	}
}

// TestObjectSize: a count-less object (a property: a 50 MB overlay has
// over 200k) fits Go's 160-byte size class, and a counted object keeps
// its last put in its own allocation.
func TestObjectSize(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) == 8 && unsafe.Sizeof(Object{}) > 160 {
		t.Errorf("kobj.Object is %d bytes, want <= 160", unsafe.Sizeof(Object{}))
	}
	log := &report.Log{}
	r := New(log)
	prop := r.Alloc("property", "/n/p", "__of_prop_dup", true, false, "")
	if r.Put(prop, "put_fn", "x") || prop.LastPut() != (Hold{}) {
		t.Errorf("a put on a count-less object recorded %+v", prop.LastPut())
	}
	o := r.Alloc("device_node", "/n", "of_node_init", true, true, "init")
	log.Op = 3
	r.Put(o, "of_node_put", "init")
	if got := o.LastPut(); got != (Hold{Holder: "init", Func: "of_node_put", Op: 3}) {
		t.Errorf("LastPut() = %+v", got)
	}
}
