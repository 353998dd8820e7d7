package dt

import (
	"os/exec"
	"strings"
	"testing"
)

// needCPP skips the test, visibly, when cpp is not installed.
func needCPP(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath(CPP); err != nil {
		t.Skipf("NOTICE: %s not installed (Debian: apt-get install cpp): skipping the preprocessor test", CPP)
	}
}

// TestPreprocess: a kernel-style source with #include and macros compiles
// after Preprocess, with the headers shipped in testdata/include; line
// markers map lines of the output back to the source and the header.
func TestPreprocess(t *testing.T) {
	needCPP(t)
	src := "// a board fragment\n/dts-v1/;\n#include <dt-bindings/gpio/gpio.h>\n#include <dt-bindings/interrupt-controller/arm-gic.h>\n\n/ {\n#ifdef __DTS__\n\tdts;\n#endif\n\tled { gpios = <&g 3 GPIO_ACTIVE_LOW>; interrupts = <GIC_SPI 7 IRQ_TYPE_LEVEL_HIGH>; };\n\tg: gpio { #gpio-cells = <2>; };\n};\n"
	pre, err := Preprocess("b.dts", "", []byte(src), []string{"testdata/include"})
	if err != nil {
		t.Fatal(err)
	}
	tree, _, err := Load("b.dts", pre.Data, CompileOptions{})
	if err != nil {
		t.Fatalf("%v\n%s", pre.MapError(err), pre.Data)
	}
	led := tree.Root.Children[0]
	if got := led.Props[0].Value; len(got) != 12 || got[11] != 1 { // <phandle 3 1>
		t.Errorf("gpios = % x, want GPIO_ACTIVE_LOW (1) in the third cell", got)
	}
	if got := led.Props[1].Value; got[3] != 0 || got[7] != 7 || got[11] != 4 {
		t.Errorf("interrupts = % x, want <0 7 4>", got)
	}
	if tree.Root.Children[1].Name != "gpio" || len(tree.Root.Props) != 1 || tree.Root.Props[0].Name != "dts" {
		t.Errorf("__DTS__ not defined: root props %v", tree.Root.Props)
	}
	// every line of the source maps back to itself
	lines := strings.Split(string(pre.Data), "\n")
	for i, l := range lines {
		if strings.Contains(l, "led {") {
			if o := pre.Origin(i + 1); o != (Origin{File: "b.dts", Line: 10}) {
				t.Errorf("led line comes from %+v, want b.dts:10", o)
			}
		}
	}
	// an error after the includes names the source line
	bad := strings.Replace(src, "GPIO_ACTIVE_LOW", "GPIO_ACTIVE_LWO", 1)
	pre, err = Preprocess("b.dts", "", []byte(bad), []string{"testdata/include"})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = Load("b.dts", pre.Data, CompileOptions{})
	if e, ok := pre.MapError(err).(*Error); !ok || e.File != "b.dts" || e.Line != 10 || !strings.Contains(e.Msg, "GPIO_ACTIVE_LWO") {
		t.Errorf("error %v, want b.dts:10 naming GPIO_ACTIVE_LWO", pre.MapError(err))
	}
	// a missing header is cpp's error at the #include line
	_, err = Preprocess("b.dts", "", []byte(src), nil)
	if e, ok := err.(*Error); !ok || e.Line != 3 || !strings.Contains(e.Msg, "cpp:") {
		t.Errorf("no -I: %v, want a cpp error at b.dts:3", err)
	}
}

func TestNeedsCPP(t *testing.T) {
	for src, want := range map[string]bool{
		"#include <a.h>\n":                 true,
		"  #define X 1\n":                  true,
		"#if 0\n#endif\n":                  true,
		"/ { #address-cells = <1>; };\n":   false,
		"/ {\n\t#include-cells = <1>;\n};": false,
		"/include/ \"x.dtsi\"\n":           false,
	} {
		if got := NeedsCPP([]byte(src)); got != want {
			t.Errorf("NeedsCPP(%q) = %v", src, got)
		}
	}
}
