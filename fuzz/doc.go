// Package fuzz holds dangle's native Go fuzz targets, their seeds and
// their configuration (issue 10).
//
// The byte targets decode every input into a valid program with the
// byte decoder (prog/seq: one choice stream drives the overlay
// generator and the op sequence) and run it on the simulator:
//
//	FuzzLifecycle  everything: overlays, drivers, links, GPIO, devres
//	FuzzOverlay    applies, removals, notifiers, node references
//	FuzzDevlink    device links, (un)binding, devres; supplier drivers
//	FuzzGPIO       GPIO providers, consumers, descriptors
//
// (the narrower ones weigh their area's ops high and the others at 1, and
// pin a driver swarm: seq.OverlayWeights, DevlinkWeights, GPIOWeights).
// A finding that is not known (sim.KnownFindings), not ignored and not
// API misuse fails the input with its title, the report, the program as
// .prog text (also written under $TMPDIR) and the replay commands;
// `dangle triage fuzz/testdata/fuzz/FuzzX` turns the failures into
// crashers/. FuzzProgText (the program parser and printer, then the
// simulator) and FuzzDTS (a device-tree source applied and removed as an
// overlay) fail only on simulator panics and parser round-trip breaks.
//
// Configuration is by environment variable, since go test -fuzz owns
// the flags (see Env): DANGLE_KERNEL, DANGLE_IGNORE, DANGLE_ONLY,
// DANGLE_STRICT, DANGLE_MISUSE, DANGLE_SKIP_DRIVERS, DANGLE_SKIP_CITED,
// DANGLE_SEEDS=none.
//
// # Seeds and make test
//
// Every corpus/*.prog and crashers/*/repro.prog is a seed (f.Add of its
// seq.Encode, or its text for FuzzProgText, its sources for FuzzDTS), so
// plain go test — make test — replays them all through every target.
// Those programs reproduce known bugs on purpose: a seed input passes
// when one of its findings is a title it expects (its "# expect" lines,
// a crasher's title); the consequences that come with a bug (B1's leak
// brings of_node_release's complaint) pass with it. A seed raising only
// titles it does not expect fails, as does any other input (with
// DANGLE_KERNEL naming another profile than a seed's kernel line, the
// seed only has to run: its expectations are for its own profile). Seeds
// are loaded from the repository root (RepoRoot: ".." under go test, "."
// for scripts/libfuzzer.sh); without a corpus (a libFuzzer binary
// elsewhere) there are none, which is not an error. `go run
// ./fuzz/seedcorpus -o DIR` writes them as files for libFuzzer and
// ClusterFuzzLite.
package fuzz
