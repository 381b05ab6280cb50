/* SPDX-License-Identifier: GPL-2.0-or-later */
/* RISC-V PLIC (see include/hw/intc/riscv_plic.h). */
#include <string.h>
#include <glib.h>
#include "hw/intc/riscv_plic.h"
#include "migration/savevm.h"
#include "vmstate-helpers.h"

typedef struct PlicContext {
    uint32_t *enable;   /* words of enable bits */
    uint32_t threshold;
    int out_level;
    IrqLine out;
} PlicContext;

struct RiscvPlic {
    MemoryRegion *mmio;
    unsigned num_sources, num_words, num_contexts;
    uint32_t prio_mask;
    uint32_t *priority;
    uint32_t *level;    /* line levels, bit per source */
    uint32_t *pending;
    uint32_t *claimed;
    PlicContext *ctx;
    IrqLine *inputs;
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

/* Best claimable source of a context: highest priority above the
 * threshold, lowest id on ties; 0 when none. */
static unsigned plic_best(const RiscvPlic *p, const PlicContext *c)
{
    unsigned best = 0;
    uint32_t best_prio = c->threshold;

    for (unsigned w = 0; w < p->num_words; w++) {
        uint32_t cand = p->pending[w] & c->enable[w] & ~p->claimed[w];
        while (cand) {
            unsigned n = w * 32 + __builtin_ctz(cand);
            cand &= cand - 1;
            if (n && n < p->num_sources && p->priority[n] > best_prio) {
                best = n;
                best_prio = p->priority[n];
            }
        }
    }
    return best;
}

static void plic_update(RiscvPlic *p)
{
    for (unsigned i = 0; i < p->num_contexts; i++) {
        PlicContext *c = &p->ctx[i];
        int level = plic_best(p, c) != 0;
        if (level != c->out_level) {
            c->out_level = level;
            irq_set(&c->out, level);
        }
    }
}

static void plic_set_input(void *opaque, int n, int level)
{
    RiscvPlic *p = opaque;

    if (n <= 0 || (unsigned)n >= p->num_sources) {
        return;
    }
    bit_set(p->level, n, level);
    bit_set(p->pending, n, level != 0);
    plic_update(p);
}

static uint32_t plic_claim(RiscvPlic *p, PlicContext *c)
{
    unsigned n = plic_best(p, c);

    if (n) {
        bit_set(p->pending, n, false);
        bit_set(p->claimed, n, true);
        plic_update(p);
    }
    return n;
}

static void plic_complete(RiscvPlic *p, PlicContext *c, uint32_t n)
{
    /* Completion of a source this context cannot see is ignored. */
    if (n == 0 || n >= p->num_sources || !bit_get(c->enable, n)) {
        return;
    }
    bit_set(p->claimed, n, false);
    if (bit_get(p->level, n)) {
        bit_set(p->pending, n, true); /* level still high */
    }
    plic_update(p);
}

static uint64_t plic_read(void *opaque, uint64_t off, unsigned size)
{
    RiscvPlic *p = opaque;

    if (off < PLIC_PENDING_BASE) {
        unsigned n = off / 4;
        return n && n < p->num_sources ? p->priority[n] : 0;
    }
    if (off < PLIC_ENABLE_BASE) {
        unsigned w = (off - PLIC_PENDING_BASE) / 4;
        return w < p->num_words ? p->pending[w] : 0;
    }
    if (off < PLIC_CONTEXT_BASE) {
        unsigned ci = (off - PLIC_ENABLE_BASE) / PLIC_ENABLE_STRIDE;
        unsigned w = (off - PLIC_ENABLE_BASE) % PLIC_ENABLE_STRIDE / 4;
        if (ci < p->num_contexts && w < p->num_words) {
            return p->ctx[ci].enable[w];
        }
        return 0;
    }
    {
        unsigned ci = (off - PLIC_CONTEXT_BASE) / PLIC_CONTEXT_STRIDE;
        unsigned reg = (off - PLIC_CONTEXT_BASE) % PLIC_CONTEXT_STRIDE;
        if (ci >= p->num_contexts) {
            return 0;
        }
        if (reg == 0) {
            return p->ctx[ci].threshold;
        }
        if (reg == 4) {
            return plic_claim(p, &p->ctx[ci]);
        }
    }
    return 0;
}

static void plic_write(void *opaque, uint64_t off, uint64_t val,
                       unsigned size)
{
    RiscvPlic *p = opaque;

    if (off < PLIC_PENDING_BASE) {
        unsigned n = off / 4;
        if (n && n < p->num_sources) {
            p->priority[n] = val & p->prio_mask;
        }
    } else if (off < PLIC_ENABLE_BASE) {
        return; /* pending bits are read-only */
    } else if (off < PLIC_CONTEXT_BASE) {
        unsigned ci = (off - PLIC_ENABLE_BASE) / PLIC_ENABLE_STRIDE;
        unsigned w = (off - PLIC_ENABLE_BASE) % PLIC_ENABLE_STRIDE / 4;
        if (ci >= p->num_contexts || w >= p->num_words) {
            return;
        }
        p->ctx[ci].enable[w] = val;
        if (w == 0) {
            p->ctx[ci].enable[0] &= ~1u; /* source 0 does not exist */
        }
        if (w == p->num_words - 1 && p->num_sources % 32) {
            p->ctx[ci].enable[w] &= (1u << (p->num_sources % 32)) - 1;
        }
    } else {
        unsigned ci = (off - PLIC_CONTEXT_BASE) / PLIC_CONTEXT_STRIDE;
        unsigned reg = (off - PLIC_CONTEXT_BASE) % PLIC_CONTEXT_STRIDE;
        if (ci >= p->num_contexts) {
            return;
        }
        if (reg == 0) {
            p->ctx[ci].threshold = val & p->prio_mask;
        } else if (reg == 4) {
            plic_complete(p, &p->ctx[ci], val);
            return;
        } else {
            return;
        }
    }
    plic_update(p);
}

/* ---- migration ---- */

/* Per context: threshold, then its enable words. */
static bool plic_get_contexts(QEMUFile *f, void *opaque, void *ptr,
                              const VMStateField *field, Error **errp)
{
    RiscvPlic *p = opaque;

    for (unsigned i = 0; i < p->num_contexts; i++) {
        p->ctx[i].threshold = qemu_get_be32(f);
        for (unsigned w = 0; w < p->num_words; w++) {
            p->ctx[i].enable[w] = qemu_get_be32(f);
        }
    }
    return qemu_file_check_error(f, errp);
}

static bool plic_put_contexts(QEMUFile *f, void *opaque, void *ptr,
                              const VMStateField *field, Error **errp)
{
    RiscvPlic *p = opaque;

    for (unsigned i = 0; i < p->num_contexts; i++) {
        qemu_put_be32(f, p->ctx[i].threshold);
        for (unsigned w = 0; w < p->num_words; w++) {
            qemu_put_be32(f, p->ctx[i].enable[w]);
        }
    }
    return true;
}

static const VMStateInfo plic_contexts_info = {"plic-contexts",
                                               plic_get_contexts,
                                               plic_put_contexts};

/* Bits for sources 0 and >= num_sources must be clear. */
static bool plic_bits_valid(const RiscvPlic *p, const uint32_t *w)
{
    unsigned tail = p->num_sources % 32;

    if (w[0] & 1) {
        return false;
    }
    return !tail || !(w[p->num_words - 1] >> tail);
}

static bool plic_post_load(void *opaque, int version_id, Error **errp)
{
    RiscvPlic *p = opaque;

    for (unsigned n = 0; n < p->num_sources; n++) {
        if (p->priority[n] & ~p->prio_mask || (n == 0 && p->priority[0])) {
            error_setg(errp, "priority %u of source %u is out of range",
                       p->priority[n], n);
            return false;
        }
    }
    if (!plic_bits_valid(p, p->level) || !plic_bits_valid(p, p->pending) ||
        !plic_bits_valid(p, p->claimed)) {
        error_setg(errp, "a source beyond the %u sources is set",
                   p->num_sources);
        return false;
    }
    for (unsigned i = 0; i < p->num_contexts; i++) {
        if (p->ctx[i].threshold & ~p->prio_mask ||
            !plic_bits_valid(p, p->ctx[i].enable)) {
            error_setg(errp, "context %u: threshold or enable bits out of "
                       "range", i);
            return false;
        }
        p->ctx[i].out_level = -1; /* drive every output again */
    }
    plic_update(p);
    return true;
}

const VMStateDescription vmstate_riscv_plic = {
    .name = "riscv-plic",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]){
        VMSTATE_SAME_U32(num_sources, RiscvPlic),
        VMSTATE_SAME_U32(num_contexts, RiscvPlic),
        VMSTATE_U32_PTR_ARRAY(priority, RiscvPlic, num_sources),
        VMSTATE_U32_PTR_ARRAY(level, RiscvPlic, num_words),
        VMSTATE_U32_PTR_ARRAY(pending, RiscvPlic, num_words),
        VMSTATE_U32_PTR_ARRAY(claimed, RiscvPlic, num_words),
        {.name = "contexts", .kind = VMS_CUSTOM,
         .offset = offsetof(RiscvPlic, ctx), .size = sizeof(void *),
         .info = &plic_contexts_info},
        VMSTATE_END_OF_LIST,
    },
    .post_load = plic_post_load,
};

static const MemoryRegionOps plic_ops = {
    .read = plic_read,
    .write = plic_write,
    .min_access = 4,
    .max_access = 4,
};

RiscvPlic *riscv_plic_new(const char *name, unsigned num_sources,
                          unsigned num_contexts, unsigned prio_bits,
                          uint64_t mmio_size, Error **errp)
{
    RiscvPlic *p;

    if (num_sources < 2 || num_sources > PLIC_MAX_SOURCES) {
        error_setg(errp, "PLIC: %u sources is out of range (2..%u)",
                   num_sources, PLIC_MAX_SOURCES);
        return NULL;
    }
    if (num_contexts < 1 || num_contexts > PLIC_MAX_CONTEXTS ||
        mmio_size < PLIC_CONTEXT_BASE +
                        (uint64_t)num_contexts * PLIC_CONTEXT_STRIDE) {
        error_setg(errp, "PLIC: %u contexts do not fit in its window",
                   num_contexts);
        return NULL;
    }
    if (prio_bits < 1 || prio_bits > 32) {
        error_setg(errp, "PLIC: %u priority bits is out of range", prio_bits);
        return NULL;
    }
    p = g_new0(RiscvPlic, 1);
    p->num_sources = num_sources;
    p->num_words = (num_sources + 31) / 32;
    p->num_contexts = num_contexts;
    p->prio_mask = prio_bits == 32 ? UINT32_MAX : (1u << prio_bits) - 1;
    p->priority = g_new0(uint32_t, num_sources);
    p->level = g_new0(uint32_t, p->num_words);
    p->pending = g_new0(uint32_t, p->num_words);
    p->claimed = g_new0(uint32_t, p->num_words);
    p->ctx = g_new0(PlicContext, num_contexts);
    for (unsigned i = 0; i < num_contexts; i++) {
        p->ctx[i].enable = g_new0(uint32_t, p->num_words);
    }
    p->inputs = g_new0(IrqLine, num_sources);
    for (unsigned i = 0; i < num_sources; i++) {
        irq_init(&p->inputs[i], plic_set_input, p, i);
    }
    p->mmio = memory_region_new_io(name, mmio_size, &plic_ops, p);
    if (!vmstate_register(NULL, name, VMSTATE_INSTANCE_ID_ANY,
                          &vmstate_riscv_plic, p, errp)) {
        riscv_plic_free(p);
        return NULL;
    }
    return p;
}

void riscv_plic_free(RiscvPlic *p)
{
    if (!p) {
        return;
    }
    savevm_unregister(p);
    for (unsigned i = 0; i < p->num_contexts; i++) {
        g_free(p->ctx[i].enable);
    }
    memory_region_free(p->mmio);
    g_free(p->ctx);
    g_free(p->inputs);
    g_free(p->priority);
    g_free(p->level);
    g_free(p->pending);
    g_free(p->claimed);
    g_free(p);
}

void riscv_plic_reset(RiscvPlic *p)
{
    memset(p->priority, 0, p->num_sources * sizeof(uint32_t));
    memset(p->claimed, 0, p->num_words * sizeof(uint32_t));
    /* Lines keep their level across a reset: pending follows them. */
    memcpy(p->pending, p->level, p->num_words * sizeof(uint32_t));
    for (unsigned i = 0; i < p->num_contexts; i++) {
        memset(p->ctx[i].enable, 0, p->num_words * sizeof(uint32_t));
        p->ctx[i].threshold = 0;
    }
    plic_update(p);
}

MemoryRegion *riscv_plic_mmio(RiscvPlic *p)
{
    return p->mmio;
}

IrqLine *riscv_plic_input(RiscvPlic *p, unsigned n)
{
    return n && n < p->num_sources ? &p->inputs[n] : NULL;
}

IrqLine *riscv_plic_inputs(RiscvPlic *p)
{
    return p->inputs;
}

IrqLine *riscv_plic_output(RiscvPlic *p, unsigned ctx)
{
    return ctx < p->num_contexts ? &p->ctx[ctx].out : NULL;
}

unsigned riscv_plic_num_sources(const RiscvPlic *p)
{
    return p->num_sources;
}
