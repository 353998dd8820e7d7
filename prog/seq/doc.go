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
// earlier ops produced, live ones (overlays applied and not removed,
// references held and not put), rarely for overlays a removed id or a
// literal one, and only where misuse is on a stale handle (below); when
// no handle of the type exists, the builder first inserts an op
// producing one.
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
//	swarm    0: the full swarm (everything on); else a partial one:
//	         gen.NewSwarm's choices, then one on/off choice per op
//	misuse   0: off; else consumer misuse is on (Weights.Misuse; no
//	         byte when it is 0)
//	ops      until End or MaxOps: op kind (weighted, End first), then
//	         per argument in op-table order: presence (optional ones),
//	         then the value; after a put, where misuse is on, whether
//	         it is repeated on the same handle
//
// So the plainest lifecycle is five bytes: four zero header bytes and
// an apply, whose exhausted overlay (every further choice 0) is a
// consumer device with a new supplier beside it — B1's shape; the
// teardown removes it. An overlay's reject class is its last choice.
//
// # Misuse
//
// Acting on a handle the program gave up (a put of a released
// descriptor, a stale node reference, a managed or purged device link,
// an of_node_put of a path) happens only where the misuse setting is
// on, and only by its choices: the misuse option of a reference
// argument (weight Weights.MisuseRef) or the repeat of a put
// (Weights.MisuseRepeat). DecodeInfo and GenerateInfo list the ops that
// took it; Weights.Misuse 0 (fuzz: DANGLE_MISUSE=0) switches it off.
// A removed overlay's id is not misuse: the kernel looks ids up.
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
