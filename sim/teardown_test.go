package sim

import (
	"fmt"
	"strings"
	"testing"

	"dangle/prog"
	"dangle/sim/profile"
	"dangle/sim/report"
)

// TestDriverUnloadLeaksNothing: unloading any catalog driver's module and
// doing nothing else leaks nothing on any profile (issue 9 item 2: the
// teardown used to load it again and blame the new allocations on the
// program). Other findings (B7's devres-after-PM-detach on the platform
// bus before v6.17) are the unbind's own and not checked here.
//
// The base tree is the built-in one plus a TCA6416 expander on i2c0, so
// the GPIO expander driver has a device to unbind.
func TestDriverUnloadLeaksNothing(t *testing.T) {
	base := string(prog.DefaultBase)
	at := strings.Index(base, "i2c0: i2c@3000 {")
	end := at + strings.Index(base[at:], "\n\t\t};")
	if at < 0 || end < at {
		t.Fatal("no i2c0 in the built-in base tree")
	}
	base = base[:end] + "\n\n\t\t\tgpio@20 {\n\t\t\t\tcompatible = \"ti,tca6416\";\n\t\t\t\treg = <0x20>;\n" +
		"\t\t\t\tgpio-controller;\n\t\t\t\t#gpio-cells = <2>;\n\t\t\t};" + base[end:]
	for _, drv := range prog.DriverCompatibles {
		src := fmt.Sprintf("dangle program v1\ndriver_unregister driver=%s\n-- base.dts --\n%s", drv, base)
		p, err := prog.Parse("unload.prog", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		for _, kern := range profile.Names() {
			res, err := Run(p, Config{Filename: "unload.prog", Profile: kern})
			if err != nil {
				t.Fatalf("%s under %s: %v", drv, kern, err)
			}
			for _, f := range res.Findings {
				if f.Kind == report.Leak {
					t.Errorf("driver_unregister driver=%s under %s: %s\n%s", drv, kern, f.Title, res.Log)
				}
			}
		}
	}
}
