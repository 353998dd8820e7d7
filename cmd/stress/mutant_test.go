package main

import (
	"path/filepath"
	"testing"
)

// TestMutantFlag: -mutant (make bench's table 6) injects the named bug
// into every program, so a short soak finds the mutant's own finding,
// which the same soak with -mutant none (the baseline) does not; both keep
// the crashers raw; an unknown name is a usage error.
func TestMutantFlag(t *testing.T) {
	const want = "memory leak of nvmem_device allocated in nvmem_register"
	has := func(args ...string) bool {
		dir := t.TempDir()
		code, stdout, stderr := soakRun(t, append([]string{"-programs", "30", "-seed", "1", "-workers", "1", "-kernel", "mainline",
			"-status", "plain", "-out", dir}, args...)...)
		if code != 0 && code != 1 {
			t.Fatalf("%v: exit %d\n%s\n%s", args, code, stdout, stderr)
		}
		if full, _ := filepath.Glob(filepath.Join(dir, "*", "repro.prog")); len(full) > 0 {
			t.Errorf("%v: replayed crashers %v; want raw ones only", args, full)
		}
		for _, nt := range readStats(t, dir).NewTitles {
			if nt.Title == want {
				return true
			}
		}
		return false
	}
	if !has("-mutant", "at24/devm_action_release(devm_nvmem_unregister)") {
		t.Errorf("-mutant at24/devm_action_release(devm_nvmem_unregister): no %q in 30 programs", want)
	}
	if has("-mutant", "none") {
		t.Errorf("-mutant none: %q in 30 programs", want)
	}
	if code, _, _ := soakRun(t, "-mutant", "no/such", "-out", t.TempDir()); code != 2 {
		t.Errorf("-mutant no/such: exit %d, want 2", code)
	}
	opt, err := parseFlags([]string{"-mutant", "kernel/device_unbind_cleanup:devres_release_all"}, nil)
	if err != nil || opt.mutant == nil || opt.minimize || !opt.rawOnly {
		t.Errorf("parseFlags -mutant: %v, mutant %v, minimize %v, raw only %v; want the mutant, raw crashers, no minimization", err, opt.mutant, opt.minimize, opt.rawOnly)
	}
	opt, err = parseFlags([]string{"-mutant", "none"}, nil)
	if err != nil || opt.mutant != nil || opt.minimize || !opt.rawOnly {
		t.Errorf("parseFlags -mutant none: %v, mutant %v, minimize %v, raw only %v; want no mutant, raw crashers, no minimization", err, opt.mutant, opt.minimize, opt.rawOnly)
	}
}

// TestMutantLater: a leds-gpio that forgets devm_led_classdev_release
// leaks its class device at teardown, after the leds overlay's
// of_changeset_destroy leak (the node that device holds): the soak files
// it as a later independent finding (sim.Laters). Filing only each
// program's primary, a 500-program soak never did (make bench, table 7).
func TestMutantLater(t *testing.T) {
	const want = "memory leak of device allocated in led_classdev_register_ext"
	dir := t.TempDir()
	code, stdout, stderr := soakRun(t, "-programs", "40", "-seed", "2", "-workers", "1", "-kernel", "mainline",
		"-status", "plain", "-out", dir, "-mutant", "leds-gpio/devm_led_classdev_release")
	if code != 0 && code != 1 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	var titles []string
	for _, nt := range readStats(t, dir).NewTitles {
		if nt.Title == want {
			return
		}
		titles = append(titles, nt.Title)
	}
	t.Errorf("no %q in 40 programs; new titles %q", want, titles)
}
