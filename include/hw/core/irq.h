/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Interrupt lines between devices, and the registry of a device's GPIO
 * inputs/outputs by path so that qtest can intercept them.
 */
#ifndef HW_CORE_IRQ_H
#define HW_CORE_IRQ_H

#include <stdbool.h>

typedef void IrqHandler(void *opaque, int n, int level);

typedef struct IrqLine {
    IrqHandler *handler;
    void *opaque;
    int n;
} IrqLine;

void irq_init(IrqLine *irq, IrqHandler *handler, void *opaque, int n);
void irq_set(IrqLine *irq, int level);
static inline void irq_raise(IrqLine *irq)
{
    irq_set(irq, 1);
}
static inline void irq_lower(IrqLine *irq)
{
    irq_set(irq, 0);
}

/* Publish @count input lines of the device at @path (e.g. an interrupt
 * controller's sources), for qtest's irq_intercept_in and set_irq_in. */
void gpio_register_in(const char *path, IrqLine *lines, int count);
/* Publish @count output lines (where a device drives its interrupts). */
void gpio_register_out(const char *path, const char *name, IrqLine *lines,
                       int count);
void gpio_unregister(const char *path);

typedef enum GpioFind {
    GPIO_OK,
    GPIO_UNKNOWN_DEVICE,
    GPIO_ALREADY_INTERCEPTED,
    GPIO_NONE,
} GpioFind;

/* Redirect a device's lines to @handler; the old handlers are dropped. */
GpioFind gpio_intercept(const char *path, bool inputs, const char *name,
                        IrqHandler *handler, void *opaque);
/* Drive input line @num of the device at @path. */
GpioFind gpio_set_in(const char *path, const char *name, int num, int level);
/* Forget all interceptions (qtest connection reset). */
void gpio_intercept_reset(void);

#endif
