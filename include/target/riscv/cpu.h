/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Software RISC-V CPU (RV64GC, M/S/U, Sv39/Sv48, PMP).
 *
 * The machine owns the physical address space and hands the CPU a table of
 * callbacks (RiscvMemOps).  One RiscvCpu is one hart; harts share nothing
 * except guest RAM, so the machine may run them round-robin in one thread or
 * each in its own thread.  See docs/riscv-cpu.md.
 */
#ifndef TARGET_RISCV_CPU_H
#define TARGET_RISCV_CPU_H

#include <stdbool.h>
#include <stdint.h>

typedef struct RiscvCpu RiscvCpu;

/* Bits of mip/mie (interrupt numbers), usable with riscv_cpu_set_irq(). */
enum {
    RISCV_IRQ_SSI = 1,
    RISCV_IRQ_MSI = 3,
    RISCV_IRQ_STI = 5,
    RISCV_IRQ_MTI = 7,
    RISCV_IRQ_SEI = 9,
    RISCV_IRQ_MEI = 11,
};

/* Privilege levels as encoded in mstatus.MPP. */
enum {
    RISCV_PRIV_U = 0,
    RISCV_PRIV_S = 1,
    RISCV_PRIV_M = 3,
};

typedef struct RiscvMemOps {
    /*
     * Host pointer for guest-physical [pa, pa + len) if that whole range is
     * RAM (or ROM the CPU may read and execute), NULL otherwise.  The CPU
     * asks for whole 4 KiB pages and caches the answer until
     * riscv_cpu_flush_mappings(); the pointer must stay valid until then.
     * Called from the hart's thread only.
     */
    void *(*ram_ptr)(void *opaque, uint64_t pa, uint64_t len);
    /*
     * MMIO access of 1, 2, 4 or 8 naturally aligned bytes.  Return false for
     * a bus error (the CPU raises an access fault).  Called from the hart's
     * thread, with no CPU lock held.
     */
    bool (*mmio_read)(void *opaque, uint64_t pa, unsigned size, uint64_t *val);
    bool (*mmio_write)(void *opaque, uint64_t pa, unsigned size, uint64_t val);
    /* Value of the `time` CSR (the CLINT's mtime). NULL: time reads 0. */
    uint64_t (*read_time)(void *opaque);
    /*
     * Optional: called (from any thread) after riscv_cpu_set_irq() or
     * riscv_cpu_request_exit() so a machine that sleeps on its own
     * primitive can wake the hart's thread.  May be NULL.
     */
    void (*kick)(void *opaque, unsigned hartid);
} RiscvMemOps;

typedef enum RiscvMmuMode {
    RISCV_MMU_SV39 = 8, /* values as in satp.MODE */
    RISCV_MMU_SV48 = 9,
} RiscvMmuMode;

/*
 * The hart's IMSIC interrupt files (AIA), reached through the indirect CSRs
 * (miselect/mireg, siselect/sireg with selectors 0x70..0xff) and
 * mtopei/stopei.  @priv is RISCV_PRIV_M or RISCV_PRIV_S.  Called on the
 * hart's thread with no CPU lock held; the provider synchronises with its
 * MMIO side itself.  See include/hw/intc/riscv_imsic.h.
 */
typedef struct RiscvImsicOps {
    /*
     * Atomic read-modify-write of register @isel: *old = value before,
     * bits in @wmask take those of @wval (wmask 0: plain read).  false:
     * the access raises an illegal instruction.
     */
    bool (*rmw)(void *opaque, unsigned hartid, unsigned priv, unsigned isel,
                uint64_t wval, uint64_t wmask, uint64_t *old);
    /* *topei value; @claim (a CSR write) clears the reported pending bit. */
    uint32_t (*topei)(void *opaque, unsigned hartid, unsigned priv,
                      bool claim);
} RiscvImsicOps;

typedef struct RiscvCpuConfig {
    RiscvMmuMode max_mmu; /* highest satp mode accepted (default Sv48) */
    unsigned pmp_entries; /* 0, 16 or 64 (default 16); 0 = no PMP checks */
    uint64_t mvendorid, marchid, mimpid;
    /*
     * Non-NULL: the hart has an IMSIC at M and S level, hence Smaia and
     * Ssaia (miselect, mireg, mtopei, mtopi, mvien, mvip, siselect, sireg,
     * stopei, stopi), advertised in the ISA strings.  Must outlive the CPU.
     */
    const RiscvImsicOps *imsic;
    void *imsic_opaque;
} RiscvCpuConfig;

typedef enum RiscvRunResult {
    RISCV_RUN_BUDGET, /* max_insns instructions were executed */
    RISCV_RUN_WFI,    /* WFI with no interrupt pending: sleep, then run */
    RISCV_RUN_EXIT,   /* riscv_cpu_request_exit() was called */
} RiscvRunResult;

/* cfg may be NULL for defaults.  ops must outlive the CPU. */
RiscvCpu *riscv_cpu_new(unsigned hartid, const RiscvMemOps *ops, void *opaque,
                        const RiscvCpuConfig *cfg);
void riscv_cpu_free(RiscvCpu *cpu);

/* Reset to M-mode at @pc with all CSRs at their reset values. */
void riscv_cpu_reset(RiscvCpu *cpu, uint64_t pc);

/*
 * Execute until @max_insns instructions retired (a trap counts as one; the
 * budget is exact, never overshot), a WFI with nothing pending, or an exit
 * request.  Interrupts and requests from other threads are seen at the
 * next block end (taken jump, page end, system instruction, slow memory
 * access): within at most 2052 instructions.  After RISCV_RUN_WFI the pc
 * is past the WFI; the caller sleeps (riscv_cpu_wait_for_interrupt or its
 * own way) and runs again.
 */
RiscvRunResult riscv_cpu_run(RiscvCpu *cpu, uint64_t max_insns);

/* Thread-safe: drive one mip line (RISCV_IRQ_*) and wake the hart. */
void riscv_cpu_set_irq(RiscvCpu *cpu, unsigned mip_bit, bool level);
/* Thread-safe: make riscv_cpu_run() return RISCV_RUN_EXIT soon. */
void riscv_cpu_request_exit(RiscvCpu *cpu);
/*
 * Thread-safe: guest RAM [pa, pa+len) was written behind the CPU's back
 * (DMA, another hart without fence.i); drop decoded instructions for it.
 */
void riscv_cpu_invalidate_code(RiscvCpu *cpu, uint64_t pa, uint64_t len);
/* Hart thread only: forget all cached ram_ptr answers (memory map change). */
void riscv_cpu_flush_mappings(RiscvCpu *cpu);

/* True when a WFI would complete now: (mip & mie) != 0 or exit requested. */
bool riscv_cpu_wakeup_pending(RiscvCpu *cpu);
/*
 * Block until riscv_cpu_wakeup_pending() or @timeout_ns (< 0: forever).
 * Returns riscv_cpu_wakeup_pending().
 */
bool riscv_cpu_wait_for_interrupt(RiscvCpu *cpu, int64_t timeout_ns);

/* Device tree strings: "rv64imafdc_..." and "riscv,sv48" / "riscv,sv39". */
const char *riscv_cpu_isa_string(const RiscvCpu *cpu);
const char *riscv_cpu_mmu_type(const RiscvCpu *cpu);
/* NULL-terminated list for "riscv,isa-extensions" ("i", "m", ...). */
const char *const *riscv_cpu_isa_extensions(const RiscvCpu *cpu);

unsigned riscv_cpu_hartid(const RiscvCpu *cpu);
/* Registers.  x0 reads as 0 and ignores writes. */
uint64_t riscv_cpu_get_reg(const RiscvCpu *cpu, unsigned idx);
void riscv_cpu_set_reg(RiscvCpu *cpu, unsigned idx, uint64_t val);
uint64_t riscv_cpu_get_fpr(const RiscvCpu *cpu, unsigned idx);
void riscv_cpu_set_fpr(RiscvCpu *cpu, unsigned idx, uint64_t val);
uint64_t riscv_cpu_get_pc(const RiscvCpu *cpu);
void riscv_cpu_set_pc(RiscvCpu *cpu, uint64_t pc);
unsigned riscv_cpu_get_priv(const RiscvCpu *cpu);
/* Debugger-style CSR access (no privilege checks, no side effects on
 * failure).  Returns false for a CSR that does not exist. */
bool riscv_cpu_read_csr(RiscvCpu *cpu, unsigned csr, uint64_t *val);
bool riscv_cpu_write_csr(RiscvCpu *cpu, unsigned csr, uint64_t val);
/* Instructions retired since reset. */
uint64_t riscv_cpu_icount(const RiscvCpu *cpu);

/* ---- migration (target/riscv/machine.c) ---- */
struct Error;
struct VMStateDescription;
/* The hart's state description ("riscv-cpu", our own layout). */
const struct VMStateDescription *riscv_cpu_vmstate(void);
/* Register the hart as section "riscv-cpu", instance = its hart id.  Call
 * only while the hart is parked around save and load (the VM is stopped). */
bool riscv_cpu_vmstate_register(RiscvCpu *cpu, struct Error **errp);

#endif /* TARGET_RISCV_CPU_H */
