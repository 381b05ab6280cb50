/* SPDX-License-Identifier: GPL-2.0-or-later */
/* VM run state, start/stop, and reset/shutdown requests. */
#ifndef SYSTEM_RUNSTATE_H
#define SYSTEM_RUNSTATE_H

#include <stdbool.h>
#include "qapi/qapi-types.h"

RunState runstate_get(void);
void runstate_set(RunState state);
bool runstate_is_running(void);

/* Start the VM (emits RESUME); false if it was already running. */
bool vm_start(void);
/* Stop the VM in @state (emits STOP if it was running). */
void vm_stop(RunState state);

typedef void VMStateChangeFn(void *opaque, bool running, RunState state);
void vm_state_notify_add(VMStateChangeFn *fn, void *opaque);
void vm_state_notify_remove(VMStateChangeFn *fn, void *opaque);

/* Reset handlers run on every system reset, in registration order. */
typedef void ResetFn(void *opaque);
void reset_handler_add(ResetFn *fn, void *opaque);
void reset_handler_remove(ResetFn *fn, void *opaque);

/* Requests are acted on by the main loop, not inside the caller. */
void system_shutdown_request(ShutdownCause cause);
void system_reset_request(ShutdownCause cause);
/* Set before the main loop runs; both come from the command line. */
void runstate_set_no_shutdown(bool on);
void runstate_set_no_reboot(bool on);

/* Main loop: handle pending requests; true when the process should exit. */
bool runstate_main_loop_should_exit(int *status);
/* Signals (SIGTERM, SIGINT, SIGHUP) become a host-signal shutdown. */
void runstate_install_signal_handlers(void);
/* Perform a system reset now (devices, then RESET event). */
void system_reset(ShutdownCause cause);

#endif
