package sim

import (
	"strings"
	"testing"

	"dangle/prog"
)

func runTriage(t *testing.T, text string) (*prog.Program, *Result) {
	t.Helper()
	p, err := prog.Parse("t.prog", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(p, Config{Filename: "t.prog"})
	if err != nil {
		t.Fatal(err)
	}
	return p, res
}

// TestPrimaryMisuseTaint: a devres action added to a device no driver is
// bound to makes its later probe WARN "Resources present before probing";
// the op that broke the contract taints the run, so the warning (raised
// at a later op) is the program's misuse, not a kernel bug. Without the
// devres op the same program is clean.
func TestPrimaryMisuseTaint(t *testing.T) {
	const text = `dangle program v1
kernel mainline
device_release_driver node=/soc/i2c@3000
devm_add_action node=/soc/i2c@3000 action=1
device_attach node=/soc/i2c@3000
`
	p, res := runTriage(t, text)
	f, why := Primary(p, res)
	if f == nil || f.Title != "Resources present before probing in really_probe" {
		t.Fatalf("primary %v, want the probe warning; findings %v", f, res.Findings)
	}
	if res.Misuse.Op != 2 || why == "" || !strings.Contains(why, "no driver is bound") {
		t.Errorf("misuse %+v, why %q: want op 2, devres on an unbound device", res.Misuse, why)
	}
	p, res = runTriage(t, strings.Replace(text, "devm_add_action node=/soc/i2c@3000 action=1\n", "", 1))
	if f, _ := Primary(p, res); f != nil || res.Misuse.Op != 0 {
		t.Errorf("without the devres op: primary %v, misuse %+v", f, res.Misuse)
	}
}

// TestPrimaryOwnGroup: releasing a devres group the program did not open
// (the driver's) is misuse; one it opened itself is not.
func TestPrimaryOwnGroup(t *testing.T) {
	p, res := runTriage(t, "dangle program v1\nkernel mainline\ndevres_release_group node=/soc/i2c@3000\n")
	if res.Misuse.Op != 1 {
		t.Errorf("release of a group the program did not open: misuse %+v", res.Misuse)
	}
	_ = p
	_, res = runTriage(t, "dangle program v1\nkernel mainline\ndevres_open_group node=/soc/i2c@3000 id=1\ndevres_release_group node=/soc/i2c@3000 id=1\n")
	if res.Misuse.Op != 0 {
		t.Errorf("release of its own group: misuse %+v", res.Misuse)
	}
}

// TestKobjectParentRefOwnedByChild: the parent reference kobject_add()
// takes belongs to the child node (kobj->parent, dropped by the child's
// kobject_del()), so a child an unremovable changeset keeps alive is one
// leak with its changeset first, not also a "reference leak of
// device_node taken in kobject_add" of the base parent (the model
// reported both, and the parent's first, before the fix).
func TestKobjectParentRefOwnedByChild(t *testing.T) {
	const text = `dangle program v1
kernel mainline
of_overlay_fdt_apply blob=ov1.dtso
of_overlay_fdt_apply blob=ov2.dtso
-- ov1.dtso --
/dts-v1/;
/plugin/;
&{/soc/bus@10000} {
	fixup@9f00 {
	};
};
-- ov2.dtso --
/dts-v1/;
/plugin/;
&{/clock-24m} {
	dangle,dup = <0>;
};
/ {
	fragment@2 {
		target-path = "/clock-24m";
		__overlay__ {
			dangle,dup = <0>;
		};
	};
};
`
	p, res := runTriage(t, text)
	for _, f := range res.Findings {
		if f.Title == "reference leak of device_node taken in kobject_add" {
			t.Errorf("the child's parent reference reported as a leak of its own: %v", f)
		}
	}
	f, why := Primary(p, res)
	if f == nil || f.Title != changesetLeak || why != "" {
		t.Fatalf("primary %v (%q), want the changeset leak; findings %v", f, why, res.Findings)
	}
	if kb := CiteBug(p, res.Log, f); kb == nil || kb.ID != "failed-apply-unremovable" {
		t.Errorf("cited %v, want failed-apply-unremovable", kb)
	}
}

// TestPrimaryProgramHeldRefs: a get_device on an overlay's device held
// across the overlay's removal makes of_changeset_destroy() report the
// node still referenced; the removal op is tainted by the program's
// reference. Put before the removal, the run is clean.
func TestPrimaryProgramHeldRefs(t *testing.T) {
	const text = `dangle program v1
kernel mainline
ov = of_overlay_fdt_apply blob=a.dtso
dev = get_device node=/soc/bus@10000/a@1
of_overlay_remove ov=ov
put_device dev=dev
-- a.dtso --
/dts-v1/;
/plugin/;
&bus {
	a@1 {
		compatible = "dangle,devres-test";
	};
};
`
	p, res := runTriage(t, text)
	f, why := Primary(p, res)
	if f == nil || res.Misuse.Op != 3 || !strings.Contains(why, "program ref dev") {
		t.Fatalf("primary %v, misuse %+v (%q): want op 3 tainted by the program's reference", f, res.Misuse, why)
	}
	fixed := strings.Replace(text, "of_overlay_remove ov=ov\nput_device dev=dev\n", "put_device dev=dev\nof_overlay_remove ov=ov\n", 1)
	p, res = runTriage(t, fixed)
	if f, why := Primary(p, res); f != nil || res.Misuse.Op != 0 {
		t.Errorf("put before the removal: primary %v (%q), misuse %+v", f, why, res.Misuse)
	}
}

// TestPrimaryUnputDescriptor: a descriptor the program got and never put
// taints the teardown (the gpio_device and module references it finds
// held are the program's); with the put the run is clean.
func TestPrimaryUnputDescriptor(t *testing.T) {
	const text = `dangle program v1
kernel mainline
ov = of_overlay_fdt_apply blob=consumer.dtso
d = gpiod_get node=/gpio-consumer con=reset
PUT-- consumer.dtso --
/dts-v1/;
/plugin/;
&{/} {
	gpio-consumer {
		status = "disabled";
		reset-gpios = <&gpio0 5 0>;
	};
};
`
	p, res := runTriage(t, strings.Replace(text, "PUT", "", 1))
	if _, why := Primary(p, res); res.Misuse.Op != 3 || !strings.Contains(why, "never put") {
		t.Errorf("misuse %+v (%q), want the teardown (op 3)", res.Misuse, why)
	}
	p, res = runTriage(t, strings.Replace(text, "PUT", "gpiod_put desc=d\n", 1))
	if f, _ := Primary(p, res); f != nil || res.Misuse.Op != 0 {
		t.Errorf("with the put: primary %v, misuse %+v", f, res.Misuse)
	}
}

// TestPrimaryBoundConsumerUnboundSupplier: a managed link from a bound
// consumer to a supplier that binds only later stays AVAILABLE, so the
// supplier's unbind WARNs in device_links_driver_cleanup(); the
// device_link_add is the program's misuse. The same link to a bound
// supplier is not.
func TestPrimaryBoundConsumerUnboundSupplier(t *testing.T) {
	const text = `dangle program v1
kernel mainline
of_overlay_fdt_apply blob=ov.dtso
device_link_add consumer=/soc/i2c@bc00 supplier=/soc/spi@b100 flags=DL_FLAG_AUTOREMOVE_CONSUMER
flush_workqueue wq=events
-- ov.dtso --
/dts-v1/;
/plugin/;
&soc {
	i2c@bc00 {
		compatible = "dangle,i2c-controller";
	};
	spi@b100 {
		compatible = "dangle,spi-controller";
		clocks = <&clk>;
	};
};
/ {
	fragment@1 {
		target = <&soc>;
		__overlay__ {
			clk: clock {
				compatible = "fixed-clock";
			};
		};
	};
};
`
	p, res := runTriage(t, text)
	f, why := Primary(p, res)
	if f == nil || f.Title != "WARNING in device_links_driver_cleanup" || res.Misuse.Op != 2 {
		t.Fatalf("primary %v (%q), misuse %+v; want the cleanup WARN, op 2 tainted", f, why, res.Misuse)
	}
	// after the events work bound the supplier, the same link is fine
	p, res = runTriage(t, strings.Replace(text, "device_link_add consumer=/soc/i2c@bc00 supplier=/soc/spi@b100 flags=DL_FLAG_AUTOREMOVE_CONSUMER\nflush_workqueue wq=events\n",
		"flush_workqueue wq=events\ndevice_link_add consumer=/soc/i2c@bc00 supplier=/soc/spi@b100 flags=DL_FLAG_AUTOREMOVE_CONSUMER\n", 1))
	if res.Misuse.Op != 0 {
		t.Errorf("link to a bound supplier: misuse %+v", res.Misuse)
	}
}
