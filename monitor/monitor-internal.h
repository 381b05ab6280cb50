/* SPDX-License-Identifier: GPL-2.0-or-later */
/* State shared by the monitor's own files. */
#ifndef MONITOR_INTERNAL_H
#define MONITOR_INTERNAL_H

#include <glib.h>
#include "monitor/monitor.h"
#include "util/json-stream.h"

struct Monitor {
    Chardev *chr;
    JsonStream *parser;
    bool pretty;
    bool negotiated;
    bool oob_enabled;
    GHashTable *fds; /* getfd name -> fd (GINT_TO_POINTER) */
};

void monitor_fds_clear(Monitor *mon);

#endif
