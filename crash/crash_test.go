package crash

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dangle/prog"
)

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"memory leak in of_changeset_destroy":                      "memory-leak-in-of-changeset-destroy",
		"deadlock: flush_workqueue(device_link_wq) under of_mutex": "deadlock-flush-workqueue-device-link-wq-under-of-mutex",
		"  ":                         "untitled",
		"WARNING in gpiochip_remove": "warning-in-gpiochip-remove",
	} {
		if got := Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Slug(strings.Repeat("ab ", 60)); len(got) > 80 || strings.HasSuffix(got, "-") {
		t.Errorf("long slug %q", got)
	}
}

func corpus(t *testing.T, name string) *prog.Program {
	t.Helper()
	p, err := prog.ParseFile(filepath.Join("..", "corpus", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

const b1Title = "memory leak in of_changeset_destroy"

// TestWriteRawThenWrite: a raw finding is on disk (with a report whose
// first line is the title) before Write; Write folds it in, and a
// second Write of a bigger program merges into the same directory,
// keeping the smaller repro.
func TestWriteRawThenWrite(t *testing.T) {
	dir := t.TempDir()
	p := corpus(t, "b1-reg-expander.prog")
	path, err := WriteRaw(dir, p, b1Title)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := WriteRaw(dir, p, b1Title); again != path {
		t.Errorf("the same program stored twice: %s, %s", path, again)
	}
	cs, err := Load(dir)
	if err != nil || len(cs) != 1 || cs[0].Title != b1Title || len(cs[0].Raw) != 1 || cs[0].Prog != nil {
		t.Fatalf("Load after WriteRaw: %v %+v", err, cs)
	}
	c, err := Write(dir, p, b1Title, Options{Profile: "v6.8", Profiles: []string{"v6.1", "v6.8", "v6.8.5", "mainline"}})
	if err != nil {
		t.Fatal(err)
	}
	if !c.Merged || c.Raw != nil {
		t.Errorf("raw finding not folded in: %+v", c)
	}
	if _, err := os.Stat(filepath.Join(c.Dir, "raw")); !os.IsNotExist(err) {
		t.Errorf("raw/ left behind: %v", err)
	}
	if strings.Join(c.Affected, " ") != "v6.1 v6.8" || strings.Join(c.Unaffected, " ") != "v6.8.5 mainline" {
		t.Errorf("matrix: affected %v unaffected %v", c.Affected, c.Unaffected)
	}
	cs, err = Load(dir)
	if err != nil || len(cs) != 1 {
		t.Fatal(err, cs)
	}
	got := cs[0]
	if got.Title != b1Title || got.Profile != "v6.8" || strings.Join(got.Affected, " ") != "v6.1 v6.8" {
		t.Errorf("Load: %+v", got)
	}
	rep, _ := os.ReadFile(filepath.Join(c.Dir, "report.txt"))
	if !strings.HasPrefix(string(rep), b1Title+"\n") {
		t.Errorf("report.txt:\n%s", rep)
	}
	// the bisection answer: the one knob that flips the outcome, its
	// commit, and the proposed patch that closes it
	for _, want := range []string{"fixed between v6.8 and v6.8.5:", "devlink_wait decides it", "[8917e7385346]",
		"the proposed patch +wait-unlocked", "held at that point: device soc:bus@10000:regulator, taken in of_device_alloc"} {
		if !strings.Contains(strings.Join(strings.Fields(string(rep)), " "), want) {
			t.Errorf("report.txt lacks %q:\n%s", want, rep)
		}
	}
	// a bigger program of the same title: merged, the old repro stays
	padded := p.Clone()
	padded.Ops = append([]*prog.Op{prog.NewOp(prog.Lookup("flush_workqueue"), "")}, padded.Ops...)
	before, _ := os.ReadFile(filepath.Join(c.Dir, "repro.prog"))
	c2, err := Write(dir, padded, b1Title, Options{Profile: "v6.8", NoMinimize: true, Profiles: []string{"v6.1", "v6.8", "v6.8.5", "mainline"}})
	if err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(filepath.Join(c2.Dir, "repro.prog"))
	if !c2.Merged || string(before) != string(after) {
		t.Errorf("merge replaced the smaller repro:\n%s\n---\n%s", before, after)
	}
}

// TestLoadErrors: a repro.prog that does not parse is an error naming
// file:line; a directory with neither repro nor raw findings is skipped;
// writes leave no temporary files.
func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	if cs, err := Load(dir); err != nil || len(cs) != 0 {
		t.Errorf("empty directory: %v %v", cs, err)
	}
	if cs, err := Load(filepath.Join(dir, "missing")); err != nil || cs != nil {
		t.Errorf("missing directory: %v %v", cs, err)
	}
	bad := filepath.Join(dir, "bad")
	os.MkdirAll(bad, 0o755)
	os.WriteFile(filepath.Join(bad, "repro.prog"), []byte("dangle program v1\nno_such_op\n"), 0o644)
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "repro.prog:2") {
		t.Errorf("bad repro: %v", err)
	}
	os.RemoveAll(bad)
	if _, err := WriteRaw(dir, corpus(t, "b1-reg-expander.prog"), b1Title); err != nil {
		t.Fatal(err)
	}
	tmp, _ := filepath.Glob(filepath.Join(dir, "*", ".*tmp*"))
	tmp2, _ := filepath.Glob(filepath.Join(dir, "*", "raw", ".*tmp*"))
	if len(tmp)+len(tmp2) > 0 {
		t.Errorf("temporary files left: %v %v", tmp, tmp2)
	}
}
