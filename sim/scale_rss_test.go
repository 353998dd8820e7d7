//go:build linux

package sim

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"syscall"
	"testing"

	"dangle/prog"
)

// BenchmarkBigProgramRSS: the peak resident set of a run of the 50 MB
// program (bigProgramText) as dangle run makes it: read the file,
// prog.Parse, sim.Run with the log streamed and the sources' text
// released once compiled. Each iteration runs in a
// child process of this test binary (TestBigProgramChild), so that the
// figure is that run's alone: peak-RSS-MB, and RSS/input, the multiple of
// the program's size (issue 14 item 8). Linux: ru_maxrss is in KiB.
func BenchmarkBigProgramRSS(b *testing.B) {
	path := filepath.Join(b.TempDir(), "big.prog")
	text := bigProgramText(50 << 20)
	if err := os.WriteFile(path, text, 0o644); err != nil {
		b.Fatal(err)
	}
	size := float64(len(text))
	text = nil
	var kib int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestBigProgramChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), "DANGLE_BIG_PROGRAM="+path)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("child: %v\n%s", err, out)
		}
		kib += cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss
	}
	rss := float64(kib) * 1024 / float64(b.N)
	b.ReportMetric(rss/(1<<20), "peak-RSS-MB")
	b.ReportMetric(rss/size, "RSS/input")
}

// TestBigProgramChild is BenchmarkBigProgramRSS's child: it runs the
// program named by DANGLE_BIG_PROGRAM, and is skipped without it.
func TestBigProgramChild(t *testing.T) {
	path := os.Getenv("DANGLE_BIG_PROGRAM")
	if path == "" {
		t.Skip("the child process of BenchmarkBigProgramRSS")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := prog.Parse(filepath.Base(path), data)
	if err != nil {
		t.Fatal(err)
	}
	data = nil
	var stream io.Writer = io.Discard
	if hp := os.Getenv("DANGLE_BIG_HEAPPROFILE"); hp != "" {
		stream = &heapAtOp{marker: []byte("op 2: "), path: hp, t: t}
	}
	res, err := Run(p, Config{Filename: filepath.Base(path), Stream: stream, ReleaseText: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 0 {
		t.Errorf("the big program has findings: %v", res.Findings[0].Title)
	}
}

// heapAtOp is a log stream that, at the first line starting with marker
// (the remove op's header: the apply is done), collects the garbage and
// writes a heap profile to path: what is live after the apply, for
// go tool pprof -sample_index=inuse_space (DANGLE_BIG_HEAPPROFILE). It
// also logs the peak RSS so far (VmHWM) at each op line.
type heapAtOp struct {
	marker []byte
	path   string
	t      *testing.T
	done   bool
}

func (h *heapAtOp) Write(p []byte) (int, error) {
	if bytes.HasPrefix(p, []byte("op ")) || bytes.Equal(p, []byte("teardown\n")) {
		// the peak so far at each op's start and end: which phase
		// sets the maximum
		st, _ := os.ReadFile("/proc/self/status")
		if i := bytes.Index(st, []byte("VmHWM:")); i >= 0 {
			hwm, _, _ := bytes.Cut(st[i+len("VmHWM:"):], []byte("\n"))
			h.t.Logf("peak RSS %s at %s", bytes.TrimSpace(hwm), bytes.TrimSpace(p))
		}
	}
	if !h.done && bytes.HasPrefix(p, h.marker) {
		h.done = true
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		h.t.Logf("live heap after the apply: %.1f MB", float64(ms.HeapAlloc)/(1<<20))
		f, err := os.Create(h.path)
		if err != nil {
			h.t.Fatal(err)
		}
		defer f.Close()
		if err := pprof.WriteHeapProfile(f); err != nil {
			h.t.Fatal(err)
		}
	}
	return len(p), nil
}
