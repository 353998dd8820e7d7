package core

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"

	"dangle/sim/canon"
	"dangle/sim/of"
)

// EncodeState writes the driver core's part of the canonical state
// (sim.Kernel.Encode): what a later op can observe, in a form that does
// not depend on allocation order or addresses. canon rewrites holder
// strings that carry program names (the caller's canonicalisation).
//
// Orders the kernel iterates in are kept (devices_kset, a device's
// devres list, bus driver lists, the deferred-probe lists, work queues);
// sets the kernel only looks up in (links, fwnode links, lock classes)
// are sorted. Counters that name future objects (regulator.%d, i2c-%d,
// spi%d, ida ids) are part of the state; bindSeq and workSeq only order
// things, so only the orders they give appear.
func (c *Core) EncodeState(b *strings.Builder, canon func(string) string) {
	var drvs []string
	for _, drv := range c.drivers {
		drvs = append(drvs, drv.Name)
	}
	fmt.Fprintf(b, "drivers registered=[%s]\n", strings.Join(drvs, " "))
	fmt.Fprintf(b, "core deferred_probe_enable=%t fw_devlink_drv_reg_done=%t regNo=%d i2cNextNr=%d spiNextNr=%d\n",
		c.deferredProbeEnable, c.fwDevlinkDrvRegDone, c.regNo, c.i2cNextNr, c.spiNextNr)
	ids := make([]string, 0, len(c.ids))
	for k, v := range c.ids {
		ids = append(ids, fmt.Sprintf("%s=%d", k, v))
	}
	sort.Strings(ids)
	fmt.Fprintf(b, "core ids=[%s]\n", strings.Join(ids, " "))

	// bound devices in driver_bound() order (device_shutdown and the
	// deferred-probe retry walk follow it)
	var bound []*Device
	for _, d := range c.devices {
		if d.boundSeq != 0 && d.Driver != nil {
			bound = append(bound, d)
		}
	}
	sort.SliceStable(bound, func(i, j int) bool { return bound[i].boundSeq < bound[j].boundSeq })
	fmt.Fprintf(b, "bound order=[%s]\n", strings.Join(devNames(bound), " "))

	var links []*Link
	seen := map[*Link]bool{}
	for _, d := range c.devices {
		c.encodeDevice(b, d, canon)
		for _, l := range append(append([]*Link(nil), d.suppliers...), d.consumers...) {
			if !seen[l] {
				seen[l] = true
				links = append(links, l)
			}
		}
	}
	var ls []string
	for _, l := range links {
		freed := l.obj != nil && l.obj.Freed()
		// the stateless references not yet dropped, by whether boot or
		// an op took them (the leak check's stranded())
		var st []string
		for _, op := range l.statelessOps {
			if op == 0 {
				st = append(st, "boot")
			} else {
				st = append(st, "run")
			}
		}
		ls = append(ls, fmt.Sprintf("link %s supplier=%s consumer=%s flags=%#x status=%s freed=%t stateless_refs=[%s]",
			l.Name(), devName(l.Supplier), devName(l.Consumer), l.Flags, l.Status, freed, strings.Join(st, " ")))
	}
	sort.Strings(ls)
	writeLines(b, ls)

	fmt.Fprintf(b, "deferred pending=[%s] active=[%s]\n", strings.Join(devNames(c.deferredPending), " "), strings.Join(devNames(c.deferredActive), " "))

	var fw []string
	for np, l := range c.fwSuppliers {
		for _, x := range l {
			fw = append(fw, fmt.Sprintf("fwnode_link %s -> %s (listed under %s)", x.consumer.DisplayPath(), x.supplier.DisplayPath(), np.DisplayPath()))
		}
	}
	for np, l := range c.fwConsumers {
		for _, x := range l {
			fw = append(fw, fmt.Sprintf("fwnode_link %s -> %s (consumer of %s)", x.consumer.DisplayPath(), x.supplier.DisplayPath(), np.DisplayPath()))
		}
	}
	sort.Strings(fw)
	writeLines(b, fw)

	for _, g := range c.genpds {
		np := "-"
		if g.np != nil {
			np = g.np.DisplayPath()
		}
		fmt.Fprintf(b, "genpd %s provider=%s on=%t devices=[%s]\n", g.Name, np, g.On, strings.Join(devNames(g.devices), " "))
	}
	for _, r := range c.regulators {
		fmt.Fprintf(b, "regulator %s dev=%s open=%d\n", r.Name, devName(r.Dev), r.openCount)
	}
	for _, p := range c.clocks {
		fmt.Fprintf(b, "clk_provider %s dev=%s\n", p.np.DisplayPath(), devName(p.Dev))
	}
	c.locks.encode(b)
}

func (c *Core) encodeDevice(b *strings.Builder, d *Device, canon func(string) string) {
	drv, bus, parent, np, pd := "-", d.Class, "-", "-", "-"
	if d.Driver != nil {
		drv = d.Driver.Name
	}
	if d.Bus != nil {
		bus = d.Bus.Name
	}
	if d.Parent != nil {
		parent = d.Parent.Name
	}
	if d.OfNode != nil {
		np = d.OfNode.DisplayPath()
	}
	if d.pmDomain != nil {
		pd = d.pmDomain.Name
	}
	fw := "-"
	if d.Fwnode != nil {
		fw = d.Fwnode.DisplayPath()
		if d.Fwnode.Dev == d {
			fw += " (fwnode->dev)"
		}
	}
	fmt.Fprintf(b, "device %s bus=%s parent=%s of_node=%s fwnode=%s driver=%s registered=%t dead=%t links=%d can_match=%t pm_domain=%s pm_detached=%q\n",
		d.Name, bus, parent, np, fw, drv, d.registered, d.dead, d.linksStatus, d.canMatch, pd, d.pmDetachedIn)
	for _, dr := range d.devres {
		if dr.grp != nil {
			marker := "close"
			if dr.open {
				marker = "open"
			}
			fmt.Fprintf(b, "  devres group_%s id=%s name=%s\n", marker, DataString(dr.grp.id), dr.grp.name)
			continue
		}
		fmt.Fprintf(b, "  devres %s data=%s driver=%t\n", canon(dr.name), DataString(dr.data), dr.driver)
	}
}

// DataString renders a devres datum or group id canonically: values by
// value, a node by path, a device by name, a group that is its own id
// as "self", other pointers by type only (an address is not state).
func DataString(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case *devresGroup:
		return "self"
	case *of.Node:
		return "node " + x.DisplayPath()
	case *Device:
		return "device " + x.Name
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

func devNames(ds []*Device) []string {
	out := make([]string, 0, len(ds))
	for _, d := range ds {
		out = append(out, devName(d))
	}
	return out
}

func writeLines(b *strings.Builder, ls []string) {
	for _, l := range ls {
		b.WriteString(l)
		b.WriteByte('\n')
	}
}

// encode writes lockdep's dependency graph and the splats already
// printed (lockdep reports a cycle once), and any lock still held
// between ops.
func (l *lockState) encode(b *strings.Builder) {
	var es []string
	for from, tos := range l.edges {
		for _, to := range tos {
			es = append(es, "lockdep "+from+" -> "+to)
		}
	}
	sort.Strings(es)
	writeLines(b, es)
	var rs []string
	for r := range l.reported {
		rs = append(rs, "lockdep reported "+r)
	}
	sort.Strings(rs)
	writeLines(b, rs)
	for _, t := range []*task{&l.main, &l.kworker} {
		var held []string
		for _, m := range t.held {
			held = append(held, m.Name)
		}
		if len(held) > 0 || t.srcu > 0 {
			fmt.Fprintf(b, "task %s held=[%s] srcu=%d\n", t.name, strings.Join(held, " "), t.srcu)
		}
	}
}

// Freed reports whether the link's struct device_link was freed (a
// program handle may outlive it).
func (l *Link) Freed() bool { return l.obj != nil && l.obj.Freed() }

// PendingWork returns every pending work item of every queue in the
// order they were queued: the order a sched point or the teardown flush
// runs them in, so the state keeps it across queues.
func (c *Core) PendingWork() []*Work { return c.allPending() }

// Queue is the name of the queue the item is pending on.
func (w *Work) Queue() string { return w.wq.Name }

// AppendState writes into b exactly what EncodeState writes, without fmt
// or intermediate strings: the state key's path (sim.Kernel.StateKey).
// Keep the two in step; TestStateKeyMatchesEncode compares them.
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

// appendData appends DataString(v), the common cases without fmt.
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
		b.Str(DataString(v))
	}
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

// appendState writes what encode writes.
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
