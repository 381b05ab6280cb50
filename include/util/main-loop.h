/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The main loop: GLib's default context plus our timer lists. */
#ifndef UTIL_MAIN_LOOP_H
#define UTIL_MAIN_LOOP_H

#include <stdbool.h>
#include <glib.h>

void main_loop_init(void);
/* One iteration; blocks for at most the next timer deadline if @blocking. */
void main_loop_wait(bool blocking);
/* Wake a main loop blocked in poll (thread-safe). */
void main_loop_kick(void);

/* Watch an fd on the main context; returns the GSource id. */
typedef gboolean MainLoopFdFunc(int fd, GIOCondition cond, void *opaque);
guint main_loop_add_fd(int fd, GIOCondition cond, MainLoopFdFunc *fn,
                       void *opaque);
void main_loop_remove(guint id);

/* Run @fn from the main loop soon (a bottom half); returns the GSource id. */
guint main_loop_add_bh(GSourceFunc fn, void *opaque);

/*
 * The big lock: held by whoever touches device state (the main loop while it
 * dispatches, a vCPU thread around MMIO).  main_loop_wait() drops it while
 * it sleeps in poll.  Data-path threads of their own must not need it.
 */
void bql_lock(void);
void bql_unlock(void);
bool bql_locked(void);

#endif
