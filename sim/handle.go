package sim

import "dangle/sim/canon"

// Handle reports what op i of the program bound, for a search that picks
// the next op from the handles a program holds (explore): desc renders
// the value as Encode does ("overlay id 1"), and live says whether it is
// something a later op can use: an overlay id other than 0 (a removed or
// failed overlay leaves 0), or a non-NULL node, device or descriptor, or
// a registered notifier or returned link. An op that bound nothing (or
// has not run) gives "", false.
func (k *Kernel) Handle(i int) (desc string, live bool) {
	var b canon.Buf
	live = k.AppendHandle(&b, i)
	return b.String(), live
}

// AppendHandle writes what Handle(i) returns as desc into b and reports
// its live; an op that bound nothing writes nothing. The search's key
// adds the live handles to the state's text without a string each.
func (k *Kernel) AppendHandle(b *canon.Buf, i int) (live bool) {
	if i < 0 || i >= len(k.slots) || k.slots[i] == nil {
		return false
	}
	v := k.slots[i]
	k.appendDescribe(b, i, v)
	switch x := v.(type) {
	case *int:
		return *x != 0
	case *nodeRef:
		return x.np != nil
	case *deviceRef:
		return x.d != nil
	case *descRef:
		return x.desc != nil
	}
	return true
}
