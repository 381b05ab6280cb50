/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * 16550A UART: enough of the register model for Linux's 8250 driver and
 * OpenSBI's uart8250 console (see include/hw/char/serial.h).
 */
#include <string.h>
#include <glib.h>
#include "hw/char/serial.h"
#include "migration/savevm.h"

/* Register offsets (byte-wide, shift 0). */
enum {
    REG_RBR_THR = 0, /* DLL when LCR.DLAB */
    REG_IER = 1,     /* DLM when LCR.DLAB */
    REG_IIR_FCR = 2,
    REG_LCR = 3,
    REG_MCR = 4,
    REG_LSR = 5,
    REG_MSR = 6,
    REG_SCR = 7,
};

#define IER_RDI   0x01 /* received data available */
#define IER_THRI  0x02 /* transmitter holding register empty */
#define IER_RLSI  0x04 /* receiver line status */
#define IER_MSI   0x08 /* modem status */

#define IIR_NO_INT 0x01
#define IIR_MSI    0x00
#define IIR_THRI   0x02
#define IIR_RDI    0x04
#define IIR_RLSI   0x06
#define IIR_CTI    0x0c /* character timeout */
#define IIR_FIFO   0xc0

#define FCR_ENABLE    0x01
#define FCR_CLEAR_RX  0x02
#define FCR_CLEAR_TX  0x04

#define LCR_DLAB 0x80

#define MCR_DTR  0x01
#define MCR_RTS  0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10

#define LSR_DR   0x01
#define LSR_OE   0x02
#define LSR_BI   0x10
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

#define MSR_CTS 0x10
#define MSR_DSR 0x20
#define MSR_RI  0x40
#define MSR_DCD 0x80

struct SerialState {
    char *name;
    Chardev *chr;
    IrqLine *irq;
    MemoryRegion *mmio;
    uint8_t rx_fifo[SERIAL_FIFO_LEN];
    unsigned rx_head, rx_count;
    uint16_t divisor;
    uint8_t ier, lcr, mcr, lsr_err, msr, scr, fcr;
    bool thr_ipending; /* THR-empty interrupt not yet acknowledged */
    int irq_level;
};

static const unsigned rx_trigger[4] = { 1, 4, 8, 14 };

static unsigned fifo_capacity(const SerialState *s)
{
    return (s->fcr & FCR_ENABLE) ? SERIAL_FIFO_LEN : 1;
}

/* The highest-priority pending interrupt in IIR encoding. */
static uint8_t serial_pending(const SerialState *s)
{
    if ((s->ier & IER_RLSI) && (s->lsr_err & (LSR_OE | LSR_BI))) {
        return IIR_RLSI;
    }
    if ((s->ier & IER_RDI) && s->rx_count) {
        /* Below the trigger level real hardware reports a timeout after a
         * few character times; reporting it at once is indistinguishable
         * for drivers. */
        if ((s->fcr & FCR_ENABLE) &&
            s->rx_count < rx_trigger[s->fcr >> 6]) {
            return IIR_CTI;
        }
        return IIR_RDI;
    }
    if ((s->ier & IER_THRI) && s->thr_ipending) {
        return IIR_THRI;
    }
    if ((s->ier & IER_MSI) && (s->msr & 0x0f)) {
        return IIR_MSI;
    }
    return IIR_NO_INT;
}

static void serial_update_irq(SerialState *s)
{
    int level = serial_pending(s) != IIR_NO_INT;

    if (level != s->irq_level) {
        s->irq_level = level;
        irq_set(s->irq, level);
    }
}

static uint8_t serial_modem_status(const SerialState *s)
{
    uint8_t st;

    if (s->mcr & MCR_LOOP) {
        /* Loopback wires the outputs back to the inputs. */
        st = ((s->mcr & MCR_DTR) ? MSR_DSR : 0) |
             ((s->mcr & MCR_RTS) ? MSR_CTS : 0) |
             ((s->mcr & MCR_OUT1) ? MSR_RI : 0) |
             ((s->mcr & MCR_OUT2) ? MSR_DCD : 0);
    } else {
        st = MSR_DCD | MSR_DSR | MSR_CTS; /* a modem that is always there */
    }
    return st | (s->msr & 0x0f);
}

/* Latch the delta bits of MSR after the modem lines changed from @old. */
static void serial_note_msr_change(SerialState *s, uint8_t old)
{
    uint8_t lines = serial_modem_status(s) & 0xf0;
    uint8_t delta = 0;

    if ((old ^ lines) & MSR_CTS) {
        delta |= 0x01;
    }
    if ((old ^ lines) & MSR_DSR) {
        delta |= 0x02;
    }
    if ((old & MSR_RI) && !(lines & MSR_RI)) {
        delta |= 0x04; /* trailing edge of ring indicator */
    }
    if ((old ^ lines) & MSR_DCD) {
        delta |= 0x08;
    }
    s->msr |= delta;
}

static void serial_rx_push(SerialState *s, uint8_t byte)
{
    if (s->rx_count >= fifo_capacity(s)) {
        s->lsr_err |= LSR_OE;
        return;
    }
    s->rx_fifo[(s->rx_head + s->rx_count) % SERIAL_FIFO_LEN] = byte;
    s->rx_count++;
}

static uint8_t serial_rx_pop(SerialState *s)
{
    uint8_t byte;

    if (!s->rx_count) {
        return 0;
    }
    byte = s->rx_fifo[s->rx_head];
    s->rx_head = (s->rx_head + 1) % SERIAL_FIFO_LEN;
    s->rx_count--;
    return byte;
}

static void serial_rx_clear(SerialState *s)
{
    s->rx_head = 0;
    s->rx_count = 0;
}

static uint64_t serial_read(void *opaque, uint64_t offset, unsigned size)
{
    SerialState *s = opaque;
    uint8_t val = 0, iir;

    switch (offset) {
    case REG_RBR_THR:
        if (s->lcr & LCR_DLAB) {
            return s->divisor & 0xff;
        }
        val = serial_rx_pop(s);
        serial_update_irq(s);
        if (s->chr && !(s->mcr & MCR_LOOP)) {
            chardev_accept_input(s->chr);
        }
        return val;
    case REG_IER:
        return (s->lcr & LCR_DLAB) ? s->divisor >> 8 : s->ier;
    case REG_IIR_FCR:
        iir = serial_pending(s);
        if (iir == IIR_THRI) {
            s->thr_ipending = false; /* reading IIR acknowledges THRE */
            serial_update_irq(s);
        }
        return iir | ((s->fcr & FCR_ENABLE) ? IIR_FIFO : 0);
    case REG_LCR:
        return s->lcr;
    case REG_MCR:
        return s->mcr;
    case REG_LSR:
        val = LSR_THRE | LSR_TEMT | (s->rx_count ? LSR_DR : 0) | s->lsr_err;
        s->lsr_err = 0; /* error bits clear on read */
        serial_update_irq(s);
        return val;
    case REG_MSR:
        val = serial_modem_status(s);
        s->msr &= 0xf0; /* delta bits clear on read */
        serial_update_irq(s);
        return val;
    case REG_SCR:
        return s->scr;
    }
    return 0;
}

static void serial_transmit(SerialState *s, uint8_t byte)
{
    if (s->mcr & MCR_LOOP) {
        serial_rx_push(s, byte);
    } else if (s->chr) {
        chardev_write(s->chr, &byte, 1);
    }
    /* Sent at once: THR is empty again. */
    s->thr_ipending = true;
}

static void serial_write(void *opaque, uint64_t offset, uint64_t val64,
                         unsigned size)
{
    SerialState *s = opaque;
    uint8_t val = val64;
    uint8_t lines;

    switch (offset) {
    case REG_RBR_THR:
        if (s->lcr & LCR_DLAB) {
            s->divisor = (s->divisor & 0xff00) | val;
        } else {
            serial_transmit(s, val);
        }
        break;
    case REG_IER:
        if (s->lcr & LCR_DLAB) {
            s->divisor = (s->divisor & 0x00ff) | (val << 8);
            break;
        }
        /* Enabling the THRE interrupt with THR empty raises it at once
         * (drivers rely on this to start transmitting). */
        if ((val & IER_THRI) && !(s->ier & IER_THRI)) {
            s->thr_ipending = true;
        }
        s->ier = val & 0x0f;
        break;
    case REG_IIR_FCR:
        if ((val ^ s->fcr) & FCR_ENABLE) {
            serial_rx_clear(s); /* switching FIFO mode empties both */
        }
        if (val & FCR_CLEAR_RX) {
            serial_rx_clear(s);
            s->lsr_err &= ~LSR_OE;
        }
        s->fcr = val & 0xc9; /* trigger level, DMA mode, enable */
        if (!(s->fcr & FCR_ENABLE)) {
            s->fcr = 0;
        }
        break;
    case REG_LCR:
        s->lcr = val;
        break;
    case REG_MCR:
        lines = serial_modem_status(s) & 0xf0;
        s->mcr = val & 0x1f;
        serial_note_msr_change(s, lines);
        if (!(s->mcr & MCR_LOOP) && s->chr) {
            chardev_accept_input(s->chr);
        }
        break;
    case REG_LSR:
    case REG_MSR:
        break; /* read-only */
    case REG_SCR:
        s->scr = val;
        break;
    }
    serial_update_irq(s);
}

static const MemoryRegionOps serial_ops = {
    .read = serial_read,
    .write = serial_write,
    .min_access = 1,
    .max_access = 1,
};

static size_t serial_can_read(void *opaque)
{
    SerialState *s = opaque;

    if (s->mcr & MCR_LOOP) {
        return 0; /* the line is disconnected from the outside */
    }
    return fifo_capacity(s) - MIN(s->rx_count, fifo_capacity(s));
}

static void serial_receive(void *opaque, const uint8_t *buf, size_t len)
{
    SerialState *s = opaque;

    for (size_t i = 0; i < len; i++) {
        serial_rx_push(s, buf[i]);
    }
    serial_update_irq(s);
}

/* ---- migration ---- */

static bool serial_post_load(void *opaque, int version_id, Error **errp)
{
    SerialState *s = opaque;

    if ((s->fcr & ~0xc9) || (s->fcr && !(s->fcr & FCR_ENABLE))) {
        error_setg(errp, "FCR value 0x%x is not valid", s->fcr);
        return false;
    }
    if (s->rx_head >= SERIAL_FIFO_LEN || s->rx_count > fifo_capacity(s)) {
        error_setg(errp, "receive FIFO position %u count %u out of range "
                   "(FIFO of %u)", s->rx_head, s->rx_count,
                   fifo_capacity(s));
        return false;
    }
    if ((s->ier & ~0x0f) || (s->mcr & ~0x1f) ||
        (s->lsr_err & ~(LSR_OE | LSR_BI))) {
        error_setg(errp, "IER, MCR or LSR holds bits that do not exist");
        return false;
    }
    s->irq_level = -1; /* drive the line again */
    serial_update_irq(s);
    if (s->chr && !(s->mcr & MCR_LOOP)) {
        chardev_accept_input(s->chr); /* room in the FIFO: poll again */
    }
    return true;
}

const VMStateDescription vmstate_serial_16550a = {
    .name = "serial-16550a",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]){
        VMSTATE_UINT16(divisor, SerialState),
        VMSTATE_UINT8(ier, SerialState),
        VMSTATE_UINT8(lcr, SerialState),
        VMSTATE_UINT8(mcr, SerialState),
        VMSTATE_UINT8(lsr_err, SerialState),
        VMSTATE_UINT8(msr, SerialState),
        VMSTATE_UINT8(scr, SerialState),
        VMSTATE_UINT8(fcr, SerialState),
        VMSTATE_BOOL(thr_ipending, SerialState),
        VMSTATE_UINT32(rx_head, SerialState),
        VMSTATE_UINT32(rx_count, SerialState),
        VMSTATE_BUFFER(rx_fifo, SerialState),
        VMSTATE_END_OF_LIST,
    },
    .post_load = serial_post_load,
};

void serial_reset(SerialState *s)
{
    serial_rx_clear(s);
    s->divisor = 12; /* 9600 baud at 1.8432 MHz */
    s->ier = 0;
    s->lcr = 0x03; /* 8N1 */
    s->mcr = MCR_OUT2;
    s->lsr_err = 0;
    s->msr = 0;
    s->scr = 0;
    s->fcr = 0;
    s->thr_ipending = false;
    serial_update_irq(s);
}

SerialState *serial_new(const char *name, Chardev *chr, IrqLine *irq,
                        Error **errp)
{
    SerialState *s = g_new0(SerialState, 1);

    s->name = g_strdup(name);
    s->irq = irq;
    s->chr = chr;
    if (chr && !chardev_attach(chr, serial_can_read, serial_receive, NULL, s,
                               errp)) {
        g_free(s->name);
        g_free(s);
        return NULL;
    }
    s->mmio = memory_region_new_io(name, SERIAL_MMIO_SIZE, &serial_ops, s);
    serial_reset(s);
    if (!vmstate_register(NULL, name, VMSTATE_INSTANCE_ID_ANY,
                          &vmstate_serial_16550a, s, errp)) {
        serial_free(s);
        return NULL;
    }
    return s;
}

void serial_free(SerialState *s)
{
    if (!s) {
        return;
    }
    savevm_unregister(s);
    if (s->chr) {
        chardev_detach(s->chr);
    }
    memory_region_free(s->mmio);
    g_free(s->name);
    g_free(s);
}

MemoryRegion *serial_mmio(SerialState *s)
{
    return s->mmio;
}
