/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The tap backend against the real vireo binary and real kernel taps.
 *
 * The test process moves itself into a network namespace of its own
 * (unshare(CLONE_NEWNET)) before any test runs; every vireo and every tap
 * lives there, and the kernel removes the namespace with all its
 * interfaces when the last process in it exits, whatever way the tests
 * end.  Without root (or /dev/net/tun, or namespaces) each test is skipped
 * with the reason.
 *
 * What the kernel says is checked from the kernel side: `ip -d link`
 * (multi_queue, numqueues, numdisabled) and the `iff:` lines of
 * /proc/<vireo>/fdinfo.  fd leaks are counted in /proc/<vireo>/fd.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/if_tun.h>
#include "libqtest.h"

#if defined(__SANITIZE_ADDRESS__)
#define TEST_ASAN 1
#else
#define TEST_ASAN 0
#endif

#define MACHINE "-M virt -m 64 -device pcie-root-port,id=rp1 "

static const char *skip_reason;

static bool need_root(void)
{
    if (skip_reason) {
        qtest_skip(skip_reason);
        return false;
    }
    return true;
}

/* ---- kernel side ---- */

/* A tap queue opened by the test; inherited by vireo (no O_CLOEXEC). */
static int open_tap(const char *name, bool vnet, bool mq)
{
    struct ifreq ifr = {0};
    int fd = open("/dev/net/tun", O_RDWR);

    g_assert_cmpint(fd, >=, 0);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (vnet ? IFF_VNET_HDR : 0) |
                    (mq ? IFF_MULTI_QUEUE : 0);
    g_strlcpy(ifr.ifr_name, name, sizeof(ifr.ifr_name));
    g_assert_cmpint(ioctl(fd, TUNSETIFF, &ifr), ==, 0);
    return fd;
}

static void open_taps(const char *name, int *fds, int n)
{
    for (int i = 0; i < n; i++) {
        fds[i] = open_tap(name, true, true);
    }
}

static void close_fds(const int *fds, int n)
{
    for (int i = 0; i < n; i++) {
        close(fds[i]);
    }
}

static char *run_out(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static char *run_out(const char *fmt, ...)
{
    va_list ap;
    char *cmd, *out = NULL;
    int status;

    va_start(ap, fmt);
    cmd = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_assert_true(g_spawn_command_line_sync(cmd, &out, NULL, &status, NULL));
    g_assert_true(g_spawn_check_wait_status(status, NULL));
    g_free(cmd);
    return out;
}

/* "numqueues N" of `ip -d link show`; -1 when the tap is single-queue. */
static int kernel_numqueues(const char *ifname, int *disabled, bool *mq)
{
    char *out = run_out("ip -d link show dev %s", ifname);
    char *p = strstr(out, "numqueues ");
    int n = -1;

    *mq = strstr(out, " multi_queue") != NULL;
    if (p) {
        n = atoi(p + strlen("numqueues "));
        p = strstr(out, "numdisabled ");
        *disabled = p ? atoi(p + strlen("numdisabled ")) : -1;
    }
    g_free(out);
    return n;
}

static void assert_kernel_queues(const char *ifname, int n)
{
    int disabled = -1;
    bool mq;
    int got = kernel_numqueues(ifname, &disabled, &mq);

    g_assert_true(mq == (n > 1));
    if (n > 1) {
        g_assert_cmpint(got, ==, n);
        g_assert_cmpint(disabled, ==, 0);
    }
}

/* Number of fds of @pid whose fdinfo says "iff:\t@ifname". */
static int proc_tap_fds(pid_t pid, const char *ifname)
{
    char *dir = g_strdup_printf("/proc/%d/fdinfo", pid);
    char *want = g_strdup_printf("iff:\t%s\n", ifname);
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *e;
    int n = 0;

    g_assert_nonnull(d);
    while ((e = g_dir_read_name(d))) {
        char *path = g_build_filename(dir, e, NULL), *text = NULL;
        if (g_file_get_contents(path, &text, NULL, NULL) &&
            strstr(text, want)) {
            n++;
        }
        g_free(text);
        g_free(path);
    }
    g_dir_close(d);
    g_free(dir);
    g_free(want);
    return n;
}

static bool link_exists(const char *ifname)
{
    return if_nametoindex(ifname) != 0;
}

static long proc_rss_kb(pid_t pid)
{
    char *path = g_strdup_printf("/proc/%d/status", pid), *text = NULL;
    char *p;
    long kb = -1;

    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    p = strstr(text, "VmRSS:");
    if (p) {
        kb = atol(p + strlen("VmRSS:"));
    }
    g_free(text);
    g_free(path);
    return kb;
}

/* ---- QMP helpers ---- */

static void getfd(QTestState *s, int fd, const char *name)
{
    json_t *r = qtest_qmp_fds(s, &fd, 1,
                              "{\"execute\": \"getfd\", \"arguments\": "
                              "{\"fdname\": \"%s\"}}",
                              name);
    g_assert_null(qmp_error_desc(r));
    json_decref(r);
}

static void closefd_quiet(QTestState *s, const char *name)
{
    json_decref(qtest_qmp(s,
                          "{\"execute\": \"closefd\", \"arguments\": "
                          "{\"fdname\": \"%s\"}}",
                          name));
}

/* netdev_add @args (JSON members) must fail with a desc matching. */
static void netdev_add_fails(QTestState *s, const char *args,
                             const char *prefix, const char *suffix)
{
    json_t *r = qtest_qmp(s,
                          "{\"execute\": \"netdev_add\", \"arguments\": "
                          "{\"type\": \"tap\", \"id\": \"hn0\", %s}}",
                          args);
    const char *d = qmp_error_desc(r);

    if (!d || !g_str_has_prefix(d, prefix) ||
        (suffix && !g_str_has_suffix(d, suffix))) {
        g_printerr("netdev_add %s: got '%s', want '%s...%s'\n", args,
                   d ? d : "(success)", prefix, suffix ? suffix : "");
    }
    g_assert_nonnull(d);
    g_assert_true(g_str_has_prefix(d, prefix));
    g_assert_true(!suffix || g_str_has_suffix(d, suffix));
    json_decref(r);
    /* Nothing named hn0 stays behind. */
    r = qtest_qmp(s, "{\"execute\": \"netdev_del\", \"arguments\": "
                     "{\"id\": \"hn0\"}}");
    g_assert_cmpstr(qmp_error_class(r), ==, "DeviceNotFound");
    json_decref(r);
}

static void unplug(QTestState *s, const char *dev, const char *netdev)
{
    json_t *ev;

    qtest_qmp_assert_success(s,
                             "{\"execute\": \"device_del\", \"arguments\": "
                             "{\"id\": \"%s\"}}",
                             dev);
    ev = qtest_qmp_eventwait(s, "DEVICE_DELETED");
    json_decref(ev);
    qtest_qmp_assert_success(s,
                             "{\"execute\": \"netdev_del\", \"arguments\": "
                             "{\"id\": \"%s\"}}",
                             netdev);
}

static char *hmp(QTestState *s, const char *cmd)
{
    json_t *r = qtest_qmp_assert_success_ref(
        s,
        "{\"execute\": \"human-monitor-command\", \"arguments\": "
        "{\"command-line\": \"%s\"}}",
        cmd);
    char *out = g_strdup(json_string_value(r));

    json_decref(r);
    return out;
}

/* ---- queues=N ---- */

static void test_queues(gconstpointer data)
{
    int n = GPOINTER_TO_INT(data);
    char *dir, *script, *down, *log, *body, *text = NULL;
    char ifname[16];
    QTestState *s;

    if (!need_root()) {
        return;
    }
    snprintf(ifname, sizeof(ifname), "vq%d", n);
    dir = g_dir_make_tmp("vireo-tapq-XXXXXX", NULL);
    script = g_build_filename(dir, "ifup", NULL);
    down = g_build_filename(dir, "ifdown", NULL);
    log = g_build_filename(dir, "log", NULL);
    body = g_strdup_printf("#!/bin/sh\necho \"up $1\" >> %s\n", log);
    g_assert_true(g_file_set_contents(script, body, -1, NULL));
    g_free(body);
    body = g_strdup_printf("#!/bin/sh\necho \"down $1\" >> %s\n", log);
    g_assert_true(g_file_set_contents(down, body, -1, NULL));
    g_free(body);
    g_assert_cmpint(chmod(script, 0755) | chmod(down, 0755), ==, 0);

    s = qtest_initf(MACHINE "-netdev tap,id=hn0,ifname=%s,queues=%d,"
                            "script=%s,downscript=%s -device virtio-net-pci,"
                            "netdev=hn0,mq=on,bus=rp1,id=nic0",
                    ifname, n, script, down);
    assert_kernel_queues(ifname, n);
    g_assert_cmpint(proc_tap_fds(qtest_pid(s), ifname), ==, n);
    /* The script ran once, for queue 0. */
    g_assert_true(g_file_get_contents(log, &text, NULL, NULL));
    body = g_strdup_printf("up %s\n", ifname);
    g_assert_cmpstr(text, ==, body);
    g_free(body);
    g_free(text);
    qtest_quit(s);
    g_assert_false(link_exists(ifname));
    /* ... and the downscript once at exit. */
    g_assert_true(g_file_get_contents(log, &text, NULL, NULL));
    body = g_strdup_printf("up %s\ndown %s\n", ifname, ifname);
    g_assert_cmpstr(text, ==, body);
    g_free(body);
    g_free(text);
    unlink(script);
    unlink(down);
    unlink(log);
    rmdir(dir);
    g_free(script);
    g_free(down);
    g_free(log);
    g_free(dir);
}

/* ---- fd passing as libvirt does it ---- */

static void test_fds_cmdline(void)
{
    int fds[4];
    char *info;
    QTestState *s;

    if (!need_root()) {
        return;
    }
    open_taps("vqc", fds, 4);
    s = qtest_initf(MACHINE
                    "-netdev tap,id=hn0,fds=%d:%d:%d:%d "
                    "-device virtio-net-pci,netdev=hn0,mq=on,bus=rp1,id=nic0",
                    fds[0], fds[1], fds[2], fds[3]);
    close_fds(fds, 4); /* vireo's copies keep the queues */
    assert_kernel_queues("vqc", 4);
    g_assert_cmpint(proc_tap_fds(qtest_pid(s), "vqc"), ==, 4);
    info = hmp(s, "info network");
    for (int i = 0; i < 4; i++) {
        char *row =
            g_strdup_printf("hn0: index=%d,type=tap,fd=%d\r\n", i, fds[i]);
        g_assert_nonnull(strstr(info, row));
        g_free(row);
    }
    g_free(info);
    /* Unplug + netdev_del: vireo closes the fds, the tap goes away. */
    unplug(s, "nic0", "hn0");
    g_assert_cmpint(proc_tap_fds(qtest_pid(s), "vqc"), ==, 0);
    g_assert_false(link_exists("vqc"));
    qtest_quit(s);
}

/* A bad fd on the command line: vireo exits with the error. */
static void cmdline_fails(const char *netdev, const char *want)
{
    char *args = g_strdup_printf(MACHINE "-display none -netdev %s", netdev);
    QTestState *s = qtest_spawn(args);
    char *err;

    g_assert_cmpint(qtest_wait_exit(s), ==, 1);
    err = qtest_stderr(s);
    if (!strstr(err, want)) {
        g_printerr("%s: stderr '%s', want '%s'\n", netdev, err, want);
    }
    g_assert_nonnull(strstr(err, want));
    g_free(err);
    g_free(args);
    qtest_cleanup(s);
}

static void test_fds_cmdline_errors(void)
{
    int p[2], fds[2], one;
    char *spec, *want;

    if (!need_root()) {
        return;
    }
    g_assert_cmpint(pipe(p), ==, 0);
    spec = g_strdup_printf("tap,id=hn0,fds=%d:%d", p[0], p[1]);
    want = g_strdup_printf("Unable to query TUNGETIFF on FD %d: "
                           "Inappropriate ioctl for device",
                           p[0]);
    cmdline_fails(spec, want);
    g_free(spec);
    g_free(want);
    close(p[0]);
    close(p[1]);
    cmdline_fails("tap,id=hn0,fds=900:901",
                  "Can't set file descriptor 900 non-blocking: ");
    cmdline_fails("tap,id=hn0,fds=fda:fdb",
                  "Invalid file descriptor number 'fda'");
    /* Two single-queue taps can't be two queues of one netdev. */
    fds[0] = open_tap("vqs0", true, false);
    fds[1] = open_tap("vqs1", true, false);
    spec = g_strdup_printf("tap,id=hn0,fds=%d:%d", fds[0], fds[1]);
    want =
        g_strdup_printf("FD %d (tap 'vqs0') is not a multiqueue tap", fds[0]);
    cmdline_fails(spec, want);
    g_free(spec);
    g_free(want);
    close_fds(fds, 2);
    /* vhost=on: there is no /dev/vhost-net here (or no data path). */
    one = open_tap("vqs2", true, false);
    spec = g_strdup_printf("tap,id=hn0,fd=%d,vhost=on", one);
    cmdline_fails(spec, access("/dev/vhost-net", F_OK)
                            ? "Could not open '/dev/vhost-net': "
                            : "vhost-net requested but could not be "
                              "initialized");
    g_free(spec);
    close(one);
}

static void test_fds_qmp(void)
{
    int fds[4], base;
    QTestState *s;

    if (!need_root()) {
        return;
    }
    s = qtest_init(MACHINE);
    base = qtest_count_fds(qtest_pid(s));
    open_taps("vqm", fds, 4);
    for (int i = 0; i < 4; i++) {
        char name[8];
        snprintf(name, sizeof(name), "fd%d", i);
        getfd(s, fds[i], name);
    }
    close_fds(fds, 4);
    qtest_qmp_assert_success(s, "{\"execute\": \"netdev_add\", \"arguments\": "
                                "{\"type\": \"tap\", \"id\": \"hn0\", "
                                "\"fds\": \"fd0:fd1:fd2:fd3\"}}");
    qtest_qmp_assert_success(s, "{\"execute\": \"device_add\", \"arguments\": "
                                "{\"driver\": \"virtio-net-pci\", \"netdev\": "
                                "\"hn0\", \"mq\": true, \"bus\": \"rp1\", "
                                "\"id\": \"nic0\"}}");
    assert_kernel_queues("vqm", 4);
    g_assert_cmpint(proc_tap_fds(qtest_pid(s), "vqm"), ==, 4);
    unplug(s, "nic0", "hn0");
    /* The names were used up. */
    netdev_add_fails(s, "\"fds\": \"fd0\"",
                     "File descriptor named 'fd0' has not been found", NULL);
    g_assert_false(link_exists("vqm"));
    g_assert_cmpint(qtest_count_fds(qtest_pid(s)), ==, base);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* getfd @n fds under the names a0..a(n-1). */
static void pass_fds(QTestState *s, const int *fds, int n)
{
    for (int i = 0; i < n; i++) {
        char name[8];
        snprintf(name, sizeof(name), "a%d", i);
        getfd(s, fds[i], name);
    }
}

static void forget_fds(QTestState *s, int n)
{
    for (int i = 0; i < n; i++) {
        char name[8];
        snprintf(name, sizeof(name), "a%d", i);
        closefd_quiet(s, name);
    }
}

static void test_fds_qmp_errors(void)
{
    int fds[4], p[2], base;
    pid_t pid;
    QTestState *s;

    if (!need_root()) {
        return;
    }
    s = qtest_init(MACHINE);
    pid = qtest_pid(s);
    base = qtest_count_fds(pid);

    /* Wrong counts: checked before any name is used. */
    open_taps("vqe", fds, 2);
    pass_fds(s, fds, 2);
    netdev_add_fails(s, "\"fds\": \"a0:a1\", \"vhostfds\": \"a0\"",
                     "The number of fds passed does not match the number "
                     "of vhostfds passed",
                     NULL);
    netdev_add_fails(s, "\"fds\": \"a0:a1\", \"queues\": 2",
                     "ifname=, script=, downscript=, vnet_hdr=, helper=, "
                     "queues=, and vhostfd= are invalid with fds=",
                     NULL);
    /* A reused name: the first use consumed it (and the failure closed
     * it). */
    netdev_add_fails(s, "\"fds\": \"a0:a0\"",
                     "File descriptor named 'a0' has not been found", NULL);
    forget_fds(s, 2);
    g_assert_cmpint(qtest_count_fds(pid), ==, base);

    /* Unknown names, and numbers that are not open in vireo. */
    pass_fds(s, fds, 1);
    netdev_add_fails(s, "\"fds\": \"a0:nope\"",
                     "File descriptor named 'nope' has not been found", NULL);
    netdev_add_fails(s, "\"fds\": \"900:901\"",
                     "Can't set file descriptor 900 non-blocking: ", NULL);
    g_assert_cmpint(qtest_count_fds(pid), ==, base);

    /* A pipe is not a tap. */
    g_assert_cmpint(pipe(p), ==, 0);
    pass_fds(s, fds, 1);
    getfd(s, p[0], "a1");
    netdev_add_fails(s, "\"fds\": \"a0:a1\"",
                     "Unable to query TUNGETIFF on FD ",
                     ": Inappropriate ioctl for device");
    forget_fds(s, 2);
    g_assert_cmpint(qtest_count_fds(pid), ==, base);
    close_fds(fds, 2);

    /* vnet_hdr differs; then queues of two different interfaces. */
    fds[0] = open_tap("vqe0", true, true);
    fds[1] = open_tap("vqe1", false, true);
    fds[2] = open_tap("vqe2", true, true);
    pass_fds(s, fds, 2);
    netdev_add_fails(s, "\"fds\": \"a0:a1\"",
                     "vnet_hdr not consistent across given tap fds", NULL);
    fds[3] = fds[1];
    fds[1] = fds[2];
    pass_fds(s, fds, 2);
    netdev_add_fails(s, "\"fds\": \"a0:a1\"", "FD ",
                     "all fds of one netdev must be queues of the same "
                     "interface");
    /* vhost: a pipe is no vhost fd; no /dev/vhost-net. */
    pass_fds(s, fds, 1);
    getfd(s, p[1], "a1");
    netdev_add_fails(s, "\"fds\": \"a0\", \"vhostfds\": \"a1\"", "FD ",
                     " is not a /dev/vhost-net descriptor "
                     "(VHOST_GET_FEATURES failed): "
                     "Inappropriate ioctl for device");
    pass_fds(s, fds, 1);
    if (access("/dev/vhost-net", F_OK)) {
        netdev_add_fails(s, "\"fds\": \"a0\", \"vhostforce\": true",
                         "Could not open '/dev/vhost-net': "
                         "No such file or directory",
                         NULL);
    }
    forget_fds(s, 2);
    g_assert_cmpint(qtest_count_fds(pid), ==, base);

    /* After all that, hn0 can be made. */
    pass_fds(s, fds, 1);
    qtest_qmp_assert_success(s, "{\"execute\": \"netdev_add\", \"arguments\": "
                                "{\"type\": \"tap\", \"id\": \"hn0\", "
                                "\"fds\": \"a0\", \"vhost\": false}}");
    qtest_qmp_assert_success(s, "{\"execute\": \"netdev_del\", \"arguments\": "
                                "{\"id\": \"hn0\"}}");
    g_assert_cmpint(qtest_count_fds(pid), ==, base);
    close(fds[0]);
    close(fds[1]);
    close(fds[3]);
    close(p[0]);
    close(p[1]);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* ---- hot-plug ---- */

static void hotplug_once(QTestState *s, bool check)
{
    qtest_qmp_assert_success(s, "{\"execute\": \"netdev_add\", \"arguments\": "
                                "{\"type\": \"tap\", \"id\": \"hn0\", "
                                "\"ifname\": \"vqh\", \"queues\": 4, "
                                "\"script\": \"no\", \"downscript\": \"no\"}}");
    qtest_qmp_assert_success(s, "{\"execute\": \"device_add\", \"arguments\": "
                                "{\"driver\": \"virtio-net-pci\", \"netdev\": "
                                "\"hn0\", \"mq\": true, \"bus\": \"rp1\", "
                                "\"id\": \"nic0\"}}");
    if (check) {
        assert_kernel_queues("vqh", 4);
        g_assert_cmpint(proc_tap_fds(qtest_pid(s), "vqh"), ==, 4);
    }
    unplug(s, "nic0", "hn0");
    g_assert_false(link_exists("vqh"));
}

static void test_hotplug(void)
{
    QTestState *s;
    int fds;
    long rss;

    if (!need_root()) {
        return;
    }
    /*
     * Under ASan freed memory sits in a quarantine instead of being
     * reused, which would look like growth: turn the quarantine off.
     */
    if (TEST_ASAN) {
        const char *old = g_getenv("ASAN_OPTIONS");
        char *opts = g_strdup_printf("%s%squarantine_size_mb=0", old ? old : "",
                                     old ? ":" : "");
        g_setenv("ASAN_OPTIONS", opts, TRUE);
        g_free(opts);
    }
    s = qtest_init(MACHINE);
    /* One round first, so one-time allocations are not counted. */
    hotplug_once(s, true);
    fds = qtest_count_fds(qtest_pid(s));
    rss = proc_rss_kb(qtest_pid(s));
    for (int i = 0; i < 10; i++) {
        hotplug_once(s, i == 9);
    }
    g_assert_cmpint(qtest_count_fds(qtest_pid(s)), ==, fds);
    /* A leaked round would be at least the 4 queues' 4 x 69 KiB buffers. */
    g_printerr("# RSS %ld kB -> %ld kB\n", rss, proc_rss_kb(qtest_pid(s)));
    /* ASan's shadow and allocator caches add ~1.3 MiB on their own. */
    g_assert_cmpint(proc_rss_kb(qtest_pid(s)) - rss, <,
                    TEST_ASAN ? 4096 : 2048);
    /* A clean exit (under ASan: LeakSanitizer found nothing). */
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* ---- the bridge helper ---- */

static void test_helper(void)
{
    const char *helper = getenv("TAP_BRIDGE_HELPER");
    char *out, *spec;
    QTestState *s;

    if (!need_root()) {
        return;
    }
    g_assert_nonnull(helper);
    g_free(run_out("ip link add vqbr0 type bridge"));
    s = qtest_initf(MACHINE "-netdev tap,id=hn0,helper=%s,br=vqbr0 "
                            "-device virtio-net-pci,netdev=hn0,bus=rp1,id=nic0",
                    helper);
    /* The helper's tap is on the bridge, and vireo holds its fd. */
    out = run_out("ip -o link show master vqbr0");
    g_assert_nonnull(strstr(out, "hlptap0"));
    g_free(out);
    g_assert_cmpint(proc_tap_fds(qtest_pid(s), "hlptap0"), ==, 1);
    out = hmp(s, "info network");
    spec = g_strdup_printf("type=tap,helper=%s\r\n", helper);
    g_assert_nonnull(strstr(out, spec));
    g_free(spec);
    g_free(out);
    g_assert_cmpint(qtest_quit(s), ==, 0);
    g_assert_false(link_exists("hlptap0"));

    /* The helper fails (no such bridge) / sends nothing / can't run. */
    spec = g_strdup_printf("tap,id=hn0,helper=%s,br=nosuchbr", helper);
    cmdline_fails(spec, "bridge helper failed");
    g_free(spec);
    cmdline_fails("tap,id=hn0,helper=/bin/true",
                  "failed to recv file descriptor");
    cmdline_fails("tap,id=hn0,helper=/nonexistent/helper",
                  "bridge helper failed");
    cmdline_fails("tap,id=hn0,helper=/bin/true,queues=2",
                  "ifname=, script=, downscript=, vnet_hdr=, queues=, and "
                  "vhostfds= are invalid with helper=");
    g_free(run_out("ip link del vqbr0"));
}

/*
 * A skipped test is registered in-process: libqtest's forked runner
 * counts a subprocess that skipped as a failure.
 */
static void add(const char *path, GTestFunc fn)
{
    if (skip_reason) {
        g_test_add_func(path, fn);
    } else {
        qtest_add_func(path, fn);
    }
}

static void add_data(const char *path, gconstpointer data, GTestDataFunc fn)
{
    if (skip_reason) {
        g_test_add_data_func(path, data, fn);
    } else {
        qtest_add_data_func(path, data, fn);
    }
}

int main(int argc, char **argv)
{
    static const int counts[] = {1, 2, 4, 8};

    qtest_test_init(&argc, &argv);
    if (geteuid() != 0 || access("/dev/net/tun", R_OK | W_OK)) {
        skip_reason = "needs root and /dev/net/tun";
    } else if (unshare(CLONE_NEWNET) < 0) {
        skip_reason = "cannot create a network namespace";
    }
    for (size_t i = 0; i < G_N_ELEMENTS(counts); i++) {
        char *path = g_strdup_printf("/tap/queues/%d", counts[i]);
        add_data(path, GINT_TO_POINTER(counts[i]), test_queues);
        g_free(path);
    }
    add("/tap/fds/cmdline", test_fds_cmdline);
    add("/tap/fds/cmdline-errors", test_fds_cmdline_errors);
    add("/tap/fds/qmp", test_fds_qmp);
    add("/tap/fds/qmp-errors", test_fds_qmp_errors);
    add("/tap/hotplug", test_hotplug);
    add("/tap/helper", test_helper);
    return g_test_run();
}
