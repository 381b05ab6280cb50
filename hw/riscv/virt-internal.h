/* SPDX-License-Identifier: GPL-2.0-or-later */
/* State of the riscv virt board shared by virt.c, virt-fdt.c, boot.c. */
#ifndef HW_RISCV_VIRT_INTERNAL_H
#define HW_RISCV_VIRT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <glib.h>
#include "accel/tcg.h"
#include "hw/char/serial.h"
#include "hw/core/machine.h"
#include "hw/intc/riscv_aclint.h"
#include "hw/intc/riscv_aplic.h"
#include "hw/intc/riscv_imsic.h"
#include "hw/intc/riscv_plic.h"
#include "target/riscv/cpu.h"

/* An image copied into guest memory at every reset (firmware, kernel...). */
typedef struct VirtBlob {
    uint64_t addr;
    GBytes *data;
} VirtBlob;

/* -machine virt,aia=... */
typedef enum VirtAia {
    VIRT_AIA_NONE,        /* PLIC */
    VIRT_AIA_APLIC,       /* APLICs in direct delivery mode */
    VIRT_AIA_APLIC_IMSIC, /* APLICs in MSI mode and IMSICs */
} VirtAia;

typedef struct VirtBoard {
    MachineState *ms;
    unsigned harts;
    bool aclint;
    uint8_t *ram;       /* host pointer of DRAM */
    uint64_t ram_size;
    MemoryRegion *mrom;
    uint8_t *mrom_ptr;
    RiscvCpu **cpus;    /* NULL under -accel qtest */
    TcgAccel *accel;
    VirtAia aia;
    unsigned aia_guests;
    RiscvPlic *plic;           /* aia=none */
    RiscvAplic *aplic_m;       /* root domain, owns the wires */
    RiscvAplic *aplic_s;       /* its child, where the guest delegates */
    RiscvImsic *imsic_m, *imsic_s; /* aia=aplic-imsic */
    RiscvAclint *clint;
    SerialState *uart;
    MemoryRegion *test;
    GArray *blobs;      /* VirtBlob */
    uint64_t pcie_high_base, pcie_high_size;
    /* Boot layout, for the device tree's /chosen. */
    uint64_t initrd_start, initrd_end;
    uint64_t fdt_addr;
} VirtBoard;

/* Strings of the harts' ISA for the device tree. */
typedef struct VirtCpuInfo {
    const char *isa;
    const char *mmu_type;
    const char *const *extensions;
} VirtCpuInfo;

/* Build the device tree (without /chosen's boot addresses when
 * b->initrd_end == 0).  Returns a packed blob to g_free(). */
void *virt_fdt_build(VirtBoard *b, const VirtCpuInfo *cpu, Error **errp);

/* Load firmware, kernel, initrd and place the DTB; fills b->blobs. */
bool virt_boot_setup(VirtBoard *b, const VirtCpuInfo *cpu, Error **errp);
/* Copy every blob into guest memory (at start-up and at each reset). */
void virt_boot_copy_blobs(VirtBoard *b);

#endif
