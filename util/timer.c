/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Clocks and timer lists, driven from the main loop. */
#include <glib.h>
#include <time.h>
#include "util/timer.h"

struct QEMUTimer {
    QEMUClockType type;
    QEMUTimerCB *cb;
    void *opaque;
    int64_t expire;
    bool pending;
};

/* Each clock keeps its pending timers sorted by expiry. */
static GList *timer_lists[QEMU_CLOCK_MAX];

static struct {
    bool manual;
    bool running;
    int64_t manual_ns;  /* current value in manual mode */
    int64_t offset;     /* virtual = monotonic - offset while running */
    int64_t stopped_at; /* value frozen while stopped */
} vclock;

static int64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int64_t clock_get_ns(QEMUClockType type)
{
    struct timespec ts;

    switch (type) {
    case QEMU_CLOCK_VIRTUAL:
        if (vclock.manual) {
            return vclock.manual_ns;
        }
        return vclock.running ? monotonic_ns() - vclock.offset
                              : vclock.stopped_at;
    case QEMU_CLOCK_HOST:
        clock_gettime(CLOCK_REALTIME, &ts);
        return ts.tv_sec * 1000000000LL + ts.tv_nsec;
    case QEMU_CLOCK_REALTIME:
    default:
        return monotonic_ns();
    }
}

void clock_virtual_set_manual(bool manual)
{
    vclock.manual = manual;
}

bool clock_virtual_is_manual(void)
{
    return vclock.manual;
}

void clock_virtual_enable(bool running)
{
    if (running == vclock.running) {
        return;
    }
    if (running) {
        vclock.offset = monotonic_ns() - vclock.stopped_at;
    } else {
        vclock.stopped_at = monotonic_ns() - vclock.offset;
    }
    vclock.running = running;
}

QEMUTimer *timer_new_ns(QEMUClockType type, QEMUTimerCB *cb, void *opaque)
{
    QEMUTimer *t = g_new0(QEMUTimer, 1);
    t->type = type;
    t->cb = cb;
    t->opaque = opaque;
    return t;
}

void timer_del(QEMUTimer *t)
{
    if (t->pending) {
        timer_lists[t->type] = g_list_remove(timer_lists[t->type], t);
        t->pending = false;
    }
}

void timer_free(QEMUTimer *t)
{
    if (t) {
        timer_del(t);
        g_free(t);
    }
}

static gint timer_cmp(gconstpointer a, gconstpointer b)
{
    const QEMUTimer *ta = a, *tb = b;
    return ta->expire < tb->expire ? -1 : ta->expire > tb->expire;
}

void timer_mod_ns(QEMUTimer *t, int64_t expire_ns)
{
    timer_del(t);
    t->expire = expire_ns;
    t->pending = true;
    timer_lists[t->type] =
        g_list_insert_sorted(timer_lists[t->type], t, timer_cmp);
}

bool timer_pending(const QEMUTimer *t)
{
    return t->pending;
}

int64_t timer_expire_time_ns(const QEMUTimer *t)
{
    return t->pending ? t->expire : -1;
}

int64_t clock_deadline_ns(QEMUClockType type)
{
    GList *first = timer_lists[type];
    return first ? ((QEMUTimer *)first->data)->expire : -1;
}

static bool run_expired_at(QEMUClockType type, int64_t now)
{
    bool ran = false;

    /* A callback may re-arm or delete timers, so re-read the head each time. */
    while (timer_lists[type]) {
        QEMUTimer *t = timer_lists[type]->data;
        if (t->expire > now) {
            break;
        }
        timer_del(t);
        t->cb(t->opaque);
        ran = true;
    }
    return ran;
}

bool clock_run_timers(QEMUClockType type)
{
    if (type == QEMU_CLOCK_VIRTUAL && !vclock.manual && !vclock.running) {
        return false;
    }
    return run_expired_at(type, clock_get_ns(type));
}

void clock_virtual_advance_to(int64_t ns)
{
    /* Step through each deadline so callbacks see the time they asked for. */
    for (;;) {
        int64_t next = clock_deadline_ns(QEMU_CLOCK_VIRTUAL);
        if (next < 0 || next > ns) {
            break;
        }
        if (next > vclock.manual_ns) {
            vclock.manual_ns = next;
        }
        run_expired_at(QEMU_CLOCK_VIRTUAL, vclock.manual_ns);
    }
    if (ns > vclock.manual_ns) {
        vclock.manual_ns = ns;
    }
}

static int timeout_for(QEMUClockType type)
{
    int64_t deadline = clock_deadline_ns(type), delta;

    if (deadline < 0) {
        return -1;
    }
    delta = deadline - clock_get_ns(type);
    if (delta <= 0) {
        return 0;
    }
    /* Round up so we do not spin waking early. */
    return (int)MIN((delta + 999999) / 1000000, G_MAXINT);
}

int clock_poll_timeout_ms(void)
{
    int best = -1;

    for (int type = 0; type < QEMU_CLOCK_MAX; type++) {
        int t;
        if (type == QEMU_CLOCK_VIRTUAL && (vclock.manual || !vclock.running)) {
            continue;
        }
        t = timeout_for(type);
        if (t >= 0 && (best < 0 || t < best)) {
            best = t;
        }
    }
    return best;
}
