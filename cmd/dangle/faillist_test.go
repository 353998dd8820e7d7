package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFailList: dangle run -fail-list FILE writes each program's fallible
// steps, op by op, in the order reached, and fail_nth=N then fails the
// N-th of them.
func TestFailList(t *testing.T) {
	prog := write(t, "p.prog", cleanProg)
	list := filepath.Join(t.TempDir(), "steps.txt")
	if code, _, errs := run("run", "-kernel", "mainline", "-fail-list", list, prog); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	data, err := os.ReadFile(list)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for _, want := range []string{
		"=== " + prog + " (kernel mainline): ",
		"op 1 step 1: kzalloc in of_overlay_fdt_apply (overlay_changeset): -ENOMEM\n",
		"op 1 step 2: idr_alloc in of_overlay_fdt_apply: -ENOMEM\n",
		"op 1 step 7: kzalloc in __of_node_dup (device_node): -ENOMEM\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("fail list lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "(failed)") {
		t.Errorf("a step failed without fail_nth:\n%s", text)
	}

	aimed := write(t, "q.prog", strings.Replace(cleanProg, "blob=dev.dtso\n", "blob=dev.dtso fail_nth=7\n", 1))
	code, out, _ := run("run", "-kernel", "mainline", "-fail-list", list, aimed)
	if code != 0 || !strings.Contains(out, "fail_nth: step 7: kzalloc in __of_node_dup (device_node) fails (-ENOMEM)") {
		t.Errorf("exit %d, output:\n%s", code, out)
	}
	data, _ = os.ReadFile(list)
	if !strings.Contains(string(data), "op 1 step 7: kzalloc in __of_node_dup (device_node): -ENOMEM (failed)\n") {
		t.Errorf("fail list does not mark the failed step:\n%s", data)
	}
	if code, _, errs := run("run", "-fail-list", filepath.Join(t.TempDir(), "no", "such", "dir"), prog); code != 2 || !strings.Contains(errs, "-fail-list") {
		t.Errorf("unwritable -fail-list: exit %d, %q", code, errs)
	}
}
