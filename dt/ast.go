package dt

import (
	"fmt"
	"strings"
)

// Pos is a position in a source file: 1-based line and byte column.
// The zero Pos means "unknown" (for example in a File built by a program).
type Pos struct {
	Line, Col int
}

// Error is a parse or compile error at a source position.
type Error struct {
	File      string
	Line, Col int
	Msg       string
}

// Error formats the error as "file:line:col: msg", the form compilers and
// editors understand.
func (e *Error) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

func errorf(file string, pos Pos, format string, args ...any) *Error {
	return &Error{File: file, Line: pos.Line, Col: pos.Col, Msg: fmt.Sprintf(format, args...)}
}

// Comments are the comments attached to an item of a File. Each comment is
// kept verbatim, delimiters included ("// x", "/* x */").
type Comments struct {
	// Leading are the comments between the previous item and this one.
	// The printer puts each on its own line above the item.
	Leading []string
	// Trailing is a comment that starts on the line where the item ends
	// ("reg = <1>; // the register").
	Trailing string
}

// File is a parsed device-tree source file: the dtc syntax without the C
// preprocessor. It keeps everything the source said, in order (labels,
// radixes, comments), so that Format can print it back; Compile turns it
// into a Tree.
type File struct {
	// Name is the file name used in error messages.
	Name string
	// Plugin is set by a /plugin/; header: the file is an overlay.
	Plugin bool
	// Header holds the comments around /dts-v1/;, PluginHeader those
	// around /plugin/;.
	Header, PluginHeader Comments
	// MemReserves are the /memreserve/ entries, in source order.
	MemReserves []*MemReserveDef
	// Nodes are the top-level statements in order: the root "/ { }"
	// blocks, "&ref { }" blocks, "/delete-node/ &ref;" and
	// "/omit-if-no-ref/ &ref;". The first one must be a root block or, in a
	// plugin, a reference block (as dtc's grammar demands).
	Nodes []*NodeDef
	// EndComments are the comments after the last statement.
	EndComments []string
}

// MemReserveDef is a "/memreserve/ address size;" entry.
type MemReserveDef struct {
	Comments
	Pos           Pos
	Labels        []string
	Address, Size *Expr
}

// NodeDef is a node block or a node statement.
//
// At the top level of a File exactly one of Name ("/") and Ref is set. In
// a node body Name is the node name (with its unit address) and Ref is
// empty.
//
// With Delete set the NodeDef is "/delete-node/ name;" (in a body) or
// "/delete-node/ &ref;" (top level), and has no body. At the top level,
// OmitIfNoRef likewise makes it the statement "/omit-if-no-ref/ &ref;";
// in a body it marks a node block "/omit-if-no-ref/ name { }".
type NodeDef struct {
	Comments
	Pos         Pos
	Labels      []string
	Name        string
	Ref         Ref
	Delete      bool
	OmitIfNoRef bool
	// Props precede Children, as dtc requires.
	Props    []*PropDef
	Children []*NodeDef
	// EndComments are the comments after the last item of the body.
	EndComments []string
}

// IsStatement reports whether d is a body-less statement
// (/delete-node/ or a top-level /omit-if-no-ref/ &ref;).
func (d *NodeDef) IsStatement(topLevel bool) bool {
	return d.Delete || (topLevel && d.OmitIfNoRef && d.Ref != "")
}

// PropDef is a property definition "name = value;", a boolean property
// "name;" (Values empty) or, with Delete set, "/delete-property/ name;".
type PropDef struct {
	Comments
	Pos    Pos
	Labels []string
	Name   string
	Delete bool
	// Values are the comma-separated parts of the value, with the labels
	// that sit between them as LabelValue items.
	Values []*Value
}

// Ref is a reference: a label name ("uart0", written &uart0) or an
// absolute path ("/soc/i2c@1000", written &{/soc/i2c@1000}).
type Ref string

// IsPath reports whether r is a path reference.
func (r Ref) IsPath() bool { return strings.HasPrefix(string(r), "/") }

// String returns r as written in source: "&label" or "&{/path}".
func (r Ref) String() string {
	if r.IsPath() {
		return "&{" + string(r) + "}"
	}
	return "&" + string(r)
}

// ValueKind says what a Value is.
type ValueKind int

// The kinds of Value.
const (
	// StringValue is a string literal "…" (Str).
	StringValue ValueKind = iota + 1
	// CellsValue is a cell array <…> (Cells), with /bits/ Bits if set.
	CellsValue
	// BytesValue is a byte string […] (Bytes, ByteLabels).
	BytesValue
	// RefValue is a bare &label or &{/path}: the path of the referenced
	// node as a string.
	RefValue
	// LabelValue is a label between the parts of a value ("a: <1>").
	LabelValue
)

// Value is one part of a property value.
type Value struct {
	Pos  Pos
	Kind ValueKind
	// Str is the decoded string (escapes resolved) without the NUL that
	// the compiler appends.
	Str string
	// Bits is the element size given with /bits/ (8, 16, 32 or 64), or 0
	// when the array had no /bits/ (32-bit cells).
	Bits  int
	Cells []*Cell
	Bytes []byte
	// ByteLabels are labels inside a byte string, each before the byte at
	// index At (At == len(Bytes) puts it before the closing bracket).
	ByteLabels []ByteLabel
	Ref        Ref
	Label      string
}

// ByteLabel is a label inside a byte string.
type ByteLabel struct {
	At   int
	Name string
}

// Cell is one element of a cell array: an integer expression, a phandle
// reference, or a label between elements. Exactly one field is set.
type Cell struct {
	Pos   Pos
	Expr  *Expr
	Ref   Ref
	Label string
}

// Expr is an integer expression of dtc's C-like expression language.
//
// A literal has Op "" and Lit set to its text exactly as written
// ("0x20", "32", "010", "1UL", "'a'"), so the printer keeps the radix.
// Op "()" is a parenthesised X. Unary operators ("-", "~", "!") use X;
// binary operators ("*", "/", "%", "+", "-", "<<", ">>", "<", ">", "<=",
// ">=", "==", "!=", "&", "^", "|", "&&", "||") use X and Y; "?:" uses X, Y
// and Z.
type Expr struct {
	Pos     Pos
	Op      string
	Lit     string
	X, Y, Z *Expr
}

// IsUnary reports whether e is a unary operation.
func (e *Expr) IsUnary() bool { return e.Op != "" && e.Op != "()" && e.Y == nil }

// Num returns a literal expression for v, written in hex when hex is set
// and in decimal otherwise.
func Num(v uint64, hex bool) *Expr {
	if hex {
		return &Expr{Lit: fmt.Sprintf("%#x", v)}
	}
	return &Expr{Lit: fmt.Sprint(v)}
}
