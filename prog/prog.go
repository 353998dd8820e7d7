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
// is empty (no kernel line) or a non-empty profile string; every link
// (Arg.Ref) points to an earlier op of Ops whose result has the argument's
// type; file names are unique.
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

// Op is one operation of a program. Its result, if its Desc has one, is a
// slot that later ops link to by pointer (Arg.Ref); names exist only in the
// text (see [Program.Names]).
type Op struct {
	// Comments is the comment block above the op, each line starting with '#'.
	Comments []string
	// Label is the name the user gave the op's result ("ov" in
	// "ov = of_overlay_fdt_apply …"), or "". Printing keeps it; an
	// unlabelled result that a later op uses gets a canonical name when
	// printed. Only ops whose Desc.Result is not TypeNone may have one.
	// The simulator's log shows the printed name, so a label is
	// observable ("0, ov = 1" rather than "0, id 1").
	Label string
	// Desc is the op's entry in Ops (a pointer into the table).
	Desc *OpDesc
	// Args holds the arguments in op-table order (the order of Desc.Args),
	// each key at most once; optional arguments may be absent.
	Args []Arg
	// Line is the op's line in the program file; 0 if constructed.
	Line int
}

// Arg is one argument of an op: its key and its typed value. Which value
// fields are meaningful depends on the Kind of the argument (Desc.Arg(Key));
// the others must be zero (Validate checks it, so that printing loses
// nothing):
//
//	KindFile   File: the name of an archive file.
//	KindRef    Ref: the earlier op whose result is used. For TypeOverlay,
//	           Ref may be nil and Int is then a literal overlay id.
//	KindNode   Ref: an earlier op binding a node (TypeNode), or, if Ref is
//	           nil, Path: an absolute node path.
//	KindInt    Int, within the ArgDesc's [Min, Max].
//	KindEnum   Int: an index into ArgDesc.Values.
//	KindSched  Sched: the sched points, in the order written.
type Arg struct {
	Key   string
	Ref   *Op
	Int   int
	Path  string
	File  string
	Sched []SchedItem
}

// SchedItem is one entry of a sched list: a sched point of the op
// (an index into OpDesc.Sched) and how many pending work items run there
// (0: every pending item; printed without ":N").
type SchedItem struct {
	Point int
	Count int
}

// Argument constructors, for building ops in memory (the generator, the
// byte decoder, the minimizer).

// RefArg links the argument key to the result of op (an earlier op).
func RefArg(key string, op *Op) Arg { return Arg{Key: key, Ref: op} }

// IntArg is an int argument, or for an overlay argument a literal id.
func IntArg(key string, n int) Arg { return Arg{Key: key, Int: n} }

// EnumArg is an enum argument by index into its ArgDesc.Values.
func EnumArg(key string, index int) Arg { return Arg{Key: key, Int: index} }

// PathArg is a node argument given by absolute path.
func PathArg(key, path string) Arg { return Arg{Key: key, Path: path} }

// FileArg names an archive file.
func FileArg(key, name string) Arg { return Arg{Key: key, File: name} }

// SchedArg is a sched list.
func SchedArg(key string, items ...SchedItem) Arg {
	return Arg{Key: key, Sched: slices.Clone(items)}
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

	// dts memoizes the compiled source (see Tree); it is keyed by the
	// data it was compiled from, so changing Data invalidates it.
	dts *dtsMemo
}

// NewOp returns an op of desc with result label ("" for none) and args.
// The args are stored in op-table order; keys not in desc stay at the end
// in the order given, for Validate to report.
func NewOp(desc *OpDesc, label string, args ...Arg) *Op {
	op := &Op{Desc: desc, Label: label, Args: slices.Clone(args)}
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

// Arg returns the argument called key, or nil if it is absent.
func (op *Op) Arg(key string) *Arg {
	for i := range op.Args {
		if op.Args[i].Key == key {
			return &op.Args[i]
		}
	}
	return nil
}

// Set sets the argument a.Key to a, adding it in op-table order if it is
// absent.
func (op *Op) Set(a Arg) {
	if old := op.Arg(a.Key); old != nil {
		*old = a
		return
	}
	op.Args = append(op.Args, a)
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

// Result returns the type of the op's result (TypeNone if it has none or
// Desc is nil).
func (op *Op) Result() Type {
	if op.Desc == nil {
		return TypeNone
	}
	return op.Desc.Result
}

// String returns the op line without comments, naming each linked op by
// its Label ("?" if it has none): outside its program an op has no
// canonical names. [Program.OpString] prints it as Print does.
func (op *Op) String() string {
	var b strings.Builder
	writeOp(&b, op, op.Label, func(r *Op) string {
		if r.Label == "" {
			return "?"
		}
		return r.Label
	})
	return b.String()
}

// Clone returns a copy of op that shares its links (Ref) and Desc.
func (op *Op) Clone() *Op {
	c := *op
	c.Comments = slices.Clone(op.Comments)
	c.Args = slices.Clone(op.Args)
	for i := range c.Args {
		c.Args[i].Sched = slices.Clone(c.Args[i].Sched)
	}
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

// Clone returns a deep copy of p: its ops are copies, links among them
// point to the copies (a link to an op outside p is kept as it is). Op
// descriptions are shared (they point into Ops); everything else, file
// data included, is copied.
func (p *Program) Clone() *Program {
	c := &Program{
		Header:  slices.Clone(p.Header),
		Kernel:  p.Kernel,
		Trailer: slices.Clone(p.Trailer),
	}
	if p.Ops != nil {
		c.Ops = make([]*Op, len(p.Ops))
		remap := make(map[*Op]*Op, len(p.Ops))
		for i, op := range p.Ops {
			if op == nil {
				continue
			}
			c.Ops[i] = op.Clone()
			remap[op] = c.Ops[i]
			for j := range c.Ops[i].Args {
				if r, ok := remap[c.Ops[i].Args[j].Ref]; ok {
					c.Ops[i].Args[j].Ref = r
				}
			}
		}
	}
	if p.Files != nil {
		c.Files = make([]File, len(p.Files))
		for i, f := range p.Files {
			c.Files[i] = File{Name: f.Name, Data: slices.Clone(f.Data), Line: f.Line, dts: f.dts}
		}
	}
	return c
}
