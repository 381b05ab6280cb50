/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The option table, argument parsing, and help output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include "chardev/char.h"
#include "hw/core/machine.h"
#include "hw/core/qdev.h"
#include "hw/core/qom.h"
#include "net/net.h"
#include "system/options.h"
#include "system/system.h"
#include "system/version.h"
#include "util/cutils.h"
#include "util/keyval.h"
#include "util/opts.h"

typedef bool OptFn(VlConfig *cfg, const char *arg, Error **errp);

typedef struct VlOption {
    const char *name;
    const char *arg_help; /* NULL: takes no argument */
    OptFn *fn;
    const char *help;
} VlOption;

void vl_config_init(VlConfig *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->entries = g_ptr_array_new();
    cfg->machine_opts = json_object();
    cfg->serials = g_ptr_array_new();
    cfg->qmp_specs = g_ptr_array_new();
    cfg->globals = g_ptr_array_new();
    cfg->sets = g_ptr_array_new();
    cfg->smp_cpus = 1;
}

/* Parsing a grouped option; *help set when the user asked for help. */
static json_t *parse_group(VlConfig *cfg, const char *group, const char *opt,
                           const char *arg, const char *implied, bool *help,
                           bool allow_json, Error **errp)
{
    bool json_form = allow_json && arg[strspn(arg, " \t")] == '{';
    json_t *opts = allow_json ? keyval_parse_or_json(arg, implied, help, errp)
                              : keyval_parse(arg, implied, help, errp);
    OptEntry *e;

    if (!opts || (help && *help)) {
        return opts;
    }
    e = g_new0(OptEntry, 1);
    e->group = group;
    e->location = g_strdup_printf("-%s %s", opt, arg);
    e->opts = opts;
    e->json_form = json_form;
    g_ptr_array_add(cfg->entries, e);
    return opts;
}

static void print_machine_help(const MachineClass *mc, void *opaque)
{
    printf("%-20s %s%s\n", mc->name, mc->desc,
           mc->is_default ? " (default)" : "");
}

static bool opt_machine(VlConfig *cfg, const char *arg, Error **errp)
{
    bool help = false;
    json_t *opts = keyval_parse_or_json(arg, "type", &help, errp);
    const char *type;

    if (!opts) {
        return false;
    }
    type = opts_get_str(opts, "type");
    if (help || (type && !strcmp(type, "help"))) {
        const MachineClass *mc =
            type && strcmp(type, "help") ? machine_find(type) : NULL;
        if (mc) {
            printf("%s options:\n", mc->type_name);
            for (const MachineProp *p = mc->props; p && p->name; p++) {
                printf("  %s=<%s> - %s\n", p->name, p->type, p->description);
            }
        } else {
            printf("Supported machines are:\n");
            machine_foreach(print_machine_help, NULL);
        }
        json_decref(opts);
        cfg->exit_status = 0;
        return false;
    }
    /* Later -machine options add to and override earlier ones. */
    json_object_update(cfg->machine_opts, opts);
    json_decref(opts);
    return true;
}

static bool opt_accel(VlConfig *cfg, const char *arg, Error **errp)
{
    bool help = false;
    json_t *opts = keyval_parse(arg, "accel", &help, errp);
    const char *name;

    if (!opts) {
        return false;
    }
    name = opts_get_str(opts, "accel");
    if (help || (name && !strcmp(name, "help"))) {
        printf("Accelerators supported in this binary:\ntcg\nqtest\n");
        json_decref(opts);
        cfg->exit_status = 0;
        return false;
    }
    if (!name) {
        json_decref(opts);
        error_setg(errp, "Parameter 'accel' is missing");
        return false;
    }
    g_free(cfg->accel);
    cfg->accel = g_strdup(name);
    json_decref(cfg->accel_opts);
    cfg->accel_opts = opts;
    g_free(cfg->accel_location);
    cfg->accel_location = g_strdup_printf("-accel %s", arg);
    return true;
}

static bool opt_m(VlConfig *cfg, const char *arg, Error **errp)
{
    json_t *opts = keyval_parse(arg, "size", NULL, errp);
    static const char *const known[] = {"size", "slots", "maxmem", NULL};
    const char *size;
    uint64_t val, dummy;
    bool ok = false;

    if (!opts || !opts_check_known(opts, known, errp) ||
        !opts_get_uint(opts, "slots", 0, &dummy, errp) ||
        !opts_get_size(opts, "maxmem", 0, &dummy, errp)) {
        goto out;
    }
    size = opts_get_str(opts, "size");
    if (!size) {
        error_setg(errp, "missing 'size' option value");
        goto out;
    }
    /* A plain number means MiB, as in QEMU. */
    if (size[0] && g_ascii_isdigit(size[strlen(size) - 1])) {
        if (!parse_uint_full("size", size, &val, errp)) {
            goto out;
        }
        if (val > (UINT64_MAX >> 20)) {
            error_setg(errp, "ram size too large");
            goto out;
        }
        val <<= 20;
    } else if (!parse_size("size", size, &val, errp)) {
        goto out;
    }
    if (val == 0) {
        error_setg(errp, "ram size must be greater than zero");
        goto out;
    }
    cfg->ram_size = val;
    cfg->ram_size_set = true;
    ok = true;
out:
    json_decref(opts);
    return ok;
}

static bool opt_smp(VlConfig *cfg, const char *arg, Error **errp)
{
    static const char *const known[] = {
        "cpus",  "maxcpus", "sockets", "dies",    "clusters",
        "cores", "threads", "books",   "drawers", NULL,
    };
    json_t *opts = keyval_parse(arg, "cpus", NULL, errp);
    const char *key;
    json_t *v;
    bool ok = opts && opts_check_known(opts, known, errp);

    json_object_foreach(ok ? opts : NULL, key, v)
    {
        uint64_t n;
        if (!opts_get_uint(opts, key, 0, &n, errp)) {
            ok = false;
            break;
        }
    }
    if (ok) {
        json_decref(cfg->smp_opts);
        cfg->smp_opts = opts;
    } else {
        json_decref(opts);
    }
    return ok;
}

static bool opt_name(VlConfig *cfg, const char *arg, Error **errp)
{
    static const char *const known[] = {"guest", "process", "debug-threads",
                                        NULL};
    json_t *opts = keyval_parse(arg, "guest", NULL, errp);
    bool dbg, ok = opts && opts_check_known(opts, known, errp) &&
                   opts_get_bool(opts, "debug-threads", false, &dbg, errp);

    if (ok) {
        g_free(vm_name);
        vm_name = g_strdup(opts_get_str(opts, "guest"));
    }
    json_decref(opts);
    return ok;
}

static bool set_flag(bool *flag)
{
    *flag = true;
    return true;
}

static bool opt_nodefaults(VlConfig *c, const char *a, Error **e)
{
    return set_flag(&c->nodefaults);
}

static bool opt_nographic(VlConfig *c, const char *a, Error **e)
{
    return set_flag(&c->nographic);
}

static bool opt_S(VlConfig *c, const char *a, Error **e)
{
    return set_flag(&c->start_paused);
}

static bool opt_no_shutdown(VlConfig *c, const char *a, Error **e)
{
    return set_flag(&c->no_shutdown);
}

static bool opt_no_reboot(VlConfig *c, const char *a, Error **e)
{
    return set_flag(&c->no_reboot);
}

static bool opt_daemonize(VlConfig *c, const char *a, Error **e)
{
    return set_flag(&c->daemonize);
}

static bool opt_display(VlConfig *cfg, const char *arg, Error **errp)
{
    json_t *opts = keyval_parse(arg, "type", NULL, errp);
    const char *type = opts ? opts_get_str(opts, "type") : NULL;
    bool ok = opts != NULL;

    if (ok && (!type || strcmp(type, "none") || json_object_size(opts) != 1)) {
        error_setg(errp,
                   "Display '%s' is not available; this binary has "
                   "no display (use -display none)",
                   type ? type : "");
        ok = false;
    }
    json_decref(opts);
    return ok;
}

static bool opt_audio(VlConfig *cfg, const char *arg, Error **errp)
{
    json_t *opts = keyval_parse(arg, "driver", NULL, errp);
    const char *drv = opts ? opts_get_str(opts, "driver") : NULL;
    bool ok = opts != NULL;

    if (ok && (!drv || strcmp(drv, "none"))) {
        error_setg(errp,
                   "audio driver '%s' is not available; this binary has "
                   "no audio (use -audio none)",
                   drv ? drv : "");
        ok = false;
    }
    json_decref(opts);
    return ok;
}

static bool store_string(char **dst, const char *arg)
{
    g_free(*dst);
    *dst = g_strdup(arg);
    return true;
}

static bool opt_serial(VlConfig *cfg, const char *arg, Error **errp)
{
    g_ptr_array_add(cfg->serials, g_strdup(arg));
    return true;
}

static bool opt_qmp(VlConfig *cfg, const char *arg, Error **errp)
{
    g_ptr_array_add(cfg->qmp_specs, g_strdup(arg));
    return true;
}

static bool opt_qmp_pretty(VlConfig *cfg, const char *arg, Error **errp)
{
    g_ptr_array_add(cfg->qmp_specs, g_strconcat("pretty:", arg, NULL));
    return true;
}

static bool opt_qtest(VlConfig *c, const char *a, Error **e)
{
    return store_string(&c->qtest_spec, a);
}

static bool opt_qtest_log(VlConfig *c, const char *a, Error **e)
{
    return store_string(&c->qtest_log, a);
}

static bool opt_pidfile(VlConfig *c, const char *a, Error **e)
{
    return store_string(&c->pidfile, a);
}

static bool opt_kernel(VlConfig *c, const char *a, Error **e)
{
    return store_string(&c->kernel, a);
}

static bool opt_initrd(VlConfig *c, const char *a, Error **e)
{
    return store_string(&c->initrd, a);
}

static bool opt_append(VlConfig *c, const char *a, Error **e)
{
    return store_string(&c->append, a);
}

static bool opt_bios(VlConfig *c, const char *a, Error **e)
{
    return store_string(&c->bios, a);
}

static bool opt_incoming(VlConfig *c, const char *a, Error **e)
{
    return store_string(&c->incoming, a);
}

static bool opt_L(VlConfig *c, const char *a, Error **e)
{
    return store_string(&c->datadir, a);
}

static bool opt_chardev(VlConfig *cfg, const char *arg, Error **errp)
{
    bool help = false;
    json_t *opts = parse_group(cfg, "chardev", "chardev", arg, "backend", &help,
                               false, errp);

    if (opts && help) {
        printf("Available chardev backend types:\n  file\n  null\n"
               "  socket\n  stdio\n");
        json_decref(opts);
        cfg->exit_status = 0;
        return false;
    }
    return opts != NULL;
}

static bool opt_mon(VlConfig *cfg, const char *arg, Error **errp)
{
    static const char *const known[] = {"chardev", "mode", "pretty", "id",
                                        NULL};
    json_t *opts =
        parse_group(cfg, "mon", "mon", arg, "chardev", NULL, false, errp);
    return opts && opts_check_known(opts, known, errp);
}

static bool opt_run_with(VlConfig *cfg, const char *arg, Error **errp)
{
    static const char *const known[] = {"exit-with-parent", NULL};
    json_t *opts = keyval_parse(arg, NULL, NULL, errp);
    bool ok = opts && opts_check_known(opts, known, errp) &&
              opts_get_bool(opts, "exit-with-parent", false,
                            &cfg->exit_with_parent, errp);

    json_decref(opts);
    return ok;
}

static bool opt_global(VlConfig *cfg, const char *arg, Error **errp)
{
    const char *dot = strchr(arg, '.');
    const char *eq = dot ? strchr(dot, '=') : NULL;

    if (!dot || dot == arg || !eq || eq == dot + 1) {
        error_setg(errp, "Invalid global property: expected "
                         "DRIVER.PROPERTY=VALUE");
        return false;
    }
    g_ptr_array_add(cfg->globals, g_strdup(arg));
    return true;
}

static bool opt_set(VlConfig *cfg, const char *arg, Error **errp)
{
    const char *eq = strchr(arg, '=');
    gchar **parts;
    bool ok;

    if (!eq) {
        error_setg(errp, "Invalid -set parameter: expected "
                         "GROUP.ID.PROPERTY=VALUE");
        return false;
    }
    parts = g_strsplit(arg, ".", 3);
    ok = g_strv_length(parts) == 3 && parts[0][0] && parts[1][0] &&
         parts[2][0] != '=';
    g_strfreev(parts);
    if (!ok) {
        error_setg(errp, "Invalid -set parameter: expected "
                         "GROUP.ID.PROPERTY=VALUE");
        return false;
    }
    g_ptr_array_add(cfg->sets, g_strdup(arg));
    return true;
}

static bool opt_netdev(VlConfig *cfg, const char *arg, Error **errp)
{
    bool help = false;
    json_t *opts =
        parse_group(cfg, "netdev", "netdev", arg, "type", &help, true, errp);
    if (opts && help) {
        /* Backends are listed here as they are implemented. */
        printf("Available netdev backend types:\n");
        for (const char *const *n = net_backend_names(); *n; n++) {
            printf("%s\n", *n);
        }
        json_decref(opts);
        cfg->exit_status = 0;
        return false;
    }
    return opts != NULL;
}

static bool opt_nic(VlConfig *cfg, const char *arg, Error **errp)
{
    return parse_group(cfg, "nic", "nic", arg, "type", NULL, false, errp);
}

static bool opt_net(VlConfig *cfg, const char *arg, Error **errp)
{
    return parse_group(cfg, "net", "net", arg, "type", NULL, false, errp);
}

typedef struct DeviceHelpCtx {
    const char *category;
    bool any;
} DeviceHelpCtx;

static const char *bus_of(const DeviceClass *dc)
{
    for (; dc;
         dc = dc->type.parent ? device_class_find(dc->type.parent) : NULL) {
        if (dc->bus_type) {
            return dc->bus_type;
        }
    }
    return NULL;
}

static void print_device_in_category(const TypeInfo *t, void *opaque)
{
    DeviceHelpCtx *ctx = opaque;
    const DeviceClass *dc = device_class_find(t->name);
    const char *cat;

    if (!dc || !dc->user_creatable || t->abstract) {
        return;
    }
    cat = dc->category ? dc->category : "Uncategorized devices";
    if (strcmp(cat, ctx->category)) {
        return;
    }
    if (!ctx->any) {
        printf("%s:\n", cat);
        ctx->any = true;
    }
    printf("name \"%s\"", t->name);
    if (bus_of(dc)) {
        printf(", bus %s", bus_of(dc));
    }
    if (dc->desc) {
        printf(", desc \"%s\"", dc->desc);
    }
    printf("\n");
}

static void print_device_list(void)
{
    static const char *const categories[] = {
        "Controller/Bridge/Hub devices",
        "Network devices",
        "Misc devices",
        "Uncategorized devices",
    };

    for (size_t i = 0; i < G_N_ELEMENTS(categories); i++) {
        DeviceHelpCtx ctx = {.category = categories[i]};
        type_foreach(print_device_in_category, &ctx);
        if (ctx.any) {
            printf("\n");
        }
    }
}

static bool device_help(VlConfig *cfg, json_t *opts)
{
    const char *drv = opts_get_str(opts, "driver");
    const TypeInfo *t = drv && strcmp(drv, "help") ? type_lookup(drv) : NULL;

    cfg->exit_status = 0;
    if (drv && strcmp(drv, "help")) {
        if (!t || !type_is_a(t, "device") || t->abstract) {
            fprintf(stderr,
                    "vireo: -device %s,help: '%s' is not a valid "
                    "device model name\n",
                    drv, drv);
            cfg->exit_status = 1;
            return false;
        }
        printf("%s options:\n", drv);
        for (const TypeInfo *c = t; c;
             c = c->parent ? type_lookup(c->parent) : NULL) {
            for (const TypeProperty *p = c->props; p && p->name; p++) {
                printf("  %s=<%s>", p->name, p->type);
                if (p->description) {
                    printf(" - %s", p->description);
                }
                if (p->default_json) {
                    printf(" (default: %s)", p->default_json);
                }
                printf("\n");
            }
        }
        return false;
    }
    print_device_list();
    return false;
}

static bool opt_device(VlConfig *cfg, const char *arg, Error **errp)
{
    bool help = false;
    json_t *opts =
        parse_group(cfg, "device", "device", arg, "driver", &help, true, errp);
    const char *drv = opts ? opts_get_str(opts, "driver") : NULL;

    if (opts && (help || (drv && !strcmp(drv, "help")))) {
        device_help(cfg, opts);
        json_decref(opts);
        return false;
    }
    return opts != NULL;
}

static bool opt_object(VlConfig *cfg, const char *arg, Error **errp)
{
    return parse_group(cfg, "object", "object", arg, "qom-type", NULL, true,
                       errp);
}

static bool opt_add_fd(VlConfig *cfg, const char *arg, Error **errp)
{
    static const char *const known[] = {"fd", "set", "opaque", NULL};
    json_t *opts =
        parse_group(cfg, "add-fd", "add-fd", arg, NULL, NULL, false, errp);
    return opts && opts_check_known(opts, known, errp);
}

static bool opt_version(VlConfig *cfg, const char *arg, Error **errp)
{
    printf("QEMU emulator version %s (%s)\n", QEMU_VERSION_STR, VIREO_PACKAGE);
    printf("Vireo %s: a QEMU-compatible machine emulator for networking.\n"
           "License GPL-2.0-or-later.\n",
           VIREO_VERSION);
    cfg->exit_status = 0;
    return false;
}

static bool opt_help(VlConfig *cfg, const char *arg, Error **errp);

static const VlOption options[] = {
    {"machine", "[type=]name[,prop=value,...]", opt_machine,
     "select the machine type and its properties (-machine help lists)"},
    {"M", "name[,prop=value,...]", opt_machine, "same as -machine"},
    {"accel", "name[,prop=value]", opt_accel, "accelerator: tcg or qtest"},
    {"m", "[size=]megs[,slots=n,maxmem=size]", opt_m,
     "guest RAM size (plain number: MiB; k/M/G/T suffixes)"},
    {"smp", "[cpus=]n[,maxcpus=n,sockets=n,cores=n,threads=n]", opt_smp,
     "number of CPUs"},
    {"name", "[guest=]name[,process=name]", opt_name, "name of the guest"},
    {"nodefaults", NULL, opt_nodefaults, "create no default devices"},
    {"nographic", NULL, opt_nographic, "no display; serial on stdio"},
    {"display", "none", opt_display, "display type (only none)"},
    {"serial", "dev", opt_serial,
     "serial port backend: stdio, null, none, file:PATH, unix:PATH, "
     "tcp:HOST:PORT"},
    {"chardev", "backend,id=id[,prop=value,...]", opt_chardev,
     "character device: socket, stdio, file, null"},
    {"mon", "chardev=id,mode=control[,pretty=on]", opt_mon,
     "QMP monitor on a chardev"},
    {"qmp", "dev", opt_qmp, "QMP monitor on a chardev spec"},
    {"qmp-pretty", "dev", opt_qmp_pretty, "QMP monitor, indented output"},
    {"qtest", "dev", opt_qtest, "qtest protocol on a chardev spec"},
    {"qtest-log", "file", opt_qtest_log, "log the qtest protocol to a file"},
    {"S", NULL, opt_S, "do not start the CPUs (cont starts them)"},
    {"no-shutdown", NULL, opt_no_shutdown,
     "stop instead of exiting when the guest powers off"},
    {"no-reboot", NULL, opt_no_reboot, "exit instead of rebooting"},
    {"pidfile", "file", opt_pidfile, "write the process id to file"},
    {"daemonize", NULL, opt_daemonize, "run in the background"},
    {"audio", "none", opt_audio, "audio backend (only none)"},
    {"L", "path", opt_L, "directory for firmware files"},
    {"run-with", "exit-with-parent=on|off", opt_run_with,
     "exit when the parent process exits"},
    {"global", "driver.prop=value", opt_global,
     "default value of a device property"},
    {"set", "group.id.prop=value", opt_set,
     "set a property of an earlier grouped option"},
    {"netdev", "type,id=id[,prop=value,...]", opt_netdev, "network backend"},
    {"nic", "type[,prop=value,...]", opt_nic, "NIC with its backend"},
    {"net", "nic|type[,prop=value,...]", opt_net, "legacy hub networking"},
    {"device", "driver[,prop=value,...]", opt_device,
     "add a device (-device help lists; -device DRIVER,help)"},
    {"object", "type,id=id[,prop=value,...]", opt_object,
     "create an object (memory backends)"},
    {"add-fd", "fd=fd,set=set[,opaque=str]", opt_add_fd,
     "add an inherited fd to an fdset"},
    {"incoming", "uri", opt_incoming, "wait for an incoming migration"},
    {"kernel", "file", opt_kernel, "kernel image to boot"},
    {"initrd", "file", opt_initrd, "initial ram disk"},
    {"append", "cmdline", opt_append, "kernel command line"},
    {"bios", "file", opt_bios, "firmware (default, none, or a file)"},
    {"version", NULL, opt_version, "print the version and exit"},
    {"h", NULL, opt_help, "print this help and exit"},
    {"help", NULL, opt_help, "print this help and exit"},
    {NULL},
};

static bool opt_help(VlConfig *cfg, const char *arg, Error **errp)
{
    printf("usage: vireo [options]\n\n"
           "Vireo %s, a QEMU-compatible machine emulator for networking.\n\n",
           VIREO_VERSION);
    for (const VlOption *o = options; o->name; o++) {
        printf("-%s%s%s\n    %s\n", o->name, o->arg_help ? " " : "",
               o->arg_help ? o->arg_help : "", o->help);
    }
    cfg->exit_status = 0;
    return false;
}

static const VlOption *find_option(const char *name)
{
    for (const VlOption *o = options; o->name; o++) {
        if (!strcmp(o->name, name)) {
            return o;
        }
    }
    return NULL;
}

static bool apply_one_set(VlConfig *cfg, const char *spec, Error **errp)
{
    gchar **parts = g_strsplit(spec, ".", 3);
    char *eq = strchr(parts[2], '=');
    bool group_known = false;

    *eq = '\0';
    for (guint i = 0; i < cfg->entries->len; i++) {
        OptEntry *e = g_ptr_array_index(cfg->entries, i);
        const char *id;
        if (strcmp(e->group, parts[0])) {
            continue;
        }
        group_known = true;
        id = opts_get_str(e->opts, "id");
        if (id && !strcmp(id, parts[1])) {
            json_object_set_new(e->opts, parts[2], json_string(eq + 1));
            g_strfreev(parts);
            return true;
        }
    }
    if (!group_known && !find_option(parts[0])) {
        error_setg(errp, "there is no option group '%s'", parts[0]);
    } else {
        error_setg(errp, "there is no %s \"%s\" defined", parts[0], parts[1]);
    }
    g_strfreev(parts);
    return false;
}

bool vl_parse_args(VlConfig *cfg, int argc, char **argv)
{
    Error *err = NULL;

    cfg->exit_status = 1;
    for (int i = 1; i < argc; i++) {
        const char *name = argv[i];
        const VlOption *o;
        const char *arg = NULL;
        char *loc;

        if (name[0] != '-' || !name[1]) {
            error_report("%s: invalid option (options start with '-')", name);
            return false;
        }
        name += name[1] == '-' ? 2 : 1;
        o = find_option(name);
        if (!o) {
            error_report("%s: invalid option", argv[i]);
            return false;
        }
        if (o->arg_help) {
            if (i + 1 >= argc) {
                error_report("%s: requires an argument", argv[i]);
                return false;
            }
            arg = argv[++i];
        }
        loc = arg ? g_strdup_printf("%s %s", argv[i - 1], arg)
                  : g_strdup(argv[i]);
        error_set_location(loc);
        g_free(loc);
        if (!o->fn(cfg, arg, &err)) {
            if (err) {
                error_report_err(err);
                cfg->exit_status = 1;
            }
            error_set_location(NULL);
            return false;
        }
        error_set_location(NULL);
    }
    for (guint i = 0; i < cfg->sets->len; i++) {
        const char *spec = g_ptr_array_index(cfg->sets, i);
        char *loc = g_strdup_printf("-set %s", spec);
        error_set_location(loc);
        g_free(loc);
        if (!apply_one_set(cfg, spec, &err)) {
            error_report_err(err);
            return false;
        }
    }
    error_set_location(NULL);
    cfg->exit_status = 0;
    return true;
}
