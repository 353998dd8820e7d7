package prog

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCorpusDTC checks that the device-tree sources of every corpus
// program compile with dtc, as the format promises (the archive extracts
// into files dtc accepts). Skipped when dtc is not installed.
func TestCorpusDTC(t *testing.T) {
	dtc, err := exec.LookPath("dtc")
	if err != nil {
		t.Skip("dtc not installed")
	}
	files, err := filepath.Glob("../corpus/*.prog")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus programs: %v", err)
	}
	dir := t.TempDir()
	for _, path := range files {
		p, err := ParseFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range p.Files {
			if !strings.HasSuffix(f.Name, ".dts") && !strings.HasSuffix(f.Name, ".dtso") {
				continue
			}
			src := filepath.Join(dir, f.Name)
			if err := os.WriteFile(src, f.Data, 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(dtc, "-q", "-@", "-I", "dts", "-O", "dtb", "-o", os.DevNull, src).CombinedOutput()
			if err != nil {
				t.Errorf("%s: %s: dtc: %v\n%s", path, f.Name, err, out)
			}
		}
	}
}
