package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	"dangle/dt"
	"dangle/prog"
	"dangle/sim"
	"dangle/sim/profile"
)

// runFiles runs each program file with the flags of dangle run.
func runFiles(f *runFlags, files []string, stdout, stderr io.Writer) int {
	profiles, err := kernelList(f.kernel)
	if err != nil {
		fmt.Fprintf(stderr, "dangle run: -kernel: %v\n", err)
		return 2
	}
	if (f.svg != "" || f.dot != "") && (len(profiles) > 1 || len(files) > 1 || f.state) {
		fmt.Fprintln(stderr, "dangle run: -svg and -dot draw one program on one profile")
		return 2
	}
	if f.state && len(profiles) > 1 {
		fmt.Fprintln(stderr, "dangle run: -state takes one profile, not -kernel all or a list")
		return 2
	}
	var base *sim.Source
	if f.baseFile != "" {
		// loaded once, for every program and profile: a bad -base is
		// reported once
		if base, err = loadBase(f.baseFile, f.include); err != nil {
			fmt.Fprintf(stderr, "dangle run: -base: %v\n", err)
			return 2
		}
	}
	status := 0
	for _, name := range files {
		var s int
		if f.state {
			s = runState(name, profiles[0], f.include, base, len(files) > 1, stdout, stderr)
		} else if len(profiles) > 1 {
			s = runMatrix(f, name, profiles, base, stdout, stderr)
		} else {
			s = runOne(f, name, profiles[0], base, stdout, stderr)
		}
		status = max(status, s)
	}
	return status
}

// kernelList expands -kernel: "" (the program's kernel line), one
// profile, "all" (every named version, oldest first) or a comma list.
func kernelList(k string) ([]string, error) {
	switch {
	case k == "all":
		return profile.Names(), nil
	case strings.Contains(k, ","):
		var out []string
		for _, p := range strings.Split(k, ",") {
			p = strings.TrimSpace(p)
			if p == "all" {
				return nil, fmt.Errorf("\"all\" cannot be part of a list")
			}
			if _, err := profile.Parse(p); err != nil {
				return nil, err
			}
			out = append(out, p)
		}
		return out, nil
	case k != "":
		if _, err := profile.Parse(k); err != nil {
			return nil, err
		}
	}
	return []string{k}, nil
}

// loadProgram reads (name "-": stdin) and parses a program, checks its
// kernel line and, with -I, preprocesses its sources. Errors name file:line.
func loadProgram(name string, include []string) (*prog.Program, error) {
	var data []byte
	var err error
	if name == "-" {
		data, err = io.ReadAll(os.Stdin)
		name = "<stdin>"
	} else {
		data, err = os.ReadFile(name)
	}
	if err != nil {
		return nil, err
	}
	return parseProgram(name, data, include)
}

// parseProgram is loadProgram for a program in memory. With -I the
// sources are preprocessed before prog.Parse sees them; without it a
// source that needs cpp gets prog's error and a hint.
func parseProgram(name string, data []byte, include []string) (*prog.Program, error) {
	if len(include) > 0 {
		var err error
		if data, err = preprocessArchive(name, data, include); err != nil {
			return nil, err
		}
	}
	p, err := prog.Parse(name, data)
	if err != nil {
		if hint := cppHint(data); hint != "" && len(include) == 0 {
			return nil, fmt.Errorf("%v\n%s", err, hint)
		}
		return nil, err
	}
	if p.Kernel != "" {
		if _, err := profile.Parse(p.Kernel); err != nil {
			return nil, fmt.Errorf("%s:%d: kernel: %v", name, kernelLine(data), err)
		}
	}
	return p, nil
}

// kernelLine returns the line of the program's kernel line (1 if not found).
func kernelLine(data []byte) int {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		l := sc.Text()
		if strings.HasPrefix(l, "-- ") {
			break
		}
		if f := strings.Fields(l); len(f) > 0 && f[0] == "kernel" {
			return n
		}
	}
	return 1
}

func runOne(f *runFlags, name, kernel string, base *sim.Source, stdout, stderr io.Writer) int {
	p, err := loadProgram(name, f.include)
	if err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return 2
	}
	res, err := sim.Run(p, sim.Config{Filename: progLabel(name), Profile: kernel, Trace: f.trace, Strict: f.strict, Base: base, Stream: logStream(name, stdout),
		FailList: failListOn(), ReleaseText: true})
	if err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return 2
	}
	failListWrite(name, res)
	status := printResult(f, name, res, stdout)
	if f.svg != "" || f.dot != "" {
		cfg := sim.Config{Filename: progLabel(name), Profile: kernel, Strict: f.strict, Base: base}
		if err := drawPictures(f, p, cfg, stdout); err != nil {
			fmt.Fprintf(stderr, "dangle run: %v\n", err)
			return 2
		}
	}
	return status
}

// logStream returns the writer a run streams its log to: stdout, with the
// "=== FILE" header written before the first line (so a program that
// fails to load prints no header).
func logStream(name string, stdout io.Writer) io.Writer {
	return &headerWriter{w: stdout, header: "=== " + progLabel(name) + "\n"}
}

type headerWriter struct {
	w      io.Writer
	header string
}

func (h *headerWriter) Write(b []byte) (int, error) {
	if h.header != "" {
		io.WriteString(h.w, h.header)
		h.header = ""
	}
	return h.w.Write(b)
}

// progLabel is the name a program is shown by ("-" is stdin).
func progLabel(name string) string {
	if name == "-" {
		return "<stdin>"
	}
	return name
}

// printResult prints what follows a run's streamed log: the op error
// summary, the trace, the findings and a replay command. It returns the
// exit status (0 or 1).
func printResult(f *runFlags, name string, res *sim.Result, stdout io.Writer) int {
	if s := opErrorSummary(res.Log); s != "" {
		fmt.Fprint(stdout, s)
	}
	if f.trace {
		fmt.Fprintf(stdout, "\n%s", res.Trace)
	}
	fmt.Fprintln(stdout)
	for i := range res.Findings {
		fmt.Fprint(stdout, res.Findings[i].String())
	}
	// known findings (sim.KnownFindings): printed, not counted
	for i := range res.Known {
		fmt.Fprint(stdout, res.Known[i].KnownString())
	}
	if len(res.Findings) == 0 {
		fmt.Fprintf(stdout, "no findings (kernel %s)\n", res.Profile)
		return 0
	}
	fmt.Fprintf(stdout, "%d finding(s) (kernel %s); replay: %s\n",
		len(res.Findings), res.Profile, replayCommand(res.Profile, f, name))
	return 1
}

// opErrorSummary reads the log's "op N: returned -E…" lines and says which
// ops failed, with the first kernel message each printed: an op that
// returned an error is an outcome, not a finding, but it is often not what
// the program's author meant.
func opErrorSummary(log string) string {
	type failed struct {
		n         int
		op, errno string
		firstKmsg string
	}
	var fails []failed
	ops := 0
	var cur struct {
		n         int
		op, first string
	}
	for _, l := range strings.Split(log, "\n") {
		if strings.HasPrefix(l, "  ") {
			if cur.n > 0 && cur.first == "" && !strings.HasPrefix(l, "  ==>") {
				cur.first = strings.TrimSpace(l)
			}
			continue
		}
		var n int
		var rest string
		if _, err := fmt.Sscanf(l, "op %d:", &n); err != nil {
			// a harness note inside an op (a corrupt blob) keeps the op
			if !strings.HasPrefix(l, "note: ") {
				cur.n = 0
			}
			continue
		}
		_, rest, _ = strings.Cut(l, ": ")
		if ret, ok := strings.CutPrefix(rest, "returned "); ok {
			ret, _, _ = strings.Cut(ret, ",")
			if strings.HasPrefix(ret, "-E") && n == cur.n {
				fails = append(fails, failed{n: n, op: cur.op, errno: ret, firstKmsg: cur.first})
			}
			cur.n = 0
			continue
		}
		ops = max(ops, n)
		opName, _, _ := strings.Cut(rest, " ")
		if _, after, ok := strings.Cut(rest, " = "); ok {
			opName, _, _ = strings.Cut(after, " ")
		}
		cur.n, cur.op, cur.first = n, opName, ""
	}
	if len(fails) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d of %d ops returned an error:", len(fails), ops)
	for i, f := range fails {
		sep := ","
		if i == 0 {
			sep = ""
		}
		fmt.Fprintf(&b, "%s op %d %s %s", sep, f.n, f.op, f.errno)
		if f.firstKmsg != "" {
			fmt.Fprintf(&b, " (%s)", f.firstKmsg)
		}
	}
	b.WriteString("\n")
	return b.String()
}

// loadBase reads -base once: a .dts (preprocessed with -I) or .dtb that
// must load as a base tree and must not be an overlay.
func loadBase(path string, include []string) (*sim.Source, error) {
	src, err := sim.ReadSource(path)
	if err != nil {
		return nil, err
	}
	if !prog.IsBlob(path) {
		if dt.NeedsCPP(src.Data) && len(include) == 0 {
			if _, err := sim.LoadTree(src); err != nil {
				return nil, fmt.Errorf("%v (kernel sources need the C preprocessor: add -I DIR)", err)
			}
		}
		if len(include) > 0 {
			pre, err := dt.Preprocess(path, path, src.Data, include)
			if err != nil {
				return nil, err
			}
			if _, err := sim.LoadTree(&sim.Source{Name: path, Data: pre.Data}); err != nil {
				return nil, pre.MapError(err)
			}
			src.Data = pre.Data
		}
	}
	tree, err := sim.LoadTree(src)
	if err != nil {
		return nil, err
	}
	if why := overlayTree(src, tree); why != "" {
		return nil, fmt.Errorf("%s is an overlay (%s), not a base tree: give it to the program (an of_overlay_fdt_apply blob=) and -base the board it applies to", path, why)
	}
	return src, nil
}

// overlayTree says why a tree is an overlay rather than a base tree, or "".
func overlayTree(src *sim.Source, tree *dt.Tree) string {
	if !prog.IsBlob(src.Name) {
		if f, err := dt.Parse(src.Name, src.Data); err == nil && f.Plugin {
			return "its source says /plugin/;"
		}
		return ""
	}
	fixups := false
	fragments := 0
	for _, c := range tree.Root.Children {
		switch {
		case c.Name == "__fixups__" || c.Name == "__local_fixups__":
			fixups = true
		case c.Name == "__symbols__":
		case child(c, "__overlay__") != nil:
			fragments++
		default:
			return ""
		}
	}
	if fixups || fragments > 0 {
		return "its root holds only fragments and __fixups__/__local_fixups__"
	}
	return ""
}

func child(n *dt.Node, name string) *dt.Node {
	for _, c := range n.Children {
		if c.Name == name {
			return c
		}
	}
	return nil
}
