/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The "ram" section, sent live (pre-copy).
 *
 * Outgoing, each block has a bitmap of the pages still to send.  It starts
 * full; every sync ORs in the pages the guest (or a device) wrote since the
 * previous sync, taken from the dirty log of system/memory.c.  PART
 * sections send dirty pages from a cursor that wraps around all blocks;
 * migration.c decides when to sync and when the rest is small enough to
 * send with the VM stopped (END, after a last sync).  Without the dirty log
 * (qemu_savevm_state() in tests) the first pass is everything.
 *
 * Each record starts with be64 (offset | flags); the flags live in the low
 * bits that a page-aligned offset leaves free.
 */
#include <string.h>
#include <glib.h>
#include "hw/core/machine.h"
#include "migration/ram.h"
#include "migration/savevm.h"

#define RAM_SECTION_VERSION 4
/* Pages per PART section: keeps sections short so cancel is prompt. */
#define RAM_PAGES_PER_PART 256
#define BITS_PER_LONG (8 * sizeof(unsigned long))

typedef struct RamState {
    GPtrArray *blocks;  /* MemoryRegion, for this migration */
    GPtrArray *bitmaps; /* outgoing: unsigned long[], pages to send */
    guint block;        /* outgoing: cursor's block */
    uint64_t page;      /* and page in it */
    uint64_t dirty_pages; /* bits set in bitmaps */
    bool live;          /* the dirty log is on: several passes */
    int64_t last_sync_us;
    MemoryRegion *last; /* last block named in the stream */
    RamMigrationStats stats;
} RamState;

static GPtrArray *extra_blocks;
static RamState ram_state;
static bool ram_registered;

void ram_block_add(MemoryRegion *mr)
{
    if (!extra_blocks) {
        extra_blocks = g_ptr_array_new();
    }
    g_ptr_array_add(extra_blocks, mr);
}

void ram_block_remove(MemoryRegion *mr)
{
    if (extra_blocks) {
        g_ptr_array_remove(extra_blocks, mr);
    }
}

/* The machine's RAM, then the extra blocks. */
static GPtrArray *ram_blocks(void)
{
    GPtrArray *a = g_ptr_array_new();

    if (current_machine && current_machine->ram) {
        g_ptr_array_add(a, current_machine->ram);
    }
    for (guint i = 0; extra_blocks && i < extra_blocks->len; i++) {
        MemoryRegion *mr = g_ptr_array_index(extra_blocks, i);
        if (!g_ptr_array_find(a, mr, NULL)) {
            g_ptr_array_add(a, mr);
        }
    }
    return a;
}

static uint64_t block_pages(MemoryRegion *mr)
{
    return (memory_region_size(mr) + RAM_PAGE_SIZE - 1) / RAM_PAGE_SIZE;
}

static size_t block_longs(MemoryRegion *mr)
{
    return (block_pages(mr) + BITS_PER_LONG - 1) / BITS_PER_LONG;
}

static void ram_state_reset(void)
{
    if (ram_state.blocks) {
        g_ptr_array_free(ram_state.blocks, TRUE);
    }
    if (ram_state.bitmaps) {
        g_ptr_array_free(ram_state.bitmaps, TRUE);
    }
    memset(&ram_state, 0, sizeof(ram_state));
    ram_state.blocks = ram_blocks();
    ram_state.bitmaps = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < ram_state.blocks->len; i++) {
        ram_state.stats.total +=
            memory_region_size(g_ptr_array_index(ram_state.blocks, i));
    }
    ram_state.stats.remaining = ram_state.stats.total;
}

/* Every page of every block is to be sent. */
static void bitmaps_fill(void)
{
    for (guint i = 0; i < ram_state.blocks->len; i++) {
        MemoryRegion *mr = g_ptr_array_index(ram_state.blocks, i);
        uint64_t pages = block_pages(mr);
        unsigned long *bm = g_new0(unsigned long, block_longs(mr));

        for (uint64_t p = 0; p < pages; p++) {
            bm[p / BITS_PER_LONG] |= 1UL << (p % BITS_PER_LONG);
        }
        g_ptr_array_add(ram_state.bitmaps, bm);
        ram_state.dirty_pages += pages;
    }
}

static void update_remaining(void)
{
    ram_state.stats.remaining =
        MIN(ram_state.dirty_pages * RAM_PAGE_SIZE, ram_state.stats.total);
}

void ram_get_stats(RamMigrationStats *stats)
{
    *stats = ram_state.stats;
}

uint64_t ram_dirty_pending(void)
{
    return ram_state.stats.remaining;
}

void ram_bitmap_sync(void)
{
    int64_t now = g_get_monotonic_time();
    uint64_t added = 0;

    if (!ram_state.live) {
        return;
    }
    for (guint i = 0; i < ram_state.blocks->len; i++) {
        added += memory_region_dirty_fetch_and_clear(
            g_ptr_array_index(ram_state.blocks, i),
            g_ptr_array_index(ram_state.bitmaps, i));
    }
    ram_state.dirty_pages += added;
    if (ram_state.last_sync_us && now > ram_state.last_sync_us) {
        ram_state.stats.dirty_pages_rate =
            added * G_USEC_PER_SEC / (now - ram_state.last_sync_us);
    }
    ram_state.last_sync_us = now;
    ram_state.stats.dirty_sync_count++;
    update_remaining();
}

static void put_idstr(QEMUFile *f, MemoryRegion *mr)
{
    const char *name = memory_region_name(mr);
    size_t len = MIN(strlen(name), 255);

    qemu_put_byte(f, len);
    qemu_put_buffer(f, name, len);
}

/* ---- saving ---- */

static bool ram_save_setup(QEMUFile *f, void *opaque, Error **errp)
{
    ram_state_reset();
    bitmaps_fill();
    ram_state.live = memory_global_dirty_log_active();
    /* The first sync: what was logged so far is covered by the full
     * bitmap, and the log starts afresh. */
    ram_bitmap_sync();
    qemu_put_be64(f, ram_state.stats.total | RAM_SAVE_FLAG_MEM_SIZE);
    for (guint i = 0; i < ram_state.blocks->len; i++) {
        MemoryRegion *mr = g_ptr_array_index(ram_state.blocks, i);
        put_idstr(f, mr);
        qemu_put_be64(f, memory_region_size(mr));
    }
    qemu_put_be64(f, RAM_SAVE_FLAG_EOS);
    return qemu_file_check_error(f, errp);
}

static bool page_is_zero(const uint8_t *p, size_t len)
{
    return p[0] == 0 && !memcmp(p, p + 1, len - 1);
}

static void save_page(QEMUFile *f, MemoryRegion *mr, uint64_t offset)
{
    const uint8_t *p = (uint8_t *)memory_region_ram_ptr(mr) + offset;
    size_t len = MIN(RAM_PAGE_SIZE, memory_region_size(mr) - offset);
    uint64_t cont = mr == ram_state.last ? RAM_SAVE_FLAG_CONTINUE : 0;
    bool zero = page_is_zero(p, len);

    qemu_put_be64(f, offset | cont |
                         (zero ? RAM_SAVE_FLAG_ZERO : RAM_SAVE_FLAG_PAGE));
    if (!cont) {
        put_idstr(f, mr);
        ram_state.last = mr;
    }
    if (zero) {
        qemu_put_byte(f, 0);
        ram_state.stats.duplicate++;
    } else {
        /* A short last page is padded: the wire always has whole pages. */
        uint8_t pad[RAM_PAGE_SIZE] = {0};
        qemu_put_buffer(f, p, len);
        qemu_put_buffer(f, pad, RAM_PAGE_SIZE - len);
        ram_state.stats.normal++;
        ram_state.stats.normal_bytes += RAM_PAGE_SIZE;
    }
}

/* The first page to send at or after @page in block @b, or the block's
 * page count when there is none. */
static uint64_t find_dirty(guint b, uint64_t page)
{
    MemoryRegion *mr = g_ptr_array_index(ram_state.blocks, b);
    const unsigned long *bm = g_ptr_array_index(ram_state.bitmaps, b);
    uint64_t pages = block_pages(mr);

    while (page < pages) {
        unsigned long w = bm[page / BITS_PER_LONG] >> (page % BITS_PER_LONG);
        if (w) {
            page += __builtin_ctzl(w);
            return MIN(page, pages);
        }
        page = (page / BITS_PER_LONG + 1) * BITS_PER_LONG;
    }
    return pages;
}

/* Move the cursor to the next page to send, wrapping around; false when
 * nothing is left. */
static bool next_dirty(void)
{
    guint n = ram_state.blocks->len;

    if (!ram_state.dirty_pages || !n) {
        return false;
    }
    /* Every block once, plus the cursor's block again from its start. */
    for (guint i = 0; i <= n; i++) {
        guint b = ram_state.block % n;
        MemoryRegion *mr = g_ptr_array_index(ram_state.blocks, b);
        uint64_t p = find_dirty(b, ram_state.page);

        if (p < block_pages(mr)) {
            ram_state.block = b;
            ram_state.page = p;
            return true;
        }
        ram_state.block = b + 1;
        ram_state.page = 0;
    }
    ram_state.block = 0;
    return false;
}

/* Send up to @max pages; true once none is left to send. */
static bool save_pages(QEMUFile *f, uint64_t max)
{
    /* Each section names its first block again (as QEMU's readers
     * expect a fresh section to do). */
    ram_state.last = NULL;
    while (max-- && next_dirty()) {
        MemoryRegion *mr = g_ptr_array_index(ram_state.blocks, ram_state.block);
        unsigned long *bm = g_ptr_array_index(ram_state.bitmaps, ram_state.block);
        uint64_t p = ram_state.page;

        /* Clear first: a write during the copy is logged for later. */
        bm[p / BITS_PER_LONG] &= ~(1UL << (p % BITS_PER_LONG));
        ram_state.dirty_pages--;
        save_page(f, mr, p * RAM_PAGE_SIZE);
        ram_state.page++;
    }
    update_remaining();
    return ram_state.dirty_pages == 0;
}

static bool ram_save_iterate(QEMUFile *f, void *opaque, bool *done,
                             Error **errp)
{
    bool empty = save_pages(f, RAM_PAGES_PER_PART);

    /* Live, more pages come with the next sync: migration.c decides. */
    *done = empty && !ram_state.live;
    qemu_put_be64(f, RAM_SAVE_FLAG_EOS);
    return qemu_file_check_error(f, errp);
}

static bool ram_save_complete(QEMUFile *f, void *opaque, Error **errp)
{
    /* The VM is stopped: this sync is the last one. */
    ram_bitmap_sync();
    save_pages(f, UINT64_MAX);
    qemu_put_be64(f, RAM_SAVE_FLAG_EOS);
    return qemu_file_check_error(f, errp);
}

/* ---- loading ---- */

static MemoryRegion *find_block(const char *name)
{
    for (guint i = 0; ram_state.blocks && i < ram_state.blocks->len; i++) {
        MemoryRegion *mr = g_ptr_array_index(ram_state.blocks, i);
        if (!strcmp(memory_region_name(mr), name)) {
            return mr;
        }
    }
    return NULL;
}

static bool get_idstr(QEMUFile *f, char *buf, Error **errp)
{
    uint8_t len = qemu_get_byte(f);

    qemu_get_buffer(f, buf, len);
    buf[len] = 0;
    return qemu_file_check_error(f, errp);
}

static bool load_block_list(QEMUFile *f, uint64_t total, Error **errp)
{
    GPtrArray *seen = g_ptr_array_new();
    bool ok = true;
    char name[256];

    while (ok && total) {
        MemoryRegion *mr;
        uint64_t len;

        ok = get_idstr(f, name, errp);
        len = qemu_get_be64(f);
        if (!ok || !qemu_file_check_error(f, errp)) {
            ok = false;
        } else if (!(mr = find_block(name))) {
            error_setg(errp,
                       "Unknown ramblock \"%s\", cannot accept "
                       "migration",
                       name);
            ok = false;
        } else if (len != memory_region_size(mr)) {
            error_setg(errp,
                       "Length mismatch: %s: 0x%" G_GINT64_MODIFIER
                       "x in != 0x%" G_GINT64_MODIFIER "x",
                       name, len, memory_region_size(mr));
            ok = false;
        } else if (len > total) {
            error_setg(errp, "RAM block list is longer than the total RAM "
                             "size it announces");
            ok = false;
        } else {
            total -= len;
            g_ptr_array_add(seen, mr);
        }
    }
    for (guint i = 0; ok && i < ram_state.blocks->len; i++) {
        MemoryRegion *mr = g_ptr_array_index(ram_state.blocks, i);
        if (!g_ptr_array_find(seen, mr, NULL)) {
            error_setg(errp,
                       "RAM block \"%s\" (0x%" G_GINT64_MODIFIER
                       "x bytes) is missing from the migration stream",
                       memory_region_name(mr), memory_region_size(mr));
            ok = false;
        }
    }
    g_ptr_array_free(seen, TRUE);
    return ok;
}

/* The block and host address of one page record, checked. */
static uint8_t *page_target(QEMUFile *f, uint64_t offset, uint64_t flags,
                            size_t *len, Error **errp)
{
    MemoryRegion *mr = ram_state.last;
    char name[256];

    if (!(flags & RAM_SAVE_FLAG_CONTINUE)) {
        if (!get_idstr(f, name, errp)) {
            return NULL;
        }
        mr = find_block(name);
        if (!mr) {
            error_setg(errp,
                       "Unknown ramblock \"%s\", cannot accept "
                       "migration",
                       name);
            return NULL;
        }
        ram_state.last = mr;
    } else if (!mr) {
        error_setg(errp, "RAM page continues a block, but no block was "
                         "named before");
        return NULL;
    }
    if (offset >= memory_region_size(mr)) {
        error_setg(errp,
                   "Illegal RAM offset 0x%" G_GINT64_MODIFIER "x in "
                   "block \"%s\" of 0x%" G_GINT64_MODIFIER "x bytes",
                   offset, memory_region_name(mr), memory_region_size(mr));
        return NULL;
    }
    *len = MIN(RAM_PAGE_SIZE, memory_region_size(mr) - offset);
    return (uint8_t *)memory_region_ram_ptr(mr) + offset;
}

static bool load_page(QEMUFile *f, uint64_t offset, uint64_t flags,
                      Error **errp)
{
    size_t len;
    uint8_t *p = page_target(f, offset, flags, &len, errp);

    if (!p) {
        return false;
    }
    if (flags & RAM_SAVE_FLAG_ZERO) {
        memset(p, qemu_get_byte(f), len);
    } else {
        qemu_get_buffer(f, p, len);
        qemu_file_skip(f, RAM_PAGE_SIZE - len);
    }
    return qemu_file_check_error(f, errp);
}

static bool ram_load(QEMUFile *f, void *opaque, int version_id, Error **errp)
{
    if (version_id != RAM_SECTION_VERSION) {
        error_setg(errp, "Unknown RAM version %d", version_id);
        return false;
    }
    for (;;) {
        uint64_t addr = qemu_get_be64(f);
        uint64_t flags = addr & (RAM_PAGE_SIZE - 1);
        uint64_t kind = flags & ~(uint64_t)RAM_SAVE_FLAG_CONTINUE;
        bool ok;

        addr -= flags;
        if (!qemu_file_check_error(f, errp)) {
            return false;
        }
        if (kind == RAM_SAVE_FLAG_EOS && flags == kind) {
            return true;
        } else if (kind == RAM_SAVE_FLAG_MEM_SIZE && flags == kind) {
            ok = load_block_list(f, addr, errp);
        } else if (kind == RAM_SAVE_FLAG_ZERO || kind == RAM_SAVE_FLAG_PAGE) {
            ok = load_page(f, addr, flags, errp);
        } else {
            error_setg(errp, "Unknown combination of migration flags: 0x%x",
                       (unsigned)flags);
            ok = false;
        }
        if (!ok) {
            return false;
        }
    }
}

static void ram_load_setup(void *opaque)
{
    ram_state_reset();
}

static const SaveVMHandlers ram_handlers = {
    .load_setup = ram_load_setup,
    .save_setup = ram_save_setup,
    .save_iterate = ram_save_iterate,
    .save_complete = ram_save_complete,
    .load_state = ram_load,
};

bool ram_mig_init(Error **errp)
{
    if (ram_registered) {
        return true;
    }
    ram_registered = register_savevm_live("ram", 0, RAM_SECTION_VERSION,
                                          &ram_handlers, &ram_state, errp);
    return ram_registered;
}
