package gpio

import (
	"fmt"
	"strings"

	"dangle/sim/report"
)

// The descriptor ownership oracle (architecture §5, kernel-model oracle
// 5): the kernel gives a gpio_desc no owner — gpiod_put() of a line
// someone else requested, or a second put, is silent in most versions —
// so the model keeps one token per reference handed out. A successful
// request mints one (for the caller of gpiod_get*), gpiod_ref() one more;
// a gpiod_put() must spend a token its caller holds. A token belongs to
// one request: when a put frees the line (gpiod_free_commit() succeeds),
// the tokens others still hold for that request go stale.

// token is one owner's claim on a descriptor.
type token struct {
	owner string
	gen   int // the request it belongs to (Desc.gen)
}

// mint gives owner a token on d's current request.
func (g *GPIO) mint(d *Desc, owner, fn string) {
	d.tokens = append(d.tokens, token{owner: owner, gen: d.gen})
	d.history = append(d.history, fmt.Sprintf("%s: reference for %s (%s)", fn, owner, report.OpName(g.log.Op)))
}

// endRequest marks the end of d's request (the line was freed).
func (g *GPIO) endRequest(d *Desc) { d.gen++ }

// spend checks a gpiod_put() by caller from fn and spends its token.
func (g *GPIO) spend(d *Desc, caller, fn string) {
	at := fmt.Sprintf("gpiod_put by %s from %s (%s)", caller, fn, report.OpName(g.log.Op))
	for i := len(d.tokens) - 1; i >= 0; i-- {
		t := d.tokens[i]
		if t.owner != caller {
			continue
		}
		d.tokens = append(d.tokens[:i:i], d.tokens[i+1:]...)
		d.history = append(d.history, at)
		if t.gen != d.gen {
			// another put already ended the request this token was for
			g.ownerFinding("double gpiod_put", d, fn, "the line was already released by an earlier put")
		}
		return
	}
	had := false
	for _, h := range d.history {
		had = had || containsOwner(h, caller)
	}
	d.history = append(d.history, at)
	if had {
		g.ownerFinding("double gpiod_put", d, fn, caller+" already put its reference")
		return
	}
	g.ownerFinding("gpiod_put by non-owner", d, fn, caller+" holds no reference to the descriptor")
}

// containsOwner reports whether history line h names owner: as a
// token's owner ("reference for <owner> (") or a putter ("gpiod_put by
// <owner> from").
func containsOwner(h, owner string) bool {
	return strings.Contains(h, "reference for "+owner+" (") || strings.Contains(h, "gpiod_put by "+owner+" from")
}

// ownerFinding reports an ownership violation with d's history.
func (g *GPIO) ownerFinding(what string, d *Desc, fn, why string) {
	title := what
	if fn != "" && fn != "gpiod_put" {
		title += " from " + fn
	}
	objs := []string{d.Name() + ": " + why}
	objs = append(objs, d.history...)
	g.log.Report(report.Finding{Kind: report.Ownership, Title: title, Objects: objs})
}
