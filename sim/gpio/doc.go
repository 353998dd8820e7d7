// Package gpio models the lifetimes of drivers/gpio/gpiolib.c and
// drivers/nvmem/core.c (kernel-model §7, §8): gpio_chip (driver-owned),
// gpio_device (subsystem-owned, its struct device refcounted by the
// registration and by every requested line), gpio_desc (inside the
// device's descs array), the module references a request takes, the
// never-merged gpiod_ref() kref patch of seeds/003 (profile suffix
// +gpiod-ref), and nvmem devices with their write-protect line.
//
// Version differences come from the profile: gpiod_free
// (conditional, unconditional, warn-unconditional, silent) decides what
// gpiod_free() does when gpiod_free_commit() fails, whether
// gpiochip_remove() prints "REMOVING GPIOCHIP WITH GPIOS STILL
// REQUESTED" (up to v6.8) and whether validate_desc() checks for a gone
// chip (up to v6.8); nvmem_wp (borrowed-put, removed, gpiod-ref) decides
// whether nvmem_config has wp_gpio and what nvmem does with it.
//
// Besides the kernel's own checks (refcount underflow and use-after-free
// through kobj, the leak check at teardown), the package runs the
// descriptor ownership oracle (owner.go): every successful request mints
// one owner token, gpiod_ref() one more, and every gpiod_put() must spend
// a token its caller holds. A put by a caller without a token, or with a
// token of a request another put already ended, is a finding whose title
// contains gpiod_put, whatever the kernel prints.
//
// API, by file:
//   - gpiolib.go: [GPIO], [New], [From], [Chip], [Device], [Desc],
//     [GPIO.GpiochipAddData], [GPIO.DevmGpiochipAddData],
//     [GPIO.GpiochipRemove], gpiodevice_release.
//   - consumer.go: lookup (of_find_gpio), gpiod_request, gpiod_free,
//     [GPIO.GpiodGetIndex], [GPIO.FwnodeGpiodGetIndex], the devm variants,
//     [GPIO.GpiodPut], [GPIO.GpiodRef].
//   - owner.go: the ownership oracle.
//   - nvmem.go: [NvmemConfig], [GPIO.NvmemRegister],
//     [GPIO.DevmNvmemRegister], [GPIO.NvmemUnregister], nvmem_release.
package gpio
