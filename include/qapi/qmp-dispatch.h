/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The QMP command table produced by the QAPI generator.
 *
 * qapi-commands.c (generated) defines one QmpCommand per schema command and
 * the lookup functions declared in qapi-commands.h:
 *
 *   const QmpCommand *qmp_command_lookup(const char *name);
 *   size_t qmp_command_count(void);
 *   const QmpCommand *qmp_command_at(size_t i);
 *
 * (with a prefix such as test_ for schemas generated with -p test-).
 */
#ifndef QAPI_QMP_DISPATCH_H
#define QAPI_QMP_DISPATCH_H

#include <jansson.h>
#include <stddef.h>

#include "util/error.h"

/* QmpCommand.flags */
#define QCO_NO_SUCCESS_RESP (1u << 0) /* 'success-response': false */
#define QCO_ALLOW_OOB       (1u << 1) /* 'allow-oob': true */
#define QCO_ALLOW_PRECONFIG (1u << 2) /* 'allow-preconfig': true */

/*
 * A marshaller checks @args (NULL means no arguments) against the schema,
 * calls the qmp_<command>() implementation and, on success, stores the
 * result in *ret (a new reference; {} for commands without 'returns').
 * On failure it sets *errp and leaves *ret NULL.
 */
typedef void QmpMarshalFn(json_t *args, json_t **ret, Error **errp);

typedef struct QmpCommand {
    const char *name;
    QmpMarshalFn *fn;
    unsigned flags;
} QmpCommand;

#endif
