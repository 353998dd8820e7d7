package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// testInclude holds the dt-bindings headers written for the tests.
const testInclude = "../../dt/testdata/include"

func needCPP(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("cpp"); err != nil {
		t.Skip("NOTICE: cpp not installed (Debian: apt-get install cpp): skipping a -I test")
	}
}

const incProg = `dangle program v1
ov = of_overlay_fdt_apply blob=leds.dtso
of_overlay_remove ov=ov
-- leds.dtso --
/dts-v1/;
/plugin/;
#include <dt-bindings/gpio/gpio.h>

&bus {
	leds {
		compatible = "gpio-leds";
		led0 { gpios = <&gpio0 5 GPIO_ACTIVE_LOW>; };
	};
};
`

// TestInclude: -I runs the program's sources through cpp; errors point
// into the original .prog line; without -I an #include gets a hint.
func TestInclude(t *testing.T) {
	needCPP(t)
	p := write(t, "inc.prog", incProg)
	code, out, errs := run("run", "-I", testInclude, p)
	if code == 2 || !strings.Contains(out, "op 1: returned 0, ov = 1") {
		t.Fatalf("exit %d:\n%s%s", code, out, errs)
	}
	code, _, errs = run("run", p)
	if code != 2 || !strings.Contains(errs, "inc.prog:7:1: leds.dtso: #include") || !strings.Contains(errs, "run with -I DIR") {
		t.Errorf("without -I: exit %d: %s", code, errs)
	}
	bad := write(t, "bad.prog", strings.Replace(incProg, "GPIO_ACTIVE_LOW", "GPIO_ACTIVE_LWO", 1))
	code, _, errs = run("run", "-I", testInclude, bad)
	if code != 2 || !strings.HasPrefix(errs, "bad.prog:12:") && !strings.Contains(errs, "/bad.prog:12:") || !strings.Contains(errs, "leds.dtso: unexpected identifier \"GPIO_ACTIVE_LWO\"") {
		t.Errorf("bad macro: exit %d: %s", code, errs)
	}
	missing := write(t, "m.prog", strings.Replace(incProg, "gpio/gpio.h", "gpio/nope.h", 1))
	code, _, errs = run("run", "-I", testInclude, missing)
	if code != 2 || !strings.Contains(errs, "m.prog:7:10: leds.dtso: cpp:") {
		t.Errorf("missing header: exit %d: %s", code, errs)
	}
	// -base .dts sources are preprocessed too
	board := write(t, "board.dts", "/dts-v1/;\n#include <dt-bindings/gpio/gpio.h>\n/ { bus: bus { flags = <GPIO_PULL_UP>; }; };\n")
	plain := write(t, "p.prog", "dangle program v1\nov = of_overlay_fdt_apply blob=o.dtso\n-- o.dtso --\n/dts-v1/;\n/plugin/;\n&bus { status = \"okay\"; };\n")
	if code, out, errs := run("run", "-I", testInclude, "-base", board, plain); code == 2 || !strings.Contains(out, "returned 0, ov = 1") {
		t.Errorf("-base with -I: exit %d:\n%s%s", code, out, errs)
	}
	if code, _, errs := run("run", "-base", board, plain); code != 2 || !strings.Contains(errs, "add -I DIR") || strings.Count(errs, "\n") != 1 {
		t.Errorf("-base without -I: exit %d: %s", code, errs)
	}
}

// TestBoardOverlayInclude: a real board overlay (the BeaglePlay OV5640
// camera overlay from ../shared/boards, decompiled, with its gpio-hog's
// flags written as the upstream source writes them: GPIO_ACTIVE_HIGH from
// <dt-bindings/gpio/gpio.h>) runs with -I on the real board, and an error
// in it points at its line in the program.
func TestBoardOverlayInclude(t *testing.T) {
	needCPP(t)
	boards := "../../../shared/boards"
	ov, err := os.ReadFile(filepath.Join(boards, "k3-am625-beagleplay-csi2-ov5640.dtso"))
	if err != nil {
		t.Skipf("NOTICE: ../shared/boards not found (%v): skipping the real-board -I test", err)
	}
	src := strings.Replace(string(ov), "/dts-v1/;\n", "/dts-v1/;\n#include <dt-bindings/gpio/gpio.h>\n", 1)
	src = strings.Replace(src, "gpios = <0x0b 0x00>;", "gpios = <11 GPIO_ACTIVE_HIGH>;", 1)
	if !strings.Contains(src, "GPIO_ACTIVE_HIGH") {
		t.Fatal("the board overlay changed: no gpio-hog gpios = <0x0b 0x00>")
	}
	text := "dangle program v1\nkernel v6.12\nov = of_overlay_fdt_apply blob=csi.dtso\nof_overlay_remove ov=ov\n-- csi.dtso --\n" + src
	base := filepath.Join(boards, "k3-am625-beagleplay.dtb")
	code, out, errs := run("run", "-I", testInclude, "-base", base, write(t, "bp.prog", text))
	if code == 2 || !strings.Contains(out, "op 1: returned 0, ov = 1") || !strings.Contains(out, "op 2: returned 0, ov = 0") {
		t.Fatalf("exit %d:\n%s%s", code, out, errs)
	}
	line := 5 + strings.Count(src[:strings.Index(src, "GPIO_ACTIVE_HIGH")], "\n") + 1
	bad := write(t, "bp.prog", strings.Replace(text, "GPIO_ACTIVE_HIGH", "GPIO_ACTIVE_HIHG", 1))
	code, _, errs = run("run", "-I", testInclude, "-base", base, bad)
	if want := bad + ":" + itoa(line) + ":"; code != 2 || !strings.HasPrefix(errs, want) {
		t.Errorf("exit %d: %s, want an error at %s", code, errs, want)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestIncludeHarmless: cpp leaves sources without directives as they
// are: every corpus program runs the same with -I as without.
func TestIncludeHarmless(t *testing.T) {
	needCPP(t)
	files, _ := filepath.Glob("../../corpus/*.prog")
	if len(files) == 0 {
		t.Fatal("no corpus")
	}
	for _, f := range files {
		codeA, a, errA := run("run", f)
		codeB, b, errB := run("run", "-I", testInclude, f)
		a, _, _ = strings.Cut(a, "; replay: ")
		b, _, _ = strings.Cut(b, "; replay: ")
		if codeA != codeB || a != b || errA != errB {
			t.Errorf("%s: -I changes the run (exit %d vs %d):\n%s%s\n---\n%s%s", f, codeA, codeB, a, errA, b, errB)
		}
	}
}
