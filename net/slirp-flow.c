/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Flow hashing and the bounded flow table behind multiqueue user
 * networking (see net/slirp.c for how queues are chosen).  Every frame
 * here may come from a hostile guest: each field is read only after its
 * bytes are known to be inside the frame.
 */
#include <string.h>
#include <glib.h>
#include "net/slirp-flow.h"

#define ETH_HLEN      14
#define ETHERTYPE_IP  0x0800
#define ETHERTYPE_IP6 0x86dd
#define IPPROTO_TCP_  6
#define IPPROTO_UDP_  17

SlirpFlowTable *slirp_flow_table_new(void)
{
    SlirpFlowTable *t = g_new0(SlirpFlowTable, 1);

    t->seed = g_random_int();
    return t;
}

void slirp_flow_table_free(SlirpFlowTable *t)
{
    g_free(t);
}

void slirp_flow_table_clear(SlirpFlowTable *t)
{
    memset(t->slot, 0, sizeof(t->slot));
}

/* One 32-bit word into the running hash (a multiply-rotate round). */
static uint32_t flow_mix(uint32_t h, uint32_t v)
{
    v *= 0xcc9e2d51u;
    v = (v << 15) | (v >> 17);
    v *= 0x1b873593u;
    h ^= v;
    h = (h << 13) | (h >> 19);
    return h * 5 + 0xe6546b64u;
}

static uint32_t flow_final(uint32_t h)
{
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

static uint32_t flow_mix_bytes(uint32_t h, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 4 <= n; i += 4) {
        h = flow_mix(h, (uint32_t)p[i] << 24 | p[i + 1] << 16 | p[i + 2] << 8 |
                            p[i + 3]);
    }
    return h;
}

/*
 * Hash one L3 header: @src/@dst are addresses of @alen bytes, @l4 the
 * transport header (NULL when there are no ports to use).
 */
static uint32_t flow_hash_l3(uint32_t seed, const uint8_t *src,
                             const uint8_t *dst, size_t alen, uint8_t proto,
                             const uint8_t *l4, bool to_guest)
{
    /* Guest side first, so both directions of a flow agree. */
    const uint8_t *guest = to_guest ? dst : src;
    const uint8_t *remote = to_guest ? src : dst;
    uint32_t h = seed;
    uint16_t gport = 0, rport = 0;

    if (l4) {
        uint16_t sport = l4[0] << 8 | l4[1], dport = l4[2] << 8 | l4[3];
        gport = to_guest ? dport : sport;
        rport = to_guest ? sport : dport;
    }
    h = flow_mix_bytes(h, guest, alen);
    h = flow_mix_bytes(h, remote, alen);
    h = flow_mix(h, (uint32_t)gport << 16 | rport);
    h = flow_mix(h, proto);
    return flow_final(h);
}

static bool flow_hash_ip4(uint32_t seed, const uint8_t *ip, size_t len,
                          bool to_guest, uint32_t *hash)
{
    size_t ihl;
    bool fragment;
    uint8_t proto;

    if (len < 20 || (ip[0] >> 4) != 4) {
        return false;
    }
    ihl = (ip[0] & 0xf) * 4u;
    if (ihl < 20 || ihl > len) {
        return false;
    }
    proto = ip[9];
    /* More-fragments or an offset: the ports are not (all) here. */
    fragment = (ip[6] & 0x3f) || ip[7];
    *hash =
        flow_hash_l3(seed, ip + 12, ip + 16, 4, proto,
                     !fragment && len - ihl >= 4 &&
                             (proto == IPPROTO_TCP_ || proto == IPPROTO_UDP_)
                         ? ip + ihl
                         : NULL,
                     to_guest);
    return true;
}

static bool flow_hash_ip6(uint32_t seed, const uint8_t *ip, size_t len,
                          bool to_guest, uint32_t *hash)
{
    uint8_t proto;

    if (len < 40 || (ip[0] >> 4) != 6) {
        return false;
    }
    /* Only a transport header right after the fixed one gives ports. */
    proto = ip[6];
    *hash = flow_hash_l3(
        seed, ip + 8, ip + 24, 16, proto,
        len >= 44 && (proto == IPPROTO_TCP_ || proto == IPPROTO_UDP_) ? ip + 40
                                                                      : NULL,
        to_guest);
    return true;
}

bool slirp_flow_hash(const SlirpFlowTable *t, const uint8_t *buf, size_t len,
                     bool to_guest, uint32_t *hash)
{
    uint16_t type;

    if (!buf || len < ETH_HLEN) {
        return false;
    }
    type = buf[12] << 8 | buf[13];
    if (type == ETHERTYPE_IP) {
        return flow_hash_ip4(t->seed, buf + ETH_HLEN, len - ETH_HLEN, to_guest,
                             hash);
    }
    if (type == ETHERTYPE_IP6) {
        return flow_hash_ip6(t->seed, buf + ETH_HLEN, len - ETH_HLEN, to_guest,
                             hash);
    }
    return false;
}

SlirpFlow *slirp_flow_lookup(SlirpFlowTable *t, uint32_t hash)
{
    SlirpFlow *f = &t->slot[hash & (SLIRP_FLOW_SLOTS - 1)];

    return f->used && f->hash == hash ? f : NULL;
}

SlirpFlow *slirp_flow_insert(SlirpFlowTable *t, uint32_t hash, uint16_t queue,
                             bool from_guest)
{
    SlirpFlow *f = &t->slot[hash & (SLIRP_FLOW_SLOTS - 1)];

    if (!f->used || f->hash != hash) {
        /* A new flow (or a colliding one): it starts where it is sent. */
        f->used = true;
        f->hash = hash;
        f->last_out = queue;
    }
    f->want = queue;
    f->from_guest = from_guest;
    return f;
}
