package core

import (
	"fmt"
	"reflect"
	"slices"

	"dangle/sim/canon"
	"dangle/sim/of"
)

// Freed reports whether the link's struct device_link was freed (a
// program handle may outlive it).
func (l *Link) Freed() bool { return l.obj != nil && l.obj.Freed() }

// PendingWork returns every pending work item of every queue in the
// order they were queued: the order a sched point or the teardown flush
// runs them in, so the state keeps it across queues.
func (c *Core) PendingWork() []*Work { return c.allPending() }

// Queue is the name of the queue the item is pending on.
func (w *Work) Queue() string { return w.wq.Name }

// AppendState writes the driver core's part of the canonical state
// (sim.Kernel.AppendState): what a later op can observe, in a form that does
// not depend on allocation order or addresses. canonHolder rewrites holder
// strings that carry program names (the caller's canonicalisation).
//
// Orders the kernel iterates in are kept (devices_kset, a device's
// devres list, bus driver lists, the deferred-probe lists, work queues);
// sets the kernel only looks up in (links, fwnode links, lock classes)
// are sorted. Counters that name future objects (regulator.%d, i2c-%d,
// spi%d, ida ids) are part of the state; bindSeq and workSeq only order
// things, so only the orders they give appear.
func (c *Core) AppendState(b *canon.Buf, canonHolder func(string) string) {
	b.Str("drivers registered=[")
	for i, drv := range c.drivers {
		if i > 0 {
			b.Byte(' ')
		}
		b.Str(drv.Name)
	}
	b.Str("]\ncore deferred_probe_enable=").Bool(c.deferredProbeEnable).
		Str(" fw_devlink_drv_reg_done=").Bool(c.fwDevlinkDrvRegDone).
		Str(" regNo=").Int(int64(c.regNo)).Str(" i2cNextNr=").Int(int64(c.i2cNextNr)).
		Str(" spiNextNr=").Int(int64(c.spiNextNr)).Str("\ncore ids=[")
	s := b.Begin()
	for k, v := range c.ids {
		b.Str(k).Byte('=').Int(int64(v))
		b.Item(s)
	}
	b.End(s, " ", "", false)
	b.Str("]\nbound order=[")
	var stack [32]*Device
	bound := stack[:0]
	for _, d := range c.devices {
		if d.boundSeq != 0 && d.Driver != nil {
			bound = append(bound, d)
		}
	}
	slices.SortStableFunc(bound, func(x, y *Device) int {
		switch {
		case x.boundSeq < y.boundSeq:
			return -1
		case x.boundSeq > y.boundSeq:
			return 1
		}
		return 0
	})
	appendDevNames(b, bound)
	b.Str("]\n")

	// each link is on both its devices' lists: collect it once (a
	// linear scan while few, a set beyond)
	var lstack [32]*Link
	links := lstack[:0]
	var set map[*Link]bool
	add := func(l *Link) {
		if set == nil && len(links) < len(lstack) {
			if !slices.Contains(links, l) {
				links = append(links, l)
			}
			return
		}
		if set == nil {
			set = make(map[*Link]bool, 2*len(links))
			for _, x := range links {
				set[x] = true
			}
		}
		if !set[l] {
			set[l] = true
			links = append(links, l)
		}
	}
	for _, d := range c.devices {
		c.appendDevice(b, d, canonHolder)
		for _, l := range d.suppliers {
			add(l)
		}
		for _, l := range d.consumers {
			add(l)
		}
	}
	s = b.Begin()
	for _, l := range links {
		b.Str("link ").Str(l.Name()).Str(" supplier=")
		appendDevName(b, l.Supplier)
		b.Str(" consumer=")
		appendDevName(b, l.Consumer)
		b.Str(" flags=").Hex(uint64(l.Flags)).Str(" status=").Str(l.Status.String()).
			Str(" freed=").Bool(l.obj != nil && l.obj.Freed()).Str(" stateless_refs=[")
		for i, op := range l.statelessOps {
			if i > 0 {
				b.Byte(' ')
			}
			if op == 0 {
				b.Str("boot")
			} else {
				b.Str("run")
			}
		}
		b.Byte(']')
		b.Item(s)
	}
	b.End(s, "", "\n", false)

	b.Str("deferred pending=[")
	appendDevNames(b, c.deferredPending)
	b.Str("] active=[")
	appendDevNames(b, c.deferredActive)
	b.Str("]\n")

	s = b.Begin()
	for np, l := range c.fwSuppliers {
		for _, x := range l {
			appendFwnodeLink(b, x, " (listed under ", np)
			b.Item(s)
		}
	}
	for np, l := range c.fwConsumers {
		for _, x := range l {
			appendFwnodeLink(b, x, " (consumer of ", np)
			b.Item(s)
		}
	}
	b.End(s, "", "\n", false)

	for _, g := range c.genpds {
		b.Str("genpd ").Str(g.Name).Str(" provider=")
		if g.np != nil {
			of.AppendPath(b, g.np)
		} else {
			b.Byte('-')
		}
		b.Str(" on=").Bool(g.On).Str(" devices=[")
		appendDevNames(b, g.devices)
		b.Str("]\n")
	}
	for _, r := range c.regulators {
		b.Str("regulator ").Str(r.Name).Str(" dev=")
		appendDevName(b, r.Dev)
		b.Str(" open=").Int(int64(r.openCount)).Byte('\n')
	}
	for _, p := range c.clocks {
		b.Str("clk_provider ")
		of.AppendPath(b, p.np)
		b.Str(" dev=")
		appendDevName(b, p.Dev)
		b.Byte('\n')
	}
	c.locks.appendState(b)
}

func appendFwnodeLink(b *canon.Buf, x *fwnodeLink, where string, np *of.Node) {
	b.Str("fwnode_link ")
	of.AppendPath(b, x.consumer)
	b.Str(" -> ")
	of.AppendPath(b, x.supplier)
	b.Str(where)
	of.AppendPath(b, np)
	b.Byte(')')
}

func (c *Core) appendDevice(b *canon.Buf, d *Device, canonHolder func(string) string) {
	b.Str("device ").Str(d.Name).Str(" bus=")
	if d.Bus != nil {
		b.Str(d.Bus.Name)
	} else {
		b.Str(d.Class)
	}
	b.Str(" parent=")
	if d.Parent != nil {
		b.Str(d.Parent.Name)
	} else {
		b.Byte('-')
	}
	b.Str(" of_node=")
	if d.OfNode != nil {
		of.AppendPath(b, d.OfNode)
	} else {
		b.Byte('-')
	}
	b.Str(" fwnode=")
	if d.Fwnode != nil {
		of.AppendPath(b, d.Fwnode)
		if d.Fwnode.Dev == d {
			b.Str(" (fwnode->dev)")
		}
	} else {
		b.Byte('-')
	}
	b.Str(" driver=")
	if d.Driver != nil {
		b.Str(d.Driver.Name)
	} else {
		b.Byte('-')
	}
	b.Str(" registered=").Bool(d.registered).Str(" dead=").Bool(d.dead).
		Str(" links=").Int(int64(d.linksStatus)).Str(" can_match=").Bool(d.canMatch).Str(" pm_domain=")
	if d.pmDomain != nil {
		b.Str(d.pmDomain.Name)
	} else {
		b.Byte('-')
	}
	b.Str(" pm_detached=").Quote(d.pmDetachedIn).Byte('\n')
	for _, dr := range d.devres {
		if dr.grp != nil {
			marker := "close"
			if dr.open {
				marker = "open"
			}
			b.Str("  devres group_").Str(marker).Str(" id=")
			appendData(b, dr.grp.id)
			b.Str(" name=").Str(dr.grp.name).Byte('\n')
			continue
		}
		b.Str("  devres ").Str(canonHolder(dr.name)).Str(" data=")
		appendData(b, dr.data)
		b.Str(" driver=").Bool(dr.driver).Byte('\n')
	}
}

// appendData renders a devres datum or group id canonically: values by
// value, a node by path, a device by name, a group that is its own id
// as "self", other pointers by type only (dataType).
func appendData(b *canon.Buf, v any) {
	switch x := v.(type) {
	case nil:
		b.Str("NULL")
	case *devresGroup:
		b.Str("self")
	case *of.Node:
		b.Str("node ")
		of.AppendPath(b, x)
	case *Device:
		b.Str("device ").Str(x.Name)
	default:
		b.Str(dataType(v))
	}
}

// dataType renders a devres datum appendData has no case for: a
// Stringer or named value by type and name, other pointers by type only
// (an address is not state), values by value.
func dataType(v any) string {
	switch x := v.(type) {
	case fmt.Stringer:
		return fmt.Sprintf("%T %s", v, x.String())
	case interface{ Name() string }:
		return fmt.Sprintf("%T %s", v, x.Name())
	}
	switch reflect.TypeOf(v).Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan, reflect.Interface, reflect.UnsafePointer:
		return fmt.Sprintf("%T", v)
	}
	return fmt.Sprintf("%T%+v", v, v)
}

func appendDevName(b *canon.Buf, d *Device) { b.Str(devName(d)) }

func appendDevNames(b *canon.Buf, ds []*Device) {
	for i, d := range ds {
		if i > 0 {
			b.Byte(' ')
		}
		appendDevName(b, d)
	}
}

// appendState writes lockdep's dependency graph and the splats already
// printed (lockdep reports a cycle once), and any lock still held
// between ops.
func (l *lockState) appendState(b *canon.Buf) {
	s := b.Begin()
	for from, tos := range l.edges {
		for _, to := range tos {
			b.Str("lockdep ").Str(from).Str(" -> ").Str(to)
			b.Item(s)
		}
	}
	b.End(s, "", "\n", false)
	s = b.Begin()
	for r := range l.reported {
		b.Str("lockdep reported ").Str(r)
		b.Item(s)
	}
	b.End(s, "", "\n", false)
	for _, t := range []*task{&l.main, &l.kworker} {
		if len(t.held) > 0 || t.srcu > 0 {
			b.Str("task ").Str(t.name).Str(" held=[")
			for i, m := range t.held {
				if i > 0 {
					b.Byte(' ')
				}
				b.Str(m.Name)
			}
			b.Str("] srcu=").Int(int64(t.srcu)).Byte('\n')
		}
	}
}
