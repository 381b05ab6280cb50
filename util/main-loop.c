/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Main loop on GLib's default context, with timers checked each iteration. */
#include <glib.h>
#include <glib-unix.h>
#include "util/main-loop.h"
#include "util/timer.h"

static GMutex bql;
static __thread bool bql_held;
/*
 * Threads blocked in bql_lock(), and a count of acquisitions.  The main
 * loop uses them to hand the lock over when it lets go: a mutex is not
 * fair, and without the hand-over a main loop that finds a source ready
 * on every iteration re-takes the lock before a waking vCPU thread gets
 * it, so the harts' device accesses starve.
 */
static gint bql_waiters;
static guint bql_generation;

void bql_lock(void)
{
    g_atomic_int_inc(&bql_waiters);
    g_mutex_lock(&bql);
    g_atomic_int_add(&bql_waiters, -1);
    g_atomic_int_inc(&bql_generation);
    bql_held = true;
}

void bql_unlock(void)
{
    bql_held = false;
    g_mutex_unlock(&bql);
}

bool bql_locked(void)
{
    return bql_held;
}

/*
 * Drop the big lock; when another thread is waiting for it, give that
 * thread the chance to take it before returning (bounded, so a waiter
 * that never runs cannot stall the main loop).
 */
static void main_loop_release_bql(void)
{
    guint gen = g_atomic_int_get(&bql_generation);

    bql_unlock();
    for (int i = 0; i < 1000 && g_atomic_int_get(&bql_waiters) > 0 &&
                    g_atomic_int_get(&bql_generation) == gen;
         i++) {
        g_thread_yield();
    }
}

void main_loop_init(void)
{
    /* The main thread runs with the big lock held except while polling. */
    if (!bql_locked()) {
        bql_lock();
    }
}

void main_loop_wait(bool blocking)
{
    GMainContext *ctx = g_main_context_default();
    static GPollFD *fds;
    static gint fds_size;
    gint max_priority, timeout, n_fds;
    int timer_timeout;

    g_main_context_acquire(ctx);
    g_main_context_prepare(ctx, &max_priority);
    while ((n_fds = g_main_context_query(ctx, max_priority, &timeout, fds,
                                         fds_size)) > fds_size) {
        fds_size = n_fds;
        fds = g_renew(GPollFD, fds, fds_size);
    }
    timer_timeout = clock_poll_timeout_ms();
    if (!blocking) {
        timeout = 0;
    } else if (timer_timeout >= 0 && (timeout < 0 || timer_timeout < timeout)) {
        timeout = timer_timeout;
    }
    if (bql_locked()) {
        /* Even a zero-timeout poll lets go, or a busy loop starves harts. */
        main_loop_release_bql();
        g_poll(fds, n_fds, timeout);
        bql_lock();
    } else {
        g_poll(fds, n_fds, timeout);
    }
    if (g_main_context_check(ctx, max_priority, fds, n_fds)) {
        g_main_context_dispatch(ctx);
    }
    g_main_context_release(ctx);

    for (int type = 0; type < QEMU_CLOCK_MAX; type++) {
        clock_run_timers(type);
    }
}

void main_loop_kick(void)
{
    g_main_context_wakeup(g_main_context_default());
}

typedef struct FdWatch {
    MainLoopFdFunc *fn;
    void *opaque;
} FdWatch;

static gboolean fd_watch_dispatch(gint fd, GIOCondition cond, gpointer data)
{
    FdWatch *w = data;
    return w->fn(fd, cond, w->opaque);
}

guint main_loop_add_fd(int fd, GIOCondition cond, MainLoopFdFunc *fn,
                       void *opaque)
{
    FdWatch *w = g_new0(FdWatch, 1);
    w->fn = fn;
    w->opaque = opaque;
    return g_unix_fd_add_full(G_PRIORITY_DEFAULT, fd, cond, fd_watch_dispatch,
                              w, g_free);
}

void main_loop_remove(guint id)
{
    if (id) {
        g_source_remove(id);
    }
}

guint main_loop_add_bh(GSourceFunc fn, void *opaque)
{
    return g_idle_add(fn, opaque);
}
