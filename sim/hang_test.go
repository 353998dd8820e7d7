package sim

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dangle/prog"
)

// TestSoakHangsFinish runs the programs the soak (cmd/stress) found
// hanging the simulator in __device_release_driver()'s
// "while (device_links_busy(dev))" loop: each must now finish and report
// the livelock (core_sync_state_only_livelock.txt has the minimized
// story). The run happens on a goroutine with a deadline only so that a
// regression fails this test instead of hanging "go test"; the simulator
// itself stays single-threaded.
func TestSoakHangsFinish(t *testing.T) {
	files, err := filepath.Glob("testdata/hangs/*.prog")
	if err != nil || len(files) == 0 {
		t.Fatalf("no programs in testdata/hangs: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			p, err := prog.ParseFile(f)
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan *Result, 1)
			go func() {
				res, err := Run(p, Config{Filename: f, Quiet: true})
				if err != nil {
					t.Error(err)
				}
				done <- res
			}()
			select {
			case res := <-done:
				if res == nil {
					return
				}
				var titles []string
				for _, fd := range res.Findings {
					titles = append(titles, fd.Title)
				}
				if !strings.Contains(strings.Join(titles, "\n"), "livelock in __device_release_driver") {
					t.Errorf("%s: no livelock finding; findings:\n%s", f, strings.Join(titles, "\n"))
				}
			case <-time.After(20 * time.Second):
				t.Fatalf("%s: still running after 20s: the simulator hangs again", f)
			}
		})
	}
}
