package crash

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"dangle/prog"
)

// Crasher is one crasher directory.
type Crasher struct {
	// Dir is DIR/<Slug(Title)>.
	Dir   string
	Title string
	// Prog is repro.prog, nil for a directory that holds only raw
	// findings (written by WriteRaw, not yet by Write).
	Prog *prog.Program
	// Profile is the profile the repro was minimized on (its kernel line).
	Profile string
	// Affected and Unaffected are the profiles that do and do not raise
	// Title when the repro replays on them ("# affected:" and
	// "# unaffected:" in repro.prog), in profile order.
	Affected, Unaffected []string
	// Raw are the raw findings under raw/ not yet folded into repro.prog.
	Raw []string
	// Report is report.txt's text.
	Report string
	// Merged (Write only): the title had a directory already.
	Merged bool
}

// Header comments of repro.prog that Load reads back.
const (
	titleKey      = "# title:"
	affectedKey   = "# affected:"
	unaffectedKey = "# unaffected:"
	aboutKey      = "# about:"
)

// WriteRaw saves a finding the moment it is seen, before anything slower
// (minimization, the replay on every profile) can lose it: p, with its
// title as the first header line, goes to DIR/<slug>/raw/<hash>.prog,
// named by the hash of its text so the same program is stored once. A
// directory without report.txt gets one that says the finding is not
// minimized yet, so DIR/<slug>/report.txt always starts with the title.
// It returns the raw file's path.
func WriteRaw(dir string, p *prog.Program, title string) (string, error) {
	text := withHeader(p, title, nil, nil).Print()
	sum := sha256.Sum256(text)
	d := filepath.Join(dir, Slug(title))
	path := filepath.Join(d, "raw", hex.EncodeToString(sum[:6])+".prog")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", err
	}
	if err := writeAtomic(path, text); err != nil {
		return "", err
	}
	rep := filepath.Join(d, "report.txt")
	if _, err := os.Stat(rep); os.IsNotExist(err) {
		msg := fmt.Sprintf("%s\n\nraw finding, not minimized yet: %s\n", title, path)
		if err := writeAtomic(rep, []byte(msg)); err != nil {
			return "", err
		}
	}
	return path, nil
}

// Load reads every crasher directory under dir, sorted by slug. A missing
// dir is no crashers. A repro.prog that does not parse is an error naming
// it (file:line).
func Load(dir string) ([]*Crasher, error) {
	ents, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []*Crasher
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		c, err := loadOne(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		if c != nil {
			out = append(out, c)
		}
	}
	return out, nil
}

// LoadOne reads one crasher directory; nil (no error) when it holds
// neither repro.prog nor raw findings.
func loadOne(d string) (*Crasher, error) {
	c := &Crasher{Dir: d}
	raw, _ := filepath.Glob(filepath.Join(d, "raw", "*.prog"))
	sort.Strings(raw)
	c.Raw = raw
	if rep, err := os.ReadFile(filepath.Join(d, "report.txt")); err == nil {
		c.Report = string(rep)
		c.Title, _, _ = strings.Cut(c.Report, "\n")
	}
	repro := filepath.Join(d, "repro.prog")
	p, err := prog.ParseFile(repro)
	switch {
	case err == nil:
		c.Prog = p
		c.Profile = p.Kernel
		if t := p.Title(); t != "" {
			c.Title = t
		}
		c.Affected = headerList(p, affectedKey)
		c.Unaffected = headerList(p, unaffectedKey)
	case os.IsNotExist(err):
		if len(raw) == 0 {
			return nil, nil
		}
		if c.Title == "" {
			if q, err := prog.ParseFile(raw[0]); err == nil {
				c.Title = q.Title()
			}
		}
	default:
		return nil, err
	}
	return c, nil
}

// headerList reads a "# key: a, b, c" header line (profiles are
// separated by commas: a profile with overrides has spaces,
// "v6.8 devlink_wait=none").
func headerList(p *prog.Program, key string) []string {
	for _, h := range p.Header {
		if v, ok := strings.CutPrefix(h, key); ok {
			out := []string{}
			for _, f := range strings.Split(v, ",") {
				if f = strings.TrimSpace(f); f != "" {
					out = append(out, f)
				}
			}
			return out
		}
	}
	return nil
}

// withHeader returns a copy of p whose header starts with the title and,
// when given, the affected and unaffected profile lists (replacing any
// such lines p had). A different "# title:" p had (a seed's description)
// is kept as "# about:"; "# expect" lines, which described the program
// before minimization, are dropped: the profile lists replace them.
func withHeader(p *prog.Program, title string, affected, unaffected []string) *prog.Program {
	q := p.Clone()
	var rest []string
	for _, c := range q.Header {
		switch {
		case strings.HasPrefix(c, titleKey):
			if old := strings.TrimSpace(strings.TrimPrefix(c, titleKey)); old != title && old != "" {
				rest = append(rest, aboutKey+" "+old)
			}
		case strings.HasPrefix(c, affectedKey), strings.HasPrefix(c, unaffectedKey), strings.HasPrefix(c, "# expect"):
		default:
			rest = append(rest, c)
		}
	}
	h := []string{titleKey + " " + title}
	if affected != nil || unaffected != nil {
		h = append(h, affectedKey+" "+strings.Join(affected, ", "), unaffectedKey+" "+strings.Join(unaffected, ", "))
	}
	q.Header = append(h, rest...)
	return q
}

// writeAtomic writes data to path through a temporary file in the same
// directory and a rename.
func writeAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		os.Remove(f.Name())
		return err
	}
	return nil
}
