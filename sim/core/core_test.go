package core

import (
	"slices"
	"testing"

	"dangle/sim/kobj"
	"dangle/sim/of"
	"dangle/sim/profile"
	"dangle/sim/report"
)

func newTestCore(t *testing.T) *Core {
	log := &report.Log{}
	reg := kobj.New(log)
	prof := profile.MustParse("mainline")
	return New(reg, log, of.New(reg, log, prof), prof, nil)
}

// TestDevresLIFOAndGroups: releases run last-added first; a group
// release takes exactly the group's span (nested groups included); a nil
// id is the latest open group; unknown groups WARN.
func TestDevresLIFOAndGroups(t *testing.T) {
	c := newTestCore(t)
	d := c.newDevice("d", "test")
	var got []string
	add := func(n string) { c.DevresAdd(d, n, nil, func(*Core, any, any) { got = append(got, n) }) }
	add("a")
	g1 := c.DevresOpenGroup(d, nil, "g1")
	add("b")
	c.DevresOpenGroup(d, "inner", "g2")
	add("c")
	c.DevresCloseGroup(d, "inner")
	add("e")
	c.DevresCloseGroup(d, g1)
	add("f")
	if n := c.DevresReleaseGroup(d, g1); n != 3 || !slices.Equal(got, []string{"e", "c", "b"}) {
		t.Fatalf("release group: n=%d order %v", n, got)
	}
	got = nil
	c.devresReleaseAll(d)
	if !slices.Equal(got, []string{"f", "a"}) {
		t.Fatalf("release all: %v", got)
	}
	// nil id: the latest group still open
	c.DevresOpenGroup(d, "x", "x")
	add("g")
	c.DevresCloseGroup(d, nil)
	c.DevresOpenGroup(d, "y", "y")
	add("h")
	got = nil
	c.DevresReleaseGroup(d, nil)
	if !slices.Equal(got, []string{"h"}) {
		t.Fatalf("nil id released %v, want [h]", got)
	}
	// remove_group keeps the resources
	c.DevresRemoveGroup(d, "x")
	got = nil
	c.devresReleaseAll(d)
	if !slices.Equal(got, []string{"g"}) {
		t.Fatalf("after remove_group: %v", got)
	}
	// not found, list not empty: WARN_ON(1)
	add("i")
	c.DevresReleaseGroup(d, "nope")
	if fs := c.Log.Findings(); len(fs) != 1 || fs[0].Title != "WARNING in devres_release_group" {
		t.Fatalf("findings %+v", fs)
	}
}

func registered(c *Core, name string) *Device {
	d := c.newDevice(name, "test")
	d.release = func(c *Core, d *Device) { c.freeDevice(d, "test") }
	c.DeviceAdd(d)
	return d
}

// TestDeviceLinkFlags: invalid combinations return NULL; a repeated
// stateless add takes a kref; a managed link cannot be dropped while its
// consumer is registered; releases go through device_link_wq.
func TestDeviceLinkFlags(t *testing.T) {
	c := newTestCore(t)
	sup, con := registered(c, "sup"), registered(c, "con")
	if c.DeviceLinkAdd(con, sup, DL_FLAG_STATELESS|DL_FLAG_AUTOREMOVE_CONSUMER) != nil {
		t.Fatal("stateless + autoremove must fail")
	}
	if c.DeviceLinkAdd(con, sup, DL_FLAG_AUTOPROBE_CONSUMER|DL_FLAG_AUTOREMOVE_SUPPLIER) != nil {
		t.Fatal("autoprobe + autoremove must fail")
	}
	if c.DeviceLinkAdd(con, con, DL_FLAG_STATELESS) != nil {
		t.Fatal("self link must fail")
	}
	l := c.DeviceLinkAdd(con, sup, DL_FLAG_STATELESS)
	if l2 := c.DeviceLinkAdd(con, sup, DL_FLAG_STATELESS); l2 != l || l.obj.Ref() != 2 {
		t.Fatalf("repeated stateless add: same=%v kref=%d", l2 == l, l.obj.Ref())
	}
	if c.DeviceLinkAdd(sup, con, DL_FLAG_STATELESS) != nil {
		t.Fatal("reverse dependency must fail")
	}
	c.DeviceLinkRemove(con, sup)
	if len(c.DeviceLinkWQ.Pending()) != 0 || l.obj.Ref() != 1 {
		t.Fatal("first remove must only drop a kref")
	}
	c.DeviceLinkRemove(con, sup)
	if len(c.DeviceLinkWQ.Pending()) != 1 {
		t.Fatal("last remove must queue device_link_release_fn")
	}
	if sup.obj.Ref() != 2 { // initial + link
		t.Fatalf("supplier ref %d before the work ran", sup.obj.Ref())
	}
	c.FlushWorkqueue(c.DeviceLinkWQ, "test")
	if sup.obj.Ref() != 1 || !l.obj.Freed() {
		t.Fatalf("after flush: sup ref %d, link freed %v", sup.obj.Ref(), l.obj.Freed())
	}
	m := c.DeviceLinkAdd(con, sup, 0)
	if m == nil || m.Flags&DL_FLAG_MANAGED == 0 || m.Status != DL_STATE_DORMANT {
		t.Fatalf("managed link: %+v", m)
	}
	c.DeviceLinkDel(m)
	if fs := c.Log.Findings(); len(fs) != 1 || fs[0].Title != "WARNING in device_link_put_kref" {
		t.Fatalf("findings %+v", fs)
	}
}

// TestLockdepWorkqueueMap: a work item taking L, run at any time, and a
// later flush of its queue under L form lockdep's cycle through the
// "(wq_completion)<wq>" map, with no item pending at the flush.
func TestLockdepWorkqueueMap(t *testing.T) {
	c := newTestCore(t)
	m := &of.Mutex{Name: "test_mutex"}
	c.QueueWork(c.DeviceLinkWQ, &Work{Fn: "test_fn", run: func(c *Core, _ *Work) { c.Lock(m, "test_fn"); c.Unlock(m) }})
	c.RunWork(c.DeviceLinkWQ, 1)
	if n := len(c.Log.Findings()); n != 0 {
		t.Fatalf("findings after the work item: %d", n)
	}
	c.Lock(m, "test_caller")
	c.FlushWorkqueue(c.DeviceLinkWQ, "test_caller")
	c.Unlock(m)
	fs := c.Log.Findings()
	if len(fs) != 1 || fs[0].Title != "possible deadlock in __flush_workqueue" {
		t.Fatalf("findings: %+v", fs)
	}
}
