package deepcopy

import (
	"reflect"
	"unsafe"
)

type slotKind uint8

const (
	kPtr slotKind = iota + 1
	kSlice
	kMap
	kIface
)

// slot is one pointer-bearing word of a type: its offset, what it is,
// and for pointers and slices the plan of the element.
type slot struct {
	off  uintptr
	kind slotKind
	typ  reflect.Type
	elem *plan
}

// field is a value nested in a type's memory (a struct field, an array
// element, at any depth) that a pointer or a slice elsewhere may point
// to: its copy must be found at the same offset in its container's.
type field struct {
	off, size uintptr
}

// plan says where the pointer-bearing words of a type are.
type plan struct {
	id     int // dense, per Copier: indexes a run's per-type tables
	typ    reflect.Type
	size   uintptr
	slots  []slot
	sliceT reflect.Type // []typ
	// rtype is typ's runtime type (for typedmemmove); hasPtr: typ's
	// memory holds pointers the garbage collector must see written.
	rtype  unsafe.Pointer
	hasPtr bool
	// nested are the types of the values nested in typ's memory, with
	// their offsets (interiorOf filters them).
	nested []nestedField
	// interior are the nested values pointers may target, as of
	// generation igen; elemInterior: an array of typ may be pointed
	// into element by element.
	igen         int
	interior     []field
	elemInterior bool
}

type nestedField struct {
	t   reflect.Type
	off uintptr
}

// numPlans is the number of plans built so far.
func (c *Copier) numPlans() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nplans
}

// planFor returns t's plan, building it (and the plans it refers to).
func (c *Copier) planFor(t reflect.Type) *plan {
	if p, ok := c.plans.Load(t); ok {
		return p.(*plan)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	building := map[reflect.Type]*plan{}
	p := c.build(t, building)
	for t, bp := range building {
		c.plans.Store(t, bp)
	}
	c.gen++
	return p
}

func (c *Copier) build(t reflect.Type, building map[reflect.Type]*plan) *plan {
	if p, ok := c.plans.Load(t); ok {
		return p.(*plan)
	}
	if p := building[t]; p != nil {
		return p
	}
	p := &plan{id: c.nplans, typ: t, size: t.Size(), sliceT: reflect.SliceOf(t), igen: -1,
		rtype: rtypeOf(t), hasPtr: hasPointers(t)}
	c.nplans++
	building[t] = p
	p.slots = c.slotsOf(t, 0, nil, building, p)
	return p
}

func (c *Copier) slotsOf(t reflect.Type, off uintptr, out []slot, building map[reflect.Type]*plan, p *plan) []slot {
	if k := t.Kind(); (off > 0 || t != p.typ) && (k == reflect.Struct || k == reflect.Array) {
		p.nested = append(p.nested, nestedField{t, off})
	}
	switch t.Kind() {
	case reflect.Pointer:
		if !c.shared[t] && t.Elem().Size() > 0 {
			c.ptrTarget[t.Elem()] = true
			out = append(out, slot{off: off, kind: kPtr, typ: t, elem: c.build(t.Elem(), building)})
		}
	case reflect.Slice:
		if !c.shared[t] && t.Elem().Size() > 0 {
			c.sliceElm[t.Elem()] = true
			out = append(out, slot{off: off, kind: kSlice, typ: t, elem: c.build(t.Elem(), building)})
		}
	case reflect.Map:
		out = append(out, slot{off: off, kind: kMap, typ: t})
	case reflect.Interface:
		out = append(out, slot{off: off, kind: kIface, typ: t})
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			out = c.slotsOf(f.Type, off+f.Offset, out, building, p)
		}
	case reflect.Array:
		et := t.Elem()
		for i := 0; i < t.Len(); i++ {
			out = c.slotsOf(et, off+uintptr(i)*et.Size(), out, building, p)
		}
	case reflect.Chan, reflect.UnsafePointer:
		panic("deepcopy: cannot copy " + t.String())
	}
	return out
}

// interiorOf brings p's interior fields up to date: the nested structs
// and arrays of a type some pointer slot targets, and the arrays (with
// their elements) of a type some slice has as element, which a slice
// may be carved from. Pointers to a scalar field (an *int to a struct's
// int) are not followed to their container: the simulator stores none,
// and Paranoid copies check it. The caller holds c.mu.
func (c *Copier) interiorOf(p *plan) {
	if p.igen == c.gen {
		return
	}
	p.igen = c.gen
	p.interior = p.interior[:0]
	for _, n := range p.nested {
		switch {
		case n.t.Kind() == reflect.Array && c.sliceElm[n.t.Elem()]:
			es := n.t.Elem().Size()
			for i := 0; i < n.t.Len(); i++ {
				p.interior = append(p.interior, field{n.off + uintptr(i)*es, n.t.Size() - uintptr(i)*es})
			}
		case c.ptrTarget[n.t]:
			p.interior = append(p.interior, field{n.off, n.t.Size()})
		}
	}
	p.elemInterior = c.ptrTarget[p.typ]
}
