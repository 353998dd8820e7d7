package core

// fail is the driver core's fault-injection point (sim/fault, through the
// OF layer's Injector): true when the op's fail_nth chose this step.
func (c *Core) fail(site, fn string, e error) bool { return c.OF.ShouldFail(site, fn, e) }

// Fail is fail for the driver catalog and gpiolib: a fallible step of a
// driver's probe (a devm_kzalloc() of its private state) or a subsystem
// registration.
func (c *Core) Fail(site, fn string, e error) bool { return c.fail(site, fn, e) }

// PutInitial is the put_device() of the initial reference a creator
// owes after a failed device_register() ("use put_device() to give up
// your reference instead of freeing", device_register()'s comment): the
// release runs.
func (c *Core) PutInitial(d *Device, fn string) { c.PutDevice(d, fn, d.initHolder) }

// DevmKzalloc is devm_kzalloc() of a driver's private state: the
// allocation can fail (-ENOMEM, nothing to unwind); on success the devres
// is freed with the others at unbind, which the model need not see (it
// holds no reference).
func (c *Core) DevmKzalloc(d *Device, fn string) error {
	if c.fail("devm_kzalloc", fn+" ("+d.Name+")", ENOMEM) {
		return ENOMEM
	}
	return nil
}

// DevmAddActionErr is devm_add_action(): -ENOMEM when devres_alloc()
// fails, and the action is not registered.
func (c *Core) DevmAddActionErr(d *Device, action string, data, arg any, fn DevresRelease) error {
	if c.fail("devres_alloc", "devm_add_action ("+action+")", ENOMEM) {
		return ENOMEM
	}
	c.DevmAddAction(d, action, data, arg, fn)
	return nil
}

// DevmAddActionOrReset is devm_add_action_or_reset(): devm_add_action(),
// and if its devres_alloc() fails, run the action at once and return
// -ENOMEM.
func (c *Core) DevmAddActionOrReset(d *Device, action string, data, arg any, fn DevresRelease) error {
	if c.fail("devres_alloc", "devm_add_action ("+action+")", ENOMEM) {
		fn(c, data, arg)
		return ENOMEM
	}
	c.DevmAddAction(d, action, data, arg, fn)
	return nil
}
