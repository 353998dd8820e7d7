package dt

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Each malformed input must fail with an *Error at the right place, and
// dtc must reject it too (when dtc is installed): dt refuses nothing that
// dtc accepts in these cases, and accepts nothing that it refuses.
var errorCases = []struct {
	name string
	src  string
	want string // the full error text
}{
	{
		name: "unterminated string",
		src:  "/dts-v1/;\n/ {\n\tmodel = \"abc;\n};\n",
		want: "bad.dts:3:10: unterminated string",
	},
	{
		name: "string with escaped newline",
		src:  "/dts-v1/;\n/ {\n\tmodel = \"abc\\\n\";\n};\n",
		want: "bad.dts:3:10: unterminated string",
	},
	{
		name: "unclosed brace",
		src:  "/dts-v1/;\n/ {\n\tn {\n\t};\n",
		want: "bad.dts:5:1: unexpected end of file: '{' at 2:3 is not closed",
	},
	{
		name: "extra closing brace",
		src:  "/dts-v1/;\n/ {\n};\n};\n",
		want: `bad.dts:4:1: expected a node block or statement, found "}"`,
	},
	{
		name: "missing semicolon after property",
		src:  "/dts-v1/;\n/ {\n\ta = <1>\n\tb = <2>;\n};\n",
		want: `bad.dts:4:2: expected ';' after property, found identifier "b"`,
	},
	{
		name: "missing semicolon after node",
		src:  "/dts-v1/;\n/ {\n\tn {\n\t}\n\tm {\n\t};\n};\n",
		want: `bad.dts:5:2: expected ';' after '}', found name "m"`,
	},
	{
		name: "missing semicolon after header",
		src:  "/dts-v1/\n/ { };\n",
		want: `bad.dts:2:1: expected ';' after /dts-v1/, found "/"`,
	},
	{
		name: "bad cell: bare negative number",
		src:  "/dts-v1/;\n/ {\n\ta = <1 -2>;\n};\n",
		want: `bad.dts:3:9: bad cell: an expression with "-" must be in parentheses`,
	},
	{
		name: "bad cell: macro",
		src:  "/dts-v1/;\n/ {\n\tgpios = <&gpio 3 GPIO_ACTIVE_LOW>;\n};\n",
		want: `bad.dts:3:19: unexpected identifier "GPIO_ACTIVE_LOW" in a value (macros need the C preprocessor, which dt does not run)`,
	},
	{
		name: "bad cell: unterminated array",
		src:  "/dts-v1/;\n/ {\n\ta = <1 2;\n};\n",
		want: `bad.dts:3:10: unterminated cell array: expected '>', found ";"`,
	},
	{
		name: "bad cell: octal literal with 8",
		src:  "/dts-v1/;\n/ {\n\ta = <08>;\n};\n",
		want: `bad.dts:3:7: bad integer literal "08"`,
	},
	{
		name: "bad byte string",
		src:  "/dts-v1/;\n/ {\n\ta = [0 1];\n};\n",
		want: `bad.dts:3:7: bad byte string: expected pairs of hex digits or ']', found "0"`,
	},
	{
		name: "bad /bits/",
		src:  "/dts-v1/;\n/ {\n\ta = /bits/ 7 <1>;\n};\n",
		want: "bad.dts:3:13: array elements must be 8, 16, 32 or 64-bits",
	},
	{
		name: "unknown directive",
		src:  "/dts-v1/;\n/foo/;\n/ { };\n",
		want: "bad.dts:2:1: unknown directive /foo/",
	},
	{
		name: "include directive",
		src:  "/dts-v1/;\n/include/ \"board.dtsi\"\n/ { };\n",
		want: "bad.dts:2:1: /include/ is not supported: give dt a single self-contained file",
	},
	{
		name: "#include",
		src:  "/dts-v1/;\n#include <dt-bindings/gpio/gpio.h>\n/ { };\n",
		want: "bad.dts:2:1: #include is a C preprocessor directive: dt does not run the preprocessor (use cpp first)",
	},
	{
		name: "#include inside a node",
		src:  "/dts-v1/;\n/ {\n\t#include \"pins.dtsi\"\n};\n",
		want: "bad.dts:3:2: #include is a C preprocessor directive: dt does not run the preprocessor (use cpp first)",
	},
	{
		name: "#define",
		src:  "#define FOO 1\n/dts-v1/;\n/ { };\n",
		want: "bad.dts:1:1: #define is a C preprocessor directive: dt does not run the preprocessor (use cpp first)",
	},
	{
		name: "missing header",
		src:  "/ { };\n",
		want: `bad.dts:1:1: expected /dts-v1/; at the start of the file, found "/"`,
	},
	{
		name: "property after node",
		src:  "/dts-v1/;\n/ {\n\tn { };\n\tp = <1>;\n};\n",
		want: "bad.dts:4:2: properties must precede subnodes",
	},
	{
		name: "unterminated comment",
		src:  "/dts-v1/;\n/ { }; /* oops\n",
		want: "bad.dts:2:8: unterminated /* comment",
	},
	{
		name: "character literal too long",
		src:  "/dts-v1/;\n/ {\n\ta = <'ab'>;\n};\n",
		want: "bad.dts:3:7: character literal has 2 characters instead of 1",
	},
	{
		name: "undefined label",
		src:  "/dts-v1/;\n/ {\n\tn {\n\t\tclocks = <&osc 1>;\n\t};\n};\n",
		want: "bad.dts:4:13: reference to non-existent node or label &osc",
	},
	{
		name: "undefined label as path",
		src:  "/dts-v1/;\n/ {\n\tp = &nope;\n};\n",
		want: "bad.dts:3:6: reference to non-existent node or label &nope",
	},
	{
		name: "undefined path",
		src:  "/dts-v1/;\n/ {\n\tp = <&{/no/such}>;\n};\n",
		want: "bad.dts:3:7: reference to non-existent node or label &{/no/such}",
	},
	{
		name: "undefined label block",
		src:  "/dts-v1/;\n/ { };\n&uart0 {\n\tstatus = \"okay\";\n};\n",
		want: "bad.dts:3:1: label or path &uart0 not found",
	},
	{
		name: "label used before its definition",
		src:  "/dts-v1/;\n/ { };\n&late { };\n/ { late: n { }; };\n",
		want: "bad.dts:3:1: label or path &late not found",
	},
	{
		name: "labelled reference block in a plugin",
		src:  "/dts-v1/;\n/plugin/;\n&a { };\nl: &b { };\n",
		want: "bad.dts:4:1: label or path &b not found",
	},
	{
		name: "delete of unknown label",
		src:  "/dts-v1/;\n/ { };\n/delete-node/ &gone;\n",
		want: "bad.dts:3:1: label or path &gone not found",
	},
	{
		name: "duplicate label",
		src:  "/dts-v1/;\n/ {\n\tx: a { };\n\tx: b { };\n};\n",
		want: `bad.dts:4:2: duplicate label "x" on /b and /a`,
	},
	{
		name: "duplicate label on property",
		src:  "/dts-v1/;\n/ {\n\tx: p = <1>;\n\tx: n { };\n};\n",
		want: `bad.dts:3:2: duplicate label "x" on 'p' in / and /n`,
	},
	{
		name: "duplicate node name",
		src:  "/dts-v1/;\n/ {\n\tn { };\n\tn { };\n};\n",
		want: `bad.dts:4:2: duplicate node name "n" in /`,
	},
	{
		name: "delete-node in the defining block",
		src:  "/dts-v1/;\n/ {\n\tn { };\n\t/delete-node/ n;\n};\n",
		want: `bad.dts:4:2: duplicate node name "n" in /`,
	},
	{
		name: "duplicate property name",
		src:  "/dts-v1/;\n/ {\n\tp = <1>;\n\tp = <2>;\n};\n",
		want: `bad.dts:4:2: duplicate property name "p" in /`,
	},
	{
		name: "bad node name character",
		src:  "/dts-v1/;\n/ {\n\tbad#name { };\n};\n",
		want: `bad.dts:3:2: bad character '#' in node name "bad#name"`,
	},
	{
		name: "bad property name character",
		src:  "/dts-v1/;\n/ {\n\tbad@prop;\n};\n",
		want: `bad.dts:3:2: bad character '@' in property name "bad@prop"`,
	},
	{
		name: "two @ in node name",
		src:  "/dts-v1/;\n/ {\n\tn@1@2 { };\n};\n",
		want: `bad.dts:3:2: multiple '@' characters in node name "n@1@2"`,
	},
	{
		name: "value out of range",
		src:  "/dts-v1/;\n/ {\n\ta = /bits/ 8 <256>;\n};\n",
		want: "bad.dts:3:16: value out of range for 8-bit array element",
	},
	{
		name: "division by zero",
		src:  "/dts-v1/;\n/ {\n\ta = <(4 / (2 - 2))>;\n};\n",
		want: "bad.dts:3:8: division by zero",
	},
	{
		name: "reference in 16-bit array",
		src:  "/dts-v1/;\n/ {\n\ta = /bits/ 16 <&l>;\n\tl: n { };\n};\n",
		want: "bad.dts:3:17: references are only allowed in arrays with 32-bit elements",
	},
	{
		name: "phandle pointing elsewhere",
		src:  "/dts-v1/;\n/ {\n\tl: n { };\n\tm { phandle = <&l>; };\n};\n",
		want: "bad.dts:4:17: phandle is a reference to another node",
	},
	{
		name: "duplicated explicit phandle",
		src:  "/dts-v1/;\n/ {\n\ta { phandle = <1>; };\n\tb { phandle = <1>; };\n};\n",
		want: "bad.dts:4:6: duplicated phandle 0x1 in /b (seen before at /a)",
	},
	{
		name: "wrong name property",
		src:  "/dts-v1/;\n/ {\n\tn { name = \"m\"; };\n};\n",
		want: `bad.dts:3:6: "name" property is incorrect ("m" instead of base node name)`,
	},
	{
		name: "unresolved path reference in a plugin",
		src:  "/dts-v1/;\n/plugin/;\n&a {\n\tp = &b;\n};\n",
		want: "bad.dts:4:6: reference to non-existent node or label &b",
	},
	{
		name: "reference block in a base tree",
		src:  "/dts-v1/;\n&a { };\n",
		want: "bad.dts:2:1: label or path &a not found",
	},
}

func TestErrors(t *testing.T) {
	dtc, _ := exec.LookPath("dtc")
	for _, tc := range errorCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := Load("bad.dts", []byte(tc.src), CompileOptions{})
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Load: got %v, want an *Error", err)
			}
			if err.Error() != tc.want {
				t.Errorf("got  %s\nwant %s", err, tc.want)
			}
			if e.File != "bad.dts" || e.Line == 0 || e.Col == 0 || e.Msg == "" {
				t.Errorf("incomplete *Error %#v", e)
			}
			if dtc == "" {
				return
			}
			path := filepath.Join(t.TempDir(), "bad.dts")
			if err := os.WriteFile(path, []byte(tc.src), 0o644); err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command(dtc, "-q", "-I", "dts", "-O", "dtb", "-o", os.DevNull, path).CombinedOutput(); err == nil {
				t.Errorf("dtc accepts what dt rejects:\n%s", out)
			}
		})
	}
}
