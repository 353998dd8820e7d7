// Package of models the kernel's live device tree and its dynamic
// modification: device_node and property lifetimes (drivers/of/dynamic.c,
// base.c, kobj.c), changesets (dynamic.c), phandle resolution (resolver.c)
// and overlays (overlay.c), with the reconfig and overlay notifier chains
// the driver core subscribes to.
//
// Every step mirrors a kernel function of the same name, in the same order,
// and prints the kernel's messages verbatim (with the same pr_fmt prefix:
// "OF: " for dynamic.c and base.c, "OF: overlay: " for overlay.c,
// "OF: resolver: " for resolver.c). Where kernel versions differ, the
// behaviour is chosen by a knob of the run's profile (sim/profile), and the
// code says which commit each branch models.
//
// Refcounts are kobj objects, so every of_node_get()/of_node_put() has a
// holder and an op index, and a node touched after it was freed is reported
// as a use-after-free. Nodes of an overlay's unflattened tree live in the
// overlay's overlay_mem allocation: freeing it tombstones them all, which is
// how a notifier that kept a pointer into the overlay (seeds/002) is caught.
//
// The package is a pure state machine: no goroutines, clocks or global
// state; it is driven through *OF by sim.
package of
