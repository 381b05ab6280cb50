/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Migration of one hart: our own description ("riscv-cpu", version 1),
 * not QEMU's "cpu" layout (cross-migration with QEMU is not a goal for the
 * CPU).  Every architectural register and CSR the software CPU keeps is in
 * it; caches (TLB, decoded pages, fetch page, host rounding mode) are
 * rebuilt after the load, and the LR/SC reservation is dropped as QEMU
 * does, so an SC after migration fails and the guest retries.
 *
 * The harts are parked whenever this runs: the source saves after
 * vm_stop(), the destination loads before vm_start().
 */
#include <glib.h>
#include "cpu-internal.h"
#include "migration/savevm.h"
#include "migration/vmstate.h"

#define RISCV_CPU_VMSTATE_NAME    "riscv-cpu"
#define RISCV_CPU_VMSTATE_VERSION 1

/* legal bits of a pmpcfg entry (R W X A L) */
#define PMPCFG_LEGAL  0x9f
#define PMP_ADDR_BITS 54

/* A value the destination already has and the stream must agree with
 * (misa, hart id): a different CPU model is refused, never adopted. */
static bool get_u64_same(QEMUFile *f, void *opaque, void *ptr,
                         const VMStateField *field, Error **errp)
{
    uint64_t v = qemu_get_be64(f);

    if (!qemu_file_check_error(f, errp)) {
        return false;
    }
    if (v != *(uint64_t *)ptr) {
        error_setg(errp,
                   "%s is 0x%" G_GINT64_MODIFIER "x in the stream, this "
                   "hart has 0x%" G_GINT64_MODIFIER "x",
                   field->name, v, *(uint64_t *)ptr);
        return false;
    }
    return true;
}

static bool put_u64(QEMUFile *f, void *opaque, void *ptr,
                    const VMStateField *field, Error **errp)
{
    qemu_put_be64(f, *(uint64_t *)ptr);
    return true;
}

static bool get_u32_same(QEMUFile *f, void *opaque, void *ptr,
                         const VMStateField *field, Error **errp)
{
    uint32_t v = qemu_get_be32(f);

    if (!qemu_file_check_error(f, errp)) {
        return false;
    }
    if (v != *(uint32_t *)ptr) {
        error_setg(errp, "%s is %u in the stream, this hart has %u",
                   field->name, v, *(uint32_t *)ptr);
        return false;
    }
    return true;
}

static bool put_u32(QEMUFile *f, void *opaque, void *ptr,
                    const VMStateField *field, Error **errp)
{
    qemu_put_be32(f, *(uint32_t *)ptr);
    return true;
}

static const VMStateInfo info_u64_same = {"uint64", get_u64_same, put_u64};
static const VMStateInfo info_u32_same = {"uint32", get_u32_same, put_u32};

/* mip_lines is atomic: read and written whole. */
static bool get_mip_lines(QEMUFile *f, void *opaque, void *ptr,
                          const VMStateField *field, Error **errp)
{
    RiscvCpu *cpu = opaque;
    uint64_t v = qemu_get_be64(f);

    if (!qemu_file_check_error(f, errp)) {
        return false;
    }
    if (v & ~MIP_ALL) {
        error_setg(errp,
                   "interrupt lines 0x%" G_GINT64_MODIFIER "x do not "
                   "exist",
                   v);
        return false;
    }
    atomic_store(&cpu->mip_lines, v);
    return true;
}

static bool put_mip_lines(QEMUFile *f, void *opaque, void *ptr,
                          const VMStateField *field, Error **errp)
{
    RiscvCpu *cpu = opaque;

    qemu_put_be64(f, atomic_load(&cpu->mip_lines));
    return true;
}

static const VMStateInfo info_mip_lines = {"uint64", get_mip_lines,
                                           put_mip_lines};

#define CPU_U64(f) VMSTATE_UINT64(f, RiscvCpu)
#define CPU_ARRAY_U64(f, n)                                                    \
    {                                                                          \
        .name = #f, .kind = VMS_ARRAY, .offset = offsetof(RiscvCpu, f),        \
        .size = sizeof(uint64_t), .elem = VMS_U64,                             \
        .elem_size = sizeof(uint64_t), .max = (n)                              \
    }

static bool riscv_cpu_check_csrs(RiscvCpu *cpu, Error **errp)
{
    unsigned satp_mode = cpu->satp >> 60;
    uint64_t mpp = (cpu->mstatus & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT;

    if (cpu->priv != RISCV_PRIV_U && cpu->priv != RISCV_PRIV_S &&
        cpu->priv != RISCV_PRIV_M) {
        error_setg(errp, "privilege level %u does not exist", cpu->priv);
        return false;
    }
    if (mpp == 2) {
        error_setg(errp, "mstatus.MPP holds the reserved level 2");
        return false;
    }
    if ((cpu->mstatus & (MSTATUS_UXL | MSTATUS_SXL)) !=
        ((2ULL << 32) | (2ULL << 34))) {
        error_setg(errp, "mstatus: only 64-bit UXL and SXL are supported");
        return false;
    }
    if (satp_mode != 0 &&
        (satp_mode < RISCV_MMU_SV39 || satp_mode > cpu->cfg.max_mmu)) {
        error_setg(errp, "satp mode %u is not supported by this hart",
                   satp_mode);
        return false;
    }
    if ((cpu->mtvec & 3) >= 2 || (cpu->stvec & 3) >= 2) {
        error_setg(errp, "trap vector with a reserved mode");
        return false;
    }
    if (cpu->fflags > 0x1f || cpu->frm > 7) {
        error_setg(errp, "fflags 0x%x / frm %u out of range", cpu->fflags,
                   cpu->frm);
        return false;
    }
    if (cpu->mip_sw & ~MIP_ALL) {
        error_setg(errp, "mip bits 0x%" G_GINT64_MODIFIER "x do not exist",
                   cpu->mip_sw);
        return false;
    }
    if (cpu->miselect > ISELECT_MASK || cpu->siselect > ISELECT_MASK) {
        error_setg(errp, "miselect/siselect out of range");
        return false;
    }
    return true;
}

static bool riscv_cpu_check_pmp(RiscvCpu *cpu, Error **errp)
{
    for (unsigned i = 0; i < PMP_MAX; i++) {
        bool exists = i < cpu->cfg.pmp_entries;
        if ((cpu->pmpcfg[i] & ~PMPCFG_LEGAL) ||
            (cpu->pmpaddr[i] >> PMP_ADDR_BITS) ||
            (!exists && (cpu->pmpcfg[i] || cpu->pmpaddr[i]))) {
            error_setg(errp, "PMP entry %u is not valid for this hart", i);
            return false;
        }
    }
    return true;
}

static bool riscv_cpu_post_load(void *opaque, int version_id, Error **errp)
{
    RiscvCpu *cpu = opaque;

    if (!riscv_cpu_check_csrs(cpu, errp) || !riscv_cpu_check_pmp(cpu, errp)) {
        return false;
    }
    cpu->x[0] = 0;
    cpu->pmp_any_locked = false;
    for (unsigned i = 0; i < PMP_MAX; i++) {
        cpu->pmp_any_locked |= (cpu->pmpcfg[i] & 0x80) != 0;
    }
    /* QEMU drops the reservation: the guest's SC fails and it retries. */
    cpu->resv_valid = false;
    cpu->fp_host_rm = UINT64_MAX;
    cpu->cur_vpage = TLB_INVALID;
    cpu->cur_dpage = NULL;
    riscv_cpu_update_mmu_ctx(cpu);
    riscv_tlb_flush_all(cpu);
    riscv_dcache_flush_all(cpu);
    /* Look at the pending interrupts before the first instruction. */
    riscv_request_check(cpu);
    return true;
}

static const VMStateField riscv_cpu_fields[] = {
    {.name = "hartid",
     .kind = VMS_CUSTOM,
     .offset = offsetof(RiscvCpu, hartid),
     .size = sizeof(unsigned),
     .info = &info_u32_same},
    {.name = "misa",
     .kind = VMS_CUSTOM,
     .offset = offsetof(RiscvCpu, misa),
     .size = sizeof(uint64_t),
     .info = &info_u64_same},
    CPU_ARRAY_U64(x, 32),
    CPU_U64(pc),
    CPU_ARRAY_U64(fpr, 32),
    CPU_U64(icount),
    VMSTATE_UINT32(priv, RiscvCpu),
    VMSTATE_UINT32(fflags, RiscvCpu),
    VMSTATE_UINT32(frm, RiscvCpu),
    CPU_U64(mstatus),
    CPU_U64(medeleg),
    CPU_U64(mideleg),
    CPU_U64(mie),
    CPU_U64(mip_sw),
    {.name = "mip_lines",
     .kind = VMS_CUSTOM,
     .offset = offsetof(RiscvCpu, mip_lines),
     .size = sizeof(uint64_t),
     .info = &info_mip_lines},
    CPU_U64(mtvec),
    CPU_U64(stvec),
    CPU_U64(mscratch),
    CPU_U64(sscratch),
    CPU_U64(mepc),
    CPU_U64(sepc),
    CPU_U64(mcause),
    CPU_U64(scause),
    CPU_U64(mtval),
    CPU_U64(stval),
    CPU_U64(mcounteren),
    CPU_U64(scounteren),
    CPU_U64(mcountinhibit),
    CPU_U64(menvcfg),
    CPU_U64(senvcfg),
    CPU_U64(satp),
    CPU_U64(miselect),
    CPU_U64(siselect),
    CPU_U64(cycle_offset),
    CPU_U64(instret_offset),
    VMSTATE_BUFFER(pmpcfg, RiscvCpu),
    CPU_ARRAY_U64(pmpaddr, PMP_MAX),
    VMSTATE_END_OF_LIST,
};

static const VMStateDescription vmstate_riscv_cpu = {
    .name = RISCV_CPU_VMSTATE_NAME,
    .version_id = RISCV_CPU_VMSTATE_VERSION,
    .minimum_version_id = RISCV_CPU_VMSTATE_VERSION,
    .fields = riscv_cpu_fields,
    .post_load = riscv_cpu_post_load,
};

const struct VMStateDescription *riscv_cpu_vmstate(void)
{
    return &vmstate_riscv_cpu;
}

bool riscv_cpu_vmstate_register(RiscvCpu *cpu, struct Error **errp)
{
    return vmstate_register(NULL, RISCV_CPU_VMSTATE_NAME, cpu->hartid,
                            &vmstate_riscv_cpu, cpu, errp);
}
