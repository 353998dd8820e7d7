package crash

import (
	"strings"
	"testing"

	"dangle/sim"
)

// TestTraceB1: the B1 finding's timeline has the node as culprit lane
// with the holders' gets highlighted and the holder devices as lanes; the
// graph, taken after op 2, has the node in red and an edge from each
// holder; the paragraph names the holders, where each reference was
// taken and that it was put only at teardown.
func TestTraceB1(t *testing.T) {
	p := corpus(t, "b1-reg-expander.prog")
	tr, err := Trace(p, sim.Config{Profile: "v6.8"}, b1Title)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Finding == nil || tr.Finding.Op != 2 {
		t.Fatalf("finding %+v", tr.Finding)
	}
	tl := tr.Timeline()
	if tl.Finding != 2 || len(tl.Cols) != len(p.Ops)+2 {
		t.Errorf("columns %q, finding at %d", tl.Cols, tl.Finding)
	}
	if len(tl.Lanes) < 3 || !tl.Lanes[0].Culprit || !strings.HasPrefix(tl.Lanes[0].Label, "device_node /soc/bus@10000/regulator-vdd") {
		t.Fatalf("lanes: %+v", tl.Lanes)
	}
	var culprits []string
	for _, e := range tl.Lanes[0].Events {
		if e.Culprit {
			culprits = append(culprits, e.Holder+" "+e.Func)
		}
	}
	if strings.Join(culprits, "; ") != "device soc:bus@10000:regulator-vdd of_device_alloc; device regulator.1 regulator_register" {
		t.Errorf("culprit events: %q", culprits)
	}
	labels := ""
	for _, l := range tl.Lanes[1:] {
		labels += l.Label + ";"
	}
	if !strings.Contains(labels, "device regulator.1;") {
		t.Errorf("holder lanes: %s", labels)
	}
	dot := string(tr.Graph.DOT())
	if !strings.Contains(dot, "after op 2") || strings.Count(dot, "holds a reference") != 2 || !strings.Contains(dot, "/soc/bus@10000/regulator-vdd\\nrefcount 2") {
		t.Errorf("graph:\n%s", dot)
	}
	ex := tr.Explain()
	for _, want := range []string{"op 2 (of_overlay_remove ov=ov)", "device regulator.1, taken in regulator_register during op 1", "put only later, in", "during the teardown", "of_changeset_destroy()", "device_link_release_fn on system_long_wq during the teardown"} {
		if !strings.Contains(ex, want) {
			t.Errorf("Explain lacks %q:\n%s", want, ex)
		}
	}
}

// TestTraceUseAfterFree: the remove_all aliasing's freed changeset gets
// a touched-after-free mark at the op, and the paragraph says who freed
// it and who touched it.
func TestTraceUseAfterFree(t *testing.T) {
	p := corpus(t, "remove-all-aliasing.prog")
	const title = "use-after-free of overlay_changeset in node_overlaps_later_cs"
	tr, err := Trace(p, sim.Config{}, title)
	if err != nil {
		t.Fatal(err)
	}
	tl := tr.Timeline()
	found := false
	for _, l := range tl.Lanes {
		for _, e := range l.Events {
			found = found || (e.What == "uaf" && e.Culprit && e.Col == 3 && e.Func == "node_overlaps_later_cs")
		}
	}
	if !found {
		t.Errorf("no touched-after-free mark: %+v", tl.Lanes)
	}
	ex := tr.Explain()
	for _, want := range []string{"node_overlaps_later_cs touched the overlay_changeset overlay changeset (b.dtso)", "freed in free_overlay_changeset during op 3"} {
		if !strings.Contains(ex, want) {
			t.Errorf("Explain lacks %q:\n%s", want, ex)
		}
	}
}
