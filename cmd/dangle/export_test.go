package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"dangle/prog"
)

// TestExport exports every crasher and corpus program: each .dtso
// compiles with dtc -@ (when dtc is installed, as in CI), replay.sh
// passes sh -n, and the KUnit skeleton calls the ops' kernel functions
// in the program's order.
func TestExport(t *testing.T) {
	progs, _ := filepath.Glob("../../crashers/*/repro.prog")
	corpus, _ := filepath.Glob("../../corpus/*.prog")
	progs = append(progs, corpus...)
	if len(progs) < 10 {
		t.Fatalf("%d programs to export", len(progs))
	}
	dtc, dtcErr := exec.LookPath("dtc")
	if dtcErr != nil {
		t.Log("dtc not installed: the .dtso files are not compiled")
	}
	for _, prog := range progs {
		out := t.TempDir()
		code, stdout, stderr := run("export", "-o", out, prog)
		if code != 0 {
			t.Fatalf("%s: exit %d\n%s%s", prog, code, stdout, stderr)
		}
		srcs, _ := filepath.Glob(filepath.Join(out, "*.dtso"))
		for _, src := range srcs {
			if dtcErr != nil {
				break
			}
			cmd := exec.Command(dtc, "-@", "-q", "-I", "dts", "-O", "dtb", "-o", os.DevNull, src)
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("%s: dtc -@ %s: %v\n%s", prog, filepath.Base(src), err, b)
			}
		}
		if b, err := exec.Command("sh", "-n", filepath.Join(out, "replay.sh")).CombinedOutput(); err != nil {
			t.Errorf("%s: sh -n replay.sh: %v\n%s", prog, err, b)
		}
		if _, err := os.Stat(filepath.Join(out, "base.dts")); err != nil {
			t.Errorf("%s: no base.dts: %v", prog, err)
		}
		c, err := os.ReadFile(filepath.Join(out, "repro_kunit.c"))
		if err != nil {
			t.Fatal(err)
		}
		checkCallOrder(t, prog, string(c))
	}
}

// checkCallOrder: the kernel function of each op that has one appears in
// the skeleton after the previous one.
func checkCallOrder(t *testing.T, prog, c string) {
	t.Helper()
	text, err := os.ReadFile(prog)
	if err != nil {
		t.Fatal(err)
	}
	calls := map[string]string{
		"of_overlay_fdt_apply":  "ret = of_overlay_fdt_apply(",
		"of_overlay_remove":     "ret = of_overlay_remove(&",
		"of_overlay_remove_all": "ret = of_overlay_remove_all();",
		"device_release_driver": "\tdevice_release_driver(d0);",
		"gpiod_get":             " = gpiod_get(d0, ",
		"gpiod_put":             "\tgpiod_put(",
		"device_attach":         "ret = device_attach(d0);",
	}
	body := c[strings.Index(c, "static void dangle_repro("):]
	pos, checked := 0, 0
	defer func() {
		if checked == 0 && !t.Failed() {
			t.Errorf("%s: no op checked", prog)
		}
	}()
	for _, l := range strings.Split(string(text), "\n") {
		if strings.HasPrefix(l, "-- ") {
			break
		}
		f := strings.Fields(l)
		if len(f) == 0 || strings.HasPrefix(l, "#") {
			continue
		}
		op := f[0]
		if len(f) > 2 && f[1] == "=" {
			op = f[2]
		}
		want, ok := calls[op]
		if !ok {
			continue
		}
		i := strings.Index(body[pos:], want)
		if i < 0 {
			t.Errorf("%s: repro_kunit.c lacks %q for %q after byte %d", prog, want, l, pos)
			return
		}
		pos += i + len(want)
		checked++
	}
}

// TestExportRebind: a bind after an unbind pins the driver that was
// bound, with driver_override.
func TestExportRebind(t *testing.T) {
	p := write(t, "rebind.prog", "dangle program v1\ndevice_release_driver node=/soc/gpio@2000\ndevice_attach node=/soc/gpio@2000\n")
	out := t.TempDir()
	if code, stdout, stderr := run("export", "-o", out, p); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	sh, _ := os.ReadFile(filepath.Join(out, "replay.sh"))
	for _, want := range []string{"# bound to dangle-gpio\nunbind /soc/gpio@2000\n", "bind /soc/gpio@2000 dangle-gpio\n", "driver_override", "MAINLINE LACKS THIS CONFIGFS INTERFACE"} {
		if !strings.Contains(string(sh), want) {
			t.Errorf("replay.sh lacks %q:\n%s", want, sh)
		}
	}
	if code, _, _ := run("export", p); code != 2 {
		t.Errorf("export without -o: exit %d, want 2", code)
	}
}

// TestExportBlob: an overlay given as a blob is exported as the binary
// dtc wrote, and the script applies it as it is.
func TestExportBlob(t *testing.T) {
	dtc, err := exec.LookPath("dtc")
	if err != nil {
		t.Skip("NOTICE: dtc not installed: the blob export test was SKIPPED")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "x.dtso")
	os.WriteFile(src, []byte("/dts-v1/;\n/plugin/;\n&bus {\n\tx@1 {\n\t\tcompatible = \"dangle,x\";\n\t};\n};\n"), 0o644)
	blob, err := exec.Command(dtc, "-@", "-q", "-I", "dts", "-O", "dtb", src).Output()
	if err != nil {
		t.Fatal(err)
	}
	p := write(t, "blob.prog", "dangle program v1\nov = of_overlay_fdt_apply blob=x.dtbo\nof_overlay_remove ov=ov\n-- x.dtbo --\n"+string(prog.EncodeBlob(blob)))
	out := t.TempDir()
	if code, stdout, stderr := run("export", "-o", out, p); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	if got, err := os.ReadFile(filepath.Join(out, "x.dtbo")); err != nil || string(got) != string(blob) {
		t.Errorf("x.dtbo is not the blob: %v", err)
	}
	sh, _ := os.ReadFile(filepath.Join(out, "replay.sh"))
	if !strings.Contains(string(sh), "apply ov x.dtbo\n") {
		t.Errorf("replay.sh:\n%s", sh)
	}
}
