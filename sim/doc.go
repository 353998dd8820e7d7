// Package sim is the simulator's composition root: it builds a simulated
// kernel for one program and one profile, runs the program's ops through
// the op table's dispatch, quiesces the kernel at teardown, and runs the
// end-of-run oracles.
//
// A run is a pure function of (program, profile): no goroutines, clocks,
// global state or map-order dependence. Run is the entry point; Kernel is
// exposed for the tools that need to step a program op by op (the
// exhaustive search, the fuzz targets).
//
// Copies (clone.go, snapshot.go): Kernel.Clone returns an independent
// copy of a kernel in any state (log, registry, tree, driver core,
// workqueues, locks, program slots), for branching; Kernel.Snapshot
// freezes one, and Snapshot.Kernel makes copies of it at about a third
// of a boot's cost. A Cache keeps a snapshot of each booted kernel
// (profile, base tree, log settings) and runs with the cache start from
// a copy of it; their output is byte for byte a fresh boot's. Both rest
// on every function in the state capturing nothing (a release, a work
// item, a hook is static code called with its data): see sim/deepcopy.
//
// Errors are of three kinds, kept apart on purpose: input errors (a DTS
// that does not compile, an unknown profile) are returned as errors naming
// file:line; simulated kernel outcomes (a rejected overlay, a refused
// removal) are op return values in the log; findings are bugs the oracles
// saw. A panic inside the simulator is none of these: Run recovers it once
// and returns a *Bug, never a finding.
//
// Known findings (known.go) are bugs the kernel itself announces, such as
// the property copies add_changeset_property() warns will leak: they are
// recognised by what happened, reported apart in Result.Known and not
// counted, unless Config.Strict (dangle run -strict, DANGLE_STRICT=1).
//
// Mutants (mutants.go) are injected bugs, a test and benchmarking aid no
// user run reaches: a catalog driver that forgets one release, or a kernel
// path that skips one put, switched on by Config.Mutant (stress -mutant,
// make bench's table 6); each has a program that shows its finding
// (TestForgottenReleases).
package sim
