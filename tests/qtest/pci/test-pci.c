/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * PCI on the riscv64 virt machine through the real binary: enumeration via
 * ECAM, pci-testdev placement, BAR sizing and mapping, write masks,
 * capabilities, MSI-X into guest RAM, INTx to the PLIC, bad accesses, and
 * the device introspection (-device help, device-list-properties).
 */
#include <string.h>
#include "pci.h"

#define RAM_BASE  0x80000000ull
#define PLIC_PATH "/machine/soc/plic"
#define PCIE_IRQ  32
#define PCI_DEVFN_T(slot, fn) (((slot) << 3) | (fn))

static bool devices_supported;

static void assert_ok(QTestState *s, const char *line)
{
    char *reply = qtest_raw_cmd(s, line);

    if (!g_str_has_prefix(reply, "OK")) {
        g_error("'%s' answered '%s'", line, reply);
    }
    g_free(reply);
}

static void assert_fail(QTestState *s, const char *line)
{
    char *reply = qtest_raw_cmd(s, line);

    if (!g_str_has_prefix(reply, "FAIL")) {
        g_error("'%s' answered '%s', expected FAIL", line, reply);
    }
    g_free(reply);
}

/* Is anything mapped at @addr (a qtest read answers OK)? */
static bool mapped(QTestState *s, uint64_t addr)
{
    char *reply = qtest_raw_cmdf(s, "readl 0x%" G_GINT64_MODIFIER "x", addr);
    bool ok = g_str_has_prefix(reply, "OK");

    g_free(reply);
    return ok;
}

/*
 * Stop vireo and check it did not crash.  Under sanitizers a memory error
 * is printed as it happens, so its stderr must be free of reports (leaks
 * are reported only at exit and are not checked here).
 */
static void finish(QTestState *s)
{
    char *err = qtest_stderr(s);

    g_assert_null(strstr(err, "ERROR: AddressSanitizer"));
    g_assert_null(strstr(err, "runtime error:"));
    g_free(err);
    g_assert_cmpint(qtest_quit(s), >=, 0);
}

static bool need_devices(void)
{
    if (!devices_supported) {
        qtest_skip("-device is not wired to device creation in this build");
    }
    return devices_supported;
}

static QTestState *start(const char *devices)
{
    return qtest_initf("-M virt -m 64 %s", devices ? devices : "");
}

static void count_fn(QPCIDevice *dev, int devfn, void *data)
{
    GArray *found = data;

    g_array_append_val(found, devfn);
    qpci_device_free(dev);
}

static void test_host_bridge(void)
{
    QTestState *s = start(NULL);
    QPCIBus *bus = qpci_new_virt(s);
    QPCIDevice *root = qpci_device_find(bus, 0);
    GArray *found = g_array_new(FALSE, FALSE, sizeof(int));

    g_assert_nonnull(root);
    g_assert_cmphex(qpci_config_readw(root, 0), ==, 0x1b36);
    g_assert_cmphex(qpci_config_readw(root, 2), ==, 0x0008);
    g_assert_cmphex(qpci_config_readw(root, 0x0a), ==, 0x0600);
    g_assert_cmphex(qpci_config_readb(root, 0x0e), ==, 0);
    /* Only the host bridge is on an empty machine's bus 0. */
    qpci_device_foreach(bus, -1, -1, count_fn, found);
    g_assert_cmpint(found->len, ==, 1);
    g_assert_cmpint(g_array_index(found, int, 0), ==, 0);
    /* Other buses are empty. */
    g_assert_cmphex(qtest_readl(s, QPCI_VIRT_ECAM_BASE + (1 << 20)), ==,
                    0xffffffff);
    g_array_free(found, TRUE);
    qpci_device_free(root);
    qpci_free(bus);
    finish(s);
}

static void test_bad_accesses(void)
{
    QTestState *s = start(NULL);
    uint64_t ecam = QPCI_VIRT_ECAM_BASE;

    /* Unaligned and odd sizes inside ECAM are split, never fatal. */
    g_assert_cmphex(qtest_readl(s, ecam + 1), ==, 0x0000081b);
    g_assert_cmphex(qtest_readq(s, ecam) & 0xffffffff, ==, 0x00081b36);
    qtest_writel(s, ecam + 0xffe, 0xffffffff);
    qtest_writeq(s, ecam + 3, UINT64_MAX);
    assert_ok(s, "read 0x30000ffd 7");
    assert_ok(s, "write 0x30000001 5 0xffffffffff");
    assert_ok(s, "memset 0x30000100 0x300 0xff");
    /* Host bridge ids survived all that. */
    g_assert_cmphex(qtest_readl(s, ecam), ==, 0x00081b36);
    /* The end of ECAM, and just beyond it (nothing mapped there). */
    g_assert_cmphex(qtest_readb(s, ecam + 0x0fffffff), ==, 0xff);
    assert_fail(s, "readl 0x3ffffffe");
    /* PIO window: unassigned ports read as ones; beyond it, nothing. */
    g_assert_cmphex(qtest_readl(s, QPCI_VIRT_PIO_BASE + 0x100), ==, 0xffffffff);
    assert_fail(s, "readl 0x03010000");
    /* The MMIO window is empty without BARs. */
    g_assert_false(mapped(s, QPCI_VIRT_MMIO_BASE));
    g_assert_true(qtest_alive(s));
    g_assert_cmphex(qtest_readl(s, RAM_BASE), ==, 0);
    finish(s);
}

static void test_placement(void)
{
    QTestState *s;
    QPCIBus *bus;
    QPCIDevice *dev;
    char *err = NULL;
    int st;

    if (!need_devices()) {
        return;
    }
    s = start("-device pci-testdev,addr=3.0,id=t3 -device pci-testdev");
    bus = qpci_new_virt(s);
    dev = qpci_device_find(bus, 0x18);
    g_assert_nonnull(dev);
    g_assert_cmphex(qpci_config_readl(dev, 0), ==, 0x00051b36);
    g_assert_cmphex(qpci_config_readw(dev, 0x0a), ==, 0x00ff);
    g_assert_cmphex(qpci_config_readl(dev, 0x2c), ==, 0x11001af4);
    qpci_device_free(dev);
    /* The automatic one took the first free slot. */
    dev = qpci_device_find(bus, 0x08);
    g_assert_nonnull(dev);
    qpci_device_free(dev);
    qpci_free(bus);
    qtest_quit(s);

    st = vireo_run("-M virt -accel qtest -display none "
                   "-device pci-testdev,addr=3.0,id=a "
                   "-device pci-testdev,addr=3.0",
                   NULL, &err);
    g_assert_cmpint(st, ==, 1);
    g_assert_nonnull(strstr(err,
                            "PCI: slot 3 function 0 not available for "
                            "pci-testdev, in use by pci-testdev,id=\"a\""));
    g_free(err);
    st = vireo_run("-M virt -accel qtest -display none "
                   "-device pci-testdev,addr=4.0 -device pci-testdev,addr=4.2",
                   NULL, &err);
    g_assert_cmpint(st, ==, 1);
    g_assert_nonnull(strstr(err, "PCI: single function device can't be "
                                 "populated in function 4.2"));
    g_free(err);
    st = vireo_run("-M virt -accel qtest -display none "
                   "-device pci-testdev,addr=0x20.0",
                   NULL, &err);
    g_assert_cmpint(st, ==, 1);
    g_free(err);
}

static void test_bars(void)
{
    QTestState *s;
    QPCIBus *bus;
    QPCIDevice *dev;
    QPCIBar b0, b1;
    bool io, is64;

    if (!need_devices()) {
        return;
    }
    s = start("-device pci-testdev,addr=2.0,membar=0x200000");
    bus = qpci_new_virt(s);
    dev = qpci_device_find(bus, 0x10);
    g_assert_nonnull(dev);
    g_assert_cmpuint(qpci_bar_probe(dev, 0, &io, &is64), ==, 4096);
    g_assert_false(io);
    g_assert_false(is64);
    g_assert_cmpuint(qpci_bar_probe(dev, 1, &io, &is64), ==, 256);
    g_assert_true(io);
    g_assert_cmpuint(qpci_bar_probe(dev, 2, &io, &is64), ==, 0x200000);
    g_assert_true(is64);
    g_assert_cmphex(qpci_config_readl(dev, 0x18) & 0xf, ==, 0xc);
    g_assert_cmpuint(qpci_bar_probe(dev, 4, NULL, NULL), ==, 0);
    g_assert_cmpuint(qpci_bar_probe(dev, 5, NULL, NULL), ==, 0);

    b0 = qpci_iomap(dev, 0);
    b1 = qpci_iomap(dev, 1);
    g_assert_cmphex(b0.addr, ==, QPCI_VIRT_MMIO_BASE);
    /* Programmed but not enabled: nothing is visible. */
    g_assert_false(mapped(s, b0.addr));
    qpci_device_enable(dev);
    g_assert_true(mapped(s, b0.addr));
    /* The test headers: width 1, names per BAR type. */
    g_assert_cmpint(qpci_io_readb(dev, b0, 1), ==, 1);
    g_assert_cmphex(qpci_io_readl(dev, b0, 16), ==, 0x6f696d6d); /* mmio */
    g_assert_cmphex(qpci_io_readl(dev, b1, 16), ==, 0x74726f70); /* port */
    /* Test 0 counts writes at its offset. */
    qpci_io_writeb(dev, b0, qpci_io_readl(dev, b0, 4), 0);
    qpci_io_writeb(dev, b0, qpci_io_readl(dev, b0, 4), 0);
    g_assert_cmpint(qpci_io_readl(dev, b0, 12), ==, 2);
    /* Select test 2 (datamatch): only the matching byte counts. */
    qpci_io_writeb(dev, b1, 0, 2);
    qpci_io_writeb(dev, b1, qpci_io_readl(dev, b1, 4), 0x00);
    qpci_io_writeb(dev, b1, qpci_io_readl(dev, b1, 4),
                   qpci_io_readb(dev, b1, 8));
    g_assert_cmpint(qpci_io_readl(dev, b1, 12), ==, 1);
    /* Through the port space directly as well. */
    g_assert_cmphex(qtest_inb(s, b1.addr + 16), ==, 'p');

    /* Move BAR0; the old place goes dark. */
    qpci_config_writel(dev, 0x10, QPCI_VIRT_MMIO_BASE + 0x100000);
    g_assert_false(mapped(s, b0.addr));
    g_assert_true(mapped(s, QPCI_VIRT_MMIO_BASE + 0x100000));
    /* Memory decoding off hides it; I/O stays. */
    qpci_config_writew(dev, 0x04, 0x1);
    g_assert_false(mapped(s, QPCI_VIRT_MMIO_BASE + 0x100000));
    g_assert_cmphex(qtest_inb(s, b1.addr + 16), ==, 'p');
    /* A BAR placed over RAM is not decoded; RAM is untouched. */
    qtest_writel(s, RAM_BASE, 0x12345678);
    qpci_config_writel(dev, 0x10, RAM_BASE);
    qpci_config_writew(dev, 0x04, 0x3);
    g_assert_cmphex(qtest_readl(s, RAM_BASE), ==, 0x12345678);
    /* 64-bit BAR in the high window. */
    qpci_config_writel(dev, 0x18, 0);
    qpci_config_writel(dev, 0x1c, 0x4);
    g_assert_true(mapped(s, 0x400000000ull));
    qpci_device_free(dev);
    qpci_free(bus);
    finish(s);
}

static void test_write_masks(void)
{
    QTestState *s;
    QPCIBus *bus;
    QPCIDevice *dev;

    if (!need_devices()) {
        return;
    }
    s = start("-device pci-testdev,addr=5.0");
    bus = qpci_new_virt(s);
    dev = qpci_device_find(bus, 0x28);
    g_assert_nonnull(dev);
    qpci_config_writel(dev, 0, 0);
    g_assert_cmphex(qpci_config_readl(dev, 0), ==, 0x00051b36);
    qpci_config_writew(dev, 0x04, 0xffff);
    g_assert_cmphex(qpci_config_readw(dev, 0x04), ==, 0x0547);
    qpci_config_writew(dev, 0x04, 0);
    qpci_config_writel(dev, 0x08, 0xffffffff);
    g_assert_cmphex(qpci_config_readl(dev, 0x08), ==, 0x00ff0000);
    qpci_config_writeb(dev, 0x0c, 0x10);
    g_assert_cmphex(qpci_config_readb(dev, 0x0c), ==, 0x10);
    qpci_config_writew(dev, 0x3c, 0xffff);
    g_assert_cmphex(qpci_config_readw(dev, 0x3c), ==, 0x00ff);
    qpci_config_writel(dev, 0x30, 0xffffffff); /* no expansion ROM */
    g_assert_cmphex(qpci_config_readl(dev, 0x30), ==, 0);
    qpci_config_writel(dev, 0x34, 0xffffffff);
    g_assert_cmphex(qpci_config_readb(dev, 0x34), ==, 0);
    /* A conventional device on the root bus: no extended space. */
    g_assert_cmphex(qpci_config_readl(dev, 0x100), ==, 0xffffffff);
    /* Reset puts the writable registers back. */
    qtest_qmp_assert_success(s, "{'execute':'system_reset'}");
    json_decref(qtest_qmp_eventwait(s, "RESET"));
    g_assert_cmphex(qpci_config_readb(dev, 0x0c), ==, 0);
    g_assert_cmphex(qpci_config_readb(dev, 0x3c), ==, 0);
    qpci_device_free(dev);
    qpci_free(bus);
    finish(s);
}

static void test_msix(void)
{
    QTestState *s;
    QPCIBus *bus;
    QPCIDevice *dev;
    uint64_t msg = RAM_BASE + 0x10000;
    uint8_t cap;
    QPCIBar db;

    if (!need_devices()) {
        return;
    }
    s = start("-device pci-testdev,addr=6.0,x-msix-vectors=8");
    bus = qpci_new_virt(s);
    dev = qpci_device_find(bus, 0x30);
    g_assert_nonnull(dev);
    cap = qpci_find_capability(dev, 0x11, 0);
    g_assert_cmphex(cap, ==, 0x40);
    g_assert_cmphex(qpci_find_capability(dev, 0x11, cap), ==, 0);
    g_assert_cmpuint(qpci_msix_table_size(dev), ==, 8);
    db = qpci_iomap(dev, 4);
    qpci_device_enable(dev);
    for (unsigned v = 0; v < 8; v++) {
        qpci_msix_set_vector(dev, v, msg + 4 * v, 0x100 + v);
    }
    /* Enabled but every vector masked: the PBA records it. */
    qpci_msix_enable(dev);
    qpci_io_writel(dev, db, 0xc00, 3);
    g_assert_cmphex(qtest_readl(s, msg + 12), ==, 0);
    g_assert_true(qpci_msix_pending(dev, 3));
    qpci_msix_mask_vector(dev, 3, false);
    g_assert_cmphex(qtest_readl(s, msg + 12), ==, 0x103);
    g_assert_false(qpci_msix_pending(dev, 3));
    /* Unmasked: delivered at once. */
    qpci_msix_mask_vector(dev, 7, false);
    qpci_io_writel(dev, db, 0xc00, 7);
    g_assert_cmphex(qtest_readl(s, msg + 28), ==, 0x107);
    /* Function mask. */
    qtest_writel(s, msg + 28, 0);
    qpci_msix_set_function_mask(dev, true);
    qpci_io_writel(dev, db, 0xc00, 7);
    g_assert_cmphex(qtest_readl(s, msg + 28), ==, 0);
    g_assert_true(qpci_msix_pending(dev, 7));
    qpci_msix_set_function_mask(dev, false);
    g_assert_cmphex(qtest_readl(s, msg + 28), ==, 0x107);
    /* Bad vector numbers and addresses are ignored. */
    qpci_io_writel(dev, db, 0xc00, 0xffffffff);
    qpci_msix_set_vector(dev, 0, 0xfffffffffffffff0ull, 1);
    qpci_msix_mask_vector(dev, 0, false);
    qpci_io_writel(dev, db, 0xc00, 0);
    g_assert_true(qtest_alive(s));
    qpci_device_free(dev);
    qpci_free(bus);
    finish(s);
}

static void test_intx(void)
{
    QTestState *s;
    QPCIBus *bus;
    QPCIDevice *a, *b;
    QPCIBar dba, dbb;

    if (!need_devices()) {
        return;
    }
    s = start("-device pci-testdev,addr=9.0,x-intx-pin=1 "
              "-device pci-testdev,addr=a.0,x-intx-pin=2");
    qtest_irq_intercept_in(s, PLIC_PATH);
    bus = qpci_new_virt(s);
    a = qpci_device_find(bus, 9 << 3);
    b = qpci_device_find(bus, 10 << 3);
    g_assert_nonnull(a);
    g_assert_nonnull(b);
    g_assert_cmpint(qpci_config_readb(a, 0x3d), ==, 1);
    dba = qpci_iomap(a, 4);
    dbb = qpci_iomap(b, 4);
    qpci_device_enable(a);
    qpci_device_enable(b);
    /* Slot 9 INTA -> (0 + 9) % 4 = 1 -> PLIC 33. */
    qpci_io_writel(a, dba, 0xc04, 1);
    g_assert_true(qtest_get_irq(s, PCIE_IRQ + 1));
    /* Slot 10 INTB -> (1 + 10) % 4 = 3 -> PLIC 35. */
    qpci_io_writel(b, dbb, 0xc04, 1);
    g_assert_true(qtest_get_irq(s, PCIE_IRQ + 3));
    g_assert_false(qtest_get_irq(s, PCIE_IRQ + 0));
    /* INTx disable drops the line; the status bit stays. */
    qpci_config_writew(a, 0x04, 0x0407);
    g_assert_false(qtest_get_irq(s, PCIE_IRQ + 1));
    g_assert_cmphex(qpci_config_readw(a, 0x06) & 0x8, ==, 0x8);
    qpci_config_writew(a, 0x04, 0x0007);
    g_assert_true(qtest_get_irq(s, PCIE_IRQ + 1));
    qpci_io_writel(a, dba, 0xc04, 0);
    g_assert_false(qtest_get_irq(s, PCIE_IRQ + 1));
    qpci_io_writel(b, dbb, 0xc04, 0);
    g_assert_false(qtest_get_irq(s, PCIE_IRQ + 3));
    qpci_device_free(a);
    qpci_device_free(b);
    qpci_free(bus);
    finish(s);
}

static void test_hotplug(void)
{
    QTestState *s;
    QPCIBus *bus;
    QPCIDevice *rp, *child;
    json_t *r, *ev;
    int fds_before;

    if (!need_devices()) {
        return;
    }
    s = start("-device pcie-root-port,id=rp1,addr=1.0,chassis=1,slot=1");
    bus = qpci_new_virt(s);
    rp = qpci_device_find(bus, 0x08);
    g_assert_nonnull(rp);
    g_assert_cmphex(qpci_config_readl(rp, 0), ==, 0x000c1b36);
    g_assert_cmpint(qpci_find_capability(rp, 0x10, 0), !=, 0);
    /* Give the port bus number 1 so its slot is reachable. */
    qpci_config_writel(rp, 0x18, 0x00010100);

    /* pcie.0 is not hot-pluggable. */
    r = qtest_qmp(s, "{'execute':'device_add','arguments':"
                     "{'driver':'pci-testdev','id':'x'}}");
    qmp_assert_error(r, "GenericError",
                     "Bus 'pcie.0' does not support hotplugging");
    json_decref(r);
    /* Only PCI slots with a controller take devices at run time. */
    r = qtest_qmp(s, "{'execute':'device_add','arguments':"
                     "{'driver':'virtio-net-device','id':'m'}}");
    g_assert_nonnull(strstr(qmp_error_desc(r), "does not support hotplugging"));
    json_decref(r);
    /* Unknown drivers and bad properties fail cleanly. */
    r = qtest_qmp(s, "{'execute':'device_add','arguments':"
                     "{'driver':'no-such-dev','bus':'rp1'}}");
    g_assert_nonnull(qmp_error_class(r));
    json_decref(r);
    r = qtest_qmp(s, "{'execute':'device_add','arguments':"
                     "{'driver':'pci-testdev','bus':'rp1','membar':'3'}}");
    g_assert_nonnull(qmp_error_class(r));
    json_decref(r);

    fds_before = qtest_count_fds(qtest_pid(s));
    for (int i = 0; i < 10; i++) {
        qtest_qmp_assert_success(s, "{'execute':'device_add','arguments':"
                                    "{'driver':'pci-testdev','bus':'rp1',"
                                    "'id':'hp1','x-msix-vectors':4}}");
        child = qpci_device_new(bus, 1, 0);
        g_assert_cmphex(qpci_config_readl(child, 0), ==, 0x00051b36);
        qpci_device_free(child);
        /* Under qtest no guest runs: the removal completes at once. */
        qtest_qmp_assert_success(s, "{'execute':'device_del','arguments':"
                                    "{'id':'hp1'}}");
        ev = qtest_qmp_eventwait(s, "DEVICE_DELETED");
        g_assert_cmpstr(json_string_value(json_object_get(
                            json_object_get(ev, "data"), "device")),
                        ==, "hp1");
        g_assert_cmpstr(json_string_value(json_object_get(
                            json_object_get(ev, "data"), "path")),
                        ==, "/machine/peripheral/hp1");
        json_decref(ev);
        g_assert_cmphex(qtest_readl(s, QPCI_VIRT_ECAM_BASE + (1 << 20)), ==,
                        0xffffffff);
    }
    g_assert_cmpint(qtest_count_fds(qtest_pid(s)), ==, fds_before);
    r = qtest_qmp(s, "{'execute':'device_del','arguments':{'id':'hp1'}}");
    qmp_assert_error(r, "DeviceNotFound", "Device 'hp1' not found");
    json_decref(r);
    r = qtest_qmp(s, "{'execute':'device_del','arguments':{'id':'rp1'}}");
    qmp_assert_error(r, "GenericError",
                     "Bus 'pcie.0' does not support hotplugging");
    json_decref(r);
    qpci_device_free(rp);
    qpci_free(bus);
    finish(s);
}

static void test_device_help(void)
{
    char *out = NULL;
    int st = vireo_run("-device help", &out, NULL);

    g_assert_cmpint(st, ==, 0);
    g_assert_nonnull(strstr(out, "\"pci-testdev\""));
    g_free(out);
    st = vireo_run("-device pci-testdev,help", &out, NULL);
    g_assert_cmpint(st, ==, 0);
    g_assert_nonnull(strstr(out, "addr="));
    g_assert_nonnull(strstr(out, "membar="));
    g_assert_nonnull(strstr(out, "multifunction="));
    g_free(out);
}

static bool list_has(json_t *list, const char *key, const char *name)
{
    size_t i;
    json_t *e;

    json_array_foreach(list, i, e)
    {
        const char *n = json_string_value(json_object_get(e, key));
        if (n && !strcmp(n, name)) {
            return true;
        }
    }
    return false;
}

static void test_introspection(void)
{
    QTestState *s = qtest_init("-M none");
    json_t *r;

    r = qtest_qmp_assert_success_ref(s,
                                     "{'execute':'device-list-properties',"
                                     "'arguments':{'typename':'pci-testdev'}}");
    g_assert_true(list_has(r, "name", "addr"));
    g_assert_true(list_has(r, "name", "membar"));
    g_assert_true(list_has(r, "name", "multifunction"));
    json_decref(r);
    r = qtest_qmp_assert_success_ref(
        s, "{'execute':'qom-list-types',"
           "'arguments':{'implements':'pci-device'}}");
    g_assert_true(list_has(r, "name", "pci-testdev"));
    g_assert_false(list_has(r, "name", "pci-device")); /* abstract */
    json_decref(r);
    r = qtest_qmp_assert_success_ref(s, "{'execute':'qom-list-types',"
                                        "'arguments':{'implements':"
                                        "'conventional-pci-device'}}");
    g_assert_true(list_has(r, "name", "pci-testdev"));
    g_assert_true(list_has(r, "name", "gpex-root"));
    json_decref(r);
    r = qtest_qmp(s, "{'execute':'device-list-properties',"
                     "'arguments':{'typename':'pci-device'}}");
    g_assert_nonnull(qmp_error_class(r));
    json_decref(r);
    finish(s);
}

/* The query-pci entry at @slot.@fn of a device list (borrowed). */
static json_t *pci_entry(json_t *devices, int slot, int fn)
{
    size_t i;
    json_t *d;

    json_array_foreach(devices, i, d)
    {
        if (json_integer_value(json_object_get(d, "slot")) == slot &&
            json_integer_value(json_object_get(d, "function")) == fn) {
            return d;
        }
    }
    g_error("no PCI function %d.%d in query-pci", slot, fn);
}

static json_int_t jint(json_t *o, const char *path)
{
    gchar **keys = g_strsplit(path, ".", -1);

    for (int i = 0; keys[i]; i++) {
        o = json_object_get(o, keys[i]);
        g_assert_nonnull(o);
    }
    g_strfreev(keys);
    return json_integer_value(o);
}

/* query-pci and "info pci" show what the guest programmed. */
static void test_query_pci(void)
{
    QTestState *s;
    QPCIBus *bus;
    QPCIDevice *td, *rp;
    QPCIBar b0;
    json_t *r, *devs, *d, *bridge, *regions, *hmp;
    const char *text;

    if (!need_devices()) {
        return;
    }
    s = start("-device pcie-root-port,id=rp1,addr=1.0,chassis=1,slot=1 "
              "-device virtio-net-pci,id=nic0,bus=rp1 "
              "-device pci-testdev,id=td0,addr=2.0,membar=0x200000");
    bus = qpci_new_virt(s);
    td = qpci_device_find(bus, PCI_DEVFN_T(2, 0));
    rp = qpci_device_find(bus, PCI_DEVFN_T(1, 0));
    b0 = qpci_iomap(td, 0);
    qpci_device_enable(td);
    /* Bus 1 behind the root port, as firmware would number it. */
    qpci_config_writeb(rp, 0x19, 1);
    qpci_config_writeb(rp, 0x1a, 1);
    qpci_config_writew(rp, 0x20, 0x4010); /* memory window 0x40100000.. */
    qpci_config_writew(rp, 0x22, 0x4020); /* ..0x402fffff */

    r = qtest_qmp_assert_success_ref(s, "{'execute': 'query-pci'}");
    g_assert_cmpuint(json_array_size(r), ==, 1);
    g_assert_cmpint(jint(json_array_get(r, 0), "bus"), ==, 0);
    devs = json_object_get(json_array_get(r, 0), "devices");
    g_assert_cmpuint(json_array_size(devs), ==, 3);
    /* The host bridge. */
    d = pci_entry(devs, 0, 0);
    g_assert_cmpint(jint(d, "id.vendor"), ==, 0x1b36);
    g_assert_cmpint(jint(d, "id.device"), ==, 0x0008);
    g_assert_cmpint(jint(d, "class_info.class"), ==, 0x0600);
    g_assert_cmpstr(json_string_value(json_object_get(
                        json_object_get(d, "class_info"), "desc")), ==,
                    "Host bridge");
    g_assert_cmpstr(json_string_value(json_object_get(d, "qdev_id")), ==, "");
    /* The test device: BAR 0 where we put it, BAR 2 64-bit unmapped. */
    d = pci_entry(devs, 2, 0);
    g_assert_cmpstr(json_string_value(json_object_get(d, "qdev_id")), ==,
                    "td0");
    g_assert_cmpint(jint(d, "irq_pin"), ==, qpci_config_readb(td, 0x3d));
    regions = json_object_get(d, "regions");
    g_assert_cmpint(jint(json_array_get(regions, 0), "bar"), ==, 0);
    g_assert_cmpint(jint(json_array_get(regions, 0), "address"), ==,
                    (json_int_t)b0.addr);
    g_assert_cmpint(jint(json_array_get(regions, 0), "size"), ==, 4096);
    g_assert_cmpstr(json_string_value(json_object_get(
                        json_array_get(regions, 0), "type")), ==, "memory");
    g_assert_cmpstr(json_string_value(json_object_get(
                        json_array_get(regions, 1), "type")), ==, "io");
    g_assert_cmpint(jint(json_array_get(regions, 2), "bar"), ==, 2);
    g_assert_true(json_is_true(json_object_get(json_array_get(regions, 2),
                                               "mem_type_64")));
    g_assert_cmpint(jint(json_array_get(regions, 2), "address"), ==, -1);
    /* The root port and the NIC behind it. */
    d = pci_entry(devs, 1, 0);
    g_assert_cmpint(jint(d, "class_info.class"), ==, 0x0604);
    bridge = json_object_get(d, "pci_bridge");
    g_assert_nonnull(bridge);
    g_assert_cmpint(jint(bridge, "bus.number"), ==, 0);
    g_assert_cmpint(jint(bridge, "bus.secondary"), ==, 1);
    g_assert_cmpint(jint(bridge, "bus.subordinate"), ==, 1);
    g_assert_cmphex(jint(bridge, "bus.memory_range.base"), ==, 0x40100000);
    g_assert_cmphex(jint(bridge, "bus.memory_range.limit"), ==, 0x402fffff);
    d = pci_entry(json_object_get(bridge, "devices"), 0, 0);
    g_assert_cmpint(jint(d, "bus"), ==, 1);
    g_assert_cmpint(jint(d, "id.vendor"), ==, 0x1af4);
    g_assert_cmpint(jint(d, "id.device"), ==, 0x1041);
    g_assert_cmpint(jint(d, "class_info.class"), ==, 0x0200);
    g_assert_cmpstr(json_string_value(json_object_get(d, "qdev_id")), ==,
                    "nic0");
    json_decref(r);

    hmp = qtest_qmp_assert_success_ref(
        s, "{'execute': 'human-monitor-command', "
           "'arguments': {'command-line': 'info pci'}}");
    text = json_string_value(hmp);
    g_assert_nonnull(strstr(text, "  Bus  0, device   0, function 0:\r\n"
                                  "    Host bridge: PCI device 1b36:0008"));
    g_assert_nonnull(strstr(text, "  Bus  1, device   0, function 0:\r\n"
                                  "    Ethernet controller: PCI device "
                                  "1af4:1041"));
    g_assert_nonnull(strstr(text, "id \"nic0\""));
    g_assert_nonnull(strstr(text, "id \"td0\""));
    g_assert_nonnull(strstr(text, "      secondary bus 1.\r\n"));
    json_decref(hmp);
    qpci_device_free(td);
    qpci_device_free(rp);
    qpci_free(bus);
    finish(s);
}

/* Does this build create -device devices?  A duplicate slot tells. */
static bool probe_devices(void)
{
    char *err = NULL;
    bool ok;

    vireo_run("-M virt -accel qtest -display none "
              "-device pci-testdev,addr=3.0 -device pci-testdev,addr=3.0",
              NULL, &err);
    ok = err && strstr(err, "not available for pci-testdev");
    g_free(err);
    return ok;
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    devices_supported = probe_devices();
    g_test_add_func("/pci/virt/host-bridge", test_host_bridge);
    g_test_add_func("/pci/virt/bad-accesses", test_bad_accesses);
    g_test_add_func("/pci/virt/device-help", test_device_help);
    g_test_add_func("/pci/virt/introspection", test_introspection);
    g_test_add_func("/pci/virt/placement", test_placement);
    g_test_add_func("/pci/virt/bars", test_bars);
    g_test_add_func("/pci/virt/query-pci", test_query_pci);
    g_test_add_func("/pci/virt/write-masks", test_write_masks);
    g_test_add_func("/pci/virt/msix", test_msix);
    g_test_add_func("/pci/virt/intx", test_intx);
    g_test_add_func("/pci/virt/hotplug", test_hotplug);
    return g_test_run();
}
