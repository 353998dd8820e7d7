package report

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestGroupMergesByTitleInFirstSeenOrder(t *testing.T) {
	var g Group
	g.Add(Finding{Kind: Leak, Title: "b", Objects: []string{"b1"}, Holders: []string{"h1"}})
	g.Add(Finding{Kind: Leak, Title: "a", Objects: []string{"a1"}})
	g.Add(Finding{Kind: Leak, Title: "b", Objects: []string{"b2"}, Holders: []string{"h2"}})
	want := []Finding{
		{Kind: Leak, Title: "b", Objects: []string{"b1", "b2"}, Holders: []string{"h1", "h2"}},
		{Kind: Leak, Title: "a", Objects: []string{"a1"}},
	}
	if d := cmp.Diff(want, g.Findings()); d != "" {
		t.Errorf("Group (-want +got):\n%s", d)
	}
}

func TestGroupDoesNotAliasTheCallersSlices(t *testing.T) {
	objs := make([]string, 1, 4)
	objs[0] = "x"
	var g Group
	g.Add(Finding{Title: "t", Objects: objs})
	g.Add(Finding{Title: "t", Objects: []string{"y"}})
	if objs[:2][1] == "y" {
		t.Errorf("Group appended into the caller's backing array")
	}
}

func TestWarnPrintsTheSplatAndReports(t *testing.T) {
	var l Log
	l.Op = 3
	l.Warn("drivers/base/core.c", "device_links_purge", "dev")
	if got := l.String(); !strings.HasPrefix(got, "  WARNING: CPU: 0 PID: 1 at drivers/base/core.c device_links_purge\n") {
		t.Errorf("log = %q", got)
	}
	fs := l.Findings()
	if len(fs) != 1 || fs[0].Title != "WARNING in device_links_purge" || fs[0].Kind != Warning || fs[0].Op != 3 || fs[0].Objects[0] != "dev" {
		t.Errorf("findings = %+v", fs)
	}
}
