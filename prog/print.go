package prog

import (
	"bytes"
	"io"
)

// Print returns the canonical text of p: the version line, the header
// comments, the kernel line if any, the ops (each commented op preceded by
// a blank line and its comment block), a blank line and the trailing
// comments if any, then the files in archive order, each file's data
// ending in exactly one newline. Arguments are printed in op-table order
// as stored. For a program that Validate accepts, Parse(Print(p)) equals p
// apart from Line fields, and Print is idempotent through Parse.
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
	for _, op := range p.Ops {
		if op == nil {
			continue
		}
		if len(op.Comments) > 0 {
			// The blank line keeps the block off the header when there is
			// no kernel line, and reads well everywhere else.
			b.WriteByte('\n')
			writeLines(&b, op.Comments)
		}
		writeOp(&b, op)
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

// writeOp writes "[result = ]name key=value …".
func writeOp(b io.StringWriter, op *Op) {
	if op.Result != "" {
		b.WriteString(op.Result)
		b.WriteString(" = ")
	}
	b.WriteString(op.Name())
	for _, a := range op.Args {
		b.WriteString(" ")
		b.WriteString(a.Key)
		b.WriteString("=")
		b.WriteString(a.Value)
	}
}
