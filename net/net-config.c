/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Creating and deleting backends: -netdev, -nic, -net, netdev_add,
 * netdev_del, and the QMP commands set_link and query-rx-filter.
 */
#include <string.h>
#include <glib.h>
#include "net/clients.h"
#include "qapi/qapi-commands.h"
#include "qapi/qapi-visit.h"
#include "util/opts.h"

static NetInitFn *const net_init_fns[NET_CLIENT_DRIVER__MAX] = {
    [NET_CLIENT_DRIVER_USER] = net_init_slirp,
    [NET_CLIENT_DRIVER_TAP] = net_init_tap,
    [NET_CLIENT_DRIVER_SOCKET] = net_init_socket,
    [NET_CLIENT_DRIVER_STREAM] = net_init_stream,
    [NET_CLIENT_DRIVER_DGRAM] = net_init_dgram,
    [NET_CLIENT_DRIVER_HUBPORT] = net_init_hubport,
    [NET_CLIENT_DRIVER_VHOST_USER] = net_init_vhost_user,
};

const char *const *net_backend_names(void)
{
    static const char *const names[] = {"socket", "stream", "dgram", "hubport",
                                        "tap",    "user",   "vhost-user", NULL};
    return names;
}

/* QEMU's id rule: a letter, then letters, digits, '-', '.', '_'. */
static bool net_id_wellformed(const char *id)
{
    if (!g_ascii_isalpha(id[0])) {
        return false;
    }
    for (const char *p = id + 1; *p; p++) {
        if (!g_ascii_isalnum(*p) && !strchr("-._", *p)) {
            return false;
        }
    }
    return true;
}

static void net_mark_netdev(const char *id)
{
    NetClientState *ncs[MAX_QUEUE_NUM];
    int n = qemu_find_net_clients_except(id, ncs, NET_CLIENT_DRIVER_NIC,
                                         MAX_QUEUE_NUM);

    for (int i = 0; i < MIN(n, MAX_QUEUE_NUM); i++) {
        ncs[i]->is_netdev = true;
    }
}

static bool net_client_init(const Netdev *nd, const char *name,
                            NetClientState *peer, bool is_netdev, Error **errp)
{
    NetInitFn *fn =
        nd->type < NET_CLIENT_DRIVER__MAX ? net_init_fns[nd->type] : NULL;

    if (!fn || (is_netdev && nd->type == NET_CLIENT_DRIVER_NIC)) {
        error_setg(errp,
                   "network backend '%s' is not compiled into this "
                   "binary",
                   NetClientDriver_str(nd->type));
        return false;
    }
    if (!fn(nd, name, peer, errp)) {
        return false;
    }
    if (is_netdev) {
        net_mark_netdev(name);
    }
    return true;
}

bool net_netdev_add(const Netdev *netdev, Error **errp)
{
    if (!net_id_wellformed(netdev->id)) {
        error_setg(errp, "Parameter 'id' expects an identifier");
        return false;
    }
    if (qemu_find_netdev(netdev->id)) {
        error_setg(errp, "Duplicate ID '%s'", netdev->id);
        return false;
    }
    return net_client_init(netdev, netdev->id, NULL, true, errp);
}

/*
 * The command line gives repeated hostfwd=/guestfwd=/dnssearch= as plain
 * strings (an array when repeated); the schema wraps each in a String
 * object, as QEMU's option visitor does.
 */
static json_t *net_keyval_wrap_strings(json_t *opts)
{
    static const char *const keys[] = {"hostfwd", "guestfwd", "dnssearch"};
    json_t *copy = json_deep_copy(opts);

    for (size_t k = 0; k < G_N_ELEMENTS(keys); k++) {
        json_t *v = json_object_get(copy, keys[k]);
        json_t *list;
        size_t i;
        json_t *item;

        if (!v) {
            continue;
        }
        list = json_array();
        if (json_is_string(v)) {
            json_array_append_new(list, json_pack("{s:O}", "str", v));
        } else if (json_is_array(v)) {
            json_array_foreach(v, i, item)
            {
                json_array_append_new(
                    list, json_is_string(item) ? json_pack("{s:O}", "str", item)
                                               : json_incref(item));
            }
        } else {
            json_decref(list);
            continue;
        }
        json_object_set_new(copy, keys[k], list);
    }
    return copy;
}

static Netdev *net_netdev_from_keyval(json_t *opts, Error **errp)
{
    json_t *w = net_keyval_wrap_strings(opts);
    Netdev *nd = qapi_Netdev_from_json(w, QAPI_INPUT_KEYVAL, errp);

    json_decref(w);
    return nd;
}

bool net_client_netdev_add(json_t *opts, bool json_form, Error **errp)
{
    Netdev *nd = json_form
                     ? qapi_Netdev_from_json(opts, QAPI_INPUT_STRICT, errp)
                     : net_netdev_from_keyval(opts, errp);
    bool ok;

    if (!nd) {
        return false;
    }
    ok = net_netdev_add(nd, errp);
    qapi_free_Netdev(nd);
    return ok;
}

bool net_netdev_del(const char *id, Error **errp)
{
    NetClientState *nc = qemu_find_netdev(id);

    if (!nc) {
        error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND, "Device '%s' not found",
                  id);
        return false;
    }
    if (!nc->is_netdev) {
        error_setg(errp, "Device '%s' is not a netdev", id);
        return false;
    }
    qemu_del_net_client(nc);
    return true;
}

/* Make the NIC device for -nic / -net nic: driver=model, netdev=peer id. */
static bool net_create_nic_device(const char *model, const char *netdev,
                                  const char *mac, const char *id, Error **errp)
{
    json_t *dopts = json_object();
    DeviceState *dev;

    json_object_set_new(dopts, "driver",
                        json_string(model ? model : "virtio-net-pci"));
    json_object_set_new(dopts, "netdev", json_string(netdev));
    if (mac) {
        json_object_set_new(dopts, "mac", json_string(mac));
    }
    if (id) {
        json_object_set_new(dopts, "id", json_string(id));
    }
    dev = qdev_device_add(dopts, errp);
    json_decref(dopts);
    return dev != NULL;
}

bool net_client_nic_add(json_t *opts, Error **errp)
{
    static int nic_count;
    const char *type = opts_get_str(opts, "type");
    json_t *nd_opts;
    char *model = NULL, *mac = NULL, *id = NULL;
    Netdev *nd = NULL;
    bool ok = false;

    if (!type) {
        error_setg(errp, "Parameter 'type' is missing");
        return false;
    }
    if (!strcmp(type, "none")) {
        return true;
    }
    nd_opts = json_deep_copy(opts);
    model = g_strdup(opts_get_str(opts, "model"));
    mac = g_strdup(opts_get_str(opts, "mac"));
    json_object_del(nd_opts, "model");
    json_object_del(nd_opts, "mac");
    if (opts_get_str(opts, "id")) {
        id = g_strdup(opts_get_str(opts, "id"));
    } else {
        id = g_strdup_printf("__org.qemu.nic%d", nic_count++);
        json_object_set_new(nd_opts, "id", json_string(id));
    }
    nd = net_netdev_from_keyval(nd_opts, errp);
    if (!nd) {
        goto out;
    }
    if (nd->type == NET_CLIENT_DRIVER_NIC) {
        error_setg(errp, "network backend 'nic' is not compiled into this "
                         "binary");
        goto out;
    }
    /* -nic ids are made up by us, so only the duplicate check applies. */
    if (qemu_find_netdev(id)) {
        error_setg(errp, "Duplicate ID '%s'", id);
        goto out;
    }
    if (!net_client_init(nd, id, NULL, true, errp)) {
        goto out;
    }
    ok = net_create_nic_device(model, id, mac, NULL, errp);
out:
    qapi_free_Netdev(nd);
    json_decref(nd_opts);
    g_free(model);
    g_free(mac);
    g_free(id);
    return ok;
}

bool net_client_net_add(json_t *opts, Error **errp)
{
    const char *type = opts_get_str(opts, "type");
    const char *name;
    json_t *nd_opts;
    Netdev *nd = NULL;
    char *gen_name = NULL;
    bool ok = false;

    if (!type) {
        error_setg(errp, "Parameter 'type' is missing");
        return false;
    }
    if (!strcmp(type, "none")) {
        return true;
    }
    nd_opts = json_deep_copy(opts);
    /* -net takes the client name from id= or name=. */
    name = opts_get_str(opts, "id");
    if (!name) {
        name = opts_get_str(opts, "name");
    }
    json_object_del(nd_opts, "name");
    json_object_set_new(nd_opts, "id",
                        json_string(name ? name : "__net_legacy"));
    nd = net_netdev_from_keyval(nd_opts, errp);
    if (!nd) {
        goto out;
    }
    if (nd->type == NET_CLIENT_DRIVER_HUBPORT) {
        error_setg(errp, "network backend 'hubport' is only supported with "
                         "-netdev/-nic");
        goto out;
    }
    if (nd->type == NET_CLIENT_DRIVER_NIC) {
        const NetLegacyNicOptions *nic = &nd->u.nic;
        const char *peer_id = nic->netdev;
        NetClientState *port = NULL;

        if (!peer_id) {
            port = net_hub_add_port(0, NULL, NULL);
            peer_id = port->name;
        }
        ok = net_create_nic_device(nic->model, peer_id, nic->macaddr, NULL,
                                   errp);
        if (!ok && port) {
            qemu_del_net_client(port);
        }
        goto out;
    }
    if (!name) {
        gen_name = g_strdup_printf("%s.%d", type, 0);
        for (int i = 1; qemu_find_netdev(gen_name); i++) {
            g_free(gen_name);
            gen_name = g_strdup_printf("%s.%d", type, i);
        }
        name = gen_name;
    }
    {
        NetClientState *port = net_hub_add_port(0, NULL, NULL);
        ok = net_client_init(nd, name, port, false, errp);
        if (!ok) {
            qemu_del_net_client(port);
        }
    }
out:
    qapi_free_Netdev(nd);
    json_decref(nd_opts);
    g_free(gen_name);
    return ok;
}

/* ---- QMP ---- */

void qmp_set_link(const char *name, bool up, Error **errp)
{
    net_client_set_link(name, up, errp);
}

void qmp_netdev_add(Netdev *arg, Error **errp)
{
    net_netdev_add(arg, errp);
}

void qmp_netdev_del(const char *id, Error **errp)
{
    net_netdev_del(id, errp);
}

GList *net_client_list(void);

RxFilterInfoList *qmp_query_rx_filter(const char *name, Error **errp)
{
    RxFilterInfoList *head = NULL, **tail = &head;

    for (GList *l = net_client_list(); l; l = l->next) {
        NetClientState *nc = l->data;
        RxFilterInfo *info;

        if (name && strcmp(nc->name, name)) {
            continue;
        }
        if (nc->info->type != NET_CLIENT_DRIVER_NIC) {
            if (name) {
                error_setg(errp, "net client(%s) isn't a NIC", name);
                goto fail;
            }
            continue;
        }
        /* The filter is per NIC: queue 0 speaks for all its queues. */
        if (nc->queue_index != 0) {
            continue;
        }
        if (!nc->info->query_rx_filter) {
            if (name) {
                error_setg(errp,
                           "net client(%s) doesn't support rx-filter "
                           "querying",
                           name);
                goto fail;
            }
            continue;
        }
        info = nc->info->query_rx_filter(nc);
        if (!info->name) {
            info->name = g_strdup(nc->name);
        }
        if (!info->main_mac) {
            info->main_mac = g_strdup("00:00:00:00:00:00");
        }
        /* Reading the filter re-arms NIC_RX_FILTER_CHANGED. */
        nc->rxfilter_notify_enabled = 1;
        *tail = g_new0(RxFilterInfoList, 1);
        (*tail)->value = info;
        tail = &(*tail)->next;
        if (name) {
            break;
        }
    }
    if (!head && name) {
        error_setg(errp, "invalid net client name: %s", name);
    }
    return head;
fail:
    qapi_free_RxFilterInfoList(head);
    return NULL;
}
