package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"go.uber.org/zap"

	"dangle/sim/profile"
)

// printer writes the soak's lines to standard output. On a terminal the
// status is one line redrawn in place ("\r" and erase-line), which a
// permanent line (a new finding) first clears; otherwise every status
// is a plain line of its own.
type printer struct {
	mu    sync.Mutex
	w     io.Writer
	live  bool
	width int
	shown string // the status line on screen (live only)
}

func newPrinter(w io.Writer, mode string) *printer {
	p := &printer{w: w, width: 120}
	switch mode {
	case "live":
		p.live = true
	case "auto":
		if f, ok := w.(*os.File); ok {
			if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
				p.live = true
			}
		}
	}
	if f, ok := w.(*os.File); ok && p.live {
		if c := termWidth(f); c > 20 {
			p.width = c
		}
	}
	if c, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && c > 20 && p.width == 120 {
		p.width = c
	}
	return p
}

// println prints a permanent line.
func (p *printer) println(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.live && p.shown != "" {
		io.WriteString(p.w, "\r\033[K")
	}
	fmt.Fprintf(p.w, format+"\n", args...)
	if p.live && p.shown != "" {
		io.WriteString(p.w, p.shown)
	}
}

// status shows s: redrawn in place (cut to the terminal width) when
// live, else as a line.
func (p *printer) status(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.live {
		fmt.Fprintln(p.w, s)
		return
	}
	if r := []rune(s); len(r) > p.width-1 {
		s = string(r[:p.width-2]) + "…"
	}
	p.shown = s
	io.WriteString(p.w, "\r\033[K"+s)
}

// done ends the live line, so what follows starts on a line of its own.
func (p *printer) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.live && p.shown != "" {
		io.WriteString(p.w, "\n")
		p.shown = ""
	}
}

// statusLine is the one-line status: elapsed, programs and programs/s,
// ops/s, corpus, distinct findings, newest title.
func (s *soak) statusLine() string {
	el := time.Since(s.start)
	sec := max(el.Seconds(), 1e-9)
	progs, ops := s.programs.Load(), s.ops.Load()
	entries, feats := s.corpus.size()
	newest := "-"
	if t := s.newest.Load(); t != nil {
		newest = *t
	}
	return fmt.Sprintf("%s  %s progs (%.0f/s)  %.0f ops/s  corpus %d (%d feat)  findings %d  newest: %s",
		el.Truncate(time.Second), group(progs), float64(progs)/sec, float64(ops)/sec, entries, feats,
		len(s.finds.newTitles()), newest)
}

// group writes n with thousands separators.
func group(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// stats is the JSON stats file.
type stats struct {
	Seed       uint64   `json:"seed"`
	Shard      string   `json:"shard"`
	Workers    int      `json:"workers"`
	Kernel     string   `json:"kernel"`
	Signal     bool     `json:"signal"`
	Seconds    float64  `json:"seconds"`
	Programs   int64    `json:"programs"`
	Ops        int64    `json:"ops"`
	ProgsPerS  float64  `json:"programs_per_second"`
	OpsPerS    float64  `json:"ops_per_second"`
	Fresh      int64    `json:"fresh"`
	Mutated    int64    `json:"mutated"`
	Rejected   int64    `json:"rejected"`
	SimBugs    int64    `json:"simulator_bugs"`
	Corpus     int      `json:"corpus"`
	Answers    int      `json:"corpus_answers"`
	Evicted    int64    `json:"corpus_evicted"`
	Features   int      `json:"features"`
	Out        string   `json:"out"`
	MaxRSSKB   int64    `json:"max_rss_kb"`
	Interrupt  bool     `json:"interrupted"`
	NewTitles  []title  `json:"new_titles"`
	KnownSkips []string `json:"titles_on_disk"`
}

func (s *soak) stats(interrupted bool, known []string) stats {
	el := time.Since(s.start).Seconds()
	entries, feats := s.corpus.size()
	answers, evicted := s.corpus.usage()
	st := stats{Answers: answers, Evicted: evicted, Out: s.opt.out, Seed: s.opt.seed, Shard: fmt.Sprintf("%d/%d", s.opt.shard, s.opt.shards), Workers: s.opt.workers,
		Kernel: s.opt.kernel, Signal: !s.opt.noSignal, Seconds: el, Programs: s.programs.Load(), Ops: s.ops.Load(),
		Fresh: s.fresh.Load(), Mutated: s.mutated.Load(), Rejected: s.rejected.Load(), SimBugs: s.simBugs.Load(),
		Corpus: entries, Features: feats, MaxRSSKB: maxRSS(), Interrupt: interrupted,
		NewTitles: s.finds.newTitles(), KnownSkips: known}
	st.ProgsPerS, st.OpsPerS = float64(st.Programs)/el, float64(st.Ops)/el
	if st.NewTitles == nil {
		st.NewTitles = []title{}
	}
	return st
}

func writeStats(name string, st stats) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	return writeAtomic(name, append(b, '\n'))
}

// summary prints the final table: title, affected profiles, first found
// after N programs and T seconds, crasher path.
func summary(w io.Writer, st stats) {
	fmt.Fprintf(w, "\nstress: %s programs in %.1fs (%.0f/s, %.0f ops/s), corpus %d programs, %d features, %d rejected, %d simulator bugs\n",
		group(st.Programs), st.Seconds, st.ProgsPerS, st.OpsPerS, st.Corpus, st.Features, st.Rejected, st.SimBugs)
	if len(st.NewTitles) == 0 {
		fmt.Fprintln(w, "no new findings")
		return
	}
	fmt.Fprintf(w, "%d new finding(s):\n", len(st.NewTitles))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TITLE\tAFFECTED\tFIRST FOUND\tCRASHER")
	for _, t := range st.NewTitles {
		aff := profileRanges(t.Affected)
		switch {
		case t.Error != "":
			aff = "error: " + t.Error
		case !t.Written:
			aff = "(raw)"
		case !t.Minimized:
			aff += " (not minimized)"
		}
		fmt.Fprintf(tw, "%s\t%s\tafter %s programs, %.1fs\t%s\n", t.Title, aff, group(t.Programs), t.Seconds, t.Dir)
	}
	tw.Flush()
}

// filesNote tells where the soak's files went and what to do with them:
// file the crashers into the repository's crashers/ with dangle triage
// (which merges by title), or remove the directory.
func filesNote(w io.Writer, st stats, corpusDir string) {
	dirs := 0
	if ents, err := os.ReadDir(st.Out); err == nil {
		for _, e := range ents {
			if _, err := os.Stat(filepath.Join(st.Out, e.Name(), "report.txt")); e.IsDir() && err == nil {
				dirs++
			}
		}
	}
	corpus := "no corpus (-no-signal)"
	if st.Signal {
		corpus = fmt.Sprintf("%s (%d programs: a soak on the same -out resumes from it)", corpusDir, st.Corpus)
	}
	fmt.Fprintf(w, "files: %s holds %d crasher director%s (%d new in this run), %s, %s\n",
		st.Out, dirs, plural(dirs, "y", "ies"), len(st.NewTitles), corpus, filepath.Join(st.Out, "stats.json"))
	if dirs > 0 {
		fmt.Fprintf(w, "  file them: go run ./cmd/dangle triage -o crashers %s   (into the repository's crashers/, by title; review them first)\n", st.Out)
	}
	fmt.Fprintf(w, "  clean up:  rm -rf %s\n", st.Out)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// maxRSS is the process's peak resident set in KiB (from
// /proc/self/status; 0 where there is none).
func maxRSS() int64 { return procStatusKB("VmHWM:") }

// rssKB is the process's resident set now, in KiB.
func rssKB() int64 { return procStatusKB("VmRSS:") }

func procStatusKB(key string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, key); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}

// memClasses are the runtime's memory classes the status log reports,
// which tell growth of the live heap (objects) from fragmentation
// (unused: free space inside spans in use) and from pages the scavenger
// has not returned yet (free).
var memClasses = []struct{ name, key string }{
	{"/memory/classes/heap/objects:bytes", "heap_objects_kb"},
	{"/memory/classes/heap/unused:bytes", "heap_unused_kb"},
	{"/memory/classes/heap/free:bytes", "heap_free_kb"},
	{"/memory/classes/heap/released:bytes", "heap_released_kb"},
	{"/memory/classes/profiling/buckets:bytes", "profiling_kb"},
	{"/memory/classes/metadata/other:bytes", "metadata_kb"},
	{"/memory/classes/heap/stacks:bytes", "stacks_kb"},
	{"/memory/classes/other:bytes", "other_kb"},
	{"/gc/heap/goal:bytes", "heap_goal_kb"},
	{"/memory/classes/total:bytes", "runtime_total_kb"},
}

// memFields returns memClasses now, in KiB, as log fields.
func memFields() []zap.Field {
	s := make([]metrics.Sample, len(memClasses))
	for i, c := range memClasses {
		s[i].Name = c.name
	}
	metrics.Read(s)
	var out []zap.Field
	for i, c := range memClasses {
		if s[i].Value.Kind() == metrics.KindUint64 {
			out = append(out, zap.Uint64(c.key, s[i].Value.Uint64()>>10))
		}
	}
	return out
}

// heapLive is the heap the last GC found reachable, in bytes (what the
// soak holds; the resident set is about twice it under GOGC=100, plus
// the runtime and the binary).
func heapLive() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// profileRanges writes profiles (a subset of profile.Names(), in its
// order) as runs of consecutive profiles: "v5.10..v6.8,mainline".
func profileRanges(ps []string) string {
	all := profile.Names()
	in := map[string]bool{}
	for _, p := range ps {
		in[p] = true
	}
	var parts []string
	for i := 0; i < len(all); i++ {
		if !in[all[i]] {
			continue
		}
		j := i
		for j+1 < len(all) && in[all[j+1]] {
			j++
		}
		switch {
		case i == 0 && j == len(all)-1:
			parts = append(parts, "all")
		case j > i+1:
			parts = append(parts, all[i]+".."+all[j])
		case j == i+1:
			parts = append(parts, all[i], all[j])
		default:
			parts = append(parts, all[i])
		}
		i = j
	}
	for _, p := range ps { // a patched profile (v6.8+wait-early) is not in the table
		if !slices.Contains(all, p) {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ",")
}
