/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The human monitor commands reachable through human-monitor-command.
 * Output lines end in "\r\n" as QEMU's monitor writes them.
 */
#include <string.h>
#include <glib.h>
#include "hw/pci/pci.h"
#include "monitor/monitor.h"
#include "net/net.h"
#include "qapi/qapi-types.h"
#include "system/runstate.h"
#include "system/version.h"

typedef struct HmpInfoCmd {
    const char *name;
    const char *help;
    void (*fn)(GString *out);
} HmpInfoCmd;

static void info_version(GString *out)
{
    g_string_append_printf(out, "%s (%s)\r\n", QEMU_VERSION_STR, VIREO_PACKAGE);
}

static void info_status(GString *out)
{
    RunState st = runstate_get();

    g_string_append_printf(out, "VM status: %s",
                           runstate_is_running() ? "running" : "paused");
    if (!runstate_is_running() && st != RUN_STATE_PAUSED) {
        g_string_append_printf(out, " (%s)", RunState_str(st));
    }
    g_string_append(out, "\r\n");
}

static const HmpInfoCmd info_cmds[] = {
    {"network", "show the network state", hmp_info_network},
    {"pci", "show the PCI functions and their BARs", hmp_info_pci},
    {"status", "show the current VM status (running|paused)", info_status},
    {"version", "show the version of the emulator", info_version},
    {NULL},
};

static void info_help(GString *out)
{
    for (const HmpInfoCmd *c = info_cmds; c->name; c++) {
        g_string_append_printf(out, "info %s  -- %s\r\n", c->name, c->help);
    }
}

static void hmp_info(gchar **argv, GString *out)
{
    if (!argv[1]) {
        info_help(out);
        return;
    }
    for (const HmpInfoCmd *c = info_cmds; c->name; c++) {
        if (!strcmp(c->name, argv[1])) {
            c->fn(out);
            return;
        }
    }
    g_string_append_printf(out, "unknown command: 'info %s'\r\n", argv[1]);
}

char *hmp_execute(const char *cmdline, Error **errp)
{
    gchar **argv = g_strsplit_set(cmdline, " \t\r\n", -1);
    GString *out = g_string_new(NULL);
    gchar **words;
    int n = 0;

    /* Collapse runs of blanks: g_strsplit_set leaves empty words. */
    words = g_new0(gchar *, g_strv_length(argv) + 1);
    for (int i = 0; argv[i]; i++) {
        if (argv[i][0]) {
            words[n++] = argv[i];
        }
    }
    if (n == 0) {
        /* An empty line does nothing, as at the monitor prompt. */
    } else if (!strcmp(words[0], "info") || !strcmp(words[0], "i")) {
        hmp_info(words, out);
    } else {
        g_string_append_printf(out, "unknown command: '%s'\r\n", words[0]);
    }
    g_free(words);
    g_strfreev(argv);
    return g_string_free(out, FALSE);
}
