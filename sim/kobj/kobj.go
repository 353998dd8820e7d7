package kobj

import (
	"sort"

	"dangle/sim/report"
)

// Hold is one outstanding reference: who took it, in which kernel
// function, during which op (0: setup or teardown).
type Hold struct {
	Holder string
	Func   string
	Op     int
	// Owner is the allocation that keeps this reference (the overlay
	// changeset owning a changeset entry), if any: when the owner leaks,
	// the reference leaks with it and is reported under the owner.
	Owner *Object
}

// Event is one entry of an object's lifetime timeline (kept only when the
// registry traces).
type Event struct {
	Op     int
	Func   string
	Holder string
	What   string // "get", "put", "alloc", "free"
	After  int32  // refcount after the event
}

// Object is one simulated kernel object.
//
// Invariants: Ref() >= 0; once Freed(), Ref() no longer changes and every
// access is reported; holds has one entry per reference taken through Get
// and not yet dropped through Put (references the model sets up in bulk,
// such as a boot-time tree's sysfs references, are holds too).
type Object struct {
	ID      int
	Type    string // the kernel struct: "device_node", "property", …
	Name    string // stable log name: a path, "overlay #1", …
	Alloc   string // allocating kernel function, for leak titles
	Dynamic bool   // allocated at run time: must be freed by the end of teardown
	// In is the allocation this object lives inside (an overlay tree
	// node lives in its overlay_mem): it is freed with it, and a leak of
	// the container is reported once, for the container.
	In *Object

	ref     int32
	hasRef  bool
	freed   bool
	min     int32
	max     int32
	holds   []Hold
	events  []Event
	freedBy string
	// lastPut is the put that last dropped a reference (who released
	// the object late, for leak reports on objects at zero).
	lastPut Hold
}

// LastPut returns the most recent put on o (zero Hold if none).
func (o *Object) LastPut() Hold { return o.lastPut }

// Ref returns the current reference count.
func (o *Object) Ref() int32 { return o.ref }

// Freed reports whether the object has been freed.
func (o *Object) Freed() bool { return o.freed }

// Holds returns the outstanding references, oldest first.
func (o *Object) Holds() []Hold { return o.holds }

// Events returns the timeline (empty unless the registry traces).
func (o *Object) Events() []Event { return o.events }

// MinMax returns the smallest and largest refcount the object had.
func (o *Object) MinMax() (int32, int32) { return o.min, o.max }

// Registry owns every object of one run. The zero value is not usable;
// call New.
type Registry struct {
	Log   *report.Log
	Trace bool
	objs  []*Object
	// warned: refcount_warn_saturate() uses WARN_ONCE, one per kind.
	warnedAdd, warnedSub bool
	// uafSeen: a tombstone read again by the same function is the same
	// bug; KASAN reports it once.
	uafSeen map[uafKey]bool
	// Frees counts the objects freed so far: oracles that look for freed
	// objects can skip their walk when it has not moved.
	Frees int
}

type uafKey struct {
	o  *Object
	fn string
}

// New returns an empty registry reporting to log.
func New(log *report.Log) *Registry { return &Registry{Log: log} }

// Objects returns every object ever allocated, in allocation order.
func (r *Registry) Objects() []*Object { return r.objs }

// Alloc registers a new object. With refd, it starts with a count of one
// held by holder (kref_init), else it has no count.
func (r *Registry) Alloc(typ, name, alloc string, dynamic, refd bool, holder string) *Object {
	o := &Object{ID: len(r.objs) + 1, Type: typ, Name: name, Alloc: alloc, Dynamic: dynamic, hasRef: refd}
	if refd {
		o.ref, o.min, o.max = 1, 1, 1
		o.holds = append(o.holds, Hold{Holder: holder, Func: alloc, Op: r.Log.Op})
	}
	r.objs = append(r.objs, o)
	r.event(o, alloc, holder, "alloc")
	return o
}

func (r *Registry) event(o *Object, fn, holder, what string) {
	if r.Trace {
		o.events = append(o.events, Event{Op: r.Log.Op, Func: fn, Holder: holder, What: what, After: o.ref})
	}
}

func (r *Registry) uaf(o *Object, fn string) {
	if r.uafSeen == nil {
		r.uafSeen = map[uafKey]bool{}
	}
	if r.uafSeen[uafKey{o, fn}] {
		return
	}
	r.uafSeen[uafKey{o, fn}] = true
	r.Log.Printf("BUG: KASAN: slab-use-after-free in %s", fn)
	r.Log.Report(report.Finding{
		Kind:    report.UseAfterFree,
		Title:   "use-after-free of " + o.Type + " in " + fn,
		Objects: []string{o.Name + " (freed in " + o.freedBy + ")"},
	})
}

// Touch checks an access (a read or write through a pointer) to o. It
// reports a use-after-free and returns false if o was freed.
func (r *Registry) Touch(o *Object, fn string) bool {
	if o.freed {
		r.uaf(o, fn)
		return false
	}
	return true
}

// Get takes a reference for holder (kref_get / kobject_get). It returns
// false, with a finding, on a freed object or a count of zero.
func (r *Registry) Get(o *Object, fn, holder string) bool {
	return r.GetOwned(o, fn, holder, nil)
}

// GetOwned is Get for a reference kept by the allocation owner.
func (r *Registry) GetOwned(o *Object, fn, holder string, owner *Object) bool {
	if o.freed {
		r.uaf(o, fn)
		return false
	}
	if o.ref == 0 {
		r.saturate(&r.warnedAdd, report.RefcountAddOnZero, "addition on 0", 25, "refcount addition on 0 in "+fn, o)
		return false
	}
	o.ref++
	if o.ref > o.max {
		o.max = o.ref
	}
	o.holds = append(o.holds, Hold{Holder: holder, Func: fn, Op: r.Log.Op, Owner: owner})
	r.event(o, fn, holder, "get")
	return true
}

// saturate is refcount_warn_saturate(): "refcount_t: <what>;
// use-after-free." under WARN_ONCE (once per kind and run, line of
// lib/refcount.c as in v5.5+), and a finding every time.
func (r *Registry) saturate(warned *bool, kind report.Kind, what string, line int, title string, o *Object) {
	if !*warned {
		*warned = true
		r.Log.Printf("refcount_t: %s; use-after-free.", what)
		r.Log.Printf("WARNING: CPU: 0 PID: 1 at lib/refcount.c:%d refcount_warn_saturate", line)
	}
	r.Log.Report(report.Finding{Kind: kind, Title: title, Objects: []string{o.Name}})
}

// Put drops holder's reference (kref_put / kobject_put) and reports
// whether the count reached zero, in which case the caller runs the
// release. A put on a freed object or at zero is reported and changes
// nothing.
func (r *Registry) Put(o *Object, fn, holder string) bool {
	if o.freed {
		r.uaf(o, fn)
		return false
	}
	if o.ref == 0 {
		r.saturate(&r.warnedSub, report.RefcountUnderflow, "underflow", 28, "refcount underflow in "+fn, o)
		return false
	}
	o.ref--
	if o.ref < o.min {
		o.min = o.ref
	}
	o.dropHold(holder)
	o.lastPut = Hold{Holder: holder, Func: fn, Op: r.Log.Op}
	r.event(o, fn, holder, "put")
	return o.ref == 0
}

// dropHold removes the newest hold by holder; a put whose holder took no
// reference removes the newest hold of all, so the holds still count refs.
func (o *Object) dropHold(holder string) {
	for i := len(o.holds) - 1; i >= 0; i-- {
		if o.holds[i].Holder == holder {
			o.holds = append(o.holds[:i], o.holds[i+1:]...)
			return
		}
	}
	if n := len(o.holds); n > 0 {
		o.holds = o.holds[:n-1]
	}
}

// Free marks o freed (kfree). Freeing twice is reported as a
// use-after-free of the second freer.
func (r *Registry) Free(o *Object, fn string) {
	if o.freed {
		r.uaf(o, fn)
		return
	}
	o.freed = true
	o.freedBy = fn
	r.Frees++
	r.event(o, fn, "", "free")
}

// Leaks returns the dynamic objects not freed, in allocation order.
func (r *Registry) Leaks() []*Object {
	var out []*Object
	for _, o := range r.objs {
		if o.Dynamic && !o.freed {
			out = append(out, o)
		}
	}
	return out
}

// SortedByName returns the objects of one type sorted by name, then id:
// the total order every dump uses.
func (r *Registry) SortedByName(typ string) []*Object {
	var out []*Object
	for _, o := range r.objs {
		if o.Type == typ {
			out = append(out, o)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].ID < out[j].ID
	})
	return out
}
