/* SPDX-License-Identifier: (GPL-2.0-only OR MIT) */
/*
 * Test stand-in for the kernel's include/dt-bindings/interrupt-controller/
 * arm-gic.h, written for dangle: the same macro names and values (the GIC
 * binding's interrupt cells), nothing copied.
 */
#ifndef _DT_BINDINGS_INTERRUPT_CONTROLLER_ARM_GIC_H
#define _DT_BINDINGS_INTERRUPT_CONTROLLER_ARM_GIC_H

#include <dt-bindings/interrupt-controller/irq.h>

/* first cell: shared (SPI) or per-CPU (PPI) interrupt */
#define GIC_SPI 0
#define GIC_PPI 1

/* third cell of a PPI: the CPUs it is wired to, bits 8-15 */
#define GIC_CPU_MASK_RAW(x) ((x) << 8)
#define GIC_CPU_MASK_SIMPLE(num) GIC_CPU_MASK_RAW((1 << (num)) - 1)

#endif
