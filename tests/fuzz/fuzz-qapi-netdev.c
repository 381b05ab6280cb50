/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz the generated QAPI input visitors with the largest union we have,
 * Netdev, in both modes: JSON text (as netdev_add and -netdev '{...}' get
 * it) and keyval text (as -netdev type=...,... gets it).  Each input must
 * give exactly one of a value or an error, and a value must convert back
 * to JSON.  Nothing is created: this is validation only.
 */
#include <stdint.h>
#include <string.h>
#include <glib.h>
#include "qapi/qapi-types.h"
#include "qapi/qapi-visit.h"
#include "util/keyval.h"

static void visit(json_t *v, QapiInputMode mode)
{
    Error *err = NULL;
    Netdev *nd = qapi_Netdev_from_json(v, mode, &err);

    if (!nd == !err) {
        __builtin_trap();
    }
    if (nd) {
        json_t *out = qapi_Netdev_to_json(nd);
        if (!out) {
            __builtin_trap();
        }
        json_decref(out);
        qapi_free_Netdev(nd);
    }
    error_free(err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = g_strndup((const char *)data, size);
    json_t *v = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);

    if (v) {
        visit(v, QAPI_INPUT_STRICT);
        json_decref(v);
    }
    v = keyval_parse(text, "type", NULL, NULL);
    if (v) {
        visit(v, QAPI_INPUT_KEYVAL);
        json_decref(v);
    }
    g_free(text);
    return 0;
}
