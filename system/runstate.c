/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Run state machine, VM start/stop, reset and shutdown requests, signals. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include "system/runstate.h"
#include "qapi/qapi-events.h"
#include "util/main-loop.h"
#include "util/timer.h"

typedef struct Notifier {
    void *fn;
    void *opaque;
} Notifier;

static RunState current_state = RUN_STATE_PRELAUNCH;
static GArray *state_notifiers;
static GArray *reset_handlers;
static bool no_shutdown;
static bool no_reboot;

static int shutdown_requested; /* ShutdownCause + 1, 0 = none */
static int reset_requested;    /* ShutdownCause + 1, 0 = none */
static bool shutdown_is_final; /* already reported; just exit */

static int signal_pipe[2] = {-1, -1};
static volatile sig_atomic_t signal_seen;
static volatile sig_atomic_t signal_pid;

RunState runstate_get(void)
{
    return current_state;
}

void runstate_set(RunState state)
{
    current_state = state;
}

bool runstate_is_running(void)
{
    return current_state == RUN_STATE_RUNNING;
}

static void notifier_add(GArray **arr, void *fn, void *opaque)
{
    Notifier n = {fn, opaque};
    if (!*arr) {
        *arr = g_array_new(FALSE, FALSE, sizeof(Notifier));
    }
    g_array_append_val(*arr, n);
}

static void notifier_remove(GArray *arr, void *fn, void *opaque)
{
    for (guint i = 0; arr && i < arr->len; i++) {
        Notifier *n = &g_array_index(arr, Notifier, i);
        if (n->fn == fn && n->opaque == opaque) {
            g_array_remove_index(arr, i);
            return;
        }
    }
}

void vm_state_notify_add(VMStateChangeFn *fn, void *opaque)
{
    notifier_add(&state_notifiers, fn, opaque);
}

void vm_state_notify_remove(VMStateChangeFn *fn, void *opaque)
{
    notifier_remove(state_notifiers, fn, opaque);
}

void reset_handler_add(ResetFn *fn, void *opaque)
{
    notifier_add(&reset_handlers, fn, opaque);
}

void reset_handler_remove(ResetFn *fn, void *opaque)
{
    notifier_remove(reset_handlers, fn, opaque);
}

static void notify_state(bool running, RunState state)
{
    /* Stop notifications run in reverse so teardown mirrors start-up. */
    guint n = state_notifiers ? state_notifiers->len : 0;
    for (guint k = 0; k < n; k++) {
        guint i = running ? k : n - 1 - k;
        Notifier *no = &g_array_index(state_notifiers, Notifier, i);
        ((VMStateChangeFn *)no->fn)(no->opaque, running, state);
    }
}

bool vm_start(void)
{
    if (runstate_is_running()) {
        return false;
    }
    runstate_set(RUN_STATE_RUNNING);
    clock_virtual_enable(true);
    notify_state(true, RUN_STATE_RUNNING);
    qapi_event_send_resume();
    return true;
}

void vm_stop(RunState state)
{
    if (!runstate_is_running()) {
        return;
    }
    runstate_set(state);
    clock_virtual_enable(false);
    notify_state(false, state);
    qapi_event_send_stop();
}

void runstate_set_no_shutdown(bool on)
{
    no_shutdown = on;
}

void runstate_set_no_reboot(bool on)
{
    no_reboot = on;
}

void system_shutdown_request(ShutdownCause cause)
{
    if (!shutdown_requested) {
        shutdown_requested = cause + 1;
    }
    main_loop_kick();
}

void system_reset_request(ShutdownCause cause)
{
    /* -no-reboot turns a guest-initiated reset into a shutdown. */
    if (no_reboot && cause == SHUTDOWN_CAUSE_GUEST_RESET) {
        system_shutdown_request(cause);
        return;
    }
    reset_requested = cause + 1;
    main_loop_kick();
}

void system_reset(ShutdownCause cause)
{
    for (guint i = 0; reset_handlers && i < reset_handlers->len; i++) {
        Notifier *n = &g_array_index(reset_handlers, Notifier, i);
        ((ResetFn *)n->fn)(n->opaque);
    }
    if (cause != SHUTDOWN_CAUSE_NONE) {
        qapi_event_send_reset(cause >= SHUTDOWN_CAUSE_GUEST_SHUTDOWN, cause);
    }
}

static bool is_guest_cause(ShutdownCause cause)
{
    return cause >= SHUTDOWN_CAUSE_GUEST_SHUTDOWN;
}

static bool handle_shutdown(void)
{
    ShutdownCause cause = shutdown_requested - 1;

    shutdown_requested = 0;
    qapi_event_send_shutdown(is_guest_cause(cause), cause);
    /* -no-shutdown keeps the process (paused) after a guest power-off. */
    if (no_shutdown && is_guest_cause(cause)) {
        vm_stop(RUN_STATE_SHUTDOWN);
        return false;
    }
    return true;
}

bool runstate_main_loop_should_exit(int *status)
{
    if (signal_seen) {
        int sig = signal_seen;
        signal_seen = 0;
        if (signal_pid > 0) {
            fprintf(stderr, "vireo: terminating on signal %d from pid %d\n",
                    sig, (int)signal_pid);
        } else {
            fprintf(stderr, "vireo: terminating on signal %d\n", sig);
        }
        system_shutdown_request(SHUTDOWN_CAUSE_HOST_SIGNAL);
    }
    if (shutdown_is_final) {
        *status = 0;
        return true;
    }
    if (shutdown_requested && handle_shutdown()) {
        shutdown_is_final = true;
        *status = 0;
        return true;
    }
    if (reset_requested) {
        ShutdownCause cause = reset_requested - 1;
        reset_requested = 0;
        system_reset(cause);
        if (current_state == RUN_STATE_SHUTDOWN ||
            current_state == RUN_STATE_GUEST_PANICKED) {
            runstate_set(RUN_STATE_PAUSED);
        }
    }
    return false;
}

static void signal_handler(int sig, siginfo_t *info, void *ctx)
{
    char c = 1;
    signal_seen = sig;
    signal_pid = info ? info->si_pid : 0;
    /* Wake poll(); failure only means a wake-up is already pending. */
    if (write(signal_pipe[1], &c, 1) < 0) {
        return;
    }
}

static gboolean signal_pipe_readable(int fd, GIOCondition cond, void *opaque)
{
    char buf[64];
    while (read(fd, buf, sizeof(buf)) > 0) {
        /* drain */
    }
    return G_SOURCE_CONTINUE;
}

void runstate_install_signal_handlers(void)
{
    struct sigaction sa;

    if (signal_pipe[0] >= 0) {
        return;
    }
    if (pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
        perror("vireo: pipe");
        return;
    }
    main_loop_add_fd(signal_pipe[0], G_IO_IN, signal_pipe_readable, NULL);
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = signal_handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}
