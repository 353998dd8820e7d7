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
// descriptions and the compile cache; everything else is copied.
var kernelCopier = func() *deepcopy.Copier {
	c := deepcopy.New(
		reflect.TypeFor[*prog.Program](),
		reflect.TypeFor[*prog.Op](),
		reflect.TypeFor[*dt.Tree](),
		reflect.TypeFor[*profile.Profile](),
		reflect.TypeFor[*core.Driver](),
		reflect.TypeFor[*Cache](),
	)
	for _, p := range of.Sentinels() {
		c.Keep(p)
	}
	return c
}()

// Clone returns an independent copy of the kernel: its log, registry,
// device tree, driver core, workqueues, locks and program slots are all
// copied, so running ops on one leaves the other as it was. The
// explorer branches states with it, and Run starts from a clone of a
// booted kernel (Snapshot) instead of booting.
func (k *Kernel) Clone() *Kernel {
	return kernelCopier.Copy(k).(*Kernel)
}
