package deepcopy

import (
	"fmt"
	"reflect"
	"runtime"
	"unsafe"
)

// An Image is a frozen copy of a graph from which fresh copies are made
// fast: the graph's objects are laid out in one array per type, and
// every pointer among them is a relocation (this word of that array
// holds the address of that word of another). Making a copy is then one
// allocation and one typed copy per type, a store per relocation, and
// the maps rebuilt; nothing is looked up. An Image does not change
// after Snapshot: it serves a booted kernel that every run starts from.
type Image struct {
	// packs, once Pack has run, are struct types whose fields are the
	// per-type arrays; type i's array is field at[i] of packs[pack[i]].
	packs    []reflect.Type
	pack     []int
	fieldOff []uintptr
	rootT    reflect.Type
	root     loc
	types    []imageType
	relocs   []reloc
	maps     []imageMap
}

// loc is a place in an Image (or a copy of it): off bytes into the array
// of type t.
type loc struct {
	t   int32
	off uintptr
}

type imageType struct {
	p   *plan
	n   int
	mem unsafe.Pointer // the image's array: the original's bytes
}

type reloc struct{ at, to loc }

// imageMap is a map of the graph: rebuilt in every copy from its
// entries, at the word at.
type imageMap struct {
	at      loc
	typ     reflect.Type
	entries []imageEntry
}

type imageEntry struct{ k, v imageValue }

// imageValue is a map key or value: its bytes (buf points to a copy of
// them), with the relocations of its pointers (offsets into the value).
type imageValue struct {
	buf    reflect.Value
	relocs []valueReloc
}

type valueReloc struct {
	off uintptr
	to  loc
}

// Snapshot makes an Image of the graph reachable from root, a non-nil
// pointer. The graph must not change while Snapshot runs; afterwards the
// Image holds its own copy of every object (it still shares, as Copy
// does, strings, funcs, shared types and boxed values without pointers).
func (c *Copier) Snapshot(root any) *Image {
	v := reflect.ValueOf(root)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		panic("deepcopy: Snapshot of a nil or non-pointer value")
	}
	r := c.discoverAll(v)
	r.registerInterior()
	if c.Paranoid {
		r.checkOverlap()
	}
	img := &Image{rootT: v.Type()}
	// lay out the live blocks, one array per type
	index := map[*plan]int32{}
	for i := range r.blocks {
		if !r.live(i) {
			continue
		}
		b := &r.blocks[i]
		t, ok := index[b.p]
		if !ok {
			t = int32(len(img.types))
			index[b.p] = t
			img.types = append(img.types, imageType{p: b.p})
		}
		b.at = loc{t, uintptr(img.types[t].n) * b.p.size}
		img.types[t].n += int(b.n)
	}
	for i := range img.types {
		it := &img.types[i]
		it.mem = reflect.MakeSlice(it.p.sliceT, it.n, it.n).UnsafePointer()
	}
	for i := range r.blocks {
		if r.live(i) {
			b := &r.blocks[i]
			b.p.copyElems(unsafe.Add(img.types[b.at.t].mem, b.at.off), b.src, b.n)
		}
	}
	// the relocations of every pointer of every live block
	for i := range r.blocks {
		if !r.live(i) {
			continue
		}
		b := &r.blocks[i]
		for e := uintptr(0); e < b.n; e++ {
			base := e * b.p.size
			r.relocsOf(unsafe.Add(b.src, base), b.p, func(off uintptr, to loc) {
				img.relocs = append(img.relocs, reloc{loc{b.at.t, b.at.off + base + off}, to})
			}, func(off uintptr, m reflect.Value) {
				img.maps = append(img.maps, r.imageMap(loc{b.at.t, b.at.off + base + off}, m))
			})
		}
	}
	img.root = r.locOf(v.UnsafePointer())
	c.hint.Store(int64(r.memo.n))
	r.release()
	return img
}

// locOf returns where the Image holds the copy of original address p.
func (r *run) locOf(p unsafe.Pointer) loc {
	e := r.memo.get(p)
	if e == nil {
		panic(fmt.Sprintf("deepcopy: pointer %#x to no copied object", uintptr(p)))
	}
	b := &r.blocks[e.blk]
	return loc{b.at.t, b.at.off + e.off}
}

// relocsOf calls reloc for every pointer word of the value of plan p at
// src (by offset) that must point into the copy, and onMap for every
// map in it.
func (r *run) relocsOf(src unsafe.Pointer, p *plan, reloc func(off uintptr, to loc), onMap func(off uintptr, m reflect.Value)) {
	for si := range p.slots {
		s := &p.slots[si]
		addr := unsafe.Add(src, s.off)
		switch s.kind {
		case kPtr:
			if q := *(*unsafe.Pointer)(addr); q != nil && !r.c.kept(q) {
				reloc(s.off, r.locOf(q))
			}
		case kSlice:
			if h := (*sliceHeader)(addr); h.data != nil && h.cap > 0 {
				reloc(s.off, r.locOf(h.data))
			}
		case kMap:
			if m := reflect.NewAt(s.typ, addr).Elem(); !m.IsNil() {
				onMap(s.off, m)
			}
		case kIface:
			v := reflect.NewAt(s.typ, addr).Elem()
			if v.IsNil() {
				continue
			}
			e := v.Elem()
			ep := r.c.planFor(e.Type())
			if len(ep.slots) == 0 {
				continue // no pointers: the copy shares the value
			}
			dataOff := s.off + unsafe.Sizeof(uintptr(0))
			d := ifaceData(addr)
			switch {
			case e.Kind() == reflect.Pointer:
				if !r.c.kept(d) {
					reloc(dataOff, r.locOf(d))
				}
			case isDirect(e.Type()):
				// the value is the data word: its one pointer
				if len(ep.slots) != 1 || ep.slots[0].kind != kPtr {
					panic("deepcopy: Snapshot of an interface holding " + e.Type().String())
				}
				if !r.c.kept(d) {
					reloc(dataOff, r.locOf(d))
				}
			default:
				reloc(dataOff, r.locOf(d)) // the box (a block: discover)
			}
		}
	}
}

// imageMap captures map m, held at the word at.
func (r *run) imageMap(at loc, m reflect.Value) imageMap {
	t := m.Type()
	im := imageMap{at: at, typ: t}
	kp, vp := r.c.planFor(t.Key()), r.c.planFor(t.Elem())
	it := m.MapRange()
	for it.Next() {
		im.entries = append(im.entries, imageEntry{r.imageValue(it.Key(), kp), r.imageValue(it.Value(), vp)})
	}
	return im
}

func (r *run) imageValue(v reflect.Value, p *plan) imageValue {
	iv := imageValue{buf: reflect.New(p.typ)}
	iv.buf.Elem().Set(v)
	r.relocsOf(iv.buf.UnsafePointer(), p, func(off uintptr, to loc) {
		iv.relocs = append(iv.relocs, valueReloc{off, to})
	}, func(uintptr, reflect.Value) {
		panic("deepcopy: Snapshot of a map inside a map (" + p.typ.String() + ")")
	})
	return iv
}

// Pack makes each later New a few allocations instead of one per type,
// for an image copied many times (a booted kernel every run starts
// from): it builds a struct type of the image's arrays. Such types live
// as long as the program (reflect keeps them), so Pack only images that
// are few: not every state an explorer branches from.
func (img *Image) Pack() {
	// groups of at most packMax bytes: a small allocation's size class
	// is served from a per-thread cache, a large one takes the heap lock
	var fields [][]reflect.StructField
	var sizes []uintptr
	img.pack = make([]int, len(img.types))
	idx := make([]int, len(img.types))
	for i := range img.types {
		it := &img.types[i]
		sz := uintptr(it.n) * it.p.size
		g := len(fields) - 1
		if g < 0 || sizes[g]+sz > packMax {
			fields, sizes = append(fields, nil), append(sizes, 0)
			g++
		}
		img.pack[i], idx[i] = g, len(fields[g])
		fields[g] = append(fields[g], reflect.StructField{Name: fmt.Sprintf("T%d", i), Type: reflect.ArrayOf(it.n, it.p.typ)})
		sizes[g] += sz + uintptr(it.p.typ.Align())
	}
	img.packs = make([]reflect.Type, len(fields))
	for g := range fields {
		img.packs[g] = reflect.StructOf(fields[g])
	}
	img.fieldOff = make([]uintptr, len(img.types))
	for i := range img.types {
		img.fieldOff[i] = img.packs[img.pack[i]].Field(idx[i]).Offset
	}
}

// packMax bounds a pack's size (the runtime's largest small size class
// is 32 KiB).
const packMax = 32 << 10

// New returns a fresh copy of the image's graph (of the root's type).
func (img *Image) New() any {
	bases := make([]unsafe.Pointer, len(img.types))
	var packs []unsafe.Pointer
	for _, t := range img.packs {
		packs = append(packs, reflect.New(t).UnsafePointer())
	}
	for i := range img.types {
		it := &img.types[i]
		if packs != nil {
			bases[i] = unsafe.Add(packs[img.pack[i]], img.fieldOff[i])
		} else {
			bases[i] = reflect.MakeSlice(it.p.sliceT, it.n, it.n).UnsafePointer()
		}
		// A plain copy, without the write barriers typedmemmove applies
		// while the collector marks (they were a third of New's time):
		// the new memory is freshly allocated (nothing old to shade), and
		// every pointer copied is either rewritten below through a
		// barriered store, or points to what the image itself holds
		// (strings, shared objects, boxes), which the image, immutable
		// and kept alive until the end (KeepAlive), makes reachable in
		// any collection it lives through.
		n := uintptr(it.n) * it.p.size
		copy(unsafe.Slice((*byte)(bases[i]), n), unsafe.Slice((*byte)(it.mem), n))
	}
	for _, rl := range img.relocs {
		*(*unsafe.Pointer)(unsafe.Add(bases[rl.at.t], rl.at.off)) = unsafe.Add(bases[rl.to.t], rl.to.off)
	}
	for i := range img.maps {
		im := &img.maps[i]
		m := reflect.MakeMapWithSize(im.typ, len(im.entries))
		for j := range im.entries {
			e := &im.entries[j]
			m.SetMapIndex(e.k.materialize(bases), e.v.materialize(bases))
		}
		*(*unsafe.Pointer)(unsafe.Add(bases[im.at.t], im.at.off)) = m.UnsafePointer()
	}
	out := reflect.NewAt(img.rootT.Elem(), unsafe.Add(bases[img.root.t], img.root.off)).Convert(img.rootT).Interface()
	runtime.KeepAlive(img)
	return out
}

// materialize returns the value for a copy whose arrays are at bases.
func (iv *imageValue) materialize(bases []unsafe.Pointer) reflect.Value {
	if len(iv.relocs) == 0 {
		return iv.buf.Elem()
	}
	t := iv.buf.Type().Elem()
	v := reflect.New(t)
	typedmemmove(rtypeOf(t), v.UnsafePointer(), iv.buf.UnsafePointer())
	for _, rl := range iv.relocs {
		*(*unsafe.Pointer)(unsafe.Add(v.UnsafePointer(), rl.off)) = unsafe.Add(bases[rl.to.t], rl.to.off)
	}
	return v.Elem()
}
