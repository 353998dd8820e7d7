// Package seq is the op-sequence half of generation and the byte codec
// of the fuzz targets (architecture §6, §10; issue 10 items 1 and 2).
//
// One builder turns a stream of choices into a program: [Generate] reads
// the choices from a seeded PRNG, [Decode] from a fuzzer's bytes. Every
// decision — the op, which live handle it acts on, which node, and every
// decision of the overlay generator (prog/gen) when an apply writes a new
// overlay — goes through the same [gen.Choices], so one stream drives
// overlays and ops, and choice 0 is always the plainest: "no more ops",
// "the most recent live handle", "argument absent".
//
// Ops refer to live objects, as syzkaller's prog/rand.go and
// prog/resources.go do: a reference argument picks among the handles
// earlier ops produced, live ones first (overlays applied and not
// removed, references held and not put), then stale ones (a double put,
// a removed overlay's id), and for overlays a literal id; when no handle
// of the type exists, the builder first inserts an op producing one.
// Node arguments pick among the live tree's nodes as the overlay
// generator sees it (the base tree and the generated overlays applied so
// far, newest first), node references held, or a literal path.
// run_work, flush_workqueue and sched= lists are ordinary weighted
// choices, so deferred work sometimes runs early, sometimes late, and
// sometimes not before of_overlay_remove destroys the changeset (B1).
//
// # Byte layout
//
// The input is a stream of fixed-width choices ([Reader]): a choice
// among n <= 256 options is one byte (its value mod n), a wider one two
// bytes (big endian, mod n); a string is a length choice followed by its
// bytes. Running out of bytes makes every further choice 0, which ends
// the program. In order:
//
//	kernel   0: no kernel line; 1..K: Model.Kernels; K+1: literal string
//	files    count (0..MaxFiles), then each: name, data (literal files:
//	         hand-written overlays, a base.dts)
//	swarm    gen.NewSwarm's choices, then one on/off choice per op
//	ops      until End or MaxOps: op kind (weighted, End first), then
//	         per argument in op-table order: presence (optional ones),
//	         then the value
//
// An apply's blob is a generated overlay (the overlay generator's own
// choices follow) or one of the program's files. [Encode] writes the
// stream that decodes to a given canonical program ([Canonical]: no
// comments, no labels), so every corpus program and crasher is a seed.
//
// The reader is a few lines of our own rather than go-fuzz-headers: its
// ConsumeX getters fail when the input runs out, where a total decoder
// needs 0 (the plainest choice) forever, and its GetInt reads one byte
// for any range; ours reads exactly as many bytes as the range needs,
// which is what makes Encode the decoder's right inverse.
//
// # Fault injection
//
// An optional argument is present with the chance its key has in
// Weights.Optional (default DefaultOptional). The fault-injection
// argument fail_nth, when the op table carries it, is low
// (Weights.Optional["fail_nth"]): the builder needs no other change.
package seq
