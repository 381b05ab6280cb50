/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Software RISC-V CPU: life cycle, the public API and the interpreter loop.
 *
 * The loop executes pre-decoded instructions (RvInsn) taken from a per-hart
 * cache of decoded physical pages, a block at a time, with threaded
 * dispatch (see exec_loop() and docs/riscv-cpu.md); loads and stores go
 * through a small direct-mapped software TLB that maps guest virtual pages
 * to host pointers, checked inline.  Exceptions unwind to riscv_cpu_run()
 * with longjmp after the trap has been entered.
 */
#include "cpu-internal.h"

#include <stdio.h>
#include "system/memory.h"

static const char *const isa_extensions[] = {
    "i", "m", "a", "f", "d", "c", "zicntr", "zicsr", "zifencei",
    "zihintpause", "zihpm", NULL,
};

/* The same with the AIA extensions a hart with an IMSIC has. */
static const char *const isa_extensions_aia[] = {
    "i", "m", "a", "f", "d", "c", "zicntr", "zicsr", "zifencei",
    "zihintpause", "zihpm", "smaia", "ssaia", NULL,
};

/*
 * Dirty logging started (epoch bumped): the hart must drop its writable
 * TLB entries before it stores again.  It does so at its next attention
 * check; a hart outside riscv_cpu_run() does it when it enters (the
 * entry sets in_run, then reads the epoch: with the epoch bumped before
 * in_run is read here, one side always sees the other).
 */
static bool cpu_dirty_log_sync(void *opaque, unsigned epoch)
{
    RiscvCpu *cpu = opaque;

    if (atomic_load(&cpu->tlb_dirty_epoch) == epoch) {
        return true;
    }
    atomic_store_explicit(&cpu->attention, 1, memory_order_release);
    return !atomic_load(&cpu->in_run);
}

/* Flush the TLB when the dirty log was started or stopped since the
 * last look: new write entries then honour the log. */
static void cpu_dirty_log_check(RiscvCpu *cpu)
{
    unsigned epoch = memory_dirty_log_epoch();

    if (unlikely(atomic_load_explicit(&cpu->tlb_dirty_epoch,
                                      memory_order_relaxed) != epoch)) {
        riscv_tlb_flush_all(cpu);
        atomic_store(&cpu->tlb_dirty_epoch, epoch);
    }
}

/* A store the hart made through a host pointer it got outside the TLB
 * fast path (AMO, SC): mark it after the write. */
static inline void cpu_note_ram_write(void *host, unsigned size)
{
    if (unlikely(memory_global_dirty_log_active())) {
        memory_dirty_mark_host(host, size);
    }
}

void riscv_cpu_update_mmu_ctx(RiscvCpu *cpu)
{
    unsigned eff = cpu->priv;
    if (eff == RISCV_PRIV_M && (cpu->mstatus & MSTATUS_MPRV)) {
        eff = (cpu->mstatus & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT;
    }
    cpu->dmmu = riscv_mmu_idx(eff, cpu->mstatus);
    cpu->immu = riscv_mmu_idx(cpu->priv, cpu->mstatus);
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
    atomic_store(&cpu->tlb_dirty_epoch, memory_dirty_log_epoch());
    cpu->dirty_writer = memory_dirty_log_writer_add(cpu_dirty_log_sync, cpu);
    return cpu;
}

void riscv_cpu_free(RiscvCpu *cpu)
{
    if (!cpu) {
        return;
    }
    memory_dirty_log_writer_remove(cpu->dirty_writer);
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

/* ---------------- instruction helpers ---------------- */

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
    cpu_dirty_log_check(cpu);
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
        if (ok) {
            cpu_note_ram_write(p, size);
        }
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
    cpu_note_ram_write(p, size);
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

/* ---------------- system instructions ---------------- */

typedef enum RvSysResult {
    SYS_CONTINUE,
    SYS_WFI,
} RvSysResult;

/*
 * Instructions that may change the privilege, the MMU context, interrupt
 * enables, the TLB or the decoded code.  They run out of line with
 * cpu->pc and cpu->icount up to date and leave both describing the next
 * instruction; the loop then goes back to its checks, so an interrupt they
 * enable is taken right after them.
 */
static RvSysResult exec_system(RiscvCpu *cpu, const RvInsn *d)
{
    uint64_t pc = cpu->pc, npc = pc + d->len;

    switch (d->op) {
    case OP_FENCE_I:
        riscv_dcache_revalidate_all(cpu);
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
        return SYS_CONTINUE;
    case OP_SRET:
        if (cpu->priv == RISCV_PRIV_U ||
            (cpu->priv == RISCV_PRIV_S && (cpu->mstatus & MSTATUS_TSR))) {
            illegal_insn(cpu);
        }
        riscv_sret(cpu);
        cpu->icount++;
        return SYS_CONTINUE;
    case OP_WFI:
        if (cpu->priv == RISCV_PRIV_U ||
            (cpu->priv == RISCV_PRIV_S && (cpu->mstatus & MSTATUS_TW))) {
            illegal_insn(cpu);
        }
        cpu->pc = npc;
        cpu->icount++;
        return riscv_cpu_wakeup_pending(cpu) ? SYS_CONTINUE : SYS_WFI;
    case OP_SFENCE_VMA:
        if (cpu->priv == RISCV_PRIV_U ||
            (cpu->priv == RISCV_PRIV_S && (cpu->mstatus & MSTATUS_TVM))) {
            illegal_insn(cpu);
        }
        if (d->rs1 == 0) {
            riscv_tlb_flush_all(cpu);
        } else {
            riscv_tlb_flush_va(cpu, cpu->x[d->rs1]);
        }
        break;
    case OP_CSRRW: case OP_CSRRS: case OP_CSRRC:
    case OP_CSRRWI: case OP_CSRRSI: case OP_CSRRCI:
        exec_csr(cpu, d);
        break;
    case OP_ILLEGAL:
        riscv_raise(cpu, EXC_ILLEGAL, (uint32_t)d->imm);
    default:
        illegal_insn(cpu);
    }
    cpu->pc = npc;
    cpu->icount++;
    return SYS_CONTINUE;
}

/* ---------------- the interpreter ---------------- */

/*
 * Most instructions a run of straight-line code can execute without a
 * check: a whole page of compressed instructions, then the page's OP_END.
 */
#define RUN_MARGIN (DPAGE_SLOTS + 4)

#define TLB_IDX(va) (((va) >> RV_PAGE_BITS) & (TLB_SIZE - 1))
/*
 * The guest pc of slot @p of the page being executed: slots are 16-byte
 * aligned and one per halfword, so pc = pcbias + address / 8.
 */
#define PC_OF(p) (pcbias + ((uintptr_t)(p) >> (RV_INSN_SHIFT - 1)))
#define SLOT_OF(pc) ((RvInsn *)(((pc) - pcbias) << (RV_INSN_SHIFT - 1)))
#define DISPATCH() goto *tbl[d->dop]
/* Handlers exist per length: STEP is the instruction length in bytes. */
#define NEXT()                                                                \
    do {                                                                      \
        d = (RvInsn *)((char *)d + (STEP << (RV_INSN_SHIFT - 1)));            \
        ic++;                                                                 \
        DISPATCH();                                                           \
    } while (0)
/* Define handler @name for 4-byte (name_4) and 2-byte (name_2) forms. */
#define DEF(name, ...)                                                        \
    name##_4 : {                                                              \
        enum { STEP = 4 };                                                    \
        __VA_ARGS__                                                           \
    }                                                                         \
    name##_2 : {                                                              \
        enum { STEP = 2 };                                                    \
        __VA_ARGS__                                                           \
    }
#define BOTH(op, name) [op] = &&name##_4, [(op) | DOP_C] = &&name##_2
#define BOTH_RANGE(lo, hi, name)                                              \
    [lo ... hi] = &&name##_4, [(lo) | DOP_C ... (hi) | DOP_C] = &&name##_2
/* Make cpu->pc and cpu->icount exact before anything that may trap. */
#define SYNC()                                                                \
    do {                                                                      \
        cpu->pc = PC_OF(d);                                                   \
        cpu->icount = ic;                                                     \
    } while (0)
#define ATTENTION() atomic_load_explicit(&cpu->attention, memory_order_relaxed)
/*
 * Control transfer: stay in the page while the budget and the attention
 * flag allow, otherwise leave through the checks of the outer loop.  This
 * bounds the instructions between checks by RUN_MARGIN.
 */
#define JUMP(target)                                                          \
    do {                                                                      \
        uint64_t t_ = (target);                                               \
        ic++;                                                                 \
        if (likely((t_ & RV_PAGE_MASK) == vbase && ic < soft_limit &&         \
                   !ATTENTION())) {                                           \
            d = SLOT_OF(t_);                                                  \
            DISPATCH();                                                       \
        }                                                                     \
        npc = t_;                                                             \
        goto leave;                                                           \
    } while (0)
/* After a slow path: an MMIO access may have raised an interrupt, asked
 * for an exit or dropped decoded code; the instruction is complete. */
#define AFTER_SLOW()                                                          \
    do {                                                                      \
        if (unlikely(ATTENTION())) {                                          \
            npc = PC_OF(d) + STEP;                                            \
            ic++;                                                             \
            goto leave;                                                       \
        }                                                                     \
    } while (0)
/* Aligned accesses within one TLB-mapped RAM page run inline. */
#define DO_LOAD(size, utype, wb)                                              \
    do {                                                                      \
        uint64_t va_ = x[d->rs1] + (int64_t)d->imm;                           \
        const RvTlbEntry *e_ = &rtlb[TLB_IDX(va_)];                           \
        uint64_t v_;                                                          \
        if (likely(e_->tag == (va_ & (RV_PAGE_MASK | ((size) - 1))))) {       \
            utype t_;                                                         \
            memcpy(&t_, (const void *)(e_->addend + (uintptr_t)va_), size);   \
            v_ = t_;                                                          \
            wb;                                                               \
            NEXT();                                                           \
        }                                                                     \
        SYNC();                                                               \
        v_ = riscv_load_slow(cpu, va_, size);                                 \
        wb;                                                                   \
        AFTER_SLOW();                                                         \
        NEXT();                                                               \
    } while (0)
#define DO_STORE(size, utype, val)                                            \
    do {                                                                      \
        uint64_t va_ = x[d->rs1] + (int64_t)d->imm;                           \
        const RvTlbEntry *e_ = &wtlb[TLB_IDX(va_)];                           \
        uint64_t v_ = (val);                                                  \
        if (likely(e_->tag == (va_ & (RV_PAGE_MASK | ((size) - 1))))) {       \
            utype t_ = (utype)v_;                                             \
            memcpy((void *)(e_->addend + (uintptr_t)va_), &t_, size);         \
            NEXT();                                                           \
        }                                                                     \
        SYNC();                                                               \
        riscv_store_slow(cpu, va_, size, v_);                                 \
        AFTER_SLOW();                                                         \
        NEXT();                                                               \
    } while (0)
#define ALU(expr)                                                             \
    do {                                                                      \
        uint64_t a = x[d->rs1], b = x[d->rs2];                                \
        int64_t imm = d->imm;                                                 \
        (void)a;                                                              \
        (void)b;                                                              \
        (void)imm;                                                            \
        x[d->rd] = (expr);                                                    \
        NEXT();                                                               \
    } while (0)
#define BRANCH(cond)                                                          \
    do {                                                                      \
        uint64_t a = x[d->rs1], b = x[d->rs2];                                \
        if (cond) {                                                           \
            JUMP(PC_OF(d) + (int64_t)d->imm);                                 \
        }                                                                     \
        NEXT();                                                               \
    } while (0)
#define FP_CHECK()                                                            \
    do {                                                                      \
        if (unlikely(riscv_fs_off(cpu))) {                                    \
            SYNC();                                                           \
            illegal_insn(cpu);                                                \
        }                                                                     \
    } while (0)

/*
 * Threaded interpreter over decoded pages.  A "block" is the run of
 * instructions from an entry point to the next control transfer that
 * leaves the page, exceeds the budget margin or finds the attention flag
 * set; within it the pc and icount live in locals (the pc as the slot
 * pointer d) and are written back before anything that may trap.
 */
/*
 * Keep one dispatch jump per handler (GCC would merge them into a few
 * shared ones, which predict badly).
 */
__attribute__((optimize("no-crossjumping", "no-gcse")))
static RiscvRunResult exec_loop(RiscvCpu *cpu)
{
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
    static const void *const fast[DOP_COUNT] = {
        [0 ... DOP_COUNT - 1] = &&op_system,
        [OP_UNDECODED] = &&op_undecoded,
        [OP_END] = &&op_end,
        BOTH(OP_LUI, op_lui), BOTH(OP_AUIPC, op_auipc),
        BOTH(OP_JAL, op_jal), BOTH(OP_JALR, op_jalr),
        BOTH(OP_BEQ, op_beq), BOTH(OP_BNE, op_bne), BOTH(OP_BLT, op_blt),
        BOTH(OP_BGE, op_bge), BOTH(OP_BLTU, op_bltu), BOTH(OP_BGEU, op_bgeu),
        BOTH(OP_LB, op_lb), BOTH(OP_LH, op_lh), BOTH(OP_LW, op_lw),
        BOTH(OP_LD, op_ld), BOTH(OP_LBU, op_lbu), BOTH(OP_LHU, op_lhu),
        BOTH(OP_LWU, op_lwu),
        BOTH(OP_SB, op_sb), BOTH(OP_SH, op_sh), BOTH(OP_SW, op_sw),
        BOTH(OP_SD, op_sd),
        BOTH(OP_ADDI, op_addi), BOTH(OP_SLTI, op_slti),
        BOTH(OP_SLTIU, op_sltiu), BOTH(OP_XORI, op_xori),
        BOTH(OP_ORI, op_ori), BOTH(OP_ANDI, op_andi),
        BOTH(OP_SLLI, op_slli), BOTH(OP_SRLI, op_srli),
        BOTH(OP_SRAI, op_srai),
        BOTH(OP_ADD, op_add), BOTH(OP_SUB, op_sub), BOTH(OP_SLL, op_sll),
        BOTH(OP_SLT, op_slt), BOTH(OP_SLTU, op_sltu), BOTH(OP_XOR, op_xor),
        BOTH(OP_SRL, op_srl), BOTH(OP_SRA, op_sra), BOTH(OP_OR, op_or),
        BOTH(OP_AND, op_and),
        BOTH(OP_ADDIW, op_addiw), BOTH(OP_SLLIW, op_slliw),
        BOTH(OP_SRLIW, op_srliw), BOTH(OP_SRAIW, op_sraiw),
        BOTH(OP_ADDW, op_addw), BOTH(OP_SUBW, op_subw),
        BOTH(OP_SLLW, op_sllw), BOTH(OP_SRLW, op_srlw),
        BOTH(OP_SRAW, op_sraw),
        BOTH(OP_MUL, op_mul), BOTH(OP_MULH, op_mulh),
        BOTH(OP_MULHSU, op_mulhsu), BOTH(OP_MULHU, op_mulhu),
        BOTH(OP_DIV, op_div), BOTH(OP_DIVU, op_divu), BOTH(OP_REM, op_rem),
        BOTH(OP_REMU, op_remu),
        BOTH(OP_MULW, op_mulw), BOTH(OP_DIVW, op_divw),
        BOTH(OP_DIVUW, op_divuw), BOTH(OP_REMW, op_remw),
        BOTH(OP_REMUW, op_remuw),
        BOTH(OP_FENCE, op_fence),
        BOTH_RANGE(OP_LR_W, OP_AMOMAXU_D, op_amo),
        BOTH(OP_FLW, op_flw), BOTH(OP_FLD, op_fld), BOTH(OP_FSW, op_fsw),
        BOTH(OP_FSD, op_fsd),
        BOTH_RANGE(OP_FP_FIRST, OP_COUNT - 1, op_fp),
    };
#pragma GCC diagnostic pop
    /* Near the end of the budget: check it before every instruction. */
    static const void *const careful[DOP_COUNT] = {
        [0 ... DOP_COUNT - 1] = &&op_careful,
    };
    uint64_t *const x = cpu->x;
    RvInsn tmp[3];
    RvInsn *d;
    /* vbase: the guest page executed; pcbias: see PC_OF() */
    uint64_t vbase, pcbias, ic, soft_limit, npc;
    const RvTlbEntry *rtlb, *wtlb;
    const void *const *tbl;

outer:
    if (unlikely(ATTENTION())) {
        if (handle_attention(cpu)) {
            return RISCV_RUN_EXIT;
        }
    }
    ic = cpu->icount;
    if (unlikely(ic >= cpu->stop_at)) {
        return RISCV_RUN_BUDGET;
    }
    if (likely(cpu->stop_at - ic > RUN_MARGIN)) {
        soft_limit = cpu->stop_at - RUN_MARGIN;
        tbl = fast;
    } else {
        soft_limit = 0;
        tbl = careful;
    }
    rtlb = cpu->tlb[cpu->dmmu][ACC_READ];
    wtlb = cpu->tlb[cpu->dmmu][ACC_WRITE];
    {
        uint64_t pc = cpu->pc;
        const RvTlbEntry *e = &cpu->tlb[cpu->immu][ACC_EXEC][TLB_IDX(pc)];
        RvDecodedPage *pg;

        vbase = pc & RV_PAGE_MASK;
        if (likely(e->tag == vbase && e->dpage)) {
            pg = e->dpage;
        } else {
            riscv_fetch_page(cpu); /* may raise a fetch fault */
            pg = cpu->cur_dpage;
            if (!pg) {
                goto run_one;
            }
        }
        pcbias = vbase - ((uintptr_t)pg->insn >> (RV_INSN_SHIFT - 1));
        d = SLOT_OF(pc);
    }
    DISPATCH();

run_one:
    /*
     * A page PMP does not map uniformly, or a 32-bit instruction across a
     * page boundary: decode it on its own and follow it with OP_END.
     */
    riscv_fetch_slow(cpu, &tmp[0]);
    tmp[1].op = tmp[1].dop = OP_END;
    tmp[2].op = tmp[2].dop = OP_END;
    d = tmp;
    vbase = cpu->pc;
    pcbias = vbase - ((uintptr_t)tmp >> (RV_INSN_SHIFT - 1));
    soft_limit = 0; /* any jump leaves */
    DISPATCH();

leave:
    cpu->pc = npc;
    cpu->icount = ic;
    goto outer;

op_careful:
    if (ic >= cpu->stop_at) {
        SYNC();
        goto outer;
    }
    goto *fast[d->dop];

op_end:
    SYNC();
    goto outer;

op_undecoded: {
    uint64_t pc = PC_OF(d);
    unsigned off = pc & (RV_PAGE_SIZE - 1);
    RvDecodedPage *pg = (RvDecodedPage *)((char *)(d - (off >> 1)) -
                                          offsetof(RvDecodedPage, insn));
    const uint8_t *host = pg->host + off;
    uint16_t lo;
    uint32_t raw;

    memcpy(&lo, host, 2);
    raw = lo;
    if ((lo & 3) == 3) {
        uint16_t hi;
        if (off == RV_PAGE_SIZE - 2) {
            SYNC(); /* straddles pages: never cached */
            goto run_one;
        }
        memcpy(&hi, host + 2, 2);
        raw |= (uint32_t)hi << 16;
    }
    /* what fence.i compares: the bytes actually decoded */
    memcpy(&pg->raw[off], &raw, (lo & 3) == 3 ? 4 : 2);
    riscv_decode(raw, d);
    DISPATCH();
}

op_system:
    SYNC();
    if (exec_system(cpu, d) == SYS_WFI) {
        return RISCV_RUN_WFI;
    }
    goto outer;

DEF(op_fp,
    SYNC();
    riscv_fpu_exec(cpu, d);
    NEXT();
)
DEF(op_amo,
    SYNC();
    exec_amo(cpu, d);
    AFTER_SLOW();
    NEXT();
)
DEF(op_fence, NEXT();)
DEF(op_lui, ALU(imm);)
DEF(op_auipc, ALU(PC_OF(d) + imm);)
DEF(op_jal,
    x[d->rd] = PC_OF(d) + STEP;
    JUMP(PC_OF(d) + (int64_t)d->imm);
)
DEF(op_jalr,
    uint64_t t = (x[d->rs1] + (int64_t)d->imm) & ~1ULL;
    x[d->rd] = PC_OF(d) + STEP;
    JUMP(t);
)
DEF(op_beq, BRANCH(a == b);)
DEF(op_bne, BRANCH(a != b);)
DEF(op_blt, BRANCH((int64_t)a < (int64_t)b);)
DEF(op_bge, BRANCH((int64_t)a >= (int64_t)b);)
DEF(op_bltu, BRANCH(a < b);)
DEF(op_bgeu, BRANCH(a >= b);)
DEF(op_lb, DO_LOAD(1, uint8_t, x[d->rd] = (uint64_t)(int64_t)(int8_t)v_);)
DEF(op_lh, DO_LOAD(2, uint16_t, x[d->rd] = (uint64_t)(int64_t)(int16_t)v_);)
DEF(op_lw, DO_LOAD(4, uint32_t, x[d->rd] = SX32(v_));)
DEF(op_ld, DO_LOAD(8, uint64_t, x[d->rd] = v_);)
DEF(op_lbu, DO_LOAD(1, uint8_t, x[d->rd] = v_);)
DEF(op_lhu, DO_LOAD(2, uint16_t, x[d->rd] = v_);)
DEF(op_lwu, DO_LOAD(4, uint32_t, x[d->rd] = v_);)
DEF(op_sb, DO_STORE(1, uint8_t, x[d->rs2]);)
DEF(op_sh, DO_STORE(2, uint16_t, x[d->rs2]);)
DEF(op_sw, DO_STORE(4, uint32_t, x[d->rs2]);)
DEF(op_sd, DO_STORE(8, uint64_t, x[d->rs2]);)
DEF(op_addi, ALU(a + imm);)
DEF(op_slti, ALU((int64_t)a < imm);)
DEF(op_sltiu, ALU(a < (uint64_t)imm);)
DEF(op_xori, ALU(a ^ imm);)
DEF(op_ori, ALU(a | imm);)
DEF(op_andi, ALU(a & imm);)
DEF(op_slli, ALU(a << imm);)
DEF(op_srli, ALU(a >> imm);)
DEF(op_srai, ALU((uint64_t)((int64_t)a >> imm));)
DEF(op_add, ALU(a + b);)
DEF(op_sub, ALU(a - b);)
DEF(op_sll, ALU(a << (b & 63));)
DEF(op_slt, ALU((int64_t)a < (int64_t)b);)
DEF(op_sltu, ALU(a < b);)
DEF(op_xor, ALU(a ^ b);)
DEF(op_srl, ALU(a >> (b & 63));)
DEF(op_sra, ALU((uint64_t)((int64_t)a >> (b & 63)));)
DEF(op_or, ALU(a | b);)
DEF(op_and, ALU(a & b);)
DEF(op_addiw, ALU(SX32(a + imm));)
DEF(op_slliw, ALU(SX32((uint32_t)a << imm));)
DEF(op_srliw, ALU(SX32((uint32_t)a >> imm));)
DEF(op_sraiw, ALU(SX32((int32_t)a >> imm));)
DEF(op_addw, ALU(SX32(a + b));)
DEF(op_subw, ALU(SX32(a - b));)
DEF(op_sllw, ALU(SX32((uint32_t)a << (b & 31)));)
DEF(op_srlw, ALU(SX32((uint32_t)a >> (b & 31)));)
DEF(op_sraw, ALU(SX32((int32_t)a >> (b & 31)));)
DEF(op_mul, ALU(a * b);)
DEF(op_mulh, ALU((uint64_t)(((__int128)(int64_t)a * (int64_t)b) >> 64));)
DEF(op_mulhsu, ALU((uint64_t)(((__int128)(int64_t)a * (__int128)b) >> 64));)
DEF(op_mulhu, ALU((uint64_t)(((unsigned __int128)a * b) >> 64));)
DEF(op_div, ALU((uint64_t)div64(a, b));)
DEF(op_divu, ALU(b ? a / b : UINT64_MAX);)
DEF(op_rem, ALU((uint64_t)rem64(a, b));)
DEF(op_remu, ALU(b ? a % b : a);)
DEF(op_mulw, ALU(SX32(a * b));)
DEF(op_divw, ALU(SX32(div32(a, b)));)
DEF(op_divuw, ALU(SX32((uint32_t)b ? (uint32_t)a / (uint32_t)b : UINT32_MAX));)
DEF(op_remw, ALU(SX32(rem32(a, b)));)
DEF(op_remuw,
    ALU(SX32((uint32_t)b ? (uint32_t)a % (uint32_t)b : (uint32_t)a));)
DEF(op_flw,
    FP_CHECK();
    DO_LOAD(4, uint32_t,
            (cpu->fpr[d->rd] = v_ | 0xffffffff00000000ULL,
             riscv_fs_dirty(cpu)));
)
DEF(op_fld,
    FP_CHECK();
    DO_LOAD(8, uint64_t, (cpu->fpr[d->rd] = v_, riscv_fs_dirty(cpu)));
)
DEF(op_fsw,
    FP_CHECK();
    DO_STORE(4, uint32_t, cpu->fpr[d->rs2]);
)
DEF(op_fsd,
    FP_CHECK();
    DO_STORE(8, uint64_t, cpu->fpr[d->rs2]);
)
}

#undef DEF
#undef BOTH
#undef BOTH_RANGE
#undef ALU
#undef BRANCH
#undef DO_LOAD
#undef DO_STORE


RiscvRunResult riscv_cpu_run(RiscvCpu *cpu, uint64_t max_insns)
{
    cpu->stop_at = cpu->icount + max_insns;
    if (cpu->stop_at < cpu->icount) {
        cpu->stop_at = UINT64_MAX;
    }
    riscv_request_check(cpu);
    /* Before the first check of the dirty log epoch (handle_attention). */
    atomic_store(&cpu->in_run, true);
    /* A synchronous exception lands here after the trap was entered. */
    setjmp(cpu->jmp);
    RiscvRunResult r = exec_loop(cpu);
    riscv_fpu_restore_host(cpu);
    atomic_store(&cpu->in_run, false);
    return r;
}
