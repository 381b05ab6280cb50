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

/*
 * Something that writes guest RAM where the dirty log cannot see it (a
 * vhost-user back-end: another process): while registered, migrate is
 * refused with @reason (live migration would silently miss its pages).
 * The caller keeps ownership of @reason and removes it before freeing.
 */
void migration_add_live_blocker(Error *reason);
void migration_del_live_blocker(Error *reason);
/* Set @errp to the first live blocker's reason when there is one. */
bool migration_is_live_blocked(Error **errp);

/* system/runstate-cmds.c: start the VM once an incoming migration is done. */
extern bool autostart;

#endif
