package bench

import (
	"fmt"
	"runtime"
	"testing"

	"dangle/prog"
	"dangle/prog/gen"
	"dangle/prog/seq"
	"dangle/sim"
)

// workload is the op stream of a simulator benchmark: programs as the
// byte decoder's inputs, each a list of chunks (one generated program
// each) that decode and concatenate into one program.
type workload struct {
	inputs [][][]byte
	ops    int // ops of all programs
}

// Short programs are generated programs (FuzzLifecycle's weights) of
// 8 to 12 ops; long ones concatenate generated programs up to at least
// 200 ops (the decoder bounds one program at seq.MaxOps, so a long
// program is decoded chunk by chunk, each chunk's files renamed).
const nPrograms = 64

func makeWorkload(b *testing.B, long bool) *workload {
	w := seq.DefaultWeights()
	wl := &workload{}
	seed := uint64(1)
	next := func() ([]byte, int) {
		for ; ; seed++ {
			p := seq.Generate(model, &w, gen.NewRand(seed))
			if !long && (len(p.Ops) < 8 || len(p.Ops) > 12) {
				continue
			}
			data, err := seq.Encode(model, &w, p)
			if err != nil {
				continue // not every generated program encodes (literal ids)
			}
			seed++
			return data, len(seq.Decode(model, &w, data).Ops)
		}
	}
	for len(wl.inputs) < nPrograms {
		var in [][]byte
		n := 0
		for n == 0 || (long && n < 200) {
			d, k := next()
			in, n = append(in, d), n+k
		}
		wl.inputs, wl.ops = append(wl.inputs, in), wl.ops+n
	}
	return wl
}

// decode turns one input into its program: Decode each chunk, then
// concatenate with each chunk's files renamed apart.
func decode(w *seq.Weights, in [][]byte) *prog.Program {
	if len(in) == 1 {
		return seq.Decode(model, w, in[0])
	}
	out := &prog.Program{}
	for j, d := range in {
		p := seq.Decode(model, w, d)
		if j == 0 {
			out.Kernel = p.Kernel
		}
		rename := map[string]string{}
		for _, f := range p.Files {
			if f.Name == prog.DefaultBaseName {
				if j == 0 {
					out.Files = append(out.Files, f)
				}
				continue
			}
			rename[f.Name] = fmt.Sprintf("c%d-%s", j, f.Name)
			f.Name = rename[f.Name]
			out.Files = append(out.Files, f)
		}
		for _, op := range p.Ops {
			for i := range op.Args {
				if n, ok := rename[op.Args[i].File]; ok {
					op.Args[i].File = n
				}
			}
			out.Ops = append(out.Ops, op)
		}
	}
	return out
}

// BenchmarkSim is the simulator on the workload: per iteration, decode
// one program and run it (ops, teardown, oracles) on mainline with the
// log off and a warm cache (snapshots of the booted kernel), as a soak
// worker does. oracles=off is sim.Config.NoOracles. Metrics: programs/s
// and ops/s (one goroutine: per core) and allocations per simulated op.
func BenchmarkSim(b *testing.B) {
	for _, long := range []bool{false, true} {
		wl := makeWorkload(b, long)
		for _, off := range []bool{false, true} {
			b.Run(fmt.Sprintf("%s/oracles=%s", length(long), onOff(!off)), func(b *testing.B) {
				w := seq.DefaultWeights()
				cfg := sim.Config{Quiet: true, Profile: "mainline", Cache: sim.NewCache(), NoOracles: off}
				runLoop(b, wl, func(in [][]byte) {
					p := decode(&w, in)
					if _, err := sim.Run(p, cfg); err != nil {
						if _, bug := err.(*sim.Bug); !bug {
							b.Fatal(err)
						}
					}
				})
			})
		}
	}
}

// noop is the limit's handler: what dispatch costs with no model behind.
var noopHandlers = make([]func(*prog.Op, []any) any, len(prog.Ops))

func init() {
	for i := range noopHandlers {
		noopHandlers[i] = func(op *prog.Op, slots []any) any { return op }
	}
}

// BenchmarkLimit is the cheapest loop over the same op stream: decode
// each program, dispatch every op by OpID to a no-op handler that stores
// its result in the op's slot, and reset the slots — the floor under
// BenchmarkSim, whose gap to it is the simulator's own cost.
func BenchmarkLimit(b *testing.B) {
	for _, long := range []bool{false, true} {
		wl := makeWorkload(b, long)
		b.Run(length(long), func(b *testing.B) {
			w := seq.DefaultWeights()
			var slots []any
			runLoop(b, wl, func(in [][]byte) {
				p := decode(&w, in)
				slots = slots[:0]
				for _, op := range p.Ops {
					slots = append(slots, noopHandlers[op.Desc.ID](op, slots))
				}
				clear(slots)
			})
		})
	}
}

// runLoop runs one program per iteration, cycling through the workload,
// and reports programs/s, ops/s (wall clock and per CPU second) and
// allocations per op.
func runLoop(b *testing.B, wl *workload, run func([][]byte)) {
	perProg := float64(wl.ops) / float64(len(wl.inputs))
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime()
	for i := 0; i < b.N; i++ {
		run(wl.inputs[i%len(wl.inputs)])
	}
	b.StopTimer()
	cpu = cpuTime() - cpu
	runtime.ReadMemStats(&ms1)
	s := b.Elapsed().Seconds()
	b.ReportMetric(float64(b.N)/s, "programs/s")
	b.ReportMetric(float64(b.N)*perProg/s, "ops/s")
	if cpu > 0 {
		// per CPU second, GC included: steadier than the wall clock under load
		b.ReportMetric(float64(b.N)*perProg/cpu.Seconds(), "ops/cpu-s")
	}
	b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/(float64(b.N)*perProg), "allocs/simop")
	b.ReportMetric(perProg, "ops/program")
}

func length(long bool) string {
	if long {
		return "long"
	}
	return "short"
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}
