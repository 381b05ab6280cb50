/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by the virtio-net qtests: start vireo with a virtio-net device,
 * bind the test driver to it, build Ethernet frames, and be the other end
 * of stream/socket/dgram backends.
 */
#ifndef TESTS_QTEST_VIRTIO_VNET_TEST_H
#define TESTS_QTEST_VIRTIO_VNET_TEST_H

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <glib/gstdio.h>
#include "virtio-mmio.h"
#include "virtio-net.h"
#include "virtio-pci.h"

#define VNET_RAM_MB 128
/* MSI-X messages land in the first MiB; the allocator uses the rest. */
#define VNET_MSI_BASE (QVIRTIO_RAM_BASE + 0x1000)
#define VNET_ALLOC_START (QVIRTIO_RAM_BASE + 0x100000)
#define VNET_ALLOC_END (QVIRTIO_RAM_BASE + ((uint64_t)VNET_RAM_MB << 20))

typedef struct VnetEnv {
    QTestState *qts;
    QPCIBus *bus;
    QGuestAlloc alloc;
    QVirtioPCI *pci;      /* NULL on virtio-mmio */
    QVirtioMMIO *mmio;
    QVirtioDevice *dev;
    QVirtioNet *net;
} VnetEnv;

typedef enum VnetMode {
    VNET_MODERN_MSIX,   /* modern interface, MSI-X into RAM */
    VNET_MODERN_INTX,   /* modern interface, ISR */
    VNET_LEGACY_MSIX,   /* legacy I/O BAR, MSI-X */
    VNET_LEGACY_INTX,
} VnetMode;

static inline VnetEnv *vnet_env_start(const char *args)
{
    VnetEnv *e = g_new0(VnetEnv, 1);

    e->qts = qtest_initf("-M virt -m %d %s", VNET_RAM_MB, args);
    e->bus = qpci_new_virt(e->qts);
    qguest_alloc_init(&e->alloc, VNET_ALLOC_START, VNET_ALLOC_END);
    return e;
}

/* Bind the PCI driver to the first virtio function. */
static inline QVirtioDevice *vnet_env_pci(VnetEnv *e, VnetMode mode)
{
    int devfn = qvirtio_pci_find_devfn(e->bus, -1);
    bool legacy = mode == VNET_LEGACY_MSIX || mode == VNET_LEGACY_INTX;

    g_assert_cmpint(devfn, >=, 0);
    e->pci = qvirtio_pci_new(e->bus, devfn, &e->alloc, legacy);
    e->dev = &e->pci->vdev;
    if (mode == VNET_MODERN_MSIX || mode == VNET_LEGACY_MSIX) {
        qvirtio_pci_enable_msix(e->pci, VNET_MSI_BASE);
    }
    return e->dev;
}

static inline QVirtioDevice *vnet_env_mmio(VnetEnv *e, uint64_t base)
{
    e->mmio = qvirtio_mmio_new(e->qts, base, &e->alloc);
    e->dev = &e->mmio->vdev;
    return e->dev;
}

/* Start vireo with @args, bind PCI in @mode and bring the NIC up. */
static inline VnetEnv *vnet_env_new(const char *args, VnetMode mode,
                                    uint64_t features, int pairs)
{
    VnetEnv *e = vnet_env_start(args);

    vnet_env_pci(e, mode);
    e->net = qvnet_init(e->dev, features, pairs);
    return e;
}

/* vireo's stderr must be free of sanitizer reports. */
static inline void vnet_assert_clean_stderr(QTestState *qts)
{
    char *err = qtest_stderr(qts);

    if (strstr(err, "ERROR: AddressSanitizer") ||
        strstr(err, "runtime error:")) {
        g_error("vireo reported a memory error:\n%s", err);
    }
    g_free(err);
}

static inline void vnet_env_free(VnetEnv *e)
{
    g_assert_true(qtest_alive(e->qts));
    vnet_assert_clean_stderr(e->qts);
    if (e->net) {
        qvnet_free(e->net);
    }
    qvirtio_free(e->dev);
    qpci_free(e->bus);
    g_assert_cmpint(qtest_quit(e->qts), >=, 0);
    g_free(e);
}

/* ---- frames ---- */

static const uint8_t vnet_bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t vnet_peer_mac[6] = { 0x02, 0x00, 0x00, 0xaa, 0xbb, 0xcc };

/* dst, src, ethertype 0x88b5 (local experimental), then a pattern of
 * bytes derived from @seed; @len is the whole frame length. */
static inline size_t vnet_frame(uint8_t *f, size_t len, const uint8_t dst[6],
                                const uint8_t src[6], uint32_t seed)
{
    g_assert_cmpuint(len, >=, 18);
    memcpy(f, dst, 6);
    memcpy(f + 6, src, 6);
    f[12] = 0x88;
    f[13] = 0xb5;
    f[14] = seed >> 24;
    f[15] = seed >> 16;
    f[16] = seed >> 8;
    f[17] = seed;
    for (size_t i = 18; i < len; i++) {
        f[i] = (uint8_t)(seed * 7 + i);
    }
    return len;
}

/* The seed of a frame made by vnet_frame (after checking its pattern). */
static inline uint32_t vnet_frame_seed(const uint8_t *f, size_t len)
{
    uint32_t seed;

    g_assert_cmpuint(len, >=, 18);
    g_assert_cmphex(f[12], ==, 0x88);
    g_assert_cmphex(f[13], ==, 0xb5);
    seed = (uint32_t)f[14] << 24 | f[15] << 16 | f[16] << 8 | f[17];
    for (size_t i = 18; i < len; i++) {
        g_assert_cmphex(f[i], ==, (uint8_t)(seed * 7 + i));
    }
    return seed;
}

/* ---- the other end of socket backends ---- */

static inline bool vnet_wait_fd(int fd, short events, int timeout_ms)
{
    struct pollfd p = { .fd = fd, .events = events };
    int r;

    do {
        r = poll(&p, 1, timeout_ms);
    } while (r < 0 && errno == EINTR);
    return r > 0;
}

static inline int vnet_unix_listen(const char *path)
{
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpuint(strlen(path), <, sizeof(a.sun_path));
    strcpy(a.sun_path, path);
    unlink(path);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&a, sizeof(a)), ==, 0);
    g_assert_cmpint(listen(fd, 1), ==, 0);
    return fd;
}

/* Listen on 127.0.0.1; *port gets the port the kernel chose. */
static inline int vnet_tcp_listen(int *port)
{
    struct sockaddr_in a = { .sin_family = AF_INET };
    socklen_t len = sizeof(a);
    int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_assert_cmpint(fd, >=, 0);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&a, sizeof(a)), ==, 0);
    g_assert_cmpint(listen(fd, 1), ==, 0);
    g_assert_cmpint(getsockname(fd, (struct sockaddr *)&a, &len), ==, 0);
    *port = ntohs(a.sin_port);
    return fd;
}

static inline int vnet_udp_bind(int *port)
{
    struct sockaddr_in a = { .sin_family = AF_INET };
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

    g_assert_cmpint(fd, >=, 0);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&a, sizeof(a)), ==, 0);
    g_assert_cmpint(getsockname(fd, (struct sockaddr *)&a, &len), ==, 0);
    *port = ntohs(a.sin_port);
    return fd;
}

static inline int vnet_accept(int lfd)
{
    int fd;

    g_assert_true(vnet_wait_fd(lfd, POLLIN, QTEST_TIMEOUT_S * 1000));
    fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    g_assert_cmpint(fd, >=, 0);
    return fd;
}

static inline void vnet_write_all(int fd, const void *buf, size_t len)
{
    const uint8_t *p = buf;

    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        g_assert_cmpint(n, >, 0);
        p += n;
        len -= n;
    }
}

/* One frame with the 4-byte big-endian length in front. */
static inline void vnet_stream_send(int fd, const void *frame, size_t len)
{
    uint8_t hdr[4] = { len >> 24, len >> 16, len >> 8, len };

    vnet_write_all(fd, hdr, 4);
    vnet_write_all(fd, frame, len);
}

static inline bool vnet_read_full(int fd, void *buf, size_t len,
                                  int timeout_ms)
{
    uint8_t *p = buf;

    while (len) {
        ssize_t n;
        if (!vnet_wait_fd(fd, POLLIN, timeout_ms)) {
            return false;
        }
        n = read(fd, p, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        p += n;
        len -= n;
    }
    return true;
}

/* The next framed packet, or -1 when none comes within @timeout_ms. */
static inline int vnet_stream_recv(int fd, uint8_t *buf, size_t max,
                                   int timeout_ms)
{
    uint8_t hdr[4];
    uint32_t len;

    if (!vnet_read_full(fd, hdr, 4, timeout_ms)) {
        return -1;
    }
    len = (uint32_t)hdr[0] << 24 | hdr[1] << 16 | hdr[2] << 8 | hdr[3];
    g_assert_cmpuint(len, <=, max);
    g_assert_true(vnet_read_full(fd, buf, len, timeout_ms));
    return len;
}

/* A fresh temporary directory (removed with vnet_tmpdir_free). */
static inline char *vnet_tmpdir(void)
{
    char *d = g_dir_make_tmp("vireo-vnet-XXXXXX", NULL);

    g_assert_nonnull(d);
    return d;
}

static inline void vnet_tmpdir_free(char *dir)
{
    GDir *gd = g_dir_open(dir, 0, NULL);
    const char *name;

    while (gd && (name = g_dir_read_name(gd))) {
        char *p = g_build_filename(dir, name, NULL);
        g_unlink(p);
        g_free(p);
    }
    if (gd) {
        g_dir_close(gd);
    }
    g_rmdir(dir);
    g_free(dir);
}

/* ---- a stream backend peer ---- */

/* A vireo whose netdev n0 is a stream client of our unix socket. */
typedef struct StreamEnv {
    VnetEnv *e;
    char *dir;
    int lfd, fd;
} StreamEnv;

static inline StreamEnv *stream_env_new_args(const char *device_opts,
                                             const char *extra_args,
                                             VnetMode mode,
                                             uint64_t features)
{
    StreamEnv *s = g_new0(StreamEnv, 1);
    char *path, *args;

    s->dir = vnet_tmpdir();
    path = g_build_filename(s->dir, "peer.sock", NULL);
    s->lfd = vnet_unix_listen(path);
    args = g_strdup_printf("-netdev stream,id=n0,server=off,addr.type=unix,"
                           "addr.path=%s -device virtio-net-pci,netdev=n0%s %s",
                           path, device_opts, extra_args ? extra_args : "");
    s->e = vnet_env_start(args);
    s->fd = vnet_accept(s->lfd);
    vnet_env_pci(s->e, mode);
    if (features) { /* 0: the test negotiates itself */
        s->e->net = qvnet_init(s->e->dev, features, 1);
    }
    g_free(args);
    g_free(path);
    return s;
}

static inline void stream_env_free(StreamEnv *s)
{
    vnet_env_free(s->e);
    close(s->fd);
    close(s->lfd);
    vnet_tmpdir_free(s->dir);
    g_free(s);
}

static inline StreamEnv *stream_env_new(const char *device_opts,
                                        VnetMode mode, uint64_t features)
{
    return stream_env_new_args(device_opts, NULL, mode, features);
}

/* ---- QMP ---- */

/* query-rx-filter for @name: the single entry (new reference). */
static inline json_t *vnet_rx_filter(QTestState *qts, const char *name)
{
    json_t *ret = qtest_qmp_assert_success_ref(
        qts, "{\"execute\": \"query-rx-filter\", \"arguments\": "
             "{\"name\": \"%s\"}}", name);
    json_t *entry;

    g_assert_true(json_is_array(ret));
    g_assert_cmpuint(json_array_size(ret), ==, 1);
    entry = json_incref(json_array_get(ret, 0));
    json_decref(ret);
    return entry;
}

/*
 * Was event @name emitted (take it)?  A command round trip first, so that
 * everything vireo emitted before now has arrived.
 */
static inline bool vnet_event_take(QTestState *qts, const char *name)
{
    json_t *ev;

    qtest_qmp_assert_success(qts, "{\"execute\": \"query-status\"}");
    ev = qmp_conn_event_poll(qtest_qmp_conn(qts), name);
    if (ev) {
        json_decref(ev);
        return true;
    }
    return false;
}

static inline void vnet_set_link(QTestState *qts, const char *name, bool up)
{
    qtest_qmp_assert_success(qts, "{\"execute\": \"set_link\", "
                             "\"arguments\": {\"name\": \"%s\", "
                             "\"up\": %s}}", name, up ? "true" : "false");
}

#endif
