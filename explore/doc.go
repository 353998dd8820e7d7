// Package explore is dangle's exhaustive bounded search: breadth first
// over op sequences drawn from a finite alphabet derived from a small
// tree and its overlays, with the pending work items as letters of their
// own, so every order of deferred work up to the depth is covered.
//
// A letter is an op with its arguments fixed (apply overlay X, remove a
// live overlay with or without work run at the removal's sched points,
// populate, depopulate, unbind or bind a device, run pending item i of a
// queue, take or drop a node reference, get or put a GPIO descriptor):
// the alphabet (newAlphabet) holds the templates, a state enables the
// ones that apply to it (a live overlay id, an existing node, a device,
// enough pending work, a handle the program holds and has not put).
//
// States are identified by the simulator's canonical state encoding
// (the text of sim.Kernel.Encode, written without fmt by
// Kernel.AppendState into a worker's reused buffer) and the handles the
// program holds, hashed with SHA-256 to a 128-bit key, so a state
// reached by two paths is expanded once. After each op the per-op
// oracles' findings are checked; at each new state the end of the path
// is checked too: the program puts what it still holds (a careful
// program's closers) and the kernel is torn down (sim.Kernel.Teardown).
// The first finding of each title is kept with its path as a
// replayable program; being breadth first, that path is a shortest one.
// A finding that goes away when the program is replayed without one of
// its reference-taking ops (of_node_get, gpiod_get, get_device) needs the
// caller's own reference and says so (Found.Cause): the kernel reporting
// the caller, as in corpus/node-ref-leak.prog, rather than a bug of its
// own paths: the statement lists it as misuse, and its bound then reads
// "no kernel finding". Known findings (sim.KnownFindings) are listed
// apart unless Strict.
//
// A level is expanded in rounds of parents across worker goroutines;
// the merge of a round runs in parent and letter order, so the result
// does not depend on the number of workers.
//
// A transition replays its path from a fresh boot (a copy of the booted
// kernel), or, from CopyDepth on (Config.Branch), a state's kernel is
// built once and each letter runs on a copy of it (Kernel.Snapshot or Kernel.Clone, then
// Kernel.StepOp: the letter is an op the kernel's program did not
// have). The result is the same; branch.go says which is cheaper.
// Config.POR prunes transitions by sleep sets (por.go).
package explore
