package sim

// The driver-core layer (devices, drivers, devres, device links, their
// workqueue) plugs in here: initCore runs after the base tree is loaded,
// teardownCore after the program's notifiers are unregistered and before
// overlays are removed, flushCore after overlays are removed and before
// the leak check.

func (k *Kernel) initCore()     {}
func (k *Kernel) teardownCore() {}
func (k *Kernel) flushCore()    {}
