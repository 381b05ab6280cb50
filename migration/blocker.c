/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Migration blockers: undescribed devices and machines, explicit ones. */
#include <string.h>
#include <glib.h>
#include "hw/core/machine.h"
#include "hw/core/qdev.h"
#include "migration/blocker.h"
#include "migration/savevm.h"

static GPtrArray *stateless_types;     /* char * */
static GPtrArray *migratable_machines; /* char * */
static GPtrArray *blockers;            /* Error * */

static bool str_in(GPtrArray *a, const char *s);

static void str_add(GPtrArray **a, const char *s)
{
    if (str_in(*a, s)) {
        return;
    }
    if (!*a) {
        *a = g_ptr_array_new();
    }
    g_ptr_array_add(*a, g_strdup(s));
}

static bool str_in(GPtrArray *a, const char *s)
{
    for (guint i = 0; a && i < a->len; i++) {
        if (!strcmp(g_ptr_array_index(a, i), s)) {
            return true;
        }
    }
    return false;
}

void migration_device_type_stateless(const char *type_name)
{
    str_add(&stateless_types, type_name);
}

void migration_machine_type_migratable(const char *machine_name)
{
    str_add(&migratable_machines, machine_name);
}

void migrate_add_blocker(Error *reason)
{
    if (!blockers) {
        blockers = g_ptr_array_new();
    }
    g_ptr_array_add(blockers, reason);
}

void migrate_del_blocker(Error *reason)
{
    if (blockers) {
        g_ptr_array_remove(blockers, reason);
    }
}

static bool type_is_stateless(const DeviceClass *dc)
{
    for (; dc;
         dc = dc->type.parent ? device_class_find(dc->type.parent) : NULL) {
        if (str_in(stateless_types, dc->type.name)) {
            return true;
        }
    }
    return false;
}

typedef struct BlockScan {
    GPtrArray *named, *anon; /* char * reasons */
} BlockScan;

static void scan_device(DeviceState *dev, void *opaque)
{
    BlockScan *s = opaque;
    bool unmigratable;
    bool owned = savevm_has_owner(dev, &unmigratable);

    if ((owned && !unmigratable) || (!owned && type_is_stateless(dev->cls))) {
        return;
    }
    g_ptr_array_add(dev->id ? s->named : s->anon,
                    g_strdup_printf("State blocked by non-migratable device "
                                    "'%s' (%s)",
                                    dev->id ? dev->id : dev->path,
                                    dev->cls->type.name));
}

static GPtrArray *collect(void)
{
    BlockScan s = {g_ptr_array_new(), g_ptr_array_new_with_free_func(g_free)};
    const char *mt = current_machine ? current_machine->cls->name : NULL;

    migration_machine_type_migratable("none");
    qdev_foreach(scan_device, &s);
    for (guint i = 0; i < s.anon->len; i++) {
        g_ptr_array_add(s.named, g_strdup(g_ptr_array_index(s.anon, i)));
    }
    g_ptr_array_free(s.anon, TRUE);
    if (mt && !str_in(migratable_machines, mt)) {
        g_ptr_array_add(s.named,
                        g_strdup_printf("Machine type '%s' has state (CPUs, "
                                        "board devices) that cannot be "
                                        "migrated yet",
                                        mt));
    }
    for (guint i = 0; blockers && i < blockers->len; i++) {
        g_ptr_array_add(s.named, g_strdup(error_get_pretty(
                                     g_ptr_array_index(blockers, i))));
    }
    return s.named;
}

strList *migration_blocked_reasons(void)
{
    GPtrArray *a = collect();
    strList *head = NULL, **tail = &head;

    for (guint i = 0; i < a->len; i++) {
        *tail = g_new0(strList, 1);
        (*tail)->value = g_ptr_array_index(a, i);
        tail = &(*tail)->next;
    }
    g_ptr_array_free(a, TRUE);
    return head;
}

bool migration_is_blocked(Error **errp)
{
    GPtrArray *a = collect();
    bool blocked = a->len > 0;

    if (blocked) {
        error_setg(errp, "%s", (char *)g_ptr_array_index(a, 0));
    }
    for (guint i = 0; i < a->len; i++) {
        g_free(g_ptr_array_index(a, i));
    }
    g_ptr_array_free(a, TRUE);
    return blocked;
}
