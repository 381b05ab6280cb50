/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vCPU threads of the software CPU (see include/accel/tcg.h). */
#include <glib.h>
#include "accel/tcg.h"
#include "system/runstate.h"
#include "util/main-loop.h"
#include "util/timer.h"

typedef struct TcgHart {
    TcgAccel *acc;
    RiscvCpu *cpu;
    unsigned index;
    bool parked; /* under acc->lock */
    GThread *thread;
} TcgHart;

struct TcgAccel {
    GMutex lock;
    GCond cond;      /* harts wait here while stopped */
    GCond parked;    /* the pauser waits here */
    bool vm_running; /* the VM's run state */
    bool paused;     /* machine-requested pause (reset) */
    unsigned n;
    TcgHart *harts;
    const TcgHooks *hooks;
    void *opaque;
};

static bool may_run(const TcgAccel *acc)
{
    return acc->vm_running && !acc->paused;
}

static void hart_sleep(TcgHart *h)
{
    TcgAccel *acc = h->acc;
    int64_t deadline = acc->hooks->next_deadline_ns
                           ? acc->hooks->next_deadline_ns(acc->opaque,
                                                          h->index)
                           : INT64_MAX;
    int64_t timeout = -1;

    if (deadline != INT64_MAX) {
        timeout = deadline - clock_get_ns(QEMU_CLOCK_VIRTUAL);
        if (timeout <= 0) {
            return; /* due already: the poll hook raises it */
        }
    }
    riscv_cpu_wait_for_interrupt(h->cpu, timeout);
}

static gpointer hart_thread(gpointer opaque)
{
    TcgHart *h = opaque;
    TcgAccel *acc = h->acc;

    for (;;) {
        g_mutex_lock(&acc->lock);
        while (!may_run(acc)) {
            if (!h->parked) {
                h->parked = true;
                g_cond_broadcast(&acc->parked);
            }
            g_cond_wait(&acc->cond, &acc->lock);
        }
        h->parked = false;
        g_mutex_unlock(&acc->lock);

        if (acc->hooks->poll) {
            acc->hooks->poll(acc->opaque, h->index);
        }
        if (riscv_cpu_run(h->cpu, TCG_SLICE_INSNS) == RISCV_RUN_WFI) {
            hart_sleep(h);
        }
    }
    return NULL;
}

/* Wake sleeping harts and wait until every one is parked. */
static void tcg_accel_stop_all(TcgAccel *acc)
{
    bool relock = bql_locked();

    for (unsigned i = 0; i < acc->n; i++) {
        riscv_cpu_request_exit(acc->harts[i].cpu);
    }
    /* A hart may be waiting for the big lock inside an MMIO access. */
    if (relock) {
        bql_unlock();
    }
    g_mutex_lock(&acc->lock);
    for (unsigned i = 0; i < acc->n; i++) {
        while (!acc->harts[i].parked) {
            g_cond_wait(&acc->parked, &acc->lock);
        }
    }
    g_mutex_unlock(&acc->lock);
    if (relock) {
        bql_lock();
    }
}

static void tcg_vm_state_changed(void *opaque, bool running, RunState state)
{
    TcgAccel *acc = opaque;

    g_mutex_lock(&acc->lock);
    acc->vm_running = running;
    g_cond_broadcast(&acc->cond);
    g_mutex_unlock(&acc->lock);
    if (!running) {
        tcg_accel_stop_all(acc);
    }
}

bool tcg_accel_pause(TcgAccel *acc)
{
    bool was;

    g_mutex_lock(&acc->lock);
    was = may_run(acc);
    acc->paused = true;
    g_mutex_unlock(&acc->lock);
    tcg_accel_stop_all(acc);
    return was;
}

void tcg_accel_resume(TcgAccel *acc)
{
    g_mutex_lock(&acc->lock);
    acc->paused = false;
    g_cond_broadcast(&acc->cond);
    g_mutex_unlock(&acc->lock);
}

uint64_t tcg_accel_icount(TcgAccel *acc)
{
    uint64_t sum = 0;

    for (unsigned i = 0; i < acc->n; i++) {
        sum += riscv_cpu_icount(acc->harts[i].cpu);
    }
    return sum;
}

TcgAccel *tcg_accel_start(RiscvCpu **cpus, unsigned n, const TcgHooks *hooks,
                          void *opaque, Error **errp)
{
    TcgAccel *acc;

    if (n == 0) {
        error_setg(errp, "the software CPU needs at least one hart");
        return NULL;
    }
    acc = g_new0(TcgAccel, 1);
    g_mutex_init(&acc->lock);
    g_cond_init(&acc->cond);
    g_cond_init(&acc->parked);
    acc->n = n;
    acc->hooks = hooks;
    acc->opaque = opaque;
    acc->vm_running = runstate_is_running();
    acc->harts = g_new0(TcgHart, n);
    for (unsigned i = 0; i < n; i++) {
        TcgHart *h = &acc->harts[i];
        char name[32];
        h->acc = acc;
        h->cpu = cpus[i];
        h->index = i;
        g_snprintf(name, sizeof(name), "CPU %u/TCG", i);
        h->thread = g_thread_try_new(name, hart_thread, h, NULL);
        if (!h->thread) {
            /* Threads already started stay parked forever: harmless. */
            error_setg(errp, "cannot create the thread of hart %u", i);
            return NULL;
        }
    }
    vm_state_notify_add(tcg_vm_state_changed, acc);
    return acc;
}
