/* SPDX-License-Identifier: GPL-2.0-or-later */
/* QMP monitors on chardevs, and the per-connection fd list. */
#ifndef MONITOR_MONITOR_H
#define MONITOR_MONITOR_H

#include <stdbool.h>
#include <jansson.h>
#include "chardev/char.h"
#include "util/error.h"

typedef struct Monitor Monitor;

/* Start a QMP monitor on @chr ("-mon chardev=X,mode=control"). */
Monitor *monitor_new_qmp(Chardev *chr, bool pretty, Error **errp);
void monitor_cleanup_all(void);

/* The monitor whose command is being executed, or NULL. */
Monitor *monitor_current(void);

/* getfd list of a monitor (kept per connection; closed on disconnect). */
bool monitor_add_fd(Monitor *mon, const char *name, int fd, Error **errp);
int monitor_take_fd(Monitor *mon, const char *name); /* -1: none */
bool monitor_close_fd(Monitor *mon, const char *name, Error **errp);
/* fds received with SCM_RIGHTS together with the current command. */
int monitor_take_msgfd(Monitor *mon);

/*
 * Resolve a netdev-style fd parameter: a name from the current monitor's
 * getfd list (consumed) or a decimal number.  Returns the fd or -1.
 */
int monitor_fd_param(Monitor *mon, const char *str, Error **errp);

/* fdsets (global), used by add-fd/-add-fd. */
bool fdset_add_fd(int fd, bool has_set, int64_t set, const char *opaque,
                  int64_t *set_out, Error **errp);
void fdsets_cleanup_all(void);

/* HMP commands reachable through human-monitor-command. */
char *hmp_execute(const char *cmdline, Error **errp);

#endif
