package of

import "dangle/sim/errno"

// Kernel errnos returned by the OF layer (shared with every subsystem).
var (
	ENODEV error = errno.ENODEV
	EEXIST error = errno.EEXIST
	EINVAL error = errno.EINVAL
	EBUSY  error = errno.EBUSY
	ENOENT error = errno.ENOENT
	ENOMEM error = errno.ENOMEM
)

// Errno returns the kernel's numeric value of err (0 for nil).
func Errno(err error) int { return errno.Of(err) }

// removeFromList unlinks prop (by identity) from list, reporting whether
// it was there (__of_remove_property_from_list).
func removeFromList(list *[]*Property, prop *Property) bool {
	for i, p := range *list {
		if p == prop {
			*list = append((*list)[:i:i], (*list)[i+1:]...)
			return true
		}
	}
	return false
}

// pushDead pushes prop at the head of np's deadprops list.
func (np *Node) pushDead(prop *Property) {
	np.Deadprops = append([]*Property{prop}, np.Deadprops...)
}

// addProperty is __of_add_property() (drivers/of/base.c): unlink prop from
// deadprops (moved here from the changeset apply path by Rob Herring's
// 2023 dt-changeset-fixes; the effect on a changeset is the same), refuse a
// duplicate name with -EEXIST, else append.
func (t *OF) addProperty(np *Node, prop *Property) error {
	removeFromList(&np.Deadprops, prop)
	if np.Prop(prop.Name) != nil {
		// duplicate ! don't insert it
		return EEXIST
	}
	np.Props = append(np.Props, prop)
	return nil
}

// removeProperty is __of_remove_property(): unlink from properties and
// push on deadprops, or -ENODEV.
func (t *OF) removeProperty(np *Node, prop *Property) error {
	if removeFromList(&np.Props, prop) {
		// Found the property, add it to deadprops list
		np.pushDead(prop)
		return nil
	}
	return ENODEV
}

// updateProperty is __of_update_property(): unlink newprop from deadprops;
// replace the property of the same name in place, pushing the old one on
// deadprops, or append newprop. The replaced property is returned (*oldpropp).
func (t *OF) updateProperty(np *Node, newprop *Property) (old *Property) {
	removeFromList(&np.Deadprops, newprop)
	for i, p := range np.Props {
		if p.Name == newprop.Name {
			np.Props[i] = newprop
			np.pushDead(p)
			return p
		}
	}
	np.Props = append(np.Props, newprop)
	return nil
}

// propDup is __of_prop_dup(): an OF_DYNAMIC heap copy of prop, allocated
// on behalf of fn for the node at path. The kernel kmemdup()s the value;
// the copy here shares it, which no reader can tell apart: a value is
// never written in place once the op that made it is over (the resolver,
// the one writer, patches only the overlay tree it is resolving, before
// anything is duplicated from it), so a big overlay's values are not held
// once more in the live tree.
func (t *OF) propDup(prop *Property, path, fn string) *Property {
	p := &Property{Name: prop.Name}
	if len(prop.Value) > 0 { // else nil, as a copy gave
		p.Value = prop.Value[:len(prop.Value):len(prop.Value)]
	}
	p.obj = t.reg.Alloc("property", path+"/"+prop.Name, fn, true, false, "")
	return p
}
