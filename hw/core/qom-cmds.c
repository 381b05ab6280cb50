/* SPDX-License-Identifier: GPL-2.0-or-later */
/* QMP introspection of types and machines. */
#include <string.h>
#include <glib.h>
#include "hw/core/machine.h"
#include "hw/core/qom.h"
#include "qapi/qapi-commands.h"
#include "util/qlist.h"

typedef struct ListTypesCtx {
    const char *implements;
    bool abstract;
    ObjectTypeInfoList **tail;
} ListTypesCtx;

static void list_one_type(const TypeInfo *t, void *opaque)
{
    ListTypesCtx *ctx = opaque;
    ObjectTypeInfo *info;

    if (ctx->implements && !type_is_a(t, ctx->implements)) {
        return;
    }
    if (t->abstract && !ctx->abstract) {
        return;
    }
    info = g_new0(ObjectTypeInfo, 1);
    info->name = g_strdup(t->name);
    if (t->abstract) {
        info->has_abstract = true;
        info->abstract = true;
    }
    info->parent = g_strdup(t->parent);
    QAPI_LIST_APPEND(ctx->tail, info);
}

ObjectTypeInfoList *qmp_qom_list_types(const char *implements,
                                       bool has_abstract, bool abstract,
                                       Error **errp)
{
    ObjectTypeInfoList *list = NULL;
    ListTypesCtx ctx = {
        .implements = implements,
        .abstract = has_abstract && abstract,
        .tail = &list,
    };

    type_foreach(list_one_type, &ctx);
    return list;
}

ObjectPropertyInfoList *qmp_device_list_properties(const char *typename,
                                                   Error **errp)
{
    const TypeInfo *t = type_lookup(typename);
    ObjectPropertyInfoList *list = NULL, **tail = &list;

    if (!t) {
        error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND, "Device '%s' not found",
                  typename);
        return NULL;
    }
    if (!type_is_a(t, "device") || t->abstract) {
        error_setg(errp, "Parameter 'typename' expects a non-abstract device "
                         "type");
        return NULL;
    }
    /* A type shows its own properties after those it inherits. */
    for (const TypeInfo *cur = t; cur;
         cur = cur->parent ? type_lookup(cur->parent) : NULL) {
        for (const TypeProperty *p = cur->props; p && p->name; p++) {
            ObjectPropertyInfo *info = g_new0(ObjectPropertyInfo, 1);
            info->name = g_strdup(p->name);
            info->type = g_strdup(p->type);
            info->description = g_strdup(p->description);
            if (p->default_json) {
                info->default_value =
                    json_loads(p->default_json, JSON_DECODE_ANY, NULL);
            }
            QAPI_LIST_APPEND(tail, info);
        }
    }
    return list;
}

static void list_one_machine(const MachineClass *mc, void *opaque)
{
    MachineInfoList ***tail = opaque;
    MachineInfo *info = g_new0(MachineInfo, 1);

    info->name = g_strdup(mc->name);
    info->alias = g_strdup(mc->alias);
    if (mc->is_default) {
        info->has_is_default = true;
        info->is_default = true;
    }
    info->cpu_max = mc->max_cpus;
    info->hotpluggable_cpus = false;
    info->numa_mem_supported = false;
    info->deprecated = false;
    info->default_cpu_type = g_strdup(mc->default_cpu_type);
    info->default_ram_id = g_strdup(mc->default_ram_id);
    info->acpi = false;
    QAPI_LIST_APPEND(*tail, info);
}

MachineInfoList *qmp_query_machines(bool has_compat_props, bool compat_props,
                                    Error **errp)
{
    MachineInfoList *list = NULL, **tail = &list;

    machine_foreach(list_one_machine, &tail);
    return list;
}
