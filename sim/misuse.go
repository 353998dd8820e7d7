package sim

import (
	"slices"

	"dangle/sim/core"
)

// The program plays driver code: its devres and device-link ops are what
// a driver calls on its own device. Some contracts of those APIs the
// kernel never checks at the call, and breaking them shows up only later,
// as a finding in kernel code that did nothing wrong. The op that broke
// the contract records it here (the first one wins), and Primary files
// nothing from that op on:
//
//   - devres on a device no driver is bound to: only a device's driver
//     adds resources, from probe on; really_probe() WARNs "Resources
//     present before probing" at the next probe (drivers/base/dd.c);
//   - closing, releasing or removing a devres group the program did not
//     open: the groups on a bound device belong to its driver and bus
//     (i2c_device_probe()'s PM-domain group), whose own
//     devres_release_group() then WARNs or runs releases twice;
//   - device_link_add() with DL_FLAG_AUTOREMOVE_CONSUMER for a consumer
//     no driver is bound to: the flag is for the consumer driver's probe
//     (device_link_add() kerneldoc); the link is dropped only at the
//     consumer's unbind, so the supplier's device_links_driver_cleanup()
//     WARN_ON(DL_FLAG_AUTOREMOVE_CONSUMER)s;
//   - device_link_del() of a link the kernel already deleted (an
//     AUTOREMOVE flag, or device_links_purge() when an end went away):
//     the program's handle is dead.

// progGroup is a devres group the program opened on dev (id nil: the
// group is its own id).
type progGroup struct {
	dev *core.Device
	id  any
}

// misuseAt records that op c broke an API contract, unless an earlier
// op did.
func (c *call) misuseAt(why string) {
	if c.k.misuse.Op == 0 {
		c.k.misuse.Op, c.k.misuse.Why = c.slot+1, why
	}
}

// checkDevresBound records devres on a device without a driver.
func (c *call) checkDevresBound() {
	if c.dev != nil && c.dev.Driver == nil {
		c.misuseAt(c.op.Name() + " on " + c.dev.Name + ", which no driver is bound to: only its driver adds devres, from probe on")
	}
}

// openedGroup records a group the program opened.
func (c *call) openedGroup(id any) {
	c.k.groups = append(c.k.groups, progGroup{dev: c.dev, id: id})
}

// checkOwnGroup records a close, release or remove of a devres group the
// program did not open on that device (no id: any group of its own).
func (c *call) checkOwnGroup(id any) {
	if c.dev == nil {
		return
	}
	own := slices.ContainsFunc(c.k.groups, func(g progGroup) bool {
		return g.dev == c.dev && (id == nil || g.id == id)
	})
	if !own {
		c.misuseAt(c.op.Name() + " of a devres group on " + c.dev.Name + " the program did not open: it belongs to the device's driver or bus")
	}
}
