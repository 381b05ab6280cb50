/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The net core through its C API, with a real NIC made by qemu_new_nic. */
#include <glib.h>
#include "net/net.h"
#include "qapi/qapi-commands.h"
#include "util/keyval.h"
#include "net-test-util.h"

/* A minimal backend client that records what it receives. */
typedef struct FakeBackend {
    NetClientState nc;
    GPtrArray *rx;
    int link_changes;
} FakeBackend;

static ssize_t fake_receive(NetClientState *nc, const uint8_t *buf,
                            size_t size)
{
    FakeBackend *f = (FakeBackend *)nc;

    g_ptr_array_add(f->rx, g_byte_array_append(g_byte_array_new(), buf,
                                               size));
    return size;
}

static void fake_link(NetClientState *nc)
{
    ((FakeBackend *)nc)->link_changes++;
}

static void fake_cleanup(NetClientState *nc)
{
    g_ptr_array_unref(((FakeBackend *)nc)->rx);
}

static NetClientInfo fake_info = {
    .type = NET_CLIENT_DRIVER_SOCKET,
    .size = sizeof(FakeBackend),
    .receive = fake_receive,
    .link_status_changed = fake_link,
    .cleanup = fake_cleanup,
};

static FakeBackend *fake_new(const char *name)
{
    FakeBackend *f = (FakeBackend *)qemu_new_net_queue_client(
        &fake_info, NULL, "fake", name, true);

    f->rx = g_ptr_array_new_with_free_func(test_nic_free_frame);
    return f;
}

static int sent_calls;
static ssize_t sent_last;

static void count_sent(NetClientState *nc, ssize_t len)
{
    sent_calls++;
    sent_last = len;
}

static void test_peering_and_delivery(void)
{
    FakeBackend *be = fake_new("be0");
    TestNic *t = test_nic_new("be0", "nic0");
    NetClientState *nc = qemu_get_queue(t->nic);
    uint8_t frame[64] = { 1, 2, 3 };

    g_assert_true(nc->peer == &be->nc);
    g_assert_true(be->nc.peer == nc);
    g_assert_true(qemu_get_nic(nc) == t->nic);
    g_assert_true(qemu_get_peer(nc, 0) == &be->nc);
    g_assert_cmpstr(nc->name, ==, "nic0");
    g_assert_cmpint(qemu_send_packet(&be->nc, frame, 60), ==, 60);
    g_assert_cmpuint(t->rx->len, ==, 1);
    g_assert_cmpint(((GByteArray *)t->rx->pdata[0])->data[2], ==, 3);
    g_assert_cmpint(test_nic_send(t, frame, 42), ==, 42);
    g_assert_cmpuint(be->rx->len, ==, 1);
    g_assert_cmpuint(((GByteArray *)be->rx->pdata[0])->len, ==, 42);
    /* Oversized packets are dropped but reported as sent. */
    {
        uint8_t *big = g_malloc0(NET_BUFSIZE + 1);
        g_assert_cmpint(qemu_send_packet(&be->nc, big, NET_BUFSIZE + 1), ==,
                        NET_BUFSIZE + 1);
        g_free(big);
        g_assert_cmpuint(t->rx->len, ==, 1);
    }
    test_nic_free(t);
    g_assert_null(be->nc.peer);
    qemu_del_net_client(&be->nc);
    g_assert_null(qemu_find_netdev("be0"));
}

static void test_back_pressure(void)
{
    FakeBackend *be = fake_new("bp");
    TestNic *t = test_nic_new("bp", NULL);
    NetClientState *nc = qemu_get_queue(t->nic);
    uint8_t a[60] = { 0xa }, b[60] = { 0xb };

    sent_calls = 0;
    /* The NIC has no buffers: receive returns 0 → queued with sent_cb. */
    t->accept = false;
    g_assert_cmpint(qemu_send_packet_async(&be->nc, a, 60, count_sent), ==, 0);
    g_assert_true(nc->receive_disabled);
    g_assert_false(qemu_can_send_packet(&be->nc));
    g_assert_cmpint(qemu_send_packet_async(&be->nc, b, 60, count_sent), ==, 0);
    g_assert_cmpuint(qemu_net_queue_len(nc->incoming_queue), ==, 2);
    g_assert_cmpint(sent_calls, ==, 0);
    /* can_receive false: a new send is queued behind, in order. */
    t->accept = true;
    t->can_rx = false;
    nc->receive_disabled = 0;
    g_assert_false(qemu_can_send_packet(&be->nc));
    g_assert_cmpint(qemu_send_packet_async(&be->nc, b, 60, count_sent), ==, 0);
    g_assert_cmpuint(t->rx->len, ==, 0);
    g_assert_cmpuint(qemu_net_queue_len(nc->incoming_queue), ==, 3);
    t->can_rx = true;
    qemu_flush_queued_packets(nc);
    g_assert_cmpuint(t->rx->len, ==, 3);
    g_assert_cmpint(((GByteArray *)t->rx->pdata[0])->data[0], ==, 0xa);
    g_assert_cmpint(((GByteArray *)t->rx->pdata[1])->data[0], ==, 0xb);
    g_assert_cmpint(sent_calls, ==, 3);
    g_assert_cmpint(sent_last, ==, 60);
    /* Purge completes queued packets with length 0. */
    t->accept = false;
    g_assert_cmpint(qemu_send_packet_async(&be->nc, a, 60, count_sent), ==, 0);
    qemu_purge_queued_packets(&be->nc);
    g_assert_cmpint(sent_calls, ==, 4);
    g_assert_cmpint(sent_last, ==, 0);
    g_assert_cmpuint(qemu_net_queue_len(nc->incoming_queue), ==, 0);
    /* Without a sent_cb the queue is bounded. */
    for (int i = 0; i < NET_QUEUE_MAXLEN + 50; i++) {
        qemu_send_packet(&be->nc, a, 60);
    }
    g_assert_cmpuint(qemu_net_queue_len(nc->incoming_queue), ==,
                     NET_QUEUE_MAXLEN);
    test_nic_free(t);
    qemu_del_net_client(&be->nc);
}

static void test_vm_stop_start(void)
{
    FakeBackend *be = fake_new("vs");
    TestNic *t = test_nic_new("vs", NULL);
    uint8_t a[60] = { 0 };

    sent_calls = 0;
    vm_stop(RUN_STATE_PAUSED);
    g_assert_false(qemu_can_send_packet(&be->nc));
    g_assert_cmpint(qemu_send_packet_async(&be->nc, a, 60, count_sent), ==, 0);
    g_assert_cmpuint(t->rx->len, ==, 0);
    vm_start();
    /* Flushed on start. */
    g_assert_cmpuint(t->rx->len, ==, 1);
    g_assert_cmpint(sent_calls, ==, 1);
    /* Stop with a NIC that cannot take it: purged, sender completed. */
    t->accept = false;
    g_assert_cmpint(qemu_send_packet_async(&be->nc, a, 60, count_sent), ==, 0);
    vm_stop(RUN_STATE_PAUSED);
    g_assert_cmpint(sent_calls, ==, 2);
    g_assert_cmpint(sent_last, ==, 0);
    vm_start();
    test_nic_free(t);
    qemu_del_net_client(&be->nc);
}

static void test_set_link(void)
{
    FakeBackend *be = fake_new("lk");
    TestNic *t = test_nic_new("lk", "lknic");
    NetClientState *nc = qemu_get_queue(t->nic);
    uint8_t a[60] = { 0 };
    Error *err = NULL;

    /* NIC name: NIC down, backend untouched. */
    qmp_set_link("lknic", false, &error_abort);
    g_assert_true(nc->link_down);
    g_assert_false(be->nc.link_down);
    g_assert_cmpint(t->link_changes, ==, 1);
    g_assert_cmpint(be->link_changes, ==, 1); /* peer is told */
    /* Sending from a down NIC is dropped but "succeeds". */
    g_assert_cmpint(test_nic_send(t, a, 60), ==, 60);
    g_assert_cmpuint(be->rx->len, ==, 0);
    /* Delivery to a down NIC is dropped. */
    g_assert_cmpint(qemu_send_packet(&be->nc, a, 60), ==, 60);
    g_assert_cmpuint(t->rx->len, ==, 0);
    qmp_set_link("lknic", true, &error_abort);
    g_assert_false(nc->link_down);
    /* Backend name: both go down. */
    qmp_set_link("lk", false, &error_abort);
    g_assert_true(be->nc.link_down);
    g_assert_true(nc->link_down);
    qmp_set_link("lk", true, &error_abort);
    g_assert_false(be->nc.link_down);
    g_assert_false(nc->link_down);
    qmp_set_link("nonexistent", true, &err);
    g_assert_cmpint(error_get_class(err), ==, ERROR_CLASS_DEVICE_NOT_FOUND);
    g_assert_cmpstr(error_get_pretty(err), ==, "Device 'nonexistent' not found");
    error_free(err);
    test_nic_free(t);
    qemu_del_net_client(&be->nc);
}

static void test_peers_errors(void)
{
    FakeBackend *be = fake_new("pe");
    TestNic *t = test_nic_new("pe", NULL);
    NICPeers *peers = g_new0(NICPeers, 1);
    Error *err = NULL;

    g_assert_false(net_peers_from_id("virtio-net-device", "pe", peers, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Property 'virtio-net-device.netdev' can't take value "
                    "'pe', it's in use");
    error_free(err);
    err = NULL;
    g_assert_false(net_peers_from_id("virtio-net-device", "zz", peers, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Property 'virtio-net-device.netdev' can't find value "
                    "'zz'");
    error_free(err);
    g_free(peers);
    test_nic_free(t);
    qemu_del_net_client(&be->nc);
}

static void test_netdev_del_in_use(void)
{
    TestNic *t;
    NetClientState *nc, *old;
    char *path = g_strdup_printf("%s/vireo-del-%d.sock", g_get_tmp_dir(),
                                 getpid());
    char *spec = g_strdup_printf("stream,id=dl,server=on,addr.type=unix,"
                                 "addr.path=%s", path);
    Error *err = NULL;

    g_assert_true(test_netdev_add(spec, &error_abort));
    t = test_nic_new("dl", "dlnic");
    nc = qemu_get_queue(t->nic);
    old = nc->peer;
    g_assert_true(net_netdev_del("dl", &error_abort));
    /* The NIC link drops, the id is free, the NIC keeps its old peer. */
    g_assert_true(nc->link_down);
    g_assert_cmpint(t->link_changes, ==, 1);
    g_assert_true(t->nic->peer_deleted);
    g_assert_true(nc->peer == old);
    g_assert_null(qemu_find_netdev("dl"));
    g_assert_true(test_netdev_add(spec, &error_abort));
    /* A second delete of the same old peer does nothing. */
    qemu_del_net_client(old);
    test_nic_free(t); /* releases the old backend now */
    g_assert_true(net_netdev_del("dl", &error_abort));
    g_assert_false(net_netdev_del("dl", &err));
    g_assert_cmpint(error_get_class(err), ==, ERROR_CLASS_DEVICE_NOT_FOUND);
    error_free(err);
    g_free(spec);
    g_free(path);
}

static void test_default_mac(void)
{
    TestNic *a = test_nic_new(NULL, NULL);
    TestNic *b = test_nic_new(NULL, NULL);
    TestNic *c;
    char mac[18];

    qdev_format_mac(&a->conf.macaddr, mac);
    g_assert_cmpstr(mac, ==, "52:54:00:12:34:56");
    qdev_format_mac(&b->conf.macaddr, mac);
    g_assert_cmpstr(mac, ==, "52:54:00:12:34:57");
    g_assert_cmpstr(qemu_get_queue(a->nic)->info_str, ==,
                    "model=test-nic,macaddr=52:54:00:12:34:56");
    /* Unnamed NICs get "<model>.<n>". */
    g_assert_cmpstr(qemu_get_queue(a->nic)->name, ==, "test-nic.0");
    g_assert_cmpstr(qemu_get_queue(b->nic)->name, ==, "test-nic.1");
    test_nic_free(a);
    c = test_nic_new(NULL, NULL);
    qdev_format_mac(&c->conf.macaddr, mac);
    g_assert_cmpstr(mac, ==, "52:54:00:12:34:56");
    test_nic_free(b);
    test_nic_free(c);
}

static void test_query_rx_filter(void)
{
    FakeBackend *be = fake_new("rf");
    TestNic *t = test_nic_new("rf", "rfnic");
    NetClientState *nc = qemu_get_queue(t->nic);
    RxFilterInfoList *l;
    Error *err = NULL;

    g_assert_true(nc->rxfilter_notify_enabled);
    net_rx_filter_changed(nc, "rfnic", "/machine/peripheral/rfnic");
    g_assert_false(nc->rxfilter_notify_enabled);
    net_rx_filter_changed(nc, "rfnic", "/machine/peripheral/rfnic");
    l = qmp_query_rx_filter("rfnic", &error_abort);
    g_assert_nonnull(l);
    g_assert_null(l->next);
    g_assert_cmpstr(l->value->name, ==, "rfnic");
    g_assert_cmpstr(l->value->main_mac, ==, "52:54:00:12:34:56");
    g_assert_true(nc->rxfilter_notify_enabled);
    qapi_free_RxFilterInfoList(l);
    g_assert_null(qmp_query_rx_filter("rf", &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "net client(rf) isn't a NIC");
    error_free(err);
    err = NULL;
    g_assert_null(qmp_query_rx_filter("nope", &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "invalid net client name: nope");
    error_free(err);
    l = qmp_query_rx_filter(NULL, &error_abort);
    g_assert_nonnull(l);
    g_assert_cmpstr(l->value->name, ==, "rfnic");
    qapi_free_RxFilterInfoList(l);
    test_nic_free(t);
    qemu_del_net_client(&be->nc);
}

static void test_hub_and_info(void)
{
    TestNic *a, *b;
    GString *out = g_string_new(NULL);
    uint8_t frame[60] = { 0x77 };

    g_assert_true(test_netdev_add("hubport,id=hpa,hubid=7", &error_abort));
    g_assert_true(test_netdev_add("hubport,id=hpb,hubid=7", &error_abort));
    a = test_nic_new("hpa", "na");
    b = test_nic_new("hpb", "nb");
    test_nic_send(a, frame, 60);
    g_assert_cmpuint(b->rx->len, ==, 1);
    g_assert_cmpuint(a->rx->len, ==, 0);
    hmp_info_network(out);
    g_assert_nonnull(strstr(out->str, "hub 7\r\n \\ hpa: na: index=0,type=nic,"
                                      "model=test-nic,macaddr="));
    test_nic_free(a);
    test_nic_free(b);
    g_assert_true(net_netdev_del("hpa", &error_abort));
    g_assert_true(net_netdev_del("hpb", &error_abort));
    g_string_free(out, TRUE);
}

static void test_netdev_errors(void)
{
    char *m;

    m = test_netdev_error("hubport,id=9bad,hubid=1");
    g_assert_cmpstr(m, ==, "Parameter 'id' expects an identifier");
    g_free(m);
    g_assert_true(test_netdev_add("hubport,id=dup,hubid=1", &error_abort));
    m = test_netdev_error("hubport,id=dup,hubid=1");
    g_assert_cmpstr(m, ==, "Duplicate ID 'dup'");
    g_free(m);
    m = test_netdev_error("vde,id=v");
    g_assert_cmpstr(m, ==,
                    "network backend 'vde' is not compiled into this binary");
    g_free(m);
    m = test_netdev_error("hubport,id=h2,hubid=1,netdev=missing");
    g_assert_cmpstr(m, ==, "netdev 'missing' not found");
    g_free(m);
    g_assert_true(net_netdev_del("dup", &error_abort));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    main_loop_init();
    vm_start();
    g_test_add_func("/net/core/peering", test_peering_and_delivery);
    g_test_add_func("/net/core/back-pressure", test_back_pressure);
    g_test_add_func("/net/core/vm-stop-start", test_vm_stop_start);
    g_test_add_func("/net/core/set-link", test_set_link);
    g_test_add_func("/net/core/peers-errors", test_peers_errors);
    g_test_add_func("/net/core/netdev-del-in-use", test_netdev_del_in_use);
    g_test_add_func("/net/core/default-mac", test_default_mac);
    g_test_add_func("/net/core/query-rx-filter", test_query_rx_filter);
    g_test_add_func("/net/core/hub-and-info", test_hub_and_info);
    g_test_add_func("/net/core/netdev-errors", test_netdev_errors);
    return g_test_run();
}
