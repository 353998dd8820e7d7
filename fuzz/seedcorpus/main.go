// Command seedcorpus writes the seed corpus of a fuzz target for
// libFuzzer and ClusterFuzzLite (.clusterfuzzlite/build.sh,
// scripts/libfuzzer.sh): one file per corpus program and crasher, as the
// target reads its input — encoded by the byte decoder's inverse
// (seq.Encode with the target's weights) for FuzzLifecycle, FuzzOverlay,
// FuzzDevlink and FuzzGPIO, the program text for FuzzProgText, each
// device-tree source for FuzzDTS.
//
//	go run ./fuzz/seedcorpus -o DIR [-target FuzzLifecycle] [-root .]
//
// Under libFuzzer the seeds of one directory serve every byte target;
// the narrower targets decode them to other (valid) programs.
package main

import (
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
	flag.Parse()
	if *out == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: seedcorpus -o DIR [-target NAME] [-root DIR]")
		os.Exit(2)
	}
	if err := write(*out, *target, *root); err != nil {
		fmt.Fprintf(os.Stderr, "seedcorpus: %v\n", err)
		os.Exit(1)
	}
}

func write(out, target, root string) error {
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
			if err := os.WriteFile(filepath.Join(out, fn), data, 0o644); err != nil {
				return err
			}
			n++
		}
	}
	fmt.Printf("seedcorpus: %d files in %s\n", n, out)
	return nil
}
