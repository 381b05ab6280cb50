/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Type registry: the names QEMU's QOM reports (qom-list-types,
 * device-list-properties), without a general object model.
 */
#ifndef HW_CORE_QOM_H
#define HW_CORE_QOM_H

#include <stdbool.h>
#include <jansson.h>

/* One property of a device type, as device-list-properties shows it. */
typedef struct TypeProperty {
    const char *name;
    const char *type;         /* QEMU's type name: "bool", "uint32", "str"... */
    const char *description;  /* NULL: none */
    const char *default_json; /* JSON text of the default; NULL: none */
} TypeProperty;

typedef struct TypeInfo {
    const char *name;
    const char *parent; /* NULL only for "object" */
    bool abstract;
    bool interface;
    const char *const *interfaces; /* NULL-terminated, may be NULL */
    const TypeProperty *props;     /* ends with a NULL name; may be NULL */
} TypeInfo;

void type_register(const TypeInfo *info);
const TypeInfo *type_lookup(const char *name);
/* Is @t @ancestor, derived from it, or implementing it (interfaces)? */
bool type_is_a(const TypeInfo *t, const char *ancestor);
void type_foreach(void (*fn)(const TypeInfo *t, void *opaque), void *opaque);
/* Register the base types (object, device, machine, accel, chardev...). */
void type_init_base(void);

#endif
