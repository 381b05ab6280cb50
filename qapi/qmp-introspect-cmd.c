/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * query-qmp-schema.  The schema marks it 'gen': false because its result
 * is the introspection data itself, which already is JSON: it is returned
 * as it is instead of going through the SchemaInfo C types.
 */
#include "qapi/qapi-commands.h"
#include "qapi/qapi-introspect.h"

void qmp_marshal_query_qmp_schema(json_t *args, json_t **ret, Error **errp)
{
    *ret = NULL;
    if (!qapi_in_no_args(args, errp)) {
        return;
    }
    *ret = qapi_introspect_schema();
    if (!*ret) {
        error_setg(errp, "internal error: introspection data is invalid");
    }
}
