package dt

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// FuzzParse checks that no input makes the package panic, and that for
// every input that parses, Format round-trips: Parse(Format(f)) equals f,
// Format is idempotent, and the formatted file compiles to the same tree
// (or fails with the same message) as the original.
//
// Run it with: go test ./dt -run XXX -fuzz FuzzParse -fuzztime 60s
func FuzzParse(f *testing.F) {
	for _, pat := range []string{"testdata/*.dts", "testdata/*.dtso"} {
		files, err := filepath.Glob(pat)
		if err != nil {
			f.Fatal(err)
		}
		for _, path := range files {
			src, err := os.ReadFile(path)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(src)
		}
	}
	for _, tc := range errorCases {
		f.Add([]byte(tc.src))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		file, err := Parse("fuzz.dts", src)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse returned %T, want *Error: %v", err, err)
			}
			return
		}
		out := Format(file)
		file2, err := Parse("fuzz.dts", out)
		if err != nil {
			t.Fatalf("Parse(Format(f)): %v\n%s", err, out)
		}
		if same, d := sameFile(file, file2); !same {
			t.Fatalf("Parse(Format(f)) != f:\n%s\nformatted:\n%s", d, out)
		}
		if again := Format(file2); !bytes.Equal(again, out) {
			t.Fatalf("Format not idempotent:\n%s\n---\n%s", out, again)
		}

		opts := CompileOptions{Symbols: len(src)%2 == 0}
		t1, err1 := Compile(file, opts)
		t2, err2 := Compile(file2, opts)
		switch {
		case (err1 == nil) != (err2 == nil):
			t.Fatalf("Compile: original %v, formatted %v", err1, err2)
		case err1 != nil:
			var e1, e2 *Error
			if !errors.As(err1, &e1) || !errors.As(err2, &e2) || e1.Msg != e2.Msg {
				t.Fatalf("Compile errors differ: %v / %v", err1, err2)
			}
		default:
			if !reflect.DeepEqual(t1, t2) {
				t.Fatalf("formatted file compiles to a different tree")
			}
			_ = t1.DTS()
			if c := t1.Clone(); !reflect.DeepEqual(c, t1) {
				t.Fatalf("Clone differs")
			}
		}
	})
}
