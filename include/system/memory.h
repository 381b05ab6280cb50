/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Guest physical address spaces.
 *
 * An AddressSpace is a flat list of non-overlapping mapped regions: RAM
 * (host memory backed by a memfd, so a vhost-user peer can map it) or MMIO
 * (callbacks).  Every access is bounds-checked: an access that is not fully
 * inside mapped space fails instead of touching anything.
 */
#ifndef SYSTEM_MEMORY_H
#define SYSTEM_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "util/error.h"

typedef struct MemoryRegionOps {
    uint64_t (*read)(void *opaque, uint64_t offset, unsigned size);
    void (*write)(void *opaque, uint64_t offset, uint64_t val, unsigned size);
    /* Accepted access sizes; other sizes are split or widened. 0 = 1..8. */
    unsigned min_access;
    unsigned max_access;
} MemoryRegionOps;

typedef struct MemoryRegion MemoryRegion;
typedef struct AddressSpace AddressSpace;

MemoryRegion *memory_region_new_ram(const char *name, uint64_t size,
                                    Error **errp);
MemoryRegion *memory_region_new_io(const char *name, uint64_t size,
                                   const MemoryRegionOps *ops, void *opaque);
void memory_region_free(MemoryRegion *mr);
const char *memory_region_name(const MemoryRegion *mr);
uint64_t memory_region_size(const MemoryRegion *mr);
bool memory_region_is_ram(const MemoryRegion *mr);
void *memory_region_ram_ptr(const MemoryRegion *mr); /* NULL for MMIO */
int memory_region_ram_fd(const MemoryRegion *mr);    /* memfd, -1 for MMIO */

AddressSpace *address_space_new(const char *name, uint64_t size);
void address_space_free(AddressSpace *as);
/* Map @mr at @base; fails if it overlaps a mapping or leaves the space. */
bool address_space_map(AddressSpace *as, uint64_t base, MemoryRegion *mr,
                       Error **errp);
void address_space_unmap(AddressSpace *as, MemoryRegion *mr);
bool address_space_is_mapped(AddressSpace *as, MemoryRegion *mr,
                             uint64_t *base);

/* Copy to/from guest space.  False (and nothing done) if any byte of
 * [addr, addr+len) is unmapped. */
bool address_space_read(AddressSpace *as, uint64_t addr, void *buf,
                        uint64_t len);
bool address_space_write(AddressSpace *as, uint64_t addr, const void *buf,
                         uint64_t len);
bool address_space_set(AddressSpace *as, uint64_t addr, uint8_t byte,
                       uint64_t len);
/* Little-endian scalar access of 1, 2, 4 or 8 bytes. */
bool address_space_ld(AddressSpace *as, uint64_t addr, unsigned size,
                      uint64_t *val);
bool address_space_st(AddressSpace *as, uint64_t addr, unsigned size,
                      uint64_t val);
/*
 * Host pointer for [addr, addr+len) when it lies within one RAM region.
 * Whoever writes through it is invisible to the dirty log, so while
 * logging is on the pages of every range handed out are reported dirty
 * at every fetch (see below) until logging stops: a device may keep such
 * a pointer while the migration runs and write through it at any time
 * before the final round (which holds the big lock).  Writers that keep a
 * pointer from before logging started and write without the big lock
 * (another process: vhost-user) must block live migration instead, see
 * migration_add_live_blocker().
 */
void *address_space_ram_ptr(AddressSpace *as, uint64_t addr, uint64_t len);

/*
 * ---- dirty page logging (live migration) ----
 *
 * Each RAM region has a bitmap with one bit per 4 KiB page.  While the
 * global log is on, every write to guest RAM marks its pages:
 * address_space_write/st/set do it themselves, the CPU marks its stores
 * (it caches host pointers: see DirtyLogWriter), and other users of host
 * pointers call memory_region_set_dirty() or memory_dirty_mark_host()
 * AFTER writing (marking before the write could let a concurrent fetch
 * clear the bit before the data lands).
 */
#define MEMORY_DIRTY_PAGE_BITS 12
#define MEMORY_DIRTY_PAGE_SIZE (1u << MEMORY_DIRTY_PAGE_BITS)

/*
 * Something that caches writable host pointers to guest RAM (a CPU's
 * TLB).  When logging starts, @sync is called (from the caller's thread,
 * repeatedly) with the new epoch until it returns true: it must ask the
 * owner to drop the cached writable pointers and return true once that
 * happened for @epoch, or when the owner is not executing at all (it then
 * sees the epoch before it executes again: see memory_dirty_log_epoch()).
 */
typedef bool DirtyLogSyncFn(void *opaque, unsigned epoch);
typedef struct DirtyLogWriter DirtyLogWriter;
DirtyLogWriter *memory_dirty_log_writer_add(DirtyLogSyncFn *sync,
                                            void *opaque);
void memory_dirty_log_writer_remove(DirtyLogWriter *w);
/* Bumped by every start and stop; read it before executing guest code. */
unsigned memory_dirty_log_epoch(void);

/*
 * Start logging: from now on writes are marked.  Waits (without taking
 * the big lock; call it without holding it) until every DirtyLogWriter
 * has caught up; fails after @timeout_ms if one never does, with logging
 * off again.  Starting twice is an error.
 */
bool memory_global_dirty_log_start(unsigned timeout_ms, Error **errp);
/* Stop logging; bitmaps are cleared.  No-op when not logging. */
void memory_global_dirty_log_stop(void);
bool memory_global_dirty_log_active(void);

/* Mark [offset, offset+len) of @mr dirty (clamped to the region); no-op
 * when logging is off or @mr is not RAM.  Any thread. */
void memory_region_set_dirty(MemoryRegion *mr, uint64_t offset, uint64_t len);
/* Is any page of [offset, offset+len) marked?  (tests) */
bool memory_region_test_dirty(MemoryRegion *mr, uint64_t offset, uint64_t len);
/*
 * Atomically take the dirty bits of @mr: OR them into @bitmap (one bit
 * per page, DIV_ROUND_UP(size, 4096) bits in unsigned longs) and clear
 * them.  Pages handed out by address_space_ram_ptr() while logging are
 * reported every time.  Returns how many bits went from 0 to 1 in
 * @bitmap.  Any thread, concurrently with writers.
 */
uint64_t memory_region_dirty_fetch_and_clear(MemoryRegion *mr,
                                             unsigned long *bitmap);
/* Mark the pages of [host, host+len) in whichever RAM region holds them;
 * false when none does. */
bool memory_dirty_mark_host(const void *host, uint64_t len);

/* The machine's memory and I/O port spaces. */
extern AddressSpace *address_space_memory;
extern AddressSpace *address_space_io;
void memory_init(void);

#endif
