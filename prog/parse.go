package prog

import (
	"bytes"
	"os"
	"strings"
	"unicode"

	"golang.org/x/tools/txtar"
)

// ValidateSource, when non-nil, checks the device-tree source of every
// archive file whose suffix marks it as source (.dts, .dtso). It returns
// ok = true if data is valid, otherwise the position (1-based line and
// column within data; col 0 if unknown) and message of the first error.
// Parse and Validate report such an error at the .prog line that holds it.
//
// prog does not import the DTS parser; the program's owner wires it, e.g.
//
//	prog.ValidateSource = func(name string, data []byte) (int, int, string, bool) {
//		if _, err := dt.Parse(name, data); err != nil { … return e.Line, e.Col, e.Msg, false }
//		return 0, 0, "", true
//	}
var ValidateSource func(name string, data []byte) (line, col int, msg string, ok bool)

// ParseFile reads and parses the program file at path.
func ParseFile(path string) (*Program, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Parse parses a program. filename is used in error positions only.
//
// Parsing is strict: every problem is reported as an *Error with the line
// of the .prog file that holds it, as many as can be found in one pass
// (up to a limit). On error Parse returns a nil program and an error
// whose Errors (see [Errors]) are sorted by line.
func Parse(filename string, data []byte) (*Program, error) {
	ps := &parser{
		checker: newChecker(filename, true),
	}
	ps.p = &Program{}
	a := txtar.Parse(data)
	ps.files(a)
	ps.comment(a.Comment)
	ps.checkFiles()
	if err := ps.errs.err(); err != nil {
		return nil, err
	}
	return ps.p, nil
}

type parser struct {
	*checker
	kernelLine int      // line of the kernel line, 0 if none yet
	opSeen     bool     // an op line (valid or not) has been seen
	headerDone bool     // the header comment block is complete
	pre        []string // comments before the kernel line / first op
	preBlank   int      // number of comments in pre before the first blank line, -1 if none
	pending    []string // comments waiting for the next op
}

// files converts the archive files, normalizing each file's data to end in
// exactly one newline, and computes the .prog line of each.
func (ps *parser) files(a *txtar.Archive) {
	marker := 1 + bytes.Count(a.Comment, []byte("\n"))
	for _, f := range a.Files {
		ps.p.Files = append(ps.p.Files, File{Name: f.Name, Data: normalizeData(f.Data), Line: marker + 1})
		marker += 1 + bytes.Count(f.Data, []byte("\n"))
	}
}

// normalizeData returns a copy of data without trailing newlines plus one
// newline, or nil if that leaves nothing.
func normalizeData(data []byte) []byte {
	d := bytes.TrimRight(data, "\r\n")
	if len(d) == 0 {
		return nil
	}
	out := make([]byte, len(d)+1)
	copy(out, d)
	out[len(d)] = '\n'
	return out
}

// comment parses the comment section of the archive: the version line,
// comments, the kernel line and the ops.
func (ps *parser) comment(text []byte) {
	lines := strings.Split(string(text), "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if len(lines) == 0 {
		ps.errs.add(ps.file, 1, "missing header line %q", Version)
		return
	}
	if l := strings.TrimSuffix(lines[0], "\r"); l != Version {
		if len(l) > 60 { // a binary or wrong file: quote only its start
			l = l[:60] + "…"
		}
		ps.errs.add(ps.file, 1, "bad header line %q: want %q", l, Version)
	}
	ps.preBlank = -1
	for i, l := range lines[1:] {
		ps.line(i+2, strings.TrimSpace(l))
	}
	if !ps.headerDone {
		ps.splitHeader()
	}
	ps.p.Trailer = ps.pending
}

// splitHeader ends the header when the first op is reached (or at the end
// of a program without kernel line and ops): without a kernel line, the
// header is the comment block before the first blank line.
func (ps *parser) splitHeader() {
	n := len(ps.pre)
	if ps.preBlank >= 0 {
		n = ps.preBlank
	}
	ps.p.Header = ps.pre[:n:n]
	ps.pending = ps.pre[n:]
	ps.pre = nil
	ps.headerDone = true
}

func (ps *parser) line(ln int, l string) {
	switch {
	case l == "":
		if !ps.headerDone && ps.preBlank < 0 {
			ps.preBlank = len(ps.pre)
		}
		return
	case l[0] == '#':
		if ps.headerDone {
			ps.pending = append(ps.pending, l)
		} else {
			ps.pre = append(ps.pre, l)
		}
		return
	}
	result, rest := splitBinding(l)
	fields := strings.Fields(rest)
	if result == "" && fields[0] == "kernel" {
		ps.kernel(ln, fields[1:])
		return
	}
	if !ps.headerDone {
		ps.splitHeader()
	}
	ps.opSeen = true
	comments := ps.pending
	ps.pending = nil
	if len(fields) == 0 {
		ps.errs.add(ps.file, ln, "missing op after %q =", result)
		ps.poison(result)
		return
	}
	desc := Lookup(fields[0])
	if desc == nil {
		ps.errs.add(ps.file, ln, "unknown op %q", fields[0])
		ps.poison(result)
		return
	}
	op := &Op{Comments: comments, Result: result, Desc: desc, Line: ln}
	partial := false
	for _, tok := range fields[1:] {
		k, v, ok := strings.Cut(tok, "=")
		switch {
		case !ok || k == "":
			ps.errs.add(ps.file, ln, "%s: argument %q is not key=value", desc.Name, tok)
		case desc.Arg(k) == nil:
			ps.errs.add(ps.file, ln, "%s: unknown argument %q", desc.Name, k)
		default:
			if _, dup := op.Get(k); dup {
				ps.errs.add(ps.file, ln, "%s: duplicate argument %s", desc.Name, k)
				continue
			}
			op.Args = append(op.Args, Arg{Key: k, Value: v})
			continue
		}
		partial = true
	}
	op.sortArgs()
	ps.checkOp(len(ps.p.Ops), op, partial)
	ps.p.Ops = append(ps.p.Ops, op)
}

func (ps *parser) kernel(ln int, fields []string) {
	switch {
	case ps.kernelLine > 0:
		ps.errs.add(ps.file, ln, "duplicate kernel line (first at line %d)", ps.kernelLine)
		return
	case ps.opSeen:
		ps.errs.add(ps.file, ln, "kernel line after the first op")
		return
	}
	ps.kernelLine = ln
	k := strings.Join(fields, " ")
	if msg := checkKernel(k); msg != "" {
		ps.errs.add(ps.file, ln, "%s", msg)
	}
	ps.p.Kernel = k
	ps.p.Header = ps.pre
	ps.pre = nil
	ps.headerDone = true
}

// poison binds name, the result of an op line too broken to check, to a
// value of any type, so that its uses report no further errors.
func (ps *parser) poison(name string) {
	if isIdent(name) {
		ps.env[name] = typeAny
	}
}

// splitBinding splits "name = rest" into name and rest; if the text before
// the first '=' is not a single word, the line binds nothing.
func splitBinding(l string) (result, rest string) {
	i := strings.IndexByte(l, '=')
	if i < 0 {
		return "", l
	}
	pre := strings.TrimSpace(l[:i])
	if pre == "" || strings.ContainsFunc(pre, unicode.IsSpace) {
		return "", l
	}
	return pre, l[i+1:]
}
