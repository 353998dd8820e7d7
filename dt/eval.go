package dt

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// Evaluation and encoding of property values, as dtc's parser actions
// and data.c do them: integers are uint64 with C's unsigned semantics,
// every operand is evaluated (dtc reduces both sides of && and ?:, so a
// division by zero anywhere is an error), and cells are big-endian.

// compileError carries an error up to Compile, which returns it as an
// *Error. The compiler stops at the first problem (dtc reports them all,
// then fails); panicking out of the tree walks beats threading an error
// through each of them.
type compileError struct {
	pos Pos
	msg string
}

func (c *compiler) fail(pos Pos, format string, args ...any) {
	panic(compileError{pos, fmt.Sprintf(format, args...)})
}

// eval computes the value of e.
func (c *compiler) eval(e *Expr) uint64 {
	if e == nil {
		c.fail(Pos{}, "missing expression")
	}
	switch {
	case e.Op == "":
		return c.literal(e)
	case e.Op == "()":
		return c.eval(e.X)
	case e.Op == "?:":
		x, y, z := c.eval(e.X), c.eval(e.Y), c.eval(e.Z)
		if x != 0 {
			return y
		}
		return z
	case e.IsUnary():
		x := c.eval(e.X)
		switch e.Op {
		case "-":
			return -x
		case "~":
			return ^x
		case "!":
			return b2u(x == 0)
		}
	default:
		x, y := c.eval(e.X), c.eval(e.Y)
		switch e.Op {
		case "*":
			return x * y
		case "/", "%":
			if y == 0 {
				c.fail(e.X.Pos, "division by zero")
			}
			if e.Op == "/" {
				return x / y
			}
			return x % y
		case "+":
			return x + y
		case "-":
			return x - y
		case "<<", ">>":
			// dtc: ($3 < 64) ? ($1 << $3) : 0, avoiding C's undefined shift.
			if y >= 64 {
				return 0
			}
			if e.Op == "<<" {
				return x << y
			}
			return x >> y
		case "<":
			return b2u(x < y)
		case ">":
			return b2u(x > y)
		case "<=":
			return b2u(x <= y)
		case ">=":
			return b2u(x >= y)
		case "==":
			return b2u(x == y)
		case "!=":
			return b2u(x != y)
		case "&":
			return x & y
		case "^":
			return x ^ y
		case "|":
			return x | y
		case "&&":
			return b2u(x != 0 && y != 0)
		case "||":
			return b2u(x != 0 || y != 0)
		}
	}
	c.fail(e.Pos, "unknown operator %q", e.Op)
	return 0
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

func (c *compiler) literal(e *Expr) uint64 {
	if strings.HasPrefix(e.Lit, "'") {
		if len(e.Lit) < 2 || e.Lit[len(e.Lit)-1] != '\'' {
			c.fail(e.Pos, "bad character literal %s", e.Lit)
		}
		v, err := decodeCharLiteral(e.Lit[1 : len(e.Lit)-1])
		if err != nil {
			c.fail(e.Pos, "%s", err)
		}
		return v
	}
	if e.Lit == "" || !isDigit(e.Lit[0]) || literalLen([]byte(e.Lit)) != len(e.Lit) {
		c.fail(e.Pos, "bad integer literal %q", e.Lit)
	}
	v, err := parseLiteral(e.Lit)
	if err != nil {
		c.fail(e.Pos, "%s", err)
	}
	return v
}

// encodeValues builds a property value and its markers from the parts of
// a PropDef (dtc's propdata actions).
func (c *compiler) encodeValues(vs []*Value) ([]byte, []*marker) {
	var val []byte
	if n := encodedSize(vs); n > 0 {
		// sized once: the value is the compiled tree's (convertNode
		// keeps it without a copy), and growing it by appends made
		// as much garbage again
		val = make([]byte, 0, n)
	}
	var ms []*marker
	mark := func(kind markerKind, ref string, pos Pos) {
		ms = append(ms, &marker{kind: kind, offset: len(val), ref: ref, pos: pos})
	}
	for _, v := range vs {
		if v == nil {
			continue
		}
		switch v.Kind {
		case StringValue:
			val = append(append(val, v.Str...), 0)
		case RefValue:
			mark(refPath, string(v.Ref), v.Pos)
		case LabelValue:
			mark(labelMark, v.Label, v.Pos)
		case BytesValue:
			li := 0
			for i := 0; i <= len(v.Bytes); i++ {
				for ; li < len(v.ByteLabels) && v.ByteLabels[li].At <= i; li++ {
					mark(labelMark, v.ByteLabels[li].Name, v.Pos)
				}
				if i < len(v.Bytes) {
					val = append(val, v.Bytes[i])
				}
			}
			for ; li < len(v.ByteLabels); li++ {
				mark(labelMark, v.ByteLabels[li].Name, v.Pos)
			}
		case CellsValue:
			bits := v.Bits
			if bits == 0 {
				bits = 32
			}
			if bits != 8 && bits != 16 && bits != 32 && bits != 64 {
				c.fail(v.Pos, "array elements must be 8, 16, 32 or 64-bits")
			}
			for _, cell := range v.Cells {
				switch {
				case cell == nil:
				case cell.Expr != nil:
					x := c.eval(cell.Expr)
					if bits < 64 {
						// Bits above the element must be all zero, or all one
						// for a sign-extended negative number.
						mask := uint64(1)<<bits - 1
						if x > mask && x|mask != ^uint64(0) {
							c.fail(cell.Pos, "value out of range for %d-bit array element", bits)
						}
					}
					val = appendInt(val, x, bits)
				case cell.Ref != "":
					if bits != 32 {
						c.fail(cell.Pos, "references are only allowed in arrays with 32-bit elements")
					}
					mark(refPhandle, string(cell.Ref), cell.Pos)
					val = appendInt(val, 0xffffffff, 32)
				default:
					mark(labelMark, cell.Label, cell.Pos)
				}
			}
		default:
			c.fail(v.Pos, "unknown value kind %d", v.Kind)
		}
	}
	return val, ms
}

// encodedSize is the length encodeValues gives vs (a path reference
// adds its path later): a string and its NUL, the bytes, each element of
// a cell array (a label between elements adds nothing). An invalid
// /bits/ counts 4 bytes an element; encodeValues fails on it anyway.
func encodedSize(vs []*Value) int {
	n := 0
	for _, v := range vs {
		if v == nil {
			continue
		}
		switch v.Kind {
		case StringValue:
			n += len(v.Str) + 1
		case BytesValue:
			n += len(v.Bytes)
		case CellsValue:
			size := 4
			if b := v.Bits; b == 8 || b == 16 || b == 64 {
				size = b / 8
			}
			for _, cell := range v.Cells {
				if cell != nil && (cell.Expr != nil || cell.Ref != "") {
					n += size
				}
			}
		}
	}
	return n
}

func appendInt(b []byte, x uint64, bits int) []byte {
	switch bits {
	case 8:
		return append(b, byte(x))
	case 16:
		return binary.BigEndian.AppendUint16(b, uint16(x))
	case 32:
		return binary.BigEndian.AppendUint32(b, uint32(x))
	}
	return binary.BigEndian.AppendUint64(b, x)
}
