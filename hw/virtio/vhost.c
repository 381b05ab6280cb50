/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Generic vhost device start/stop: memory table, ring addresses and the
 * kick/call eventfds of each ring.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include "hw/core/machine.h"
#include "hw/virtio/vhost.h"
#include "util/main-loop.h"

void vhost_dev_init(VhostDev *hdev, VhostUserConn *conn, unsigned vq_index,
                    unsigned nvqs)
{
    memset(hdev, 0, sizeof(*hdev));
    g_assert(nvqs <= VHOST_DEV_MAX_VQS);
    hdev->conn = conn;
    hdev->vq_index = vq_index;
    hdev->nvqs = nvqs;
    for (unsigned i = 0; i < VHOST_DEV_MAX_VQS; i++) {
        hdev->vqs[i].kick_fd = hdev->vqs[i].call_fd = -1;
    }
}

/* Guest RAM as the back-end must map it: the machine's memfd RAM. */
static bool vhost_send_mem_table(VhostDev *hdev, Error **errp)
{
    MemoryRegion *ram = current_machine ? current_machine->ram : NULL;
    VhostUserMemRegion r = { 0 };
    uint64_t base;
    int fd;

    if (!ram || !address_space_is_mapped(hdev->vdev->dma_as, ram, &base)) {
        error_setg(errp, "vhost-user: the machine has no guest RAM to share");
        return false;
    }
    fd = memory_region_ram_fd(ram);
    if (fd < 0) {
        error_setg(errp, "vhost-user: guest RAM is not backed by a file "
                   "descriptor and cannot be shared");
        return false;
    }
    r.guest_phys_addr = base;
    r.memory_size = memory_region_size(ram);
    r.userspace_addr = (uintptr_t)memory_region_ram_ptr(ram);
    r.mmap_offset = 0;
    return vhost_user_set_mem_table(hdev->conn, &r, &fd, 1, errp);
}

static gboolean vhost_call_ready(int fd, GIOCondition cond, void *opaque)
{
    VhostVirtqueue *v = opaque;
    uint64_t cnt;

    /* irqfd emulation: one interrupt for however many signals came. */
    if (read(fd, &cnt, sizeof(cnt)) == sizeof(cnt) && v->vq) {
        virtio_queue_irq(v->vq);
    }
    return G_SOURCE_CONTINUE;
}

static void vhost_vq_release(VhostVirtqueue *v)
{
    if (v->vq) {
        virtio_queue_set_host_notifier(v->vq, -1);
    }
    if (v->call_watch) {
        main_loop_remove(v->call_watch);
        v->call_watch = 0;
    }
    if (v->kick_fd >= 0) {
        close(v->kick_fd);
    }
    if (v->call_fd >= 0) {
        close(v->call_fd);
    }
    v->kick_fd = v->call_fd = -1;
    v->vq = NULL;
}

/* Host address of a ring part that must lie wholly in guest RAM. */
static bool vhost_ring_hva(VirtIODevice *vdev, unsigned idx, const char *what,
                           uint64_t gpa, uint64_t len, uint64_t *hva,
                           Error **errp)
{
    void *p = address_space_ram_ptr(vdev->dma_as, gpa, len);

    if (!p) {
        error_setg(errp, "vhost: %s of ring %u (0x%" G_GINT64_MODIFIER
                   "x) is not in guest RAM", what, idx, gpa);
        return false;
    }
    *hva = (uintptr_t)p;
    return true;
}

static bool vhost_vq_start(VhostDev *hdev, unsigned i, Error **errp)
{
    VhostVirtqueue *v = &hdev->vqs[i];
    VirtIODevice *vdev = hdev->vdev;
    unsigned idx = hdev->vq_index + i;
    VirtQueue *vq = virtio_get_queue(vdev, idx);
    VhostUserVringAddr a = { .index = idx };
    unsigned num;

    if (!vq || !virtio_queue_ready(vq)) {
        return true; /* the driver did not set this ring up */
    }
    num = virtio_queue_get_num(vq);
    if (!vhost_ring_hva(vdev, idx, "descriptor table",
                        virtio_queue_get_desc(vq), 16ULL * num,
                        &a.desc_user_addr, errp) ||
        !vhost_ring_hva(vdev, idx, "available ring",
                        virtio_queue_get_avail(vq), 6 + 2ULL * num,
                        &a.avail_user_addr, errp) ||
        !vhost_ring_hva(vdev, idx, "used ring", virtio_queue_get_used(vq),
                        6 + 8ULL * num, &a.used_user_addr, errp)) {
        return false;
    }
    v->kick_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    v->call_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (v->kick_fd < 0 || v->call_fd < 0) {
        error_setg_errno(errp, errno, "vhost: cannot create eventfds");
        vhost_vq_release(v);
        return false;
    }
    if (!vhost_user_set_vring_num(hdev->conn, idx, num, errp) ||
        !vhost_user_set_vring_base(hdev->conn, idx,
                                   virtio_queue_get_last_avail_idx(vq),
                                   errp) ||
        !vhost_user_set_vring_addr(hdev->conn, &a, errp) ||
        !vhost_user_set_vring_fd(hdev->conn, VHOST_USER_SET_VRING_KICK, idx,
                                 v->kick_fd, errp) ||
        !vhost_user_set_vring_fd(hdev->conn, VHOST_USER_SET_VRING_CALL, idx,
                                 v->call_fd, errp)) {
        vhost_vq_release(v);
        return false;
    }
    v->vq = vq;
    virtio_queue_set_host_notifier(vq, v->kick_fd);
    v->call_watch = main_loop_add_fd(v->call_fd, G_IO_IN, vhost_call_ready, v);
    return true;
}

/* Give one ring back to the device model with the back-end's position. */
static void vhost_vq_stop(VhostDev *hdev, unsigned i)
{
    VhostVirtqueue *v = &hdev->vqs[i];
    unsigned idx = hdev->vq_index + i;
    VirtQueue *vq = v->vq;
    Error *err = NULL;
    uint16_t base;

    if (!vq) {
        return;
    }
    virtio_queue_set_host_notifier(vq, -1);
    if (vhost_user_get_vring_base(hdev->conn, idx, &base, &err)) {
        virtio_queue_set_last_avail_idx(vq, base);
    } else {
        /* The back-end is gone: what it used is all it consumed. */
        if (hdev->conn->ready && !hdev->conn->broken &&
            chardev_get_msg_fd(hdev->conn->chr) >= 0) {
            error_report_err(err);
        } else {
            error_free(err);
        }
        virtio_queue_set_last_avail_idx(
            vq, virtio_queue_get_used_idx_from_ring(vq));
    }
    /* A signal the back-end raised just before stopping still counts. */
    vhost_call_ready(v->call_fd, G_IO_IN, v);
    vhost_vq_release(v);
}

bool vhost_dev_start(VhostDev *hdev, VirtIODevice *vdev, uint64_t features,
                     Error **errp)
{
    uint64_t one = 1;

    if (hdev->started) {
        return true;
    }
    if (!hdev->conn->ready) {
        error_setg(errp, "vhost-user back-end '%s' is not connected",
                   hdev->conn->name);
        return false;
    }
    hdev->vdev = vdev;
    if (!vhost_user_set_features(hdev->conn, features, errp)) {
        return false;
    }
    if (hdev->vq_index == 0 && !vhost_send_mem_table(hdev, errp)) {
        return false;
    }
    for (unsigned i = 0; i < hdev->nvqs; i++) {
        if (!vhost_vq_start(hdev, i, errp)) {
            for (unsigned j = 0; j < i; j++) {
                vhost_vq_stop(hdev, j);
            }
            return false;
        }
    }
    hdev->started = true;
    hdev->enabled = false;
    /* Buffers the driver queued before the hand-over need a kick. */
    for (unsigned i = 0; i < hdev->nvqs; i++) {
        if (hdev->vqs[i].kick_fd >= 0 &&
            write(hdev->vqs[i].kick_fd, &one, sizeof(one)) < 0) {
            /* saturated counter: a kick is pending anyway */
        }
    }
    return true;
}

void vhost_dev_stop(VhostDev *hdev)
{
    if (!hdev->started) {
        return;
    }
    for (unsigned i = 0; i < hdev->nvqs; i++) {
        vhost_vq_stop(hdev, i);
    }
    hdev->started = false;
    hdev->enabled = false;
}

bool vhost_dev_set_enable(VhostDev *hdev, bool enable, Error **errp)
{
    if (!(hdev->conn->features & (1ULL << VHOST_USER_F_PROTOCOL_FEATURES))) {
        hdev->enabled = true; /* rings run as soon as they are started */
        return true;
    }
    for (unsigned i = 0; i < hdev->nvqs; i++) {
        if (hdev->vqs[i].vq &&
            !vhost_user_set_vring_enable(hdev->conn, hdev->vq_index + i,
                                         enable, errp)) {
            return false;
        }
    }
    hdev->enabled = enable;
    return true;
}
