package sim

import (
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"testing"

	"dangle/prog"
)

func TestZZHeap(t *testing.T) {
	out := os.Getenv("HEAPOUT")
	if out == "" {
		t.Skip()
	}
	runtime.MemProfileRate = 4096
	text := bigProgramText(50 << 20)
	p, err := prog.Parse("big.prog", text)
	if err != nil {
		t.Fatal(err)
	}
	text = nil
	k, err := New(p, Config{Filename: "big.prog", Stream: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	dump := func(name string) {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		t.Logf("%s: heap inuse %d MB", name, ms.HeapAlloc>>20)
		f, _ := os.Create(out + "." + name)
		pprof.Lookup("heap").WriteTo(f, 0)
		f.Close()
	}
	dump("new")
	k.Step(0)
	dump("apply")
	k.Step(1)
	dump("remove")
	k.Teardown()
	dump("teardown")
	runtime.KeepAlive(k)
}
