package main

import (
	"fmt"
	"io"

	"dangle/crash"
	"dangle/prog"
)

// triageStressDirs merges soak outputs (cmd/stress -out directories,
// one crasher directory per title, possibly only raw) into out through
// crash.Write: the same title from several shards becomes one crasher,
// the smaller repro kept. It handles the call (ok) only when every dir
// holds crasher directories; go test -fuzz directories are left to the
// caller.
func triageStressDirs(dirs []string, out string, strict bool, stdout, stderr io.Writer) (status int, ok bool) {
	var all [][]*crash.Crasher
	for _, d := range dirs {
		cs, err := crash.Load(d)
		if err != nil || len(cs) == 0 {
			return 0, false
		}
		all = append(all, cs)
	}
	for _, cs := range all {
		for _, c := range cs {
			p, minimized := c.Prog, c.Prog != nil
			if p == nil {
				q, err := prog.ParseFile(c.Raw[0])
				if err != nil {
					fmt.Fprintf(stderr, "dangle triage: %v\n", err)
					status = 2
					continue
				}
				p = q
			}
			w, err := crash.Write(out, p, c.Title, crash.Options{Profile: p.Kernel, NoMinimize: minimized, Strict: strict,
				FoundBy: []string{c.Dir}})
			if err != nil {
				fmt.Fprintf(stderr, "dangle triage: %s: %v\n", c.Dir, err)
				status = 2
				continue
			}
			how := "new"
			if w.Merged {
				how = "merged"
			}
			fmt.Fprintf(stdout, "%s: %s -> %s (%s)\n", c.Dir, c.Title, w.Dir, how)
		}
	}
	return status, true
}
