package sim

import (
	"os"
	"regexp"
	"strings"

	"dangle/sim/kobj"
	"dangle/sim/of"
)

// Known is one entry of the known-findings table: a bug the kernel
// itself announces, which a run reports apart from new findings
// (architecture §5). An entry matches by what happened in the run, never
// by title alone: Title narrows the candidates, Match checks the
// evidence on the leaked object.
type Known struct {
	// Title matches the titles the entry may apply to.
	Title *regexp.Regexp
	// Note is the few words printed after the title in the known
	// section ("known: <title> — <note>; -strict reports it").
	Note string
	// Why says why the finding is known and not a new bug.
	Why string
	// Announce is the kernel text that announces the bug (the start of
	// the line; the kernel appends the object's name).
	Announce string
	// Upstream names where the kernel documents or tests the behaviour.
	Upstream string
	// Match reports whether leaked object o is this known bug, given
	// the end-of-run kernel k.
	Match func(k *Kernel, o *kobj.Object, e *Known) bool
}

// KnownFindings is the table shared by dangle run, the fuzz targets and
// the soak (through Result.Known and Config.Strict).
//
// Only a leak the kernel itself announces as expected belongs here. "An
// overlay whose build_changeset() failed can never be removed" does not:
// of_overlay_fdt_apply() tells the caller to call of_overlay_remove(),
// which then fails ("Error reverting changeset" is an error, not an
// announcement), so it stays a finding and sim.KernelBugs cites it as the
// bug failed-apply-unremovable.
var KnownFindings = []*Known{
	{
		Title: regexp.MustCompile(`^memory leak of property allocated in (add_changeset_property|dup_and_fixup_symbol_prop)$`),
		Note:  "announced by the kernel at apply",
		Why: "an overlay that adds or updates a property of a node the overlay did not create " +
			"(a base node, /__symbols__ for every label the overlay brings) leaves its copy on that " +
			"node's deadprops at removal; base nodes never reach refcount 0, so nothing frees it in " +
			"any kernel to date, and add_changeset_property() says so when it builds the changeset",
		Announce: "OF: overlay: WARNING: memory leak will occur if overlay removed, property: ",
		Upstream: "drivers/of/overlay.c add_changeset_property(); expected by drivers/of/unittest.c " +
			"of_unittest_overlay_0() (EXPECT_BEGIN on the same text); Frank Rowand on the leak, " +
			"2018 (seeds/002_fc4a5f6d8a4bdec4.txt)",
		Match: announcedDeadprop,
	},
}

// announcedDeadprop matches a property copy that sits on the deadprops
// of a node the overlay did not create (no OF_OVERLAY) and for which the
// kernel printed the entry's announcement naming that very node and
// property when the copy was made.
func announcedDeadprop(k *Kernel, o *kobj.Object, e *Known) bool {
	if o.Type != "property" || !strings.HasPrefix(o.Announced, e.Announce) {
		return false
	}
	match := false
	k.OF.AllNodes(func(n *of.Node) bool {
		for _, p := range n.Deadprops {
			if p.Obj() == o {
				match = !n.Check(of.OF_OVERLAY) && o.Announced == e.Announce+n.Path()+"/"+p.Name
				return false
			}
		}
		return true
	})
	return match
}

// knownLeak returns the known-findings entry that leaked object o with
// title is, or nil.
func (k *Kernel) knownLeak(title string, o *kobj.Object) *Known {
	for _, e := range KnownFindings {
		if e.Title.MatchString(title) && e.Match(k, o, e) {
			return e
		}
	}
	return nil
}

// StrictEnv is the environment variable that makes the fuzz targets and
// the soak count known findings (as dangle run -strict does).
const StrictEnv = "DANGLE_STRICT"

// StrictFromEnv reports whether DANGLE_STRICT=1 is set: the value for
// Config.Strict in the fuzz targets and the soak.
func StrictFromEnv() bool { return os.Getenv(StrictEnv) == "1" }
