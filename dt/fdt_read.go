package dt

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// ReadFDT decodes the flattened device tree blob (.dtb or .dtbo) called
// name. The tree has the shape Compile gives: the root is named "", nodes
// and properties are in blob order, property values are the raw bytes
// (nil when empty), and there are no labels. The blob is not retained.
//
// ReadFDT accepts the blobs the kernel would unflatten without losing
// anything, except for a few layouts dtc never writes (the list of checks
// is at the top of fdt.go); any other input gives an *FDTError with the
// offset of the fault.
func ReadFDT(name string, blob []byte) (*Tree, error) {
	r := &fdtReader{file: name}
	t, err := r.read(blob)
	if err != nil {
		return nil, err
	}
	return t, nil
}

// fdtBlock is a block of the blob: [start, end).
type fdtBlock struct {
	name       string
	start, end int64
}

func (b fdtBlock) String() string {
	return fmt.Sprintf("%s block [0x%x, 0x%x)", b.name, b.start, b.end)
}

func (b fdtBlock) overlaps(c fdtBlock) bool {
	return b.start < b.end && c.start < c.end && b.start < c.end && c.start < b.end
}

type fdtReader struct {
	file string
	b    []byte // the blob, cut at totalsize

	version    uint32
	hdrSize    int64
	rsvmap     int64    // off_mem_rsvmap
	structure  fdtBlock // end is totalsize for v16 until FDT_END is found
	stringsBlk fdtBlock
	mem        []MemReserve
	stack      []*Node // the open nodes, root first
}

func (r *fdtReader) errorf(off int64, format string, args ...any) *FDTError {
	return &FDTError{File: r.file, Offset: int(off), Msg: fmt.Sprintf(format, args...)}
}

func (r *fdtReader) u32(off int64) uint32 { return binary.BigEndian.Uint32(r.b[off:]) }
func (r *fdtReader) u64(off int64) uint64 { return binary.BigEndian.Uint64(r.b[off:]) }

func (r *fdtReader) read(blob []byte) (*Tree, error) {
	if err := r.header(blob); err != nil {
		return nil, err
	}
	if err := r.memReserve(); err != nil {
		return nil, err
	}
	root, err := r.structBlock()
	if err != nil {
		return nil, err
	}
	return &Tree{Root: root, MemReserve: r.mem}, nil
}

// header checks the header and the placement of the blocks, as
// fdt_check_header does, plus alignment and overlap.
func (r *fdtReader) header(blob []byte) *FDTError {
	n := int64(len(blob))
	r.b = blob
	if n < 4 {
		return r.errorf(n, "truncated blob: %d bytes, shorter than the %d-byte FDT header", n, fdtV17HeaderSize)
	}
	if m := r.u32(fdtOffMagic); m != fdtMagic {
		return r.errorf(fdtOffMagic, "bad magic 0x%08x, want 0x%08x", m, fdtMagic)
	}
	if n < fdtOffBootCPUID {
		return r.errorf(n, "truncated blob: %d bytes, shorter than the %d-byte FDT header", n, fdtV17HeaderSize)
	}
	r.version = r.u32(fdtOffVersion)
	last := r.u32(fdtOffLastComp)
	switch {
	case r.version < 16:
		return r.errorf(fdtOffVersion, "unsupported version %d: only version 16 and later blobs are read", r.version)
	case last > fdtLastSupportedVersion:
		return r.errorf(fdtOffLastComp, "unsupported last_comp_version %d: blobs must be readable as version %d", last, fdtLastSupportedVersion)
	case last > r.version:
		return r.errorf(fdtOffLastComp, "unsupported last_comp_version %d: greater than version %d", last, r.version)
	}
	r.hdrSize = fdtV17HeaderSize
	if r.version == 16 {
		r.hdrSize = fdtV16HeaderSize
	}
	if n < r.hdrSize {
		return r.errorf(n, "truncated blob: %d bytes, shorter than the %d-byte FDT header", n, r.hdrSize)
	}
	total := int64(r.u32(fdtOffTotalSize))
	if total < r.hdrSize {
		return r.errorf(fdtOffTotalSize, "bad totalsize 0x%x: smaller than the %d-byte header", total, r.hdrSize)
	}
	if total > n {
		return r.errorf(n, "truncated blob: totalsize is 0x%x but the blob ends at 0x%x", total, n)
	}
	r.b = blob[:total]

	r.rsvmap = int64(r.u32(fdtOffMemRsvMap))
	st := int64(r.u32(fdtOffDTStruct))
	r.stringsBlk = fdtBlock{"strings", int64(r.u32(fdtOffDTStrings)), 0}
	r.stringsBlk.end = r.stringsBlk.start + int64(r.u32(fdtOffSizeStrings))
	r.structure = fdtBlock{"structure", st, total}
	if r.version >= 17 {
		size := int64(r.u32(fdtOffSizeDTStruct))
		if size%4 != 0 {
			return r.errorf(fdtOffSizeDTStruct, "bad size_dt_struct 0x%x: not a multiple of 4", size)
		}
		r.structure.end = st + size
	}
	if r.rsvmap%8 != 0 {
		return r.errorf(fdtOffMemRsvMap, "bad off_mem_rsvmap 0x%x: not 8-byte aligned", r.rsvmap)
	}
	if st%4 != 0 {
		return r.errorf(fdtOffDTStruct, "bad off_dt_struct 0x%x: not 4-byte aligned", st)
	}
	if r.rsvmap < r.hdrSize || r.rsvmap > total {
		return r.errorf(fdtOffMemRsvMap, "bad off_mem_rsvmap 0x%x: outside [0x%x, totalsize 0x%x]", r.rsvmap, r.hdrSize, total)
	}
	for _, c := range []struct {
		field int64
		b     fdtBlock
	}{{fdtOffDTStruct, r.structure}, {fdtOffDTStrings, r.stringsBlk}} {
		if c.b.start < r.hdrSize || c.b.end > total {
			return r.errorf(c.field, "bad offsets: %v is outside [0x%x, totalsize 0x%x)", c.b, r.hdrSize, total)
		}
	}
	if r.version >= 17 && r.structure.overlaps(r.stringsBlk) {
		return r.errorf(fdtOffDTStrings, "bad offsets: %v overlaps %v", r.stringsBlk, r.structure)
	}
	return nil
}

// memReserve reads the memory reservation block (fdt_num_mem_rsv): 16-byte
// entries up to the first one with size 0. The terminator must come before
// the next block that starts after the map, or before totalsize.
func (r *fdtReader) memReserve() *FDTError {
	limit, what := int64(len(r.b)), fmt.Sprintf("totalsize 0x%x", len(r.b))
	for _, b := range []fdtBlock{r.structure, r.stringsBlk} {
		if b.start > r.rsvmap && b.start < limit && b.start < b.end {
			limit, what = b.start, fmt.Sprintf("the %s block at 0x%x", b.name, b.start)
		}
	}
	p := r.rsvmap
	for ; ; p += 16 {
		if p+16 > limit {
			return r.errorf(p, "bad memory reservation block at 0x%x: not terminated (no entry with size 0) before %s", r.rsvmap, what)
		}
		addr, size := r.u64(p), r.u64(p+8)
		if size == 0 {
			break
		}
		r.mem = append(r.mem, MemReserve{Address: addr, Size: size})
	}
	rsv := fdtBlock{"memory reservation", r.rsvmap, p + 16}
	for _, b := range []fdtBlock{r.structure, r.stringsBlk} {
		// A v16 structure block's end is known only at its FDT_END:
		// structBlock checks it then.
		if rsv.overlaps(b) && (b.name != "structure" || r.version >= 17) {
			return r.errorf(fdtOffMemRsvMap, "bad offsets: %v overlaps %v", rsv, b)
		}
	}
	return nil
}

// fdtTokenName names a structure block token for error messages.
func fdtTokenName(tok uint32) string {
	switch tok {
	case fdtBeginNode:
		return "FDT_BEGIN_NODE"
	case fdtEndNode:
		return "FDT_END_NODE"
	case fdtProp:
		return "FDT_PROP"
	case fdtNop:
		return "FDT_NOP"
	case fdtEnd:
		return "FDT_END"
	}
	return fmt.Sprintf("token 0x%08x", tok)
}

// path is the path of the innermost open node, or of its child name,
// quoted if it holds bytes other than printable ASCII.
func (r *fdtReader) path(child string) string {
	var b strings.Builder
	for i, n := range r.stack {
		if i > 0 {
			b.WriteString("/" + n.Name)
		}
	}
	if child != "" {
		b.WriteString("/" + child)
	}
	path := b.String()
	if path == "" {
		return "/"
	}
	for i := 0; i < len(path); i++ {
		if path[i] < 0x20 || path[i] >= 0x7f {
			return strconv.Quote(path)
		}
	}
	return path
}

func fdtAlign4(p int64) int64 { return (p + 3) &^ 3 }

// structBlock decodes the structure block, as fdt_check_full walks it with
// fdt_next_tag.
func (r *fdtReader) structBlock() (*Node, *FDTError) {
	start, end := r.structure.start, r.structure.end
	var root *Node
	rootClosed := false
	for p := start; ; {
		if p+4 > end {
			switch {
			case root == nil:
				return nil, r.errorf(end, "missing FDT_END: the structure block [0x%x, 0x%x) holds no root node", start, end)
			case rootClosed:
				return nil, r.errorf(end, "missing FDT_END: the structure block ends at 0x%x after the root node", end)
			}
			return nil, r.errorf(end, "missing FDT_END: the structure block ends at 0x%x inside %s", end, r.path(""))
		}
		tokOff := p
		tok := r.u32(p)
		p += 4
		if root == nil && tok != fdtBeginNode {
			return nil, r.errorf(tokOff, "bad structure block: starts with %s, want FDT_BEGIN_NODE of the root node", fdtTokenName(tok))
		}
		if rootClosed && tok != fdtEnd {
			return nil, r.errorf(tokOff, "unbalanced nodes: %s after the root node's FDT_END_NODE, want FDT_END", fdtTokenName(tok))
		}
		switch tok {
		case fdtBeginNode:
			nul := bytes.IndexByte(r.b[p:end], 0)
			if nul < 0 {
				return nil, r.errorf(p, "unterminated node name: no NUL before the end of the structure block at 0x%x", end)
			}
			name := string(r.b[p : p+int64(nul)])
			n := &Node{Name: name}
			if root == nil {
				if name != "" {
					return nil, r.errorf(p, "bad root node name %q: the root's name must be empty", name)
				}
				root = n
			} else {
				switch {
				case name == "":
					return nil, r.errorf(p, "empty node name under %s", r.path(""))
				case strings.IndexByte(name, '/') >= 0:
					return nil, r.errorf(p, "bad node name %q under %s: contains '/'", name, r.path(""))
				case len(r.stack) > maxDepth:
					// the parser's bound: a tree reads to the same depth
					// as a source and as a blob (the kernel's own limit,
					// FDT_MAX_DEPTH, is unflatten's: sim/of skips deeper
					// nodes as unflatten_dt_nodes does)
					return nil, r.errorf(tokOff, "node %s is nested %d levels deep: deeper than %d levels, the nesting dt reads", r.path(name), len(r.stack), maxDepth)
				}
				parent := r.stack[len(r.stack)-1]
				parent.Children = append(parent.Children, n)
			}
			r.stack = append(r.stack, n)
			p = fdtAlign4(p + int64(nul) + 1)

		case fdtEndNode:
			if len(r.stack) == 0 { // unreachable: rootClosed is checked above
				return nil, r.errorf(tokOff, "unbalanced nodes: FDT_END_NODE without FDT_BEGIN_NODE")
			}
			r.stack = r.stack[:len(r.stack)-1]
			rootClosed = len(r.stack) == 0

		case fdtProp:
			if err := r.prop(tokOff, end); err != nil {
				return nil, err
			}
			ln := int64(r.u32(p))
			p = fdtAlign4(p + 8 + ln)

		case fdtNop:

		case fdtEnd:
			if len(r.stack) > 0 {
				return nil, r.errorf(tokOff, "unbalanced nodes: FDT_END with %d node(s) open, innermost %s", len(r.stack), r.path(""))
			}
			if r.version < 17 {
				r.structure.end = p
				for _, b := range []fdtBlock{r.stringsBlk, {"memory reservation", r.rsvmap, r.rsvmap + 16*int64(len(r.mem)+1)}} {
					if r.structure.overlaps(b) {
						return nil, r.errorf(fdtOffDTStruct, "bad offsets: %v overlaps %v", r.structure, b)
					}
				}
			} else if p != end {
				return nil, r.errorf(p, "trailing data: 0x%x bytes after FDT_END inside the structure block (size_dt_struct 0x%x)", end-p, end-start)
			}
			return root, nil

		default:
			return nil, r.errorf(tokOff, "bad token 0x%08x in %s", tok, r.path(""))
		}
	}
}

// prop decodes the FDT_PROP at tokOff into the innermost open node.
func (r *fdtReader) prop(tokOff, end int64) *FDTError {
	node := r.stack[len(r.stack)-1]
	p := tokOff + 4
	if p+8 > end {
		return r.errorf(tokOff, "truncated property in %s: FDT_PROP header runs past the end of the structure block at 0x%x", r.path(""), end)
	}
	ln, nameoff := int64(r.u32(p)), int64(r.u32(p+4))
	strs := r.stringsBlk
	if r.version < 17 {
		// libfdt's fdt_get_string bounds names by size_dt_strings only
		// from version 17 on; before, by totalsize.
		if limit := int64(len(r.b)); nameoff >= limit-strs.start {
			return r.errorf(p+4, "bad property name offset 0x%x in %s: past totalsize 0x%x (strings block at 0x%x)", nameoff, r.path(""), limit, strs.start)
		}
		strs.end = int64(len(r.b))
	} else if nameoff >= strs.end-strs.start {
		return r.errorf(p+4, "bad property name offset 0x%x in %s: outside the strings block (size 0x%x)", nameoff, r.path(""), strs.end-strs.start)
	}
	nul := bytes.IndexByte(r.b[strs.start+nameoff:strs.end], 0)
	if nul < 0 {
		return r.errorf(strs.start+nameoff, "unterminated string in the strings block: no NUL before 0x%x", strs.end)
	}
	name := string(r.b[strs.start+nameoff : strs.start+nameoff+int64(nul)])
	switch {
	case name == "":
		return r.errorf(p+4, "empty property name in %s", r.path(""))
	case ln > end-(p+8):
		return r.errorf(p, "oversized property %q in %s: length 0x%x runs past the end of the structure block at 0x%x", name, r.path(""), ln, end)
	case len(node.Children) > 0:
		return r.errorf(tokOff, "property %q in %s follows subnode %q: the kernel reads only the properties before a node's first subnode", name, r.path(""), node.Children[0].Name)
	}
	node.Props = append(node.Props, &Property{Name: name, Value: append([]byte(nil), r.b[p+8:p+8+ln]...)})
	return nil
}
