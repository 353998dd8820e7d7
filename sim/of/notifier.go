package of

// OverlayNotifyData is struct of_overlay_notify_data.
type OverlayNotifyData struct {
	Overlay, Target *Node
}

// Overlay notifier behaviours (prog.Notify* name the same strings).
const (
	NotifyKeepOverlay   = "keep-overlay"
	NotifyFailPreApply  = "fail-pre-apply"
	NotifyFailPostApply = "fail-post-apply"
	NotifyFailPreRemove = "fail-pre-remove"
)

// OverlayNotifier is a notifier_block on overlay_notify_chain with a
// modelled behaviour. keep-overlay is an FPGA-region-like user that stores
// nd->overlay at OF_OVERLAY_PRE_APPLY and, unlike the rule documented at
// of_overlay_notifier_register() ("not supposed to store pointers ...
// beyond OF_OVERLAY_POST_REMOVE"), keeps it until unregistered.
type OverlayNotifier struct {
	Name   string
	Action string
	Kept   []*Node
}

// OverlayNotifierRegister is of_overlay_notifier_register().
func (t *OF) OverlayNotifierRegister(nb *OverlayNotifier) {
	t.overlayChain = append(t.overlayChain, nb)
}

// OverlayNotifierUnregister is of_overlay_notifier_unregister(); -ENOENT
// if nb is not registered (blocking_notifier_chain_unregister).
func (t *OF) OverlayNotifierUnregister(nb *OverlayNotifier) error {
	for i, n := range t.overlayChain {
		if n == nb {
			t.overlayChain = append(t.overlayChain[:i:i], t.overlayChain[i+1:]...)
			nb.Kept = nil
			return nil
		}
	}
	return ENOENT
}

// Notifiers returns the registered overlay notifiers in chain order.
func (t *OF) Notifiers() []*OverlayNotifier { return t.overlayChain }

// callOverlayChain is blocking_notifier_call_chain(&overlay_notify_chain):
// call in order until one returns an errno (NOTIFY_STOP_MASK). ok reports
// that the last callback returned NOTIFY_OK.
func (t *OF) callOverlayChain(action NotifyAction, nd *OverlayNotifyData) (ok bool, err error) {
	for _, nb := range t.overlayChain {
		ok = false
		switch {
		case nb.Action == NotifyKeepOverlay && action == OF_OVERLAY_PRE_APPLY:
			nb.Kept = append(nb.Kept, nd.Overlay)
			ok = true
		case nb.Action == NotifyFailPreApply && action == OF_OVERLAY_PRE_APPLY,
			nb.Action == NotifyFailPostApply && action == OF_OVERLAY_POST_APPLY:
			return false, EINVAL
		case nb.Action == NotifyFailPreRemove && action == OF_OVERLAY_PRE_REMOVE:
			return false, EBUSY
		}
	}
	return ok, nil
}

// NotifierDeref models the notifier's owner reading the overlay nodes it
// kept (an FPGA region reading its overlay's properties later): a
// use-after-free once overlay_mem was freed. -ENOENT if nothing is kept.
func (t *OF) NotifierDeref(nb *OverlayNotifier) error {
	if len(nb.Kept) == 0 {
		return ENOENT
	}
	for _, np := range nb.Kept {
		if t.Touch(np, "overlay_notifier_deref") {
			np.Prop("name")
		}
	}
	return nil
}
