/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internal to the tap backend: the Linux tun/tap ioctls (tap-linux.c) and
 * the programs it runs (tap-helper.c: ifup/ifdown scripts and the bridge
 * helper).  net/tap.c holds the client, the data path and the options.
 */
#ifndef NET_TAP_INT_H
#define NET_TAP_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <net/if.h>
#include "util/error.h"

#define TAP_MAX_QUEUES   1024
#define TAP_VNET_HDR_LEN 10 /* struct virtio_net_hdr */

/* Where QEMU's packagers install the bridge helper (Debian/Ubuntu). */
#define TAP_DEFAULT_HELPER "/usr/lib/qemu/qemu-bridge-helper"
#define TAP_DEFAULT_BRIDGE "br0"

/* What TUNGETIFF says about an open tap fd. */
typedef struct TapFdInfo {
    char ifname[IFNAMSIZ];
    unsigned flags; /* IFF_TAP, IFF_VNET_HDR, IFF_MULTI_QUEUE, ... */
} TapFdInfo;

/*
 * Open one queue of a tap on /dev/net/tun.  @ifname (in/out): the wanted
 * name ("" = kernel's choice from tap%d), updated with the real one.
 * *vnet_hdr (in/out): 1 = wanted (an error when @vnet_required and the
 * kernel lacks it); out: whether the fd got IFF_VNET_HDR.  @mq_required
 * adds IFF_MULTI_QUEUE.  Returns a non-blocking fd, or -1.
 */
int tap_linux_open(char *ifname, size_t ifname_size, int *vnet_hdr,
                   bool vnet_required, bool mq_required, Error **errp);

/*
 * Validate an fd handed to us (fd=/fds=/helper): it must be open and a
 * tap.  Nothing about the fd is changed when it fails.  Messages are
 * QEMU's for a closed fd and for a non-tap fd.
 */
bool tap_linux_query_fd(int fd, TapFdInfo *info, Error **errp);
/* Make an fd non-blocking (QEMU's message on failure). */
bool tap_linux_set_nonblock(int fd, Error **errp);

/* TUNSETSNDBUF: 0 / not given = unlimited; errors only when given. */
bool tap_linux_set_sndbuf(int fd, bool given, uint64_t sndbuf, Error **errp);
/* TUNSETQUEUE attach (true) or detach (false). */
bool tap_linux_set_queue(int fd, bool attach, Error **errp);
/* TUNSETOFFLOAD with TUN_F_* flags; false when the kernel refuses them. */
bool tap_linux_set_offload(int fd, unsigned flags);
bool tap_linux_set_vnet_hdr_len(int fd, int len);
int tap_linux_get_vnet_hdr_len(int fd); /* -1 on error */

/* Validate an fd given as vhostfd=/vhostfds=: a /dev/vhost-net fd. */
bool tap_linux_check_vhost_fd(int fd, Error **errp);

/* Run an ifup/ifdown script with the interface name; QEMU's messages. */
bool tap_run_script(const char *script, const char *ifname, Error **errp);
/*
 * Run the bridge helper with --use-vnet --fd=N --br=@bridge and receive
 * the tap fd it sends back over a socketpair (SCM_RIGHTS).  Returns the
 * fd, or -1.  No fd of ours other than the socket reaches the helper.
 */
int tap_run_bridge_helper(const char *helper, const char *bridge, Error **errp);

#endif
