package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"dangle/prog"
	"dangle/sim"
	"dangle/sim/drivers"
)

const exportUsage = `usage: dangle export -o DIR FILE.prog

Writes what it takes to try the program outside dangle:
  DIR/*.dts, *.dtso  the program's device-tree sources (base.dts: the
                     built-in board when the program has none; blobs,
                     .dtb/.dtbo, as dtc wrote them)
  DIR/replay.sh      a shell script replaying the ops on a real board:
                     overlays through the overlay configfs interface
                     (/sys/kernel/config/device-tree/overlays/NAME/dtbo),
                     unbind/bind through sysfs and driver_override
  DIR/repro_kunit.c  a KUnit-style test skeleton calling the same kernel
                     functions in the same order (of_overlay_fdt_apply,
                     of_overlay_remove, device_release_driver, gpiod_get…)
Ops with no userspace interface (gpiod_get, of_node_get, run_work, …) are
comments in the script that point to the KUnit skeleton.
`

// cmdExport is "dangle export".
func cmdExport(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "the output `DIR` (created)")
	fs.Usage = func() { fmt.Fprint(stderr, exportUsage) }
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *out == "" || fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	name := fs.Arg(0)
	p, err := loadProgram(name, nil)
	if err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return 2
	}
	files, err := exportProgram(p, name)
	if err != nil {
		fmt.Fprintf(stderr, "dangle export: %s: %v\n", name, err)
		return 2
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintf(stderr, "dangle export: %v\n", err)
		return 2
	}
	for _, f := range files {
		mode := os.FileMode(0o644)
		if strings.HasSuffix(f.name, ".sh") {
			mode = 0o755
		}
		if err := os.WriteFile(filepath.Join(*out, f.name), f.data, mode); err != nil {
			fmt.Fprintf(stderr, "dangle export: %v\n", err)
			return 2
		}
		fmt.Fprintf(stdout, "%s\n", filepath.Join(*out, f.name))
	}
	return 0
}

type exportFile struct {
	name string
	data []byte
}

// exportProgram returns the exported files of p, in a fixed order.
func exportProgram(p *prog.Program, name string) ([]exportFile, error) {
	var files []exportFile
	hasBase := false
	for _, f := range p.Files {
		data := f.Data
		if prog.IsBlob(f.Name) {
			// as dtc wrote it (the program holds it base64-encoded)
			b, err := f.Blob()
			if err != nil {
				return nil, fmt.Errorf("%s: %v", f.Name, err)
			}
			data = b
		}
		hasBase = hasBase || strings.HasPrefix(f.Name, "base.")
		files = append(files, exportFile{f.Name, data})
	}
	if !hasBase {
		files = append(files, exportFile{prog.DefaultBaseName, prog.DefaultBase})
	}
	ops, err := exportOps(p)
	if err != nil {
		return nil, err
	}
	if err := boundDrivers(p, ops); err != nil {
		return nil, err
	}
	files = append(files, exportFile{"replay.sh", []byte(shellScript(p, name, ops))})
	files = append(files, exportFile{"repro_kunit.c", []byte(kunitSkeleton(p, name, ops))})
	return files, nil
}

// exportOp is one op as the exporters see it: its printed form, its name,
// the label of its result and its key=value arguments, node handles
// resolved to the path they were taken on.
type exportOp struct {
	n      int
	text   string
	op     string
	result string
	args   map[string]string
	keys   []string // argument order
	// handles are the node handles (of_node_get results) that args
	// resolved to paths, by key
	handles map[string]string
	// driver is, for device_release_driver and device_attach, the driver
	// the simulator had bound to the node's device before the op (the
	// one to pin with driver_override when binding again), or "".
	driver string
}

// boundDrivers fills exportOp.driver by stepping the program in the
// simulator: before each unbind, the device's driver; a later bind of
// the same node pins that driver.
func boundDrivers(p *prog.Program, ops []exportOp) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("simulator bug: %v", r)
		}
	}()
	k, err := sim.New(p, sim.Config{Quiet: true})
	if err != nil {
		return err
	}
	last := map[string]string{}
	for i := range p.Ops {
		e := &ops[i]
		if e.op == "device_release_driver" || e.op == "device_attach" {
			if np := k.OF.FindNodeByPath(e.args["node"]); np != nil {
				if d := k.Core.DeviceByNode(np); d != nil && d.Driver != nil {
					last[e.args["node"]] = d.Driver.Name
				}
			}
			e.driver = last[e.args["node"]]
		}
		k.Step(i)
	}
	return nil
}

func exportOps(p *prog.Program) ([]exportOp, error) {
	names := p.Names()
	paths := map[string]string{} // node handle -> path
	var out []exportOp
	for i := range p.Ops {
		text := p.OpString(i, names)
		e := exportOp{n: i + 1, text: text, args: map[string]string{}, handles: map[string]string{}}
		rest := text
		if l, r, ok := strings.Cut(text, " = "); ok && !strings.Contains(l, " ") {
			e.result, rest = l, r
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			return nil, fmt.Errorf("op %d: empty", i+1)
		}
		e.op = fields[0]
		for _, kv := range fields[1:] {
			k, v, _ := strings.Cut(kv, "=")
			e.args[k] = v
			e.keys = append(e.keys, k)
		}
		for _, k := range []string{"node", "consumer", "supplier"} {
			if v, ok := e.args[k]; ok && !strings.HasPrefix(v, "/") {
				if path, ok := paths[v]; ok {
					e.args[k] = path
					e.handles[k] = v
				}
			}
		}
		if e.op == "of_node_get" && e.result != "" {
			paths[e.result] = e.args["node"]
		}
		out = append(out, e)
	}
	return out, nil
}

// driverName is the catalog driver of a compatible ("atmel,24c32" -> at24).
func driverName(compat string) string {
	for _, d := range drivers.Catalog() {
		for _, c := range d.OfMatch {
			if c == compat {
				return d.Name
			}
		}
	}
	return compat
}

// cIdent turns a name into a C identifier.
func cIdent(s string) string {
	var b strings.Builder
	for _, c := range s {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' {
			b.WriteRune(c)
		} else {
			b.WriteByte('_')
		}
	}
	r := b.String()
	if r == "" || r[0] >= '0' && r[0] <= '9' {
		r = "_" + r
	}
	return r
}

// blobBase is an overlay file's name without its suffix.
func blobBase(file string) string {
	for _, sfx := range []string{".dtso", ".dtbo", ".dts"} {
		if b, ok := strings.CutSuffix(file, sfx); ok {
			return b
		}
	}
	return file
}
