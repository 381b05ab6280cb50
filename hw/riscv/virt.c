/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The riscv64 "virt" board, with QEMU's memory map: MROM with the reset
 * vector, sifive_test finisher, CLINT (or with aclint=on the ACLINT
 * MSWI, MTIMER and SSWI), PLIC, 16550 UART, RAM, the device
 * tree and the boot images; the harts run on the software CPU (accel/tcg).
 * PCIe (hw/pci) and virtio-mmio (hw/virtio) attach through
 * include/hw/riscv/virt.h (virt_irq and friends).  The interrupt
 * controller is the PLIC, or with aia= the AIA's APLICs (and IMSICs).
 */
#include <inttypes.h>
#include <string.h>
#include <glib.h>
#include "accel/tcg.h"
#include "chardev/char.h"
#include "hw/core/machine.h"
#include "hw/pci-host/gpex.h"
#include "hw/riscv/sifive_test.h"
#include "hw/riscv/virt.h"
#include "hw/virtio/virtio-mmio.h"
#include "migration/blocker.h"
#include "migration/ram.h"
#include "system/runstate.h"
#include "util/main-loop.h"
#include "util/opts.h"
#include "util/timer.h"
#include "virt-internal.h"

static VirtBoard *virt_board(MachineState *ms)
{
    return ms && ms->cls && !strcmp(ms->cls->name, "virt") ? ms->board : NULL;
}

IrqLine *virt_irq(MachineState *ms, int n)
{
    VirtBoard *b = virt_board(ms);

    if (!b || n <= 0) {
        return NULL;
    }
    if (b->plic) {
        return riscv_plic_input(b->plic, n);
    }
    return b->aplic_m ? riscv_aplic_input(b->aplic_m, n) : NULL;
}

IrqLine *virt_plic_irq(MachineState *ms, int n)
{
    return virt_irq(ms, n);
}

int virt_pcie_intx_irq(int slot, int pin)
{
    return VIRT_PCIE_IRQ + ((pin + slot) % VIRT_PCIE_NUM_IRQS);
}

void virt_pcie_high_mmio(MachineState *ms, uint64_t *base, uint64_t *size)
{
    VirtBoard *b = virt_board(ms);

    *base = b ? b->pcie_high_base : 0;
    *size = b ? b->pcie_high_size : 0;
}

void virt_dma_written(MachineState *ms, uint64_t pa, uint64_t len)
{
    VirtBoard *b = virt_board(ms);

    for (unsigned i = 0; b && b->cpus && i < b->harts; i++) {
        riscv_cpu_invalidate_code(b->cpus[i], pa, len);
    }
}

/* ---- the CPU's view of the bus ---- */

static void *virt_ram_ptr(void *opaque, uint64_t pa, uint64_t len)
{
    VirtBoard *b = opaque;

    /* RAM and the MROM never move, so no lock is needed here. */
    if (pa >= VIRT_DRAM_BASE && len <= b->ram_size &&
        pa - VIRT_DRAM_BASE <= b->ram_size - len) {
        return b->ram + (pa - VIRT_DRAM_BASE);
    }
    if (pa >= VIRT_MROM_BASE && len <= VIRT_MROM_SIZE &&
        pa - VIRT_MROM_BASE <= VIRT_MROM_SIZE - len) {
        return b->mrom_ptr + (pa - VIRT_MROM_BASE);
    }
    return NULL;
}

static bool virt_mmio_read(void *opaque, uint64_t pa, unsigned size,
                           uint64_t *val)
{
    bool ok;

    bql_lock();
    ok = address_space_ld(address_space_memory, pa, size, val);
    bql_unlock();
    return ok;
}

static bool virt_mmio_write(void *opaque, uint64_t pa, unsigned size,
                            uint64_t val)
{
    bool ok;

    bql_lock();
    ok = address_space_st(address_space_memory, pa, size, val);
    bql_unlock();
    return ok;
}

static uint64_t virt_read_time(void *opaque)
{
    VirtBoard *b = opaque;
    return riscv_aclint_time(b->clint);
}

static const RiscvMemOps virt_mem_ops = {
    .ram_ptr = virt_ram_ptr,
    .mmio_read = virt_mmio_read,
    .mmio_write = virt_mmio_write,
    .read_time = virt_read_time,
};

static void virt_poll(void *opaque, unsigned hart)
{
    VirtBoard *b = opaque;

    /* Lock-free test first: the big lock only when the timer is due. */
    if (clock_get_ns(QEMU_CLOCK_VIRTUAL) >=
        riscv_aclint_timer_deadline_ns(b->clint, hart)) {
        bql_lock();
        riscv_aclint_check_timer(b->clint, hart);
        bql_unlock();
    }
}

static int64_t virt_next_deadline(void *opaque, unsigned hart)
{
    VirtBoard *b = opaque;
    return riscv_aclint_timer_deadline_ns(b->clint, hart);
}

static const TcgHooks virt_tcg_hooks = {
    .poll = virt_poll,
    .next_deadline_ns = virt_next_deadline,
};

/* ---- interrupt wiring: device outputs to hart mip lines ---- */

static void virt_plic_out(void *opaque, int ctx, int level)
{
    VirtBoard *b = opaque;

    if (b->cpus && (unsigned)ctx / 2 < b->harts) {
        riscv_cpu_set_irq(b->cpus[ctx / 2],
                          ctx % 2 ? RISCV_IRQ_SEI : RISCV_IRQ_MEI, level);
    }
}

static void virt_msip_out(void *opaque, int hart, int level)
{
    VirtBoard *b = opaque;
    if (b->cpus) {
        riscv_cpu_set_irq(b->cpus[hart], RISCV_IRQ_MSI, level);
    }
}

static void virt_mtip_out(void *opaque, int hart, int level)
{
    VirtBoard *b = opaque;
    if (b->cpus) {
        riscv_cpu_set_irq(b->cpus[hart], RISCV_IRQ_MTI, level);
    }
}

/* The SSWI only ever raises SSIP: the hart latches it into its
 * software-writable mip.SSIP, which the guest clears through sip. */
static void virt_ssip_out(void *opaque, int hart, int level)
{
    VirtBoard *b = opaque;
    if (b->cpus && level) {
        riscv_cpu_set_irq(b->cpus[hart], RISCV_IRQ_SSI, 1);
    }
}

static void virt_uart_irq(void *opaque, int n, int level)
{
    VirtBoard *b = opaque;
    irq_set(virt_irq(b->ms, VIRT_UART0_IRQ), level);
}

/* APLIC IDC (direct mode) or IMSIC file outputs: n = 2 * hart + level,
 * level 0 = M, 1 = S.  IMSIC outputs change on hart threads too:
 * riscv_cpu_set_irq() is thread-safe. */
static void virt_xeip_out(void *opaque, int n, int level)
{
    VirtBoard *b = opaque;

    if (b->cpus && (unsigned)n / 2 < b->harts) {
        riscv_cpu_set_irq(b->cpus[n / 2],
                          n % 2 ? RISCV_IRQ_SEI : RISCV_IRQ_MEI, level);
    }
}

/* The CPU's window on its IMSIC files (the AIA CSRs). */
static RiscvImsic *virt_imsic_for(VirtBoard *b, unsigned priv)
{
    return priv == RISCV_PRIV_M ? b->imsic_m : b->imsic_s;
}

static bool virt_imsic_rmw(void *opaque, unsigned hartid, unsigned priv,
                           unsigned isel, uint64_t wval, uint64_t wmask,
                           uint64_t *old)
{
    return riscv_imsic_rmw(virt_imsic_for(opaque, priv), hartid, isel, wval,
                           wmask, old);
}

static uint32_t virt_imsic_topei(void *opaque, unsigned hartid,
                                 unsigned priv, bool claim)
{
    return riscv_imsic_topei(virt_imsic_for(opaque, priv), hartid, claim);
}

static const RiscvImsicOps virt_imsic_ops = {
    .rmw = virt_imsic_rmw,
    .topei = virt_imsic_topei,
};

/* ---- creation ---- */

static bool virt_map(uint64_t base, MemoryRegion *mr, Error **errp)
{
    return address_space_map(address_space_memory, base, mr, errp);
}

static bool virt_create_plic(VirtBoard *b, Error **errp)
{
    b->plic = riscv_plic_new("riscv.sifive.plic", VIRT_IRQCHIP_NUM_SOURCES,
                             2 * b->harts, VIRT_IRQCHIP_NUM_PRIO_BITS,
                             VIRT_PLIC_SIZE, errp);
    if (!b->plic) {
        return false;
    }
    for (unsigned i = 0; i < 2 * b->harts; i++) {
        irq_init(riscv_plic_output(b->plic, i), virt_plic_out, b, i);
    }
    gpio_register_in(VIRT_PLIC_GPIO_PATH, riscv_plic_inputs(b->plic),
                     VIRT_IRQCHIP_NUM_SOURCES);
    return virt_map(VIRT_PLIC_BASE, riscv_plic_mmio(b->plic), errp);
}

static unsigned virt_bits_for(unsigned count)
{
    unsigned bits = 0;

    while ((1u << bits) < count) {
        bits++;
    }
    return bits;
}

static bool virt_create_imsics(VirtBoard *b, Error **errp)
{
    b->imsic_m = riscv_imsic_new("riscv.aia.imsic.m", true, b->harts, 0,
                                 VIRT_IRQCHIP_NUM_MSIS, errp);
    b->imsic_s = b->imsic_m ? riscv_imsic_new("riscv.aia.imsic.s", false,
                                              b->harts, b->aia_guests,
                                              VIRT_IRQCHIP_NUM_MSIS, errp)
                            : NULL;
    if (!b->imsic_s) {
        return false;
    }
    for (unsigned h = 0; h < b->harts; h++) {
        irq_init(riscv_imsic_output(b->imsic_m, h), virt_xeip_out, b, 2 * h);
        irq_init(riscv_imsic_output(b->imsic_s, h), virt_xeip_out, b,
                 2 * h + 1);
    }
    return virt_map(VIRT_IMSIC_M_BASE, riscv_imsic_mmio(b->imsic_m), errp) &&
           virt_map(VIRT_IMSIC_S_BASE, riscv_imsic_mmio(b->imsic_s), errp);
}

/* The M-level APLIC owns the wires; the guest delegates them to its child,
 * the S-level domain, as QEMU's device tree says. */
static bool virt_create_aia(VirtBoard *b, Error **errp)
{
    bool msi = b->aia == VIRT_AIA_APLIC_IMSIC;

    if (msi && !virt_create_imsics(b, errp)) {
        return false;
    }
    b->aplic_m = riscv_aplic_new("riscv.aia.aplic.m", NULL, true, msi,
                                 VIRT_IRQCHIP_NUM_SOURCES, b->harts,
                                 VIRT_APLIC_SIZE, NULL, errp);
    b->aplic_s = b->aplic_m ? riscv_aplic_new("riscv.aia.aplic.s",
                                              b->aplic_m, false, msi,
                                              VIRT_IRQCHIP_NUM_SOURCES,
                                              b->harts, VIRT_APLIC_SIZE,
                                              NULL, errp)
                            : NULL;
    if (!b->aplic_s) {
        return false;
    }
    if (msi) {
        riscv_aplic_set_msi_config(b->aplic_m, VIRT_IMSIC_M_BASE, 0,
                                   VIRT_IMSIC_S_BASE,
                                   riscv_imsic_guest_bits(b->imsic_s),
                                   virt_bits_for(b->harts));
    } else {
        for (unsigned h = 0; h < b->harts; h++) {
            irq_init(riscv_aplic_output(b->aplic_m, h), virt_xeip_out, b,
                     2 * h);
            irq_init(riscv_aplic_output(b->aplic_s, h), virt_xeip_out, b,
                     2 * h + 1);
        }
    }
    gpio_register_in(VIRT_APLIC_GPIO_PATH, riscv_aplic_inputs(b->aplic_m),
                     VIRT_IRQCHIP_NUM_SOURCES);
    return virt_map(VIRT_APLIC_M_BASE, riscv_aplic_mmio(b->aplic_m), errp) &&
           virt_map(VIRT_APLIC_S_BASE, riscv_aplic_mmio(b->aplic_s), errp);
}

/*
 * The core-local interruptor: QEMU's SiFive CLINT, or with aclint=on the
 * ACLINT devices as QEMU lays them out: MSWI at the CLINT base, MTIMER
 * after it and the SSWI at VIRT_ACLINT_SSWI_BASE.  With IMSICs there is
 * no MSWI or SSWI (IPIs are MSIs) and the MTIMER sits at the CLINT base.
 */
static bool virt_create_clint(VirtBoard *b, Error **errp)
{
    RiscvAclint *a;

    b->clint = riscv_aclint_new("riscv.aclint", b->harts, VIRT_TIMEBASE_FREQ,
                                errp);
    if (!b->clint) {
        return false;
    }
    a = b->clint;
    for (unsigned h = 0; h < b->harts; h++) {
        irq_init(riscv_aclint_msip_out(a, h), virt_msip_out, b, h);
        irq_init(riscv_aclint_mtip_out(a, h), virt_mtip_out, b, h);
        irq_init(riscv_aclint_ssip_out(a, h), virt_ssip_out, b, h);
    }
    if (!b->aclint) {
        return virt_map(VIRT_CLINT_BASE, riscv_aclint_mmio(a), errp);
    }
    if (b->aia == VIRT_AIA_APLIC_IMSIC) {
        return virt_map(VIRT_CLINT_BASE, riscv_aclint_mtimer_mmio(a), errp);
    }
    return virt_map(VIRT_CLINT_BASE, riscv_aclint_mswi_mmio(a), errp) &&
           virt_map(VIRT_CLINT_BASE + ACLINT_SWI_SIZE,
                    riscv_aclint_mtimer_mmio(a), errp) &&
           virt_map(VIRT_ACLINT_SSWI_BASE, riscv_aclint_sswi_mmio(a), errp);
}

static bool virt_create_devices(VirtBoard *b, Error **errp)
{
    static IrqLine uart_irq;
    Chardev *chr = chardev_find("serial0");

    if (!(b->aia == VIRT_AIA_NONE ? virt_create_plic(b, errp)
                                  : virt_create_aia(b, errp))) {
        return false;
    }
    if (!virt_create_clint(b, errp)) {
        return false;
    }

    irq_init(&uart_irq, virt_uart_irq, b, 0);
    b->uart = serial_new("serial", chr, &uart_irq, errp);
    if (!b->uart) {
        return false;
    }
    b->test = sifive_test_new("riscv.sifive.test");
    b->mrom = memory_region_new_ram("riscv_virt_board.mrom", VIRT_MROM_SIZE,
                                    errp);
    if (!b->mrom) {
        return false;
    }
    b->mrom_ptr = memory_region_ram_ptr(b->mrom);
    /* QEMU migrates the reset-vector ROM as a RAM block too. */
    ram_block_add(b->mrom);
    return virt_map(VIRT_MROM_BASE, b->mrom, errp) &&
           virt_map(VIRT_TEST_BASE, b->test, errp) &&
           virt_map(VIRT_UART0_BASE, serial_mmio(b->uart), errp);
}

static bool virt_create_cpus(VirtBoard *b, VirtCpuInfo *ci, Error **errp)
{
    RiscvCpuConfig cfg = { .max_mmu = RISCV_MMU_SV48, .pmp_entries = 16 };

    if (b->aia == VIRT_AIA_APLIC_IMSIC) {
        cfg.imsic = &virt_imsic_ops;
        cfg.imsic_opaque = b;
    }

    if (strcmp(b->ms->accel, "tcg")) {
        /* No harts without the software CPU; one that never runs gives
         * the device tree its ISA strings (which it owns: keep it). */
        static RiscvCpu *info; /* kept: the strings below live in it */
        if (!info) {
            info = riscv_cpu_new(0, &virt_mem_ops, b, &cfg);
        }
        ci->isa = riscv_cpu_isa_string(info);
        ci->mmu_type = riscv_cpu_mmu_type(info);
        ci->extensions = riscv_cpu_isa_extensions(info);
        return true;
    }
    b->cpus = g_new0(RiscvCpu *, b->harts);
    for (unsigned h = 0; h < b->harts; h++) {
        b->cpus[h] = riscv_cpu_new(h, &virt_mem_ops, b, &cfg);
        if (!riscv_cpu_vmstate_register(b->cpus[h], errp)) {
            return false;
        }
    }
    ci->isa = riscv_cpu_isa_string(b->cpus[0]);
    ci->mmu_type = riscv_cpu_mmu_type(b->cpus[0]);
    ci->extensions = riscv_cpu_isa_extensions(b->cpus[0]);
    return true;
}

/* QEMU's eight virtio-mmio transports, present even when empty (the
 * guest's driver reads device id 0 there); legacy by default as QEMU. */
static void virt_create_virtio_mmio(MachineState *ms)
{
    IrqLine *irqs[VIRT_VIRTIO_COUNT];

    for (int i = 0; i < VIRT_VIRTIO_COUNT; i++) {
        irqs[i] = virt_irq(ms, VIRT_VIRTIO_IRQ + i);
    }
    virtio_mmio_create_slots(VIRT_VIRTIO_BASE, VIRT_VIRTIO_SIZE,
                             VIRT_VIRTIO_COUNT, irqs, true);
}

/* Power-on state: devices, images, harts at the reset vector. */
static void virt_reset(void *opaque)
{
    VirtBoard *b = opaque;
    if (b->accel) {
        tcg_accel_pause(b->accel);
    }

    if (b->plic) {
        riscv_plic_reset(b->plic);
    }
    if (b->aplic_m) {
        riscv_aplic_reset(b->aplic_m);
    }
    if (b->imsic_m) {
        riscv_imsic_reset(b->imsic_m);
        riscv_imsic_reset(b->imsic_s);
    }
    riscv_aclint_reset(b->clint);
    serial_reset(b->uart);
    virt_boot_copy_blobs(b);
    for (unsigned h = 0; b->cpus && h < b->harts; h++) {
        riscv_cpu_reset(b->cpus[h], VIRT_MROM_BASE);
    }
    if (b->accel) {
        /* The harts run again only if the VM does (vm state notifier). */
        tcg_accel_resume(b->accel);
    }
}

static bool virt_parse_aia(VirtBoard *b, Error **errp)
{
    const char *aia = opts_get_str(b->ms->props, "aia");
    uint64_t guests;

    if (!aia || !strcmp(aia, "none")) {
        b->aia = VIRT_AIA_NONE;
    } else if (!strcmp(aia, "aplic")) {
        b->aia = VIRT_AIA_APLIC;
    } else if (!strcmp(aia, "aplic-imsic")) {
        b->aia = VIRT_AIA_APLIC_IMSIC;
    } else {
        error_setg(errp, "Invalid AIA type '%s': expected none, aplic or "
                   "aplic-imsic", aia);
        return false;
    }
    if (!opts_get_uint(b->ms->props, "aia-guests", 0, &guests, errp)) {
        return false;
    }
    if (guests > VIRT_IRQCHIP_MAX_GUESTS) {
        error_setg(errp, "Invalid number of AIA IMSIC guests: %" PRIu64
                   " (0..%d)", guests, VIRT_IRQCHIP_MAX_GUESTS);
        return false;
    }
    b->aia_guests = guests;
    return true;
}

static bool virt_init(MachineState *ms, Error **errp)
{
    VirtBoard *b = g_new0(VirtBoard, 1);
    VirtCpuInfo ci = { 0 };

    ms->board = b;
    b->ms = ms;
    b->harts = ms->smp_cpus ? ms->smp_cpus : 1;
    if (!opts_get_bool(ms->props, "aclint", false, &b->aclint, errp) ||
        !virt_parse_aia(b, errp)) {
        return false;
    }
    b->ram_size = ms->ram_size;
    b->blobs = g_array_new(FALSE, FALSE, sizeof(VirtBlob));
    /* 64-bit PCIe window: above RAM, aligned to its own size. */
    b->pcie_high_size = VIRT_PCIE_HIGH_MMIO_SIZE;
    b->pcie_high_base = (VIRT_DRAM_BASE + ms->ram_size +
                         VIRT_PCIE_HIGH_MMIO_SIZE - 1) &
                        ~(VIRT_PCIE_HIGH_MMIO_SIZE - 1);

    ms->ram = memory_region_new_ram("riscv_virt_board.ram", ms->ram_size, errp);
    if (!ms->ram || !virt_map(VIRT_DRAM_BASE, ms->ram, errp)) {
        return false;
    }
    b->ram = memory_region_ram_ptr(ms->ram);
    if (!virt_create_devices(b, errp) || !virt_create_cpus(b, &ci, errp) ||
        !virt_boot_setup(b, &ci, errp)) {
        return false;
    }
    /* PCIe host (hw/pci) and virtio-mmio transports (hw/virtio) attach
     * here, through virt_irq(). */
    if (!virt_pcie_init(ms, NULL, errp)) {
        return false;
    }
    virt_create_virtio_mmio(ms);
    reset_handler_add(virt_reset, b);
    virt_reset(b);
    if (b->cpus) {
        b->accel = tcg_accel_start(b->cpus, b->harts, &virt_tcg_hooks, b,
                                   errp);
        if (!b->accel) {
            return false;
        }
    }
    return true;
}

static const MachineProp virt_props[] = {
    { "aclint", "bool", "use the ACLINT instead of the SiFive CLINT" },
    { "aia", "enum:none|aplic|aplic-imsic", "interrupt controller" },
    { "aia-guests", "uint32", "number of IMSIC guest files per hart" },
    { "acpi", "enum:on|off|auto", "ACPI tables (not built on this machine)" },
    { "iommu-sys", "enum:on|off|auto", "platform IOMMU" },
    { NULL },
};

static const MachineClass virt_machine = {
    .name = "virt",
    .type_name = "virt-machine",
    .desc = "RISC-V VirtIO board",
    .is_default = true,
    .max_cpus = 512,
    .default_ram_size = 128 * 1024 * 1024,
    .default_cpu_type = "rv64-riscv-cpu",
    .default_ram_id = "riscv_virt_board.ram",
    .props = virt_props,
    .init = virt_init,
};

void machine_virt_register(void)
{
    machine_register(&virt_machine);
    /* Harts, interrupt controllers, timer, UART and PCIe host register
     * their state when they are created (see docs/migration.md); devices
     * added with -device still block until they describe theirs. */
    migration_machine_type_migratable(virt_machine.name);
}
