/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The riscv64 "virt" board, with QEMU's memory map.  This file grows as the
 * devices arrive; today it maps RAM at 0x80000000.
 */
#include <string.h>
#include <glib.h>
#include "hw/core/machine.h"
#include "hw/riscv/virt.h"

static bool virt_init(MachineState *ms, Error **errp)
{
    if (ms->kernel || (ms->bios && strcmp(ms->bios, "none") &&
                       strcmp(ms->bios, "default"))) {
        error_setg(errp, "booting a guest is not available yet in this "
                   "version of vireo");
        return false;
    }
    ms->ram = memory_region_new_ram("riscv_virt_board.ram", ms->ram_size, errp);
    if (!ms->ram) {
        return false;
    }
    return address_space_map(address_space_memory, VIRT_DRAM_BASE, ms->ram,
                             errp);
}

static const MachineProp virt_props[] = {
    { "aclint", "bool", "use the ACLINT instead of the SiFive CLINT" },
    { "aia", "enum:none|aplic|aplic-imsic", "interrupt controller" },
    { "aia-guests", "uint32", "number of IMSIC guest files per hart" },
    { "acpi", "enum:on|off|auto", "ACPI tables (not built on this machine)" },
    { "iommu-sys", "enum:on|off|auto", "platform IOMMU" },
    { NULL },
};

static const MachineClass virt_machine = {
    .name = "virt",
    .type_name = "virt-machine",
    .desc = "RISC-V VirtIO board",
    .is_default = true,
    .max_cpus = 512,
    .default_ram_size = 128 * 1024 * 1024,
    .default_cpu_type = "rv64-riscv-cpu",
    .default_ram_id = "riscv_virt_board.ram",
    .props = virt_props,
    .init = virt_init,
};

void machine_virt_register(void)
{
    machine_register(&virt_machine);
}
