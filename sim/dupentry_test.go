package sim

import (
	"strings"
	"testing"

	"dangle/prog"
)

// TestDupEntryCheckOrder: changeset_dup_entry_check() reports every entry
// that a later entry duplicates, in list order, once each (three
// fragments adding node x, two adding p and q): the order the kernel's
// pairwise scan prints, kept by the linear check.
func TestDupEntryCheckOrder(t *testing.T) {
	text := "dangle program v1\nov = of_overlay_fdt_apply blob=d.dtso\n-- d.dtso --\n/dts-v1/;\n/plugin/;\n/ {\n" +
		" fragment@0 { target = <&bus>; __overlay__ { p = <1>; x { }; }; };\n" +
		" fragment@1 { target = <&bus>; __overlay__ { p = <2>; q; x { }; }; };\n" +
		" fragment@2 { target = <&bus>; __overlay__ { q; x { }; }; };\n};\n"
	p, err := prog.Parse("d.prog", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(p, Config{Filename: "d.prog"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range strings.Split(res.Log, "\n") {
		if strings.Contains(l, "ERROR: multiple fragments") {
			got = append(got, strings.TrimPrefix(l, "  OF: overlay: ERROR: multiple fragments "))
		}
	}
	want := []string{
		"add, update, and/or delete property /soc/bus@10000/p",
		"add and/or delete node /soc/bus@10000/x",
		"add, update, and/or delete property /soc/bus@10000/x/name",
		"add, update, and/or delete property /soc/bus@10000/q",
		"add and/or delete node /soc/bus@10000/x",
		"add, update, and/or delete property /soc/bus@10000/x/name",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("dup errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
