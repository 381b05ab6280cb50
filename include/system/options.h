/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Command-line options: parsed form and the steps that act on them. */
#ifndef SYSTEM_OPTIONS_H
#define SYSTEM_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include <jansson.h>
#include "hw/core/machine.h"
#include "util/error.h"

/* One occurrence of a grouped option such as -chardev or -netdev. */
typedef struct OptEntry {
    const char *group; /* "chardev", "netdev", "device", ... */
    char *location;    /* "-netdev tap,id=n0" for error messages */
    json_t *opts;      /* parsed keyval or JSON object */
    bool json_form;    /* given as JSON: values are typed */
} OptEntry;

typedef struct VlConfig {
    GPtrArray *entries; /* OptEntry, in command-line order */
    json_t *machine_opts;
    char *accel;
    json_t *accel_opts;
    char *accel_location; /* "-accel ..." as typed, for error messages */
    uint64_t ram_size;
    bool ram_size_set;
    unsigned smp_cpus;
    unsigned smp_max_cpus;
    json_t *smp_opts;
    char *qtest_spec;
    char *qtest_log;
    GPtrArray *serials;   /* char* specs */
    GPtrArray *qmp_specs; /* "spec" or "pretty:spec" */
    GPtrArray *globals;   /* char* DRIVER.PROP=VALUE */
    GPtrArray *sets;      /* char* group.id.prop=value */
    char *pidfile;
    bool pidfile_written;
    bool daemonize;
    bool nodefaults;
    bool nographic;
    bool start_paused;
    bool no_shutdown;
    bool no_reboot;
    bool exit_with_parent;
    char *kernel;
    char *initrd;
    char *append;
    char *bios;
    char *incoming;
    char *datadir;
    int exit_status; /* when parsing says stop (help, version, error) */
} VlConfig;

void vl_config_init(VlConfig *cfg);
/* False: stop now with cfg->exit_status (after help, -version, errors). */
bool vl_parse_args(VlConfig *cfg, int argc, char **argv);
const MachineClass *vl_resolve_machine(VlConfig *cfg, Error **errp);
void vl_check_config(VlConfig *cfg, const MachineClass *mc, Error **errp);
bool vl_create_fdsets(VlConfig *cfg, Error **errp);
bool vl_create_chardevs(VlConfig *cfg, Error **errp);
bool vl_create_monitors(VlConfig *cfg, Error **errp);
/* -object (memory backends), before the machine takes its RAM size. */
bool vl_create_objects(VlConfig *cfg, Error **errp);
/* -netdev, -device, -nic, -net, -incoming, boot files: what exists so far. */
bool vl_create_later_objects(VlConfig *cfg, Error **errp);

#endif
