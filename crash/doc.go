// Package crash turns a finding into a filing-ready crasher directory
// (architecture §8) and keeps crashers/ de-duplicated by title. The soak
// (cmd/stress), dangle triage and dangle run -kernel all share it.
//
// A crasher lives in DIR/<Slug(title)>/:
//
//	repro.prog   the minimized program; its header names the title and
//	             the affected and unaffected profiles ("# title:",
//	             "# affected:", "# unaffected:"), which crashers_test.go
//	             replays
//	report.txt   the mail-ready report, the title on line 1
//	*.dtso/.dts  the program's device-tree sources as plain files
//	timeline.svg the lifetime timeline of the objects involved
//	graph.dot    the device / link / node graph at the failure (Graphviz)
//	raw/         raw findings written by WriteRaw before minimizing;
//	             Write removes them once the crasher is written
//
// The API:
//
//	Slug(title) string                        the directory name of a title
//	WriteRaw(dir, p, title) (path, error)     save a finding at once, atomically
//	Write(dir, p, title, opts) (*Crasher, error)
//	                                          minimize, replay on every profile,
//	                                          write (or merge into) the directory
//	Load(dir) ([]*Crasher, error)             the crashers on disk, by slug
//	RunMatrix(p, profiles, cfg, each) (*Matrix, error)
//	                                          run p on each profile: title × profile
//	NewMatrix(profiles), (*Matrix).Add        build one from runs made elsewhere
//	(*Matrix).Split/Boundaries/Table/Grid     affected/unaffected, the knob commits
//	Predicate(cfg, title, atOp)               the minimizer's "same title" predicate
//	SameBug(p, title, atOp, cfg, profiles)    Predicate, and clean where p is clean:
//	                                          what Write minimizes with
//	FirstPredicate, SameFirstBug              the same for a program's primary
//	                                          finding (sim.Primary): the soak's
//	Trace(p, cfg, title) (*Traced, error)     a traced replay: Timeline() (SVG via
//	                                          crash/draw), Graph (DOT), Explain()
//
// Write minimizes on the finding's profile while the title stays and the
// profiles the original does not raise it on stay clean of it, so a
// smaller program that is another bug with the same title (a consumer
// that never puts what it got leaks on every kernel) is not taken. The
// soak calls WriteRaw first (set p.Kernel to the profile the finding was
// seen on), then Write; dangle triage finishes raw directories the soak
// left.
//
// Writes are atomic (a temporary file renamed into place), so a crash of
// the writer leaves the old file or the new one, never half of one.
package crash
