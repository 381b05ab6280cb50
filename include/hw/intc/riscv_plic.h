/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RISC-V Platform-Level Interrupt Controller (SiFive PLIC layout, as on
 * QEMU's riscv virt board).
 *
 * Register map (offsets in the MMIO window):
 *   0x000000 + 4*src          priority of source src (1..num_sources-1)
 *   0x001000 + 4*word         pending bits (read-only)
 *   0x002000 + 0x80*ctx       enable bits of context ctx
 *   0x200000 + 0x1000*ctx     threshold; +4: claim (read) / complete (write)
 * Context 2*h is hart h's M-mode, 2*h+1 its S-mode (QEMU's "MS" config).
 *
 * Sources are level-sensitive: a source is pending while its line is high
 * and it is not claimed; completing a source whose line is still high makes
 * it pending again.  Device state is protected by the big lock.
 */
#ifndef HW_INTC_RISCV_PLIC_H
#define HW_INTC_RISCV_PLIC_H

#include <stdint.h>
#include "hw/core/irq.h"
#include "migration/vmstate.h"
#include "system/memory.h"
#include "util/error.h"

#define PLIC_PRIORITY_BASE   0x0
#define PLIC_PENDING_BASE    0x1000
#define PLIC_ENABLE_BASE     0x2000
#define PLIC_ENABLE_STRIDE   0x80
#define PLIC_CONTEXT_BASE    0x200000
#define PLIC_CONTEXT_STRIDE  0x1000
#define PLIC_MAX_SOURCES     1024
#define PLIC_MAX_CONTEXTS    15872

typedef struct RiscvPlic RiscvPlic;

/*
 * @num_sources counts source 0 (which does not exist), like QEMU's
 * VIRT_IRQCHIP_NUM_SOURCES; @num_contexts = 2 * harts; @prio_bits is the
 * width of the priority registers; @mmio_size the window to map (at least
 * large enough for every context).
 */
RiscvPlic *riscv_plic_new(const char *name, unsigned num_sources,
                          unsigned num_contexts, unsigned prio_bits,
                          uint64_t mmio_size, Error **errp);
void riscv_plic_free(RiscvPlic *plic);
MemoryRegion *riscv_plic_mmio(RiscvPlic *plic);
/* Input line of source @n (1..num_sources-1); NULL when out of range. */
IrqLine *riscv_plic_input(RiscvPlic *plic, unsigned n);
/* All input lines (index = source number, 0 included), for gpio registry. */
IrqLine *riscv_plic_inputs(RiscvPlic *plic);
/* Output of context @ctx (MEIP or SEIP of a hart): the machine connects
 * it with irq_init(). */
IrqLine *riscv_plic_output(RiscvPlic *plic, unsigned ctx);
unsigned riscv_plic_num_sources(const RiscvPlic *plic);
void riscv_plic_reset(RiscvPlic *plic);
/*
 * Migration: riscv_plic_new() registers the PLIC under its @name (instance
 * ids in creation order); the description, for tests.  Input line levels,
 * pending, claimed, priorities, thresholds and enables travel; the
 * outputs are driven again after a load.
 */
extern const VMStateDescription vmstate_riscv_plic;

#endif
