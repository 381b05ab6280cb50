/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: the QMP JSON stream parser.
 *
 * Input: 4 header bytes, then the stream.
 *   byte 0: limits (bit 0: small max_bytes, bit 1: small max_depth)
 *   byte 1: the small max_bytes / max_depth values
 *   bytes 2-3: seed for the chunk sizes the stream is fed in
 * Invariants checked:
 *   - each emit has exactly one of value/error; errors are one line and
 *     start with "JSON "; values serialize and respect max_depth;
 *   - the emitted sequence does not depend on how the input is chunked
 *     (fed in one piece vs. in pieces of 1..64 bytes);
 *   - if jansson accepts the whole input as one standard JSON document
 *     and no limit was hit, the stream emits exactly that one value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include "util/json-stream.h"

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "invariant failed: %s (%s:%d)\n", #cond, __FILE__, \
                    __LINE__);                                                 \
            abort();                                                           \
        }                                                                      \
    } while (0)

typedef struct Log {
    GPtrArray *items; /* dumps of values, "E:" + messages */
    json_t *first;    /* first emitted value, for the jansson comparison */
    unsigned max_depth;
    bool limit_hit;
} Log;

static unsigned depth_of(json_t *v)
{
    unsigned d = 0, sub;
    const char *key;
    json_t *m;
    size_t i;

    if (json_is_object(v)) {
        json_object_foreach(v, key, m)
        {
            sub = depth_of(m);
            d = sub > d ? sub : d;
        }
        return d + 1;
    }
    if (json_is_array(v)) {
        json_array_foreach(v, i, m)
        {
            sub = depth_of(m);
            d = sub > d ? sub : d;
        }
        return d + 1;
    }
    return 0;
}

static void log_emit(void *opaque, json_t *value, Error *err)
{
    Log *log = opaque;

    CHECK((value == NULL) != (err == NULL));
    if (value) {
        char *dump = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
        CHECK(dump);
        CHECK(depth_of(value) <= log->max_depth);
        g_ptr_array_add(log->items, g_strdup(dump));
        free(dump);
        if (!log->first && log->items->len == 1) {
            log->first = json_incref(value);
        }
        json_decref(value);
    } else {
        const char *msg = error_get_pretty(err);
        CHECK(msg && g_str_has_prefix(msg, "JSON "));
        CHECK(!strchr(msg, '\n'));
        if (strstr(msg, "limit exceeded")) {
            log->limit_hit = true;
        }
        g_ptr_array_add(log->items, g_strconcat("E:", msg, NULL));
        error_free(err);
    }
}

static void log_init(Log *log, unsigned max_depth)
{
    log->items = g_ptr_array_new_with_free_func(g_free);
    log->first = NULL;
    log->max_depth = max_depth;
    log->limit_hit = false;
}

static void log_clear(Log *log)
{
    g_ptr_array_free(log->items, true);
    json_decref(log->first);
}

/* Small deterministic generator for chunk sizes. */
static uint32_t next_rand(uint32_t *state)
{
    uint32_t x = *state;

    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}

static void run(Log *log, const char *buf, size_t len, size_t max_bytes,
                unsigned max_depth, uint32_t seed)
{
    JsonStream *js = json_stream_new(log_emit, log, max_bytes, max_depth);

    if (!seed) {
        json_stream_feed(js, buf, len);
    } else {
        size_t pos = 0;
        while (pos < len) {
            size_t n = 1 + next_rand(&seed) % 64;
            n = n > len - pos ? len - pos : n;
            json_stream_feed(js, buf + pos, n);
            pos += n;
        }
    }
    json_stream_flush(js);
    json_stream_free(js);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data + 4;
    size_t len, max_bytes = 0;
    unsigned max_depth = 0, eff_depth;
    uint32_t seed;
    Log whole, pieces;
    json_t *ref;

    if (size < 4 || size > 65536) {
        return 0;
    }
    len = size - 4;
    if (data[0] & 1) {
        max_bytes = 1 + data[1] * 4;
    }
    if (data[0] & 2) {
        max_depth = 1 + data[1] % 32;
    }
    eff_depth = max_depth ? max_depth : JSON_STREAM_DEFAULT_MAX_DEPTH;
    seed = (data[2] | data[3] << 8) + 1;

    log_init(&whole, eff_depth);
    log_init(&pieces, eff_depth);
    run(&whole, buf, len, max_bytes, max_depth, 0);
    run(&pieces, buf, len, max_bytes, max_depth, seed);

    CHECK(whole.items->len == pieces.items->len);
    for (guint i = 0; i < whole.items->len; i++) {
        CHECK(!strcmp(g_ptr_array_index(whole.items, i),
                      g_ptr_array_index(pieces.items, i)));
    }

    /*
     * Differential check against jansson for plain standard JSON.  jansson
     * takes an embedded NUL for the end of input, so such input is left out.
     */
    ref = memchr(buf, 0, len)
              ? NULL
              : json_loadb(buf, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES,
                           NULL);
    if (ref && !whole.limit_hit) {
        CHECK(whole.items->len == 1);
        CHECK(whole.first && json_equal(ref, whole.first));
    }
    json_decref(ref);

    log_clear(&whole);
    log_clear(&pieces);
    return 0;
}
