package dt

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// fdtMalformed is a corrupted blob and the error ReadFDT must give for it.
type fdtMalformed struct {
	name    string
	blob    []byte
	wantOff int
	wantMsg string
}

// fdtEdit returns a copy of b with edits applied.
func fdtEdit(b []byte, edits ...func([]byte)) []byte {
	c := bytes.Clone(b)
	for _, e := range edits {
		e(c)
	}
	return c
}

func fdtSet32(off int, v uint32) func([]byte) {
	return func(b []byte) { binary.BigEndian.PutUint32(b[off:], v) }
}

func fdtSet64(off int, v uint64) func([]byte) {
	return func(b []byte) { binary.BigEndian.PutUint64(b[off:], v) }
}

func fdtSet8(off int, v byte) func([]byte) {
	return func(b []byte) { b[off] = v }
}

// fdtSplice inserts ins at offset at, inside or at the end of the
// structure block, and fixes the header up: the blocks starting at or
// after at move, the structure block and totalsize grow.
func fdtSplice(b []byte, at int, ins ...uint32) []byte {
	var add []byte
	for _, v := range ins {
		add = binary.BigEndian.AppendUint32(add, v)
	}
	c := append(append(bytes.Clone(b[:at]), add...), b[at:]...)
	be := binary.BigEndian
	for _, f := range []int{fdtOffDTStrings, fdtOffMemRsvMap} {
		if int(be.Uint32(c[f:])) >= at {
			be.PutUint32(c[f:], be.Uint32(c[f:])+uint32(len(add)))
		}
	}
	be.PutUint32(c[fdtOffSizeDTStruct:], be.Uint32(c[fdtOffSizeDTStruct:])+uint32(len(add)))
	be.PutUint32(c[fdtOffTotalSize:], be.Uint32(c[fdtOffTotalSize:])+uint32(len(add)))
	return c
}

// fdtMalformedCases corrupts testdata/fdt/small.dtb, one case or more per
// check. Its layout (fdtdump -s, xxd): totalsize 0x17a; memory reservation
// block at 0x28 (two entries, the terminator's size at 0x50); structure
// block [0x58, 0x120): root FDT_BEGIN_NODE 0x58 (name 0x5c), its first
// property 0x60 (len 0x64, nameoff 0x68: "#address-cells"), "chosen"
// 0x80 (name 0x84), its property 0x8c, "uart@20"'s first property 0xec,
// the root's FDT_END_NODE 0x118, FDT_END 0x11c; strings block
// [0x120, 0x17a), its last string "status" at 0x173.
func fdtMalformedCases(t testing.TB) []fdtMalformed {
	t.Helper()
	small, err := os.ReadFile(filepath.Join("testdata", "fdt", "small.dtb"))
	if err != nil {
		t.Fatal(err)
	}
	if len(small) != 0x17a {
		t.Fatalf("testdata/fdt/small.dtb is %d bytes, want 0x17a: the cases below depend on its layout", len(small))
	}
	const ranges = 0x1e // nameoff of "ranges"
	// An empty tree as a v16 blob: rsvmap 0x28, structure [0x38, 0x48).
	empty16 := fdtEdit(WriteFDT(&Tree{}), fdtSet32(fdtOffVersion, 16))

	// 1001 nested nodes "n" under the root: the deepest is at 0x38+8*1001.
	deep := &Node{}
	for n, i := deep, 0; i < maxDepth+1; i++ {
		c := &Node{Name: "n"}
		n.Children = []*Node{c}
		n = c
	}
	deepPath := strings.Repeat("/n", maxDepth+1)

	e := func(edits ...func([]byte)) []byte { return fdtEdit(small, edits...) }
	return []fdtMalformed{
		// Truncated blobs.
		{"truncated/3-bytes", small[:3], 3, "truncated blob: 3 bytes, shorter than the 40-byte FDT header"},
		{"truncated/no-version", small[:20], 0x14, "truncated blob: 20 bytes, shorter than the 40-byte FDT header"},
		{"truncated/v17-header", small[:38], 0x26, "truncated blob: 38 bytes, shorter than the 40-byte FDT header"},
		{"truncated/v16-header", e(fdtSet32(fdtOffVersion, 16))[:30], 0x1e, "truncated blob: 30 bytes, shorter than the 36-byte FDT header"},
		{"truncated/totalsize", small[:0x100], 0x100, "truncated blob: totalsize is 0x17a but the blob ends at 0x100"},

		// Bad magic.
		{"magic/corrupt", e(fdtSet32(0, 0xd00dfeee)), 0, "bad magic 0xd00dfeee, want 0xd00dfeed"},
		{"magic/little-endian", e(fdtSet32(0, 0xedfe0dd0)), 0, "bad magic 0xedfe0dd0, want 0xd00dfeed"},

		// Unsupported versions.
		{"version/15", e(fdtSet32(fdtOffVersion, 15)), 0x14, "unsupported version 15: only version 16 and later blobs are read"},
		{"version/last-comp-18", e(fdtSet32(fdtOffLastComp, 18)), 0x18, "unsupported last_comp_version 18: blobs must be readable as version 17"},
		{"version/last-comp-above-version", e(fdtSet32(fdtOffVersion, 16), fdtSet32(fdtOffLastComp, 17)), 0x18, "unsupported last_comp_version 17: greater than version 16"},

		// Bad offsets: out of range, misaligned, overlapping.
		{"offsets/totalsize-below-header", e(fdtSet32(fdtOffTotalSize, 0x20)), 0x4, "bad totalsize 0x20: smaller than the 40-byte header"},
		{"offsets/rsvmap-misaligned", e(fdtSet32(fdtOffMemRsvMap, 0x2c)), 0x10, "bad off_mem_rsvmap 0x2c: not 8-byte aligned"},
		{"offsets/struct-misaligned", e(fdtSet32(fdtOffDTStruct, 0x5a)), 0x8, "bad off_dt_struct 0x5a: not 4-byte aligned"},
		{"offsets/struct-size-misaligned", e(fdtSet32(fdtOffSizeDTStruct, 0xca)), 0x24, "bad size_dt_struct 0xca: not a multiple of 4"},
		{"offsets/rsvmap-in-header", e(fdtSet32(fdtOffMemRsvMap, 0x20)), 0x10, "bad off_mem_rsvmap 0x20: outside [0x28, totalsize 0x17a]"},
		{"offsets/rsvmap-past-end", e(fdtSet32(fdtOffMemRsvMap, 0x180)), 0x10, "bad off_mem_rsvmap 0x180: outside [0x28, totalsize 0x17a]"},
		{"offsets/struct-past-end", e(fdtSet32(fdtOffSizeDTStruct, 0x1c8)), 0x8, "bad offsets: structure block [0x58, 0x220) is outside [0x28, totalsize 0x17a)"},
		{"offsets/struct-in-header", e(fdtSet32(fdtOffDTStruct, 0x20)), 0x8, "bad offsets: structure block [0x20, 0xe8) is outside [0x28, totalsize 0x17a)"},
		{"offsets/strings-past-end", e(fdtSet32(fdtOffDTStrings, 0x130)), 0xc, "bad offsets: strings block [0x130, 0x18a) is outside [0x28, totalsize 0x17a)"},
		{"offsets/strings-size-overflow", e(fdtSet32(fdtOffSizeStrings, 0xffffffff)), 0xc, "bad offsets: strings block [0x120, 0x10000011f) is outside [0x28, totalsize 0x17a)"},
		{"offsets/strings-overlap-struct", e(fdtSet32(fdtOffDTStrings, 0x11c)), 0xc, "bad offsets: strings block [0x11c, 0x176) overlaps structure block [0x58, 0x120)"},
		{"offsets/rsvmap-overlap-struct", e(fdtSet32(fdtOffDTStruct, 0x28)), 0x10, "bad offsets: memory reservation block [0x28, 0x58) overlaps structure block [0x28, 0xf0)"},
		{"offsets/v16-struct-overlap-strings", fdtEdit(empty16, fdtSet32(fdtOffDTStrings, 0x44), fdtSet32(fdtOffSizeStrings, 4), fdtSet32(fdtOffTotalSize, 0x48)), 0x8, "bad offsets: structure block [0x38, 0x48) overlaps strings block [0x44, 0x48)"},

		// Bad memory reservation block.
		{"memrsv/unterminated", e(fdtSet64(0x50, 1)), 0x58, "bad memory reservation block at 0x28: not terminated (no entry with size 0) before the structure block at 0x58"},
		{"memrsv/unterminated-at-end", e(fdtSet32(fdtOffMemRsvMap, 0x170)), 0x170, "bad memory reservation block at 0x170: not terminated (no entry with size 0) before totalsize 0x17a"},

		// Structure block: the root.
		{"struct/starts-with-nop", e(fdtSet32(0x58, fdtNop)), 0x58, "bad structure block: starts with FDT_NOP, want FDT_BEGIN_NODE of the root node"},
		{"struct/root-name", e(fdtSet8(0x5c, 'x')), 0x5c, `bad root node name "x": the root's name must be empty`},
		{"struct/too-deep", WriteFDT(&Tree{Root: deep}), 0x38 + 8*(maxDepth+1), "node " + deepPath + " is nested 1001 levels deep: deeper than 1000 levels, the nesting dt reads"},

		// Unterminated strings and bad names.
		{"string/node-name-unterminated", e(fdtSet32(fdtOffSizeDTStruct, 0x30)), 0x84, "unterminated node name: no NUL before the end of the structure block at 0x88"},
		{"string/strings-entry-unterminated", e(fdtSet8(0x179, 'x')), 0x173, "unterminated string in the strings block: no NUL before 0x17a"},
		{"string/v16-strings-entry-unterminated", e(fdtSet32(fdtOffVersion, 16), fdtSet8(0x179, 'x')), 0x173, "unterminated string in the strings block: no NUL before 0x17a"},
		{"name/slash", e(fdtSet8(0x87, '/')), 0x84, `bad node name "cho/en" under /: contains '/'`},
		{"name/empty-node", e(fdtSet8(0x84, 0)), 0x84, "empty node name under /"},
		{"name/empty-property", e(fdtSet32(0x68, 0xe)), 0x68, "empty property name in /"},
		{"name/offset-outside-strings", e(fdtSet32(0x68, 0x5a)), 0x68, "bad property name offset 0x5a in /: outside the strings block (size 0x5a)"},
		{"name/v16-offset-past-totalsize", e(fdtSet32(fdtOffVersion, 16), fdtSet32(0x68, 0x5a)), 0x68, "bad property name offset 0x5a in /: past totalsize 0x17a (strings block at 0x120)"},

		// Oversized or truncated properties.
		{"prop/oversized", e(fdtSet32(0x64, 0x1000)), 0x64, `oversized property "#address-cells" in /: length 0x1000 runs past the end of the structure block at 0x120`},
		{"prop/oversized-max", e(fdtSet32(0x64, 0xffffffff)), 0x64, `oversized property "#address-cells" in /: length 0xffffffff runs past the end of the structure block at 0x120`},
		{"prop/truncated-header", e(fdtSet32(fdtOffSizeDTStruct, 0xc)), 0x60, "truncated property in /: FDT_PROP header runs past the end of the structure block at 0x64"},
		{"prop/after-subnode", fdtSplice(small, 0x118, fdtProp, 0, ranges), 0x118, `property "ranges" in / follows subnode "chosen": the kernel reads only the properties before a node's first subnode`},

		// Bad tokens.
		{"token/5", e(fdtSet32(0x80, 5)), 0x80, "bad token 0x00000005 in /"},
		{"token/in-chosen", e(fdtSet32(0x8c, 0xffffffff)), 0x8c, "bad token 0xffffffff in /chosen"},
		{"token/in-uart", e(fdtSet32(0xec, 0x42)), 0xec, "bad token 0x00000042 in /soc/uart@20"},

		// Unbalanced nodes.
		{"unbalanced/end-inside-root", e(fdtSet32(0x80, fdtEnd)), 0x80, "unbalanced nodes: FDT_END with 1 node(s) open, innermost /"},
		{"unbalanced/end-inside-chosen", e(fdtSet32(0x8c, fdtEnd)), 0x8c, "unbalanced nodes: FDT_END with 2 node(s) open, innermost /chosen"},
		{"unbalanced/extra-end-node", fdtSplice(small, 0x11c, fdtEndNode), 0x11c, "unbalanced nodes: FDT_END_NODE after the root node's FDT_END_NODE, want FDT_END"},
		{"unbalanced/second-root", fdtSplice(small, 0x11c, fdtBeginNode, 0, fdtEndNode), 0x11c, "unbalanced nodes: FDT_BEGIN_NODE after the root node's FDT_END_NODE, want FDT_END"},
		{"unbalanced/nop-after-root", fdtSplice(small, 0x11c, fdtNop), 0x11c, "unbalanced nodes: FDT_NOP after the root node's FDT_END_NODE, want FDT_END"},

		// Missing FDT_END.
		{"end/empty-struct", e(fdtSet32(fdtOffSizeDTStruct, 0)), 0x58, "missing FDT_END: the structure block [0x58, 0x58) holds no root node"},
		{"end/after-root", e(fdtSet32(fdtOffSizeDTStruct, 0xc4)), 0x11c, "missing FDT_END: the structure block ends at 0x11c after the root node"},
		{"end/inside-root", e(fdtSet32(fdtOffSizeDTStruct, 0xc0)), 0x118, "missing FDT_END: the structure block ends at 0x118 inside /"},
		{"end/inside-uart", e(fdtSet32(fdtOffSizeDTStruct, 0xb8)), 0x110, "missing FDT_END: the structure block ends at 0x110 inside /soc/uart@20"},
		{"end/v16-at-totalsize", fdtEdit(empty16, fdtSet32(fdtOffTotalSize, 0x44), fdtSet32(fdtOffDTStrings, 0x44)), 0x44, "missing FDT_END: the structure block ends at 0x44 after the root node"},

		// Trailing data after FDT_END.
		{"trailing/one-cell", fdtSplice(small, 0x120, 0), 0x120, "trailing data: 0x4 bytes after FDT_END inside the structure block (size_dt_struct 0xcc)"},
		{"trailing/fdt-end", fdtSplice(small, 0x120, fdtEnd), 0x120, "trailing data: 0x4 bytes after FDT_END inside the structure block (size_dt_struct 0xcc)"},
	}
}

func TestFDTMalformed(t *testing.T) {
	for _, c := range fdtMalformedCases(t) {
		t.Run(c.name, func(t *testing.T) {
			tree, err := ReadFDT("bad.dtb", c.blob)
			if err == nil {
				t.Fatalf("ReadFDT succeeded: %s", fdtDumpText(tree))
			}
			var fe *FDTError
			if !errors.As(err, &fe) {
				t.Fatalf("error %T %v is not an *FDTError", err, err)
			}
			if fe.File != "bad.dtb" || fe.Offset != c.wantOff || fe.Msg != c.wantMsg {
				t.Errorf("got  %v\nwant bad.dtb: offset 0x%x: %s", err, c.wantOff, c.wantMsg)
			}
		})
	}
}

// fdtValidVariants are edits of small.dtb that stay valid: the limits just
// inside the checks of fdtMalformedCases.
func fdtValidVariants(t testing.TB) []fdtTestBlob {
	t.Helper()
	small, err := os.ReadFile(filepath.Join("testdata", "fdt", "small.dtb"))
	if err != nil {
		t.Fatal(err)
	}
	deep := &Node{}
	for n, i := deep, 0; i < 62; i++ {
		c := &Node{Name: "n"}
		n.Children = []*Node{c}
		n = c
	}
	return []fdtTestBlob{
		{"small", small},
		{"bytes-after-totalsize", append(bytes.Clone(small), 1, 2, 3)},
		{"depth-62", WriteFDT(&Tree{Root: deep})},
		{"nop-inside-root", fdtSplice(small, 0x118, fdtNop, fdtNop)},
		{"nop-before-props", fdtSplice(small, 0x60, fdtNop)},
		{"version-18", fdtEdit(small, fdtSet32(fdtOffVersion, 18), fdtSet32(fdtOffLastComp, 17))},
		{"version-16", fdtEdit(small, fdtSet32(fdtOffVersion, 16))},
		// v16: names are bounded by totalsize, not size_dt_strings.
		{"version-16-names-past-strings-size", fdtEdit(small, fdtSet32(fdtOffVersion, 16), fdtSet32(fdtOffSizeStrings, 0x10))},
		{"rsvmap-only-terminator", fdtEdit(small, fdtSet32(fdtOffMemRsvMap, 0x48))},
		{"rsvmap-terminator-address", fdtEdit(small, fdtSet64(0x48, 0xdead))},
	}
}

func TestFDTMalformedNeighbours(t *testing.T) {
	want, err := ReadFDT("small.dtb", fdtValidVariants(t)[0].data)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range fdtValidVariants(t) {
		got, err := ReadFDT(v.name, v.data)
		if err != nil {
			t.Errorf("%s: %v", v.name, err)
			continue
		}
		wantMem := want.MemReserve
		switch v.name {
		case "depth-62":
			continue
		case "rsvmap-only-terminator":
			wantMem = nil
		}
		if !reflect.DeepEqual(got.Root, want.Root) || !reflect.DeepEqual(got.MemReserve, wantMem) {
			t.Errorf("%s: decodes to a different tree:\n%s", v.name, fdtDumpText(got))
		}
	}
}
