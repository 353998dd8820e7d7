// Package report holds what a simulated run tells its reader: the
// kernel-style log (each op as it starts and ends, interleaved with the
// messages the simulated kernel printed) and the findings the oracles raised.
//
// A Finding's Title is its de-duplication key, in syzkaller's style
// ("memory leak in of_changeset_destroy", "use-after-free of device_node in
// of_node_put"). Titles never contain paths, ids or counts, so the same bug
// reached through different trees de-duplicates to one title; the specifics
// live in Objects, Holders and Log.
//
// This package is the bottom of the simulator's import graph: kobj and every
// subsystem import it, it imports nothing of the simulator.
package report
