/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The software-CPU accelerator ("-accel tcg", the name libvirt passes):
 * one host thread per hart running the interpreter of target/riscv.
 *
 * Each hart thread runs its RiscvCpu in slices of TCG_SLICE_INSNS
 * instructions.  Between slices (and after a WFI wake-up) it calls the
 * machine's poll hook without the big lock, so the machine can raise timer
 * interrupts that came due without waiting for the main loop.  A WFI with
 * nothing pending sleeps until an interrupt or the hart's next timer
 * deadline (virtual clock).  The threads run only while the VM runs: they
 * follow vm_state_notify, and tcg_accel_pause()/tcg_accel_resume() let the
 * machine stop them around a reset.  MMIO callbacks take the big lock
 * themselves (the machine's RiscvMemOps do that).
 */
#ifndef ACCEL_TCG_H
#define ACCEL_TCG_H

#include <stdbool.h>
#include <stdint.h>
#include "target/riscv/cpu.h"
#include "util/error.h"

#define TCG_SLICE_INSNS 100000

typedef struct TcgHooks {
    /* Hart thread, no lock held: look for device events due now. */
    void (*poll)(void *opaque, unsigned hart);
    /* Any thread: QEMU_CLOCK_VIRTUAL time (ns) of the hart's next timer
     * event, INT64_MAX when none.  Bounds the WFI sleep. */
    int64_t (*next_deadline_ns)(void *opaque, unsigned hart);
} TcgHooks;

typedef struct TcgAccel TcgAccel;

/* Start one (paused) thread per hart of @cpus (cpus[i] is hart i).  The
 * threads start running when the VM does. */
TcgAccel *tcg_accel_start(RiscvCpu **cpus, unsigned n, const TcgHooks *hooks,
                          void *opaque, Error **errp);
/* Main thread: stop every hart at an instruction boundary and return when
 * all are parked (drops the big lock while waiting if it is held).
 * Returns whether they were running. */
bool tcg_accel_pause(TcgAccel *acc);
/* Main thread: let the harts run again (only if the VM is running). */
void tcg_accel_resume(TcgAccel *acc);
/* Total instructions retired by all harts since their last reset. */
uint64_t tcg_accel_icount(TcgAccel *acc);

#endif
