/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internal state of the software RISC-V CPU, shared by the files of
 * target/riscv only.
 */
#ifndef TARGET_RISCV_CPU_INTERNAL_H
#define TARGET_RISCV_CPU_INTERNAL_H

#include <glib.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdatomic.h>
#include <string.h>

#include "target/riscv/cpu.h"

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define RV_PAGE_BITS 12
#define RV_PAGE_SIZE (1ULL << RV_PAGE_BITS)
#define RV_PAGE_MASK (~(RV_PAGE_SIZE - 1))

/* ---- CSR numbers ---- */
enum {
    CSR_FFLAGS = 0x001, CSR_FRM = 0x002, CSR_FCSR = 0x003,
    CSR_CYCLE = 0xc00, CSR_TIME = 0xc01, CSR_INSTRET = 0xc02,
    CSR_HPMCOUNTER3 = 0xc03, CSR_HPMCOUNTER31 = 0xc1f,
    CSR_SSTATUS = 0x100, CSR_SIE = 0x104, CSR_STVEC = 0x105,
    CSR_SCOUNTEREN = 0x106, CSR_SENVCFG = 0x10a, CSR_SSCRATCH = 0x140,
    CSR_SEPC = 0x141, CSR_SCAUSE = 0x142, CSR_STVAL = 0x143, CSR_SIP = 0x144,
    CSR_SATP = 0x180,
    CSR_MVENDORID = 0xf11, CSR_MARCHID = 0xf12, CSR_MIMPID = 0xf13,
    CSR_MHARTID = 0xf14, CSR_MCONFIGPTR = 0xf15,
    CSR_MSTATUS = 0x300, CSR_MISA = 0x301, CSR_MEDELEG = 0x302,
    CSR_MIDELEG = 0x303, CSR_MIE = 0x304, CSR_MTVEC = 0x305,
    CSR_MCOUNTEREN = 0x306, CSR_MENVCFG = 0x30a, CSR_MCOUNTINHIBIT = 0x320,
    CSR_MHPMEVENT3 = 0x323, CSR_MHPMEVENT31 = 0x33f,
    CSR_MSCRATCH = 0x340, CSR_MEPC = 0x341, CSR_MCAUSE = 0x342,
    CSR_MTVAL = 0x343, CSR_MIP = 0x344,
    CSR_PMPCFG0 = 0x3a0, CSR_PMPCFG15 = 0x3af,
    CSR_PMPADDR0 = 0x3b0, CSR_PMPADDR63 = 0x3ef,
    CSR_MCYCLE = 0xb00, CSR_MINSTRET = 0xb02,
    CSR_MHPMCOUNTER3 = 0xb03, CSR_MHPMCOUNTER31 = 0xb1f,
    /* Smaia / Ssaia */
    CSR_MVIEN = 0x308, CSR_MVIP = 0x309,
    CSR_MISELECT = 0x350, CSR_MIREG = 0x351, CSR_MTOPEI = 0x35c,
    CSR_MTOPI = 0xfb0,
    CSR_SISELECT = 0x150, CSR_SIREG = 0x151, CSR_STOPEI = 0x15c,
    CSR_STOPI = 0xdb0,
};

/* *iselect ranges (AIA): major interrupt priorities, IMSIC registers. */
#define ISELECT_IPRIO0 0x30
#define ISELECT_IPRIO15 0x3f
#define ISELECT_IMSIC_FIRST 0x70
#define ISELECT_IMSIC_LAST 0xff
#define ISELECT_MASK 0xfff
/* *topi: IID in bits 27:16; IPRIO (bits 7:0) is 1 as no iprio is set. */
#define TOPI_IID_SHIFT 16

/* ---- mstatus ---- */
#define MSTATUS_SIE  (1ULL << 1)
#define MSTATUS_MIE  (1ULL << 3)
#define MSTATUS_SPIE (1ULL << 5)
#define MSTATUS_MPIE (1ULL << 7)
#define MSTATUS_SPP  (1ULL << 8)
#define MSTATUS_MPP_SHIFT 11
#define MSTATUS_MPP  (3ULL << 11)
#define MSTATUS_FS   (3ULL << 13)
#define MSTATUS_MPRV (1ULL << 17)
#define MSTATUS_SUM  (1ULL << 18)
#define MSTATUS_MXR  (1ULL << 19)
#define MSTATUS_TVM  (1ULL << 20)
#define MSTATUS_TW   (1ULL << 21)
#define MSTATUS_TSR  (1ULL << 22)
#define MSTATUS_UXL  (3ULL << 32)
#define MSTATUS_SXL  (3ULL << 34)
#define MSTATUS_SD   (1ULL << 63)

#define MIP_SSIP (1ULL << RISCV_IRQ_SSI)
#define MIP_MSIP (1ULL << RISCV_IRQ_MSI)
#define MIP_STIP (1ULL << RISCV_IRQ_STI)
#define MIP_MTIP (1ULL << RISCV_IRQ_MTI)
#define MIP_SEIP (1ULL << RISCV_IRQ_SEI)
#define MIP_MEIP (1ULL << RISCV_IRQ_MEI)
#define MIP_S_MASK (MIP_SSIP | MIP_STIP | MIP_SEIP)
#define MIP_ALL (MIP_S_MASK | MIP_MSIP | MIP_MTIP | MIP_MEIP)

/* ---- exception causes ---- */
enum {
    EXC_INSN_MISALIGNED = 0,
    EXC_INSN_ACCESS = 1,
    EXC_ILLEGAL = 2,
    EXC_BREAKPOINT = 3,
    EXC_LOAD_MISALIGNED = 4,
    EXC_LOAD_ACCESS = 5,
    EXC_STORE_MISALIGNED = 6,
    EXC_STORE_ACCESS = 7,
    EXC_ECALL_U = 8,
    EXC_ECALL_S = 9,
    EXC_ECALL_M = 11,
    EXC_INSN_PAGE = 12,
    EXC_LOAD_PAGE = 13,
    EXC_STORE_PAGE = 15,
};

/* Access types; also the index of the TLB array. */
typedef enum RvAccess {
    ACC_READ = 0,
    ACC_WRITE = 1,
    ACC_EXEC = 2,
} RvAccess;

/* MMU contexts: each caches its own translations. */
enum {
    MMU_U = 0,
    MMU_S = 1,     /* S-mode with SUM=0 */
    MMU_S_SUM = 2, /* S-mode with SUM=1 */
    MMU_M = 3,
    MMU_COUNT = 4,
};

#define TLB_BITS 8
#define TLB_SIZE (1u << TLB_BITS)
/*
 * Tag flags live in bits 10 and 11: the fast paths compare the tag with
 * va & (RV_PAGE_MASK | (size - 1)), which never has those bits set, so an
 * invalid or MMIO entry (or a misaligned access) always misses.
 */
#define TLB_INVALID 0x400ULL /* never equal to a masked address */
#define TLB_MMIO    0x800ULL /* page is MMIO: always take the slow path */
/*
 * Write entries filled while dirty logging is on: the page is RAM but
 * every store takes the slow path, which marks the page dirty after
 * writing (a clean page is write-protected in the TLB).
 */
#define TLB_NOTDIRTY 0x200ULL

struct RvDecodedPage;

typedef struct RvTlbEntry {
    uint64_t tag;     /* virtual page, or TLB_INVALID; | TLB_MMIO */
    uintptr_t addend; /* host address = guest virtual + addend */
    uint64_t pa_page;
    /* execute entries: the decoded page of pa_page, NULL until looked up */
    struct RvDecodedPage *dpage;
} RvTlbEntry;

/* ---- decoded instructions ---- */
typedef enum RvOp {
    OP_UNDECODED = 0,
    OP_ILLEGAL,
    OP_LUI, OP_AUIPC, OP_JAL, OP_JALR,
    OP_BEQ, OP_BNE, OP_BLT, OP_BGE, OP_BLTU, OP_BGEU,
    OP_LB, OP_LH, OP_LW, OP_LD, OP_LBU, OP_LHU, OP_LWU,
    OP_SB, OP_SH, OP_SW, OP_SD,
    OP_ADDI, OP_SLTI, OP_SLTIU, OP_XORI, OP_ORI, OP_ANDI,
    OP_SLLI, OP_SRLI, OP_SRAI,
    OP_ADD, OP_SUB, OP_SLL, OP_SLT, OP_SLTU, OP_XOR, OP_SRL, OP_SRA,
    OP_OR, OP_AND,
    OP_ADDIW, OP_SLLIW, OP_SRLIW, OP_SRAIW,
    OP_ADDW, OP_SUBW, OP_SLLW, OP_SRLW, OP_SRAW,
    OP_MUL, OP_MULH, OP_MULHSU, OP_MULHU, OP_DIV, OP_DIVU, OP_REM, OP_REMU,
    OP_MULW, OP_DIVW, OP_DIVUW, OP_REMW, OP_REMUW,
    OP_FENCE, OP_FENCE_I,
    OP_ECALL, OP_EBREAK, OP_MRET, OP_SRET, OP_WFI, OP_SFENCE_VMA,
    OP_CSRRW, OP_CSRRS, OP_CSRRC, OP_CSRRWI, OP_CSRRSI, OP_CSRRCI,
    /* A: the ".W" ops, then the ".D" ops, in the same order */
    OP_LR_W, OP_SC_W, OP_AMOSWAP_W, OP_AMOADD_W, OP_AMOXOR_W, OP_AMOAND_W,
    OP_AMOOR_W, OP_AMOMIN_W, OP_AMOMAX_W, OP_AMOMINU_W, OP_AMOMAXU_W,
    OP_LR_D, OP_SC_D, OP_AMOSWAP_D, OP_AMOADD_D, OP_AMOXOR_D, OP_AMOAND_D,
    OP_AMOOR_D, OP_AMOMIN_D, OP_AMOMAX_D, OP_AMOMINU_D, OP_AMOMAXU_D,
    OP_FLW, OP_FLD, OP_FSW, OP_FSD,
    /* Never decoded: the sentinel after the last slot of a decoded page. */
    OP_END,
    /* Everything from OP_FP_FIRST on is handled by riscv_fpu_exec(). */
    OP_FP_FIRST,
    OP_FMADD_S = OP_FP_FIRST, OP_FMSUB_S, OP_FNMSUB_S, OP_FNMADD_S,
    OP_FADD_S, OP_FSUB_S, OP_FMUL_S, OP_FDIV_S, OP_FSQRT_S,
    OP_FSGNJ_S, OP_FSGNJN_S, OP_FSGNJX_S, OP_FMIN_S, OP_FMAX_S,
    OP_FCVT_W_S, OP_FCVT_WU_S, OP_FCVT_L_S, OP_FCVT_LU_S,
    OP_FMV_X_W, OP_FCLASS_S, OP_FEQ_S, OP_FLT_S, OP_FLE_S,
    OP_FCVT_S_W, OP_FCVT_S_WU, OP_FCVT_S_L, OP_FCVT_S_LU, OP_FMV_W_X,
    OP_FMADD_D, OP_FMSUB_D, OP_FNMSUB_D, OP_FNMADD_D,
    OP_FADD_D, OP_FSUB_D, OP_FMUL_D, OP_FDIV_D, OP_FSQRT_D,
    OP_FSGNJ_D, OP_FSGNJN_D, OP_FSGNJX_D, OP_FMIN_D, OP_FMAX_D,
    OP_FCVT_W_D, OP_FCVT_WU_D, OP_FCVT_L_D, OP_FCVT_LU_D,
    OP_FMV_X_D, OP_FCLASS_D, OP_FEQ_D, OP_FLT_D, OP_FLE_D,
    OP_FCVT_D_W, OP_FCVT_D_WU, OP_FCVT_D_L, OP_FCVT_D_LU, OP_FMV_D_X,
    OP_FCVT_S_D, OP_FCVT_D_S,
    OP_COUNT
} RvOp;

/*
 * One decoded instruction.  Integer destinations of x0 are redirected to
 * the scratch register x[32], so the executor never tests rd == 0.
 */
typedef struct RvInsn {
    uint16_t op;
    uint8_t rd, rs1, rs2, rs3;
    uint8_t len; /* 2 or 4 */
    uint8_t rm;  /* FP rounding mode field; aq/rl for AMOs */
    int32_t imm; /* immediate; CSR number; raw bits for OP_ILLEGAL */
    uint16_t dop; /* dispatch index: op, | DOP_C when len == 2 */
    uint16_t pad; /* 16 bytes: slot addresses are shifts of the pc */
} __attribute__((aligned(16))) RvInsn;

/*
 * The interpreter has a handler per operation and length, so sequential
 * execution advances by a constant instead of loading the length.
 */
#define DOP_C 0x100
#define DOP_COUNT (2 * DOP_C)
_Static_assert(OP_COUNT <= DOP_C, "dispatch index");

/* log2(sizeof(RvInsn)); one slot per guest halfword. */
#define RV_INSN_SHIFT 4
_Static_assert(sizeof(RvInsn) == 1u << RV_INSN_SHIFT, "RvInsn size");

#define RV_SCRATCH_REG 32
#define DPAGE_SLOTS (RV_PAGE_SIZE / 2)

/*
 * Decoded instructions of one physical page, one slot per halfword, and an
 * OP_END sentinel after the last slot, so straight-line execution leaves
 * the page without a bounds check per instruction.  Slots are decoded
 * lazily from guest RAM (@host) and the bytes each was decoded from are
 * kept in @raw: fence.i only checks those against RAM (when the page is
 * next entered) instead of throwing every decoded page away.
 */
typedef struct RvDecodedPage {
    uint64_t pa_page;
    uint64_t gen; /* cpu->code_gen when @raw was last known current */
    RvInsn insn[DPAGE_SLOTS + 1];
    const uint8_t *host; /* the page in guest RAM */
    uint8_t raw[RV_PAGE_SIZE];
} RvDecodedPage;

#define DCACHE_BUCKETS 4096 /* open-addressed, power of two */
#define DCACHE_MAX_PAGES 2048

#define PMP_MAX 64
#define INVAL_QUEUE 32

struct RiscvCpu {
    /* hot state first */
    uint64_t x[33];
    uint64_t pc;
    uint64_t fpr[32];
    uint64_t icount;  /* instructions retired since reset */
    uint64_t stop_at; /* icount at which riscv_cpu_run() returns */
    unsigned priv;
    unsigned dmmu;        /* MMU context for loads/stores (MPRV aware) */
    unsigned immu;        /* MMU context for instruction fetch */
    /*
     * Nonzero when the loop must look at interrupts, exit requests, code
     * invalidations or dead decoded pages; checked at every block end
     * (see exec_loop()).  Set by other threads and internally (CSR writes,
     * xRET, traps, dropped decoded pages).
     */
    atomic_int attention;

    /* fetch cache: current virtual code page and its decoded page */
    uint64_t cur_vpage; /* TLB_INVALID when none */
    RvDecodedPage *cur_dpage; /* riscv_fetch_page()'s answer, or NULL */

    RvTlbEntry tlb[MMU_COUNT][3][TLB_SIZE];
    /* Virtual range covered by superpage fills since the last full flush. */
    uint64_t super_lo, super_hi;
    /*
     * Dirty logging: the log epoch the TLB was last flushed for, and
     * whether riscv_cpu_run() is executing (see cpu_dirty_log_sync()).
     */
    atomic_uint tlb_dirty_epoch;
    atomic_bool in_run;
    struct DirtyLogWriter *dirty_writer;

    /* CSR state */
    uint64_t mstatus;
    uint64_t misa;
    uint64_t medeleg, mideleg;
    uint64_t mie;
    uint64_t mip_sw;            /* SSIP/STIP/SEIP written by software */
    _Atomic uint64_t mip_lines; /* driven by riscv_cpu_set_irq() */
    uint64_t mtvec, stvec;
    uint64_t mscratch, sscratch;
    uint64_t mepc, sepc;
    uint64_t mcause, scause;
    uint64_t mtval, stval;
    uint64_t mcounteren, scounteren, mcountinhibit;
    uint64_t menvcfg, senvcfg;
    uint64_t satp;
    uint64_t miselect, siselect; /* AIA, only with cfg.imsic */
    uint64_t cycle_offset, instret_offset;
    uint32_t fflags, frm;
    uint8_t pmpcfg[PMP_MAX];
    uint64_t pmpaddr[PMP_MAX];
    bool pmp_any_locked;

    /* LR/SC reservation (physical address, value seen by LR) */
    bool resv_valid;
    uint64_t resv_pa;
    uint64_t resv_val;

    /* decoded instruction cache */
    struct {
        uint64_t key; /* pa_page | 1 when used (pa_page is 4K aligned) */
        RvDecodedPage *page;
    } dcache[DCACHE_BUCKETS];
    unsigned dcache_used;
    uint64_t code_gen; /* bumped by fence.i */
    GPtrArray *dead_pages; /* freed at the next instruction boundary */

    /* cross-thread requests, protected by lock */
    GMutex lock;
    GCond cond;
    atomic_bool exit_request;
    atomic_bool inval_pending; /* inval[] or inval_all has work */
    bool inval_all;
    unsigned n_inval;
    struct {
        uint64_t pa, len;
    } inval[INVAL_QUEUE];

    jmp_buf jmp;
    const RiscvMemOps *ops;
    void *opaque;
    RiscvCpuConfig cfg;
    unsigned hartid;
    uint64_t fp_host_rm; /* cached host rounding mode, -1 unknown */
    char isa[96];
    const char *const *isa_ext;
};

/* cpu.c */
void riscv_cpu_update_mmu_ctx(RiscvCpu *cpu);

/* csr.c */
_Noreturn void riscv_raise(RiscvCpu *cpu, uint64_t cause, uint64_t tval);
void riscv_do_trap(RiscvCpu *cpu, uint64_t cause, bool irq, uint64_t tval);
bool riscv_check_interrupts(RiscvCpu *cpu);
uint64_t riscv_pending_irqs(RiscvCpu *cpu);
/* CSR instruction; raises illegal instruction itself. */
uint64_t riscv_csr_rmw(RiscvCpu *cpu, unsigned csr, uint64_t wval,
                       uint64_t wmask, bool do_read, bool do_write);
void riscv_mret(RiscvCpu *cpu);
void riscv_sret(RiscvCpu *cpu);
void riscv_csr_reset(RiscvCpu *cpu);
bool riscv_csr_debug_read(RiscvCpu *cpu, unsigned csr, uint64_t *val);
bool riscv_csr_debug_write(RiscvCpu *cpu, unsigned csr, uint64_t val);

/* mmu.c */
void riscv_tlb_flush_all(RiscvCpu *cpu);
void riscv_tlb_flush_va(RiscvCpu *cpu, uint64_t va);
uint64_t riscv_load_slow(RiscvCpu *cpu, uint64_t va, unsigned size);
void riscv_store_slow(RiscvCpu *cpu, uint64_t va, unsigned size,
                      uint64_t val);
/* Host pointer for an aligned AMO/LR/SC of @size bytes (raises faults). */
void *riscv_amo_ptr(RiscvCpu *cpu, uint64_t va, unsigned size, bool is_lr,
                    uint64_t *pa);
/*
 * Make cur_vpage/cur_dpage describe the page of cpu->pc (raises faults);
 * cur_dpage is NULL when the page cannot be cached (PMP finer than a
 * page).  Also caches the decoded page in the execute TLB entry.
 */
void riscv_fetch_page(RiscvCpu *cpu);
/* Decode the instruction at cpu->pc into *out (page crossing case). */
void riscv_fetch_slow(RiscvCpu *cpu, RvInsn *out);
void riscv_dcache_flush_all(RiscvCpu *cpu);
/* fence.i: check every decoded page against RAM before its next use. */
void riscv_dcache_revalidate_all(RiscvCpu *cpu);
void riscv_dcache_invalidate_range(RiscvCpu *cpu, uint64_t pa, uint64_t len);
void riscv_free_dead_pages(RiscvCpu *cpu);
bool riscv_pmp_csr_write(RiscvCpu *cpu, unsigned csr, uint64_t val);
uint64_t riscv_pmp_csr_read(RiscvCpu *cpu, unsigned csr);

/* decode.c */
void riscv_decode(uint32_t raw, RvInsn *out);

/* fpu.c */
void riscv_fpu_exec(RiscvCpu *cpu, const RvInsn *d);
/* Put the host rounding mode back to nearest-even. */
void riscv_fpu_restore_host(RiscvCpu *cpu);
static inline bool riscv_fs_off(const RiscvCpu *cpu)
{
    return (cpu->mstatus & MSTATUS_FS) == 0;
}
static inline void riscv_fs_dirty(RiscvCpu *cpu)
{
    cpu->mstatus |= MSTATUS_FS | MSTATUS_SD;
}

static inline void riscv_request_check(RiscvCpu *cpu)
{
    atomic_store_explicit(&cpu->attention, 1, memory_order_relaxed);
}

static inline unsigned riscv_mmu_idx(unsigned priv, uint64_t mstatus)
{
    if (priv == RISCV_PRIV_M) {
        return MMU_M;
    }
    if (priv == RISCV_PRIV_S) {
        return (mstatus & MSTATUS_SUM) ? MMU_S_SUM : MMU_S;
    }
    return MMU_U;
}

#endif /* TARGET_RISCV_CPU_INTERNAL_H */
