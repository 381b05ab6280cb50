/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Error objects carried through Error **errp, and reporting to stderr. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include "util/error.h"

struct Error {
    char *msg;
    GString *hint;
    ErrorClass cls;
};

/* Distinct addresses used only as markers. */
static Error fatal_marker, abort_marker;
Error *error_fatal = &fatal_marker;
Error *error_abort = &abort_marker;

static char *progname;
static char *location;

void error_set_progname(const char *name)
{
    const char *slash = strrchr(name, '/');
    g_free(progname);
    progname = g_strdup(slash ? slash + 1 : name);
}

void error_set_location(const char *loc)
{
    g_free(location);
    location = loc ? g_strdup(loc) : NULL;
}

static void print_prefix(void)
{
    fprintf(stderr, "%s: ", progname ? progname : "vireo");
    if (location) {
        fprintf(stderr, "%s: ", location);
    }
}

static void handle_special(Error **errp, Error *err)
{
    if (errp == &error_abort) {
        print_prefix();
        fprintf(stderr, "unexpected error: %s\n", err->msg);
        abort();
    }
    if (errp == &error_fatal) {
        error_report_err(err);
        exit(1);
    }
}

void error_vset(Error **errp, ErrorClass cls, const char *fmt, va_list ap)
{
    Error *err;

    if (!errp) {
        return;
    }
    err = g_new0(Error, 1);
    err->msg = g_strdup_vprintf(fmt, ap);
    err->cls = cls;
    if (errp == &error_abort || errp == &error_fatal) {
        handle_special(errp, err);
        return;
    }
    /* Setting an error twice is a bug in the caller; keep the first. */
    if (*errp) {
        error_free(err);
        return;
    }
    *errp = err;
}

void error_setg(Error **errp, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_vset(errp, ERROR_CLASS_GENERIC_ERROR, fmt, ap);
    va_end(ap);
}

void error_set(Error **errp, ErrorClass cls, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_vset(errp, cls, fmt, ap);
    va_end(ap);
}

void error_setg_errno(Error **errp, int errnum, const char *fmt, ...)
{
    va_list ap;
    char *msg;

    if (!errp) {
        return;
    }
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    error_setg(errp, "%s: %s", msg, g_strerror(errnum));
    g_free(msg);
}

void error_propagate(Error **dst, Error *src)
{
    if (!src) {
        return;
    }
    if (dst == &error_abort || dst == &error_fatal) {
        handle_special(dst, src);
        return;
    }
    if (!dst || *dst) {
        error_free(src);
        return;
    }
    *dst = src;
}

void error_prepend(Error **errp, const char *fmt, ...)
{
    va_list ap;
    char *pre, *msg;

    if (!errp || errp == &error_abort || errp == &error_fatal || !*errp) {
        return;
    }
    va_start(ap, fmt);
    pre = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    msg = g_strconcat(pre, (*errp)->msg, NULL);
    g_free(pre);
    g_free((*errp)->msg);
    (*errp)->msg = msg;
}

void error_append_hint(Error **errp, const char *fmt, ...)
{
    va_list ap;

    if (!errp || errp == &error_abort || errp == &error_fatal || !*errp) {
        return;
    }
    if (!(*errp)->hint) {
        (*errp)->hint = g_string_new(NULL);
    }
    va_start(ap, fmt);
    g_string_append_vprintf((*errp)->hint, fmt, ap);
    va_end(ap);
}

const char *error_get_pretty(const Error *err)
{
    return err->msg;
}

const char *error_get_hint(const Error *err)
{
    return err->hint ? err->hint->str : NULL;
}

ErrorClass error_get_class(const Error *err)
{
    return err->cls;
}

const char *error_class_name(ErrorClass cls)
{
    switch (cls) {
    case ERROR_CLASS_COMMAND_NOT_FOUND:
        return "CommandNotFound";
    case ERROR_CLASS_DEVICE_NOT_ACTIVE:
        return "DeviceNotActive";
    case ERROR_CLASS_DEVICE_NOT_FOUND:
        return "DeviceNotFound";
    case ERROR_CLASS_KVM_MISSING_CAP:
        return "KVMMissingCap";
    case ERROR_CLASS_GENERIC_ERROR:
    default:
        return "GenericError";
    }
}

Error *error_copy(const Error *err)
{
    Error *copy = g_new0(Error, 1);
    copy->msg = g_strdup(err->msg);
    copy->cls = err->cls;
    if (err->hint) {
        copy->hint = g_string_new(err->hint->str);
    }
    return copy;
}

void error_free(Error *err)
{
    if (!err || err == &fatal_marker || err == &abort_marker) {
        return;
    }
    g_free(err->msg);
    if (err->hint) {
        g_string_free(err->hint, TRUE);
    }
    g_free(err);
}

void error_free_or_abort(Error **errp)
{
    if (!errp || !*errp) {
        abort();
    }
    error_free(*errp);
    *errp = NULL;
}

static void vreport(const char *kind, const char *fmt, va_list ap)
{
    print_prefix();
    fputs(kind, stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void error_report(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport("", fmt, ap);
    va_end(ap);
}

void warn_report(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport("warning: ", fmt, ap);
    va_end(ap);
}

static void report_err(const char *kind, Error *err)
{
    print_prefix();
    fprintf(stderr, "%s%s\n", kind, err->msg);
    if (err->hint) {
        fputs(err->hint->str, stderr);
    }
    error_free(err);
}

void error_report_err(Error *err)
{
    report_err("", err);
}

void warn_report_err(Error *err)
{
    report_err("warning: ", err);
}
