package main

import (
	"flag"
	"fmt"
	"os"

	"dangle/sim"
)

// dangle run -fail-list FILE: the fallible steps each op of each program
// reached (sim.Config.FailList), one line each — "op 2 step 3:
// kzalloc in __of_prop_dup (property): -ENOMEM" — so that a person can
// aim fail_nth=3 at op 2. The file is written anew by each dangle run.
var failList struct {
	path string
	f    *os.File
}

// addFailListFlag registers -fail-list on the run command's flags.
func addFailListFlag(fs *flag.FlagSet) {
	failList.path, failList.f = "", nil
	fs.StringVar(&failList.path, "fail-list", "", "write the fallible steps each op reached to `FILE` (aim fail_nth=N with it)")
}

// failListOpen creates the -fail-list file, if one was asked for.
func failListOpen() error {
	if failList.path == "" {
		return nil
	}
	f, err := os.Create(failList.path)
	if err != nil {
		return fmt.Errorf("-fail-list: %v", err)
	}
	failList.f = f
	return nil
}

// failListOn reports whether runs must record their fallible steps.
func failListOn() bool { return failList.f != nil }

// failListWrite appends program name's steps.
func failListWrite(name string, res *sim.Result) {
	if failList.f == nil {
		return
	}
	fmt.Fprintf(failList.f, "=== %s (kernel %s): %d fallible step(s)\n", name, res.Profile, len(res.FailSteps))
	for _, s := range res.FailSteps {
		fmt.Fprintln(failList.f, s.String())
	}
}

// failListClose closes the file.
func failListClose() error {
	if failList.f == nil {
		return nil
	}
	err := failList.f.Close()
	failList.f = nil
	if err != nil {
		return fmt.Errorf("-fail-list: %v", err)
	}
	return nil
}
