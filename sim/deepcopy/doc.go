// Package deepcopy copies a pointer graph: every object reachable from a
// root, with back-pointers, cycles, pointers into the middle of other
// objects (an embedded list_head, a mutex field, an element of a slice's
// array), pointer-keyed maps and interface values, so that the copy
// shares no mutable memory with the original. sim uses it for
// Kernel.Clone: a booted kernel is copied instead of booted again, and
// the explorer branches states with it.
//
// What is copied: structs, arrays, slices (their whole backing array,
// up to cap), maps, the values behind pointers and interfaces. What is
// shared: strings (immutable), funcs (the simulator's state holds only
// functions that capture nothing: see sim/core's DevresRelease), the
// targets of pointer types the caller declares Shared (immutable
// descriptions: the program, compiled trees, the driver catalog) and the
// pointers registered with Keep (package-level sentinels such as
// LIST_POISON, compared by identity). Channels and unsafe pointers are
// not supported (the simulator has none).
//
// The copy runs in two passes. The first walks the graph from the root
// and copies each block (a pointer's target, a slice's backing array)
// byte for byte. The second sorts the blocks by address, finds for each
// the outermost block containing it (a pointer to an embedded field
// lands inside its container's copy) and rewrites every pointer of the
// copies to the copy of its target; maps and interface values are
// rebuilt then, since their keys and contents cannot be patched in
// place. Per-type plans (the offsets of the pointer-bearing words of a
// type) are computed once and cached.
package deepcopy
