/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Start-up: command-line parsing in QEMU's syntax, validation, creation of
 * chardevs, monitors, qtest and the machine, then the main loop.
 *
 * Every option is parsed before anything is created, so a bad option never
 * leaves sockets or files behind.  Errors name the option as typed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <signal.h>
#include <glib.h>
#include "chardev/char.h"
#include "hw/core/machine.h"
#include "hw/core/qdev.h"
#include "hw/device-types.h"
#include "hw/core/qom.h"
#include "monitor/monitor.h"
#include "net/net.h"
#include "system/memory.h"
#include "system/options.h"
#include "system/qtest.h"
#include "system/runstate.h"
#include "system/system.h"
#include "system/version.h"
#include "system/vl.h"
#include "util/cutils.h"
#include "util/keyval.h"
#include "util/main-loop.h"
#include "util/opts.h"
#include "util/timer.h"

char *vm_name;
bool qtest_accel;

static VlConfig cfg;

static void cleanup_at_exit(void)
{
    monitor_cleanup_all();
    net_cleanup();
    qtest_server_stop();
    chardev_delete_all();
    fdsets_cleanup_all();
    if (cfg.pidfile_written) {
        unlink(cfg.pidfile);
    }
}

static bool write_pidfile(const char *path, Error **errp)
{
    char buf[32];
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int len = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());

    if (fd < 0 || write(fd, buf, len) != len) {
        error_setg_errno(errp, errno, "cannot create PID file %s", path);
        if (fd >= 0) {
            close(fd);
        }
        return false;
    }
    close(fd);
    cfg.pidfile_written = true;
    return true;
}

/* Fork; the parent exits with the child's start-up result. */
static int daemonize_start(void)
{
    int fds[2];
    pid_t pid;

    if (pipe2(fds, O_CLOEXEC) < 0) {
        perror("vireo: pipe");
        exit(1);
    }
    pid = fork();
    if (pid < 0) {
        perror("vireo: fork");
        exit(1);
    }
    if (pid > 0) {
        char status = 1;
        close(fds[1]);
        if (read(fds[0], &status, 1) != 1) {
            status = 1;
        }
        _exit(status);
    }
    close(fds[0]);
    setsid();
    return fds[1];
}

static void daemonize_finish(int fd)
{
    char ok = 0;
    int null = open("/dev/null", O_RDWR);

    if (null >= 0) {
        dup2(null, STDIN_FILENO);
        dup2(null, STDOUT_FILENO);
        dup2(null, STDERR_FILENO);
        close(null);
    }
    if (write(fd, &ok, 1) != 1) {
        /* The parent is gone; nothing more to tell it. */
    }
    close(fd);
}

static bool start_qtest(Error **errp)
{
    json_t *opts;
    Chardev *chr;
    char *loc;
    bool ok;

    if (!cfg.qtest_spec) {
        return true;
    }
    loc = g_strdup_printf("-qtest %s", cfg.qtest_spec);
    error_set_location(loc);
    g_free(loc);
    opts = chardev_parse_legacy(cfg.qtest_spec, "qtest", errp);
    chr = opts ? chardev_new(opts, errp) : NULL;
    json_decref(opts);
    ok = chr && qtest_server_start(chr, cfg.qtest_log, errp);
    if (ok) {
        error_set_location(NULL);
    }
    return ok;
}

static void reset_devices(void *opaque)
{
    qdev_reset_all();
}

static bool init_machine(const MachineClass *mc, Error **errp)
{
    MachineState *ms = g_new0(MachineState, 1);

    ms->cls = mc;
    ms->props = json_incref(cfg.machine_opts);
    ms->ram_size = cfg.ram_size_set ? cfg.ram_size : mc->default_ram_size;
    ms->smp_cpus = cfg.smp_cpus;
    ms->smp_max_cpus = cfg.smp_max_cpus;
    ms->accel = g_strdup(cfg.accel);
    ms->kernel = g_strdup(cfg.kernel);
    ms->initrd = g_strdup(cfg.initrd);
    ms->append = g_strdup(cfg.append);
    ms->bios = g_strdup(cfg.bios);
    ms->dumpdtb = g_strdup(opts_get_str(cfg.machine_opts, "dumpdtb"));
    current_machine = ms;
    memory_init();
    if (!mc->init(ms, errp)) {
        return false;
    }
    /* Devices reset with the system, after the machine's own handlers. */
    reset_handler_add(reset_devices, NULL);
    return true;
}

static int run(void)
{
    int status = 0;

    while (!runstate_main_loop_should_exit(&status)) {
        main_loop_wait(true);
    }
    return status;
}

int vireo_main(int argc, char **argv)
{
    Error *err = NULL;
    const MachineClass *mc;
    int daemon_fd = -1;

    error_set_progname("vireo");
    machines_register_all();
    device_types_register_all();
    chardev_init();
    vl_config_init(&cfg);

    if (!vl_parse_args(&cfg, argc, argv)) {
        return cfg.exit_status;
    }
    mc = vl_resolve_machine(&cfg, &error_fatal);
    vl_check_config(&cfg, mc, &error_fatal);

    if (cfg.daemonize) {
        daemon_fd = daemonize_start();
    }
    if (cfg.exit_with_parent) {
        prctl(PR_SET_PDEATHSIG, SIGTERM);
    }
    main_loop_init();
    runstate_install_signal_handlers();
    qtest_accel = !strcmp(cfg.accel, "qtest");
    clock_virtual_set_manual(qtest_accel);
    atexit(cleanup_at_exit);

    if (!vl_create_fdsets(&cfg, &err) || !vl_create_chardevs(&cfg, &err) ||
        !vl_create_monitors(&cfg, &err) || !start_qtest(&err) ||
        !vl_create_objects(&cfg, &err) || !init_machine(mc, &err) ||
        !vl_create_later_objects(&cfg, &err) ||
        (cfg.pidfile && !write_pidfile(cfg.pidfile, &err))) {
        error_report_err(err);
        return 1;
    }
    error_set_location(NULL);
    runstate_set_no_shutdown(cfg.no_shutdown);
    runstate_set_no_reboot(cfg.no_reboot);
    if (!cfg.start_paused) {
        vm_start();
    }
    if (daemon_fd >= 0) {
        daemonize_finish(daemon_fd);
    }
    return run();
}
