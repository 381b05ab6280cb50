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
/* Host pointer for [addr, addr+len) when it lies within one RAM region. */
void *address_space_ram_ptr(AddressSpace *as, uint64_t addr, uint64_t len);

/* The machine's memory and I/O port spaces. */
extern AddressSpace *address_space_memory;
extern AddressSpace *address_space_io;
void memory_init(void);

#endif
