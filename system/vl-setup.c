/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Checking the parsed configuration and creating what it asks for. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include "chardev/char.h"
#include "hw/core/machine.h"
#include "hw/core/qdev.h"
#include "hw/core/qom.h"
#include "migration/migration.h"
#include "monitor/monitor.h"
#include "net/net.h"
#include "system/options.h"
#include "util/cutils.h"
#include "util/opts.h"

/* Run fn on every entry of a group with the error location set. */
static bool foreach_entry(VlConfig *cfg, const char *group,
                          bool (*fn)(VlConfig *cfg, OptEntry *e, Error **errp),
                          Error **errp)
{
    for (guint i = 0; i < cfg->entries->len; i++) {
        OptEntry *e = g_ptr_array_index(cfg->entries, i);
        if (strcmp(e->group, group)) {
            continue;
        }
        error_set_location(e->location);
        if (!fn(cfg, e, errp)) {
            return false;
        }
    }
    error_set_location(NULL);
    return true;
}

const MachineClass *vl_resolve_machine(VlConfig *cfg, Error **errp)
{
    const char *type = opts_get_str(cfg->machine_opts, "type");
    const MachineClass *mc;

    if (!type) {
        mc = machine_default();
        if (!mc) {
            error_setg(errp, "No machine specified, and there is no default");
        }
        return mc;
    }
    mc = machine_find(type);
    if (!mc) {
        error_set_location(NULL);
        error_setg(errp, "unsupported machine type: \"%s\"", type);
        error_append_hint(errp, "Use -machine help to list supported "
                                "machines\n");
    }
    return mc;
}

static bool check_machine_props(VlConfig *cfg, const MachineClass *mc,
                                Error **errp)
{
    const char *key;
    json_t *v;

    json_object_foreach(cfg->machine_opts, key, v)
    {
        if (!machine_check_prop(mc, key, opts_get_str(cfg->machine_opts, key),
                                errp)) {
            error_prepend(errp, "-machine: ");
            return false;
        }
    }
    return true;
}

/* Pick the first available accelerator of "-machine accel=a:b" or -accel. */
static bool choose_accel(VlConfig *cfg, Error **errp)
{
    const char *list = opts_get_str(cfg->machine_opts, "accel");
    gchar **names;
    bool found = false;

    if (list && cfg->accel) {
        error_setg(errp, "The -accel and \"-machine accel=\" options are "
                         "incompatible");
        return false;
    }
    if (!list) {
        list = cfg->accel ? cfg->accel : "tcg";
    }
    names = g_strsplit(list, ":", -1);
    for (int i = 0; names[i] && !found; i++) {
        if (!strcmp(names[i], "qtest") || !strcmp(names[i], "tcg")) {
            g_free(cfg->accel);
            cfg->accel = g_strdup(names[i]);
            found = true;
        } else if (!strcmp(names[i], "kvm") || !strcmp(names[i], "xen") ||
                   !strcmp(names[i], "hvf") || !strcmp(names[i], "whpx") ||
                   !strcmp(names[i], "nvmm")) {
            if (!names[i + 1]) {
                error_setg(errp,
                           "accelerator '%s' is not supported by this "
                           "binary; use tcg",
                           names[i]);
            }
        } else {
            error_setg(errp, "invalid accelerator %s", names[i]);
            break;
        }
    }
    g_strfreev(names);
    return found;
}

static bool check_accel_props(VlConfig *cfg, Error **errp)
{
    static const char *const tcg_known[] = {"accel", "thread", "tb-size",
                                            "one-insn-per-tb", NULL};
    static const char *const qtest_known[] = {"accel", NULL};
    const char *thread;
    uint64_t n;

    if (!cfg->accel_opts) {
        return true;
    }
    error_set_location(cfg->accel_location);
    if (!opts_check_known(cfg->accel_opts,
                          strcmp(cfg->accel, "tcg") ? qtest_known : tcg_known,
                          errp) ||
        !opts_get_uint(cfg->accel_opts, "tb-size", 0, &n, errp)) {
        return false;
    }
    thread = opts_get_str(cfg->accel_opts, "thread");
    if (thread && strcmp(thread, "single") && strcmp(thread, "multi")) {
        error_setg(errp, "Invalid 'thread' setting %s", thread);
        return false;
    }
    error_set_location(NULL);
    return true;
}

static bool check_smp(VlConfig *cfg, const MachineClass *mc, Error **errp)
{
    uint64_t cpus = 0, maxcpus = 0;

    if (cfg->smp_opts &&
        (!opts_get_uint(cfg->smp_opts, "cpus", 0, &cpus, errp) ||
         !opts_get_uint(cfg->smp_opts, "maxcpus", 0, &maxcpus, errp))) {
        return false;
    }
    if (!cpus) {
        cpus = maxcpus ? maxcpus : 1;
    }
    if (!maxcpus) {
        maxcpus = cpus;
    }
    if (maxcpus < cpus) {
        error_setg(errp, "maxcpus must be equal to or greater than smp");
        return false;
    }
    if (maxcpus > mc->max_cpus) {
        error_setg(errp,
                   "Invalid SMP CPUs %" G_GUINT64_FORMAT ". The max CPUs "
                   "supported by machine '%s' is %u",
                   maxcpus, mc->name, mc->max_cpus);
        return false;
    }
    cfg->smp_cpus = cpus;
    cfg->smp_max_cpus = maxcpus;
    return true;
}

void vl_check_config(VlConfig *cfg, const MachineClass *mc, Error **errp)
{
    Error *err = NULL;

    if (!check_machine_props(cfg, mc, &err) || !choose_accel(cfg, &err) ||
        !check_accel_props(cfg, &err) || !check_smp(cfg, mc, &err)) {
        error_propagate(errp, err);
        return;
    }
    if (cfg->daemonize && cfg->nographic) {
        error_setg(errp, "-nographic cannot be used with -daemonize");
        return;
    }
}

static bool add_one_fd(VlConfig *cfg, OptEntry *e, Error **errp)
{
    uint64_t fd, set;
    int64_t set_out;
    int dupfd, flags;

    if (!opts_has(e->opts, "fd") ||
        !opts_get_uint(e->opts, "fd", 0, &fd, errp)) {
        if (errp && !*errp) {
            error_setg(errp, "fd option is required and must be an integer");
        }
        return false;
    }
    if (!opts_has(e->opts, "set") ||
        !opts_get_uint(e->opts, "set", 0, &set, errp)) {
        if (errp && !*errp) {
            error_setg(errp, "set option is required and must be an integer");
        }
        return false;
    }
    if (fd <= STDERR_FILENO) {
        error_setg(errp, "fd cannot be a standard I/O stream");
        return false;
    }
    flags = fd > INT32_MAX ? -1 : fcntl(fd, F_GETFD);
    if (flags < 0) {
        error_setg(errp, "fd %" G_GUINT64_FORMAT " is not open", fd);
        return false;
    }
    /* Keep a private close-on-exec copy; the inherited number is freed. */
    dupfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (dupfd < 0) {
        error_setg_errno(errp, errno, "cannot duplicate fd %" G_GUINT64_FORMAT,
                         fd);
        return false;
    }
    close(fd);
    if (!fdset_add_fd(dupfd, true, set, opts_get_str(e->opts, "opaque"),
                      &set_out, errp)) {
        close(dupfd);
        return false;
    }
    return true;
}

bool vl_create_fdsets(VlConfig *cfg, Error **errp)
{
    return foreach_entry(cfg, "add-fd", add_one_fd, errp);
}

static bool create_one_chardev(VlConfig *cfg, OptEntry *e, Error **errp)
{
    return chardev_new(e->opts, errp) != NULL;
}

/* A legacy spec (-serial, -qmp) becomes a chardev with a generated id. */
static Chardev *chardev_from_spec(const char *spec, const char *id,
                                  Error **errp)
{
    json_t *opts = chardev_parse_legacy(spec, id, errp);
    Chardev *chr = opts ? chardev_new(opts, errp) : NULL;

    json_decref(opts);
    return chr;
}

/* The chardev of "-serial SPEC" / "-qmp SPEC", errors naming the option. */
static Chardev *legacy_chardev(const char *opt, const char *spec,
                               const char *id, Error **errp)
{
    char *loc = g_strdup_printf("%s %s", opt, spec);
    Chardev *chr;

    error_set_location(loc);
    g_free(loc);
    chr = chardev_from_spec(spec, id, errp);
    return chr;
}

bool vl_create_chardevs(VlConfig *cfg, Error **errp)
{
    unsigned n = 0;

    if (!foreach_entry(cfg, "chardev", create_one_chardev, errp)) {
        return false;
    }
    if (cfg->nographic && !cfg->serials->len) {
        g_ptr_array_add(cfg->serials, g_strdup("stdio"));
    }
    for (guint i = 0; i < cfg->serials->len; i++) {
        const char *spec = g_ptr_array_index(cfg->serials, i);
        char *id;
        bool ok;

        if (!strcmp(spec, "none")) {
            continue;
        }
        id = g_strdup_printf("serial%u", n++);
        ok = legacy_chardev("-serial", spec, id, errp) != NULL;
        g_free(id);
        if (!ok) {
            return false;
        }
    }
    error_set_location(NULL);
    return true;
}

static bool create_one_mon(VlConfig *cfg, OptEntry *e, Error **errp)
{
    const char *id = opts_get_str(e->opts, "chardev");
    const char *mode = opts_get_str(e->opts, "mode");
    Chardev *chr;
    bool pretty;

    if (!id) {
        error_setg(errp, "Parameter 'chardev' is missing");
        return false;
    }
    if (!mode || strcmp(mode, "control")) {
        error_setg(errp,
                   "mode '%s' is not available: only QMP monitors "
                   "(mode=control) are supported",
                   mode ? mode : "readline");
        return false;
    }
    if (!opts_get_bool(e->opts, "pretty", false, &pretty, errp)) {
        return false;
    }
    chr = chardev_find(id);
    if (!chr) {
        error_setg(errp, "chardev \"%s\" not found", id);
        return false;
    }
    return monitor_new_qmp(chr, pretty, errp) != NULL;
}

bool vl_create_monitors(VlConfig *cfg, Error **errp)
{
    if (!foreach_entry(cfg, "mon", create_one_mon, errp)) {
        return false;
    }
    for (guint i = 0; i < cfg->qmp_specs->len; i++) {
        const char *spec = g_ptr_array_index(cfg->qmp_specs, i);
        bool pretty = g_str_has_prefix(spec, "pretty:");
        char *id = g_strdup_printf("compat_monitor%u", i);
        Chardev *chr = legacy_chardev(pretty ? "-qmp-pretty" : "-qmp",
                                      pretty ? spec + 7 : spec, id, errp);
        bool ok = chr && monitor_new_qmp(chr, pretty, errp);

        g_free(id);
        if (!ok) {
            return false;
        }
    }
    error_set_location(NULL);
    return true;
}

static bool create_one_netdev(VlConfig *cfg, OptEntry *e, Error **errp)
{
    return net_client_netdev_add(e->opts, e->json_form, errp);
}

static bool create_one_nic(VlConfig *cfg, OptEntry *e, Error **errp)
{
    return net_client_nic_add(e->opts, errp);
}

static bool create_one_net(VlConfig *cfg, OptEntry *e, Error **errp)
{
    return net_client_net_add(e->opts, errp);
}

static bool create_one_device(VlConfig *cfg, OptEntry *e, Error **errp)
{
    return qdev_device_add(e->opts, errp) != NULL;
}


static bool check_object(VlConfig *cfg, OptEntry *e, Error **errp)
{
    const char *type = opts_get_str(e->opts, "qom-type");
    const TypeInfo *t = type ? type_lookup(type) : NULL;
    uint64_t size;

    if (!type) {
        error_setg(errp, "Parameter 'qom-type' is missing");
        return false;
    }
    if (!t || t->abstract || !type_is_a(t, "memory-backend")) {
        error_setg(errp, "invalid object type: %s", type);
        return false;
    }
    if (!opts_get_str(e->opts, "id")) {
        error_setg(errp, "Parameter 'id' is missing");
        return false;
    }
    return opts_get_size(e->opts, "size", 0, &size, errp);
}

/* -machine memory-backend=ID takes the RAM size from that object. */
static bool apply_memory_backend(VlConfig *cfg, Error **errp)
{
    const char *id = opts_get_str(cfg->machine_opts, "memory-backend");

    if (!id) {
        return true;
    }
    for (guint i = 0; i < cfg->entries->len; i++) {
        OptEntry *e = g_ptr_array_index(cfg->entries, i);
        const char *oid = opts_get_str(e->opts, "id");
        uint64_t size;
        if (strcmp(e->group, "object") || !oid || strcmp(oid, id)) {
            continue;
        }
        if (!opts_get_size(e->opts, "size", 0, &size, errp)) {
            return false;
        }
        if (cfg->ram_size_set && size != cfg->ram_size) {
            error_setg(errp, "Size specified by -m option must match size of "
                             "explicitly specified 'memory-backend' property");
            return false;
        }
        cfg->ram_size = size;
        cfg->ram_size_set = true;
        return true;
    }
    error_setg(errp, "Memory backend '%s' not found", id);
    return false;
}

/* -global DRIVER.PROP=VALUE: defaults for devices created afterwards. */
static bool apply_globals(VlConfig *cfg, Error **errp)
{
    for (guint i = 0; i < cfg->globals->len; i++) {
        const char *g = g_ptr_array_index(cfg->globals, i);
        const char *dot = strchr(g, '.'), *eq = strchr(dot, '=');
        char *driver = g_strndup(g, dot - g);
        char *prop = g_strndup(dot + 1, eq - dot - 1);

        qdev_add_global(driver, prop, eq + 1);
        g_free(driver);
        g_free(prop);
    }
    return true;
}

bool vl_create_objects(VlConfig *cfg, Error **errp)
{
    /* Globals first: the machine's built-in parts read them too. */
    return apply_globals(cfg, errp) &&
           foreach_entry(cfg, "object", check_object, errp) &&
           apply_memory_backend(cfg, errp);
}

bool vl_create_later_objects(VlConfig *cfg, Error **errp)
{
    if (!foreach_entry(cfg, "netdev", create_one_netdev, errp) ||
        !foreach_entry(cfg, "nic", create_one_nic, errp) ||
        !foreach_entry(cfg, "net", create_one_net, errp) ||
        !foreach_entry(cfg, "device", create_one_device, errp)) {
        return false;
    }
    if (cfg->incoming) {
        /* The VM starts when the migration completes (unless -S), not
         * at the end of start-up. */
        bool start = !cfg->start_paused;
        cfg->start_paused = true;
        if (!migration_incoming_setup(cfg->incoming, start, errp)) {
            error_prepend(errp, "-incoming %s: ", cfg->incoming);
            return false;
        }
    }
    return true;
}
