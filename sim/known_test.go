package sim

import (
	"testing"

	"dangle/prog"
)

const b3Prog = `dangle program v1
ov = of_overlay_fdt_apply blob=b3.dtso
of_overlay_remove ov=ov
-- b3.dtso --
/dts-v1/;
/plugin/;
&i2c1 { status = "okay"; clock-frequency = <400000>; };
`

// TestKnownNeedsTheAnnouncement: the known-findings table matches by
// evidence. Two copies leak on the same base node's deadprops with the
// same title; the one whose announcement is erased (as if the kernel had
// not printed its warning for it) is a finding, the other stays known.
func TestKnownNeedsTheAnnouncement(t *testing.T) {
	p, err := prog.Parse("b3.prog", []byte(b3Prog))
	if err != nil {
		t.Fatal(err)
	}
	k, err := New(p, Config{Filename: "b3.prog"})
	if err != nil {
		t.Fatal(err)
	}
	k.RunOps()
	erased := 0
	for _, o := range k.Reg.Objects() {
		if o.Type == "property" && o.Name == "/soc/i2c@5000/clock-frequency" && o.Announced != "" {
			o.Announced = ""
			erased++
		}
	}
	if erased != 1 {
		t.Fatalf("found %d announced clock-frequency copies, want 1", erased)
	}
	k.Teardown()
	fs, known := k.Log.Findings(), k.Log.Known()
	if len(fs) != 1 || fs[0].Title != "memory leak of property allocated in add_changeset_property" ||
		len(fs[0].Objects) != 1 || fs[0].Objects[0] != "/soc/i2c@5000/clock-frequency (on deadprops of /soc/i2c@5000)" {
		t.Errorf("findings = %+v", fs)
	}
	if len(known) != 1 || len(known[0].Objects) != 1 || known[0].Objects[0] != "/soc/i2c@5000/status (on deadprops of /soc/i2c@5000)" ||
		known[0].Known != "announced by the kernel at apply" {
		t.Errorf("known = %+v", known)
	}
}

// TestStrictCountsKnown: Config.Strict turns known findings back into
// findings; StrictFromEnv reads DANGLE_STRICT=1.
func TestStrictCountsKnown(t *testing.T) {
	p, err := prog.Parse("b3.prog", []byte(b3Prog))
	if err != nil {
		t.Fatal(err)
	}
	for _, strict := range []bool{false, true} {
		res, err := Run(p, Config{Filename: "b3.prog", Strict: strict})
		if err != nil {
			t.Fatal(err)
		}
		if n, m := len(res.Findings), len(res.Known); strict && (n != 1 || m != 0) || !strict && (n != 0 || m != 1) {
			t.Errorf("strict=%v: %d findings, %d known", strict, n, m)
		}
		if strict && res.Findings[0].Known != "" {
			t.Errorf("strict finding still marked known: %+v", res.Findings[0])
		}
	}
	t.Setenv(StrictEnv, "1")
	if !StrictFromEnv() {
		t.Errorf("DANGLE_STRICT=1 not strict")
	}
	t.Setenv(StrictEnv, "")
	if StrictFromEnv() {
		t.Errorf("empty DANGLE_STRICT is strict")
	}
}
