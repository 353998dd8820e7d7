// Package fuzz holds dangle's native Go fuzz targets and their seed
// loading: every program of corpus/ is added with f.Add, so
// `go test -fuzz` starts from the known bugs.
//
// FuzzRun feeds program text to the parser and, when it parses, to the
// simulator under a profile chosen by the input: a simulator panic is a
// failure (a bug in dangle); kernel findings are not, they are what the
// simulator is for. The byte decoder that turns arbitrary bytes into
// valid programs (architecture §10) comes with its own issue, and with it
// the targets that search for findings.
package fuzz
