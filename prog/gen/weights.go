package gen

import "math/rand/v2"

// Choices is the source of every decision the generator makes, so that
// a PRNG and a fuzzer's byte stream can drive the same generator.
//
// Intn returns a number in [0, n) for n >= 1. The generator treats 0 as
// the plainest choice everywhere: the first option, "no more", "no
// optional part". A Choices that returns 0 forever (an exhausted byte
// stream) therefore yields a small valid overlay.
type Choices interface {
	Intn(n int) int
}

// Rand is a Choices reading a seeded PCG (math/rand/v2).
type Rand struct{ r *rand.Rand }

// NewRand returns the Choices of seed.
func NewRand(seed uint64) *Rand { return &Rand{rand.New(rand.NewPCG(seed, 0x6461_6e67_6c65))} }

// Intn implements Choices.
func (r *Rand) Intn(n int) int { return r.r.IntN(n) }

// FragKind is how a fragment names its target.
type FragKind int

// The fragment kinds, in the order the generator prefers them.
const (
	FragLabel      FragKind = iota // &label { … };
	FragPath                       // &{/path} { … };
	FragTarget                     // fragment@N { target = <&label>; __overlay__ { … }; };
	FragTargetPath                 // fragment@N { target-path = "/path"; __overlay__ { … }; };
	NumFragKinds
)

var fragNames = [...]string{"label", "path", "target", "target-path"}

func (k FragKind) String() string { return fragNames[k] }

// Reject is the class of defect an overlay carries that the kernel must
// refuse, or Valid.
type Reject int

// The classes (sim/testdata/scenarios/bad_overlays.txt has one of each;
// README "Where dangle and fdtoverlay differ").
const (
	Valid            Reject = iota
	RejectDupNode           // two fragments add the same node
	RejectDupProp           // two fragments set the same property
	RejectUnresolved        // a label the live __symbols__ does not have
	RejectNoTarget          // a target path not in the live tree
	RejectCells             // a changed #address-cells or #size-cells
	RejectPhandle           // a phandle on a live node that has one
	RejectLabel             // a label the live __symbols__ already has
	NumRejects
)

var rejectNames = [...]string{"valid", "dup-node", "dup-prop", "unresolved-label", "missing-target",
	"cells", "phandle", "label-redefined"}

func (r Reject) String() string { return rejectNames[r] }

// Action is what a fragment does to its target.
type Action int

// The actions.
const (
	ActDevices  Action = iota // add device nodes (with their children) under a bus
	ActProps                  // add or update properties
	ActStatus                 // toggle status ("okay" <-> "disabled")
	ActConsumer               // add a driverless GPIO consumer node (consumer.go)
	NumActions
)

// Weights are every tunable of generation, in one place. Fields named
// as percentages are chances out of 100; arrays are relative weights.
type Weights struct {
	// Reject weighs Valid against each reject class.
	Reject [NumRejects]int
	// Frag weighs the target syntaxes.
	Frag [NumFragKinds]int
	// Action weighs what a fragment does.
	Action [NumActions]int
	// MaxFragments bounds the fragments written by choice (providers
	// created for consumers and reject classes may add more);
	// MoreFragments is the chance of one more.
	MaxFragments, MoreFragments int
	// MaxDevices bounds the device nodes a fragment adds under its
	// target; MoreDevices is the chance of one more.
	MaxDevices, MoreDevices int
	// MaxNodes bounds the nodes of one overlay.
	MaxNodes int
	// Nest is the chance that a new bus gets children; MaxDepth bounds
	// the nesting of new buses.
	Nest, MaxDepth int
	// MaxChildren bounds the child nodes a driver reads (LEDs).
	MaxChildren int
	// OptionalSupply and OptionalProp are the chances an optional
	// supply or property is written (choice 0 writes a supply, and
	// leaves a property out).
	OptionalSupply, OptionalProp int
	// Ref weighs where a supplier comes from: the base tree, an earlier
	// overlay, a node of this overlay, or a new provider node added for
	// it (in a fragment of its own or beside the consumer).
	RefBase, RefEarlier, RefSame, RefNew int
	// Disabled is the chance a new node is written with status =
	// "disabled"; Label the chance a node that provides nothing gets a
	// label anyway (so later overlays can target it).
	Disabled, Label int
	// MaxProps bounds the properties an ActProps fragment writes.
	MaxProps int
}

// DefaultWeights are the weights the tests and fuzzers use. Each reject
// class weighs 1 in 100; consumer nodes (ActConsumer) weigh 0: FuzzGPIO
// turns them on (seq.GPIOWeights).
func DefaultWeights() Weights {
	return Weights{
		Reject:         [NumRejects]int{Valid: 93, RejectDupNode: 1, RejectDupProp: 1, RejectUnresolved: 1, RejectNoTarget: 1, RejectCells: 1, RejectPhandle: 1, RejectLabel: 1},
		Frag:           [NumFragKinds]int{FragLabel: 5, FragPath: 2, FragTarget: 2, FragTargetPath: 1},
		Action:         [NumActions]int{ActDevices: 7, ActProps: 2, ActStatus: 2, ActConsumer: 0},
		MaxFragments:   4,
		MoreFragments:  45,
		MaxDevices:     3,
		MoreDevices:    35,
		MaxNodes:       16,
		Nest:           60,
		MaxDepth:       2,
		MaxChildren:    3,
		OptionalSupply: 75,
		OptionalProp:   10,
		RefBase:        2,
		RefEarlier:     3,
		RefSame:        3,
		RefNew:         4,
		Disabled:       8,
		Label:          40,
		MaxProps:       2,
	}
}

// Swarm is the per-program part of generation (swarm testing, Groce et
// al. 2012): which drivers, fragment kinds and actions one program uses,
// so that programs differ in kind and not only in detail. Something
// disabled is never chosen, except as the fallback when nothing enabled
// fits (a fragment needs some target syntax).
type Swarm struct {
	// Drivers is indexed like Catalog.Drivers.
	Drivers []bool
	Frags   [NumFragKinds]bool
	Actions [NumActions]bool
}

// FullSwarm enables everything.
func FullSwarm(cat *Catalog) *Swarm {
	sw := &Swarm{Drivers: make([]bool, len(cat.Drivers))}
	for i := range sw.Drivers {
		sw.Drivers[i] = true
	}
	for i := range sw.Frags {
		sw.Frags[i] = true
	}
	for i := range sw.Actions {
		sw.Actions[i] = true
	}
	return sw
}

// NewSwarm chooses a swarm: each driver, fragment kind and action is
// enabled with chance 1/2 (choice 0 enables it, so an exhausted Choices
// enables everything), with at least one fragment kind and ActDevices
// whenever no other action is on.
func NewSwarm(c Choices, cat *Catalog) *Swarm {
	sw := &Swarm{Drivers: make([]bool, len(cat.Drivers))}
	for i := range sw.Drivers {
		sw.Drivers[i] = c.Intn(2) == 0
	}
	any := false
	for i := range sw.Frags {
		sw.Frags[i] = c.Intn(2) == 0
		any = any || sw.Frags[i]
	}
	if !any {
		sw.Frags[FragLabel] = true
	}
	any = false
	for i := range sw.Actions {
		sw.Actions[i] = c.Intn(2) == 0
		any = any || sw.Actions[i]
	}
	if !any {
		sw.Actions[ActDevices] = true
	}
	return sw
}

// pick returns an index of weights chosen in proportion to its weight;
// 0 goes to the first positive weight. All weights zero: -1.
func pick(c Choices, weights []int) int {
	total := 0
	for _, w := range weights {
		total += max(w, 0)
	}
	if total == 0 {
		return -1
	}
	r := c.Intn(total)
	for i, w := range weights {
		if w <= 0 {
			continue
		}
		if r < w {
			return i
		}
		r -= w
	}
	panic("unreachable")
}

// yes is true with chance pct/100; choice 0 says no.
func yes(c Choices, pct int) bool {
	if pct <= 0 {
		return false
	}
	if pct >= 100 {
		return true
	}
	return c.Intn(100) >= 100-pct
}

// likely is true with chance pct/100 like yes, but choice 0 says yes:
// for the parts the plainest overlay has (a device's supplies).
func likely(c Choices, pct int) bool {
	if pct <= 0 {
		return false
	}
	if pct >= 100 {
		return true
	}
	return c.Intn(100) < pct
}

// NewWeights chooses weights for one program, for fuzzers that let the
// input pick them too: each field keeps its DefaultWeights value on
// choice 0 (so an exhausted Choices gives the defaults), else takes a
// value in its field's range, zero and extremes included.
func NewWeights(c Choices) Weights {
	w := DefaultWeights()
	rel := func(p *int) {
		if c.Intn(2) != 0 {
			*p = c.Intn(10)
		}
	}
	pct := func(p *int) {
		if c.Intn(2) != 0 {
			*p = c.Intn(101)
		}
	}
	bound := func(p *int, hi int) {
		if c.Intn(2) != 0 {
			*p = c.Intn(hi + 1)
		}
	}
	for i := range w.Reject {
		rel(&w.Reject[i])
	}
	for i := range w.Frag {
		rel(&w.Frag[i])
	}
	for i := range w.Action {
		rel(&w.Action[i])
	}
	bound(&w.MaxFragments, 6)
	pct(&w.MoreFragments)
	bound(&w.MaxDevices, 5)
	pct(&w.MoreDevices)
	bound(&w.MaxNodes, 24)
	pct(&w.Nest)
	bound(&w.MaxDepth, 3)
	bound(&w.MaxChildren, 4)
	pct(&w.OptionalSupply)
	pct(&w.OptionalProp)
	rel(&w.RefBase)
	rel(&w.RefEarlier)
	rel(&w.RefSame)
	rel(&w.RefNew)
	pct(&w.Disabled)
	pct(&w.Label)
	bound(&w.MaxProps, 4)
	return w
}
