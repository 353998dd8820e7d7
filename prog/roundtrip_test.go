package prog

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// cmpProg compares programs ignoring source lines and nil/empty slices.
var cmpProg = []cmp.Option{
	cmpopts.IgnoreFields(Op{}, "Line"),
	cmpopts.IgnoreFields(File{}, "Line"),
	cmpopts.IgnoreUnexported(File{}),
	cmpopts.EquateEmpty(),
}

// checkRoundTrip checks that p (parsed from name) validates, that
// parse(print(p)) equals p and that printing is idempotent.
func checkRoundTrip(t *testing.T, name string, p *Program) {
	t.Helper()
	if err := p.Validate(); err != nil {
		t.Fatalf("%s: Validate of a parsed program: %v", name, err)
	}
	text := p.Print()
	q, err := Parse(name, text)
	if err != nil {
		t.Fatalf("%s: parsing printed program: %v\n%s", name, err, text)
	}
	if diff := cmp.Diff(p, q, cmpProg...); diff != "" {
		t.Fatalf("%s: parse(print(p)) != p (-p +q):\n%s\nprinted:\n%s", name, diff, text)
	}
	if text2 := q.Print(); !bytes.Equal(text, text2) {
		t.Fatalf("%s: print not idempotent:\n%s\nthen:\n%s", name, text, text2)
	}
}

// repoPrograms returns every .prog file of the repository, skipping
// testdata/fuzz directories (raw fuzz inputs).
func repoPrograms(t testing.TB) []string {
	root := ".."
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repository root not found: %v", err)
	}
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == ".git" || d.Name() == "fuzz" && filepath.Base(filepath.Dir(path)) == "testdata" {
				return filepath.SkipDir
			}
			return nil
		}
		if filepath.Ext(path) == ".prog" {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestRoundTripRepo(t *testing.T) {
	files := repoPrograms(t)
	for _, want := range []string{"../prog/testdata/features.prog", "../corpus/b3-base-prop-leak.prog"} {
		if !slices.Contains(files, filepath.Clean(want)) {
			t.Errorf("walk missed %s (found %q)", want, files)
		}
	}
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			p, err := ParseFile(f)
			if err != nil {
				t.Fatal(err)
			}
			checkRoundTrip(t, f, p)
		})
	}
}

// TestPrintCanonical pins the canonical text of a program with every kind
// of comment block.
func TestPrintCanonical(t *testing.T) {
	in := "dangle program v1\n# header\n\n\n# op 0\nov=of_overlay_fdt_apply   blob=o.dtso\n" +
		"of_overlay_remove sched=after-revert-notify ov=ov\n# the end\n" +
		"-- o.dtso --\n/dts-v1/;\n/plugin/;\n&bus { };\n\n\n-- b.dts --"
	want := "dangle program v1\n# header\n\n# op 0\nov = of_overlay_fdt_apply blob=o.dtso\n" +
		"of_overlay_remove ov=ov sched=after-revert-notify\n\n# the end\n" +
		"-- o.dtso --\n/dts-v1/;\n/plugin/;\n&bus { };\n-- b.dts --\n"
	p, err := Parse("t.prog", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if got := string(p.Print()); got != want {
		t.Errorf("Print:\n%s\nwant:\n%s", got, want)
	}
	checkRoundTrip(t, "t.prog", p)
}
