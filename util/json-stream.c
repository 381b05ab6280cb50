/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QMP input stream parser: a byte-at-a-time lexer feeding an incremental
 * parser with an explicit stack, so that neither deep nesting nor long
 * input can recurse or buffer without bound.  Dialect, limits and the
 * recovery rule are described in include/util/json-stream.h.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include "util/json-stream.h"

/* Longest piece of input quoted back in an error message. */
#define SHOW_MAX 40
/* Token buffer capacity kept across values; larger buffers are released. */
#define TOK_KEEP 4096

typedef enum LexState {
    LX_START,   /* between tokens */
    LX_STRING,  /* inside a string */
    LX_ESC,     /* after a backslash in a string */
    LX_UHEX,    /* reading the 4 hex digits of \uXXXX */
    LX_UTF8,    /* inside a multi-byte UTF-8 sequence in a string */
    LX_NUMBER,  /* [-0-9.eE+] run */
    LX_KEYWORD, /* [a-zA-Z] run */
} LexState;

typedef enum FrameState {
    PS_ARR_FIRST, /* after '[': value or ']' */
    PS_ARR_VALUE, /* after ',': value */
    PS_ARR_SEP,   /* after a value: ',' or ']' */
    PS_OBJ_FIRST, /* after '{': key or '}' */
    PS_OBJ_KEY,   /* after ',': key */
    PS_OBJ_COLON, /* after a key: ':' */
    PS_OBJ_VALUE, /* after ':': value */
    PS_OBJ_SEP,   /* after a value: ',' or '}' */
} FrameState;

typedef struct Frame {
    json_t *container;
    char *key; /* pending member name (objects) */
    FrameState state;
} Frame;

/* What an error does with the byte that revealed it. */
typedef enum ErrAt {
    AT_CONSUMED,   /* the byte was part of the bad input: drop it */
    AT_STRUCTURAL, /* a rejected bracket/punctuation: only nesting counts */
    AT_REPROCESS,  /* the byte has not been looked at yet */
} ErrAt;

struct JsonStream {
    JsonStreamEmit *emit;
    void *opaque;
    size_t max_bytes;
    size_t max_tokens;
    unsigned max_depth;

    /* lexer */
    LexState lex;
    GString *tok;      /* decoded string, or number/keyword text */
    char quote;        /* quote character of the current string */
    unsigned hex_left; /* \uXXXX digits still expected */
    uint32_t hex_val;
    uint32_t high; /* pending high surrogate, 0 if none */
    unsigned utf8_left;
    uint32_t utf8_cp, utf8_min;

    /* parser */
    GArray *stack; /* of Frame */
    size_t value_bytes, value_tokens;

    /* recovery: skipping the rest of a broken value */
    bool skipping;
    bool skip_in_str, skip_esc;
    char skip_quote;
    size_t skip_depth;
};

static void lex_byte(JsonStream *s, int c);

/* Quote input in a message, on one line and cut to SHOW_MAX bytes. */
static char *show(const char *p, size_t len)
{
    GString *out = g_string_new(NULL);

    for (size_t i = 0; i < len && i < SHOW_MAX; i++) {
        unsigned char c = p[i];
        if (c < 0x20 || c >= 0x7f || c == '\'' || c == '\\') {
            g_string_append_printf(out, "\\x%02x", c);
        } else {
            g_string_append_c(out, c);
        }
    }
    if (len > SHOW_MAX) {
        g_string_append(out, "...");
    }
    return g_string_free(out, false);
}

static bool lex_in_string(LexState st)
{
    return st == LX_STRING || st == LX_ESC || st == LX_UHEX || st == LX_UTF8;
}

static Frame *top(JsonStream *s)
{
    return s->stack->len ? &g_array_index(s->stack, Frame, s->stack->len - 1)
                         : NULL;
}

/* Drop the value being built and all lexer state. */
static void discard_value(JsonStream *s)
{
    for (guint i = 0; i < s->stack->len; i++) {
        Frame *f = &g_array_index(s->stack, Frame, i);
        json_decref(f->container);
        g_free(f->key);
    }
    g_array_set_size(s->stack, 0);
    if (s->tok->allocated_len > TOK_KEEP) {
        g_string_free(s->tok, true);
        s->tok = g_string_new(NULL);
    } else {
        g_string_truncate(s->tok, 0);
    }
    s->lex = LX_START;
    s->high = 0;
    s->value_bytes = 0;
    s->value_tokens = 0;
}

static void end_skip(JsonStream *s)
{
    s->skipping = false;
    s->skip_in_str = s->skip_esc = false;
    s->skip_depth = 0;
}

/*
 * Skip mode: follow strings and bracket nesting without storing anything
 * until the broken top-level value has ended.
 */
static void skip_byte(JsonStream *s, int c)
{
    if (s->skip_in_str) {
        if (s->skip_esc) {
            s->skip_esc = false;
        } else if (c == '\\') {
            s->skip_esc = true;
        } else if (c == s->skip_quote) {
            s->skip_in_str = false;
            if (!s->skip_depth) {
                end_skip(s);
            }
        }
        return;
    }
    switch (c) {
    case '"':
    case '\'':
        s->skip_in_str = true;
        s->skip_quote = c;
        s->skip_esc = false;
        break;
    case '{':
    case '[':
        s->skip_depth++;
        break;
    case '}':
    case ']':
        if (s->skip_depth) {
            s->skip_depth--;
        }
        if (!s->skip_depth) {
            end_skip(s);
        }
        break;
    case '\n':
        /* A line end is a resynchronisation point, as in QEMU's lexer:
         * line-oriented clients get the next command through even when
         * the broken value never closed. */
        end_skip(s);
        break;
    default:
        if (!s->skip_depth) {
            end_skip(s);
        }
        break;
    }
}

static void emit_error(JsonStream *s, const char *msg)
{
    Error *err = NULL;

    error_setg(&err, "%s", msg);
    s->emit(s->opaque, NULL, err);
}

/*
 * Report an error, drop the partial value and set up recovery (rule 1 in
 * json-stream.h).  @c is the byte that revealed the error, -1 for none.
 * Callers must return right away: the lexer state has been reset.
 */
static void G_GNUC_PRINTF(4, 5)
    fail(JsonStream *s, ErrAt at, int c, const char *fmt, ...)
{
    bool in_str = lex_in_string(s->lex);
    bool esc = s->lex == LX_ESC && at == AT_REPROCESS;
    size_t depth = s->stack->len;
    char quote = s->quote;
    va_list ap;
    char *msg;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    discard_value(s);
    emit_error(s, msg);
    g_free(msg);

    if (c < 0) {
        return;
    }
    if (in_str || depth > 0 || at == AT_STRUCTURAL) {
        s->skipping = true;
        s->skip_in_str = in_str;
        s->skip_esc = esc;
        s->skip_quote = quote;
        s->skip_depth = depth;
        if (at != AT_CONSUMED) {
            skip_byte(s, c);
        }
        return;
    }
    if (at == AT_REPROCESS) {
        /* Fresh counters: this cannot fail on limits again, no loop. */
        lex_byte(s, c);
    }
}

/* Rule 2: 0xFF anywhere, control characters as described in the header. */
static bool is_reset_byte(JsonStream *s, unsigned char c)
{
    bool in_str = s->skipping ? s->skip_in_str : lex_in_string(s->lex);

    if (c == 0xFF) {
        return true;
    }
    if (c >= 0x20) {
        return false;
    }
    return in_str || (c != '\t' && c != '\n' && c != '\r');
}

static void reset_byte(JsonStream *s, unsigned char c)
{
    bool in_str = lex_in_string(s->lex);

    if (!s->skipping) {
        char *shown;

        if (in_str && c == 0xFF) {
            emit_error(s, "JSON parse error, invalid UTF-8 sequence in string");
        } else if (in_str) {
            emit_error(s, "JSON parse error, control character in string");
        } else {
            shown = g_strdup_printf("JSON parse error, stray '\\x%02x'", c);
            emit_error(s, shown);
            g_free(shown);
        }
    }
    discard_value(s);
    end_skip(s);
}

/* A finished value: store it in the enclosing container, or emit it. */
static void deliver(JsonStream *s, json_t *v)
{
    Frame *f = top(s);

    if (!f) {
        s->value_bytes = 0;
        s->value_tokens = 0;
        s->emit(s->opaque, v, NULL);
        return;
    }
    if (f->state == PS_OBJ_VALUE) {
        json_object_set_new(f->container, f->key, v);
        g_free(f->key);
        f->key = NULL;
        f->state = PS_OBJ_SEP;
    } else {
        g_assert(f->state == PS_ARR_FIRST || f->state == PS_ARR_VALUE);
        json_array_append_new(f->container, v);
        f->state = PS_ARR_SEP;
    }
}

/* Why the current state cannot take a value (@is_value) or punctuation. */
static const char *state_error(JsonStream *s, bool is_value)
{
    Frame *f = top(s);

    switch (f ? f->state : PS_ARR_VALUE) {
    case PS_OBJ_COLON:
        return "missing : in object pair";
    case PS_ARR_SEP:
        return "expected separator in list";
    case PS_OBJ_SEP:
        return "expected separator in dict";
    case PS_OBJ_FIRST:
    case PS_OBJ_KEY:
        return is_value ? "key is not a string in object" : "expecting value";
    default:
        return "expecting value";
    }
}

static bool accepts_value(JsonStream *s)
{
    Frame *f = top(s);

    return !f || f->state == PS_ARR_FIRST || f->state == PS_ARR_VALUE ||
           f->state == PS_OBJ_VALUE;
}

/* A scalar token is complete. @c is the lookahead byte (or -1). */
static bool parse_scalar(JsonStream *s, json_t *v, ErrAt at, int c)
{
    if (!accepts_value(s)) {
        json_decref(v);
        fail(s, at, c, "JSON parse error, %s", state_error(s, true));
        return false;
    }
    deliver(s, v);
    return true;
}

static void parse_open(JsonStream *s, int c)
{
    Frame f = {0};

    if (!accepts_value(s)) {
        fail(s, AT_STRUCTURAL, c, "JSON parse error, %s", state_error(s, true));
        return;
    }
    if (s->stack->len + 1 > s->max_depth) {
        fail(s, AT_STRUCTURAL, c, "JSON nesting depth limit exceeded");
        return;
    }
    f.container = c == '{' ? json_object() : json_array();
    f.state = c == '{' ? PS_OBJ_FIRST : PS_ARR_FIRST;
    g_array_append_val(s->stack, f);
}

static void parse_close(JsonStream *s, int c)
{
    Frame *f = top(s);
    json_t *v;
    bool ok;

    if (c == ']') {
        ok = f && (f->state == PS_ARR_FIRST || f->state == PS_ARR_SEP);
    } else {
        ok = f && (f->state == PS_OBJ_FIRST || f->state == PS_OBJ_SEP);
    }
    if (!ok) {
        fail(s, AT_STRUCTURAL, c, "JSON parse error, %s",
             state_error(s, false));
        return;
    }
    v = f->container;
    g_array_set_size(s->stack, s->stack->len - 1);
    deliver(s, v);
}

static void parse_punct(JsonStream *s, int c)
{
    Frame *f = top(s);

    if (c == ':' && f && f->state == PS_OBJ_COLON) {
        f->state = PS_OBJ_VALUE;
    } else if (c == ',' && f && f->state == PS_ARR_SEP) {
        f->state = PS_ARR_VALUE;
    } else if (c == ',' && f && f->state == PS_OBJ_SEP) {
        f->state = PS_OBJ_KEY;
    } else {
        fail(s, AT_STRUCTURAL, c, "JSON parse error, %s",
             state_error(s, false));
    }
}

/* A string token ended at its closing quote: a member name or a value. */
static void parse_string_done(JsonStream *s, int c)
{
    Frame *f = top(s);
    json_t *v;

    s->lex = LX_START;
    if (f && (f->state == PS_OBJ_FIRST || f->state == PS_OBJ_KEY)) {
        if (json_object_get(f->container, s->tok->str)) {
            fail(s, AT_CONSUMED, c, "JSON parse error, duplicate key");
            return;
        }
        f->key = g_strndup(s->tok->str, s->tok->len);
        f->state = PS_OBJ_COLON;
        return;
    }
    /* Validated UTF-8 without NUL, so jansson cannot refuse it. */
    v = json_stringn(s->tok->str, s->tok->len);
    g_assert(v);
    parse_scalar(s, v, AT_CONSUMED, c);
}

/* RFC 8259 number grammar; *is_int when there is no fraction/exponent. */
static bool number_valid(const char *p, bool *is_int)
{
    *is_int = true;
    if (*p == '-') {
        p++;
    }
    if (*p == '0') {
        p++;
    } else if (*p >= '1' && *p <= '9') {
        while (g_ascii_isdigit(*p)) {
            p++;
        }
    } else {
        return false;
    }
    if (*p == '.') {
        *is_int = false;
        if (!g_ascii_isdigit(*++p)) {
            return false;
        }
        while (g_ascii_isdigit(*p)) {
            p++;
        }
    }
    if (*p == 'e' || *p == 'E') {
        *is_int = false;
        p++;
        if (*p == '+' || *p == '-') {
            p++;
        }
        if (!g_ascii_isdigit(*p)) {
            return false;
        }
        while (g_ascii_isdigit(*p)) {
            p++;
        }
    }
    return *p == '\0';
}

/* int64 when it fits, else double, as QEMU does (it has no uint64 here). */
static json_t *number_value(const char *text)
{
    bool is_int;
    double d;

    if (!number_valid(text, &is_int)) {
        return NULL;
    }
    if (is_int) {
        long long v;
        errno = 0;
        v = strtoll(text, NULL, 10);
        if (errno != ERANGE) {
            return json_integer(v);
        }
    }
    d = g_ascii_strtod(text, NULL);
    return isfinite(d) ? json_real(d) : NULL;
}

static json_t *keyword_value(const char *text)
{
    if (!strcmp(text, "true")) {
        return json_true();
    }
    if (!strcmp(text, "false")) {
        return json_false();
    }
    if (!strcmp(text, "null")) {
        return json_null();
    }
    return NULL;
}

/* A number or keyword ended (lookahead @c, or -1 at flush). */
static bool finish_scalar(JsonStream *s, int c)
{
    bool number = s->lex == LX_NUMBER;
    json_t *v;
    char *shown;

    s->lex = LX_START;
    v = number ? number_value(s->tok->str) : keyword_value(s->tok->str);
    if (!v) {
        shown = show(s->tok->str, s->tok->len);
        if (!number) {
            fail(s, AT_REPROCESS, c, "JSON parse error, invalid keyword '%s'",
                 shown);
        } else if (number_valid(s->tok->str, &(bool){0})) {
            fail(s, AT_REPROCESS, c,
                 "JSON parse error, number '%s' is out of range", shown);
        } else {
            fail(s, AT_REPROCESS, c, "JSON parse error, invalid number '%s'",
                 shown);
        }
        g_free(shown);
        return false;
    }
    g_string_truncate(s->tok, 0);
    return parse_scalar(s, v, AT_REPROCESS, c);
}

/* Count a byte of the current value against max_bytes. */
static bool count_byte(JsonStream *s, int c)
{
    if (++s->value_bytes > s->max_bytes) {
        fail(s, AT_REPROCESS, c, "JSON token size limit exceeded");
        return false;
    }
    return true;
}

static void start_string(JsonStream *s, int c)
{
    s->lex = LX_STRING;
    s->quote = c;
    s->high = 0;
    g_string_truncate(s->tok, 0);
}

static void start_byte(JsonStream *s, int c)
{
    char *shown;

    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        if (s->stack->len) {
            count_byte(s, c);
        }
        return;
    }
    if (!count_byte(s, c)) {
        return;
    }
    if (++s->value_tokens > s->max_tokens) {
        fail(s, AT_REPROCESS, c, "JSON token count limit exceeded");
        return;
    }
    switch (c) {
    case '{':
    case '[':
        parse_open(s, c);
        return;
    case '}':
    case ']':
        parse_close(s, c);
        return;
    case ':':
    case ',':
        parse_punct(s, c);
        return;
    case '"':
    case '\'':
        start_string(s, c);
        return;
    }
    if (c == '-' || g_ascii_isdigit(c) || g_ascii_isalpha(c)) {
        s->lex = g_ascii_isalpha(c) ? LX_KEYWORD : LX_NUMBER;
        g_string_truncate(s->tok, 0);
        g_string_append_c(s->tok, c);
        return;
    }
    shown = show((const char *)&(char){c}, 1);
    fail(s, AT_STRUCTURAL, c, "JSON parse error, stray '%s'", shown);
    g_free(shown);
}

static void append_utf8(JsonStream *s, uint32_t cp)
{
    char buf[6];
    int n = g_unichar_to_utf8(cp, buf);

    g_string_append_len(s->tok, buf, n);
}

/* The 4th hex digit of \uXXXX arrived. */
static void unicode_escape_done(JsonStream *s, int c)
{
    uint32_t cp = s->hex_val;

    s->lex = LX_STRING;
    if (s->high) {
        uint32_t high = s->high;
        s->high = 0;
        if (cp < 0xDC00 || cp > 0xDFFF) {
            fail(s, AT_CONSUMED, c,
                 "JSON parse error, \\u%04X\\u%04X is not a valid Unicode "
                 "character",
                 high, cp);
            return;
        }
        append_utf8(s, 0x10000 + ((high - 0xD800) << 10) + (cp - 0xDC00));
    } else if (cp >= 0xD800 && cp <= 0xDBFF) {
        s->high = cp; /* a \uDC00-\uDFFF must follow at once */
    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
        fail(s, AT_CONSUMED, c,
             "JSON parse error, \\u%04X is not a valid Unicode character", cp);
    } else if (cp == 0) {
        fail(s, AT_CONSUMED, c,
             "JSON parse error, \\u0000 is not allowed in string");
    } else {
        append_utf8(s, cp);
    }
}

static void lone_high_surrogate(JsonStream *s, int c)
{
    fail(s, AT_REPROCESS, c,
         "JSON parse error, \\u%04X is not a valid Unicode character", s->high);
}

static void escape_byte(JsonStream *s, int c)
{
    static const char simple[] = "\"'\\/bfnrt";
    static const char decoded[] = "\"'\\/\b\f\n\r\t";
    const char *p;

    if (s->high && c != 'u') {
        lone_high_surrogate(s, c);
        return;
    }
    if (c == 'u') {
        s->lex = LX_UHEX;
        s->hex_left = 4;
        s->hex_val = 0;
        return;
    }
    p = c ? strchr(simple, c) : NULL;
    if (!p) {
        fail(s, AT_CONSUMED, c,
             "JSON parse error, invalid escape sequence in string");
        return;
    }
    g_string_append_c(s->tok, decoded[p - simple]);
    s->lex = LX_STRING;
}

static void hex_byte(JsonStream *s, int c)
{
    if (!g_ascii_isxdigit(c)) {
        fail(s, AT_REPROCESS, c,
             "JSON parse error, invalid \\u escape sequence in string");
        return;
    }
    s->hex_val = s->hex_val * 16 + g_ascii_xdigit_value(c);
    if (--s->hex_left == 0) {
        unicode_escape_done(s, c);
    }
}

static void utf8_lead(JsonStream *s, int c)
{
    if (c >= 0xC2 && c <= 0xDF) {
        s->utf8_left = 1, s->utf8_min = 0x80, s->utf8_cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        s->utf8_left = 2, s->utf8_min = 0x800, s->utf8_cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        s->utf8_left = 3, s->utf8_min = 0x10000, s->utf8_cp = c & 0x07;
    } else {
        fail(s, AT_CONSUMED, c,
             "JSON parse error, invalid UTF-8 sequence in string");
        return;
    }
    g_string_append_c(s->tok, c);
    s->lex = LX_UTF8;
}

static void utf8_cont(JsonStream *s, int c)
{
    uint32_t cp;

    if ((c & 0xC0) != 0x80) {
        fail(s, AT_REPROCESS, c,
             "JSON parse error, invalid UTF-8 sequence in string");
        return;
    }
    g_string_append_c(s->tok, c);
    s->utf8_cp = (s->utf8_cp << 6) | (c & 0x3F);
    if (--s->utf8_left) {
        return;
    }
    cp = s->utf8_cp;
    if (cp < s->utf8_min || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
        fail(s, AT_CONSUMED, c,
             "JSON parse error, invalid UTF-8 sequence in string");
        return;
    }
    s->lex = LX_STRING;
}

static void string_byte(JsonStream *s, int c)
{
    if (s->high && c != '\\') {
        lone_high_surrogate(s, c);
    } else if (c == s->quote) {
        parse_string_done(s, c);
    } else if (c == '\\') {
        s->lex = LX_ESC;
    } else if (c < 0x80) {
        g_string_append_c(s->tok, c);
    } else {
        utf8_lead(s, c);
    }
}

static bool scalar_continues(LexState st, int c)
{
    if (st == LX_KEYWORD) {
        return g_ascii_isalpha(c);
    }
    return g_ascii_isdigit(c) || c == '-' || c == '+' || c == '.' || c == 'e' ||
           c == 'E';
}

static void lex_byte(JsonStream *s, int c)
{
    if (s->lex == LX_NUMBER || s->lex == LX_KEYWORD) {
        if (scalar_continues(s->lex, c)) {
            if (count_byte(s, c)) {
                g_string_append_c(s->tok, c);
            }
            return;
        }
        if (!finish_scalar(s, c)) {
            return; /* fail() took care of @c */
        }
    }
    if (s->lex == LX_START) {
        start_byte(s, c);
        return;
    }
    if (!count_byte(s, c)) {
        return;
    }
    switch (s->lex) {
    case LX_STRING:
        string_byte(s, c);
        break;
    case LX_ESC:
        escape_byte(s, c);
        break;
    case LX_UHEX:
        hex_byte(s, c);
        break;
    case LX_UTF8:
        utf8_cont(s, c);
        break;
    default:
        g_assert_not_reached();
    }
}

JsonStream *json_stream_new(JsonStreamEmit *emit, void *opaque,
                            size_t max_bytes, unsigned max_depth)
{
    JsonStream *s = g_new0(JsonStream, 1);

    s->emit = emit;
    s->opaque = opaque;
    s->max_bytes = max_bytes ? max_bytes : JSON_STREAM_DEFAULT_MAX_BYTES;
    s->max_depth = max_depth ? max_depth : JSON_STREAM_DEFAULT_MAX_DEPTH;
    /* Each token costs a few dozen bytes of jansson memory at most. */
    s->max_tokens = s->max_bytes / 32 + 1024;
    s->tok = g_string_new(NULL);
    s->stack = g_array_new(false, false, sizeof(Frame));
    s->lex = LX_START;
    return s;
}

void json_stream_feed(JsonStream *s, const char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = buf[i];

        if (is_reset_byte(s, c)) {
            reset_byte(s, c);
        } else if (s->skipping) {
            skip_byte(s, c);
        } else {
            lex_byte(s, c);
        }
    }
}

void json_stream_flush(JsonStream *s)
{
    if (s->skipping) {
        /* The broken value was reported when the error was found. */
        discard_value(s);
        end_skip(s);
        return;
    }
    if (s->lex == LX_NUMBER || s->lex == LX_KEYWORD) {
        if (!finish_scalar(s, -1)) {
            return;
        }
    }
    if (s->stack->len || s->lex != LX_START) {
        fail(s, AT_CONSUMED, -1, "JSON parse error, premature EOI");
    }
    discard_value(s);
}

void json_stream_free(JsonStream *s)
{
    if (!s) {
        return;
    }
    discard_value(s);
    g_string_free(s->tok, true);
    g_array_free(s->stack, true);
    g_free(s);
}
