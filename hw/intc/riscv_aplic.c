/* SPDX-License-Identifier: GPL-2.0-or-later */
/* RISC-V AIA APLIC (see include/hw/intc/riscv_aplic.h). */
#include <string.h>
#include <glib.h>
#include "hw/intc/riscv_aplic.h"
#include "migration/savevm.h"
#include "vmstate-helpers.h"

/* A guest can aim the MSI address at an APLIC's own setipnum: MSIs raised
 * while one is being sent are retried this many rounds, then left
 * pending, so such a loop cannot recurse or spin forever. */
#define APLIC_MSI_ROUNDS 64

typedef struct AplicIdc {
    uint32_t idelivery, iforce, ithreshold;
    int out_level;
    IrqLine out;
} AplicIdc;

struct RiscvAplic {
    RiscvAplic *parent, *root;
    RiscvAplic *children[APLIC_MAX_CHILDREN];
    unsigned nchildren, child_index;
    bool mmode, msi_mode;
    unsigned num_sources, num_words, harts;
    MemoryRegion *mmio;
    uint32_t domaincfg_ie;
    uint32_t *sourcecfg, *target;
    uint32_t *pending, *enabled; /* bit per source */
    uint32_t genmsi;
    AplicIdc *idc; /* direct mode only */

    /* root only */
    bool has_msi;    /* some domain is in MSI mode: *msiaddrcfg exist */
    uint32_t *level; /* wire levels */
    IrqLine *inputs;
    uint32_t msicfg[4], msicfg_reset[4]; /* m, mh, s, sh */
    AddressSpace *msi_as;
    int msi_depth;
    bool msi_rescan;
};

static bool bit_get(const uint32_t *w, unsigned n)
{
    return (w[n / 32] >> (n % 32)) & 1;
}

static void bit_set(uint32_t *w, unsigned n, bool v)
{
    if (v) {
        w[n / 32] |= 1u << (n % 32);
    } else {
        w[n / 32] &= ~(1u << (n % 32));
    }
}

static unsigned aplic_sm(const RiscvAplic *a, unsigned i)
{
    uint32_t cfg = a->sourcecfg[i];
    return (cfg & APLIC_SOURCECFG_D) ? APLIC_SM_INACTIVE : cfg & 7;
}

static bool aplic_active(const RiscvAplic *a, unsigned i)
{
    return i && i < a->num_sources && aplic_sm(a, i) != APLIC_SM_INACTIVE;
}

static bool aplic_is_level(unsigned sm)
{
    return sm == APLIC_SM_LEVEL1 || sm == APLIC_SM_LEVEL0;
}

static bool aplic_is_edge(unsigned sm)
{
    return sm == APLIC_SM_EDGE1 || sm == APLIC_SM_EDGE0;
}

/* Wire value as this domain's source mode sees it. */
static bool aplic_rect(const RiscvAplic *a, unsigned i, bool wire)
{
    unsigned sm = aplic_sm(a, i);

    if (!aplic_is_level(sm) && !aplic_is_edge(sm)) {
        return false; /* inactive or detached */
    }
    return wire ^ (sm == APLIC_SM_EDGE0 || sm == APLIC_SM_LEVEL0);
}

static bool aplic_wire(const RiscvAplic *a, unsigned i)
{
    return bit_get(a->root->level, i);
}

/* Is source @i delegated all the way down to @a (the root owns all)? */
static bool aplic_owned(const RiscvAplic *a, unsigned i)
{
    for (; a->parent; a = a->parent) {
        if (a->parent->sourcecfg[i] != (APLIC_SOURCECFG_D | a->child_index)) {
            return false;
        }
    }
    return true;
}

/* ---- delivery ---- */

static void aplic_send_msi(RiscvAplic *a, uint32_t target)
{
    RiscvAplic *r = a->root;
    uint32_t cfgh = r->msicfg[1];
    unsigned lhxw = (cfgh >> 12) & 0xf, hhxw = (cfgh >> 16) & 7;
    unsigned hhxs = (cfgh >> 24) & 0x1f, lhxs;
    uint64_t hart = target >> APLIC_TARGET_HART_SHIFT;
    uint64_t guest = (target >> APLIC_TARGET_GUEST_SHIFT) & 0x3f;
    uint64_t ppn, g, h, addr;

    if (a->mmode) {
        ppn = ((uint64_t)(cfgh & 0xfff) << 32) | r->msicfg[0];
        lhxs = (cfgh >> 20) & 7;
        guest = 0;
    } else {
        ppn = ((uint64_t)(r->msicfg[3] & 0xfff) << 32) | r->msicfg[2];
        lhxs = (r->msicfg[3] >> 20) & 7;
    }
    g = (hart >> lhxw) & ((1ULL << hhxw) - 1);
    h = hart & ((1ULL << lhxw) - 1);
    addr = (ppn | (g << (hhxs + 12)) | (h << lhxs) | guest) << 12;
    /* A write nobody answers is lost, as on a bus without a target. */
    address_space_st(r->msi_as ? r->msi_as : address_space_memory, addr, 4,
                     target & 0x7ff);
}

static bool aplic_msi_ready(const RiscvAplic *a, unsigned i)
{
    return a->msi_mode && a->domaincfg_ie && aplic_active(a, i) &&
           bit_get(a->pending, i) && bit_get(a->enabled, i);
}

/* Send every ready source of @a and its children. */
static void aplic_msi_scan(RiscvAplic *a)
{
    for (unsigned i = 1; i < a->num_sources; i++) {
        if (aplic_msi_ready(a, i)) {
            bit_set(a->pending, i, false);
            aplic_send_msi(a, a->target[i]);
        }
    }
    for (unsigned c = 0; c < a->nchildren; c++) {
        aplic_msi_scan(a->children[c]);
    }
}

static void aplic_msi_check(RiscvAplic *a, unsigned i)
{
    RiscvAplic *r = a->root;

    if (!aplic_msi_ready(a, i)) {
        return;
    }
    if (r->msi_depth) {
        r->msi_rescan = true; /* an MSI raised by an MSI: see above */
        return;
    }
    r->msi_depth = 1;
    bit_set(a->pending, i, false);
    aplic_send_msi(a, a->target[i]);
    for (int round = 0; r->msi_rescan && round < APLIC_MSI_ROUNDS; round++) {
        r->msi_rescan = false;
        aplic_msi_scan(r);
    }
    r->msi_rescan = false;
    r->msi_depth = 0;
}

/* Direct mode: best source targeting hart @h as a topi value. */
static uint32_t aplic_topi(const RiscvAplic *a, unsigned h)
{
    const AplicIdc *idc = &a->idc[h];
    uint32_t best = 0, best_prio = UINT32_MAX;

    for (unsigned w = 0; w < a->num_words; w++) {
        uint32_t cand = a->pending[w] & a->enabled[w];
        while (cand) {
            unsigned i = w * 32 + __builtin_ctz(cand);
            uint32_t prio = a->target[i] & 0xff;
            cand &= cand - 1;
            if (!aplic_active(a, i) ||
                a->target[i] >> APLIC_TARGET_HART_SHIFT != h ||
                (idc->ithreshold && prio >= idc->ithreshold)) {
                continue;
            }
            if (prio < best_prio) {
                best = i;
                best_prio = prio;
            }
        }
    }
    return best ? best << 16 | best_prio : 0;
}

static void aplic_idc_update(RiscvAplic *a, unsigned h)
{
    AplicIdc *idc;
    int level;

    if (a->msi_mode || h >= a->harts) {
        return;
    }
    idc = &a->idc[h];
    level =
        a->domaincfg_ie && idc->idelivery && (idc->iforce || aplic_topi(a, h));
    if (level != idc->out_level) {
        idc->out_level = level;
        irq_set(&idc->out, level);
    }
}

static void aplic_update_all(RiscvAplic *a)
{
    if (a->msi_mode) {
        for (unsigned i = 1; i < a->num_sources; i++) {
            aplic_msi_check(a, i);
        }
    } else {
        for (unsigned h = 0; h < a->harts; h++) {
            aplic_idc_update(a, h);
        }
    }
}

/* Something about source @i changed in domain @a. */
static void aplic_notify(RiscvAplic *a, unsigned i)
{
    if (a->msi_mode) {
        aplic_msi_check(a, i);
    } else {
        aplic_idc_update(a, a->target[i] >> APLIC_TARGET_HART_SHIFT);
    }
}

/* ---- pending bits (the rules of the spec's "precise effects") ---- */

static void aplic_sw_pending(RiscvAplic *a, unsigned i, bool set)
{
    unsigned sm;

    if (!aplic_active(a, i)) {
        return;
    }
    sm = aplic_sm(a, i);
    if (aplic_is_level(sm)) {
        if (!a->msi_mode) {
            return; /* direct mode: the pending bit mirrors the wire */
        }
        if (set && !aplic_rect(a, i, aplic_wire(a, i))) {
            return;
        }
    }
    bit_set(a->pending, i, set);
    aplic_notify(a, i);
}

static void aplic_set_input(void *opaque, int n, int level)
{
    RiscvAplic *a = opaque;
    bool old, rect_old, rect_new;
    unsigned i = n, sm;

    if (n <= 0 || i >= a->num_sources) {
        return;
    }
    old = bit_get(a->level, i);
    bit_set(a->level, i, level != 0);
    /* Follow the delegation down to the domain where the source lives. */
    while (a->sourcecfg[i] & APLIC_SOURCECFG_D) {
        unsigned c = a->sourcecfg[i] & 0x3ff;
        if (c >= a->nchildren) {
            return;
        }
        a = a->children[c];
    }
    sm = aplic_sm(a, i);
    if (sm == APLIC_SM_INACTIVE || sm == APLIC_SM_DETACHED) {
        return;
    }
    rect_old = aplic_rect(a, i, old);
    rect_new = aplic_rect(a, i, level != 0);
    if (aplic_is_edge(sm)) {
        if (!rect_old && rect_new) {
            bit_set(a->pending, i, true);
        }
    } else if (!a->msi_mode) {
        bit_set(a->pending, i, rect_new);
    } else if (!rect_new) {
        bit_set(a->pending, i, false);
    } else if (!rect_old) {
        bit_set(a->pending, i, true);
    }
    aplic_notify(a, i);
}

/* ---- sourcecfg and delegation ---- */

/* Source @i is no longer delegated to @a: it becomes inactive here and
 * in any domain below. */
static void aplic_revoke(RiscvAplic *a, unsigned i)
{
    uint32_t cfg = a->sourcecfg[i];
    unsigned old_hart = a->target[i] >> APLIC_TARGET_HART_SHIFT;

    if ((cfg & APLIC_SOURCECFG_D) && (cfg & 0x3ff) < a->nchildren) {
        aplic_revoke(a->children[cfg & 0x3ff], i);
    }
    a->sourcecfg[i] = 0;
    a->target[i] = 0;
    bit_set(a->pending, i, false);
    bit_set(a->enabled, i, false);
    aplic_idc_update(a, old_hart);
}

static uint32_t aplic_legal_sourcecfg(const RiscvAplic *a, uint32_t v)
{
    if (v & APLIC_SOURCECFG_D) {
        unsigned c = v & 0x3ff;
        /* A leaf cannot delegate; an unknown child is taken as none. */
        return c < a->nchildren ? APLIC_SOURCECFG_D | c : 0;
    }
    v &= 7;
    return v == 2 || v == 3 ? APLIC_SM_INACTIVE : v;
}

static void aplic_write_sourcecfg(RiscvAplic *a, unsigned i, uint32_t v)
{
    uint32_t old = a->sourcecfg[i], cfg;
    bool was_active = aplic_active(a, i);
    unsigned old_hart = a->target[i] >> APLIC_TARGET_HART_SHIFT;

    if (!aplic_owned(a, i)) {
        return; /* not delegated here: read-only zero */
    }
    cfg = aplic_legal_sourcecfg(a, v);
    if ((old & APLIC_SOURCECFG_D) && cfg != old &&
        (old & 0x3ff) < a->nchildren) {
        aplic_revoke(a->children[old & 0x3ff], i);
    }
    a->sourcecfg[i] = cfg;
    if (!aplic_active(a, i)) {
        a->target[i] = 0;
        bit_set(a->pending, i, false);
        bit_set(a->enabled, i, false);
        aplic_idc_update(a, old_hart);
        return;
    }
    if (!was_active) {
        /* Fresh target: hart 0, and priority 1 in direct mode. */
        a->target[i] = a->msi_mode ? 0 : 1;
    }
    if (aplic_is_level(aplic_sm(a, i))) {
        bool rect = aplic_rect(a, i, aplic_wire(a, i));
        if (rect || !a->msi_mode) {
            bit_set(a->pending, i, rect);
        }
    } else if (aplic_sm(a, i) == APLIC_SM_DETACHED && was_active &&
               aplic_is_level(old & 7) && !a->msi_mode) {
        bit_set(a->pending, i, false);
    }
    aplic_idc_update(a, old_hart);
    aplic_notify(a, i);
}

static void aplic_write_target(RiscvAplic *a, unsigned i, uint32_t v)
{
    uint32_t hart = v >> APLIC_TARGET_HART_SHIFT;
    unsigned old_hart;

    if (!aplic_active(a, i)) {
        return; /* also covers sources beyond num_sources */
    }
    old_hart = a->target[i] >> APLIC_TARGET_HART_SHIFT;
    if (a->msi_mode) {
        /* Guest index needs the H extension: read-only zero here. */
        a->target[i] = hart << APLIC_TARGET_HART_SHIFT | (v & 0x7ff);
    } else {
        uint32_t prio = v & ((1u << APLIC_IPRIO_BITS) - 1);
        a->target[i] = hart << APLIC_TARGET_HART_SHIFT | (prio ? prio : 1);
        aplic_idc_update(a, old_hart);
    }
    aplic_notify(a, i);
}

/* ---- MMIO ---- */

static uint32_t aplic_word_mask(const RiscvAplic *a, unsigned w)
{
    uint32_t m = 0;

    for (unsigned b = 0; b < 32; b++) {
        if (aplic_active(a, w * 32 + b)) {
            m |= 1u << b;
        }
    }
    return m;
}

static uint32_t aplic_read_inputs(const RiscvAplic *a, unsigned w)
{
    uint32_t v = 0;

    for (unsigned b = 0; b < 32; b++) {
        unsigned i = w * 32 + b;
        if (aplic_active(a, i) && aplic_rect(a, i, aplic_wire(a, i))) {
            v |= 1u << b;
        }
    }
    return v;
}

static bool aplic_has_msicfg(const RiscvAplic *a)
{
    return !a->parent && a->has_msi;
}

static uint32_t aplic_idc_read(RiscvAplic *a, unsigned h, unsigned reg)
{
    AplicIdc *idc = &a->idc[h];
    uint32_t top;

    switch (reg) {
    case APLIC_IDC_IDELIVERY:
        return idc->idelivery;
    case APLIC_IDC_IFORCE:
        return idc->iforce;
    case APLIC_IDC_ITHRESHOLD:
        return idc->ithreshold;
    case APLIC_IDC_TOPI:
        return aplic_topi(a, h);
    case APLIC_IDC_CLAIMI:
        top = aplic_topi(a, h);
        if (!top) {
            idc->iforce = 0;
        } else if (!aplic_is_level(aplic_sm(a, top >> 16))) {
            bit_set(a->pending, top >> 16, false);
        }
        aplic_idc_update(a, h);
        return top;
    }
    return 0;
}

static void aplic_idc_write(RiscvAplic *a, unsigned h, unsigned reg, uint32_t v)
{
    AplicIdc *idc = &a->idc[h];

    switch (reg) {
    case APLIC_IDC_IDELIVERY:
        idc->idelivery = v & 1;
        break;
    case APLIC_IDC_IFORCE:
        idc->iforce = v & 1;
        break;
    case APLIC_IDC_ITHRESHOLD:
        idc->ithreshold = v & ((1u << APLIC_IPRIO_BITS) - 1);
        break;
    default:
        return;
    }
    aplic_idc_update(a, h);
}

/* Index of register @off in an array of 32 words at @base, or -1. */
static int aplic_word_index(uint64_t off, uint64_t base, const RiscvAplic *a)
{
    if (off < base || off >= base + 32 * 4) {
        return -1;
    }
    return (off - base) / 4 < a->num_words ? (int)((off - base) / 4) : -1;
}

static uint64_t aplic_read(void *opaque, uint64_t off, unsigned size)
{
    RiscvAplic *a = opaque;
    int k;

    if (off == APLIC_DOMAINCFG) {
        return 0x80000000u | (a->domaincfg_ie ? APLIC_DOMAINCFG_IE : 0) |
               (a->msi_mode ? APLIC_DOMAINCFG_DM : 0);
    }
    if (off >= APLIC_SOURCECFG && off < APLIC_SOURCECFG + 1023 * 4) {
        unsigned i = off / 4;
        return i < a->num_sources ? a->sourcecfg[i] : 0;
    }
    if (off >= APLIC_MMSIADDRCFG && off <= APLIC_SMSIADDRCFGH) {
        return aplic_has_msicfg(a) ? a->msicfg[(off - APLIC_MMSIADDRCFG) / 4]
                                   : 0;
    }
    if ((k = aplic_word_index(off, APLIC_SETIP, a)) >= 0) {
        return a->pending[k] & aplic_word_mask(a, k);
    }
    if ((k = aplic_word_index(off, APLIC_IN_CLRIP, a)) >= 0) {
        return aplic_read_inputs(a, k);
    }
    if ((k = aplic_word_index(off, APLIC_SETIE, a)) >= 0) {
        return a->enabled[k] & aplic_word_mask(a, k);
    }
    if (off == APLIC_GENMSI) {
        return a->msi_mode ? a->genmsi : 0; /* Busy is never seen set */
    }
    if (off >= APLIC_TARGET && off < APLIC_TARGET + 1023 * 4) {
        unsigned i = (off - APLIC_GENMSI) / 4;
        return aplic_active(a, i) ? a->target[i] : 0;
    }
    if (off >= APLIC_IDC && !a->msi_mode) {
        uint64_t h = (off - APLIC_IDC) / APLIC_IDC_SIZE;
        if (h < a->harts) {
            return aplic_idc_read(a, h, (off - APLIC_IDC) % APLIC_IDC_SIZE);
        }
    }
    return 0;
}

static void aplic_write_msicfg(RiscvAplic *a, unsigned reg, uint32_t v)
{
    static const uint32_t mask[4] = {0xffffffffu, 0x9f77ffffu, 0xffffffffu,
                                     0x00700fffu};

    if (!aplic_has_msicfg(a) || (a->msicfg[1] & APLIC_MSIADDRCFGH_L)) {
        return; /* locked (L also locks the S-level pair) */
    }
    a->msicfg[reg] = v & mask[reg];
}

static void aplic_write_domaincfg(RiscvAplic *a, uint32_t v)
{
    a->domaincfg_ie = (v & APLIC_DOMAINCFG_IE) != 0;
    aplic_update_all(a);
}

static void aplic_genmsi(RiscvAplic *a, uint32_t v)
{
    if (!a->msi_mode) {
        return;
    }
    a->genmsi =
        (v >> APLIC_TARGET_HART_SHIFT) << APLIC_TARGET_HART_SHIFT | (v & 0x7ff);
    /* Sent at once (not subject to IE), so Busy never reads as one. */
    aplic_send_msi(a, a->genmsi);
}

static void aplic_write_bits(RiscvAplic *a, unsigned k, uint32_t v,
                             uint64_t base)
{
    for (unsigned b = 0; b < 32; b++) {
        unsigned i = k * 32 + b;
        if (!(v >> b & 1) || !aplic_active(a, i)) {
            continue;
        }
        if (base == APLIC_SETIP || base == APLIC_IN_CLRIP) {
            aplic_sw_pending(a, i, base == APLIC_SETIP);
        } else {
            bit_set(a->enabled, i, base == APLIC_SETIE);
            aplic_notify(a, i);
        }
    }
}

static void aplic_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    RiscvAplic *a = opaque;
    uint32_t v = val;
    int k;

    if (off == APLIC_DOMAINCFG) {
        aplic_write_domaincfg(a, v);
    } else if (off >= APLIC_SOURCECFG && off < APLIC_SOURCECFG + 1023 * 4) {
        if (off / 4 < a->num_sources) {
            aplic_write_sourcecfg(a, off / 4, v);
        }
    } else if (off >= APLIC_MMSIADDRCFG && off <= APLIC_SMSIADDRCFGH) {
        aplic_write_msicfg(a, (off - APLIC_MMSIADDRCFG) / 4, v);
    } else if ((k = aplic_word_index(off, APLIC_SETIP, a)) >= 0) {
        aplic_write_bits(a, k, v, APLIC_SETIP);
    } else if ((k = aplic_word_index(off, APLIC_IN_CLRIP, a)) >= 0) {
        aplic_write_bits(a, k, v, APLIC_IN_CLRIP);
    } else if ((k = aplic_word_index(off, APLIC_SETIE, a)) >= 0) {
        aplic_write_bits(a, k, v, APLIC_SETIE);
    } else if ((k = aplic_word_index(off, APLIC_CLRIE, a)) >= 0) {
        aplic_write_bits(a, k, v, APLIC_CLRIE);
    } else if (off == APLIC_SETIPNUM || off == APLIC_SETIPNUM_LE) {
        aplic_sw_pending(a, v, true);
    } else if (off == APLIC_SETIPNUM_BE) {
        aplic_sw_pending(a, GUINT32_SWAP_LE_BE(v), true);
    } else if (off == APLIC_CLRIPNUM) {
        aplic_sw_pending(a, v, false);
    } else if (off == APLIC_SETIENUM || off == APLIC_CLRIENUM) {
        if (aplic_active(a, v)) {
            bit_set(a->enabled, v, off == APLIC_SETIENUM);
            aplic_notify(a, v);
        }
    } else if (off == APLIC_GENMSI) {
        aplic_genmsi(a, v);
    } else if (off >= APLIC_TARGET && off < APLIC_TARGET + 1023 * 4) {
        aplic_write_target(a, (off - APLIC_GENMSI) / 4, v);
    } else if (off >= APLIC_IDC && !a->msi_mode) {
        uint64_t h = (off - APLIC_IDC) / APLIC_IDC_SIZE;
        if (h < a->harts) {
            aplic_idc_write(a, h, (off - APLIC_IDC) % APLIC_IDC_SIZE, v);
        }
    }
}

static const MemoryRegionOps aplic_ops = {
    .read = aplic_read,
    .write = aplic_write,
    .min_access = 4,
    .max_access = 4,
};

/* ---- life cycle ---- */

RiscvAplic *riscv_aplic_new(const char *name, RiscvAplic *parent, bool mmode,
                            bool msi_mode, unsigned num_sources, unsigned harts,
                            uint64_t mmio_size, AddressSpace *msi_as,
                            Error **errp)
{
    RiscvAplic *a;

    if (parent) {
        num_sources = parent->num_sources;
        if (parent->nchildren >= APLIC_MAX_CHILDREN) {
            error_setg(errp, "APLIC: a domain has at most %d children",
                       APLIC_MAX_CHILDREN);
            return NULL;
        }
        if (!parent->mmode && mmode) {
            error_setg(errp, "APLIC: a machine-level domain cannot be the "
                             "child of a supervisor-level one");
            return NULL;
        }
    } else if (!mmode) {
        error_setg(errp, "APLIC: the root domain must be machine-level");
        return NULL;
    }
    if (num_sources < 2 || num_sources > APLIC_MAX_SOURCES) {
        error_setg(errp, "APLIC: %u sources is out of range (2..%u)",
                   num_sources, APLIC_MAX_SOURCES);
        return NULL;
    }
    if (harts < 1 || harts > APLIC_MAX_HARTS ||
        mmio_size < (msi_mode ? APLIC_IDC : APLIC_SIZE(harts))) {
        error_setg(errp, "APLIC: %u harts do not fit in its window", harts);
        return NULL;
    }
    a = g_new0(RiscvAplic, 1);
    a->parent = parent;
    a->root = parent ? parent->root : a;
    a->mmode = mmode;
    a->msi_mode = msi_mode;
    a->num_sources = num_sources;
    a->num_words = (num_sources + 31) / 32;
    a->harts = harts;
    a->sourcecfg = g_new0(uint32_t, num_sources);
    a->target = g_new0(uint32_t, num_sources);
    a->pending = g_new0(uint32_t, a->num_words);
    a->enabled = g_new0(uint32_t, a->num_words);
    if (!msi_mode) {
        a->idc = g_new0(AplicIdc, harts);
    }
    if (parent) {
        a->child_index = parent->nchildren;
        parent->children[parent->nchildren++] = a;
    } else {
        a->level = g_new0(uint32_t, a->num_words);
        a->inputs = g_new0(IrqLine, num_sources);
        for (unsigned i = 0; i < num_sources; i++) {
            irq_init(&a->inputs[i], aplic_set_input, a, i);
        }
        a->msi_as = msi_as;
    }
    a->root->has_msi |= msi_mode;
    a->mmio = memory_region_new_io(name, mmio_size, &aplic_ops, a);
    if (!vmstate_register(NULL, name, VMSTATE_INSTANCE_ID_ANY,
                          &vmstate_riscv_aplic, a, errp)) {
        /* Only a fresh leaf can fail here: unhook it from its parent. */
        if (parent) {
            parent->nchildren--;
        }
        riscv_aplic_free(a);
        return NULL;
    }
    return a;
}

/* ---- migration: one section per domain ---- */

/* Direct mode: the IDC registers of every hart. */
static bool aplic_get_idcs(QEMUFile *f, void *opaque, void *ptr,
                           const VMStateField *field, Error **errp)
{
    RiscvAplic *a = opaque;

    for (unsigned h = 0; a->idc && h < a->harts; h++) {
        AplicIdc *idc = &a->idc[h];
        idc->idelivery = qemu_get_be32(f);
        idc->iforce = qemu_get_be32(f);
        idc->ithreshold = qemu_get_be32(f);
        if (!qemu_file_check_error(f, errp)) {
            return false;
        }
        if (idc->idelivery > 1 || idc->iforce > 1 ||
            idc->ithreshold >= (1u << APLIC_IPRIO_BITS)) {
            error_setg(errp, "IDC of hart %u out of range", h);
            return false;
        }
    }
    return true;
}

static bool aplic_put_idcs(QEMUFile *f, void *opaque, void *ptr,
                           const VMStateField *field, Error **errp)
{
    RiscvAplic *a = opaque;

    for (unsigned h = 0; a->idc && h < a->harts; h++) {
        qemu_put_be32(f, a->idc[h].idelivery);
        qemu_put_be32(f, a->idc[h].iforce);
        qemu_put_be32(f, a->idc[h].ithreshold);
    }
    return true;
}

static const VMStateInfo aplic_idcs_info = {"aplic-idcs", aplic_get_idcs,
                                            aplic_put_idcs};

/* The root domain: wire levels and the MSI address registers. */
static bool aplic_root_needed(void *opaque)
{
    return !((RiscvAplic *)opaque)->parent;
}

static bool aplic_get_root(QEMUFile *f, void *opaque, void *ptr,
                           const VMStateField *field, Error **errp)
{
    RiscvAplic *a = opaque;

    if (a->parent) {
        error_setg(errp, "root state for a child domain");
        return false;
    }
    for (unsigned w = 0; w < a->num_words; w++) {
        a->level[w] = qemu_get_be32(f);
    }
    for (unsigned i = 0; i < 4; i++) {
        a->msicfg[i] = qemu_get_be32(f);
    }
    return qemu_file_check_error(f, errp);
}

static bool aplic_put_root(QEMUFile *f, void *opaque, void *ptr,
                           const VMStateField *field, Error **errp)
{
    RiscvAplic *a = opaque;

    for (unsigned w = 0; w < a->num_words; w++) {
        qemu_put_be32(f, a->level[w]);
    }
    for (unsigned i = 0; i < 4; i++) {
        qemu_put_be32(f, a->msicfg[i]);
    }
    return true;
}

static const VMStateInfo aplic_root_info = {"aplic-root", aplic_get_root,
                                            aplic_put_root};

static const VMStateDescription vmstate_riscv_aplic_root = {
    .name = "riscv-aplic/root",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = aplic_root_needed,
    .fields = (const VMStateField[]){
        {.name = "root", .kind = VMS_CUSTOM,
         .offset = offsetof(RiscvAplic, level), .size = sizeof(void *),
         .info = &aplic_root_info},
        VMSTATE_END_OF_LIST,
    },
};

static bool aplic_words_valid(const RiscvAplic *a, const uint32_t *w)
{
    for (unsigned i = 0; i < a->num_words * 32; i++) {
        if (bit_get(w, i) && (i == 0 || i >= a->num_sources)) {
            return false;
        }
    }
    return true;
}

static bool aplic_post_load(void *opaque, int version_id, Error **errp)
{
    RiscvAplic *a = opaque;

    if (a->sourcecfg[0]) {
        error_setg(errp, "source 0 is configured");
        return false;
    }
    for (unsigned i = 1; i < a->num_sources; i++) {
        if (a->sourcecfg[i] != aplic_legal_sourcecfg(a, a->sourcecfg[i])) {
            error_setg(errp, "sourcecfg %u holds the illegal value 0x%x", i,
                       a->sourcecfg[i]);
            return false;
        }
    }
    if (!aplic_words_valid(a, a->pending) ||
        !aplic_words_valid(a, a->enabled) ||
        (a->level && !aplic_words_valid(a, a->level))) {
        error_setg(errp, "a source beyond the %u sources is set",
                   a->num_sources);
        return false;
    }
    if (a->domaincfg_ie > 1) {
        error_setg(errp, "domaincfg.IE is %u", a->domaincfg_ie);
        return false;
    }
    /* Direct mode: drive the outputs again.  In MSI mode everything ready
     * was sent on the source already, so nothing is sent here. */
    for (unsigned h = 0; a->idc && h < a->harts; h++) {
        a->idc[h].out_level = -1;
        aplic_idc_update(a, h);
    }
    return true;
}

const VMStateDescription vmstate_riscv_aplic = {
    .name = "riscv-aplic",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]){
        VMSTATE_SAME_U32(num_sources, RiscvAplic),
        VMSTATE_SAME_U32(harts, RiscvAplic),
        VMSTATE_UINT32(domaincfg_ie, RiscvAplic),
        VMSTATE_UINT32(genmsi, RiscvAplic),
        VMSTATE_U32_PTR_ARRAY(sourcecfg, RiscvAplic, num_sources),
        VMSTATE_U32_PTR_ARRAY(target, RiscvAplic, num_sources),
        VMSTATE_U32_PTR_ARRAY(pending, RiscvAplic, num_words),
        VMSTATE_U32_PTR_ARRAY(enabled, RiscvAplic, num_words),
        {.name = "idcs", .kind = VMS_CUSTOM,
         .offset = offsetof(RiscvAplic, idc), .size = sizeof(void *),
         .info = &aplic_idcs_info},
        VMSTATE_END_OF_LIST,
    },
    .subsections = (const VMStateDescription *const[]){
        &vmstate_riscv_aplic_root, NULL},
    .post_load = aplic_post_load,
};

void riscv_aplic_free(RiscvAplic *a)
{
    if (!a) {
        return;
    }
    savevm_unregister(a);
    for (unsigned c = 0; c < a->nchildren; c++) {
        riscv_aplic_free(a->children[c]);
    }
    memory_region_free(a->mmio);
    g_free(a->sourcecfg);
    g_free(a->target);
    g_free(a->pending);
    g_free(a->enabled);
    g_free(a->idc);
    g_free(a->level);
    g_free(a->inputs);
    g_free(a);
}

void riscv_aplic_set_msi_config(RiscvAplic *r, uint64_t m_base, unsigned m_lhxs,
                                uint64_t s_base, unsigned s_lhxs, unsigned lhxw)
{
    uint64_t m_ppn = m_base >> 12, s_ppn = s_base >> 12;

    r->msicfg_reset[0] = (uint32_t)m_ppn;
    r->msicfg_reset[1] = (uint32_t)(m_ppn >> 32 & 0xfff) | (lhxw & 0xf) << 12 |
                         (m_lhxs & 7) << 20;
    r->msicfg_reset[2] = (uint32_t)s_ppn;
    r->msicfg_reset[3] = (uint32_t)(s_ppn >> 32 & 0xfff) | (s_lhxs & 7) << 20;
    memcpy(r->msicfg, r->msicfg_reset, sizeof(r->msicfg));
}

static void aplic_reset_domain(RiscvAplic *a)
{
    a->domaincfg_ie = 0;
    a->genmsi = 0;
    memset(a->sourcecfg, 0, a->num_sources * sizeof(uint32_t));
    memset(a->target, 0, a->num_sources * sizeof(uint32_t));
    memset(a->pending, 0, a->num_words * sizeof(uint32_t));
    memset(a->enabled, 0, a->num_words * sizeof(uint32_t));
    if (!a->parent) {
        memcpy(a->msicfg, a->msicfg_reset, sizeof(a->msicfg));
    }
    for (unsigned h = 0; a->idc && h < a->harts; h++) {
        a->idc[h].idelivery = a->idc[h].iforce = a->idc[h].ithreshold = 0;
        aplic_idc_update(a, h);
    }
    for (unsigned c = 0; c < a->nchildren; c++) {
        aplic_reset_domain(a->children[c]);
    }
}

void riscv_aplic_reset(RiscvAplic *a)
{
    /* Wires keep their levels; every source starts inactive. */
    aplic_reset_domain(a->root);
}

MemoryRegion *riscv_aplic_mmio(RiscvAplic *a)
{
    return a->mmio;
}

IrqLine *riscv_aplic_input(RiscvAplic *a, unsigned n)
{
    return !a->parent && n && n < a->num_sources ? &a->inputs[n] : NULL;
}

IrqLine *riscv_aplic_inputs(RiscvAplic *a)
{
    return a->inputs;
}

IrqLine *riscv_aplic_output(RiscvAplic *a, unsigned hart)
{
    return a->idc && hart < a->harts ? &a->idc[hart].out : NULL;
}
