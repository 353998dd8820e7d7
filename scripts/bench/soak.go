package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// --- 4. soak ------------------------------------------------------------

// soakSample is one status line of the soak: when it came, the programs
// run so far and the process's resident set then (from /proc, read by
// this process: the same way at every sample), with the soak's own
// figures of the same tick from its -log (live heap after the last GC,
// corpus stream answers).
type soakSample struct {
	Seconds  float64 `json:"seconds"`
	Programs int64   `json:"programs"`
	RSSKB    int64   `json:"rss_kb"`
	HeapKB   int64   `json:"heap_live_kb,omitempty"`
	Answers  int64   `json:"corpus_answers,omitempty"`
	Corpus   int64   `json:"corpus,omitempty"`
}

type soakResult struct {
	Duration, Window float64
	Samples          []soakSample
}

var statusRE = regexp.MustCompile(`^\S+\s+([\d,]+) progs`)

func soak(c config, b bins) (soakResult, error) {
	res := soakResult{Duration: c.soak.Seconds(), Window: min(60, c.soak.Seconds()/3)}
	every := "10s"
	if c.soak < 2*time.Minute {
		every = "2s"
	}
	dir := filepath.Join(c.tmp, "soak")
	logFile := filepath.Join(c.tmp, "soak.log")
	p, err := start(b.root, nil, b.stress, "-duration", c.soak.String(), "-workers", "2", "-kernel", "all", "-seed", "1",
		"-status", "plain", "-status-every", every, "-out", dir, "-log", logFile)
	if err != nil {
		return res, err
	}
	defer p.kill()
	for l := range p.lines {
		m := statusRE.FindStringSubmatch(l.text)
		if m == nil {
			continue
		}
		n, _ := strconv.ParseInt(strings.ReplaceAll(m[1], ",", ""), 10, 64)
		res.Samples = append(res.Samples, soakSample{Seconds: l.at.Sub(p.start).Seconds(), Programs: n, RSSKB: rss(p.cmd.Process.Pid)})
	}
	if len(res.Samples) < 3 {
		return res, fmt.Errorf("soak: %d status lines", len(res.Samples))
	}
	// the i-th status event of the log is the i-th status line's tick
	for i, e := range soakLog(logFile) {
		if i < len(res.Samples) {
			res.Samples[i].HeapKB, res.Samples[i].Answers, res.Samples[i].Corpus = e.HeapKB, e.Answers, e.Corpus
		}
	}
	return res, writeJSONL(filepath.Join(c.out, "soak.jsonl"), res.Samples)
}

// soakLog returns the status events of a soak's zap log, in order.
func soakLog(file string) []soakSample {
	f, err := os.Open(file)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []soakSample
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var e struct {
			Msg     string `json:"msg"`
			HeapKB  int64  `json:"heap_live_kb"`
			Answers int64  `json:"corpus_answers"`
			Corpus  int64  `json:"corpus"`
		}
		if json.Unmarshal(sc.Bytes(), &e) == nil && e.Msg == "status" {
			out = append(out, soakSample{HeapKB: e.HeapKB, Answers: e.Answers, Corpus: e.Corpus})
		}
	}
	return out
}

func (r *report) soakTable(w func(string, ...any), c config) {
	s := r.soak
	W := durationText(s.Window)
	w("### 4. Soak: programs/s and RSS over %s", durationText(s.Duration))
	w("")
	w("`cmd/stress -duration %s -workers 2 -kernel all -seed 1` (minimization on, as a user runs it). At each status line "+
		"(every %s) this process reads the soak's resident set from /proc, the same way in every window; the soak's log gives "+
		"the live heap (what the last GC found reachable) and the corpus of the same tick. Each row is a window of %s: "+
		"programs/s over it, and the median (min–max) of its samples. **The growth criterion compares the window after "+
		"warm-up to the last, not the first**: until the corpus is full (95%% of its 4,096-program or 1M-answer bound) it "+
		"fills from empty and the live heap with it, so the first window's RSS is the warm-up's, not the steady state's. "+
		"Warm-up ends when the corpus is full (within the first minute on an idle machine; minutes in under load), and the "+
		"reference window starts there. Between windows RSS moves with the point of the GC cycle it is read at (from the "+
		"live heap up to twice it): compare medians.", durationText(s.Duration), soakEvery(s), W)
	w("")
	wins := soakWindows(s)
	w("| window | programs/s | RSS | live heap | corpus programs | corpus answers |")
	w("|---|---|---|---|---|---|")
	for _, x := range wins {
		w("| %s | %s | %s | %s | %s | %s |", x.name, si(x.rate), mrMiB(x.rss), mrMiB(x.heap), mr(x.corpus, "%.0f"), mrSI(x.answers))
	}
	if len(wins) == 3 && median(wins[1].rss) > 0 && wins[1].rate > 0 {
		f, l := wins[1], wins[2]
		heap := "—"
		if median(f.heap) > 0 {
			heap = fmt.Sprintf("%.2f×", median(l.heap)/median(f.heap))
		}
		w("| last ÷ after warm-up | %.2f× | **%.2f×** | %s | | |", l.rate/f.rate, median(l.rss)/median(f.rss), heap)
		if wins[0].rate > 0 && median(wins[0].rss) > 0 {
			w("| last ÷ first | %.2f× | %.2f× | | | |", l.rate/wins[0].rate, median(l.rss)/median(wins[0].rss))
		}
	}
	w("")
}

// soakWindow is one window's programs/s and its samples' figures.
type soakWindow struct {
	name                       string
	rate                       float64
	rss, heap, corpus, answers []float64
}

// soakWindows returns the first, second and last window of s: each
// window's programs/s from the samples at its ends, and its samples.
func soakWindows(s soakResult) []soakWindow {
	if len(s.Samples) < 2 {
		return nil
	}
	end := s.Samples[len(s.Samples)-1].Seconds
	W := s.Window
	slack := 1.0 // a status line arrives a little after its tick
	// the steady state starts when the corpus is full (at its answer
	// or program bound, cmd/stress's defaults): under load that can be
	// minutes in, so the reference window is the one after it, or the
	// second window when the log has no corpus figures
	ref, refName := W, "second "+durationText(W)
	for _, v := range s.Samples {
		if v.Answers >= corpusFullAnswers || v.Corpus >= corpusFullPrograms {
			ref, refName = v.Seconds, fmt.Sprintf("%s from %s (corpus full)", durationText(W), durationText(math.Round(v.Seconds)))
			break
		}
	}
	ref = min(ref, end-2*W)
	spans := []struct {
		name     string
		from, to float64
	}{
		{"first " + durationText(W) + " (warm-up)", 0, W},
		{refName, ref, ref + W},
		{"last " + durationText(W), end - W, end},
	}
	var out []soakWindow
	for _, sp := range spans {
		x := soakWindow{name: sp.name}
		var first, last *soakSample
		for i := range s.Samples {
			v := &s.Samples[i]
			if v.Seconds < sp.from+slack/2 || v.Seconds > sp.to+slack {
				continue
			}
			if first == nil {
				first = v
			}
			last = v
			x.rss = append(x.rss, float64(v.RSSKB))
			if v.HeapKB > 0 {
				x.heap = append(x.heap, float64(v.HeapKB))
			}
			x.corpus = append(x.corpus, float64(v.Corpus))
			x.answers = append(x.answers, float64(v.Answers))
		}
		if last == nil {
			out = append(out, x)
			continue
		}
		if sp.from == 0 && last.Seconds > 0 {
			x.rate = float64(last.Programs) / last.Seconds
		} else if first != nil && last.Seconds > first.Seconds {
			x.rate = float64(last.Programs-first.Programs) / (last.Seconds - first.Seconds)
		}
		out = append(out, x)
	}
	return out
}

// corpusFull*: 95% of cmd/stress's corpus bounds at their defaults
// (-max-corpus 4096 programs, 256 answers each).
const (
	corpusFullAnswers  = 4096 * 256 * 95 / 100
	corpusFullPrograms = 4096 * 95 / 100
)

// soakEvery is the status interval the samples show.
func soakEvery(s soakResult) string {
	if len(s.Samples) < 2 {
		return "?"
	}
	return durationText(s.Samples[1].Seconds - s.Samples[0].Seconds)
}

// mrMiB is a median (min–max) of KiB figures, in MiB.
func mrMiB(v []float64) string {
	if len(v) == 0 {
		return "—"
	}
	lo, hi := minMax(v)
	return fmt.Sprintf("%.0f MiB (%.0f–%.0f)", median(v)/1024, lo/1024, hi/1024)
}
