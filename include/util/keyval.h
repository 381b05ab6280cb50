/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QEMU-style "key=value,..." option strings, turned into JSON objects.
 *
 * Syntax (what users type after -netdev, -device, -object, ...):
 *   params   = [ element { ',' element } [ ',' ] ]
 *   element  = key '=' value | word
 *   key      = fragment { '.' fragment }
 *   value    = anything up to the next single ','; ",," is a literal ','
 * An element is "key=value" when an '=' comes before the first ','.
 *
 * Keys: each fragment is 1..127 characters.  The first fragment is a name
 * ([A-Za-z][A-Za-z0-9_-]*); later fragments are names or decimal indexes
 * ("0", "1", ... without leading zeros).  At most 32 fragments per key.
 *
 * Semantics (all leaves are JSON strings):
 *   - "a.b=1" creates nested objects: {"a": {"b": "1"}}.
 *   - A key given more than once becomes an array of its values, in order:
 *     "a=1,a=2" -> {"a": ["1", "2"]}.
 *   - An object whose members are all indexes becomes an array:
 *     "a.0=x,a.1=y" -> {"a": ["x", "y"]}; indexes must be 0..n-1 with no
 *     gap ("Parameter 'a.0' missing"), and may not be mixed with names.
 *   - A key used both as a leaf and as a parent ("a=1,a.b=2") is an error.
 *
 * Words (elements without '='), following QemuOpts:
 *   - "help" or "?" asks for help: *help = true (an error when help is NULL).
 *   - The first element, if implied_key is non-NULL, is the value of
 *     implied_key ("user,id=n0" -> type=user with implied_key "type"); it
 *     may contain ",," escapes.
 *   - Any other word "X" means X=on, and "noX" means X=off (the "no" prefix
 *     is stripped whatever follows it, exactly as QemuOpts does).
 *
 * Values must be valid UTF-8 (JSON strings).  Errors are one line and name
 * the offending key or fragment (non-printable bytes escaped), e.g.
 *   Invalid parameter 'a b'      Expected '=' after parameter 'a.b'
 *   Parameters 'a.*' used inconsistently      Parameter 'a.1' missing
 */
#ifndef UTIL_KEYVAL_H
#define UTIL_KEYVAL_H

#include <stdbool.h>
#include <jansson.h>
#include "util/error.h"

#define KEYVAL_MAX_FRAGMENT_LEN 127
#define KEYVAL_MAX_FRAGMENTS    32

/*
 * Parse "implied,key=value,key2=value2".  Values stay strings; ",," inside a
 * value is a literal ','.  Dotted keys ("a.b=1") create nested objects; a key
 * repeated becomes a JSON array of its values, in order.  implied_key may be
 * NULL.  If help is non-NULL, *help is set to false, and a bare "help" or "?"
 * element sets *help=true (otherwise it is an error).  Returns a new JSON
 * object or NULL with *errp set.
 */
json_t *keyval_parse(const char *params, const char *implied_key, bool *help,
                     Error **errp);

/*
 * If arg starts with '{' (after optional whitespace) parse it as a JSON
 * object (jansson, reject duplicate keys, reject non-objects and trailing
 * garbage; *help = false), else keyval_parse().
 */
json_t *keyval_parse_or_json(const char *arg, const char *implied_key,
                             bool *help, Error **errp);

#endif
