/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Software RISC-V CPU: life cycle, the public API and the interpreter loop.
 *
 * The loop executes pre-decoded instructions (RvInsn) taken from a per-hart
 * cache of decoded physical pages; loads and stores go through a small
 * direct-mapped software TLB that maps guest virtual pages to host
 * pointers.  Exceptions unwind to riscv_cpu_run() with longjmp after the
 * trap has been entered.
 */
#include "cpu-internal.h"

#include <stdio.h>

static const char *const isa_extensions[] = {
    "i", "m", "a", "f", "d", "c", "zicntr", "zicsr", "zifencei",
    "zihintpause", "zihpm", NULL,
};

/* The same with the AIA extensions a hart with an IMSIC has. */
static const char *const isa_extensions_aia[] = {
    "i", "m", "a", "f", "d", "c", "zicntr", "zicsr", "zifencei",
    "zihintpause", "zihpm", "smaia", "ssaia", NULL,
};

void riscv_cpu_update_mmu_ctx(RiscvCpu *cpu)
{
    unsigned eff = cpu->priv;
    if (eff == RISCV_PRIV_M && (cpu->mstatus & MSTATUS_MPRV)) {
        eff = (cpu->mstatus & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT;
    }
    cpu->dmmu = riscv_mmu_idx(eff, cpu->mstatus);
}

RiscvCpu *riscv_cpu_new(unsigned hartid, const RiscvMemOps *ops, void *opaque,
                        const RiscvCpuConfig *cfg)
{
    RiscvCpu *cpu = g_malloc0(sizeof(*cpu));

    cpu->hartid = hartid;
    cpu->ops = ops;
    cpu->opaque = opaque;
    if (cfg) {
        cpu->cfg = *cfg;
    } else {
        cpu->cfg.pmp_entries = 16;
    }
    if (cpu->cfg.max_mmu != RISCV_MMU_SV39) {
        cpu->cfg.max_mmu = RISCV_MMU_SV48;
    }
    if (cpu->cfg.pmp_entries > PMP_MAX) {
        cpu->cfg.pmp_entries = PMP_MAX;
    }
    g_mutex_init(&cpu->lock);
    g_cond_init(&cpu->cond);
    cpu->dead_pages = g_ptr_array_new_with_free_func(g_free);
    snprintf(cpu->isa, sizeof(cpu->isa),
             "rv64imafdc_zicntr_zicsr_zifencei_zihintpause_zihpm%s",
             cpu->cfg.imsic ? "_smaia_ssaia" : "");
    cpu->isa_ext = cpu->cfg.imsic ? isa_extensions_aia : isa_extensions;
    riscv_cpu_reset(cpu, 0);
    return cpu;
}

void riscv_cpu_free(RiscvCpu *cpu)
{
    if (!cpu) {
        return;
    }
    riscv_dcache_flush_all(cpu);
    g_ptr_array_free(cpu->dead_pages, true);
    g_mutex_clear(&cpu->lock);
    g_cond_clear(&cpu->cond);
    g_free(cpu);
}

void riscv_cpu_reset(RiscvCpu *cpu, uint64_t pc)
{
    memset(cpu->x, 0, sizeof(cpu->x));
    memset(cpu->fpr, 0, sizeof(cpu->fpr));
    cpu->pc = pc;
    cpu->priv = RISCV_PRIV_M;
    cpu->icount = 0;
    cpu->resv_valid = false;
    cpu->fp_host_rm = UINT64_MAX;
    riscv_csr_reset(cpu);
    riscv_cpu_update_mmu_ctx(cpu);
    riscv_tlb_flush_all(cpu);
    riscv_dcache_flush_all(cpu);
    atomic_store(&cpu->mip_lines, 0);
    riscv_request_check(cpu);
}

/* ---------------- cross-thread requests ---------------- */

static void kick(RiscvCpu *cpu)
{
    atomic_store_explicit(&cpu->attention, 1, memory_order_release);
    g_mutex_lock(&cpu->lock);
    g_cond_broadcast(&cpu->cond);
    g_mutex_unlock(&cpu->lock);
    if (cpu->ops->kick) {
        cpu->ops->kick(cpu->opaque, cpu->hartid);
    }
}

void riscv_cpu_set_irq(RiscvCpu *cpu, unsigned mip_bit, bool level)
{
    uint64_t bit = 1ULL << (mip_bit & 63);
    if (!(bit & MIP_ALL)) {
        return;
    }
    if (level) {
        atomic_fetch_or(&cpu->mip_lines, bit);
    } else {
        atomic_fetch_and(&cpu->mip_lines, ~bit);
    }
    kick(cpu);
}

void riscv_cpu_request_exit(RiscvCpu *cpu)
{
    atomic_store(&cpu->exit_request, true);
    kick(cpu);
}

void riscv_cpu_invalidate_code(RiscvCpu *cpu, uint64_t pa, uint64_t len)
{
    g_mutex_lock(&cpu->lock);
    if (cpu->n_inval < INVAL_QUEUE) {
        cpu->inval[cpu->n_inval].pa = pa;
        cpu->inval[cpu->n_inval].len = len;
        cpu->n_inval++;
    } else {
        cpu->inval_all = true;
    }
    g_mutex_unlock(&cpu->lock);
    atomic_store(&cpu->inval_pending, true);
    atomic_store_explicit(&cpu->attention, 1, memory_order_release);
}

void riscv_cpu_flush_mappings(RiscvCpu *cpu)
{
    riscv_tlb_flush_all(cpu);
    riscv_dcache_flush_all(cpu);
    riscv_request_check(cpu);
}

bool riscv_cpu_wakeup_pending(RiscvCpu *cpu)
{
    return riscv_pending_irqs(cpu) != 0 || atomic_load(&cpu->exit_request);
}

bool riscv_cpu_wait_for_interrupt(RiscvCpu *cpu, int64_t timeout_ns)
{
    gint64 deadline = g_get_monotonic_time() + timeout_ns / 1000;

    g_mutex_lock(&cpu->lock);
    while (!riscv_cpu_wakeup_pending(cpu)) {
        if (timeout_ns < 0) {
            g_cond_wait(&cpu->cond, &cpu->lock);
        } else if (!g_cond_wait_until(&cpu->cond, &cpu->lock, deadline)) {
            break;
        }
    }
    g_mutex_unlock(&cpu->lock);
    return riscv_cpu_wakeup_pending(cpu);
}

/* ---------------- accessors ---------------- */

const char *riscv_cpu_isa_string(const RiscvCpu *cpu)
{
    return cpu->isa;
}

const char *riscv_cpu_mmu_type(const RiscvCpu *cpu)
{
    return cpu->cfg.max_mmu == RISCV_MMU_SV48 ? "riscv,sv48" : "riscv,sv39";
}

const char *const *riscv_cpu_isa_extensions(const RiscvCpu *cpu)
{
    return cpu->isa_ext;
}

unsigned riscv_cpu_hartid(const RiscvCpu *cpu)
{
    return cpu->hartid;
}

uint64_t riscv_cpu_get_reg(const RiscvCpu *cpu, unsigned idx)
{
    return idx && idx < 32 ? cpu->x[idx] : 0;
}

void riscv_cpu_set_reg(RiscvCpu *cpu, unsigned idx, uint64_t val)
{
    if (idx && idx < 32) {
        cpu->x[idx] = val;
    }
}

uint64_t riscv_cpu_get_fpr(const RiscvCpu *cpu, unsigned idx)
{
    return cpu->fpr[idx & 31];
}

void riscv_cpu_set_fpr(RiscvCpu *cpu, unsigned idx, uint64_t val)
{
    cpu->fpr[idx & 31] = val;
}

uint64_t riscv_cpu_get_pc(const RiscvCpu *cpu)
{
    return cpu->pc;
}

void riscv_cpu_set_pc(RiscvCpu *cpu, uint64_t pc)
{
    cpu->pc = pc & ~1ULL;
}

unsigned riscv_cpu_get_priv(const RiscvCpu *cpu)
{
    return cpu->priv;
}

bool riscv_cpu_read_csr(RiscvCpu *cpu, unsigned csr, uint64_t *val)
{
    return riscv_csr_debug_read(cpu, csr, val);
}

bool riscv_cpu_write_csr(RiscvCpu *cpu, unsigned csr, uint64_t val)
{
    bool ok = riscv_csr_debug_write(cpu, csr, val);
    riscv_request_check(cpu);
    return ok;
}

uint64_t riscv_cpu_icount(const RiscvCpu *cpu)
{
    return cpu->icount;
}

/* ---------------- the interpreter ---------------- */

static inline uint64_t ld_mem(RiscvCpu *cpu, uint64_t va, unsigned size)
{
    RvTlbEntry *e =
        &cpu->tlb[cpu->dmmu][ACC_READ][(va >> RV_PAGE_BITS) & (TLB_SIZE - 1)];
    if (likely(e->tag == (va & RV_PAGE_MASK) &&
               (va & (RV_PAGE_SIZE - 1)) <= RV_PAGE_SIZE - size)) {
        const void *p = (const void *)(e->addend + (uintptr_t)va);
        switch (size) {
        case 1: return *(const uint8_t *)p;
        case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
        case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
        default: { uint64_t v; memcpy(&v, p, 8); return v; }
        }
    }
    return riscv_load_slow(cpu, va, size);
}

static inline void st_mem(RiscvCpu *cpu, uint64_t va, unsigned size,
                          uint64_t val)
{
    RvTlbEntry *e =
        &cpu->tlb[cpu->dmmu][ACC_WRITE][(va >> RV_PAGE_BITS) & (TLB_SIZE - 1)];
    if (likely(e->tag == (va & RV_PAGE_MASK) &&
               (va & (RV_PAGE_SIZE - 1)) <= RV_PAGE_SIZE - size)) {
        void *p = (void *)(e->addend + (uintptr_t)va);
        switch (size) {
        case 1: *(uint8_t *)p = val; return;
        case 2: { uint16_t v = val; memcpy(p, &v, 2); return; }
        case 4: { uint32_t v = val; memcpy(p, &v, 4); return; }
        default: memcpy(p, &val, 8); return;
        }
    }
    riscv_store_slow(cpu, va, size, val);
}

_Noreturn static void illegal_insn(RiscvCpu *cpu)
{
    riscv_raise(cpu, EXC_ILLEGAL, 0);
}

/* Drain cross-thread requests; true when the caller should exit. */
static bool handle_attention(RiscvCpu *cpu)
{
    atomic_store_explicit(&cpu->attention, 0, memory_order_relaxed);
    /* Pairs with the release in kick(): see the requests made before. */
    atomic_thread_fence(memory_order_seq_cst);
    if (atomic_exchange(&cpu->inval_pending, false)) {
        g_mutex_lock(&cpu->lock);
        if (cpu->inval_all) {
            riscv_dcache_flush_all(cpu);
        } else {
            for (unsigned i = 0; i < cpu->n_inval; i++) {
                riscv_dcache_invalidate_range(cpu, cpu->inval[i].pa,
                                              cpu->inval[i].len);
            }
        }
        cpu->inval_all = false;
        cpu->n_inval = 0;
        g_mutex_unlock(&cpu->lock);
    }
    if (cpu->dead_pages->len) {
        riscv_free_dead_pages(cpu);
    }
    if (atomic_exchange(&cpu->exit_request, false)) {
        return true;
    }
    riscv_check_interrupts(cpu);
    return false;
}

static int64_t amo_minmax(int op, int64_t a, int64_t b, bool wide)
{
    uint64_t ua = wide ? (uint64_t)a : (uint32_t)a;
    uint64_t ub = wide ? (uint64_t)b : (uint32_t)b;
    switch (op) {
    case 0: return a < b ? a : b;
    case 1: return a > b ? a : b;
    case 2: return ua < ub ? a : b;
    default: return ua > ub ? a : b;
    }
}

static void exec_amo(RiscvCpu *cpu, const RvInsn *d)
{
    bool wide = d->op >= OP_LR_D;
    unsigned kind = d->op - (wide ? OP_LR_D : OP_LR_W);
    unsigned size = wide ? 8 : 4;
    uint64_t va = cpu->x[d->rs1], src = cpu->x[d->rs2], pa;
    uint64_t old;
    void *p = riscv_amo_ptr(cpu, va, size, kind == 0, &pa);

    if (kind == 0) { /* LR */
        old = wide ? __atomic_load_n((uint64_t *)p, __ATOMIC_ACQUIRE)
                   : __atomic_load_n((uint32_t *)p, __ATOMIC_ACQUIRE);
        cpu->resv_valid = true;
        cpu->resv_pa = pa;
        cpu->resv_val = old;
        cpu->x[d->rd] = wide ? old : (uint64_t)(int64_t)(int32_t)old;
        return;
    }
    if (kind == 1) { /* SC */
        bool ok = false;
        if (cpu->resv_valid && cpu->resv_pa == pa) {
            if (wide) {
                uint64_t exp = cpu->resv_val;
                ok = __atomic_compare_exchange_n((uint64_t *)p, &exp, src,
                                                 false, __ATOMIC_SEQ_CST,
                                                 __ATOMIC_SEQ_CST);
            } else {
                uint32_t exp = cpu->resv_val;
                ok = __atomic_compare_exchange_n((uint32_t *)p, &exp,
                                                 (uint32_t)src, false,
                                                 __ATOMIC_SEQ_CST,
                                                 __ATOMIC_SEQ_CST);
            }
        }
        cpu->resv_valid = false;
        cpu->x[d->rd] = !ok;
        return;
    }
    if (wide) {
        uint64_t *q = p;
        switch (kind) {
        case 2: old = __atomic_exchange_n(q, src, __ATOMIC_SEQ_CST); break;
        case 3: old = __atomic_fetch_add(q, src, __ATOMIC_SEQ_CST); break;
        case 4: old = __atomic_fetch_xor(q, src, __ATOMIC_SEQ_CST); break;
        case 5: old = __atomic_fetch_and(q, src, __ATOMIC_SEQ_CST); break;
        case 6: old = __atomic_fetch_or(q, src, __ATOMIC_SEQ_CST); break;
        default:
            old = __atomic_load_n(q, __ATOMIC_SEQ_CST);
            while (!__atomic_compare_exchange_n(
                q, &old, (uint64_t)amo_minmax(kind - 7, old, src, true),
                false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
            }
        }
        cpu->x[d->rd] = old;
    } else {
        uint32_t *q = p, s32 = src, o;
        switch (kind) {
        case 2: o = __atomic_exchange_n(q, s32, __ATOMIC_SEQ_CST); break;
        case 3: o = __atomic_fetch_add(q, s32, __ATOMIC_SEQ_CST); break;
        case 4: o = __atomic_fetch_xor(q, s32, __ATOMIC_SEQ_CST); break;
        case 5: o = __atomic_fetch_and(q, s32, __ATOMIC_SEQ_CST); break;
        case 6: o = __atomic_fetch_or(q, s32, __ATOMIC_SEQ_CST); break;
        default:
            o = __atomic_load_n(q, __ATOMIC_SEQ_CST);
            while (!__atomic_compare_exchange_n(
                q, &o,
                (uint32_t)amo_minmax(kind - 7, (int32_t)o, (int32_t)s32,
                                     false),
                false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
            }
        }
        cpu->x[d->rd] = (uint64_t)(int64_t)(int32_t)o;
    }
}

static void exec_csr(RiscvCpu *cpu, const RvInsn *d)
{
    unsigned csr = (unsigned)d->imm & 0xfff;
    bool imm = d->op >= OP_CSRRWI;
    uint64_t src = imm ? d->rs1 : cpu->x[d->rs1];
    unsigned kind = d->op - (imm ? OP_CSRRWI : OP_CSRRW);
    uint64_t old;

    if (kind == 0) {
        old = riscv_csr_rmw(cpu, csr, src, ~0ULL, d->rd != RV_SCRATCH_REG,
                            true);
    } else {
        /* csrrs/csrrc with x0 or uimm 0 do not write */
        old = riscv_csr_rmw(cpu, csr, kind == 1 ? ~0ULL : 0, src, true,
                            d->rs1 != 0);
    }
    cpu->x[d->rd] = old;
}

static int64_t div64(int64_t a, int64_t b)
{
    if (b == 0) {
        return -1;
    }
    if (a == INT64_MIN && b == -1) {
        return a;
    }
    return a / b;
}

static int64_t rem64(int64_t a, int64_t b)
{
    if (b == 0) {
        return a;
    }
    if (a == INT64_MIN && b == -1) {
        return 0;
    }
    return a % b;
}

static int32_t div32(int32_t a, int32_t b)
{
    if (b == 0) {
        return -1;
    }
    if (a == INT32_MIN && b == -1) {
        return a;
    }
    return a / b;
}

static int32_t rem32(int32_t a, int32_t b)
{
    if (b == 0) {
        return a;
    }
    if (a == INT32_MIN && b == -1) {
        return 0;
    }
    return a % b;
}

#define SX32(v) ((uint64_t)(int64_t)(int32_t)(v))

/* Fetch the decoded instruction at cpu->pc; may use *tmp for odd cases. */
static inline const RvInsn *fetch(RiscvCpu *cpu, RvInsn *tmp)
{
    uint64_t pc = cpu->pc;

    if (unlikely((pc & RV_PAGE_MASK) != cpu->cur_vpage)) {
        riscv_fetch_page(cpu);
        if (!cpu->cur_dpage) {
            riscv_fetch_slow(cpu, tmp);
            return tmp;
        }
    }
    unsigned off = pc & (RV_PAGE_SIZE - 1);
    RvInsn *d = &cpu->cur_dpage->insn[off >> 1];
    if (unlikely(d->op == OP_UNDECODED)) {
        const uint8_t *host = (const uint8_t *)(cpu->cur_addend + pc);
        uint16_t lo;
        memcpy(&lo, host, 2);
        if ((lo & 3) == 3 && off == RV_PAGE_SIZE - 2) {
            /* 32-bit instruction straddling pages: never cached. */
            riscv_fetch_slow(cpu, tmp);
            return tmp;
        }
        uint32_t raw = lo;
        if ((lo & 3) == 3) {
            uint16_t hi;
            memcpy(&hi, host + 2, 2);
            raw |= (uint32_t)hi << 16;
        }
        riscv_decode(raw, d);
    }
    return d;
}

static RiscvRunResult exec_loop(RiscvCpu *cpu)
{
    uint64_t *x = cpu->x;
    RvInsn tmp;

    for (;;) {
        if (unlikely(atomic_load_explicit(&cpu->attention,
                                          memory_order_relaxed))) {
            if (handle_attention(cpu)) {
                return RISCV_RUN_EXIT;
            }
        }
        if (unlikely(cpu->icount >= cpu->stop_at)) {
            return RISCV_RUN_BUDGET;
        }
        const RvInsn *d = fetch(cpu, &tmp);
        uint64_t pc = cpu->pc;
        uint64_t npc = pc + d->len;
        uint64_t a = x[d->rs1], b = x[d->rs2];
        int64_t imm = d->imm;

        switch (d->op) {
        case OP_LUI: x[d->rd] = imm; break;
        case OP_AUIPC: x[d->rd] = pc + imm; break;
        case OP_JAL: x[d->rd] = npc; npc = pc + imm; break;
        case OP_JALR: npc = (a + imm) & ~1ULL; x[d->rd] = pc + d->len; break;
        case OP_BEQ: if (a == b) npc = pc + imm; break;
        case OP_BNE: if (a != b) npc = pc + imm; break;
        case OP_BLT: if ((int64_t)a < (int64_t)b) npc = pc + imm; break;
        case OP_BGE: if ((int64_t)a >= (int64_t)b) npc = pc + imm; break;
        case OP_BLTU: if (a < b) npc = pc + imm; break;
        case OP_BGEU: if (a >= b) npc = pc + imm; break;
        case OP_LB: x[d->rd] = (int64_t)(int8_t)ld_mem(cpu, a + imm, 1); break;
        case OP_LH: x[d->rd] = (int64_t)(int16_t)ld_mem(cpu, a + imm, 2); break;
        case OP_LW: x[d->rd] = SX32(ld_mem(cpu, a + imm, 4)); break;
        case OP_LD: x[d->rd] = ld_mem(cpu, a + imm, 8); break;
        case OP_LBU: x[d->rd] = ld_mem(cpu, a + imm, 1); break;
        case OP_LHU: x[d->rd] = ld_mem(cpu, a + imm, 2); break;
        case OP_LWU: x[d->rd] = ld_mem(cpu, a + imm, 4); break;
        case OP_SB: st_mem(cpu, a + imm, 1, b); break;
        case OP_SH: st_mem(cpu, a + imm, 2, b); break;
        case OP_SW: st_mem(cpu, a + imm, 4, b); break;
        case OP_SD: st_mem(cpu, a + imm, 8, b); break;
        case OP_ADDI: x[d->rd] = a + imm; break;
        case OP_SLTI: x[d->rd] = (int64_t)a < imm; break;
        case OP_SLTIU: x[d->rd] = a < (uint64_t)imm; break;
        case OP_XORI: x[d->rd] = a ^ imm; break;
        case OP_ORI: x[d->rd] = a | imm; break;
        case OP_ANDI: x[d->rd] = a & imm; break;
        case OP_SLLI: x[d->rd] = a << imm; break;
        case OP_SRLI: x[d->rd] = a >> imm; break;
        case OP_SRAI: x[d->rd] = (int64_t)a >> imm; break;
        case OP_ADD: x[d->rd] = a + b; break;
        case OP_SUB: x[d->rd] = a - b; break;
        case OP_SLL: x[d->rd] = a << (b & 63); break;
        case OP_SLT: x[d->rd] = (int64_t)a < (int64_t)b; break;
        case OP_SLTU: x[d->rd] = a < b; break;
        case OP_XOR: x[d->rd] = a ^ b; break;
        case OP_SRL: x[d->rd] = a >> (b & 63); break;
        case OP_SRA: x[d->rd] = (int64_t)a >> (b & 63); break;
        case OP_OR: x[d->rd] = a | b; break;
        case OP_AND: x[d->rd] = a & b; break;
        case OP_ADDIW: x[d->rd] = SX32(a + imm); break;
        case OP_SLLIW: x[d->rd] = SX32((uint32_t)a << imm); break;
        case OP_SRLIW: x[d->rd] = SX32((uint32_t)a >> imm); break;
        case OP_SRAIW: x[d->rd] = SX32((int32_t)a >> imm); break;
        case OP_ADDW: x[d->rd] = SX32(a + b); break;
        case OP_SUBW: x[d->rd] = SX32(a - b); break;
        case OP_SLLW: x[d->rd] = SX32((uint32_t)a << (b & 31)); break;
        case OP_SRLW: x[d->rd] = SX32((uint32_t)a >> (b & 31)); break;
        case OP_SRAW: x[d->rd] = SX32((int32_t)a >> (b & 31)); break;
        case OP_MUL: x[d->rd] = a * b; break;
        case OP_MULH:
            x[d->rd] = (uint64_t)(((__int128)(int64_t)a * (int64_t)b) >> 64);
            break;
        case OP_MULHSU:
            x[d->rd] =
                (uint64_t)(((__int128)(int64_t)a * (__int128)b) >> 64);
            break;
        case OP_MULHU:
            x[d->rd] = (uint64_t)(((unsigned __int128)a * b) >> 64);
            break;
        case OP_DIV: x[d->rd] = div64(a, b); break;
        case OP_DIVU: x[d->rd] = b ? a / b : UINT64_MAX; break;
        case OP_REM: x[d->rd] = rem64(a, b); break;
        case OP_REMU: x[d->rd] = b ? a % b : a; break;
        case OP_MULW: x[d->rd] = SX32(a * b); break;
        case OP_DIVW: x[d->rd] = SX32(div32(a, b)); break;
        case OP_DIVUW:
            x[d->rd] = SX32((uint32_t)b ? (uint32_t)a / (uint32_t)b
                                        : UINT32_MAX);
            break;
        case OP_REMW: x[d->rd] = SX32(rem32(a, b)); break;
        case OP_REMUW:
            x[d->rd] = SX32((uint32_t)b ? (uint32_t)a % (uint32_t)b
                                        : (uint32_t)a);
            break;
        case OP_FENCE: break;
        case OP_FENCE_I:
            riscv_dcache_flush_all(cpu);
            riscv_request_check(cpu); /* frees the dead pages */
            break;
        case OP_ECALL:
            riscv_raise(cpu, EXC_ECALL_U + cpu->priv, 0);
        case OP_EBREAK:
            riscv_raise(cpu, EXC_BREAKPOINT, pc);
        case OP_MRET:
            if (cpu->priv != RISCV_PRIV_M) {
                illegal_insn(cpu);
            }
            riscv_mret(cpu);
            cpu->icount++;
            continue;
        case OP_SRET:
            if (cpu->priv == RISCV_PRIV_U ||
                (cpu->priv == RISCV_PRIV_S && (cpu->mstatus & MSTATUS_TSR))) {
                illegal_insn(cpu);
            }
            riscv_sret(cpu);
            cpu->icount++;
            continue;
        case OP_WFI:
            if (cpu->priv == RISCV_PRIV_U ||
                (cpu->priv == RISCV_PRIV_S && (cpu->mstatus & MSTATUS_TW))) {
                illegal_insn(cpu);
            }
            cpu->pc = npc;
            cpu->icount++;
            if (!riscv_cpu_wakeup_pending(cpu)) {
                return RISCV_RUN_WFI;
            }
            continue;
        case OP_SFENCE_VMA:
            if (cpu->priv == RISCV_PRIV_U ||
                (cpu->priv == RISCV_PRIV_S && (cpu->mstatus & MSTATUS_TVM))) {
                illegal_insn(cpu);
            }
            if (d->rs1 == 0) {
                riscv_tlb_flush_all(cpu);
            } else {
                riscv_tlb_flush_va(cpu, a);
            }
            break;
        case OP_CSRRW: case OP_CSRRS: case OP_CSRRC:
        case OP_CSRRWI: case OP_CSRRSI: case OP_CSRRCI:
            exec_csr(cpu, d);
            break;
        case OP_LR_W ... OP_AMOMAXU_D:
            exec_amo(cpu, d);
            break;
        case OP_FLW:
            if (riscv_fs_off(cpu)) {
                illegal_insn(cpu);
            }
            cpu->fpr[d->rd] = ld_mem(cpu, a + imm, 4) | 0xffffffff00000000ULL;
            riscv_fs_dirty(cpu);
            break;
        case OP_FLD:
            if (riscv_fs_off(cpu)) {
                illegal_insn(cpu);
            }
            cpu->fpr[d->rd] = ld_mem(cpu, a + imm, 8);
            riscv_fs_dirty(cpu);
            break;
        case OP_FSW:
            if (riscv_fs_off(cpu)) {
                illegal_insn(cpu);
            }
            st_mem(cpu, a + imm, 4, cpu->fpr[d->rs2]);
            break;
        case OP_FSD:
            if (riscv_fs_off(cpu)) {
                illegal_insn(cpu);
            }
            st_mem(cpu, a + imm, 8, cpu->fpr[d->rs2]);
            break;
        case OP_ILLEGAL:
            riscv_raise(cpu, EXC_ILLEGAL, (uint32_t)d->imm);
        default:
            if (d->op >= OP_FP_FIRST && d->op < OP_COUNT) {
                riscv_fpu_exec(cpu, d);
                break;
            }
            illegal_insn(cpu);
        }
        cpu->pc = npc;
        cpu->icount++;
    }
}

RiscvRunResult riscv_cpu_run(RiscvCpu *cpu, uint64_t max_insns)
{
    cpu->stop_at = cpu->icount + max_insns;
    if (cpu->stop_at < cpu->icount) {
        cpu->stop_at = UINT64_MAX;
    }
    riscv_request_check(cpu);
    /* A synchronous exception lands here after the trap was entered. */
    setjmp(cpu->jmp);
    RiscvRunResult r = exec_loop(cpu);
    riscv_fpu_restore_host(cpu);
    return r;
}
