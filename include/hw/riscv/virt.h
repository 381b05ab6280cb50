/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The riscv64 virt board: QEMU's memory map, interrupt numbers and the
 * hooks other device areas use to attach to it.
 */
#ifndef HW_RISCV_VIRT_H
#define HW_RISCV_VIRT_H

#include <stdint.h>
#include "hw/core/irq.h"
#include "hw/core/machine.h"

#define VIRT_MROM_BASE       0x00001000ULL
#define VIRT_MROM_SIZE       0x0000f000ULL
#define VIRT_TEST_BASE       0x00100000ULL
#define VIRT_TEST_SIZE       0x00001000ULL
#define VIRT_CLINT_BASE      0x02000000ULL
#define VIRT_CLINT_SIZE      0x00010000ULL
#define VIRT_ACLINT_SSWI_BASE 0x02f00000ULL
#define VIRT_PCIE_PIO_BASE   0x03000000ULL
#define VIRT_PCIE_PIO_SIZE   0x00010000ULL
#define VIRT_PLIC_BASE       0x0c000000ULL
#define VIRT_PLIC_SIZE       0x00600000ULL /* 0x200000 + 1024 contexts */
/* AIA (aia=aplic / aia=aplic-imsic): the APLICs replace the PLIC. */
#define VIRT_APLIC_M_BASE    0x0c000000ULL
#define VIRT_APLIC_S_BASE    0x0d000000ULL
#define VIRT_APLIC_SIZE      0x00008000ULL /* IDCs for 512 harts */
#define VIRT_IMSIC_M_BASE    0x24000000ULL /* one 4 KiB page per hart */
#define VIRT_IMSIC_S_BASE    0x28000000ULL /* 2^guest_bits pages per hart */
#define VIRT_UART0_BASE      0x10000000ULL
#define VIRT_UART0_SIZE      0x00000100ULL
#define VIRT_VIRTIO_BASE     0x10001000ULL
#define VIRT_VIRTIO_SIZE     0x00001000ULL
#define VIRT_VIRTIO_COUNT    8
#define VIRT_PCIE_ECAM_BASE  0x30000000ULL
#define VIRT_PCIE_ECAM_SIZE  0x10000000ULL
#define VIRT_PCIE_MMIO_BASE  0x40000000ULL
#define VIRT_PCIE_MMIO_SIZE  0x40000000ULL
#define VIRT_DRAM_BASE       0x80000000ULL
/* The 64-bit PCIe window: 16 GiB, aligned to its size, above RAM. */
#define VIRT_PCIE_HIGH_MMIO_SIZE (16ULL << 30)

/* PLIC sources (QEMU's numbers). */
#define VIRT_UART0_IRQ       10
#define VIRT_VIRTIO_IRQ      1   /* slot i uses VIRT_VIRTIO_IRQ + i */
#define VIRT_PCIE_IRQ        32  /* INTA..INTD after the swizzle: 32..35 */
#define VIRT_PCIE_NUM_IRQS   4
#define VIRT_IRQCHIP_NUM_SOURCES   96
#define VIRT_IRQCHIP_NUM_PRIO_BITS 3
#define VIRT_IRQCHIP_NUM_MSIS      255 /* IMSIC interrupt identities */
#define VIRT_IRQCHIP_MAX_GUESTS    7   /* aia-guests */

#define VIRT_TIMEBASE_FREQ   10000000
#define VIRT_UART_CLOCK_FREQ 3686400

/* qtest path of the PLIC's input lines (irq_intercept_in, set_irq_in),
 * and of the machine-level APLIC's when aia= is not none. */
#define VIRT_PLIC_GPIO_PATH  "/machine/soc/plic"
#define VIRT_APLIC_GPIO_PATH "/machine/soc/aplic"

/*
 * Wired interrupt @n (1..VIRT_IRQCHIP_NUM_SOURCES-1) of the running virt
 * machine, whatever its interrupt controller: a PLIC source (aia=none) or
 * an APLIC source (aia=aplic, aia=aplic-imsic; the guest delegates it to
 * the S-level domain, which signals it directly or as an MSI).  NULL if
 * @n is out of range or @ms is not virt.  Devices drive it with irq_set()
 * under the big lock.
 * virtio-mmio slot i: virt_irq(ms, VIRT_VIRTIO_IRQ + i);
 * PCIe INTx: pin p (0 = INTA) of device slot s uses
 * virt_irq(ms, virt_pcie_intx_irq(s, p)).
 */
IrqLine *virt_irq(MachineState *ms, int n);
/* The older name of virt_irq(), kept for its callers. */
IrqLine *virt_plic_irq(MachineState *ms, int n);
/* QEMU's swizzle: PLIC source of INTx pin @pin (0..3) of PCI slot @slot. */
int virt_pcie_intx_irq(int slot, int pin);
/* The 64-bit PCIe MMIO window of this machine (depends on the RAM size). */
void virt_pcie_high_mmio(MachineState *ms, uint64_t *base, uint64_t *size);
/*
 * A device wrote guest RAM [pa, pa+len) behind the CPUs' backs (DMA):
 * drop decoded instructions cached for it.  Cheap when the range holds no
 * code.  Any thread.
 */
void virt_dma_written(MachineState *ms, uint64_t pa, uint64_t len);

#endif
