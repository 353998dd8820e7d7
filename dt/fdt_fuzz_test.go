package dt

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzReadFDT feeds ReadFDT arbitrary bytes, seeded with the valid blobs
// of at most 1 KiB (from testdata/fdt, the overlays of ../../shared/boards
// when present, and valid variants of small.dtb) and every malformed
// case. ReadFDT must not panic; a rejection must be an *FDTError with an
// offset inside the blob; an accepted blob must survive WriteFDT: the
// rewritten blob reads back to an equal tree, and writing that again
// gives the same bytes.
//
// Larger seeds make fuzzing stall: the fuzzer minimizes every input that
// finds new coverage by trying to remove each byte range (quadratic in
// its length, up to -fuzzminimizetime, 60 s), so a mutant of a 1.6 KB
// seed costs a minute per find. The round-trip tests cover the large
// blobs.
func FuzzReadFDT(f *testing.F) {
	const maxSeed = 1024
	var seeds []fdtTestBlob
	seeds = append(seeds, fdtCommittedBlobs(f)...)
	seeds = append(seeds, fdtBoardBlobs(f)...)
	seeds = append(seeds, fdtValidVariants(f)...)
	for _, c := range fdtMalformedCases(f) {
		seeds = append(seeds, fdtTestBlob{c.name, c.blob})
	}
	for _, b := range seeds {
		if len(b.data) <= maxSeed {
			f.Add(b.data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tree, err := ReadFDT("fuzz.dtb", data)
		if err != nil {
			var fe *FDTError
			if !errors.As(err, &fe) {
				t.Fatalf("error %T is not an *FDTError: %v", err, err)
			}
			if fe.Offset < 0 || fe.Offset > len(data) || fe.File != "fuzz.dtb" {
				t.Fatalf("error outside the blob (%d bytes): %v", len(data), err)
			}
			return
		}
		if tree == nil || tree.Root == nil || tree.Root.Name != "" {
			t.Fatalf("ReadFDT returned %#v", tree)
		}
		out := WriteFDT(tree)
		back, err := ReadFDT("rewritten.dtb", out)
		if err != nil {
			t.Fatalf("ReadFDT(WriteFDT(tree)): %v", err)
		}
		if !reflect.DeepEqual(tree, back) {
			t.Fatalf("tree changed through WriteFDT (-read +rewritten):\n%s", cmp.Diff(tree, back))
		}
		if again := WriteFDT(back); !bytes.Equal(again, out) {
			t.Fatalf("WriteFDT is not stable: first difference at 0x%x", fdtFirstDiff(again, out))
		}
	})
}
