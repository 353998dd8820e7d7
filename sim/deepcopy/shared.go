package deepcopy

import (
	"fmt"
	"reflect"
	"unsafe"
)

// SharedMemory walks a graph a and its copy b side by side and returns
// the paths at which b shares mutable memory with a (a pointer, a
// slice's array or a map that the copier should have copied): empty
// for a correct copy. It is for tests, and stops after 20 paths.
func (c *Copier) SharedMemory(a, b any) []string {
	w := &sharedWalk{c: c, seen: map[[2]unsafe.Pointer]bool{}, pairs: map[unsafe.Pointer]unsafe.Pointer{}}
	w.value(reflect.ValueOf(a), reflect.ValueOf(b), "root")
	// maps last: a pointer-keyed map's entries pair up by the pointers
	// paired elsewhere
	for len(w.maps) > 0 {
		m := w.maps[0]
		w.maps = w.maps[1:]
		w.mapEntries(m.a, m.b, m.path)
	}
	return w.out
}

type mapPair struct {
	a, b reflect.Value
	path string
}

type sharedWalk struct {
	c     *Copier
	seen  map[[2]unsafe.Pointer]bool
	pairs map[unsafe.Pointer]unsafe.Pointer // a's pointers to b's
	out   []string
	maps  []mapPair
}

func (w *sharedWalk) report(path string) {
	if len(w.out) < 20 {
		w.out = append(w.out, path)
	}
}

func (w *sharedWalk) value(a, b reflect.Value, path string) {
	if len(w.out) >= 20 || !a.IsValid() || !b.IsValid() {
		return
	}
	if a.Type() != b.Type() {
		w.report(path + ": types differ: " + a.Type().String() + " and " + b.Type().String())
		return
	}
	t := a.Type()
	switch t.Kind() {
	case reflect.Pointer:
		pa, pb := a.UnsafePointer(), b.UnsafePointer()
		if pa == nil || w.c.shared[t] || w.c.kept(pa) {
			return
		}
		if pa == pb {
			w.report(path + " (" + t.String() + ")")
			return
		}
		if pb == nil || w.seen[[2]unsafe.Pointer{pa, pb}] {
			return
		}
		w.seen[[2]unsafe.Pointer{pa, pb}] = true
		w.pairs[pa] = pb
		w.value(reflect.NewAt(t.Elem(), pa).Elem(), reflect.NewAt(t.Elem(), pb).Elem(), "(*"+path+")")
	case reflect.Slice:
		if w.c.shared[t] || a.Cap() == 0 || b.Cap() == 0 {
			return
		}
		pa, pb := a.UnsafePointer(), b.UnsafePointer()
		if pa == pb {
			w.report(path + " (array of " + t.String() + ")")
			return
		}
		if w.seen[[2]unsafe.Pointer{pa, pb}] {
			return
		}
		w.seen[[2]unsafe.Pointer{pa, pb}] = true
		for i := 0; i < a.Len() && i < b.Len(); i++ {
			w.value(a.Index(i), b.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
	case reflect.Map:
		if a.IsNil() || b.IsNil() {
			return
		}
		if a.UnsafePointer() == b.UnsafePointer() {
			w.report(path + " (" + t.String() + ")")
			return
		}
		w.maps = append(w.maps, mapPair{a, b, path})
	case reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return
		}
		w.value(a.Elem(), b.Elem(), path)
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			w.value(fieldOf(a, i), fieldOf(b, i), path+"."+t.Field(i).Name)
		}
	case reflect.Array:
		for i := 0; i < t.Len(); i++ {
			w.value(a.Index(i), b.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
	}
}

// fieldOf returns field i of struct value v, readable even if unexported
// (v is made addressable first if need be).
func fieldOf(v reflect.Value, i int) reflect.Value {
	if !v.CanAddr() {
		p := reflect.New(v.Type())
		p.Elem().Set(v)
		v = p.Elem()
	}
	f := v.Field(i)
	return reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
}

func (w *sharedWalk) mapEntries(a, b reflect.Value, path string) {
	t := a.Type()
	it := a.MapRange()
	for it.Next() {
		k := it.Key()
		kb := k
		if k.Kind() == reflect.Pointer && !w.c.shared[t.Key()] && !w.c.kept(k.UnsafePointer()) {
			q, ok := w.pairs[k.UnsafePointer()]
			if !ok {
				// a key reached only through this map: the copy must
				// not hold the original's pointer
				if b.MapIndex(k).IsValid() {
					w.report(fmt.Sprintf("%s[%v]: the same key", path, k))
				}
				continue
			}
			kb = reflect.NewAt(t.Key().Elem(), q).Convert(t.Key())
		}
		if k.Kind() != reflect.Pointer {
			var ok bool
			if kb, ok = w.pairKey(k); !ok {
				continue
			}
		}
		vb := b.MapIndex(kb)
		if !vb.IsValid() {
			w.report(fmt.Sprintf("%s[%v]: missing in the copy", path, k))
			continue
		}
		w.value(it.Value(), vb, fmt.Sprintf("%s[%v]", path, k))
	}
}

// pairKey returns the copy's version of a non-pointer map key: its
// pointers replaced by their pairs (false if one is not paired).
func (w *sharedWalk) pairKey(k reflect.Value) (reflect.Value, bool) {
	p := w.c.planFor(k.Type())
	if len(p.slots) == 0 {
		return k, true
	}
	tmp := reflect.New(k.Type())
	tmp.Elem().Set(k)
	for _, s := range p.slots {
		if s.kind != kPtr {
			return k, false
		}
		a := (*unsafe.Pointer)(unsafe.Add(tmp.UnsafePointer(), s.off))
		if *a == nil || w.c.kept(*a) {
			continue
		}
		q, ok := w.pairs[*a]
		if !ok {
			return k, false
		}
		*a = q
	}
	return tmp.Elem(), true
}
