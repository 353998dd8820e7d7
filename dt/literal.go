package dt

import (
	"bytes"
	"fmt"
	"strings"
)

// Literals: integers, character literals and string escapes, decoded the
// way dtc's lexer and util.c decode them (strtoull with base 0, and
// get_escape_char).

// charLiteralLen returns the length of the longest match of
// '([^']|\\')*' at s, or 0. A quote preceded by a backslash may either end
// the literal or be part of it; flex takes the longest.
func charLiteralLen(s []byte) int {
	best := 0
	for i := 1; i < len(s); i++ {
		if s[i] != '\'' {
			continue
		}
		best = i + 1
		if s[i-1] != '\\' || i == 1 {
			break
		}
	}
	return best
}

func decodeCharLiteral(body string) (uint64, error) {
	d, err := unescape(body)
	if err != nil {
		return 0, err
	}
	switch len(d) {
	case 0:
		return 0, fmt.Errorf("empty character literal")
	case 1:
		return uint64(d[0]), nil
	}
	return 0, fmt.Errorf("character literal has %d characters instead of 1", len(d))
}

// literalLen matches ([0-9]+|0[xX][0-9a-fA-F]+)(U|L|UL|LL|ULL)? at s.
func literalLen(s []byte) int {
	n := span(s, 0, isDigit)
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && isHex(s[2]) {
		n = 2 + span(s, 2, isHex)
	}
	for _, suf := range []string{"ULL", "UL", "LL", "U", "L"} {
		if bytes.HasPrefix(s[n:], []byte(suf)) {
			return n + len(suf)
		}
	}
	return n
}

// parseLiteral converts a literal like strtoull(s, &e, 0) does in dtc:
// a leading 0 means octal, and anything after the digits must be a U/L
// suffix.
func parseLiteral(s string) (uint64, error) {
	digits := strings.TrimRight(s, "UL")
	base := uint64(10)
	body := digits
	switch {
	case len(digits) > 2 && (digits[:2] == "0x" || digits[:2] == "0X"):
		base, body = 16, digits[2:]
	case len(digits) > 1 && digits[0] == '0':
		base, body = 8, digits[1:]
	}
	var v uint64
	for i := 0; i < len(body); i++ {
		d := uint64(unhex(body[i]))
		if d >= base {
			return 0, fmt.Errorf("bad integer literal %q", s)
		}
		hi, lo := mul64(v, base)
		if hi != 0 || lo+d < lo {
			return 0, fmt.Errorf("integer literal %q out of range", s)
		}
		v = lo + d
	}
	return v, nil
}

func mul64(a, b uint64) (hi, lo uint64) {
	lo = a * b
	if a != 0 && lo/a != b {
		return 1, lo
	}
	return 0, lo
}

// unescape resolves the escapes of a string or character literal the way
// dtc's get_escape_char does.
func unescape(s string) (string, error) {
	if strings.IndexByte(s, '\\') < 0 {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		if i+1 >= len(s) {
			// Only a character literal can end in a lone backslash
			// ('\'): dtc's escape reader then sees the closing quote.
			b.WriteByte('\'')
			break
		}
		i++
		switch c = s[i]; c {
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'v':
			b.WriteByte('\v')
		case 'f':
			b.WriteByte('\f')
		case 'r':
			b.WriteByte('\r')
		case '0', '1', '2', '3', '4', '5', '6', '7':
			// Up to three octal digits; the value is truncated to a byte.
			v, n := 0, 0
			for n < 3 && i+n < len(s) && s[i+n] >= '0' && s[i+n] <= '7' {
				v = v*8 + int(s[i+n]-'0')
				n++
			}
			b.WriteByte(byte(v))
			i += n - 1
		case 'x':
			v, n, ok := strtolHex(s[i+1:])
			if !ok {
				return "", fmt.Errorf(`\x used with no following hex digits`)
			}
			b.WriteByte(byte(v))
			i += n
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

// strtolHex mimics strtol(x, &end, 16) on the (at most) two characters
// after "\x", as dtc's get_hex_char does – including strtol's tolerance
// of leading blanks and a sign.
func strtolHex(s string) (v int, n int, ok bool) {
	if len(s) > 2 {
		s = s[:2]
	}
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	for i < len(s) && isHex(s[i]) {
		v = v*16 + int(unhex(s[i]))
		i++
	}
	if i == start {
		return 0, 0, false
	}
	if neg {
		v = -v
	}
	return v, i, true
}
