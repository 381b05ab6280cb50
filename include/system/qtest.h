/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The qtest server: QEMU's qtest line protocol on a chardev. */
#ifndef SYSTEM_QTEST_H
#define SYSTEM_QTEST_H

#include <stdbool.h>
#include "chardev/char.h"
#include "util/error.h"

/* @log_path: -qtest-log file or NULL. */
bool qtest_server_start(Chardev *chr, const char *log_path, Error **errp);
void qtest_server_stop(void);

#endif
