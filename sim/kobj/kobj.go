package kobj

import (
	"fmt"
	"sort"
	"strings"

	"dangle/sim/report"
)

// Hold is one outstanding reference: who took it, in which kernel
// function, during which op (0: setup or teardown). It is the exported
// view of an object's hold: an Object stores the smaller hold.
type Hold struct {
	Holder string
	Func   string
	Op     int
	// Owner is the allocation that keeps this reference (the overlay
	// changeset owning a changeset entry), if any: when the owner leaks,
	// the reference leaks with it and is reported under the owner.
	Owner *Object
	// Dropped is the function in which the holder gave the reference
	// up without putting it (v6.1 gpiod_free() after gpiochip_remove():
	// the consumer is done, the count stays), during op DroppedOp. Such
	// a reference can never be put: the leak check reports it whenever
	// the object was allocated (Registry.Abandon).
	Dropped   string
	DroppedOp int
}

// hold is how an Object stores a Hold: 48 bytes instead of 72 (a
// 50 MB overlay takes about 350k of them). The op fits an int32 (a
// program of 2^31 ops does not parse), and the rare Dropped pair lives
// in the object's objectRare, drop being its index there plus one.
type hold struct {
	holder, fn string
	op         int32
	drop       int32
	owner      *Object
}

// inlineHolds is the room for holds allocated with a counted object;
// spillHolds is the capacity of the first slice beyond it.
const (
	inlineHolds = 2
	spillHolds  = 6
)

// lastPut is an object's last put: holder, function, op.
type lastPut struct {
	holder, fn string
	op         int
}

// dropInfo is a hold's Dropped and DroppedOp (Registry.Abandon).
type dropInfo struct {
	fn string
	op int
}

// view returns h as a Hold.
func (o *Object) view(h hold) Hold {
	v := Hold{Holder: h.holder, Func: h.fn, Op: int(h.op), Owner: h.owner}
	if h.drop != 0 {
		d := o.rare.drops[h.drop-1]
		v.Dropped, v.DroppedOp = d.fn, d.op
	}
	return v
}

// Event is one entry of an object's lifetime timeline (kept only when the
// registry traces).
type Event struct {
	Op     int
	Func   string
	Holder string
	What   string // "get", "put", "alloc", "free", "dropped"
	After  int32  // refcount after the event
}

// Object is one simulated kernel object.
//
// Invariants: Ref() >= 0; once Freed(), Ref() no longer changes and every
// access is reported; holds has one entry per reference taken through Get
// and not yet dropped through Put (references the model sets up in bulk,
// such as a boot-time tree's sysfs references, are holds too).
type Object struct {
	ID    int
	Type  string // the kernel struct: "device_node", "property", …
	Name  string // stable log name: a path, "overlay #1", …
	Alloc string // allocating kernel function, for leak titles
	// In is the allocation this object lives inside (an overlay tree
	// node lives in its overlay_mem): it is freed with it, and a leak of
	// the container is reported once, for the container.
	In *Object

	ref     int32
	min     int32
	max     int32
	Dynamic bool // allocated at run time: must be freed by the end of teardown
	hasRef  bool
	freed   bool
	holds   []hold
	freedBy string
	// last is the put that last dropped a reference (who released
	// the object late, for leak reports on objects at zero): LastPut.
	// Only a counted object is put, so only it has room for one, in its
	// allocation (Alloc): a property's object is 160 bytes, not 192.
	last *lastPut
	// rare is what only some runs record (nil until then): a large
	// overlay has hundreds of thousands of objects, so these stay off
	// the Object.
	rare *objectRare
	// Announced is the kernel line that announced, when the object was
	// made, that it would leak ("OF: overlay: WARNING: memory leak will
	// occur if overlay removed, property: /soc/i2c@5000/status"): the
	// evidence the known-findings table matches (sim/known.go).
	Announced string
}

// objectRare is the part of an Object only some runs fill.
type objectRare struct {
	// events is the timeline, kept when the registry traces.
	events []Event
	// released are the owner-tracked holds already put, oldest first
	// (Registry.Owners): what an over-put by the same owner names.
	released []Hold
	// drops are the Dropped pairs of holds given up without a put
	// (hold.drop indexes them); an entry outlives its hold, harmlessly.
	drops []dropInfo
}

func (o *Object) rareFields() *objectRare {
	if o.rare == nil {
		o.rare = &objectRare{}
	}
	return o.rare
}

// LastPut returns the most recent put on o (zero Hold if none): its
// holder, function and op.
func (o *Object) LastPut() Hold {
	if o.last == nil {
		return Hold{}
	}
	return Hold{Holder: o.last.holder, Func: o.last.fn, Op: o.last.op}
}

// Ref returns the current reference count.
func (o *Object) Ref() int32 { return o.ref }

// Freed reports whether the object has been freed.
func (o *Object) Freed() bool { return o.freed }

// Holds returns the outstanding references, oldest first (a new slice:
// the object stores them smaller).
func (o *Object) Holds() []Hold {
	if len(o.holds) == 0 {
		return nil
	}
	hs := make([]Hold, len(o.holds))
	for i, h := range o.holds {
		hs[i] = o.view(h)
	}
	return hs
}

// HeldBy reports whether holder holds a reference on o.
func (o *Object) HeldBy(holder string) bool {
	for i := range o.holds {
		if o.holds[i].holder == holder {
			return true
		}
	}
	return false
}

// Events returns the timeline (empty unless the registry traces).
func (o *Object) Events() []Event {
	if o.rare == nil {
		return nil
	}
	return o.rare.events
}

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
	// Owners, when set, is the holder prefix whose references are
	// tracked by owner, as lib/ref_tracker.c tracks a net device's: a put
	// by such a holder that holds no reference on the object is an
	// Ownership finding at that put, even while the count stays above
	// zero and the kernel sees nothing. The bare prefix as holder (a put
	// that names no owner) may drop any reference of the prefix. Only
	// objects whose Type is in OwnedTypes are tracked.
	Owners     string
	OwnedTypes map[string]bool
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
	var o *Object
	if refd {
		// the object and room for its first two holds in one
		// allocation (kref_init's and the first get: most objects
		// have no more)
		a := &struct {
			o     Object
			holds [inlineHolds]hold
			last  lastPut
		}{o: Object{ID: len(r.objs) + 1, Type: typ, Name: name, Alloc: alloc, Dynamic: dynamic, hasRef: refd}}
		o = &a.o
		o.holds = a.holds[:0]
		o.last = &a.last
		o.ref, o.min, o.max = 1, 1, 1
		o.holds = append(o.holds, hold{holder: holder, fn: alloc, op: int32(r.Log.Op)})
	} else {
		// no count (a property, an allocation): no holds to make room
		// for (Get on it reports an addition on 0)
		o = &Object{ID: len(r.objs) + 1, Type: typ, Name: name, Alloc: alloc, Dynamic: dynamic}
	}
	r.objs = append(r.objs, o)
	r.event(o, alloc, holder, "alloc")
	return o
}

func (r *Registry) event(o *Object, fn, holder, what string) {
	if s := r.Log.Signal; s != nil {
		s.Ref(o.Type, fn, what, o.ref)
	}
	if r.Trace {
		rare := o.rareFields()
		rare.events = append(rare.events, Event{Op: r.Log.Op, Func: fn, Holder: holder, What: what, After: o.ref})
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
	if len(o.holds) == cap(o.holds) && len(o.holds) == inlineHolds {
		// leaving the inline room: a node an overlay adds holds six
		// references once applied (kref_init, the changeset entry,
		// the attach, sysfs, ...), so room for six at once, in one
		// 288-byte block, instead of growing 2 -> 4 -> 8
		hs := make([]hold, inlineHolds, spillHolds)
		copy(hs, o.holds)
		o.holds = hs
	}
	o.holds = append(o.holds, hold{holder: holder, fn: fn, op: int32(r.Log.Op), owner: owner})
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
	return r.PutOwned(o, fn, holder, nil)
}

// PutOwned is Put for a reference taken with GetOwned: among holds of
// the same holder name (two devices of one name over time, each holding
// the node), it drops the one owner keeps.
func (r *Registry) PutOwned(o *Object, fn, holder string, owner *Object) bool {
	if o.freed {
		r.uaf(o, fn)
		return false
	}
	if o.ref == 0 {
		r.saturate(&r.warnedSub, report.RefcountUnderflow, "underflow", 28, "refcount underflow in "+fn, o)
		return false
	}
	if r.tracked(o, holder) && !o.holdsAny(holder, r.Owners) {
		r.overPut(o, fn, holder)
	}
	o.ref--
	if o.ref < o.min {
		o.min = o.ref
	}
	if h, ok := o.dropHold(holder, r.Owners, owner); ok && r.tracked(o, h.holder) {
		v := o.view(h)
		v.Dropped, v.DroppedOp = fn, r.Log.Op // released here, by the put
		rare := o.rareFields()
		rare.released = append(rare.released, v)
	}
	*o.last = lastPut{holder: holder, fn: fn, op: r.Log.Op}
	r.event(o, fn, holder, "put")
	return o.ref == 0
}

// Abandon records that holder gave up its reference on o in fn without
// putting it (the kernel path skipped the put): the count does not
// change, the hold stays and is marked Dropped at the current op. It
// does nothing if holder holds no live reference on o.
func (r *Registry) Abandon(o *Object, fn, holder string) {
	for i := len(o.holds) - 1; i >= 0; i-- {
		if h := &o.holds[i]; h.holder == holder && h.drop == 0 {
			rare := o.rareFields()
			rare.drops = append(rare.drops, dropInfo{fn: fn, op: r.Log.Op})
			h.drop = int32(len(rare.drops))
			r.event(o, fn, holder, "dropped")
			return
		}
	}
}

// dropHold removes and returns the newest hold by holder kept by owner
// (when owner is set), else the newest by holder (by any holder
// of the owners prefix when holder is the bare prefix); a put whose
// holder took no reference removes the newest hold of all, so the holds
// still count refs.
func (o *Object) dropHold(holder, owners string, owner *Object) (hold, bool) {
	for pass := 0; pass < 3; pass++ {
		for i := len(o.holds) - 1; i >= 0; i-- {
			h := o.holds[i]
			if pass == 0 && owner != nil && h.holder == holder && h.owner == owner || pass == 1 && h.holder == holder ||
				pass == 2 && owners != "" && holder == owners && strings.HasPrefix(h.holder, owners) {
				o.holds = append(o.holds[:i], o.holds[i+1:]...)
				return h, true
			}
		}
	}
	if n := len(o.holds); n > 0 {
		h := o.holds[n-1]
		o.holds = o.holds[:n-1]
		return h, false
	}
	return hold{}, false
}

// tracked reports whether a put on o by holder is owner-checked.
func (r *Registry) tracked(o *Object, holder string) bool {
	return r.Owners != "" && r.OwnedTypes[o.Type] && strings.HasPrefix(holder, r.Owners)
}

// holdsAny reports whether holder holds a reference on o (the bare
// owners prefix: whether any holder of the prefix does).
func (o *Object) holdsAny(holder, owners string) bool {
	for _, h := range o.holds {
		if h.holder == holder || holder == owners && strings.HasPrefix(h.holder, owners) {
			return true
		}
	}
	return false
}

// overPut reports a put by an owner that holds no reference on o, in the
// manner of ref_tracker_free()'s "reference already released" (which the
// kernel has for net devices, not for devices or nodes): the finding is
// dangle's and says so; the put itself still happens, as in the kernel.
func (r *Registry) overPut(o *Object, fn, holder string) {
	obj := fmt.Sprintf("%s: %s by %s, which holds no reference on it (ref_tracker-style check by dangle; the kernel prints nothing until the count reaches 0)", o.Name, fn, holder)
	var hs []string
	for _, h := range o.Released() {
		if h.Holder == holder || holder == r.Owners {
			hs = append(hs, fmt.Sprintf("%s: already released (taken in %s, %s; put in %s, %s)", h.Holder, h.Func, report.OpName(h.Op), h.Dropped, report.OpName(h.DroppedOp)))
		}
	}
	r.Log.Report(report.Finding{Kind: report.Ownership, Title: "refcount over-put of " + o.Type + " in " + fn, Objects: []string{obj}, Holders: hs})
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
