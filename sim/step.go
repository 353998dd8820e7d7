package sim

import (
	"fmt"
	"slices"
	"strconv"

	"dangle/prog"
)

// Running an op the kernel's program does not hold. A search that
// branches a state copies its kernel (Clone, Snapshot) and runs the
// next letter on the copy; the letter is an op built in memory whose
// links point to ops the kernel has run. StepOp appends it to the
// kernel's own program and runs it as Step runs a program's op, so the
// slot, the handle's holder text ("program ref NAME (op N)") and the
// log line are those of a program that had the op from the start.
//
// The program behind a kernel is shared by its copies (the copier
// shares *prog.Program): StepOp gives the kernel a program of its own
// (a new Program with the ops slice copied), never writing the shared
// one, so a copy and its original step independently.

// Ops returns the ops of the kernel's program, in order: the ones
// it was built with and the ones StepOp added. An op built for StepOp
// links to a handle by pointing an argument's Ref at one of them. The
// slice is the kernel's: read it, do not change it.
func (k *Kernel) Ops() []*prog.Op { return k.prog.Ops }

// StepOp runs op on k now, as op len(Ops()) of its program (the log's op
// len(Ops())+1), and returns its slot (the index Handle and later links
// use). Every Ref of op must be an op of Ops() binding the argument's
// type; an unlabelled op that binds a result gets a fresh name (as
// Program.Names gives a used result), so the holders it creates name it.
// A malformed op is an error and leaves k as it was.
func (k *Kernel) StepOp(op *prog.Op) (int, error) {
	if err := k.checkStepOp(op); err != nil {
		return -1, err
	}
	n := len(k.prog.Ops)
	p := *k.prog
	p.Ops = append(k.prog.Ops[:n:n], op)
	k.prog = &p
	name := op.Label
	if name == "" && op.Result() != prog.TypeNone {
		name = freshName(k.names, op.Result().Prefix())
	}
	k.names = append(k.names[:n:n], name)
	k.slots = append(k.slots[:n:n], nil)
	k.Step(n)
	return n, nil
}

// checkStepOp checks what Step relies on and a built op might get wrong:
// a known op, known argument keys, and links to earlier ops of the
// right type.
func (k *Kernel) checkStepOp(op *prog.Op) error {
	if op == nil || op.Desc == nil || int(op.Desc.ID) >= len(handlers) || handlers[op.Desc.ID].fn == nil {
		return fmt.Errorf("sim: StepOp: not an op of the table")
	}
	for _, a := range op.Args {
		ad := op.Desc.Arg(a.Key)
		if ad == nil {
			return fmt.Errorf("sim: StepOp: %s has no argument %q", op.Name(), a.Key)
		}
		if a.Ref == nil {
			continue
		}
		if ad.Kind != prog.KindRef && ad.Kind != prog.KindNode {
			return fmt.Errorf("sim: StepOp: %s: argument %s cannot link to a result", op.Name(), a.Key)
		}
		if !slices.Contains(k.prog.Ops, a.Ref) {
			return fmt.Errorf("sim: StepOp: %s: argument %s links to an op the kernel has not run", op.Name(), a.Key)
		}
		if a.Ref.Result() != ad.Type {
			return fmt.Errorf("sim: StepOp: %s: argument %s wants a %s, the linked %s binds a %s",
				op.Name(), a.Key, ad.Type, a.Ref.Name(), a.Ref.Result())
		}
	}
	return nil
}

// freshName returns prefix, prefix2, … whichever names does not hold
// (prog's rule for naming a used result).
func freshName(names []string, prefix string) string {
	for n := 1; ; n++ {
		s := prefix
		if n > 1 {
			s += strconv.Itoa(n)
		}
		if !slices.Contains(names, s) {
			return s
		}
	}
}
