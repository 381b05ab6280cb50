/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Device classes, instances, buses, -device and -global. */
#include <string.h>
#include <glib.h>
#include "hw/core/qdev.h"
#include "hw/core/qdev-internal.h"
#include "util/opts.h"

typedef struct GlobalProp {
    char *driver;
    char *prop;
    char *value;
} GlobalProp;

static GPtrArray *classes;
static GPtrArray *devices; /* DeviceState, in creation order */
static GPtrArray *buses;
static GArray *globals; /* GlobalProp */
static unsigned anon_count;

static const DeviceClass *class_parent(const DeviceClass *dc)
{
    return dc->type.parent ? device_class_find(dc->type.parent) : NULL;
}

void device_class_register(DeviceClass *dc)
{
    size_t n = 0;
    TypeProperty *tp;

    for (const Property *p = dc->props; p && p->name; p++) {
        n++;
    }
    /* Introspection sees the same table, in QEMU's terms. */
    tp = g_new0(TypeProperty, n + 1);
    for (size_t i = 0; i < n; i++) {
        qdev_prop_describe(&dc->props[i], &tp[i]);
    }
    dc->type.props = tp;
    type_register(&dc->type);
    if (!classes) {
        classes = g_ptr_array_new();
    }
    g_ptr_array_add(classes, dc);
}

const DeviceClass *device_class_find(const char *name)
{
    for (guint i = 0; classes && i < classes->len; i++) {
        const DeviceClass *dc = g_ptr_array_index(classes, i);
        if (!strcmp(dc->type.name, name)) {
            return dc;
        }
    }
    return NULL;
}

const Property *device_class_find_prop(const DeviceClass *dc, const char *name)
{
    for (; dc; dc = class_parent(dc)) {
        for (const Property *p = dc->props; p && p->name; p++) {
            if (!strcmp(p->name, name)) {
                return p;
            }
        }
    }
    return NULL;
}

static size_t class_instance_size(const DeviceClass *dc)
{
    for (; dc; dc = class_parent(dc)) {
        if (dc->instance_size) {
            return dc->instance_size;
        }
    }
    return sizeof(DeviceState);
}

/* Defaults from the base class first, so subclasses can override. */
static void set_defaults(DeviceState *dev, const DeviceClass *dc)
{
    if (!dc) {
        return;
    }
    set_defaults(dev, class_parent(dc));
    for (const Property *p = dc->props; p && p->name; p++) {
        qdev_prop_set_default(dev, p);
    }
}

static bool apply_globals(DeviceState *dev, Error **errp)
{
    for (guint i = 0; globals && i < globals->len; i++) {
        GlobalProp *g = &g_array_index(globals, GlobalProp, i);
        const TypeInfo *t = type_lookup(dev->cls->type.name);
        json_t *v;
        bool ok;

        if (!t || !type_is_a(t, g->driver)) {
            continue;
        }
        v = json_string(g->value);
        ok = qdev_prop_set(dev, g->prop, v, errp);
        json_decref(v);
        if (!ok) {
            error_prepend(errp, "-global %s.%s=%s: ", g->driver, g->prop,
                          g->value);
            return false;
        }
    }
    return true;
}

void qdev_add_global(const char *driver, const char *prop, const char *value)
{
    GlobalProp g = {g_strdup(driver), g_strdup(prop), g_strdup(value)};

    if (!globals) {
        globals = g_array_new(FALSE, FALSE, sizeof(GlobalProp));
    }
    g_array_append_val(globals, g);
}

const char *qdev_global_value(const char *driver, const char *prop)
{
    const char *value = NULL;

    for (guint i = 0; globals && i < globals->len; i++) {
        GlobalProp *g = &g_array_index(globals, GlobalProp, i);
        if (!strcmp(g->driver, driver) && !strcmp(g->prop, prop)) {
            value = g->value;
        }
    }
    return value;
}

DeviceState *qdev_new(const char *type, Error **errp)
{
    const DeviceClass *dc = device_class_find(type);
    DeviceState *dev;

    if (!dc) {
        error_setg(errp, "'%s' is not a valid device model name", type);
        return NULL;
    }
    if (dc->type.abstract) {
        error_setg(errp, "Parameter 'driver' expects a non-abstract device "
                         "type");
        return NULL;
    }
    dev = g_malloc0(class_instance_size(dc));
    dev->cls = dc;
    set_defaults(dev, dc);
    for (const DeviceClass *c = dc; c; c = class_parent(c)) {
        if (c->instance_init) {
            c->instance_init(dev);
            break;
        }
    }
    if (!apply_globals(dev, errp)) {
        qdev_free(dev);
        return NULL;
    }
    return dev;
}

bool qdev_prop_set(DeviceState *dev, const char *name, json_t *value,
                   Error **errp)
{
    const Property *p = device_class_find_prop(dev->cls, name);

    if (!p) {
        error_setg(errp, "Property '%s.%s' not found", dev->cls->type.name,
                   name);
        return false;
    }
    if (dev->realized) {
        error_setg(errp,
                   "Attempt to set property '%s' on device '%s' after "
                   "it was realized",
                   name, dev->cls->type.name);
        return false;
    }
    return qdev_prop_apply(dev, p, value, errp);
}

bool qdev_prop_set_str(DeviceState *dev, const char *name, const char *value,
                       Error **errp)
{
    json_t *v = json_string(value);
    bool ok = qdev_prop_set(dev, name, v, errp);

    json_decref(v);
    return ok;
}

static bool id_is_valid(const char *id)
{
    if (!g_ascii_isalpha(id[0])) {
        return false;
    }
    for (const char *c = id; *c; c++) {
        if (!g_ascii_isalnum(*c) && !strchr("-._", *c)) {
            return false;
        }
    }
    return true;
}

static bool set_identity(DeviceState *dev, const char *id, Error **errp)
{
    if (id) {
        if (!id_is_valid(id)) {
            error_setg(errp, "Parameter 'id' expects an identifier");
            return false;
        }
        if (qdev_find_by_id(id)) {
            error_setg(errp, "Duplicate device ID '%s'", id);
            return false;
        }
        dev->id = g_strdup(id);
        dev->path = g_strdup_printf("/machine/peripheral/%s", id);
    } else {
        dev->path = g_strdup_printf("/machine/peripheral-anon/device[%u]",
                                    anon_count++);
    }
    return true;
}

static void *first_realize_fn(const DeviceClass *dc)
{
    for (; dc; dc = class_parent(dc)) {
        if (dc->realize) {
            return dc->realize;
        }
    }
    return NULL;
}

bool qdev_realize(DeviceState *dev, BusState *bus, Error **errp)
{
    bool (*realize)(DeviceState *, Error **) = first_realize_fn(dev->cls);

    if (bus) {
        if (!bus->cls->plug(bus, dev, errp)) {
            return false;
        }
        dev->parent_bus = bus;
    }
    if (realize && !realize(dev, errp)) {
        if (bus && bus->cls->unplug) {
            bus->cls->unplug(bus, dev);
        }
        dev->parent_bus = NULL;
        return false;
    }
    dev->realized = true;
    if (!devices) {
        devices = g_ptr_array_new();
    }
    g_ptr_array_add(devices, dev);
    return true;
}

void qdev_unrealize(DeviceState *dev)
{
    if (!dev->realized) {
        return;
    }
    for (const DeviceClass *c = dev->cls; c; c = class_parent(c)) {
        if (c->unrealize) {
            c->unrealize(dev);
            break;
        }
    }
    if (dev->parent_bus && dev->parent_bus->cls->unplug) {
        dev->parent_bus->cls->unplug(dev->parent_bus, dev);
    }
    dev->parent_bus = NULL;
    dev->realized = false;
    g_ptr_array_remove(devices, dev);
}

void qdev_free(DeviceState *dev)
{
    if (!dev) {
        return;
    }
    qdev_unrealize(dev);
    for (const DeviceClass *c = dev->cls; c; c = class_parent(c)) {
        if (c->instance_finalize) {
            c->instance_finalize(dev);
            break;
        }
    }
    for (const DeviceClass *c = dev->cls; c; c = class_parent(c)) {
        for (const Property *p = c->props; p && p->name; p++) {
            qdev_prop_release(dev, p);
        }
    }
    g_free(dev->id);
    g_free(dev->path);
    g_free(dev);
}

static const char *bus_kind_of(const DeviceClass *dc)
{
    for (; dc; dc = class_parent(dc)) {
        if (dc->bus_type) {
            return dc->bus_type;
        }
    }
    return NULL;
}

static BusState *choose_bus(const DeviceClass *dc, const char *name,
                            Error **errp)
{
    const char *kind = bus_kind_of(dc);
    BusState *bus;

    if (name) {
        bus = bus_find(name);
        if (!bus) {
            error_setg(errp, "Bus '%s' not found", name);
        } else if (!kind || strcmp(bus->cls->kind, kind)) {
            error_setg(errp, "Device '%s' can't go on %s bus", dc->type.name,
                       bus->cls->kind);
            bus = NULL;
        }
        return bus;
    }
    if (!kind) {
        return NULL;
    }
    bus = NULL;
    for (guint i = 0; buses && i < buses->len; i++) {
        BusState *b = g_ptr_array_index(buses, i);
        if (!strcmp(b->cls->kind, kind) &&
            (!b->cls->has_room || b->cls->has_room(b))) {
            bus = b;
            break;
        }
    }
    if (!bus && bus_find_kind(kind)) {
        error_setg(errp, "no free '%s' bus left for device '%s'", kind,
                   dc->type.name);
        return NULL;
    }
    if (!bus) {
        error_setg(errp, "No '%s' bus found for device '%s'", kind,
                   dc->type.name);
    }
    return bus;
}

DeviceState *qdev_device_add(json_t *opts, Error **errp)
{
    const char *driver = opts_get_str(opts, "driver");
    const DeviceClass *dc;
    DeviceState *dev;
    BusState *bus = NULL;
    const char *key;
    json_t *v;

    if (!driver) {
        error_setg(errp, "Parameter 'driver' is missing");
        return NULL;
    }
    dc = device_class_find(driver);
    if (dc && !dc->user_creatable) {
        error_setg(errp, "Parameter 'driver' expects a pluggable device type");
        return NULL;
    }
    dev = qdev_new(driver, errp);
    if (!dev) {
        return NULL;
    }
    json_object_foreach(opts, key, v)
    {
        if (!strcmp(key, "driver") || !strcmp(key, "id") ||
            !strcmp(key, "bus")) {
            continue;
        }
        if (json_is_array(v)) {
            v = json_array_get(v, json_array_size(v) - 1);
        }
        if (!qdev_prop_set(dev, key, v, errp)) {
            goto fail;
        }
    }
    if (!set_identity(dev, opts_get_str(opts, "id"), errp)) {
        goto fail;
    }
    if (bus_kind_of(dev->cls) || opts_get_str(opts, "bus")) {
        bus = choose_bus(dev->cls, opts_get_str(opts, "bus"), errp);
        if (!bus) {
            goto fail;
        }
    }
    if (!qdev_realize(dev, bus, errp)) {
        goto fail;
    }
    return dev;
fail:
    qdev_free(dev);
    return NULL;
}

DeviceState *qdev_find_by_id(const char *id)
{
    for (guint i = 0; devices && i < devices->len; i++) {
        DeviceState *dev = g_ptr_array_index(devices, i);
        if (dev->id && !strcmp(dev->id, id)) {
            return dev;
        }
    }
    return NULL;
}

DeviceState *qdev_find_by_path(const char *path)
{
    for (guint i = 0; devices && i < devices->len; i++) {
        DeviceState *dev = g_ptr_array_index(devices, i);
        if (dev->path && !strcmp(dev->path, path)) {
            return dev;
        }
    }
    return NULL;
}

void qdev_foreach(void (*fn)(DeviceState *dev, void *opaque), void *opaque)
{
    for (guint i = 0; devices && i < devices->len; i++) {
        fn(g_ptr_array_index(devices, i), opaque);
    }
}

void qdev_reset_all(void)
{
    for (guint i = 0; devices && i < devices->len; i++) {
        DeviceState *dev = g_ptr_array_index(devices, i);
        for (const DeviceClass *c = dev->cls; c; c = class_parent(c)) {
            if (c->reset) {
                c->reset(dev);
                break;
            }
        }
    }
}

BusState *bus_new(const BusClass *cls, const char *name, void *opaque)
{
    BusState *bus = g_new0(BusState, 1);

    bus->cls = cls;
    bus->name = g_strdup(name);
    bus->opaque = opaque;
    if (!buses) {
        buses = g_ptr_array_new();
    }
    g_ptr_array_add(buses, bus);
    return bus;
}

BusState *bus_find(const char *name)
{
    for (guint i = 0; buses && i < buses->len; i++) {
        BusState *bus = g_ptr_array_index(buses, i);
        if (!strcmp(bus->name, name)) {
            return bus;
        }
    }
    return NULL;
}

BusState *bus_find_kind(const char *kind)
{
    for (guint i = 0; buses && i < buses->len; i++) {
        BusState *bus = g_ptr_array_index(buses, i);
        if (!strcmp(bus->cls->kind, kind)) {
            return bus;
        }
    }
    return NULL;
}
