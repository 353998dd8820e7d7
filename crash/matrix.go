package crash

import (
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"

	"dangle/prog"
	"dangle/sim"
	"dangle/sim/profile"
)

// Matrix is a program replayed on several profiles: which finding titles
// each profile raises. Titles are in the order first seen (profile order,
// then finding order); Profiles in the order given.
type Matrix struct {
	Profiles []string
	Titles   []string
	affected map[string]map[string]bool // title -> profile -> raised
}

// RunMatrix runs p on each profile with cfg (cfg.Profile is replaced) and
// records the titles of the findings that count. each, when not nil, sees
// every result as it comes (dangle run prints the logs); an error from
// each or from a run stops the matrix.
func RunMatrix(p *prog.Program, profiles []string, cfg sim.Config, each func(profile string, res *sim.Result) error) (*Matrix, error) {
	m := NewMatrix(profiles)
	for _, prof := range profiles {
		cfg.Profile = prof
		res, err := sim.Run(p, cfg)
		if err != nil {
			return nil, err
		}
		if each != nil {
			if err := each(prof, res); err != nil {
				return nil, err
			}
		}
		for i := range res.Findings {
			m.Add(res.Findings[i].Title, prof)
		}
	}
	return m, nil
}

// NewMatrix returns an empty matrix over profiles.
func NewMatrix(profiles []string) *Matrix {
	return &Matrix{Profiles: slices.Clone(profiles), affected: map[string]map[string]bool{}}
}

// Add records that profile raised title.
func (m *Matrix) Add(title, profile string) {
	if m.affected[title] == nil {
		m.affected[title] = map[string]bool{}
		m.Titles = append(m.Titles, title)
	}
	m.affected[title][profile] = true
}

// Affected reports whether profile raised title.
func (m *Matrix) Affected(title, profile string) bool { return m.affected[title][profile] }

// Split returns the profiles that raise title and those that run clean of
// it, each in profile order.
func (m *Matrix) Split(title string) (affected, unaffected []string) {
	affected, unaffected = []string{}, []string{}
	for _, p := range m.Profiles {
		if m.Affected(title, p) {
			affected = append(affected, p)
		} else {
			unaffected = append(unaffected, p)
		}
	}
	return affected, unaffected
}

// Boundary is a pair of adjacent profiles (in the matrix's order) of
// which one raises a title and the other does not, with the knobs that
// differ between them: where to look for the commit that brought or
// fixed the bug.
type Boundary struct {
	Before, After  string
	BeforeAffected bool
	Knobs          []KnobChange
}

// KnobChange is one knob whose value differs between two profiles, with
// the commit that introduced each value ("-": the original behaviour,
// or a patch that never landed).
type KnobChange struct {
	Knob                 string
	From, To             string
	FromCommit, ToCommit string
}

// String renders the change as dangle run -kernel all prints it.
func (k KnobChange) string(a, b string) string {
	return fmt.Sprintf("%s: %s=%s (%s), %s=%s (%s)", k.Knob, a, k.From, k.FromCommit, b, k.To, k.ToCommit)
}

// Boundaries returns every boundary of title, in profile order.
func (m *Matrix) Boundaries(title string) []Boundary {
	var out []Boundary
	for i := 1; i < len(m.Profiles); i++ {
		a, b := m.Profiles[i-1], m.Profiles[i]
		if m.Affected(title, a) != m.Affected(title, b) {
			out = append(out, Boundary{Before: a, After: b, BeforeAffected: m.Affected(title, a), Knobs: KnobDiff(a, b)})
		}
	}
	return out
}

// KnobDiff lists the knobs whose values differ between profiles a and b,
// in the knob table's order (none when either does not parse).
func KnobDiff(a, b string) []KnobChange {
	pa, erra := profile.Parse(a)
	pb, errb := profile.Parse(b)
	if erra != nil || errb != nil {
		return nil
	}
	var out []KnobChange
	for _, k := range profile.Knobs {
		va, vb := pa.Get(k.Name), pb.Get(k.Name)
		if va == vb {
			continue
		}
		out = append(out, KnobChange{Knob: k.Name, From: va, To: vb, FromCommit: commitOf(k, va), ToCommit: commitOf(k, vb)})
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

// Table renders the title × profile table (X: raised, -: clean) and, for
// each title, the knobs that differ at its first boundary: adjacent
// profiles differ in the fewest knobs, so this is where to look for the
// commit.
func (m *Matrix) Table() string {
	if len(m.Titles) == 0 {
		return fmt.Sprintf("no findings on any of %s\n", strings.Join(m.Profiles, " "))
	}
	var b strings.Builder
	b.WriteString(m.Grid())
	for _, t := range m.Titles {
		fmt.Fprintf(&b, "\n%s:\n", t)
		bs := m.Boundaries(t)
		if len(bs) == 0 {
			fmt.Fprintf(&b, "  every profile is affected\n")
			continue
		}
		writeBoundary(&b, bs[0], "  ")
	}
	return b.String()
}

// Grid is the title × profile table alone, with its legend.
func (m *Matrix) Grid() string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "finding\t%s\n", strings.Join(m.Profiles, "\t"))
	for _, t := range m.Titles {
		cells := make([]string, len(m.Profiles))
		for i, p := range m.Profiles {
			cells[i] = "-"
			if m.Affected(t, p) {
				cells[i] = "X"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\n", t, strings.Join(cells, "\t"))
	}
	tw.Flush()
	b.WriteString("(X: the profile has the finding, -: it runs clean of it)\n")
	return b.String()
}

// writeBoundary prints one boundary and its knob changes.
func writeBoundary(b *strings.Builder, bd Boundary, indent string) {
	if bd.BeforeAffected {
		fmt.Fprintf(b, "%slast affected %s, first unaffected %s; the knobs that differ:\n", indent, bd.Before, bd.After)
	} else {
		fmt.Fprintf(b, "%slast unaffected %s, first affected %s; the knobs that differ:\n", indent, bd.Before, bd.After)
	}
	if len(bd.Knobs) == 0 {
		b.WriteString(indent + "none (the difference is in the program's own kernel line or the knob table misses it)\n")
	}
	for _, k := range bd.Knobs {
		fmt.Fprintf(b, "%s  %s\n", indent, k.string(bd.Before, bd.After))
	}
}
