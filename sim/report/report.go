package report

import (
	"fmt"
	"strings"
)

// Kind classifies a finding.
type Kind uint8

const (
	// KernelError is a bug the kernel itself detects and prints (the
	// changeset entry refcount check, "memory leak before free overlay
	// changeset", a bad of_node_put).
	KernelError Kind = iota + 1
	// Warning is a WARN()/WARN_ON() the kernel would splat.
	Warning
	// UseAfterFree is a touch of an object after it was freed.
	UseAfterFree
	// RefcountUnderflow is a put on a zero refcount.
	RefcountUnderflow
	// RefcountAddOnZero is a get on a zero refcount.
	RefcountAddOnZero
	// Leak is an object still allocated after teardown.
	Leak
	// Invariant is a broken simulator-visible kernel invariant (an
	// overlay changeset freed but still listed, for example).
	Invariant
	// Deadlock is a lock or wait cycle: a flush waiting for work that
	// needs a lock the flusher holds, or a lock-order inversion.
	Deadlock
	// Ordering is a teardown-order violation the kernel does not detect
	// (a driver's devres action running after its PM domain detached).
	Ordering
	// Ownership is a put of a reference the caller does not own (a
	// double gpiod_put, a put by a non-owner), even where the kernel's
	// refcount does not notice.
	Ownership
)

var kindNames = [...]string{"", "kernel-error", "warning", "use-after-free",
	"refcount-underflow", "refcount-add-on-zero", "leak", "invariant", "deadlock", "ordering", "ownership"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", k)
}

// Finding is one bug an oracle found.
type Finding struct {
	Kind  Kind
	Title string
	// Op is the 1-based index of the op during which the finding was
	// raised; 0 means boot, Teardown the end-of-run teardown.
	Op      int
	Objects []string // the objects involved, by log name
	Holders []string // for leaks: who still holds a reference, and why
	Log     []string // the kernel-style lines that show it
	// Known is set on a known finding (one the kernel itself announces,
	// sim/known.go): why it is known, in a few words ("announced by the
	// kernel at apply"). Known findings are kept apart from the others
	// (Log.Known) and do not count for a run's verdict unless strict.
	Known string
}

// Misuse is where a program broke an API contract the kernel does not
// check itself (devres on a device no driver is bound to, a release of a
// driver's own devres group, a link handle used after the kernel
// deleted the link): Op is the op (0: none), Why says which contract.
type Misuse struct {
	Op  int
	Why string
}

// Teardown is the op index of the end-of-run teardown.
const Teardown = -1

// OpName names an op index: "op 3", "boot", "teardown".
func OpName(op int) string {
	switch {
	case op > 0:
		return fmt.Sprintf("op %d", op)
	case op == Teardown:
		return "teardown"
	}
	return "boot"
}

// KnownString renders a known finding as printed in its own section
// after the findings: its title, why it is known, and its objects.
func (f *Finding) KnownString() string {
	var b strings.Builder
	fmt.Fprintf(&b, "known: %s — %s; -strict reports it\n", f.Title, f.Known)
	for _, o := range f.Objects {
		fmt.Fprintf(&b, "  object: %s\n", o)
	}
	return b.String()
}

// String renders the finding as the block printed after the log.
func (f *Finding) String() string {
	var b strings.Builder
	where := OpName(f.Op)
	fmt.Fprintf(&b, "FINDING: %s\n  kind: %s, at %s\n", f.Title, f.Kind, where)
	for _, o := range f.Objects {
		fmt.Fprintf(&b, "  object: %s\n", o)
	}
	for _, h := range f.Holders {
		fmt.Fprintf(&b, "  holder: %s\n", h)
	}
	for _, l := range f.Log {
		fmt.Fprintf(&b, "  | %s\n", l)
	}
	return b.String()
}
