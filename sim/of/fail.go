package of

import "dangle/sim/errno"

// ShouldFail is the model's fault-injection point (sim/fault): the kernel
// call site (kzalloc, idr_alloc, …) made from fn is a fallible step;
// true means the op's fail_nth chose it, and the caller takes the
// kernel's error path with e. The injected failure is logged as a
// harness line (the kernel's own fail-nth logs "FAULT_INJECTION: forcing
// a failure." with a stack).
func (t *OF) ShouldFail(site, fn string, e error) bool {
	if !t.Fail.Should(site, fn, e.(errno.Errno)) {
		return false
	}
	t.log.Harness("fail_nth: step %d: %s in %s fails (%s)", t.Fail.Reached(), site, fn, e)
	return true
}
