/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-net control queue through the real binary: every command and its
 * malformed variants, the resulting query-rx-filter output, the
 * NIC_RX_FILTER_CHANGED throttle, and the receive filter actually dropping
 * or accepting frames injected through a stream backend.
 */
#include "vnet-test.h"

#define F(bit) (1ull << (bit))
#define DEV ",id=vnet0"

static const uint8_t guest_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

static StreamEnv *ctrl_env(void)
{
    return stream_env_new(DEV, VNET_MODERN_MSIX, qvnet_default_features());
}

static int rx_cmd(QVirtioNet *n, uint8_t cmd, uint8_t on)
{
    return qvnet_ctrl(n, QVNET_CTRL_RX, cmd, &on, 1);
}

static void assert_str(json_t *o, const char *key, const char *want)
{
    json_t *v = json_object_get(o, key);

    g_assert_true(json_is_string(v));
    g_assert_cmpstr(json_string_value(v), ==, want);
}

static void assert_bool(json_t *o, const char *key, bool want)
{
    json_t *v = json_object_get(o, key);

    g_assert_true(json_is_boolean(v));
    g_assert_cmpint(json_is_true(v), ==, want);
}

/* A JSON array of strings or ints as "a,b,c". */
static char *join(json_t *arr)
{
    GString *s = g_string_new("");
    size_t i;
    json_t *v;

    g_assert_true(json_is_array(arr));
    json_array_foreach(arr, i, v) {
        if (i) {
            g_string_append_c(s, ',');
        }
        if (json_is_string(v)) {
            g_string_append(s, json_string_value(v));
        } else {
            g_string_append_printf(s, "%" JSON_INTEGER_FORMAT,
                                   json_integer_value(v));
        }
    }
    return g_string_free(s, FALSE);
}

static void assert_list(json_t *o, const char *key, const char *want)
{
    char *got = join(json_object_get(o, key));

    g_assert_cmpstr(got, ==, want);
    g_free(got);
}

static void test_initial_filter(void)
{
    StreamEnv *s = stream_env_new(DEV, VNET_MODERN_MSIX, 0);
    json_t *f = vnet_rx_filter(s->e->qts, "vnet0");
    json_t *vt = json_object_get(f, "vlan-table");

    /* Before negotiation: promiscuous, every VLAN, descending. */
    assert_str(f, "name", "vnet0");
    assert_bool(f, "promiscuous", true);
    assert_str(f, "multicast", "normal");
    assert_str(f, "unicast", "normal");
    assert_str(f, "vlan", "all");
    assert_bool(f, "broadcast-allowed", false);
    assert_bool(f, "multicast-overflow", false);
    assert_bool(f, "unicast-overflow", false);
    assert_str(f, "main-mac", "52:54:00:12:34:56");
    g_assert_cmpuint(json_array_size(vt), ==, 4096);
    g_assert_cmpint(json_integer_value(json_array_get(vt, 0)), ==, 4095);
    g_assert_cmpint(json_integer_value(json_array_get(vt, 4095)), ==, 0);
    assert_list(f, "unicast-table", "");
    assert_list(f, "multicast-table", "");
    json_decref(f);

    /* Negotiating CTRL_VLAN empties the VLAN table. */
    s->e->net = qvnet_init(s->e->dev, qvnet_default_features(), 1);
    f = vnet_rx_filter(s->e->qts, "vnet0");
    assert_str(f, "vlan", "none");
    assert_list(f, "vlan-table", "");
    json_decref(f);
    stream_env_free(s);
}

static void test_rx_modes(void)
{
    StreamEnv *s = ctrl_env();
    QVirtioNet *n = s->e->net;
    json_t *f;

    g_assert_cmpint(rx_cmd(n, QVNET_CTRL_RX_PROMISC, 0), ==, QVNET_OK);
    g_assert_cmpint(rx_cmd(n, QVNET_CTRL_RX_ALLMULTI, 1), ==, QVNET_OK);
    g_assert_cmpint(rx_cmd(n, QVNET_CTRL_RX_ALLUNI, 7), ==, QVNET_OK);
    f = vnet_rx_filter(s->e->qts, "vnet0");
    assert_bool(f, "promiscuous", false);
    assert_str(f, "multicast", "all");
    assert_str(f, "unicast", "all");
    json_decref(f);
    /* "none" wins over "all". */
    g_assert_cmpint(rx_cmd(n, QVNET_CTRL_RX_NOMULTI, 1), ==, QVNET_OK);
    g_assert_cmpint(rx_cmd(n, QVNET_CTRL_RX_NOUNI, 1), ==, QVNET_OK);
    g_assert_cmpint(rx_cmd(n, QVNET_CTRL_RX_NOBCAST, 1), ==, QVNET_OK);
    f = vnet_rx_filter(s->e->qts, "vnet0");
    assert_str(f, "multicast", "none");
    assert_str(f, "unicast", "none");
    /* The quirk: broadcast-allowed reports nobcast. */
    assert_bool(f, "broadcast-allowed", true);
    json_decref(f);

    /* Malformed: unknown command, no payload, long payload, bad class. */
    g_assert_cmpint(rx_cmd(n, 6, 1), ==, QVNET_ERR);
    g_assert_cmpint(qvnet_ctrl(n, QVNET_CTRL_RX, 0, NULL, 0), ==, QVNET_ERR);
    g_assert_cmpint(qvnet_ctrl(n, QVNET_CTRL_RX, 0, "\1\1", 2), ==,
                    QVNET_ERR);
    g_assert_cmpint(qvnet_ctrl(n, 9, 0, "\1", 1), ==, QVNET_ERR);
    f = vnet_rx_filter(s->e->qts, "vnet0");
    assert_bool(f, "promiscuous", false);
    json_decref(f);

    /* Reset restores the defaults. */
    qvnet_free(n);
    s->e->net = qvnet_init(s->e->dev, qvnet_default_features(), 1);
    f = vnet_rx_filter(s->e->qts, "vnet0");
    assert_bool(f, "promiscuous", true);
    assert_str(f, "multicast", "normal");
    assert_str(f, "unicast", "normal");
    assert_bool(f, "broadcast-allowed", false);
    json_decref(f);
    stream_env_free(s);
}

/* A MAC_TABLE_SET payload; MACs are 02:00:00:00:<block>:<i>. */
static size_t mac_table(uint8_t *buf, uint32_t uni, uint32_t multi)
{
    size_t off = 0;
    uint32_t counts[2] = { uni, multi };

    for (int b = 0; b < 2; b++) {
        buf[off++] = counts[b];
        buf[off++] = counts[b] >> 8;
        buf[off++] = 0;
        buf[off++] = 0;
        for (uint32_t i = 0; i < counts[b]; i++) {
            uint8_t mac[6] = { b ? 0x01 : 0x02, 0, 0, 0, b, i };
            memcpy(buf + off, mac, 6);
            off += 6;
        }
    }
    return off;
}

static int table_cmd(QVirtioNet *n, const uint8_t *buf, size_t len)
{
    return qvnet_ctrl(n, QVNET_CTRL_MAC, QVNET_CTRL_MAC_TABLE_SET, buf, len);
}

static void test_mac_table(void)
{
    StreamEnv *s = ctrl_env();
    QVirtioNet *n = s->e->net;
    uint8_t buf[8 + 6 * 140];
    size_t len;
    json_t *f;

    len = mac_table(buf, 2, 3);
    g_assert_cmpint(table_cmd(n, buf, len), ==, QVNET_OK);
    f = vnet_rx_filter(s->e->qts, "vnet0");
    /* Reversed table order, lower case. */
    assert_list(f, "unicast-table", "02:00:00:00:00:01,02:00:00:00:00:00");
    assert_list(f, "multicast-table", "01:00:00:00:01:02,01:00:00:00:01:01,"
                                      "01:00:00:00:01:00");
    assert_bool(f, "unicast-overflow", false);
    assert_bool(f, "multicast-overflow", false);
    json_decref(f);

    /* Bad sizes are ERR and leave the table alone. */
    g_assert_cmpint(table_cmd(n, buf, 3), ==, QVNET_ERR);
    g_assert_cmpint(table_cmd(n, buf, len - 1), ==, QVNET_ERR);
    len = mac_table(buf, 2, 3);
    g_assert_cmpint(table_cmd(n, buf, len + 1), ==, QVNET_ERR);
    buf[0] = 100; /* more unicast entries than bytes */
    g_assert_cmpint(table_cmd(n, buf, len), ==, QVNET_ERR);
    len = mac_table(buf, 2, 0);
    g_assert_cmpint(table_cmd(n, buf, len - 4), ==, QVNET_ERR);
    f = vnet_rx_filter(s->e->qts, "vnet0");
    assert_list(f, "unicast-table", "02:00:00:00:00:01,02:00:00:00:00:00");
    json_decref(f);

    /* More than 64 unicast: overflow, none kept; multicast still fits. */
    len = mac_table(buf, 65, 1);
    g_assert_cmpint(table_cmd(n, buf, len), ==, QVNET_OK);
    f = vnet_rx_filter(s->e->qts, "vnet0");
    assert_bool(f, "unicast-overflow", true);
    assert_bool(f, "multicast-overflow", false);
    assert_list(f, "unicast-table", "");
    assert_list(f, "multicast-table", "01:00:00:00:01:00");
    json_decref(f);

    /* 60 unicast leave room for 4 multicast: 5 overflow. */
    len = mac_table(buf, 60, 5);
    g_assert_cmpint(table_cmd(n, buf, len), ==, QVNET_OK);
    f = vnet_rx_filter(s->e->qts, "vnet0");
    assert_bool(f, "unicast-overflow", false);
    assert_bool(f, "multicast-overflow", true);
    g_assert_cmpuint(json_array_size(json_object_get(f, "unicast-table")), ==,
                     60);
    assert_list(f, "multicast-table", "");
    json_decref(f);
    len = mac_table(buf, 60, 4);
    g_assert_cmpint(table_cmd(n, buf, len), ==, QVNET_OK);
    f = vnet_rx_filter(s->e->qts, "vnet0");
    assert_bool(f, "multicast-overflow", false);
    g_assert_cmpuint(json_array_size(json_object_get(f, "multicast-table")),
                     ==, 4);
    json_decref(f);
    stream_env_free(s);
}

static void test_mac_addr_set(void)
{
    static const uint8_t mac[6] = { 0x02, 0xab, 0xcd, 0xef, 0x01, 0x23 };
    StreamEnv *s = ctrl_env();
    QVirtioNet *n = s->e->net;
    uint8_t cfg[6];
    json_t *f;

    g_assert_cmpint(qvnet_ctrl(n, QVNET_CTRL_MAC, QVNET_CTRL_MAC_ADDR_SET,
                               mac, 6), ==, QVNET_OK);
    qvnet_config_mac(n, cfg);
    g_assert_cmpmem(cfg, 6, mac, 6);
    f = vnet_rx_filter(s->e->qts, "vnet0");
    assert_str(f, "main-mac", "02:ab:cd:ef:01:23");
    json_decref(f);
    g_assert_cmpint(qvnet_ctrl(n, QVNET_CTRL_MAC, QVNET_CTRL_MAC_ADDR_SET,
                               mac, 5), ==, QVNET_ERR);
    g_assert_cmpint(qvnet_ctrl(n, QVNET_CTRL_MAC, QVNET_CTRL_MAC_ADDR_SET,
                               "\2\2\2\2\2\2\2", 7), ==, QVNET_ERR);
    g_assert_cmpint(qvnet_ctrl(n, QVNET_CTRL_MAC, 2, mac, 6), ==, QVNET_ERR);
    qvnet_config_mac(n, cfg);
    g_assert_cmpmem(cfg, 6, mac, 6);
    /* A modern driver cannot write the MAC through config space. */
    qvirtio_config_writeb(s->e->dev, 0, 0x06);
    g_assert_cmphex(qvirtio_config_readb(s->e->dev, 0), ==, 0x02);
    /* Reset: back to the configured MAC. */
    qvnet_free(n);
    s->e->net = qvnet_init(s->e->dev, qvnet_default_features(), 1);
    qvnet_config_mac(s->e->net, cfg);
    g_assert_cmpmem(cfg, 6, guest_mac, 6);
    stream_env_free(s);
}

static int vlan_cmd(QVirtioNet *n, uint8_t cmd, uint16_t vid)
{
    uint8_t p[2] = { vid, vid >> 8 };
    return qvnet_ctrl(n, QVNET_CTRL_VLAN, cmd, p, 2);
}

static void test_vlan(void)
{
    StreamEnv *s = ctrl_env();
    QVirtioNet *n = s->e->net;
    json_t *f;

    g_assert_cmpint(vlan_cmd(n, QVNET_CTRL_VLAN_ADD, 5), ==, QVNET_OK);
    g_assert_cmpint(vlan_cmd(n, QVNET_CTRL_VLAN_ADD, 4095), ==, QVNET_OK);
    g_assert_cmpint(vlan_cmd(n, QVNET_CTRL_VLAN_ADD, 0), ==, QVNET_OK);
    g_assert_cmpint(vlan_cmd(n, QVNET_CTRL_VLAN_ADD, 4096), ==, QVNET_ERR);
    g_assert_cmpint(vlan_cmd(n, QVNET_CTRL_VLAN_DEL, 4096), ==, QVNET_ERR);
    g_assert_cmpint(vlan_cmd(n, 2, 7), ==, QVNET_ERR);
    g_assert_cmpint(qvnet_ctrl(n, QVNET_CTRL_VLAN, QVNET_CTRL_VLAN_ADD, "\7",
                               1), ==, QVNET_ERR);
    g_assert_cmpint(qvnet_ctrl(n, QVNET_CTRL_VLAN, QVNET_CTRL_VLAN_ADD,
                               "\7\0\0", 3), ==, QVNET_ERR);
    g_assert_cmpint(vlan_cmd(n, QVNET_CTRL_VLAN_DEL, 0), ==, QVNET_OK);
    f = vnet_rx_filter(s->e->qts, "vnet0");
    assert_str(f, "vlan", "normal");
    assert_list(f, "vlan-table", "4095,5");
    json_decref(f);
    g_assert_cmpint(vlan_cmd(n, QVNET_CTRL_VLAN_DEL, 5), ==, QVNET_OK);
    g_assert_cmpint(vlan_cmd(n, QVNET_CTRL_VLAN_DEL, 4095), ==, QVNET_OK);
    f = vnet_rx_filter(s->e->qts, "vnet0");
    assert_str(f, "vlan", "none");
    json_decref(f);
    stream_env_free(s);
}

static void test_other_classes(void)
{
    StreamEnv *s = ctrl_env();
    QVirtioNet *n = s->e->net;
    uint8_t off[8] = { 0 };

    /* No announce pending. */
    g_assert_cmpint(qvnet_ctrl(n, QVNET_CTRL_ANNOUNCE, 0, NULL, 0), ==,
                    QVNET_ERR);
    /* MQ not offered (mq=off). */
    g_assert_cmpint(qvnet_ctrl(n, QVNET_CTRL_MQ, QVNET_CTRL_MQ_VQ_PAIRS_SET,
                               "\1\0", 2), ==, QVNET_ERR);
    /* The stream backend has no vnet header: no offloads to set. */
    g_assert_cmpint(qvnet_ctrl(n, QVNET_CTRL_GUEST_OFFLOADS, 0, off, 8), ==,
                    QVNET_ERR);
    /* The device still works. */
    g_assert_cmpint(rx_cmd(n, QVNET_CTRL_RX_PROMISC, 1), ==, QVNET_OK);
    g_assert_cmphex(qvirtio_get_status(s->e->dev) & QVIRTIO_S_NEEDS_RESET,
                    ==, 0);
    stream_env_free(s);
}

static void test_event_throttle(void)
{
    StreamEnv *s = ctrl_env();
    QTestState *qts = s->e->qts;
    QVirtioNet *n = s->e->net;
    json_t *ev, *data;

    /* The first change is reported... */
    g_assert_cmpint(rx_cmd(n, QVNET_CTRL_RX_PROMISC, 0), ==, QVNET_OK);
    ev = qmp_conn_eventwait(qtest_qmp_conn(qts), "NIC_RX_FILTER_CHANGED");
    g_assert_nonnull(ev);
    data = json_object_get(ev, "data");
    assert_str(data, "name", "vnet0");
    assert_str(data, "path", "/machine/peripheral/vnet0/virtio-backend");
    json_decref(ev);
    /* ...then nothing, even for other kinds of change... */
    g_assert_cmpint(rx_cmd(n, QVNET_CTRL_RX_ALLMULTI, 1), ==, QVNET_OK);
    g_assert_cmpint(vlan_cmd(n, QVNET_CTRL_VLAN_ADD, 3), ==, QVNET_OK);
    g_assert_false(vnet_event_take(qts, "NIC_RX_FILTER_CHANGED"));
    /* ...until the filter is queried; failed commands don't count. */
    json_decref(vnet_rx_filter(qts, "vnet0"));
    g_assert_cmpint(vlan_cmd(n, QVNET_CTRL_VLAN_ADD, 4096), ==, QVNET_ERR);
    g_assert_false(vnet_event_take(qts, "NIC_RX_FILTER_CHANGED"));
    /* A command that changes nothing still notifies. */
    g_assert_cmpint(rx_cmd(n, QVNET_CTRL_RX_ALLMULTI, 1), ==, QVNET_OK);
    g_assert_true(vnet_event_take(qts, "NIC_RX_FILTER_CHANGED"));
    g_assert_cmpint(rx_cmd(n, QVNET_CTRL_RX_ALLMULTI, 0), ==, QVNET_OK);
    g_assert_false(vnet_event_take(qts, "NIC_RX_FILTER_CHANGED"));
    /* A query of all NICs re-arms too; MQ/offload commands never emit. */
    qtest_qmp_assert_success(qts, "{\"execute\": \"query-rx-filter\"}");
    g_assert_cmpint(qvnet_ctrl(n, QVNET_CTRL_MQ, 0, "\1\0", 2), ==,
                    QVNET_ERR);
    g_assert_false(vnet_event_take(qts, "NIC_RX_FILTER_CHANGED"));
    g_assert_cmpint(qvnet_ctrl(n, QVNET_CTRL_MAC, QVNET_CTRL_MAC_ADDR_SET,
                               guest_mac, 6), ==, QVNET_OK);
    g_assert_true(vnet_event_take(qts, "NIC_RX_FILTER_CHANGED"));
    stream_env_free(s);
}

static void test_query_errors(void)
{
    StreamEnv *s = ctrl_env();
    QTestState *qts = s->e->qts;
    json_t *r;

    r = qtest_qmp(qts, "{\"execute\": \"query-rx-filter\", \"arguments\": "
                       "{\"name\": \"n0\"}}");
    qmp_assert_error(r, "GenericError", "net client(n0) isn't a NIC");
    json_decref(r);
    r = qtest_qmp(qts, "{\"execute\": \"query-rx-filter\", \"arguments\": "
                       "{\"name\": \"nope\"}}");
    qmp_assert_error(r, "GenericError", "invalid net client name: nope");
    json_decref(r);
    r = qtest_qmp_assert_success_ref(qts,
                                     "{\"execute\": \"query-rx-filter\"}");
    g_assert_cmpuint(json_array_size(r), ==, 1);
    assert_str(json_array_get(r, 0), "name", "vnet0");
    json_decref(r);
    stream_env_free(s);
}

/* ---- the filter at work ---- */

typedef struct FilterCase {
    const uint8_t *dst;
    int vid;          /* -1: untagged */
    bool accept;
} FilterCase;

static size_t filter_frame(uint8_t *f, const uint8_t *dst, int vid,
                           uint32_t seed)
{
    size_t len = vnet_frame(f, 80, dst, vnet_peer_mac, seed);

    if (vid >= 0) {
        /* Insert an 802.1Q tag in front of the ethertype. */
        memmove(f + 16, f + 12, len - 12);
        f[12] = 0x81;
        f[13] = 0x00;
        f[14] = vid >> 8;
        f[15] = vid;
        len += 4;
    }
    return len;
}

/*
 * Inject every case, then a marker frame the filter accepts (@marker
 * dst); all cases are settled when the marker arrives.
 */
static void run_filter(StreamEnv *s, const FilterCase *c, int n,
                       const uint8_t *marker)
{
    uint8_t f[256];
    bool seen[32] = { false };
    size_t len;

    g_assert_cmpint(n, <=, 32);
    for (int i = 0; i < n; i++) {
        len = filter_frame(f, c[i].dst, c[i].vid, i);
        vnet_stream_send(s->fd, f, len);
    }
    len = filter_frame(f, marker, -1, 0xffff);
    vnet_stream_send(s->fd, f, len);
    for (;;) {
        int got = qvnet_recv(s->e->net, 0, f, sizeof(f), NULL, 3000);
        uint32_t seed;
        g_assert_cmpint(got, >, 0);
        if (got == 84) {
            /* Tagged: look past the tag. */
            g_assert_cmphex(f[12], ==, 0x81);
            memmove(f + 12, f + 16, got - 16);
            got -= 4;
        }
        seed = vnet_frame_seed(f, got);
        if (seed == 0xffff) {
            break;
        }
        g_assert_cmpuint(seed, <, n);
        seen[seed] = true;
    }
    for (int i = 0; i < n; i++) {
        if (seen[i] != c[i].accept) {
            g_error("filter case %d: %s, expected %s", i,
                    seen[i] ? "accepted" : "dropped",
                    c[i].accept ? "accepted" : "dropped");
        }
    }
}

static void test_filter(void)
{
    static const uint8_t other[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
    static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
    static const uint8_t tuni[6] = { 0x02, 0, 0, 0, 0, 0 };
    static const uint8_t tmulti[6] = { 0x01, 0, 0, 0, 1, 0 };
    StreamEnv *s = ctrl_env();
    QVirtioNet *n = s->e->net;
    uint8_t buf[8 + 6 * 70];

    s->e->net->repost = true;
    qvnet_post_rx(n, 0, 32, 256);

    /* Default promiscuous: everything, even VLANs not in the table. */
    run_filter(s, (FilterCase[]){ { other, -1, true }, { mcast, -1, true },
                                  { guest_mac, 9, true } }, 3, guest_mac);

    g_assert_cmpint(rx_cmd(n, QVNET_CTRL_RX_PROMISC, 0), ==, QVNET_OK);
    run_filter(s, (FilterCase[]){ { guest_mac, -1, true },
                                  { other, -1, false },
                                  { vnet_bcast, -1, true },
                                  { mcast, -1, false },
                                  { guest_mac, 5, false } }, 5, guest_mac);
    g_assert_cmpint(vlan_cmd(n, QVNET_CTRL_VLAN_ADD, 5), ==, QVNET_OK);
    run_filter(s, (FilterCase[]){ { guest_mac, 5, true },
                                  { guest_mac, 6, false },
                                  { vnet_bcast, 5, true } }, 3, guest_mac);

    /* nobcast; allmulti; nomulti beats allmulti but not broadcast. */
    g_assert_cmpint(rx_cmd(n, QVNET_CTRL_RX_NOBCAST, 1), ==, QVNET_OK);
    g_assert_cmpint(rx_cmd(n, QVNET_CTRL_RX_ALLMULTI, 1), ==, QVNET_OK);
    run_filter(s, (FilterCase[]){ { vnet_bcast, -1, false },
                                  { mcast, -1, true } }, 2, guest_mac);
    g_assert_cmpint(rx_cmd(n, QVNET_CTRL_RX_NOBCAST, 0), ==, QVNET_OK);
    g_assert_cmpint(rx_cmd(n, QVNET_CTRL_RX_NOMULTI, 1), ==, QVNET_OK);
    run_filter(s, (FilterCase[]){ { vnet_bcast, -1, true },
                                  { mcast, -1, false } }, 2, guest_mac);
    g_assert_cmpint(rx_cmd(n, QVNET_CTRL_RX_NOMULTI, 0), ==, QVNET_OK);
    g_assert_cmpint(rx_cmd(n, QVNET_CTRL_RX_ALLMULTI, 0), ==, QVNET_OK);

    /* The MAC table: its entries pass, others don't. */
    g_assert_cmpint(table_cmd(n, buf, mac_table(buf, 1, 1)), ==, QVNET_OK);
    run_filter(s, (FilterCase[]){ { tuni, -1, true }, { tmulti, -1, true },
                                  { other, -1, false },
                                  { mcast, -1, false } }, 4, guest_mac);
    /* Overflow flags accept the whole class. */
    g_assert_cmpint(table_cmd(n, buf, mac_table(buf, 0, 65)), ==, QVNET_OK);
    run_filter(s, (FilterCase[]){ { mcast, -1, true },
                                  { other, -1, false } }, 2, guest_mac);
    g_assert_cmpint(table_cmd(n, buf, mac_table(buf, 65, 0)), ==, QVNET_OK);
    run_filter(s, (FilterCase[]){ { mcast, -1, false },
                                  { other, -1, true } }, 2, guest_mac);

    /* alluni, then nouni drops even our own MAC. */
    g_assert_cmpint(table_cmd(n, buf, mac_table(buf, 0, 0)), ==, QVNET_OK);
    g_assert_cmpint(rx_cmd(n, QVNET_CTRL_RX_ALLUNI, 1), ==, QVNET_OK);
    run_filter(s, (FilterCase[]){ { other, -1, true } }, 1, guest_mac);
    g_assert_cmpint(rx_cmd(n, QVNET_CTRL_RX_NOUNI, 1), ==, QVNET_OK);
    run_filter(s, (FilterCase[]){ { other, -1, false },
                                  { guest_mac, -1, false } }, 2, vnet_bcast);
    stream_env_free(s);
}

int main(int argc, char **argv)
{
    qtest_test_init(&argc, &argv);
    qtest_add_func("/virtio-net/ctrl/initial-filter", test_initial_filter);
    qtest_add_func("/virtio-net/ctrl/rx-modes", test_rx_modes);
    qtest_add_func("/virtio-net/ctrl/mac-table", test_mac_table);
    qtest_add_func("/virtio-net/ctrl/mac-addr-set", test_mac_addr_set);
    qtest_add_func("/virtio-net/ctrl/vlan", test_vlan);
    qtest_add_func("/virtio-net/ctrl/other-classes", test_other_classes);
    qtest_add_func("/virtio-net/ctrl/event-throttle", test_event_throttle);
    qtest_add_func("/virtio-net/ctrl/query-errors", test_query_errors);
    qtest_add_func("/virtio-net/ctrl/filter", test_filter);
    return g_test_run();
}
