// Package bench holds the benchmarks and search harnesses behind
// BENCHMARKS.md that belong to no one package (issue 13, "Deliver —
// benchmarks"): simulator throughput on generated programs with the
// oracles on and off next to the limit (decode and dispatch to no-op
// handlers), and the time-to-find runs of the peers the soak is compared
// with — a rapid (pgregory.net/rapid) property over the same op-sequence
// builder, and uniform random programs. Everything is in _test.go files:
// `go test ./bench` runs only a smoke test of the rapid property; the
// harnesses run when scripts/bench/run.sh (make bench) asks for them
// through the environment (BENCH_FIND, see find_test.go).
package bench
