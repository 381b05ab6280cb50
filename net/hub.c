/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Hubs: every frame that enters one port leaves through all the others.
 * Legacy -net options hang off hub 0; -netdev hubport makes ports on any.
 */
#include <string.h>
#include <glib.h>
#include "net/clients.h"

typedef struct NetHub NetHub;

typedef struct NetHubPort {
    NetClientState nc;
    NetHub *hub;
    int id;
} NetHubPort;

struct NetHub {
    int id;
    GList *ports; /* NetHubPort, in creation order */
    int num_ports;
};

static GList *hubs; /* NetHub, in creation order */

static NetHub *net_hub_find(int id, bool create)
{
    NetHub *hub;

    for (GList *l = hubs; l; l = l->next) {
        hub = l->data;
        if (hub->id == id) {
            return hub;
        }
    }
    if (!create) {
        return NULL;
    }
    hub = g_new0(NetHub, 1);
    hub->id = id;
    hubs = g_list_append(hubs, hub);
    return hub;
}

static ssize_t net_hub_receive(NetClientState *nc, const uint8_t *buf,
                               size_t len)
{
    NetHubPort *src = (NetHubPort *)nc;

    for (GList *l = src->hub->ports; l; l = l->next) {
        NetHubPort *port = l->data;
        if (port != src) {
            qemu_send_packet(&port->nc, buf, len);
        }
    }
    return len;
}

static bool net_hub_can_receive(NetClientState *nc)
{
    NetHubPort *src = (NetHubPort *)nc;

    for (GList *l = src->hub->ports; l; l = l->next) {
        NetHubPort *port = l->data;
        if (port != src && qemu_can_send_packet(&port->nc)) {
            return true;
        }
    }
    return false;
}

static void net_hub_port_cleanup(NetClientState *nc)
{
    NetHubPort *port = (NetHubPort *)nc;

    port->hub->ports = g_list_remove(port->hub->ports, port);
}

static NetClientInfo net_hub_port_info = {
    .type = NET_CLIENT_DRIVER_HUBPORT,
    .size = sizeof(NetHubPort),
    .receive = net_hub_receive,
    .can_receive = net_hub_can_receive,
    .cleanup = net_hub_port_cleanup,
};

NetClientState *net_hub_add_port(int hub_id, const char *name,
                                 NetClientState *hubpeer)
{
    NetHub *hub = net_hub_find(hub_id, true);
    char *default_name = NULL;
    NetClientState *nc;
    NetHubPort *port;
    int id = hub->num_ports++;

    if (!name) {
        default_name = g_strdup_printf("hub%dport%d", hub_id, id);
        name = default_name;
    }
    nc = qemu_new_net_client(&net_hub_port_info, hubpeer, "hub", name);
    port = (NetHubPort *)nc;
    port->hub = hub;
    port->id = id;
    hub->ports = g_list_append(hub->ports, port);
    g_free(default_name);
    return nc;
}

int net_hub_id_for_client(NetClientState *nc)
{
    NetHubPort *port = NULL;

    if (nc->info->type == NET_CLIENT_DRIVER_HUBPORT) {
        port = (NetHubPort *)nc;
    } else if (nc->peer && nc->peer->info->type == NET_CLIENT_DRIVER_HUBPORT) {
        port = (NetHubPort *)nc->peer;
    }
    return port ? port->hub->id : -1;
}

bool net_hub_flush(NetClientState *nc)
{
    NetHubPort *src = (NetHubPort *)nc;
    bool moved = false;

    for (GList *l = src->hub->ports; l; l = l->next) {
        NetHubPort *port = l->data;
        if (port != src) {
            moved |= qemu_net_queue_flush(port->nc.incoming_queue);
        }
    }
    return moved;
}

void net_hub_info(GString *out)
{
    for (GList *h = hubs; h; h = h->next) {
        NetHub *hub = h->data;

        g_string_append_printf(out, "hub %d\r\n", hub->id);
        for (GList *l = hub->ports; l; l = l->next) {
            NetHubPort *port = l->data;

            g_string_append_printf(out, " \\ %s", port->nc.name);
            if (port->nc.peer) {
                g_string_append(out, ": ");
                net_print_client(out, port->nc.peer);
            } else {
                g_string_append(out, "\r\n");
            }
        }
    }
}

void net_hub_check_clients(void)
{
    for (GList *h = hubs; h; h = h->next) {
        NetHub *hub = h->data;
        bool has_nic = false, has_host = false;

        for (GList *l = hub->ports; l; l = l->next) {
            NetHubPort *port = l->data;
            NetClientState *peer = port->nc.peer;

            if (!peer) {
                warn_report("hub port %s has no peer", port->nc.name);
            } else if (peer->info->type == NET_CLIENT_DRIVER_NIC) {
                has_nic = true;
            } else {
                has_host = true;
            }
        }
        if (has_host && !has_nic) {
            warn_report("hub %d with no nics", hub->id);
        }
        if (has_nic && !has_host) {
            warn_report("hub %d is not connected to host network", hub->id);
        }
    }
}

bool net_init_hubport(const Netdev *netdev, const char *name,
                      NetClientState *peer, Error **errp)
{
    const NetdevHubPortOptions *o = &netdev->u.hubport;
    NetClientState *hubpeer = NULL;

    if (peer) {
        error_setg(errp, "network backend 'hubport' is only supported with "
                         "-netdev/-nic");
        return false;
    }
    if (o->netdev) {
        hubpeer = qemu_find_netdev(o->netdev);
        if (!hubpeer) {
            error_setg(errp, "netdev '%s' not found", o->netdev);
            return false;
        }
        if (hubpeer->peer) {
            error_setg(errp, "netdev '%s' is already in use", o->netdev);
            return false;
        }
    }
    net_hub_add_port(o->hubid, name, hubpeer);
    return true;
}
