/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * announce-self.  Each named timer sends one round per firing: for every
 * NIC selected, one untagged RARP frame carrying the NIC's configured MAC
 * on its first queue, and the NIC's own announce hook (virtio-net asks the
 * guest to announce its addresses).  Round one is immediate; the gap after
 * round k is initial + (k - 1) * step milliseconds, capped at max.
 */
#include <string.h>
#include <glib.h>
#include "net/announce.h"
#include "migration/migration.h"
#include "net/net.h"
#include "qapi/qapi-commands.h"
#include "util/timer.h"

/* Bounds that keep a hostile request from scheduling absurd timers. */
#define ANNOUNCE_MAX_MS 100000
#define ANNOUNCE_MAX_ROUNDS 1000
#define ANNOUNCE_MAX_STEP_MS 10000

typedef struct AnnounceTimer {
    char *id;
    AnnounceParameters *params; /* owned copy */
    int64_t remaining;          /* rounds still to send */
    QEMUTimer *timer;
    bool migration;             /* the post-migration rounds (extended) */
} AnnounceTimer;

/* Timers by id; values are AnnounceTimer *. */
static GHashTable *announce_timers;
/* The post-migration rounds: a timer of its own, as in QEMU, so that
 * announce-self with any id does not touch it. */
static AnnounceTimer *migration_timer;

typedef struct AnnounceNicAddrs {
    AnnounceAddrsFn *fn;
    void *opaque;
} AnnounceNicAddrs;
/* NetClientState * -> AnnounceNicAddrs * */
static GHashTable *nic_addrs;

GList *net_client_list(void);

void announce_build_rarp(uint8_t buf[ANNOUNCE_RARP_LEN], const uint8_t mac[6])
{
    static const uint8_t head[] = {
        0x80, 0x35,             /* ethertype RARP */
        0x00, 0x01,             /* hardware: Ethernet */
        0x08, 0x00,             /* protocol: IPv4 */
        6, 4,                   /* address lengths */
        0x00, 0x03,             /* operation: reverse request */
    };
    uint8_t *p = buf;

    memset(buf, 0, ANNOUNCE_RARP_LEN);
    memset(p, 0xff, 6);         /* broadcast */
    memcpy(p + 6, mac, 6);
    p += 12;
    memcpy(p, head, sizeof(head));
    p += sizeof(head);
    memcpy(p, mac, 6);          /* sender hardware address */
    p += 6 + 4;                 /* sender protocol address 0.0.0.0 */
    memcpy(p, mac, 6);          /* target hardware address */
    /* Target protocol address and padding stay zero. */
}

void announce_build_rarp_tagged(uint8_t buf[ANNOUNCE_RARP_TAGGED_LEN],
                                const uint8_t mac[6], uint16_t vid)
{
    uint8_t plain[ANNOUNCE_RARP_LEN];

    announce_build_rarp(plain, mac);
    memcpy(buf, plain, 12);
    buf[12] = 0x81;             /* TPID 802.1Q */
    buf[13] = 0x00;
    buf[14] = (vid >> 8) & 0x0f; /* priority 0, DEI 0 */
    buf[15] = vid & 0xff;
    memcpy(buf + 16, plain + 12, ANNOUNCE_RARP_LEN - 12);
}

void announce_add_nic_addrs(NetClientState *nc, AnnounceAddrsFn *fn,
                            void *opaque)
{
    AnnounceNicAddrs *a = g_new(AnnounceNicAddrs, 1);

    if (!nic_addrs) {
        nic_addrs = g_hash_table_new_full(NULL, NULL, NULL, g_free);
    }
    a->fn = fn;
    a->opaque = opaque;
    g_hash_table_insert(nic_addrs, nc, a);
}

void announce_del_nic_addrs(NetClientState *nc)
{
    if (nic_addrs) {
        g_hash_table_remove(nic_addrs, nc);
    }
}

static bool mac_listed(const GArray *macs, const uint8_t *mac)
{
    for (guint i = 0; i < macs->len; i++) {
        if (!memcmp(&g_array_index(macs, uint8_t, i * 6), mac, 6)) {
            return true;
        }
    }
    return false;
}

/* The extension's frames for one NIC, after QEMU's own RARP. */
static void announce_extra(NetClientState *nc, const uint8_t *conf_mac)
{
    AnnounceNicAddrs *a = nic_addrs ? g_hash_table_lookup(nic_addrs, nc)
                                    : NULL;
    GArray *raw, *macs, *vlans;
    unsigned budget = ANNOUNCE_MAX_EXTRA_FRAMES;

    if (!a) {
        return;
    }
    raw = g_array_new(FALSE, FALSE, 1);
    macs = g_array_new(FALSE, FALSE, 1);
    vlans = g_array_new(FALSE, FALSE, sizeof(uint16_t));
    a->fn(a->opaque, raw, vlans);
    g_array_append_vals(macs, conf_mac, 6);
    /* Unicast, non-zero and not yet listed: a switch learns nothing else. */
    for (guint i = 0; i + 6 <= raw->len; i += 6) {
        const uint8_t *m = &g_array_index(raw, uint8_t, i);
        static const uint8_t zero[6];
        if (!(m[0] & 1) && memcmp(m, zero, 6) && !mac_listed(macs, m)) {
            g_array_append_vals(macs, m, 6);
        }
    }
    for (guint i = 1; i < macs->len / 6 && budget; i++, budget--) {
        uint8_t frame[ANNOUNCE_RARP_LEN];
        announce_build_rarp(frame, &g_array_index(macs, uint8_t, i * 6));
        qemu_send_packet_raw(nc, frame, sizeof(frame));
    }
    for (guint v = 0; v < vlans->len; v++) {
        uint16_t vid = g_array_index(vlans, uint16_t, v) & 0xfff;
        for (guint i = 0; i < macs->len / 6 && budget; i++, budget--) {
            uint8_t frame[ANNOUNCE_RARP_TAGGED_LEN];
            announce_build_rarp_tagged(frame,
                                       &g_array_index(macs, uint8_t, i * 6),
                                       vid);
            qemu_send_packet_raw(nc, frame, sizeof(frame));
        }
    }
    g_array_free(raw, TRUE);
    g_array_free(macs, TRUE);
    g_array_free(vlans, TRUE);
}

static bool announce_wanted(const AnnounceParameters *params,
                            const char *name)
{
    /* Absent (or empty, as in QEMU): every NIC. */
    if (!params->interfaces) {
        return true;
    }
    for (strList *l = params->interfaces; l; l = l->next) {
        if (!strcmp(l->value, name)) {
            return true;
        }
    }
    return false;
}

static void announce_round(const AnnounceParameters *params, bool extended)
{
    for (GList *l = net_client_list(); l; l = l->next) {
        NetClientState *nc = l->data;
        NICState *nic;
        uint8_t frame[ANNOUNCE_RARP_LEN];

        if (nc->info->type != NET_CLIENT_DRIVER_NIC || nc->queue_index ||
            !announce_wanted(params, nc->name)) {
            continue;
        }
        nic = qemu_get_nic(nc);
        announce_build_rarp(frame, nic->conf->macaddr.a);
        qemu_send_packet_raw(nc, frame, sizeof(frame));
        if (extended) {
            announce_extra(nc, nic->conf->macaddr.a);
        }
        if (nc->info->announce) {
            nc->info->announce(nc);
        }
    }
}

/* Milliseconds to wait once @t has @t->remaining rounds left to send. */
static int64_t announce_gap_ms(const AnnounceTimer *t)
{
    const AnnounceParameters *p = t->params;
    int64_t gap = p->initial + (p->rounds - t->remaining - 1) * p->step;

    return gap < 0 || gap > p->max ? p->max : gap;
}

static void announce_fire(void *opaque)
{
    AnnounceTimer *t = opaque;

    announce_round(t->params, t->migration);
    if (--t->remaining > 0) {
        timer_mod_ns(t->timer, clock_get_ns(QEMU_CLOCK_REALTIME) +
                                   announce_gap_ms(t) * 1000000);
    }
}

static AnnounceParameters *announce_params_copy(const AnnounceParameters *p)
{
    AnnounceParameters *c = g_new0(AnnounceParameters, 1);
    strList **tail = &c->interfaces;

    *c = *p;
    c->interfaces = NULL;
    c->id = g_strdup(p->id);
    for (strList *l = p->interfaces; l; l = l->next) {
        *tail = g_new0(strList, 1);
        (*tail)->value = g_strdup(l->value);
        tail = &(*tail)->next;
    }
    return c;
}

static void announce_timer_free(gpointer data)
{
    AnnounceTimer *t = data;

    timer_free(t->timer);
    qapi_free_AnnounceParameters(t->params);
    g_free(t->id);
    g_free(t);
}

static bool announce_check_range(const char *name, int64_t val, int64_t min,
                                 int64_t max, Error **errp)
{
    if (val < min || val > max) {
        error_setg(errp, "Parameter '%s' must be between %" G_GINT64_FORMAT
                   " and %" G_GINT64_FORMAT " (got %" G_GINT64_FORMAT ")",
                   name, min, max, val);
        return false;
    }
    return true;
}

static bool announce_check(const AnnounceParameters *p, Error **errp)
{
    return announce_check_range("initial", p->initial, 0, ANNOUNCE_MAX_MS,
                                errp) &&
           announce_check_range("max", p->max, 0, ANNOUNCE_MAX_MS, errp) &&
           announce_check_range("rounds", p->rounds, 0, ANNOUNCE_MAX_ROUNDS,
                                errp) &&
           announce_check_range("step", p->step, 0, ANNOUNCE_MAX_STEP_MS,
                                errp);
}

bool announce_self(const AnnounceParameters *params, Error **errp)
{
    const char *id = params->id ? params->id : "";
    AnnounceTimer *t;

    if (!announce_check(params, errp)) {
        return false;
    }
    if (!announce_timers) {
        announce_timers = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                                announce_timer_free);
    }
    /* The same id restarts; rounds 0 just stops it. */
    g_hash_table_remove(announce_timers, id);
    if (params->rounds == 0) {
        return true;
    }
    t = g_new0(AnnounceTimer, 1);
    t->id = g_strdup(id);
    t->params = announce_params_copy(params);
    t->remaining = params->rounds;
    t->timer = timer_new_ns(QEMU_CLOCK_REALTIME, announce_fire, t);
    g_hash_table_insert(announce_timers, t->id, t);
    announce_fire(t);
    return true;
}

void announce_migration_start(void)
{
    MigrationAnnounceParams mp;
    AnnounceParameters p = { 0 };

    migration_get_announce_params(&mp);
    if (migration_timer) {
        announce_timer_free(migration_timer);
        migration_timer = NULL;
    }
    if (mp.rounds == 0) {
        return;
    }
    p.initial = mp.initial;
    p.max = mp.max;
    p.rounds = mp.rounds;
    p.step = mp.step;
    migration_timer = g_new0(AnnounceTimer, 1);
    migration_timer->id = g_strdup("");
    migration_timer->params = announce_params_copy(&p);
    migration_timer->remaining = mp.rounds;
    migration_timer->migration = true;
    migration_timer->timer = timer_new_ns(QEMU_CLOCK_REALTIME, announce_fire,
                                          migration_timer);
    announce_fire(migration_timer);
}

void announce_cleanup(void)
{
    if (migration_timer) {
        announce_timer_free(migration_timer);
        migration_timer = NULL;
    }
    g_clear_pointer(&nic_addrs, g_hash_table_destroy);
    g_clear_pointer(&announce_timers, g_hash_table_destroy);
}

void qmp_announce_self(AnnounceParameters *params, Error **errp)
{
    announce_self(params, errp);
}
