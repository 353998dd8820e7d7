package core

import (
	"dangle/sim/kobj"
	"dangle/sim/report"
)

// devres is a struct devres_node: a managed resource with its release,
// or a group marker (drivers/base/devres.c).
type devres struct {
	// name is the release function's kernel name (devm_action_release…).
	name string
	// release is the release function: static code (no captured state,
	// so a cloned kernel shares it) called with the resource's data and
	// arg.
	release DevresRelease
	// data identifies the resource for devres_remove()/devm_remove_action().
	data any
	// arg is what release needs besides data (DevresAddArg).
	arg any
	// group markers: grp is set, open tells the open marker from the close.
	grp  *devresGroup
	open bool
	// driver: added while a driver was bound or probing (a driver
	// resource, for the PM-domain ordering oracle).
	driver bool
}

type devresGroup struct {
	id          any
	name        string
	openM, clsM *devres
	color       int
}

// DevresRelease is a devres release function. It must capture nothing
// (a func literal using only its parameters, or a method expression):
// the kernel state is plain data that Kernel.Clone copies, and a
// captured pointer would still point into the original kernel.
type DevresRelease func(c *Core, data, arg any)

// DevresAdd is devres_add(): append a resource released by
// release(c, data, nil).
func (c *Core) DevresAdd(d *Device, name string, data any, release DevresRelease) {
	c.DevresAddArg(d, name, data, nil, release)
}

// DevresAddArg is DevresAdd with an argument for release besides data.
func (c *Core) DevresAddArg(d *Device, name string, data, arg any, release DevresRelease) {
	d.devres = append(d.devres, &devres{name: name, release: release, data: data, arg: arg, driver: d.Driver != nil})
}

// DevmKzallocObj is devm_kzalloc(dev) of an allocation the model tracks:
// typ made in fn lives with d (kobj In) and is kfree'd by devres
// (devm_kmalloc_release) at unbind, in LIFO order with d's other entries.
// It can fail as DevmKzalloc does (-ENOMEM, nothing to unwind).
func (c *Core) DevmKzallocObj(d *Device, typ, fn string) (*kobj.Object, error) {
	if err := c.DevmKzalloc(d, fn); err != nil {
		return nil, err
	}
	o := c.Reg.Alloc(typ, typ+" ("+d.Name+")", fn, true, false, "")
	o.In = d.obj
	c.DevresAdd(d, "devm_kmalloc_release", o, func(c *Core, data, _ any) { c.Reg.Free(data.(*kobj.Object), "devm_kmalloc_release") })
	return o, nil
}

// DevmAddAction is devm_add_action(dev, action, data) of a caller that
// cannot fail (the model's own helpers): fn(c, data, arg) at release;
// DevmAddActionErr is the call whose devres_alloc() can fail.
func (c *Core) DevmAddAction(d *Device, action string, data, arg any, fn DevresRelease) {
	c.DevresAddArg(d, "devm_action_release("+action+")", data, arg, fn)
}

// DevmRemoveAction is devm_remove_action(): drop the action without
// running it; WARN_ON if it is not there.
func (c *Core) DevmRemoveAction(d *Device, action string, data any) {
	for i := len(d.devres) - 1; i >= 0; i-- {
		dr := d.devres[i]
		if dr.grp == nil && dr.name == "devm_action_release("+action+")" && dr.data == data {
			d.devres = append(d.devres[:i:i], d.devres[i+1:]...)
			return
		}
	}
	c.warn("drivers/base/devres.c", "devm_remove_action", d.Name+": "+action)
}

// DevresOpenGroup is devres_open_group(dev, id): id nil means the group
// itself is the id. It returns the id, or nil when devres_alloc_node()
// of the group fails.
func (c *Core) DevresOpenGroup(d *Device, id any, name string) any {
	if c.fail("kmalloc", "devres_open_group ("+name+")", ENOMEM) {
		return nil
	}
	g := &devresGroup{id: id, name: name}
	if id == nil {
		g.id = g
	}
	g.openM = &devres{name: "group_open_release", grp: g, open: true}
	d.devres = append(d.devres, g.openM)
	return g.id
}

// findGroup is find_group(): walking backwards, the group with id, or
// for a nil id the latest group that is still open.
func (d *Device) findGroup(id any) *devresGroup {
	for i := len(d.devres) - 1; i >= 0; i-- {
		dr := d.devres[i]
		if dr.grp == nil || !dr.open {
			continue
		}
		if id != nil {
			if dr.grp.id == id {
				return dr.grp
			}
		} else if dr.grp.clsM == nil {
			return dr.grp
		}
	}
	return nil
}

// DevresCloseGroup is devres_close_group(): WARN_ON(1) if not found.
func (c *Core) DevresCloseGroup(d *Device, id any) {
	g := d.findGroup(id)
	if g == nil {
		c.warn("drivers/base/devres.c", "devres_close_group", d.Name)
		return
	}
	g.clsM = &devres{name: "group_close_release", grp: g}
	d.devres = append(d.devres, g.clsM)
}

// DevresRemoveGroup is devres_remove_group(): drop the markers only; the
// resources stay and go with the device. WARN_ON(1) if not found.
func (c *Core) DevresRemoveGroup(d *Device, id any) {
	g := d.findGroup(id)
	if g == nil {
		c.warn("drivers/base/devres.c", "devres_remove_group", d.Name)
		return
	}
	d.devres = deleteNode(d.devres, g.openM)
	if g.clsM != nil {
		d.devres = deleteNode(d.devres, g.clsM)
	}
}

func deleteNode(l []*devres, n *devres) []*devres {
	for i, x := range l {
		if x == n {
			return append(l[:i:i], l[i+1:]...)
		}
	}
	return l
}

// DevresReleaseGroup is devres_release_group(): release, last first,
// every resource from the group's open marker to its close marker (to the
// end if open), with the markers of groups wholly inside. It returns the
// count; WARN_ON(1) if not found, unless the list is already empty (the
// device is dying in devres_release_all()).
func (c *Core) DevresReleaseGroup(d *Device, id any) int {
	g := d.findGroup(id)
	if g == nil {
		if len(d.devres) > 0 {
			c.warn("drivers/base/devres.c", "devres_release_group", d.Name)
		}
		return 0
	}
	first := indexOf(d.devres, g.openM)
	end := len(d.devres)
	if g.clsM != nil {
		end = indexOf(d.devres, g.clsM) + 1
	}
	todo, cnt := c.removeNodes(d, first, end)
	c.releaseNodes(d, todo)
	return cnt
}

func indexOf(l []*devres, n *devres) int {
	for i, x := range l {
		if x == n {
			return i
		}
	}
	return -1
}

// removeNodes is remove_nodes(): take every resource in [first, end) off
// the list, and the markers of the groups wholly contained in it (a
// closed group needs both markers in range, an open one its open marker).
func (c *Core) removeNodes(d *Device, first, end int) (todo []*devres, cnt int) {
	span := d.devres[first:end]
	keep := append([]*devres(nil), d.devres[:first]...)
	var markers []*devres
	for _, dr := range span {
		if dr.grp == nil {
			todo = append(todo, dr)
			cnt++
		} else {
			dr.grp.color = 0
			markers = append(markers, dr)
		}
	}
	for _, m := range markers {
		m.grp.color++
		if m.grp.clsM == nil {
			m.grp.color++
		}
	}
	for _, m := range markers {
		if m.grp.color != 2 {
			keep = append(keep, m)
		}
	}
	d.devres = append(keep, d.devres[end:]...)
	return todo, cnt
}

// releaseNodes is release_nodes(): run the releases last-added first.
func (c *Core) releaseNodes(d *Device, todo []*devres) {
	for i := len(todo) - 1; i >= 0; i-- {
		dr := todo[i]
		if c.Forgot(d, dr.name) {
			continue // test-only: a driver that never undoes this resource
		}
		c.checkDevresAfterPMDetach(d, dr)
		dr.release(c, dr.data, dr.arg)
	}
}

// devresReleaseAll is devres_release_all(): everything, LIFO.
func (c *Core) devresReleaseAll(d *Device) int {
	if len(d.devres) == 0 {
		return 0
	}
	todo, cnt := c.removeNodes(d, 0, len(d.devres))
	c.releaseNodes(d, todo)
	return cnt
}

// checkDevresAfterPMDetach is oracle 7 (seeds/004): a driver's managed
// resource released after the bus detached the device's PM domain (the
// device may be powered off while the resource still touches it).
func (c *Core) checkDevresAfterPMDetach(d *Device, dr *devres) {
	if !dr.driver || d.pmDetachedIn == "" || d.pmReported {
		return
	}
	d.pmReported = true
	c.Log.Report(report.Finding{Kind: report.Ordering,
		Title:   "devres ran after PM domain detach in " + d.pmDetachedIn,
		Objects: []string{d.Name + ": " + dr.name + " after dev_pm_domain_detach() in " + d.pmDetachedIn}})
}
