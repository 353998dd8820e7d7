// Package minimizer shrinks a failing program into the smallest one that
// still fails the same way: the reproducer a kernel maintainer reads.
//
// It has two layers. [DDMin] is a generic delta-debugging core over
// slices (Zeller's ddmin with complement testing, then a one-at-a-time
// sweep) that returns a 1-minimal result — removing any single remaining
// element loses the failure — within a step [Budget], memoized by a key
// function. [Minimize] applies program-aware passes built on it, in a
// fixed order ([Passes]) repeated until a round changes nothing:
//
//   - after-report: drop every op after the one that raised the finding;
//   - unrelated: drop groups of ops unrelated to the reporting op by
//     data flow (results used, node paths, overlay files);
//   - teardown: drop the explicit overlay removes (all, then one by
//     one): the teardown removes what is still applied, which is enough
//     where the predicate accepts a finding raised there;
//   - ops: ddmin over the ops; dropping an op drops the ops using its
//     result, so every candidate is well formed;
//   - drop-overlay: an overlay file with every op that names it (its
//     apply, and the remove using the apply's result) in one step;
//   - merge-applies: two applies of different sources become one apply
//     of a source holding both's blocks;
//   - sched, work: shrink sched= lists and run_work arguments;
//   - files: drop archive files no op names;
//   - merge-frags, merge-explicit: an overlay's top-level blocks with
//     the same target merge into one (one fragment fewer), and so do
//     explicit fragment@N { target…; __overlay__ } nodes, the form the
//     generator (prog/gen) also writes;
//   - overlay, base: hierarchical delta debugging of the device-tree
//     sources through dt's AST — top-level blocks (fragments), nodes depth
//     by depth, properties, value parts, cells (phandle references) — and
//     the base tree, first trying the built-in one instead;
//   - hoist: an overlay node is replaced by its children (a container
//     whose children become devices anyway in a populated bus), the
//     ops' node paths through it following;
//   - simplify: canonical binding names (ov, desc, np, …), no unused
//     labels, shorter node names (node paths in ops follow), 0 for
//     integer cells whose value does not matter (reg, ranges and
//     #…-cells excepted).
//
// The predicate is a function ([Predicate]); the package never imports
// the simulator. It is memoized by the candidate's canonical text;
// candidates that are not well formed or whose sources dtc would reject
// never reach it. The original must fail first ([ErrNoRepro] otherwise)
// and the result is re-verified with a fresh call. [Stats] gives each
// pass's counters and time.
//
// How ops refer to each other (today by binding names) is confined to
// links.go: deps, removeOps, rebind and users.
package minimizer
