/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SiFive CLINT / RISC-V ACLINT MSWI + MTIMER, in the CLINT layout that
 * both share on QEMU's riscv virt board:
 *   0x0000 + 4*h   msip of hart h (bit 0)      (ACLINT MSWI)
 *   0x4000 + 8*h   mtimecmp of hart h          (ACLINT MTIMER + 0x0000)
 *   0xbff8         mtime                       (ACLINT MTIMER + 0x7ff8)
 * and the ACLINT SSWI (setssip registers, 4 bytes per hart) as a separate
 * window.
 *
 * mtime runs at @timebase_hz from QEMU_CLOCK_VIRTUAL, so it stops while the
 * VM is paused and moves only by qtest under -accel qtest.  MTIP of hart h
 * is the level (mtime >= mtimecmp[h]); a virtual-clock timer raises it when
 * it comes due, and vCPU threads may also poll riscv_aclint_check_timer()
 * to see it without waiting for the main loop.
 *
 * Registers are accessed under the big lock.  riscv_aclint_time() and
 * riscv_aclint_timer_deadline_ns() may be called from any thread.
 */
#ifndef HW_INTC_RISCV_ACLINT_H
#define HW_INTC_RISCV_ACLINT_H

#include <stdint.h>
#include "hw/core/irq.h"
#include "system/memory.h"
#include "util/error.h"

#define ACLINT_MSIP_BASE      0x0000
#define ACLINT_MTIMECMP_BASE  0x4000
#define ACLINT_MTIME          0xbff8
#define ACLINT_CLINT_SIZE     0x10000
#define ACLINT_SSWI_SIZE      0x4000
#define ACLINT_MAX_HARTS      4095

typedef struct RiscvAclint RiscvAclint;

RiscvAclint *riscv_aclint_new(const char *name, unsigned num_harts,
                              uint64_t timebase_hz, Error **errp);
void riscv_aclint_free(RiscvAclint *a);
/* The CLINT window (ACLINT_CLINT_SIZE bytes: MSWI + MTIMER). */
MemoryRegion *riscv_aclint_mmio(RiscvAclint *a);
/* The ACLINT SSWI window (ACLINT_SSWI_SIZE bytes). */
MemoryRegion *riscv_aclint_sswi_mmio(RiscvAclint *a);
/* Outputs of hart @h, connected by the machine with irq_init(). */
IrqLine *riscv_aclint_msip_out(RiscvAclint *a, unsigned h);
IrqLine *riscv_aclint_mtip_out(RiscvAclint *a, unsigned h);
IrqLine *riscv_aclint_ssip_out(RiscvAclint *a, unsigned h);
/* mtime now (any thread). */
uint64_t riscv_aclint_time(RiscvAclint *a);
/* Virtual-clock time (ns) at which hart @h's timer is due; INT64_MAX when
 * never (any thread, lock-free). */
int64_t riscv_aclint_timer_deadline_ns(RiscvAclint *a, unsigned h);
/* Raise MTIP of @h if due; call with the big lock held. */
void riscv_aclint_check_timer(RiscvAclint *a, unsigned h);
void riscv_aclint_reset(RiscvAclint *a);

#endif
