package core

import (
	"slices"

	"dangle/sim/report"
)

// Deferred probe (drivers/base/dd.c): devices whose probe returned
// -EPROBE_DEFER wait on deferred_probe_pending_list; every successful
// bind (driver_bound) moves them to the active list and queues
// deferred_probe_work on system_wq, which retries them in order.

// driverDeferredProbeAdd is driver_deferred_probe_add().
func (c *Core) driverDeferredProbeAdd(d *Device) {
	if !d.canMatch {
		return
	}
	if slices.Contains(c.deferredPending, d) || slices.Contains(c.deferredActive, d) {
		return
	}
	c.devPrintk(d, "Added to deferred list")
	c.deferredPending = append(c.deferredPending, d)
}

// driverDeferredProbeDel is driver_deferred_probe_del().
func (c *Core) driverDeferredProbeDel(d *Device) {
	c.deferredPending = slices.DeleteFunc(c.deferredPending, func(x *Device) bool { return x == d })
	c.deferredActive = slices.DeleteFunc(c.deferredActive, func(x *Device) bool { return x == d })
}

// driverDeferredProbeTrigger is driver_deferred_probe_trigger(): once
// enabled (late_initcall), splice pending onto active and queue the work.
func (c *Core) driverDeferredProbeTrigger() {
	if !c.deferredProbeEnable {
		return
	}
	c.deferredActive = append(c.deferredActive, c.deferredPending...)
	c.deferredPending = nil
	if c.deferredProbeWork == nil {
		c.deferredProbeWork = &Work{Fn: "deferred_probe_work_func", What: "deferred_probe_active_list", run: func(c *Core, _ *Work) { c.deferredProbeWorkFunc() }}
	}
	c.QueueWork(c.SystemWQ, c.deferredProbeWork)
}

// deferredProbeWorkFunc is deferred_probe_work_func(): retry every device
// on the active list, holding a reference across the retry.
func (c *Core) deferredProbeWorkFunc() {
	for len(c.deferredActive) > 0 {
		d := c.deferredActive[0]
		c.deferredActive = c.deferredActive[1:]
		c.GetDevice(d, "deferred_probe_work_func", "deferred_probe_work_func")
		c.devPrintk(d, "Retrying from deferred list")
		c.busProbeDevice(d)
		c.PutDevice(d, "deferred_probe_work_func", "deferred_probe_work_func")
	}
}

// warnOracle reports a kernel-detected error that is not a WARN (a
// dev_crit such as "Resources present before probing").
func (c *Core) warnOracle(msg, fn, what string) {
	c.Log.Report(report.Finding{Kind: report.KernelError, Title: msg + " in " + fn, Objects: []string{what}})
}
