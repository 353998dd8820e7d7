package main

import (
	"testing"
	"time"
)

// TestUntil: -until ends the run at the first new title it matches
// (make bench's time to find), long before -duration; the stats name it.
func TestUntil(t *testing.T) {
	dir := t.TempDir()
	const title = "use-after-free of overlay_changeset in node_overlaps_later_cs" // found within the first programs on v6.6
	start := time.Now()
	code, stdout, stderr := soakRun(t, "-duration", "60s", "-seed", "1", "-workers", "1", "-kernel", "v6.6",
		"-minimize=false", "-status", "plain", "-out", dir, "-until", "^"+title+"$")
	if code != 1 {
		t.Fatalf("exit %d, want 1 (findings)\n%s\n%s", code, stdout, stderr)
	}
	if took := time.Since(start); took > 30*time.Second {
		t.Errorf("-until did not stop the run: %s", took)
	}
	st := readStats(t, dir)
	found := false
	for _, nt := range st.NewTitles {
		found = found || nt.Title == title
	}
	if !found || st.Seconds > 30 {
		t.Errorf("stats: %v titles, %.1fs; want %q among them", len(st.NewTitles), st.Seconds, title)
	}
	if code, _, _ := soakRun(t, "-until", "(", "-out", t.TempDir()); code != 2 {
		t.Errorf("-until '(': exit %d, want 2", code)
	}
}
