// Package kobj is the simulator's object registry: every simulated kernel
// object that can be referenced, freed or leaked (device_node, property,
// overlay changeset, changeset entry, device, link, work item, …) is an
// *Object here, with a stable name for logs, a kref-style count where the
// kernel has one, a freed flag, and the provenance of every reference.
//
// Freed objects stay in the registry as tombstones, so any later get, put
// or touch is caught as a use-after-free instead of silently reviving them.
// Every reference records who took it (the kernel function, the holder
// object, the op index); a leak report names the holders of what remains,
// like Frank Rowand's get/put table in seeds/002, but exact.
//
// The refcount oracles live here because they are the same for every
// object type: "refcount_t: underflow; use-after-free." on a put at zero,
// "refcount_t: addition on 0; use-after-free." on a get at zero (the
// messages of lib/refcount.c refcount_warn_saturate()), and use-after-free
// of tombstones.
package kobj
