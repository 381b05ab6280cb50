/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The migration state machine (QMP migrate, -incoming). */
#ifndef MIGRATION_MIGRATION_H
#define MIGRATION_MIGRATION_H

#include <stdbool.h>
#include <stdint.h>
#include "util/error.h"

/* -incoming URI / -incoming defer: the VM waits in the inmigrate state;
 * once the stream is loaded it runs when @start is true (no -S, or cont
 * given meanwhile), else it stays paused. */
bool migration_incoming_setup(const char *uri, bool start, Error **errp);

/* Announce timing for after a migration (migrate-set-parameters). */
typedef struct MigrationAnnounceParams {
    uint64_t initial, max, rounds, step; /* ms, ms, count, ms */
} MigrationAnnounceParams;
void migration_get_announce_params(MigrationAnnounceParams *p);

/* system/runstate-cmds.c: start the VM once an incoming migration is done. */
extern bool autostart;

#endif
