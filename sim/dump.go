package sim

import "dangle/sim/canon"

// DumpTree returns the canonical encoding of the live tree (appendTree,
// the head of Encode): one line per node in for_each_of_allnodes() order
// with its flags, phandle and refcount, then its properties and
// deadprops in list order. Two kernels whose trees dump alike are
// indistinguishable to every OF-layer operation.
func (k *Kernel) DumpTree() string {
	var b canon.Buf
	k.appendTree(&b)
	return b.String()
}
