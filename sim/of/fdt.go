package of

import (
	"encoding/binary"

	"dangle/dt"
)

// Blob is what a caller of of_overlay_fdt_apply() hands in: the name (for
// logs), the raw flattened blob when there is one, and its unflattened
// tree (nil when the blob does not unflatten). Overlays given as sources
// have no raw bytes and always a tree.
type Blob struct {
	Name string
	Raw  []byte
	Tree *dt.Tree
	// Bad is dangle's own reason a .dtbo does not read (offset and what
	// is wrong), printed as a note after the kernel's generic line.
	Bad error
}

// noteBadBlob prints dangle's reason for a corrupt blob after the kernel's
// own (generic, or absent) message: a harness line, not kernel text.
func (t *OF) noteBadBlob(b *Blob) {
	if b.Bad != nil {
		t.log.Harness("note: %s is corrupt: %v (dangle's reading; the kernel does not say why)", b.Name, b.Bad)
	}
}

// fdtCheckHeader is libfdt's fdt_check_header() as of_overlay_fdt_apply()
// runs it, with the size check that precedes it: the header must fit,
// carry the magic, a supported version and blocks inside totalsize.
func fdtCheckHeader(b []byte) bool {
	const hdr = 40
	if len(b) < hdr {
		return false
	}
	u := func(off int) uint32 { return binary.BigEndian.Uint32(b[off:]) }
	if u(0) != 0xd00dfeed {
		return false
	}
	version, lastComp := u(20), u(24)
	if version < 0x02 || lastComp > 0x11 || version < lastComp {
		return false
	}
	total := u(4)
	if total < hdr || total > 0x7fffffff {
		return false
	}
	inside := func(off, size uint32) bool {
		return off >= hdr && uint64(off)+uint64(size) <= uint64(total)
	}
	if !inside(u(16), 0) || !inside(u(8), u(36)) || !inside(u(12), u(32)) {
		return false
	}
	return true
}

// fdtTotalSize is fdt_totalsize().
func fdtTotalSize(b []byte) uint32 { return binary.BigEndian.Uint32(b[4:]) }
