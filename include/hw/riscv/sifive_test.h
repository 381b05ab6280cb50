/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SiFive "test" finisher (QEMU's VIRT_TEST at 0x100000): a 32-bit write of
 * status | (code << 16) ends the machine.  Status 0x5555 powers off (guest
 * shutdown), 0x3333 exits the process with @code at once, 0x7777 resets.
 * Reads return 0.  OpenSBI and Linux use it through syscon-poweroff and
 * syscon-reboot nodes.
 */
#ifndef HW_RISCV_SIFIVE_TEST_H
#define HW_RISCV_SIFIVE_TEST_H

#include "system/memory.h"

#define SIFIVE_TEST_SIZE   0x1000
#define SIFIVE_TEST_FAIL   0x3333
#define SIFIVE_TEST_PASS   0x5555
#define SIFIVE_TEST_RESET  0x7777

MemoryRegion *sifive_test_new(const char *name);

#endif
