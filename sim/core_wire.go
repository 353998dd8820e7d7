package sim

import (
	"dangle/sim/core"
	"dangle/sim/drivers"
	"dangle/sim/gpio"
)

// The driver-core layer (devices, drivers, devres, device links, their
// workqueues) plugs in here: initCore runs after the base tree is loaded,
// teardownCore after the program's notifiers are unregistered and before
// overlays are removed, flushCore after overlays are removed and before
// the leak check.

// initCore boots the driver core on the base tree with the catalog
// registered (core.Boot): the base tree's devices are bound before op 1.
// What boot allocates (the base tree's devices, their links) is the
// running system, not a run-time allocation: it is exempt from the
// must-be-freed check, and a reference taken on it during the run and
// never dropped is a reference leak, as for base-tree nodes.
func (k *Kernel) initCore() {
	k.Core = core.New(k.Reg, k.Log, k.OF, k.Prof, drivers.Catalog())
	gpio.New(k.Core) // GPIO and nvmem (sim/gpio), before the boot binds providers
	n := len(k.Reg.Objects())
	k.Core.Boot()
	for _, o := range k.Reg.Objects()[n:] {
		o.Dynamic = false
	}
}

// teardownCore is the driver-core part of the teardown: nothing. A module
// the program unloaded stays unloaded, as on a real system: reloading it
// would probe base devices again and make new allocations the leak check
// then blames on the program (issue 9 item 2). Device references the
// program took with get_device and never put stay: they are the program's
// leaks, as of_node_get references are.
func (k *Kernel) teardownCore() {}

// flushCore runs every pending work item of every queue (the quiesce
// before the leak check).
func (k *Kernel) flushCore() {
	if n := len(k.Core.DeviceLinkWQ.Pending()) + len(k.Core.SystemWQ.Pending()); n > 0 {
		k.Log.Harness("teardown: flush_workqueue (%d pending)", n)
	}
	k.Core.FlushAll()
}
