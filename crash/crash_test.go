package crash

import (
	"dangle/sim/report"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dangle/prog"
	"dangle/sim"
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
	// the seed's description stays, its expectations go
	repro, _ := os.ReadFile(filepath.Join(c.Dir, "repro.prog"))
	if !strings.Contains(string(repro), "\n# about: B1: regulator node") || strings.Contains(string(repro), "# expect") {
		t.Errorf("repro.prog header:\n%s", repro)
	}
	rep, _ := os.ReadFile(filepath.Join(c.Dir, "report.txt"))
	if !strings.HasPrefix(string(rep), b1Title+"\n") {
		t.Errorf("report.txt:\n%s", rep)
	}
	// the bisection answer: the one knob that flips the outcome, its
	// commit, and the proposed patch that closes it
	for _, want := range []string{"fixed between v6.8 and v6.8.5:", "devlink_wait decides it", "[commit 8917e7385346]",
		"the proposed patch +wait-unlocked", "held at that point: device soc:bus@10000:regulator, taken in of_device_alloc",
		// the kernel bug it traces to, with the source (sim.KernelBugs)
		"Kernel source ---", "Kernel bug B1-devlink-release-after-destroy: of_overlay_remove()", "fixed by 8917e7385346"} {
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

// TestWriteOverrideProfile: a finding seen on a profile outside the named
// versions (an override) is in the matrix too, and its name, which has a
// space, survives repro.prog's header.
func TestWriteOverrideProfile(t *testing.T) {
	dir := t.TempDir()
	const prof = "v6.9 devlink_wait=none"
	c, err := Write(dir, corpus(t, "b1-reg-expander.prog"), b1Title, Options{Profile: prof, NoMinimize: true, Profiles: []string{"v6.8", "v6.9"}})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := Load(dir)
	if err != nil || len(cs) != 1 {
		t.Fatal(err, cs)
	}
	got := cs[0]
	if got.Profile != prof || strings.Join(got.Affected, "|") != "v6.8|"+prof || strings.Join(got.Unaffected, "|") != "v6.9" {
		t.Errorf("profile %q affected %q unaffected %q (written %+v)", got.Profile, got.Affected, got.Unaffected, c.Affected)
	}
}

// TestMatrix: B1 on four profiles splits at v6.8 | v6.8.5 with the one
// knob that differs; an error from the callback stops the runs.
func TestMatrix(t *testing.T) {
	p := corpus(t, "b1-reg-expander.prog")
	profs := []string{"v6.1", "v6.8", "v6.8.5", "mainline"}
	seen := 0
	m, err := RunMatrix(p, profs, sim.Config{Quiet: true}, func(string, *sim.Result) error { seen++; return nil })
	if err != nil || seen != 4 {
		t.Fatal(err, seen)
	}
	aff, un := m.Split(b1Title)
	if strings.Join(aff, " ") != "v6.1 v6.8" || strings.Join(un, " ") != "v6.8.5 mainline" {
		t.Errorf("split %v %v", aff, un)
	}
	bs := m.Boundaries(b1Title)
	if len(bs) != 1 || bs[0].Before != "v6.8" || !bs[0].BeforeAffected || len(bs[0].Knobs) != 1 || bs[0].Knobs[0].Knob != "devlink_wait" || bs[0].Knobs[0].ToCommit != "8917e7385346" {
		t.Errorf("boundaries %+v", bs)
	}
	if !strings.Contains(m.Table(), "last affected v6.8, first unaffected v6.8.5; the knobs that differ:\n    devlink_wait: v6.8=none (-), v6.8.5=changeset-destroy (8917e7385346)") {
		t.Errorf("table:\n%s", m.Table())
	}
	stop := errors.New("stop")
	seen = 0
	if _, err := RunMatrix(p, profs, sim.Config{Quiet: true}, func(string, *sim.Result) error { seen++; return stop }); err != stop || seen != 1 {
		t.Errorf("callback error: %v after %d runs", err, seen)
	}
	if got := NewMatrix(profs).Table(); got != "no findings on any of v6.1 v6.8 v6.8.5 mainline\n" {
		t.Errorf("empty table %q", got)
	}
}

// TestSameBug: B5's leak minimized with Predicate alone may lose the
// gpiod_put (then the program simply never puts its descriptor, a leak
// on every kernel); SameBug refuses that candidate because v6.6 was
// clean of the title.
func TestSameBug(t *testing.T) {
	p := corpus(t, "b5-gpiochip-remove-requested.prog")
	const title = "reference leak of gpio_device taken in gpiod_request"
	cfg := sim.Config{Profile: "v6.1", Quiet: true}
	noPut := p.Clone()
	for i, op := range noPut.Ops {
		if op.Desc.Name == "gpiod_put" {
			noPut.Ops = append(noPut.Ops[:i], noPut.Ops[i+1:]...)
			break
		}
	}
	if !Predicate(cfg, title, false)(noPut).Fails {
		t.Fatal("without its put the program no longer leaks: the test's premise is gone")
	}
	keep, err := SameBug(p, title, false, cfg, []string{"v6.1", "v6.6"})
	if err != nil {
		t.Fatal(err)
	}
	if !keep(p).Fails {
		t.Error("SameBug rejects the original")
	}
	if keep(noPut).Fails {
		t.Error("SameBug accepts the program that never puts its descriptor")
	}
}

// TestWriteReplacesSources: when a smaller repro replaces the one on
// disk, the old repro's sources go.
func TestWriteReplacesSources(t *testing.T) {
	dir := t.TempDir()
	p := corpus(t, "b1-reg-expander.prog")
	big := p.Clone()
	big.Files[0].Name = "old-name.dtso"
	big.Ops[0].Args[0].File = "old-name.dtso"
	if err := big.Validate(); err != nil {
		t.Skip("cannot rename the blob in place:", err)
	}
	big.Ops = append(big.Ops, prog.NewOp(prog.Lookup("flush_workqueue"), ""))
	if _, err := Write(dir, big, b1Title, Options{Profile: "v6.8", NoMinimize: true, Profiles: []string{"v6.8"}}); err != nil {
		t.Fatal(err)
	}
	c, err := Write(dir, p, b1Title, Options{Profile: "v6.8", NoMinimize: true, Profiles: []string{"v6.8"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(c.Dir, "old-name.dtso")); !os.IsNotExist(err) {
		t.Errorf("the old repro's source is still there: %v", err)
	}
	if _, err := os.Stat(filepath.Join(c.Dir, p.Files[0].Name)); err != nil {
		t.Error(err)
	}
}

// TestCiteText: a finding no sim.KernelBugs entry explains says so in
// report.txt instead of citing one.
func TestCiteText(t *testing.T) {
	p := corpus(t, "b1-reg-expander.prog")
	if got := citeText(p, "", &report.Finding{Title: "WARNING in nothing_we_know"}); !strings.HasPrefix(got, "Not triaged:") {
		t.Errorf("untraced finding: %q", got)
	}
	got := citeText(p, "", &report.Finding{Title: "deadlock: flush_workqueue(device_link_wq) under of_mutex"})
	if got != "" && strings.HasPrefix(got, "Kernel bug") {
		t.Errorf("the dt-fixup hazard needs the dt-fixup driver in the program: %q", got)
	}
}
