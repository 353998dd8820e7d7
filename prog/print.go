package prog

import (
	"bytes"
	"io"
	"strconv"
	"strings"
)

// Print returns the canonical text of p: the version line, the header
// comments, the kernel line if any, the ops (each commented op preceded by
// a blank line and its comment block), a blank line and the trailing
// comments if any, then the files in archive order, each file's data
// ending in exactly one newline. Arguments are printed in op-table order
// as stored; results and links by the names of [Program.Names]. For a
// program that Validate accepts, Parse(Print(p)) equals p apart from Line
// fields and labels Names chose (a parsed program has them all already,
// so for it Parse(Print(p)) equals p), and Print is idempotent through
// Parse.
func (p *Program) Print() []byte {
	var b bytes.Buffer
	b.WriteString(Version)
	b.WriteByte('\n')
	writeLines(&b, p.Header)
	if p.Kernel != "" {
		b.WriteString("kernel ")
		b.WriteString(p.Kernel)
		b.WriteByte('\n')
	}
	names := p.Names()
	nameOf := p.namer(names)
	for i, op := range p.Ops {
		if op == nil {
			continue
		}
		if len(op.Comments) > 0 {
			// The blank line keeps the block off the header when there is
			// no kernel line, and reads well everywhere else.
			b.WriteByte('\n')
			writeLines(&b, op.Comments)
		}
		writeOp(&b, op, names[i], nameOf)
		b.WriteByte('\n')
	}
	if len(p.Trailer) > 0 {
		b.WriteByte('\n')
		writeLines(&b, p.Trailer)
	}
	for _, f := range p.Files {
		b.WriteString("-- ")
		b.WriteString(f.Name)
		b.WriteString(" --\n")
		b.Write(normalizeData(f.Data))
	}
	return b.Bytes()
}

// String returns Print's text.
func (p *Program) String() string { return string(p.Print()) }

func writeLines(b *bytes.Buffer, lines []string) {
	for _, l := range lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
}

// namer returns a function naming a linked op by names (from Names).
func (p *Program) namer(names []string) func(*Op) string {
	index := make(map[*Op]int, len(p.Ops))
	for i, op := range p.Ops {
		index[op] = i
	}
	return func(r *Op) string {
		if j, ok := index[r]; ok && names[j] != "" {
			return names[j]
		}
		return "?"
	}
}

// writeOp writes "[name = ]opname key=value …", naming linked ops with
// nameOf.
func writeOp(b io.StringWriter, op *Op, name string, nameOf func(*Op) string) {
	if name != "" {
		b.WriteString(name)
		b.WriteString(" = ")
	}
	b.WriteString(op.Name())
	for i := range op.Args {
		a := &op.Args[i]
		b.WriteString(" ")
		b.WriteString(a.Key)
		b.WriteString("=")
		b.WriteString(op.valueText(a, nameOf))
	}
}

// valueText is the text of one argument value.
func (op *Op) valueText(a *Arg, nameOf func(*Op) string) string {
	var ad *ArgDesc
	if op.Desc != nil {
		ad = op.Desc.Arg(a.Key)
	}
	if ad == nil {
		return "?"
	}
	switch ad.Kind {
	case KindFile:
		return a.File
	case KindRef:
		if a.Ref != nil {
			return nameOf(a.Ref)
		}
		return strconv.Itoa(a.Int)
	case KindNode:
		if a.Ref != nil {
			return nameOf(a.Ref)
		}
		return a.Path
	case KindInt:
		return strconv.Itoa(a.Int)
	case KindEnum:
		if a.Int >= 0 && a.Int < len(ad.Values) {
			return ad.Values[a.Int]
		}
		return "?"
	case KindSched:
		var b strings.Builder
		for i, it := range a.Sched {
			if i > 0 {
				b.WriteByte(',')
			}
			if it.Point >= 0 && it.Point < len(op.Desc.Sched) {
				b.WriteString(op.Desc.Sched[it.Point])
			} else {
				b.WriteByte('?')
			}
			if it.Count != 0 {
				b.WriteByte(':')
				b.WriteString(strconv.Itoa(it.Count))
			}
		}
		return b.String()
	}
	return "?"
}
