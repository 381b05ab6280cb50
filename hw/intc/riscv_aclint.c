/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ACLINT MSWI, MTIMER, SSWI and the CLINT (include/hw/intc/riscv_aclint.h). */
#include <inttypes.h>
#include <glib.h>
#include "hw/intc/riscv_aclint.h"
#include "migration/savevm.h"
#include "vmstate-helpers.h"
#include "util/main-loop.h"
#include "util/timer.h"

typedef struct AclintHart {
    RiscvAclint *owner;
    unsigned index;
    uint64_t mtimecmp;
    int64_t deadline_ns; /* atomic: when mtime reaches mtimecmp */
    bool msip;
    int mtip_level;
    QEMUTimer *timer;
    IrqLine msip_out, mtip_out, ssip_out;
} AclintHart;

struct RiscvAclint {
    MemoryRegion *mmio, *mswi, *mtimer, *sswi; /* CLINT and ACLINT windows */
    unsigned num_harts;
    uint64_t hz;
    int64_t time_delta; /* mtime = ticks(virtual clock) + time_delta */
    AclintHart *harts;
    /* migration: mtime and the timebase as they are on the wire */
    uint64_t mig_mtime, mig_hz;
};

static uint64_t ns_to_ticks(const RiscvAclint *a, int64_t ns)
{
    return (unsigned __int128)(uint64_t)ns * a->hz / 1000000000u;
}

uint64_t riscv_aclint_time(RiscvAclint *a)
{
    return ns_to_ticks(a, clock_get_ns(QEMU_CLOCK_VIRTUAL)) +
           (uint64_t)__atomic_load_n(&a->time_delta, __ATOMIC_RELAXED);
}

/* Virtual ns at which mtime reaches @cmp (0: already, INT64_MAX: never). */
static int64_t cmp_to_deadline(const RiscvAclint *a, uint64_t cmp)
{
    uint64_t ticks;
    unsigned __int128 ns;

    if (a->time_delta >= 0) {
        if (cmp <= (uint64_t)a->time_delta) {
            return 0;
        }
        ticks = cmp - (uint64_t)a->time_delta;
    } else {
        uint64_t back = -(uint64_t)a->time_delta;
        if (cmp > UINT64_MAX - back) {
            return INT64_MAX;
        }
        ticks = cmp + back;
    }
    ns = ((unsigned __int128)ticks * 1000000000u + a->hz - 1) / a->hz;
    return ns >= INT64_MAX ? INT64_MAX : (int64_t)ns;
}

static void aclint_set_mtip(AclintHart *h, int level)
{
    if (level) {
        /* Nothing more to wait for until mtimecmp is written again. */
        __atomic_store_n(&h->deadline_ns, INT64_MAX, __ATOMIC_RELAXED);
    }
    if (h->mtip_level != level) {
        h->mtip_level = level;
        irq_set(&h->mtip_out, level);
    }
}

/* Recompute MTIP and re-arm the timer after mtimecmp or mtime changed. */
static void aclint_timer_update(RiscvAclint *a, AclintHart *h)
{
    int64_t deadline = cmp_to_deadline(a, h->mtimecmp);

    __atomic_store_n(&h->deadline_ns, deadline, __ATOMIC_RELAXED);
    if (riscv_aclint_time(a) >= h->mtimecmp) {
        timer_del(h->timer);
        aclint_set_mtip(h, 1);
        return;
    }
    aclint_set_mtip(h, 0);
    if (deadline == INT64_MAX) {
        timer_del(h->timer);
    } else {
        timer_mod_ns(h->timer, deadline);
        main_loop_kick(); /* the main loop may be polling with a later one */
    }
}

void riscv_aclint_check_timer(RiscvAclint *a, unsigned hart)
{
    AclintHart *h;

    if (hart >= a->num_harts) {
        return;
    }
    h = &a->harts[hart];
    if (riscv_aclint_time(a) >= h->mtimecmp) {
        aclint_set_mtip(h, 1);
    }
}

static void aclint_timer_cb(void *opaque)
{
    AclintHart *h = opaque;

    /* The virtual clock can lag the deadline by rounding: re-arm then. */
    aclint_timer_update(h->owner, h);
}

int64_t riscv_aclint_timer_deadline_ns(RiscvAclint *a, unsigned hart)
{
    if (hart >= a->num_harts) {
        return INT64_MAX;
    }
    return __atomic_load_n(&a->harts[hart].deadline_ns, __ATOMIC_RELAXED);
}

/* A register access the devices accept: 4 bytes (or 8 where @max_size
 * allows), naturally aligned. */
static bool aclint_access_ok(uint64_t off, unsigned size, unsigned max_size)
{
    return (size == 4 || size == max_size) && !(off & (size - 1));
}

/* 4-byte access to either half of a 64-bit register, or all of it. */
static uint64_t read_part(uint64_t reg, uint64_t off, unsigned size)
{
    if (size == 4) {
        return (off & 4) ? reg >> 32 : (uint32_t)reg;
    }
    return reg;
}

static uint64_t write_part(uint64_t reg, uint64_t off, unsigned size,
                           uint64_t val)
{
    if (size == 4) {
        if (off & 4) {
            return (reg & 0xffffffffu) | (val << 32);
        }
        return (reg & ~0xffffffffull) | (uint32_t)val;
    }
    return val;
}

/* ---- MSWI: msip per hart ---- */

static uint64_t mswi_read(void *opaque, uint64_t off, unsigned size)
{
    RiscvAclint *a = opaque;
    uint64_t h = off / 4;

    if (!aclint_access_ok(off, size, 4) || h >= a->num_harts) {
        return 0;
    }
    return a->harts[h].msip;
}

static void mswi_write(void *opaque, uint64_t off, uint64_t val,
                       unsigned size)
{
    RiscvAclint *a = opaque;
    uint64_t h = off / 4;

    if (!aclint_access_ok(off, size, 4) || h >= a->num_harts) {
        return;
    }
    /* Only bit 0 exists: any even value clears. */
    a->harts[h].msip = val & 1;
    irq_set(&a->harts[h].msip_out, val & 1);
}

/* ---- MTIMER: mtimecmp per hart, then mtime ---- */

static uint64_t mtimer_read(void *opaque, uint64_t off, unsigned size)
{
    RiscvAclint *a = opaque;
    uint64_t h = off / 8;

    if (!aclint_access_ok(off, size, 8)) {
        return 0;
    }
    if (off >= ACLINT_MTIMER_MTIME && off < ACLINT_MTIMER_MTIME + 8) {
        return read_part(riscv_aclint_time(a), off, size);
    }
    return h < a->num_harts ? read_part(a->harts[h].mtimecmp, off, size) : 0;
}

static void mtimer_set_time(RiscvAclint *a, uint64_t off, unsigned size,
                            uint64_t val)
{
    uint64_t now = riscv_aclint_time(a);
    uint64_t want = write_part(now, off, size, val);

    __atomic_store_n(&a->time_delta, a->time_delta + (int64_t)(want - now),
                     __ATOMIC_RELAXED);
    for (unsigned h = 0; h < a->num_harts; h++) {
        aclint_timer_update(a, &a->harts[h]);
    }
}

static void mtimer_write(void *opaque, uint64_t off, uint64_t val,
                         unsigned size)
{
    RiscvAclint *a = opaque;
    uint64_t h = off / 8;

    if (!aclint_access_ok(off, size, 8)) {
        return;
    }
    if (off >= ACLINT_MTIMER_MTIME && off < ACLINT_MTIMER_MTIME + 8) {
        mtimer_set_time(a, off, size, val);
    } else if (h < a->num_harts) {
        AclintHart *hs = &a->harts[h];
        hs->mtimecmp = write_part(hs->mtimecmp, off, size, val);
        aclint_timer_update(a, hs);
    }
}

/* ---- SSWI: setssip per hart ---- */

static uint64_t sswi_read(void *opaque, uint64_t off, unsigned size)
{
    return 0; /* setssip always reads as zero */
}

static void sswi_write(void *opaque, uint64_t off, uint64_t val,
                       unsigned size)
{
    RiscvAclint *a = opaque;
    uint64_t h = off / 4;

    /* Writing 1 sets the hart's SSIP; the guest clears it in sip, so 0
     * does nothing here. */
    if (aclint_access_ok(off, size, 4) && h < a->num_harts && (val & 1)) {
        irq_raise(&a->harts[h].ssip_out);
    }
}

/* ---- the SiFive CLINT: MSWI at 0, MTIMER after it ---- */

static uint64_t clint_read(void *opaque, uint64_t off, unsigned size)
{
    if (off < ACLINT_MTIMECMP_BASE) {
        return mswi_read(opaque, off, size);
    }
    if (off - ACLINT_MTIMECMP_BASE < ACLINT_MTIMER_SIZE) {
        return mtimer_read(opaque, off - ACLINT_MTIMECMP_BASE, size);
    }
    return 0;
}

static void clint_write(void *opaque, uint64_t off, uint64_t val,
                        unsigned size)
{
    if (off < ACLINT_MTIMECMP_BASE) {
        mswi_write(opaque, off, val, size);
    } else if (off - ACLINT_MTIMECMP_BASE < ACLINT_MTIMER_SIZE) {
        mtimer_write(opaque, off - ACLINT_MTIMECMP_BASE, val, size);
    }
}

/* ---- migration ---- */

/* mtime, not the offset to the local virtual clock: the destination's
 * clock started elsewhere, so the offset is recomputed there and the
 * guest's time continues where it stopped. */
static bool aclint_pre_save(void *opaque, Error **errp)
{
    RiscvAclint *a = opaque;

    a->mig_mtime = riscv_aclint_time(a);
    a->mig_hz = a->hz;
    return true;
}

static bool aclint_get_harts(QEMUFile *f, void *opaque, void *ptr,
                             const VMStateField *field, Error **errp)
{
    RiscvAclint *a = opaque;

    for (unsigned i = 0; i < a->num_harts; i++) {
        uint8_t msip;
        a->harts[i].mtimecmp = qemu_get_be64(f);
        msip = qemu_get_byte(f);
        if (msip > 1) {
            error_setg(errp, "msip of hart %u is %u", i, msip);
            return false;
        }
        a->harts[i].msip = msip;
    }
    return qemu_file_check_error(f, errp);
}

static bool aclint_put_harts(QEMUFile *f, void *opaque, void *ptr,
                             const VMStateField *field, Error **errp)
{
    RiscvAclint *a = opaque;

    for (unsigned i = 0; i < a->num_harts; i++) {
        qemu_put_be64(f, a->harts[i].mtimecmp);
        qemu_put_byte(f, a->harts[i].msip);
    }
    return true;
}

static const VMStateInfo aclint_harts_info = {"aclint-harts",
                                              aclint_get_harts,
                                              aclint_put_harts};

static bool aclint_post_load(void *opaque, int version_id, Error **errp)
{
    RiscvAclint *a = opaque;
    int64_t delta;

    if (a->mig_hz != a->hz) {
        error_setg(errp, "timebase is %" PRIu64 " Hz in the stream but %"
                   PRIu64 " Hz here", a->mig_hz, a->hz);
        return false;
    }
    delta = (int64_t)(a->mig_mtime -
                      ns_to_ticks(a, clock_get_ns(QEMU_CLOCK_VIRTUAL)));
    __atomic_store_n(&a->time_delta, delta, __ATOMIC_RELAXED);
    for (unsigned i = 0; i < a->num_harts; i++) {
        AclintHart *h = &a->harts[i];
        irq_set(&h->msip_out, h->msip);
        h->mtip_level = -1; /* drive MTIP again, whatever it was */
        aclint_timer_update(a, h);
    }
    return true;
}

const VMStateDescription vmstate_riscv_aclint = {
    .name = "riscv-aclint",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]){
        VMSTATE_SAME_U32(num_harts, RiscvAclint),
        VMSTATE_UINT64(mig_hz, RiscvAclint),
        VMSTATE_UINT64(mig_mtime, RiscvAclint),
        {.name = "harts", .kind = VMS_CUSTOM,
         .offset = offsetof(RiscvAclint, harts), .size = sizeof(void *),
         .info = &aclint_harts_info},
        VMSTATE_END_OF_LIST,
    },
    .pre_save = aclint_pre_save,
    .post_load = aclint_post_load,
};

static const MemoryRegionOps clint_ops = {
    .read = clint_read,
    .write = clint_write,
    .min_access = 4,
    .max_access = 8,
};

static const MemoryRegionOps mswi_ops = {
    .read = mswi_read,
    .write = mswi_write,
    .min_access = 4,
    .max_access = 4,
};

static const MemoryRegionOps mtimer_ops = {
    .read = mtimer_read,
    .write = mtimer_write,
    .min_access = 4,
    .max_access = 8,
};

static const MemoryRegionOps sswi_ops = {
    .read = sswi_read,
    .write = sswi_write,
    .min_access = 4,
    .max_access = 4,
};

static MemoryRegion *aclint_window(RiscvAclint *a, const char *name,
                                   const char *suffix, uint64_t size,
                                   const MemoryRegionOps *ops)
{
    char *full = g_strdup_printf("%s%s", name, suffix);
    MemoryRegion *mr = memory_region_new_io(full, size, ops, a);

    g_free(full);
    return mr;
}

RiscvAclint *riscv_aclint_new(const char *name, unsigned num_harts,
                              uint64_t timebase_hz, Error **errp)
{
    RiscvAclint *a;

    if (num_harts < 1 || num_harts > ACLINT_MAX_HARTS) {
        error_setg(errp, "CLINT: %u harts is out of range (1..%u)", num_harts,
                   ACLINT_MAX_HARTS);
        return NULL;
    }
    if (timebase_hz == 0 || timebase_hz > 1000000000u) {
        error_setg(errp, "CLINT: timebase %" PRIu64
                   " Hz is out of range", timebase_hz);
        return NULL;
    }
    a = g_new0(RiscvAclint, 1);
    a->num_harts = num_harts;
    a->hz = timebase_hz;
    a->harts = g_new0(AclintHart, num_harts);
    for (unsigned i = 0; i < num_harts; i++) {
        a->harts[i].owner = a;
        a->harts[i].index = i;
        a->harts[i].timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, aclint_timer_cb,
                                         &a->harts[i]);
    }
    a->mmio = aclint_window(a, name, "", ACLINT_CLINT_SIZE, &clint_ops);
    a->mswi = aclint_window(a, name, ".mswi", ACLINT_SWI_SIZE, &mswi_ops);
    a->mtimer = aclint_window(a, name, ".mtimer", ACLINT_MTIMER_SIZE,
                              &mtimer_ops);
    a->sswi = aclint_window(a, name, ".sswi", ACLINT_SWI_SIZE, &sswi_ops);
    riscv_aclint_reset(a);
    if (!vmstate_register(NULL, name, VMSTATE_INSTANCE_ID_ANY,
                          &vmstate_riscv_aclint, a, errp)) {
        riscv_aclint_free(a);
        return NULL;
    }
    return a;
}

void riscv_aclint_free(RiscvAclint *a)
{
    if (!a) {
        return;
    }
    savevm_unregister(a);
    for (unsigned i = 0; i < a->num_harts; i++) {
        timer_free(a->harts[i].timer);
    }
    memory_region_free(a->mmio);
    memory_region_free(a->mswi);
    memory_region_free(a->mtimer);
    memory_region_free(a->sswi);
    g_free(a->harts);
    g_free(a);
}

void riscv_aclint_reset(RiscvAclint *a)
{
    /* mtime keeps counting across a reset, like the virtual clock. */
    for (unsigned i = 0; i < a->num_harts; i++) {
        AclintHart *h = &a->harts[i];
        h->msip = false;
        irq_set(&h->msip_out, 0);
        h->mtimecmp = UINT64_MAX; /* no timer until firmware sets one */
        aclint_timer_update(a, h);
    }
}

MemoryRegion *riscv_aclint_mmio(RiscvAclint *a)
{
    return a->mmio;
}

MemoryRegion *riscv_aclint_mswi_mmio(RiscvAclint *a)
{
    return a->mswi;
}

MemoryRegion *riscv_aclint_mtimer_mmio(RiscvAclint *a)
{
    return a->mtimer;
}

MemoryRegion *riscv_aclint_sswi_mmio(RiscvAclint *a)
{
    return a->sswi;
}

IrqLine *riscv_aclint_msip_out(RiscvAclint *a, unsigned h)
{
    return h < a->num_harts ? &a->harts[h].msip_out : NULL;
}

IrqLine *riscv_aclint_mtip_out(RiscvAclint *a, unsigned h)
{
    return h < a->num_harts ? &a->harts[h].mtip_out : NULL;
}

IrqLine *riscv_aclint_ssip_out(RiscvAclint *a, unsigned h)
{
    return h < a->num_harts ? &a->harts[h].ssip_out : NULL;
}
