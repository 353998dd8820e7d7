package seq

import (
	"bytes"
	"fmt"
	"slices"

	"dangle/prog"
	"dangle/prog/gen"
)

// Model is what the builder knows of the simulator, passed in (seq
// imports neither sim nor dt): the driver catalog, the generator's view
// of a base tree, the kernel profiles.
type Model struct {
	Catalog *gen.Catalog
	// Base returns the generator's view of the base tree name/data (a
	// program's base.dts, or prog.DefaultBase), nil if it does not load.
	Base func(name string, data []byte) *gen.Base
	// Kernels are the profile names a kernel choice picks from.
	Kernels []string
	// CheckKernel reports whether a literal kernel line names a valid
	// profile (nil: whatever prog accepts).
	CheckKernel func(string) bool

	bases map[string]*gen.Base
}

func (m *Model) base(name string, data []byte) *gen.Base {
	key := name + "\x00" + string(data)
	if b, ok := m.bases[key]; ok {
		return b
	}
	if m.bases == nil {
		m.bases = map[string]*gen.Base{}
	}
	b := m.Base(name, data)
	m.bases[key] = b
	return b
}

// Generate builds a program from the choices of c (a seeded gen.Rand):
// no literal files, kernel lines or paths, only what the generators
// write.
func Generate(m *Model, w *Weights, c gen.Choices) *prog.Program {
	b := &builder{m: m, w: w, c: c, generating: true}
	p, _ := b.build()
	return p
}

// Decode builds the program the bytes data encode (see the package
// documentation for the layout). It is total: every input yields a
// valid program of at most MaxOps ops.
func Decode(m *Model, w *Weights, data []byte) *prog.Program {
	p, _ := decode(m, w, data)
	return p
}

// decode is Decode, also returning the validation error that made it
// fall back to the empty program (a builder bug; tests check it is nil).
func decode(m *Model, w *Weights, data []byte) (*prog.Program, error) {
	b := &builder{m: m, w: w, c: NewReader(data)}
	return b.build()
}

// Encode returns bytes that Decode turns into Canonical(p), for a valid
// p within the bounds (MaxOps, MaxFiles, MaxFileBytes…), whose applies
// use .dtso/.dtbo files and whose sched counts are at most
// MaxSchedCount. The swarm it writes enables everything (the full
// swarm), and misuse where p acts on a handle it gave up (a double put).
func Encode(m *Model, w *Weights, p *prog.Program) ([]byte, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	// misuse off first; a program acting on handles it gave up needs
	// it on
	out, err := encode(m, w, p, false)
	if err != nil {
		if out2, err2 := encode(m, w, p, true); err2 == nil {
			return out2, nil
		}
	}
	return out, err
}

func encode(m *Model, w *Weights, p *prog.Program, misuse bool) ([]byte, error) {
	b := &builder{m: m, w: w, enc: &writer{}, tgt: p, tmap: map[*prog.Op]*prog.Op{}, encMisuse: misuse}
	b.c = encChoices{b}
	if _, err := b.build(); err != nil {
		return nil, err
	}
	if b.err != nil {
		return nil, b.err
	}
	return b.enc.b, nil
}

// Canonical returns the program Decode(Encode(p)) gives: p without
// comments, labels and line numbers.
func Canonical(p *prog.Program) *prog.Program {
	c := p.Clone()
	c.Header, c.Trailer = nil, nil
	for _, op := range c.Ops {
		op.Comments, op.Label, op.Line = nil, "", 0
	}
	for i := range c.Files {
		c.Files[i].Line = 0
	}
	return c
}

// builder is one run of the choice stream, decoding (c reads) or
// encoding (enc writes what decoding tgt needs, and c is encChoices).
type builder struct {
	m          *Model
	w          *Weights
	c          gen.Choices
	generating bool

	enc  *writer
	tgt  *prog.Program
	tmap map[*prog.Op]*prog.Op // target op -> built op
	err  error

	p       *prog.Program
	st      *gen.State
	base    *gen.Base
	sw      *gen.Swarm
	enabled []bool
	live    map[*prog.Op]bool
	genOf   map[*prog.Op]*gen.Overlay
	ngen    int

	// misuse says the swarm enables consumer misuse (Weights.Misuse);
	// misusing is set while an op being built took the misuse option,
	// and misused lists the indexes of such ops. encMisuse: Encode's
	// target needs misuse.
	misuse, misusing, encMisuse bool
	misused                     []int
}

// encChoices answers the overlay generator's and the swarm's choices
// while encoding: 0 each (Encode never generates; the swarm is full).
type encChoices struct{ b *builder }

func (e encChoices) Intn(n int) int { return e.b.choose(n, func() int { return 0 }) }

func (b *builder) fail(format string, args ...any) {
	if b.err == nil {
		b.err = fmt.Errorf("seq: encode: "+format, args...)
	}
}

// choose is one choice among n: read, or written as want() says.
func (b *builder) choose(n int, want func() int) int {
	if n <= 1 {
		return 0
	}
	if b.enc == nil {
		return b.c.Intn(n)
	}
	v := want()
	if v < 0 || v >= n {
		b.fail("choice %d out of 0..%d", v, n-1)
		v = 0
	}
	b.enc.choose(n, v)
	return v
}

// yes is a choice with chance pct of true (99 encodes true, 0 false).
func (b *builder) yes(pct int, want func() bool) bool {
	if pct < 1 || pct > 99 {
		panic("seq: chance out of 1..99") // a builder bug: callers clamp
	}
	v := b.choose(100, func() int {
		if want() {
			return 99
		}
		return 0
	})
	return v >= 100-pct
}

// pick chooses an index of weights in proportion (0 to the first
// positive weight); want gives the index to encode.
func (b *builder) pick(weights []int, want func() int) int {
	total := 0
	for _, x := range weights {
		total += x
	}
	r := b.choose(total, func() int {
		i := want()
		if i < 0 || i >= len(weights) || weights[i] == 0 {
			b.fail("cannot encode choice %d (weight 0)", i)
			return 0
		}
		off := 0
		for _, x := range weights[:i] {
			off += x
		}
		return off
	})
	for i, x := range weights {
		if r < x {
			return i
		}
		r -= x
	}
	return 0
}

// str reads a length-prefixed string of at most max bytes (a copy).
func (b *builder) str(max int, want func() []byte) []byte {
	if b.enc != nil {
		s := want()
		if len(s) > max {
			b.fail("string of %d bytes, at most %d", len(s), max)
			s = s[:max]
		}
		b.enc.bytes(max, s)
		return slices.Clone(s)
	}
	if r, ok := b.c.(*Reader); ok {
		return slices.Clone(r.Bytes(max))
	}
	out := make([]byte, b.c.Intn(max+1))
	for i := range out {
		out[i] = byte(b.c.Intn(256))
	}
	return out
}

func (b *builder) build() (*prog.Program, error) {
	b.p = &prog.Program{}
	b.live, b.genOf = map[*prog.Op]bool{}, map[*prog.Op]*gen.Overlay{}
	b.kernel()
	if !b.generating {
		b.files()
	}
	name, data := b.p.Base()
	b.base = b.m.base(name, data)
	if b.base == nil {
		b.p.Files = slices.DeleteFunc(b.p.Files, func(f prog.File) bool {
			return f.Name == prog.DefaultBaseName || f.Name == prog.DefaultBlobBaseName
		})
		b.base = b.m.base(prog.DefaultBaseName, prog.DefaultBase)
	}
	b.st = gen.NewState(b.m.Catalog, b.base)
	b.swarm()
	b.ops()
	if b.generating {
		b.cleanup()
	}
	if err := b.p.Validate(); err != nil {
		return &prog.Program{}, err
	}
	return b.p, nil
}

func (b *builder) kernel() {
	k := b.m.Kernels
	lit := 1
	if b.generating {
		lit = 0
	}
	// none, each profile, then (rarely) a literal kernel line
	weights := make([]int, len(k)+1+lit)
	for i := range weights {
		weights[i] = 8
	}
	if lit == 1 {
		weights[len(k)+1] = 1
	}
	v := b.pick(weights, func() int {
		if b.tgt.Kernel == "" {
			return 0
		}
		if i := slices.Index(k, b.tgt.Kernel); i >= 0 {
			return i + 1
		}
		return len(k) + 1
	})
	switch {
	case v == 0:
	case v <= len(k):
		b.p.Kernel = k[v-1]
	default:
		s := string(b.str(MaxName, func() []byte { return []byte(b.tgt.Kernel) }))
		if (&prog.Program{Kernel: s}).Validate() == nil && s != "" && (b.m.CheckKernel == nil || b.m.CheckKernel(s)) {
			b.p.Kernel = s
		}
	}
}

// files reads the literal files: hand-written overlays, a base tree.
func (b *builder) files() {
	// most inputs have no literal file: a random byte seldom asks for one
	// (up to MaxFiles+MaxGenerated: a decoded program's generated
	// overlays encode as literal files)
	const most = MaxFiles + MaxGenerated
	counts := make([]int, most+1)
	counts[0] = 256 - 4*most
	for i := 1; i <= most; i++ {
		counts[i] = 4
	}
	n := b.pick(counts, func() int {
		if len(b.tgt.Files) > most {
			b.fail("%d files, at most %d", len(b.tgt.Files), most)
			return most
		}
		return len(b.tgt.Files)
	})
	for i := range n {
		want := func() *prog.File { return &b.tgt.Files[i] }
		name := string(b.str(MaxName, func() []byte { return []byte(want().Name) }))
		data := b.str(MaxFileBytes, func() []byte { return want().Data })
		if d := bytes.TrimRight(data, "\n"); len(d) > 0 {
			data = append(d, '\n')
		} else {
			data = nil
		}
		f := prog.File{Name: name, Data: data}
		if b.p.File(name) != nil || (&prog.Program{Files: []prog.File{f}}).Validate() != nil {
			continue
		}
		b.p.Files = append(b.p.Files, f)
	}
}

// swarm reads the program's swarm: a first choice between the full
// swarm (choice 0: every driver, fragment kind, action and op on) and a
// partial one, whose choices follow (gen.NewSwarm's, one on/off per op);
// then, unless Weights.Misuse is 0, whether consumer misuse is on
// (choice 0: off). Encode writes the full swarm, and misuse on only for
// a program that needs it.
func (b *builder) swarm() {
	cat := b.m.Catalog
	b.enabled = make([]bool, len(prog.Ops))
	if b.yes(chance(b.w.Swarm), func() bool { return false }) {
		b.sw = gen.NewSwarm(b.c, cat)
		for i := range prog.Ops {
			b.enabled[i] = b.choose(2, func() int { return 0 }) == 0 || prog.Ops[i].Name == "of_overlay_fdt_apply"
		}
	} else {
		b.sw = gen.FullSwarm(cat)
		for i := range b.enabled {
			b.enabled[i] = true
		}
	}
	if b.w.Misuse > 0 {
		b.misuse = b.yes(chance(b.w.Misuse), func() bool { return b.encMisuse })
	}
	if b.encMisuse && !b.misuse {
		b.fail("the program acts on handles it gave up, and misuse is off")
	}
	if ds := b.w.Drivers; ds != nil {
		on := 0
		for i, d := range cat.Drivers {
			b.sw.Drivers[i] = b.sw.Drivers[i] && slices.Contains(ds, d.Name)
			if b.sw.Drivers[i] {
				on++
			}
		}
		for i, d := range cat.Drivers {
			if on == 0 && slices.Contains(ds, d.Name) {
				b.sw.Drivers[i] = true
			}
		}
	}
	for i, d := range cat.Drivers {
		if slices.Contains(b.w.SkipDrivers, d.Name) {
			b.sw.Drivers[i] = false
		}
	}
}

func (b *builder) ops() {
	kinds := b.w.kinds(b.enabled)
	limit := MaxOps
	if b.generating {
		limit = MaxOps * 2 / 3 // room for cleanup
	}
	for i := 0; len(b.p.Ops) < limit; i++ {
		var t *prog.Op
		if b.tgt != nil && i < len(b.tgt.Ops) {
			t = b.tgt.Ops[i]
		}
		k := b.pick(kinds, func() int {
			if t == nil {
				return 0
			}
			return 1 + int(t.Desc.ID)
		})
		if k == 0 {
			break
		}
		b.op(&prog.Ops[k-1], t)
		var next *prog.Op
		if b.tgt != nil && i+1 < len(b.tgt.Ops) {
			next = b.tgt.Ops[i+1]
		}
		if b.repeat(t, next) && next != nil {
			i++ // (encoding: the repeat was the target's next op)
		}
	}
	if b.tgt != nil && len(b.tgt.Ops) > MaxOps {
		b.fail("%d ops, at most %d", len(b.tgt.Ops), MaxOps)
	}
}

// Info is what building a program recorded besides the program.
type Info struct {
	// Misuse says the swarm enabled consumer misuse (Weights.Misuse).
	Misuse bool
	// Misused are the indexes of the ops that took the misuse option:
	// each acts on a handle the program gave up or never held (a put
	// of a released descriptor, a node reference or device link used
	// after its put).
	// No other op does.
	Misused []int
}

// DecodeInfo is Decode, also returning what the decoding recorded.
func DecodeInfo(m *Model, w *Weights, data []byte) (*prog.Program, Info) {
	b := &builder{m: m, w: w, c: NewReader(data)}
	p, err := b.build()
	if err != nil {
		return p, Info{}
	}
	return p, Info{Misuse: b.misuse, Misused: b.misused}
}

// GenerateInfo is Generate, also returning what it recorded.
func GenerateInfo(m *Model, w *Weights, c gen.Choices) (*prog.Program, Info) {
	b := &builder{m: m, w: w, c: c, generating: true}
	p, _ := b.build()
	return p, Info{Misuse: b.misuse, Misused: b.misused}
}

// repeat is the misuse choice after a release: where the swarm enables
// misuse, the op just built, if it gave up a handle (a put, a link
// deletion, a notifier's unregistration; not an overlay removal), is
// sometimes called again on the same handle — a consumer putting what
// it already put, B6's double gpiod_put. t is the target op just built
// and next the one after it when encoding; it reports whether it
// repeated.
func (b *builder) repeat(t, next *prog.Op) bool {
	if !b.misuse || len(b.p.Ops) == 0 || len(b.p.Ops) >= MaxOps {
		return false
	}
	last := b.p.Ops[len(b.p.Ops)-1]
	key, ok := releases[last.Desc.Name]
	if !ok || last.Result() != prog.TypeNone || last.Desc.Name == "of_overlay_remove" {
		return false
	}
	a := last.Arg(key)
	if a == nil || a.Ref == nil || len(last.Args) != 1 {
		return false
	}
	again := func() bool {
		if t == nil || next == nil || b.tmap[t] != last || next.Desc != last.Desc || len(next.Args) != 1 {
			return false
		}
		na := next.Arg(key)
		return na != nil && na.Ref != nil && na.Ref == t.Arg(key).Ref
	}
	if !b.yes(chance(b.w.MisuseRepeat), again) {
		return false
	}
	op := prog.NewOp(last.Desc, "", prog.RefArg(key, a.Ref))
	b.p.Ops = append(b.p.Ops, op)
	if next != nil {
		b.tmap[next] = op
	}
	b.misused = append(b.misused, len(b.p.Ops)-1)
	b.effects(op, nil)
	return true
}

// DecodeChecked is Decode, also returning the validation error that
// made it fall back to the empty program (a builder bug: tests check
// that it never happens).
func DecodeChecked(m *Model, w *Weights, data []byte) (*prog.Program, error) {
	return decode(m, w, data)
}

// cleanup releases the handles a generated program still holds, newest
// first, as a well-behaved caller does (a reference the program itself
// leaks is the program's bug, not the kernel's): Generate only, the
// byte layout has no room for it.
func (b *builder) cleanup() {
	for i := len(b.p.Ops) - 1; i >= 0 && len(b.p.Ops) < MaxOps; i-- {
		op := b.p.Ops[i]
		if !b.live[op] || op.Result() == prog.TypeOverlay {
			continue
		}
		if op.Result() == prog.TypeLink && !stateless(op) {
			continue // a managed link is the driver core's to drop
		}
		for j := range prog.Ops {
			d := &prog.Ops[j]
			key, ok := releases[d.Name]
			if !ok || d.Arg(key).Type != op.Result() {
				continue
			}
			put := prog.NewOp(d, "", prog.RefArg(key, op))
			b.p.Ops = append(b.p.Ops, put)
			b.effects(put, nil)
			break
		}
	}
}
