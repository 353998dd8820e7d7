package dt

import (
	"bytes"
	"encoding/binary"
)

// WriteFDT encodes t as a version 17 blob laid out exactly as
// "dtc -I dts -O dtb" (dtc 1.6.1) lays it out: header, memory reservation
// block at 0x28, structure block, strings block with dtc's string sharing,
// boot_cpuid_phys 0, no padding. For a tree ReadFDT decoded from a blob dtc
// wrote, the result is that blob byte for byte.
//
// Labels are not written (a blob has none; __symbols__ is an ordinary
// node). A nil root is written as an empty root node. WriteFDT does not
// validate t: names containing NUL, non-root nodes with empty names or
// names containing '/', or nesting deeper than the kernel unflattens give
// a blob that ReadFDT rejects.
func WriteFDT(t *Tree) []byte {
	w := &fdtWriter{strIndex: map[string]int{}}
	root := &Node{}
	var mem []MemReserve
	if t != nil {
		mem = t.MemReserve
		if t.Root != nil {
			root = t.Root
		}
	}
	w.node(root)
	w.cell(fdtEnd)

	const rsvOff = fdtV17HeaderSize // ALIGN(hdr_size, 8)
	structOff := rsvOff + 16*(len(mem)+1)
	stringsOff := structOff + len(w.st)
	total := stringsOff + len(w.strs)

	blob := make([]byte, structOff, total)
	be := binary.BigEndian
	be.PutUint32(blob[fdtOffMagic:], fdtMagic)
	be.PutUint32(blob[fdtOffTotalSize:], uint32(total))
	be.PutUint32(blob[fdtOffDTStruct:], uint32(structOff))
	be.PutUint32(blob[fdtOffDTStrings:], uint32(stringsOff))
	be.PutUint32(blob[fdtOffMemRsvMap:], rsvOff)
	be.PutUint32(blob[fdtOffVersion:], 17)
	be.PutUint32(blob[fdtOffLastComp:], 16)
	be.PutUint32(blob[fdtOffBootCPUID:], 0)
	be.PutUint32(blob[fdtOffSizeStrings:], uint32(len(w.strs)))
	be.PutUint32(blob[fdtOffSizeDTStruct:], uint32(len(w.st)))
	for i, m := range mem {
		be.PutUint64(blob[rsvOff+16*i:], m.Address)
		be.PutUint64(blob[rsvOff+16*i+8:], m.Size)
	}
	// The terminating entry is already zero.
	blob = append(blob, w.st...)
	return append(blob, w.strs...)
}

type fdtWriter struct {
	st, strs []byte
	strIndex map[string]int // names already placed in strs
}

func (w *fdtWriter) cell(v uint32) {
	w.st = binary.BigEndian.AppendUint32(w.st, v)
}

// align pads the structure block with zeros to 4 bytes.
func (w *fdtWriter) align() {
	for len(w.st)%4 != 0 {
		w.st = append(w.st, 0)
	}
}

// node is dtc's flatten_tree: name, properties, then subnodes.
func (w *fdtWriter) node(n *Node) {
	w.cell(fdtBeginNode)
	w.st = append(w.st, n.Name...)
	w.st = append(w.st, 0)
	w.align()
	for _, p := range n.Props {
		nameoff := w.stringOffset(p.Name)
		w.cell(fdtProp)
		w.cell(uint32(len(p.Value)))
		w.cell(uint32(nameoff))
		w.st = append(w.st, p.Value...)
		w.align()
	}
	for _, c := range n.Children {
		w.node(c)
	}
	w.cell(fdtEndNode)
}

// stringOffset is dtc's stringtable_insert: the first offset in the strings
// block where name followed by NUL starts (possibly the tail of a longer
// name), else name is appended.
func (w *fdtWriter) stringOffset(name string) int {
	if off, ok := w.strIndex[name]; ok {
		return off
	}
	key := append([]byte(name), 0)
	off := bytes.Index(w.strs, key)
	if off < 0 {
		off = len(w.strs)
		w.strs = append(w.strs, key...)
	}
	// The first occurrence never moves: the block only grows at its end.
	w.strIndex[name] = off
	return off
}
