package report

import (
	"fmt"
	"io"
	"strings"
)

// Log collects the kernel-style log of a run and its findings. It is the
// one sink every simulated subsystem writes to. The zero value is ready.
type Log struct {
	lines    []string
	kernel   []bool // lines[i] is a kernel message (else a harness line)
	findings []Finding
	known    []Finding
	// Op is the 1-based index of the op now running (0: boot,
	// Teardown: teardown).
	Op int
	// Quiet drops log lines (findings are still kept): the soak and the
	// fuzzer do not read the log of runs that find nothing.
	Quiet bool
	// Out, when set, receives each line as it is logged, in String()'s
	// form, so a long run's log streams instead of arriving at the end.
	Out io.Writer
	// Strict counts known findings as findings (dangle run -strict,
	// DANGLE_STRICT=1): Report then treats them as any other.
	Strict bool
	// Signal, when set, collects the run's coverage of the model (the
	// soak's guidance): message sites, findings, and what kobj and
	// the op dispatcher record. Nil: off.
	Signal *Signal
}

// SetOut sets Out, streaming to it first the lines logged so far.
func (l *Log) SetOut(w io.Writer) {
	l.Out = w
	if w == nil {
		return
	}
	for i, s := range l.lines {
		if l.kernel[i] {
			io.WriteString(w, "  ")
		}
		io.WriteString(w, s+"\n")
	}
}

// add appends a line and streams it to Out.
func (l *Log) add(s string, kernel bool) {
	l.lines = append(l.lines, s)
	l.kernel = append(l.kernel, kernel)
	if l.Out != nil {
		if kernel {
			io.WriteString(l.Out, "  ")
		}
		io.WriteString(l.Out, s+"\n")
	}
}

// Printf appends one kernel message line, exactly as the kernel prints it
// (pr_fmt prefix included by the caller).
func (l *Log) Printf(format string, args ...any) {
	if l.Signal != nil {
		l.Signal.Site(format)
	}
	if l.Quiet {
		return
	}
	l.add(fmt.Sprintf(format, args...), true)
}

// Line appends a literal kernel line.
func (l *Log) Line(s string) {
	if l.Signal != nil {
		l.Signal.Site(s)
	}
	if l.Quiet {
		return
	}
	l.add(s, true)
}

// Harness appends a line of dangle's own (an op starting or returning,
// a teardown step), printed unindented between the kernel's messages.
func (l *Log) Harness(format string, args ...any) {
	if l.Quiet {
		return
	}
	l.add(fmt.Sprintf(format, args...), false)
}

// Lines returns the log so far.
func (l *Log) Lines() []string { return l.lines }

// Mark returns the current length of the log, for Since.
func (l *Log) Mark() int { return len(l.lines) }

// Since returns the kernel lines logged after mark (a finding's excerpt).
func (l *Log) Since(mark int) []string {
	var out []string
	for i := mark; i < len(l.lines); i++ {
		if l.kernel[i] {
			out = append(out, l.lines[i])
		}
	}
	return out
}

// Report records a finding raised during the current op. A known
// finding (f.Known set) is kept apart, unless the log is Strict, where
// it is recorded and printed as any other, without its Known note.
func (l *Log) Report(f Finding) {
	if f.Op == 0 {
		f.Op = l.Op
	}
	if l.Signal != nil {
		l.Signal.Site(f.Title)
	}
	if f.Known != "" && l.Strict {
		f.Known = ""
	}
	if f.Known != "" {
		l.known = append(l.known, f)
		l.Harness("  ==> known: %s (%s)", f.Title, f.Kind)
		return
	}
	l.findings = append(l.findings, f)
	l.Harness("  ==> %s (%s)", f.Title, f.Kind)
}

// Findings returns the findings raised so far, in the order raised: the
// ones that count (known findings too when Strict).
func (l *Log) Findings() []Finding { return l.findings }

// Known returns the known findings raised so far (none when Strict).
func (l *Log) Known() []Finding { return l.known }

// Reset empties the log for reuse by the next run without reallocating.
func (l *Log) Reset() {
	l.lines = l.lines[:0]
	l.kernel = l.kernel[:0]
	l.findings = l.findings[:0]
	l.known = l.known[:0]
	l.Op = 0
}

// String returns the whole log, one line per message; kernel messages
// are indented under the op that caused them.
func (l *Log) String() string {
	var b strings.Builder
	for i, s := range l.lines {
		if l.kernel[i] {
			b.WriteString("  ")
		}
		b.WriteString(s)
		b.WriteByte('\n')
	}
	return b.String()
}

// Warn is WARN()/WARN_ON() firing in fn of file (drivers/base/core.c):
// the splat's first line as the kernel prints it, and a Warning finding
// titled "WARNING in fn" as syzkaller titles a splat, with what as its
// object. Every subsystem's WARN goes through here.
func (l *Log) Warn(file, fn, what string) {
	l.Printf("WARNING: CPU: 0 PID: 1 at %s %s", file, fn)
	l.Report(Finding{Kind: Warning, Title: "WARNING in " + fn, Objects: []string{what}})
}
