/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RISC-V AIA Incoming MSI Controller (IMSIC), one privilege level (M or S)
 * for every hart of the machine, as on QEMU's riscv virt board.
 *
 * Each hart has one interrupt file at this level.  Its MMIO page (4 KiB)
 * holds seteipnum_le at offset 0 and seteipnum_be at offset 4: a 32-bit
 * write of identity i (1..num_ids) sets pending bit i.  At S level a hart
 * owns 2^guest_bits pages: the S file, then the guest files.  There is no
 * hypervisor extension, so guest pages accept MSIs and drop them.
 *
 * The hart reaches its file through the AIA CSRs (miselect/mireg,
 * siselect/sireg with selectors 0x70..0xff, mtopei/stopei); the CPU calls
 * riscv_imsic_rmw() and riscv_imsic_topei() on its own thread, without the
 * big lock.  All state is under the IMSIC's own mutex, so MMIO (under the
 * big lock) and CSR accesses may race safely.  The output line of a file
 * (MEIP or SEIP of the hart) is driven while that mutex is held, from
 * either side: its handler must be thread-safe (riscv_cpu_set_irq is).
 */
#ifndef HW_INTC_RISCV_IMSIC_H
#define HW_INTC_RISCV_IMSIC_H

#include <stdbool.h>
#include <stdint.h>
#include "hw/core/irq.h"
#include "migration/vmstate.h"
#include "system/memory.h"
#include "util/error.h"

#define IMSIC_PAGE_SIZE    0x1000
#define IMSIC_SETEIPNUM_LE 0x0
#define IMSIC_SETEIPNUM_BE 0x4
#define IMSIC_MAX_IDS      2047
#define IMSIC_MAX_GUESTS   63

/* Indirect register numbers (*iselect values). */
#define IMSIC_ISEL_EIDELIVERY  0x70
#define IMSIC_ISEL_EITHRESHOLD 0x72
#define IMSIC_ISEL_EIP0        0x80
#define IMSIC_ISEL_EIP63       0xbf
#define IMSIC_ISEL_EIE0        0xc0
#define IMSIC_ISEL_EIE63       0xff

/* *topei: identity in bits 26:16, the same value as priority in 10:0. */
#define IMSIC_TOPEI_ID_SHIFT 16

typedef struct RiscvImsic RiscvImsic;

/*
 * @mmode: machine level (no guest files allowed); @harts: 1..16384;
 * @guests: guest files per hart (S level only, 0..IMSIC_MAX_GUESTS);
 * @num_ids: highest interrupt identity, 63..2047 and 63 mod 64 (QEMU: 255).
 */
RiscvImsic *riscv_imsic_new(const char *name, bool mmode, unsigned harts,
                            unsigned guests, unsigned num_ids, Error **errp);
void riscv_imsic_free(RiscvImsic *imsic);
/* harts * riscv_imsic_hart_stride() bytes, hart h's file at h * stride. */
MemoryRegion *riscv_imsic_mmio(RiscvImsic *imsic);
uint64_t riscv_imsic_hart_stride(const RiscvImsic *imsic);
/* ceil(log2(guests + 1)): the device tree's riscv,guest-index-bits. */
unsigned riscv_imsic_guest_bits(const RiscvImsic *imsic);
unsigned riscv_imsic_num_ids(const RiscvImsic *imsic);
/* Interrupt signal of hart @hart's file: connect with irq_init(). */
IrqLine *riscv_imsic_output(RiscvImsic *imsic, unsigned hart);

/*
 * Indirect register @isel of hart @hart's file, XLEN = 64: *old gets the
 * value before the write; bits in @wmask are replaced by those of @wval
 * (wmask 0 = read only), atomically.  Returns false when the access must
 * raise an illegal instruction (odd eip/eie numbers, @isel outside
 * 0x70..0xff, no such hart); reserved numbers read 0 and ignore writes.
 */
bool riscv_imsic_rmw(RiscvImsic *imsic, unsigned hart, unsigned isel,
                     uint64_t wval, uint64_t wmask, uint64_t *old);
/* *topei value of hart @hart's file; @claim also clears that pending bit
 * (a CSR write), atomically with the read. */
uint32_t riscv_imsic_topei(RiscvImsic *imsic, unsigned hart, bool claim);
/* What an MSI write of @id to the hart's page does (ids out of range are
 * ignored).  Any thread. */
void riscv_imsic_set_pending(RiscvImsic *imsic, unsigned hart, uint32_t id);
/* eidelivery, eithreshold and every eip/eie bit to zero. */
void riscv_imsic_reset(RiscvImsic *imsic);

/*
 * Migration: riscv_imsic_new() registers the device under its @name:
 * eidelivery, eithreshold, eip and eie of every file; outputs are driven
 * again after a load.
 */
extern const VMStateDescription vmstate_riscv_imsic;

#endif
