/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small helpers shared by the backends. */
#include "net/clients.h"
#include "util/main-loop.h"

void net_fd_watch_init(NetFdWatch *w, int fd, GIOCondition cond,
                       gboolean (*fn)(int, GIOCondition, void *), void *opaque)
{
    w->id = 0;
    w->fd = fd;
    w->cond = cond;
    w->fn = fn;
    w->opaque = opaque;
}

void net_fd_watch_set(NetFdWatch *w, bool on)
{
    if (on && !w->id && w->fd >= 0) {
        w->id = main_loop_add_fd(w->fd, w->cond, w->fn, w->opaque);
    } else if (!on && w->id) {
        main_loop_remove(w->id);
        w->id = 0;
    }
}
