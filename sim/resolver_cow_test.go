package sim

import (
	"bytes"
	"testing"

	"dangle/dt"
	"dangle/prog"
	"dangle/sim/of"
)

// TestResolverLeavesCompiledTree: an overlay's unflattened properties
// share their values with the compiled tree, as the kernel's point into
// the blob (issue 14 item 8: a big overlay's values are not held twice),
// and the resolver patches phandles into them. It must copy a value before
// patching it: the compiled tree stays as compiled, so a second run of the
// same parsed program (or a cached tree) resolves alike, while the live
// tree gets the patched phandle.
func TestResolverLeavesCompiledTree(t *testing.T) {
	src := "dangle program v1\nov = of_overlay_fdt_apply blob=o.dtso\nof_overlay_remove ov=ov\n-- o.dtso --\n" +
		"/dts-v1/;\n/plugin/;\n&bus {\n\tvdd: regulator-vdd {\n\t\tcompatible = \"regulator-fixed\";\n\t\tregulator-name = \"vdd\";\n\t};\n" +
		"\tuser {\n\t\tvcc-supply = <&vdd>;\n\t\tbus-ref = <&bus>;\n\t};\n};\n"
	p, err := prog.Parse("cow.prog", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	tree, err := p.File("o.dtso").Tree()
	if err != nil {
		t.Fatal(err)
	}
	before := dt.WriteFDT(tree)
	var logs [2]string
	for i := range logs {
		res, err := Run(p, Config{Filename: "cow.prog"})
		if err != nil {
			t.Fatal(err)
		}
		logs[i] = res.Log
	}
	if !bytes.Equal(dt.WriteFDT(tree), before) {
		t.Error("running the program changed its compiled overlay tree")
	}
	if logs[0] != logs[1] {
		t.Errorf("the second run logs otherwise:\n%s\n---\n%s", logs[0], logs[1])
	}

	k, err := New(p, Config{Filename: "cow.prog"})
	if err != nil {
		t.Fatal(err)
	}
	k.Step(0)
	var vdd, user *of.Node
	k.OF.AllNodes(func(n *of.Node) bool {
		switch n.FullName {
		case "regulator-vdd":
			vdd = n
		case "user":
			user = n
		}
		return true
	})
	if vdd == nil || user == nil {
		t.Fatal("the overlay's nodes are not in the live tree")
	}
	got, _ := user.Prop("vcc-supply").U32()
	compiled, _ := tree.Find("/fragment@0/__overlay__/user").Prop("vcc-supply").U32s()
	if got != vdd.Phandle || got == compiled[0] {
		t.Errorf("live vcc-supply = %#x, want the regulator's shifted phandle %#x (compiled: %#x)", got, vdd.Phandle, compiled[0])
	}
}
