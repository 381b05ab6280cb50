/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The user backend: libslirp's NAT, DHCP and DNS inside the process.
 * slirp's sockets are polled by a GSource on the main context (its
 * pollfds_fill/pollfds_poll API) and its timers are GLib timeouts.
 *
 * Multiqueue (queues=N, a Vireo extension): N net clients, one per queue
 * like a multiqueue tap, share one libslirp instance (SlirpStack).  What
 * the guest sends on any queue goes into that one stack.  A frame from
 * the stack goes out on an enabled queue chosen per flow, the way the
 * Linux tun driver steers: the queue where the guest last sent the flow,
 * else (during the guest's own frame) the queue it came in on, else one
 * picked by hash.  A flow stays on the queue it last went out on while
 * frames of ours still wait there, so a flow is never reordered.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <libslirp.h>
#include "net/clients.h"
#include "net/slirp-flow.h"
#include "util/main-loop.h"

#define SLIRP_MAX_QUEUES MAX_QUEUE_NUM

typedef struct SlirpStack SlirpStack;
typedef struct SlirpState SlirpState;

typedef struct SlirpSource {
    GSource source;
    SlirpStack *st;
    GArray *pfds; /* GPollFD, registered with the source */
    GArray *next; /* GPollFD, what slirp asks for in this prepare */
    gint64 deadline_us; /* slirp's timers are due then; -1: none */
} SlirpSource;

/* What the queues of one netdev share. */
struct SlirpStack {
    Slirp *slirp;
    SlirpSource *src;
    GSList *timers;
    unsigned nqueues;
    unsigned live;        /* queues not yet cleaned up */
    SlirpState **queues;  /* [nqueues]; NULL once a queue is cleaned up */
    uint16_t *enabled;    /* indexes of the enabled queues, ascending */
    unsigned nenabled;
    int input_queue;      /* queue whose frame slirp_input is handling */
    SlirpFlowTable *flows; /* NULL with a single queue */
};

/* One queue: a net client of its own. */
struct SlirpState {
    NetClientState nc;
    SlirpStack *st;
    unsigned index;
    bool enabled;
};

typedef struct SlirpTimer {
    SlirpStack *st;
    SlirpTimerId id;
    void *cb_opaque;
    guint source;
} SlirpTimer;

/* ---- choosing the queue of a frame for the guest ---- */

static bool slirp_queue_usable(SlirpStack *st, unsigned q)
{
    return q < st->nqueues && st->queues[q] && st->queues[q]->enabled;
}

/* Frames of ours that wait at queue @q's peer for the guest to take. */
static unsigned slirp_queue_backlog(SlirpStack *st, unsigned q)
{
    NetClientState *peer;

    if (q >= st->nqueues || !st->queues[q]) {
        return 0;
    }
    peer = st->queues[q]->nc.peer;
    return peer && peer->incoming_queue ? qemu_net_queue_len(peer->incoming_queue)
                                        : 0;
}

/* Queue 0 if nothing is enabled: a frame then waits as it would today. */
static unsigned slirp_first_queue(SlirpStack *st)
{
    if (st->nenabled) {
        return st->enabled[0];
    }
    for (unsigned q = 0; q < st->nqueues; q++) {
        if (st->queues[q]) {
            return q;
        }
    }
    return 0;
}

/* A frame with no flow (ARP, other ethertypes). */
static unsigned slirp_pick_plain(SlirpStack *st)
{
    if (st->input_queue >= 0 && slirp_queue_usable(st, st->input_queue)) {
        return st->input_queue;
    }
    return slirp_first_queue(st);
}

static unsigned slirp_pick_flow(SlirpStack *st, uint32_t hash)
{
    SlirpFlow *f = slirp_flow_lookup(st->flows, hash);
    unsigned q;

    if (f && f->from_guest && slirp_queue_usable(st, f->want)) {
        q = f->want;
    } else if (st->input_queue >= 0 &&
               slirp_queue_usable(st, st->input_queue)) {
        q = st->input_queue;
    } else if (f && slirp_queue_usable(st, f->last_out)) {
        q = f->last_out;
    } else if (st->nenabled) {
        q = st->enabled[hash % st->nenabled];
    } else {
        q = slirp_first_queue(st);
    }
    /*
     * The guest moved the flow: keep to the old queue until what we
     * already put there has been taken, or the new frames would overtake.
     */
    if (f && f->last_out != q && slirp_queue_usable(st, f->last_out) &&
        slirp_queue_backlog(st, f->last_out)) {
        q = f->last_out;
    }
    if (!f) {
        f = slirp_flow_insert(st->flows, hash, q, false);
    }
    f->last_out = q;
    return q;
}

static unsigned slirp_pick_queue(SlirpStack *st, const uint8_t *buf,
                                 size_t len)
{
    uint32_t hash;

    if (st->nqueues == 1) {
        return 0;
    }
    if (!slirp_flow_hash(st->flows, buf, len, true, &hash)) {
        return slirp_pick_plain(st);
    }
    return slirp_pick_flow(st, hash);
}

/* The guest sent this frame on queue @q: its flow's replies go there. */
static void slirp_note_guest_flow(SlirpStack *st, unsigned q,
                                  const uint8_t *buf, size_t len)
{
    uint32_t hash;

    if (st->flows && slirp_flow_hash(st->flows, buf, len, false, &hash)) {
        slirp_flow_insert(st->flows, hash, q, true);
    }
}

/* Rebuild the list of enabled queues after a change. */
static void slirp_update_enabled(SlirpStack *st)
{
    st->nenabled = 0;
    for (unsigned q = 0; q < st->nqueues; q++) {
        if (st->queues[q] && st->queues[q]->enabled) {
            st->enabled[st->nenabled++] = q;
        }
    }
}

/* ---- callbacks from libslirp ---- */

static ssize_t slirp_cb_send(const void *buf, size_t len, void *opaque)
{
    SlirpStack *st = opaque;
    unsigned q = slirp_pick_queue(st, buf, len);

    if (q >= st->nqueues || !st->queues[q]) {
        return len; /* every queue is gone: nobody to hand it to */
    }
    /* A full or busy peer queues it, exactly as with one queue. */
    return qemu_send_packet(&st->queues[q]->nc, buf, len);
}

static void slirp_cb_guest_error(const char *msg, void *opaque)
{
    warn_report("user network: guest error: %s", msg);
}

static int64_t slirp_cb_clock_ns(void *opaque)
{
    return g_get_monotonic_time() * 1000;
}

static gboolean slirp_timer_fire(void *opaque)
{
    SlirpTimer *t = opaque;

    t->source = 0;
    slirp_handle_timer(t->st->slirp, t->id, t->cb_opaque);
    return G_SOURCE_REMOVE;
}

static void *slirp_cb_timer_new_opaque(SlirpTimerId id, void *cb_opaque,
                                       void *opaque)
{
    SlirpStack *st = opaque;
    SlirpTimer *t = g_new0(SlirpTimer, 1);

    t->st = st;
    t->id = id;
    t->cb_opaque = cb_opaque;
    st->timers = g_slist_prepend(st->timers, t);
    return t;
}

static void slirp_cb_timer_free(void *timer, void *opaque)
{
    SlirpTimer *t = timer;

    if (t->source) {
        g_source_remove(t->source);
    }
    t->st->timers = g_slist_remove(t->st->timers, t);
    g_free(t);
}

static void slirp_cb_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
    SlirpTimer *t = timer;
    int64_t now_ms = g_get_monotonic_time() / 1000;
    int64_t delay = expire_ms - now_ms;

    if (t->source) {
        g_source_remove(t->source);
    }
    t->source = g_timeout_add(CLAMP(delay, 0, G_MAXINT), slirp_timer_fire, t);
}

static void slirp_cb_register_fd(int fd, void *opaque)
{
}

static void slirp_cb_unregister_fd(int fd, void *opaque)
{
}

static void slirp_cb_notify(void *opaque)
{
    main_loop_kick();
}

static const SlirpCb slirp_callbacks = {
    .send_packet = slirp_cb_send,
    .guest_error = slirp_cb_guest_error,
    .clock_get_ns = slirp_cb_clock_ns,
    .timer_free = slirp_cb_timer_free,
    .timer_mod = slirp_cb_timer_mod,
    .register_poll_fd = slirp_cb_register_fd,
    .unregister_poll_fd = slirp_cb_unregister_fd,
    .notify = slirp_cb_notify,
    .timer_new_opaque = slirp_cb_timer_new_opaque,
};

/* ---- polling slirp's sockets from the main context ---- */

static int slirp_add_poll(int fd, int events, void *opaque)
{
    SlirpSource *src = opaque;
    GPollFD pfd = {.fd = fd};

    pfd.events = (events & SLIRP_POLL_IN ? G_IO_IN : 0) |
                 (events & SLIRP_POLL_OUT ? G_IO_OUT : 0) |
                 (events & SLIRP_POLL_PRI ? G_IO_PRI : 0) |
                 (events & SLIRP_POLL_ERR ? G_IO_ERR : 0) |
                 (events & SLIRP_POLL_HUP ? G_IO_HUP : 0);
    g_array_append_val(src->next, pfd);
    return src->next->len - 1;
}

static int slirp_get_revents(int idx, void *opaque)
{
    SlirpSource *src = opaque;
    GPollFD *pfd;
    int r = 0;

    if (idx < 0 || (guint)idx >= src->pfds->len) {
        return 0;
    }
    pfd = &g_array_index(src->pfds, GPollFD, idx);
    r |= pfd->revents & G_IO_IN ? SLIRP_POLL_IN : 0;
    r |= pfd->revents & G_IO_OUT ? SLIRP_POLL_OUT : 0;
    r |= pfd->revents & G_IO_PRI ? SLIRP_POLL_PRI : 0;
    r |= pfd->revents & G_IO_ERR ? SLIRP_POLL_ERR : 0;
    r |= pfd->revents & G_IO_HUP ? SLIRP_POLL_HUP : 0;
    return r;
}

static void slirp_source_clear(SlirpSource *src)
{
    for (guint i = 0; i < src->pfds->len; i++) {
        g_source_remove_poll(&src->source,
                             &g_array_index(src->pfds, GPollFD, i));
    }
    g_array_set_size(src->pfds, 0);
}

static bool same_fds(GArray *a, GArray *b)
{
    if (a->len != b->len) {
        return false;
    }
    for (guint i = 0; i < a->len; i++) {
        if (g_array_index(a, GPollFD, i).fd != g_array_index(b, GPollFD, i).fd) {
            return false;
        }
    }
    return true;
}

static gboolean slirp_source_prepare(GSource *source, gint *timeout)
{
    SlirpSource *src = (SlirpSource *)source;
    uint32_t t = UINT32_MAX;

    slirp_pollfds_fill(src->st->slirp, &t, slirp_add_poll, src);
    if (same_fds(src->pfds, src->next)) {
        /*
         * Same sockets: only the wanted events change, and GLib reads them
         * at each query.  Adding or removing polls wakes the context, so
         * doing it on every prepare would make the main loop spin.
         */
        for (guint i = 0; i < src->pfds->len; i++) {
            g_array_index(src->pfds, GPollFD, i).events =
                g_array_index(src->next, GPollFD, i).events;
        }
    } else {
        GArray *tmp;

        slirp_source_clear(src);
        tmp = src->pfds;
        src->pfds = src->next;
        src->next = tmp;
        /* The array is final now: register stable pointers. */
        for (guint i = 0; i < src->pfds->len; i++) {
            g_source_add_poll(source, &g_array_index(src->pfds, GPollFD, i));
        }
    }
    g_array_set_size(src->next, 0);
    *timeout = t == UINT32_MAX ? -1 : (gint)MIN(t, (uint32_t)G_MAXINT);
    src->deadline_us = t == UINT32_MAX ? -1
                                       : g_get_monotonic_time() + t * 1000LL;
    return FALSE;
}

static gboolean slirp_source_check(GSource *source)
{
    SlirpSource *src = (SlirpSource *)source;

    /*
     * Dispatch only for socket events or slirp's due timers.  A source at
     * the default priority that is ready after every poll would keep
     * lower-priority ones (idle bottom halves) from ever running, and the
     * main loop would poll with a zero timeout forever.
     */
    for (guint i = 0; i < src->pfds->len; i++) {
        if (g_array_index(src->pfds, GPollFD, i).revents) {
            return TRUE;
        }
    }
    return src->deadline_us >= 0 && g_get_monotonic_time() >= src->deadline_us;
}

static gboolean slirp_source_dispatch(GSource *source, GSourceFunc cb,
                                      gpointer data)
{
    SlirpSource *src = (SlirpSource *)source;

    slirp_pollfds_poll(src->st->slirp, 0, slirp_get_revents, src);
    return G_SOURCE_CONTINUE;
}

static void slirp_source_finalize(GSource *source)
{
    g_array_free(((SlirpSource *)source)->pfds, TRUE);
    g_array_free(((SlirpSource *)source)->next, TRUE);
}

static GSourceFuncs slirp_source_funcs = {
    .prepare = slirp_source_prepare,
    .check = slirp_source_check,
    .dispatch = slirp_source_dispatch,
    .finalize = slirp_source_finalize,
};

/* ---- the net client (one per queue) ---- */

static ssize_t net_slirp_receive(NetClientState *nc, const uint8_t *buf,
                                 size_t size)
{
    SlirpState *s = (SlirpState *)nc;
    SlirpStack *st = s->st;

    if (size > 0 && size <= NET_BUFSIZE && st->slirp) {
        slirp_note_guest_flow(st, s->index, buf, size);
        /* Replies slirp makes right away (ARP, DHCP) go back this way. */
        st->input_queue = st->nqueues > 1 ? (int)s->index : -1;
        slirp_input(st->slirp, buf, size);
        st->input_queue = -1;
    }
    return size;
}

static void slirp_stack_free(SlirpStack *st)
{
    if (st->src) {
        slirp_source_clear(st->src);
        g_source_destroy(&st->src->source);
        g_source_unref(&st->src->source);
        st->src = NULL;
    }
    if (st->slirp) {
        slirp_cleanup(st->slirp);
        st->slirp = NULL;
    }
    while (st->timers) {
        slirp_cb_timer_free(st->timers->data, st);
    }
    slirp_flow_table_free(st->flows);
    g_free(st->queues);
    g_free(st->enabled);
    g_free(st);
}

/* The stack lives as long as its last queue. */
static void net_slirp_cleanup(NetClientState *nc)
{
    SlirpState *s = (SlirpState *)nc;
    SlirpStack *st = s->st;

    if (!st) {
        return;
    }
    s->st = NULL;
    st->queues[s->index] = NULL;
    slirp_update_enabled(st);
    if (--st->live == 0) {
        slirp_stack_free(st);
    }
}

static bool net_slirp_queue_enable(NetClientState *nc, Error **errp)
{
    SlirpState *s = (SlirpState *)nc;

    if (!s->enabled && s->st) {
        s->enabled = true;
        slirp_update_enabled(s->st);
    }
    return true;
}

/*
 * The guest stopped using this queue pair: nothing more goes to it, and
 * what waits there for the guest is dropped, as a detached tap queue's
 * frames are.  The flows that used it move on with their next frame.
 */
static bool net_slirp_queue_disable(NetClientState *nc, Error **errp)
{
    SlirpState *s = (SlirpState *)nc;

    if (s->enabled && s->st) {
        s->enabled = false;
        slirp_update_enabled(s->st);
        qemu_purge_queued_packets(nc);
    }
    return true;
}

static NetClientInfo net_slirp_info = {
    .type = NET_CLIENT_DRIVER_USER,
    .size = sizeof(SlirpState),
    .receive = net_slirp_receive,
    .cleanup = net_slirp_cleanup,
    .queue_enable = net_slirp_queue_enable,
    .queue_disable = net_slirp_queue_disable,
};

/* ---- options ---- */

static bool parse_in4(const char *str, struct in_addr *a)
{
    return str && inet_pton(AF_INET, str, a) == 1;
}

/* "addr[/mask]" with a dotted mask or a prefix length. */
static bool parse_net(const char *str, struct in_addr *net,
                      struct in_addr *mask, Error **errp)
{
    char *addr = g_strdup(str);
    char *slash = strchr(addr, '/');
    bool ok = false;

    mask->s_addr = htonl(0xffffff00);
    if (slash) {
        char *end;
        long bits;

        *slash++ = '\0';
        bits = strtol(slash, &end, 10);
        if (*end == '\0' && slash[0]) {
            if (bits < 0 || bits > 32) {
                goto out;
            }
            mask->s_addr = bits ? htonl(~0u << (32 - bits)) : 0;
        } else if (!parse_in4(slash, mask)) {
            goto out;
        }
    }
    if (!parse_in4(addr, net)) {
        goto out;
    }
    if (net->s_addr & ~mask->s_addr) {
        error_setg(errp,
                   "Invalid network (net) address: host bits set in "
                   "'%s'",
                   str);
        g_free(addr);
        return false;
    }
    ok = true;
out:
    if (!ok) {
        error_setg(errp, "Invalid network (net) address '%s'", str);
    }
    g_free(addr);
    return ok;
}

static bool in_net(struct in_addr a, struct in_addr net, struct in_addr mask)
{
    return (a.s_addr & mask.s_addr) == net.s_addr;
}

/* "[tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport" */
static bool slirp_hostfwd(Slirp *slirp, const char *rule, Error **errp)
{
    gchar **halves = NULL, **h = NULL, **g = NULL;
    struct in_addr haddr = {.s_addr = INADDR_ANY}, gaddr = {0};
    const char *reason = NULL;
    int is_udp = 0;
    long hport, gport;
    char *end;
    bool ok = false;

    halves = g_strsplit(rule, "-", 2);
    if (g_strv_length(halves) != 2) {
        reason = "Missing - separator";
        goto out;
    }
    h = g_strsplit(halves[0], ":", -1);
    g = g_strsplit(halves[1], ":", -1);
    if (g_strv_length(h) != 3) {
        reason = "Bad host address format";
        goto out;
    }
    if (!h[0][0] || !strcmp(h[0], "tcp")) {
        is_udp = 0;
    } else if (!strcmp(h[0], "udp")) {
        is_udp = 1;
    } else {
        reason = "Bad protocol name";
        goto out;
    }
    if (h[1][0] && !parse_in4(h[1], &haddr)) {
        reason = "Bad host address";
        goto out;
    }
    hport = strtol(h[2], &end, 10);
    if (!h[2][0] || *end || hport < 0 || hport > 65535) {
        reason = "Bad host port";
        goto out;
    }
    if (g_strv_length(g) != 2) {
        reason = "Bad guest address format";
        goto out;
    }
    if (g[0][0] && !parse_in4(g[0], &gaddr)) {
        reason = "Bad guest address";
        goto out;
    }
    gport = strtol(g[1], &end, 10);
    if (!g[1][0] || *end || gport < 1 || gport > 65535) {
        reason = "Bad guest port";
        goto out;
    }
    if (slirp_add_hostfwd(slirp, is_udp, haddr, hport, gaddr, gport) < 0) {
        reason = "Could not set up host forwarding rule";
        goto out;
    }
    ok = true;
out:
    if (!ok) {
        error_setg(errp, "Invalid host forwarding rule '%s' (%s)", rule,
                   reason);
    }
    g_strfreev(halves);
    g_strfreev(h);
    g_strfreev(g);
    return ok;
}

/* "[tcp]:[server]:port-cmd:command"; chardev targets are not supported. */
static bool slirp_guestfwd(Slirp *slirp, const char *rule, struct in_addr net,
                           struct in_addr mask, struct in_addr host,
                           Error **errp)
{
    const char *dash = strchr(rule, '-');
    gchar **p = NULL;
    struct in_addr server = host;
    char *end;
    long port;
    bool ok = false;

    if (!dash) {
        error_setg(errp, "Invalid guest forwarding rule '%s'", rule);
        return false;
    }
    {
        char *left = g_strndup(rule, dash - rule);
        p = g_strsplit(left, ":", -1);
        g_free(left);
    }
    if (g_strv_length(p) != 3 || (p[0][0] && strcmp(p[0], "tcp")) ||
        (p[1][0] && !parse_in4(p[1], &server))) {
        error_setg(errp, "Invalid guest forwarding rule '%s'", rule);
        goto out;
    }
    port = strtol(p[2], &end, 10);
    if (!p[2][0] || *end || port < 1 || port > 65535) {
        error_setg(errp, "Invalid guest forwarding rule '%s'", rule);
        goto out;
    }
    if (!in_net(server, net, mask)) {
        error_setg(errp,
                   "guestfwd server address %s is not in the guest "
                   "network",
                   p[1]);
        goto out;
    }
    if (g_str_has_prefix(dash + 1, "cmd:")) {
        if (slirp_add_exec(slirp, dash + 5, &server, port) < 0) {
            error_setg(errp,
                       "Conflicting/invalid host:port in guest "
                       "forwarding rule '%s'",
                       rule);
            goto out;
        }
        ok = true;
    } else {
        error_setg(errp,
                   "guestfwd to a chardev ('%s') is not supported; "
                   "use cmd:",
                   dash + 1);
    }
out:
    g_strfreev(p);
    return ok;
}

static bool parse_in6(const char *str, struct in6_addr *a, const char *what,
                      Error **errp)
{
    if (inet_pton(AF_INET6, str, a) != 1) {
        error_setg(errp, "Failed to parse %s address '%s'", what, str);
        return false;
    }
    return true;
}

/* queues=: 1 to SLIRP_MAX_QUEUES, and only one queue on a hub. */
static bool slirp_check_queues(const NetdevUserOptions *o,
                               NetClientState *peer, unsigned *nqueues,
                               Error **errp)
{
    *nqueues = o->has_queues ? o->queues : 1;
    if (o->has_queues && (o->queues < 1 || o->queues > SLIRP_MAX_QUEUES)) {
        error_setg(errp,
                   "user network: queues=%" PRIu32 " is out of range; "
                   "use a number from 1 to %d",
                   o->queues, SLIRP_MAX_QUEUES);
        return false;
    }
    if (peer && o->has_queues) {
        error_setg(errp, "user network: queues= cannot be used with a hub "
                         "(-net); use -netdev with a NIC of its own");
        return false;
    }
    return true;
}

/* Poll slirp's sockets from the default main context. */
static void slirp_stack_attach_source(SlirpStack *st)
{
    SlirpSource *src =
        (SlirpSource *)g_source_new(&slirp_source_funcs, sizeof(SlirpSource));

    src->st = st;
    src->pfds = g_array_new(FALSE, TRUE, sizeof(GPollFD));
    src->next = g_array_new(FALSE, TRUE, sizeof(GPollFD));
    /*
     * GLib blocks a non-recursive source while dispatching it by removing
     * and re-adding its polls, and each of those wakes the context: with
     * a dispatch after every poll, the main loop would never sleep.
     */
    g_source_set_can_recurse(&src->source, TRUE);
    g_source_attach(&src->source, NULL);
    st->src = src;
}

/*
 * Make the @nqueues clients named @name around one new stack.  Only
 * queue 0 starts enabled: a multiqueue NIC enables the others when the
 * guest asks for them (VQ_PAIRS_SET), any other peer only uses queue 0.
 */
static SlirpStack *slirp_stack_new(unsigned nqueues, const char *name,
                                   NetClientState *peer)
{
    SlirpStack *st = g_new0(SlirpStack, 1);

    st->nqueues = nqueues;
    st->queues = g_new0(SlirpState *, nqueues);
    st->enabled = g_new0(uint16_t, nqueues);
    st->input_queue = -1;
    st->flows = nqueues > 1 ? slirp_flow_table_new() : NULL;
    for (unsigned i = 0; i < nqueues; i++) {
        SlirpState *s = (SlirpState *)qemu_new_net_client(&net_slirp_info,
                                                          peer, "user", name);
        s->st = st;
        s->index = i;
        s->enabled = i == 0;
        st->queues[i] = s;
        st->live++;
    }
    slirp_update_enabled(st);
    return st;
}

static bool slirp_stack_start(const SlirpConfig *cfg,
                              const NetdevUserOptions *o, unsigned nqueues,
                              const char *name, NetClientState *peer,
                              struct in_addr net, struct in_addr mask,
                              struct in_addr host, Error **errp)
{
    SlirpStack *st = slirp_stack_new(nqueues, name, peer);
    /* Deleting queue 0 deletes every queue of @name, then the stack. */
    NetClientState *nc0 = &st->queues[0]->nc;

    st->slirp = slirp_new(cfg, &slirp_callbacks, st);
    if (!st->slirp) {
        error_setg(errp, "user network: could not create the slirp stack");
        qemu_del_net_client(nc0);
        return false;
    }
    for (StringList *l = o->hostfwd; l; l = l->next) {
        if (!slirp_hostfwd(st->slirp, l->value->str, errp)) {
            qemu_del_net_client(nc0);
            return false;
        }
    }
    for (StringList *l = o->guestfwd; l; l = l->next) {
        if (!slirp_guestfwd(st->slirp, l->value->str, net, mask, host,
                            errp)) {
            qemu_del_net_client(nc0);
            return false;
        }
    }
    slirp_stack_attach_source(st);
    for (unsigned i = 0; i < nqueues; i++) {
        snprintf(st->queues[i]->nc.info_str, sizeof(st->queues[i]->nc.info_str),
                 "net=%s,restrict=%s", inet_ntoa(net),
                 cfg->restricted ? "on" : "off");
    }
    return true;
}

bool net_init_slirp(const Netdev *netdev, const char *name,
                    NetClientState *peer, Error **errp)
{
    const NetdevUserOptions *o = &netdev->u.user;
    const char *netstr = o->net ? o->net : o->ip;
    bool ipv4 = !o->has_ipv4 || o->ipv4;
    bool ipv6 = !o->has_ipv6 || o->ipv6;
    SlirpConfig cfg = {.version = 4};
    struct in_addr net, mask, host, dhcp, dns;
    const char **search = NULL;
    unsigned nqueues;
    int n = 0;
    bool ok;

    if (!slirp_check_queues(o, peer, &nqueues, errp)) {
        return false;
    }
    if (!ipv4 && (netstr || o->host || o->dhcpstart || o->dns)) {
        error_setg(errp, "IPv4 disabled but netmask/host/dns provided");
        return false;
    }
    if (!ipv6 && (o->ipv6_prefix || o->has_ipv6_prefixlen || o->ipv6_host ||
                  o->ipv6_dns)) {
        error_setg(errp, "IPv6 disabled but prefix/host6/dns6 provided");
        return false;
    }
    if (!ipv4 && !ipv6) {
        error_setg(errp, "IPv4 and IPv6 disabled");
        return false;
    }
    if (o->smb || o->smbserver) {
        error_setg(errp, "smb= is not supported by this build");
        return false;
    }
    if (!parse_net(netstr ? netstr : "10.0.2.0/24", &net, &mask, errp)) {
        return false;
    }
    host.s_addr = net.s_addr | htonl(2);
    dhcp.s_addr = net.s_addr | htonl(15);
    dns.s_addr = net.s_addr | htonl(3);
    if (o->host && (!parse_in4(o->host, &host) || !in_net(host, net, mask))) {
        error_setg(errp,
                   "Failed to parse host address '%s' or it is not in "
                   "the guest network",
                   o->host);
        return false;
    }
    if (o->dhcpstart &&
        (!parse_in4(o->dhcpstart, &dhcp) || !in_net(dhcp, net, mask))) {
        error_setg(errp,
                   "Failed to parse DHCP start address '%s' or it is "
                   "not in the guest network",
                   o->dhcpstart);
        return false;
    }
    if (o->dns && (!parse_in4(o->dns, &dns) || !in_net(dns, net, mask))) {
        error_setg(errp,
                   "Failed to parse DNS address '%s' or it is not in "
                   "the guest network",
                   o->dns);
        return false;
    }
    if (host.s_addr == net.s_addr || dhcp.s_addr == host.s_addr ||
        dns.s_addr == dhcp.s_addr) {
        error_setg(errp, "host, DHCP start and DNS addresses must differ "
                         "from the network address and from each other");
        return false;
    }
    cfg.restricted = o->has_q_restrict && o->q_restrict;
    cfg.in_enabled = ipv4;
    cfg.vnetwork = net;
    cfg.vnetmask = mask;
    cfg.vhost = host;
    cfg.vdhcp_start = dhcp;
    cfg.vnameserver = dns;
    cfg.in6_enabled = ipv6;
    inet_pton(AF_INET6, "fec0::", &cfg.vprefix_addr6);
    cfg.vprefix_len = 64;
    if (o->ipv6_prefix &&
        !parse_in6(o->ipv6_prefix, &cfg.vprefix_addr6, "IPv6 prefix", errp)) {
        return false;
    }
    if (o->has_ipv6_prefixlen) {
        if (o->ipv6_prefixlen < 0 || o->ipv6_prefixlen > 126) {
            error_setg(errp, "Invalid IPv6 prefix provided");
            return false;
        }
        cfg.vprefix_len = o->ipv6_prefixlen;
    }
    cfg.vhost6 = cfg.vprefix_addr6;
    cfg.vhost6.s6_addr[15] |= 2;
    cfg.vnameserver6 = cfg.vprefix_addr6;
    cfg.vnameserver6.s6_addr[15] |= 3;
    if (o->ipv6_host &&
        !parse_in6(o->ipv6_host, &cfg.vhost6, "IPv6 host", errp)) {
        return false;
    }
    if (o->ipv6_dns &&
        !parse_in6(o->ipv6_dns, &cfg.vnameserver6, "IPv6 DNS", errp)) {
        return false;
    }
    if (o->hostname && strlen(o->hostname) > 255) {
        error_setg(errp, "'hostname' parameter cannot exceed 255 bytes");
        return false;
    }
    cfg.vhostname = o->hostname;
    cfg.tftp_server_name = o->tftp_server_name;
    cfg.tftp_path = o->tftp;
    cfg.bootfile = o->bootfile;
    cfg.vdomainname = o->domainname;
    for (StringList *l = o->dnssearch; l; l = l->next) {
        n++;
    }
    if (n) {
        search = g_new0(const char *, n + 1);
        n = 0;
        for (StringList *l = o->dnssearch; l; l = l->next) {
            search[n++] = l->value->str;
        }
    }
    cfg.vdnssearch = search;
    ok = slirp_stack_start(&cfg, o, nqueues, name, peer, net, mask, host,
                           errp);
    g_free(search);
    return ok;
}
