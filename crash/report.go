package crash

import (
	"fmt"
	"strings"

	"dangle/sim"
	"dangle/sim/report"
)

// builtReport is report.txt and the pictures made with it.
type builtReport struct {
	text     string
	timeline []byte
}

func findingTitled(res *sim.Result, title string) *report.Finding {
	for i := range res.Findings {
		if res.Findings[i].Title == title {
			return &res.Findings[i]
		}
	}
	return nil
}

// buildReport writes report.txt for c from a traced replay of its repro.
func buildReport(c *Crasher, m *Matrix, opts Options) (*builtReport, error) {
	res, err := sim.Run(c.Prog, sim.Config{Filename: "repro.prog", Strict: opts.Strict})
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n", c.Title)
	if f := findingTitled(res, c.Title); f != nil {
		b.WriteString(f.String())
	}
	fmt.Fprintf(&b, "\naffected: %s\nunaffected: %s\n", strings.Join(c.Affected, " "), strings.Join(c.Unaffected, " "))
	fmt.Fprintf(&b, "\nreplay: %s run -kernel %s %s\n", replayCmd(opts), c.Profile, c.Dir+"/repro.prog")
	return &builtReport{text: b.String()}, nil
}

func replayCmd(opts Options) string {
	if opts.Replay != "" {
		return opts.Replay
	}
	return "go run ./cmd/dangle"
}
