package seq_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"dangle/fuzz"
	"dangle/prog"
	"dangle/prog/gen"
	"dangle/prog/seq"
)

// TestRoundTrip: Decode(Encode(p)) is Canonical(p) for every corpus
// program and crasher, under every target's weights.
func TestRoundTrip(t *testing.T) {
	m := fuzz.NewModel()
	seeds, err := fuzz.LoadSeeds(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if len(seeds) == 0 {
		t.Fatal("no seeds")
	}
	for _, tg := range fuzz.Targets {
		w := tg.Weights()
		for _, s := range seeds {
			b, err := seq.Encode(m, &w, s.Prog)
			if err != nil {
				t.Errorf("%s: %s: %v", tg.Name, s.Path, err)
				continue
			}
			got, want := seq.Decode(m, &w, b).String(), seq.Canonical(s.Prog).String()
			if got != want {
				t.Errorf("%s: %s: Decode(Encode(p)) differs:\n%s\nwant:\n%s", tg.Name, s.Path, got, want)
			}
		}
	}
}

// TestEncodeGenerated: a generated program encodes, and decodes back.
func TestEncodeGenerated(t *testing.T) {
	m := fuzz.NewModel()
	w := seq.DefaultWeights()
	for seed := range uint64(200) {
		p := seq.Generate(m, &w, gen.NewRand(seed))
		b, err := seq.Encode(m, &w, p)
		if err != nil {
			t.Fatalf("seed %d: %v\n%s", seed, err, p)
		}
		if got, want := seq.Decode(m, &w, b).String(), p.String(); got != want {
			t.Fatalf("seed %d: round trip differs:\n%s\nwant:\n%s", seed, got, want)
		}
	}
}

// TestDecodeTotal: random inputs decode to valid programs within the
// bounds, without the fallback.
func TestDecodeTotal(t *testing.T) {
	m := fuzz.NewModel()
	n := 3000
	if testing.Short() {
		n = 500
	}
	seed := rand.Uint64()
	if s := os.Getenv("DANGLE_DECODE_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("seed %d; replay: DANGLE_DECODE_SEED=%d go test ./prog/seq -run TestDecodeTotal", seed, seed)
	r := rand.New(rand.NewPCG(seed, 1))
	nonEmpty := 0
	for i := range n {
		b := make([]byte, r.IntN(600))
		for j := range b {
			b[j] = byte(r.Uint32())
			if r.IntN(3) == 0 {
				b[j] %= 4 // small choices, as after mutation of a seed
			}
		}
		for _, tg := range fuzz.Targets {
			w := tg.Weights()
			p, err := seq.DecodeChecked(m, &w, b)
			if err != nil {
				t.Fatalf("input %d (seed %d) %s: fallback: %v\n%x", i, seed, tg.Name, err, b)
			}
			if len(p.Ops) > seq.MaxOps || len(p.Files) > seq.MaxFiles+seq.MaxGenerated {
				t.Fatalf("input %d: %d ops, %d files", i, len(p.Ops), len(p.Files))
			}
			if len(p.Ops) > 0 {
				nonEmpty++
			}
			// Encode is a right inverse on Decode's image too
			e, err := seq.Encode(m, &w, p)
			if err != nil {
				t.Fatalf("input %d (seed %d) %s: decoded program does not encode: %v\n%s", i, seed, tg.Name, err, p)
			}
			if q := seq.Decode(m, &w, e); q.String() != p.String() {
				t.Fatalf("input %d (seed %d) %s: Decode(Encode(Decode(b))) differs:\n%s\nwant:\n%s", i, seed, tg.Name, q, p)
			}
		}
	}
	if nonEmpty < n {
		t.Errorf("only %d of %d decoded programs have ops", nonEmpty, 4*n)
	}
	// the empty input is the empty program
	if p := seq.Decode(m, ptr(seq.DefaultWeights()), nil); len(p.Ops) != 0 || p.Kernel != "" {
		t.Errorf("Decode(nil) = %s", p)
	}
}

func ptr[T any](v T) *T { return &v }

// TestReachable: over generated programs every op of the table and every
// catalog driver appears.
func TestReachable(t *testing.T) {
	m := fuzz.NewModel()
	w := seq.DefaultWeights()
	ops := map[string]int{}
	drivers := map[string]int{}
	compat := map[string]string{}
	for _, d := range m.Catalog.Drivers {
		for _, c := range d.Compatibles {
			compat[c] = d.Name
		}
	}
	for seed := range uint64(400) {
		p := seq.Generate(m, &w, gen.NewRand(seed))
		for _, op := range p.Ops {
			ops[op.Name()]++
		}
		for _, f := range p.Files {
			for c, d := range compat {
				if containsCompat(f.Data, c) {
					drivers[d]++
				}
			}
		}
	}
	for _, d := range prog.Ops {
		if ops[d.Name] == 0 {
			t.Errorf("op %s never generated", d.Name)
		}
	}
	for _, d := range m.Catalog.Drivers {
		if drivers[d.Name] == 0 {
			t.Errorf("driver %s never instantiated", d.Name)
		}
	}
	t.Logf("ops %v", ops)
	t.Logf("drivers %v", drivers)
}

func containsCompat(data []byte, c string) bool {
	return bytes.Contains(data, fmt.Appendf(nil, "compatible = %q", c))
}

// TestNarrowDrivers: a target's driver list names catalog drivers.
func TestNarrowDrivers(t *testing.T) {
	m := fuzz.NewModel()
	names := map[string]bool{}
	for _, d := range m.Catalog.Drivers {
		names[d.Name] = true
	}
	for _, tg := range fuzz.Targets {
		for _, d := range tg.Weights().Drivers {
			if !names[d] {
				t.Errorf("%s: driver %q is not in the catalog", tg.Name, d)
			}
		}
	}
}

// TestDeferredWork: generated programs let deferred work run early, late
// and not at all before a removal — sched= inside of_overlay_remove,
// run_work and flushes between an apply and its removal, and removals
// with no flush of device_link_wq since the apply (what B1 needs).
func TestDeferredWork(t *testing.T) {
	m := fuzz.NewModel()
	w := seq.DefaultWeights()
	var sched, flushed, unflushed, runWork int
	for seed := range uint64(400) {
		p := seq.Generate(m, &w, gen.NewRand(seed))
		for i, op := range p.Ops {
			if op.Name() != "of_overlay_remove" {
				continue
			}
			if op.Arg("sched") != nil {
				sched++
			}
			a := op.Arg("ov")
			if a.Ref == nil {
				continue
			}
			flush, run := false, false
			for _, between := range p.Ops[p.Index(a.Ref)+1 : i] {
				switch between.Name() {
				case "flush_workqueue", "device_link_wait_removal":
					if wq := between.Arg("wq"); wq == nil || prog.Workqueues[wq.Int] == "device_link_wq" {
						flush = true
					}
				case "run_work":
					run = true
				}
			}
			if flush {
				flushed++
			} else {
				unflushed++
			}
			if run {
				runWork++
			}
		}
	}
	t.Logf("removals: %d with sched=, %d after a device_link_wq flush, %d without one, %d after a run_work", sched, flushed, unflushed, runWork)
	if sched == 0 || flushed == 0 || unflushed == 0 || runWork == 0 {
		t.Errorf("deferred work is not placed every way")
	}
}

// TestPlainest: the plainest lifecycle sits a few bytes from the empty
// input — the header (kernel, files, swarm, misuse) is four zero bytes, and
// the first op byte that is not End is an apply whose exhausted overlay
// is a consumer with its supplier added beside it (B1's shape: the
// teardown's removal then races the link's release work).
func TestPlainest(t *testing.T) {
	m := fuzz.NewModel()
	for _, tg := range fuzz.Targets {
		w := tg.Weights()
		var p *prog.Program
		for k := range 256 {
			if p = seq.Decode(m, &w, []byte{0, 0, 0, 0, byte(k)}); len(p.Ops) > 0 {
				break
			}
		}
		if len(p.Ops) != 1 || p.Ops[0].Name() != "of_overlay_fdt_apply" || len(p.Files) != 1 {
			t.Fatalf("%s: the first program of five bytes is not one apply:\n%s", tg.Name, p)
		}
		src := string(p.Files[0].Data)
		if tg.Name == "FuzzLifecycle" && !(strings.Contains(src, `compatible = "regulator-fixed"`) && strings.Contains(src, "-supply = <&")) {
			t.Errorf("%s: the plainest overlay is not a consumer with its supplier:\n%s", tg.Name, src)
		}
	}
}

// TestGpiodGetNamesLines: FuzzGPIO's generated programs request lines
// their nodes name — most gpiod_get ops pick a node with a line and no
// device (gen's consumer nodes) and a con_id whose "<con>-gpios" it has
// — so that puts, double puts included, act on requested lines.
func TestGpiodGetNamesLines(t *testing.T) {
	m := fuzz.NewModel()
	w := seq.GPIOWeights()
	gets, named := 0, 0
	for seed := range uint64(300) {
		p := seq.Generate(m, &w, gen.NewRand(seed))
		for _, op := range p.Ops {
			if op.Name() != "gpiod_get" {
				continue
			}
			gets++
			con := prog.GpioConIDs[op.Arg("con").Int] + "-gpios"
			for _, f := range p.Files {
				// the node's name and its property, in the overlay that added it
				name := op.Arg("node").Path[strings.LastIndex(op.Arg("node").Path, "/")+1:]
				if i := bytes.Index(f.Data, []byte(name+" {")); i >= 0 && bytes.Contains(f.Data[i:min(len(f.Data), i+200)], []byte(con+" = <&")) {
					named++
					break
				}
			}
		}
	}
	t.Logf("%d of %d gpiod_get name a line of their node", named, gets)
	if gets == 0 || named*2 < gets {
		t.Errorf("%d of %d gpiod_get name a line of their node", named, gets)
	}
}
