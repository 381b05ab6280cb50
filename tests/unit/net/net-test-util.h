/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A small NIC made with qemu_new_nic, and main-loop helpers, for tests. */
#ifndef NET_TEST_UTIL_H
#define NET_TEST_UTIL_H

#include <string.h>
#include <glib.h>
#include "net/net.h"
#include "qapi/qapi-visit.h"
#include "system/runstate.h"
#include "util/main-loop.h"

typedef struct TestNic {
    NICState *nic;
    NICConf conf;
    GPtrArray *rx;        /* GByteArray per frame */
    bool can_rx;          /* can_receive */
    bool accept;          /* receive returns the size (else 0) */
    int link_changes;
    int filter_queries;
} TestNic;

static inline ssize_t test_nic_receive(NetClientState *nc, const uint8_t *buf,
                                size_t size)
{
    TestNic *t = qemu_get_nic_opaque(nc);

    if (!t->accept) {
        return 0;
    }
    g_ptr_array_add(t->rx, g_byte_array_append(g_byte_array_new(), buf,
                                               size));
    return size;
}

static inline bool test_nic_can_receive(NetClientState *nc)
{
    return ((TestNic *)qemu_get_nic_opaque(nc))->can_rx;
}

static inline void test_nic_link(NetClientState *nc)
{
    ((TestNic *)qemu_get_nic_opaque(nc))->link_changes++;
}

static RxFilterInfo *test_nic_query_rx(NetClientState *nc)
{
    TestNic *t = qemu_get_nic_opaque(nc);
    RxFilterInfo *i = g_new0(RxFilterInfo, 1);
    char mac[18];

    t->filter_queries++;
    qdev_format_mac(&t->conf.macaddr, mac);
    i->main_mac = g_strdup(mac);
    i->promiscuous = true;
    return i;
}

static NetClientInfo test_nic_info = {
    .type = NET_CLIENT_DRIVER_NIC,
    .size = sizeof(NICState),
    .receive = test_nic_receive,
    .can_receive = test_nic_can_receive,
    .link_status_changed = test_nic_link,
    .query_rx_filter = test_nic_query_rx,
};

static inline void test_nic_free_frame(gpointer p)
{
    g_byte_array_unref(p);
}

/* A NIC peered with netdev @backend (NULL: none), named @name. */
static TestNic *test_nic_new(const char *backend, const char *name)
{
    TestNic *t = g_new0(TestNic, 1);

    t->rx = g_ptr_array_new_with_free_func(test_nic_free_frame);
    t->can_rx = t->accept = true;
    if (backend) {
        g_assert_true(net_peers_from_id("test-nic", backend, &t->conf.peers,
                                        &error_abort));
    }
    qemu_macaddr_default_if_unset(&t->conf.macaddr);
    t->nic = qemu_new_nic(&test_nic_info, &t->conf, "test-nic", name, t);
    qemu_format_nic_info_str(qemu_get_queue(t->nic), t->conf.macaddr.a);
    return t;
}

static inline void test_nic_free(TestNic *t)
{
    qemu_del_nic(t->nic);
    g_ptr_array_unref(t->rx);
    g_free(t);
}

static inline ssize_t test_nic_send(TestNic *t, const void *buf, size_t len)
{
    return qemu_send_packet(qemu_get_queue(t->nic), buf, len);
}

/* Run the main context until @cond(@opaque) or ~3 s pass. */
static inline bool test_loop_until(bool (*cond)(void *), void *opaque)
{
    gint64 end = g_get_monotonic_time() + 3 * G_USEC_PER_SEC;

    while (!cond(opaque)) {
        if (g_get_monotonic_time() > end) {
            return false;
        }
        if (!g_main_context_iteration(NULL, FALSE)) {
            g_usleep(1000);
        }
    }
    return true;
}

static inline bool test_nic_has_rx(void *opaque)
{
    return ((TestNic *)opaque)->rx->len > 0;
}

static inline void test_loop_spin(int ms)
{
    gint64 end = g_get_monotonic_time() + ms * 1000;

    while (g_get_monotonic_time() < end) {
        if (!g_main_context_iteration(NULL, FALSE)) {
            g_usleep(1000);
        }
    }
}

/* -netdev in keyval form, e.g. "stream,id=a,server=on,addr.type=unix,...". */
static inline bool test_netdev_add(const char *spec, Error **errp)
{
    bool help = false;
    json_t *opts = keyval_parse(spec, "type", &help, errp);
    bool ok;

    if (!opts) {
        return false;
    }
    ok = net_client_netdev_add(opts, false, errp);
    json_decref(opts);
    return ok;
}

/* The error text of a -netdev that must fail. */
static char *test_netdev_error(const char *spec)
{
    Error *err = NULL;
    char *msg;

    g_assert_false(test_netdev_add(spec, &err));
    g_assert_nonnull(err);
    msg = g_strdup(error_get_pretty(err));
    error_free(err);
    return msg;
}

#endif
