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
// targets of pointer types and the arrays of slice types the caller
// declares shared (immutable descriptions: the program, compiled trees,
// the driver catalog; property values) and the pointers registered with
// Keep (package-level sentinels such as LIST_POISON, compared by
// identity). Channels, unsafe pointers and maps inside maps are not
// supported (the simulator has none). Pointers to a scalar field inside
// another object are not followed to their container (the simulator
// stores none); Paranoid copies check that, and SharedMemory checks that
// a copy shares nothing mutable with its original.
//
// The copy runs in passes. The first walks the graph from the root and
// records each block (a pointer's target, a slice's backing array) in a
// hash table from original addresses to copies. The second registers
// the interior fields of each block that a pointer elsewhere may target
// (an embedded struct of a type some pointer points to, an array a
// slice may be carved from), so that such a pointer lands in its
// container's copy; a block met on its own before its container is
// superseded. The third allocates the copies, one array per type, and
// copies the bytes; the last rewrites every pointer of the copies to the
// copy of its target, and rebuilds maps and interface values, whose keys
// and contents cannot be patched in place. Per-type plans (the offsets
// of the pointer-bearing words of a type) are computed once and cached.
//
// Copier.Copy does all of that per copy. Copier.Snapshot does it once and
// keeps the result as an Image: the objects laid out in one array per
// type, every pointer among them a relocation. Image.New then makes a
// copy with one allocation, one copy of the bytes, a store per pointer
// and the maps rebuilt (BENCHMARKS.md has the figures).
package deepcopy
