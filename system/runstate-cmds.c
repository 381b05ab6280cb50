/* SPDX-License-Identifier: GPL-2.0-or-later */
/* QMP commands that change or report the run state. */
#include <glib.h>
#include "qapi/qapi-commands.h"
#include "system/runstate.h"

/* -incoming: start when migration completes unless told otherwise. */
bool autostart = true;

StatusInfo *qmp_query_status(Error **errp)
{
    StatusInfo *info = g_new0(StatusInfo, 1);
    info->running = runstate_is_running();
    info->status = runstate_get();
    return info;
}

void qmp_stop(Error **errp)
{
    if (runstate_get() == RUN_STATE_INMIGRATE) {
        autostart = false;
        return;
    }
    vm_stop(RUN_STATE_PAUSED);
}

static bool runstate_needs_reset(void)
{
    RunState st = runstate_get();
    return st == RUN_STATE_SHUTDOWN || st == RUN_STATE_GUEST_PANICKED ||
           st == RUN_STATE_INTERNAL_ERROR;
}

void qmp_cont(Error **errp)
{
    if (runstate_needs_reset()) {
        error_setg(errp, "Resetting the Virtual Machine is required");
        return;
    }
    if (runstate_get() == RUN_STATE_INMIGRATE) {
        autostart = true;
        return;
    }
    vm_start();
}

void qmp_system_reset(Error **errp)
{
    system_reset_request(SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET);
}

void qmp_quit(Error **errp)
{
    system_shutdown_request(SHUTDOWN_CAUSE_HOST_QMP_QUIT);
}
