package dt

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The FDT tests read three kinds of blobs: the dtc-compiled blobs committed
// under testdata/fdt (they need no dtc), the sources there compiled afresh
// with dtc, and the real board blobs in ../../shared/boards when present.

// fdtTool returns the path of a device-tree-compiler tool. It is required
// in CI (CI=true); elsewhere the test is skipped without it.
func fdtTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required (CI=true) but not installed: %v (apt-get install device-tree-compiler)", name, err)
		}
		t.Skipf("%s not installed", name)
	}
	return p
}

func fdtRunTool(t testing.TB, tool string, args ...string) []byte {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(tool, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", tool, strings.Join(args, " "), err, stderr.String())
	}
	return stdout.Bytes()
}

type fdtTestBlob struct {
	name string
	data []byte
}

// fdtGlobBlobs reads the *.dtb and *.dtbo files of dir.
func fdtGlobBlobs(t testing.TB, dir string) []fdtTestBlob {
	t.Helper()
	var files []string
	for _, pat := range []string{"*.dtb", "*.dtbo"} {
		m, err := filepath.Glob(filepath.Join(dir, pat))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	sort.Strings(files)
	var blobs []fdtTestBlob
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		blobs = append(blobs, fdtTestBlob{f, data})
	}
	return blobs
}

// fdtCommittedBlobs are the dtc-compiled blobs under testdata/fdt.
func fdtCommittedBlobs(t testing.TB) []fdtTestBlob {
	t.Helper()
	blobs := fdtGlobBlobs(t, filepath.Join("testdata", "fdt"))
	if len(blobs) == 0 {
		t.Fatal("no blobs in testdata/fdt")
	}
	return blobs
}

// fdtBoardBlobs are the real blobs of ../../shared/boards, if present.
func fdtBoardBlobs(t testing.TB) []fdtTestBlob {
	t.Helper()
	return fdtGlobBlobs(t, filepath.Join("..", "..", "shared", "boards"))
}

// fdtCompiledBlobs compiles the sources under testdata/fdt with dtc, with
// -@ for overlays and for base-symbols.dtb's source.
func fdtCompiledBlobs(t *testing.T) []fdtTestBlob {
	t.Helper()
	dtc := fdtTool(t, "dtc")
	srcs, _ := filepath.Glob(filepath.Join("testdata", "fdt", "*.dts"))
	ovls, _ := filepath.Glob(filepath.Join("testdata", "fdt", "*.dtso"))
	tmp := t.TempDir()
	var blobs []fdtTestBlob
	compile := func(src, out string, args ...string) {
		args = append([]string{"-q", "-I", "dts", "-O", "dtb", "-o", out}, args...)
		fdtRunTool(t, dtc, append(args, src)...)
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(src)
		if len(args) > 7 {
			name += " " + strings.Join(args[7:], " ")
		}
		blobs = append(blobs, fdtTestBlob{name, data})
	}
	for i, src := range srcs {
		compile(src, filepath.Join(tmp, fmt.Sprintf("%d.dtb", i)))
		compile(src, filepath.Join(tmp, fmt.Sprintf("%d-sym.dtb", i)), "-@")
	}
	for i, src := range ovls {
		compile(src, filepath.Join(tmp, fmt.Sprintf("%d.dtbo", i)), "-@")
	}
	if len(srcs) == 0 || len(ovls) == 0 {
		t.Fatalf("testdata/fdt has %d .dts and %d .dtso sources, want some of each", len(srcs), len(ovls))
	}
	return blobs
}

// fdtDumpText renders t as fdtdump (dtc 1.6.1) prints the body of a blob,
// from the /memreserve/ lines on.
func fdtDumpText(t *Tree) string {
	var b strings.Builder
	hex := func(v uint64) string { // C's %#x
		if v == 0 {
			return "0"
		}
		return fmt.Sprintf("%#x", v)
	}
	for _, m := range t.MemReserve {
		fmt.Fprintf(&b, "/memreserve/ %s %s;\n", hex(m.Address), hex(m.Size))
	}
	var node func(n *Node, depth int)
	node = func(n *Node, depth int) {
		ind := strings.Repeat(" ", 4*depth)
		name := n.Name
		if name == "" {
			name = "/"
		}
		fmt.Fprintf(&b, "%s%s {\n", ind, name)
		for _, p := range n.Props {
			fmt.Fprintf(&b, "%s    %s%s;\n", ind, p.Name, fdtDumpValue(p.Value))
		}
		for _, c := range n.Children {
			node(c, depth+1)
		}
		fmt.Fprintf(&b, "%s};\n", ind)
	}
	node(t.Root, 0)
	return b.String()
}

// fdtDumpValue is utilfdt_print_data.
func fdtDumpValue(v []byte) string {
	if len(v) == 0 {
		return ""
	}
	if fdtDumpPrintable(v) {
		strs := strings.Split(string(v[:len(v)-1]), "\x00")
		return ` = "` + strings.Join(strs, `", "`) + `"`
	}
	var parts []string
	if len(v)%4 == 0 {
		for i := 0; i < len(v); i += 4 {
			parts = append(parts, fmt.Sprintf("0x%08x", binary.BigEndian.Uint32(v[i:])))
		}
		return " = <" + strings.Join(parts, " ") + ">"
	}
	for _, c := range v {
		parts = append(parts, fmt.Sprintf("%02x", c))
	}
	return " = [" + strings.Join(parts, " ") + "]"
}

// fdtDumpPrintable is util_is_printable_string: NUL-terminated, non-empty
// strings of printable ASCII.
func fdtDumpPrintable(v []byte) bool {
	if v[len(v)-1] != 0 {
		return false
	}
	for _, s := range bytes.Split(v[:len(v)-1], []byte{0}) {
		if len(s) == 0 {
			return false
		}
		for _, c := range s {
			if c < 0x20 || c >= 0x7f {
				return false
			}
		}
	}
	return true
}

// fdtDumpBody is fdtdump's output after the header comments.
func fdtDumpBody(t *testing.T, fdtdump string, data []byte) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "x.dtb")
	if err := os.WriteFile(f, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out := string(fdtRunTool(t, fdtdump, f))
	i := strings.Index(out, "\n\n")
	if !strings.HasPrefix(out, "/dts-v1/;\n// magic:") || i < 0 {
		t.Fatalf("unexpected fdtdump output:\n%s", out)
	}
	return out[i+2:]
}

// checkFDTRoundTrip reads blob, writes it back and compares both the bytes
// and fdtdump's reading of the blob with the decoded tree.
func checkFDTRoundTrip(t *testing.T, b fdtTestBlob, fdtdump string) *Tree {
	t.Helper()
	tree, err := ReadFDT(b.name, b.data)
	if err != nil {
		t.Fatalf("ReadFDT: %v", err)
	}
	if got := WriteFDT(tree); !bytes.Equal(got, b.data) {
		t.Errorf("WriteFDT(ReadFDT(blob)) differs from the blob: %d vs %d bytes, first difference at 0x%x", len(got), len(b.data), fdtFirstDiff(got, b.data))
	}
	if fdtdump != "" {
		want := fdtDumpBody(t, fdtdump, b.data)
		if got := fdtDumpText(tree); got != want {
			t.Errorf("decoded tree differs from fdtdump (-fdtdump +ours):\n%s", cmp.Diff(strings.Split(want, "\n"), strings.Split(got, "\n")))
		}
	}
	return tree
}

func fdtFirstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func TestFDTRoundTripCommitted(t *testing.T) {
	for _, b := range fdtCommittedBlobs(t) {
		t.Run(filepath.Base(b.name), func(t *testing.T) {
			tree, err := ReadFDT(b.name, b.data)
			if err != nil {
				t.Fatalf("ReadFDT: %v", err)
			}
			got := WriteFDT(tree)
			if binary.BigEndian.Uint32(b.data[fdtOffVersion:]) == 16 {
				// dtc -V 16 output: WriteFDT writes v17 of the same tree.
				back, err := ReadFDT("rewritten", got)
				if err != nil {
					t.Fatalf("ReadFDT(WriteFDT): %v", err)
				}
				if d := cmp.Diff(tree, back); d != "" {
					t.Errorf("v16 tree changed through WriteFDT:\n%s", d)
				}
				return
			}
			if !bytes.Equal(got, b.data) {
				t.Errorf("WriteFDT(ReadFDT(blob)) differs from the blob at 0x%x", fdtFirstDiff(got, b.data))
			}
		})
	}
}

func TestFDTRoundTripDTC(t *testing.T) {
	blobs := fdtCompiledBlobs(t)
	fdtdump := fdtTool(t, "fdtdump")
	for _, b := range blobs {
		t.Run(b.name, func(t *testing.T) {
			checkFDTRoundTrip(t, b, fdtdump)
		})
	}
}

func TestFDTRoundTripBoards(t *testing.T) {
	blobs := fdtBoardBlobs(t)
	if len(blobs) == 0 {
		t.Skip("no ../../shared/boards")
	}
	fdtdump := fdtTool(t, "fdtdump")
	for _, b := range blobs {
		t.Run(filepath.Base(b.name), func(t *testing.T) {
			t.Parallel()
			checkFDTRoundTrip(t, b, fdtdump)
		})
	}
}

// The decoded tree has the shape Compile gives: root "", nil for empty
// values and lists, no labels.
func TestFDTReadShape(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "fdt", "base.dtb"))
	if err != nil {
		t.Fatal(err)
	}
	tree, err := LoadBlob("base.dtb", data)
	if err != nil {
		t.Fatal(err)
	}
	wantMem := []MemReserve{{0x80000000, 0x10000}, {0x100000000, 0x200000}}
	if d := cmp.Diff(wantMem, tree.MemReserve); d != "" {
		t.Errorf("MemReserve (-want +got):\n%s", d)
	}
	if tree.Root.Name != "" || len(tree.Root.Children) != 5 {
		t.Fatalf("root: name %q, %d children", tree.Root.Name, len(tree.Root.Children))
	}
	eeprom := tree.Find("/soc/i2c@2000/eeprom@50")
	if eeprom == nil {
		t.Fatal("no /soc/i2c@2000/eeprom@50")
	}
	want := &Node{Name: "eeprom@50", Props: []*Property{
		{Name: "compatible", Value: []byte("atmel,24c256\x00")},
		{Name: "reg", Value: []byte{0, 0, 0, 0x50}},
		{Name: "pagesize", Value: []byte{0, 0, 0, 64}},
		{Name: "controller", Value: []byte("shares the tail of interrupt-controller\x00")},
		{Name: "cells", Value: []byte{0, 1, 2}},
	}}
	if d := cmp.Diff(want, eeprom); d != "" {
		t.Errorf("eeprom@50 (-want +got):\n%s", d)
	}
	ranges := tree.Find("/soc").Prop("ranges")
	if ranges == nil || ranges.Value != nil {
		t.Errorf("ranges = %#v, want an empty property with a nil value", ranges)
	}
	if n := tree.Find("/soc/gpio@3000"); n == nil || n.Children != nil {
		t.Errorf("gpio@3000 = %#v, want a node with nil Children", n)
	}
	if !IsFDT(data) || IsFDT([]byte("/dts-v1/;")) || IsFDT(data[:3]) {
		t.Error("IsFDT is wrong")
	}
}

// dtc itself agrees with WriteFDT's layout for trees it never saw as
// source: "dtc -I dtb -O dtb" rebuilds the strings block from scratch.
func TestFDTWriteMatchesDTC(t *testing.T) {
	dtc := fdtTool(t, "dtc")
	rng := rand.New(rand.NewSource(1))
	names := []string{"a", "ba", "cba", "#a-cells", "a-cells", "cells", "s", "compatible",
		"patible", "reg", "x-reg", "status", "okay", "y", "interrupt-controller", "controller"}
	var gen func(depth int) *Node
	gen = func(depth int) *Node {
		n := &Node{}
		perm := rng.Perm(len(names))
		for _, i := range perm[:rng.Intn(6)] {
			v := make([]byte, rng.Intn(11))
			rng.Read(v)
			if len(v) == 0 {
				v = nil
			}
			n.Props = append(n.Props, &Property{Name: names[i], Value: v})
		}
		if depth < 4 {
			for i := range rng.Intn(4) {
				c := gen(depth + 1)
				c.Name = fmt.Sprintf("n%d@%x", i, rng.Intn(1<<20))
				n.Children = append(n.Children, c)
			}
		}
		return n
	}
	tmp := t.TempDir()
	for i := range 20 {
		tree := &Tree{Root: gen(0)}
		for range rng.Intn(3) {
			tree.MemReserve = append(tree.MemReserve, MemReserve{rng.Uint64(), rng.Uint64() | 1})
		}
		blob := WriteFDT(tree)
		in := filepath.Join(tmp, fmt.Sprintf("%d.dtb", i))
		if err := os.WriteFile(in, blob, 0o644); err != nil {
			t.Fatal(err)
		}
		want := fdtRunTool(t, dtc, "-q", "-f", "-I", "dtb", "-O", "dtb", in)
		if !bytes.Equal(blob, want) {
			t.Errorf("tree %d: WriteFDT differs from dtc's layout at 0x%x", i, fdtFirstDiff(blob, want))
		}
		back, err := ReadFDT(in, blob)
		if err != nil {
			t.Fatalf("tree %d: %v", i, err)
		}
		if d := cmp.Diff(tree, back); d != "" {
			t.Errorf("tree %d changed through WriteFDT/ReadFDT:\n%s", i, d)
		}
	}
}

func TestFDTWriteNil(t *testing.T) {
	for _, tree := range []*Tree{nil, {}} {
		got, err := ReadFDT("empty", WriteFDT(tree))
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(&Tree{Root: &Node{}}, got); d != "" {
			t.Error(d)
		}
	}
}

func TestFDTErrorString(t *testing.T) {
	_, err := ReadFDT("x.dtb", []byte("/dts-v1/;"))
	var fe *FDTError
	if !errors.As(err, &fe) {
		t.Fatalf("error %v is not an *FDTError", err)
	}
	if got, want := err.Error(), "x.dtb: offset 0x0: bad magic 0x2f647473, want 0xd00dfeed"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
