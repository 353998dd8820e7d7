package of

import (
	"bytes"
	"encoding/binary"
	"strconv"
	"strings"
)

const ofPhandleIllegal = 0xffffffff

// prResolver prints with resolver.c's pr_fmt.
func (t *OF) prResolver(format string, args ...any) { t.log.Printf("OF: resolver: "+format, args...) }

// resolvePhandles is of_resolve_phandles() (drivers/of/resolver.c): shift
// the overlay's own phandles above the live tree's largest, patch the
// references listed in __local_fixups__, then resolve every label in
// __fixups__ through the live tree's /__symbols__.
//
// Messages follow resolver_errors: v5.7-v6.14 end every failure with
// "overlay phandle fixup failed: %d"; since 5275e8b5293f (v6.15) each
// failure prints its own line only, and that line only for a malformed
// __fixups__ value.
func (t *OF) resolvePhandles(overlay *Node) (err error) {
	trailer := t.prof.Is("resolver_errors", "fixup-failed")
	defer func() {
		if err != nil && trailer {
			t.prResolver("overlay phandle fixup failed: %d", Errno(err))
		}
	}()
	if !overlay.Check(OF_DETACHED) {
		t.prResolver("overlay not detached")
		return EINVAL
	}
	delta := t.liveTreeMaxPhandle() + 1
	w := cow{}
	adjustOverlayPhandles(w, overlay, delta)

	var localFixups, fixups *Node
	for c := range overlay.Children() {
		if c.Name() == "__local_fixups__" && localFixups == nil {
			localFixups = c
		}
	}
	if err := adjustLocalPhandleReferences(w, localFixups, overlay, delta); err != nil {
		return err
	}
	for c := range overlay.Children() {
		if c.Name() == "__fixups__" { // the last one wins: the kernel's loop has no break
			fixups = c
		}
	}
	if fixups == nil {
		return nil
	}
	symbols := t.FindNodeByPath("/__symbols__")
	if symbols == nil {
		t.prResolver("no symbols in root of device tree.")
		return EINVAL
	}
	for _, prop := range fixups.Props {
		if prop.Name == "name" { // skip properties added automatically
			continue
		}
		sp := symbols.Prop(prop.Name)
		refpath, ok := "", false
		if sp != nil {
			refpath, ok = sp.ReadString()
		}
		if !ok {
			t.prResolver("node label '%s' not found in live devicetree symbols table", prop.Name)
			return EINVAL
		}
		refnode := t.FindNodeByPath(refpath)
		if refnode == nil {
			return ENOENT
		}
		err := error(nil)
		// update_usages_of_a_phandle_reference() starts with a
		// kmemdup() of the fixup value: -ENOMEM
		if t.ShouldFail("kmemdup", "update_usages_of_a_phandle_reference", ENOMEM) {
			err = ENOMEM
		} else {
			err = updateUsagesOfAPhandleReference(w, overlay, prop, refnode.Phandle)
		}
		if err != nil {
			if !trailer {
				t.prResolver("overlay phandle fixup failed: %d", Errno(err))
			}
			return err
		}
	}
	return nil
}

// cow gives the resolver a property's value to patch in place. The
// kernel's unflattened overlay properties point into new_fdt, its own
// kmemdup() of the blob, which the resolver patches; the model's point
// into the compiled tree (unflattenAt), which other runs and the cache
// share, so a property gets its own copy of its value before its first
// patch, once per resolution. Only patched values are copied.
type cow map[*Property]bool

func (w cow) value(p *Property) []byte {
	if !w[p] {
		p.Value = bytes.Clone(p.Value)
		w[p] = true
	}
	return p.Value
}

// liveTreeMaxPhandle is live_tree_max_phandle().
func (t *OF) liveTreeMaxPhandle() uint32 {
	var max uint32
	t.AllNodes(func(n *Node) bool {
		if n.Phandle != ofPhandleIllegal && n.Phandle > max {
			max = n.Phandle
		}
		return true
	})
	return max
}

// adjustOverlayPhandles is adjust_overlay_phandles(): the whole overlay
// tree, root included, with the "phandle"/"linux,phandle" values.
func adjustOverlayPhandles(w cow, n *Node, delta uint32) {
	if n.Phandle != 0 && n.Phandle != ofPhandleIllegal {
		n.Phandle += delta
	}
	for _, p := range n.Props {
		if (p.Name == "phandle" || p.Name == "linux,phandle") && len(p.Value) >= 4 {
			if v, _ := p.U32(); v != ofPhandleIllegal {
				binary.BigEndian.PutUint32(w.value(p), n.Phandle)
			}
		}
	}
	for c := range n.Children() {
		adjustOverlayPhandles(w, c, delta)
	}
}

func isPseudoProperty(name string) bool {
	return name == "name" || name == "phandle" || name == "linux,phandle"
}

// adjustLocalPhandleReferences is adjust_local_phandle_references(): walk
// __local_fixups__ in parallel with the overlay, adding delta to every
// listed offset. Malformed entries are -EINVAL without a message.
func adjustLocalPhandleReferences(w cow, local, overlay *Node, delta uint32) error {
	if local == nil {
		return nil
	}
	for _, pf := range local.Props {
		if isPseudoProperty(pf.Name) {
			continue
		}
		if len(pf.Value)%4 != 0 || len(pf.Value) == 0 {
			return EINVAL
		}
		prop := overlay.Prop(pf.Name)
		if prop == nil {
			return EINVAL
		}
		for i := 0; i < len(pf.Value); i += 4 {
			off := int(binary.BigEndian.Uint32(pf.Value[i:]))
			if off < 0 || off+4 > len(prop.Value) {
				return EINVAL
			}
			v := binary.BigEndian.Uint32(prop.Value[off:])
			binary.BigEndian.PutUint32(w.value(prop)[off:], v+delta)
		}
	}
	for lc := range local.Children() {
		var oc *Node
		for c := range overlay.Children() {
			if strings.EqualFold(c.FullName, lc.FullName) {
				oc = c
				break
			}
		}
		if oc == nil {
			return EINVAL
		}
		if err := adjustLocalPhandleReferences(w, lc, oc, delta); err != nil {
			return err
		}
	}
	return nil
}

// updateUsagesOfAPhandleReference is update_usages_of_a_phandle_reference():
// each NUL-separated "path:prop:offset" of the __fixups__ value gets the
// phandle written at offset. A path not in the overlay is skipped silently.
func updateUsagesOfAPhandleReference(w cow, overlay *Node, fixup *Property, ph uint32) error {
	for _, s := range strings.Split(strings.TrimSuffix(string(fixup.Value), "\x00"), "\x00") {
		path, rest, ok := strings.Cut(s, ":")
		if !ok {
			return EINVAL
		}
		pname, offs, ok := strings.Cut(rest, ":")
		if !ok {
			return EINVAL
		}
		off, err := strconv.Atoi(offs)
		if err != nil {
			return EINVAL
		}
		refnode := findPath(overlay, path)
		if refnode == nil {
			continue
		}
		prop := refnode.Prop(pname)
		if prop == nil {
			return ENOENT
		}
		if off < 0 || off+4 > len(prop.Value) {
			return EINVAL
		}
		binary.BigEndian.PutUint32(w.value(prop)[off:], ph)
	}
	return nil
}
