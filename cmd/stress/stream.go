package main

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"

	"dangle/fuzz"
	"dangle/prog"
	"dangle/prog/seq"
)

// A program is generated from a choice stream: seq.Generate asks a
// gen.Choices for every decision (the swarm of drivers, fragment kinds
// and ops; each op, argument and overlay node), and a stream records the
// answers. Replaying a recorded stream gives the same program again;
// replaying a mutated one gives another program that is valid by
// construction (every answer is taken modulo the number of options, and
// past the stream's end fresh random answers continue it). Mutating the
// stream is mutating ops, arguments and overlay trees at once, which is
// how the soak mutates corpus programs.

// stream answers the generator's choices from vals, then from rnd, and
// records every answer given.
type stream struct {
	vals []uint32
	i    int
	rnd  *rand.Rand
	rec  []uint32
}

func (s *stream) Intn(n int) int {
	var v int
	if s.i < len(s.vals) {
		v = int(s.vals[s.i] % uint32(n))
	} else {
		v = s.rnd.IntN(n)
	}
	s.i++
	s.rec = append(s.rec, uint32(v))
	return v
}

// maxStream bounds a stream: a generated program asks a few hundred
// choices (MaxOps bounds the ops); a decoded one reads its bytes up to
// maxDecode, the longest a fresh one has (32–512), so that mutations,
// which insert and duplicate more than they delete, cannot lengthen the
// decoded streams (most of the corpus) run after run: the 10-minute
// soaks showed the corpus drifting to longer programs, which run slower
// and hold more memory in flight. The corpus's total is bounded apart
// (corpus.go).
const (
	maxStream = 2048
	maxDecode = 512
)

// mutate returns a mutation of vals: one to four of change, insert,
// delete, duplicate, truncate (the tail is generated afresh) and splice
// with other (another corpus program's stream).
func mutate(r *rand.Rand, vals, other []uint32) []uint32 {
	out := slices.Clone(vals)
	for range 1 + r.IntN(4) {
		n := len(out)
		if n == 0 {
			out = append(out, uint32(r.IntN(256)))
			continue
		}
		i := r.IntN(n)
		switch k := r.IntN(10); {
		case k < 3: // change one answer
			if r.IntN(2) == 0 {
				out[i] = uint32(r.IntN(256))
			} else {
				out[i] += uint32(r.IntN(3)) - 1
			}
		case k < 5: // insert fresh answers
			ins := make([]uint32, 1+r.IntN(8))
			for j := range ins {
				ins[j] = uint32(r.IntN(256))
			}
			out = slices.Insert(out, i, ins...)
		case k < 6: // delete a range
			out = slices.Delete(out, i, min(n, i+1+r.IntN(16)))
		case k < 7: // duplicate a range
			j := min(n, i+1+r.IntN(32))
			out = slices.Insert(out, j, slices.Clone(out[i:j])...)
		case k < 8: // keep a prefix, generate the rest afresh
			out = out[:i]
		default: // splice another program's tail
			if len(other) > 0 {
				out = append(out[:i], other[r.IntN(len(other)):]...)
			} else {
				out[i] = uint32(r.IntN(256))
			}
		}
	}
	if len(out) > maxStream {
		out = out[:maxStream]
	}
	return out
}

// swarmWeights are the weights one program is generated with, drawn from
// swarm (a per-program seed, kept with corpus programs so they replay):
// a fuzz target's op mix, a program length (the weight of ending it),
// and each op's weight halved or quartered at random, so that programs
// differ in kind (swarm testing); one program in eight is a GPIO
// consumer's with misuse on (seq.Weights.Misuse). seq's own swarm (drivers, fragment
// kinds, enabled ops) is in the choice stream.
func swarmWeights(swarm uint64) seq.Weights {
	r := rand.New(rand.NewPCG(swarm, 0x7377_6172_6d))
	t := fuzz.Targets[0]
	if r.IntN(2) == 0 {
		t = fuzz.Targets[r.IntN(len(fuzz.Targets))]
	}
	w := t.Weights()
	if r.IntN(8) == 0 {
		// consumer misuse: a GPIO program whose puts may repeat on a
		// just-released descriptor (B6's double gpiod_put)
		w = seq.GPIOWeights()
		w.Misuse = 99
	}
	w.End = []int{1, 2, 3, 6, 10}[r.IntN(5)]
	ops := make(map[string]int, len(w.Ops))
	for _, d := range prog.Ops { // op table order: deterministic
		if v, ok := w.Ops[d.Name]; ok {
			ops[d.Name] = max(1, v>>r.IntN(3))
		}
	}
	w.Ops = ops
	return w
}

// generate builds the program of (swarm, vals), continuing the stream
// with rnd, and returns it with the stream that replays it exactly.
// With decode the stream is bytes for seq.Decode, the fuzz targets'
// decoder (a fresh one: 32 to 512 random bytes). Either acts on handles
// the program gave up (a double gpiod_put: B6) only where the program's
// misuse setting is on (seq.Weights.Misuse).
func generate(m *seq.Model, swarm uint64, vals []uint32, rnd *rand.Rand, decode bool) (*prog.Program, []uint32) {
	w := swarmWeights(swarm)
	if decode {
		if len(vals) == 0 {
			vals = make([]uint32, 32+rnd.IntN(481))
			for i := range vals {
				vals[i] = uint32(rnd.IntN(256))
			}
		}
		if len(vals) > maxDecode {
			vals = vals[:maxDecode]
		}
		data := make([]byte, len(vals))
		for i, v := range vals {
			data[i] = byte(v)
		}
		p := seq.Decode(m, &w, data)
		rec := make([]uint32, len(data))
		for i, b := range data {
			rec[i] = uint32(b)
		}
		return p, rec
	}
	s := &stream{vals: vals, rnd: rnd}
	p := seq.Generate(m, &w, s)
	return p, s.rec
}

// encodeStream and decodeStream are a stream's text form in a corpus
// file: base64 of unsigned varints.
func encodeStream(vals []uint32) string {
	b := make([]byte, 0, len(vals)+8)
	for _, v := range vals {
		b = binary.AppendUvarint(b, uint64(v))
	}
	return base64.RawStdEncoding.EncodeToString(b)
}

func decodeStream(s string) ([]uint32, error) {
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		return nil, err
	}
	var out []uint32
	for len(b) > 0 {
		v, n := binary.Uvarint(b)
		if n <= 0 || v > 1<<32-1 {
			return nil, fmt.Errorf("bad varint at byte %d", len(b))
		}
		out = append(out, uint32(v))
		b = b[n:]
		if len(out) > maxStream {
			return nil, fmt.Errorf("stream longer than %d", maxStream)
		}
	}
	return out, nil
}
