package sim

import (
	"fmt"
	"strings"

	"dangle/prog"
	"dangle/sim/core"
	"dangle/sim/errno"
	"dangle/sim/gpio"
)

// Handlers of the GPIO consumer ops (gpiod_get, gpiod_put, gpiod_ref):
// a consumer outside the driver catalog — a test module, or a process
// holding a line through the GPIO character device.
func init() {
	handlers["gpiod_get"] = opGpiodGet
	handlers["gpiod_put"] = opGpiodPut
	handlers["gpiod_ref"] = opGpiodRef
}

// descRef is a descriptor the program holds a reference on: owner is the
// name its ownership token is held under.
type descRef struct {
	desc  *gpio.Desc
	owner string
}

func descOwner(op *prog.Op) string {
	if op.Result == "" {
		return fmt.Sprintf("program (op %d)", op.Line)
	}
	return "program " + op.Result
}

// opGpiodGet is gpiod_get(dev, con_id, GPIOD_ASIS) on the node's device,
// or fwnode_gpiod_get_index(fwnode, con_id, 0, …, "dangle") for a node
// without one.
func opGpiodGet(k *Kernel, op *prog.Op) string {
	g := gpio.From(k.Core)
	np := k.argNode(op)
	if np == nil {
		return errnoName(core.EINVAL)
	}
	con := arg(op, "con")
	if con == "none" {
		con = ""
	}
	fl := arg(op, "flags")
	var flags gpio.Flags
	if strings.Contains(fl, "nonexclusive") {
		flags |= gpio.GPIOD_FLAGS_BIT_NONEXCLUSIVE
	}
	owner := descOwner(op)
	var d *gpio.Desc
	var err error
	if dev := k.Core.DeviceByNode(np); dev != nil {
		d, err = g.GpiodGetIndex(dev, con, 0, flags, owner)
	} else {
		label := con
		if label == "" {
			label = "dangle"
		}
		d, err = g.FwnodeGpiodGetIndex(np, con, 0, flags, label, "program", owner)
	}
	if err == core.ENOENT && strings.HasPrefix(fl, "optional") {
		err = nil // gpiod_get_optional()
	}
	if err != nil {
		return errnoName(err)
	}
	k.bind(op, &descRef{desc: d, owner: owner})
	if d == nil {
		return "NULL"
	}
	return d.Name()
}

func (k *Kernel) argDesc(op *prog.Op) *descRef {
	r, _ := k.vars[arg(op, "desc")].(*descRef)
	return r
}

func opGpiodPut(k *Kernel, op *prog.Op) string {
	if r := k.argDesc(op); r != nil {
		gpio.From(k.Core).GpiodPut(r.desc, r.owner, "gpiod_put")
	}
	return "void"
}

func opGpiodRef(k *Kernel, op *prog.Op) string {
	r := k.argDesc(op)
	if r == nil {
		return "NULL"
	}
	owner := descOwner(op)
	d, ok := gpio.From(k.Core).GpiodRef(r.desc, owner)
	if !ok {
		return errnoName(errno.ENOSYS)
	}
	k.bind(op, &descRef{desc: d, owner: owner})
	if d == nil {
		return "NULL"
	}
	return d.Name()
}
