package sim

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"dangle/prog"
	"dangle/sim/fault"
)

// faultRun runs p under profile with op i's fail_nth set to n (n == 0:
// none), recording the fallible steps.
func faultRun(t *testing.T, p *prog.Program, profile string, i, n int) *Result {
	t.Helper()
	q := p.Clone()
	if n > 0 {
		q.Ops[i].Set(prog.IntArg(prog.FailNthKey, n))
	}
	res, err := Run(q, Config{Profile: profile, Quiet: true, FailList: true, Filename: "t.prog"})
	if err != nil {
		t.Fatalf("op %d fail_nth=%d on %s: %v\n%s", i+1, n, profile, err, q.Print())
	}
	return res
}

// stepsOf returns the number of fallible steps each op reached.
func stepsOf(steps []fault.Step, nops int) []int {
	out := make([]int, nops)
	for _, s := range steps {
		out[s.Op-1] = max(out[s.Op-1], s.N)
	}
	return out
}

// faultExplained are the findings an injected failure may add to a
// corpus program's run, by title, with the failed step's call sites that
// lead there and why: each is what the kernel's own error path does
// (kernel source cited), not a model artefact. TestFaultSweep fails on
// any other.
var faultExplained = []struct {
	title string
	sites []string // fault.Step.Site of the failed step (nil: any)
	why   string
}{
	{"general protection fault in free_overlay_changeset", []string{"idr_alloc"},
		"of_overlay_fdt_apply() since 067c098766c6 (v5.19): idr_alloc() failing goes to err_free_ovcs with ovcs->id < 0, " +
			"and free_overlay_changeset()'s \"if (ovcs->id)\" list_del()s the ovcs_list that INIT_LIST_HEAD() has not initialised yet"},
	{"double-free of property in of_node_release", []string{"kzalloc"},
		"add_changeset_property(): when of_changeset_add_property() fails, __of_prop_free(new_prop) frees a property " +
			"already pushed on the new node's deadprops; of_node_release() frees it again"},
	{"memory leak of device_node allocated in add_changeset_node", []string{"kzalloc", "__of_add_property"},
		"add_changeset_node(): of_changeset_attach_node() failing returns without of_node_put(tchild) (the node leaks); and a " +
			"failed apply's of_overlay_remove() re-attaches never-applied nodes (below)"},
	{"memory leak of overlay_changeset allocated in of_overlay_fdt_apply", []string{"kzalloc", "__of_add_property"},
		"of_overlay_fdt_apply() since 067c098766c6 (v5.19): a build_changeset() failure leaves the partly built changeset " +
			"listed for of_overlay_remove(), whose __of_changeset_revert_entries() reverts entries never applied (-ENODEV), " +
			"so the changeset can never be removed"},
	{"WARNING in __of_detach_node", []string{"kzalloc"},
		"the same revert of a never-applied changeset: __of_detach_node() WARN_ON(OF_DETACHED) for a node never attached"},
	{"reference leak of device_node taken in kobject_add", []string{"kzalloc", "__of_add_property"},
		"the same revert: after the failing entry __of_changeset_revert_entries() re-applies the entries it reverted, " +
			"attaching (and adding to sysfs) nodes of the failed overlay that were never attached"},
	{"memory leak in of_changeset_destroy", []string{"kzalloc", "__of_add_property"},
		"a failed apply's fragments keep their targets (v5.19+, freed only by of_overlay_remove()), so removing the overlay " +
			"that created a target finds its refcount above 1 in __of_changeset_entry_destroy()"},
	{"memory leak before free overlay changeset in of_node_release", []string{"kzalloc", "__of_add_property"},
		"the same fragment reference, put last by the failed overlay's free_overlay_changeset() after the node's changeset " +
			"was destroyed without OF_OVERLAY_FREE_CSET"},
	{"memory leak of property allocated in __of_prop_alloc", []string{"__of_add_property"},
		"of_changeset_destroy() frees no property: one whose ADD entry failed to apply was never on any list"},
	// consequences of bugs the program already exercises, at another point
	{"use-after-free of device_node in overlay_notifier_deref", nil,
		"the keep-overlay notifier (seeds/002) keeps overlay pointers past OF_OVERLAY_POST_REMOVE, against " +
			"of_overlay_notifier_register()'s rule: a removal that the injected failure lets succeed frees what it reads"},
	{"use-after-free of overlay_changeset in free_overlay_changeset", []string{"__of_remove_property"},
		"of_overlay_remove_all() (v5.19+) leaves a freed changeset on ovcs_list (*ovcs_id aliases ovcs->id, " +
			"remove_all.txt); when a revert failure defers the next removal, its list_del() writes into the freed one"},
	// driver-core consequences of a device left unbound or unlinked
	{"WARNING in device_links_driver_cleanup", []string{"devm_kzalloc", "sysfs_create_link"},
		"a managed DL_FLAG_AUTOREMOVE_CONSUMER link to a consumer whose probe failed is never dropped (that happens at the " +
			"consumer's unbind), so the supplier's unbind hits device_links_driver_cleanup()'s " +
			"WARN_ON(DL_FLAG_AUTOREMOVE_CONSUMER)"},
	{"WARNING in regulator_unregister", []string{"kzalloc", "kobject_add"},
		"fw_devlink failed to create the consumer's link to its regulator (device_link_add() NULL), so unbinding the " +
			"regulator does not unbind the consumer first, and regulator_unregister() WARN_ON(rdev->open_count)s"},
	{"use-after-free of fixed_voltage_data in _regulator_do_disable", []string{"kzalloc", "kobject_add"},
		"the same missing link (corpus/fwdevlink-not-device-regulator.prog's mechanism): devres frees reg-fixed-voltage's " +
			"fixed_voltage_data after regulator_unregister(), and the consumer's later regulator_disable() reads rdev->desc"},
	{"memory leak of device_link allocated in device_link_add", []string{"__of_add_property"},
		"a failed apply that can never be removed (sim.KernelBugs failed-apply-unremovable) keeps the overlays below it " +
			"(not topmost), so their devices stay registered, and so do the links their drivers make " +
			"(fwdevlink_recreated_consumer.txt: the regulator core's consumer link)"},
	{"memory leak of device_link allocated in device_link_add", []string{"kzalloc", "kobject_add"},
		"the program's first device_link_add returns NULL (the injected failure); the link its second call creates is the " +
			"program's own reference, which its device_link_del of the NULL handle never drops"},
	{"WARNING in device_links_purge", []string{"devm_kzalloc", "sysfs_create_link", "devres_alloc"},
		"the supplier's probe failed, so its removal has no driver to release and never reaches the " +
			"__device_release_driver() livelock; the consumer's SYNC_STATE_ONLY link that really_probe()'s \"Resources " +
			"present before probing\" exit left in CONSUMER_PROBE reaches device_del()'s device_links_purge(), which " +
			"WARNs on a consumer link neither DORMANT nor NONE (core_sync_state_only_livelock.txt)"},
	{"deadlock: flush_workqueue(device_link_wq) under of_mutex", []string{"devm_kzalloc", "sysfs_create_link", "kzalloc", "__of_add_property", "kobject_add"},
		"hazard (a) (core_deadlock_flush_under_of_mutex.txt) in dt_fixup_rebind_eexist.txt: without the injected failure the " +
			"rebind's failing of_changeset_apply() destroys its changeset, whose flush runs the first binding's pending release; " +
			"a probe failing before that (or a first probe failing, so the rebind binds) leaves a release pending until the " +
			"teardown's of_overlay_remove() flushes device_link_wq under of_mutex"},
	{"devres ran after PM domain detach in spi_probe", []string{"devres_alloc", "kobject_add"},
		"B7: before the v6.18 move of the detach into device_unbind_cleanup(), spi_probe() detaches the PM domain when the " +
			"driver's probe fails, before really_probe()'s devres_release_all()"},
}

// faultExplainedOn are explanations that hold only on some profiles.
var faultExplainedOn = []struct {
	title    string
	sites    []string // as in faultExplained (nil: any)
	why      string
	profiles []string
}{
	// the pre-5.19 layout (v5.10, v5.15)
	{"double-free of overlay_mem in free_overlay_changeset", nil,
		"v5.15 of_overlay_apply(): init_overlay_changeset() errors go to err_free_tree, which kfrees fdt and tree that " +
			"free_overlay_changeset() kfrees again (fixed by 067c098766c6); reached directly (idr_alloc, kcalloc) or by a " +
			"later overlay whose target the failed one did not create", pre519},
	{"double-free of overlay_fdt in free_overlay_changeset", nil, "the same double kfree, of the fdt", pre519},
	{"memory leak of overlay_changeset allocated in of_overlay_fdt_apply", []string{"__of_remove_property"},
		"before 067c098766c6 (v5.19) of_overlay_remove() list_del()s the changeset before reverting it: when the revert " +
			"fails it stays applied and in the idr but off ovcs_list, so of_overlay_remove_all() (and the teardown) cannot " +
			"find it, and a second of_overlay_remove() by id would list_del() it again", pre519},
	{"reference leak of device_node taken in kobject_add", []string{"__of_remove_property"}, "the same stranded changeset's nodes", pre519},
	{"memory leak of device_node allocated in add_changeset_node", []string{"__of_remove_property"}, "the same stranded changeset's nodes", pre519},
	{"memory leak of device_link allocated in device_link_add", []string{"__of_remove_property"},
		"the same stranded changeset: its devices are never removed, nor their links", pre519},
	{"memory leak in of_changeset_destroy", []string{"__of_remove_property"}, "the same stranded changeset's nodes", pre519},
	{"memory leak of property allocated in dup_and_fixup_symbol_prop", []string{"__of_add_property", "kzalloc"},
		"a property whose ADD entry never applied is on no list, and of_changeset_destroy() frees no property", pre519},
	{"memory leak of property allocated in add_changeset_property", []string{"__of_add_property", "kzalloc"},
		"the same, for a property of a fragment", pre519},
	{"reference leak of module taken in try_module_get", []string{"__of_remove_property"},
		"the changeset a failed revert stranded off ovcs_list (above) keeps its devices bound, and their drivers' modules", pre519},
	{"memory leak of of_clk_provider allocated in of_clk_add_hw_provider", []string{"__of_remove_property"},
		"the same stranded changeset keeps its clock provider registered", pre519},
	{"general protection fault in of_overlay_remove", []string{"__of_remove_property"},
		"a second of_overlay_remove() of the stranded changeset finds it in the idr and list_del()s its poisoned entry " +
			"(fault_changeset_entries.txt)", pre519},
	{"devres ran after PM domain detach in i2c_device_probe", []string{"devres_alloc", "kobject_add"},
		"B7 on I2C: before 5b5475826c52 (v5.13, the devres group) i2c_device_probe() detaches the PM domain when the " +
			"driver's probe fails, before really_probe()'s devres_release_all()", []string{"v5.10"}},
	// B1/B2 before 8917e7385346 (v6.9-rc3), with the link timing changed
	{"memory leak in of_changeset_destroy", nil, b1Why, preV69},
	{"memory leak before free overlay changeset in of_node_release", nil, b1Why, preV69},
	{"memory leak of device_node allocated in add_changeset_node", nil, b1Why, preV69},
}

// b1Why explains the B1/B2 findings an injected failure moves around on
// kernels before 8917e7385346 (devlink_wait=changeset-destroy, v6.9-rc3).
const b1Why = "B1/B2: before 8917e7385346 (v6.9-rc3) of_changeset_destroy() checks the refcount before device_link_wq " +
	"has released a link that pins a device and its node; a failed probe or registration changes which links are " +
	"still pending at the removal"

var (
	// pre519 are the profiles with the pre-5.19 overlay layout.
	pre519 = []string{"v5.10", "v5.15"}
	// preV69 are the profiles before 8917e7385346.
	preV69 = []string{"v5.10", "v5.15", "v6.1", "v6.6", "v6.8", "v6.8.5"}
)

// TestFaultSweep runs every corpus program on mainline, v6.8 and v5.15
// (the pre-5.19 overlay layout), and every scenario program on mainline
// (DANGLE_KERNEL=P sweeps them on P instead: v6.8, v5.15, v6.1 pass too),
// with fail_nth = 1..K on every op that reaches fallible steps (K: the
// steps the op reached without injection), and checks that the simulator
// never panics, that the failing step is the one asked for, and that
// every finding the injection adds is one faultExplained explains.
func TestFaultSweep(t *testing.T) {
	runs := 0
	progs := corpusPrograms(t)
	for _, name := range sortedNames(progs) {
		for _, prof := range []string{"mainline", "v6.8", "v5.15"} {
			runs += faultSweep(t, name, progs[name], prof)
		}
	}
	progs = scenarioPrograms(t)
	scen := "mainline"
	if k := os.Getenv("DANGLE_KERNEL"); k != "" {
		scen = k
	}
	for _, name := range sortedNames(progs) {
		runs += faultSweep(t, name, progs[name], scen)
	}
	if runs == 0 {
		t.Fatal("no fallible step reached")
	}
	t.Logf("%d injected runs", runs)
}

// faultSweep is TestFaultSweep for one program and profile; it returns
// the number of injected runs.
func faultSweep(t *testing.T, name string, p *prog.Program, prof string) int {
	runs := 0
	// one injected failure at a time: drop the program's own fail_nth
	p = p.Clone()
	for _, op := range p.Ops {
		op.Del(prog.FailNthKey)
	}
	base := faultRun(t, p, prof, 0, 0)
	seen := map[string]bool{}
	for _, f := range base.Findings {
		seen[f.Title] = true
	}
	for i, n := range stepsOf(base.FailSteps, len(p.Ops)) {
		if n > 0 && !p.Ops[i].Desc.Fallible {
			t.Errorf("%s: op %d (%s) reaches %d fallible steps but is not prog.OpDesc.Fallible", name, i+1, p.Ops[i].Name(), n)
			continue
		}
		for s := 1; s <= min(n, prog.MaxFailNth); s++ {
			runs++
			res := faultRun(t, p, prof, i, s)
			k := slices.IndexFunc(res.FailSteps, func(x fault.Step) bool { return x.Failed })
			if k < 0 || res.FailSteps[k].Op != i+1 || res.FailSteps[k].N != s {
				t.Errorf("%s %s: op %d fail_nth=%d: no such step failed", name, prof, i+1, s)
				continue
			}
			step := res.FailSteps[k]
			for _, f := range res.Findings {
				if seen[f.Title] || faultExplains(f.Title, step.Site, prof) {
					continue
				}
				t.Errorf("%s %s: op %d fail_nth=%d (%s in %s): unexplained finding %q\nreplay: set fail_nth=%d on op %d and go run ./cmd/dangle run -kernel %s %s",
					name, prof, i+1, s, step.Site, step.Func, f.Title, s, i+1, prof, name)
			}
		}
	}
	return runs
}

// faultExplains reports whether title after a failure at site on
// profile prof is in faultExplained or faultExplainedOn.
func faultExplains(title, site, prof string) bool {
	for _, e := range faultExplained {
		if e.title == title && (e.sites == nil || slices.Contains(e.sites, site)) {
			return true
		}
	}
	for _, e := range faultExplainedOn {
		if e.title == title && (e.sites == nil || slices.Contains(e.sites, site)) && slices.Contains(e.profiles, prof) {
			return true
		}
	}
	return false
}

// TestFaultSweepDump prints, for each corpus program, profile, op and
// step, the findings the injected failure adds to the run without it
// (DANGLE_FAULT_DUMP=1): the raw material of TestFaultSweep's table.
func TestFaultSweepDump(t *testing.T) {
	if os.Getenv("DANGLE_FAULT_DUMP") == "" {
		t.Skip("set DANGLE_FAULT_DUMP=1")
	}
	progs := corpusPrograms(t)
	if os.Getenv("DANGLE_FAULT_DUMP") == "scenarios" {
		progs = scenarioPrograms(t)
	}
	for _, name := range sortedNames(progs) {
		p := progs[name]
		for _, prof := range faultDumpProfiles() {
			base := faultRun(t, p, prof, 0, 0)
			seen := map[string]bool{}
			for _, f := range base.Findings {
				seen[f.Title] = true
			}
			for i, n := range stepsOf(base.FailSteps, len(p.Ops)) {
				for s := 1; s <= min(n, prog.MaxFailNth); s++ {
					res := faultRun(t, p, prof, i, s)
					step := res.FailSteps[slices.IndexFunc(res.FailSteps, func(x fault.Step) bool { return x.Failed })]
					for _, f := range res.Findings {
						if !seen[f.Title] {
							fmt.Printf("%s %s op %d fail_nth=%d [%s in %s]: %s\n", name, prof, i+1, s, step.Site, step.Func, f.Title)
						}
					}
				}
			}
		}
	}
}

// faultDumpProfiles are the profiles TestFaultSweepDump runs:
// DANGLE_KERNEL if set, else mainline and v6.8.
func faultDumpProfiles() []string {
	if k := os.Getenv("DANGLE_KERNEL"); k != "" {
		return []string{k}
	}
	return []string{"mainline", "v6.8"}
}

// scenarioPrograms returns the programs of the scenario files' run
// directives (their inputs), by "file:line".
func scenarioPrograms(t *testing.T) map[string]*prog.Program {
	files, err := filepath.Glob("testdata/scenarios/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	out := map[string]*prog.Program{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(data), "\n")
		for i := 0; i < len(lines); i++ {
			if !strings.HasPrefix(lines[i], "run") {
				continue
			}
			start := i + 1
			for i++; i < len(lines) && lines[i] != "----"; i++ {
			}
			name := fmt.Sprintf("%s:%d", f, start)
			p, err := prog.Parse(name, []byte(strings.Join(lines[start:i], "\n")+"\n"))
			if err != nil {
				t.Fatal(err)
			}
			out[name] = p
		}
	}
	return out
}
