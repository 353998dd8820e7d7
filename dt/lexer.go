package dt

import (
	"bytes"
	"fmt"
	"strings"
)

// The lexer reproduces dtc's flex scanner (dtc-lexer.l, dtc 1.6.1): the
// same token rules, the same longest-match choice between them and the
// same three start conditions, so that the token stream – and hence what
// is accepted – matches dtc.
//
// dtc's scanner is modal: after '{' or ';' (and after /delete-node/,
// /delete-property/, /omit-if-no-ref/) it expects a node or property name,
// where "0x10" or "#address-cells" is a name; elsewhere digits are integer
// literals. Inside '[' … ']' it reads hex byte pairs.

type tokKind int

const (
	tEOF tokKind = iota
	tV1
	tPlugin
	tMemreserve
	tBits
	tDelProp
	tDelNode
	tOmitNoRef
	tLabel    // "name:" (text: name)
	tLabelRef // "&name" (text: name)
	tPathRef  // "&{/path}" (text: /path)
	tLiteral  // integer literal (text: as written; val: value)
	tCharLit  // 'c' (text: as written; val: value)
	tString   // "…" (text: decoded)
	tByte     // two hex digits in a byte string (val)
	tName     // property or node name (text)
	tIdent    // an identifier where no name is expected: never valid
	tOp       // an operator or punctuation character (text)
)

type lexMode int

const (
	modeV1 lexMode = iota
	modeName
	modeBytes
)

type comment struct {
	text string
	pos  Pos
}

type token struct {
	kind     tokKind
	text     string
	val      uint64
	pos      Pos
	comments []comment // comments between the previous token and this one
}

// String describes a token for error messages.
func (t token) String() string {
	switch t.kind {
	case tEOF:
		return "end of file"
	case tLabel:
		return fmt.Sprintf("label %q", t.text+":")
	case tLabelRef:
		return fmt.Sprintf("reference &%s", t.text)
	case tPathRef:
		return fmt.Sprintf("reference &{%s}", t.text)
	case tLiteral, tCharLit:
		return fmt.Sprintf("number %s", t.text)
	case tString:
		return "string"
	case tByte:
		return fmt.Sprintf("byte %02x", t.val)
	case tName:
		return fmt.Sprintf("name %q", t.text)
	case tIdent:
		return fmt.Sprintf("identifier %q", t.text)
	case tOp:
		return fmt.Sprintf("%q", t.text)
	}
	return keywordText[t.kind]
}

var keywordText = map[tokKind]string{
	tV1:         "/dts-v1/",
	tPlugin:     "/plugin/",
	tMemreserve: "/memreserve/",
	tBits:       "/bits/",
	tDelProp:    "/delete-property/",
	tDelNode:    "/delete-node/",
	tOmitNoRef:  "/omit-if-no-ref/",
}

var keywords = func() map[string]tokKind {
	m := map[string]tokKind{}
	for k, s := range keywordText {
		m[s] = k
	}
	return m
}()

type lexer struct {
	file string
	src  []byte
	off  int
	line int
	col  int
	mode lexMode
}

func newLexer(file string, src []byte) *lexer {
	return &lexer{file: file, src: src, line: 1, col: 1, mode: modeV1}
}

func (lx *lexer) pos() Pos { return Pos{lx.line, lx.col} }

// advance consumes n bytes, keeping line and column up to date.
func (lx *lexer) advance(n int) {
	for _, c := range lx.src[lx.off : lx.off+n] {
		if c == '\n' {
			lx.line++
			lx.col = 1
		} else {
			lx.col++
		}
	}
	lx.off += n
}

func (lx *lexer) errorf(pos Pos, format string, args ...any) *Error {
	return errorf(lx.file, pos, format, args...)
}

func isPropNodeChar(c byte) bool {
	return isAlnum(c) || strings.IndexByte(",._+*#?@-", c) >= 0
}

func isLabelStart(c byte) bool { return isAlpha(c) || c == '_' }
func isLabelChar(c byte) bool  { return isAlnum(c) || c == '_' }
func isAlpha(c byte) bool      { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool      { return c >= '0' && c <= '9' }
func isAlnum(c byte) bool      { return isAlpha(c) || isDigit(c) }
func isHex(c byte) bool        { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// span returns the length of the run of bytes satisfying ok at s[i:].
func span(s []byte, i int, ok func(byte) bool) int {
	n := 0
	for i+n < len(s) && ok(s[i+n]) {
		n++
	}
	return n
}

// skipSpace eats whitespace and comments, returning the comments.
func (lx *lexer) skipSpace() ([]comment, *Error) {
	var cs []comment
	for lx.off < len(lx.src) {
		s := lx.src[lx.off:]
		switch {
		case isSpace(s[0]):
			lx.advance(1)
		case len(s) >= 2 && s[0] == '/' && s[1] == '*':
			end := bytes.Index(s[2:], []byte("*/"))
			if end < 0 {
				return cs, lx.errorf(lx.pos(), "unterminated /* comment")
			}
			cs = append(cs, comment{string(s[:end+4]), lx.pos()})
			lx.advance(end + 4)
		case len(s) >= 2 && s[0] == '/' && s[1] == '/':
			// dtc insists on a newline after a // comment; we also
			// accept one that ends the file.
			n := bytes.IndexByte(s, '\n')
			if n < 0 {
				n = len(s)
			}
			cs = append(cs, comment{strings.TrimRight(string(s[:n]), "\r"), lx.pos()})
			lx.advance(n)
		default:
			return cs, nil
		}
	}
	return cs, nil
}

// atLineStart reports whether only blanks precede offset i on its line.
func (lx *lexer) atLineStart(i int) bool {
	for j := i - 1; j >= 0; j-- {
		switch lx.src[j] {
		case '\n':
			return true
		case ' ', '\t':
		default:
			return false
		}
	}
	return true
}

var cppDirectives = map[string]bool{
	"include": true, "define": true, "undef": true, "if": true, "ifdef": true,
	"ifndef": true, "elif": true, "else": true, "endif": true, "error": true,
	"warning": true, "pragma": true, "line": true, "include_next": true,
}

// checkPreprocessor rejects C preprocessor lines. dtc would read
// "#include <x.h>" as a property named "#include" and then fail with a
// bare syntax error; a dts that needs cpp should say so plainly.
func (lx *lexer) checkPreprocessor() *Error {
	s := lx.src[lx.off:]
	if s[0] != '#' {
		return nil
	}
	n := span(s, 1, isLabelChar)
	word := string(s[1 : 1+n])
	rest := s[1+n:]
	if n == 0 {
		// "# 12 "file.dts"": a cpp line marker.
		if lx.atLineStart(lx.off) && len(rest) > 0 && (rest[0] == ' ' || rest[0] == '\t') {
			if t := bytes.TrimLeft(rest, " \t"); len(t) > 0 && isDigit(t[0]) {
				return lx.errorf(lx.pos(), "C preprocessor line marker: dt does not run the preprocessor")
			}
		}
		return nil
	}
	if !cppDirectives[word] || (len(rest) > 0 && isPropNodeChar(rest[0])) {
		return nil
	}
	// "#else;" would be a (strange) boolean property; a directive is
	// followed by something other than ';' or '=' on its line.
	line := rest
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	line = bytes.TrimSpace(line)
	if len(line) > 0 && (line[0] == ';' || line[0] == '=') {
		return nil
	}
	return lx.errorf(lx.pos(), "#%s is a C preprocessor directive: dt does not run the preprocessor (use cpp first)", word)
}

// next scans the next token.
func (lx *lexer) next() (token, *Error) {
	cs, err := lx.skipSpace()
	if err != nil {
		return token{}, err
	}
	tok := token{pos: lx.pos(), comments: cs}
	if lx.off >= len(lx.src) {
		tok.kind = tEOF
		return tok, nil
	}
	if err := lx.checkPreprocessor(); err != nil {
		return tok, err
	}
	n, err := lx.scan(&tok)
	if err != nil {
		return tok, err
	}
	lx.advance(n)
	return tok, nil
}

// scan classifies the token at lx.off, fills in tok and returns its length.
// Like flex it takes the longest match, preferring the earlier rule on a
// tie.
func (lx *lexer) scan(tok *token) (int, *Error) {
	s := lx.src[lx.off:]
	c := s[0]

	switch c {
	case '"':
		return lx.scanString(tok)
	case '\'':
		if n := charLiteralLen(s); n > 0 {
			v, err := decodeCharLiteral(string(s[1 : n-1]))
			if err != nil {
				return 0, lx.errorf(tok.pos, "%s", err)
			}
			tok.kind, tok.text, tok.val = tCharLit, string(s[:n]), v
			return n, nil
		}
		return 0, lx.errorf(tok.pos, "unterminated character literal")
	case '/':
		// Keywords: /dts-v1/ and friends.
		if m := span(s, 1, func(b byte) bool { return isAlnum(b) || b == '-' || b == '_' }); m > 0 && 1+m < len(s) && s[1+m] == '/' {
			word := string(s[:m+2])
			if k, ok := keywords[word]; ok {
				tok.kind, tok.text = k, word
				switch k {
				case tV1, tMemreserve, tBits:
					lx.mode = modeV1
				case tDelProp, tDelNode, tOmitNoRef:
					lx.mode = modeName
				}
				return len(word), nil
			}
			switch word {
			case "/include/":
				return 0, lx.errorf(tok.pos, "/include/ is not supported: give dt a single self-contained file")
			case "/incbin/":
				return 0, lx.errorf(tok.pos, "/incbin/ is not supported")
			}
			return 0, lx.errorf(tok.pos, "unknown directive %s", word)
		}
	case '&':
		if len(s) > 1 && isLabelStart(s[1]) {
			n := 1 + span(s, 1, isLabelChar)
			tok.kind, tok.text = tLabelRef, string(s[1:n])
			return n, nil
		}
		if len(s) > 2 && s[1] == '{' && s[2] == '/' {
			m := span(s, 2, func(b byte) bool { return isPropNodeChar(b) || b == '/' })
			if 2+m < len(s) && s[2+m] == '}' {
				tok.kind, tok.text = tPathRef, string(s[2:2+m])
				return 3 + m, nil
			}
			return 0, lx.errorf(tok.pos, "bad path reference: want &{/path}")
		}
	}

	// "label:" is recognised in every mode and beats a name or byte of
	// the same prefix because it is longer.
	if isLabelStart(c) {
		n := span(s, 0, isLabelChar)
		if n < len(s) && s[n] == ':' {
			tok.kind, tok.text = tLabel, string(s[:n])
			return n + 1, nil
		}
	}

	switch lx.mode {
	case modeName:
		start := 0
		if c == '\\' {
			start = 1
		}
		if n := span(s, start, isPropNodeChar); n > 0 {
			tok.kind, tok.text = tName, string(s[start:start+n])
			lx.mode = modeV1
			return start + n, nil
		}
	case modeBytes:
		if len(s) >= 2 && isHex(s[0]) && isHex(s[1]) {
			tok.kind, tok.val = tByte, uint64(unhex(s[0])<<4|unhex(s[1]))
			return 2, nil
		}
		if c == ']' {
			tok.kind, tok.text = tOp, "]"
			lx.mode = modeV1
			return 1, nil
		}
	case modeV1:
		if isDigit(c) {
			n := literalLen(s)
			v, err := parseLiteral(string(s[:n]))
			if err != nil {
				return 0, lx.errorf(tok.pos, "%s", err)
			}
			tok.kind, tok.text, tok.val = tLiteral, string(s[:n]), v
			return n, nil
		}
	}

	if len(s) >= 2 {
		switch op := string(s[:2]); op {
		case "<<", ">>", "<=", ">=", "==", "!=", "&&", "||":
			tok.kind, tok.text = tOp, op
			return 2, nil
		}
	}
	switch c {
	case '[':
		lx.mode = modeBytes
	case '{', ';':
		lx.mode = modeName
	}
	if c < 0x20 || c >= 0x7f {
		return 0, lx.errorf(tok.pos, "unexpected byte %#02x", c)
	}
	if isLabelStart(c) && lx.mode == modeV1 {
		// dtc would return the letters one by one and fail on the first;
		// one token makes for a better message ("missing ';'").
		n := span(s, 0, isLabelChar)
		tok.kind, tok.text = tIdent, string(s[:n])
		return n, nil
	}
	tok.kind, tok.text = tOp, string(c)
	return 1, nil
}

func unhex(c byte) byte {
	switch {
	case isDigit(c):
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// scanString reads a string literal: \"([^\\"]|\\.)*\" in dtc's lexer,
// where '.' excludes the newline.
func (lx *lexer) scanString(tok *token) (int, *Error) {
	s := lx.src[lx.off:]
	i := 1
	for i < len(s) && s[i] != '"' {
		if s[i] == '\\' {
			if i+1 >= len(s) || s[i+1] == '\n' {
				return 0, lx.errorf(tok.pos, "unterminated string")
			}
			i++
		}
		i++
	}
	if i >= len(s) {
		return 0, lx.errorf(tok.pos, "unterminated string")
	}
	str, err := unescape(string(s[1:i]))
	if err != nil {
		return 0, lx.errorf(tok.pos, "%s", err)
	}
	tok.kind, tok.text = tString, str
	return i + 1, nil
}
