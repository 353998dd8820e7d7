package sim

import (
	"reflect"

	"dangle/dt"
	"dangle/prog"
	"dangle/sim/core"
	"dangle/sim/deepcopy"
	"dangle/sim/of"
	"dangle/sim/profile"
)

// kernelCopier copies a Kernel's state. It shares what no run mutates:
// the program, compiled device trees, the profile, the driver catalog's
// descriptions, the compile cache, and byte slices (property values and
// blobs: a property's value is never written in place, a change replaces
// the property, as in the kernel); everything else is copied.
var kernelCopier = newKernelCopier()

func newKernelCopier() *deepcopy.Copier {
	c := deepcopy.New(
		reflect.TypeFor[*prog.Program](),
		reflect.TypeFor[*prog.Op](),
		reflect.TypeFor[*dt.Tree](),
		reflect.TypeFor[*profile.Profile](),
		reflect.TypeFor[*core.Driver](),
		reflect.TypeFor[*Cache](),
		reflect.TypeFor[[]byte](),
	)
	for _, p := range of.Sentinels() {
		c.Keep(p)
	}
	return c
}

// Clone returns an independent copy of the kernel: its log, registry,
// device tree, driver core, workqueues, locks and program slots are all
// copied, so running ops on one leaves the other as it was. The
// explorer branches states with it. The clone's log streams nowhere
// (Log.Out is not copied).
func (k *Kernel) Clone() *Kernel {
	defer k.detachOut()()
	return kernelCopier.Copy(k).(*Kernel)
}

// detachOut takes the log's stream (Log.Out, a file or a buffer: not
// state to copy) off k for a copy and returns what puts it back; copies
// stream nowhere.
func (k *Kernel) detachOut() func() {
	out := k.Log.Out
	k.Log.Out = nil
	return func() { k.Log.Out = out }
}

// A Snapshot is a frozen copy of a kernel from which fresh copies are
// made fast: its objects are laid out in one array per type and the
// pointers among them are relocations (deepcopy.Image), so a copy costs
// an allocation and a typed copy per type, a store per pointer and the
// maps rebuilt. Runs start from a snapshot of the booted kernel
// (Cache.SetSnapshots); the explorer can take one of a state it will
// branch from many times. A Snapshot is safe for concurrent use.
type Snapshot struct {
	img *deepcopy.Image
}

// Snapshot returns a snapshot of k as it is now. k stays usable: the
// snapshot shares nothing mutable with it.
func (k *Kernel) Snapshot() *Snapshot {
	defer k.detachOut()()
	return &Snapshot{img: kernelCopier.Snapshot(k)}
}

// pack makes the snapshot's copies one allocation each (Image.Pack): for
// the few snapshots a Cache keeps, not for every state an explorer takes
// one of.
func (s *Snapshot) pack() { s.img.Pack() }

// Kernel returns a fresh, independent copy of the snapshotted kernel.
func (s *Snapshot) Kernel() *Kernel { return s.img.New().(*Kernel) }
