package sim

// Handle reports what op i of the program bound, for a search that picks
// the next op from the handles a program holds (explore): desc renders
// the value as Encode does ("overlay id 1"), and live says whether it is
// something a later op can use: an overlay id other than 0 (a removed or
// failed overlay leaves 0), or a non-NULL node, device or descriptor, or
// a registered notifier or returned link. An op that bound nothing (or
// has not run) gives "", false.
func (k *Kernel) Handle(i int) (desc string, live bool) {
	if i < 0 || i >= len(k.slots) || k.slots[i] == nil {
		return "", false
	}
	v := k.slots[i]
	desc = slotTypes[k.prog.Ops[i].Result()].describe(v)
	switch x := v.(type) {
	case *int:
		return desc, *x != 0
	case *nodeRef:
		return desc, x.np != nil
	case *deviceRef:
		return desc, x.d != nil
	case *descRef:
		return desc, x.desc != nil
	}
	return desc, true
}
