/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Machine types and the machine instance built at start-up. */
#ifndef HW_CORE_MACHINE_H
#define HW_CORE_MACHINE_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "system/memory.h"
#include "util/error.h"

typedef struct MachineState MachineState;

typedef struct MachineProp {
    const char *name;
    const char *type; /* "bool", "str", "uint32", or "enum:a|b|c" */
    const char *description;
} MachineProp;

typedef struct MachineClass {
    const char *name;      /* "virt"; its type is "<name>-machine" */
    const char *type_name; /* "virt-machine" */
    const char *desc;
    const char *alias;
    bool is_default;
    unsigned max_cpus;
    uint64_t default_ram_size;
    const char *default_cpu_type;
    const char *default_ram_id;
    const MachineProp *props; /* machine-specific, NULL-name terminated */
    bool (*init)(MachineState *ms, Error **errp);
    void (*reset)(MachineState *ms);
} MachineClass;

struct MachineState {
    const MachineClass *cls;
    json_t *props; /* every -machine key=value, validated */
    uint64_t ram_size;
    unsigned smp_cpus;
    unsigned smp_max_cpus;
    char *accel; /* "qtest" or "tcg" */
    char *kernel;
    char *initrd;
    char *append;
    char *bios;
    char *dumpdtb;
    MemoryRegion *ram;
    void *board; /* machine-specific state */
};

extern MachineState *current_machine;

void machine_register(const MachineClass *mc);
const MachineClass *machine_find(const char *name); /* name or alias */
const MachineClass *machine_default(void);
void machine_foreach(void (*fn)(const MachineClass *mc, void *opaque),
                     void *opaque);
/* Check a -machine property against the generic and the type's list. */
bool machine_check_prop(const MachineClass *mc, const char *key,
                        const char *value, Error **errp);
void machines_register_all(void);

void machine_none_register(void);
void machine_virt_register(void);

#endif
