package dt

import (
	"fmt"
	"strings"
)

// Format prints f in canonical form: tab indentation, one property or
// node per line, a blank line before each child node (as dtc -O dts lays
// it out), labels, references and comments kept, integers in the radix
// they were written in and strings with canonical escapes.
//
// Parse(Format(f)) equals f apart from positions, Format is idempotent,
// and dtc compiles Format's output to the same blob as the original
// source.
func Format(f *File) []byte {
	if f == nil {
		return nil
	}
	w := &printer{}
	w.comments(f.Header.Leading, 0)
	w.line(0, "/dts-v1/;", f.Header.Trailing)
	if f.Plugin {
		w.comments(f.PluginHeader.Leading, 0)
		w.line(0, "/plugin/;", f.PluginHeader.Trailing)
	}
	if len(f.MemReserves) > 0 {
		w.blank()
		for _, m := range f.MemReserves {
			w.comments(m.Leading, 0)
			w.line(0, labelPrefix(m.Labels)+"/memreserve/ "+exprString(m.Address, precPrim)+" "+exprString(m.Size, precPrim)+";", m.Trailing)
		}
	}
	for _, n := range f.Nodes {
		w.blank()
		w.node(n, 0, true)
	}
	if len(f.EndComments) > 0 {
		w.blank()
		w.comments(f.EndComments, 0)
	}
	return []byte(w.b.String())
}

type printer struct {
	b strings.Builder
}

func (w *printer) blank() { w.b.WriteByte('\n') }

func (w *printer) line(depth int, text, trailing string) {
	w.b.WriteString(strings.Repeat("\t", depth))
	w.b.WriteString(text)
	if trailing != "" {
		w.b.WriteString(" " + trailing)
	}
	w.b.WriteByte('\n')
}

// comments prints each comment on lines of its own. The lines inside a
// block comment are printed as written.
func (w *printer) comments(cs []string, depth int) {
	for _, c := range cs {
		w.line(depth, c, "")
	}
}

func labelPrefix(labels []string) string {
	var b strings.Builder
	for _, l := range labels {
		b.WriteString(l + ": ")
	}
	return b.String()
}

func (w *printer) node(n *NodeDef, depth int, top bool) {
	w.comments(n.Leading, depth)
	var head string
	switch {
	case top && n.Delete:
		w.line(depth, "/delete-node/ "+n.Ref.String()+";", n.Trailing)
		return
	case top && n.OmitIfNoRef && n.Ref != "":
		w.line(depth, "/omit-if-no-ref/ "+n.Ref.String()+";", n.Trailing)
		return
	case top && n.Ref != "":
		head = labelPrefix(n.Labels) + n.Ref.String()
	case top:
		head = "/"
	default:
		if n.OmitIfNoRef {
			head = "/omit-if-no-ref/ "
		}
		head += labelPrefix(n.Labels)
		if n.Delete {
			w.line(depth, head+"/delete-node/ "+n.Name+";", n.Trailing)
			return
		}
		head += n.Name
	}
	w.line(depth, head+" {", "")
	for _, p := range n.Props {
		w.prop(p, depth+1)
	}
	for _, c := range n.Children {
		w.blank()
		w.node(c, depth+1, false)
	}
	if len(n.EndComments) > 0 {
		if len(n.Children) > 0 {
			w.blank()
		}
		w.comments(n.EndComments, depth+1)
	}
	w.line(depth, "};", n.Trailing)
}

func (w *printer) prop(p *PropDef, depth int) {
	w.comments(p.Leading, depth)
	text := labelPrefix(p.Labels)
	switch {
	case p.Delete:
		text += "/delete-property/ " + p.Name
	case len(p.Values) == 0:
		text += p.Name
	default:
		text += p.Name + " = " + valuesString(p.Values)
	}
	w.line(depth, text+";", p.Trailing)
}

// valuesString prints the parts of a property value. A comma goes after
// each part that has another part after it; labels between parts follow
// the comma, so "a" l: , "b" and "a", l: "b" print the same.
func valuesString(vs []*Value) string {
	last := -1
	for i, v := range vs {
		if v.Kind != LabelValue {
			last = i
		}
	}
	var b strings.Builder
	afterPart := false
	for i, v := range vs {
		if i > 0 {
			if afterPart && i <= last {
				b.WriteString(",")
			}
			b.WriteString(" ")
		}
		b.WriteString(valueString(v))
		afterPart = v.Kind != LabelValue
	}
	return b.String()
}

func valueString(v *Value) string {
	switch v.Kind {
	case StringValue:
		return quote(v.Str)
	case RefValue:
		return v.Ref.String()
	case LabelValue:
		return v.Label + ":"
	case BytesValue:
		var parts []string
		li := 0
		for i := 0; i <= len(v.Bytes); i++ {
			for li < len(v.ByteLabels) && v.ByteLabels[li].At <= i {
				parts = append(parts, v.ByteLabels[li].Name+":")
				li++
			}
			if i < len(v.Bytes) {
				parts = append(parts, fmt.Sprintf("%02x", v.Bytes[i]))
			}
		}
		// Labels placed past the end (only in hand-built values).
		for ; li < len(v.ByteLabels); li++ {
			parts = append(parts, v.ByteLabels[li].Name+":")
		}
		return "[" + strings.Join(parts, " ") + "]"
	case CellsValue:
		parts := make([]string, 0, len(v.Cells))
		for _, c := range v.Cells {
			switch {
			case c.Expr != nil:
				parts = append(parts, exprString(c.Expr, precPrim))
			case c.Ref != "":
				parts = append(parts, c.Ref.String())
			default:
				parts = append(parts, c.Label+":")
			}
		}
		s := "<" + strings.Join(parts, " ") + ">"
		if v.Bits != 0 {
			s = fmt.Sprintf("/bits/ %d %s", v.Bits, s)
		}
		return s
	}
	return ""
}

// quote prints s as a dtc string literal. Bytes outside printable ASCII
// use two-digit \x escapes, which dtc reads back exactly (a \0 could
// swallow a following digit as octal).
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		case '\a':
			b.WriteString(`\a`)
		case '\b':
			b.WriteString(`\b`)
		case '\v':
			b.WriteString(`\v`)
		case '\f':
			b.WriteString(`\f`)
		default:
			if c >= 0x20 && c < 0x7f {
				b.WriteByte(c)
			} else {
				fmt.Fprintf(&b, `\x%02x`, c)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// Operator precedences, loosest first, following dtc's grammar.
const (
	precTernary = iota
	precOr
	precAnd
	precBitOr
	precBitXor
	precBitAnd
	precEq
	precRel
	precShift
	precAdd
	precMul
	precUnary
	precPrim
)

var binaryPrec = map[string]int{
	"||": precOr, "&&": precAnd, "|": precBitOr, "^": precBitXor, "&": precBitAnd,
	"==": precEq, "!=": precEq, "<": precRel, ">": precRel, "<=": precRel, ">=": precRel,
	"<<": precShift, ">>": precShift, "+": precAdd, "-": precAdd,
	"*": precMul, "/": precMul, "%": precMul,
}

// exprString prints e where the grammar needs an operand of at least
// precedence min. Parsed expressions carry their parentheses as "()"
// nodes and never need more; parentheses are added only for hand-built
// trees that would otherwise print wrongly.
func exprString(e *Expr, min int) string {
	if e == nil {
		return "0"
	}
	var s string
	prec := precPrim
	switch {
	case e.Op == "":
		return e.Lit
	case e.Op == "()":
		return "(" + exprString(e.X, precTernary) + ")"
	case e.Op == "?:":
		prec = precTernary
		s = exprString(e.X, precOr) + " ? " + exprString(e.Y, precTernary) + " : " + exprString(e.Z, precTernary)
	case e.IsUnary():
		prec = precUnary
		s = e.Op + exprString(e.X, precUnary)
	default:
		prec = binaryPrec[e.Op]
		s = exprString(e.X, prec) + " " + e.Op + " " + exprString(e.Y, prec+1)
	}
	if prec < min {
		return "(" + s + ")"
	}
	return s
}
