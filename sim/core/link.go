package core

import (
	"fmt"
	"slices"

	"dangle/sim/kobj"
	"dangle/sim/of"
)

// Device link flags (include/linux/device.h).
const (
	DL_FLAG_STATELESS           uint32 = 1 << 0
	DL_FLAG_AUTOREMOVE_CONSUMER uint32 = 1 << 1
	DL_FLAG_PM_RUNTIME          uint32 = 1 << 2
	DL_FLAG_RPM_ACTIVE          uint32 = 1 << 3
	DL_FLAG_AUTOREMOVE_SUPPLIER uint32 = 1 << 4
	DL_FLAG_AUTOPROBE_CONSUMER  uint32 = 1 << 5
	DL_FLAG_MANAGED             uint32 = 1 << 6
	DL_FLAG_SYNC_STATE_ONLY     uint32 = 1 << 7
	DL_FLAG_INFERRED            uint32 = 1 << 8
	DL_FLAG_CYCLE               uint32 = 1 << 9

	dlManagedLinkFlags = DL_FLAG_AUTOREMOVE_CONSUMER | DL_FLAG_AUTOREMOVE_SUPPLIER |
		DL_FLAG_AUTOPROBE_CONSUMER | DL_FLAG_SYNC_STATE_ONLY | DL_FLAG_INFERRED | DL_FLAG_CYCLE
	dlAddValidFlags = dlManagedLinkFlags | DL_FLAG_STATELESS | DL_FLAG_PM_RUNTIME | DL_FLAG_RPM_ACTIVE
)

// DLState is enum device_link_state.
type DLState int

const (
	DL_STATE_NONE DLState = iota - 1
	DL_STATE_DORMANT
	DL_STATE_AVAILABLE
	DL_STATE_CONSUMER_PROBE
	DL_STATE_ACTIVE
	DL_STATE_SUPPLIER_UNBIND
)

var dlStateNames = [...]string{"none", "dormant", "available", "consumer probe", "active", "supplier unbind"}

func (s DLState) String() string { return dlStateNames[s+1] }

// DLDevStatus is enum dl_dev_state (dev->links.status).
type DLDevStatus int

const (
	DL_DEV_NO_DRIVER DLDevStatus = iota
	DL_DEV_PROBING
	DL_DEV_DRIVER_BOUND
	DL_DEV_UNBINDING
)

// Link is a struct device_link. obj's refcount is link->kref (repeated
// stateless adds); the link holds a device reference on both ends from
// device_link_add() until device_link_release_fn() runs on device_link_wq.
type Link struct {
	obj      *kobj.Object
	Supplier *Device
	Consumer *Device
	Flags    uint32
	Status   DLState
	// dev is link->link_dev, a device of class "devlink".
	dev    *Device
	rmWork Work
	holder string
	// statelessOps are the ops of the DL_FLAG_STATELESS references not
	// yet dropped (0: boot): "the caller of this function is expected to
	// release the link returned by it directly with the help of
	// device_link_del() or device_link_remove()" (device_link_add()).
	statelessOps []int
}

// stranded reports a link kept only by a stateless reference taken
// during the run and never dropped while both ends are still registered:
// the caller forgot device_link_del(), and nothing in the kernel will
// ever delete the link (device_links_purge() runs only when an end is
// deleted). The leak check must see it.
func (l *Link) stranded() bool {
	for _, op := range l.statelessOps {
		if op != 0 {
			return true
		}
	}
	return false
}

// Name is the link device's name, "bus:supplier--bus:consumer".
func (l *Link) Name() string { return l.dev.Name }

// Deleted reports whether the link was deleted (__device_link_del():
// off both devices' lists), whether or not its memory is freed yet.
func (l *Link) Deleted() bool { return !slices.Contains(l.Supplier.consumers, l) }

func (l *Link) managed() bool { return l.Flags&DL_FLAG_MANAGED != 0 }

// syncStateOnly is device_link_flag_is_sync_state_only().
func syncStateOnly(flags uint32) bool {
	return flags&^(DL_FLAG_INFERRED|DL_FLAG_CYCLE) == DL_FLAG_SYNC_STATE_ONLY|DL_FLAG_MANAGED
}

// DeviceLinkAdd is device_link_add() (drivers/base/core.c): NULL (nil)
// for bad flag combinations, an unregistered supplier or a reverse
// dependency; an existing link for the pair is returned with its kref
// raised (stateless add, or a stateless link turning managed) and flags
// upgraded; else a new link pinning both devices.
func (c *Core) DeviceLinkAdd(consumer, supplier *Device, flags uint32) *Link {
	return c.DeviceLinkAddBy(consumer, supplier, flags, "kref")
}

// DeviceLinkAddBy is DeviceLinkAdd with the kref reference the caller
// takes (a new link's kref_init, or the kref_get on an existing one)
// held by holder: the owner a later device_link_del() puts it for.
func (c *Core) DeviceLinkAddBy(consumer, supplier *Device, flags uint32, holder string) *Link {
	if consumer == nil || supplier == nil || consumer == supplier ||
		flags&^dlAddValidFlags != 0 ||
		(flags&DL_FLAG_STATELESS != 0 && flags&dlManagedLinkFlags != 0) ||
		(flags&DL_FLAG_AUTOPROBE_CONSUMER != 0 && flags&(DL_FLAG_AUTOREMOVE_CONSUMER|DL_FLAG_AUTOREMOVE_SUPPLIER) != 0) {
		return nil
	}
	if flags&DL_FLAG_STATELESS == 0 {
		flags |= DL_FLAG_MANAGED
	}
	if flags&DL_FLAG_SYNC_STATE_ONLY != 0 && !syncStateOnly(flags) {
		return nil
	}
	c.Lock(&c.DeviceLinksLock, "device_link_add")
	defer c.Unlock(&c.DeviceLinksLock)
	if !supplier.registered || (flags&DL_FLAG_SYNC_STATE_ONLY == 0 && c.deviceIsDependent(consumer, supplier, map[*Device]bool{})) {
		return nil
	}
	if flags&DL_FLAG_SYNC_STATE_ONLY != 0 && consumer.linksStatus != DL_DEV_NO_DRIVER && consumer.linksStatus != DL_DEV_PROBING {
		return nil
	}
	if flags&DL_FLAG_AUTOREMOVE_SUPPLIER != 0 {
		flags &^= DL_FLAG_AUTOREMOVE_CONSUMER
	}
	for _, link := range supplier.consumers {
		if link.Consumer != consumer {
			continue
		}
		if link.Flags&DL_FLAG_INFERRED != 0 && flags&DL_FLAG_INFERRED == 0 {
			link.Flags &^= DL_FLAG_INFERRED
		}
		if flags&DL_FLAG_STATELESS != 0 {
			c.Reg.Get(link.obj, "device_link_add", holder)
			link.Flags |= DL_FLAG_STATELESS
			link.statelessOps = append(link.statelessOps, c.Log.Op)
			return link
		}
		// the link stays around as long as the longest-lived user wants
		if flags&DL_FLAG_AUTOREMOVE_SUPPLIER != 0 {
			if link.Flags&DL_FLAG_AUTOREMOVE_CONSUMER != 0 {
				link.Flags &^= DL_FLAG_AUTOREMOVE_CONSUMER
				link.Flags |= DL_FLAG_AUTOREMOVE_SUPPLIER
			}
		} else if flags&DL_FLAG_AUTOREMOVE_CONSUMER == 0 {
			link.Flags &^= DL_FLAG_AUTOREMOVE_CONSUMER | DL_FLAG_AUTOREMOVE_SUPPLIER
		}
		if !link.managed() {
			c.Reg.Get(link.obj, "device_link_add", holder)
			link.Flags |= DL_FLAG_MANAGED
			deviceLinkInitStatus(link, consumer, supplier)
		}
		if link.Flags&DL_FLAG_SYNC_STATE_ONLY != 0 && flags&DL_FLAG_SYNC_STATE_ONLY == 0 {
			link.Flags &^= DL_FLAG_SYNC_STATE_ONLY
		}
		return link
	}
	// link = kzalloc(): "if (!link) goto out;" returns NULL
	if c.fail("kzalloc", "device_link_add (device_link)", ENOMEM) {
		return nil
	}
	name := fmt.Sprintf("%s:%s--%s:%s", supplier.busName(), supplier.Name, consumer.busName(), consumer.Name)
	link := &Link{Supplier: supplier, Consumer: consumer, Flags: flags, holder: "device link " + name}
	link.obj = c.Reg.Alloc("device_link", name, "device_link_add", true, true, holder)
	c.getOwned(supplier, "device_link_add", link.holder, link.obj)
	c.getOwned(consumer, "device_link_add", link.holder, link.obj)
	link.dev = c.newDevice(name, "device_link_add")
	link.dev.Class = "devlink"
	link.dev.Priv = link
	link.dev.release, link.dev.releaseName = (*Core).devlinkDevRelease, "devlink_dev_release"
	link.dev.obj.In = link.obj
	if err := c.DeviceRegister(link.dev); err != nil {
		// "put_device(&link->link_dev); link = NULL; goto out;": the
		// release (devlink_dev_release) queues device_link_release_fn,
		// which puts consumer and supplier and frees the link; the
		// link was never on their lists.
		c.PutDevice(link.dev, "device_link_add", link.dev.initHolder)
		return nil
	}
	if flags&DL_FLAG_STATELESS != 0 {
		link.Status = DL_STATE_NONE
		link.statelessOps = append(link.statelessOps, c.Log.Op)
	} else {
		deviceLinkInitStatus(link, consumer, supplier)
	}
	supplier.consumers = append(supplier.consumers, link)
	consumer.suppliers = append(consumer.suppliers, link)
	if flags&DL_FLAG_SYNC_STATE_ONLY != 0 {
		c.devPrintk(consumer, "Linked as a sync state only consumer to %s", supplier.Name)
		return link
	}
	c.devPrintk(consumer, "Linked as a consumer to %s", supplier.Name)
	return link
}

// deviceLinkInitStatus is device_link_init_status().
func deviceLinkInitStatus(link *Link, consumer, supplier *Device) {
	switch supplier.linksStatus {
	case DL_DEV_PROBING:
		if consumer.linksStatus == DL_DEV_PROBING {
			link.Status = DL_STATE_CONSUMER_PROBE
		} else {
			link.Status = DL_STATE_DORMANT
		}
	case DL_DEV_DRIVER_BOUND:
		switch consumer.linksStatus {
		case DL_DEV_PROBING:
			link.Status = DL_STATE_CONSUMER_PROBE
		case DL_DEV_DRIVER_BOUND:
			link.Status = DL_STATE_ACTIVE
		default:
			link.Status = DL_STATE_AVAILABLE
		}
	case DL_DEV_UNBINDING:
		link.Status = DL_STATE_SUPPLIER_UNBIND
	default:
		link.Status = DL_STATE_DORMANT
	}
}

// deviceIsDependent is device_is_dependent(dev, target): target is dev,
// a descendant of dev, or (transitively) a consumer of dev.
func (c *Core) deviceIsDependent(dev, target *Device, seen map[*Device]bool) bool {
	if seen[dev] {
		return false
	}
	seen[dev] = true
	if dev == target {
		return true
	}
	for p := target.Parent; p != nil; p = p.Parent {
		if p == dev {
			return true
		}
	}
	for _, ch := range c.children(dev) {
		if c.deviceIsDependent(ch, target, seen) {
			return true
		}
	}
	for _, link := range dev.consumers {
		if syncStateOnly(link.Flags) {
			continue
		}
		if link.Consumer == target || c.deviceIsDependent(link.Consumer, target, seen) {
			return true
		}
	}
	return false
}

// deviceLinkDelLocked is __device_link_del(): unlink and unregister the
// link device; its release queues the rest on device_link_wq.
func (c *Core) deviceLinkDelLocked(link *Link) {
	c.devPrintk(link.Consumer, "Dropping the link to %s", link.Supplier.Name)
	link.Supplier.consumers = slices.DeleteFunc(link.Supplier.consumers, func(l *Link) bool { return l == link })
	link.Consumer.suppliers = slices.DeleteFunc(link.Consumer.suppliers, func(l *Link) bool { return l == link })
	c.DeviceUnregister(link.dev)
}

// devlinkDevRelease is devlink_dev_release() (the devlink class release):
// the consumer and supplier puts may sleep, so they are deferred to
// device_link_wq (80dd33cf72d1; system_long_wq until 0462c56c290a).
func (c *Core) devlinkDevRelease(d *Device) {
	link := d.Priv.(*Link)
	link.rmWork = Work{Fn: "device_link_release_fn", What: link.Name(),
		run: func(c *Core, w *Work) { c.deviceLinkReleaseFn(w.arg.(*Link)) },
		needs: func(w *Work) []*of.Mutex {
			link := w.arg.(*Link)
			return releaseNeeds(link.Consumer, link.Supplier)
		},
		arg: link}
	c.QueueWork(c.DeviceLinkWQ, &link.rmWork)
}

// releaseNeeds predicts the locks the last puts of ds will take.
func releaseNeeds(ds ...*Device) []*of.Mutex {
	var out []*of.Mutex
	for _, d := range ds {
		if d.obj.Ref() == 1 && !d.obj.Freed() {
			out = append(out, d.ReleaseLocks...)
		}
	}
	return out
}

// deviceLinkReleaseFn is device_link_release_fn(): wait for SRCU
// readers, then put the consumer and the supplier, then free the link.
func (c *Core) deviceLinkReleaseFn(link *Link) {
	c.synchronizeSRCU("device_link_release_fn")
	c.PutDevice(link.Consumer, "device_link_release_fn", link.holder)
	if !c.OF.Skipped("device_link_release_fn:put_device(supplier)") { // a kernel mutant, make bench only
		c.PutDevice(link.Supplier, "device_link_release_fn", link.holder)
	}
	c.freeDevice(link.dev, "device_link_release_fn")
	c.Reg.Free(link.obj, "device_link_release_fn")
}

// devicePutKref is device_link_put_kref(): stateless links drop a kref;
// a managed link may only be deleted once its consumer is unregistered.
func (c *Core) deviceLinkPutKref(link *Link, holder string) {
	switch {
	case link.Flags&DL_FLAG_STATELESS != 0:
		if n := len(link.statelessOps); n > 0 {
			link.statelessOps = link.statelessOps[:n-1]
		}
		if c.Reg.Put(link.obj, "device_link_put_kref", holder) {
			c.deviceLinkDelLocked(link)
		}
	case !link.Consumer.registered:
		c.deviceLinkDelLocked(link)
	default:
		c.Log.Printf("Unable to drop a managed device link reference")
		c.warn("drivers/base/core.c", "device_link_put_kref", link.Name())
	}
}

// DeviceLinkDel is device_link_del().
func (c *Core) DeviceLinkDel(link *Link) { c.DeviceLinkDelBy(link, "kref") }

// DeviceLinkDelBy is device_link_del() putting holder's kref reference
// (DeviceLinkAddBy).
func (c *Core) DeviceLinkDelBy(link *Link, holder string) {
	c.Lock(&c.DeviceLinksLock, "device_link_del")
	if c.Reg.Touch(link.obj, "device_link_del") {
		c.deviceLinkPutKref(link, holder)
	}
	c.Unlock(&c.DeviceLinksLock)
}

// DeviceLinkRemove is device_link_remove(consumer, supplier): the link for
// the pair, if any, as device_link_del(); WARN_ON if they are equal.
func (c *Core) DeviceLinkRemove(consumer, supplier *Device) {
	c.DeviceLinkRemoveBy(consumer, supplier, "kref")
}

// DeviceLinkRemoveBy is device_link_remove() putting holder's kref
// reference (DeviceLinkAddBy).
func (c *Core) DeviceLinkRemoveBy(consumer, supplier *Device, holder string) {
	if consumer == supplier {
		c.warn("drivers/base/core.c", "device_link_remove", devName(consumer))
		return
	}
	c.Lock(&c.DeviceLinksLock, "device_link_remove")
	for _, link := range supplier.consumers {
		if link.Consumer == consumer {
			c.deviceLinkPutKref(link, holder)
			break
		}
	}
	c.Unlock(&c.DeviceLinksLock)
}

// deviceLinkDropManaged is device_link_drop_managed().
func (c *Core) deviceLinkDropManaged(link *Link) {
	link.Flags &^= DL_FLAG_MANAGED
	link.Status = DL_STATE_NONE
	if c.Reg.Put(link.obj, "device_link_drop_managed", "kref") {
		c.deviceLinkDelLocked(link)
	}
}

// Links returns dev's supplier and consumer links (for dumps and tests).
func (d *Device) Links() (suppliers, consumers []*Link) { return d.suppliers, d.consumers }
