/* SPDX-License-Identifier: (GPL-2.0-only OR MIT) */
/*
 * Test stand-in for the kernel's include/dt-bindings/gpio/gpio.h, written
 * for dangle: the same macro names and values (they are the GPIO flags of
 * the device-tree binding), nothing copied. Point -I at a kernel tree's
 * include/ to use the real one.
 */
#ifndef _DT_BINDINGS_GPIO_GPIO_H
#define _DT_BINDINGS_GPIO_GPIO_H

/* bit 0: polarity */
#define GPIO_ACTIVE_HIGH 0
#define GPIO_ACTIVE_LOW 1

/* bit 1: single-ended; bit 2: open drain (1) or open source (0) */
#define GPIO_PUSH_PULL 0
#define GPIO_SINGLE_ENDED 2
#define GPIO_LINE_OPEN_SOURCE 0
#define GPIO_LINE_OPEN_DRAIN 4
#define GPIO_OPEN_DRAIN (GPIO_SINGLE_ENDED | GPIO_LINE_OPEN_DRAIN)
#define GPIO_OPEN_SOURCE (GPIO_SINGLE_ENDED | GPIO_LINE_OPEN_SOURCE)

/* bit 3: keep the value over suspend (0) or not (1) */
#define GPIO_PERSISTENT 0
#define GPIO_TRANSITORY 8

/* bits 4-6: bias */
#define GPIO_PULL_UP 16
#define GPIO_PULL_DOWN 32
#define GPIO_PULL_DISABLE 64

#endif
