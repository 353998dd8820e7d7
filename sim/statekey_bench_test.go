package sim_test

import (
	"testing"

	"dangle/prog"
	"dangle/sim"
	"dangle/sim/canon"
)

// benchState is the state explore's table-5 tree reaches after applying
// and populating its overlay on mainline (corpus/b2-depopulate-remove,
// first two ops): the devices, links and changeset the search hashes.
func benchState(b *testing.B) *sim.Kernel {
	p, err := prog.ParseFile("../corpus/b2-depopulate-remove.prog")
	if err != nil {
		b.Fatal(err)
	}
	k, err := sim.New(p, sim.Config{Filename: "b2", Profile: "mainline", Quiet: true})
	if err != nil {
		b.Fatal(err)
	}
	k.Step(0)
	k.Step(1)
	return k
}

// BenchmarkEncode is the canonical text as a string (Kernel.Encode:
// AppendState into a fresh buffer, then copied out).
func BenchmarkEncode(b *testing.B) {
	k := benchState(b)
	b.ReportAllocs()
	for b.Loop() {
		_ = k.Encode()
	}
	b.SetBytes(int64(len(k.Encode())))
}

// BenchmarkStateHash is the former key: FNV-64a of the text (the
// hash line of dangle run -state).
func BenchmarkStateHash(b *testing.B) {
	k := benchState(b)
	b.ReportAllocs()
	for b.Loop() {
		_ = k.StateHash()
	}
}

// BenchmarkStateKey is the same text written by AppendState into a
// reused buffer and hashed with SHA-256 (Kernel.StateKey).
func BenchmarkStateKey(b *testing.B) {
	k := benchState(b)
	var buf canon.Buf
	b.ReportAllocs()
	for b.Loop() {
		_ = k.StateKey(&buf)
	}
	b.SetBytes(int64(len(buf.B)))
}
