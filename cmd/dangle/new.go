package main

import (
	"bytes"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/tools/txtar"

	"dangle/dt"
	"dangle/prog"
	"dangle/sim"
	"dangle/sim/profile"
)

// cmdNew is dangle new: a program from a developer's own overlays (sources
// or compiled .dtbo blobs) and board, with the default op sequence (apply
// each overlay in order, then remove them topmost first) and comments
// saying what to edit. The program is written as text in the program
// format (prog/doc.go) and checked by running it before it is written.
func cmdNew(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("new", flag.ContinueOnError)
	out := fs.String("o", "", "write the program to `OUT.prog` (\"-\": stdout)")
	baseFile := fs.String("base", "", "the board's tree `FILE.dtb|FILE.dts` (default: the built-in base tree)")
	kernel := fs.String("kernel", profile.Default, "the program's kernel line: a `PROFILE`")
	var include stringList
	fs.Var(&include, "I", "include `DIR` for sources that need cpp (repeatable): used to check the program; run it with the same -I")
	rest, code := parseFlags(fs, args, "dangle new [-base FILE.dtb|FILE.dts] [-kernel P] [-I DIR]... -o OUT.prog OVERLAY.dtso|OVERLAY.dtbo... ['OP LINE'...]\n(op lines, e.g. 'device_release_driver node=/soc/i2c@3000', run between the applies and the removes)", stdout, stderr)
	if code >= 0 {
		return code
	}
	var overlays, ops []string
	for _, a := range rest {
		if isOpLine(a) {
			ops = append(ops, a)
		} else {
			overlays = append(overlays, a)
		}
	}
	if *out == "" || len(overlays) == 0 {
		fmt.Fprintln(stderr, "dangle new: need -o OUT.prog and at least one overlay (\"dangle new -h\" for help)")
		return 2
	}
	if _, err := profile.Parse(*kernel); err != nil {
		fmt.Fprintf(stderr, "dangle new: -kernel: %v\n", err)
		return 2
	}
	text, err := newProgram(*baseFile, *kernel, include, overlays, ops)
	if err != nil {
		fmt.Fprintf(stderr, "dangle new: %v\n", err)
		return 2
	}
	if err := checkNew(*out, text, include); err != nil {
		fmt.Fprintf(stderr, "dangle new: the program does not run: %v\n", err)
		return 2
	}
	if *out == "-" {
		stdout.Write(text)
		return 0
	}
	if err := os.WriteFile(*out, text, 0o644); err != nil {
		fmt.Fprintf(stderr, "dangle new: %v\n", err)
		return 2
	}
	runCmd := "dangle run"
	for _, d := range include {
		runCmd += " -I " + shellQuote(d)
	}
	fmt.Fprintf(stdout, "wrote %s: %d overlay(s); run it with: %s %s (add -kernel all for every profile)\n",
		*out, len(overlays), runCmd, shellQuote(*out))
	return 0
}

// newProgram builds the program text.
func newProgram(baseFile, kernel string, include, overlays, ops []string) ([]byte, error) {
	var files []txtar.File
	used := map[string]bool{prog.DefaultBaseName: true, prog.DefaultBlobBaseName: true}
	cpp := false
	var from []string
	if baseFile != "" {
		if _, err := loadBase(baseFile, include); err != nil {
			return nil, fmt.Errorf("-base: %v", err)
		}
		data, err := os.ReadFile(baseFile)
		if err != nil {
			return nil, err
		}
		name := prog.DefaultBaseName
		if prog.IsBlob(baseFile) {
			name, data = prog.DefaultBlobBaseName, base64Lines(data)
		} else {
			cpp = cpp || dt.NeedsCPP(data)
		}
		files = append(files, txtar.File{Name: name, Data: data})
		from = append(from, filepath.Base(baseFile))
	}
	var names []string
	for _, path := range overlays {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		var name string
		switch filepath.Ext(path) {
		case ".dtbo":
			if _, err := dt.ReadFDT(path, data); err != nil {
				return nil, fmt.Errorf("%v (the blob is corrupt: give dtc -@'s output)", err)
			}
			name, data = archiveName(path, ".dtbo", used), base64Lines(data)
		case ".dtso", ".dts":
			name = archiveName(path, ".dtso", used)
			cpp = cpp || dt.NeedsCPP(data)
		default:
			return nil, fmt.Errorf("%s: want an overlay source (.dtso) or blob (.dtbo)", path)
		}
		if !needsInclude(data, include) {
			src := &sim.Source{Name: path, Data: data}
			if tree, err := sim.LoadTree(src); err == nil && overlayTree(src, tree) == "" && !fragmentsOnly(tree) {
				return nil, fmt.Errorf("%s is not an overlay (no /plugin/, no fragments): a board's tree goes to -base", path)
			}
		}
		names = append(names, name)
		files = append(files, txtar.File{Name: name, Data: data})
		from = append(from, filepath.Base(path))
	}

	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", prog.Version)
	fmt.Fprintf(&b, "# title: %s\n", strings.Join(from, " + "))
	b.WriteString("# Written by dangle new. Edit it: the ops apply each overlay in order,\n")
	b.WriteString("# then remove them topmost first, as of_overlay_remove() requires. Put\n")
	b.WriteString("# your own steps between them (\"dangle ops\" lists every op, e.g.\n")
	b.WriteString("# device_release_driver node=/path, of_node_get, gpiod_get, run_work).\n")
	if baseFile == "" {
		b.WriteString("# No -base: the overlays apply to the built-in base tree (prog/base.dts).\n")
	}
	if cpp {
		b.WriteString("# The sources use the C preprocessor: run with dangle run -I DIR.\n")
	}
	b.WriteString("# Change the kernel line, or try every profile: dangle run -kernel all FILE.\n")
	fmt.Fprintf(&b, "kernel %s\n", kernel)
	for i, n := range names {
		fmt.Fprintf(&b, "# apply %s\n", n)
		fmt.Fprintf(&b, "ov%d = of_overlay_fdt_apply blob=%s\n", i+1, n)
	}
	if len(ops) > 0 {
		b.WriteString("# your ops, from the command line\n")
		for _, op := range ops {
			fmt.Fprintf(&b, "%s\n", strings.Join(strings.Fields(op), " "))
		}
	}
	b.WriteString("# remove the overlays, topmost first\n")
	for i := len(names); i >= 1; i-- {
		fmt.Fprintf(&b, "of_overlay_remove ov=ov%d\n", i)
	}
	for i := range files {
		if d := files[i].Data; len(d) > 0 && d[len(d)-1] != '\n' {
			files[i].Data = append(d, '\n')
		}
	}
	return txtar.Format(&txtar.Archive{Comment: []byte(b.String()), Files: files}), nil
}

// archiveName turns a file path into an archive file name: the base name
// with suffix, characters the program format does not allow replaced by
// '-', made unique.
func archiveName(path, suffix string, used map[string]bool) string {
	stem := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	stem = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', strings.ContainsRune("_.,+-", r):
			return r
		}
		return '-'
	}, stem)
	if stem == "" {
		stem = "overlay"
	}
	name := stem + suffix
	for i := 2; used[name]; i++ {
		name = fmt.Sprintf("%s-%d%s", stem, i, suffix)
	}
	used[name] = true
	return name
}

// base64Lines is base64 -w76.
func base64Lines(data []byte) []byte {
	s := base64.StdEncoding.EncodeToString(data)
	var b bytes.Buffer
	for len(s) > 76 {
		b.WriteString(s[:76] + "\n")
		s = s[76:]
	}
	b.WriteString(s + "\n")
	return b.Bytes()
}

// checkNew parses and runs the new program once, as dangle run would.
func checkNew(name string, text []byte, include []string) error {
	p, err := parseProgram(name, text, include)
	if err != nil {
		return err
	}
	_, err = sim.Run(p, sim.Config{Filename: name, Quiet: true})
	return err
}

// isOpLine reports whether a dangle new argument is an op line ("op k=v…"
// or "name = op …") rather than an overlay file.
func isOpLine(a string) bool {
	f := strings.Fields(a)
	if len(f) >= 3 && f[1] == "=" {
		f = f[2:]
	}
	return len(f) > 0 && prog.Lookup(f[0]) != nil
}

// needsInclude reports whether a source can only be read after cpp.
func needsInclude(data []byte, include []string) bool {
	return len(include) > 0 || dt.NeedsCPP(data)
}

// fragmentsOnly reports whether a tree is an overlay written out in
// fragment form (a decompiled .dtbo, no /plugin/): every root child is a
// fragment with an __overlay__ or one of the fixup nodes.
func fragmentsOnly(tree *dt.Tree) bool {
	n := 0
	for _, c := range tree.Root.Children {
		switch {
		case c.Name == "__fixups__" || c.Name == "__local_fixups__" || c.Name == "__symbols__":
		case child(c, "__overlay__") != nil:
			n++
		default:
			return false
		}
	}
	return n > 0
}
