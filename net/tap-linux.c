/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Linux tun/tap ioctls of the tap backend.  Device-wide settings
 * (offloads, header size) are made through whichever queue fd is at hand:
 * the kernel applies them to the interface, not to one queue.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/if_tun.h>
#include <linux/vhost.h>
#include <glib-unix.h>
#include "net/tap-int.h"

/* macvtap: an existing interface with a /dev/tapN node is opened there. */
static int tap_linux_open_node(const char *ifname)
{
    int fd = -1;

    if (ifname[0]) {
        unsigned idx = if_nametoindex(ifname);
        if (idx) {
            char path[32];
            snprintf(path, sizeof(path), "/dev/tap%u", idx);
            fd = open(path, O_RDWR | O_CLOEXEC);
        }
    }
    if (fd < 0) {
        fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    }
    return fd;
}

/* The TUNSETIFF flags for the request; false (and @errp) if impossible. */
static bool tap_linux_flags(unsigned features, int *vnet_hdr,
                            bool vnet_required, bool mq_required, short *flags,
                            Error **errp)
{
    *flags = IFF_TAP | IFF_NO_PI;
    if (features & IFF_ONE_QUEUE) {
        *flags |= IFF_ONE_QUEUE;
    }
    if (*vnet_hdr) {
        if (features & IFF_VNET_HDR) {
            *flags |= IFF_VNET_HDR;
        } else if (vnet_required) {
            error_setg(errp, "vnet_hdr=1 requested, but no kernel support "
                             "for IFF_VNET_HDR available");
            return false;
        } else {
            *vnet_hdr = 0;
        }
    }
    if (mq_required) {
        if (!(features & IFF_MULTI_QUEUE)) {
            error_setg(errp, "multiqueue required, but no kernel support for "
                             "IFF_MULTI_QUEUE available");
            return false;
        }
        *flags |= IFF_MULTI_QUEUE;
    }
    return true;
}

int tap_linux_open(char *ifname, size_t ifname_size, int *vnet_hdr,
                   bool vnet_required, bool mq_required, Error **errp)
{
    struct ifreq ifr = {0};
    unsigned int features = 0;
    int fd = tap_linux_open_node(ifname);

    if (fd < 0) {
        error_setg_errno(errp, errno, "Could not open '/dev/net/tun'");
        return -1;
    }
    if (ioctl(fd, TUNGETFEATURES, &features) < 0) {
        warn_report("TUNGETFEATURES failed: %s", g_strerror(errno));
        features = 0;
    }
    if (!tap_linux_flags(features, vnet_hdr, vnet_required, mq_required,
                         &ifr.ifr_flags, errp)) {
        close(fd);
        return -1;
    }
    g_strlcpy(ifr.ifr_name, ifname[0] ? ifname : "tap%d", sizeof(ifr.ifr_name));
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        if (ifname[0]) {
            error_setg_errno(errp, errno,
                             "could not configure /dev/net/tun (%s)", ifname);
        } else {
            error_setg_errno(errp, errno, "could not configure /dev/net/tun");
        }
        close(fd);
        return -1;
    }
    g_strlcpy(ifname, ifr.ifr_name, ifname_size);
    if (!tap_linux_set_nonblock(fd, errp)) {
        close(fd);
        return -1;
    }
    if (*vnet_hdr) {
        tap_linux_set_vnet_hdr_len(fd, TAP_VNET_HDR_LEN);
    }
    return fd;
}

bool tap_linux_set_nonblock(int fd, Error **errp)
{
    GError *gerr = NULL;

    if (!g_unix_set_fd_nonblocking(fd, TRUE, &gerr)) {
        error_setg(errp, "Can't set file descriptor %d non-blocking: %s", fd,
                   gerr->message);
        g_error_free(gerr);
        return false;
    }
    return true;
}

bool tap_linux_query_fd(int fd, TapFdInfo *info, Error **errp)
{
    struct ifreq ifr = {0};

    /* A closed fd is reported the way QEMU's non-blocking step does. */
    if (fcntl(fd, F_GETFL) < 0) {
        return tap_linux_set_nonblock(fd, errp);
    }
    if (ioctl(fd, TUNGETIFF, &ifr) < 0) {
        error_setg_errno(errp, errno, "Unable to query TUNGETIFF on FD %d", fd);
        return false;
    }
    if (!(ifr.ifr_flags & IFF_TAP)) {
        error_setg(errp, "FD %d is a tun (layer 3) device '%s', not a tap", fd,
                   ifr.ifr_name);
        return false;
    }
    g_strlcpy(info->ifname, ifr.ifr_name, sizeof(info->ifname));
    info->flags = (unsigned short)ifr.ifr_flags;
    return true;
}

bool tap_linux_set_sndbuf(int fd, bool given, uint64_t sndbuf, Error **errp)
{
    int val = INT_MAX;

    if (given && sndbuf) {
        val = sndbuf > INT_MAX ? INT_MAX : (int)sndbuf;
    }
    if (ioctl(fd, TUNSETSNDBUF, &val) < 0 && given) {
        error_setg_errno(errp, errno, "TUNSETSNDBUF ioctl failed");
        return false;
    }
    return true;
}

bool tap_linux_set_queue(int fd, bool attach, Error **errp)
{
    struct ifreq ifr = {0};

    ifr.ifr_flags = attach ? IFF_ATTACH_QUEUE : IFF_DETACH_QUEUE;
    if (ioctl(fd, TUNSETQUEUE, &ifr) < 0) {
        error_setg_errno(errp, errno, "could not %s queue",
                         attach ? "enable" : "disable");
        return false;
    }
    return true;
}

bool tap_linux_set_offload(int fd, unsigned flags)
{
    return ioctl(fd, TUNSETOFFLOAD, (unsigned long)flags) == 0;
}

bool tap_linux_set_vnet_hdr_len(int fd, int len)
{
    return ioctl(fd, TUNSETVNETHDRSZ, &len) == 0;
}

int tap_linux_get_vnet_hdr_len(int fd)
{
    int len;

    return ioctl(fd, TUNGETVNETHDRSZ, &len) < 0 ? -1 : len;
}

bool tap_linux_check_vhost_fd(int fd, Error **errp)
{
    uint64_t features;

    if (fcntl(fd, F_GETFL) < 0) {
        return tap_linux_set_nonblock(fd, errp);
    }
    /* Only a vhost device answers VHOST_GET_FEATURES. */
    if (ioctl(fd, VHOST_GET_FEATURES, &features) < 0) {
        error_setg_errno(errp, errno,
                         "FD %d is not a /dev/vhost-net "
                         "descriptor (VHOST_GET_FEATURES failed)",
                         fd);
        return false;
    }
    /* Not made non-blocking: nothing uses it until vhost exists. */
    return true;
}
