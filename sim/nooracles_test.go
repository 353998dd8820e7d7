package sim

import (
	"testing"

	"dangle/prog"
)

// TestNoOracles: B5's gpio_device reference leak is the end-of-run leak
// oracle's finding, so Config.NoOracles drops it; the kernel's own
// message (REMOVING GPIOCHIP…, a finding of the model) stays.
func TestNoOracles(t *testing.T) {
	p, err := prog.ParseFile("../corpus/b5-gpiochip-remove-requested.prog")
	if err != nil {
		t.Fatal(err)
	}
	for _, off := range []bool{false, true} {
		res, err := Run(p, Config{Filename: "b5", Quiet: true, NoOracles: off})
		if err != nil {
			t.Fatal(err)
		}
		leak, kernel := false, false
		for _, f := range res.Findings {
			leak = leak || f.Title == "reference leak of gpio_device taken in gpiod_request"
			kernel = kernel || f.Title == "REMOVING GPIOCHIP WITH GPIOS STILL REQUESTED in gpiochip_remove"
		}
		if leak == off || !kernel {
			t.Errorf("NoOracles=%v: leak oracle's finding %v, kernel's %v; findings %v", off, leak, kernel, res.Findings)
		}
	}
}
