/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SiFive test finisher (see include/hw/riscv/sifive_test.h). */
#include <stdio.h>
#include <stdlib.h>
#include "hw/riscv/sifive_test.h"
#include "system/runstate.h"

static uint64_t sifive_test_read(void *opaque, uint64_t off, unsigned size)
{
    return 0;
}

static void sifive_test_write(void *opaque, uint64_t off, uint64_t val,
                              unsigned size)
{
    unsigned status = val & 0xffff;
    int code = (val >> 16) & 0xffff;

    if (off != 0) {
        return;
    }
    switch (status) {
    case SIFIVE_TEST_PASS:
        system_shutdown_request(SHUTDOWN_CAUSE_GUEST_SHUTDOWN);
        break;
    case SIFIVE_TEST_RESET:
        system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
        break;
    case SIFIVE_TEST_FAIL:
        /* As QEMU: the guest's failure code becomes the exit status. */
        fflush(stdout);
        exit(code);
    default:
        fprintf(stderr, "vireo: sifive_test: unknown status 0x%x ignored\n",
                status);
        break;
    }
}

static const MemoryRegionOps sifive_test_ops = {
    .read = sifive_test_read,
    .write = sifive_test_write,
    .min_access = 4,
    .max_access = 4,
};

MemoryRegion *sifive_test_new(const char *name)
{
    return memory_region_new_io(name, SIFIVE_TEST_SIZE, &sifive_test_ops,
                                NULL);
}
