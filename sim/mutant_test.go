package sim

import (
	"fmt"
	"strings"
	"testing"

	"dangle/prog"
	"dangle/sim/core"
	"dangle/sim/drivers"
)

// forgetCase is one release a catalog driver makes and a program that
// exercises it: run as is, the program must not have the finding; with
// the driver forgetting that release (core.Core.Forgets, a test-only
// mutant), it must. That proves the resource is modelled with the
// reference the kernel really holds.
type forgetCase struct {
	driver  string // catalog driver name
	release string // the remove call or devres entry the mutant skips
	node    string // the node of the device whose driver forgets
	kernel  string // profile ("" = mainline)
	prog    string // ops and files after the header
	want    string // a finding title containing this
}

// overlay wraps a body (fragments) into a one-overlay apply/remove program.
func overlay(body string) string {
	return "ov = of_overlay_fdt_apply blob=o.dtso\nof_overlay_remove ov=ov\n-- o.dtso --\n/dts-v1/;\n/plugin/;\n" + body
}

const (
	regExpander = `&bus {
	vdd: regulator-vdd {
		compatible = "regulator-fixed";
		regulator-name = "vdd";
	};
};
&i2c0 {
	gpio@20 {
		compatible = "nxp,pca9534";
		reg = <0x20>;
		vcc-supply = <&vdd>;
		gpio-controller;
		#gpio-cells = <2>;
	};
};
`
	gpioLeds = `&bus {
	leds {
		compatible = "gpio-leds";
		led0 {
			gpios = <&gpio0 1 0>;
		};
	};
};
`
)

var forgetCases = []forgetCase{
	{driver: "of_fixed_clk", release: "of_clk_del_provider", node: "/soc/bus@10000/clk@100",
		prog: overlay("&bus { clk@100 { compatible = \"fixed-clock\"; #clock-cells = <0>; clock-frequency = <1000000>; }; };\n"),
		want: "memory leak of of_clk_provider allocated in of_clk_add_hw_provider"},
	{driver: "dangle-pd", release: "of_genpd_del_provider", node: "/soc/bus@10000/power-controller@300",
		prog: overlay("&bus { power-controller@300 { compatible = \"dangle,power-domain\"; reg = <0x300 0x10>; #power-domain-cells = <0>; }; };\n"),
		want: "memory leak of of_genpd_provider allocated in genpd_add_provider"},
	{driver: "dangle-i2c", release: "i2c_del_adapter", node: "/soc/bus@10000/i2c@200",
		prog: overlay("&bus { i2c@200 { compatible = \"dangle,i2c-controller\"; reg = <0x200 0x10>; #address-cells = <1>; #size-cells = <0>; }; };\n"),
		want: "memory leak of device allocated in i2c_register_adapter"},
	{driver: "dangle-spi", release: "devm_spi_unregister", node: "/soc/bus@10000/spi@400",
		prog: overlay("&bus { spi@400 { compatible = \"dangle,spi-controller\"; reg = <0x400 0x10>; #address-cells = <1>; #size-cells = <0>; }; };\n"),
		want: "memory leak of device allocated in __spi_alloc_controller"},
	{driver: "dangle-gpio", release: "devm_action_release(devm_gpio_chip_release)", node: "/soc/bus@10000/gpio@500",
		prog: overlay("&bus { gpio@500 { compatible = \"dangle,gpio-controller\"; reg = <0x500 0x10>; gpio-controller; #gpio-cells = <2>; }; };\n"),
		want: "memory leak of gpio_device"},
	{driver: "reg-fixed-voltage", release: "devm_rdev_release", node: "/soc/bus@10000/regulator-vdd",
		prog: overlay(regExpander), want: "memory leak of device allocated in regulator_register"},
	{driver: "pca953x", release: "regulator_disable", node: "/soc/i2c@3000/gpio@20",
		prog: overlay(regExpander), want: "WARNING in _regulator_put"},
	{driver: "pca953x", release: "devm_regulator_release", node: "/soc/i2c@3000/gpio@20",
		prog: overlay(regExpander), want: "memory leak of device allocated in regulator_register"},
	{driver: "pca953x", release: "devm_action_release(devm_gpio_chip_release)", node: "/soc/i2c@3000/gpio@20",
		prog: overlay(regExpander), want: "memory leak of gpio_device"},
	{driver: "at24", release: "devm_action_release(devm_nvmem_unregister)", node: "/soc/i2c@3000/eeprom@50",
		prog: overlay("&i2c0 { eeprom@50 { compatible = \"atmel,24c32\"; reg = <0x50>; }; };\n"),
		want: "memory leak of nvmem_device allocated in nvmem_register"},
	{driver: "leds-gpio", release: "devm_led_classdev_release", node: "/soc/bus@10000/leds",
		prog: overlay(gpioLeds), want: "memory leak of device allocated in led_classdev_register_ext"},
	{driver: "leds-gpio", release: "devm_gpiod_release", node: "/soc/bus@10000/leds",
		prog: overlay(gpioLeds), want: "reference leak of module taken in try_module_get"},
	{driver: "dangle-i2c-input", release: "devm_input_device_unregister", node: "/soc/i2c@3000/touchscreen@38",
		prog: overlay("&i2c0 { touchscreen@38 { compatible = \"dangle,i2c-input\"; reg = <0x38>; }; };\n"),
		want: "memory leak of device allocated in i2c_new_client_device"},
	{driver: "dangle-i2c-input", release: "devm_input_device_release", node: "/soc/i2c@3000/touchscreen@38",
		prog: overlay("&i2c0 { touchscreen@38 { compatible = \"dangle,i2c-input\"; reg = <0x38>; }; };\n"),
		want: "memory leak of device allocated in input_allocate_device"},
	{driver: "dangle-spi-input", release: "devm_input_device_unregister", node: "/soc/spi@4000/touchscreen@0",
		prog: overlay("&spi0 { touchscreen@0 { compatible = \"dangle,spi-input\"; reg = <0>; }; };\n"),
		want: "memory leak of device allocated in spi_alloc_device"},
	{driver: "dangle-spi-input", release: "devm_input_device_release", node: "/soc/spi@4000/touchscreen@0",
		prog: overlay("&spi0 { touchscreen@0 { compatible = \"dangle,spi-input\"; reg = <0>; }; };\n"),
		want: "memory leak of device allocated in input_allocate_device"},
	{driver: "dangle-dt-fixup", release: "device_unregister", node: "/soc/bus@10000/fixup@600",
		prog: overlay("&bus { fixup@600 { compatible = \"dangle,dt-fixup\"; reg = <0x600 0x10>; }; };\n"),
		want: "memory leak of device allocated in dt_fixup_register"},
	{driver: "dangle-devres-test", release: "devm_regulator_release", node: "/soc/bus@10000/test@100",
		prog: overlay(`&bus {
	vdd: regulator-vdd {
		compatible = "regulator-fixed";
		regulator-name = "vdd";
	};
	test@100 {
		compatible = "dangle,devres-test";
		reg = <0x100 0x10>;
		vcc-supply = <&vdd>;
	};
};
`), want: "memory leak of device allocated in regulator_register"},
}

// forgetExempt are the catalog drivers that take nothing a forgotten
// release could leak, and why.
//
// Not cases, on purpose: devm_irq_release (an IRQ action holds no
// reference count; a forgotten free_irq() leaves a handler on a freed
// dev_id, which is not modelled); dangle-devres-test's log-only actions
// (they hold nothing by design); at24's own wp line on the nvmem_wp=
// borrowed-put profiles, which nvmem_release() puts anyway (B4).
var forgetExempt = map[string]string{
	"simple-pm-bus": "probe only checks the match; the children were populated by of_platform_default_populate()",
}

// TestForgottenReleases: for each catalog driver, every release it makes
// is modelled so that a driver forgetting it is a finding; every catalog
// driver has a case or a stated exemption.
func TestForgottenReleases(t *testing.T) {
	covered := map[string]bool{}
	for _, tc := range forgetCases {
		covered[tc.driver] = true
		name := tc.driver + "/" + tc.release
		t.Run(name, func(t *testing.T) {
			clean := forgetRun(t, tc, false)
			if f := findingWith(clean, tc.want); f != "" {
				t.Fatalf("%s: the unmutated driver already has %q:\n%s", name, f, strings.Join(clean, "\n"))
			}
			mut := forgetRun(t, tc, true)
			if findingWith(mut, tc.want) == "" {
				t.Errorf("%s: forgetting %s gives no finding containing %q; findings:\n%s", name, tc.release, tc.want, strings.Join(mut, "\n"))
			}
		})
	}
	for _, d := range drivers.Catalog() {
		if !covered[d.Name] && forgetExempt[d.Name] == "" {
			t.Errorf("catalog driver %s has no forgotten-release case and no exemption", d.Name)
		}
	}
}

// forgetRun runs tc's program, with the mutant if mutate, and returns the
// findings' titles.
func forgetRun(t *testing.T, tc forgetCase, mutate bool) []string {
	t.Helper()
	p, err := prog.Parse("mutant.prog", []byte("dangle program v1\n"+tc.prog))
	if err != nil {
		t.Fatal(err)
	}
	k, err := New(p, Config{Filename: "mutant.prog", Profile: tc.kernel, Quiet: true})
	if err != nil {
		t.Fatal(err)
	}
	forgot := false
	if mutate {
		k.Core.Forgets = func(d *core.Device, release string) bool {
			if d.OfNode != nil && d.OfNode.Path() == tc.node && release == tc.release && d.Class == "" {
				forgot = true
				return true
			}
			return false
		}
	}
	k.RunOps()
	k.Teardown()
	if mutate && !forgot {
		t.Fatalf("the mutant never reached %s on %s", tc.release, tc.node)
	}
	var out []string
	for _, f := range k.Log.Findings() {
		out = append(out, fmt.Sprintf("%s (%s)", f.Title, f.Kind))
	}
	return out
}

func findingWith(titles []string, want string) string {
	for _, s := range titles {
		if strings.Contains(s, want) {
			return s
		}
	}
	return ""
}
