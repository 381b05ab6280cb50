/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Runtime support for the C code generated from the QAPI schema.
 *
 * Generated visitors convert between jansson values and C structs.  Input
 * is checked against the schema and every problem is reported with the
 * same texts QEMU's QObject input visitor uses, naming the offending member
 * by its full path ("a.b", "list[2].c"; "list.2.c" in KEYVAL mode).
 */
#ifndef QAPI_QAPI_UTIL_H
#define QAPI_QAPI_UTIL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

/*
 * How input JSON is interpreted.
 * STRICT: QMP; JSON types must match the schema types.
 * KEYVAL: command-line options; scalars usually arrive as strings and are
 *         converted (integers with base 0, sizes with suffixes, on/off/yes/
 *         no/true/false).  A scalar that receives an array (a repeated key)
 *         takes the last element; a list that receives a scalar becomes a
 *         one-element list.  Native JSON scalars are accepted too.
 */
typedef enum QapiInputMode {
    QAPI_INPUT_STRICT,
    QAPI_INPUT_KEYVAL,
} QapiInputMode;

/* JSON type of an alternate's active branch (QEMU's names). */
typedef enum QType {
    QTYPE_NONE,
    QTYPE_QNULL,
    QTYPE_QNUM,
    QTYPE_QSTRING,
    QTYPE_QDICT,
    QTYPE_QLIST,
    QTYPE_QBOOL,
    QTYPE__MAX,
} QType;

/* Value names of a generated enum, indexed by value. */
typedef struct QEnumLookup {
    const char *const *array;
    int size;
} QEnumLookup;

/* Name of @val, or NULL when it is out of range. */
const char *qapi_enum_lookup(const QEnumLookup *lookup, int val);
/*
 * Value named @buf.  When @buf is NULL return @def; when it names no value
 * set "Parameter 'value' does not accept value '<buf>'" and return @def.
 */
int qapi_enum_parse(const QEnumLookup *lookup, const char *buf, int def,
                    Error **errp);

/* One container (object or array) being visited. */
typedef struct QapiInFrame {
    struct QapiInFrame *up;
    const char *name;  /* name of the container in its parent, or NULL */
    json_t *obj;       /* the object or array (a reference is held) */
    json_t *unvisited; /* objects: members not taken yet */
    size_t index;      /* arrays: index of the element being visited */
    size_t next;       /* arrays: index of the next element */
} QapiInFrame;

/* State of one input visit. */
typedef struct QapiIn {
    QapiInputMode mode;
    QapiInFrame *top;
} QapiIn;

void qapi_in_init(QapiIn *in, QapiInputMode mode);

/* Full name of member @name of the innermost container, QEMU-style. */
char *qapi_in_full_name(const QapiIn *in, const char *name);

/* Objects: push @v (which must be an object), take members, check, pop. */
bool qapi_in_struct_begin(QapiIn *in, const char *name, json_t *v,
                          QapiInFrame *f, Error **errp);
/* Borrowed value of member @name (NULL when absent); marks it visited. */
json_t *qapi_in_take(QapiIn *in, const char *name);
/* Set "Parameter '<full name>' is missing". */
void qapi_in_missing(QapiIn *in, const char *name, Error **errp);
/* Fail with "Parameter '<key>' is unexpected" if a member was not taken. */
bool qapi_in_struct_check(QapiIn *in, Error **errp);
void qapi_in_pop(QapiIn *in);

/* Arrays: push @v, then iterate with qapi_in_list_next() until NULL. */
bool qapi_in_list_begin(QapiIn *in, const char *name, json_t *v, QapiInFrame *f,
                        Error **errp);
json_t *qapi_in_list_next(QapiIn *in);

/*
 * Scalars.  @v is the value found for member @name (NULL name inside
 * arrays).  Each returns false with *errp set when @v does not fit.
 */
bool qapi_in_str(QapiIn *in, const char *name, json_t *v, char **out,
                 Error **errp);
bool qapi_in_int(QapiIn *in, const char *name, json_t *v, int64_t *out,
                 Error **errp);
bool qapi_in_int8(QapiIn *in, const char *name, json_t *v, int8_t *out,
                  Error **errp);
bool qapi_in_int16(QapiIn *in, const char *name, json_t *v, int16_t *out,
                   Error **errp);
bool qapi_in_int32(QapiIn *in, const char *name, json_t *v, int32_t *out,
                   Error **errp);
bool qapi_in_int64(QapiIn *in, const char *name, json_t *v, int64_t *out,
                   Error **errp);
bool qapi_in_uint8(QapiIn *in, const char *name, json_t *v, uint8_t *out,
                   Error **errp);
bool qapi_in_uint16(QapiIn *in, const char *name, json_t *v, uint16_t *out,
                    Error **errp);
bool qapi_in_uint32(QapiIn *in, const char *name, json_t *v, uint32_t *out,
                    Error **errp);
bool qapi_in_uint64(QapiIn *in, const char *name, json_t *v, uint64_t *out,
                    Error **errp);
bool qapi_in_size(QapiIn *in, const char *name, json_t *v, uint64_t *out,
                  Error **errp);
bool qapi_in_number(QapiIn *in, const char *name, json_t *v, double *out,
                    Error **errp);
bool qapi_in_bool(QapiIn *in, const char *name, json_t *v, bool *out,
                  Error **errp);
/* 'any': *out is a new reference to @v. */
bool qapi_in_any(QapiIn *in, const char *name, json_t *v, json_t **out,
                 Error **errp);
/* 'null': *out is a new reference to JSON null. */
bool qapi_in_null(QapiIn *in, const char *name, json_t *v, json_t **out,
                  Error **errp);
/* Enum values: *out is the index of the value in @lookup. */
bool qapi_in_enum(QapiIn *in, const char *name, json_t *v,
                  const QEnumLookup *lookup, int *out, Error **errp);

/*
 * For alternates in KEYVAL mode: the scalar a string (or repeated key)
 * stands for, with errors suppressed.  Returns NULL when @v is no scalar.
 */
json_t *qapi_in_keyval_scalar(QapiIn *in, json_t *v);
/* Set "Invalid parameter type for '<name>', expected: <what>". */
void qapi_in_type_error(QapiIn *in, const char *name, const char *what,
                        Error **errp);

/* KEYVAL-style conversions, usable by option parsers too. */
bool qapi_parse_int64(const char *s, int64_t *out);
bool qapi_parse_uint64(const char *s, uint64_t *out);
/* Bytes, with optional B/K/M/G/T/P/E suffix (powers of 1024). */
bool qapi_parse_size(const char *s, uint64_t *out);
/* on/off/yes/no/true/false */
bool qapi_parse_bool(const char *s, bool *out);

/* Output helpers (each returns a new reference). */
json_t *qapi_str_to_json(const char *s); /* NULL gives "" */
json_t *qapi_uint64_to_json(uint64_t v);
json_t *qapi_any_to_json(json_t *v); /* NULL gives JSON null */

/*
 * Command arguments: check that @args (NULL means {}) is an object with no
 * members at all, for commands without arguments.
 */
bool qapi_in_no_args(json_t *args, Error **errp);

#endif
