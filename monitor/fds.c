/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * File descriptors passed by management: per-connection named fds (getfd,
 * closefd) and global fdsets (add-fd, remove-fd, query-fdsets, -add-fd).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>
#include <glib.h>
#include "monitor/monitor-internal.h"
#include "qapi/qapi-commands.h"
#include "util/qlist.h"

typedef struct FdsetFd {
    int fd;
    char *opaque;
} FdsetFd;

typedef struct Fdset {
    int64_t id;
    GArray *fds; /* FdsetFd */
} Fdset;

static GList *fdsets; /* Fdset, sorted by id */

static void close_fd_value(gpointer key, gpointer value, gpointer opaque)
{
    close(GPOINTER_TO_INT(value));
}

void monitor_fds_clear(Monitor *mon)
{
    g_hash_table_foreach(mon->fds, close_fd_value, NULL);
    g_hash_table_remove_all(mon->fds);
}

bool monitor_add_fd(Monitor *mon, const char *name, int fd, Error **errp)
{
    gpointer old;

    if (g_ascii_isdigit(name[0])) {
        error_setg(errp, "Parameter 'fdname' expects a name not starting "
                         "with a digit");
        return false;
    }
    /* An existing name is replaced; its old fd is closed. */
    if (g_hash_table_lookup_extended(mon->fds, name, NULL, &old)) {
        close(GPOINTER_TO_INT(old));
    }
    g_hash_table_insert(mon->fds, g_strdup(name), GINT_TO_POINTER(fd));
    return true;
}

int monitor_take_fd(Monitor *mon, const char *name)
{
    gpointer val;

    if (!mon || !g_hash_table_lookup_extended(mon->fds, name, NULL, &val)) {
        return -1;
    }
    g_hash_table_remove(mon->fds, name);
    return GPOINTER_TO_INT(val);
}

bool monitor_close_fd(Monitor *mon, const char *name, Error **errp)
{
    int fd = monitor_take_fd(mon, name);

    if (fd < 0) {
        error_setg(errp, "File descriptor named '%s' not found", name);
        return false;
    }
    close(fd);
    return true;
}

int monitor_take_msgfd(Monitor *mon)
{
    int fd;
    return chardev_take_msgfds(mon->chr, &fd, 1) == 1 ? fd : -1;
}

int monitor_fd_param(Monitor *mon, const char *str, Error **errp)
{
    char *end;
    long n;
    int fd;

    if (mon && str[0] && !g_ascii_isdigit(str[0])) {
        fd = monitor_take_fd(mon, str);
        if (fd < 0) {
            error_setg(errp, "File descriptor named '%s' has not been found",
                       str);
        }
        return fd;
    }
    errno = 0;
    n = strtol(str, &end, 10);
    if (!str[0] || *end || errno || n < 0 || n > INT_MAX) {
        error_setg(errp, "Invalid file descriptor number '%s'", str);
        return -1;
    }
    return (int)n;
}

void qmp_getfd(const char *fdname, Error **errp)
{
    Monitor *mon = monitor_current();
    int fd = monitor_take_msgfd(mon);

    if (fd < 0) {
        error_setg(errp, "No file descriptor supplied via SCM_RIGHTS");
        return;
    }
    if (!monitor_add_fd(mon, fdname, fd, errp)) {
        close(fd);
    }
}

void qmp_closefd(const char *fdname, Error **errp)
{
    monitor_close_fd(monitor_current(), fdname, errp);
}

static Fdset *fdset_find(int64_t id)
{
    for (GList *l = fdsets; l; l = l->next) {
        Fdset *s = l->data;
        if (s->id == id) {
            return s;
        }
    }
    return NULL;
}

static gint fdset_cmp(gconstpointer a, gconstpointer b)
{
    const Fdset *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

static int64_t fdset_lowest_free_id(void)
{
    int64_t id = 0;

    for (GList *l = fdsets; l; l = l->next) {
        Fdset *s = l->data;
        if (s->id != id) {
            break;
        }
        id++;
    }
    return id;
}

bool fdset_add_fd(int fd, bool has_set, int64_t set, const char *opaque,
                  int64_t *set_out, Error **errp)
{
    Fdset *s;
    FdsetFd entry = {.fd = fd, .opaque = g_strdup(opaque)};

    if (has_set && set < 0) {
        error_setg(errp, "Parameter 'fdset-id' expects a non-negative value");
        g_free(entry.opaque);
        return false;
    }
    if (!has_set) {
        set = fdset_lowest_free_id();
    }
    s = fdset_find(set);
    if (!s) {
        s = g_new0(Fdset, 1);
        s->id = set;
        s->fds = g_array_new(FALSE, FALSE, sizeof(FdsetFd));
        fdsets = g_list_insert_sorted(fdsets, s, fdset_cmp);
    }
    g_array_append_val(s->fds, entry);
    *set_out = set;
    return true;
}

static void fdset_free(Fdset *s)
{
    for (guint i = 0; i < s->fds->len; i++) {
        FdsetFd *f = &g_array_index(s->fds, FdsetFd, i);
        close(f->fd);
        g_free(f->opaque);
    }
    g_array_free(s->fds, TRUE);
    fdsets = g_list_remove(fdsets, s);
    g_free(s);
}

void fdsets_cleanup_all(void)
{
    while (fdsets) {
        fdset_free(fdsets->data);
    }
}

AddfdInfo *qmp_add_fd(bool has_fdset_id, int64_t fdset_id, const char *opaque,
                      Error **errp)
{
    Monitor *mon = monitor_current();
    int fd = monitor_take_msgfd(mon);
    AddfdInfo *info;
    int64_t set;

    if (fd < 0) {
        error_setg(errp, "No file descriptor supplied via SCM_RIGHTS");
        return NULL;
    }
    if (!fdset_add_fd(fd, has_fdset_id, fdset_id, opaque, &set, errp)) {
        close(fd);
        return NULL;
    }
    info = g_new0(AddfdInfo, 1);
    info->fdset_id = set;
    info->fd = fd;
    return info;
}

void qmp_remove_fd(int64_t fdset_id, bool has_fd, int64_t fd, Error **errp)
{
    Fdset *s = fdset_find(fdset_id);

    if (s && !has_fd) {
        fdset_free(s);
        return;
    }
    for (guint i = 0; s && i < s->fds->len; i++) {
        FdsetFd *f = &g_array_index(s->fds, FdsetFd, i);
        if (f->fd == fd) {
            close(f->fd);
            g_free(f->opaque);
            g_array_remove_index(s->fds, i);
            if (!s->fds->len) {
                fdset_free(s);
            }
            return;
        }
    }
    if (has_fd) {
        error_setg(errp,
                   "File descriptor named 'fdset-id:%" G_GINT64_FORMAT
                   ", fd:%" G_GINT64_FORMAT "' not found",
                   fdset_id, fd);
    } else {
        error_setg(errp,
                   "File descriptor named 'fdset-id:%" G_GINT64_FORMAT
                   "' not found",
                   fdset_id);
    }
}

FdsetInfoList *qmp_query_fdsets(Error **errp)
{
    FdsetInfoList *list = NULL, **tail = &list;

    for (GList *l = fdsets; l; l = l->next) {
        Fdset *s = l->data;
        FdsetInfo *info = g_new0(FdsetInfo, 1);
        FdsetFdInfoList **ftail = &info->fds;

        info->fdset_id = s->id;
        for (guint i = 0; i < s->fds->len; i++) {
            FdsetFd *f = &g_array_index(s->fds, FdsetFd, i);
            FdsetFdInfo *fi = g_new0(FdsetFdInfo, 1);
            fi->fd = f->fd;
            fi->opaque = g_strdup(f->opaque);
            QAPI_LIST_APPEND(ftail, fi);
        }
        QAPI_LIST_APPEND(tail, info);
    }
    return list;
}
