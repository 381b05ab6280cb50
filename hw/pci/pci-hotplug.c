/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * device_add / device_del over QMP and the DEVICE_DELETED event.  Devices
 * are hot-plugged onto buses that have a hot-plug controller (a PCIe root
 * port's slot); removal asks the controller and finishes when it says so.
 */
#include <string.h>
#include <glib.h>
#include "hw/pci/pci.h"
#include "qapi/qapi-commands.h"
#include "qapi/qapi-events.h"

static void emit_deleted(char *id, char *path)
{
    qapi_event_send_device_deleted(id, path);
    g_free(id);
    g_free(path);
}

void pci_unplug_complete(PCIDevice *dev)
{
    char *id = g_strdup(dev->qdev.id);
    char *path = g_strdup(dev->qdev.path);

    dev->unplug_pending = false;
    qdev_free(&dev->qdev);
    emit_deleted(id, path);
}

bool pci_device_unplug_request(PCIDevice *dev, Error **errp)
{
    PCIBus *bus = dev->bus;
    Error *err = NULL;

    if (!bus || !bus->hotplug || !bus->hotplug->unplug_request) {
        error_setg(errp, "Bus '%s' does not support hotplugging",
                   bus ? bus->qbus->name : "?");
        return false;
    }
    if (dev->unplug_pending) {
        error_setg(errp, "Device '%s' is already in the process of unplug",
                   dev->qdev.id ? dev->qdev.id : dev->qdev.path);
        return false;
    }
    if (bus->hotplug->unplug_request(bus, dev, &err)) {
        pci_unplug_complete(dev);
        return true;
    }
    if (err) {
        error_propagate(errp, err);
        return false;
    }
    dev->unplug_pending = true;
    return true;
}

static const char *class_bus_kind(const DeviceClass *dc)
{
    for (int depth = 0; dc && depth < 64; depth++) {
        if (dc->bus_type) {
            return dc->bus_type;
        }
        dc = dc->type.parent ? device_class_find(dc->type.parent) : NULL;
    }
    return NULL;
}

/* Only PCI buses with a slot controller take devices at run time; refuse
 * everything else before anything is created. */
static bool hotplug_allowed(json_t *args, Error **errp)
{
    const char *driver = json_string_value(json_object_get(args, "driver"));
    const char *busname = json_string_value(json_object_get(args, "bus"));
    const DeviceClass *dc = driver ? device_class_find(driver) : NULL;
    const char *kind = dc ? class_bus_kind(dc) : NULL;
    BusState *bus;

    if (!dc || !dc->user_creatable || (kind && !strcmp(kind, TYPE_PCI_BUS))) {
        return true; /* qdev_device_add and the PCI bus give the errors */
    }
    if (!kind) {
        error_setg(errp, "Device '%s' does not support hotplugging", driver);
        return false;
    }
    bus = busname ? bus_find(busname) : bus_find_kind(kind);
    error_setg(errp, "Bus '%s' does not support hotplugging",
               bus ? bus->name : (busname ? busname : kind));
    return false;
}

void qmp_marshal_device_add(json_t *args, json_t **ret, Error **errp)
{
    DeviceState *dev;

    *ret = NULL;
    if (!args || !json_is_object(args)) {
        error_setg(errp, "Parameter 'driver' is missing");
        return;
    }
    for (const char *const *m =
             (const char *const[]){"driver", "bus", "id", NULL};
         *m; m++) {
        json_t *v = json_object_get(args, *m);
        if (v && !json_is_string(v)) {
            error_setg(errp,
                       "Invalid parameter type for '%s', expected: "
                       "string",
                       *m);
            return;
        }
    }
    if (!hotplug_allowed(args, errp)) {
        return;
    }
    pci_hotplug_active = true;
    dev = qdev_device_add(args, errp);
    pci_hotplug_active = false;
    if (dev) {
        *ret = json_object();
    }
}

static DeviceState *find_device(const char *id)
{
    DeviceState *dev = qdev_find_by_id(id);

    return dev ? dev : qdev_find_by_path(id);
}

void qmp_device_del(const char *id, Error **errp)
{
    DeviceState *qdev = find_device(id);
    const TypeInfo *t;
    PCIBus *bus;

    if (!qdev) {
        error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND, "Device '%s' not found",
                  id);
        return;
    }
    t = type_lookup(qdev->cls->type.name);
    bus = t && type_is_a(t, TYPE_PCI_DEVICE) ? ((PCIDevice *)qdev)->bus : NULL;
    if (!bus || !bus->hotplug) {
        error_setg(errp, "Bus '%s' does not support hotplugging",
                   qdev->parent_bus ? qdev->parent_bus->name
                                    : "main-system-bus");
        return;
    }
    if (!qdev->cls->hotpluggable) {
        error_setg(errp, "Device '%s' does not support hotplugging",
                   qdev->cls->type.name);
        return;
    }
    pci_device_unplug_request((PCIDevice *)qdev, errp);
}
