/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Device tree of the riscv virt board, with the node names, compatible
 * strings and properties of QEMU's riscv virt machine so that OpenSBI's
 * generic platform and Linux find the same devices.
 */
#include <inttypes.h>
#include <string.h>
#include <libfdt.h>
#include "hw/riscv/sifive_test.h"
#include "hw/riscv/virt.h"
#include "virt-internal.h"

/* Collects the first libfdt error so the builders stay linear. */
typedef struct Fdt {
    void *blob;
    int err;
    uint32_t next_phandle;
} Fdt;

static void fdt_check(Fdt *f, int ret)
{
    if (ret < 0 && !f->err) {
        f->err = ret;
    }
}

static int node(Fdt *f, int parent, const char *name)
{
    int off = fdt_add_subnode(f->blob, parent, name);
    fdt_check(f, off);
    return off < 0 ? 0 : off;
}

static void prop_str(Fdt *f, int n, const char *name, const char *val)
{
    fdt_check(f, fdt_setprop_string(f->blob, n, name, val));
}

static void prop_u32(Fdt *f, int n, const char *name, uint32_t val)
{
    fdt_check(f, fdt_setprop_u32(f->blob, n, name, val));
}

static void prop_empty(Fdt *f, int n, const char *name)
{
    fdt_check(f, fdt_setprop(f->blob, n, name, NULL, 0));
}

/* A list of strings (e.g. "compatible" with fallbacks), NULL-terminated. */
static void prop_strs(Fdt *f, int n, const char *name,
                      const char *const *vals)
{
    fdt_check(f, fdt_setprop(f->blob, n, name, NULL, 0));
    for (int i = 0; vals[i]; i++) {
        fdt_check(f, fdt_appendprop_string(f->blob, n, name, vals[i]));
    }
}

static void prop_cells(Fdt *f, int n, const char *name, const uint32_t *c,
                       size_t count)
{
    fdt32_t *be = g_new(fdt32_t, count ? count : 1);
    for (size_t i = 0; i < count; i++) {
        be[i] = cpu_to_fdt32(c[i]);
    }
    fdt_check(f, fdt_setprop(f->blob, n, name, be, count * sizeof(fdt32_t)));
    g_free(be);
}

/* reg = <addr size> with two cells each. */
static void prop_reg(Fdt *f, int n, uint64_t addr, uint64_t size)
{
    uint32_t c[4] = { addr >> 32, (uint32_t)addr, size >> 32, (uint32_t)size };
    prop_cells(f, n, "reg", c, 4);
}

static uint32_t new_phandle(Fdt *f, int n)
{
    uint32_t ph = f->next_phandle++;
    prop_u32(f, n, "phandle", ph);
    return ph;
}

static int soc_child(Fdt *f, int soc, const char *kind, uint64_t addr)
{
    char name[64];
    g_snprintf(name, sizeof(name), "%s@%" PRIx64 "", kind, addr);
    return node(f, soc, name);
}

static void build_cpus(Fdt *f, VirtBoard *b, const VirtCpuInfo *ci,
                       uint32_t *intc_ph)
{
    int cpus = node(f, 0, "cpus");
    int map;

    prop_u32(f, cpus, "#address-cells", 1);
    prop_u32(f, cpus, "#size-cells", 0);
    prop_u32(f, cpus, "timebase-frequency", VIRT_TIMEBASE_FREQ);
    map = node(f, cpus, "cpu-map");
    node(f, map, "cluster0");
    /*
     * libfdt inserts a subnode before its siblings, so harts are added
     * last-first to appear in order; offsets move with every insertion,
     * hence the lookups by path.
     */
    for (int h = b->harts - 1; h >= 0; h--) {
        char name[32];
        int cpu, intc, core, cluster;
        uint32_t cpu_ph;

        g_snprintf(name, sizeof(name), "cpu@%d", h);
        cpu = node(f, fdt_path_offset(f->blob, "/cpus"), name);
        cpu_ph = new_phandle(f, cpu);
        prop_str(f, cpu, "device_type", "cpu");
        prop_u32(f, cpu, "reg", h);
        prop_str(f, cpu, "status", "okay");
        prop_str(f, cpu, "compatible", "riscv");
        prop_str(f, cpu, "riscv,isa", ci->isa);
        prop_str(f, cpu, "riscv,isa-base", "rv64i");
        prop_strs(f, cpu, "riscv,isa-extensions", ci->extensions);
        prop_str(f, cpu, "mmu-type", ci->mmu_type);
        intc = node(f, cpu, "interrupt-controller");
        intc_ph[h] = new_phandle(f, intc);
        prop_u32(f, intc, "#interrupt-cells", 1);
        prop_empty(f, intc, "interrupt-controller");
        prop_str(f, intc, "compatible", "riscv,cpu-intc");

        g_snprintf(name, sizeof(name), "core%d", h);
        cluster = fdt_path_offset(f->blob, "/cpus/cpu-map/cluster0");
        fdt_check(f, cluster);
        core = cluster < 0 ? cluster : fdt_add_subnode(f->blob, cluster, name);
        fdt_check(f, core);
        if (core >= 0) {
            prop_u32(f, core, "cpu", cpu_ph);
        }
    }
}

/* interrupts-extended pairs <intc irq> for every hart and each irq. */
static void prop_irqs_ext(Fdt *f, int n, VirtBoard *b, const uint32_t *intc,
                          const uint32_t *irqs, int nirqs)
{
    size_t count = (size_t)b->harts * nirqs * 2, k = 0;
    uint32_t *c = g_new(uint32_t, count);

    for (unsigned h = 0; h < b->harts; h++) {
        for (int i = 0; i < nirqs; i++) {
            c[k++] = intc[h];
            c[k++] = irqs[i];
        }
    }
    prop_cells(f, n, "interrupts-extended", c, count);
    g_free(c);
}

/* The interrupt controller wired devices point at: the PLIC (one cell:
 * the source) or the S-level APLIC (two: source, IRQ_TYPE_LEVEL_HIGH). */
typedef struct FdtIrqParent {
    uint32_t phandle;
    unsigned cells;
    uint32_t msi_phandle; /* S-level IMSIC for PCIe MSIs, 0 if none */
} FdtIrqParent;

#define FDT_IRQ_TYPE_LEVEL_HIGH 4

static void prop_dev_irq(Fdt *f, int n, const FdtIrqParent *ip, uint32_t irq)
{
    uint32_t cells[2] = { irq, FDT_IRQ_TYPE_LEVEL_HIGH };

    prop_u32(f, n, "interrupt-parent", ip->phandle);
    prop_cells(f, n, "interrupts", cells, ip->cells);
}

static void build_pcie(Fdt *f, int soc, VirtBoard *b, const FdtIrqParent *ip)
{
    int n = soc_child(f, soc, "pci", VIRT_PCIE_ECAM_BASE);
    uint32_t ranges[21] = {
        0x01000000, 0, 0, VIRT_PCIE_PIO_BASE >> 32,
        (uint32_t)VIRT_PCIE_PIO_BASE, 0, VIRT_PCIE_PIO_SIZE,
        0x02000000, VIRT_PCIE_MMIO_BASE >> 32, (uint32_t)VIRT_PCIE_MMIO_BASE,
        VIRT_PCIE_MMIO_BASE >> 32, (uint32_t)VIRT_PCIE_MMIO_BASE,
        VIRT_PCIE_MMIO_SIZE >> 32, (uint32_t)VIRT_PCIE_MMIO_SIZE,
        0x03000000, b->pcie_high_base >> 32, (uint32_t)b->pcie_high_base,
        b->pcie_high_base >> 32, (uint32_t)b->pcie_high_base,
        b->pcie_high_size >> 32, (uint32_t)b->pcie_high_size,
    };
    uint32_t bus_range[2] = { 0, VIRT_PCIE_ECAM_SIZE / 0x100000 - 1 };
    uint32_t mask[4] = { 0x1800, 0, 0, 7 };
    uint32_t map[4 * 4 * 7];
    int k = 0;

    prop_u32(f, n, "#interrupt-cells", 1);
    prop_u32(f, n, "#address-cells", 3);
    prop_u32(f, n, "#size-cells", 2);
    prop_str(f, n, "compatible", "pci-host-ecam-generic");
    prop_str(f, n, "device_type", "pci");
    prop_u32(f, n, "linux,pci-domain", 0);
    prop_cells(f, n, "bus-range", bus_range, 2);
    prop_empty(f, n, "dma-coherent");
    if (ip->msi_phandle) {
        prop_u32(f, n, "msi-parent", ip->msi_phandle);
    }
    prop_reg(f, n, VIRT_PCIE_ECAM_BASE, VIRT_PCIE_ECAM_SIZE);
    prop_cells(f, n, "ranges", ranges, 21);
    /* Slot s, pin p (INTA = 1) goes to source 32 + (s + p) % 4; the
     * parent (PLIC or APLIC) has no address cells. */
    for (int slot = 0; slot < 4; slot++) {
        for (int pin = 0; pin < 4; pin++) {
            map[k++] = slot << 11;
            map[k++] = 0;
            map[k++] = 0;
            map[k++] = pin + 1;
            map[k++] = ip->phandle;
            map[k++] = virt_pcie_intx_irq(slot, pin);
            if (ip->cells == 2) {
                map[k++] = FDT_IRQ_TYPE_LEVEL_HIGH;
            }
        }
    }
    prop_cells(f, n, "interrupt-map", map, k);
    prop_cells(f, n, "interrupt-map-mask", mask, 4);
}

static uint32_t build_plic(Fdt *f, int soc, VirtBoard *b,
                           const uint32_t *intc)
{
    static const uint32_t plic_irqs[] = { 11, 9 };    /* MEI, SEI */
    static const char *const plic_compat[] = { "sifive,plic-1.0.0",
                                               "riscv,plic0", NULL };
    int n = soc_child(f, soc, "plic", VIRT_PLIC_BASE);
    uint32_t ph = new_phandle(f, n);

    prop_u32(f, n, "#interrupt-cells", 1);
    prop_u32(f, n, "#address-cells", 0);
    prop_strs(f, n, "compatible", plic_compat);
    prop_empty(f, n, "interrupt-controller");
    prop_irqs_ext(f, n, b, intc, plic_irqs, 2);
    prop_reg(f, n, VIRT_PLIC_BASE, VIRT_PLIC_SIZE);
    prop_u32(f, n, "riscv,ndev", VIRT_IRQCHIP_NUM_SOURCES - 1);
    return ph;
}

/* imsics@24000000 (M, MEI) or imsics@28000000 (S, SEI), as QEMU. */
static uint32_t build_imsic(Fdt *f, int soc, VirtBoard *b,
                            const uint32_t *intc, bool mmode)
{
    RiscvImsic *imsic = mmode ? b->imsic_m : b->imsic_s;
    uint64_t base = mmode ? VIRT_IMSIC_M_BASE : VIRT_IMSIC_S_BASE;
    uint32_t irq = mmode ? RISCV_IRQ_MEI : RISCV_IRQ_SEI;
    int n = soc_child(f, soc, "imsics", base);
    uint32_t ph = new_phandle(f, n);

    prop_str(f, n, "compatible", "riscv,imsics");
    prop_u32(f, n, "#interrupt-cells", 0);
    prop_empty(f, n, "interrupt-controller");
    prop_empty(f, n, "msi-controller");
    prop_irqs_ext(f, n, b, intc, &irq, 1);
    prop_reg(f, n, base, b->harts * riscv_imsic_hart_stride(imsic));
    prop_u32(f, n, "riscv,num-ids", riscv_imsic_num_ids(imsic));
    if (riscv_imsic_guest_bits(imsic)) {
        prop_u32(f, n, "riscv,guest-index-bits",
                 riscv_imsic_guest_bits(imsic));
    }
    return ph;
}

/* aplic@c000000 (M, delegating every source to its child) or
 * aplic@d000000 (S).  Direct mode: interrupts-extended; MSI mode:
 * msi-parent. */
static void build_aplic(Fdt *f, int soc, VirtBoard *b, const uint32_t *intc,
                        bool mmode, uint32_t ph, uint32_t child_ph,
                        uint32_t msi_ph)
{
    uint64_t base = mmode ? VIRT_APLIC_M_BASE : VIRT_APLIC_S_BASE;
    uint32_t irq = mmode ? RISCV_IRQ_MEI : RISCV_IRQ_SEI;
    int n = soc_child(f, soc, "aplic", base);

    prop_u32(f, n, "phandle", ph);
    prop_str(f, n, "compatible", "riscv,aplic");
    prop_u32(f, n, "#address-cells", 0);
    prop_u32(f, n, "#interrupt-cells", 2);
    prop_empty(f, n, "interrupt-controller");
    if (msi_ph) {
        prop_u32(f, n, "msi-parent", msi_ph);
    } else {
        prop_irqs_ext(f, n, b, intc, &irq, 1);
    }
    prop_reg(f, n, base, VIRT_APLIC_SIZE);
    prop_u32(f, n, "riscv,num-sources", VIRT_IRQCHIP_NUM_SOURCES);
    if (child_ph) {
        uint32_t deleg[3] = { child_ph, 1, VIRT_IRQCHIP_NUM_SOURCES };
        prop_u32(f, n, "riscv,children", child_ph);
        prop_cells(f, n, "riscv,delegation", deleg, 3);
        /* The binding's draft name, which QEMU also writes: firmware
         * such as OpenSBI 1.1 (Debian's) only knows this one. */
        prop_cells(f, n, "riscv,delegate", deleg, 3);
    }
}

static void build_aia(Fdt *f, int soc, VirtBoard *b, const uint32_t *intc,
                      FdtIrqParent *ip)
{
    uint32_t msi_m = 0, msi_s = 0, aplic_m, aplic_s;

    if (b->aia == VIRT_AIA_APLIC_IMSIC) {
        msi_m = build_imsic(f, soc, b, intc, true);
        msi_s = build_imsic(f, soc, b, intc, false);
    }
    /* The M domain names its child before the child's node exists. */
    aplic_m = f->next_phandle++;
    aplic_s = f->next_phandle++;
    build_aplic(f, soc, b, intc, true, aplic_m, aplic_s, msi_m);
    build_aplic(f, soc, b, intc, false, aplic_s, 0, msi_s);
    ip->phandle = aplic_s;
    ip->cells = 2;
    ip->msi_phandle = msi_s;
}

/* mswi@ / sswi@: a software-interrupt device, an interrupt controller
 * without interrupt cells of its own. */
static void build_aclint_swi(Fdt *f, int soc, VirtBoard *b,
                             const uint32_t *intc, const char *kind,
                             uint64_t base, uint32_t irq)
{
    char compat[32];
    int n = soc_child(f, soc, kind, base);

    g_snprintf(compat, sizeof(compat), "riscv,aclint-%s", kind);
    prop_str(f, n, "compatible", compat);
    prop_reg(f, n, base, ACLINT_SWI_SIZE);
    prop_irqs_ext(f, n, b, intc, &irq, 1);
    prop_empty(f, n, "interrupt-controller");
    prop_u32(f, n, "#interrupt-cells", 0);
}

/*
 * aclint=on, as QEMU describes it: mswi@2000000, mtimer@2004000 and
 * sswi@2f00000; with IMSICs only mtimer@2000000.  The MTIMER's reg lists
 * mtime first, then the mtimecmp array (the order OpenSBI expects), and
 * its size runs to the end of the CLINT slot, as QEMU writes it.
 */
static void build_aclint(Fdt *f, int soc, VirtBoard *b, const uint32_t *intc)
{
    bool imsic = b->aia == VIRT_AIA_APLIC_IMSIC;
    uint64_t base = imsic ? VIRT_CLINT_BASE
                          : VIRT_CLINT_BASE + ACLINT_SWI_SIZE;
    uint64_t size = imsic ? ACLINT_MTIMER_SIZE
                          : VIRT_CLINT_SIZE - ACLINT_SWI_SIZE;
    uint64_t mtime = base + ACLINT_MTIMER_MTIME;
    uint64_t cmp = base + ACLINT_MTIMER_MTIMECMP;
    uint64_t mtime_size = size - ACLINT_MTIMER_MTIME;
    uint32_t reg[8] = {
        mtime >> 32, (uint32_t)mtime, mtime_size >> 32, (uint32_t)mtime_size,
        cmp >> 32, (uint32_t)cmp, 0, ACLINT_MTIMER_MTIME,
    };
    uint32_t mti = RISCV_IRQ_MTI;
    int n;

    if (!imsic) {
        build_aclint_swi(f, soc, b, intc, "mswi", VIRT_CLINT_BASE,
                         RISCV_IRQ_MSI);
    }
    n = soc_child(f, soc, "mtimer", base);
    prop_str(f, n, "compatible", "riscv,aclint-mtimer");
    prop_cells(f, n, "reg", reg, 8);
    prop_irqs_ext(f, n, b, intc, &mti, 1);
    if (!imsic) {
        build_aclint_swi(f, soc, b, intc, "sswi", VIRT_ACLINT_SSWI_BASE,
                         RISCV_IRQ_SSI);
    }
}

static void build_soc(Fdt *f, VirtBoard *b, const uint32_t *intc)
{
    int soc = node(f, 0, "soc");
    int n;
    uint32_t test_ph;
    FdtIrqParent ip = { 0 };
    static const uint32_t clint_irqs[] = { 3, 7 };    /* MSI, MTI */
    static const char *const clint_compat[] = { "sifive,clint0",
                                                "riscv,clint0", NULL };
    static const char *const test_compat[] = { "sifive,test1",
                                               "sifive,test0", "syscon",
                                               NULL };

    prop_u32(f, soc, "#address-cells", 2);
    prop_u32(f, soc, "#size-cells", 2);
    prop_str(f, soc, "compatible", "simple-bus");
    prop_empty(f, soc, "ranges");

    n = soc_child(f, soc, "test", VIRT_TEST_BASE);
    test_ph = new_phandle(f, n);
    prop_strs(f, n, "compatible", test_compat);
    prop_reg(f, n, VIRT_TEST_BASE, VIRT_TEST_SIZE);

    if (b->aclint) {
        build_aclint(f, soc, b, intc);
    } else {
        n = soc_child(f, soc, "clint", VIRT_CLINT_BASE);
        prop_strs(f, n, "compatible", clint_compat);
        prop_reg(f, n, VIRT_CLINT_BASE, VIRT_CLINT_SIZE);
        prop_irqs_ext(f, n, b, intc, clint_irqs, 2);
    }

    if (b->aia == VIRT_AIA_NONE) {
        ip.phandle = build_plic(f, soc, b, intc);
        ip.cells = 1;
    } else {
        build_aia(f, soc, b, intc, &ip);
    }

    /* Highest slot first, as QEMU lists them. */
    for (int i = VIRT_VIRTIO_COUNT - 1; i >= 0; i--) {
        uint64_t base = VIRT_VIRTIO_BASE + i * VIRT_VIRTIO_SIZE;
        n = soc_child(f, soc, "virtio_mmio", base);
        prop_str(f, n, "compatible", "virtio,mmio");
        prop_reg(f, n, base, VIRT_VIRTIO_SIZE);
        prop_dev_irq(f, n, &ip, VIRT_VIRTIO_IRQ + i);
    }

    n = soc_child(f, soc, "serial", VIRT_UART0_BASE);
    prop_str(f, n, "compatible", "ns16550a");
    prop_reg(f, n, VIRT_UART0_BASE, VIRT_UART0_SIZE);
    prop_u32(f, n, "clock-frequency", VIRT_UART_CLOCK_FREQ);
    prop_dev_irq(f, n, &ip, VIRT_UART0_IRQ);

    build_pcie(f, soc, b, &ip);

    n = node(f, 0, "poweroff");
    prop_str(f, n, "compatible", "syscon-poweroff");
    prop_u32(f, n, "regmap", test_ph);
    prop_u32(f, n, "offset", 0);
    prop_u32(f, n, "value", SIFIVE_TEST_PASS);
    n = node(f, 0, "reboot");
    prop_str(f, n, "compatible", "syscon-reboot");
    prop_u32(f, n, "regmap", test_ph);
    prop_u32(f, n, "offset", 0);
    prop_u32(f, n, "value", SIFIVE_TEST_RESET);
}

static void build_chosen(Fdt *f, VirtBoard *b)
{
    int n = node(f, 0, "chosen");
    char path[64];

    g_snprintf(path, sizeof(path), "/soc/serial@%" PRIx64 "",
               (uint64_t)VIRT_UART0_BASE);
    prop_str(f, n, "stdout-path", path);
    if (b->ms->append && *b->ms->append) {
        prop_str(f, n, "bootargs", b->ms->append);
    }
    if (b->initrd_end) {
        fdt_check(f, fdt_setprop_u64(f->blob, n, "linux,initrd-start",
                                     b->initrd_start));
        fdt_check(f, fdt_setprop_u64(f->blob, n, "linux,initrd-end",
                                     b->initrd_end));
    }
    n = node(f, 0, "aliases");
    prop_str(f, n, "serial0", path);
}

void *virt_fdt_build(VirtBoard *b, const VirtCpuInfo *ci, Error **errp)
{
    size_t size = 64 * 1024 + (size_t)b->harts * 1024 +
                  (b->ms->append ? strlen(b->ms->append) : 0);
    Fdt f = { .blob = g_malloc0(size), .next_phandle = 1 };
    uint32_t *intc = g_new0(uint32_t, b->harts);
    int mem;
    char name[32];

    fdt_check(&f, fdt_create_empty_tree(f.blob, size));
    prop_u32(&f, 0, "#address-cells", 2);
    prop_u32(&f, 0, "#size-cells", 2);
    prop_str(&f, 0, "compatible", "riscv-virtio");
    prop_str(&f, 0, "model", "riscv-virtio,qemu");

    build_chosen(&f, b);
    g_snprintf(name, sizeof(name), "memory@%" PRIx64 "",
               (uint64_t)VIRT_DRAM_BASE);
    mem = node(&f, 0, name);
    prop_str(&f, mem, "device_type", "memory");
    prop_reg(&f, mem, VIRT_DRAM_BASE, b->ram_size);
    build_cpus(&f, b, ci, intc);
    build_soc(&f, b, intc);
    g_free(intc);

    if (!f.err) {
        fdt_check(&f, fdt_pack(f.blob));
    }
    if (f.err) {
        error_setg(errp, "cannot build the device tree: %s",
                   fdt_strerror(f.err));
        g_free(f.blob);
        return NULL;
    }
    return f.blob;
}
