/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Machine type registry and -machine property validation. */
#include <string.h>
#include <glib.h>
#include "hw/core/machine.h"
#include "hw/core/qom.h"
#include "util/cutils.h"

MachineState *current_machine;
static GPtrArray *machines;

/* Properties every machine type accepts, as QEMU's generic machine does. */
static const MachineProp generic_props[] = {
    {"type", "str", "machine type"},
    {"accel", "str", "accelerator list (qtest, tcg)"},
    {"dumpdtb", "str", "write the device tree to this file and exit"},
    {"dump-guest-core", "bool", "include guest memory in a core dump"},
    {"mem-merge", "bool", "allow KSM to merge guest memory"},
    {"usb", "bool", "USB controller (none on this machine)"},
    {"graphics", "bool", "graphics (none on this machine)"},
    {"memory-backend", "str", "id of the memory backend object for RAM"},
    {"suppress-vmdesc", "bool",
     "leave the JSON description out of "
     "migration streams"},
    {NULL},
};

void machine_register(const MachineClass *mc)
{
    TypeInfo *t;

    if (!machines) {
        machines = g_ptr_array_new();
    }
    g_ptr_array_add(machines, (gpointer)mc);
    /* The type registry owns a description of every machine type. */
    t = g_new0(TypeInfo, 1);
    t->name = mc->type_name;
    t->parent = "machine";
    type_register(t);
}

const MachineClass *machine_find(const char *name)
{
    for (guint i = 0; machines && i < machines->len; i++) {
        const MachineClass *mc = g_ptr_array_index(machines, i);
        if (!strcmp(mc->name, name) ||
            (mc->alias && !strcmp(mc->alias, name))) {
            return mc;
        }
    }
    return NULL;
}

const MachineClass *machine_default(void)
{
    for (guint i = 0; machines && i < machines->len; i++) {
        const MachineClass *mc = g_ptr_array_index(machines, i);
        if (mc->is_default) {
            return mc;
        }
    }
    return NULL;
}

void machine_foreach(void (*fn)(const MachineClass *mc, void *opaque),
                     void *opaque)
{
    for (guint i = 0; machines && i < machines->len; i++) {
        fn(g_ptr_array_index(machines, i), opaque);
    }
}

static const MachineProp *find_prop(const MachineProp *props, const char *key)
{
    for (const MachineProp *p = props; p && p->name; p++) {
        if (!strcmp(p->name, key)) {
            return p;
        }
    }
    return NULL;
}

static bool check_enum(const char *key, const char *choices, const char *value,
                       Error **errp)
{
    gchar **list = g_strsplit(choices, "|", -1);
    bool ok = g_strv_contains((const gchar *const *)list, value);

    if (!ok) {
        gchar *want = g_strjoinv("', '", list);
        error_setg(errp,
                   "Invalid value '%s' for machine property '%s' "
                   "(expected one of '%s')",
                   value, key, want);
        g_free(want);
    }
    g_strfreev(list);
    return ok;
}

bool machine_check_prop(const MachineClass *mc, const char *key,
                        const char *value, Error **errp)
{
    const MachineProp *p = find_prop(mc->props, key);
    uint64_t num;
    bool b;

    if (!p) {
        p = find_prop(generic_props, key);
    }
    if (!p) {
        error_setg(errp, "Property '%s.%s' not found", mc->type_name, key);
        return false;
    }
    if (!value) {
        error_setg(errp, "Parameter '%s' expects a value", key);
        return false;
    }
    if (!strcmp(p->type, "bool")) {
        return parse_bool(key, value, &b, errp);
    }
    if (!strncmp(p->type, "uint", 4)) {
        return parse_uint_full(key, value, &num, errp);
    }
    if (!strncmp(p->type, "enum:", 5)) {
        return check_enum(key, p->type + 5, value, errp);
    }
    return true;
}

void machines_register_all(void)
{
    static bool done;
    if (!done) {
        done = true;
        type_init_base();
        machine_none_register();
        machine_virt_register();
    }
}
