/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Guest RAM in the migration stream: QEMU's "ram" section (version 4).
 * The blocks are the machine's RAM region plus any added with
 * ram_block_add(); each is named by its memory region's name.
 */
#ifndef MIGRATION_RAM_H
#define MIGRATION_RAM_H

#include <stdbool.h>
#include <stdint.h>
#include "system/memory.h"
#include "util/error.h"

#define RAM_SAVE_FLAG_ZERO     0x02
#define RAM_SAVE_FLAG_MEM_SIZE 0x04
#define RAM_SAVE_FLAG_PAGE     0x08
#define RAM_SAVE_FLAG_EOS      0x10
#define RAM_SAVE_FLAG_CONTINUE 0x20
#define RAM_PAGE_SIZE          4096

typedef struct RamMigrationStats {
    uint64_t total;     /* bytes of guest RAM */
    uint64_t remaining; /* bytes of dirty pages not yet sent */
    uint64_t duplicate; /* zero pages sent as one byte */
    uint64_t normal;    /* pages sent whole */
    uint64_t normal_bytes;
    uint64_t dirty_sync_count; /* syncs with the dirty log */
    uint64_t dirty_pages_rate; /* pages dirtied per second, last period */
} RamMigrationStats;

/* Register the "ram" section (once). */
bool ram_mig_init(Error **errp);
/* Extra RAM blocks (tests, fuzzing, boards with more than one block). */
void ram_block_add(MemoryRegion *mr);
void ram_block_remove(MemoryRegion *mr);
void ram_get_stats(RamMigrationStats *stats);

/*
 * Live (pre-copy) saving, for migration.c.  When the dirty log of
 * system/memory.c is on at save_setup time, the section is sent in passes:
 * PART sections send the pages still dirty, ram_bitmap_sync() adds the
 * pages written since the previous sync (the setup does the first, the
 * END section the last one, with the VM stopped), and save_iterate never
 * reports done.  Without the log one pass sends everything.
 */
/* Bytes of pages still to send (the same as stats.remaining). */
uint64_t ram_dirty_pending(void);
/* Take the dirty log into the pages to send; no-op unless live. */
void ram_bitmap_sync(void);

#endif
