package deepcopy

import (
	"fmt"
	"reflect"
	"slices"
	"sync"
	"unsafe"
)

// Copier copies graphs under one configuration. It is safe for
// concurrent use; its per-type plans are built on first use.
type Copier struct {
	shared map[reflect.Type]bool
	keep   map[unsafe.Pointer]bool

	mu    sync.Mutex // serializes plan building
	plans sync.Map   // reflect.Type -> *plan
}

// New returns a copier that shares the targets of the given pointer
// types (each a pointer type, e.g. reflect.TypeFor[*prog.Program]()).
func New(shared ...reflect.Type) *Copier {
	c := &Copier{shared: map[reflect.Type]bool{}, keep: map[unsafe.Pointer]bool{}}
	for _, t := range shared {
		if t.Kind() != reflect.Pointer {
			panic("deepcopy: shared type " + t.String() + " is not a pointer type")
		}
		c.shared[t] = true
	}
	return c
}

// Keep makes the copier leave pointers equal to p (a pointer to a
// package-level sentinel) as they are. Call it before the first Copy.
func (c *Copier) Keep(p any) {
	v := reflect.ValueOf(p)
	if v.Kind() != reflect.Pointer {
		panic("deepcopy: Keep of a non-pointer")
	}
	c.keep[v.UnsafePointer()] = true
}

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

// plan says where the pointer-bearing words of a type are.
type plan struct {
	typ    reflect.Type
	size   uintptr
	slots  []slot
	sliceT reflect.Type // []typ
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
	return p
}

func (c *Copier) build(t reflect.Type, building map[reflect.Type]*plan) *plan {
	if p, ok := c.plans.Load(t); ok {
		return p.(*plan)
	}
	if p := building[t]; p != nil {
		return p
	}
	p := &plan{typ: t, size: t.Size(), sliceT: reflect.SliceOf(t)}
	building[t] = p
	p.slots = c.slotsOf(t, 0, nil, building)
	return p
}

func (c *Copier) slotsOf(t reflect.Type, off uintptr, out []slot, building map[reflect.Type]*plan) []slot {
	switch t.Kind() {
	case reflect.Pointer:
		if !c.shared[t] && t.Elem().Size() > 0 {
			out = append(out, slot{off: off, kind: kPtr, typ: t, elem: c.build(t.Elem(), building)})
		}
	case reflect.Slice:
		if t.Elem().Size() > 0 {
			out = append(out, slot{off: off, kind: kSlice, typ: t, elem: c.build(t.Elem(), building)})
		}
	case reflect.Map:
		out = append(out, slot{off: off, kind: kMap, typ: t})
	case reflect.Interface:
		out = append(out, slot{off: off, kind: kIface, typ: t})
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			out = c.slotsOf(f.Type, off+f.Offset, out, building)
		}
	case reflect.Array:
		et := t.Elem()
		for i := 0; i < t.Len(); i++ {
			out = c.slotsOf(et, off+uintptr(i)*et.Size(), out, building)
		}
	case reflect.Chan, reflect.UnsafePointer:
		panic("deepcopy: cannot copy " + t.String())
	}
	return out
}

// sliceHeader is the runtime's slice representation.
type sliceHeader struct {
	data     unsafe.Pointer
	len, cap int
}

// block is one copied object: n elements of p.typ at src, copied to dst.
type block struct {
	src, dst unsafe.Pointer
	n        uintptr
	p        *plan
}

func (b *block) start() uintptr { return uintptr(b.src) }
func (b *block) end() uintptr   { return uintptr(b.src) + b.n*b.p.size }

type memoKey struct {
	ptr unsafe.Pointer
	p   *plan
}

// run is one Copy in progress.
type run struct {
	c      *Copier
	blocks []block
	memo   map[memoKey]int32
	work   []int32
	maps   map[unsafe.Pointer]reflect.Value // src map -> its copy (pass 2), or invalid (pass 1: walked)
	// pass 2: blocks by start address, and each one's outermost
	// container.
	order  []int32
	starts []uintptr
	root   []int32
}

// Copy returns a deep copy of the graph reachable from root, a non-nil
// pointer.
func (c *Copier) Copy(root any) any {
	v := reflect.ValueOf(root)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		panic("deepcopy: Copy of a nil or non-pointer value")
	}
	r := c.discoverAll(v)
	r.index()
	clear(r.maps)
	for j, i := range r.order {
		if r.root[j] != int32(j) {
			continue
		}
		b := r.blocks[i]
		if len(b.p.slots) == 0 {
			continue
		}
		for e := uintptr(0); e < b.n; e++ {
			so, do := unsafe.Add(b.src, e*b.p.size), unsafe.Add(b.dst, e*b.p.size)
			for si := range b.p.slots {
				s := &b.p.slots[si]
				r.fix(unsafe.Add(do, s.off), unsafe.Add(so, s.off), s)
			}
		}
	}
	return reflect.NewAt(v.Type().Elem(), r.lookup(v.UnsafePointer())).Convert(v.Type()).Interface()
}

// discoverAll is pass 1: it copies every block reachable from v byte
// for byte.
func (c *Copier) discoverAll(v reflect.Value) *run {
	r := &run{c: c, memo: make(map[memoKey]int32, 1024), maps: map[unsafe.Pointer]reflect.Value{}}
	r.addBlock(v.UnsafePointer(), c.planFor(v.Type().Elem()), 1)
	for len(r.work) > 0 {
		i := r.work[len(r.work)-1]
		r.work = r.work[:len(r.work)-1]
		b := r.blocks[i]
		for e := uintptr(0); e < b.n; e++ {
			base := unsafe.Add(b.src, e*b.p.size)
			for si := range b.p.slots {
				r.discover(unsafe.Add(base, b.p.slots[si].off), &b.p.slots[si])
			}
		}
	}
	return r
}

// addBlock copies n elements of p.typ at ptr byte for byte (once) and
// queues them for the walk.
func (r *run) addBlock(ptr unsafe.Pointer, p *plan, n uintptr) {
	k := memoKey{ptr, p}
	if i, ok := r.memo[k]; ok && r.blocks[i].n >= n {
		return
	}
	var dst unsafe.Pointer
	if n == 1 {
		d := reflect.New(p.typ)
		d.Elem().Set(reflect.NewAt(p.typ, ptr).Elem())
		dst = d.UnsafePointer()
	} else {
		d := reflect.MakeSlice(p.sliceT, int(n), int(n))
		h := sliceHeader{ptr, int(n), int(n)}
		reflect.Copy(d, reflect.NewAt(p.sliceT, unsafe.Pointer(&h)).Elem())
		dst = d.UnsafePointer()
	}
	i := int32(len(r.blocks))
	r.blocks = append(r.blocks, block{src: ptr, dst: dst, n: n, p: p})
	r.memo[k] = i
	if len(p.slots) > 0 {
		r.work = append(r.work, i)
	}
}

// discover is pass 1 for one slot at addr of the original.
func (r *run) discover(addr unsafe.Pointer, s *slot) {
	switch s.kind {
	case kPtr:
		if p := *(*unsafe.Pointer)(addr); p != nil && !r.c.keep[p] {
			r.addBlock(p, s.elem, 1)
		}
	case kSlice:
		if h := (*sliceHeader)(addr); h.data != nil && h.cap > 0 {
			r.addBlock(h.data, s.elem, uintptr(h.cap))
		}
	case kMap:
		m := reflect.NewAt(s.typ, addr).Elem()
		if m.IsNil() {
			return
		}
		if _, ok := r.maps[m.UnsafePointer()]; ok {
			return
		}
		r.maps[m.UnsafePointer()] = reflect.Value{}
		kp, vp := r.c.planFor(s.typ.Key()), r.c.planFor(s.typ.Elem())
		if len(kp.slots) == 0 && len(vp.slots) == 0 {
			return
		}
		it := m.MapRange()
		for it.Next() {
			r.discoverValue(it.Key(), kp)
			r.discoverValue(it.Value(), vp)
		}
	case kIface:
		v := reflect.NewAt(s.typ, addr).Elem()
		if !v.IsNil() {
			e := v.Elem()
			r.discoverValue(e, r.c.planFor(e.Type()))
		}
	}
}

// discoverValue is pass 1 for a value held in a map or an interface.
func (r *run) discoverValue(v reflect.Value, p *plan) {
	if len(p.slots) == 0 {
		return
	}
	if v.Kind() == reflect.Pointer {
		if ptr := v.UnsafePointer(); ptr != nil && !r.c.keep[ptr] {
			r.addBlock(ptr, p.slots[0].elem, 1)
		}
		return
	}
	tmp := reflect.New(p.typ)
	tmp.Elem().Set(v)
	base := tmp.UnsafePointer()
	for si := range p.slots {
		r.discover(unsafe.Add(base, p.slots[si].off), &p.slots[si])
	}
}

// index sorts the blocks by address and finds each one's outermost
// container.
func (r *run) index() {
	r.order = make([]int32, len(r.blocks))
	for i := range r.order {
		r.order[i] = int32(i)
	}
	slices.SortFunc(r.order, func(a, b int32) int {
		ba, bb := &r.blocks[a], &r.blocks[b]
		if ba.start() != bb.start() {
			if ba.start() < bb.start() {
				return -1
			}
			return 1
		}
		if ba.end() != bb.end() { // the larger first: it contains the other
			if ba.end() > bb.end() {
				return -1
			}
			return 1
		}
		return 0
	})
	r.starts = make([]uintptr, len(r.order))
	r.root = make([]int32, len(r.order))
	outer, end := int32(-1), uintptr(0)
	for j, i := range r.order {
		b := &r.blocks[i]
		r.starts[j] = b.start()
		if outer >= 0 && b.start() < end {
			if b.end() > end {
				panic(fmt.Sprintf("deepcopy: %s at %#x overlaps %s without being inside it",
					b.p.typ, b.start(), r.blocks[r.order[outer]].p.typ))
			}
			r.root[j] = outer
			continue
		}
		outer, end = int32(j), b.end()
		r.root[j] = outer
	}
}

// lookup returns the copy of the original address p.
func (r *run) lookup(p unsafe.Pointer) unsafe.Pointer {
	a := uintptr(p)
	j, found := slices.BinarySearch(r.starts, a)
	if !found {
		j--
	}
	if j < 0 {
		panic(fmt.Sprintf("deepcopy: pointer %#x to no copied object", a))
	}
	b := &r.blocks[r.order[r.root[j]]]
	if a >= b.end() && !(a == b.start() && b.n == 0) {
		panic(fmt.Sprintf("deepcopy: pointer %#x to no copied object", a))
	}
	return unsafe.Add(b.dst, a-b.start())
}

// fix is pass 2 for one slot: dst (in a copy) is rewritten from src (the
// original's same slot).
func (r *run) fix(dst, src unsafe.Pointer, s *slot) {
	switch s.kind {
	case kPtr:
		if p := *(*unsafe.Pointer)(src); p != nil && !r.c.keep[p] {
			*(*unsafe.Pointer)(dst) = r.lookup(p)
		}
	case kSlice:
		if h := (*sliceHeader)(src); h.data != nil && h.cap > 0 {
			(*sliceHeader)(dst).data = r.lookup(h.data)
		}
	case kMap:
		m := reflect.NewAt(s.typ, src).Elem()
		if !m.IsNil() {
			reflect.NewAt(s.typ, dst).Elem().Set(r.copyMap(m))
		}
	case kIface:
		v := reflect.NewAt(s.typ, src).Elem()
		if v.IsNil() {
			return
		}
		e := v.Elem()
		if ne, ok := r.remap(e, r.c.planFor(e.Type())); ok {
			reflect.NewAt(s.typ, dst).Elem().Set(ne)
		}
	}
}

// remap returns the copy of a value held in a map or an interface, and
// whether it differs from v.
func (r *run) remap(v reflect.Value, p *plan) (reflect.Value, bool) {
	if len(p.slots) == 0 {
		return v, false
	}
	if v.Kind() == reflect.Pointer {
		ptr := v.UnsafePointer()
		if ptr == nil || r.c.keep[ptr] {
			return v, false
		}
		return reflect.NewAt(p.typ.Elem(), r.lookup(ptr)).Convert(p.typ), true
	}
	tmp := reflect.New(p.typ)
	tmp.Elem().Set(v)
	base := tmp.UnsafePointer()
	for si := range p.slots {
		a := unsafe.Add(base, p.slots[si].off)
		r.fix(a, a, &p.slots[si])
	}
	return tmp.Elem(), true
}

// copyMap returns the copy of map m (one per original map).
func (r *run) copyMap(m reflect.Value) reflect.Value {
	if nm, ok := r.maps[m.UnsafePointer()]; ok {
		return nm
	}
	t := m.Type()
	nm := reflect.MakeMapWithSize(t, m.Len())
	r.maps[m.UnsafePointer()] = nm
	kp, vp := r.c.planFor(t.Key()), r.c.planFor(t.Elem())
	it := m.MapRange()
	for it.Next() {
		k, _ := r.remap(it.Key(), kp)
		v, _ := r.remap(it.Value(), vp)
		nm.SetMapIndex(k, v)
	}
	return nm
}
