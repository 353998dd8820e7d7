// Package canon is the byte writer the canonical state encoding
// (sim.Kernel.Encode) is built with: appends of strings and numbers
// formatted as fmt's verbs would (%d, %t, %#x, %q), and sorted sections
// whose items are written in any order and come out sorted, all into
// buffers reused from one encoding to the next. The exhaustive search
// hashes the result for every state it expands, so nothing here calls
// fmt or allocates once the buffers have grown.
package canon
