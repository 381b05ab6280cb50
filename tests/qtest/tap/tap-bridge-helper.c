/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small bridge helper speaking QEMU's protocol, for the tests:
 *   tap-bridge-helper [--use-vnet] --fd=N --br=BRIDGE
 * It creates a tap (IFF_VNET_HDR with --use-vnet), adds it to BRIDGE
 * (which must exist), brings it up and sends its fd over the unix socket
 * N with SCM_RIGHTS and a one-byte payload.  Exit 0 on success, 1 on any
 * failure (before sending anything).
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>

static int die(const char *what)
{
    fprintf(stderr, "tap-bridge-helper: %s: %s\n", what, strerror(errno));
    return 1;
}

static int open_tap(bool vnet, char *name)
{
    struct ifreq ifr = {0};
    int fd = open("/dev/net/tun", O_RDWR);

    if (fd < 0) {
        return -1;
    }
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (vnet ? IFF_VNET_HDR : 0);
    strcpy(ifr.ifr_name, "hlptap%d");
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        close(fd);
        return -1;
    }
    memcpy(name, ifr.ifr_name, IFNAMSIZ);
    return fd;
}

/* SIOCBRADDIF, then IFF_UP. */
static int add_to_bridge(const char *br, const char *name)
{
    struct ifreq ifr = {0};
    int s = socket(AF_INET, SOCK_DGRAM, 0), r = -1;

    if (s < 0) {
        return -1;
    }
    snprintf(ifr.ifr_name, IFNAMSIZ, "%s", br);
    ifr.ifr_ifindex = if_nametoindex(name);
    if (ifr.ifr_ifindex && ioctl(s, SIOCBRADDIF, &ifr) == 0) {
        memset(&ifr, 0, sizeof(ifr));
        snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
        if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
            ifr.ifr_flags |= IFF_UP;
            r = ioctl(s, SIOCSIFFLAGS, &ifr);
        }
    }
    close(s);
    return r;
}

static int send_fd(int sock, int fd)
{
    char byte = 0;
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(sizeof(int))];
    } cm = {0};
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    struct msghdr msg = {.msg_iov = &iov,
                         .msg_iovlen = 1,
                         .msg_control = cm.buf,
                         .msg_controllen = sizeof(cm.buf)};
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof(int));
    return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

int main(int argc, char **argv)
{
    bool vnet = false;
    int sock = -1, fd;
    const char *br = NULL;
    char name[IFNAMSIZ];

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--use-vnet")) {
            vnet = true;
        } else if (!strncmp(argv[i], "--fd=", 5)) {
            sock = atoi(argv[i] + 5);
        } else if (!strncmp(argv[i], "--br=", 5)) {
            br = argv[i] + 5;
        } else {
            fprintf(stderr, "tap-bridge-helper: unknown argument %s\n",
                    argv[i]);
            return 1;
        }
    }
    if (sock < 0 || !br) {
        fprintf(stderr, "tap-bridge-helper: --fd= and --br= are needed\n");
        return 1;
    }
    fd = open_tap(vnet, name);
    if (fd < 0) {
        return die("tap");
    }
    if (add_to_bridge(br, name) < 0) {
        return die(br);
    }
    if (send_fd(sock, fd) < 0) {
        return die("sendmsg");
    }
    return 0;
}
