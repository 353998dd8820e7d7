package core

import (
	"strings"

	"dangle/sim/of"
)

// fw_devlink (drivers/base/core.c, drivers/of/property.c): supplier
// phandles in a node's properties become fwnode links (no references),
// which turn into managed device links once both ends have devices.

// Fwnode flags beyond FWNODE_FLAG_NOT_DEVICE (include/linux/fwnode.h).
const (
	FWNODE_FLAG_LINKS_ADDED = 1 << 0
	FWNODE_FLAG_INITIALIZED = 1 << 2
)

// FW_DEVLINK_FLAGS_RPM is the default fw_devlink=rpm link flags; the
// permissive flags are used for proxy links made for descendants.
const (
	fwDevlinkFlagsPermissive = DL_FLAG_INFERRED | DL_FLAG_SYNC_STATE_ONLY
	fwDevlinkFlagsRPM        = DL_FLAG_INFERRED | DL_FLAG_AUTOPROBE_CONSUMER | DL_FLAG_PM_RUNTIME
)

// fwnodeLink is a struct fwnode_link.
type fwnodeLink struct {
	consumer, supplier *of.Node
}

// supplierBindings is the part of of_supply_bindings[] the catalog uses:
// a property name matcher and the supplier's #cells property (empty: one
// phandle per property, as the *-supply binding).
func supplierBinding(name string) (cells string, ok bool) {
	switch {
	case name == "clocks":
		return "#clock-cells", true
	case name == "power-domains":
		return "#power-domain-cells", true
	case name == "resets":
		return "#reset-cells", true
	case name == "pwms":
		return "#pwm-cells", true
	case name == "gpios" || name == "gpio" || strings.HasSuffix(name, "-gpios") || strings.HasSuffix(name, "-gpio"):
		// parse_gpios(): "nr-gpios" and "*,nr-gpios" are counts, not phandles
		if strings.HasSuffix(name, "nr-gpios") {
			return "", false
		}
		return "#gpio-cells", true
	case strings.HasSuffix(name, "-supply"):
		return "", true
	}
	return "", false
}

// ofFwnodeAddLinks is of_fwnode_add_links(): for every property that is
// a supplier binding, of_link_to_phandle() each supplier.
func (c *Core) ofFwnodeAddLinks(con *of.Node) {
	for _, p := range con.Props {
		cells, ok := supplierBinding(p.Name)
		if !ok {
			continue
		}
		v := p.Value
		for len(v) >= 4 {
			ph := be32(v)
			v = v[4:]
			sup := c.OF.FindNodeByPhandle(ph)
			if sup == nil {
				break
			}
			n := 0
			if cells != "" {
				cp := sup.Prop(cells)
				if cp == nil {
					break
				}
				x, _ := cp.U32()
				n = int(x)
			}
			c.ofLinkToPhandle(con, sup)
			if cells == "" || len(v) < 4*n {
				break
			}
			v = v[4*n:]
		}
	}
}

func be32(v []byte) uint32 {
	return uint32(v[0])<<24 | uint32(v[1])<<16 | uint32(v[2])<<8 | uint32(v[3])
}

// ofLinkToPhandle is of_link_to_phandle(): no link if the supplier or an
// ancestor below the first one with a device is disabled.
func (c *Core) ofLinkToPhandle(con, sup *of.Node) {
	for tmp := sup; tmp != nil; tmp = tmp.Parent {
		if tmp.Dev != nil {
			break
		}
		if !tmp.IsAvailable() {
			return
		}
	}
	c.fwnodeLinkAdd(con, sup)
}

// fwnodeLinkAdd is fwnode_link_add(): at most one link per pair.
func (c *Core) fwnodeLinkAdd(con, sup *of.Node) {
	for _, l := range c.fwSuppliers[con] {
		if l.supplier == sup {
			return
		}
	}
	l := &fwnodeLink{consumer: con, supplier: sup}
	c.fwSuppliers[con] = append(c.fwSuppliers[con], l)
	c.fwConsumers[sup] = append(c.fwConsumers[sup], l)
}

// fwnodeLinkDel is __fwnode_link_del().
func (c *Core) fwnodeLinkDel(l *fwnodeLink) {
	c.fwSuppliers[l.consumer] = removeLink(c.fwSuppliers[l.consumer], l)
	c.fwConsumers[l.supplier] = removeLink(c.fwConsumers[l.supplier], l)
}

func removeLink(list []*fwnodeLink, l *fwnodeLink) []*fwnodeLink {
	for i, x := range list {
		if x == l {
			return append(list[:i:i], list[i+1:]...)
		}
	}
	return list
}

// live drops the fwnode links of freed nodes: of_node_release() purges a
// node's fwnode links (fwnode_links_purge()) when it frees the node.
func live(list []*fwnodeLink) []*fwnodeLink {
	var out []*fwnodeLink
	for _, l := range list {
		if !l.consumer.Obj().Freed() && !l.supplier.Obj().Freed() {
			out = append(out, l)
		}
	}
	return out
}

// fwnodeLinksCheckSuppliers is fwnode_links_check_suppliers(): the first
// supplier this fwnode still waits for.
func (c *Core) fwnodeLinksCheckSuppliers(np *of.Node) *of.Node {
	if np == nil {
		return nil
	}
	if l := live(c.fwSuppliers[np]); len(l) > 0 {
		return l[0].supplier
	}
	return nil
}

// fwnodeLinksPurgeSuppliers is fwnode_links_purge_suppliers().
func (c *Core) fwnodeLinksPurgeSuppliers(np *of.Node) {
	for _, l := range c.fwSuppliers[np] {
		c.fwnodeLinkDel(l)
	}
}

// fwDevlinkParseFwtree is fw_devlink_parse_fwtree(): parse np and its
// available descendants once each.
func (c *Core) fwDevlinkParseFwtree(np *of.Node) {
	if np.FwnodeFlags&FWNODE_FLAG_LINKS_ADDED == 0 {
		c.ofFwnodeAddLinks(np)
		np.FwnodeFlags |= FWNODE_FLAG_LINKS_ADDED
	}
	for ch := range np.Children() {
		if ch.IsAvailable() {
			c.fwDevlinkParseFwtree(ch)
		}
	}
}

// fwDevlinkLinkDevice is fw_devlink_link_device() (from device_add()).
func (c *Core) fwDevlinkLinkDevice(d *Device) {
	c.fwDevlinkParseFwtree(d.Fwnode)
	c.fwDevlinkLinkToConsumers(d)
	c.fwDevlinkLinkToSuppliers(d, d.Fwnode)
}

// getDevFromFwnode is get_dev_from_fwnode() without the reference.
func getDevFromFwnode(np *of.Node) *Device {
	if d, ok := np.Dev.(*Device); ok {
		return d
	}
	return nil
}

// fwnodeGetNextParentDev is fwnode_get_next_parent_dev(): the device of
// the nearest ancestor that has one.
func fwnodeGetNextParentDev(np *of.Node) *Device {
	for p := np.Parent; p != nil; p = p.Parent {
		if d := getDevFromFwnode(p); d != nil {
			return d
		}
	}
	return nil
}

func isAncestorOf(anc, np *of.Node) bool {
	for p := np.Parent; p != nil; p = p.Parent {
		if p == anc {
			return true
		}
	}
	return false
}

// fwDevlinkLinkToConsumers is __fw_devlink_link_to_consumers(): link the
// consumers waiting on d's fwnode; a consumer without a device yet gets a
// proxy SYNC_STATE_ONLY link from its nearest ancestor device.
func (c *Core) fwDevlinkLinkToConsumers(d *Device) {
	for _, l := range live(c.fwConsumers[d.Fwnode]) {
		own := true
		con := getDevFromFwnode(l.consumer)
		if con == nil {
			con = fwnodeGetNextParentDev(l.consumer)
			if con != nil && con.Fwnode != nil && isAncestorOf(con.Fwnode, d.Fwnode) {
				con = nil
			} else {
				own = false
			}
		}
		if con == nil {
			continue
		}
		err := c.fwDevlinkCreateDevlink(con, d.Fwnode, l)
		if !own || err == errAgain {
			continue
		}
		c.fwnodeLinkDel(l)
	}
}

// fwDevlinkLinkToSuppliers is __fw_devlink_link_to_suppliers(): d's own
// supplier links, then proxy links for every available descendant.
func (c *Core) fwDevlinkLinkToSuppliers(d *Device, np *of.Node) {
	own := d.Fwnode == np
	for _, l := range live(c.fwSuppliers[np]) {
		err := c.fwDevlinkCreateDevlink(d, l.supplier, l)
		if !own || err == errAgain {
			continue
		}
		c.fwnodeLinkDel(l)
	}
	for ch := range np.Children() {
		if ch.IsAvailable() {
			c.fwDevlinkLinkToSuppliers(d, ch)
		}
	}
}

// errAgain is -EAGAIN: the link may be possible later.
var errAgain = EBUSY

// fwDevlinkCreateDevlink is fw_devlink_create_devlink() (cycle detection
// not modelled): link con to the supplier's device, or to the nearest
// ancestor device when the supplier node is marked NOT_DEVICE.
func (c *Core) fwDevlinkCreateDevlink(con *Device, sup *of.Node, l *fwnodeLink) error {
	flags := uint32(fwDevlinkFlagsPermissive)
	if con.Fwnode == l.consumer {
		flags = fwDevlinkFlagsRPM
	}
	var supDev *Device
	if sup.FwnodeFlags&of.FWNODE_FLAG_NOT_DEVICE != 0 {
		supDev = fwnodeGetNextParentDev(sup)
	} else {
		supDev = getDevFromFwnode(sup)
	}
	if supDev != nil {
		if supDev.linksStatus == DL_DEV_NO_DRIVER && sup.FwnodeFlags&FWNODE_FLAG_INITIALIZED != 0 {
			c.devPrintk(con, "Not linking %s - dev might never probe", sup.Path())
			return EINVAL
		}
		if con != supDev && c.DeviceLinkAdd(con, supDev, flags) == nil {
			c.Log.Printf("%s %s: Failed to create device link (0x%x) with supplier %s for %s",
				con.driverString(), con.Name, flags|DL_FLAG_MANAGED, supDev.Name, l.consumer.Path())
			return EINVAL
		}
		return nil
	}
	// supplier or an ancestor initialized without a device (CLK_OF_DECLARE)
	if fwnodeInitWithoutDrv(sup) || ancestorInitWithoutDrv(sup) {
		c.devPrintk(con, "Not linking %s - might never become dev", sup.Path())
		return EINVAL
	}
	return errAgain
}

// fwnodeInitWithoutDrv is fwnode_init_without_drv().
func fwnodeInitWithoutDrv(np *of.Node) bool {
	if np.FwnodeFlags&FWNODE_FLAG_INITIALIZED == 0 {
		return false
	}
	d := getDevFromFwnode(np)
	return d == nil || d.linksStatus == DL_DEV_NO_DRIVER
}

func ancestorInitWithoutDrv(np *of.Node) bool {
	for p := np.Parent; p != nil; p = p.Parent {
		if fwnodeInitWithoutDrv(p) {
			return true
		}
	}
	return false
}

// fwDevlinkUnblockConsumers is fw_devlink_unblock_consumers(): once all
// drivers are registered, a device no driver matches stops blocking its
// consumers (fw_devlink_relax_link on every consumer link).
func (c *Core) fwDevlinkUnblockConsumers(d *Device) {
	c.Lock(&c.DeviceLinksLock, "fw_devlink_unblock_consumers")
	for _, link := range d.consumers {
		if link.Flags&DL_FLAG_INFERRED == 0 || syncStateOnly(link.Flags) {
			continue
		}
		link.Flags = DL_FLAG_MANAGED | fwDevlinkFlagsPermissive
		c.devPrintk(link.Consumer, "Relaxing link with %s", d.Name)
	}
	c.Unlock(&c.DeviceLinksLock)
}
