// Package fault is dangle's fault injection: an op's fail_nth=N argument
// makes the N-th fallible step the op reaches fail with the kernel's
// errno, as the kernel's own fail-nth (/proc/self/task/<tid>/fail-nth,
// Documentation/fault-injection/fault-injection.rst) fails the N-th
// allocation a system call makes.
//
// A fallible step is a call whose failure the kernel handles: a
// kzalloc()/kmemdup(), idr_alloc(), device_add(), a driver's devm_*
// allocation. The model asks Injector.Should at each one; when it says
// yes, the model takes the kernel's error path there. The state is one
// plain struct (no pointers, no closures), reset at each op, so a kernel
// clone copies it with the struct and the canonical state never needs it.
package fault
