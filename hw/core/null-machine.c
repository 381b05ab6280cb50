/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The "none" machine: no devices; RAM at address 0 only when -m is given. */
#include <glib.h>
#include "hw/core/machine.h"

static bool none_init(MachineState *ms, Error **errp)
{
    if (ms->ram_size == 0) {
        return true;
    }
    ms->ram = memory_region_new_ram("ram", ms->ram_size, errp);
    return ms->ram && address_space_map(address_space_memory, 0, ms->ram, errp);
}

static const MachineClass none_machine = {
    .name = "none",
    .type_name = "none-machine",
    .desc = "empty machine",
    .max_cpus = 1,
    .default_ram_size = 0,
    .default_ram_id = "ram",
    .init = none_init,
};

void machine_none_register(void)
{
    machine_register(&none_machine);
}
