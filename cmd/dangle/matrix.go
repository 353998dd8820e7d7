package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"dangle/sim"
	"dangle/sim/profile"
)

// runMatrix is dangle run -kernel all|P1,P2: the program on every profile
// (each log in turn), then a finding title × profile table and, for each
// title, the knobs that differ between the first affected and the first
// unaffected profile (adjacent in the profile order: the first boundary)
// with the commits behind them: the bisection answer.
func runMatrix(f *runFlags, name string, profiles []string, base *sim.Source, stdout, stderr io.Writer) int {
	p, err := loadProgram(name, f.include)
	if err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return 2
	}
	status := 0
	var titles []string
	affected := map[string]map[string]bool{} // title -> profile -> has it
	for i, prof := range profiles {
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		res, err := sim.Run(p, sim.Config{Filename: progLabel(name), Profile: prof, Trace: f.trace, Strict: f.strict, Base: base, Stream: logStream(name, stdout)})
		if err != nil {
			fmt.Fprintf(stderr, "%v\n", err)
			return 2
		}
		status = max(status, printResult(f, name, res, stdout))
		for _, fd := range res.Findings {
			if affected[fd.Title] == nil {
				affected[fd.Title] = map[string]bool{}
				titles = append(titles, fd.Title)
			}
			affected[fd.Title][prof] = true
		}
	}
	fmt.Fprintf(stdout, "\n=== %s: findings by kernel profile\n", progLabel(name))
	fmt.Fprint(stdout, matrixTable(titles, profiles, affected))
	return status
}

// matrixTable renders the title × profile table and the knob differences.
func matrixTable(titles, profiles []string, affected map[string]map[string]bool) string {
	var b strings.Builder
	if len(titles) == 0 {
		fmt.Fprintf(&b, "no findings on any of %s\n", strings.Join(profiles, " "))
		return b.String()
	}
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "finding\t%s\n", strings.Join(profiles, "\t"))
	for _, t := range titles {
		cells := make([]string, len(profiles))
		for i, p := range profiles {
			cells[i] = "-"
			if affected[t][p] {
				cells[i] = "X"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\n", t, strings.Join(cells, "\t"))
	}
	tw.Flush()
	b.WriteString("(X: the profile has the finding, -: it runs clean of it)\n")
	for _, t := range titles {
		fmt.Fprintf(&b, "\n%s:\n", t)
		// the first boundary in profile order between an affected and an
		// unaffected profile: adjacent profiles differ in the fewest knobs,
		// so this is where to look for the commit
		var before, after string
		for i := 1; i < len(profiles); i++ {
			if affected[t][profiles[i-1]] != affected[t][profiles[i]] {
				before, after = profiles[i-1], profiles[i]
				break
			}
		}
		if before == "" {
			fmt.Fprintf(&b, "  every profile is affected\n")
			continue
		}
		if affected[t][before] {
			fmt.Fprintf(&b, "  last affected %s, first unaffected %s; the knobs that differ:\n", before, after)
		} else {
			fmt.Fprintf(&b, "  last unaffected %s, first affected %s; the knobs that differ:\n", before, after)
		}
		yes, no := before, after
		diffs := knobDiff(yes, no)
		if len(diffs) == 0 {
			b.WriteString("  none (the difference is in the program's own kernel line or the knob table misses it)\n")
		}
		for _, d := range diffs {
			fmt.Fprintf(&b, "    %s\n", d)
		}
	}
	return b.String()
}

// knobDiff lists the knobs whose values differ between profiles a and b,
// each with the commit that introduced each value ("-": the original
// behaviour, or one that never landed).
func knobDiff(a, b string) []string {
	pa, pb := profile.MustParse(a), profile.MustParse(b)
	var out []string
	for _, k := range profile.Knobs {
		va, vb := pa.Get(k.Name), pb.Get(k.Name)
		if va == vb {
			continue
		}
		out = append(out, fmt.Sprintf("%s: %s=%s (%s), %s=%s (%s)", k.Name, a, va, commitOf(k, va), b, vb, commitOf(k, vb)))
	}
	return out
}

func commitOf(k profile.Knob, v string) string {
	i := slices.IndexFunc(k.Values, func(x profile.Value) bool { return x.Name == v })
	if i < 0 || k.Values[i].Commit == "" {
		return "-"
	}
	return k.Values[i].Commit
}
