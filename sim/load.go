package sim

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"dangle/dt"
	"dangle/prog"
)

// Source is a device tree given by name and content: a source (.dts,
// .dtso) or a flattened blob (.dtb, .dtbo, raw bytes).
type Source struct {
	Name string
	Data []byte
}

// ReadSource reads a device-tree file from disk (for -base).
func ReadSource(path string) (*Source, error) {
	switch filepath.Ext(path) {
	case ".dts", ".dtb":
	default:
		return nil, fmt.Errorf("%s: want a .dts or .dtb file", path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return &Source{Name: path, Data: data}, nil
}

// isBlobName reports whether name is a flattened tree (.dtb, .dtbo).
func isBlobName(name string) bool {
	return strings.HasSuffix(name, ".dtb") || strings.HasSuffix(name, ".dtbo")
}

// LoadTree turns a device tree into the compiled form the simulator
// unflattens: sources are compiled as dtc -@ would (so base trees get
// __symbols__ and overlays their fixups), blobs are read as they are. This
// is the one place base trees are loaded, for every command.
func LoadTree(src *Source) (*dt.Tree, error) {
	if isBlobName(src.Name) {
		return dt.ReadFDT(src.Name, src.Data)
	}
	tree, _, err := dt.Load(src.Name, src.Data, dt.CompileOptions{Symbols: true})
	return tree, err
}

// programSource returns an archive file as a Source (blob files decoded).
func programSource(f *prog.File) (*Source, error) {
	if prog.IsBlob(f.Name) {
		b, err := f.Blob()
		if err != nil {
			return nil, err
		}
		return &Source{Name: f.Name, Data: b}, nil
	}
	return &Source{Name: f.Name, Data: f.Data}, nil
}
