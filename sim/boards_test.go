package sim

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dangle/prog"
)

// boardsDir is ../shared/boards beside the repository: real boards' blobs
// from Debian's kernel packages (not copied into the repository).
func boardsDir(t *testing.T) string {
	dir := filepath.Join("..", "..", "shared", "boards")
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI must have %s: %v", dir, err)
		}
		t.Skipf("no %s", dir)
	}
	return dir
}

// boardOverlays maps each real overlay to the board it is built for
// (../shared/boards/README.md) and the return value of its apply on
// mainline: the rock-5b blob has no __symbols__, so its overlays' labels
// cannot resolve.
var boardOverlays = []struct {
	overlay, board string
	applyRet       string
}{
	{"k3-am62x-sk-csi2-imx219.dtbo", "k3-am625-sk.dtb", "0"},
	{"k3-am62x-sk-csi2-ov5640.dtbo", "k3-am625-sk.dtb", "0"},
	{"k3-am62x-sk-csi2-tevi-ov5640.dtbo", "k3-am625-sk.dtb", "0"},
	{"k3-am62x-sk-hdmi-audio.dtbo", "k3-am625-sk.dtb", "0"},
	{"k3-am625-beagleplay-csi2-ov5640.dtbo", "k3-am625-beagleplay.dtb", "0"},
	{"k3-am625-beagleplay-csi2-tevi-ov5640.dtbo", "k3-am625-beagleplay.dtb", "0"},
	{"rk3588-rock-5b-pcie-ep.dtbo", "rk3588-rock-5b.dtb", "-EINVAL"},
	{"rk3588-rock-5b-pcie-srns.dtbo", "rk3588-rock-5b.dtb", "-EINVAL"},
}

// TestBoards: every real board loads as the base tree and tears down
// clean on mainline.
func TestBoards(t *testing.T) {
	dir := boardsDir(t)
	boards, _ := filepath.Glob(filepath.Join(dir, "*.dtb"))
	if len(boards) == 0 {
		t.Fatalf("no boards in %s", dir)
	}
	empty, err := prog.Parse("empty.prog", []byte("dangle program v1\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range boards {
		base, err := ReadSource(b)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Run(empty, Config{Filename: "empty.prog", Base: base})
		if err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		if len(res.Findings) != 0 {
			t.Errorf("%s: findings on an empty program:\n%s", b, res.Log)
		}
	}
}

// TestBoardOverlays: every real overlay applies to its board with the
// kernel's result and is removed again; what remains are the property
// copies the kernel itself warns it will leak (B3), nothing else.
func TestBoardOverlays(t *testing.T) {
	dir := boardsDir(t)
	for _, bo := range boardOverlays {
		ov, err := os.ReadFile(filepath.Join(dir, bo.overlay))
		if err != nil {
			t.Fatal(err)
		}
		base, err := ReadSource(filepath.Join(dir, bo.board))
		if err != nil {
			t.Fatal(err)
		}
		text := "dangle program v1\nov = of_overlay_fdt_apply blob=" + bo.overlay + "\nof_overlay_remove ov=ov\n" +
			"-- " + bo.overlay + " --\n" + string(prog.EncodeBlob(ov))
		p, err := prog.Parse("board.prog", []byte(text))
		if err != nil {
			t.Fatal(err)
		}
		res, err := Run(p, Config{Filename: "board.prog", Base: base})
		if err != nil {
			t.Fatalf("%s: %v", bo.overlay, err)
		}
		if want := "op 1: returned " + bo.applyRet + ","; !strings.Contains(res.Log, want) {
			t.Errorf("%s on %s: want %q in:\n%s", bo.overlay, bo.board, want, res.Log)
		}
		if !strings.Contains(res.Log, "op 2: returned 0") {
			t.Errorf("%s: removal failed:\n%s", bo.overlay, res.Log)
		}
		for _, f := range res.Findings {
			if f.Title != "memory leak of property allocated in add_changeset_property" {
				t.Errorf("%s: unexpected finding %q:\n%s", bo.overlay, f.Title, res.Log)
			}
		}
		if bo.applyRet != "0" && !strings.Contains(res.Log, "OF: resolver: no symbols in root of device tree.") {
			t.Errorf("%s: want the resolver's message:\n%s", bo.overlay, res.Log)
		}
	}
}
