package sim

import "dangle/sim/kobj"

// trackProgramRefs makes the registry track the references the
// program's ops take on devices, nodes and device links by owner (issue
// 14 item 1): every get_device / of_node_get / device_link_add names its
// holder "program ref NAME (op N)" (or "program (op N)"), and a
// put_device / of_node_put / device_link_del by an owner that holds no
// reference is an Ownership finding at that op, as
// lib/ref_tracker.c reports "reference already released" for the
// objects it tracks. A put that names no owner (of_node_put node=/path,
// holder "program", as device_link_remove names the link by its ends)
// may drop any of the program's references; with none left it is an
// over-put too. The driver models name their own link references (the
// regulator core's stateless consumer link: "regulator DEV-SUPPLY"), so a
// program's over-put that takes theirs shows whose it was. The kernel's own messages (refcount_t
// underflow, bad of_node_put) still come when the count reaches 0.
// gpio descriptors have their own ownership oracle (sim/gpio/owner.go).
func trackProgramRefs(reg *kobj.Registry) {
	reg.Owners = programHolder
	reg.OwnedTypes = map[string]bool{"device": true, "device_node": true, "device_link": true}
}
