/* SPDX-License-Identifier: GPL-2.0-or-later */
/* QMP commands about the monitor and the process itself. */
#include <string.h>
#include <glib.h>
#include "monitor/monitor.h"
#include "qapi/qapi-commands.h"
#include "qapi/qapi-introspect.h"
#include "qapi/qmp-dispatch.h"
#include "system/system.h"
#include "system/version.h"
#include "util/qlist.h"

VersionInfo *qmp_query_version(Error **errp)
{
    VersionInfo *info = g_new0(VersionInfo, 1);

    info->qemu = g_new0(VersionTriple, 1);
    info->qemu->major = QEMU_VERSION_MAJOR;
    info->qemu->minor = QEMU_VERSION_MINOR;
    info->qemu->micro = QEMU_VERSION_MICRO;
    info->package = g_strdup(VIREO_PACKAGE);
    return info;
}

CommandInfoList *qmp_query_commands(Error **errp)
{
    CommandInfoList *list = NULL;

    for (size_t i = qmp_command_count(); i-- > 0;) {
        CommandInfo *info = g_new0(CommandInfo, 1);
        info->name = g_strdup(qmp_command_at(i)->name);
        QAPI_LIST_PREPEND(list, info);
    }
    return list;
}

NameInfo *qmp_query_name(Error **errp)
{
    NameInfo *info = g_new0(NameInfo, 1);
    info->name = g_strdup(vm_name);
    return info;
}

KvmInfo *qmp_query_kvm(Error **errp)
{
    /* No KVM: the CPU is emulated in software (or absent under qtest). */
    KvmInfo *info = g_new0(KvmInfo, 1);
    info->enabled = false;
    info->present = false;
    return info;
}

char *qmp_human_monitor_command(const char *command_line, bool has_cpu_index,
                                int64_t cpu_index, Error **errp)
{
    return hmp_execute(command_line, errp);
}
