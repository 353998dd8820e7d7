package sim

import (
	"fmt"
	"slices"
	"strings"

	"dangle/prog"
	"dangle/sim/core"
	"dangle/sim/report"
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
//   - a managed device_link_add() from a bound consumer to a supplier no
//     driver is bound to: the link starts DORMANT and the supplier's
//     device_links_driver_bound() makes it AVAILABLE, never ACTIVE (the
//     consumer is already bound), so the supplier's unbind does not unbind
//     the consumer and device_links_driver_cleanup() WARNs;
//   - device_link_del() of a link the kernel already deleted (an
//     AUTOREMOVE flag, or device_links_purge() when an end went away):
//     the program's handle is dead;
//   - an overlay removal (or the teardown's) while the program holds a
//     reference on a node or device the run created (checkProgramRefs);
//   - a gpio descriptor the program got and never put, at the teardown
//     (checkProgramDescs).

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

// checkProgramRefs records an overlay removal at op (len(ops)+1: the
// teardown's) while the program still holds a reference on a node or
// device created at run time: of_overlay_remove() requires that nobody
// outside the overlay holds its nodes (of_changeset_destroy() says
// "of_node_get()/of_node_put() unbalanced" otherwise), so what the
// removal then reports is the program's reference, not a kernel bug.
func (k *Kernel) checkProgramRefs(op int, what string) {
	if k.misuse.Op != 0 {
		return
	}
	for _, o := range k.Reg.Objects() {
		if !o.Dynamic || o.Freed() || (o.Type != "device" && o.Type != "device_node") {
			continue
		}
		for _, h := range o.Holds() {
			if strings.HasPrefix(h.Holder, programHolder) {
				k.misuse = report.Misuse{Op: op, Why: what + " while the program holds " + h.Holder + " on " + o.Name +
					": of_overlay_remove() needs the overlay's nodes and devices unreferenced"}
				return
			}
		}
	}
}

// checkProgramDescs records, at the teardown (op len(ops)+1), a
// descriptor a gpiod_get or gpiod_ref of the program returned and no
// later gpiod_put of the program put: the consumer the program models
// never released its line, so what the teardown then finds held (the
// chip's gpio_device and module references) is the program's.
func (k *Kernel) checkProgramDescs(op int) {
	if k.misuse.Op != 0 {
		return
	}
	for i, o := range k.prog.Ops {
		if n := o.Name(); n != "gpiod_get" && n != "gpiod_ref" {
			continue
		}
		if r, ok := k.slots[i].(*descRef); !ok || r.desc == nil {
			continue
		}
		put := slices.ContainsFunc(k.prog.Ops[i+1:], func(q *prog.Op) bool {
			return q.Name() == "gpiod_put" && slices.ContainsFunc(q.Args, func(a prog.Arg) bool { return a.Ref == o })
		})
		if !put {
			k.misuse = report.Misuse{Op: op, Why: fmt.Sprintf("the descriptor op %d (%s) returned is never put by the program", i+1, o.Name())}
			return
		}
	}
}
