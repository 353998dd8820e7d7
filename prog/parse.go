package prog

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"unicode"

	"golang.org/x/tools/txtar"
)

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
//
// The program's files share data's memory where they can (a file that
// already ends in exactly one newline is not copied: a 50 MB program is
// held once), so the caller must not modify data afterwards.
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

// normalizeData returns data without trailing newlines plus one newline,
// or nil if that leaves nothing. Data that is already so is returned
// itself, capped so that an append to it cannot write into what follows
// (the next archive file); only other data is copied.
func normalizeData(data []byte) []byte {
	d := bytes.TrimRight(data, "\r\n")
	if len(d) == 0 {
		return nil
	}
	if n := len(d) + 1; len(data) == n && data[len(d)] == '\n' {
		return data[:n:n]
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
	op := &Op{Comments: comments, Label: result, Desc: desc, Line: ln}
	partial := false
	for _, tok := range fields[1:] {
		k, v, ok := strings.Cut(tok, "=")
		switch {
		case !ok || k == "":
			ps.errs.add(ps.file, ln, "%s: argument %q is not key=value", desc.Name, tok)
		case desc.Arg(k) == nil:
			ps.errs.add(ps.file, ln, "%s: unknown argument %q", desc.Name, k)
		case op.Arg(k) != nil:
			ps.errs.add(ps.file, ln, "%s: duplicate argument %s", desc.Name, k)
			continue
		default:
			a, msg := ps.value(desc, desc.Arg(k), v)
			if msg != "" {
				ps.errs.add(ps.file, ln, "%s: %s: %s", desc.Name, k, msg)
			}
			// A bad value is kept (as a zero value) so it is neither
			// reported as missing nor as duplicate; the program is
			// rejected anyway.
			a.Key = k
			op.Args = append(op.Args, a)
			continue
		}
		partial = true
	}
	op.sortArgs()
	ps.checkOp(len(ps.p.Ops), op, partial)
	ps.p.Ops = append(ps.p.Ops, op)
}

// value converts the text v of an argument described by ad into its typed
// value, resolving names to the ops bound to them so far; it returns what
// is wrong, or "".
func (ps *parser) value(d *OpDesc, ad *ArgDesc, v string) (Arg, string) {
	if v == "" {
		return Arg{}, "empty value"
	}
	switch ad.Kind {
	case KindFile:
		return Arg{File: v}, ps.checkFileName(v)
	case KindRef:
		if ad.Type == TypeOverlay && isDecimal(v[0]) {
			n, ok := parseNumber(v)
			if !ok {
				return Arg{}, fmt.Sprintf("bad overlay id %q: want a decimal integer", v)
			}
			return Arg{Int: n}, checkRange("overlay id", ad, n)
		}
		if !isIdent(v) {
			if ad.Type == TypeOverlay {
				return Arg{}, fmt.Sprintf("bad value %q: want a name of type overlay or an overlay id", v)
			}
			return Arg{}, fmt.Sprintf("bad value %q: want a name of type %s", v, ad.Type)
		}
		return ps.resolve(v, ad.Type)
	case KindNode:
		if v[0] == '/' {
			if !IsPath(v) {
				return Arg{}, fmt.Sprintf("bad node path %q", v)
			}
			return Arg{Path: v}, ""
		}
		if !isIdent(v) {
			return Arg{}, fmt.Sprintf("bad value %q: want an absolute node path or a name of type node", v)
		}
		return ps.resolve(v, TypeNode)
	case KindInt:
		n, ok := parseNumber(v)
		if !ok {
			return Arg{}, fmt.Sprintf("bad number %q: want a decimal integer", v)
		}
		return Arg{Int: n}, checkRange("value", ad, n)
	case KindEnum:
		i := enumIndex(ad, v)
		if i < 0 {
			return Arg{}, fmt.Sprintf("bad value %q: want one of %s", v, strings.Join(ad.Values, ", "))
		}
		return Arg{Int: i}, ""
	case KindSched:
		items, msg := parseSched(d, v)
		return Arg{Sched: items}, msg
	}
	return Arg{}, "unknown kind"
}

// resolve links a use of name to the op that bound it last, checking its
// type.
func (ps *parser) resolve(name string, want Type) (Arg, string) {
	b, ok := ps.env[name]
	switch {
	case !ok:
		return Arg{}, fmt.Sprintf("unbound name %q", name)
	case b.typ == typeAny:
		return Arg{}, "" // a broken line's name: already reported
	case b.typ != want:
		return Arg{}, fmt.Sprintf("%q has type %s, want %s", name, b.typ, want)
	}
	return Arg{Ref: b.op}, ""
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
		ps.env[name] = binding{typ: typeAny}
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
