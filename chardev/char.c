/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Chardev registry and the frontend/backend plumbing shared by backends. */
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include "chardev/char.h"
#include "util/opts.h"

static GPtrArray *classes;
static GPtrArray *chardevs;

void chardev_register_class(const ChardevClass *cls)
{
    if (!classes) {
        classes = g_ptr_array_new();
    }
    g_ptr_array_add(classes, (gpointer)cls);
}

const ChardevClass *chardev_class_find(const char *name)
{
    for (guint i = 0; classes && i < classes->len; i++) {
        const ChardevClass *cls = g_ptr_array_index(classes, i);
        if (!strcmp(cls->name, name)) {
            return cls;
        }
    }
    return NULL;
}

void chardev_class_foreach(void (*fn)(const ChardevClass *cls, void *opaque),
                           void *opaque)
{
    for (guint i = 0; classes && i < classes->len; i++) {
        fn(g_ptr_array_index(classes, i), opaque);
    }
}

Chardev *chardev_find(const char *id)
{
    for (guint i = 0; chardevs && i < chardevs->len; i++) {
        Chardev *chr = g_ptr_array_index(chardevs, i);
        if (!strcmp(chr->id, id)) {
            return chr;
        }
    }
    return NULL;
}

void chardev_foreach(void (*fn)(Chardev *chr, void *opaque), void *opaque)
{
    for (guint i = 0; chardevs && i < chardevs->len; i++) {
        fn(g_ptr_array_index(chardevs, i), opaque);
    }
}

static bool check_options(const ChardevClass *cls, json_t *opts, Error **errp)
{
    const char *key;
    json_t *v;

    json_object_foreach(opts, key, v)
    {
        bool ok = !strcmp(key, "id") || !strcmp(key, "backend");
        for (const char *const *k = cls->options; !ok && k && *k; k++) {
            ok = !strcmp(*k, key);
        }
        if (!ok) {
            error_setg(errp, "Invalid parameter '%s'", key);
            return false;
        }
    }
    return true;
}

Chardev *chardev_new(json_t *opts, Error **errp)
{
    const char *backend = opts_get_str(opts, "backend");
    const char *id = opts_get_str(opts, "id");
    const ChardevClass *cls;
    Chardev *chr;

    if (!id) {
        error_setg(errp, "chardev: no id specified");
        return NULL;
    }
    if (!backend) {
        error_setg(errp, "chardev: \"%s\" missing backend", id);
        return NULL;
    }
    if (!g_ascii_isalpha(id[0]) ||
        strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                   "0123456789-._") != strlen(id)) {
        error_setg(errp, "Parameter 'id' expects an identifier");
        return NULL;
    }
    cls = chardev_class_find(backend);
    if (!cls) {
        error_setg(errp, "'%s' is not a valid char driver name", backend);
        return NULL;
    }
    if (chardev_find(id)) {
        error_setg(errp,
                   "attempt to add duplicate property '%s' to object "
                   "(type 'container')",
                   id);
        return NULL;
    }
    if (!check_options(cls, opts, errp)) {
        return NULL;
    }
    chr = g_new0(Chardev, 1);
    chr->id = g_strdup(id);
    chr->cls = cls;
    if (!cls->open(chr, opts, errp)) {
        g_free(chr->id);
        g_free(chr);
        return NULL;
    }
    if (!chardevs) {
        chardevs = g_ptr_array_new();
    }
    g_ptr_array_add(chardevs, chr);
    return chr;
}

static void close_msgfds(Chardev *chr)
{
    for (int i = 0; i < chr->msgfds_num; i++) {
        close(chr->msgfds[i]);
    }
    chr->msgfds_num = 0;
}

void chardev_delete(Chardev *chr)
{
    if (chr->cls->close) {
        chr->cls->close(chr);
    }
    close_msgfds(chr);
    g_ptr_array_remove(chardevs, chr);
    g_free(chr->id);
    g_free(chr);
}

void chardev_delete_all(void)
{
    while (chardevs && chardevs->len) {
        chardev_delete(g_ptr_array_index(chardevs, chardevs->len - 1));
    }
}

bool chardev_attach(Chardev *chr, ChrCanReadFn *can_read, ChrReadFn *read,
                    ChrEventFn *event, void *opaque, Error **errp)
{
    if (chr->fe_attached) {
        error_setg(errp, "Device '%s' is in use", chr->id);
        return false;
    }
    chr->fe_can_read = can_read;
    chr->fe_read = read;
    chr->fe_event = event;
    chr->fe_opaque = opaque;
    chr->fe_attached = true;
    /* A backend that is already connected tells the new frontend so. */
    if (chr->connected && event) {
        event(opaque, CHR_EVENT_OPENED);
    }
    return true;
}

void chardev_detach(Chardev *chr)
{
    chr->fe_attached = false;
    chr->fe_can_read = NULL;
    chr->fe_read = NULL;
    chr->fe_event = NULL;
    chr->fe_opaque = NULL;
}

void chardev_write(Chardev *chr, const void *buf, size_t len)
{
    if (chr->connected && len) {
        chr->cls->write(chr, buf, len);
    }
}

void chardev_accept_input(Chardev *chr)
{
    if (chr->cls->accept_input) {
        chr->cls->accept_input(chr);
    }
}

size_t chardev_pending_output(Chardev *chr)
{
    return chr->cls->pending_output ? chr->cls->pending_output(chr) : 0;
}

int chardev_take_msgfds(Chardev *chr, int *fds, int max)
{
    int n = MIN(max, chr->msgfds_num);

    memcpy(fds, chr->msgfds, n * sizeof(int));
    /* The caller owns the ones it took; the rest are closed now. */
    for (int i = n; i < chr->msgfds_num; i++) {
        close(chr->msgfds[i]);
    }
    chr->msgfds_num = 0;
    return n;
}

bool chardev_can_pass_fds(Chardev *chr)
{
    return chr->cls->get_msg_fd != NULL && chr->cls->get_msg_fd(chr) != -2;
}

int chardev_get_msg_fd(Chardev *chr)
{
    int fd = chr->cls->get_msg_fd ? chr->cls->get_msg_fd(chr) : -1;

    return fd >= 0 ? fd : -1;
}

void chardev_be_set_msgfds(Chardev *chr, int *fds, int n)
{
    close_msgfds(chr);
    n = MIN(n, (int)G_N_ELEMENTS(chr->msgfds));
    memcpy(chr->msgfds, fds, n * sizeof(int));
    chr->msgfds_num = n;
}

void chardev_be_event(Chardev *chr, ChrEvent event)
{
    chr->connected = event == CHR_EVENT_OPENED;
    if (event == CHR_EVENT_CLOSED) {
        close_msgfds(chr);
    }
    if (chr->fe_attached && chr->fe_event) {
        chr->fe_event(chr->fe_opaque, event);
    }
}

size_t chardev_be_can_read(Chardev *chr)
{
    if (!chr->fe_attached || !chr->fe_read) {
        return 4096; /* nobody listening: read and discard */
    }
    return chr->fe_can_read ? chr->fe_can_read(chr->fe_opaque) : 4096;
}

void chardev_be_read(Chardev *chr, const uint8_t *buf, size_t len)
{
    if (chr->fe_attached && chr->fe_read) {
        chr->fe_read(chr->fe_opaque, buf, len);
    }
}

static json_t *legacy_socket(const char *kind, const char *rest, Error **errp)
{
    json_t *opts = json_object();
    gchar **parts = g_strsplit(rest, ",", -1);

    json_object_set_new(opts, "backend", json_string("socket"));
    if (!strcmp(kind, "unix")) {
        json_object_set_new(opts, "path", json_string(parts[0]));
    } else {
        const char *colon = strrchr(parts[0], ':');
        if (!colon) {
            error_setg(errp,
                       "host and port must be given as HOST:PORT in "
                       "'tcp:%s'",
                       rest);
            json_decref(opts);
            g_strfreev(parts);
            return NULL;
        }
        json_object_set_new(opts, "host",
                            json_stringn(parts[0], colon - parts[0]));
        json_object_set_new(opts, "port", json_string(colon + 1));
    }
    for (int i = 1; parts[i]; i++) {
        char *eq = strchr(parts[i], '=');
        if (eq) {
            *eq = '\0';
            json_object_set_new(opts, parts[i], json_string(eq + 1));
        } else if (!strncmp(parts[i], "no", 2) && parts[i][2]) {
            json_object_set_new(opts, parts[i] + 2, json_string("off"));
        } else if (parts[i][0]) {
            json_object_set_new(opts, parts[i], json_string("on"));
        }
    }
    g_strfreev(parts);
    return opts;
}

json_t *chardev_parse_legacy(const char *spec, const char *id, Error **errp)
{
    json_t *opts = NULL;

    if (!strcmp(spec, "stdio") || !strcmp(spec, "mon:stdio") ||
        !strcmp(spec, "null")) {
        opts = json_object();
        json_object_set_new(
            opts, "backend",
            json_string(!strcmp(spec, "null") ? "null" : "stdio"));
    } else if (g_str_has_prefix(spec, "file:")) {
        opts = json_object();
        json_object_set_new(opts, "backend", json_string("file"));
        json_object_set_new(opts, "path", json_string(spec + 5));
    } else if (g_str_has_prefix(spec, "unix:")) {
        opts = legacy_socket("unix", spec + 5, errp);
    } else if (g_str_has_prefix(spec, "tcp:")) {
        opts = legacy_socket("tcp", spec + 4, errp);
    } else {
        error_setg(errp, "'%s' is not a valid char driver", spec);
        return NULL;
    }
    if (opts) {
        json_object_set_new(opts, "id", json_string(id));
    }
    return opts;
}
