/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QMP announce-self through the real binary: the RARP frames reaching the
 * NIC's backend (a stream socket this test holds), their number and
 * content, the interface filter, named timers that restart and stop, the
 * guest-announce request of a virtio-net driver that took GUEST_ANNOUNCE,
 * and refused parameters.
 */
#include "vnet-test.h"

#define F(bit) (1ull << (bit))
#define DEV ",id=vnet0,mac=52:54:00:ab:cd:ef"
#define QVNET_S_ANNOUNCE 2

static const uint8_t conf_mac[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };

/* No frame may come within this long when none is expected. */
enum { QUIET_MS = 700 };

static void announce(QTestState *qts, const char *args)
{
    qtest_qmp_assert_success(qts, "{\"execute\": \"announce-self\", "
                                  "\"arguments\": {%s}}", args);
}

/* The next frame on the backend must be the RARP for the configured MAC. */
static void expect_rarp(StreamEnv *s)
{
    uint8_t f[128];
    int len = vnet_stream_recv(s->fd, f, sizeof(f), 5000);
    static const uint8_t head[] = { 0x80, 0x35, 0, 1, 8, 0, 6, 4, 0, 3 };

    g_assert_cmpint(len, ==, 60);
    g_assert_cmpmem(f, 6, vnet_bcast, 6);
    g_assert_cmpmem(f + 6, 6, conf_mac, 6);
    g_assert_cmpmem(f + 12, sizeof(head), head, sizeof(head));
    g_assert_cmpmem(f + 22, 6, conf_mac, 6);          /* sender MAC */
    for (int i = 28; i < 32; i++) {
        g_assert_cmphex(f[i], ==, 0);                  /* sender IP */
    }
    g_assert_cmpmem(f + 32, 6, conf_mac, 6);          /* target MAC */
    for (int i = 38; i < 60; i++) {
        g_assert_cmphex(f[i], ==, 0);                  /* IP, padding */
    }
}

static void expect_quiet(StreamEnv *s)
{
    uint8_t f[128];

    g_assert_cmpint(vnet_stream_recv(s->fd, f, sizeof(f), QUIET_MS), ==, -1);
}

static void test_rounds(void)
{
    StreamEnv *s = stream_env_new(DEV, VNET_MODERN_MSIX,
                                  qvnet_default_features());
    static const uint8_t guest_mac[6] = { 0x02, 0, 0, 0, 0, 0x42 };

    /* The guest's own MAC does not change what is announced (as QEMU). */
    g_assert_cmpint(qvnet_ctrl(s->e->net, QVNET_CTRL_MAC,
                               QVNET_CTRL_MAC_ADDR_SET, guest_mac, 6), ==,
                    QVNET_OK);
    announce(s->e->qts, "\"initial\": 20, \"max\": 60, \"rounds\": 4, "
                        "\"step\": 20");
    for (int i = 0; i < 4; i++) {
        expect_rarp(s);
    }
    expect_quiet(s);
    /* Without GUEST_ANNOUNCE the status never shows an announce. */
    g_assert_cmphex(qvnet_config_status(s->e->net) & QVNET_S_ANNOUNCE, ==, 0);
    stream_env_free(s);
}

static void test_interfaces(void)
{
    StreamEnv *s = stream_env_new(DEV, VNET_MODERN_MSIX,
                                  qvnet_default_features());

    announce(s->e->qts, "\"initial\": 0, \"max\": 0, \"rounds\": 1, "
                        "\"step\": 0, \"interfaces\": [\"nosuchnic\"]");
    expect_quiet(s);
    announce(s->e->qts, "\"initial\": 0, \"max\": 0, \"rounds\": 1, "
                        "\"step\": 0, \"interfaces\": [\"x\", \"vnet0\"]");
    expect_rarp(s);
    /* An empty list means every NIC, as an absent one does. */
    announce(s->e->qts, "\"initial\": 0, \"max\": 0, \"rounds\": 1, "
                        "\"step\": 0, \"interfaces\": []");
    expect_rarp(s);
    expect_quiet(s);
    stream_env_free(s);
}

static void test_named_timers(void)
{
    StreamEnv *s = stream_env_new(DEV, VNET_MODERN_MSIX,
                                  qvnet_default_features());
    QTestState *qts = s->e->qts;

    /* "slow" sends round one now, then would wait 100 s... */
    announce(qts, "\"initial\": 100000, \"max\": 100000, \"rounds\": 3, "
                  "\"step\": 0, \"id\": \"slow\"");
    expect_rarp(s);
    /* ...an independent timer runs its own rounds meanwhile... */
    announce(qts, "\"initial\": 10, \"max\": 10, \"rounds\": 2, "
                  "\"step\": 0, \"id\": \"fast\"");
    expect_rarp(s);
    expect_rarp(s);
    expect_quiet(s);
    /* ...restarting "slow" sends a new first round at once... */
    announce(qts, "\"initial\": 300, \"max\": 300, \"rounds\": 5, "
                  "\"step\": 0, \"id\": \"slow\"");
    expect_rarp(s);
    /* ...and rounds 0 stops it before its second. */
    announce(qts, "\"initial\": 0, \"max\": 0, \"rounds\": 0, "
                  "\"step\": 0, \"id\": \"slow\"");
    expect_quiet(s);
    stream_env_free(s);
}

static void test_guest_announce(void)
{
    StreamEnv *s = stream_env_new(DEV, VNET_MODERN_MSIX,
                                  qvnet_default_features() |
                                      F(QVNET_F_GUEST_ANNOUNCE));
    QVirtioNet *n = s->e->net;

    (void)qvirtio_config_irq_take(s->e->dev);
    g_assert_cmphex(qvnet_config_status(n) & QVNET_S_ANNOUNCE, ==, 0);
    announce(s->e->qts, "\"initial\": 0, \"max\": 0, \"rounds\": 1, "
                        "\"step\": 0");
    expect_rarp(s);
    g_assert_true(qvirtio_wait_config_irq(s->e->dev, 5000));
    g_assert_cmphex(qvnet_config_status(n) & QVNET_S_ANNOUNCE, ==,
                    QVNET_S_ANNOUNCE);
    /* The driver acknowledges; a second ACK has nothing to acknowledge. */
    g_assert_cmpint(qvnet_ctrl(n, QVNET_CTRL_ANNOUNCE, 0, NULL, 0), ==,
                    QVNET_OK);
    g_assert_cmphex(qvnet_config_status(n) & QVNET_S_ANNOUNCE, ==, 0);
    g_assert_cmpint(qvnet_ctrl(n, QVNET_CTRL_ANNOUNCE, 0, NULL, 0), ==,
                    QVNET_ERR);
    stream_env_free(s);
}

static void test_bad_parameters(void)
{
    StreamEnv *s = stream_env_new(DEV, VNET_MODERN_MSIX, 0);
    QTestState *qts = s->e->qts;
    static const char *const bad[][2] = {
        {"\"initial\": -1, \"max\": 0, \"rounds\": 1, \"step\": 0",
         "Parameter 'initial' must be between 0 and 100000 (got -1)"},
        {"\"initial\": 0, \"max\": 100001, \"rounds\": 1, \"step\": 0",
         "Parameter 'max' must be between 0 and 100000 (got 100001)"},
        {"\"initial\": 0, \"max\": 0, \"rounds\": -5, \"step\": 0",
         "Parameter 'rounds' must be between 0 and 1000 (got -5)"},
        {"\"initial\": 0, \"max\": 0, \"rounds\": 1001, \"step\": 0",
         "Parameter 'rounds' must be between 0 and 1000 (got 1001)"},
        {"\"initial\": 0, \"max\": 0, \"rounds\": 1, \"step\": 10001",
         "Parameter 'step' must be between 0 and 10000 (got 10001)"},
        {"\"initial\": 0, \"rounds\": 1, \"step\": 0",
         "Parameter 'max' is missing"},
        {"\"initial\": 0, \"max\": 0, \"rounds\": 1, \"step\": 0, "
         "\"interfaces\": \"vnet0\"",
         "Invalid parameter type for 'interfaces', expected: array"},
    };

    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        json_t *rsp = qtest_qmp(qts, "{\"execute\": \"announce-self\", "
                                     "\"arguments\": {%s}}", bad[i][0]);
        qmp_assert_error(rsp, "GenericError", bad[i][1]);
        json_decref(rsp);
    }
    expect_quiet(s);
    stream_env_free(s);
}

int main(int argc, char **argv)
{
    qtest_test_init(&argc, &argv);
    qtest_add_func("/announce/rounds", test_rounds);
    qtest_add_func("/announce/interfaces", test_interfaces);
    qtest_add_func("/announce/named-timers", test_named_timers);
    qtest_add_func("/announce/guest-announce", test_guest_announce);
    qtest_add_func("/announce/bad-parameters", test_bad_parameters);
    return g_test_run();
}
