/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-net data path benchmark: the device model's own cost.
 *
 * One process holds a VirtIONet (no transport: the rings are driven
 * through the virtio core API, as a transport would after a guest's MMIO),
 * a real multiqueue tap made with netdev_add, and a thread in a network
 * namespace of its own that owns the tap interface.  The driver here does
 * what Linux's virtio-net driver does on the rings, and no more: split
 * rings of 256 entries, EVENT_IDX kick and interrupt suppression, MRG_RXBUF
 * receive buffers of 1536 bytes, one descriptor per transmitted frame
 * (header and frame together, ANY_LAYOUT), VQ_PAIRS_SET for N > 1.
 *
 *   guest-to-tap: every tx ring is kept full; the result is the frames the
 *                 namespace's side of the tap counted (rx_packets).
 *   tap-to-guest: the namespace thread floods the tap with UDP frames of
 *                 many flows (AF_PACKET); the result is the frames that
 *                 reached the rx rings.
 *
 * --size is the guest buffer length including the 12-byte virtio-net
 * header (so 64 means a 52-byte Ethernet frame); Gbit/s counts Ethernet
 * frame bytes only.  Without --dir, every point of docs/performance.md is
 * run, each in a fresh child process.  Exit 77 (skip) without root.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <glib.h>
#include <jansson.h>
#include "hw/net/virtio-net.h"
#include "system/runstate.h"
#include "util/bswap.h"
#include "util/main-loop.h"
#include "bench-netns.h"

#define RAM_BASE    0x80000000ULL
#define RAM_SIZE    (32ULL << 20)
#define RING_NUM    256
#define RING_STRIDE 0x4000ULL /* desc, avail, used at 4 KiB steps */
#define BUF_BASE    (RAM_BASE + 0x100000ULL)
#define BUF_SLOT    2048ULL
#define RX_BUF_LEN  1536 /* Linux's mergeable buffer size */
#define HDR_LEN     12
#define MAX_PAIRS   8
#define SKIP        77

typedef struct Ring {
    VirtQueue *vq;
    unsigned index; /* virtqueue number */
    uint8_t *desc, *avail, *used;
    uint64_t bufs_pa;
    uint8_t *bufs;
    uint16_t avail_idx; /* next free avail slot */
    uint16_t kick_idx;  /* avail_idx at the last kick decision */
    uint16_t last_used;
    uint64_t done;  /* used entries taken back */
    uint64_t bytes; /* Ethernet bytes in them (rx) */
    uint64_t kicks;
    uint64_t bad; /* rx entries that are not one whole frame */
} Ring;

typedef struct Bench {
    VirtIONet *net;
    DeviceState *dev;
    BenchNs *ns;
    bool tx; /* guest-to-tap (else tap-to-guest) */
    int pairs;
    size_t size; /* buffer bytes incl. the header */
    unsigned flows;
    double seconds;
    Ring rx[MAX_PAIRS], tx_ring[MAX_PAIRS], ctrl;
    uint64_t irqs;
    char ifname[16];
} Bench;

/* ---- guest memory ---- */

static uint8_t *gptr(uint64_t pa, uint64_t len)
{
    uint8_t *p = address_space_ram_ptr(address_space_memory, pa, len);

    g_assert(p);
    return p;
}

static void ring_init(Ring *r, VirtQueue *vq)
{
    unsigned q = virtio_queue_index(vq);
    uint64_t base = RAM_BASE + q * RING_STRIDE;

    memset(r, 0, sizeof(*r));
    r->vq = vq;
    r->index = q;
    virtio_queue_set_num(vq, RING_NUM);
    virtio_queue_set_rings(vq, base, base + 0x1000, base + 0x2000);
    virtio_queue_set_vector(vq, q); /* one MSI-X vector per queue */
    virtio_queue_set_ready(vq, true);
    r->desc = gptr(base, 0x3000);
    r->avail = r->desc + 0x1000;
    r->used = r->desc + 0x2000;
    memset(r->desc, 0, 0x3000);
    r->bufs_pa = BUF_BASE + q * RING_NUM * BUF_SLOT;
    r->bufs = gptr(r->bufs_pa, RING_NUM * BUF_SLOT);
}

/* Offer buffer @head (its fixed slot) with @len bytes. */
static void ring_add(Ring *r, uint16_t head, uint32_t len, bool writable)
{
    uint8_t *d = r->desc + 16 * head;

    stq_le(d, r->bufs_pa + head * BUF_SLOT);
    stl_le(d + 8, len);
    stw_le(d + 12, writable ? VRING_DESC_F_WRITE : 0);
    stw_le(d + 14, 0);
    stw_le(r->avail + 4 + 2 * (r->avail_idx % RING_NUM), head);
    r->avail_idx++;
}

static bool vring_need_event(uint16_t event, uint16_t new, uint16_t old)
{
    return (uint16_t)(new - event - 1) < (uint16_t)(new - old);
}

/* Publish new avail entries; kick only when the device asked (EVENT_IDX). */
static void ring_publish(Bench *b, Ring *r)
{
    uint16_t event;

    if (r->avail_idx == r->kick_idx) {
        return;
    }
    __atomic_thread_fence(__ATOMIC_RELEASE);
    stw_le(r->avail + 2, r->avail_idx);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    event = lduw_le(r->used + 4 + 8 * RING_NUM);
    if (vring_need_event(event, r->avail_idx, r->kick_idx)) {
        r->kicks++;
        virtio_queue_notify(&b->net->vdev, r->index);
    }
    r->kick_idx = r->avail_idx;
}

/* Take back used tx buffers and offer the same frames again. */
static void tx_reap(Bench *b, Ring *r)
{
    uint16_t used_idx = lduw_le(r->used + 2);

    while (r->last_used != used_idx) {
        uint8_t *e = r->used + 4 + 8 * (r->last_used % RING_NUM);
        ring_add(r, ldl_le(e), b->size, false);
        r->last_used++;
        r->done++;
    }
    /* Interrupt us at the next completion (Linux re-arms after a poll). */
    stw_le(r->avail + 4 + 2 * RING_NUM, r->last_used);
}

/* Count received frames and give their buffers back. */
static void rx_reap(Bench *b, Ring *r)
{
    uint16_t used_idx = lduw_le(r->used + 2);

    while (r->last_used != used_idx) {
        uint8_t *e = r->used + 4 + 8 * (r->last_used % RING_NUM);
        uint32_t head = ldl_le(e), len = ldl_le(e + 4);
        uint8_t *buf = r->bufs + (head % RING_NUM) * BUF_SLOT;

        if (len < HDR_LEN + 14 || lduw_le(buf + 10) != 1) {
            r->bad++;
        } else {
            r->bytes += len - HDR_LEN;
        }
        ring_add(r, head, RX_BUF_LEN, true);
        r->last_used++;
        r->done++;
    }
    stw_le(r->avail + 4 + 2 * RING_NUM, r->last_used);
}

/* ---- device setup ---- */

static void bench_notify(void *opaque, uint16_t vector)
{
    ((Bench *)opaque)->irqs++;
}

static const VirtioTransportOps bench_transport = {
    .notify = bench_notify,
};

/* The virtio-net-pci property defaults (mq=on when there are queues). */
static uint64_t default_host_features(bool mq)
{
    static const int bits[] = {
        VIRTIO_NET_F_CSUM,          VIRTIO_NET_F_GUEST_CSUM,
        VIRTIO_NET_F_GSO,           VIRTIO_NET_F_GUEST_TSO4,
        VIRTIO_NET_F_GUEST_TSO6,    VIRTIO_NET_F_GUEST_ECN,
        VIRTIO_NET_F_GUEST_UFO,     VIRTIO_NET_F_GUEST_ANNOUNCE,
        VIRTIO_NET_F_HOST_TSO4,     VIRTIO_NET_F_HOST_TSO6,
        VIRTIO_NET_F_HOST_ECN,      VIRTIO_NET_F_HOST_UFO,
        VIRTIO_NET_F_MRG_RXBUF,     VIRTIO_NET_F_STATUS,
        VIRTIO_NET_F_CTRL_VQ,       VIRTIO_NET_F_CTRL_RX,
        VIRTIO_NET_F_CTRL_VLAN,     VIRTIO_NET_F_CTRL_RX_EXTRA,
        VIRTIO_NET_F_CTRL_MAC_ADDR, VIRTIO_NET_F_CTRL_GUEST_OFFLOADS,
        VIRTIO_NET_F_GUEST_USO4,    VIRTIO_NET_F_GUEST_USO6,
        VIRTIO_NET_F_HOST_USO,      VIRTIO_RING_F_INDIRECT_DESC,
        VIRTIO_RING_F_EVENT_IDX,    VIRTIO_F_NOTIFY_ON_EMPTY,
        VIRTIO_F_ANY_LAYOUT,
    };
    uint64_t f = mq ? 1ULL << VIRTIO_NET_F_MQ : 0;

    for (size_t i = 0; i < G_N_ELEMENTS(bits); i++) {
        f |= 1ULL << bits[i];
    }
    return f;
}

/* What Linux's virtio_net asks for when offered. */
static uint64_t linux_driver_features(void)
{
    static const int bits[] = {
        VIRTIO_NET_F_CSUM,
        VIRTIO_NET_F_GUEST_CSUM,
        VIRTIO_NET_F_CTRL_GUEST_OFFLOADS,
        VIRTIO_NET_F_MTU,
        VIRTIO_NET_F_MAC,
        VIRTIO_NET_F_GUEST_TSO4,
        VIRTIO_NET_F_GUEST_TSO6,
        VIRTIO_NET_F_GUEST_ECN,
        VIRTIO_NET_F_GUEST_UFO,
        VIRTIO_NET_F_HOST_TSO4,
        VIRTIO_NET_F_HOST_TSO6,
        VIRTIO_NET_F_HOST_ECN,
        VIRTIO_NET_F_HOST_UFO,
        VIRTIO_NET_F_MRG_RXBUF,
        VIRTIO_NET_F_STATUS,
        VIRTIO_NET_F_CTRL_VQ,
        VIRTIO_NET_F_CTRL_RX,
        VIRTIO_NET_F_CTRL_VLAN,
        VIRTIO_NET_F_CTRL_RX_EXTRA,
        VIRTIO_NET_F_GUEST_ANNOUNCE,
        VIRTIO_NET_F_MQ,
        VIRTIO_NET_F_CTRL_MAC_ADDR,
        VIRTIO_NET_F_SPEED_DUPLEX,
        VIRTIO_NET_F_GUEST_USO4,
        VIRTIO_NET_F_GUEST_USO6,
        VIRTIO_NET_F_HOST_USO,
        VIRTIO_RING_F_INDIRECT_DESC,
        VIRTIO_RING_F_EVENT_IDX,
        VIRTIO_F_VERSION_1,
    };
    uint64_t f = 0;

    for (size_t i = 0; i < G_N_ELEMENTS(bits); i++) {
        f |= 1ULL << bits[i];
    }
    return f;
}

static bool tap_add(Bench *b, Error **errp)
{
    json_t *o = json_object();
    char queues[16];
    bool ok;

    snprintf(queues, sizeof(queues), "%d", b->pairs);
    json_object_set_new(o, "type", json_string("tap"));
    json_object_set_new(o, "id", json_string("n0"));
    json_object_set_new(o, "ifname", json_string(b->ifname));
    json_object_set_new(o, "script", json_string("no"));
    json_object_set_new(o, "downscript", json_string("no"));
    json_object_set_new(o, "queues", json_string(queues));
    json_object_set_new(o, "vnet_hdr", json_string("on"));
    ok = net_client_netdev_add(o, false, errp);
    json_decref(o);
    return ok;
}

static bool nic_realize(Bench *b, Error **errp)
{
    b->dev = g_new0(DeviceState, 1);
    b->dev->path = g_strdup("/machine/peripheral-anon/device[0]");
    b->net = g_new0(VirtIONet, 1);
    b->net->conf = (VirtIONetConf){
        .host_features = default_host_features(b->pairs > 1),
        .netdev = g_strdup("n0"),
        .txtimer = VIRTIO_NET_TX_TIMER_NS,
        .txburst = VIRTIO_NET_TX_BURST,
        .rx_queue_size = RING_NUM,
        .tx_queue_size = RING_NUM,
        .mtu_bypass_backend = true,
        .speed = -1,
    };
    if (!virtio_net_realize(b->net, b->dev, "virtio-net-pci", "virtio-net-pci",
                            errp)) {
        return false;
    }
    virtio_bind_transport(&b->net->vdev, &bench_transport, b);
    return true;
}

/* One control command, answered synchronously by the device. */
static bool ctrl_command(Bench *b, uint8_t cls, uint8_t cmd,
                         const void *payload, size_t len, Error **errp)
{
    Ring *r = &b->ctrl;
    uint8_t *d = r->desc;
    uint16_t before = lduw_le(r->used + 2);

    r->bufs[0] = cls;
    r->bufs[1] = cmd;
    memcpy(r->bufs + 2, payload, len);
    r->bufs[1024] = 0xff;
    stq_le(d, r->bufs_pa);
    stl_le(d + 8, 2 + len);
    stw_le(d + 12, VRING_DESC_F_NEXT);
    stw_le(d + 14, 1);
    stq_le(d + 16, r->bufs_pa + 1024);
    stl_le(d + 24, 1);
    stw_le(d + 28, VRING_DESC_F_WRITE);
    stw_le(r->avail + 4 + 2 * (r->avail_idx % RING_NUM), 0);
    r->avail_idx++;
    stw_le(r->avail + 2, r->avail_idx);
    virtio_queue_notify(&b->net->vdev, r->index);
    if (lduw_le(r->used + 2) != (uint16_t)(before + 1) ||
        r->bufs[1024] != VIRTIO_NET_OK) {
        error_setg(errp, "control command %u.%u failed (status %u)", cls, cmd,
                   r->bufs[1024]);
        return false;
    }
    return true;
}

/* What Linux sends once the interface is up: its rx mode, then pairs. */
static bool driver_configure(Bench *b, Error **errp)
{
    uint8_t off = 0, pairs[2];
    /* No unicast entries, the two IPv4/IPv6 all-hosts groups. */
    static const uint8_t table[4 + 4 + 12] = {
        0,    0, 0, 0, 2,    0,    0, 0, 0x01, 0x00,
        0x5e, 0, 0, 1, 0x33, 0x33, 0, 0, 0,    1,
    };

    stw_le(pairs, b->pairs);
    return ctrl_command(b, VIRTIO_NET_CTRL_RX, 0, &off, 1, errp) &&
           ctrl_command(b, VIRTIO_NET_CTRL_RX, 1, &off, 1, errp) &&
           ctrl_command(b, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_TABLE_SET,
                        table, sizeof(table), errp) &&
           (b->pairs == 1 ||
            ctrl_command(b, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET,
                         pairs, 2, errp));
}

/* Reset, features, rings, DRIVER_OK: the order virtio_net probes in. */
static bool driver_init(Bench *b, Error **errp)
{
    VirtIODevice *vdev = &b->net->vdev;
    uint8_t st = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;
    uint64_t want = linux_driver_features() & (virtio_offered_features(vdev) |
                                               1ULL << VIRTIO_F_VERSION_1);

    virtio_reset(vdev);
    virtio_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE);
    virtio_set_status(vdev, st);
    if (!virtio_set_features(vdev, want)) {
        error_setg(errp, "features 0x%" G_GINT64_MODIFIER "x refused", want);
        return false;
    }
    virtio_set_status(vdev, st | VIRTIO_CONFIG_S_FEATURES_OK);
    if (!(vdev->status & VIRTIO_CONFIG_S_FEATURES_OK)) {
        error_setg(errp, "FEATURES_OK refused");
        return false;
    }
    if ((int)virtio_get_num_queues(vdev) != 2 * b->pairs + 1) {
        error_setg(errp, "%u virtqueues for %d pairs",
                   virtio_get_num_queues(vdev), b->pairs);
        return false;
    }
    for (int i = 0; i < b->pairs; i++) {
        ring_init(&b->rx[i], virtio_get_queue(vdev, 2 * i));
        ring_init(&b->tx_ring[i], virtio_get_queue(vdev, 2 * i + 1));
    }
    ring_init(&b->ctrl, b->net->ctrl_vq);
    virtio_set_status(vdev, st | VIRTIO_CONFIG_S_FEATURES_OK |
                                VIRTIO_CONFIG_S_DRIVER_OK);
    return driver_configure(b, errp);
}

/* Post every rx buffer; fill every tx ring with frames (tx mode). */
static void driver_fill(Bench *b)
{
    static const uint8_t other[6] = {0x02, 0, 0, 0, 0, 0x02};

    for (int i = 0; i < b->pairs; i++) {
        Ring *rx = &b->rx[i], *tx = &b->tx_ring[i];

        for (int h = 0; h < RING_NUM; h++) {
            ring_add(rx, h, RX_BUF_LEN, true);
        }
        ring_publish(b, rx);
        if (!b->tx) {
            continue;
        }
        for (int h = 0; h < RING_NUM; h++) {
            uint8_t *buf = tx->bufs + h * BUF_SLOT;
            memset(buf, 0, HDR_LEN);
            /* To a MAC nobody has: the namespace counts it, then drops it. */
            bench_build_udp_frame(buf + HDR_LEN, b->size - HDR_LEN, other,
                                  b->net->mac, 10000 + h, 20000 + i);
            ring_add(tx, h, b->size, false);
        }
        ring_publish(b, tx);
    }
}

/* ---- measuring ---- */

typedef struct Sample {
    int64_t wall_us;
    int64_t cpu_ns;      /* this (the main loop's) thread */
    int64_t vcsw, ivcsw; /* its voluntary / involuntary context switches */
    uint64_t tx_done, rx_done, rx_bytes, kicks, irqs, bad;
    uint64_t q_done[MAX_PAIRS]; /* per pair, in the measured direction */
    BenchIfStats ns;
} Sample;

static int64_t thread_cpu_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static bool sample(Bench *b, Sample *s, Error **errp)
{
    struct rusage ru;

    memset(s, 0, sizeof(*s));
    getrusage(RUSAGE_THREAD, &ru);
    s->vcsw = ru.ru_nvcsw;
    s->ivcsw = ru.ru_nivcsw;
    s->wall_us = g_get_monotonic_time();
    s->cpu_ns = thread_cpu_ns();
    s->irqs = b->irqs;
    for (int i = 0; i < b->pairs; i++) {
        s->tx_done += b->tx_ring[i].done;
        s->rx_done += b->rx[i].done;
        s->q_done[i] = b->tx ? b->tx_ring[i].done : b->rx[i].done;
        s->rx_bytes += b->rx[i].bytes;
        s->kicks += b->rx[i].kicks + b->tx_ring[i].kicks;
        s->bad += b->rx[i].bad;
    }
    return bench_ns_stats(b->ns, &s->ns, errp);
}

static gboolean keepalive(gpointer opaque)
{
    return G_SOURCE_CONTINUE; /* bounds every blocking wait */
}

/* The driver's work between two main-loop iterations. */
static bool run_for(Bench *b, double seconds, Error **errp)
{
    int64_t end = g_get_monotonic_time() + (int64_t)(seconds * 1e6);

    while (g_get_monotonic_time() < end) {
        for (int i = 0; i < b->pairs; i++) {
            tx_reap(b, &b->tx_ring[i]);
            ring_publish(b, &b->tx_ring[i]);
            rx_reap(b, &b->rx[i]);
            ring_publish(b, &b->rx[i]);
        }
        if (b->net->vdev.broken) {
            error_setg(errp, "the device marked itself broken");
            return false;
        }
        main_loop_wait(true);
    }
    return true;
}

static void report(Bench *b, const Sample *s0, const Sample *s1)
{
    double dt = (s1->wall_us - s0->wall_us) / 1e6;
    double cpu = (s1->cpu_ns - s0->cpu_ns) / 1e9 / dt * 100;
    double ns_per_pkt;
    size_t frame = b->size - HDR_LEN;
    uint64_t pkts, device, offered = 0, dropped = 0;
    GString *spread = g_string_new("");

    if (b->tx) {
        pkts = s1->ns.rx_packets - s0->ns.rx_packets;
        device = s1->tx_done - s0->tx_done;
    } else {
        pkts = device = s1->rx_done - s0->rx_done;
        offered = (s1->ns.tx_packets + s1->ns.tx_dropped) -
                  (s0->ns.tx_packets + s0->ns.tx_dropped);
        dropped = s1->ns.tx_dropped - s0->ns.tx_dropped;
    }
    for (int i = 0; i < b->pairs; i++) {
        g_string_append_printf(spread, "%s%.0f%%", i ? "/" : "",
                               100.0 * (s1->q_done[i] - s0->q_done[i]) /
                                   MAX(device, 1));
    }
    /* The machine is shared: CPU time per frame is the steadier number. */
    ns_per_pkt = (double)(s1->cpu_ns - s0->cpu_ns) / MAX(pkts, 1);
    printf("%s size=%zu (frame %zu) pairs=%d: %.0f pkt/s, %.3f Gbit/s; "
           "device %.0f/s, kicks %.3f/pkt, irqs %.3f/pkt, main thread CPU "
           "%.0f%% = %.0f ns/pkt",
           b->tx ? "guest-to-tap" : "tap-to-guest", b->size, frame, b->pairs,
           pkts / dt, pkts * frame * 8 / dt / 1e9, device / dt,
           (double)(s1->kicks - s0->kicks) / MAX(device, 1),
           (double)(s1->irqs - s0->irqs) / MAX(device, 1), cpu, ns_per_pkt);
    if (!b->tx) {
        printf(", offered %.0f/s, dropped at the tap %.0f/s", offered / dt,
               dropped / dt);
    }
    printf(", per queue %s", spread->str);
    /* Many involuntary switches: other load took the CPU from us. */
    printf(", context switches %.0f/s voluntary, %.0f/s involuntary",
           (s1->vcsw - s0->vcsw) / dt, (s1->ivcsw - s0->ivcsw) / dt);
    if (s1->bad != s0->bad) {
        printf(", %" G_GUINT64_FORMAT " malformed", s1->bad - s0->bad);
    }
    printf("\nRESULT dir=%s size=%zu pairs=%d pps=%.0f gbps=%.3f cpu=%.0f "
           "nspp=%.0f kicks=%.3f irqs=%.3f offered=%.0f spread=%s\n",
           b->tx ? "tx" : "rx", b->size, b->pairs, pkts / dt,
           pkts * frame * 8 / dt / 1e9, cpu, ns_per_pkt,
           (double)(s1->kicks - s0->kicks) / MAX(device, 1),
           (double)(s1->irqs - s0->irqs) / MAX(device, 1), offered / dt,
           spread->str);
    fflush(stdout);
    g_string_free(spread, true);
}

static bool run_point(Bench *b, Error **errp)
{
    Sample s0, s1;

    driver_fill(b);
    if (!b->tx && !bench_ns_start_sender(b->ns, b->net->mac, b->size - HDR_LEN,
                                         b->flows, errp)) {
        return false;
    }
    if (!run_for(b, 0.5, errp) || !sample(b, &s0, errp) ||
        !run_for(b, b->seconds, errp) || !sample(b, &s1, errp)) {
        return false;
    }
    if (!b->tx) {
        bench_ns_stop_sender(b->ns);
    }
    report(b, &s0, &s1);
    return true;
}

static bool setup(Bench *b, Error **errp)
{
    MemoryRegion *ram;

    memory_init();
    ram = memory_region_new_ram("ram", RAM_SIZE, errp);
    if (!ram || !address_space_map(address_space_memory, RAM_BASE, ram, errp)) {
        return false;
    }
    main_loop_init();
    vm_start();
    g_timeout_add(20, keepalive, NULL);
    snprintf(b->ifname, sizeof(b->ifname), "vbench%d", (int)getpid() % 100000);
    b->ns = bench_ns_new(errp);
    return b->ns && tap_add(b, errp) &&
           bench_ns_take_interface(b->ns, b->ifname, errp) &&
           nic_realize(b, errp) && driver_init(b, errp);
}

static void teardown(Bench *b)
{
    Error *err = NULL;

    if (b->net) {
        virtio_reset(&b->net->vdev);
        virtio_net_unrealize(b->net);
        g_free(b->net->conf.netdev);
        g_free(b->net);
    }
    if (b->dev) {
        g_free(b->dev->path);
        g_free(b->dev);
    }
    if (qemu_find_netdev("n0") && !net_netdev_del("n0", &err)) {
        error_report_err(err);
    }
    bench_ns_free(b->ns);
}

/* ---- command line ---- */

static bool can_run(void)
{
    if (geteuid() != 0) {
        printf("SKIP: bench-virtio-net needs root (a tap and a network "
               "namespace)\n");
        return false;
    }
    if (access("/dev/net/tun", R_OK | W_OK)) {
        printf("SKIP: /dev/net/tun is not usable: %s\n", strerror(errno));
        return false;
    }
    return true;
}

/* One measurement in this process. */
static int run_one(const char *dir, int size, int pairs, int flows,
                   double seconds)
{
    Bench b = {.tx = !strcmp(dir, "tx"),
               .pairs = pairs,
               .size = size,
               .flows = flows,
               .seconds = seconds};
    Error *err = NULL;
    bool ok;

    if ((strcmp(dir, "tx") && strcmp(dir, "rx")) || pairs < 1 ||
        pairs > MAX_PAIRS || size < HDR_LEN + 42 || size > RX_BUF_LEN ||
        flows < 1 || seconds <= 0) {
        fprintf(stderr,
                "bad point: --dir tx|rx, --size 54..%d, --pairs "
                "1..%d, --flows >= 1, --seconds > 0\n",
                RX_BUF_LEN, MAX_PAIRS);
        return 2;
    }
    ok = setup(&b, &err) && run_point(&b, &err);
    if (!ok) {
        /* An unshare refused (a container without CAP_SYS_ADMIN): skip. */
        bool perm = strstr(error_get_pretty(err), "Operation not permitted");
        printf("%s: %s\n", perm ? "SKIP" : "FAIL", error_get_pretty(err));
        error_free(err);
        teardown(&b);
        return perm ? SKIP : 1;
    }
    teardown(&b);
    return 0;
}

typedef struct Point {
    const char *dir;
    int size;
    int pairs;
} Point;

/* Every point of docs/performance.md, each in a fresh process. */
static int run_all(const char *self, int flows, double seconds)
{
    static const Point points[] = {
        {"tx", 64, 1}, {"tx", 1500, 1}, {"rx", 64, 1}, {"rx", 1500, 1},
        {"tx", 64, 2}, {"tx", 64, 4},   {"rx", 64, 2}, {"rx", 64, 4},
    };
    int rc = 0;

    for (size_t i = 0; i < G_N_ELEMENTS(points); i++) {
        char *argv[] = {
            (char *)self,
            "--dir",
            (char *)points[i].dir,
            "--size",
            g_strdup_printf("%d", points[i].size),
            "--pairs",
            g_strdup_printf("%d", points[i].pairs),
            "--flows",
            g_strdup_printf("%d", flows),
            "--seconds",
            g_strdup_printf("%g", seconds),
            NULL,
        };
        int status = -1;
        bool spawned =
            g_spawn_sync(NULL, argv, NULL, G_SPAWN_CHILD_INHERITS_STDIN, NULL,
                         NULL, NULL, NULL, &status, NULL);

        for (int a = 4; a <= 10; a += 2) {
            g_free(argv[a]);
        }
        if (!spawned || !WIFEXITED(status)) {
            return 1;
        }
        if (WEXITSTATUS(status) == SKIP) {
            return SKIP;
        }
        rc |= WEXITSTATUS(status) != 0;
    }
    return rc;
}

int main(int argc, char **argv)
{
    gchar *dir = NULL;
    gint size = 64, pairs = 1, flows = 256;
    gdouble seconds = 3;
    GOptionEntry entries[] = {
        {"dir", 0, 0, G_OPTION_ARG_STRING, &dir,
         "tx (guest-to-tap) or rx (tap-to-guest); all points without it",
         "DIR"},
        {"size", 0, 0, G_OPTION_ARG_INT, &size,
         "guest buffer bytes including the 12-byte header (64)", "N"},
        {"pairs", 0, 0, G_OPTION_ARG_INT, &pairs, "queue pairs (1)", "N"},
        {"flows", 0, 0, G_OPTION_ARG_INT, &flows,
         "UDP port pairs the sender cycles through (256)", "N"},
        {"seconds", 0, 0, G_OPTION_ARG_DOUBLE, &seconds,
         "measured time per point (3)", "S"},
        {NULL},
    };
    GOptionContext *ctx = g_option_context_new("- virtio-net data path");
    GError *gerr = NULL;
    int rc;

    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &gerr)) {
        fprintf(stderr, "%s\n", gerr->message);
        return 2;
    }
    g_option_context_free(ctx);
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!can_run()) {
        return SKIP;
    }
    if (!dir) {
        char *self = g_file_read_link("/proc/self/exe", NULL);

        rc = run_all(self ? self : argv[0], flows, seconds);
        g_free(self);
        return rc;
    }
    rc = run_one(dir, size, pairs, flows, seconds);
    g_free(dir);
    return rc;
}
