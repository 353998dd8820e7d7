package fault

import (
	"testing"

	"dangle/sim/errno"
)

func TestInjector(t *testing.T) {
	var f Injector
	if f.Should("kzalloc", "boot", errno.ENOMEM) {
		t.Fatal("failed outside an op")
	}
	f.Begin(1, 2)
	got := []bool{f.Should("kzalloc", "a", errno.ENOMEM), f.Should("idr_alloc", "b", errno.ENOMEM), f.Should("kzalloc", "c", errno.ENOMEM)}
	if got[0] || !got[1] || got[2] || f.Reached() != 3 {
		t.Fatalf("fail_nth=2: %v, reached %d", got, f.Reached())
	}
	if len(f.Steps) != 0 {
		t.Fatal("recorded without Record")
	}
	f.End()
	if f.Should("kzalloc", "teardown", errno.ENOMEM) {
		t.Fatal("failed after End")
	}
	f.Record = true
	f.Begin(2, 0)
	f.Should("kzalloc", "x", errno.ENOMEM)
	f.Begin(3, 1)
	f.Should("device_add", "y", errno.ENOMEM)
	want := []string{"op 2 step 1: kzalloc in x: -ENOMEM", "op 3 step 1: device_add in y: -ENOMEM (failed)"}
	if len(f.Steps) != 2 || f.Steps[0].String() != want[0] || f.Steps[1].String() != want[1] {
		t.Fatalf("steps %v, want %v", f.Steps, want)
	}
	c := f.Clone()
	c.Steps[0].N = 9
	if f.Steps[0].N != 1 {
		t.Fatal("Clone shares Steps")
	}
}
