package sim

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"

	"dangle/dt"
	"dangle/prog"
	"dangle/sim/core"
	"dangle/sim/fault"
	"dangle/sim/kobj"
	"dangle/sim/of"
	"dangle/sim/profile"
	"dangle/sim/report"
)

// Config says how to run a program.
type Config struct {
	// Filename is the program's file name, for error messages.
	Filename string
	// Profile overrides the program's kernel line when non-empty.
	Profile string
	// Trace records every get/put for the refcount table and timeline.
	Trace bool
	// Quiet drops the log (findings are kept): for the soak and fuzzers.
	Quiet bool
	// Stream, when set, receives the log line by line as the run goes
	// (dangle run); Result.Log still holds all of it.
	Stream io.Writer
	// Strict counts known findings (KnownFindings) as findings, as
	// dangle run -strict does; fuzz targets and the soak take it from
	// DANGLE_STRICT=1 (StrictFromEnv).
	Strict bool
	// Base, when set, replaces the program's base tree (dangle run -base).
	Base *Source
	// FailList records every fallible step each op reaches
	// (Result.FailSteps; dangle run -fail-list).
	FailList bool
	// Cache, when set, keeps compiled device trees across runs, so a
	// soak worker compiles the base tree once. A Cache is not safe for
	// concurrent use: give each worker its own.
	Cache *Cache
	// Signal, when set, collects the run's coverage of the model
	// (report.Signal): the soak's guidance. Boot is not recorded (every
	// run boots alike); the caller resets it between runs.
	Signal *report.Signal
	// NoOracles skips the ovcs invariant check after each op and the
	// end-of-run invariant and leak checks (the benchmarks' "oracle
	// off" row, BENCHMARKS.md); the checks built into the model's own
	// get/put and free paths (use-after-free, double put) still run.
	NoOracles bool
	// ReleaseText drops each overlay source's text once compiled
	// (prog.File.ReleaseText): for a program that is only run, never
	// printed or edited afterwards (dangle run), so a large source is
	// not held for the run beside its compiled tree.
	ReleaseText bool
	// Mutant, when set, injects that bug (sim/mutants.go): a benchmarking
	// and test aid (make bench's mutant table), nil in every user run.
	Mutant *Mutant
}

// releaseGCBytes is how much released source text makes New collect
// the garbage before the run: a large program's parse is most of its
// heap (a collection costs a few milliseconds a megabyte live).
const releaseGCBytes = 8 << 20

// Result is what a run produced.
type Result struct {
	Profile string // the profile's canonical name
	Log     string // the kernel-style log, ops and teardown included
	// Findings are the findings that count: a run is clean when there
	// are none. With Config.Strict they include the known ones.
	Findings []report.Finding
	// Known are the known findings (KnownFindings), printed apart and
	// not counted; empty with Config.Strict.
	Known []report.Finding
	Trace string // with Config.Trace: refcount table and timeline
	// FailSteps, with Config.FailList, are the fallible steps each op
	// reached, in order: what fail_nth=N of that op would fail.
	FailSteps []fault.Step
	// Misuse, when Op > 0, is the first op at which the program broke
	// an API contract the kernel does not check itself (sim/misuse.go):
	// no finding from that op on is a kernel bug by itself (Primary).
	Misuse report.Misuse
}

// Bug is a simulator panic: a bug in dangle, not in the kernel.
type Bug struct {
	Value any
	Stack string
}

func (b *Bug) Error() string { return fmt.Sprintf("simulator bug: %v\n%s", b.Value, b.Stack) }

// Kernel is one simulated kernel running one program.
type Kernel struct {
	Log  *report.Log
	Reg  *kobj.Registry
	OF   *of.OF
	Prof *profile.Profile
	// Core is the driver core (sim/core), booted on the base tree by
	// initCore.
	Core *core.Core

	prog  *prog.Program
	blobs map[string]*dt.Tree
	// badBlobs are .dtbo files that do not read as a valid blob.
	badBlobs map[string]error
	// slots holds each op's result, by op index (nil: the op bound
	// nothing); names the results' names in the text, for the log.
	slots []any
	names []string
	// holders maps the text of each program reference to its slot.
	holders map[string]progHold
	// call and args are Step's scratch space (handlers keep neither).
	call call
	args []value
	// notifiers are the program's registered overlay notifiers, in
	// registration order (unregistered at teardown: module unload).
	notifiers []*of.OverlayNotifier
	invSeen   map[string]bool
	// misuse is the first op at which the program broke an API contract
	// (sim/misuse.go): Result.Misuse.
	misuse report.Misuse
	// groups are the devres groups the program opened, by device.
	groups    []progGroup
	cache     *Cache
	noOracles bool // Config.NoOracles
}

// New builds a kernel for p: it compiles the base tree and every source
// file, so input errors surface before the first op runs.
func New(p *prog.Program, cfg Config) (*Kernel, error) {
	pstr := cfg.Profile
	if pstr == "" {
		pstr = p.Kernel
	}
	prof, err := profile.Parse(pstr)
	if err != nil {
		return nil, fmt.Errorf("%s: kernel: %v", cfg.Filename, err)
	}
	k := &Kernel{prog: p, cache: cfg.Cache, blobs: map[string]*dt.Tree{}, badBlobs: map[string]error{}}
	base, err := k.loadBase(cfg)
	if err != nil {
		return nil, err
	}
	released := 0 // bytes of source text dropped (Config.ReleaseText)
	for i := range p.Files {
		f := &p.Files[i]
		if !strings.HasSuffix(f.Name, ".dtso") && !strings.HasSuffix(f.Name, ".dtbo") {
			continue
		}
		t, err := k.compileFile(cfg.Filename, f)
		if err != nil {
			if prog.IsBlob(f.Name) {
				// a malformed overlay blob is the kernel's to reject
				// (the note names the archive file; drop the program name)
				k.badBlobs[f.Name] = errors.New(strings.TrimPrefix(err.Error(), cfg.Filename+": "+f.Name+": "))
				continue
			}
			return nil, err
		}
		k.blobs[f.Name] = t
		if n := len(f.Data); cfg.ReleaseText && !prog.IsBlob(f.Name) && f.ReleaseText() {
			released += n
		}
	}
	if released >= releaseGCBytes {
		// the parse set the collector's goal at twice the text and its
		// syntax tree, most of it garbage now: collecting here starts
		// the run from the compiled trees alone (50 MB program: 40 MB
		// live; peak RSS 360 -> 293 MB, BENCHMARKS.md)
		runtime.GC()
	}
	b := cfg.Cache.boot(prof, base, cfg)
	b.prog, b.cache, b.blobs, b.badBlobs = p, cfg.Cache, k.blobs, k.badBlobs
	b.slots, b.names = make([]any, len(p.Ops)), p.Names()
	// what a run sets and a snapshot does not hold: boot reaches no
	// fault-injection step (no op is running) and logs nothing
	b.OF.Fail.Record = cfg.FailList
	b.Log.SetOut(cfg.Stream)
	b.Log.Signal = cfg.Signal
	b.noOracles = cfg.NoOracles
	b.Core.Forgets, b.OF.Skips = nil, nil // a snapshot's clone must not carry a mutant over
	if m := cfg.Mutant; m != nil && m.Driver == KernelMutant {
		b.OF.Skips = func(site string) bool { return site == m.Release }
	} else if m != nil {
		b.Core.Forgets = m.forgets
	}
	return b, nil
}

// bootFresh boots a kernel of profile prof on base, with no program:
// the OF layer with the base tree loaded, the driver core booted.
func bootFresh(prof *profile.Profile, base *dt.Tree, cfg Config) *Kernel {
	log := &report.Log{Quiet: cfg.Quiet, Strict: cfg.Strict, Out: cfg.Stream}
	reg := kobj.New(log)
	reg.Trace = cfg.Trace
	trackProgramRefs(reg)
	k := &Kernel{Log: log, Reg: reg, OF: of.New(reg, log, prof), Prof: prof, invSeen: map[string]bool{}}
	k.OF.LoadBase(base)
	k.initCore()
	return k
}

// loadBase loads the base tree: Config.Base, else the program's
// base.dts/base.dtb, else the built-in one.
func (k *Kernel) loadBase(cfg Config) (*dt.Tree, error) {
	if d, b := k.prog.File(prog.DefaultBaseName), k.prog.File(prog.DefaultBlobBaseName); d != nil && b != nil {
		// Base() would silently pick one of them
		return nil, fmt.Errorf("%s:%d: both %s and %s (line %d): a program has one base tree",
			cfg.Filename, b.Line-1, b.Name, d.Name, d.Line-1)
	}
	if cfg.Base != nil {
		t, err := k.compile(cfg.Filename, cfg.Base)
		if err != nil {
			return nil, fmt.Errorf("base tree: %v", err)
		}
		return t, nil
	}
	name, data := k.prog.Base()
	if f := k.prog.File(name); f != nil {
		return k.compileFile(cfg.Filename, f)
	}
	return k.compile(cfg.Filename, &Source{Name: name, Data: data})
}

// compileFile compiles an archive file. A source was parsed by
// prog.Parse; it is compiled from that (File.Tree), once per program
// however often it runs, unless Config.Cache has it already. A blob is
// decoded and read.
func (k *Kernel) compileFile(progName string, f *prog.File) (*dt.Tree, error) {
	if !prog.IsBlob(f.Name) {
		if t := f.Compiled(); t != nil {
			return t, nil
		}
		if k.cache != nil {
			if t := k.cache.get(f.Name, f.Data); t != nil {
				return t, nil
			}
		}
		t, err := f.Tree()
		if err != nil {
			return nil, k.treeError(progName, f.Name, err)
		}
		if k.cache != nil {
			k.cache.put(f.Name, f.Data, t)
		}
		return t, nil
	}
	src, err := programSource(f)
	if err != nil {
		return nil, fmt.Errorf("%s:%d: %v", progName, f.Line, err)
	}
	return k.compile(progName, src)
}

// compile compiles or reads one device tree (LoadTree). Source errors
// name the program file and the line inside it.
func (k *Kernel) compile(progName string, src *Source) (*dt.Tree, error) {
	name, data := src.Name, src.Data
	if k.cache != nil {
		if t := k.cache.get(name, data); t != nil {
			return t, nil
		}
	}
	tree, err := LoadTree(src)
	if err == nil {
		if k.cache != nil {
			k.cache.put(name, data, tree)
		}
		return tree, nil
	}
	return nil, k.treeError(progName, name, err)
}

// treeError names the program file and the line inside it of an error
// compiling the tree called name.
func (k *Kernel) treeError(progName, name string, err error) error {
	if de, ok := err.(*dt.Error); ok {
		if f := k.prog.File(name); f != nil && f.Line > 0 && progName != "" {
			return fmt.Errorf("%s:%d:%d: %s: %s", progName, f.Line+de.Line-1, de.Col, name, de.Msg)
		}
		if name == prog.DefaultBaseName && k.prog.File(name) == nil {
			return fmt.Errorf("built-in base tree: %v", err)
		}
	}
	return fmt.Errorf("%s: %v", progName, err)
}

// Run runs p under cfg: every op, then teardown and the end-of-run oracles.
func Run(p *prog.Program, cfg Config) (res *Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, &Bug{Value: r, Stack: string(debug.Stack())}
		}
	}()
	k, err := New(p, cfg)
	if err != nil {
		return nil, err
	}
	k.RunOps()
	k.Teardown()
	res = &Result{Profile: k.Prof.Name, Log: k.Log.String(), Findings: k.Log.Findings(), Known: k.Log.Known(),
		FailSteps: k.OF.Fail.Steps, Misuse: k.misuse}
	if cfg.Trace {
		res.Trace = k.TraceReport()
	}
	return res, nil
}

// RunOps runs every op of the program in order.
func (k *Kernel) RunOps() {
	k.Log.Harness("kernel %s", k.Prof.Name)
	for i := range k.prog.Ops {
		k.Step(i)
	}
}

// Step runs op i of the program (the log's op i+1): it resolves the
// op's arguments, dispatches by OpID, and runs the per-op oracles.
func (k *Kernel) Step(i int) {
	op := k.prog.Ops[i]
	n := i + 1
	k.Log.Op = n
	if !k.Log.Quiet {
		k.Log.Harness("op %d: %s", n, k.prog.OpString(i, k.names))
	}
	e := &handlers[op.Desc.ID]
	if cap(k.args) < len(op.Desc.Args) {
		k.args = make([]value, len(op.Desc.Args), max(len(op.Desc.Args), 4))
	}
	args := k.args[:len(op.Desc.Args)]
	clear(args)
	k.resolve(i, op, args)
	c := &k.call
	*c = call{k: k, op: op, slot: i, name: k.names[i], args: args}
	nth := 0
	if a := op.Arg(prog.FailNthKey); a != nil {
		nth = a.Int
	}
	k.OF.Fail.Begin(n, nth)
	defer k.OF.Fail.End()
	var ret string
	if e.needDevice {
		c.dev = k.Core.DeviceByNode(c.arg("node").node)
	}
	if e.needDevice && c.dev == nil {
		ret = errnoName(core.ENODEV)
	} else {
		ret = e.fn(c)
	}
	if s := k.Log.Signal; s != nil {
		s.Return(op.Desc.Name, ret)
	}
	k.Log.Harness("op %d: returned %s", n, ret)
	k.checkInvariants()
}

// checkInvariants reports each newly broken ovcs invariant once, one
// finding per title with every object that breaks it.
func (k *Kernel) checkInvariants() {
	if k.noOracles {
		return
	}
	var g report.Group
	for _, s := range k.OF.Invariants() {
		if k.invSeen[s] {
			continue
		}
		k.invSeen[s] = true
		title, obj, _ := strings.Cut(s, "\x00")
		g.Add(report.Finding{Kind: report.Invariant, Title: title, Objects: []string{obj}})
	}
	for _, f := range g.Findings() {
		k.Log.Report(f)
	}
}
