/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RISC-V AIA Advanced Platform-Level Interrupt Controller (APLIC): one
 * interrupt domain per object, linked into a hierarchy (root = the
 * machine-level domain that owns the wires, children get sources by
 * delegation), in direct or MSI delivery mode (fixed at creation, so
 * domaincfg.DM is read-only).  Little-endian only (domaincfg.BE = 0).
 *
 * Register map of a domain (offsets in its window):
 *   0x0000 domaincfg            0x0004 + 4*(i-1) sourcecfg[i]
 *   0x1bc0 mmsiaddrcfg(h)       0x1bc8 smsiaddrcfg(h)   (root only)
 *   0x1c00 setip[k]   0x1cdc setipnum   0x1d00 in_clrip[k]  0x1ddc clripnum
 *   0x1e00 setie[k]   0x1edc setienum   0x1f00 clrie[k]     0x1fdc clrienum
 *   0x2000 setipnum_le  0x2004 setipnum_be  0x3000 genmsi
 *   0x3004 + 4*(i-1) target[i]          0x4000 + 32*h IDC of hart h (direct)
 *
 * In MSI mode a pending-and-enabled source (with domaincfg.IE) is sent as
 * a 32-bit little-endian write of its EIID to the IMSIC address computed
 * from the root's *msiaddrcfg registers, and its pending bit is cleared.
 * In direct mode each hart's IDC drives one output (MEIP or SEIP).
 * State is protected by the big lock (inputs, MMIO and MSIs).
 */
#ifndef HW_INTC_RISCV_APLIC_H
#define HW_INTC_RISCV_APLIC_H

#include <stdbool.h>
#include <stdint.h>
#include "hw/core/irq.h"
#include "migration/vmstate.h"
#include "system/memory.h"
#include "util/error.h"

#define APLIC_DOMAINCFG      0x0000
#define APLIC_SOURCECFG      0x0004
#define APLIC_MMSIADDRCFG    0x1bc0
#define APLIC_MMSIADDRCFGH   0x1bc4
#define APLIC_SMSIADDRCFG    0x1bc8
#define APLIC_SMSIADDRCFGH   0x1bcc
#define APLIC_SETIP          0x1c00
#define APLIC_SETIPNUM       0x1cdc
#define APLIC_IN_CLRIP       0x1d00
#define APLIC_CLRIPNUM       0x1ddc
#define APLIC_SETIE          0x1e00
#define APLIC_SETIENUM       0x1edc
#define APLIC_CLRIE          0x1f00
#define APLIC_CLRIENUM       0x1fdc
#define APLIC_SETIPNUM_LE    0x2000
#define APLIC_SETIPNUM_BE    0x2004
#define APLIC_GENMSI         0x3000
#define APLIC_TARGET         0x3004
#define APLIC_IDC            0x4000
#define APLIC_IDC_SIZE       32
#define APLIC_IDC_IDELIVERY  0x00
#define APLIC_IDC_IFORCE     0x04
#define APLIC_IDC_ITHRESHOLD 0x08
#define APLIC_IDC_TOPI       0x18
#define APLIC_IDC_CLAIMI     0x1c

#define APLIC_DOMAINCFG_IE       (1u << 8)
#define APLIC_DOMAINCFG_DM       (1u << 2)
#define APLIC_SOURCECFG_D        (1u << 10)
#define APLIC_SM_INACTIVE        0
#define APLIC_SM_DETACHED        1
#define APLIC_SM_EDGE1           4
#define APLIC_SM_EDGE0           5
#define APLIC_SM_LEVEL1          6
#define APLIC_SM_LEVEL0          7
#define APLIC_MSIADDRCFGH_L      (1u << 31)
#define APLIC_TARGET_HART_SHIFT  18
#define APLIC_TARGET_GUEST_SHIFT 12
#define APLIC_MAX_SOURCES        1024
#define APLIC_MAX_HARTS          16384
#define APLIC_MAX_CHILDREN       8
#define APLIC_IPRIO_BITS         8

/* Window needed for @harts IDCs (QEMU maps APLIC_SIZE(512) = 0x8000). */
#define APLIC_SIZE(harts) (APLIC_IDC + (uint64_t)(harts)*APLIC_IDC_SIZE)

typedef struct RiscvAplic RiscvAplic;

/*
 * A domain.  @parent NULL makes the root (machine level, @mmode must be
 * true); otherwise the new domain is @parent's next child (child index 0,
 * 1, ...).  @num_sources counts source 0, which does not exist (QEMU's
 * VIRT_IRQCHIP_NUM_SOURCES); children share the root's count.  @msi_as is
 * where MSIs are written (NULL: the machine's memory), root only.
 */
RiscvAplic *riscv_aplic_new(const char *name, RiscvAplic *parent, bool mmode,
                            bool msi_mode, unsigned num_sources, unsigned harts,
                            uint64_t mmio_size, AddressSpace *msi_as,
                            Error **errp);
/* Frees the domain and its children. */
void riscv_aplic_free(RiscvAplic *aplic);
MemoryRegion *riscv_aplic_mmio(RiscvAplic *aplic);
/* Wired input of source @n (root only; 1..num_sources-1), else NULL. */
IrqLine *riscv_aplic_input(RiscvAplic *aplic, unsigned n);
/* All inputs, index = source number (0 included), for the gpio registry. */
IrqLine *riscv_aplic_inputs(RiscvAplic *aplic);
/* Direct mode: the output of hart @hart's IDC (NULL in MSI mode). */
IrqLine *riscv_aplic_output(RiscvAplic *aplic, unsigned hart);
/*
 * Initial MSI address configuration of the root (what the registers hold
 * after reset until software changes or locks them): IMSIC pages of M
 * level at @m_base + hart * 2^(12 + m_lhxs), S level at @s_base + hart *
 * 2^(12 + s_lhxs); @lhxw = bits of the hart index.  Bases 4 KiB aligned.
 */
void riscv_aplic_set_msi_config(RiscvAplic *root, uint64_t m_base,
                                unsigned m_lhxs, uint64_t s_base,
                                unsigned s_lhxs, unsigned lhxw);
/* System reset of the whole hierarchy (call on the root). */
void riscv_aplic_reset(RiscvAplic *aplic);

/*
 * Migration: riscv_aplic_new() registers each domain under its @name
 * (sourcecfg, target, pending, enabled, domaincfg.IE, IDCs; the root also
 * its wire levels and MSI address registers).  A load sends no MSI.
 */
extern const VMStateDescription vmstate_riscv_aplic;

#endif
