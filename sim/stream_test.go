package sim

import (
	"strings"
	"testing"
)

// lineRecorder records each write and the state of the run when it came.
type lineRecorder struct{ writes []string }

func (r *lineRecorder) Write(b []byte) (int, error) {
	r.writes = append(r.writes, string(b))
	return len(b), nil
}

// TestStream: Config.Stream gets the log line by line as the run goes,
// exactly Result.Log in the end.
func TestStream(t *testing.T) {
	p := corpusPrograms(t)["../corpus/b1-reg-expander.prog"]
	var rec lineRecorder
	res, err := Run(p, Config{Filename: "b1", Stream: &rec})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rec.writes, ""); got != res.Log {
		t.Errorf("streamed log differs from Result.Log:\n%s\n---\n%s", got, res.Log)
	}
	lines := strings.Count(res.Log, "\n")
	if len(rec.writes) < lines {
		t.Errorf("%d writes for %d lines: the log was not streamed line by line", len(rec.writes), lines)
	}
}
