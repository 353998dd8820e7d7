package of

// ReconfigData is struct of_reconfig_data.
type ReconfigData struct {
	Dn      *Node
	Prop    *Property
	OldProp *Property
}

// ReconfigNotifier is a subscriber of of_reconfig_chain (of_platform_notify,
// of_i2c_notify, of_spi_notify in the kernel). A non-nil error stops the
// chain, as notifier_from_errno() does. Call is static code (it
// captures nothing, so a cloned kernel shares it) called with Ctx.
type ReconfigNotifier struct {
	Name string
	Call func(ctx any, action Action, rd *ReconfigData) error
	Ctx  any
}

// ReconfigNotifierRegister is of_reconfig_notifier_register().
func (t *OF) ReconfigNotifierRegister(nb ReconfigNotifier) {
	t.reconfigChain = append(t.reconfigChain, nb)
}

// ReconfigNotify is of_reconfig_notify(): run the chain.
func (t *OF) ReconfigNotify(action Action, rd *ReconfigData) error {
	for _, nb := range t.reconfigChain {
		if err := nb.Call(nb.Ctx, action, rd); err != nil {
			return err
		}
	}
	return nil
}

// propertyNotify is of_property_notify(): only for attached nodes.
func (t *OF) propertyNotify(action Action, np *Node, prop, old *Property) error {
	if !np.IsAttached() {
		return nil
	}
	return t.ReconfigNotify(action, &ReconfigData{Dn: np, Prop: prop, OldProp: old})
}

// entryNotify is __of_changeset_entry_notify().
func (t *OF) entryNotify(ce *Entry, revert bool) error {
	e := *ce
	if revert {
		e = ce.invert()
	}
	var err error
	switch e.Action {
	case OF_RECONFIG_ATTACH_NODE, OF_RECONFIG_DETACH_NODE:
		err = t.ReconfigNotify(e.Action, &ReconfigData{Dn: e.Np})
	default:
		err = t.propertyNotify(e.Action, e.Np, e.Prop, e.OldProp)
	}
	if err != nil {
		t.pr("changeset notifier error @%s", e.Np.Path())
	}
	return err
}

// State changes returned by GetStateChange.
const (
	OF_RECONFIG_NO_CHANGE     = 0
	OF_RECONFIG_CHANGE_ADD    = 1
	OF_RECONFIG_CHANGE_REMOVE = 2
)

// GetStateChange is of_reconfig_get_state_change(): whether the event
// makes a device appear (ADD), disappear (REMOVE) or neither.
func GetStateChange(action Action, rd *ReconfigData) int {
	var prop, oldProp *Property
	switch action {
	case OF_RECONFIG_ATTACH_NODE, OF_RECONFIG_DETACH_NODE:
		prop = rd.Dn.Prop("status")
	case OF_RECONFIG_ADD_PROPERTY, OF_RECONFIG_REMOVE_PROPERTY:
		prop = rd.Prop
	case OF_RECONFIG_UPDATE_PROPERTY:
		prop, oldProp = rd.Prop, rd.OldProp
	default:
		return OF_RECONFIG_NO_CHANGE
	}
	isStatus := false
	statusState, oldStatusState, prevState, newState := -1, -1, -1, -1
	if prop != nil && prop.Name == "status" {
		isStatus = true
		statusState = b2i(okay(prop))
		if oldProp != nil {
			oldStatusState = b2i(okay(oldProp))
		}
	}
	switch action {
	case OF_RECONFIG_ATTACH_NODE:
		prevState = 0
		newState = b2i(statusState != 0)
	case OF_RECONFIG_DETACH_NODE:
		prevState = b2i(statusState != 0)
		newState = 0
	case OF_RECONFIG_ADD_PROPERTY:
		if isStatus {
			prevState = 1
			newState = statusState
		}
	case OF_RECONFIG_REMOVE_PROPERTY:
		if isStatus {
			prevState = statusState
			newState = 1
		}
	case OF_RECONFIG_UPDATE_PROPERTY:
		if isStatus {
			prevState = b2i(oldStatusState != 0)
			newState = b2i(statusState != 0)
		}
	}
	if prevState == newState {
		return OF_RECONFIG_NO_CHANGE
	}
	if newState != 0 {
		return OF_RECONFIG_CHANGE_ADD
	}
	return OF_RECONFIG_CHANGE_REMOVE
}

// okay compares the value with strcmp semantics: "okay" or "ok".
func okay(p *Property) bool {
	s := cstring(p.Value)
	return s == "okay" || s == "ok"
}

func cstring(v []byte) string {
	for i, c := range v {
		if c == 0 {
			return string(v[:i])
		}
	}
	return string(v)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// IsAvailable is of_device_is_available(): no status, or "okay"/"ok".
func (n *Node) IsAvailable() bool {
	p := n.Prop("status")
	return p == nil || okay(p)
}
