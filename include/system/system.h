/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Process-wide settings made at start-up. */
#ifndef SYSTEM_SYSTEM_H
#define SYSTEM_SYSTEM_H

#include <stdbool.h>

extern char *vm_name;    /* -name, or NULL */
extern bool qtest_accel; /* -accel qtest: no CPU, manual clock */

#endif
