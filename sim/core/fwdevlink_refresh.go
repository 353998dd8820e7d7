package core

import "dangle/sim/of"

// Dangling consumers and the overlay refresh (drivers/base/core.c).
// A node that will never get a bus device of its own (a sub-node its
// parent's driver handles) passes its consumers on to the ancestor
// device that handles it, when that device binds (v6.3+, profile knob
// overlay_fwnode != plain) and, with the revert of 1a50d9403fb9 and
// 81e7c6befa36, after an overlay changes the tree under a bound device.

// fwnodeLinksMoveConsumers is __fwnode_links_move_consumers(): every
// consumer of from becomes a consumer of to.
func (c *Core) fwnodeLinksMoveConsumers(from, to *of.Node) {
	for _, l := range c.fwConsumers[from] {
		c.fwnodeLinkAdd(l.consumer, to)
		c.fwnodeLinkDel(l)
	}
}

// pickupDanglingConsumers is __fw_devlink_pickup_dangling_consumers():
// a node with no bus device is marked FWNODE_FLAG_NOT_DEVICE and its
// consumers, and its available descendants', move to newSup.
func (c *Core) pickupDanglingConsumers(np, newSup *of.Node) {
	if d := getDevFromFwnode(np); d != nil && d.Bus != nil {
		return
	}
	np.FwnodeFlags |= of.FWNODE_FLAG_NOT_DEVICE
	c.fwnodeLinksMoveConsumers(np, newSup)
	for ch := range np.Children() {
		if ch.IsAvailable() {
			c.pickupDanglingConsumers(ch, newSup)
		}
	}
}

// fwDevlinkPickupDanglingConsumers is the part of
// device_links_driver_bound() that 81e7c6befa36 names
// fw_devlink_pickup_dangling_consumers(): pick up the dangling consumers
// of d's available child nodes, then link d's consumers.
func (c *Core) fwDevlinkPickupDanglingConsumers(d *Device) {
	for ch := range d.Fwnode.Children() {
		if ch.IsAvailable() {
			c.pickupDanglingConsumers(ch, d.Fwnode)
		}
	}
	c.fwDevlinkLinkToConsumers(d)
}

// FwDevlinkRefreshFwnode is fw_devlink_refresh_fwnode() (81e7c6befa36,
// Hervé Codina's v7 with the driver_deferred_probe_trigger()): find the
// closest ancestor of np (np included) that is not NOT_DEVICE and has a
// bus device; if that device is bound, redo its pickup of dangling
// consumers and retry the deferred probes.
func (c *Core) FwDevlinkRefreshFwnode(np *of.Node) {
	var d *Device
	for ; np != nil; np = np.Parent {
		if np.FwnodeFlags&of.FWNODE_FLAG_NOT_DEVICE != 0 {
			continue
		}
		if d = getDevFromFwnode(np); d != nil && d.Bus != nil {
			break
		}
	}
	if np == nil {
		return
	}
	if d.linksStatus == DL_DEV_DRIVER_BOUND {
		c.fwDevlinkPickupDanglingConsumers(d)
		c.driverDeferredProbeTrigger()
	}
}
