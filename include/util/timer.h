/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Clocks and timers.
 *
 * QEMU_CLOCK_VIRTUAL is guest time: it stops while the VM is stopped and,
 * under the qtest accelerator, moves only when qtest says so.
 * QEMU_CLOCK_REALTIME and QEMU_CLOCK_HOST always run.
 */
#ifndef UTIL_TIMER_H
#define UTIL_TIMER_H

#include <stdbool.h>
#include <stdint.h>

typedef enum QEMUClockType {
    QEMU_CLOCK_REALTIME,
    QEMU_CLOCK_VIRTUAL,
    QEMU_CLOCK_HOST,
    QEMU_CLOCK_MAX,
} QEMUClockType;

typedef void QEMUTimerCB(void *opaque);
typedef struct QEMUTimer QEMUTimer;

int64_t clock_get_ns(QEMUClockType type);

QEMUTimer *timer_new_ns(QEMUClockType type, QEMUTimerCB *cb, void *opaque);
void timer_free(QEMUTimer *t);
void timer_mod_ns(QEMUTimer *t, int64_t expire_ns);
void timer_del(QEMUTimer *t);
bool timer_pending(const QEMUTimer *t);
int64_t timer_expire_time_ns(const QEMUTimer *t);

/* Earliest pending expiry of a clock, or -1 when none. */
int64_t clock_deadline_ns(QEMUClockType type);
/* Run the callbacks of every expired timer of a clock; true if any ran. */
bool clock_run_timers(QEMUClockType type);
/* Milliseconds until the next timer of any running clock (-1: none). */
int clock_poll_timeout_ms(void);

/* Virtual clock control (system/ uses these). */
void clock_virtual_set_manual(bool manual); /* qtest: moves only by set */
bool clock_virtual_is_manual(void);
void clock_virtual_enable(bool running); /* stop/start with the VM */
/* Manual mode: move virtual time forward to @ns, running timers in order. */
void clock_virtual_advance_to(int64_t ns);

#endif
