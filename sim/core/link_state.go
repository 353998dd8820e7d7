package core

import (
	"slices"

	"dangle/sim/report"
)

// The managed-link state machine (drivers/base/core.c): probe, bind,
// unbind and device_del move links between states.

// deviceLinksCheckSuppliers is device_links_check_suppliers(): a pending
// fwnode supplier ("wait for supplier") or a managed supplier link that
// is not AVAILABLE ("supplier %s not ready") defers the probe; otherwise
// the links go to CONSUMER_PROBE and the device is PROBING.
func (c *Core) deviceLinksCheckSuppliers(d *Device) error {
	if sup := c.fwnodeLinksCheckSuppliers(d.Fwnode); sup != nil {
		c.devPrintk(d, "error %s: wait for supplier %s", "-EPROBE_DEFER", sup.Path())
		return EPROBE_DEFER
	}
	c.Lock(&c.DeviceLinksLock, "device_links_check_suppliers")
	defer c.Unlock(&c.DeviceLinksLock)
	for _, link := range d.suppliers {
		if !link.managed() {
			continue
		}
		if link.Status != DL_STATE_AVAILABLE && link.Flags&DL_FLAG_SYNC_STATE_ONLY == 0 {
			c.deviceLinksMissingSupplier(d)
			c.devPrintk(d, "error %s: supplier %s not ready", "-EPROBE_DEFER", link.Supplier.Name)
			d.linksStatus = DL_DEV_PROBING
			return EPROBE_DEFER
		}
		link.Status = DL_STATE_CONSUMER_PROBE
	}
	d.linksStatus = DL_DEV_PROBING
	return nil
}

// deviceLinksMissingSupplier is device_links_missing_supplier().
func (c *Core) deviceLinksMissingSupplier(d *Device) {
	for _, link := range d.suppliers {
		if link.Status != DL_STATE_CONSUMER_PROBE {
			continue
		}
		if link.Supplier.linksStatus == DL_DEV_DRIVER_BOUND {
			link.Status = DL_STATE_AVAILABLE
		} else {
			link.Status = DL_STATE_DORMANT
		}
	}
}

// deviceLinksDriverBound is device_links_driver_bound(): fw_devlink stops
// waiting for this device's suppliers and links its waiting consumers;
// consumer links become AVAILABLE (autoprobing their consumers), supplier
// links ACTIVE, SYNC_STATE_ONLY supplier links are dropped.
func (c *Core) deviceLinksDriverBound(d *Device) {
	if d.Fwnode != nil && d.Fwnode.Dev == d {
		c.fwnodeLinksPurgeSuppliers(d.Fwnode)
		if c.Prof.Is("overlay_fwnode", "plain") {
			c.fwDevlinkLinkToConsumers(d) // < v6.3: no dangling pickup
		} else {
			c.fwDevlinkPickupDanglingConsumers(d)
		}
	}
	c.Lock(&c.DeviceLinksLock, "device_links_driver_bound")
	for _, link := range slices.Clone(d.consumers) {
		if !link.managed() {
			continue
		}
		if link.Status == DL_STATE_CONSUMER_PROBE || link.Status == DL_STATE_ACTIVE {
			continue
		}
		link.Status = DL_STATE_AVAILABLE
		if link.Flags&DL_FLAG_AUTOPROBE_CONSUMER != 0 {
			c.driverDeferredProbeAdd(link.Consumer)
		}
	}
	for _, link := range slices.Clone(d.suppliers) {
		if !link.managed() {
			continue
		}
		if link.Flags&DL_FLAG_SYNC_STATE_ONLY != 0 {
			c.deviceLinkDropManaged(link)
		} else {
			link.Status = DL_STATE_ACTIVE
		}
	}
	d.linksStatus = DL_DEV_DRIVER_BOUND
	c.Unlock(&c.DeviceLinksLock)
}

// deviceLinksNoDriverLocked is __device_links_no_driver(): AUTOREMOVE_CONSUMER
// supplier links are dropped, the rest fall back to AVAILABLE (or DORMANT).
func (c *Core) deviceLinksNoDriverLocked(d *Device) {
	sups := slices.Clone(d.suppliers)
	for i := len(sups) - 1; i >= 0; i-- {
		link := sups[i]
		if !link.managed() {
			continue
		}
		if link.Flags&DL_FLAG_AUTOREMOVE_CONSUMER != 0 {
			c.deviceLinkDropManaged(link)
			continue
		}
		if link.Status != DL_STATE_CONSUMER_PROBE && link.Status != DL_STATE_ACTIVE {
			continue
		}
		if link.Supplier.linksStatus == DL_DEV_DRIVER_BOUND {
			link.Status = DL_STATE_AVAILABLE
		} else {
			link.Status = DL_STATE_DORMANT
		}
	}
	d.linksStatus = DL_DEV_NO_DRIVER
}

// deviceLinksNoDriver is device_links_no_driver() (failed probe).
func (c *Core) deviceLinksNoDriver(d *Device) {
	c.Lock(&c.DeviceLinksLock, "device_links_no_driver")
	for _, link := range d.consumers {
		if link.managed() && (link.Status == DL_STATE_CONSUMER_PROBE || link.Status == DL_STATE_ACTIVE) {
			link.Status = DL_STATE_DORMANT
		}
	}
	c.deviceLinksNoDriverLocked(d)
	c.Unlock(&c.DeviceLinksLock)
}

// deviceLinksDriverCleanup is device_links_driver_cleanup() (after
// unbind): consumer links that went SUPPLIER_UNBIND with
// AUTOREMOVE_SUPPLIER are dropped, the others go DORMANT.
func (c *Core) deviceLinksDriverCleanup(d *Device) {
	c.Lock(&c.DeviceLinksLock, "device_links_driver_cleanup")
	for _, link := range slices.Clone(d.consumers) {
		if !link.managed() {
			continue
		}
		if link.Flags&DL_FLAG_AUTOREMOVE_CONSUMER != 0 {
			c.warn("drivers/base/core.c", "device_links_driver_cleanup", link.Name())
		}
		if link.Status != DL_STATE_SUPPLIER_UNBIND {
			c.warn("drivers/base/core.c", "device_links_driver_cleanup", link.Name())
		}
		if link.Status == DL_STATE_SUPPLIER_UNBIND && link.Flags&DL_FLAG_AUTOREMOVE_SUPPLIER != 0 {
			c.deviceLinkDropManaged(link)
		}
		link.Status = DL_STATE_DORMANT
	}
	c.deviceLinksNoDriverLocked(d)
	c.Unlock(&c.DeviceLinksLock)
}

// deviceLinksBusy is device_links_busy(): a managed consumer that is
// probing or bound keeps the supplier busy; the others are marked
// SUPPLIER_UNBIND so they cannot probe from now on.
func (c *Core) deviceLinksBusy(d *Device) bool {
	c.Lock(&c.DeviceLinksLock, "device_links_busy")
	defer c.Unlock(&c.DeviceLinksLock)
	busy := false
	for _, link := range d.consumers {
		if !link.managed() {
			continue
		}
		if link.Status == DL_STATE_CONSUMER_PROBE || link.Status == DL_STATE_ACTIVE {
			busy = true
			break
		}
		link.Status = DL_STATE_SUPPLIER_UNBIND
	}
	d.linksStatus = DL_DEV_UNBINDING
	return busy
}

// deviceLinksUnbindConsumers is device_links_unbind_consumers(): force
// every ACTIVE consumer's driver off, starting over after each. A link
// in CONSUMER_PROBE makes the kernel wait_for_device_probe() and start
// over; nothing probes concurrently here, so a consumer left PROBING
// without a driver (really_probe()'s "Resources present before probing"
// exit) keeps the link there and the loop never ends: reported as a
// livelock, then the link is treated as not busy so the run goes on.
func (c *Core) deviceLinksUnbindConsumers(d *Device) {
	guard := retryGuard{d: d}
restart:
	if guard.stuck() {
		return // __device_release_driver()'s guard reports it
	}
	c.Lock(&c.DeviceLinksLock, "device_links_unbind_consumers")
	for _, link := range d.consumers {
		if !link.managed() || link.Flags&DL_FLAG_SYNC_STATE_ONLY != 0 {
			continue
		}
		status := link.Status
		if status == DL_STATE_CONSUMER_PROBE && link.Consumer.Driver == nil {
			c.reportLivelock(link)
		}
		link.Status = DL_STATE_SUPPLIER_UNBIND
		if status == DL_STATE_ACTIVE {
			con := link.Consumer
			c.GetDevice(con, "device_links_unbind_consumers", "device_links_unbind_consumers")
			c.Unlock(&c.DeviceLinksLock)
			c.deviceReleaseDriverInternal(con, nil)
			c.PutDevice(con, "device_links_unbind_consumers", "device_links_unbind_consumers")
			goto restart
		}
	}
	c.Unlock(&c.DeviceLinksLock)
}

// deviceLinksPurge is device_links_purge() (device_del): delete every
// link of the device; WARN if a supplier link is still ACTIVE or a
// consumer link is neither DORMANT nor stateless.
func (c *Core) deviceLinksPurge(d *Device) {
	if d.Class == "devlink" {
		return
	}
	c.Lock(&c.DeviceLinksLock, "device_links_purge")
	sups := slices.Clone(d.suppliers)
	for i := len(sups) - 1; i >= 0; i-- {
		if sups[i].Status == DL_STATE_ACTIVE {
			c.warn("drivers/base/core.c", "device_links_purge", sups[i].Name())
		}
		c.deviceLinkDelLocked(sups[i])
	}
	cons := slices.Clone(d.consumers)
	for i := len(cons) - 1; i >= 0; i-- {
		if cons[i].Status != DL_STATE_DORMANT && cons[i].Status != DL_STATE_NONE {
			c.warn("drivers/base/core.c", "device_links_purge", cons[i].Name())
		}
		c.deviceLinkDelLocked(cons[i])
	}
	c.Unlock(&c.DeviceLinksLock)
}

// reportLivelock reports device_links_unbind_consumers() spinning on a
// link whose consumer is not probing and never will leave CONSUMER_PROBE.
func (c *Core) reportLivelock(link *Link) {
	title := "livelock in device_links_unbind_consumers"
	if c.locks.reported[title+link.Name()] {
		return
	}
	c.locks.reported[title+link.Name()] = true
	c.Log.Report(report.Finding{Kind: report.Deadlock, Title: title,
		Objects: []string{link.Name() + " stays in consumer probe: " + link.Consumer.Name +
			" is not probing, so wait_for_device_probe() returns at once and the loop starts over"}})
}
