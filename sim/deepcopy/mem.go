package deepcopy

import (
	"reflect"
	"unsafe"
)

// typedmemmove is the runtime's typed copy (reflect.Value.Set and
// reflect.Copy end in it): it copies a value of type t and applies the
// write barriers the garbage collector needs for the pointers in it. It
// is linked by name, as widely used packages do (the runtime keeps the
// symbol for them, see runtime/mbarrier.go), because going through
// reflect.Copy for each object was a third of a copy's time.
//
//go:linkname typedmemmove reflect.typedmemmove
func typedmemmove(t unsafe.Pointer, dst, src unsafe.Pointer)

// rtypeOf returns t's runtime type descriptor: the data word of the
// reflect.Type interface (a *reflect.rtype, whose first field is the
// runtime's type).
func rtypeOf(t reflect.Type) unsafe.Pointer {
	return (*[2]unsafe.Pointer)(unsafe.Pointer(&t))[1]
}

// hasPointers reports whether values of t hold pointers.
func hasPointers(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.String, reflect.Slice, reflect.Map, reflect.Interface,
		reflect.Func, reflect.Chan, reflect.UnsafePointer:
		return true
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			if hasPointers(t.Field(i).Type) {
				return true
			}
		}
	case reflect.Array:
		return t.Len() > 0 && hasPointers(t.Elem())
	}
	return false
}

// copyElems copies n values of p's type from src to dst.
func (p *plan) copyElems(dst, src unsafe.Pointer, n uintptr) {
	if !p.hasPtr {
		copy(unsafe.Slice((*byte)(dst), n*p.size), unsafe.Slice((*byte)(src), n*p.size))
		return
	}
	for i := uintptr(0); i < n; i++ {
		typedmemmove(p.rtype, unsafe.Add(dst, i*p.size), unsafe.Add(src, i*p.size))
	}
}
