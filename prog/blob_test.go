package prog

import (
	"bytes"
	"strings"
	"testing"
)

func TestBlobFiles(t *testing.T) {
	blob := bytes.Repeat([]byte{0xd0, 0x0d, 0xfe, 0xed, 1, 2, 3}, 30)
	text := "dangle program v1\nov = of_overlay_fdt_apply blob=o.dtbo\n-- o.dtbo --\n" + string(EncodeBlob(blob))
	p, err := Parse("t.prog", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.File("o.dtbo").Blob()
	if err != nil || !bytes.Equal(got, blob) {
		t.Fatalf("Blob() = %x, %v", got, err)
	}
	for _, l := range strings.Split(string(EncodeBlob(blob)), "\n") {
		if len(l) > 76 {
			t.Fatalf("line longer than 76: %q", l)
		}
	}
	if string(p.Print()) != text {
		t.Fatalf("print:\n%s\nwant:\n%s", p.Print(), text)
	}
}

func TestBlobErrors(t *testing.T) {
	for text, want := range map[string]string{
		"dangle program v1\nov = of_overlay_fdt_apply blob=o.dtbo\n-- o.dtbo --\n0A0A\n0A*A\n": `t.prog:5: o.dtbo: bad base64 character '*'`,
		"dangle program v1\nov = of_overlay_fdt_apply blob=o.dtbo\n-- o.dtbo --\n0A0\n":        `t.prog:4: o.dtbo: bad base64`,
		"dangle program v1\nov = of_overlay_fdt_apply blob=o.dtbo\n-- o.dtbo --\n":             `t.prog:4: o.dtbo: empty blob`,
	} {
		_, err := Parse("t.prog", []byte(text))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) = %v, want %q", text, err, want)
		}
	}
}
