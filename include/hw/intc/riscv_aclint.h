/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RISC-V ACLINT (MSWI, MTIMER, SSWI) and the SiFive CLINT, which is an
 * MSWI followed by an MTIMER.  One RiscvAclint holds the state of all
 * three devices for a set of harts and offers a window per device; the
 * board maps the ones it describes:
 *
 *   MSWI   (ACLINT_SWI_SIZE)     0x0000 + 4*h  msip of hart h (bit 0, r/w)
 *   MTIMER (ACLINT_MTIMER_SIZE)  0x0000 + 8*h  mtimecmp of hart h
 *                                0x7ff8        mtime
 *   SSWI   (ACLINT_SWI_SIZE)     0x0000 + 4*h  setssip of hart h: writing
 *                                              1 pulses the hart's SSIP
 *                                              output; reads return 0
 *   CLINT  (ACLINT_CLINT_SIZE)   MSWI at 0x0000, MTIMER at 0x4000 (so
 *                                mtimecmp at 0x4000, mtime at 0xbff8)
 *
 * As on QEMU: registers take 4-byte accesses (the MTIMER also 8-byte),
 * naturally aligned; other accesses, harts beyond num_harts and holes
 * read 0 and ignore writes.  Writing 0 to msip clears it; writing 0 to
 * setssip does nothing (the guest clears SSIP in its sip CSR).
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
#include "migration/vmstate.h"
#include "system/memory.h"
#include "util/error.h"

/* Offsets in the CLINT window. */
#define ACLINT_MSIP_BASE      0x0000
#define ACLINT_MTIMECMP_BASE  0x4000
#define ACLINT_MTIME          0xbff8
#define ACLINT_CLINT_SIZE     0x10000
/* The ACLINT devices on their own. */
#define ACLINT_SWI_SIZE       0x4000 /* MSWI or SSWI */
#define ACLINT_SSWI_SIZE      ACLINT_SWI_SIZE
#define ACLINT_MTIMER_SIZE    0x8000
#define ACLINT_MTIMER_MTIMECMP 0x0000 /* offsets in the MTIMER window */
#define ACLINT_MTIMER_MTIME    0x7ff8
#define ACLINT_MAX_HARTS      4095

typedef struct RiscvAclint RiscvAclint;

RiscvAclint *riscv_aclint_new(const char *name, unsigned num_harts,
                              uint64_t timebase_hz, Error **errp);
void riscv_aclint_free(RiscvAclint *a);
/* The SiFive CLINT window (ACLINT_CLINT_SIZE bytes: MSWI + MTIMER). */
MemoryRegion *riscv_aclint_mmio(RiscvAclint *a);
/* The ACLINT MSWI window (ACLINT_SWI_SIZE bytes). */
MemoryRegion *riscv_aclint_mswi_mmio(RiscvAclint *a);
/* The ACLINT MTIMER window (ACLINT_MTIMER_SIZE bytes). */
MemoryRegion *riscv_aclint_mtimer_mmio(RiscvAclint *a);
/* The ACLINT SSWI window (ACLINT_SWI_SIZE bytes). */
MemoryRegion *riscv_aclint_sswi_mmio(RiscvAclint *a);
/*
 * Outputs of hart @h (NULL beyond num_harts), connected by the machine
 * with irq_init().  msip and mtip are levels; ssip is only ever raised,
 * once per setssip write of 1 (an edge the CPU latches into mip.SSIP).
 */
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
/*
 * Migration: riscv_aclint_new() registers the device under its @name.  The
 * stream carries mtime itself (and the timebase), mtimecmp and msip per
 * hart; the destination derives its offset to the virtual clock from
 * mtime, so the guest's time neither jumps back nor skips the downtime.
 */
extern const VMStateDescription vmstate_riscv_aclint;

#endif
