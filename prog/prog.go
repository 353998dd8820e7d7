package prog

import (
	_ "embed"
	"slices"
	"strings"
)

// Version is the first line of every program file.
const Version = "dangle program v1"

// DefaultBaseName is the name of the base tree: the archive file that, when
// present, replaces the built-in default base tree.
const DefaultBaseName = "base.dts"

// DefaultBase is the built-in base tree (DTS source), used when a program
// has no base.dts: a small SoC whose controllers all carry labels (clk24m,
// soc, pd, gpio0, i2c0, spi0, i2c1, bus) so overlays can target them.
//
//go:embed base.dts
var DefaultBase []byte

// Program is a parsed or constructed program: a header, a sequence of ops and
// the device-tree sources they use.
//
// Invariants (checked by Validate, established by Parse): every comment line
// starts with '#' and has no surrounding white space and no newline; Kernel
// is empty (no kernel line) or a non-empty profile string; Ops bind and use
// names in order; file names are unique.
type Program struct {
	// Header holds the comment lines before the kernel line (or, without
	// one, before the first blank line or op), each starting with '#'.
	Header []string
	// Kernel is the kernel profile named by the "kernel" line, kept as
	// written apart from white space ("v6.8+wait-early devlink_wait=none");
	// "" if the program has none, meaning the default profile. sim/profile
	// interprets it; a command-line -kernel overrides it.
	Kernel string
	// Ops is the operation sequence, in execution order.
	Ops []*Op
	// Trailer holds the comment lines after the last op.
	Trailer []string
	// Files holds the archive files (device-tree sources) in archive order.
	Files []File
}

// Op is one operation of a program.
type Op struct {
	// Comments is the comment block above the op, each line starting with '#'.
	Comments []string
	// Result is the name the op binds ("ov" in "ov = of_overlay_fdt_apply …"),
	// or "". Only ops whose Desc.Result is not TypeNone may bind.
	Result string
	// Desc is the op's entry in Ops (a pointer into the table).
	Desc *OpDesc
	// Args holds the arguments in op-table order (the order of Desc.Args),
	// each key at most once.
	Args []Arg
	// Line is the op's line in the program file; 0 if constructed.
	Line int
}

// Arg is one key=value argument of an op.
type Arg struct {
	Key, Value string
}

// File is one file of the program archive.
type File struct {
	// Name is the file name ("reg-expander.dtso"): letters, digits and
	// "_.,+-", ending in a known suffix (.dts, .dtso).
	Name string
	// Data is the file content: empty, or ending in exactly one newline.
	Data []byte
	// Line is the line of the program file that holds the file's first
	// line (the "-- name --" marker line + 1); 0 if constructed.
	Line int
}

// NewOp returns an op of desc binding result ("" for none) with args. The
// args are stored in op-table order; keys not in desc stay at the end in the
// order given, for Validate to report.
func NewOp(desc *OpDesc, result string, args ...Arg) *Op {
	op := &Op{Desc: desc, Result: result, Args: slices.Clone(args)}
	op.sortArgs()
	return op
}

// argIndex is the position of key in the op table's argument list, or
// len(Args) for an unknown key.
func (op *Op) argIndex(key string) int {
	if op.Desc != nil {
		for i := range op.Desc.Args {
			if op.Desc.Args[i].Key == key {
				return i
			}
		}
		return len(op.Desc.Args)
	}
	return 0
}

func (op *Op) sortArgs() {
	slices.SortStableFunc(op.Args, func(a, b Arg) int {
		return op.argIndex(a.Key) - op.argIndex(b.Key)
	})
}

// Get returns the value of the argument called key and whether it is present.
func (op *Op) Get(key string) (string, bool) {
	for _, a := range op.Args {
		if a.Key == key {
			return a.Value, true
		}
	}
	return "", false
}

// Set sets the argument called key to value, adding it in op-table order if
// it is absent.
func (op *Op) Set(key, value string) {
	for i := range op.Args {
		if op.Args[i].Key == key {
			op.Args[i].Value = value
			return
		}
	}
	op.Args = append(op.Args, Arg{Key: key, Value: value})
	op.sortArgs()
}

// Del removes the argument called key, if present.
func (op *Op) Del(key string) {
	op.Args = slices.DeleteFunc(op.Args, func(a Arg) bool { return a.Key == key })
}

// Name returns the op's name ("of_overlay_remove"), or "?" if Desc is nil.
func (op *Op) Name() string {
	if op.Desc == nil {
		return "?"
	}
	return op.Desc.Name
}

// String returns the op line as Print writes it, without comments.
func (op *Op) String() string {
	var b strings.Builder
	writeOp(&b, op)
	return b.String()
}

// Clone returns a deep copy of op (Desc is shared: it points into Ops).
func (op *Op) Clone() *Op {
	c := *op
	c.Comments = slices.Clone(op.Comments)
	c.Args = slices.Clone(op.Args)
	return &c
}

// File returns the archive file called name, or nil.
func (p *Program) File(name string) *File {
	for i := range p.Files {
		if p.Files[i].Name == name {
			return &p.Files[i]
		}
	}
	return nil
}

// Base returns the base tree: the archive's base.dts or base.dtb (raw
// file data: base64 for the blob) if there is one, otherwise the
// built-in DefaultBase under DefaultBaseName.
func (p *Program) Base() (name string, data []byte) {
	for _, n := range []string{DefaultBaseName, DefaultBlobBaseName} {
		if f := p.File(n); f != nil {
			return f.Name, f.Data
		}
	}
	return DefaultBaseName, DefaultBase
}

// DefaultBlobBaseName is the name of a base tree given as a blob.
const DefaultBlobBaseName = "base.dtb"

// Title returns the text of the first "# title: …" header comment, or "".
func (p *Program) Title() string {
	for _, c := range p.Header {
		if t, ok := strings.CutPrefix(c, "# title:"); ok {
			return strings.TrimSpace(t)
		}
	}
	return ""
}

// Clone returns a deep copy of p. Op descriptions are shared (they point
// into Ops); everything else, file data included, is copied.
func (p *Program) Clone() *Program {
	c := &Program{
		Header:  slices.Clone(p.Header),
		Kernel:  p.Kernel,
		Trailer: slices.Clone(p.Trailer),
	}
	if p.Ops != nil {
		c.Ops = make([]*Op, len(p.Ops))
		for i, op := range p.Ops {
			c.Ops[i] = op.Clone()
		}
	}
	if p.Files != nil {
		c.Files = make([]File, len(p.Files))
		for i, f := range p.Files {
			c.Files[i] = File{Name: f.Name, Data: slices.Clone(f.Data), Line: f.Line}
		}
	}
	return c
}
