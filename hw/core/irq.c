/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Interrupt lines and the per-path GPIO registry used by qtest. */
#include <string.h>
#include <glib.h>
#include "hw/core/irq.h"

typedef struct GpioSet {
    char *path;
    char *name; /* NULL: unnamed */
    bool input;
    IrqLine *lines;
    int count;
    bool intercepted;
} GpioSet;

static GPtrArray *gpio_sets;

void irq_init(IrqLine *irq, IrqHandler *handler, void *opaque, int n)
{
    irq->handler = handler;
    irq->opaque = opaque;
    irq->n = n;
}

void irq_set(IrqLine *irq, int level)
{
    if (irq && irq->handler) {
        irq->handler(irq->opaque, irq->n, level);
    }
}

static void gpio_add(const char *path, const char *name, bool input,
                     IrqLine *lines, int count)
{
    GpioSet *s = g_new0(GpioSet, 1);

    s->path = g_strdup(path);
    s->name = g_strdup(name);
    s->input = input;
    s->lines = lines;
    s->count = count;
    if (!gpio_sets) {
        gpio_sets = g_ptr_array_new();
    }
    g_ptr_array_add(gpio_sets, s);
}

void gpio_register_in(const char *path, IrqLine *lines, int count)
{
    gpio_add(path, NULL, true, lines, count);
}

void gpio_register_out(const char *path, const char *name, IrqLine *lines,
                       int count)
{
    gpio_add(path, name, false, lines, count);
}

void gpio_unregister(const char *path)
{
    for (guint i = 0; gpio_sets && i < gpio_sets->len;) {
        GpioSet *s = g_ptr_array_index(gpio_sets, i);
        if (!strcmp(s->path, path)) {
            g_ptr_array_remove_index(gpio_sets, i);
            g_free(s->path);
            g_free(s->name);
            g_free(s);
        } else {
            i++;
        }
    }
}

static bool name_matches(const GpioSet *s, const char *name)
{
    if (!name || !strcmp(name, "unnamed-gpio-in") ||
        !strcmp(name, "unnamed-gpio-out")) {
        return s->name == NULL;
    }
    return s->name && !strcmp(s->name, name);
}

GpioFind gpio_intercept(const char *path, bool inputs, const char *name,
                        IrqHandler *handler, void *opaque)
{
    bool device_seen = false, done = false;

    for (guint i = 0; gpio_sets && i < gpio_sets->len; i++) {
        GpioSet *s = g_ptr_array_index(gpio_sets, i);
        if (strcmp(s->path, path)) {
            continue;
        }
        device_seen = true;
        if (s->input != inputs || !name_matches(s, name)) {
            continue;
        }
        if (s->intercepted) {
            return GPIO_ALREADY_INTERCEPTED;
        }
        for (int n = 0; n < s->count; n++) {
            irq_init(&s->lines[n], handler, opaque, n);
        }
        s->intercepted = true;
        done = true;
    }
    if (!device_seen) {
        return GPIO_UNKNOWN_DEVICE;
    }
    return done ? GPIO_OK : GPIO_NONE;
}

GpioFind gpio_set_in(const char *path, const char *name, int num, int level)
{
    for (guint i = 0; gpio_sets && i < gpio_sets->len; i++) {
        GpioSet *s = g_ptr_array_index(gpio_sets, i);
        if (!strcmp(s->path, path) && s->input && name_matches(s, name)) {
            if (num < 0 || num >= s->count) {
                return GPIO_NONE;
            }
            irq_set(&s->lines[num], level);
            return GPIO_OK;
        }
    }
    return GPIO_UNKNOWN_DEVICE;
}

void gpio_intercept_reset(void)
{
    for (guint i = 0; gpio_sets && i < gpio_sets->len; i++) {
        ((GpioSet *)g_ptr_array_index(gpio_sets, i))->intercepted = false;
    }
}
