/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Typed device properties: parsing, defaults and introspection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include "hw/core/qdev.h"
#include "hw/core/qdev-internal.h"
#include "util/cutils.h"

static const char *const on_off_auto_names[] = {"auto", "on", "off", NULL};

static void *field(DeviceState *dev, const Property *p)
{
    return (char *)dev + p->offset;
}

void qdev_format_mac(const MACAddr *mac, char *buf)
{
    snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac->a[0], mac->a[1],
             mac->a[2], mac->a[3], mac->a[4], mac->a[5]);
}

bool qdev_parse_mac(const char *str, MACAddr *mac)
{
    for (int i = 0; i < 6; i++) {
        int hi, lo;
        if (!str[0] || !str[1]) {
            return false;
        }
        hi = g_ascii_xdigit_value(str[0]);
        lo = g_ascii_xdigit_value(str[1]);
        if (hi < 0 || lo < 0) {
            return false;
        }
        mac->a[i] = hi << 4 | lo;
        str += 2;
        if (i < 5) {
            if (*str != ':' && *str != '-') {
                return false;
            }
            str++;
        }
    }
    return *str == '\0';
}

static bool parse_devfn(const char *s, int32_t *out)
{
    char *end;
    unsigned long slot, fn = 0;

    slot = strtoul(s, &end, 16);
    if (end == s || slot > 0x1f) {
        return false;
    }
    if (*end == '.') {
        const char *f = end + 1;
        fn = strtoul(f, &end, 16);
        if (end == f || fn > 7) {
            return false;
        }
    }
    if (*end) {
        return false;
    }
    *out = slot << 3 | fn;
    return true;
}

static int enum_index(const char *const *names, const char *s)
{
    for (int i = 0; names && names[i]; i++) {
        if (!strcmp(names[i], s)) {
            return i;
        }
    }
    return -1;
}

static bool parse_uint(const char *s, uint64_t max, uint64_t *out)
{
    return qemu_strtou64(s, NULL, 0, out) == 0 && *out <= max;
}

/* Store the string form of a value; false if it does not parse. */
static bool prop_set_string(DeviceState *dev, const Property *p, const char *s)
{
    void *f = field(dev, p);
    uint64_t u;
    int64_t i;
    bool b;
    int idx;

    switch (p->type) {
    case PROP_BOOL:
    case PROP_BIT64:
        if (!parse_bool(p->name, s, &b, NULL)) {
            return false;
        }
        if (p->type == PROP_BOOL) {
            *(bool *)f = b;
        } else if (b) {
            *(uint64_t *)f |= 1ULL << p->bitnr;
        } else {
            *(uint64_t *)f &= ~(1ULL << p->bitnr);
        }
        return true;
    case PROP_UINT8:
        if (!parse_uint(s, UINT8_MAX, &u)) {
            return false;
        }
        *(uint8_t *)f = u;
        return true;
    case PROP_UINT16:
        if (!parse_uint(s, UINT16_MAX, &u)) {
            return false;
        }
        *(uint16_t *)f = u;
        return true;
    case PROP_UINT32:
        if (!parse_uint(s, UINT32_MAX, &u)) {
            return false;
        }
        *(uint32_t *)f = u;
        return true;
    case PROP_UINT64:
        if (!parse_uint(s, UINT64_MAX, &u)) {
            return false;
        }
        *(uint64_t *)f = u;
        return true;
    case PROP_SIZE:
        if (!parse_size(p->name, s, &u, NULL)) {
            return false;
        }
        *(uint64_t *)f = u;
        return true;
    case PROP_INT32:
        if (qemu_strtoi64(s, NULL, 0, &i) || i < INT32_MIN || i > INT32_MAX) {
            return false;
        }
        *(int32_t *)f = i;
        return true;
    case PROP_STRING:
    case PROP_NETDEV:
    case PROP_CHR:
        g_free(*(char **)f);
        *(char **)f = g_strdup(s);
        return true;
    case PROP_MACADDR:
        return qdev_parse_mac(s, f);
    case PROP_PCI_DEVFN:
        return parse_devfn(s, f);
    case PROP_ON_OFF_AUTO:
    case PROP_ENUM:
        idx = enum_index(
            p->type == PROP_ENUM ? p->enum_values : on_off_auto_names, s);
        if (idx < 0) {
            return false;
        }
        *(int *)f = idx;
        return true;
    }
    return false;
}

bool qdev_prop_apply(DeviceState *dev, const Property *p, json_t *value,
                     Error **errp)
{
    char buf[32];
    const char *s = buf;

    if (json_is_string(value)) {
        s = json_string_value(value);
    } else if (json_is_boolean(value)) {
        s = json_is_true(value) ? "on" : "off";
    } else if (json_is_integer(value)) {
        if (p->type == PROP_PCI_DEVFN) {
            /* JSON gives addr as a devfn number, as QEMU's JSON form does */
            json_int_t n = json_integer_value(value);
            if (n < -1 || n > 255) {
                goto bad;
            }
            *(int32_t *)field(dev, p) = n;
            return true;
        }
        snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT,
                 json_integer_value(value));
    } else {
        goto bad;
    }
    if (prop_set_string(dev, p, s)) {
        return true;
    }
bad : {
    char *text = json_is_string(value) ? g_strdup(json_string_value(value))
                                       : json_dumps(value, JSON_ENCODE_ANY);
    error_setg(errp, "Property '%s.%s' doesn't take value '%s'",
               dev->cls->type.name, p->name, text ? text : "?");
    if (json_is_string(value)) {
        g_free(text);
    } else {
        free(text);
    }
}
    return false;
}

void qdev_prop_set_default(DeviceState *dev, const Property *p)
{
    void *f = field(dev, p);

    switch (p->type) {
    case PROP_BOOL:
        *(bool *)f = p->defval;
        break;
    case PROP_BIT64:
        if (p->defval) {
            *(uint64_t *)f |= 1ULL << p->bitnr;
        } else {
            *(uint64_t *)f &= ~(1ULL << p->bitnr);
        }
        break;
    case PROP_UINT8:
        *(uint8_t *)f = p->defval;
        break;
    case PROP_UINT16:
        *(uint16_t *)f = p->defval;
        break;
    case PROP_UINT32:
        *(uint32_t *)f = p->defval;
        break;
    case PROP_INT32:
    case PROP_PCI_DEVFN:
        *(int32_t *)f = p->defval;
        break;
    case PROP_UINT64:
    case PROP_SIZE:
        *(uint64_t *)f = p->defval;
        break;
    case PROP_STRING:
    case PROP_NETDEV:
    case PROP_CHR:
        *(char **)f = g_strdup(p->defstr);
        break;
    case PROP_MACADDR:
        memset(f, 0, sizeof(MACAddr));
        break;
    case PROP_ON_OFF_AUTO:
    case PROP_ENUM:
        *(int *)f = p->defval;
        break;
    }
}

void qdev_prop_release(DeviceState *dev, const Property *p)
{
    if (p->type == PROP_STRING || p->type == PROP_NETDEV ||
        p->type == PROP_CHR) {
        g_free(*(char **)field(dev, p));
        *(char **)field(dev, p) = NULL;
    }
}

/* What device-list-properties shows for a property. */
void qdev_prop_describe(const Property *p, TypeProperty *out)
{
    static const char *const type_names[] = {
        [PROP_BOOL] = "bool",       [PROP_BIT64] = "bool",
        [PROP_UINT8] = "uint8",     [PROP_UINT16] = "uint16",
        [PROP_UINT32] = "uint32",   [PROP_INT32] = "int32",
        [PROP_UINT64] = "uint64",   [PROP_SIZE] = "size",
        [PROP_STRING] = "str",      [PROP_MACADDR] = "str",
        [PROP_NETDEV] = "str",      [PROP_CHR] = "str",
        [PROP_PCI_DEVFN] = "int32", [PROP_ON_OFF_AUTO] = "OnOffAuto",
        [PROP_ENUM] = "str",
    };

    out->name = p->name;
    out->type = type_names[p->type];
    out->description = p->description;
    out->default_json = NULL;
    switch (p->type) {
    case PROP_MACADDR:
        out->description = "Ethernet 6-byte MAC Address, example: "
                           "52:54:00:12:34:56";
        break;
    case PROP_NETDEV:
        out->description = "ID of a netdev to use as a backend";
        break;
    case PROP_CHR:
        out->description = "ID of a chardev to use as a backend";
        break;
    case PROP_PCI_DEVFN:
        out->description = "Slot and optional function number, example: "
                           "06.0 or 06";
        out->default_json = g_strdup("-1");
        break;
    case PROP_BOOL:
    case PROP_BIT64:
        out->default_json = g_strdup(p->defval ? "true" : "false");
        break;
    case PROP_STRING:
        out->default_json =
            p->defstr ? g_strdup_printf("\"%s\"", p->defstr) : NULL;
        break;
    case PROP_ON_OFF_AUTO:
        out->description = out->description ? out->description : "on/off/auto";
        out->default_json =
            g_strdup_printf("\"%s\"", on_off_auto_names[p->defval]);
        break;
    case PROP_ENUM:
        out->default_json =
            g_strdup_printf("\"%s\"", p->enum_values[p->defval]);
        break;
    default:
        out->default_json = g_strdup_printf("%" G_GINT64_FORMAT, p->defval);
        break;
    }
}
