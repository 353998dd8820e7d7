package draw

import (
	"fmt"
	"strings"
)

// Timeline is the lifetime picture of some objects over a run: one lane
// per object, one column per step (boot, each op, teardown).
type Timeline struct {
	Title string
	// Cols label the steps, left to right ("boot", "op 1
	// of_overlay_fdt_apply", …, "teardown").
	Cols []string
	// Finding is the column where the finding was raised (-1: none).
	Finding int
	Lanes   []Lane
}

// Lane is one object's row.
type Lane struct {
	Label string // "device_node /soc/bus@10000/regulator-vdd"
	// Culprit marks the object the finding is about.
	Culprit bool
	// Note is the explanation printed under the lane ("held by device
	// regulator.1 (taken in regulator_register, op 1)"), wrapped to the
	// picture's width.
	Note   string
	Events []Event
}

// Event is one mark of a lane.
type Event struct {
	Col int
	// What is "alloc", "get", "put", "free", "dropped" (given up without
	// a put) or "uaf" (touched after free).
	What         string
	Func, Holder string
	After        int32 // refcount after the event
	// Culprit: the leaked reference's get, the touch after free, the
	// extra put.
	Culprit bool
}

const (
	laneH    = 34  // lane height
	noteH    = 16  // extra height of a lane with a note
	headerH  = 74  // column header height
	markW    = 15  // one mark's width
	maxMarks = 6   // marks drawn per cell; more become "+N"
	minColW  = 104 // narrowest column with marks
	// narrowColW is a column without marks in a long program
	narrowColW = 44
	charW      = 6.6 // approximate width of a 11px monospace character
	labelMax   = 52  // longest lane label, in characters
)

// SVG renders the timeline as a standalone SVG document.
func (t *Timeline) SVG() []byte {
	var b strings.Builder
	colW := make([]int, len(t.Cols))
	for c := range t.Cols {
		n := 0
		for _, l := range t.Lanes {
			n = max(n, min(cellCount(l, c), maxMarks+1))
		}
		if n == 0 && c != t.Finding && len(t.Cols) > 8 {
			// a step that touches none of the objects: a narrow column,
			// the op's text in a tooltip (long programs stay readable)
			colW[c] = narrowColW
			continue
		}
		// room for the op's text in three lines, up to a limit
		text := min(int(float64(len(t.Cols[c]))*charW/3)+24, 190)
		colW[c] = max(minColW, n*markW+34, text)
	}
	labelW := 0
	for _, l := range t.Lanes {
		labelW = max(labelW, len([]rune(shorten(l.Label, labelMax))))
	}
	left := int(float64(labelW)*charW) + 24
	x := make([]int, len(t.Cols)+1)
	x[0] = left
	for c := range t.Cols {
		x[c+1] = x[c] + colW[c]
	}
	width := max(x[len(t.Cols)]+20, legendWidth()+20, 640)
	noteChars := int(float64(width-40) / charW)
	notes := make([][]string, len(t.Lanes))
	y := make([]int, len(t.Lanes)+1)
	y[0] = headerH + 28
	for i, l := range t.Lanes {
		notes[i] = wrap(l.Note, noteChars, 4)
		y[i+1] = y[i] + laneH + len(notes[i])*noteH
	}
	legendY := y[len(t.Lanes)] + 38
	height := legendY + 30
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="DejaVu Sans Mono, monospace" font-size="11">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="white"/>`+"\n", width, height)
	fmt.Fprintf(&b, `<text x="12" y="20" font-size="14" font-weight="bold">%s</text>`+"\n", esc(t.Title))
	// column headers and separators
	for c, label := range t.Cols {
		cx := x[c]
		fill := "#f4f4f4"
		if c%2 == 1 {
			fill = "#ffffff"
		}
		if c == t.Finding {
			fill = "#fde8e8"
		}
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s"/>`+"\n", cx, 34, colW[c], y[len(t.Lanes)]-34, fill)
		step, rest, _ := strings.Cut(label, " ")
		if strings.HasPrefix(label, "op ") {
			n, r, _ := strings.Cut(rest, " ")
			step, rest = "op "+n, r
		} else {
			rest = ""
		}
		if colW[c] == narrowColW {
			fmt.Fprintf(&b, `<text x="%d" y="%d" font-weight="bold"><title>%s</title>%s</text>`+"\n", cx+6, 50, esc(label), esc(strings.TrimPrefix(step, "op ")))
			continue
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-weight="bold">%s</text>`+"\n", cx+6, 50, esc(step))
		for i, w := range wrap(rest, int(float64(colW[c]-10)/charW), 3) {
			fmt.Fprintf(&b, `<text x="%d" y="%d" fill="#444">%s</text>`+"\n", cx+6, 64+i*12, esc(w))
		}
	}
	if t.Finding >= 0 && t.Finding < len(t.Cols) {
		fx := x[t.Finding] + colW[t.Finding] - 4
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#c00" stroke-width="2" stroke-dasharray="5,3"/>`+"\n", fx, headerH+20, fx, y[len(t.Lanes)]+4)
		fmt.Fprintf(&b, `<text x="%d" y="%d" fill="#c00" font-weight="bold" text-anchor="end">finding raised here</text>`+"\n", fx, y[len(t.Lanes)]+16)
	}
	for i, l := range t.Lanes {
		if i%2 == 1 {
			// zebra stripes: a lane is easy to follow across the columns
			fmt.Fprintf(&b, `<rect x="0" y="%d" width="%d" height="%d" fill="#5070a0" fill-opacity="0.07"/>`+"\n", y[i], width, y[i+1]-y[i])
		}
		drawLane(&b, l, notes[i], x, colW, y[i], left, width)
	}
	drawLegend(&b, legendY)
	b.WriteString("</svg>\n")
	return []byte(b.String())
}

// cellCount is the number of events of lane l in column c.
func cellCount(l Lane, c int) int {
	n := 0
	for _, e := range l.Events {
		if e.Col == c {
			n++
		}
	}
	return n
}

func drawLane(b *strings.Builder, l Lane, notes []string, x, colW []int, top, left, width int) {
	mid := top + 19
	color := "#222"
	if l.Culprit {
		color = "#b00000"
		fmt.Fprintf(b, `<rect x="4" y="%d" width="%d" height="%d" fill="none" stroke="#b00000" stroke-width="1" rx="3"/>`+"\n", top+2, width-8, laneH-4+len(notes)*noteH)
	}
	weight := "normal"
	if l.Culprit {
		weight = "bold"
	}
	fmt.Fprintf(b, `<text x="10" y="%d" fill="%s" font-weight="%s"><title>%s</title>%s</text>`+"\n", mid+4, color, weight, esc(l.Label), esc(shorten(l.Label, labelMax)))
	// the lifetime bar: from the first event (or the left edge) to the
	// free (or the right edge)
	start, end := left, x[len(x)-1]
	alive := true
	for _, e := range l.Events {
		if e.What == "alloc" && e.Col >= 0 && e.Col < len(colW) {
			start = x[e.Col] + 4
			break
		}
	}
	for _, e := range l.Events {
		if e.What == "free" && e.Col >= 0 && e.Col < len(colW) {
			end = x[e.Col] + colW[e.Col] - 8
			alive = false
		}
	}
	barColor := "#cfe3f7"
	if alive && l.Culprit {
		barColor = "#f6c9c9"
	}
	fmt.Fprintf(b, `<rect x="%d" y="%d" width="%d" height="6" fill="%s" rx="3"/>`+"\n", start, mid-3, max(end-start, 2), barColor)
	if !alive {
		fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#bbb" stroke-dasharray="2,3"/>`+"\n", end, mid, x[len(x)-1], mid)
	}
	for c := range colW {
		var evs []Event
		for _, e := range l.Events {
			if e.Col == c {
				evs = append(evs, e)
			}
		}
		if len(evs) == 0 {
			continue
		}
		shown := evs
		if len(evs) > maxMarks {
			// keep the culprits visible, and the order of events
			room := maxMarks
			for _, e := range evs {
				if e.Culprit {
					room--
				}
			}
			shown = nil
			for _, e := range evs {
				if e.Culprit || room > 0 {
					if !e.Culprit {
						room--
					}
					shown = append(shown, e)
				}
			}
		}
		for i, e := range shown {
			drawMark(b, e, x[c]+10+i*markW, mid)
		}
		if len(evs) > len(shown) {
			fmt.Fprintf(b, `<text x="%d" y="%d" fill="#555">+%d</text>`+"\n", x[c]+10+len(shown)*markW-4, mid+4, len(evs)-len(shown))
		}
		last := evs[len(evs)-1]
		fmt.Fprintf(b, `<text x="%d" y="%d" fill="#333" font-size="10" text-anchor="end">%s</text>`+"\n", x[c]+colW[c]-6, mid-9, refText(last))
	}
	for i, n := range notes {
		fmt.Fprintf(b, `<text x="24" y="%d" fill="%s" font-style="italic">%s</text>`+"\n", top+laneH+2+i*noteH, color, esc(n))
	}
}

func refText(e Event) string {
	if e.What == "free" || e.What == "uaf" {
		return "freed"
	}
	return fmt.Sprintf("ref %d", e.After)
}

// drawMark draws one event glyph centred at (cx, cy), with a tooltip.
func drawMark(b *strings.Builder, e Event, cx, cy int) {
	tip := e.What + " in " + e.Func
	if e.Holder != "" {
		tip += " by " + e.Holder
	}
	if e.What != "free" && e.What != "uaf" {
		tip += fmt.Sprintf(" -> %d", e.After)
	}
	fmt.Fprintf(b, `<g><title>%s</title>`, esc(tip))
	if e.Culprit {
		fmt.Fprintf(b, `<circle cx="%d" cy="%d" r="8" fill="#ffe08a" stroke="#c00" stroke-width="2"/>`, cx, cy)
	}
	switch e.What {
	case "alloc":
		fmt.Fprintf(b, `<circle cx="%d" cy="%d" r="4.5" fill="#222"/>`, cx, cy)
	case "get":
		fmt.Fprintf(b, `<path d="M%d %dh10M%d %dv10" stroke="#1a7f37" stroke-width="2.5"/>`, cx-5, cy, cx, cy-5)
	case "put":
		fmt.Fprintf(b, `<path d="M%d %dh10" stroke="#0550ae" stroke-width="2.5"/>`, cx-5, cy)
	case "free":
		fmt.Fprintf(b, `<path d="M%d %dl9 9M%d %dl-9 9" stroke="#c00" stroke-width="2.5"/>`, cx-4, cy-4, cx+5, cy-4)
	case "dropped":
		fmt.Fprintf(b, `<circle cx="%d" cy="%d" r="4.5" fill="none" stroke="#d97706" stroke-width="2"/><path d="M%d %dl7 -7" stroke="#d97706" stroke-width="2"/>`, cx, cy, cx-3, cy+3)
	case "uaf":
		fmt.Fprintf(b, `<path d="M%d %dl4 -6l-2 0l3 -6l-7 8l2 0l-3 6z" fill="#c00" transform="translate(1 4)"/>`, cx-2, cy+2)
	default:
		fmt.Fprintf(b, `<circle cx="%d" cy="%d" r="3" fill="#888"/>`, cx, cy)
	}
	b.WriteString("</g>\n")
}

var legendItems = []struct{ what, label string }{
	{"alloc", "alloc"}, {"get", "get (+1)"}, {"put", "put (-1)"}, {"free", "free"},
	{"dropped", "given up without a put"}, {"uaf", "touched after free"},
}

const culpritLegend = "the reference the finding is about"

func legendWidth() int {
	x := 12
	for _, it := range legendItems {
		x += 30 + int(float64(len(it.label))*charW)
	}
	n := len(culpritLegend)
	return x + 16 + int(float64(n)*charW)
}

func drawLegend(b *strings.Builder, y int) {
	x := 12
	for _, it := range legendItems {
		drawMark(b, Event{What: it.what, Func: it.label}, x+5, y)
		fmt.Fprintf(b, `<text x="%d" y="%d">%s</text>`+"\n", x+16, y+4, esc(it.label))
		x += 30 + int(float64(len(it.label))*charW)
	}
	drawMark(b, Event{What: "get", Func: culpritLegend, Culprit: true}, x+5, y)
	fmt.Fprintf(b, `<text x="%d" y="%d">%s</text>`+"\n", x+16, y+4, culpritLegend)
}

// shorten cuts s to n characters, keeping both ends.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	h := (n - 1) / 2
	return string(r[:h]) + "…" + string(r[len(r)-(n-1-h):])
}

// wrap packs the words of s into at most lines lines of at most w
// characters; a word longer than a line is cut at '_', '/' or ',' or
// shortened, and what does not fit in the last line is elided.
func wrap(s string, w, lines int) []string {
	w = max(w, 8)
	var words []string
	for _, f := range strings.Fields(s) {
		for len(f) > w {
			cut := strings.LastIndexAny(f[:w], "_/,")
			if cut <= 0 {
				break
			}
			words = append(words, f[:cut+1])
			f = f[cut+1:]
		}
		words = append(words, shorten(f, w))
	}
	var out []string
	cur := ""
	for i, word := range words {
		switch {
		case cur == "":
			cur = word
		case len(cur)+1+len(word) <= w:
			cur += " " + word
		default:
			if len(out) == lines-1 {
				cur = shorten(cur+" "+strings.Join(words[i:], " "), w)
				return append(out, cur)
			}
			out = append(out, cur)
			cur = word
		}
	}
	if cur != "" {
		out = append(out, cur)
	}
	return out
}

// esc escapes text for SVG/XML.
func esc(s string) string {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")
	return r.Replace(s)
}
