// Package errno holds the kernel error numbers the simulated kernel
// returns, shared by every subsystem so an -ENODEV from the OF layer and
// one from the driver core are the same value.
package errno

import "strconv"

// Errno is a negative kernel error number; it prints as the kernel's name
// ("-EINVAL").
type Errno int

// The errnos the model returns (include/uapi/asm-generic/errno-base.h,
// include/linux/errno.h).
const (
	ENOENT       Errno = -2
	ENXIO        Errno = -6
	ENOMEM       Errno = -12
	EBUSY        Errno = -16
	EEXIST       Errno = -17
	ENODEV       Errno = -19
	EINVAL       Errno = -22
	ENOSYS       Errno = -38
	EPROBE_DEFER Errno = -517
)

var names = map[Errno]string{
	ENOENT: "-ENOENT", ENXIO: "-ENXIO", ENOMEM: "-ENOMEM", EBUSY: "-EBUSY",
	EEXIST: "-EEXIST", ENODEV: "-ENODEV", EINVAL: "-EINVAL", ENOSYS: "-ENOSYS",
	EPROBE_DEFER: "-EPROBE_DEFER",
}

func (e Errno) Error() string {
	if n, ok := names[e]; ok {
		return n
	}
	return strconv.Itoa(int(e))
}

// Of returns the kernel's numeric value of err: 0 for nil, the number of
// an Errno, -EINVAL for anything else.
func Of(err error) int {
	if err == nil {
		return 0
	}
	if e, ok := err.(Errno); ok {
		return int(e)
	}
	return int(EINVAL)
}
