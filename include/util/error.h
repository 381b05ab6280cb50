/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Error reporting through an "Error **errp" out-parameter.
 *
 * A function that can fail takes Error **errp last and returns false/NULL/-1
 * on failure after setting *errp.  Callers pass NULL to ignore the error,
 * &error_fatal to print it and exit(1), or &error_abort for "cannot happen".
 */
#ifndef UTIL_ERROR_H
#define UTIL_ERROR_H

#include <stdarg.h>
#include <stdbool.h>

/* QMP error classes, named as on the wire by error_class_name(). */
typedef enum ErrorClass {
    ERROR_CLASS_GENERIC_ERROR,
    ERROR_CLASS_COMMAND_NOT_FOUND,
    ERROR_CLASS_DEVICE_NOT_ACTIVE,
    ERROR_CLASS_DEVICE_NOT_FOUND,
    ERROR_CLASS_KVM_MISSING_CAP,
} ErrorClass;

typedef struct Error Error;

extern Error *error_fatal;
extern Error *error_abort;

void error_setg(Error **errp, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void error_set(Error **errp, ErrorClass cls, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void error_setg_errno(Error **errp, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void error_vset(Error **errp, ErrorClass cls, const char *fmt, va_list ap);

/* Move @src into *dst (or free it when dst is NULL / already set). */
void error_propagate(Error **dst, Error *src);
/* Prefix the message of an error already in *errp. */
void error_prepend(Error **errp, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Add a hint printed after the message on the command line, not in QMP. */
void error_append_hint(Error **errp, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

const char *error_get_pretty(const Error *err);
const char *error_get_hint(const Error *err);
ErrorClass error_get_class(const Error *err);
const char *error_class_name(ErrorClass cls);
Error *error_copy(const Error *err);
void error_free(Error *err);
void error_free_or_abort(Error **errp);

/* Program name and current command-line location used as message prefix. */
void error_set_progname(const char *name);
void error_set_location(
    const char *loc); /* e.g. "-netdev tap,id=x"; NULL clears */

/* Print "vireo: [location: ]message" to stderr. */
void error_report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warn_report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void error_report_err(Error *err); /* prints and frees */
void warn_report_err(Error *err);  /* prints and frees */

#endif
