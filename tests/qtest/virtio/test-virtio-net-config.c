/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-net negotiation and configuration through the real binary: PCI
 * ids and interfaces, MSI-X vector counts, offered features, config space
 * contents and size for several property sets, the virtqueue count before
 * and after negotiation, and virtio-mmio.
 */
#include "vnet-test.h"

#define F(bit) (1ull << (bit))

static const uint8_t default_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

static void assert_config_mac(QVirtioDevice *d, const uint8_t *mac)
{
    for (int i = 0; i < 6; i++) {
        g_assert_cmphex(qvirtio_config_readb(d, i), ==, mac[i]);
    }
}

/* Config bytes at and beyond @size read as zero (modern PCI). */
static void assert_config_size(QVirtioDevice *d, unsigned size)
{
    for (unsigned i = size; i < 24; i++) {
        g_assert_cmphex(qvirtio_config_readb(d, i), ==, 0);
    }
}

static void test_pci_ids(void)
{
    static const struct {
        const char *dev;
        uint16_t id;
        uint8_t rev;
        uint16_t subsys;
        bool io_bar;
    } cases[] = {
        { "virtio-net-pci", 0x1000, 0, 1, true },
        { "virtio-net-pci-transitional", 0x1000, 0, 1, true },
        { "virtio-net-pci-non-transitional", 0x1041, 1, 0x1100, false },
        { "virtio-net-pci,disable-legacy=on", 0x1041, 1, 0x1100, false },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *args = g_strdup_printf("-device %s,addr=2.0", cases[i].dev);
        VnetEnv *e = vnet_env_start(args);
        QPCIDevice *p = qpci_device_find(e->bus, 0x10);
        bool io;

        g_assert_nonnull(p);
        g_assert_cmphex(qpci_config_readw(p, 0), ==, 0x1af4);
        g_assert_cmphex(qpci_config_readw(p, 2), ==, cases[i].id);
        g_assert_cmphex(qpci_config_readb(p, 8), ==, cases[i].rev);
        g_assert_cmphex(qpci_config_readw(p, 0x0a), ==, 0x0200);
        g_assert_cmphex(qpci_config_readw(p, 0x2c), ==, 0x1af4);
        g_assert_cmphex(qpci_config_readw(p, 0x2e), ==, cases[i].subsys);
        g_assert_cmpuint(qpci_config_readb(p, 0x3d), ==, 1);
        if (cases[i].io_bar) {
            g_assert_cmpuint(qpci_bar_probe(p, 0, &io, NULL), >=, 32);
            g_assert_true(io);
        } else {
            g_assert_cmpuint(qpci_bar_probe(p, 0, NULL, NULL), ==, 0);
        }
        /* Every interface has the modern capabilities (not disabled). */
        for (int t = QVIRTIO_PCI_CAP_COMMON; t <= QVIRTIO_PCI_CAP_PCI; t++) {
            g_assert_cmpuint(qvirtio_pci_read_cap(p, t).pos, !=, 0);
        }
        qpci_device_free(p);
        vnet_env_free(e);
        g_free(args);
    }
}

static void test_pci_disable_modern(void)
{
    VnetEnv *e = vnet_env_start("-device virtio-net-pci,disable-modern=on");
    QPCIDevice *p = qpci_device_find(e->bus, qvirtio_pci_find_devfn(e->bus,
                                                                    -1));

    g_assert_cmphex(qpci_config_readw(p, 2), ==, 0x1000);
    g_assert_cmpuint(qvirtio_pci_read_cap(p, QVIRTIO_PCI_CAP_COMMON).pos, ==,
                     0);
    qpci_device_free(p);
    vnet_env_free(e);
}

static unsigned vectors_of(const char *args)
{
    VnetEnv *e = vnet_env_start(args);
    QPCIDevice *p = qpci_device_find(e->bus, qvirtio_pci_find_devfn(e->bus,
                                                                    -1));
    unsigned n = qpci_find_capability(p, 0x11, 0) ? qpci_msix_table_size(p)
                                                  : 0;

    qpci_device_free(p);
    vnet_env_free(e);
    return n;
}

static void test_pci_vectors(void)
{
    /* 2 * queues + 2, with one backend queue (or none). */
    g_assert_cmpuint(vectors_of("-device virtio-net-pci"), ==, 4);
    g_assert_cmpuint(vectors_of("-netdev user,id=n0 "
                                "-device virtio-net-pci,netdev=n0"), ==, 4);
    g_assert_cmpuint(vectors_of("-device virtio-net-pci,vectors=7"), ==, 7);
    g_assert_cmpuint(vectors_of("-device virtio-net-pci,vectors=0"), ==, 0);
}

static void test_default_config(void)
{
    VnetEnv *e = vnet_env_start("-device virtio-net-pci");
    QVirtioDevice *d = vnet_env_pci(e, VNET_MODERN_MSIX);
    uint64_t off = qvirtio_get_features(d), f;

    /* Offered by default, and what must not be. */
    g_assert_true(off & F(QVIRTIO_F_VERSION_1));
    g_assert_true(off & F(QVNET_F_MAC));
    g_assert_true(off & F(QVNET_F_STATUS));
    g_assert_true(off & F(QVNET_F_MRG_RXBUF));
    g_assert_true(off & F(QVNET_F_CTRL_VQ));
    g_assert_true(off & F(QVNET_F_CTRL_RX));
    g_assert_true(off & F(QVNET_F_CTRL_VLAN));
    g_assert_true(off & F(QVNET_F_CTRL_RX_EXTRA));
    g_assert_true(off & F(QVNET_F_GUEST_ANNOUNCE));
    g_assert_true(off & F(QVNET_F_CTRL_MAC_ADDR));
    g_assert_true(off & F(QVIRTIO_F_INDIRECT_DESC));
    g_assert_true(off & F(QVIRTIO_F_EVENT_IDX));
    g_assert_false(off & F(QVNET_F_MQ));
    g_assert_false(off & F(QVNET_F_MTU));
    g_assert_false(off & F(QVNET_F_SPEED_DUPLEX));
    /* No backend with a vnet header: no checksum/TSO offloads. */
    g_assert_false(off & F(QVNET_F_CSUM));
    /* Legacy-only bits are hidden from the modern window. */
    g_assert_false(off & F(6));
    g_assert_false(off & F(QVIRTIO_F_NOTIFY_ON_EMPTY));
    g_assert_false(off & F(QVIRTIO_F_ANY_LAYOUT));
    g_assert_false(off & F(30));

    /* Three queues until MQ is negotiated: rx 0, tx 1, ctrl 2. */
    g_assert_cmpuint(qvirtio_pci_num_queues(e->pci), ==, 3);
    g_assert_cmpuint(d->ops->queue_max(d, 0), ==, 256);
    g_assert_cmpuint(d->ops->queue_max(d, 1), ==, 256);
    g_assert_cmpuint(d->ops->queue_max(d, 2), ==, 64);
    g_assert_cmpuint(d->ops->queue_max(d, 3), ==, 0);

    f = qvirtio_negotiate(d, qvnet_default_features());
    g_assert_cmphex(f, ==, qvnet_default_features() & off);
    assert_config_mac(d, default_mac);
    g_assert_cmphex(qvirtio_config_readw(d, 6), ==, QVNET_S_LINK_UP);
    assert_config_size(d, 8);
    /* Features are frozen once FEATURES_OK was accepted. */
    d->ops->set_features(d, F(QVIRTIO_F_VERSION_1));
    qvirtio_pci_common_write(e->pci, 0x08, 0, 4);
    g_assert_cmphex(qvirtio_pci_common_read(e->pci, 0x0c, 4), ==,
                    (uint32_t)f);
    vnet_env_free(e);
}

static void test_features_masked(void)
{
    VnetEnv *e = vnet_env_start("-device virtio-net-pci");
    QVirtioDevice *d = vnet_env_pci(e, VNET_MODERN_INTX);
    uint8_t st = QVIRTIO_S_ACKNOWLEDGE | QVIRTIO_S_DRIVER |
                 QVIRTIO_S_FEATURES_OK;

    /* A bit that was not offered (MQ) is dropped, not applied. */
    qvirtio_reset(d);
    qvirtio_set_status(d, QVIRTIO_S_ACKNOWLEDGE | QVIRTIO_S_DRIVER);
    d->ops->set_features(d, F(QVIRTIO_F_VERSION_1) | F(QVNET_F_MQ) |
                                F(QVNET_F_STATUS));
    qvirtio_set_status(d, st);
    g_assert_cmphex(qvirtio_get_status(d), ==, st);
    g_assert_cmpuint(qvirtio_pci_num_queues(e->pci), ==, 3);
    assert_config_size(d, 8);
    vnet_env_free(e);
}

static void test_mq_config(void)
{
    VnetEnv *e = vnet_env_start("-device virtio-net-pci,mq=on");
    QVirtioDevice *d = vnet_env_pci(e, VNET_MODERN_MSIX);

    g_assert_true(qvirtio_get_features(d) & F(QVNET_F_MQ));
    g_assert_cmpuint(qvirtio_pci_num_queues(e->pci), ==, 3);
    qvirtio_negotiate(d, qvnet_default_features());
    g_assert_true(d->features & F(QVNET_F_MQ));
    /* max_virtqueue_pairs at offset 8 (one backend queue), size 10. */
    g_assert_cmphex(qvirtio_config_readw(d, 8), ==, 1);
    assert_config_size(d, 10);
    g_assert_cmpuint(qvirtio_pci_num_queues(e->pci), ==, 3);
    vnet_env_free(e);
}

static void test_mtu_speed_duplex(void)
{
    VnetEnv *e = vnet_env_start("-device virtio-net-pci,host_mtu=1400,"
                                "speed=1000,duplex=full");
    QVirtioDevice *d = vnet_env_pci(e, VNET_MODERN_INTX);
    uint64_t off = qvirtio_get_features(d);

    g_assert_true(off & F(QVNET_F_MTU));
    g_assert_true(off & F(QVNET_F_SPEED_DUPLEX));
    qvirtio_negotiate(d, qvnet_default_features());
    g_assert_cmphex(qvirtio_config_readw(d, 6), ==, QVNET_S_LINK_UP);
    g_assert_cmphex(qvirtio_config_readw(d, 8), ==, 1);
    g_assert_cmpuint(qvirtio_config_readw(d, 10), ==, 1400);
    g_assert_cmpuint(qvirtio_config_readl(d, 12), ==, 1000);
    g_assert_cmpuint(qvirtio_config_readb(d, 16), ==, 1);
    assert_config_size(d, 17);
    vnet_env_free(e);

    /* duplex alone offers SPEED_DUPLEX with an unknown speed. */
    e = vnet_env_start("-device virtio-net-pci,duplex=half");
    d = vnet_env_pci(e, VNET_MODERN_INTX);
    g_assert_true(qvirtio_get_features(d) & F(QVNET_F_SPEED_DUPLEX));
    g_assert_false(qvirtio_get_features(d) & F(QVNET_F_MTU));
    g_assert_cmphex(qvirtio_config_readl(d, 12), ==, 0xffffffff);
    g_assert_cmpuint(qvirtio_config_readb(d, 16), ==, 0);
    vnet_env_free(e);
}

static void test_status_off_and_mac(void)
{
    static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };
    static const uint8_t second[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x57 };
    VnetEnv *e = vnet_env_start("-device virtio-net-pci,status=off,"
                                "mac=52-54-00-AB-CD-EF");
    QVirtioDevice *d = vnet_env_pci(e, VNET_MODERN_INTX);
    QVirtioPCI *p2;

    g_assert_false(qvirtio_get_features(d) & F(QVNET_F_STATUS));
    assert_config_mac(d, mac);
    assert_config_size(d, 6);
    vnet_env_free(e);

    /* Unset MACs come from the 52:54:00:12:34:56 sequence. */
    e = vnet_env_start("-device virtio-net-pci,addr=2.0 "
                       "-device virtio-net-pci,addr=3.0");
    e->pci = qvirtio_pci_new(e->bus, 0x10, &e->alloc, false);
    e->dev = &e->pci->vdev;
    assert_config_mac(e->dev, default_mac);
    p2 = qvirtio_pci_new(e->bus, 0x18, &e->alloc, false);
    assert_config_mac(&p2->vdev, second);
    qvirtio_free(&p2->vdev);
    vnet_env_free(e);
}

static void test_legacy_interface(void)
{
    VnetEnv *e = vnet_env_start("-device virtio-net-pci-transitional");
    QVirtioDevice *d = vnet_env_pci(e, VNET_LEGACY_INTX);
    uint64_t off = qvirtio_get_features(d);

    /* The legacy window has the legacy bits and only 32 of them. */
    g_assert_true(off & F(6));
    g_assert_true(off & F(QVIRTIO_F_NOTIFY_ON_EMPTY));
    g_assert_true(off & F(QVIRTIO_F_ANY_LAYOUT));
    g_assert_true(off & F(QVNET_F_MRG_RXBUF));
    g_assert_cmphex(off >> 32, ==, 0);
    assert_config_mac(d, default_mac);
    /* rx, tx, ctrl with their sizes, as on the modern interface. */
    g_assert_cmpuint(d->ops->num_queues(d), ==, 3);
    e->net = qvnet_init(d, qvnet_default_features(), 1);
    g_assert_cmpuint(e->net->hdr_len, ==, 12);
    g_assert_cmphex(qvnet_config_status(e->net), ==, QVNET_S_LINK_UP);
    g_assert_cmpint(qvnet_ctrl(e->net, QVNET_CTRL_RX, QVNET_CTRL_RX_PROMISC,
                               "\0", 1), ==, QVNET_OK);
    vnet_env_free(e);

    /* With MSI-X on, the device config moves from 20 to 24. */
    e = vnet_env_start("-device virtio-net-pci-transitional");
    d = vnet_env_pci(e, VNET_LEGACY_MSIX);
    assert_config_mac(d, default_mac);
    /* Without MRG_RXBUF a legacy header is 10 bytes. */
    e->net = qvnet_init(d, qvnet_default_features() & ~F(QVNET_F_MRG_RXBUF),
                        1);
    g_assert_cmpuint(e->net->hdr_len, ==, 10);
    g_assert_cmpint(qvnet_ctrl(e->net, QVNET_CTRL_RX, QVNET_CTRL_RX_PROMISC,
                               "\1", 1), ==, QVNET_OK);
    g_assert_true(qvirtqueue_irq_take(e->net->ctrl));
    vnet_env_free(e);
}

static void test_mmio(void)
{
    VnetEnv *e = vnet_env_start("-device virtio-net-device,id=m0 "
                                "-device virtio-net-device,id=m1,"
                                "mac=02:00:00:00:00:02");
    QVirtioDevice *d;

    /* The first device takes the last slot, the second the one below. */
    for (int i = 0; i < 8; i++) {
        uint64_t base = QVIRTIO_MMIO_BASE + i * QVIRTIO_MMIO_STRIDE;
        g_assert_cmphex(qtest_readl(e->qts, base), ==, QVIRTIO_MMIO_MAGIC);
        g_assert_cmphex(qtest_readl(e->qts, base + 4), ==, 1);
        g_assert_cmphex(qtest_readl(e->qts, base + 8), ==, i >= 6 ? 1 : 0);
    }
    g_assert_cmphex(qtest_readl(e->qts, QVIRTIO_MMIO_FIRST_DEVICE + 0xc), ==,
                    0x554d4551);
    d = vnet_env_mmio(e, QVIRTIO_MMIO_FIRST_DEVICE);
    g_assert_cmpuint(d->device_id, ==, 1);
    assert_config_mac(d, default_mac);
    g_assert_cmpuint(d->ops->num_queues(d), ==, 3);
    e->net = qvnet_init(d, qvnet_default_features(), 1);
    g_assert_cmphex(qvnet_config_status(e->net), ==, QVNET_S_LINK_UP);
    g_assert_cmpint(qvnet_ctrl(e->net, QVNET_CTRL_RX, QVNET_CTRL_RX_PROMISC,
                               "\0", 1), ==, QVNET_OK);
    g_assert_true(qvirtqueue_irq_take(e->net->ctrl));
    qvnet_free(e->net);
    e->net = NULL;
    qvirtio_free(d);
    d = vnet_env_mmio(e, QVIRTIO_MMIO_FIRST_DEVICE - QVIRTIO_MMIO_STRIDE);
    g_assert_cmphex(qvirtio_config_readb(d, 5), ==, 2);
    /*
     * A legacy driver has 32 feature bits: a write with the select at 1
     * (here VERSION_1) is ignored, so without CTRL_MAC_ADDR it may still
     * set the MAC through config space.
     */
    qvirtio_reset(d);
    qvirtio_set_status(d, QVIRTIO_S_ACKNOWLEDGE | QVIRTIO_S_DRIVER);
    qvirtio_mmio_writel(e->mmio, 0x24, 0);
    qvirtio_mmio_writel(e->mmio, 0x20, F(QVNET_F_MAC) | F(QVNET_F_STATUS));
    qvirtio_mmio_writel(e->mmio, 0x24, 1);
    qvirtio_mmio_writel(e->mmio, 0x20, 1);
    qvirtio_set_status(d, QVIRTIO_S_ACKNOWLEDGE | QVIRTIO_S_DRIVER |
                              QVIRTIO_S_FEATURES_OK | QVIRTIO_S_DRIVER_OK);
    qvirtio_config_writeb(d, 5, 0x99);
    g_assert_cmphex(qvirtio_config_readb(d, 5), ==, 0x99);
    vnet_env_free(e);
}

/* -global virtio-mmio.force-legacy=off: the modern (version 2) layout. */
static void test_mmio_modern(void)
{
    VnetEnv *e = vnet_env_start("-global virtio-mmio.force-legacy=off "
                                "-device virtio-net-device,id=m0");
    QVirtioDevice *d;

    g_assert_cmphex(qtest_readl(e->qts, QVIRTIO_MMIO_FIRST_DEVICE + 4), ==, 2);
    d = vnet_env_mmio(e, QVIRTIO_MMIO_FIRST_DEVICE);
    g_assert_cmpuint(d->device_id, ==, 1);
    e->net = qvnet_init(d, qvnet_default_features(), 1);
    g_assert_cmphex(qvnet_config_status(e->net), ==, QVNET_S_LINK_UP);
    g_assert_cmpint(qvnet_ctrl(e->net, QVNET_CTRL_RX, QVNET_CTRL_RX_PROMISC,
                               "\0", 1), ==, QVNET_OK);
    vnet_env_free(e); /* also frees the device and its driver state */
}

static void test_property_errors(void)
{
    static const struct {
        const char *opts;
        const char *msg;
    } cases[] = {
        { "rx_queue_size=100", "Invalid rx_queue_size (= 100), must be a "
                               "power of 2 between 256 and 1024." },
        { "tx_queue_size=512", "Invalid tx_queue_size (= 512), must be a "
                               "power of 2 between 256 and 256" },
        { "speed=-5", "'speed' must be between 0 and INT_MAX" },
        { "duplex=quarter", "'duplex' must be 'half' or 'full'" },
        { "netdev=nope", "Property 'virtio-net-pci.netdev' can't find value "
                         "'nope'" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *args = g_strdup_printf("-M virt -accel qtest -display none "
                                     "-device virtio-net-pci,%s",
                                     cases[i].opts);
        char *err = NULL;
        g_assert_cmpint(vireo_run(args, NULL, &err), ==, 1);
        if (!strstr(err, cases[i].msg)) {
            g_error("%s: expected '%s' in '%s'", cases[i].opts, cases[i].msg,
                    err);
        }
        g_free(err);
        g_free(args);
    }
}

int main(int argc, char **argv)
{
    qtest_test_init(&argc, &argv);
    qtest_add_func("/virtio-net/pci/ids", test_pci_ids);
    qtest_add_func("/virtio-net/pci/disable-modern", test_pci_disable_modern);
    qtest_add_func("/virtio-net/pci/vectors", test_pci_vectors);
    qtest_add_func("/virtio-net/config/default", test_default_config);
    qtest_add_func("/virtio-net/config/features-masked",
                   test_features_masked);
    qtest_add_func("/virtio-net/config/mq", test_mq_config);
    qtest_add_func("/virtio-net/config/mtu-speed-duplex",
                   test_mtu_speed_duplex);
    qtest_add_func("/virtio-net/config/status-off-and-mac",
                   test_status_off_and_mac);
    qtest_add_func("/virtio-net/pci/legacy", test_legacy_interface);
    qtest_add_func("/virtio-net/mmio", test_mmio);
    qtest_add_func("/virtio-net/mmio-modern", test_mmio_modern);
    qtest_add_func("/virtio-net/property-errors", test_property_errors);
    return g_test_run();
}
