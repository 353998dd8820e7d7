package dt

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The differential test compiles every file of the corpus with dtc and
// with this package and demands identical results. dtc is the reference:
// it is required in CI (CI=true) and the test is skipped without it
// elsewhere.

func requireDTC(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("dtc")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("dtc is required (CI=true) but not installed: %v (apt-get install device-tree-compiler)", err)
		}
		t.Skip("dtc not installed")
	}
	return p
}

// repoRoot returns the directory holding go.mod.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found")
		}
		dir = parent
	}
}

// corpusFiles lists testdata/*.dts{,o} and, when present, the decompiled
// real boards in ../shared/boards next to the repository.
func corpusFiles(t testing.TB) []string {
	t.Helper()
	var files []string
	dirs := []string{"testdata", filepath.Join(repoRoot(t), "..", "shared", "boards")}
	for _, dir := range dirs {
		for _, pat := range []string{"*.dts", "*.dtso"} {
			m, err := filepath.Glob(filepath.Join(dir, pat))
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, m...)
		}
	}
	sort.Strings(files)
	if len(files) == 0 {
		t.Fatal("empty corpus")
	}
	return files
}

// dtcRun runs dtc and returns its standard output.
func dtcRun(t testing.TB, dtc string, args ...string) []byte {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(dtc, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("dtc %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.Bytes()
}

// hasNodeLabels reports whether the source labels any node; such base
// trees are compiled with -@ so that __symbols__ is compared too.
func hasNodeLabels(f *File) bool {
	var walk func(ns []*NodeDef) bool
	walk = func(ns []*NodeDef) bool {
		for _, n := range ns {
			if len(n.Labels) > 0 || walk(n.Children) {
				return true
			}
		}
		return false
	}
	return walk(f.Nodes)
}

func dtcArgs(opts CompileOptions, out, in string) []string {
	args := []string{"-q", "-I", "dts", "-O", "dtb", "-o", out}
	if opts.Symbols {
		args = append(args, "-@")
	}
	return append(args, in)
}

// sameFile reports whether two ASTs are equal apart from positions and
// file names, and describes the difference if not. reflect.DeepEqual on
// position-free copies is fast; go-cmp only explains a failure (it takes
// seconds on a board-sized file).
func sameFile(a, b *File) (bool, string) {
	a, b = stripPos(a), stripPos(b)
	a.Name, b.Name = "", ""
	if reflect.DeepEqual(a, b) {
		return true, ""
	}
	return false, cmp.Diff(a, b)
}

// stripPos returns a deep copy of f with every Pos zeroed.
func stripPos(f *File) *File {
	c := reflect.New(reflect.TypeOf(*f))
	copyZeroPos(c.Elem(), reflect.ValueOf(*f))
	return c.Interface().(*File)
}

func copyZeroPos(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.Pointer:
		if !src.IsNil() {
			dst.Set(reflect.New(src.Type().Elem()))
			copyZeroPos(dst.Elem(), src.Elem())
		}
	case reflect.Struct:
		if src.Type() == reflect.TypeOf(Pos{}) {
			return
		}
		for i := 0; i < src.NumField(); i++ {
			copyZeroPos(dst.Field(i), src.Field(i))
		}
	case reflect.Slice:
		if !src.IsNil() {
			dst.Set(reflect.MakeSlice(src.Type(), src.Len(), src.Len()))
			for i := 0; i < src.Len(); i++ {
				copyZeroPos(dst.Index(i), src.Index(i))
			}
		}
	default:
		dst.Set(src)
	}
}

// sameTree compares two trees ignoring labels (a blob has none).
func sameTree(a, b *Tree) (bool, string) {
	a, b = a.Clone(), b.Clone()
	for _, t := range []*Tree{a, b} {
		var strip func(n *Node)
		strip = func(n *Node) {
			n.Labels = nil
			for _, p := range n.Props {
				p.Labels = nil
			}
			for _, c := range n.Children {
				strip(c)
			}
		}
		strip(t.Root)
	}
	if reflect.DeepEqual(a, b) {
		return true, ""
	}
	return false, cmp.Diff(a, b)
}

// TestDTCDifferential checks every corpus file against dtc, compiled
// both without and with -@:
//   - dtc compiles Format's output to a blob identical to the original's;
//   - Parse(Format(f)) equals f and Format is idempotent;
//   - Compile's tree equals dtc's blob, compared as dtc's own decompile
//     (Tree.DTS), as trees (ReadFDT of the blob, and Load of dtc's
//     decompile) and byte for byte (WriteFDT).
func TestDTCDifferential(t *testing.T) {
	dtc := requireDTC(t)
	for _, path := range corpusFiles(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			f, err := Parse(path, src)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			tmp := t.TempDir()
			formatted := Format(f)
			fmtPath := filepath.Join(tmp, "formatted.dts")
			if err := os.WriteFile(fmtPath, formatted, 0o644); err != nil {
				t.Fatal(err)
			}
			f2, err := Parse(fmtPath, formatted)
			if err != nil {
				t.Fatalf("Parse(Format): %v", err)
			}
			if same, d := sameFile(f, f2); !same {
				t.Errorf("Parse(Format(f)) differs from f (-want +got):\n%s", d)
			}
			if again := Format(f2); !bytes.Equal(again, formatted) {
				t.Errorf("Format is not idempotent:\n%s", cmp.Diff(strings.Split(string(formatted), "\n"), strings.Split(string(again), "\n")))
			}
			for _, opts := range []CompileOptions{{Symbols: false}, {Symbols: true}} {
				checkAgainstDTC(t, dtc, f, path, fmtPath, opts)
			}
		})
	}
}

func checkAgainstDTC(t *testing.T, dtc string, f *File, path, fmtPath string, opts CompileOptions) {
	t.Helper()
	tag := "without -@"
	if opts.Symbols {
		tag = "with -@"
	}
	tmp := t.TempDir()
	wantBlob := filepath.Join(tmp, "want.dtb")
	dtcRun(t, dtc, dtcArgs(opts, wantBlob, path)...)
	gotBlob := filepath.Join(tmp, "formatted.dtb")
	dtcRun(t, dtc, dtcArgs(opts, gotBlob, fmtPath)...)
	want, _ := os.ReadFile(wantBlob)
	got, _ := os.ReadFile(gotBlob)
	if !bytes.Equal(want, got) {
		t.Errorf("%s: dtc compiles Format's output to a different blob", tag)
	}

	tree, err := Compile(f, opts)
	if err != nil {
		t.Fatalf("%s: Compile: %v", tag, err)
	}
	wantDTS := dtcRun(t, dtc, "-q", "-I", "dtb", "-O", "dts", wantBlob)
	if gotDTS := tree.DTS(); !bytes.Equal(gotDTS, wantDTS) {
		t.Errorf("%s: Compile differs from dtc (-dtc +ours):\n%s", tag, cmp.Diff(strings.Split(string(wantDTS), "\n"), strings.Split(string(gotDTS), "\n")))
	}
	// The blob itself: read dtc's with ReadFDT, and write ours with
	// WriteFDT, which lays blobs out as dtc does. (Only where the writer can
	// reproduce dtc's blob at all: a boot CPU other than 0 or a size-0
	// memreserve entry followed by more is not in a Tree.)
	fromBlob, err := ReadFDT(wantBlob, want)
	if err != nil {
		t.Fatalf("%s: ReadFDT(dtc's blob): %v", tag, err)
	}
	if same, d := sameTree(fromBlob, tree); !same {
		t.Errorf("%s: tree differs from dtc's blob read by ReadFDT (-dtc +ours):\n%s", tag, d)
	}
	if bytes.Equal(WriteFDT(fromBlob), want) && !bytes.Equal(WriteFDT(tree), want) {
		t.Errorf("%s: WriteFDT(Compile(f)) differs from dtc's blob", tag)
	}
	// Reading dtc's decompile back checks the values independently of how
	// DTS guesses their types.
	back, _, err := Load("dtc-decompiled.dts", wantDTS, CompileOptions{})
	if err != nil {
		t.Fatalf("%s: Load(dtc -O dts output): %v", tag, err)
	}
	if same, d := sameTree(back, tree); !same {
		t.Errorf("%s: tree differs from dtc's blob (-dtc +ours):\n%s", tag, d)
	}
}
