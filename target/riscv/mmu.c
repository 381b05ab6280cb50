/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Address translation (Sv39/Sv48), PMP, the software TLB, the slow paths of
 * guest memory access and the decoded-instruction cache.
 */
#include "cpu-internal.h"
#include "system/memory.h"

#define PTE_V (1ULL << 0)
#define PTE_R (1ULL << 1)
#define PTE_W (1ULL << 2)
#define PTE_X (1ULL << 3)
#define PTE_U (1ULL << 4)
#define PTE_G (1ULL << 5)
#define PTE_A (1ULL << 6)
#define PTE_D (1ULL << 7)
#define PTE_PPN_SHIFT 10
#define PTE_PPN_MASK ((1ULL << 44) - 1)
#define PTE_RESERVED (0x3ffULL << 54) /* N, PBMT and reserved bits */

#define PMP_R 1
#define PMP_W 2
#define PMP_X 4
#define PMP_A_SHIFT 3
#define PMP_L 0x80
enum { PMP_OFF, PMP_TOR, PMP_NA4, PMP_NAPOT };

#define PA_BITS 56

/* ---------------- TLB ---------------- */

void riscv_tlb_flush_all(RiscvCpu *cpu)
{
    RvTlbEntry *e = &cpu->tlb[0][0][0];
    size_t n = sizeof(cpu->tlb) / sizeof(*e);

    for (size_t i = 0; i < n; i++) {
        e[i].tag = TLB_INVALID;
    }
    cpu->super_lo = UINT64_MAX;
    cpu->super_hi = 0;
    cpu->cur_vpage = TLB_INVALID;
}

void riscv_tlb_flush_va(RiscvCpu *cpu, uint64_t va)
{
    uint64_t page = va & RV_PAGE_MASK;
    unsigned idx = (va >> RV_PAGE_BITS) & (TLB_SIZE - 1);

    /* A 4K slice of a superpage may sit at another index: be safe. */
    if (va >= cpu->super_lo && va <= cpu->super_hi) {
        riscv_tlb_flush_all(cpu);
        return;
    }
    for (unsigned m = 0; m < MMU_COUNT; m++) {
        for (unsigned t = 0; t < 3; t++) {
            RvTlbEntry *e = &cpu->tlb[m][t][idx];
            if ((e->tag & RV_PAGE_MASK) == page) {
                e->tag = TLB_INVALID;
            }
        }
    }
    cpu->cur_vpage = TLB_INVALID;
}

/* Forget write entries that point at a physical page that now holds code. */
static void tlb_unmap_write_pa(RiscvCpu *cpu, uint64_t pa_page)
{
    for (unsigned m = 0; m < MMU_COUNT; m++) {
        for (unsigned i = 0; i < TLB_SIZE; i++) {
            RvTlbEntry *e = &cpu->tlb[m][ACC_WRITE][i];
            if (e->tag != TLB_INVALID && e->pa_page == pa_page) {
                e->tag = TLB_INVALID;
            }
        }
    }
}

/*
 * Execute entries cache the decoded page of their physical page; forget
 * the pointer when that page is dropped (@pa_page == -1: all of them).
 */
static void tlb_forget_dpages(RiscvCpu *cpu, uint64_t pa_page)
{
    for (unsigned m = 0; m < MMU_COUNT; m++) {
        for (unsigned i = 0; i < TLB_SIZE; i++) {
            RvTlbEntry *e = &cpu->tlb[m][ACC_EXEC][i];
            if (pa_page == UINT64_MAX || e->pa_page == pa_page) {
                e->dpage = NULL;
            }
        }
    }
}

/* ---------------- PMP ---------------- */

static unsigned pmp_mode(uint8_t cfg)
{
    return (cfg >> PMP_A_SHIFT) & 3;
}

/* Byte range [*lo, *hi] of entry i; false when the entry is off/empty. */
static bool pmp_range(RiscvCpu *cpu, unsigned i, uint64_t *lo, uint64_t *hi)
{
    uint64_t a = cpu->pmpaddr[i];

    switch (pmp_mode(cpu->pmpcfg[i])) {
    case PMP_TOR: {
        uint64_t prev = i ? cpu->pmpaddr[i - 1] << 2 : 0;
        uint64_t top = a << 2;
        if (top <= prev) {
            return false;
        }
        *lo = prev;
        *hi = top - 1;
        return true;
    }
    case PMP_NA4:
        *lo = a << 2;
        *hi = *lo + 3;
        return true;
    case PMP_NAPOT: {
        unsigned ones = __builtin_ctzll(~a); /* a == all-ones: 64 */
        if (ones >= 54) {
            *lo = 0;
            *hi = UINT64_MAX;
            return true;
        }
        uint64_t size = 8ULL << ones;
        *lo = (a << 2) & ~(size - 1);
        *hi = *lo + size - 1;
        return true;
    }
    }
    return false;
}

/*
 * Permissions (PMP_R/W/X) that PMP grants to privilege @priv for the bytes
 * [addr, addr + len).  *uniform_page is set when the answer holds for the
 * whole 4K page, so the TLB may cache it.
 */
static unsigned pmp_perms(RiscvCpu *cpu, uint64_t addr, uint64_t len,
                          unsigned priv, bool *uniform_page)
{
    uint64_t page = addr & RV_PAGE_MASK, page_end = page + RV_PAGE_SIZE - 1;
    uint64_t end = addr + len - 1;

    *uniform_page = true;
    if (cpu->cfg.pmp_entries == 0) {
        return PMP_R | PMP_W | PMP_X;
    }
    for (unsigned i = 0; i < cpu->cfg.pmp_entries; i++) {
        uint64_t lo, hi;
        if (!pmp_range(cpu, i, &lo, &hi)) {
            continue;
        }
        if (hi < page || lo > page_end) {
            continue; /* does not touch this page at all */
        }
        if (lo > page || hi < page_end) {
            *uniform_page = false;
        }
        if (hi < addr || lo > end) {
            continue; /* touches the page, not this access */
        }
        if (lo > addr || hi < end) {
            return 0; /* partial match fails */
        }
        uint8_t cfg = cpu->pmpcfg[i];
        if (priv == RISCV_PRIV_M && !(cfg & PMP_L)) {
            return PMP_R | PMP_W | PMP_X;
        }
        return cfg & (PMP_R | PMP_W | PMP_X);
    }
    return priv == RISCV_PRIV_M ? PMP_R | PMP_W | PMP_X : 0;
}

static bool pmp_locked(RiscvCpu *cpu, unsigned i)
{
    return cpu->pmpcfg[i] & PMP_L;
}

uint64_t riscv_pmp_csr_read(RiscvCpu *cpu, unsigned csr)
{
    if (csr >= CSR_PMPADDR0) {
        unsigned i = csr - CSR_PMPADDR0;
        return i < cpu->cfg.pmp_entries ? cpu->pmpaddr[i] : 0;
    }
    unsigned base = (csr - CSR_PMPCFG0) * 4;
    uint64_t v = 0;
    for (unsigned j = 0; j < 8; j++) {
        if (base + j < cpu->cfg.pmp_entries) {
            v |= (uint64_t)cpu->pmpcfg[base + j] << (8 * j);
        }
    }
    return v;
}

/* Returns false for a CSR that does not exist (odd pmpcfg on RV64). */
bool riscv_pmp_csr_write(RiscvCpu *cpu, unsigned csr, uint64_t val)
{
    if (csr >= CSR_PMPADDR0) {
        unsigned i = csr - CSR_PMPADDR0;
        if (i >= cpu->cfg.pmp_entries || pmp_locked(cpu, i)) {
            return true;
        }
        if (i + 1 < cpu->cfg.pmp_entries && pmp_locked(cpu, i + 1) &&
            pmp_mode(cpu->pmpcfg[i + 1]) == PMP_TOR) {
            return true;
        }
        cpu->pmpaddr[i] = val & ((1ULL << (PA_BITS - 2)) - 1);
    } else {
        unsigned base = (csr - CSR_PMPCFG0) * 4;
        if (csr & 1) {
            return false;
        }
        for (unsigned j = 0; j < 8; j++) {
            unsigned i = base + j;
            uint8_t c = val >> (8 * j);
            if (i >= cpu->cfg.pmp_entries || pmp_locked(cpu, i)) {
                continue;
            }
            c &= PMP_R | PMP_W | PMP_X | PMP_L | (3 << PMP_A_SHIFT);
            if (!(c & PMP_R)) {
                c &= ~PMP_W; /* R=0,W=1 is reserved */
            }
            cpu->pmpcfg[i] = c;
        }
    }
    riscv_tlb_flush_all(cpu);
    return true;
}

/* ---------------- page walk ---------------- */

typedef struct RvXlate {
    uint64_t pa;
    unsigned prot;     /* PMP_R/W/X the TLB may grant for the page */
    bool cacheable;    /* may go into the TLB */
    bool superpage;
} RvXlate;

static uint64_t page_fault_cause(RvAccess acc)
{
    return acc == ACC_EXEC ? EXC_INSN_PAGE :
           acc == ACC_WRITE ? EXC_STORE_PAGE : EXC_LOAD_PAGE;
}

static uint64_t access_fault_cause(RvAccess acc)
{
    return acc == ACC_EXEC ? EXC_INSN_ACCESS :
           acc == ACC_WRITE ? EXC_STORE_ACCESS : EXC_LOAD_ACCESS;
}

/* A write to guest RAM through a host pointer: tell the dirty log, after
 * the data is in place (see include/system/memory.h). */
static inline void mark_written(void *host, unsigned size)
{
    if (unlikely(memory_global_dirty_log_active())) {
        memory_dirty_mark_host(host, size);
    }
}

static uint64_t *pte_ptr(RiscvCpu *cpu, uint64_t pa, RvAccess acc)
{
    bool uniform;
    if (!(pmp_perms(cpu, pa, 8, RISCV_PRIV_S, &uniform) & PMP_R)) {
        return NULL;
    }
    return cpu->ops->ram_ptr(cpu->opaque, pa, 8);
}

/*
 * Walk the page table for @va.  Raises the page fault or access fault
 * itself.  @priv is the effective privilege, @sum/@mxr from mstatus.
 */
static void page_walk(RiscvCpu *cpu, uint64_t va, RvAccess acc,
                      unsigned priv, RvXlate *out)
{
    unsigned mode = cpu->satp >> 60;
    unsigned levels = mode == RISCV_MMU_SV48 ? 4 : 3;
    unsigned va_bits = 12 + 9 * levels;
    bool sum = cpu->mstatus & MSTATUS_SUM, mxr = cpu->mstatus & MSTATUS_MXR;

    /* Bits above the VA width must all equal the top bit. */
    if ((uint64_t)((int64_t)(va << (64 - va_bits)) >> (64 - va_bits)) != va) {
        riscv_raise(cpu, page_fault_cause(acc), va);
    }
retry:;
    uint64_t table = (cpu->satp & PTE_PPN_MASK) << RV_PAGE_BITS;
    for (int lvl = levels - 1; lvl >= 0; lvl--) {
        unsigned shift = 12 + 9 * lvl;
        uint64_t pte_pa = table + ((va >> shift) & 511) * 8;
        uint64_t *p = pte_ptr(cpu, pte_pa, acc);
        if (!p) {
            riscv_raise(cpu, access_fault_cause(acc), va);
        }
        uint64_t pte = __atomic_load_n(p, __ATOMIC_ACQUIRE);
        if (!(pte & PTE_V) || (!(pte & PTE_R) && (pte & PTE_W)) ||
            (pte & PTE_RESERVED)) {
            break;
        }
        uint64_t ppn = (pte >> PTE_PPN_SHIFT) & PTE_PPN_MASK;
        if (!(pte & (PTE_R | PTE_X))) {
            /* pointer to the next level */
            if (lvl == 0 || (pte & (PTE_A | PTE_D | PTE_U))) {
                break;
            }
            table = ppn << RV_PAGE_BITS;
            continue;
        }
        /* leaf: privilege and permission checks */
        if (pte & PTE_U) {
            if (priv == RISCV_PRIV_S && (acc == ACC_EXEC || !sum)) {
                break;
            }
        } else if (priv == RISCV_PRIV_U) {
            break;
        }
        bool r_ok = (pte & PTE_R) || (mxr && (pte & PTE_X));
        if ((acc == ACC_READ && !r_ok) ||
            (acc == ACC_WRITE && !(pte & PTE_W)) ||
            (acc == ACC_EXEC && !(pte & PTE_X))) {
            break;
        }
        uint64_t low_mask = (1ULL << (9 * lvl)) - 1;
        if (ppn & low_mask) {
            break; /* misaligned superpage */
        }
        /* hardware A/D update */
        uint64_t want = pte | PTE_A | (acc == ACC_WRITE ? PTE_D : 0);
        if (want != pte) {
            bool uniform;
            if (!(pmp_perms(cpu, pte_pa, 8, RISCV_PRIV_S, &uniform) & PMP_W)) {
                riscv_raise(cpu, access_fault_cause(acc), va);
            }
            if (!__atomic_compare_exchange_n(p, &pte, want, false,
                                             __ATOMIC_ACQ_REL,
                                             __ATOMIC_ACQUIRE)) {
                goto retry;
            }
            mark_written(p, 8);
            pte = want;
        }
        uint64_t page_ppn = ppn | ((va >> 12) & low_mask);
        out->pa = (page_ppn << RV_PAGE_BITS) | (va & (RV_PAGE_SIZE - 1));
        out->prot = 0;
        if (r_ok) {
            out->prot |= PMP_R;
        }
        /* Only a dirty page may be cached writable. */
        if ((pte & PTE_W) && (pte & PTE_D)) {
            out->prot |= PMP_W;
        }
        if (pte & PTE_X) {
            out->prot |= PMP_X;
        }
        out->superpage = lvl > 0;
        return;
    }
    riscv_raise(cpu, page_fault_cause(acc), va);
}

static unsigned mmu_priv(unsigned mmu)
{
    return mmu == MMU_M ? RISCV_PRIV_M : mmu == MMU_U ? RISCV_PRIV_U
                                                      : RISCV_PRIV_S;
}

/* Full translation incl. PMP for an access of @len bytes within a page. */
static void translate(RiscvCpu *cpu, uint64_t va, unsigned len, RvAccess acc,
                      unsigned mmu, RvXlate *out)
{
    unsigned priv = mmu_priv(mmu);
    unsigned need = acc == ACC_READ ? PMP_R : acc == ACC_WRITE ? PMP_W : PMP_X;
    bool uniform;

    if (priv == RISCV_PRIV_M || (cpu->satp >> 60) == 0) {
        out->pa = va;
        out->prot = PMP_R | PMP_W | PMP_X;
        out->superpage = false;
    } else {
        page_walk(cpu, va, acc, priv, out);
    }
    if (out->pa >> PA_BITS) {
        riscv_raise(cpu, access_fault_cause(acc), va);
    }
    unsigned pmp = pmp_perms(cpu, out->pa, len, priv, &uniform);
    if (!(pmp & need)) {
        riscv_raise(cpu, access_fault_cause(acc), va);
    }
    out->prot &= pmp;
    out->cacheable = uniform;
}

/* ---------------- decoded-instruction cache ---------------- */

static unsigned dcache_hash(uint64_t pa_page)
{
    uint64_t h = (pa_page >> RV_PAGE_BITS) * 0x9e3779b97f4a7c15ULL;
    return h >> (64 - 12);
}

static RvDecodedPage *dcache_find(RiscvCpu *cpu, uint64_t pa_page)
{
    unsigned i = dcache_hash(pa_page);
    for (;;) {
        uint64_t key = cpu->dcache[i].key;
        if (key == (pa_page | 1)) {
            return cpu->dcache[i].page;
        }
        if (key == 0) {
            return NULL;
        }
        i = (i + 1) & (DCACHE_BUCKETS - 1);
    }
}

void riscv_dcache_flush_all(RiscvCpu *cpu)
{
    for (unsigned i = 0; i < DCACHE_BUCKETS; i++) {
        if (cpu->dcache[i].page) {
            g_ptr_array_add(cpu->dead_pages, cpu->dcache[i].page);
        }
        cpu->dcache[i].key = 0;
        cpu->dcache[i].page = NULL;
    }
    cpu->dcache_used = 0;
    tlb_forget_dpages(cpu, UINT64_MAX);
    riscv_request_check(cpu); /* frees the dead pages at the next boundary */
    cpu->cur_vpage = TLB_INVALID;
    cpu->cur_dpage = NULL;
}

/* Remove one page; re-insert the rest of its probe cluster. */
static void dcache_remove(RiscvCpu *cpu, uint64_t pa_page)
{
    unsigned i = dcache_hash(pa_page);
    while (cpu->dcache[i].key != (pa_page | 1)) {
        if (cpu->dcache[i].key == 0) {
            return;
        }
        i = (i + 1) & (DCACHE_BUCKETS - 1);
    }
    g_ptr_array_add(cpu->dead_pages, cpu->dcache[i].page);
    tlb_forget_dpages(cpu, pa_page);
    riscv_request_check(cpu);
    cpu->dcache[i].key = 0;
    cpu->dcache[i].page = NULL;
    cpu->dcache_used--;
    for (unsigned j = (i + 1) & (DCACHE_BUCKETS - 1); cpu->dcache[j].key;
         j = (j + 1) & (DCACHE_BUCKETS - 1)) {
        uint64_t key = cpu->dcache[j].key;
        RvDecodedPage *pg = cpu->dcache[j].page;
        cpu->dcache[j].key = 0;
        cpu->dcache[j].page = NULL;
        unsigned k = dcache_hash(key & RV_PAGE_MASK);
        while (cpu->dcache[k].key) {
            k = (k + 1) & (DCACHE_BUCKETS - 1);
        }
        cpu->dcache[k].key = key;
        cpu->dcache[k].page = pg;
    }
    if (cpu->cur_dpage && cpu->cur_dpage->pa_page == pa_page) {
        cpu->cur_vpage = TLB_INVALID;
        cpu->cur_dpage = NULL;
    }
}

void riscv_dcache_revalidate_all(RiscvCpu *cpu)
{
    cpu->code_gen++;
    tlb_forget_dpages(cpu, UINT64_MAX); /* the next entry goes by dcache_get */
    cpu->cur_vpage = TLB_INVALID;
    cpu->cur_dpage = NULL;
}

/*
 * True when every decoded slot of @pg still matches guest RAM.  Usually
 * the whole page is unchanged; otherwise data sharing the page may have
 * changed, so the decoded slots are compared one by one.
 */
static bool dpage_current(RvDecodedPage *pg, const uint8_t *host)
{
    if (memcmp(pg->raw, host, RV_PAGE_SIZE) == 0) {
        return true;
    }
    for (unsigned i = 0; i < DPAGE_SLOTS; i++) {
        const RvInsn *d = &pg->insn[i];
        if (d->op != OP_UNDECODED &&
            memcmp(&pg->raw[2 * i], &host[2 * i], d->len) != 0) {
            return false;
        }
    }
    memcpy(pg->raw, host, RV_PAGE_SIZE);
    return true;
}

/* The decoded page for @pa_page, whose current contents are at @host. */
static RvDecodedPage *dcache_get(RiscvCpu *cpu, uint64_t pa_page,
                                 const uint8_t *host)
{
    RvDecodedPage *pg = dcache_find(cpu, pa_page);
    if (pg) {
        if (likely(pg->gen == cpu->code_gen)) {
            return pg;
        }
        /* fence.i since the page was last checked: is the copy current? */
        if (dpage_current(pg, host)) {
            pg->gen = cpu->code_gen;
            return pg;
        }
        dcache_remove(cpu, pa_page);
    }
    if (cpu->dcache_used >= DCACHE_MAX_PAGES) {
        riscv_dcache_flush_all(cpu);
    }
    pg = g_malloc0(sizeof(*pg));
    pg->pa_page = pa_page;
    pg->gen = cpu->code_gen;
    pg->host = host;
    memcpy(pg->raw, host, RV_PAGE_SIZE);
    pg->insn[DPAGE_SLOTS].op = OP_END;
    pg->insn[DPAGE_SLOTS].dop = OP_END;
    unsigned i = dcache_hash(pa_page);
    while (cpu->dcache[i].key) {
        i = (i + 1) & (DCACHE_BUCKETS - 1);
    }
    cpu->dcache[i].key = pa_page | 1;
    cpu->dcache[i].page = pg;
    cpu->dcache_used++;
    /* Stores to this page must now come through the slow path. */
    tlb_unmap_write_pa(cpu, pa_page);
    return pg;
}

void riscv_dcache_invalidate_range(RiscvCpu *cpu, uint64_t pa, uint64_t len)
{
    if (len == 0) {
        return;
    }
    uint64_t first = pa & RV_PAGE_MASK;
    uint64_t last = (pa + len - 1) & RV_PAGE_MASK;
    if (last < first || (last - first) / RV_PAGE_SIZE > DCACHE_BUCKETS) {
        riscv_dcache_flush_all(cpu);
        return;
    }
    for (uint64_t p = first;; p += RV_PAGE_SIZE) {
        dcache_remove(cpu, p);
        if (p == last) {
            break;
        }
    }
}

void riscv_free_dead_pages(RiscvCpu *cpu)
{
    g_ptr_array_set_size(cpu->dead_pages, 0); /* free func releases them */
}

/* ---------------- fills and slow paths ---------------- */

static void tlb_fill(RiscvCpu *cpu, unsigned mmu, RvAccess acc, uint64_t va,
                     const RvXlate *x, void *host_page, bool mmio)
{
    RvTlbEntry *e =
        &cpu->tlb[mmu][acc][(va >> RV_PAGE_BITS) & (TLB_SIZE - 1)];
    uint64_t page = va & RV_PAGE_MASK;

    e->tag = page | (mmio ? TLB_MMIO : 0);
    if (acc == ACC_WRITE && !mmio && memory_global_dirty_log_active()) {
        /* Logging: stores must reach the slow path, which marks pages. */
        e->tag |= TLB_NOTDIRTY;
    }
    e->addend = (uintptr_t)host_page - (uintptr_t)page;
    e->pa_page = x->pa & RV_PAGE_MASK;
    e->dpage = NULL;
    if (x->superpage) {
        cpu->super_lo = MIN(cpu->super_lo, page);
        cpu->super_hi = MAX(cpu->super_hi, page + RV_PAGE_SIZE - 1);
    }
}

/*
 * Translate one access that does not cross a page.  Returns the host
 * pointer for RAM, or NULL with *pa set for MMIO.
 */
static void *access_prepare(RiscvCpu *cpu, uint64_t va, unsigned size,
                            RvAccess acc, uint64_t *pa)
{
    unsigned mmu = acc == ACC_EXEC ? riscv_mmu_idx(cpu->priv, cpu->mstatus)
                                   : cpu->dmmu;
    RvXlate x;

    translate(cpu, va, size, acc, mmu, &x);
    *pa = x.pa;
    uint64_t pa_page = x.pa & RV_PAGE_MASK;
    uint8_t *host = cpu->ops->ram_ptr(cpu->opaque, pa_page, RV_PAGE_SIZE);
    if (host) {
        if (acc == ACC_WRITE && cpu->dcache_used &&
            dcache_find(cpu, pa_page)) {
            dcache_remove(cpu, pa_page);
        }
        unsigned need = acc == ACC_READ ? PMP_R
                      : acc == ACC_WRITE ? PMP_W : PMP_X;
        if (x.cacheable && (x.prot & need)) {
            tlb_fill(cpu, mmu, acc, va, &x, host, false);
        }
        return host + (x.pa & (RV_PAGE_SIZE - 1));
    }
    host = cpu->ops->ram_ptr(cpu->opaque, x.pa, size);
    if (host) {
        if (acc == ACC_WRITE && cpu->dcache_used) {
            riscv_dcache_invalidate_range(cpu, x.pa, size);
        }
        return host;
    }
    if (acc != ACC_EXEC && x.cacheable) {
        tlb_fill(cpu, mmu, acc, va, &x, NULL, true);
    }
    return NULL;
}

static uint64_t load_bytes(const uint8_t *p, unsigned size)
{
    switch (size) {
    case 1: return *p;
    case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
    case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
    default: { uint64_t v; memcpy(&v, p, 8); return v; }
    }
}

static void store_bytes(uint8_t *p, unsigned size, uint64_t val)
{
    switch (size) {
    case 1: *p = val; break;
    case 2: { uint16_t v = val; memcpy(p, &v, 2); break; }
    case 4: { uint32_t v = val; memcpy(p, &v, 4); break; }
    default: memcpy(p, &val, 8); break;
    }
}

static bool crosses_page(uint64_t va, unsigned size)
{
    return (va & (RV_PAGE_SIZE - 1)) + size > RV_PAGE_SIZE;
}

uint64_t riscv_load_slow(RiscvCpu *cpu, uint64_t va, unsigned size)
{
    unsigned mmu = cpu->dmmu;
    RvTlbEntry *e = &cpu->tlb[mmu][ACC_READ][(va >> 12) & (TLB_SIZE - 1)];
    uint64_t pa, val;

    if (crosses_page(va, size)) {
        /* Misaligned across a page: assemble byte by byte. */
        val = 0;
        for (unsigned i = 0; i < size; i++) {
            val |= riscv_load_slow(cpu, va + i, 1) << (8 * i);
        }
        return val;
    }
    if (e->tag == (va & RV_PAGE_MASK)) {
        /* misaligned within a mapped RAM page */
        return load_bytes((const uint8_t *)(e->addend + (uintptr_t)va), size);
    }
    if (e->tag == ((va & RV_PAGE_MASK) | TLB_MMIO)) {
        pa = e->pa_page | (va & (RV_PAGE_SIZE - 1));
    } else {
        uint8_t *host = access_prepare(cpu, va, size, ACC_READ, &pa);
        if (host) {
            return load_bytes(host, size);
        }
    }
    if (va & (size - 1)) {
        riscv_raise(cpu, EXC_LOAD_MISALIGNED, va);
    }
    if (!cpu->ops->mmio_read ||
        !cpu->ops->mmio_read(cpu->opaque, pa, size, &val)) {
        riscv_raise(cpu, EXC_LOAD_ACCESS, va);
    }
    return size == 8 ? val : val & ((1ULL << (8 * size)) - 1);
}

void riscv_store_slow(RiscvCpu *cpu, uint64_t va, unsigned size, uint64_t val)
{
    unsigned mmu = cpu->dmmu;
    RvTlbEntry *e = &cpu->tlb[mmu][ACC_WRITE][(va >> 12) & (TLB_SIZE - 1)];
    uint64_t pa;

    if (crosses_page(va, size)) {
        /* Check both pages first so a fault leaves memory untouched. */
        uint64_t second = (va + size - 1) & RV_PAGE_MASK;
        RvXlate x;
        translate(cpu, va, 1, ACC_WRITE, mmu, &x);
        translate(cpu, second, 1, ACC_WRITE, mmu, &x);
        for (unsigned i = 0; i < size; i++) {
            riscv_store_slow(cpu, va + i, 1, val >> (8 * i));
        }
        return;
    }
    if ((e->tag & ~TLB_NOTDIRTY) == (va & RV_PAGE_MASK)) {
        /* misaligned within a mapped RAM page without decoded code, or
         * a page the dirty log watches */
        uint8_t *host = (uint8_t *)(e->addend + (uintptr_t)va);
        store_bytes(host, size, val);
        if (e->tag & TLB_NOTDIRTY) {
            mark_written(host, size);
        }
        return;
    }
    if (e->tag == ((va & RV_PAGE_MASK) | TLB_MMIO)) {
        pa = e->pa_page | (va & (RV_PAGE_SIZE - 1));
    } else {
        uint8_t *host = access_prepare(cpu, va, size, ACC_WRITE, &pa);
        if (host) {
            store_bytes(host, size, val);
            mark_written(host, size);
            return;
        }
    }
    if (va & (size - 1)) {
        riscv_raise(cpu, EXC_STORE_MISALIGNED, va);
    }
    if (!cpu->ops->mmio_write ||
        !cpu->ops->mmio_write(cpu->opaque, pa, size, val)) {
        riscv_raise(cpu, EXC_STORE_ACCESS, va);
    }
}

void *riscv_amo_ptr(RiscvCpu *cpu, uint64_t va, unsigned size, bool is_lr,
                    uint64_t *pa)
{
    RvTlbEntry *e;

    if (va & (size - 1)) {
        riscv_raise(cpu, is_lr ? EXC_LOAD_MISALIGNED : EXC_STORE_MISALIGNED,
                    va);
    }
    /* LR needs read permission only; SC and AMOs need write. */
    RvAccess acc = is_lr ? ACC_READ : ACC_WRITE;
    e = &cpu->tlb[cpu->dmmu][acc][(va >> 12) & (TLB_SIZE - 1)];
    /* A NOTDIRTY entry will do: the caller marks the page after the AMO. */
    if (likely((e->tag & ~TLB_NOTDIRTY) == (va & RV_PAGE_MASK))) {
        *pa = e->pa_page | (va & (RV_PAGE_SIZE - 1));
        return (void *)(e->addend + va);
    }
    /*
     * AMOs need read permission too, but write implies read: W without R
     * is reserved both in PTEs and in PMP.  Faults are store/AMO faults.
     */
    void *host = access_prepare(cpu, va, size, acc, pa);
    if (!host) {
        riscv_raise(cpu, is_lr ? EXC_LOAD_ACCESS : EXC_STORE_ACCESS, va);
    }
    return host;
}

/* ---------------- instruction fetch ---------------- */

void riscv_fetch_page(RiscvCpu *cpu)
{
    uint64_t pc = cpu->pc;
    unsigned mmu = riscv_mmu_idx(cpu->priv, cpu->mstatus);
    RvTlbEntry *e = &cpu->tlb[mmu][ACC_EXEC][(pc >> 12) & (TLB_SIZE - 1)];
    uint64_t page = pc & RV_PAGE_MASK;

    if (e->tag != page) {
        uint64_t pa;
        if (!access_prepare(cpu, pc, 2, ACC_EXEC, &pa)) {
            riscv_raise(cpu, EXC_INSN_ACCESS, pc);
        }
        if (e->tag != page) {
            /* Not cacheable (PMP granularity below a page): go slowly. */
            cpu->cur_vpage = TLB_INVALID;
            cpu->cur_dpage = NULL;
            return;
        }
    }
    cpu->cur_dpage = dcache_get(cpu, e->pa_page,
                                (const uint8_t *)(e->addend + page));
    e->dpage = cpu->cur_dpage;
    cpu->cur_vpage = page;
}

static uint16_t fetch16(RiscvCpu *cpu, uint64_t va)
{
    uint64_t pa;
    uint8_t *p = access_prepare(cpu, va, 2, ACC_EXEC, &pa);
    if (!p) {
        riscv_raise(cpu, EXC_INSN_ACCESS, va);
    }
    return (uint16_t)load_bytes(p, 2);
}

void riscv_fetch_slow(RiscvCpu *cpu, RvInsn *out)
{
    uint32_t raw = fetch16(cpu, cpu->pc);
    if ((raw & 3) == 3) {
        raw |= (uint32_t)fetch16(cpu, cpu->pc + 2) << 16;
    }
    riscv_decode(raw, out);
}
