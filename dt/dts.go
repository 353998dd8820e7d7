package dt

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// DTS prints t exactly as "dtc -I dtb -O dts" (dtc 1.6.1) prints the blob
// of t, so a compiled tree can be compared with dtc's output as text.
//
// A blob keeps no types and no labels, so neither does this form: like
// dtc, DTS guesses from the bytes whether a value is a string (list),
// cells or bytes, and prints no labels.
func (t *Tree) DTS() []byte {
	var b strings.Builder
	b.WriteString("/dts-v1/;\n\n")
	for _, m := range t.MemReserve {
		fmt.Fprintf(&b, "/memreserve/\t0x%016x 0x%016x;\n", m.Address, m.Size)
	}
	if t.Root != nil {
		writeDTSNode(&b, t.Root, 0)
	}
	return []byte(b.String())
}

func writeDTSNode(b *strings.Builder, n *Node, depth int) {
	indent := strings.Repeat("\t", depth)
	name := n.Name
	if depth == 0 && name == "" {
		name = "/"
	}
	b.WriteString(indent + name + " {\n")
	for _, p := range n.Props {
		b.WriteString(indent + "\t" + p.Name)
		if len(p.Value) == 0 {
			b.WriteString(";\n")
			continue
		}
		b.WriteString(" = " + guessValue(p.Value) + ";\n")
	}
	for _, c := range n.Children {
		b.WriteString("\n")
		writeDTSNode(b, c, depth+1)
	}
	b.WriteString(indent + "};\n")
}

// isPrint is C's isprint in the C locale.
func isPrint(c byte) bool { return c >= 0x20 && c < 0x7f }

// guessValue formats an untyped value the way dtc's guess_value_type and
// write_propval do: a string if it is NUL-terminated printable text with
// no more NULs than other bytes, else cells if the length allows, else
// bytes.
func guessValue(v []byte) string {
	nnul, notString := 0, 0
	for _, c := range v {
		switch {
		case c == 0:
			nnul++
		case isPrint(c) || strings.IndexByte("\a\b\t\n\v\f\r", c) >= 0:
		default:
			notString++
		}
	}
	if v[len(v)-1] == 0 && notString == 0 && nnul <= len(v)-nnul {
		return dtsString(v[:len(v)-1])
	}
	var parts []string
	if len(v)%4 == 0 {
		for i := 0; i < len(v); i += 4 {
			parts = append(parts, fmt.Sprintf("0x%02x", binary.BigEndian.Uint32(v[i:])))
		}
		return "<" + strings.Join(parts, " ") + ">"
	}
	for _, c := range v {
		parts = append(parts, fmt.Sprintf("%02x", c))
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// dtsString is dtc 1.6.1's write_propval_string: the strings of a list
// are joined with \0 inside one literal.
func dtsString(s []byte) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, c := range s {
		switch c {
		case '\a':
			b.WriteString(`\a`)
		case '\b':
			b.WriteString(`\b`)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\v':
			b.WriteString(`\v`)
		case '\f':
			b.WriteString(`\f`)
		case '\r':
			b.WriteString(`\r`)
		case '\\':
			b.WriteString(`\\`)
		case '"':
			b.WriteString(`\"`)
		case 0:
			b.WriteString(`\0`)
		default:
			if isPrint(c) {
				b.WriteByte(c)
			} else {
				fmt.Fprintf(&b, `\x%02x`, c)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}
