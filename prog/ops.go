package prog

// The op table: the single source of truth for the operations a program can
// contain. Parsing, printing, (later) byte decoding, generation and the
// simulator's dispatch all read it; sim has a test that every entry has a
// handler and no handler lacks an entry.

// OpID indexes Ops.
type OpID uint8

// ArgKind says how an argument value is written and checked.
type ArgKind uint8

const (
	// KindFile names a file of the program archive (blob=x.dtso).
	KindFile ArgKind = iota
	// KindRef links to the result of an earlier op of the argument's
	// Type (Arg.Ref; written ov=ov, by name). For TypeOverlay a decimal
	// literal is accepted too (Arg.Int, within Min..Max): the raw overlay
	// changeset id, as a user writing to configfs or a buggy caller would
	// pass it.
	KindRef
	// KindNode is a device-tree node: an absolute path (Arg.Path,
	// "/soc/i2c@3000"), looked up in the live tree when the op runs, or a
	// link (Arg.Ref) to an earlier op binding a node reference.
	KindNode
	// KindInt is a decimal integer in [ArgDesc.Min, ArgDesc.Max].
	KindInt
	// KindEnum is one of ArgDesc.Values (Arg.Int is its index).
	KindEnum
	// KindSched is a comma-separated list of sched points from
	// OpDesc.Sched, each optionally suffixed ":N" (run at most N pending
	// work items there; without it, run every pending item).
	KindSched
)

// Type is the type of a value an op binds with "name = op …".
type Type uint8

const (
	// TypeNone is the result type of an op that binds nothing.
	TypeNone Type = iota
	// TypeOverlay is an overlay changeset id (int *ovcs_id in the kernel).
	TypeOverlay
	// TypeNode is a struct device_node * on which the program holds the
	// reference the op took.
	TypeNode
	// TypeNotifier is a registered overlay notifier block.
	TypeNotifier
	// TypeDevice is a struct device * on which the program holds the
	// reference get_device took.
	TypeDevice
	// TypeLink is a struct device_link * returned by device_link_add (the
	// program owns one kref of a stateless link).
	TypeLink
	// TypeDesc is a struct gpio_desc * the program got with gpiod_get (or
	// gpiod_ref): one owner reference for the ownership oracle.
	TypeDesc
)

// NumTypes is the number of result types (TypeNone included): sim has a
// test that it handles each.
const NumTypes = int(TypeDesc) + 1

// types describes each Type: the one place a new handle type is named
// (sim's resolver table is the other half, checked by its tests).
var types = [NumTypes]struct {
	name   string // as error messages and synopses use it
	prefix string // canonical result name stem (Program.Names)
}{
	TypeNone:     {"none", ""},
	TypeOverlay:  {"overlay", "ov"},
	TypeNode:     {"node", "np"},
	TypeNotifier: {"notifier", "nb"},
	TypeDevice:   {"device", "dev"},
	TypeLink:     {"link", "link"},
	TypeDesc:     {"desc", "desc"},
}

// String returns the type's name as error messages use it ("overlay").
func (t Type) String() string {
	if int(t) < len(types) {
		return types[t].name
	}
	return "any"
}

// Prefix returns the stem of the canonical names of results of type t
// ("ov" for overlays): Program.Names names them ov, ov2, ov3, ….
func (t Type) Prefix() string {
	if int(t) < len(types) && types[t].prefix != "" {
		return types[t].prefix
	}
	return "v"
}

// ArgDesc describes one key=value argument.
type ArgDesc struct {
	Key    string
	Kind   ArgKind
	Type   Type     // KindRef, KindNode: the type of the bound value
	Values []string // KindEnum: the allowed values
	// Min and Max bound a KindInt value, and a literal overlay id of a
	// KindRef of TypeOverlay; the parser rejects values outside, and a
	// decoder or generator picks values inside.
	Min, Max int
	Optional bool
	Doc      string
}

// OpDesc describes one operation. Name is the kernel function it models.
type OpDesc struct {
	ID     OpID
	Name   string
	Args   []ArgDesc
	Result Type     // what "name = op" binds; TypeNone: the op binds nothing
	Sched  []string // sched points inside the op, in the order they are reached
	// Fallible: the op reaches fallible steps (allocations, idr_alloc,
	// device_add, a driver's probe steps), so it takes the optional
	// fail_nth argument (FailNthArg), appended to Args at init. sim has
	// a test that no op without it reaches one on the corpus.
	Fallible bool
	Doc      string
}

// FailNthKey is the key of the fault-injection argument every Fallible op
// takes: fail_nth=N makes the N-th fallible step inside the op fail with
// the kernel's errno, and the simulator runs the kernel's error path there
// (sim/fault; dangle run -fail-list lists the steps an op reached).
const FailNthKey = "fail_nth"

// MaxFailNth bounds fail_nth: an overlay apply that adds a few devices
// with their drivers reaches about a hundred fallible steps.
const MaxFailNth = 128

// FailNthArg is the fail_nth argument, the last argument of every
// Fallible op: optional, so programs without it are unchanged.
var FailNthArg = ArgDesc{Key: FailNthKey, Kind: KindInt, Min: 1, Max: MaxFailNth, Optional: true,
	Doc: "fault injection: the N-th fallible step inside the op fails with the kernel's errno"}

// Sched point names inside of_overlay_remove(), in execution order.
const (
	// SchedAfterRevertNotify is between __of_changeset_revert_notify() and
	// free_overlay_changeset(): where device teardown has queued work that
	// the changeset destroy may race with (seeds/000).
	SchedAfterRevertNotify = "after-revert-notify"
)

// Notifier behaviours for of_overlay_notifier_register.
const (
	// NotifyKeepOverlay stores nd->overlay at OF_OVERLAY_PRE_APPLY and,
	// unlike the rule at of_overlay_notifier_register() ("not supposed to
	// store pointers ... beyond OF_OVERLAY_POST_REMOVE"), keeps it until
	// unregistered, as FPGA-region users did (seeds/002);
	// overlay_notifier_deref reads through it.
	NotifyKeepOverlay = "keep-overlay"
	// NotifyFailPreApply returns an error (-EINVAL) at OF_OVERLAY_PRE_APPLY.
	NotifyFailPreApply = "fail-pre-apply"
	// NotifyFailPostApply returns an error (-EINVAL) at OF_OVERLAY_POST_APPLY.
	NotifyFailPostApply = "fail-post-apply"
	// NotifyFailPreRemove returns an error (-EBUSY) at OF_OVERLAY_PRE_REMOVE.
	NotifyFailPreRemove = "fail-pre-remove"
)

// Ops is the op table. The index of an entry is its OpID.
var Ops = []OpDesc{
	{
		Name: "of_overlay_fdt_apply", Fallible: true,
		Args:   []ArgDesc{{Key: "blob", Kind: KindFile, Doc: "the overlay: a .dtso source or a .dtbo blob in the archive"}},
		Result: TypeOverlay,
		Doc:    "apply an overlay; returns the overlay changeset id (also on most failures, as current kernels do)",
	},
	{
		Name: "of_overlay_remove", Fallible: true,
		Args: []ArgDesc{
			{Key: "ov", Kind: KindRef, Type: TypeOverlay, Min: 0, Max: MaxOverlayID, Doc: "overlay id (bound name or literal)"},
			{Key: "sched", Kind: KindSched, Optional: true, Doc: "where pending work runs inside the removal"},
		},
		Sched: []string{SchedAfterRevertNotify},
		Doc:   "remove an overlay; the bound id is zeroed on success, as *ovcs_id is",
	},
	{
		Name: "of_overlay_remove_all", Fallible: true,
		Doc: "remove every overlay, topmost first",
	},
	{
		Name:   "of_node_get",
		Args:   []ArgDesc{{Key: "node", Kind: KindNode, Type: TypeNode}},
		Result: TypeNode,
		Doc:    "take a reference on a node, as a driver keeping a pointer does",
	},
	{
		Name: "of_node_put",
		Args: []ArgDesc{{Key: "node", Kind: KindNode, Type: TypeNode}},
		Doc:  "drop a reference on a node",
	},
	{
		Name: "of_overlay_notifier_register",
		Args: []ArgDesc{{Key: "action", Kind: KindEnum,
			Values: []string{NotifyKeepOverlay, NotifyFailPreApply, NotifyFailPostApply, NotifyFailPreRemove}}},
		Result: TypeNotifier,
		Doc:    "register an overlay notifier with the given behaviour",
	},
	{
		Name: "of_overlay_notifier_unregister",
		Args: []ArgDesc{{Key: "nb", Kind: KindRef, Type: TypeNotifier}},
		Doc:  "unregister an overlay notifier",
	},
	{
		Name: "overlay_notifier_deref",
		Args: []ArgDesc{{Key: "nb", Kind: KindRef, Type: TypeNotifier}},
		Doc:  "a keep-overlay notifier's owner reads the overlay node it kept (fpga-region reading its overlay later)",
	},
	// The driver-core ops. Ops act on a device by its device-tree node.
	{
		Name: "of_platform_populate", Fallible: true, Args: []ArgDesc{nodeArg},
		Doc: "of_platform_populate(np, NULL, NULL, dev): a platform device for each child with a compatible (the parent is np's device, else platform_bus)",
	},
	{
		Name: "of_platform_depopulate", Args: []ArgDesc{nodeArg},
		Doc: "of_platform_depopulate(dev) for the device of np: destroy the devices populated below it",
	},
	{
		Name: "device_release_driver", Args: []ArgDesc{nodeArg},
		Doc: "unbind the device's driver, as a write to the driver's sysfs unbind file does",
	},
	{
		Name: "device_attach", Fallible: true, Args: []ArgDesc{nodeArg},
		Doc: "device_attach(): try to bind a driver to the device (1 bound, 0 none)",
	},
	{
		Name: "driver_unregister", Args: []ArgDesc{driverArg},
		Doc: "unload the driver's module: driver_unregister() unbinds its devices, last bound first",
	},
	{
		Name: "driver_register", Fallible: true, Args: []ArgDesc{driverArg},
		Doc: "load the driver's module: driver_register() binds every matching device",
	},
	{
		Name: "run_work", Fallible: true,
		Args: []ArgDesc{wqArg, {Key: "item", Kind: KindInt, Min: 1, Max: MaxWorkItem, Optional: true, Doc: "which pending item, 1-based (default 1: the oldest)"}},
		Doc:  "run one pending work item of the queue (-ENOENT if none)",
	},
	{
		Name: "flush_workqueue", Fallible: true, Args: []ArgDesc{wqArg},
		Doc: "flush_workqueue(): run every item pending at the call",
	},
	{
		Name: "device_link_wait_removal",
		Doc:  "device_link_wait_removal(): flush device_link_wq",
	},
	{
		Name: "get_device", Args: []ArgDesc{nodeArg}, Result: TypeDevice,
		Doc: "take a reference on the device of np, as a driver keeping a struct device pointer does",
	},
	{
		Name: "put_device", Args: []ArgDesc{{Key: "dev", Kind: KindRef, Type: TypeDevice}},
		Doc: "drop a reference taken by get_device",
	},
	// Device links and devres driven directly, as driver code calling the
	// API at run time does (kernel-model §5, §6).
	{
		Name: "device_link_add", Fallible: true,
		Args: []ArgDesc{
			{Key: "consumer", Kind: KindNode, Type: TypeNode, Doc: "the consumer device's node"},
			{Key: "supplier", Kind: KindNode, Type: TypeNode, Doc: "the supplier device's node"},
			{Key: "flags", Kind: KindEnum, Values: DeviceLinkFlags, Doc: "DL_FLAG_* combination (0: managed, no autoremove)"},
		},
		Result: TypeLink,
		Doc:    "device_link_add(consumer, supplier, flags): the link (new, or an existing one with its kref raised) or NULL",
	},
	{
		Name: "device_link_del", Args: []ArgDesc{{Key: "link", Kind: KindRef, Type: TypeLink}},
		Doc: "device_link_del(link): drop a stateless link's kref; a managed link cannot be dropped while its consumer is registered",
	},
	{
		Name: "device_link_remove",
		Args: []ArgDesc{
			{Key: "consumer", Kind: KindNode, Type: TypeNode, Doc: "the consumer device's node"},
			{Key: "supplier", Kind: KindNode, Type: TypeNode, Doc: "the supplier device's node"},
		},
		Doc: "device_link_remove(consumer, supplier): device_link_del() of the pair's link, if any",
	},
	{
		Name: "devres_open_group", Fallible: true, Args: []ArgDesc{nodeArg, groupArg},
		Doc: "devres_open_group(dev, id): open a devres group (no id: the group is its own id)",
	},
	{
		Name: "devres_close_group", Args: []ArgDesc{nodeArg, groupArg},
		Doc: "devres_close_group(dev, id): close the group (no id: the latest open group); WARN_ON if none",
	},
	{
		Name: "devres_release_group", Args: []ArgDesc{nodeArg, groupArg},
		Doc: "devres_release_group(dev, id): release the group's resources, last first; returns the count; WARN_ON if not found",
	},
	{
		Name: "devres_remove_group", Args: []ArgDesc{nodeArg, groupArg},
		Doc: "devres_remove_group(dev, id): drop the group's markers, keeping its resources; WARN_ON if not found",
	},
	{
		Name: "devm_add_action", Fallible: true, Args: []ArgDesc{nodeArg, actionArg},
		Doc: "devm_add_action(dev, dangle_test_action, N): a managed action that logs when it runs",
	},
	{
		Name: "devm_remove_action", Args: []ArgDesc{nodeArg, actionArg},
		Doc: "devm_remove_action(dev, dangle_test_action, N): drop the action without running it; WARN if absent",
	},
	// GPIO consumers outside drivers (a test module, the GPIO character
	// device): descriptors by the consumer node's "<con>-gpios" property.
	{
		Name: "gpiod_get", Fallible: true,
		Args: []ArgDesc{
			{Key: "node", Kind: KindNode, Type: TypeNode, Doc: "the consumer node (its device's gpiod_get, else fwnode_gpiod_get_index)"},
			{Key: "con", Kind: KindEnum, Values: GpioConIDs, Doc: "con_id: the \"<con>-gpios\" property (none: \"gpios\")"},
			{Key: "flags", Kind: KindEnum, Values: GpiodGetFlags, Optional: true, Doc: "nonexclusive: GPIOD_FLAGS_BIT_NONEXCLUSIVE; optional: gpiod_get_optional"},
		},
		Result: TypeDesc,
		Doc:    "gpiod_get(dev, con_id, GPIOD_ASIS): request the line; the program owns one reference",
	},
	{
		Name: "gpiod_put", Args: []ArgDesc{{Key: "desc", Kind: KindRef, Type: TypeDesc}},
		Doc: "gpiod_put(desc): release the program's reference (the ownership oracle checks it holds one)",
	},
	{
		Name: "gpiod_ref", Args: []ArgDesc{{Key: "desc", Kind: KindRef, Type: TypeDesc}}, Result: TypeDesc,
		Doc: "gpiod_ref(desc) of the never-merged seeds/003 patch (+gpiod-ref): one more reference; -ENOSYS where the function does not exist",
	},
}

// DeviceLinkFlags are the flags= values of device_link_add: the DL_FLAG_*
// combinations the model distinguishes, including ones device_link_add()
// rejects.
var DeviceLinkFlags = []string{"0", "DL_FLAG_STATELESS", "DL_FLAG_AUTOREMOVE_CONSUMER",
	"DL_FLAG_AUTOREMOVE_SUPPLIER", "DL_FLAG_AUTOPROBE_CONSUMER",
	"DL_FLAG_STATELESS|DL_FLAG_AUTOREMOVE_CONSUMER", "DL_FLAG_AUTOPROBE_CONSUMER|DL_FLAG_AUTOREMOVE_CONSUMER"}

// GpioConIDs are the con= values of gpiod_get ("none": con_id NULL).
var GpioConIDs = []string{"none", "enable", "led", "power", "reset", "test", "wp"}

// GpiodGetFlags are the flags= values of gpiod_get.
var GpiodGetFlags = []string{"nonexclusive", "optional", "optional|nonexclusive"}

// Workqueue names for run_work and flush_workqueue: device_link_wq and
// system_wq ("events", where deferred_probe_work runs).
var Workqueues = []string{"device_link_wq", "events"}

var (
	nodeArg   = ArgDesc{Key: "node", Kind: KindNode, Type: TypeNode, Doc: "the device's device-tree node"}
	driverArg = ArgDesc{Key: "driver", Kind: KindEnum, Values: DriverCompatibles, Doc: "a compatible of the catalog driver"}
	wqArg     = ArgDesc{Key: "wq", Kind: KindEnum, Values: Workqueues, Optional: true, Doc: "the workqueue (default device_link_wq)"}
	groupArg  = ArgDesc{Key: "id", Kind: KindInt, Min: 1, Max: MaxDevresID, Optional: true, Doc: "the devres group id (absent: NULL)"}
	actionArg = ArgDesc{Key: "action", Kind: KindInt, Min: 0, Max: MaxDevresID, Doc: "the action's data: its number"}
)

// The int ranges of the op table. They are small on purpose: a byte
// decoder or generator picking from them hits equal values often, which
// is what makes two ops interact (the same group, the same action).
const (
	// MaxOverlayID bounds a literal overlay id (of_overlay_remove ov=N):
	// ids come from idr_alloc starting at 1, one per apply, so a short
	// program never reaches it; 0 is the id a failed or removed overlay
	// leaves behind.
	MaxOverlayID = 64
	// MaxWorkItem bounds run_work item= (1-based position in the queue);
	// a queue rarely holds more than a few items.
	MaxWorkItem = 8
	// MaxDevresID bounds devres group ids (1..) and action numbers (0..):
	// the void * the caller passes, only compared for equality.
	MaxDevresID = 16
)

// DriverCompatibles are the driver= values: the compatibles of the
// simulator's driver catalog (sim checks that the two lists agree). A
// driver op acts on the catalog driver whose match table has it.
var DriverCompatibles = []string{"arm,amba-bus", "atmel,24c32", "dangle,devres-test", "dangle,dt-fixup", "dangle,gpio-controller",
	"dangle,i2c-controller", "dangle,i2c-input", "dangle,power-domain", "dangle,spi-controller",
	"dangle,spi-input", "fixed-clock", "gpio-leds", "isa", "nxp,pca9534", "nxp,pca9535", "nxp,pca9555",
	"regulator-fixed", "simple-bus", "simple-mfd", "ti,tca6416"}

func init() {
	for i := range Ops {
		Ops[i].ID = OpID(i)
		if Ops[i].Fallible {
			Ops[i].Args = append(Ops[i].Args, FailNthArg)
		}
	}
}

var opsByName = func() map[string]*OpDesc {
	m := make(map[string]*OpDesc, len(Ops))
	for i := range Ops {
		m[Ops[i].Name] = &Ops[i]
	}
	return m
}()

// Lookup returns the op called name, or nil.
func Lookup(name string) *OpDesc { return opsByName[name] }

// Arg returns the description of the argument called key, or nil.
func (d *OpDesc) Arg(key string) *ArgDesc {
	for i := range d.Args {
		if d.Args[i].Key == key {
			return &d.Args[i]
		}
	}
	return nil
}
