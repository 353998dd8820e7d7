package core

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

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
