/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qtest server.  One request per line, one reply line each:
 * "OK [value]" or "FAIL reason"; "IRQ raise N" / "IRQ lower N" may be sent
 * at any time.  Where QEMU would assert on bad arguments we answer FAIL,
 * and the session goes on.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include "hw/core/irq.h"
#include "system/memory.h"
#include "system/qtest.h"
#include "util/timer.h"

/* Longest request line we buffer (b64write of a few MiB fits). */
#define QTEST_MAX_LINE (64u << 20)
/* Largest single read/memset, so one request cannot exhaust memory. */
#define QTEST_MAX_ACCESS (16u << 20)
#define QTEST_MAX_IRQ    256

typedef struct QTestState {
    Chardev *chr;
    GString *line;
    bool discarding; /* dropping the rest of an over-long line */
    FILE *log;
    GTimer *timer;
    int irq_levels[QTEST_MAX_IRQ];
    bool attached;
} QTestState;

static QTestState *qts;

static void qtest_log(char tag, const char *text)
{
    if (qts->log) {
        fprintf(qts->log, "[%c +%f] %s\n", tag,
                g_timer_elapsed(qts->timer, NULL), text);
        fflush(qts->log);
    }
}

static void G_GNUC_PRINTF(1, 2) qtest_reply(const char *fmt, ...)
{
    va_list ap;
    char *text;

    va_start(ap, fmt);
    text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    qtest_log('S', text);
    chardev_write(qts->chr, text, strlen(text));
    chardev_write(qts->chr, "\n", 1);
    g_free(text);
}

static void qtest_irq_handler(void *opaque, int n, int level)
{
    if (n < 0 || n >= QTEST_MAX_IRQ || !!level == qts->irq_levels[n]) {
        return;
    }
    qts->irq_levels[n] = !!level;
    qtest_reply("IRQ %s %d", level ? "raise" : "lower", n);
}

static bool parse_num(const char *s, uint64_t *out)
{
    char *end;

    if (!s || !*s || *s == '-') {
        return false;
    }
    errno = 0;
    *out = strtoull(s, &end, 0);
    return !errno && *end == '\0';
}

static bool want_args(gchar **w, int n)
{
    int have = g_strv_length(w) - 1;
    if (have != n) {
        qtest_reply("FAIL %s takes %d argument%s", w[0], n, n == 1 ? "" : "s");
        return false;
    }
    return true;
}

static void cmd_out(gchar **w, int size)
{
    uint64_t addr, val;

    if (!want_args(w, 2)) {
        return;
    }
    if (!parse_num(w[1], &addr) || !parse_num(w[2], &val) || addr > 0xffff) {
        qtest_reply("FAIL invalid port or value");
        return;
    }
    if (!address_space_st(address_space_io, addr, size, val)) {
        qtest_reply("FAIL no I/O port at 0x%" PRIx64, addr);
        return;
    }
    qtest_reply("OK");
}

static void cmd_in(gchar **w, int size)
{
    uint64_t addr, val;

    if (!want_args(w, 1)) {
        return;
    }
    if (!parse_num(w[1], &addr) || addr > 0xffff) {
        qtest_reply("FAIL invalid port");
        return;
    }
    if (!address_space_ld(address_space_io, addr, size, &val)) {
        qtest_reply("FAIL no I/O port at 0x%" PRIx64, addr);
        return;
    }
    qtest_reply("OK 0x%04" PRIx64, val);
}

static void cmd_write_scalar(gchar **w, int size)
{
    uint64_t addr, val;

    if (!want_args(w, 2)) {
        return;
    }
    if (!parse_num(w[1], &addr) || !parse_num(w[2], &val)) {
        qtest_reply("FAIL invalid address or value");
        return;
    }
    /* The target (riscv64) is little-endian, as address_space_st is. */
    if (!address_space_st(address_space_memory, addr, size, val)) {
        qtest_reply("FAIL address 0x%" PRIx64 " is not mapped", addr);
        return;
    }
    qtest_reply("OK");
}

static void cmd_read_scalar(gchar **w, int size)
{
    uint64_t addr, val;

    if (!want_args(w, 1)) {
        return;
    }
    if (!parse_num(w[1], &addr)) {
        qtest_reply("FAIL invalid address");
        return;
    }
    if (!address_space_ld(address_space_memory, addr, size, &val)) {
        qtest_reply("FAIL address 0x%" PRIx64 " is not mapped", addr);
        return;
    }
    qtest_reply("OK 0x%016" PRIx64, val);
}

static bool parse_range(gchar **w, uint64_t *addr, uint64_t *size, bool zero_ok)
{
    if (!parse_num(w[1], addr) || !parse_num(w[2], size)) {
        qtest_reply("FAIL invalid address or size");
        return false;
    }
    if ((!zero_ok && *size == 0) || *size > QTEST_MAX_ACCESS) {
        qtest_reply("FAIL size must be 1..%u", QTEST_MAX_ACCESS);
        return false;
    }
    return true;
}

static uint8_t *read_range(gchar **w, uint64_t *size)
{
    uint64_t addr;
    uint8_t *buf;

    if (!want_args(w, 2) || !parse_range(w, &addr, size, false)) {
        return NULL;
    }
    buf = g_malloc(*size);
    if (!address_space_read(address_space_memory, addr, buf, *size)) {
        qtest_reply("FAIL range at 0x%" PRIx64 " is not mapped", addr);
        g_free(buf);
        return NULL;
    }
    return buf;
}

static void cmd_read(gchar **w)
{
    uint64_t size;
    uint8_t *buf = read_range(w, &size);
    GString *hex;

    if (!buf) {
        return;
    }
    hex = g_string_sized_new(size * 2 + 3);
    g_string_append(hex, "OK 0x");
    for (uint64_t i = 0; i < size; i++) {
        g_string_append_printf(hex, "%02x", buf[i]);
    }
    qtest_reply("%s", hex->str);
    g_string_free(hex, TRUE);
    g_free(buf);
}

static void cmd_b64read(gchar **w)
{
    uint64_t size;
    uint8_t *buf = read_range(w, &size);
    gchar *b64;

    if (!buf) {
        return;
    }
    b64 = g_base64_encode(buf, size);
    qtest_reply("OK %s", b64);
    g_free(b64);
    g_free(buf);
}

static int hex_digit(char c)
{
    return g_ascii_xdigit_value(c);
}

static void cmd_write(gchar **w)
{
    uint64_t addr, size, len;
    const char *data;
    uint8_t *buf;

    if (!want_args(w, 3) || !parse_range(w, &addr, &size, false)) {
        return;
    }
    data = w[3];
    if (strlen(data) < 3) {
        qtest_reply("ERR invalid argument size");
        return;
    }
    if (data[0] != '0' || (data[1] != 'x' && data[1] != 'X')) {
        qtest_reply("FAIL data must start with 0x");
        return;
    }
    data += 2;
    len = strlen(data);
    buf = g_malloc0(size); /* data shorter than size leaves zeros */
    for (uint64_t i = 0; i < size && 2 * i < len; i++) {
        int hi = hex_digit(data[2 * i]);
        int lo = 2 * i + 1 < len ? hex_digit(data[2 * i + 1]) : 0;
        if (hi < 0 || lo < 0) {
            qtest_reply("FAIL invalid hex data");
            g_free(buf);
            return;
        }
        buf[i] = hi << 4 | lo;
    }
    if (!address_space_write(address_space_memory, addr, buf, size)) {
        qtest_reply("FAIL range at 0x%" PRIx64 " is not mapped", addr);
    } else {
        qtest_reply("OK");
    }
    g_free(buf);
}

static void cmd_b64write(gchar **w)
{
    uint64_t addr, size;
    gsize len;
    guchar *data;

    if (!want_args(w, 3) || !parse_range(w, &addr, &size, false)) {
        return;
    }
    if (strlen(w[3]) < 3) {
        qtest_reply("ERR invalid argument size");
        return;
    }
    data = g_base64_decode(w[3], &len);
    if (len != size) {
        qtest_log('I', "b64write: decoded length differs from size");
    }
    if (!address_space_write(address_space_memory, addr, data,
                             MIN(len, size))) {
        qtest_reply("FAIL range at 0x%" PRIx64 " is not mapped", addr);
    } else {
        qtest_reply("OK");
    }
    g_free(data);
}

static void cmd_memset(gchar **w)
{
    uint64_t addr, size, val;

    if (!want_args(w, 3) || !parse_range(w, &addr, &size, true)) {
        return;
    }
    if (!parse_num(w[3], &val) || val > 0xff) {
        qtest_reply("FAIL invalid byte value");
        return;
    }
    if (size && !address_space_set(address_space_memory, addr, val, size)) {
        qtest_reply("FAIL range at 0x%" PRIx64 " is not mapped", addr);
        return;
    }
    qtest_reply("OK");
}

static void cmd_clock_step(gchar **w)
{
    int64_t now = clock_get_ns(QEMU_CLOCK_VIRTUAL), target;
    uint64_t ns;

    if (!clock_virtual_is_manual()) {
        qtest_reply("FAIL clock_step needs the qtest accelerator");
        return;
    }
    if (w[1]) {
        if (w[2] || !parse_num(w[1], &ns) || ns > INT64_MAX - (uint64_t)now) {
            qtest_reply("FAIL could not advance time");
            return;
        }
        target = now + ns;
    } else {
        target = clock_deadline_ns(QEMU_CLOCK_VIRTUAL);
        if (target < 0) {
            qtest_reply("FAIL cannot advance clock to the next deadline "
                        "because there is no pending deadline");
            return;
        }
    }
    clock_virtual_advance_to(target);
    qtest_reply("OK %" PRIi64, clock_get_ns(QEMU_CLOCK_VIRTUAL));
}

static void cmd_clock_set(gchar **w)
{
    uint64_t ns;

    if (!want_args(w, 1)) {
        return;
    }
    if (!clock_virtual_is_manual()) {
        qtest_reply("FAIL clock_set needs the qtest accelerator");
        return;
    }
    if (!parse_num(w[1], &ns) || ns > INT64_MAX ||
        (int64_t)ns < clock_get_ns(QEMU_CLOCK_VIRTUAL)) {
        qtest_reply("FAIL %s", w[1]);
        return;
    }
    clock_virtual_advance_to(ns);
    qtest_reply("OK %" PRIi64, clock_get_ns(QEMU_CLOCK_VIRTUAL));
}

static void reply_gpio(GpioFind r)
{
    switch (r) {
    case GPIO_OK:
        qtest_reply("OK");
        break;
    case GPIO_UNKNOWN_DEVICE:
        qtest_reply("FAIL Unknown device");
        break;
    case GPIO_ALREADY_INTERCEPTED:
        qtest_reply("FAIL IRQ intercept already enabled");
        break;
    case GPIO_NONE:
        qtest_reply("FAIL No intercepts installed");
        break;
    }
}

static void cmd_irq_intercept(gchar **w, bool inputs)
{
    int n = g_strv_length(w) - 1;

    if (n < 1 || n > (inputs ? 1 : 2)) {
        qtest_reply("FAIL %s takes a device path%s", w[0],
                    inputs ? "" : " and an optional name");
        return;
    }
    reply_gpio(gpio_intercept(w[1], inputs, inputs ? NULL : w[2],
                              qtest_irq_handler, NULL));
}

static void cmd_set_irq_in(gchar **w)
{
    uint64_t num;
    int64_t level;
    char *end;

    if (!want_args(w, 4)) {
        return;
    }
    level = strtoll(w[4], &end, 0);
    if (!parse_num(w[3], &num) || num > INT32_MAX || *end || !w[4][0]) {
        qtest_reply("FAIL invalid line number or level");
        return;
    }
    reply_gpio(gpio_set_in(w[1], w[2], num, level != 0));
}

typedef struct QTestCmd {
    const char *name;
    void (*fn)(gchar **w);
} QTestCmd;

static void cmd_endianness(gchar **w)
{
    qtest_reply("OK little");
}

static void cmd_module_load(gchar **w)
{
    qtest_reply("FAIL this build has no loadable modules");
}

static void cmd_irq_in(gchar **w)
{
    cmd_irq_intercept(w, true);
}

static void cmd_irq_out(gchar **w)
{
    cmd_irq_intercept(w, false);
}

static const QTestCmd qtest_cmds[] = {
    {"read", cmd_read},
    {"write", cmd_write},
    {"b64read", cmd_b64read},
    {"b64write", cmd_b64write},
    {"memset", cmd_memset},
    {"endianness", cmd_endianness},
    {"clock_step", cmd_clock_step},
    {"clock_set", cmd_clock_set},
    {"irq_intercept_in", cmd_irq_in},
    {"irq_intercept_out", cmd_irq_out},
    {"set_irq_in", cmd_set_irq_in},
    {"module_load", cmd_module_load},
    {NULL},
};

typedef struct ScalarCmd {
    const char *name;
    void (*fn)(gchar **w, int size);
    int size;
} ScalarCmd;

static const ScalarCmd scalar_cmds[] = {
    {"outb", cmd_out, 1},
    {"outw", cmd_out, 2},
    {"outl", cmd_out, 4},
    {"inb", cmd_in, 1},
    {"inw", cmd_in, 2},
    {"inl", cmd_in, 4},
    {"writeb", cmd_write_scalar, 1},
    {"writew", cmd_write_scalar, 2},
    {"writel", cmd_write_scalar, 4},
    {"writeq", cmd_write_scalar, 8},
    {"readb", cmd_read_scalar, 1},
    {"readw", cmd_read_scalar, 2},
    {"readl", cmd_read_scalar, 4},
    {"readq", cmd_read_scalar, 8},
    {NULL},
};

static void qtest_process_line(char *line)
{
    gchar **raw = g_strsplit(line, " ", -1);
    gchar **w = g_new0(gchar *, g_strv_length(raw) + 1);
    int n = 0;

    for (int i = 0; raw[i]; i++) {
        if (raw[i][0]) {
            w[n++] = raw[i];
        }
    }
    if (n == 0) {
        goto out; /* blank line */
    }
    qtest_log('R', line);
    for (const ScalarCmd *c = scalar_cmds; c->name; c++) {
        if (!strcmp(c->name, w[0])) {
            c->fn(w, c->size);
            goto out;
        }
    }
    for (const QTestCmd *c = qtest_cmds; c->name; c++) {
        if (!strcmp(c->name, w[0])) {
            c->fn(w);
            goto out;
        }
    }
    qtest_reply("FAIL Unknown command '%s'", w[0]);
out:
    g_free(w);
    g_strfreev(raw);
}

static size_t qtest_can_read(void *opaque)
{
    return 65536;
}

static void qtest_read(void *opaque, const uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (buf[i] != '\n') {
            if (qts->discarding) {
                continue;
            }
            if (qts->line->len >= QTEST_MAX_LINE) {
                qts->discarding = true;
                g_string_truncate(qts->line, 0);
                continue;
            }
            g_string_append_c(qts->line, buf[i]);
            continue;
        }
        if (qts->discarding) {
            qts->discarding = false;
            qtest_reply("FAIL line too long");
            continue;
        }
        if (qts->line->len && qts->line->str[qts->line->len - 1] == '\r') {
            g_string_truncate(qts->line, qts->line->len - 1);
        }
        qtest_process_line(qts->line->str);
        g_string_truncate(qts->line, 0);
    }
}

static void qtest_event(void *opaque, ChrEvent event)
{
    if (event == CHR_EVENT_OPENED) {
        /* A new session starts with every line low and a fresh log clock. */
        memset(qts->irq_levels, 0, sizeof(qts->irq_levels));
        g_timer_start(qts->timer);
        qtest_log('I', "OPENED");
    } else {
        qtest_log('I', "CLOSED");
    }
    g_string_truncate(qts->line, 0);
    qts->discarding = false;
}

bool qtest_server_start(Chardev *chr, const char *log_path, Error **errp)
{
    qts = g_new0(QTestState, 1);
    qts->chr = chr;
    qts->line = g_string_new(NULL);
    qts->timer = g_timer_new();
    if (log_path) {
        qts->log = fopen(log_path, "w");
        if (!qts->log) {
            error_setg_errno(errp, errno, "cannot open qtest log '%s'",
                             log_path);
            qtest_server_stop();
            return false;
        }
    }
    if (!chardev_attach(chr, qtest_can_read, qtest_read, qtest_event, NULL,
                        errp)) {
        qtest_server_stop();
        return false;
    }
    qts->attached = true;
    return true;
}

void qtest_server_stop(void)
{
    if (!qts) {
        return;
    }
    if (qts->attached) {
        chardev_detach(qts->chr);
    }
    if (qts->log) {
        fclose(qts->log);
    }
    g_string_free(qts->line, TRUE);
    g_timer_destroy(qts->timer);
    g_free(qts);
    qts = NULL;
}
