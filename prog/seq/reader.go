package seq

// Reader is a gen.Choices reading a byte stream: a choice among n <= 256
// options reads one byte, a wider one two (big endian), each taken mod
// n; an exhausted stream answers 0 forever.
type Reader struct {
	b    []byte
	used int
}

// NewReader returns a Reader of b.
func NewReader(b []byte) *Reader { return &Reader{b: b} }

// Intn implements gen.Choices.
func (r *Reader) Intn(n int) int {
	if n <= 1 {
		return 0
	}
	v := 0
	for range width(n) {
		v <<= 8
		if r.used < len(r.b) {
			v |= int(r.b[r.used])
			r.used++
		}
	}
	return v % n
}

// Exhausted reports whether every byte was read.
func (r *Reader) Exhausted() bool { return r.used >= len(r.b) }

// Bytes reads a length choice in 0..max and then that many bytes (fewer
// if the stream ends).
func (r *Reader) Bytes(max int) []byte {
	n := r.Intn(max + 1)
	n = min(n, len(r.b)-r.used)
	out := r.b[r.used : r.used+n]
	r.used += n
	return out
}

// width is the number of bytes a choice among n options takes.
func width(n int) int {
	switch {
	case n <= 1:
		return 0
	case n <= 256:
		return 1
	default:
		return 2
	}
}

// writer is the encoder's side of Reader.
type writer struct{ b []byte }

// choose writes the choice v among n options.
func (w *writer) choose(n, v int) {
	if v < 0 || v >= n {
		panic("seq: choice out of range") // an Encode bug, caught by the round-trip test
	}
	switch width(n) {
	case 1:
		w.b = append(w.b, byte(v))
	case 2:
		w.b = append(w.b, byte(v>>8), byte(v))
	}
}

// bytes writes a length choice and the bytes.
func (w *writer) bytes(max int, b []byte) {
	w.choose(max+1, len(b))
	w.b = append(w.b, b...)
}
