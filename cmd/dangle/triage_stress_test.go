package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dangle/crash"
	"dangle/prog"
)

// TestTriageStress: two soak shards' outputs with the same title (one
// written raw only, one a crasher) merge into one crasher; a title of
// one shard only is carried over.
func TestTriageStress(t *testing.T) {
	b1, err := prog.ParseFile("../../corpus/b1-reg-expander.prog")
	if err != nil {
		t.Fatal(err)
	}
	b7, err := prog.ParseFile("../../corpus/b7-input-unbind.prog")
	if err != nil {
		t.Fatal(err)
	}
	const t1 = "memory leak in of_changeset_destroy"
	const t7 = "devres ran after PM domain detach in spi_remove"
	a, b := t.TempDir(), t.TempDir()
	if _, err := crash.WriteRaw(a, b1, t1); err != nil {
		t.Fatal(err)
	}
	if _, err := crash.Write(b, b1, t1, crash.Options{NoMinimize: true}); err != nil {
		t.Fatal(err)
	}
	b7.Kernel = "v6.8"
	if _, err := crash.Write(b, b7, t7, crash.Options{NoMinimize: true}); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(a, "corpus"), 0o755) // a soak's corpus is not a crasher
	out := filepath.Join(t.TempDir(), "crashers")
	code, stdout, stderr := run("triage", "-o", out, a, b)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	cs, err := crash.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, c := range cs {
		titles = append(titles, c.Title)
		if c.Prog == nil {
			t.Errorf("%s: no repro.prog", c.Dir)
		}
	}
	if strings.Join(titles, "|") != t7+"|"+t1 && strings.Join(titles, "|") != t1+"|"+t7 {
		t.Errorf("titles %q\n%s", titles, stdout)
	}
	if strings.Count(stdout, "(merged)") != 1 {
		t.Errorf("want one merge:\n%s", stdout)
	}
}
