/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Internal to net/: backend constructors and hub helpers. */
#ifndef NET_CLIENTS_H
#define NET_CLIENTS_H

#include "net/net.h"

/*
 * Create the backend described by @netdev.  @name is the client name
 * (the netdev id, or a generated one for -net); @peer is a hub port for
 * legacy -net, else NULL.
 */
typedef bool NetInitFn(const Netdev *netdev, const char *name,
                       NetClientState *peer, Error **errp);

NetInitFn net_init_hubport;
NetInitFn net_init_slirp;
NetInitFn net_init_tap;
NetInitFn net_init_socket;
NetInitFn net_init_stream;
NetInitFn net_init_dgram;
NetInitFn net_init_vhost_user;

/* Hubs (net/hub.c). */
NetClientState *net_hub_add_port(int hub_id, const char *name,
                                 NetClientState *hubpeer);
/* Hub id of @nc when it is a hub port or peered with one, else -1. */
int net_hub_id_for_client(NetClientState *nc);
/* Flush the queues of the other ports of @nc's hub; true if any moved. */
bool net_hub_flush(NetClientState *nc);
void net_hub_info(GString *out);
void net_hub_check_clients(void);

/* One row of "info network". */
void net_print_client(GString *out, NetClientState *nc);

/* An fd watch that can be switched on and off (net/net-util.c). */
typedef struct NetFdWatch {
    guint id;
    int fd;
    GIOCondition cond;
    gboolean (*fn)(int fd, GIOCondition cond, void *opaque);
    void *opaque;
} NetFdWatch;

void net_fd_watch_init(NetFdWatch *w, int fd, GIOCondition cond,
                       gboolean (*fn)(int, GIOCondition, void *), void *opaque);
void net_fd_watch_set(NetFdWatch *w, bool on);
#endif
