/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Devices: a class is a table of typed properties plus callbacks; an
 * instance is a struct whose first member is DeviceState.  Properties are
 * set from the command line (strings), JSON (typed values) or -global.
 */
#ifndef HW_CORE_QDEV_H
#define HW_CORE_QDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "hw/core/qom.h"
#include "util/error.h"

typedef struct DeviceState DeviceState;
typedef struct BusState BusState;

typedef enum PropType {
    PROP_BOOL,  /* bool */
    PROP_BIT64, /* one bit (bitnr) of a uint64_t, shown as bool */
    PROP_UINT8,
    PROP_UINT16,
    PROP_UINT32,
    PROP_INT32,
    PROP_UINT64,
    PROP_SIZE,        /* uint64_t, k/M/G suffixes */
    PROP_STRING,      /* char *, NULL when unset */
    PROP_MACADDR,     /* MACAddr */
    PROP_NETDEV,      /* char * netdev id; the device resolves it */
    PROP_CHR,         /* char * chardev id */
    PROP_PCI_DEVFN,   /* int32_t devfn from "SLOT[.FN]"; -1 = automatic */
    PROP_ON_OFF_AUTO, /* int (OnOffAuto) */
    PROP_ENUM,        /* int index into enum_values */
} PropType;

typedef struct MACAddr {
    uint8_t a[6];
} MACAddr;

typedef struct Property {
    const char *name;
    PropType type;
    size_t offset;
    unsigned bitnr;
    int64_t defval;                 /* numbers, bools, enums */
    const char *defstr;             /* strings; NULL = unset */
    const char *const *enum_values; /* PROP_ENUM, NULL-terminated */
    const char *description;
} Property;

#define DEFINE_PROP(_n, _t, _s, _f, _d)                                        \
    {                                                                          \
        .name = (_n), .type = (_t), .offset = offsetof(_s, _f), .defval = (_d) \
    }
#define DEFINE_PROP_BOOL(n, s, f, d) DEFINE_PROP(n, PROP_BOOL, s, f, d)
#define DEFINE_PROP_BIT64(n, s, f, bit, d)                                     \
    {                                                                          \
        .name = (n), .type = PROP_BIT64, .offset = offsetof(s, f),             \
        .bitnr = (bit), .defval = (d)                                          \
    }
#define DEFINE_PROP_UINT8(n, s, f, d)  DEFINE_PROP(n, PROP_UINT8, s, f, d)
#define DEFINE_PROP_UINT16(n, s, f, d) DEFINE_PROP(n, PROP_UINT16, s, f, d)
#define DEFINE_PROP_UINT32(n, s, f, d) DEFINE_PROP(n, PROP_UINT32, s, f, d)
#define DEFINE_PROP_INT32(n, s, f, d)  DEFINE_PROP(n, PROP_INT32, s, f, d)
#define DEFINE_PROP_UINT64(n, s, f, d) DEFINE_PROP(n, PROP_UINT64, s, f, d)
#define DEFINE_PROP_SIZE(n, s, f, d)   DEFINE_PROP(n, PROP_SIZE, s, f, d)
#define DEFINE_PROP_STRING(n, s, f)    DEFINE_PROP(n, PROP_STRING, s, f, 0)
#define DEFINE_PROP_MACADDR(n, s, f)   DEFINE_PROP(n, PROP_MACADDR, s, f, 0)
#define DEFINE_PROP_NETDEV(n, s, f)    DEFINE_PROP(n, PROP_NETDEV, s, f, 0)
#define DEFINE_PROP_CHR(n, s, f)       DEFINE_PROP(n, PROP_CHR, s, f, 0)
#define DEFINE_PROP_PCI_DEVFN(n, s, f) DEFINE_PROP(n, PROP_PCI_DEVFN, s, f, -1)
#define DEFINE_PROP_ON_OFF_AUTO(n, s, f, d)                                    \
    DEFINE_PROP(n, PROP_ON_OFF_AUTO, s, f, d)
#define DEFINE_PROP_ENUM(n, s, f, d, values)                                   \
    {                                                                          \
        .name = (n), .type = PROP_ENUM, .offset = offsetof(s, f),              \
        .defval = (d), .enum_values = (values)                                 \
    }
#define DEFINE_PROP_END                                                        \
    {                                                                          \
        .name = NULL                                                           \
    }

typedef enum OnOffAuto {
    ON_OFF_AUTO_AUTO,
    ON_OFF_AUTO_ON,
    ON_OFF_AUTO_OFF,
} OnOffAuto;

typedef struct DeviceClass {
    TypeInfo type;         /* name, parent, abstract, interfaces */
    size_t instance_size;  /* 0: inherit the parent's */
    const Property *props; /* this class's own; parents' are inherited */
    const char *category;  /* for -device help, e.g. "Network devices" */
    const char *desc;
    const char *bus_type; /* bus kind it plugs into; NULL: none */
    bool user_creatable;
    bool hotpluggable;
    void (*instance_init)(DeviceState *dev);
    bool (*realize)(DeviceState *dev, Error **errp);
    void (*unrealize)(DeviceState *dev);
    void (*reset)(DeviceState *dev);
    void (*instance_finalize)(DeviceState *dev);
} DeviceClass;

struct DeviceState {
    const DeviceClass *cls;
    char *id;
    char *path; /* canonical QOM-style path */
    bool realized;
    BusState *parent_bus;
};

/* Buses: where devices of a kind plug in (PCI slots, virtio-mmio slots). */
typedef struct BusClass {
    const char *kind; /* matches DeviceClass.bus_type */
    bool (*plug)(BusState *bus, DeviceState *dev, Error **errp);
    void (*unplug)(BusState *bus, DeviceState *dev);
    /* Optional: can it take one more device?  Buses without room are
     * skipped when -device names no bus. */
    bool (*has_room)(BusState *bus);
} BusClass;

struct BusState {
    const BusClass *cls;
    char *name;   /* "pcie.0" */
    void *opaque; /* the bus owner's state */
};

void device_class_register(DeviceClass *dc);
const DeviceClass *device_class_find(const char *name);
/* Property lookup along the class chain. */
const Property *device_class_find_prop(const DeviceClass *dc, const char *name);

DeviceState *qdev_new(const char *type, Error **errp);
/* @value: a JSON string (command line) or a typed JSON value. */
bool qdev_prop_set(DeviceState *dev, const char *name, json_t *value,
                   Error **errp);
bool qdev_prop_set_str(DeviceState *dev, const char *name, const char *value,
                       Error **errp);
/* Plug into @bus (may be NULL) and realize. */
bool qdev_realize(DeviceState *dev, BusState *bus, Error **errp);
void qdev_unrealize(DeviceState *dev);
void qdev_free(DeviceState *dev);
/* -device / device_add: driver, id, bus and properties from @opts. */
DeviceState *qdev_device_add(json_t *opts, Error **errp);
DeviceState *qdev_find_by_id(const char *id);
DeviceState *qdev_find_by_path(const char *path);
void qdev_foreach(void (*fn)(DeviceState *dev, void *opaque), void *opaque);
void qdev_reset_all(void);

BusState *bus_new(const BusClass *cls, const char *name, void *opaque);
BusState *bus_find(const char *name);
BusState *bus_find_kind(const char *kind);

/* -global DRIVER.PROP=VALUE, applied by qdev_new to matching classes. */
void qdev_add_global(const char *driver, const char *prop, const char *value);
/* The last -global value for DRIVER.PROP, or NULL (for objects that are not
 * devices, such as the virtio-mmio transports). */
const char *qdev_global_value(const char *driver, const char *prop);
/* Format a MAC as lower-case xx:xx:xx:xx:xx:xx into buf[18]. */
void qdev_format_mac(const MACAddr *mac, char *buf);
bool qdev_parse_mac(const char *str, MACAddr *mac);

#endif
