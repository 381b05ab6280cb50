/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Incremental splitter/parser for the QMP input stream.
 *
 * Bytes arrive in arbitrary pieces; every complete top-level JSON value
 * (object, array, string, number, true/false/null) is handed to the emit
 * callback as soon as it is complete.  Objects, arrays and strings complete
 * at their closing character; numbers and keywords when the next character
 * (or json_stream_flush()) shows they have ended.
 *
 * Dialect (QEMU's): RFC 8259 JSON plus single-quoted strings ('...', where
 * an unescaped " is allowed and \' is an escape; \' is accepted in "..."
 * too).  Strings must be valid UTF-8 without raw control characters;
 * \uXXXX escapes must form valid code points (surrogates only as a proper
 * pair); \u0000 is rejected because C consumers would truncate at it.
 * Integers that fit int64 become JSON integers, larger ones doubles.
 * Duplicate object keys are an error.
 *
 * Errors are reported as "JSON parse error, ..." (syntax), "JSON token size
 * limit exceeded" (more than max_bytes in one value), "JSON token count
 * limit exceeded" (more than max_bytes/32 + 1024 tokens in one value, which
 * bounds the memory of the value being built) and "JSON nesting depth limit
 * exceeded" (more than max_depth open brackets).
 *
 * Recovery rule, so that the next well-formed command works:
 *  1. On an error the partial value is dropped and exactly one error is
 *     emitted.  If the error happened inside brackets or a string, input is
 *     then skipped - still tracking strings and bracket nesting, but storing
 *     nothing - up to the end of the broken top-level value (the quote or
 *     bracket that closes it) or the next newline outside a string,
 *     whichever comes first.  Parsing resumes right after it.
 *  2. A reset byte discards everything and parsing resumes at the next byte:
 *     0xFF anywhere (never valid UTF-8; the QMP spec's way to resync), any
 *     control character 0x00-0x1F inside a string, and any control character
 *     other than \t \n \r outside one.  It emits an error unless the input
 *     was already being skipped after an earlier error.
 *  3. json_stream_flush() completes a pending number/keyword, reports an
 *     unfinished value as "JSON parse error, premature EOI" and resets.
 * Memory stays bounded: nothing is stored while skipping, and the value
 * being built is limited by max_bytes and the token count.
 */
#ifndef UTIL_JSON_STREAM_H
#define UTIL_JSON_STREAM_H

#include <stddef.h>
#include <jansson.h>
#include "util/error.h"

#define JSON_STREAM_DEFAULT_MAX_BYTES (64u << 20)
#define JSON_STREAM_DEFAULT_MAX_DEPTH 1024u

typedef struct JsonStream JsonStream;

/*
 * Exactly one of value/err is non-NULL; the callee owns both.  The callback
 * must not call json_stream_feed/flush/free on the same stream.
 */
typedef void JsonStreamEmit(void *opaque, json_t *value, Error *err);

/* max_bytes == 0 / max_depth == 0 select the defaults above. */
JsonStream *json_stream_new(JsonStreamEmit *emit, void *opaque,
                            size_t max_bytes, unsigned max_depth);
void json_stream_feed(JsonStream *s, const char *buf, size_t len);
void json_stream_flush(JsonStream *s);
void json_stream_free(JsonStream *s);

#endif
