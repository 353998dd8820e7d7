package sim

import (
	"encoding/binary"
	"strings"
	"testing"

	"dangle/dt"
	"dangle/prog"
)

// TestBadOverlayBlobs: a corrupt .dtbo is the kernel's to reject, with
// of_overlay_fdt_apply()'s own results: "Invalid overlay_fdt header" when
// fdt_check_header() fails, a silent -EINVAL when the buffer is shorter
// than totalsize, "unable to unflatten overlay_fdt" when the structure
// is broken; each followed by dangle's own reason as a note.
func TestBadOverlayBlobs(t *testing.T) {
	tree, _, err := dt.Load("o.dtso", []byte("/dts-v1/;\n/plugin/;\n&bus { x { }; };\n"), dt.CompileOptions{Symbols: true})
	if err != nil {
		t.Fatal(err)
	}
	good := dt.WriteFDT(tree)
	structOff := binary.BigEndian.Uint32(good[8:])
	for _, tc := range []struct {
		name  string
		blob  []byte
		kern  string
		lines []string
	}{
		{"valid", good, "", []string{"op 1: returned 0, ov = 1"}},
		{"bad magic", corrupt(good, func(b []byte) { b[0] = 0 }), "", []string{
			"OF: overlay: Invalid overlay_fdt header\nnote: o.dtbo is corrupt: offset 0x0: bad magic", "op 1: returned -EINVAL, ov = 0"}},
		{"short header", good[:20], "", []string{"OF: overlay: Invalid overlay_fdt header"}},
		{"truncated", good[:len(good)-8], "", []string{"op 1: ov = of_overlay_fdt_apply blob=o.dtbo\nnote: o.dtbo is corrupt: offset 0xc7: truncated blob", "\nop 1: returned -EINVAL, ov = 0"}},
		{"bad token", corrupt(good, func(b []byte) { binary.BigEndian.PutUint32(b[structOff:], 7) }), "", []string{
			"OF: overlay: unable to unflatten overlay_fdt\nnote: o.dtbo is corrupt: offset 0x38: ", "op 1: returned -EINVAL, ov = 0"}},
		{"bad token pre-5.19", corrupt(good, func(b []byte) { binary.BigEndian.PutUint32(b[structOff:], 7) }), "v5.15", []string{
			"OF: overlay: unable to unflatten overlay_fdt", "op 1: returned -EINVAL, ov = 0"}},
	} {
		text := "dangle program v1\nov = of_overlay_fdt_apply blob=o.dtbo\nof_overlay_remove ov=ov\n-- o.dtbo --\n" + string(prog.EncodeBlob(tc.blob))
		p, err := prog.Parse("t.prog", []byte(text))
		if err != nil {
			t.Fatal(err)
		}
		res, err := Run(p, Config{Filename: "t.prog", Profile: tc.kern})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		for _, l := range tc.lines {
			if !strings.Contains(res.Log, l) {
				t.Errorf("%s: log lacks %q:\n%s", tc.name, l, res.Log)
			}
		}
		if len(res.Findings) != 0 {
			t.Errorf("%s: a rejected blob leaves nothing behind, got findings:\n%s", tc.name, res.Log)
		}
	}
}

func corrupt(b []byte, f func([]byte)) []byte {
	c := append([]byte(nil), b...)
	f(c)
	return c
}
