/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Main loop on GLib's default context, with timers checked each iteration. */
#include <glib.h>
#include <glib-unix.h>
#include "util/main-loop.h"
#include "util/timer.h"

static GMutex bql;
static __thread bool bql_held;

void bql_lock(void)
{
    g_mutex_lock(&bql);
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
    if (timeout != 0 && bql_locked()) {
        bql_unlock();
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
