/* SPDX-License-Identifier: GPL-2.0-or-later */
/* RISC-V AIA IMSIC (see include/hw/intc/riscv_imsic.h). */
#include <string.h>
#include <glib.h>
#include "hw/intc/riscv_imsic.h"
#include "migration/savevm.h"
#include "vmstate-helpers.h"

typedef struct ImsicFile {
    uint32_t eidelivery;
    uint32_t eithreshold;
    uint64_t *eip; /* one bit per identity, identity 0 never set */
    uint64_t *eie;
    int out_level;
    IrqLine out;
} ImsicFile;

struct RiscvImsic {
    GMutex lock;
    MemoryRegion *mmio;
    bool mmode;
    unsigned harts, guest_bits, num_ids, words;
    ImsicFile *file; /* one per hart: the M or S file */
};

/* Mask of the identities that exist in 64-bit word @w. */
static uint64_t imsic_word_mask(const RiscvImsic *s, unsigned w)
{
    uint64_t m = ~0ULL;

    if (w == 0) {
        m &= ~1ULL; /* identity 0 does not exist */
    }
    if (w == s->words - 1 && (s->num_ids + 1) % 64) {
        m &= (1ULL << ((s->num_ids + 1) % 64)) - 1;
    }
    return w < s->words ? m : 0;
}

/* Highest-priority (lowest) pending and enabled identity under the
 * threshold; 0 when none.  Lock held. */
static uint32_t imsic_top(const RiscvImsic *s, const ImsicFile *f)
{
    for (unsigned w = 0; w < s->words; w++) {
        uint64_t cand = f->eip[w] & f->eie[w];
        if (cand) {
            uint32_t id = w * 64 + __builtin_ctzll(cand);
            if (f->eithreshold && id >= f->eithreshold) {
                return 0; /* every later identity is above it too */
            }
            return id;
        }
    }
    return 0;
}

/* Recompute the file's output; called with the lock held so levels
 * reach the hart in the order the state changed. */
static void imsic_update(RiscvImsic *s, ImsicFile *f)
{
    int level = f->eidelivery == 1 && imsic_top(s, f) != 0;

    if (level != f->out_level) {
        f->out_level = level;
        irq_set(&f->out, level);
    }
}

void riscv_imsic_set_pending(RiscvImsic *s, unsigned hart, uint32_t id)
{
    if (hart >= s->harts || id == 0 || id > s->num_ids) {
        return;
    }
    g_mutex_lock(&s->lock);
    s->file[hart].eip[id / 64] |= 1ULL << (id % 64);
    imsic_update(s, &s->file[hart]);
    g_mutex_unlock(&s->lock);
}

static uint64_t imsic_mmio_read(void *opaque, uint64_t off, unsigned size)
{
    return 0; /* seteipnum_le/be read as zero; other words are reserved */
}

static void imsic_mmio_write(void *opaque, uint64_t off, uint64_t val,
                             unsigned size)
{
    RiscvImsic *s = opaque;
    uint64_t stride = riscv_imsic_hart_stride(s);
    unsigned hart = off / stride;
    uint64_t in_hart = off % stride;

    /* Only the first page of a hart is its S (or M) file; the guest
     * pages have nobody to deliver to without the H extension. */
    if (in_hart == IMSIC_SETEIPNUM_LE) {
        riscv_imsic_set_pending(s, hart, (uint32_t)val);
    } else if (in_hart == IMSIC_SETEIPNUM_BE) {
        riscv_imsic_set_pending(s, hart, GUINT32_SWAP_LE_BE((uint32_t)val));
    }
}

static const MemoryRegionOps imsic_ops = {
    .read = imsic_mmio_read,
    .write = imsic_mmio_write,
    .min_access = 4,
    .max_access = 4,
};

/* eip/eie register @k (even) as one 64-bit value.  Lock held. */
static uint64_t *imsic_array_word(RiscvImsic *s, ImsicFile *f, unsigned isel,
                                  uint64_t *mask)
{
    bool pending = isel <= IMSIC_ISEL_EIP63;
    unsigned k = isel - (pending ? IMSIC_ISEL_EIP0 : IMSIC_ISEL_EIE0);
    unsigned w = k / 2;

    *mask = imsic_word_mask(s, w);
    if (w >= s->words) {
        return NULL; /* beyond num_ids: read-only zero */
    }
    return pending ? &f->eip[w] : &f->eie[w];
}

bool riscv_imsic_rmw(RiscvImsic *s, unsigned hart, unsigned isel, uint64_t wval,
                     uint64_t wmask, uint64_t *old)
{
    ImsicFile *f;
    uint64_t *reg, mask;

    if (hart >= s->harts || isel < IMSIC_ISEL_EIDELIVERY ||
        isel > IMSIC_ISEL_EIE63) {
        return false;
    }
    if (isel >= IMSIC_ISEL_EIP0 && (isel & 1)) {
        return false; /* eip1, eip3... do not exist for XLEN = 64 */
    }
    f = &s->file[hart];
    g_mutex_lock(&s->lock);
    switch (isel) {
    case IMSIC_ISEL_EIDELIVERY:
        *old = f->eidelivery;
        /* WARL: only 0 and 1 (no PLIC/APLIC bypass value). */
        f->eidelivery = ((f->eidelivery & ~wmask) | (wval & wmask)) & 1;
        break;
    case IMSIC_ISEL_EITHRESHOLD:
        *old = f->eithreshold;
        /* WLRL 0..num_ids: keep enough bits for every legal value. */
        f->eithreshold =
            ((f->eithreshold & ~wmask) | (wval & wmask)) & IMSIC_MAX_IDS;
        break;
    default:
        if (isel < IMSIC_ISEL_EIP0) {
            *old = 0; /* reserved: read zero, ignore writes */
            break;
        }
        reg = imsic_array_word(s, f, isel, &mask);
        *old = reg ? *reg : 0;
        if (reg) {
            *reg = ((*reg & ~wmask) | (wval & wmask)) & mask;
        }
        break;
    }
    imsic_update(s, f);
    g_mutex_unlock(&s->lock);
    return true;
}

uint32_t riscv_imsic_topei(RiscvImsic *s, unsigned hart, bool claim)
{
    ImsicFile *f;
    uint32_t id;

    if (hart >= s->harts) {
        return 0;
    }
    f = &s->file[hart];
    g_mutex_lock(&s->lock);
    id = imsic_top(s, f);
    if (claim && id) {
        f->eip[id / 64] &= ~(1ULL << (id % 64));
        imsic_update(s, f);
    }
    g_mutex_unlock(&s->lock);
    return id ? (id << IMSIC_TOPEI_ID_SHIFT) | id : 0;
}

RiscvImsic *riscv_imsic_new(const char *name, bool mmode, unsigned harts,
                            unsigned guests, unsigned num_ids, Error **errp)
{
    RiscvImsic *s;

    if (harts < 1 || harts > 16384) {
        error_setg(errp, "IMSIC: %u harts is out of range (1..16384)", harts);
        return NULL;
    }
    if (guests > (mmode ? 0 : IMSIC_MAX_GUESTS)) {
        error_setg(errp, "IMSIC: %u guest files is out of range (0..%u)",
                   guests, mmode ? 0 : IMSIC_MAX_GUESTS);
        return NULL;
    }
    if (num_ids < 63 || num_ids > IMSIC_MAX_IDS || num_ids % 64 != 63) {
        error_setg(errp,
                   "IMSIC: %u interrupt identities is not one of "
                   "63, 127, ..., %u",
                   num_ids, IMSIC_MAX_IDS);
        return NULL;
    }
    s = g_new0(RiscvImsic, 1);
    g_mutex_init(&s->lock);
    s->mmode = mmode;
    s->harts = harts;
    while ((1u << s->guest_bits) < guests + 1) {
        s->guest_bits++;
    }
    s->num_ids = num_ids;
    s->words = (num_ids + 1) / 64;
    s->file = g_new0(ImsicFile, harts);
    for (unsigned h = 0; h < harts; h++) {
        s->file[h].eip = g_new0(uint64_t, s->words);
        s->file[h].eie = g_new0(uint64_t, s->words);
    }
    s->mmio = memory_region_new_io(name, harts * riscv_imsic_hart_stride(s),
                                   &imsic_ops, s);
    if (!vmstate_register(NULL, name, VMSTATE_INSTANCE_ID_ANY,
                          &vmstate_riscv_imsic, s, errp)) {
        riscv_imsic_free(s);
        return NULL;
    }
    return s;
}

/* ---- migration: per hart eidelivery, eithreshold, eip[], eie[] ---- */

static bool imsic_get_files(QEMUFile *f, void *opaque, void *ptr,
                            const VMStateField *field, Error **errp)
{
    RiscvImsic *s = opaque;

    for (unsigned h = 0; h < s->harts; h++) {
        ImsicFile *fl = &s->file[h];
        fl->eidelivery = qemu_get_be32(f);
        fl->eithreshold = qemu_get_be32(f);
        for (unsigned w = 0; w < s->words; w++) {
            fl->eip[w] = qemu_get_be64(f);
        }
        for (unsigned w = 0; w < s->words; w++) {
            fl->eie[w] = qemu_get_be64(f);
        }
        if (!qemu_file_check_error(f, errp)) {
            return false;
        }
        if (fl->eidelivery > 1 || fl->eithreshold > IMSIC_MAX_IDS) {
            error_setg(errp, "hart %u: eidelivery %u / eithreshold %u out "
                       "of range", h, fl->eidelivery, fl->eithreshold);
            return false;
        }
        for (unsigned w = 0; w < s->words; w++) {
            uint64_t m = imsic_word_mask(s, w);
            if ((fl->eip[w] | fl->eie[w]) & ~m) {
                error_setg(errp, "hart %u: interrupt identity beyond the "
                           "%u that exist", h, s->num_ids);
                return false;
            }
        }
    }
    return true;
}

static bool imsic_put_files(QEMUFile *f, void *opaque, void *ptr,
                            const VMStateField *field, Error **errp)
{
    RiscvImsic *s = opaque;

    for (unsigned h = 0; h < s->harts; h++) {
        ImsicFile *fl = &s->file[h];
        qemu_put_be32(f, fl->eidelivery);
        qemu_put_be32(f, fl->eithreshold);
        for (unsigned w = 0; w < s->words; w++) {
            qemu_put_be64(f, fl->eip[w]);
        }
        for (unsigned w = 0; w < s->words; w++) {
            qemu_put_be64(f, fl->eie[w]);
        }
    }
    return true;
}

static const VMStateInfo imsic_files_info = {"imsic-files", imsic_get_files,
                                             imsic_put_files};

static bool imsic_post_load(void *opaque, int version_id, Error **errp)
{
    RiscvImsic *s = opaque;

    g_mutex_lock(&s->lock);
    for (unsigned h = 0; h < s->harts; h++) {
        s->file[h].out_level = -1; /* drive the output again */
        imsic_update(s, &s->file[h]);
    }
    g_mutex_unlock(&s->lock);
    return true;
}

const VMStateDescription vmstate_riscv_imsic = {
    .name = "riscv-imsic",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]){
        VMSTATE_SAME_U32(harts, RiscvImsic),
        VMSTATE_SAME_U32(num_ids, RiscvImsic),
        VMSTATE_SAME_U32(guest_bits, RiscvImsic),
        {.name = "files", .kind = VMS_CUSTOM,
         .offset = offsetof(RiscvImsic, file), .size = sizeof(void *),
         .info = &imsic_files_info},
        VMSTATE_END_OF_LIST,
    },
    .post_load = imsic_post_load,
};

void riscv_imsic_free(RiscvImsic *s)
{
    if (!s) {
        return;
    }
    savevm_unregister(s);
    for (unsigned h = 0; h < s->harts; h++) {
        g_free(s->file[h].eip);
        g_free(s->file[h].eie);
    }
    memory_region_free(s->mmio);
    g_free(s->file);
    g_mutex_clear(&s->lock);
    g_free(s);
}

void riscv_imsic_reset(RiscvImsic *s)
{
    g_mutex_lock(&s->lock);
    for (unsigned h = 0; h < s->harts; h++) {
        ImsicFile *f = &s->file[h];
        f->eidelivery = 0;
        f->eithreshold = 0;
        memset(f->eip, 0, s->words * sizeof(uint64_t));
        memset(f->eie, 0, s->words * sizeof(uint64_t));
        imsic_update(s, f);
    }
    g_mutex_unlock(&s->lock);
}

MemoryRegion *riscv_imsic_mmio(RiscvImsic *s)
{
    return s->mmio;
}

uint64_t riscv_imsic_hart_stride(const RiscvImsic *s)
{
    return (uint64_t)IMSIC_PAGE_SIZE << s->guest_bits;
}

unsigned riscv_imsic_guest_bits(const RiscvImsic *s)
{
    return s->guest_bits;
}

unsigned riscv_imsic_num_ids(const RiscvImsic *s)
{
    return s->num_ids;
}

IrqLine *riscv_imsic_output(RiscvImsic *s, unsigned hart)
{
    return hart < s->harts ? &s->file[hart].out : NULL;
}
