package crash

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"dangle/prog"
	"dangle/sim"
	"dangle/sim/drivers"
	"dangle/sim/profile"
	"dangle/sim/report"
)

// builtReport is report.txt and the pictures made with it.
type builtReport struct {
	text     string
	timeline []byte
	graph    []byte
}

func findingTitled(res *sim.Result, title string) *report.Finding {
	for i := range res.Findings {
		if res.Findings[i].Title == title {
			return &res.Findings[i]
		}
	}
	return nil
}

// maxLogLines bounds the log excerpt of report.txt.
const maxLogLines = 80

// buildReport writes report.txt for c from a traced replay of its repro.
func buildReport(c *Crasher, m *Matrix, opts Options) (*builtReport, error) {
	t, err := Trace(c.Prog, sim.Config{Filename: "repro.prog", Strict: opts.Strict}, c.Title)
	if err != nil {
		return nil, err
	}
	if t.Finding == nil {
		return nil, fmt.Errorf("crash: %s: the repro does not raise %q on %s", c.Dir, c.Title, t.Result.Profile)
	}
	var b strings.Builder
	section := func(name string) {
		fmt.Fprintf(&b, "\n%s\n%s\n", name, strings.Repeat("-", len([]rune(name))))
	}
	fmt.Fprintf(&b, "%s\n", c.Title)
	fmt.Fprintf(&b, "\nkernel %s, found at %s; affected: %s\n", t.Result.Profile, report.OpName(t.Finding.Op), strings.Join(c.Affected, ", "))
	for _, h := range c.Prog.Header {
		if about, ok := strings.CutPrefix(h, aboutKey); ok {
			b.WriteString("\n" + fill("About this reproducer:"+about, 76))
		}
	}
	section("What happened")
	b.WriteString(fill(t.Explain(), 76))
	if note := modelledNote(t.Result.Log, t.Drivers); note != "" {
		b.WriteString("\n")
		b.WriteString(fill(note, 76))
	}
	section("Kernel source")
	b.WriteString(fill(citeText(c.Prog, t.Result.Log, t.Finding), 76))
	section("Kernel log (kernel " + t.Result.Profile + ")")
	b.WriteString(logExcerpt(t.Result.Log, maxLogLines))
	b.WriteString("\n")
	b.WriteString(t.Finding.String())
	section("Affected kernel versions")
	b.WriteString(matrixText(m, c.Title))
	if len(m.Titles) > 1 {
		b.WriteString("\nevery finding of this reproducer, by profile:\n")
		b.WriteString(m.Grid())
	}
	section("Where to fix")
	b.WriteString(fixText(m, c, opts))
	section(fmt.Sprintf("Reproducer (%d ops, repro.prog)", len(c.Prog.Ops)))
	names := c.Prog.Names()
	for i := range c.Prog.Ops {
		fmt.Fprintf(&b, "  %d. %s\n", i+1, c.Prog.OpString(i, names))
	}
	var srcs []string
	for _, f := range c.Prog.Files {
		srcs = append(srcs, f.Name)
	}
	if len(srcs) > 0 {
		fmt.Fprintf(&b, "device-tree sources in this directory: %s\n", strings.Join(srcs, " "))
	}
	if !slices.ContainsFunc(srcs, func(s string) bool { return strings.HasPrefix(s, "base.") }) {
		b.WriteString("base tree: dangle's built-in board (go run ./cmd/dangle export prints it as base.dts)\n")
	}
	section("Replay")
	repro := filepath.Join(opts.ReplayDir, filepath.Base(c.Dir), "repro.prog")
	if opts.ReplayDir == "" {
		repro = filepath.Join(c.Dir, "repro.prog")
	}
	fmt.Fprintf(&b, "  %s run -kernel %s %s\n", replayCmd(opts), c.Profile, repro)
	fmt.Fprintf(&b, "  %s run -kernel all %s      # the version matrix\n", replayCmd(opts), repro)
	fmt.Fprintf(&b, "  %s run -kernel %s -svg timeline.svg -dot graph.dot %s\n", replayCmd(opts), c.Profile, repro)
	b.WriteString("  dot -Tsvg graph.dot > graph.svg   # the device / link / node graph at the failure (Graphviz)\n")
	fmt.Fprintf(&b, "  %s export -o DIR %s        # .dtso, a board script, a KUnit skeleton\n", replayCmd(opts), repro)
	if len(opts.FoundBy) > 0 {
		fmt.Fprintf(&b, "\nfound by: %s\n", strings.Join(opts.FoundBy, " "))
	}
	return &builtReport{text: b.String(), timeline: t.Timeline().SVG(), graph: t.Graph.DOT()}, nil
}

// citeText is the "Kernel source" section: the cited kernel bug the
// finding was traced to (sim.KernelBugs), or a line saying nobody traced
// it yet. sim.CiteBug reads log (the traced replay's kernel log) for
// evidence.
func citeText(p *prog.Program, log string, f *report.Finding) string {
	kb := sim.CiteBug(p, log, f)
	if kb == nil {
		return "Not triaged: no entry of sim.KernelBugs explains this finding yet. Read the kernel path it " +
			"names before sending it: it may be a kernel bug, a model bug or API misuse the classifier misses."
	}
	kind := "Kernel bug"
	if kb.Hazard {
		kind = "Hazard (reached through a modelled driver, not an in-tree one)"
	}
	return fmt.Sprintf("%s %s: %s; commit: %s. %s", kind, kb.ID, kb.Where, kb.Commit, kb.Why)
}

func replayCmd(opts Options) string {
	if opts.Replay != "" {
		return opts.Replay
	}
	return "go run ./cmd/dangle"
}

// matrixText is the version matrix of one title: each profile affected
// or not, then every boundary with the knobs (and commits) that change
// there.
func matrixText(m *Matrix, title string) string {
	var b strings.Builder
	w := 0
	for _, p := range m.Profiles {
		w = max(w, len(p))
	}
	for _, p := range m.Profiles {
		state := "unaffected"
		if m.Affected(title, p) {
			state = "AFFECTED"
		}
		fmt.Fprintf(&b, "  %-*s  %s\n", w, p, state)
	}
	bs := m.Boundaries(title)
	if len(bs) == 0 {
		b.WriteString("every profile modelled is affected: no modelled commit fixes it\n")
		return b.String()
	}
	b.WriteString("\nwhere it changes (the knobs that differ between adjacent profiles, with the commits):\n")
	for _, bd := range bs {
		writeBoundary(&b, bd, "  ")
	}
	return b.String()
}

// logExcerpt is the log, cut in the middle past n lines.
func logExcerpt(log string, n int) string {
	lines := strings.Split(strings.TrimRight(log, "\n"), "\n")
	if len(lines) > n {
		head, tail := lines[:n/2], lines[len(lines)-n/2:]
		lines = append(append(slices.Clip(head), fmt.Sprintf("  [... %d lines ...]", len(lines)-n)), tail...)
	}
	return strings.Join(lines, "\n") + "\n"
}

// modelledNote says which drivers of the run are dangle's own models
// with no in-tree counterpart ("dangle,…" compatibles): the kernel
// reaches the bug only through a driver that behaves the same.
func modelledNote(log string, involved []string) string {
	bound := map[string]bool{}
	for _, d := range involved {
		bound[d] = true
	}
	for _, l := range strings.Split(log, "\n") {
		if _, rest, ok := strings.Cut(l, "really_probe: probing driver "); ok {
			name, _, _ := strings.Cut(rest, " ")
			bound[name] = true
		}
	}
	var modelled []string
	for _, d := range drivers.Catalog() {
		if !bound[d.Name] || !slices.ContainsFunc(d.OfMatch, func(c string) bool { return strings.HasPrefix(c, "dangle,") }) {
			continue
		}
		modelled = append(modelled, fmt.Sprintf("%s (%s: %s)", d.Name, strings.Join(d.OfMatch, ", "), d.Doc))
	}
	if len(modelled) == 0 {
		return ""
	}
	return "Modelled drivers: this reproducer goes through drivers that are dangle's models, not in-tree drivers: " +
		strings.Join(modelled, "; ") + ". The kernel reaches the bug only through a driver that takes and releases its resources the same way (for a SoC controller model: the board's own controller driver); on a real board use such a driver, or a test module that does."
}

// fill wraps text at w columns (paragraphs kept).
func fill(text string, w int) string {
	var b strings.Builder
	for _, para := range strings.Split(text, "\n") {
		col := 0
		for _, word := range strings.Fields(para) {
			if col > 0 && col+1+len(word) > w {
				b.WriteString("\n")
				col = 0
			}
			if col > 0 {
				b.WriteString(" ")
				col++
			}
			b.WriteString(word)
			col += len(word)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// fixText says what changes at each boundary of the matrix (the knobs'
// documented behaviours and commits) and whether each proposed patch
// that changes the repro's profile closes the bug there.
func fixText(m *Matrix, c *Crasher, opts Options) string {
	var b strings.Builder
	for _, bd := range m.Boundaries(c.Title) {
		verb := "fixed"
		if !bd.BeforeAffected {
			verb = "introduced"
		}
		fmt.Fprintf(&b, "%s between %s and %s:\n", verb, bd.Before, bd.After)
		var others []string
		for _, k := range bd.Knobs {
			// the knob alone, on the profile before the boundary: does
			// it flip the outcome? (the bisection answer)
			alone := bd.Before + " " + k.Knob + "=" + k.To
			res, err := sim.Run(c.Prog, sim.Config{Filename: "repro.prog", Profile: alone, Strict: opts.Strict, Quiet: true})
			if err != nil || (findingTitled(res, c.Title) != nil) == bd.BeforeAffected {
				others = append(others, k.Knob)
				continue
			}
			kn := knobByName(k.Knob)
			commit := "commit " + k.ToCommit
			if k.ToCommit == "-" {
				commit = "no commit id in the knob table"
			}
			fmt.Fprintf(&b, "  %s decides it (%s):\n    %s: %s\n    %s: %s [%s]\n", k.Knob, kn.Doc, k.From, valueDoc(kn, k.From), k.To, valueDoc(kn, k.To), commit)
		}
		if len(others) == len(bd.Knobs) {
			b.WriteString("  no single knob decides it: the knobs act together\n")
		}
		if len(others) > 0 {
			fmt.Fprintf(&b, "  also differ, without changing the outcome alone: %s\n", strings.Join(others, ", "))
		}
	}
	if len(m.Boundaries(c.Title)) == 0 {
		b.WriteString("no modelled kernel version is free of it: the fix is still to be written\n")
	}
	var leave []string
	for _, pt := range profile.Patches() {
		// the suffix goes on the version, before any overrides
		ver, overrides, _ := strings.Cut(c.Profile, " ")
		with := strings.TrimSpace(ver + pt.Suffix + " " + overrides)
		if len(KnobDiff(c.Profile, with)) == 0 {
			continue // the patch changes nothing on this profile
		}
		res, err := sim.Run(c.Prog, sim.Config{Filename: "repro.prog", Profile: with, Strict: opts.Strict, Quiet: true})
		if err != nil {
			continue
		}
		if findingTitled(res, c.Title) != nil {
			leave = append(leave, pt.Suffix)
			continue
		}
		fmt.Fprintf(&b, "the proposed patch %s (%s) closes it on %s\n", pt.Suffix, pt.Doc, c.Profile)
	}
	if len(leave) > 0 {
		fmt.Fprintf(&b, "the proposed patches %s do not close it on %s\n", strings.Join(leave, " "), c.Profile)
	}
	return b.String()
}

func knobByName(name string) profile.Knob {
	for _, k := range profile.Knobs {
		if k.Name == name {
			return k
		}
	}
	return profile.Knob{Name: name}
}

func valueDoc(k profile.Knob, v string) string {
	for _, x := range k.Values {
		if x.Name == v {
			return x.Doc
		}
	}
	return ""
}
