package sim

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"dangle/prog"
)

// bigOverlayProg applies and removes one overlay adding n nodes under &bus
// (issue 14 item 8: 20k nodes).
func bigOverlayProg(b *testing.B, n int) *prog.Program {
	var s strings.Builder
	s.WriteString("dangle program v1\nov = of_overlay_fdt_apply blob=big.dtso\nof_overlay_remove ov=ov\n-- big.dtso --\n/dts-v1/;\n/plugin/;\n&bus {\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&s, "\tn%d { x = <%d>; };\n", i, i)
	}
	s.WriteString("};\n")
	p, err := prog.Parse("big.prog", []byte(s.String()))
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// manyAppliesProg applies one small overlay n times (4k applies).
func manyAppliesProg(b *testing.B, n int) *prog.Program {
	var s strings.Builder
	s.WriteString("dangle program v1\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&s, "ov%d = of_overlay_fdt_apply blob=s.dtso\n", i)
	}
	s.WriteString("-- s.dtso --\n/dts-v1/;\n/plugin/;\n&bus { x { }; };\n")
	p, err := prog.Parse("many.prog", []byte(s.String()))
	if err != nil {
		b.Fatal(err)
	}
	return p
}

func benchRun(b *testing.B, p *prog.Program) {
	cache := NewCache()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Run(p, Config{Filename: "bench", Cache: cache}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBigOverlay: one overlay of 2k and of 20k nodes, applied and
// removed, log on (the compile is cached: this is the simulator's cost).
func BenchmarkBigOverlay(b *testing.B) {
	for _, n := range []int{2000, 20000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) { benchRun(b, bigOverlayProg(b, n)) })
	}
}

// BenchmarkManyApplies: 4000 applies of a one-node overlay, log on.
func BenchmarkManyApplies(b *testing.B) { benchRun(b, manyAppliesProg(b, 4000)) }

// BenchmarkBigProgram: a 50 MB program (bigProgramText: one overlay of
// about 50k nodes with 1 KB of source each), parsed, applied and removed,
// log on and streamed to io.Discard as dangle run streams it.
func BenchmarkBigProgram(b *testing.B) {
	text := bigProgramText(50 << 20)
	b.ReportAllocs()
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p, err := prog.Parse("big.prog", text)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Run(p, Config{Filename: "big.prog", Stream: io.Discard}); err != nil {
			b.Fatal(err)
		}
	}
}
