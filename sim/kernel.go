package sim

import (
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"dangle/dt"
	"dangle/prog"
	"dangle/sim/core"
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
	// Base, when set, replaces the program's base tree (dangle run -base).
	Base *Source
	// Cache, when set, keeps compiled device trees across runs, so a
	// soak worker compiles the base tree once. A Cache is not safe for
	// concurrent use: give each worker its own.
	Cache *Cache
}

// Cache memoizes compiled device-tree sources by name and content.
// Compiled trees are never mutated by a run (unflatten copies values).
type Cache struct {
	trees map[string]*dt.Tree
}

// NewCache returns an empty cache.
func NewCache() *Cache { return &Cache{trees: map[string]*dt.Tree{}} }

// Result is what a run produced.
type Result struct {
	Profile  string // the profile's canonical name
	Log      string // the kernel-style log, ops and teardown included
	Findings []report.Finding
	Trace    string // with Config.Trace: refcount table and timeline
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
	vars     map[string]any
	// notifiers are the program's registered overlay notifiers, in
	// registration order (unregistered at teardown: module unload).
	notifiers []*of.OverlayNotifier
	invSeen   map[string]bool
	cache     *Cache
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
	log := &report.Log{Quiet: cfg.Quiet, Out: cfg.Stream}
	reg := kobj.New(log)
	reg.Trace = cfg.Trace
	k := &Kernel{Log: log, Reg: reg, OF: of.New(reg, log, prof), Prof: prof, prog: p,
		blobs: map[string]*dt.Tree{}, badBlobs: map[string]error{}, vars: map[string]any{}, invSeen: map[string]bool{}, cache: cfg.Cache}

	base, err := k.loadBase(cfg)
	if err != nil {
		return nil, err
	}
	for i := range p.Files {
		f := &p.Files[i]
		if !strings.HasSuffix(f.Name, ".dtso") && !strings.HasSuffix(f.Name, ".dtbo") {
			continue
		}
		src, err := programSource(f)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", cfg.Filename, f.Line, err)
		}
		t, err := k.compile(cfg.Filename, src)
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
	}
	k.OF.LoadBase(base)
	k.initCore()
	return k, nil
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
	src := &Source{Name: name, Data: data}
	if f := k.prog.File(name); f != nil {
		var err error
		if src, err = programSource(f); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", cfg.Filename, f.Line, err)
		}
	}
	return k.compile(cfg.Filename, src)
}

// compile compiles or reads one device tree (LoadTree). Source errors
// name the program file and the line inside it.
func (k *Kernel) compile(progName string, src *Source) (*dt.Tree, error) {
	name, data := src.Name, src.Data
	key := name + "\x00" + string(data)
	if k.cache != nil {
		if t := k.cache.trees[key]; t != nil {
			return t, nil
		}
	}
	tree, err := LoadTree(src)
	if err == nil {
		if k.cache != nil {
			k.cache.trees[key] = tree
		}
		return tree, nil
	}
	if de, ok := err.(*dt.Error); ok {
		if f := k.prog.File(name); f != nil && f.Line > 0 && progName != "" {
			return nil, fmt.Errorf("%s:%d:%d: %s: %s", progName, f.Line+de.Line-1, de.Col, name, de.Msg)
		}
		if name == prog.DefaultBaseName && k.prog.File(name) == nil {
			return nil, fmt.Errorf("built-in base tree: %v", err)
		}
	}
	return nil, fmt.Errorf("%s: %v", progName, err)
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
	res = &Result{Profile: k.Prof.Name, Log: k.Log.String(), Findings: k.Log.Findings()}
	if cfg.Trace {
		res.Trace = k.TraceReport()
	}
	return res, nil
}

// RunOps runs every op of the program in order.
func (k *Kernel) RunOps() {
	k.Log.Harness("kernel %s", k.Prof.Name)
	for i, op := range k.prog.Ops {
		k.Step(i+1, op)
	}
}

// Step runs op as the n-th op (1-based) and then the per-op oracles.
func (k *Kernel) Step(n int, op *prog.Op) {
	k.Log.Op = n
	k.Log.Harness("op %d: %s", n, op.String())
	h := handlers[op.Desc.Name]
	ret := h(k, op)
	k.Log.Harness("op %d: returned %s", n, ret)
	k.checkInvariants()
}

// checkInvariants reports each newly broken ovcs invariant once, one
// finding per title with every object that breaks it.
func (k *Kernel) checkInvariants() {
	var order []string
	byTitle := map[string]*report.Finding{}
	for _, s := range k.OF.Invariants() {
		if k.invSeen[s] {
			continue
		}
		k.invSeen[s] = true
		title, obj, _ := strings.Cut(s, "\x00")
		f := byTitle[title]
		if f == nil {
			f = &report.Finding{Kind: report.Invariant, Title: title}
			byTitle[title] = f
			order = append(order, title)
		}
		f.Objects = append(f.Objects, obj)
	}
	for _, t := range order {
		k.Log.Report(*byTitle[t])
	}
}
