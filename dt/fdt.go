package dt

// Flattened device tree (FDT) blobs: .dtb and .dtbo files.
//
// ReadFDT decodes a blob into a Tree, WriteFDT encodes a Tree into a blob,
// IsFDT tells a blob from DTS source by its magic, and LoadBlob is the
// loader for .dtb/.dtbo inputs.
//
// # Reading
//
// ReadFDT accepts a blob only if the kernel would take all of it: libfdt's
// fdt_check_header() must pass (the kernel calls it from
// early_init_dt_verify() and of_overlay_fdt_apply()), the walk of
// fdt_check_full() must pass, and the kernel's unflattener
// (drivers/of/fdt.c unflatten_dt_nodes(), populate_node(),
// populate_properties(), via fdt_next_tag() and fdt_getprop_by_offset())
// must not skip anything. Where the kernel would silently drop part of a
// blob, ReadFDT rejects the blob, so a Tree is exactly what the kernel sees.
//
// Checks that mirror libfdt and the kernel:
//
//   - header (fdt_check_header): the blob holds the header (36 bytes for
//     version 16, else 40); magic is 0xd00dfeed; last_comp_version ≤ 17
//     and ≤ version; header size ≤ totalsize ≤ len(blob) (bytes after
//     totalsize are ignored, as libfdt ignores them);
//   - blocks (check_off_/check_block_): the memory reservation, structure
//     and strings blocks lie between the header and totalsize;
//   - memory reservation block (fdt_num_mem_rsv): 16-byte entries up to
//     the first one whose size is 0 (its address is not checked);
//   - structure block (fdt_next_tag, fdt_check_full): node names are
//     NUL-terminated inside the block; the root's name is empty; a
//     property's header and value lie inside the block; its name offset
//     lies inside the strings block and the name is NUL-terminated there
//     (fdt_get_string; for version 16 only totalsize bounds names, as in
//     libfdt); FDT_END_NODE balances FDT_BEGIN_NODE; nothing but FDT_END
//     follows the root's FDT_END_NODE; FDT_NOP is skipped; unknown tokens
//     are errors;
//   - what unflattening needs: the structure block starts with the root's
//     FDT_BEGIN_NODE (populate_node reads the root at offset 0, so no
//     leading FDT_NOP and no empty tree); properties come before a node's
//     first subnode (fdt_first_property_offset() and
//     fdt_next_property_offset() stop at a subnode, so later properties
//     are invisible to the kernel). Nodes deeper than FDT_MAX_DEPTH-2
//     are read: unflatten_dt_nodes() skips them (with a WARN_ON_ONCE)
//     rather than refusing the blob, which sim/of models for sources
//     and blobs alike; dt bounds nesting at the parser's 1000 levels.
//
// Checks stricter than libfdt, on things dtc never produces:
//
//   - version ≥ 16: older layouts (full-path node names, 8-byte aligned
//     values) are not read;
//   - the memory reservation map is 8-byte aligned and the structure block
//     4-byte aligned; size_dt_struct (v17) is a multiple of 4;
//   - the three blocks do not overlap, and the reservation map's
//     terminator comes before the next block starts;
//   - FDT_END ends the structure block exactly (v17): no trailing data;
//   - node names other than the root's are non-empty and contain no '/',
//     and property names are non-empty (DTS cannot spell either).
//
// Not checked, as the kernel does not check them either: duplicate node or
// property names, padding contents, value formats, boot_cpuid_phys.
//
// Every failure is an *FDTError naming the file and the byte offset, from
// the start of the blob, of the offending header field, token, name or
// string (see fdt_malformed_test.go for one example of each message).
// ReadFDT never panics and allocates at most a small multiple of
// len(blob): every length and offset read from the blob is checked against
// the blob before it is used.
//
// # Writing
//
// WriteFDT lays a blob out exactly as dtc 1.6.1 does for
// "dtc -I dts -O dtb" (flattree.c dt_to_blob): a v17 header
// (last_comp_version 16, boot_cpuid_phys 0), the memory reservation block
// at 0x28, the structure block, then the strings block, with no padding.
// Property names enter the strings block in tree order (properties before
// subnodes, depth first), and a name reuses the first occurrence of itself
// followed by NUL anywhere in the block, including as the tail of a longer
// name (dtc's stringtable_insert). So for every blob dtc writes,
// WriteFDT(ReadFDT(blob)) reproduces the blob byte for byte.

import (
	"encoding/binary"
	"fmt"
)

// FDT format constants (libfdt fdt.h).
const (
	fdtMagic     = 0xd00dfeed
	fdtBeginNode = 0x1
	fdtEndNode   = 0x2
	fdtProp      = 0x3
	fdtNop       = 0x4
	fdtEnd       = 0x9

	// fdtV17HeaderSize and fdtV16HeaderSize are the header sizes of
	// version ≥ 17 and of version 16 blobs (v16 has no size_dt_struct).
	fdtV17HeaderSize = 40
	fdtV16HeaderSize = 36
	// fdtLastSupportedVersion is libfdt's FDT_LAST_SUPPORTED_VERSION.
	fdtLastSupportedVersion = 17
)

// Header field offsets (struct fdt_header).
const (
	fdtOffMagic        = 0x00
	fdtOffTotalSize    = 0x04
	fdtOffDTStruct     = 0x08
	fdtOffDTStrings    = 0x0c
	fdtOffMemRsvMap    = 0x10
	fdtOffVersion      = 0x14
	fdtOffLastComp     = 0x18
	fdtOffBootCPUID    = 0x1c
	fdtOffSizeStrings  = 0x20
	fdtOffSizeDTStruct = 0x24
)

// FDTError is a malformed blob: ReadFDT's only error type.
type FDTError struct {
	File   string // the name passed to ReadFDT
	Offset int    // byte offset from the start of the blob
	Msg    string // what is wrong there
}

// Error returns "file: offset 0x…: msg".
func (e *FDTError) Error() string {
	return fmt.Sprintf("%s: offset 0x%x: %s", e.File, e.Offset, e.Msg)
}

// IsFDT reports whether data starts with the FDT magic 0xd00dfeed, that is
// whether it should be read as a blob rather than as DTS source. It checks
// nothing else: ReadFDT does.
func IsFDT(data []byte) bool {
	return len(data) >= 4 && binary.BigEndian.Uint32(data) == fdtMagic
}

// LoadBlob is the loader for .dtb and .dtbo inputs: it is ReadFDT, and
// returns the decoded tree or an *FDTError.
func LoadBlob(name string, data []byte) (*Tree, error) {
	return ReadFDT(name, data)
}
