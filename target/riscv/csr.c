/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Control and status registers, traps, interrupts and xRET.
 */
#include "cpu-internal.h"

#define MSTATUS_WRITABLE                                                     \
    (MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SPIE | MSTATUS_MPIE | MSTATUS_SPP | \
     MSTATUS_MPP | MSTATUS_FS | MSTATUS_MPRV | MSTATUS_SUM | MSTATUS_MXR |   \
     MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR)
#define SSTATUS_VISIBLE                                                      \
    (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_FS | MSTATUS_SUM |    \
     MSTATUS_MXR | MSTATUS_UXL | MSTATUS_SD)
#define SSTATUS_WRITABLE                                                     \
    (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_FS | MSTATUS_SUM |    \
     MSTATUS_MXR)
/* Exceptions that may be delegated: all defined ones but ecall from M. */
#define MEDELEG_WRITABLE 0xb3ffULL
#define MIE_WRITABLE (MIP_ALL)
#define ENVCFG_FIOM 1ULL

/* ---------------- traps ---------------- */

static void set_priv(RiscvCpu *cpu, unsigned priv)
{
    cpu->priv = priv;
    riscv_cpu_update_mmu_ctx(cpu);
}

void riscv_do_trap(RiscvCpu *cpu, uint64_t cause, bool irq, uint64_t tval)
{
    uint64_t deleg = irq ? cpu->mideleg : cpu->medeleg;
    uint64_t mcause = cause | (irq ? 1ULL << 63 : 0);
    uint64_t s = cpu->mstatus;

    cpu->resv_valid = false;
    /* Traps use up budget too, so a trap loop cannot hang the caller. */
    if (cpu->stop_at) {
        cpu->stop_at--;
    }
    if (cpu->priv <= RISCV_PRIV_S && cause < 64 && (deleg >> cause & 1)) {
        cpu->scause = mcause;
        cpu->sepc = cpu->pc;
        cpu->stval = tval;
        s = (s & ~MSTATUS_SPIE) | ((s & MSTATUS_SIE) ? MSTATUS_SPIE : 0);
        s = (s & ~MSTATUS_SPP) | (cpu->priv ? MSTATUS_SPP : 0);
        s &= ~MSTATUS_SIE;
        cpu->mstatus = s;
        cpu->pc = (cpu->stvec & ~3ULL) +
                  ((irq && (cpu->stvec & 3) == 1) ? 4 * cause : 0);
        set_priv(cpu, RISCV_PRIV_S);
    } else {
        cpu->mcause = mcause;
        cpu->mepc = cpu->pc;
        cpu->mtval = tval;
        s = (s & ~MSTATUS_MPIE) | ((s & MSTATUS_MIE) ? MSTATUS_MPIE : 0);
        s = (s & ~MSTATUS_MPP) | ((uint64_t)cpu->priv << MSTATUS_MPP_SHIFT);
        s &= ~MSTATUS_MIE;
        cpu->mstatus = s;
        cpu->pc = (cpu->mtvec & ~3ULL) +
                  ((irq && (cpu->mtvec & 3) == 1) ? 4 * cause : 0);
        set_priv(cpu, RISCV_PRIV_M);
    }
    cpu->cur_vpage = TLB_INVALID;
    riscv_request_check(cpu);
}

void riscv_raise(RiscvCpu *cpu, uint64_t cause, uint64_t tval)
{
    riscv_do_trap(cpu, cause, false, tval);
    longjmp(cpu->jmp, 1);
}

uint64_t riscv_pending_irqs(RiscvCpu *cpu)
{
    uint64_t mip = atomic_load_explicit(&cpu->mip_lines, memory_order_acquire);
    return (mip | cpu->mip_sw) & cpu->mie;
}

/* Highest-priority interrupt in @bits: MEI, MSI, MTI, SEI, SSI, STI. */
static int irq_pick(uint64_t bits)
{
    static const int order[] = {RISCV_IRQ_MEI, RISCV_IRQ_MSI, RISCV_IRQ_MTI,
                                RISCV_IRQ_SEI, RISCV_IRQ_SSI, RISCV_IRQ_STI};
    for (unsigned i = 0; i < G_N_ELEMENTS(order); i++) {
        if (bits >> order[i] & 1) {
            return order[i];
        }
    }
    return -1;
}

/* Take an interrupt if one is pending and enabled; true if taken. */
bool riscv_check_interrupts(RiscvCpu *cpu)
{
    uint64_t pend = riscv_pending_irqs(cpu);
    if (!pend) {
        return false;
    }
    uint64_t m_pend = pend & ~cpu->mideleg;
    uint64_t s_pend = pend & cpu->mideleg;
    bool m_on = cpu->priv < RISCV_PRIV_M || (cpu->mstatus & MSTATUS_MIE);
    bool s_on = cpu->priv < RISCV_PRIV_S ||
                (cpu->priv == RISCV_PRIV_S && (cpu->mstatus & MSTATUS_SIE));
    int irq = -1;

    if (m_on && m_pend) {
        irq = irq_pick(m_pend);
    } else if (s_on && s_pend) {
        irq = irq_pick(s_pend);
    }
    if (irq < 0) {
        return false;
    }
    riscv_do_trap(cpu, irq, true, 0);
    return true;
}

void riscv_mret(RiscvCpu *cpu)
{
    uint64_t s = cpu->mstatus;
    unsigned mpp = (s & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT;

    s = (s & ~MSTATUS_MIE) | ((s & MSTATUS_MPIE) ? MSTATUS_MIE : 0);
    s |= MSTATUS_MPIE;
    s &= ~MSTATUS_MPP; /* MPP <- U */
    if (mpp != RISCV_PRIV_M) {
        s &= ~MSTATUS_MPRV;
    }
    cpu->mstatus = s;
    cpu->pc = cpu->mepc;
    set_priv(cpu, mpp);
    cpu->cur_vpage = TLB_INVALID;
    riscv_request_check(cpu);
}

void riscv_sret(RiscvCpu *cpu)
{
    uint64_t s = cpu->mstatus;
    unsigned spp = (s & MSTATUS_SPP) ? RISCV_PRIV_S : RISCV_PRIV_U;

    s = (s & ~MSTATUS_SIE) | ((s & MSTATUS_SPIE) ? MSTATUS_SIE : 0);
    s |= MSTATUS_SPIE;
    s &= ~(MSTATUS_SPP | MSTATUS_MPRV);
    cpu->mstatus = s;
    cpu->pc = cpu->sepc;
    set_priv(cpu, spp);
    cpu->cur_vpage = TLB_INVALID;
    riscv_request_check(cpu);
}

/* ---------------- CSR access ---------------- */

static uint64_t status_with_sd(uint64_t s)
{
    s &= ~MSTATUS_SD;
    if ((s & MSTATUS_FS) == MSTATUS_FS) {
        s |= MSTATUS_SD;
    }
    return s;
}

static void write_mstatus(RiscvCpu *cpu, uint64_t val, uint64_t mask)
{
    uint64_t old = cpu->mstatus;
    uint64_t s = (old & ~mask) | (val & mask);

    /* MPP is WARL: the reserved value 2 keeps the old setting. */
    if (((s & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT) == 2) {
        s = (s & ~MSTATUS_MPP) | (old & MSTATUS_MPP);
    }
    s = status_with_sd(s);
    cpu->mstatus = s;
    if ((old ^ s) & MSTATUS_MXR) {
        riscv_tlb_flush_all(cpu);
    }
    riscv_cpu_update_mmu_ctx(cpu);
    cpu->cur_vpage = TLB_INVALID;
    riscv_request_check(cpu);
}

static bool counter_enabled(RiscvCpu *cpu, unsigned csr)
{
    unsigned bit = csr & 31;
    if (cpu->priv == RISCV_PRIV_M) {
        return true;
    }
    if (!(cpu->mcounteren >> bit & 1)) {
        return false;
    }
    return cpu->priv == RISCV_PRIV_S || (cpu->scounteren >> bit & 1);
}

static uint64_t read_time(RiscvCpu *cpu)
{
    return cpu->ops->read_time ? cpu->ops->read_time(cpu->opaque) : 0;
}

/* ---------------- AIA (Smaia/Ssaia, only with an IMSIC) ---------------- */

static bool is_aia_csr(unsigned csr)
{
    switch (csr) {
    case CSR_MVIEN: case CSR_MVIP: case CSR_MISELECT: case CSR_MIREG:
    case CSR_MTOPEI: case CSR_MTOPI: case CSR_SISELECT: case CSR_SIREG:
    case CSR_STOPEI: case CSR_STOPI:
        return true;
    }
    return false;
}

/* mtopi/stopi: the major interrupt that would trap to that level next,
 * ignoring the global enables.  The iprio arrays are read-only zero, so
 * IPRIO is always 1 (the simplified form the spec allows). */
static uint64_t aia_topi(RiscvCpu *cpu, bool s_level)
{
    uint64_t mip = atomic_load(&cpu->mip_lines) | cpu->mip_sw;
    uint64_t pend = mip & cpu->mie & (s_level ? cpu->mideleg : ~cpu->mideleg);
    int irq = irq_pick(pend);

    return irq < 0 ? 0 : (uint64_t)irq << TOPI_IID_SHIFT | 1;
}

/* mireg/sireg: false when the access is illegal. */
static bool aia_ireg(RiscvCpu *cpu, unsigned priv, uint64_t wval,
                     uint64_t wmask, uint64_t *old)
{
    uint64_t isel = priv == RISCV_PRIV_M ? cpu->miselect : cpu->siselect;

    if (isel >= ISELECT_IPRIO0 && isel <= ISELECT_IPRIO15) {
        /* iprio0, 2, ..., 14 exist (XLEN = 64) and are read-only zero. */
        *old = 0;
        return !(isel & 1);
    }
    if (isel >= ISELECT_IMSIC_FIRST && isel <= ISELECT_IMSIC_LAST) {
        return cpu->cfg.imsic->rmw(cpu->cfg.imsic_opaque, cpu->hartid, priv,
                                   isel, wval, wmask, old);
    }
    return false;
}

static uint64_t aia_topei(RiscvCpu *cpu, unsigned priv, bool claim)
{
    return cpu->cfg.imsic->topei(cpu->cfg.imsic_opaque, cpu->hartid, priv,
                                 claim);
}

/* The AIA CSRs with side effects, for the CSR instructions and the
 * debugger; false when the access is illegal. */
static bool aia_rmw(RiscvCpu *cpu, unsigned csr, uint64_t wval,
                    uint64_t wmask, bool do_write, uint64_t *old)
{
    switch (csr) {
    case CSR_MIREG:
        return aia_ireg(cpu, RISCV_PRIV_M, wval, do_write ? wmask : 0, old);
    case CSR_SIREG:
        return aia_ireg(cpu, RISCV_PRIV_S, wval, do_write ? wmask : 0, old);
    case CSR_MTOPEI:
        *old = aia_topei(cpu, RISCV_PRIV_M, do_write);
        return true;
    case CSR_STOPEI:
        *old = aia_topei(cpu, RISCV_PRIV_S, do_write);
        return true;
    }
    return false;
}

static bool aia_has_side_effects(const RiscvCpu *cpu, unsigned csr)
{
    return cpu->cfg.imsic && (csr == CSR_MIREG || csr == CSR_SIREG ||
                              csr == CSR_MTOPEI || csr == CSR_STOPEI);
}

/* Plain AIA CSRs; false when absent. */
static bool aia_read(RiscvCpu *cpu, unsigned csr, uint64_t *v)
{
    switch (csr) {
    case CSR_MVIEN: *v = 0; return true; /* no filtering: read-only zero */
    case CSR_MVIP: *v = cpu->mip_sw & MIP_S_MASK; return true;
    case CSR_MISELECT: *v = cpu->miselect; return true;
    case CSR_SISELECT: *v = cpu->siselect; return true;
    case CSR_MTOPI: *v = aia_topi(cpu, false); return true;
    case CSR_STOPI: *v = aia_topi(cpu, true); return true;
    }
    return false;
}

static bool aia_write(RiscvCpu *cpu, unsigned csr, uint64_t v)
{
    switch (csr) {
    case CSR_MVIEN: return true;
    case CSR_MVIP:
        /* Bits 1, 5 and 9 alias the software-writable SSIP, STIP, SEIP. */
        cpu->mip_sw = (cpu->mip_sw & ~MIP_S_MASK) | (v & MIP_S_MASK);
        riscv_request_check(cpu);
        return true;
    case CSR_MISELECT: cpu->miselect = v & ISELECT_MASK; return true;
    case CSR_SISELECT: cpu->siselect = v & ISELECT_MASK; return true;
    }
    return false;
}

/* Read a CSR; false when it does not exist. No privilege checks. */
static bool csr_read(RiscvCpu *cpu, unsigned csr, uint64_t *v)
{
    if (is_aia_csr(csr)) {
        if (!cpu->cfg.imsic) {
            return false;
        }
        if (aia_has_side_effects(cpu, csr)) {
            return aia_rmw(cpu, csr, 0, 0, false, v);
        }
        return aia_read(cpu, csr, v);
    }
    if (csr >= CSR_HPMCOUNTER3 && csr <= CSR_HPMCOUNTER31) {
        *v = 0;
        return true;
    }
    if ((csr >= CSR_MHPMCOUNTER3 && csr <= CSR_MHPMCOUNTER31) ||
        (csr >= CSR_MHPMEVENT3 && csr <= CSR_MHPMEVENT31)) {
        *v = 0;
        return true;
    }
    if (csr >= CSR_PMPCFG0 && csr <= CSR_PMPADDR63) {
        if (csr <= CSR_PMPCFG15 && (csr & 1)) {
            return false;
        }
        *v = riscv_pmp_csr_read(cpu, csr);
        return true;
    }
    switch (csr) {
    case CSR_FFLAGS: *v = cpu->fflags; return true;
    case CSR_FRM: *v = cpu->frm; return true;
    case CSR_FCSR: *v = cpu->frm << 5 | cpu->fflags; return true;
    case CSR_CYCLE: case CSR_MCYCLE:
        *v = cpu->icount + cpu->cycle_offset;
        return true;
    case CSR_INSTRET: case CSR_MINSTRET:
        *v = cpu->icount + cpu->instret_offset;
        return true;
    case CSR_TIME: *v = read_time(cpu); return true;
    case CSR_SSTATUS: *v = cpu->mstatus & SSTATUS_VISIBLE; return true;
    case CSR_SIE: *v = cpu->mie & cpu->mideleg; return true;
    case CSR_STVEC: *v = cpu->stvec; return true;
    case CSR_SCOUNTEREN: *v = cpu->scounteren; return true;
    case CSR_SENVCFG: *v = cpu->senvcfg; return true;
    case CSR_SSCRATCH: *v = cpu->sscratch; return true;
    case CSR_SEPC: *v = cpu->sepc; return true;
    case CSR_SCAUSE: *v = cpu->scause; return true;
    case CSR_STVAL: *v = cpu->stval; return true;
    case CSR_SIP: {
        uint64_t mip = atomic_load(&cpu->mip_lines) | cpu->mip_sw;
        *v = mip & cpu->mideleg;
        return true;
    }
    case CSR_SATP: *v = cpu->satp; return true;
    case CSR_MVENDORID: *v = cpu->cfg.mvendorid; return true;
    case CSR_MARCHID: *v = cpu->cfg.marchid; return true;
    case CSR_MIMPID: *v = cpu->cfg.mimpid; return true;
    case CSR_MHARTID: *v = cpu->hartid; return true;
    case CSR_MCONFIGPTR: *v = 0; return true;
    case CSR_MSTATUS: *v = cpu->mstatus; return true;
    case CSR_MISA: *v = cpu->misa; return true;
    case CSR_MEDELEG: *v = cpu->medeleg; return true;
    case CSR_MIDELEG: *v = cpu->mideleg; return true;
    case CSR_MIE: *v = cpu->mie; return true;
    case CSR_MTVEC: *v = cpu->mtvec; return true;
    case CSR_MCOUNTEREN: *v = cpu->mcounteren; return true;
    case CSR_MENVCFG: *v = cpu->menvcfg; return true;
    case CSR_MCOUNTINHIBIT: *v = cpu->mcountinhibit; return true;
    case CSR_MSCRATCH: *v = cpu->mscratch; return true;
    case CSR_MEPC: *v = cpu->mepc; return true;
    case CSR_MCAUSE: *v = cpu->mcause; return true;
    case CSR_MTVAL: *v = cpu->mtval; return true;
    case CSR_MIP:
        *v = atomic_load(&cpu->mip_lines) | cpu->mip_sw;
        return true;
    }
    return false;
}

static uint64_t tvec_legal(uint64_t v)
{
    /* Modes 2 and 3 are reserved: fall back to direct. */
    return (v & 3) >= 2 ? v & ~3ULL : v;
}

static void write_satp(RiscvCpu *cpu, uint64_t v)
{
    unsigned mode = v >> 60;
    if (mode != 0 && (mode < RISCV_MMU_SV39 || mode > cpu->cfg.max_mmu)) {
        return; /* unsupported mode: the whole write is ignored */
    }
    /* No ASIDs: the ASID field reads as zero (ASIDLEN = 0). */
    v &= (0xfULL << 60) | ((1ULL << 44) - 1);
    if (mode == 0) {
        v = 0;
    }
    cpu->satp = v;
    riscv_tlb_flush_all(cpu);
}

/* Write a CSR (already checked for existence and privilege). */
static bool csr_write(RiscvCpu *cpu, unsigned csr, uint64_t v)
{
    if (is_aia_csr(csr)) {
        uint64_t old;
        if (aia_has_side_effects(cpu, csr)) {
            return aia_rmw(cpu, csr, v, ~0ULL, true, &old);
        }
        return cpu->cfg.imsic && aia_write(cpu, csr, v);
    }
    if ((csr >= CSR_MHPMCOUNTER3 && csr <= CSR_MHPMCOUNTER31) ||
        (csr >= CSR_MHPMEVENT3 && csr <= CSR_MHPMEVENT31)) {
        return true; /* not implemented: read-only zero */
    }
    if (csr >= CSR_PMPCFG0 && csr <= CSR_PMPADDR63) {
        return riscv_pmp_csr_write(cpu, csr, v);
    }
    switch (csr) {
    case CSR_FFLAGS: cpu->fflags = v & 0x1f; riscv_fs_dirty(cpu); return true;
    case CSR_FRM: cpu->frm = v & 7; riscv_fs_dirty(cpu); return true;
    case CSR_FCSR:
        cpu->fflags = v & 0x1f;
        cpu->frm = (v >> 5) & 7;
        riscv_fs_dirty(cpu);
        return true;
    case CSR_MCYCLE: cpu->cycle_offset = v - cpu->icount; return true;
    case CSR_MINSTRET:
        /* The writing instruction itself still retires afterwards. */
        cpu->instret_offset = v - cpu->icount - 1;
        return true;
    case CSR_SSTATUS: write_mstatus(cpu, v, SSTATUS_WRITABLE); return true;
    case CSR_SIE:
        cpu->mie = (cpu->mie & ~cpu->mideleg) | (v & cpu->mideleg);
        riscv_request_check(cpu);
        return true;
    case CSR_STVEC: cpu->stvec = tvec_legal(v); return true;
    case CSR_SCOUNTEREN: cpu->scounteren = v & 0xffffffff; return true;
    case CSR_SENVCFG: cpu->senvcfg = v & ENVCFG_FIOM; return true;
    case CSR_SSCRATCH: cpu->sscratch = v; return true;
    case CSR_SEPC: cpu->sepc = v & ~1ULL; return true;
    case CSR_SCAUSE: cpu->scause = v; return true;
    case CSR_STVAL: cpu->stval = v; return true;
    case CSR_SIP:
        /* Only SSIP is writable through sip, and only when delegated. */
        if (cpu->mideleg & MIP_SSIP) {
            cpu->mip_sw = (cpu->mip_sw & ~MIP_SSIP) | (v & MIP_SSIP);
        }
        riscv_request_check(cpu);
        return true;
    case CSR_SATP: write_satp(cpu, v); return true;
    case CSR_MSTATUS: write_mstatus(cpu, v, MSTATUS_WRITABLE); return true;
    case CSR_MISA: return true; /* read-only (WARL, fixed) */
    case CSR_MEDELEG: cpu->medeleg = v & MEDELEG_WRITABLE; return true;
    case CSR_MIDELEG:
        cpu->mideleg = v & MIP_S_MASK;
        riscv_request_check(cpu);
        return true;
    case CSR_MIE:
        cpu->mie = v & MIE_WRITABLE;
        riscv_request_check(cpu);
        return true;
    case CSR_MTVEC: cpu->mtvec = tvec_legal(v); return true;
    case CSR_MCOUNTEREN: cpu->mcounteren = v & 0xffffffff; return true;
    case CSR_MENVCFG: cpu->menvcfg = v & ENVCFG_FIOM; return true;
    case CSR_MCOUNTINHIBIT: cpu->mcountinhibit = v & 0x5; return true;
    case CSR_MSCRATCH: cpu->mscratch = v; return true;
    case CSR_MEPC: cpu->mepc = v & ~1ULL; return true;
    case CSR_MCAUSE: cpu->mcause = v; return true;
    case CSR_MTVAL: cpu->mtval = v; return true;
    case CSR_MIP:
        cpu->mip_sw = v & MIP_S_MASK;
        riscv_request_check(cpu);
        return true;
    }
    return false;
}

static bool is_fp_csr(unsigned csr)
{
    return csr >= CSR_FFLAGS && csr <= CSR_FCSR;
}

static bool is_counter(unsigned csr)
{
    return csr >= CSR_CYCLE && csr <= CSR_HPMCOUNTER31;
}

/*
 * SSIP raised through riscv_cpu_set_irq() (the ACLINT SSWI) is an edge:
 * before software writes mip/sip/mvip, move it into the software-writable
 * bit so that clearing SSIP there clears the raised one too.
 */
static void latch_ssip_line(RiscvCpu *cpu)
{
    if ((atomic_load(&cpu->mip_lines) & MIP_SSIP) &&
        (atomic_fetch_and(&cpu->mip_lines, ~MIP_SSIP) & MIP_SSIP)) {
        cpu->mip_sw |= MIP_SSIP;
    }
}

/*
 * The CSR instructions.  @wmask selects bits to replace with @wval
 * (csrrw: all ones; csrrs: the set bits, value ones; csrrc: value zero).
 */
uint64_t riscv_csr_rmw(RiscvCpu *cpu, unsigned csr, uint64_t wval,
                       uint64_t wmask, bool do_read, bool do_write)
{
    unsigned min_priv = (csr >> 8) & 3;
    bool read_only = (csr >> 10) == 3;
    uint64_t old = 0;
    (void)do_read;

    if (cpu->priv < min_priv || (do_write && read_only)) {
        goto illegal;
    }
    if (is_fp_csr(csr) && riscv_fs_off(cpu)) {
        goto illegal;
    }
    if (is_counter(csr) && !counter_enabled(cpu, csr)) {
        goto illegal;
    }
    if (csr == CSR_SATP && cpu->priv == RISCV_PRIV_S &&
        (cpu->mstatus & MSTATUS_TVM)) {
        goto illegal;
    }
    if (do_write && (csr == CSR_MIP || csr == CSR_SIP || csr == CSR_MVIP)) {
        latch_ssip_line(cpu);
    }
    if (aia_has_side_effects(cpu, csr)) {
        /* One atomic access at the IMSIC: a claim or a csrs/csrc must not
         * lose an MSI that arrives between a read and a write. */
        if (!aia_rmw(cpu, csr, wval, wmask, do_write, &old)) {
            goto illegal;
        }
        return old;
    }
    if (!csr_read(cpu, csr, &old)) {
        goto illegal;
    }
    if (do_write) {
        /*
         * For mip/sip the read-modify-write works on the software-written
         * bits only, so a pending external SEIP line is not latched into
         * the software SEIP bit by a csrs/csrc.
         */
        uint64_t base = old;
        if (csr == CSR_MIP) {
            base = (old & ~MIP_S_MASK) | cpu->mip_sw;
        } else if (csr == CSR_SIP) {
            base = (old & ~MIP_S_MASK) | (cpu->mip_sw & cpu->mideleg);
        }
        uint64_t nv = (base & ~wmask) | (wval & wmask);
        if (!csr_write(cpu, csr, nv)) {
            goto illegal;
        }
    }
    return old;
illegal:
    riscv_raise(cpu, EXC_ILLEGAL, 0);
}

bool riscv_csr_debug_read(RiscvCpu *cpu, unsigned csr, uint64_t *val)
{
    return csr_read(cpu, csr & 0xfff, val);
}

bool riscv_csr_debug_write(RiscvCpu *cpu, unsigned csr, uint64_t val)
{
    uint64_t dummy;
    csr &= 0xfff;
    if (!csr_read(cpu, csr, &dummy)) {
        return false;
    }
    if (csr == CSR_MIP || csr == CSR_SIP || csr == CSR_MVIP) {
        latch_ssip_line(cpu);
    }
    return csr_write(cpu, csr, val);
}

void riscv_csr_reset(RiscvCpu *cpu)
{
    cpu->misa = (2ULL << 62) | (1 << 0) | (1 << 2) | (1 << 3) | (1 << 5) |
                (1 << 8) | (1 << 12) | (1 << 18) | (1 << 20);
    /* UXL = SXL = 64 bits; everything else starts at zero. */
    cpu->mstatus = (2ULL << 32) | (2ULL << 34);
    cpu->medeleg = cpu->mideleg = 0;
    cpu->mie = 0;
    cpu->mip_sw = 0;
    cpu->mtvec = cpu->stvec = 0;
    cpu->mscratch = cpu->sscratch = 0;
    cpu->mepc = cpu->sepc = 0;
    cpu->mcause = cpu->scause = 0;
    cpu->mtval = cpu->stval = 0;
    cpu->mcounteren = cpu->scounteren = cpu->mcountinhibit = 0;
    cpu->menvcfg = cpu->senvcfg = 0;
    cpu->satp = 0;
    cpu->miselect = cpu->siselect = 0;
    cpu->cycle_offset = cpu->instret_offset = 0;
    cpu->fflags = cpu->frm = 0;
    memset(cpu->pmpcfg, 0, sizeof(cpu->pmpcfg));
    memset(cpu->pmpaddr, 0, sizeof(cpu->pmpaddr));
}
