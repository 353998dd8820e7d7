package sim

import (
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"dangle/dt"
	"dangle/prog"
	"dangle/sim/of"
)

// TestFdtoverlayDifferential applies each overlay of testdata/fdtoverlay
// to the built-in base tree twice: with the simulated kernel and with
// dtc's fdtoverlay. Where both accept, the trees must be equal (up to the
// kernel's synthesized "name" properties, child order — the kernel
// attaches new nodes at the head of the child list — and phandle values:
// the kernel relocates overlay phandles by max+1, fdtoverlay by max).
// The reject-*.dtso overlays are the documented cases where the kernel,
// and so dangle, refuses an overlay that fdtoverlay silently applies.
func TestFdtoverlayDifferential(t *testing.T) {
	dtc := needDTC(t)
	fdtoverlay, err := exec.LookPath("fdtoverlay")
	if err != nil {
		t.Skip("fdtoverlay not installed")
	}
	dir := t.TempDir()
	baseBlob := dtcCompile(t, dtc, "base.dts", prog.DefaultBase)
	basePath := filepath.Join(dir, "base.dtb")
	os.WriteFile(basePath, baseBlob, 0o644)
	files, _ := filepath.Glob("testdata/fdtoverlay/*.dtso")
	if len(files) == 0 {
		t.Fatal("no overlays")
	}
	for _, f := range files {
		src, _ := os.ReadFile(f)
		name := filepath.Base(f)
		ovBlob := dtcCompile(t, dtc, name, src)
		ovPath, outPath := filepath.Join(dir, name+".dtbo"), filepath.Join(dir, name+".out.dtb")
		os.WriteFile(ovPath, ovBlob, 0o644)
		msg, err := exec.Command(fdtoverlay, "-i", basePath, "-o", outPath, ovPath).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: fdtoverlay refused it, the differential assumes it accepts: %v\n%s", name, err, msg)
		}
		p, err := prog.Parse(name, []byte("dangle program v1\nov = of_overlay_fdt_apply blob="+name+"\n-- "+name+" --\n"+string(src)))
		if err != nil {
			t.Fatal(err)
		}
		k, err := New(p, Config{Filename: name})
		if err != nil {
			t.Fatal(err)
		}
		k.RunOps()
		accepted := strings.Contains(k.Log.String(), "op 1: returned 0,")
		if strings.HasPrefix(name, "reject-") {
			if accepted {
				t.Errorf("%s: the kernel accepted an overlay it should refuse:\n%s", name, k.Log.String())
			}
			continue
		}
		if !accepted {
			t.Fatalf("%s: refused:\n%s", name, k.Log.String())
		}
		outBlob, _ := os.ReadFile(outPath)
		want, err := dt.ReadFDT(outPath, outBlob)
		if err != nil {
			t.Fatal(err)
		}
		ovTree, err := dt.ReadFDT(ovPath, ovBlob)
		if err != nil {
			t.Fatal(err)
		}
		slots := phandleSlots(ovTree, want)
		got := normKernel(k.OF, slots)
		exp := normFDT(want, slots)
		if got != exp {
			t.Errorf("%s: kernel tree != fdtoverlay tree\n%s", name, lineDiff(exp, got))
		}
	}
}

// slot is a phandle cell inside a live-tree property.
type slot struct {
	path, prop string
	off        int
}

// phandleSlots lists where the overlay's __fixups__ and __local_fixups__
// put phandles, translated to live-tree paths.
func phandleSlots(ov, merged *dt.Tree) map[string][]int {
	symbols := merged.Find("/__symbols__")
	target := map[string]string{} // "/fragment@N" -> live target path
	fix := ov.Find("/__fixups__")
	for _, frag := range ov.Root.Children {
		if p := frag.Prop("target-path"); p != nil {
			s, _ := p.String()
			target["/"+frag.Name] = s
		}
	}
	out := map[string][]int{}
	add := func(ovPath, prop string, off int) {
		parts := strings.SplitN(ovPath, "/__overlay__", 2)
		if len(parts) != 2 {
			return
		}
		live := target[parts[0]] + parts[1]
		if live == "" {
			live = "/"
		}
		out[live+"\x00"+prop] = append(out[live+"\x00"+prop], off)
	}
	if fix != nil {
		for _, p := range fix.Props {
			for _, s := range p.Strings() {
				f := strings.Split(s, ":")
				if len(f) != 3 {
					continue
				}
				if f[1] == "target" {
					if sp := symbols.Prop(p.Name); sp != nil {
						path, _ := sp.String()
						target[f[0]] = path
					}
					continue
				}
				off, _ := strconv.Atoi(f[2])
				add(f[0], f[1], off)
			}
		}
	}
	var walk func(n *dt.Node, path string)
	walk = func(n *dt.Node, path string) {
		for _, p := range n.Props {
			if v, ok := p.U32s(); ok {
				for _, off := range v {
					add(path, p.Name, int(off))
				}
			}
		}
		for _, c := range n.Children {
			walk(c, path+"/"+c.Name)
		}
	}
	if lf := ov.Find("/__local_fixups__"); lf != nil {
		walk(lf, "")
	}
	return out
}

// normValue renders a value with every phandle slot replaced by the path
// of the node it points to.
func normValue(v []byte, offs []int, byPhandle map[uint32]string) string {
	var b strings.Builder
	sorted := append([]int(nil), offs...)
	sort.Ints(sorted)
	last := 0
	for _, off := range sorted {
		if off+4 > len(v) || off < last {
			continue
		}
		fmt.Fprintf(&b, "%x", v[last:off])
		fmt.Fprintf(&b, "<%s>", byPhandle[binary.BigEndian.Uint32(v[off:])])
		last = off + 4
	}
	fmt.Fprintf(&b, "%x", v[last:])
	return b.String()
}

func normProp(path, name string, v []byte, slots map[string][]int, byPhandle map[uint32]string) string {
	switch name {
	case "phandle", "linux,phandle":
		return fmt.Sprintf("%s %s present\n", path, name)
	}
	return fmt.Sprintf("%s %s = %s\n", path, name, normValue(v, slots[path+"\x00"+name], byPhandle))
}

func normKernel(t *of.OF, slots map[string][]int) string {
	byPhandle := map[uint32]string{}
	t.AllNodes(func(n *of.Node) bool {
		if n.Phandle != 0 {
			byPhandle[n.Phandle] = n.DisplayPath()
		}
		return true
	})
	var lines []string
	t.AllNodes(func(n *of.Node) bool {
		path := n.DisplayPath()
		lines = append(lines, path+"\n")
		for _, p := range n.Props {
			if p.Name != "name" {
				lines = append(lines, normProp(path, p.Name, p.Value, slots, byPhandle))
			}
		}
		return true
	})
	sort.Strings(lines)
	return strings.Join(lines, "")
}

func normFDT(tr *dt.Tree, slots map[string][]int) string {
	byPhandle := map[uint32]string{}
	var index func(n *dt.Node, path string)
	index = func(n *dt.Node, path string) {
		if p := n.Prop("phandle"); p != nil {
			if v, ok := p.U32s(); ok && len(v) == 1 {
				byPhandle[v[0]] = path
			}
		}
		for _, c := range n.Children {
			index(c, strings.TrimSuffix(path, "/")+"/"+c.Name)
		}
	}
	index(tr.Root, "/")
	var lines []string
	var walk func(n *dt.Node, path string)
	walk = func(n *dt.Node, path string) {
		lines = append(lines, path+"\n")
		for _, p := range n.Props {
			lines = append(lines, normProp(path, p.Name, p.Value, slots, byPhandle))
		}
		for _, c := range n.Children {
			walk(c, strings.TrimSuffix(path, "/")+"/"+c.Name)
		}
	}
	walk(tr.Root, "/")
	sort.Strings(lines)
	return strings.Join(lines, "")
}
