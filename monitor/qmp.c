/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QMP server: greeting, capabilities negotiation, request checking,
 * dispatch through the generated command table, replies and events.
 */
#include <string.h>
#include <sys/time.h>
#include <unistd.h>
#include <glib.h>
#include "monitor/monitor.h"
#include "monitor/monitor-internal.h"
#include "qapi/qapi-commands.h"
#include "qapi/qapi-events.h"
#include "qapi/qmp-dispatch.h"
#include "qapi/qmp-event.h"
#include "system/version.h"
#include "util/json-stream.h"

/* Limits on one request, as QEMU's parser has them. */
#define QMP_MAX_BYTES (64u << 20)
#define QMP_MAX_DEPTH 1024

static GPtrArray *monitors;
static Monitor *cur_mon;

Monitor *monitor_current(void)
{
    return cur_mon;
}

static void monitor_send(Monitor *mon, json_t *msg)
{
    size_t flags = JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII | JSON_ENCODE_ANY;
    char *text;

    if (mon->pretty) {
        flags |= JSON_INDENT(4);
    }
    text = json_dumps(msg, flags);
    if (text) {
        chardev_write(mon->chr, text, strlen(text));
        chardev_write(mon->chr, "\r\n", 2);
        free(text);
    }
}

static void send_greeting(Monitor *mon)
{
    json_t *ver =
        json_pack("{s:{s:i,s:i,s:i},s:s}", "qemu", "micro", QEMU_VERSION_MICRO,
                  "minor", QEMU_VERSION_MINOR, "major", QEMU_VERSION_MAJOR,
                  "package", VIREO_PACKAGE);
    json_t *msg = json_pack("{s:{s:o,s:[s]}}", "QMP", "version", ver,
                            "capabilities", "oob");
    monitor_send(mon, msg);
    json_decref(msg);
}

static void send_error(Monitor *mon, Error *err, json_t *id)
{
    json_t *msg = json_pack("{s:{s:s,s:s}}", "error", "class",
                            error_class_name(error_get_class(err)), "desc",
                            error_get_pretty(err));
    if (id) {
        json_object_set(msg, "id", id);
    }
    monitor_send(mon, msg);
    json_decref(msg);
    error_free(err);
}

static void send_return(Monitor *mon, json_t *ret, json_t *id)
{
    json_t *msg = json_object();

    json_object_set_new(msg, "return", ret ? ret : json_object());
    if (id) {
        json_object_set(msg, "id", id);
    }
    monitor_send(mon, msg);
    json_decref(msg);
}

/* Validate the request envelope; returns the command name or NULL. */
static const char *check_request(json_t *req, bool *oob, Error **errp)
{
    const char *key, *exec = NULL, *exec_oob = NULL;
    json_t *v;

    if (!json_is_object(req)) {
        error_setg(errp, "QMP input must be a JSON object");
        return NULL;
    }
    json_object_foreach(req, key, v)
    {
        if (!strcmp(key, "execute") || !strcmp(key, "exec-oob")) {
            if (!json_is_string(v)) {
                error_setg(errp, "QMP input member '%s' must be a string", key);
                return NULL;
            }
            *(key[4] == 'u' ? &exec : &exec_oob) = json_string_value(v);
        } else if (!strcmp(key, "arguments")) {
            if (!json_is_object(v)) {
                error_setg(errp, "QMP input member 'arguments' must be an "
                                 "object");
                return NULL;
            }
        } else if (strcmp(key, "id") && strcmp(key, "control")) {
            error_setg(errp, "QMP input member '%s' is unexpected", key);
            return NULL;
        }
    }
    if (!exec && !exec_oob) {
        error_setg(errp, "QMP input lacks member 'execute'");
        return NULL;
    }
    if (exec && exec_oob) {
        error_setg(errp, "QMP input must not have both 'execute' and "
                         "'exec-oob'");
        return NULL;
    }
    *oob = exec_oob != NULL;
    return exec ? exec : exec_oob;
}

static json_t *dispatch(Monitor *mon, json_t *req, Error **errp)
{
    bool oob = false;
    const char *name = check_request(req, &oob, errp);
    const QmpCommand *cmd;
    json_t *ret = NULL;

    if (!name) {
        return NULL;
    }
    if (!mon->negotiated && strcmp(name, "qmp_capabilities")) {
        error_set(errp, ERROR_CLASS_COMMAND_NOT_FOUND,
                  "Expecting capabilities negotiation with "
                  "'qmp_capabilities'");
        return NULL;
    }
    if (mon->negotiated && !strcmp(name, "qmp_capabilities")) {
        error_set(errp, ERROR_CLASS_COMMAND_NOT_FOUND,
                  "Capabilities negotiation is already complete, command "
                  "ignored");
        return NULL;
    }
    cmd = qmp_command_lookup(name);
    if (!cmd) {
        error_set(errp, ERROR_CLASS_COMMAND_NOT_FOUND,
                  "The command %s has not been found", name);
        return NULL;
    }
    if (oob && (!mon->oob_enabled || !(cmd->flags & QCO_ALLOW_OOB))) {
        error_setg(errp,
                   mon->oob_enabled
                       ? "The command %s does not support OOB"
                       : "Out-of-band execution of %s was not enabled "
                         "by qmp_capabilities",
                   name);
        return NULL;
    }
    cur_mon = mon;
    cmd->fn(json_object_get(req, "arguments"), &ret, errp);
    cur_mon = NULL;
    return ret;
}

static void handle_request(Monitor *mon, json_t *req)
{
    Error *err = NULL;
    json_t *id = json_is_object(req) ? json_object_get(req, "id") : NULL;
    json_t *ret = dispatch(mon, req, &err);

    if (err) {
        json_decref(ret);
        send_error(mon, err, id);
    } else {
        send_return(mon, ret, id);
    }
}

static void stream_emit(void *opaque, json_t *value, Error *err)
{
    Monitor *mon = opaque;

    if (err) {
        send_error(mon, err, NULL);
        return;
    }
    handle_request(mon, value);
    json_decref(value);
}

/* Stop taking requests while this much of our output is unread: a client
 * that never reads must not make us buffer without limit. */
#define QMP_MAX_PENDING_OUTPUT (1u << 20)

static size_t qmp_can_read(void *opaque)
{
    Monitor *mon = opaque;
    return chardev_pending_output(mon->chr) > QMP_MAX_PENDING_OUTPUT ? 0 : 4096;
}

static void qmp_read(void *opaque, const uint8_t *buf, size_t len)
{
    Monitor *mon = opaque;
    json_stream_feed(mon->parser, (const char *)buf, len);
}

static void qmp_event(void *opaque, ChrEvent event)
{
    Monitor *mon = opaque;

    /* Each connection starts afresh: new parser, negotiation, fd list. */
    json_stream_free(mon->parser);
    mon->parser =
        json_stream_new(stream_emit, mon, QMP_MAX_BYTES, QMP_MAX_DEPTH);
    mon->negotiated = false;
    mon->oob_enabled = false;
    monitor_fds_clear(mon);
    if (event == CHR_EVENT_OPENED) {
        send_greeting(mon);
    }
}

Monitor *monitor_new_qmp(Chardev *chr, bool pretty, Error **errp)
{
    Monitor *mon = g_new0(Monitor, 1);

    mon->chr = chr;
    mon->pretty = pretty;
    mon->parser =
        json_stream_new(stream_emit, mon, QMP_MAX_BYTES, QMP_MAX_DEPTH);
    mon->fds = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    if (!chardev_attach(chr, qmp_can_read, qmp_read, qmp_event, mon, errp)) {
        json_stream_free(mon->parser);
        g_hash_table_destroy(mon->fds);
        g_free(mon);
        return NULL;
    }
    if (!monitors) {
        monitors = g_ptr_array_new();
    }
    g_ptr_array_add(monitors, mon);
    return mon;
}

void monitor_cleanup_all(void)
{
    while (monitors && monitors->len) {
        Monitor *mon = g_ptr_array_steal_index(monitors, monitors->len - 1);
        chardev_detach(mon->chr);
        json_stream_free(mon->parser);
        monitor_fds_clear(mon);
        g_hash_table_destroy(mon->fds);
        g_free(mon);
    }
}

void qapi_event_emit(QAPIEvent event, json_t *data)
{
    struct timeval tv;
    json_t *msg;

    gettimeofday(&tv, NULL);
    msg = json_pack("{s:s}", "event", QAPIEvent_str(event));
    if (data) {
        json_object_set(msg, "data", data);
    }
    json_object_set_new(msg, "timestamp",
                        json_pack("{s:I,s:I}", "seconds", (json_int_t)tv.tv_sec,
                                  "microseconds", (json_int_t)tv.tv_usec));
    for (guint i = 0; monitors && i < monitors->len; i++) {
        Monitor *mon = g_ptr_array_index(monitors, i);
        if (mon->negotiated) {
            monitor_send(mon, msg);
        }
    }
    json_decref(msg); /* @data is borrowed: the generated sender frees it */
}

void qmp_qmp_capabilities(QMPCapabilityList *enable, Error **errp)
{
    Monitor *mon = cur_mon;
    bool oob = false;

    for (QMPCapabilityList *c = enable; c; c = c->next) {
        if (c->value == QMP_CAPABILITY_OOB) {
            oob = true;
        }
    }
    mon->oob_enabled = oob;
    mon->negotiated = true;
}
