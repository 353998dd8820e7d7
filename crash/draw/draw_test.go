package draw

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"testing"
)

func wellFormed(t *testing.T, data []byte) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(string(data)))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, data)
		}
	}
}

func sample(lanes int) *Timeline {
	t := &Timeline{Title: "memory leak in of_changeset_destroy <&>", Cols: []string{"boot", "op 1 ov = of_overlay_fdt_apply blob=reg-expander.dtso", "op 2 of_overlay_remove ov=ov", "teardown"}, Finding: 2}
	for i := range lanes {
		l := Lane{Label: "device_node /soc/bus@10000/regulator-vdd-with-a-very-long-name-indeed/child" + string(rune('a'+i%26))}
		l.Events = append(l.Events, Event{Col: 1, What: "alloc", Func: "add_changeset_node"})
		for j := range 9 {
			l.Events = append(l.Events, Event{Col: 1, What: "get", Func: "of_node_get", Holder: "h", After: int32(j + 2)})
		}
		if i == 0 {
			l.Culprit, l.Note = true, "held by device regulator.1 (taken in regulator_register, op 1)"
			l.Events[9].Culprit = true // the last get: beyond the marks shown, still drawn
		}
		l.Events = append(l.Events, Event{Col: 3, What: "free", Func: "of_node_release"})
		t.Lanes = append(t.Lanes, l)
	}
	return t
}

// TestTimelineSVG: well-formed and escaped, one label per lane (cut to
// labelMax with the full name in a tooltip), the culprit mark drawn
// even when its cell overflows into "+N", the note and the finding line.
func TestTimelineSVG(t *testing.T) {
	for _, n := range []int{3, 30} {
		svg := sample(n).SVG()
		wellFormed(t, svg)
		s := string(svg)
		if got := strings.Count(s, `<text x="10"`); got != n {
			t.Errorf("%d lanes: %d labels", n, got)
		}
		if !strings.Contains(s, "&lt;&amp;&gt;") {
			t.Error("title not escaped")
		}
		if !strings.Contains(s, ">+4<") {
			t.Error("no +N for the marks beyond the cell's room")
		}
		// culprit rings: the lane's one plus the legend's
		if got := strings.Count(s, `fill="#ffe08a"`); got != 2 {
			t.Errorf("%d culprit rings, want 2", got)
		}
		if !strings.Contains(s, "held by device regulator.1") || !strings.Contains(s, "finding raised here") {
			t.Error("note or finding line missing")
		}
		if !strings.Contains(s, "…") {
			t.Error("long label not shortened")
		}
		if string(sample(n).SVG()) != s {
			t.Error("not deterministic")
		}
	}
}

func TestWrap(t *testing.T) {
	got := wrap("ov = of_overlay_fdt_apply blob=reg-expander.dtso", 14, 3)
	if len(got) != 3 {
		t.Fatalf("%q", got)
	}
	for _, l := range got {
		if len([]rune(l)) > 14 {
			t.Errorf("line %q longer than 14", l)
		}
	}
	if got := wrap("a b", 14, 3); len(got) != 1 || got[0] != "a b" {
		t.Errorf("%q", got)
	}
}

func TestGraphDOT(t *testing.T) {
	g := &Graph{Title: `leak "x"`, Nodes: []GraphNode{
		{ID: "o1", Label: "regulator.1\nrefcount 1", Kind: "device"},
		{ID: "o2", Label: "/soc/bus/regulator", Kind: "node", Culprit: true},
	}, Edges: []GraphEdge{{From: "o1", To: "o2", Kind: "holds", Label: "holds a reference"}}}
	s := string(g.DOT())
	for _, want := range []string{`label="leak \"x\""`, `"o1" [label="regulator.1\nrefcount 1", shape=box`, `"o2" [label="/soc/bus/regulator", shape=note`, `penwidth=2.5`, `"o1" -> "o2" [label="holds a reference", color="#c00000"`} {
		if !strings.Contains(s, want) {
			t.Errorf("DOT lacks %q:\n%s", want, s)
		}
	}
}

// TestNarrowColumns: in a long program the steps that touch none of the
// objects get narrow columns, their op text kept as a tooltip.
func TestNarrowColumns(t *testing.T) {
	tl := &Timeline{Title: "t", Finding: 11, Cols: []string{"boot"}}
	for i := 1; i <= 11; i++ {
		tl.Cols = append(tl.Cols, "op "+string(rune('0'+i%10))+" of_node_get node=/soc/spi@4000")
	}
	tl.Cols = append(tl.Cols, "teardown")
	tl.Lanes = []Lane{{Label: "device_node /x", Events: []Event{{Col: 11, What: "get", Func: "of_node_get"}}}}
	s := string(tl.SVG())
	wellFormed(t, []byte(s))
	if n := strings.Count(s, `<title>op `); n != 10 {
		t.Errorf("%d narrow op columns with a tooltip, want 10", n)
	}
	if strings.Count(s, "of_node_get node=/soc/") < 1 {
		t.Error("the finding's column lost its op text")
	}
}

// TestGraphAround: a big graph is cut to the culprit and its nearest
// neighbours, in node order, with the edges among them.
func TestGraphAround(t *testing.T) {
	g := &Graph{Title: "g"}
	for i := range 100 {
		g.Nodes = append(g.Nodes, GraphNode{ID: fmt.Sprint("n", i), Label: fmt.Sprint(i), Culprit: i == 50})
		if i > 0 {
			g.Edges = append(g.Edges, GraphEdge{From: fmt.Sprint("n", i-1), To: fmt.Sprint("n", i), Kind: "parent"})
		}
	}
	a := g.Around(5)
	var ids []string
	for _, n := range a.Nodes {
		ids = append(ids, n.ID)
	}
	if strings.Join(ids, " ") != "n48 n49 n50 n51 n52" || len(a.Edges) != 4 || !strings.Contains(a.Title, "the 5 of 100 objects") {
		t.Errorf("around: %v, %d edges, %q", ids, len(a.Edges), a.Title)
	}
	if g.Around(100) != g {
		t.Error("a graph that fits was cut")
	}
}
