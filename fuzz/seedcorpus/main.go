// Command seedcorpus writes the seed corpus of a fuzz target for
// libFuzzer and ClusterFuzzLite (.clusterfuzzlite/build.sh,
// scripts/libfuzzer.sh): one file per corpus program and crasher, as the
// target reads its input — encoded by the byte decoder's inverse
// (seq.Encode with the target's weights) for FuzzLifecycle, FuzzOverlay,
// FuzzDevlink and FuzzGPIO, the program text for FuzzProgText, each
// device-tree source for FuzzDTS.
//
//	go run ./fuzz/seedcorpus -o DIR [-target FuzzLifecycle] [-root .] [-raw]
//
// Each file is framed as go-118-fuzz-build's libFuzzer harness reads a
// target's single []byte argument (go-fuzz-headers' GetBytes: a
// big-endian uint32 length, here the exact length of the rest, then the
// bytes), so the binary's target sees exactly the seed; -raw writes the
// bare bytes (go test's own corpus format is testdata/fuzz, not this).
//
// Under libFuzzer the seeds of one directory serve every byte target;
// the narrower targets decode them to other (valid) programs.
package main

import (
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"dangle/fuzz"
	"dangle/prog/seq"
)

func main() {
	out := flag.String("o", "", "output `DIR` (created)")
	target := flag.String("target", "FuzzLifecycle", "the fuzz target whose input format to write")
	root := flag.String("root", ".", "the repository root (corpus/ and crashers/)")
	raw := flag.Bool("raw", false, "write the bare inputs, without go-118-fuzz-build's length framing")
	flag.Parse()
	if *out == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: seedcorpus -o DIR [-target NAME] [-root DIR]")
		os.Exit(2)
	}
	if err := write(*out, *target, *root, *raw); err != nil {
		fmt.Fprintf(os.Stderr, "seedcorpus: %v\n", err)
		os.Exit(1)
	}
}

func write(out, target, root string, raw bool) error {
	seeds, err := fuzz.LoadSeeds(root)
	if err != nil {
		return err
	}
	if len(seeds) == 0 {
		return fmt.Errorf("no programs in %s/corpus or %s/crashers", root, root)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	m, w := fuzz.NewModel(), fuzz.TargetWeights(target)
	n := 0
	for _, s := range seeds {
		rel, _ := filepath.Rel(root, s.Path)
		name := strings.NewReplacer("/", "-", ".prog", "").Replace(rel)
		var files map[string][]byte
		switch target {
		case "FuzzProgText":
			files = map[string][]byte{name: s.Prog.Print()}
		case "FuzzDTS":
			files = map[string][]byte{}
			for _, f := range s.Prog.Files {
				if strings.HasSuffix(f.Name, ".dts") || strings.HasSuffix(f.Name, ".dtso") {
					files[name+"-"+f.Name] = f.Data
				}
			}
		default:
			b, err := seq.Encode(m, &w, s.Prog)
			if err != nil {
				return fmt.Errorf("%s: %v", s.Path, err)
			}
			files = map[string][]byte{name: b}
		}
		for fn, data := range files {
			if !raw {
				data = frame(data)
			}
			if err := os.WriteFile(filepath.Join(out, fn), data, 0o644); err != nil {
				return err
			}
			n++
		}
	}
	fmt.Printf("seedcorpus: %d files in %s\n", n, out)
	return nil
}

// frame is data as go-118-fuzz-build's harness expects a []byte
// argument: GetBytes reads a big-endian uint32 length (0 means 30; a
// length equal to what is left is taken whole) and then the bytes.
func frame(data []byte) []byte {
	out := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	return append(out, data...)
}
