/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * 16550A UART with 16-byte FIFOs, memory-mapped with byte-wide registers
 * (register shift 0), as on QEMU's riscv virt board.
 *
 * Transmission is instantaneous: bytes written to THR go to the chardev at
 * once, so THR and the shift register always read as empty.  Received bytes
 * come from the chardev into the receive FIFO; the chardev is asked for no
 * more than the FIFO can hold.  Device state is protected by the big lock.
 */
#ifndef HW_CHAR_SERIAL_H
#define HW_CHAR_SERIAL_H

#include <stdint.h>
#include "chardev/char.h"
#include "hw/core/irq.h"
#include "migration/vmstate.h"
#include "system/memory.h"

#define SERIAL_MMIO_SIZE 0x100
#define SERIAL_FIFO_LEN  16

typedef struct SerialState SerialState;

/* @chr may be NULL (output is dropped, nothing is received).  @irq is the
 * line to the interrupt controller (level, active high). */
SerialState *serial_new(const char *name, Chardev *chr, IrqLine *irq,
                        Error **errp);
void serial_free(SerialState *s);
/* The register window (SERIAL_MMIO_SIZE bytes) to map. */
MemoryRegion *serial_mmio(SerialState *s);
/* Power-on state: FIFOs empty, interrupts off, 8N1 at divisor 12. */
void serial_reset(SerialState *s);
/*
 * Migration: serial_new() registers the UART under its @name.  Registers,
 * the receive FIFO and its position travel; the chardev stays the
 * destination's own and is asked for input again after the load.
 */
extern const VMStateDescription vmstate_serial_16550a;

#endif
