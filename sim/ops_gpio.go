package sim

import (
	"strings"

	"dangle/sim/core"
	"dangle/sim/errno"
	"dangle/sim/gpio"
)

// Handlers of the GPIO consumer ops (gpiod_get, gpiod_put, gpiod_ref):
// a consumer outside the driver catalog — a test module, or a process
// holding a line through the GPIO character device.
func init() {
	handle("gpiod_get", opGpiodGet)
	handle("gpiod_put", opGpiodPut)
	handle("gpiod_ref", opGpiodRef)
}

// descRef is a descriptor the program holds a reference on: owner is the
// name its ownership token is held under.
type descRef struct {
	desc  *gpio.Desc
	owner string
}

// opGpiodGet is gpiod_get(dev, con_id, GPIOD_ASIS) on the node's device,
// or fwnode_gpiod_get_index(fwnode, con_id, 0, …, "dangle") for a node
// without one.
func opGpiodGet(c *call) string {
	k := c.k
	g := gpio.From(k.Core)
	np := c.arg("node").node
	if np == nil {
		return errnoName(core.EINVAL)
	}
	con := c.arg("con").str
	if con == "none" {
		con = ""
	}
	fl := c.arg("flags").str
	var flags gpio.Flags
	if strings.Contains(fl, "nonexclusive") {
		flags |= gpio.GPIOD_FLAGS_BIT_NONEXCLUSIVE
	}
	owner := k.holder(progHold{slot: c.slot, owner: true})
	var d *gpio.Desc
	var err error
	if dev := k.Core.DeviceByNode(np); dev != nil {
		d, err = g.GpiodGetIndex(dev, con, 0, flags, owner)
	} else {
		label := con
		if label == "" {
			label = "dangle"
		}
		d, err = g.FwnodeGpiodGetIndex(np, con, 0, flags, label, programHolder, owner)
	}
	if err == core.ENOENT && strings.HasPrefix(fl, "optional") {
		err = nil // gpiod_get_optional()
	}
	if err != nil {
		return errnoName(err)
	}
	c.bind(&descRef{desc: d, owner: owner})
	if d == nil {
		return "NULL"
	}
	return d.Name()
}

func argDesc(c *call) *descRef {
	r, _ := c.arg("desc").ref.(*descRef)
	return r
}

func opGpiodPut(c *call) string {
	if r := argDesc(c); r != nil {
		gpio.From(c.k.Core).GpiodPut(r.desc, r.owner, "gpiod_put")
	}
	return "void"
}

func opGpiodRef(c *call) string {
	r := argDesc(c)
	if r == nil {
		return "NULL"
	}
	owner := c.k.holder(progHold{slot: c.slot, owner: true})
	d, ok := gpio.From(c.k.Core).GpiodRef(r.desc, owner)
	if !ok {
		return errnoName(errno.ENOSYS)
	}
	c.bind(&descRef{desc: d, owner: owner})
	if d == nil {
		return "NULL"
	}
	return d.Name()
}
