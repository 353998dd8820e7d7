package dt

import "testing"

// TestEncodedSize: encodeValues's first sizing is the length of what it
// encodes, for every kind of value, so the value it returns has no spare
// room and the compiled tree keeps it without a copy (convertNode).
func TestEncodedSize(t *testing.T) {
	src := `/dts-v1/;
/ {
	l: n {
		s = "a", "bc", "";
		b = [00 11 22], lab: [33];
		c = <1 2>, /bits/ 8 <3 4 5>, /bits/ 16 <6>, /bits/ 64 <7 mid: 8>;
		r = <&l 1>, "x";
		p = &l;
		e;
	};
};
`
	f, err := Parse("t.dts", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	c := &compiler{file: "t.dts"}
	props := f.Nodes[0].Children[0].Props
	if len(props) != 6 {
		t.Fatalf("%d properties", len(props))
	}
	for _, pd := range props {
		val, _ := c.encodeValues(pd.Values)
		if n := encodedSize(pd.Values); n != len(val) || cap(val) != len(val) {
			t.Errorf("%s: encodedSize %d, encoded %d bytes (cap %d)", pd.Name, n, len(val), cap(val))
		}
	}
}
