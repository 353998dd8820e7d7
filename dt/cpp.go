package dt

import (
	"bytes"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
)

// CPPArgs are the preprocessor flags the kernel build gives cpp before dtc
// (scripts/Makefile.lib: dtc_cpp_flags = -nostdinc -I … -undef -D__DTS__,
// and "$(CPP) $(dtc_cpp_flags) -x assembler-with-cpp"): no system headers,
// no predefined macros but __DTS__, and assembler mode so that lines such
// as "#address-cells = <1>;" pass through untouched.
var CPPArgs = []string{"-nostdinc", "-undef", "-D__DTS__", "-x", "assembler-with-cpp"}

// CPP is the preprocessor command ("cpp" on $PATH: Debian's cpp package).
var CPP = "cpp"

// Preprocessed is a source after cpp, with cpp's line markers decoded.
type Preprocessed struct {
	// Name is the original file's name.
	Name string
	// Data is cpp's output with every line marker replaced by an empty
	// line, so that line n of Data is described by Origin(n).
	Data []byte
	// origin[i] is where line i+1 of Data comes from.
	origin []Origin
}

// Origin is a line of an original file: the source or a header it includes.
type Origin struct {
	File string // Name for the source itself, else the header's path
	Line int
}

// Origin returns where line n (1-based) of p.Data comes from.
func (p *Preprocessed) Origin(n int) Origin {
	if n < 1 || n > len(p.origin) {
		return Origin{File: p.Name, Line: n}
	}
	return p.origin[n-1]
}

// MapError rewrites an *Error about p.Data to name the original file and
// line (the column is kept: cpp only changes it after a macro expansion
// on the same line). Other errors are returned as they are.
func (p *Preprocessed) MapError(err error) error {
	e, ok := err.(*Error)
	if !ok {
		return err
	}
	o := p.Origin(e.Line)
	return &Error{File: o.File, Line: o.Line, Col: e.Col, Msg: e.Msg}
}

// NeedsCPP reports whether src has C preprocessor directives (#include,
// #define, #if…) at the start of a line: kernel sources do, and dt itself
// refuses them.
func NeedsCPP(src []byte) bool {
	for _, l := range bytes.Split(src, []byte("\n")) {
		l = bytes.TrimLeft(l, " \t")
		if len(l) < 2 || l[0] != '#' {
			continue
		}
		w := l[1:]
		n := 0
		for n < len(w) && (w[n] >= 'a' && w[n] <= 'z' || w[n] == '_') {
			n++
		}
		// "#include <x>" but not "#include-cells = <1>;"
		if cppDirectives[string(w[:n])] && (n == len(w) || w[n] == ' ' || w[n] == '\t' || w[n] == '<' || w[n] == '"') {
			return true
		}
	}
	return false
}

// Preprocess runs cpp on src as the kernel build does (CPPArgs), with
// include directories include (-I, in order). name is the file's name in
// errors and origins. If path is not empty, cpp reads the file at path
// (so #include "x.dtsi" finds files next to it, as in the kernel tree);
// otherwise it reads src from stdin. A cpp error (a missing header, a bad
// directive) is returned as an *Error naming name:line:col where cpp
// names the source itself.
func Preprocess(name, path string, src []byte, include []string) (*Preprocessed, error) {
	args := append([]string(nil), CPPArgs...)
	for _, d := range include {
		args = append(args, "-I", d)
	}
	in := path
	if in == "" {
		in = "-"
	}
	args = append(args, "-o", "-", in)
	cmd := exec.Command(CPP, args...)
	if path == "" {
		cmd.Stdin = bytes.NewReader(src)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if _, notFound := err.(*exec.Error); notFound {
			return nil, fmt.Errorf("%s: cannot run the C preprocessor (%v): install cpp (Debian: apt-get install cpp)", name, err)
		}
		return nil, cppError(name, path, stderr.String(), err)
	}
	return decodeMarkers(name, path, stdout.Bytes()), nil
}

// cppDiag matches a cpp diagnostic: "file:line:col: error: msg".
var cppDiag = regexp.MustCompile(`^(.*?):(\d+):(\d+): (?:fatal )?error: (.*)$`)

// cppError turns cpp's stderr into an error: the first error diagnostic,
// as an *Error when it is about the source itself.
func cppError(name, path, stderr string, err error) error {
	for _, l := range strings.Split(stderr, "\n") {
		m := cppDiag.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		line, _ := strconv.Atoi(m[2])
		col, _ := strconv.Atoi(m[3])
		file := m[1]
		if file == "<stdin>" || file == path {
			return &Error{File: name, Line: line, Col: col, Msg: "cpp: " + m[4]}
		}
		return fmt.Errorf("%s:%d:%d: cpp: %s (included from %s)", file, line, col, m[4], name)
	}
	msg := strings.TrimSpace(stderr)
	if msg == "" {
		msg = err.Error()
	}
	return fmt.Errorf("%s: cpp: %s", name, msg)
}

// lineMarker matches cpp's line markers: # LINE "FILE" FLAGS…
var lineMarker = regexp.MustCompile(`^# (\d+) "((?:[^"\\]|\\.)*)"( [0-9 ]+)?$`)

// decodeMarkers replaces cpp's line markers by empty lines and records the
// origin of every line.
func decodeMarkers(name, path string, out []byte) *Preprocessed {
	p := &Preprocessed{Name: name}
	var b bytes.Buffer
	cur := Origin{File: name, Line: 1}
	lines := strings.SplitAfter(string(out), "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	for _, l := range lines {
		if m := lineMarker.FindStringSubmatch(strings.TrimSuffix(l, "\n")); m != nil {
			n, _ := strconv.Atoi(m[1])
			file := m[2]
			if file == "<stdin>" || file == path {
				file = name
			}
			// the marker's own line stands for the line before
			p.origin = append(p.origin, Origin{File: file, Line: max(n-1, 0)})
			b.WriteString("\n")
			cur = Origin{File: file, Line: n}
			continue
		}
		p.origin = append(p.origin, cur)
		b.WriteString(l)
		cur.Line++
	}
	data := bytes.TrimRight(b.Bytes(), "\n")
	p.Data = append(data, '\n')
	p.origin = p.origin[:min(len(p.origin), bytes.Count(p.Data, []byte("\n")))]
	return p
}
