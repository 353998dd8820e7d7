// Package core models the Linux driver core as far as object lifetimes
// go: devices and their references (drivers/base/core.c), drivers and
// binding (dd.c), managed resources (devres.c), device links and
// fw_devlink with their deferred release on device_link_wq, the platform,
// I2C and SPI buses with their OF code and reconfig notifiers
// (drivers/of/platform.c, i2c-core-*.c, spi.c), generic PM domains,
// regulators and clock providers, and a lock checker.
//
// Every device is a refcounted kobj.Object whose references are named by
// their holders; devices, device links and their link devices are
// dynamic allocations, freed by their release callbacks, so the
// end-of-run leak check sees what is still pinned and by whom. Work items
// run only when the program says so (run_work, flush_workqueue, a sched
// point) or at teardown.
//
// The simulated kernel runs with dynamic debug on for the driver core:
// dev_dbg() lines of drivers/base (probing, binding, "Linked as a
// consumer to", "Dropping the link to", deferral) are printed with the
// kernel's text, as "<driver or bus> <device>: message".
//
// API, by file:
//   - core.go: [Core], [New], errnos.
//   - device.go: [Device], [Core.DeviceAdd], [Core.DeviceDel],
//     [Core.DeviceUnregister], [Core.GetDevice], [Core.PutDevice].
//   - driver.go, deferred.go: [Driver], [Bus], [Core.DriverRegister],
//     [Core.DriverUnregister], [Core.DeviceAttach],
//     [Core.DeviceReleaseDriver], really_probe, __device_release_driver,
//     the deferred-probe list.
//   - devres.go: [Core.DevresAdd], [Core.DevmAddAction], groups.
//   - link.go, link_state.go, fwdevlink.go: [Link], [Core.DeviceLinkAdd],
//     [Core.DeviceLinkDel], [Core.DeviceLinkRemove], the managed-link
//     state machine, fw_devlink.
//   - workqueue.go: [Workqueue], [Core.RunWork], [Core.FlushWorkqueue],
//     [Core.DeviceLinkWaitRemoval], [Core.Sched].
//   - lock.go: [Core.Lock], [Core.Unlock], flush-under-lock and
//     lock-order checks.
//   - platform.go, i2c.go, spi.go: buses, OF population, notifiers.
//   - pmdomain.go, regulator.go, clk.go: providers the catalog uses.
//   - boot.go: [Core.Boot].
package core
