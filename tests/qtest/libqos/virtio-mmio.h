/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio-mmio transport of the qtest virtio driver (version 1 and 2). */
#ifndef TESTS_QTEST_LIBQOS_VIRTIO_MMIO_H
#define TESTS_QTEST_LIBQOS_VIRTIO_MMIO_H

#include "virtio.h"

/* riscv64 virt: eight slots; the first -device lands in the last one. */
#define QVIRTIO_MMIO_BASE 0x10001000ull
#define QVIRTIO_MMIO_STRIDE 0x1000ull
#define QVIRTIO_MMIO_FIRST_DEVICE 0x10008000ull

#define QVIRTIO_MMIO_MAGIC 0x74726976u

typedef struct QVirtioMMIO {
    QVirtioDevice vdev;  /* first: the generic driver sees this */
    uint64_t base;
    uint32_t version;    /* 1 legacy, 2 modern */
} QVirtioMMIO;

/* Bind to the transport at @base (asserts the magic value). */
QVirtioMMIO *qvirtio_mmio_new(QTestState *qts, uint64_t base,
                              QGuestAlloc *alloc);
uint32_t qvirtio_mmio_readl(QVirtioMMIO *m, uint32_t off);
void qvirtio_mmio_writel(QVirtioMMIO *m, uint32_t off, uint32_t val);

#endif
