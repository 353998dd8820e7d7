/* SPDX-License-Identifier: (GPL-2.0-only OR MIT) */
/*
 * Test stand-in for the kernel's include/dt-bindings/interrupt-controller/
 * irq.h, written for dangle: the same macro names and values (the trigger
 * types of the interrupts binding), nothing copied.
 */
#ifndef _DT_BINDINGS_INTERRUPT_CONTROLLER_IRQ_H
#define _DT_BINDINGS_INTERRUPT_CONTROLLER_IRQ_H

#define IRQ_TYPE_NONE 0
#define IRQ_TYPE_EDGE_RISING 1
#define IRQ_TYPE_EDGE_FALLING 2
#define IRQ_TYPE_EDGE_BOTH (IRQ_TYPE_EDGE_FALLING | IRQ_TYPE_EDGE_RISING)
#define IRQ_TYPE_LEVEL_HIGH 4
#define IRQ_TYPE_LEVEL_LOW 8

#endif
