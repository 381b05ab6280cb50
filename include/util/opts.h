/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Typed reads from parsed option objects.
 *
 * Options arrive as JSON objects, either from keyval_parse() (every value a
 * string, repeated keys as arrays) or from a JSON command-line argument
 * (typed values).  These helpers accept both.
 */
#ifndef UTIL_OPTS_H
#define UTIL_OPTS_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "util/error.h"

/* String value of @key (the last one when repeated); NULL if absent or not
 * a scalar.  Numbers and booleans are returned in their keyval spelling. */
const char *opts_get_str(json_t *opts, const char *key);
bool opts_has(json_t *opts, const char *key);
bool opts_get_bool(json_t *opts, const char *key, bool def, bool *out,
                   Error **errp);
bool opts_get_uint(json_t *opts, const char *key, uint64_t def, uint64_t *out,
                   Error **errp);
bool opts_get_size(json_t *opts, const char *key, uint64_t def, uint64_t *out,
                   Error **errp);
/* Error "Invalid parameter 'k'" for the first key not in @known (NULL-ended).
 */
bool opts_check_known(json_t *opts, const char *const *known, Error **errp);
/* Require @key to be present. */
bool opts_require(json_t *opts, const char *key, Error **errp);

#endif
