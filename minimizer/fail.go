package minimizer

import "dangle/prog"

// passFail drops fault injection: each op's fail_nth= argument, when the
// finding happens without it (the failure was not the cause). A needed
// fail_nth stays as it is: another N fails another step, which is a
// different program, not a smaller one.
func passFail(s *session) {
	for i := range s.cur.Ops {
		if getArg(s.cur, i, prog.FailNthKey) != nil {
			s.try(withoutArg(s.cur, i, prog.FailNthKey))
		}
	}
}
