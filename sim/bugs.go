package sim

import (
	"bytes"
	"regexp"
	"slices"
	"strings"

	"dangle/prog"
	"dangle/sim/report"
)

// KernelBug is a real kernel bug (or, Hazard, a hazard of the kernel's
// code reached through a modelled driver) that findings of generated
// programs were traced to, with where in the current kernel source it
// lives. Unlike KnownFindings (which the kernel announces itself and a
// run sets apart), these stay findings: the table only explains them, in
// report.txt ("Kernel source") and in the generator tests, so that a
// finding nobody traced stands out as untriaged.
//
// The source was read at intel-lab-lkp/linux 045c9fb0c6f6 (drivers/of/
// overlay.c, 2026), the "current source" the entries cite, besides the
// commit that introduced each bug where it is known.
type KernelBug struct {
	// ID is a short name ("remove-all-alias").
	ID string
	// Title matches the titles the bug raises as a program's primary
	// finding.
	Title *regexp.Regexp
	// Where is the kernel function(s) and file; Commit the commits that
	// introduced or fixed it, or the source read when they are unknown.
	Where, Commit string
	// Why explains it, well enough to send upstream.
	Why string
	// Hazard: reached only through a modelled driver that is not in the
	// tree (the kernel code is wrong for it, no in-tree user is known).
	Hazard bool
	// Match checks the evidence in program p, its kernel log (empty in
	// a quiet run: then the entry matches by title and program alone)
	// and finding f.
	Match func(p *prog.Program, log string, f *report.Finding) bool
}

// CiteBug returns the KernelBugs entry that explains finding f of
// program p (log: the run's kernel log, "" if quiet), or nil.
func CiteBug(p *prog.Program, log string, f *report.Finding) *KernelBug {
	for _, b := range KernelBugs {
		if b.Title.MatchString(f.Title) && b.Match(p, log, f) {
			return b
		}
	}
	return nil
}

// logHas reports whether log holds s; a quiet run (no log) cannot tell
// and counts as holding it.
func logHas(log, s string) bool { return log == "" || strings.Contains(log, s) }

// opBefore reports whether p has an op named name at or before the op
// of finding f (teardown counts as after every op).
func opBefore(p *prog.Program, name string, f *report.Finding) bool {
	last := len(p.Ops)
	if f.Op > 0 {
		last = min(f.Op, len(p.Ops))
	}
	return slices.ContainsFunc(p.Ops[:last], func(op *prog.Op) bool { return op.Name() == name })
}

// hasSource reports whether one of p's files mentions s.
func hasSource(p *prog.Program, s string) bool {
	return slices.ContainsFunc(p.Files, func(f prog.File) bool { return bytes.Contains(f.Data, []byte(s)) })
}

// fragmentHeld reports whether a holder of f's object is an overlay
// fragment's target reference (init_overlay_changeset()).
func fragmentHeld(f *report.Finding) bool {
	return slices.ContainsFunc(f.Holders, func(h string) bool {
		return strings.Contains(h, " fragment ") && strings.Contains(h, "taken in init_overlay_changeset")
	})
}

// failedApplyKeptID matches the log line of an apply that failed and
// still handed back a changeset id (of_overlay_fdt_apply's *ret_ovcs_id).
var failedApplyKeptID = regexp.MustCompile(`(?m)^op \d+: returned -E[A-Z]+, (\S+ = |id )[1-9]`)

// busDeviceHeld reports whether a holder of f's object is an SPI or I2C
// device the bus created from the node (of_register_spi_device(),
// of_i2c_register_device() -> i2c_new_client_device()).
func busDeviceHeld(f *report.Finding) bool {
	return slices.ContainsFunc(f.Holders, func(h string) bool {
		return strings.Contains(h, "taken in of_register_spi_device") || strings.Contains(h, "taken in of_i2c_register_device") ||
			strings.Contains(h, "taken in i2c_new_client_device")
	})
}

// KernelBugs is the table of cited kernel bugs (KernelBug).
var KernelBugs = []*KernelBug{
	{
		ID: "remove-all-alias",
		Title: regexp.MustCompile(`^(use-after-free|double-free) of (overlay_changeset|overlay_fragments|overlay_mem|overlay_fdt|device_node) in \S+$|` +
			`^dangling overlay_changeset in ovcs_(idr|list)$|^(of_node_put of a reference not held|bad of_node_put|general protection fault|refcount underflow) in (free_overlay_changeset|of_overlay_remove)$`),
		Where:  "of_overlay_remove_all(), of_overlay_remove(), free_overlay_changeset() (drivers/of/overlay.c)",
		Commit: "067c098766c6 (\"of: overlay: rework overlay apply and remove kfree()s\", v5.19)",
		Why: "of_overlay_remove_all() calls of_overlay_remove(&ovcs->id). of_overlay_remove() sets *ovcs_id = 0 before " +
			"free_overlay_changeset(ovcs), so the changeset's own id is 0 when free_overlay_changeset() tests " +
			"\"if (ovcs->id)\": it skips idr_remove() and list_del() and kfree()s a changeset still in ovcs_idr and on " +
			"ovcs_list. The loop's next removal (node_overlaps_later_cs() walks ovcs_list), every later id lookup and " +
			"a second of_overlay_remove_all() use the freed changeset. Fix: pass a copy of the id, or zero *ovcs_id " +
			"after free_overlay_changeset().",
		Match: func(p *prog.Program, _ string, f *report.Finding) bool {
			return opBefore(p, "of_overlay_remove_all", f)
		},
	},
	{
		ID: "failed-apply-unremovable",
		Title: regexp.MustCompile(`^memory leak of overlay_changeset allocated in of_overlay_fdt_apply$|^WARNING in __of_detach_node$|` +
			`^reference leak of device_node taken in kobject_add$|^memory leak of device_node allocated in add_changeset_node$`),
		Where:  "of_overlay_fdt_apply(), of_overlay_apply(), of_overlay_remove(), __of_changeset_revert_entries() (drivers/of/overlay.c, drivers/of/dynamic.c)",
		Commit: "067c098766c6 (v5.19; current source intel-lab-lkp/linux 045c9fb0c6f6)",
		Why: "When build_changeset() or __of_changeset_apply_entries() fails, of_overlay_fdt_apply() returns the " +
			"changeset's id and, per its comment, \"the caller of of_overlay_fdt_apply() can call of_overlay_remove()\". " +
			"But the entries were never applied (build failed) or were already reverted by " +
			"__of_changeset_apply_entries(), so of_overlay_remove()'s __of_changeset_revert_entries() reverts entries " +
			"that are not in the tree: REMOVE_PROPERTY fails with -ENODEV (\"Error reverting changeset\"), a DETACH " +
			"of a never-attached node hits __of_detach_node()'s WARN_ON(OF_DETACHED), and the re-apply after the " +
			"failing entry attaches nodes that were never attached. The removal fails, so the changeset, its nodes " +
			"and everything they keep alive can never be freed. Since 067c098766c6 the error path no longer frees " +
			"the changeset; before it, it did. Fix: free (or remember as unapplied) a changeset whose apply failed " +
			"and was fully reverted, instead of leaving it for of_overlay_remove(). The kernel announces none of " +
			"this as expected, so it is a bug to file, not a known finding (KnownFindings).",
		Match: func(p *prog.Program, log string, f *report.Finding) bool {
			// a DETACH reverted for an attach that never happened warns
			// and returns void, so no revert error is logged: the
			// evidence is the failed apply that kept its id
			return logHas(log, "Error reverting changeset") || logHas(log, " of_changeset_action (of_changeset_entry) fails") ||
				f.Title == "WARNING in __of_detach_node" && (log == "" || failedApplyKeptID.MatchString(log))
		},
	},
	{
		ID: "depopulate-clears-bus-populated",
		Title: regexp.MustCompile(`^memory leak in of_changeset_destroy$|^memory leak of device allocated in (spi_alloc_device|i2c_new_client_device)$|` +
			`^reference leak of device_node taken in (of_register_spi_device|of_i2c_register_device|i2c_new_client_device)$`),
		Where:  "of_platform_device_destroy(), of_platform_depopulate() (drivers/of/platform.c); of_spi_notify() (drivers/spi/spi.c), of_i2c_notify() (drivers/i2c/i2c-core-of.c)",
		Commit: "current source (drivers/of/platform.c as in intel-lab-lkp/linux and torvalds/linux); candidate: confirm on a real kernel",
		Why: "of_platform_populate() on an SPI or I2C controller's node sets OF_POPULATED_BUS on it. " +
			"of_platform_depopulate() then walks the controller's children with of_platform_device_destroy(), which " +
			"recurses into every device whose node is OF_POPULATED_BUS - the bus's own controller device too - and " +
			"clears OF_POPULATED on each child device's node, but unregisters only platform and AMBA devices. The SPI/I2C " +
			"devices stay registered with their node flag cleared, so when an overlay later removes their node, the bus's " +
			"reconfig notifier (of_spi_notify()/of_i2c_notify(): \"already depopulated?\") skips them: the device keeps its " +
			"of_node reference, __of_changeset_entry_destroy() reports the node's refcount, and the device leaks. " +
			"Fix: of_platform_device_destroy() should leave a device it does not unregister with its flags as they were " +
			"(clear OF_POPULATED only for devices it destroys).",
		Match: func(p *prog.Program, log string, f *report.Finding) bool {
			return opBefore(p, "of_platform_depopulate", f) && opBefore(p, "of_platform_populate", f) &&
				(busDeviceHeld(f) || !strings.HasPrefix(f.Title, "memory leak in"))
		},
	},
	{
		ID: "init-ovcs-missing-target",
		Title: regexp.MustCompile(`^reference leak of device_node taken in (init_overlay_changeset|of_find_node_by_path|of_find_node_by_phandle|find_target)$|` +
			`^memory leak in of_changeset_destroy$`),
		Where:  "init_overlay_changeset(), free_overlay_changeset() (drivers/of/overlay.c)",
		Commit: "current source intel-lab-lkp/linux 045c9fb0c6f6",
		Why: "init_overlay_changeset() sets ovcs->count only after its loop over the fragments. When find_target() " +
			"fails for fragment N (a target-path or phandle that is not in the live tree), it returns -EINVAL with " +
			"ovcs->count still 0, so free_overlay_changeset() - called by of_overlay_remove(), as " +
			"of_overlay_fdt_apply() tells the caller - puts none of fragments 0..N-1: the target references " +
			"find_target() took (of_find_node_by_path()/of_find_node_by_phandle()) and the __overlay__ nodes leak. " +
			"When the leaked target is a node an earlier overlay created, removing that overlay then finds it " +
			"still referenced (\"memory leak in of_changeset_destroy\"). " +
			"Fix: set ovcs->count = cnt on the error path too (or after each fragment).",
		Match: func(p *prog.Program, log string, f *report.Finding) bool {
			if f.Title == "memory leak in of_changeset_destroy" && !fragmentHeld(f) {
				return false
			}
			return logHas(log, "init_overlay_changeset() failed")
		},
	},
	{
		ID:     "idr-alloc-uninit-list",
		Title:  regexp.MustCompile(`^general protection fault in free_overlay_changeset$`),
		Where:  "of_overlay_fdt_apply(), free_overlay_changeset() (drivers/of/overlay.c)",
		Commit: "067c098766c6 (v5.19)",
		Why: "When idr_alloc() fails, of_overlay_fdt_apply() jumps to err_free_ovcs with ovcs->id < 0 and before " +
			"INIT_LIST_HEAD(&ovcs->ovcs_list). free_overlay_changeset() tests \"if (ovcs->id)\", which is true for a " +
			"negative errno, calls idr_remove() with it and list_del() on the zeroed list_head: a NULL pointer " +
			"dereference. Fix: test ovcs->id > 0, or initialise the list before idr_alloc().",
		Match: func(p *prog.Program, log string, f *report.Finding) bool {
			return logHas(log, "idr_alloc in of_overlay_fdt_apply fails")
		},
	},
	{
		ID:     "topmost-ignores-empty-fragment",
		Title:  regexp.MustCompile(`^memory leak in of_changeset_destroy$`),
		Where:  "overlay_removal_is_ok(), node_overlaps_later_cs(), init_overlay_changeset() (drivers/of/overlay.c)",
		Commit: "current source intel-lab-lkp/linux 045c9fb0c6f6",
		Why: "A later overlay's fragment that targets a node an earlier overlay created holds a reference on it " +
			"(find_target() in init_overlay_changeset(), put only in free_overlay_changeset()). When that fragment " +
			"adds nothing, or the later overlay's apply failed (and it can never be removed: failed-apply-unremovable), " +
			"the later changeset has no applied entry for the node, so overlay_removal_is_ok() - which only " +
			"compares changeset entries (node_overlaps_later_cs()) - lets the earlier overlay be removed first. " +
			"__of_changeset_entry_destroy() then finds the node's refcount above 1 and prints \"ERROR: memory leak, " +
			"expected refcount 1\"; the later overlay's free_overlay_changeset() puts the node after it was meant " +
			"to be gone. Fix: count fragment targets in the topmost check.",
		Match: func(p *prog.Program, log string, f *report.Finding) bool {
			return fragmentHeld(f) && (log == "" || !strings.Contains(log, "init_overlay_changeset() failed"))
		},
	},
	{
		ID: "dt-fixup-devlink-wait-under-of-mutex",
		Title: regexp.MustCompile(`^deadlock: flush_workqueue\(device_link_wq\) (under of_mutex|from its own work item)$|` +
			`^possible deadlock in (__flush_workqueue|of_changeset_revert)$`),
		Where:  "of_changeset_destroy() -> device_link_wait_removal() under of_mutex (drivers/of/dynamic.c, drivers/base/core.c)",
		Commit: "8917e7385346 (\"of: dynamic: Synchronize of_changeset_destroy() with the devlink removals\", v6.9)",
		Why: "of_changeset_destroy() flushes device_link_wq with of_mutex held. A device whose release (reached " +
			"from device_link_release_fn() on device_link_wq, when a purged link drops the last reference) " +
			"reverts an of_changeset needs of_mutex: the flush waits for the work, the work waits for of_mutex " +
			"(kernel-model §10 hazard (a)); a release that destroys its own changeset flushes the queue it runs " +
			"on (hazard (b)). Reached through dangle's modelled dangle,dt-fixup driver, which edits the tree as " +
			"PCI hosts do (of_pci_make_dev_node); review (March 2024) knew no in-tree path from a devlink release " +
			"back into overlay code. A hazard to raise with a driver that does this, not a report on its own.",
		Hazard: true,
		Match:  func(p *prog.Program, _ string, _ *report.Finding) bool { return hasSource(p, `"dangle,dt-fixup"`) },
	},
	{
		ID:     "add-property-eexist-leak",
		Title:  regexp.MustCompile(`^memory leak of property allocated in __of_prop_alloc$`),
		Where:  "__of_add_property() (drivers/of/base.c), of_changeset_add_prop_helper(), __of_changeset_entry_apply(), of_changeset_destroy() (drivers/of/dynamic.c)",
		Commit: "c81f6ce16785 (\"of: dynamic: Fix memleak when of_pci_add_properties() failed\"); current source",
		Why: "of_changeset_add_prop_helper() parks a new property on np->deadprops so that of_changeset_destroy() " +
			"frees it if the changeset is never applied. When the changeset is applied, __of_add_property() first " +
			"unlinks the property from deadprops and only then looks for a property of the same name; finding one, it " +
			"returns -EEXIST with the property on no list, and __of_changeset_entry_destroy() frees no entry's " +
			"property: it leaks. Reached here through dangle's dangle,dt-fixup driver, which adds its properties with " +
			"a changeset in probe and reverts it from a deferred release (as of_pci_make_dev_node() does): unbound and " +
			"bound again before the release ran, the second probe's apply meets the first one's property. " +
			"Fix: in __of_add_property(), check for the duplicate before unlinking from deadprops.",
		Hazard: true,
		Match:  func(p *prog.Program, _ string, _ *report.Finding) bool { return hasSource(p, `"dangle,dt-fixup"`) },
	},
	{
		ID:     "fw-devlink-regulator-unlinked",
		Title:  regexp.MustCompile(`^WARNING in regulator_unregister$|^use-after-free of fixed_voltage_data in _regulator_do_disable$`),
		Where:  "fw_devlink_link_device(), __fw_devlink_link_to_suppliers() (drivers/base/core.c); regulator_unregister() (drivers/regulator/core.c)",
		Commit: "1a50d9403fb9 (FWNODE_FLAG_NOT_DEVICE for overlay nodes) and the once-only fwnode link parse (current source)",
		Why: "fw_devlink gives a consumer a managed link to its regulator only once: fwnode links are parsed once " +
			"per node (FWNODE_FLAG_LINKS_ADDED), a disabled supplier is skipped at parse time, and each fwnode " +
			"link is deleted when it becomes a device link. A consumer device created again from the same node " +
			"(status toggled by a later overlay), one whose regulator was disabled when its links were parsed, " +
			"or (v6.6-v6.17) one whose fragment precedes the regulator's (FWNODE_FLAG_NOT_DEVICE: linked to an " +
			"ancestor) has no managed link to the regulator device, so removing the regulator does not unbind the " +
			"consumer first: regulator_unregister() WARN_ON(rdev->open_count), and the consumer's later " +
			"regulator_disable() reads fixed_voltage_data the provider's devres freed. " +
			"corpus/fwdevlink-not-device-regulator.prog. Needs confirming on a real kernel for the mainline paths.",
		Match: func(p *prog.Program, _ string, _ *report.Finding) bool { return hasSource(p, `-supply`) },
	},
	{
		ID:     "links-status-probing-after-deferral",
		Title:  regexp.MustCompile(`^WARNING in device_links_purge$|^livelock in (device_links_unbind_consumers|__device_release_driver)$`),
		Where:  "device_links_check_suppliers(), device_link_init_status(), device_links_purge() (drivers/base/core.c)",
		Commit: "current source (torvalds/linux drivers/base/core.c, the scoped_guard version)",
		Why: "device_links_check_suppliers() breaks out of its loop on a supplier that is not ready and still sets " +
			"dev->links.status = DL_DEV_PROBING before returning -EPROBE_DEFER; really_probe() returns at once and " +
			"nothing resets it, so a deferred device stays DL_DEV_PROBING. A managed link created to it later " +
			"(device_link_init_status(): both ends PROBING) starts in DL_STATE_CONSUMER_PROBE and never leaves it, " +
			"and device_del() of the supplier WARNs in device_links_purge() (consumer link neither DORMANT nor " +
			"NONE); with the supplier bound, unbinding it loops for ever in device_links_unbind_consumers() " +
			"(\"if (status == DL_STATE_CONSUMER_PROBE) { wait_for_device_probe(); goto start; }\": the consumer " +
			"is not probing, so nothing changes) or __device_release_driver()'s device_links_busy() loop; the " +
			"SYNC_STATE_ONLY variant is core_sync_state_only_livelock.txt. Candidate: confirm on a real kernel " +
			"before sending.",
		Match: func(p *prog.Program, log string, _ *report.Finding) bool {
			return logHas(log, "not ready") || logHas(log, "Resources present before probing")
		},
	},
	// The bugs of kernel-model.md "Known bugs as minimal sequences" that
	// older profiles raise (the corpus and crashers/ hold their repros).
	{
		ID:     "B1-devlink-release-after-destroy",
		Title:  regexp.MustCompile(`^memory leak in of_changeset_destroy$|^memory leak before free overlay changeset in of_node_release$`),
		Where:  "of_overlay_remove() -> of_changeset_destroy() vs device_link_release_fn() (drivers/of/dynamic.c, drivers/base/core.c)",
		Commit: "80dd33cf72d1 (device links released from a work item, v6.8 window); fixed by 8917e7385346 (v6.9, 6.8.5)",
		Why: "B1/B2: removing an overlay unregisters its devices, whose device links are released from device_link_wq " +
			"later; of_changeset_destroy() runs before that work, finds the overlay nodes still referenced by the " +
			"devices the links keep alive (\"ERROR: memory leak, expected refcount 1 instead of N\") and the nodes " +
			"are freed past OF_OVERLAY_FREE_CSET. 8917e7385346 waits for the link removals in of_changeset_destroy().",
		Match: func(p *prog.Program, _ string, f *report.Finding) bool {
			return slices.ContainsFunc(f.Holders, func(h string) bool {
				return strings.HasPrefix(h, "device ") && strings.Contains(h, "taken in of_device_alloc")
			})
		},
	},
	{
		ID:     "B4-nvmem-wp-gpio-double-put",
		Title:  regexp.MustCompile(`^(gpiod_put by non-owner|double gpiod_put) from (nvmem_release|devm_gpiod_release)$`),
		Where:  "nvmem_register() config->wp_gpio, nvmem_release() gpiod_put() (drivers/nvmem/core.c)",
		Commit: "6f57cbd7ce40 (2020); fixed by 569653f022a2 (v6.2)",
		Why: "B4: nvmem_register() copied the provider's config->wp_gpio without a reference and nvmem_release() " +
			"puts it; the provider's devm_gpiod_get() release puts it again: a double put of one request.",
		Match: func(*prog.Program, string, *report.Finding) bool { return true },
	},
	{
		ID:     "B5-gpiochip-remove-requested",
		Title:  regexp.MustCompile(`^REMOVING GPIOCHIP WITH GPIOS STILL REQUESTED in gpiochip_remove$|^removing gpiochip with gpios still requested in gpiochip_remove$|^reference leak of gpio_device taken in gpiod_request$`),
		Where:  "gpiochip_remove(), gpiod_free() (drivers/gpio/gpiolib.c)",
		Commit: "fixed by 3386fb86ecde (v6.5)",
		Why: "B5 (G1): a consumer's gpiod_put() after its chip was removed found gpiod_free_commit() failing and " +
			"skipped the module and gpio_device puts, so the gpio_device was never released. A consumer " +
			"holding the descriptor of a chip it does not keep alive is also a driver bug on every kernel.",
		Match: func(*prog.Program, string, *report.Finding) bool { return true },
	},
	{
		ID:     "B6-consumer-double-gpiod-put",
		Title:  regexp.MustCompile(`^double gpiod_put$|^use-after-free of gpio_device in gpiochip_remove$`),
		Where:  "gpiod_put(), gpiod_free() (drivers/gpio/gpiolib.c)",
		Commit: "3386fb86ecde (v6.5: unconditional puts)",
		Why: "B6: a consumer that puts its descriptor twice (a driver bug the program models) over-releases the " +
			"gpio_device since 3386fb86ecde made gpiod_free()'s puts unconditional: the gpio_device can reach " +
			"zero while its chip is registered, and gpiochip_remove() then uses the freed gpio_device.",
		Match: func(*prog.Program, string, *report.Finding) bool { return true },
	},
	{
		ID:     "B7-devres-after-pm-detach",
		Title:  regexp.MustCompile(`^devres ran after PM domain detach in \S+$`),
		Where:  "i2c_device_remove()/spi_remove()/platform_remove(): dev_pm_domain_detach() before devres_release_all() (drivers/i2c/i2c-core-base.c, drivers/spi/spi.c, drivers/base/platform.c)",
		Commit: "fixed by 5b5475826c52 (I2C, v5.13) and f99508074e78 (\"PM: domains: Detach on device_unbind_cleanup()\", 2025)",
		Why: "B7: the bus remove callback detached the PM domain before the driver's devm resources were " +
			"released, so they are torn down against a domain that may already be off.",
		Match: func(*prog.Program, string, *report.Finding) bool { return true },
	},
}
