package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSoakWindows: the windows are the first, second and last W seconds;
// each takes the median of its own samples, and its programs/s from the
// samples at its ends.
func TestSoakWindows(t *testing.T) {
	s := soakResult{Duration: 300, Window: 60}
	for sec := 10; sec <= 300; sec += 10 {
		rss := int64(50 << 10)
		if sec <= 60 {
			rss = int64(30 << 10) // warm-up
		}
		if sec >= 240 {
			rss = int64(54 << 10)
		}
		s.Samples = append(s.Samples, soakSample{Seconds: float64(sec) + 0.2, Programs: int64(sec * 100), RSSKB: rss})
	}
	w := soakWindows(s)
	if len(w) != 3 {
		t.Fatalf("%d windows", len(w))
	}
	if m := median(w[0].rss); m != 30<<10 {
		t.Errorf("first window RSS median %v", m)
	}
	if m := median(w[1].rss); m != 50<<10 {
		t.Errorf("second window RSS median %v", m)
	}
	if m := median(w[2].rss); m != 54<<10 {
		t.Errorf("last window RSS median %v", m)
	}
	for i, x := range w {
		if x.rate < 99 || x.rate > 101 {
			t.Errorf("window %d: %.1f programs/s, want 100", i, x.rate)
		}
	}
	// with corpus figures, the reference window starts when it is full
	for i := range s.Samples {
		if s.Samples[i].Seconds > 150 {
			s.Samples[i].Answers = corpusFullAnswers
		}
		if s.Samples[i].Seconds > 220 {
			s.Samples[i].RSSKB = 54 << 10
		}
	}
	w = soakWindows(s)
	if !strings.Contains(w[1].name, "from 150 s (corpus full)") || median(w[1].rss) != 50<<10 || len(w[1].rss) != 6 {
		t.Errorf("reference window %q: %v", w[1].name, w[1].rss)
	}
}

// TestSoakLog: the status events of a soak's zap log, in order.
func TestSoakLog(t *testing.T) {
	file := filepath.Join(t.TempDir(), "log")
	os.WriteFile(file, []byte(`{"level":"info","msg":"start"}
{"level":"info","msg":"status","programs":5,"corpus":3,"corpus_answers":900,"heap_live_kb":12000}
{"level":"info","msg":"new finding","title":"x"}
{"level":"info","msg":"status","programs":9,"corpus":4,"corpus_answers":1000,"heap_live_kb":13000}
`), 0o644)
	got := soakLog(file)
	if len(got) != 2 || got[0].HeapKB != 12000 || got[1].Answers != 1000 || got[1].Corpus != 4 {
		t.Errorf("%+v", got)
	}
}
