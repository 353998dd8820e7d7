package deepcopy

import (
	"fmt"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Copier copies graphs under one configuration. It is safe for
// concurrent use; its per-type plans are built on first use.
type Copier struct {
	shared map[reflect.Type]bool
	keep   []unsafe.Pointer // few: a scan beats a map
	// Paranoid makes every Copy check that no copied object lies inside
	// another without being registered as its field (which would make
	// two copies of one memory): for tests.
	Paranoid bool

	mu    sync.Mutex // serializes plan building and the interior tables
	plans sync.Map   // reflect.Type -> *plan
	// gen counts plan-building rounds; ptrTarget and sliceElm say which
	// types appear behind a pointer slot, as a slice's element
	// (interiorOf); nplans is the number of plans built.
	gen                 int
	ptrTarget, sliceElm map[reflect.Type]bool
	nplans              int
	// hint is the previous copy's block count, to size the memo.
	hint atomic.Int64
}

// New returns a copier that shares the targets of the given pointer
// types (e.g. reflect.TypeFor[*prog.Program]()) and the arrays of the
// given slice types (e.g. []byte when every byte slice in the graph is
// immutable).
func New(shared ...reflect.Type) *Copier {
	c := &Copier{shared: map[reflect.Type]bool{},
		ptrTarget: map[reflect.Type]bool{}, sliceElm: map[reflect.Type]bool{}}
	for _, t := range shared {
		if t.Kind() != reflect.Pointer && t.Kind() != reflect.Slice {
			panic("deepcopy: shared type " + t.String() + " is neither a pointer nor a slice type")
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
	c.keep = append(c.keep, v.UnsafePointer())
}

// kept reports whether p is a Keep pointer.
func (c *Copier) kept(p unsafe.Pointer) bool {
	for _, k := range c.keep {
		if k == p {
			return true
		}
	}
	return false
}

// sliceHeader is the runtime's slice representation.
type sliceHeader struct {
	data     unsafe.Pointer
	len, cap int
}

// block is one object to copy: n elements of p.typ at src, copied to
// dst (set when the blocks are allocated).
type block struct {
	src, dst unsafe.Pointer
	n        uintptr
	p        *plan
	// at is where an Image holds the block's copy.
	at loc
}

// entry says where the copy of the memory at an original address will
// be: off bytes into block blk's copy, covering size bytes.
type entry struct {
	blk       int32
	off, size uintptr
}

// run is one Copy in progress.
type run struct {
	c      *Copier
	blocks []block
	// memo maps each original address a pointer or slice may hold (a
	// block's start, an interior field) to its copy.
	memo table
	work []int32
	maps map[unsafe.Pointer]reflect.Value // src map -> its copy (pass 2), or invalid (pass 1: walked)
	// per type (plan.id): live elements, then the next free one; the
	// array the copies are carved from.
	count []uintptr
	arena []unsafe.Pointer
}

var runPool = sync.Pool{New: func() any { return &run{maps: map[unsafe.Pointer]reflect.Value{}} }}

// Copy returns a deep copy of the graph reachable from root, a non-nil
// pointer.
func (c *Copier) Copy(root any) any {
	v := reflect.ValueOf(root)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		panic("deepcopy: Copy of a nil or non-pointer value")
	}
	r := c.discoverAll(v)
	r.registerInterior()
	if c.Paranoid {
		r.checkOverlap()
	}
	c.hint.Store(int64(r.memo.n))
	r.allocate()
	clear(r.maps)
	for i := range r.blocks {
		b := &r.blocks[i]
		if b.dst == nil || len(b.p.slots) == 0 {
			continue // superseded by its container's copy, or no pointers
		}
		for e := uintptr(0); e < b.n; e++ {
			so, do := unsafe.Add(b.src, e*b.p.size), unsafe.Add(b.dst, e*b.p.size)
			for si := range b.p.slots {
				s := &b.p.slots[si]
				r.fix(unsafe.Add(do, s.off), unsafe.Add(so, s.off), s)
			}
		}
	}
	out := reflect.NewAt(v.Type().Elem(), r.lookup(v.UnsafePointer())).Convert(v.Type()).Interface()
	r.release()
	return out
}

// release returns r to the pool, dropping every reference it holds.
func (r *run) release() {
	clear(r.blocks)
	r.blocks = r.blocks[:0]
	r.work = r.work[:0]
	clear(r.maps)
	clear(r.count)
	clear(r.arena)
	r.memo.reset()
	r.c = nil
	runPool.Put(r)
}

// discoverAll is pass 1: it finds every block reachable from v.
func (c *Copier) discoverAll(v reflect.Value) *run {
	r := runPool.Get().(*run)
	r.c = c
	r.memo.init(int(c.hint.Load()))
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

// addBlock records n elements of p.typ at ptr as a block to copy,
// unless a block covers that memory already, and queues it for the walk.
func (r *run) addBlock(ptr unsafe.Pointer, p *plan, n uintptr) {
	if e := r.memo.get(ptr); e != nil && e.size >= n*p.size {
		return
	}
	i := int32(len(r.blocks))
	r.blocks = append(r.blocks, block{src: ptr, n: n, p: p})
	r.memo.put(ptr, entry{i, 0, n * p.size})
	if len(p.slots) > 0 {
		r.work = append(r.work, i)
	}
}

// live reports whether block i is the copy of its memory (not
// superseded by a larger block or its container's).
func (r *run) live(i int) bool {
	e := r.memo.get(r.blocks[i].src)
	return e.blk == int32(i) && e.off == 0
}

// registerInterior records, for every block, where the copies of its
// interior fields (and array elements) are: a pointer to one lands in
// the container's copy. That supersedes a block met on its own when the
// pointer was followed before its container; a second round over the
// blocks still live restores the container's entries such a block's
// own fields overwrote.
func (r *run) registerInterior() {
	c := r.c
	c.mu.Lock()
	defer c.mu.Unlock()
	for round := 0; round < 2; round++ {
		for i := range r.blocks {
			b := &r.blocks[i]
			c.interiorOf(b.p)
			if len(b.p.interior) == 0 && !(b.p.elemInterior && b.n > 1) {
				continue
			}
			if round == 1 && !r.live(i) {
				continue
			}
			for e := uintptr(0); e < b.n; e++ {
				off := e * b.p.size
				if e > 0 && b.p.elemInterior {
					r.register(unsafe.Add(b.src, off), entry{int32(i), off, b.n*b.p.size - off})
				}
				for _, f := range b.p.interior {
					r.register(unsafe.Add(b.src, off+f.off), entry{int32(i), off + f.off, f.size})
				}
			}
		}
	}
}

// register records e as the copy of the memory at src.
func (r *run) register(src unsafe.Pointer, e entry) {
	if old := r.memo.get(src); old != nil && old.size > e.size {
		return // a larger copy (the container's own) is registered
	}
	r.memo.put(src, e)
}

// allocate gives every live block its copy, carved from one array per
// type (so a copy costs one allocation per type, not per object), and
// copies the original's bytes into it. A block superseded by a larger
// one or by its container gets none (dst stays nil).
func (r *run) allocate() {
	n := r.c.numPlans()
	r.count = grow(r.count, n)
	r.arena = grow(r.arena, n)
	for i := range r.blocks {
		if r.live(i) {
			b := &r.blocks[i]
			b.dst = unsafe.Pointer(r) // marks it live until its copy is placed
			r.count[b.p.id] += b.n
		}
	}
	for i := range r.blocks {
		b := &r.blocks[i]
		if b.dst == nil {
			continue
		}
		id := b.p.id
		if r.arena[id] == nil {
			r.arena[id] = reflect.MakeSlice(b.p.sliceT, int(r.count[id]), int(r.count[id])).UnsafePointer()
			r.count[id] = 0
		}
		b.dst = unsafe.Add(r.arena[id], r.count[id]*b.p.size)
		r.count[id] += b.n
		b.p.copyElems(b.dst, b.src, b.n)
	}
}

// grow returns s cleared and at least n long.
func grow[T any](s []T, n int) []T {
	if len(s) < n {
		s = append(s, make([]T, n-len(s))...)
	}
	clear(s)
	return s
}

// discover is pass 1 for one slot at addr of the original.
func (r *run) discover(addr unsafe.Pointer, s *slot) {
	switch s.kind {
	case kPtr:
		if p := *(*unsafe.Pointer)(addr); p != nil && !r.c.kept(p) {
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
		if v.IsNil() {
			return
		}
		e := v.Elem()
		p := r.c.planFor(e.Type())
		if len(p.slots) == 0 || e.Kind() == reflect.Pointer || isDirect(e.Type()) {
			r.discoverValue(e, p)
			return
		}
		// a value boxed on the heap: the box is a block of its type
		// (Image relocates the interface's data word to the box's copy)
		r.addBlock(ifaceData(addr), p, 1)
	}
}

// ifaceData returns the data word of the interface value at addr (an
// empty or non-empty interface: both are a type word and a data word).
func ifaceData(addr unsafe.Pointer) unsafe.Pointer {
	return *(*unsafe.Pointer)(unsafe.Add(addr, unsafe.Sizeof(uintptr(0))))
}

// isDirect reports whether an interface holds a value of type t in its
// data word rather than boxed (the compiler's types.IsDirectIface).
func isDirect(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Chan, reflect.Func, reflect.UnsafePointer:
		return true
	case reflect.Array:
		return t.Len() == 1 && isDirect(t.Elem())
	case reflect.Struct:
		return t.NumField() == 1 && isDirect(t.Field(0).Type)
	}
	return false
}

// discoverValue is pass 1 for a value held in a map or an interface.
func (r *run) discoverValue(v reflect.Value, p *plan) {
	if len(p.slots) == 0 {
		return
	}
	if v.Kind() == reflect.Pointer {
		if ptr := v.UnsafePointer(); ptr != nil && !r.c.kept(ptr) {
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

// checkOverlap (Paranoid) panics if a live block lies inside another:
// the same memory would have two copies.
func (r *run) checkOverlap() {
	var live []*block
	for i := range r.blocks {
		if r.live(i) {
			live = append(live, &r.blocks[i])
		}
	}
	slices.SortFunc(live, func(a, b *block) int {
		switch {
		case uintptr(a.src) < uintptr(b.src):
			return -1
		case uintptr(a.src) > uintptr(b.src):
			return 1
		}
		return 0
	})
	for i := 1; i < len(live); i++ {
		a, b := live[i-1], live[i]
		if uintptr(a.src)+a.n*a.p.size > uintptr(b.src) {
			panic(fmt.Sprintf("deepcopy: %s at %#x lies inside %s at %#x: pointers into it would not reach its container's copy",
				b.p.typ, uintptr(b.src), a.p.typ, uintptr(a.src)))
		}
	}
}

// lookup returns the copy of the original address p.
func (r *run) lookup(p unsafe.Pointer) unsafe.Pointer {
	e := r.memo.get(p)
	if e == nil {
		panic(fmt.Sprintf("deepcopy: pointer %#x to no copied object", uintptr(p)))
	}
	return unsafe.Add(r.blocks[e.blk].dst, e.off)
}

// fix is pass 2 for one slot: dst (in a copy) is rewritten from src (the
// original's same slot).
func (r *run) fix(dst, src unsafe.Pointer, s *slot) {
	switch s.kind {
	case kPtr:
		if p := *(*unsafe.Pointer)(src); p != nil && !r.c.kept(p) {
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
		if ptr == nil || r.c.kept(ptr) {
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
