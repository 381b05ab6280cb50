/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio-pci transport of the qtest virtio driver (modern and legacy). */
#include <string.h>
#include "virtio-pci.h"

#define PCI_CAP_ID_VNDR 0x09

/* Modern common configuration registers (virtio 1.x 4.1.4.3). */
#define CC_DFSELECT 0x00
#define CC_DF 0x04
#define CC_GFSELECT 0x08
#define CC_GF 0x0c
#define CC_MSIX_CONFIG 0x10
#define CC_NUM_QUEUES 0x12
#define CC_STATUS 0x14
#define CC_QUEUE_SELECT 0x16
#define CC_QUEUE_SIZE 0x18
#define CC_QUEUE_MSIX 0x1a
#define CC_QUEUE_ENABLE 0x1c
#define CC_QUEUE_NOTIFY_OFF 0x1e
#define CC_QUEUE_DESC 0x20
#define CC_QUEUE_DRIVER 0x28
#define CC_QUEUE_DEVICE 0x30

/* Legacy I/O BAR registers. */
#define L_HOST_FEATURES 0
#define L_GUEST_FEATURES 4
#define L_QUEUE_PFN 8
#define L_QUEUE_NUM 12
#define L_QUEUE_SEL 14
#define L_QUEUE_NOTIFY 16
#define L_STATUS 18
#define L_ISR 19
#define L_CONFIG_VECTOR 20
#define L_QUEUE_VECTOR 22

static QVirtioPCI *to_pci(QVirtioDevice *d)
{
    return (QVirtioPCI *)d;
}

/* Access to the region a modern capability describes. */
static uint32_t cap_read(QVirtioPCI *p, int type, uint32_t off, int size)
{
    QVirtioPCICap *c = &p->caps[type];
    QPCIBar bar = p->bars[c->bar];

    g_assert(c->pos);
    g_assert_cmpuint(off + size, <=, c->length);
    switch (size) {
    case 1:
        return qpci_io_readb(p->pdev, bar, c->offset + off);
    case 2:
        return qpci_io_readw(p->pdev, bar, c->offset + off);
    default:
        return qpci_io_readl(p->pdev, bar, c->offset + off);
    }
}

static void cap_write(QVirtioPCI *p, int type, uint32_t off, uint32_t val,
                      int size)
{
    QVirtioPCICap *c = &p->caps[type];
    QPCIBar bar = p->bars[c->bar];

    g_assert(c->pos);
    g_assert_cmpuint(off + size, <=, c->length);
    switch (size) {
    case 1:
        qpci_io_writeb(p->pdev, bar, c->offset + off, val);
        break;
    case 2:
        qpci_io_writew(p->pdev, bar, c->offset + off, val);
        break;
    default:
        qpci_io_writel(p->pdev, bar, c->offset + off, val);
    }
}

uint32_t qvirtio_pci_common_read(QVirtioPCI *p, uint32_t off, int size)
{
    return cap_read(p, QVIRTIO_PCI_CAP_COMMON, off, size);
}

void qvirtio_pci_common_write(QVirtioPCI *p, uint32_t off, uint32_t val,
                              int size)
{
    cap_write(p, QVIRTIO_PCI_CAP_COMMON, off, val, size);
}

static uint32_t leg_read(QVirtioPCI *p, uint32_t off, int size)
{
    switch (size) {
    case 1:
        return qpci_io_readb(p->pdev, p->bars[0], off);
    case 2:
        return qpci_io_readw(p->pdev, p->bars[0], off);
    default:
        return qpci_io_readl(p->pdev, p->bars[0], off);
    }
}

static void leg_write(QVirtioPCI *p, uint32_t off, uint32_t val, int size)
{
    switch (size) {
    case 1:
        qpci_io_writeb(p->pdev, p->bars[0], off, val);
        break;
    case 2:
        qpci_io_writew(p->pdev, p->bars[0], off, val);
        break;
    default:
        qpci_io_writel(p->pdev, p->bars[0], off, val);
    }
}

/* ---- QVirtioOps ---- */

static uint8_t vp_get_status(QVirtioDevice *d)
{
    QVirtioPCI *p = to_pci(d);
    return p->legacy ? leg_read(p, L_STATUS, 1)
                     : qvirtio_pci_common_read(p, CC_STATUS, 1);
}

static void vp_set_status(QVirtioDevice *d, uint8_t st)
{
    QVirtioPCI *p = to_pci(d);
    if (p->legacy) {
        leg_write(p, L_STATUS, st, 1);
    } else {
        qvirtio_pci_common_write(p, CC_STATUS, st, 1);
    }
}

static uint64_t vp_get_features(QVirtioDevice *d)
{
    QVirtioPCI *p = to_pci(d);
    uint64_t f;

    if (p->legacy) {
        return leg_read(p, L_HOST_FEATURES, 4);
    }
    qvirtio_pci_common_write(p, CC_DFSELECT, 0, 4);
    f = qvirtio_pci_common_read(p, CC_DF, 4);
    qvirtio_pci_common_write(p, CC_DFSELECT, 1, 4);
    return f | (uint64_t)qvirtio_pci_common_read(p, CC_DF, 4) << 32;
}

static void vp_set_features(QVirtioDevice *d, uint64_t f)
{
    QVirtioPCI *p = to_pci(d);

    if (p->legacy) {
        g_assert_cmphex(f >> 32, ==, 0);
        leg_write(p, L_GUEST_FEATURES, f, 4);
        return;
    }
    qvirtio_pci_common_write(p, CC_GFSELECT, 0, 4);
    qvirtio_pci_common_write(p, CC_GF, f, 4);
    qvirtio_pci_common_write(p, CC_GFSELECT, 1, 4);
    qvirtio_pci_common_write(p, CC_GF, f >> 32, 4);
}

static uint32_t legacy_cfg_base(QVirtioPCI *p)
{
    /* MSI-X adds two vector registers in front of the device config. */
    return p->vdev.msix ? 24 : 20;
}

static uint8_t vp_config_readb(QVirtioDevice *d, uint64_t off)
{
    QVirtioPCI *p = to_pci(d);
    return p->legacy ? leg_read(p, legacy_cfg_base(p) + off, 1)
                     : cap_read(p, QVIRTIO_PCI_CAP_DEVICE, off, 1);
}

static void vp_config_writeb(QVirtioDevice *d, uint64_t off, uint8_t v)
{
    QVirtioPCI *p = to_pci(d);
    if (p->legacy) {
        leg_write(p, legacy_cfg_base(p) + off, v, 1);
    } else {
        cap_write(p, QVIRTIO_PCI_CAP_DEVICE, off, v, 1);
    }
}

static uint8_t vp_get_isr(QVirtioDevice *d)
{
    QVirtioPCI *p = to_pci(d);
    return p->legacy ? leg_read(p, L_ISR, 1)
                     : cap_read(p, QVIRTIO_PCI_CAP_ISR, 0, 1);
}

static uint16_t vp_queue_max(QVirtioDevice *d, uint16_t index)
{
    QVirtioPCI *p = to_pci(d);

    if (p->legacy) {
        leg_write(p, L_QUEUE_SEL, index, 2);
        return leg_read(p, L_QUEUE_NUM, 2);
    }
    qvirtio_pci_common_write(p, CC_QUEUE_SELECT, index, 2);
    return qvirtio_pci_common_read(p, CC_QUEUE_SIZE, 2);
}

static uint16_t vp_num_queues(QVirtioDevice *d)
{
    QVirtioPCI *p = to_pci(d);
    uint16_t n = 0;

    if (!p->legacy) {
        return qvirtio_pci_common_read(p, CC_NUM_QUEUES, 2);
    }
    while (n < 1024 && vp_queue_max(d, n)) {
        n++;
    }
    return n;
}

static void write_ring_addr(QVirtioPCI *p, uint32_t off, uint64_t addr)
{
    qvirtio_pci_common_write(p, off, (uint32_t)addr, 4);
    qvirtio_pci_common_write(p, off + 4, addr >> 32, 4);
}

static void vp_queue_setup(QVirtioDevice *d, QVirtQueue *vq)
{
    QVirtioPCI *p = to_pci(d);

    if (p->legacy) {
        leg_write(p, L_QUEUE_SEL, vq->index, 2);
        /* Legacy queues have a fixed size. */
        g_assert_cmpuint(leg_read(p, L_QUEUE_NUM, 2), ==, vq->num);
        if (d->msix) {
            leg_write(p, L_QUEUE_VECTOR, vq->vector, 2);
            g_assert_cmphex(leg_read(p, L_QUEUE_VECTOR, 2), ==, vq->vector);
        }
        leg_write(p, L_QUEUE_PFN, vq->desc >> 12, 4);
        return;
    }
    qvirtio_pci_common_write(p, CC_QUEUE_SELECT, vq->index, 2);
    qvirtio_pci_common_write(p, CC_QUEUE_SIZE, vq->num, 2);
    g_assert_cmpuint(qvirtio_pci_common_read(p, CC_QUEUE_SIZE, 2), ==,
                     vq->num);
    if (d->msix) {
        qvirtio_pci_common_write(p, CC_QUEUE_MSIX, vq->vector, 2);
        g_assert_cmphex(qvirtio_pci_common_read(p, CC_QUEUE_MSIX, 2), ==,
                        vq->vector);
    }
    write_ring_addr(p, CC_QUEUE_DESC, vq->desc);
    write_ring_addr(p, CC_QUEUE_DRIVER, vq->avail);
    write_ring_addr(p, CC_QUEUE_DEVICE, vq->used);
    vq->notify_off = qvirtio_pci_common_read(p, CC_QUEUE_NOTIFY_OFF, 2);
    qvirtio_pci_common_write(p, CC_QUEUE_ENABLE, 1, 2);
    g_assert_cmpuint(qvirtio_pci_common_read(p, CC_QUEUE_ENABLE, 2), ==, 1);
}

static void vp_queue_notify(QVirtioDevice *d, QVirtQueue *vq)
{
    QVirtioPCI *p = to_pci(d);

    if (p->legacy) {
        leg_write(p, L_QUEUE_NOTIFY, vq->index, 2);
    } else {
        cap_write(p, QVIRTIO_PCI_CAP_NOTIFY, vq->notify_off * p->notify_mult,
                  vq->index, 2);
    }
}

static void vp_set_config_vector(QVirtioDevice *d, uint16_t vector)
{
    QVirtioPCI *p = to_pci(d);

    if (p->legacy) {
        leg_write(p, L_CONFIG_VECTOR, vector, 2);
    } else {
        qvirtio_pci_common_write(p, CC_MSIX_CONFIG, vector, 2);
    }
}

static uint16_t vp_get_config_vector(QVirtioDevice *d)
{
    QVirtioPCI *p = to_pci(d);
    return p->legacy ? leg_read(p, L_CONFIG_VECTOR, 2)
                     : qvirtio_pci_common_read(p, CC_MSIX_CONFIG, 2);
}

static bool vp_legacy_layout(QVirtioDevice *d)
{
    return to_pci(d)->legacy;
}

static void vp_free(QVirtioDevice *d)
{
    QVirtioPCI *p = to_pci(d);

    qpci_device_free(p->pdev);
    g_free(p);
}

static const QVirtioOps virtio_pci_ops = {
    .get_status = vp_get_status,
    .set_status = vp_set_status,
    .get_features = vp_get_features,
    .set_features = vp_set_features,
    .config_readb = vp_config_readb,
    .config_writeb = vp_config_writeb,
    .get_isr = vp_get_isr,
    .num_queues = vp_num_queues,
    .queue_max = vp_queue_max,
    .queue_setup = vp_queue_setup,
    .queue_notify = vp_queue_notify,
    .set_config_vector = vp_set_config_vector,
    .get_config_vector = vp_get_config_vector,
    .legacy_layout = vp_legacy_layout,
    .free = vp_free,
};

/* ---- discovery ---- */

QVirtioPCICap qvirtio_pci_read_cap(QPCIDevice *pdev, uint8_t type)
{
    QVirtioPCICap c = { 0 };
    uint8_t pos = 0;

    while ((pos = qpci_find_capability(pdev, PCI_CAP_ID_VNDR, pos))) {
        if (qpci_config_readb(pdev, pos + 3) == type) {
            c.pos = pos;
            c.bar = qpci_config_readb(pdev, pos + 4);
            c.offset = qpci_config_readl(pdev, pos + 8);
            c.length = qpci_config_readl(pdev, pos + 12);
            break;
        }
    }
    return c;
}

typedef struct FindData {
    int device_id;
    int devfn;
} FindData;

static void find_fn(QPCIDevice *dev, int devfn, void *opaque)
{
    FindData *f = opaque;

    if (f->devfn < 0 &&
        (f->device_id < 0 || qpci_config_readw(dev, 2) == f->device_id)) {
        f->devfn = devfn;
    }
    qpci_device_free(dev);
}

int qvirtio_pci_find_devfn(QPCIBus *bus, int device_id)
{
    FindData f = { .device_id = device_id, .devfn = -1 };

    qpci_device_foreach(bus, QVIRTIO_PCI_VENDOR, -1, find_fn, &f);
    return f.devfn;
}

static void map_modern(QVirtioPCI *p)
{
    bool mapped[6] = { false };

    for (int t = QVIRTIO_PCI_CAP_COMMON; t <= QVIRTIO_PCI_CAP_DEVICE; t++) {
        QVirtioPCICap c = qvirtio_pci_read_cap(p->pdev, t);

        g_assert_cmpuint(c.pos, !=, 0);
        g_assert_cmpuint(c.bar, <, 6);
        p->caps[t] = c;
        if (!mapped[c.bar]) {
            p->bars[c.bar] = qpci_iomap(p->pdev, c.bar);
            mapped[c.bar] = true;
        }
        g_assert_cmpuint(c.offset + c.length, <=, p->bars[c.bar].size);
        if (t == QVIRTIO_PCI_CAP_NOTIFY) {
            p->notify_mult = qpci_config_readl(p->pdev, c.pos + 16);
        }
    }
}

QVirtioPCI *qvirtio_pci_new(QPCIBus *bus, int devfn, QGuestAlloc *alloc,
                            bool legacy)
{
    QVirtioPCI *p = g_new0(QVirtioPCI, 1);

    p->pdev = qpci_device_find(bus, devfn);
    g_assert_nonnull(p->pdev);
    g_assert_cmphex(qpci_config_readw(p->pdev, 0), ==, QVIRTIO_PCI_VENDOR);
    p->legacy = legacy;
    p->vdev.qts = bus->qts;
    p->vdev.ops = &virtio_pci_ops;
    p->vdev.alloc = alloc;
    p->vdev.config_vector = QVIRTIO_NO_VECTOR;
    p->vdev.opaque = p;
    /* Modern ids are 0x1040 + type; transitional ones carry the type in
     * the subsystem id. */
    p->vdev.device_id = qpci_config_readw(p->pdev, 2) >= 0x1040
                            ? qpci_config_readw(p->pdev, 2) - 0x1040
                            : qpci_config_readw(p->pdev, 0x2e);
    if (legacy) {
        p->bars[0] = qpci_iomap(p->pdev, 0);
        g_assert_true(p->bars[0].io);
    } else {
        map_modern(p);
    }
    qpci_device_enable(p->pdev);
    return p;
}

void qvirtio_pci_enable_msix(QVirtioPCI *p, uint64_t msi_base)
{
    unsigned n = qpci_msix_table_size(p->pdev);

    qpci_msix_enable(p->pdev);
    p->vdev.msix = true;
    p->vdev.msi_base = msi_base;
    for (unsigned v = 0; v < n; v++) {
        qpci_msix_set_vector(p->pdev, v, qvirtio_msi_addr(&p->vdev, v),
                             qvirtio_msi_data(v));
        qpci_msix_mask_vector(p->pdev, v, false);
        qtest_writel(p->vdev.qts, qvirtio_msi_addr(&p->vdev, v), 0);
    }
    p->vdev.ops->set_config_vector(&p->vdev, 0);
    g_assert_cmphex(p->vdev.ops->get_config_vector(&p->vdev), ==, 0);
    p->vdev.config_vector = 0;
}

uint16_t qvirtio_pci_num_queues(QVirtioPCI *p)
{
    return vp_num_queues(&p->vdev);
}
