/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The qtest text protocol against the real binary. */
#include <string.h>
#include <sys/socket.h>
#include "libqtest.h"

#define RAM_BASE 0x80000000ull
#define RAM_SIZE (64ull << 20)
#define RAM_END (RAM_BASE + RAM_SIZE)

/* One vireo for the tests that share a virt machine with 64 MiB. */
static QTestState *virt;

static QTestState *get_virt(void)
{
    if (!virt) {
        virt = qtest_init("-M virt -m 64");
    }
    return virt;
}

static void assert_reply(QTestState *s, const char *line, const char *want)
{
    char *reply = qtest_raw_cmd(s, line);
    g_assert_cmpstr(reply, ==, want);
    g_free(reply);
}

static void assert_fail(QTestState *s, const char *line)
{
    char *reply = qtest_raw_cmd(s, line);
    if (!g_str_has_prefix(reply, "FAIL")) {
        g_error("'%s' answered '%s', expected FAIL", line, reply);
    }
    g_free(reply);
}

/* The session is still usable: a round trip through RAM works. */
static void assert_alive(QTestState *s)
{
    qtest_writel(s, RAM_BASE + 0x100, 0xcafef00d);
    g_assert_cmphex(qtest_readl(s, RAM_BASE + 0x100), ==, 0xcafef00d);
}

static void test_scalar_round_trips(void)
{
    QTestState *s = get_virt();

    qtest_writeb(s, RAM_BASE, 0xa5);
    g_assert_cmphex(qtest_readb(s, RAM_BASE), ==, 0xa5);
    qtest_writew(s, RAM_BASE + 2, 0xbeef);
    g_assert_cmphex(qtest_readw(s, RAM_BASE + 2), ==, 0xbeef);
    qtest_writel(s, RAM_BASE + 4, 0xdeadbeef);
    g_assert_cmphex(qtest_readl(s, RAM_BASE + 4), ==, 0xdeadbeef);
    qtest_writeq(s, RAM_BASE + 8, 0x0123456789abcdefull);
    g_assert_cmphex(qtest_readq(s, RAM_BASE + 8), ==, 0x0123456789abcdefull);
    /* Last bytes of RAM are reachable. */
    qtest_writeq(s, RAM_END - 8, 0x1122334455667788ull);
    g_assert_cmphex(qtest_readq(s, RAM_END - 8), ==, 0x1122334455667788ull);
    qtest_writeb(s, RAM_END - 1, 0x7f);
    g_assert_cmphex(qtest_readb(s, RAM_END - 1), ==, 0x7f);
}

static void test_little_endian(void)
{
    QTestState *s = get_virt();
    uint8_t bytes[8];

    g_assert_cmpstr(qtest_endianness(s), ==, "little");
    assert_reply(s, "endianness", "OK little");
    qtest_writeq(s, RAM_BASE + 0x40, 0x0807060504030201ull);
    qtest_memread(s, RAM_BASE + 0x40, bytes, 8);
    for (int i = 0; i < 8; i++) {
        g_assert_cmpint(bytes[i], ==, i + 1);
    }
    g_assert_cmphex(qtest_readw(s, RAM_BASE + 0x41), ==, 0x0302);
    g_assert_cmphex(qtest_readl(s, RAM_BASE + 0x44), ==, 0x08070605);
}

static void test_reply_formats(void)
{
    QTestState *s = get_virt();

    assert_reply(s, "writeb 0x80000200 0x5a", "OK");
    /* Scalar reads answer with 16 lower-case hex digits. */
    assert_reply(s, "readb 0x80000200", "OK 0x000000000000005a");
    assert_reply(s, "writel 0x80000200 0xABCDEF01", "OK");
    assert_reply(s, "readl 0x80000200", "OK 0x00000000abcdef01");
    /* Decimal numbers work (base 0). */
    assert_reply(s, "writew 2147484160 4660", "OK"); /* 0x80000200 0x1234 */
    assert_reply(s, "readw 0x80000200", "OK 0x0000000000001234");
    /* read answers hex bytes in memory order. */
    assert_reply(s, "read 0x80000200 4", "OK 0x3412cdab");
}

static void test_hex_and_b64(void)
{
    QTestState *s = get_virt();
    uint8_t in[300], out[300];
    char *reply;

    for (size_t i = 0; i < sizeof(in); i++) {
        in[i] = (uint8_t)(i * 7 + 3);
    }
    qtest_memwrite(s, RAM_BASE + 0x1000, in, sizeof(in));
    qtest_memread(s, RAM_BASE + 0x1000, out, sizeof(out));
    g_assert_cmpmem(in, sizeof(in), out, sizeof(out));
    memset(out, 0, sizeof(out));
    qtest_bufread(s, RAM_BASE + 0x1000, out, sizeof(out));
    g_assert_cmpmem(in, sizeof(in), out, sizeof(out));

    for (size_t i = 0; i < sizeof(in); i++) {
        in[i] = (uint8_t)(255 - i);
    }
    qtest_bufwrite(s, RAM_BASE + 0x2000, in, sizeof(in));
    qtest_memread(s, RAM_BASE + 0x2000, out, sizeof(out));
    g_assert_cmpmem(in, sizeof(in), out, sizeof(out));

    /* "write" with less data than size fills the rest with zeros. */
    qtest_memset(s, RAM_BASE + 0x3000, 0xff, 8);
    assert_reply(s, "write 0x80003000 8 0x1122", "OK");
    assert_reply(s, "read 0x80003000 8", "OK 0x1122000000000000");
    /* Data words shorter than 3 characters get QEMU's ERR text. */
    assert_reply(s, "write 0x80003000 1 0x", "ERR invalid argument size");
    assert_reply(s, "b64write 0x80003000 1 QQ", "ERR invalid argument size");
    assert_reply(s, "b64write 0x80003000 3 QUJD", "OK");
    assert_reply(s, "b64read 0x80003000 3", "OK QUJD");
    /* Non-hex data is refused. */
    assert_fail(s, "write 0x80003000 2 0xzz11");
    reply = qtest_raw_cmd(s, "read 0x80003000 3");
    g_assert_cmpstr(reply, ==, "OK 0x414243");
    g_free(reply);
    assert_alive(s);
}

static void test_memset(void)
{
    QTestState *s = get_virt();
    uint8_t buf[64];

    qtest_memset(s, RAM_BASE + 0x4000, 0x00, 64);
    qtest_memset(s, RAM_BASE + 0x4008, 0xab, 16);
    qtest_memread(s, RAM_BASE + 0x4000, buf, sizeof(buf));
    for (int i = 0; i < 64; i++) {
        g_assert_cmphex(buf[i], ==, i >= 8 && i < 24 ? 0xab : 0);
    }
    /* Size 0 is allowed and changes nothing. */
    assert_reply(s, "memset 0x80004000 0 0x55", "OK");
    g_assert_cmphex(qtest_readb(s, RAM_BASE + 0x4000), ==, 0);
    assert_fail(s, "memset 0x80004000 4 0x100");
    assert_alive(s);
}

static void test_out_of_range(void)
{
    QTestState *s = get_virt();
    char line[128];

    /* Far from RAM and from every device window. */
    assert_fail(s, "readb 0xf0000000000000");
    assert_fail(s, "writel 0xf0000000001000 1");
    assert_fail(s, "readq 0xfffffffffffffff8");
    /* Just past the end, and straddling it. */
    g_snprintf(line, sizeof(line), "readb 0x%llx", RAM_END);
    assert_fail(s, line);
    g_snprintf(line, sizeof(line), "readl 0x%llx", RAM_END - 2);
    assert_fail(s, line);
    g_snprintf(line, sizeof(line), "writeq 0x%llx 0", RAM_END - 4);
    assert_fail(s, line);
    g_snprintf(line, sizeof(line), "read 0x%llx 16", RAM_END - 8);
    assert_fail(s, line);
    g_snprintf(line, sizeof(line), "write 0x%llx 16 0x00", RAM_END - 8);
    assert_fail(s, line);
    g_snprintf(line, sizeof(line), "b64read 0x%llx 16", RAM_END - 8);
    assert_fail(s, line);
    g_snprintf(line, sizeof(line), "memset 0x%llx 16 0", RAM_END - 8);
    assert_fail(s, line);
    /* Address + size wrapping around 2^64. */
    assert_fail(s, "read 0xfffffffffffffff0 0x20");
    assert_fail(s, "memset 0xffffffffffffffff 2 0");
    /* Huge sizes are refused without allocating them. */
    assert_fail(s, "read 0x80000000 0xffffffffffffffff");
    assert_fail(s, "memset 0x80000000 0x7fffffffffffffff 0");
    /* No I/O ports on this machine. */
    assert_fail(s, "inb 0x10");
    assert_fail(s, "outl 0x10 1");
    assert_fail(s, "outb 0x10000 1");
    /* The failed straddling write did not touch the last RAM bytes. */
    qtest_writeq(s, RAM_END - 8, 0x5555555555555555ull);
    g_snprintf(line, sizeof(line), "writeq 0x%llx 0", RAM_END - 4);
    assert_fail(s, line);
    g_assert_cmphex(qtest_readq(s, RAM_END - 8), ==, 0x5555555555555555ull);
    assert_alive(s);
}

static void test_malformed(void)
{
    QTestState *s = get_virt();
    static const char *const bad[] = {
        "readb",
        "readb 0x80000000 5",
        "writeb 0x80000000",
        "readl zz",
        "readl 0x8000000g",
        "readl -1",
        "writel 0x80000000 0xfffffffffffffffff",
        "read 0x80000000",
        "read 0x80000000 0",
        "read 0x80000000 x",
        "write 0x80000000 4",
        "b64read",
        "memset 0x80000000 4",
        "clock_set",
        "clock_set abc",
        "clock_step 12 34",
        "clock_step x",
        "irq_intercept_in",
        "irq_intercept_out",
        "set_irq_in /machine",
        "bogus",
        "READB 0x80000000",
        "readb\t0x80000000",
        NULL,
    };

    for (int i = 0; bad[i]; i++) {
        assert_fail(s, bad[i]);
    }
    assert_reply(s, "frobnicate 1 2", "FAIL Unknown command 'frobnicate'");
    assert_alive(s);
}

static void test_blank_lines(void)
{
    QTestState *s = get_virt();
    /* Blank lines get no reply: the next reply belongs to endianness. */
    assert_reply(s, "\n\n   \nendianness", "OK little");
    assert_reply(s, "\r\nendianness\r", "OK little");
    assert_alive(s);
}

static void test_long_line(void)
{
    QTestState *s = get_virt();
    const size_t chunk = 1 << 20;
    char *buf = g_malloc(chunk);

    /*
     * A line longer than the server buffers (64 MiB) must get one FAIL,
     * without the server holding all of it, and the session goes on.
     */
    memset(buf, 'x', chunk);
    for (int i = 0; i < 65; i++) {
        qtest_send_raw(s, buf, chunk);
    }
    assert_reply(s, "", "FAIL line too long");
    g_free(buf);
    assert_alive(s);
}

static void test_clock(void)
{
    QTestState *s = get_virt();
    int64_t t0, t1;
    char *reply, *want;

    /* Under qtest the clock does not move on its own. */
    t0 = qtest_clock_step(s, 0);
    g_usleep(20 * 1000);
    g_assert_cmpint(qtest_clock_step(s, 0), ==, t0);
    t1 = qtest_clock_step(s, 1000);
    g_assert_cmpint(t1, ==, t0 + 1000);
    g_assert_cmpint(qtest_clock_step(s, 123456789), ==, t1 + 123456789);
    t1 += 123456789;
    g_assert_cmpint(qtest_clock_set(s, t1 + 5000), ==, t1 + 5000);
    t1 += 5000;
    /* Setting the clock back fails with the number. */
    want = g_strdup_printf("FAIL %" G_GINT64_FORMAT, t1 - 1);
    reply = qtest_raw_cmdf(s, "clock_set %" G_GINT64_FORMAT, t1 - 1);
    g_assert_cmpstr(reply, ==, want);
    g_free(reply);
    g_free(want);
    /* No timers: stepping to the next deadline is impossible. */
    assert_reply(s, "clock_step",
                 "FAIL cannot advance clock to the next deadline because "
                 "there is no pending deadline");
    assert_fail(s, "clock_step 0xffffffffffffffff");
    want = g_strdup_printf("OK %" G_GINT64_FORMAT, t1 + 1);
    reply = qtest_raw_cmd(s, "clock_step 1");
    g_assert_cmpstr(reply, ==, want);
    g_free(reply);
    g_free(want);
}

static void test_irq_intercept_unknown(void)
{
    QTestState *s = get_virt();

    assert_reply(s, "irq_intercept_in /machine/no/such/device",
                 "FAIL Unknown device");
    assert_reply(s, "irq_intercept_out /nonexistent", "FAIL Unknown device");
    assert_reply(s, "set_irq_in /nonexistent unnamed-gpio-in 0 1",
                 "FAIL Unknown device");
    g_assert_false(qtest_get_irq(s, 0));
    assert_alive(s);
}

static void test_machine_none(void)
{
    QTestState *s = qtest_init("-machine none");
    char *reply;

    /* No RAM at all. */
    assert_fail(s, "readb 0x0");
    assert_fail(s, "readb 0x80000000");
    assert_reply(s, "endianness", "OK little");
    g_assert_cmpint(qtest_quit(s), ==, 0);

    s = qtest_init("-machine none -m 1M");
    qtest_writel(s, 0x0, 0x12345678);
    g_assert_cmphex(qtest_readl(s, 0x0), ==, 0x12345678);
    qtest_writeb(s, 0xfffff, 0x42);
    g_assert_cmphex(qtest_readb(s, 0xfffff), ==, 0x42);
    assert_fail(s, "readb 0x100000");
    reply = qtest_raw_cmd(s, "readl 0xffffe");
    g_assert_true(g_str_has_prefix(reply, "FAIL"));
    g_free(reply);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_qmp_alongside(void)
{
    QTestState *s = get_virt();
    json_t *ret = qtest_qmp_assert_success_ref(s,
        "{\"execute\": \"query-status\"}");

    g_assert_cmpstr(json_string_value(json_object_get(ret, "status")), ==,
                    "running");
    json_decref(ret);
    assert_alive(s);
}

/* Each test runs in its own process; its shared vireo must exit cleanly. */
static void end_virt(void)
{
    if (virt) {
        g_assert_cmpint(qtest_quit(virt), ==, 0);
        virt = NULL;
    }
}

int main(int argc, char **argv)
{
    int rc;

    qtest_test_init(&argc, &argv);
    qtest_set_teardown(end_virt);
    qtest_add_func("/qtest/ram/scalar-round-trips", test_scalar_round_trips);
    qtest_add_func("/qtest/ram/little-endian", test_little_endian);
    qtest_add_func("/qtest/ram/reply-formats", test_reply_formats);
    qtest_add_func("/qtest/ram/hex-and-b64", test_hex_and_b64);
    qtest_add_func("/qtest/ram/memset", test_memset);
    qtest_add_func("/qtest/ram/out-of-range", test_out_of_range);
    qtest_add_func("/qtest/protocol/malformed", test_malformed);
    qtest_add_func("/qtest/protocol/blank-lines", test_blank_lines);
    qtest_add_func("/qtest/protocol/long-line", test_long_line);
    qtest_add_func("/qtest/clock", test_clock);
    qtest_add_func("/qtest/irq/intercept-unknown", test_irq_intercept_unknown);
    qtest_add_func("/qtest/qmp-alongside", test_qmp_alongside);
    qtest_add_func("/qtest/machine-none", test_machine_none);
    rc = g_test_run();
    end_virt();
    return rc;
}
