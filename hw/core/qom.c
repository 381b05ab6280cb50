/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Type registry for QEMU-compatible type introspection. */
#include <string.h>
#include <glib.h>
#include "hw/core/qom.h"

static GPtrArray *types;

void type_register(const TypeInfo *info)
{
    if (!types) {
        types = g_ptr_array_new();
    }
    if (!type_lookup(info->name)) {
        g_ptr_array_add(types, (gpointer)info);
    }
}

const TypeInfo *type_lookup(const char *name)
{
    for (guint i = 0; types && i < types->len; i++) {
        const TypeInfo *t = g_ptr_array_index(types, i);
        if (!strcmp(t->name, name)) {
            return t;
        }
    }
    return NULL;
}

bool type_is_a(const TypeInfo *t, const char *ancestor)
{
    /* Bounded walk: a malformed table must not loop forever. */
    for (int depth = 0; t && depth < 64; depth++) {
        if (!strcmp(t->name, ancestor)) {
            return true;
        }
        for (const char *const *i = t->interfaces; i && *i; i++) {
            const TypeInfo *it = type_lookup(*i);
            if (it && type_is_a(it, ancestor)) {
                return true;
            }
        }
        t = t->parent ? type_lookup(t->parent) : NULL;
    }
    return false;
}

void type_foreach(void (*fn)(const TypeInfo *t, void *opaque), void *opaque)
{
    for (guint i = 0; types && i < types->len; i++) {
        fn(g_ptr_array_index(types, i), opaque);
    }
}

static const TypeInfo base_types[] = {
    {.name = "object", .abstract = true},
    {.name = "interface", .parent = NULL, .abstract = true, .interface = true},
    {.name = "device", .parent = "object", .abstract = true},
    {.name = "sys-bus-device", .parent = "device", .abstract = true},
    {.name = "machine", .parent = "object", .abstract = true},
    {.name = "accel", .parent = "object", .abstract = true},
    {.name = "qtest-accel", .parent = "accel"},
    {.name = "tcg-accel", .parent = "accel"},
    {.name = "chardev", .parent = "object", .abstract = true},
    {.name = "chardev-socket", .parent = "chardev"},
    {.name = "chardev-stdio", .parent = "chardev"},
    {.name = "chardev-file", .parent = "chardev"},
    {.name = "chardev-null", .parent = "chardev"},
    {.name = "memory-backend", .parent = "object", .abstract = true},
    {.name = "memory-backend-ram", .parent = "memory-backend"},
    {.name = "memory-backend-memfd", .parent = "memory-backend"},
};

void type_init_base(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(base_types); i++) {
        type_register(&base_types[i]);
    }
}
