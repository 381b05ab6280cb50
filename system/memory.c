/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Flat guest physical address spaces with RAM and MMIO regions. */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <glib.h>
#include "system/memory.h"

struct MemoryRegion {
    char *name;
    uint64_t size;
    const MemoryRegionOps *ops;
    void *opaque;
    uint8_t *ram;
    int fd;
};

typedef struct Mapping {
    uint64_t base;
    MemoryRegion *mr;
} Mapping;

struct AddressSpace {
    char *name;
    uint64_t size;
    GArray *maps; /* Mapping, sorted by base, non-overlapping */
};

AddressSpace *address_space_memory;
AddressSpace *address_space_io;

MemoryRegion *memory_region_new_ram(const char *name, uint64_t size,
                                    Error **errp)
{
    MemoryRegion *mr;
    int fd = memfd_create(name, MFD_CLOEXEC);
    void *p;

    if (fd < 0) {
        error_setg_errno(errp, errno, "cannot create memory backend for %s",
                         name);
        return NULL;
    }
    if (ftruncate(fd, size) < 0) {
        error_setg_errno(errp, errno,
                         "cannot size %s to %" G_GUINT64_FORMAT " bytes", name,
                         size);
        close(fd);
        return NULL;
    }
    p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        error_setg_errno(errp, errno,
                         "cannot map %" G_GUINT64_FORMAT " bytes of guest RAM",
                         size);
        close(fd);
        return NULL;
    }
    mr = g_new0(MemoryRegion, 1);
    mr->name = g_strdup(name);
    mr->size = size;
    mr->ram = p;
    mr->fd = fd;
    return mr;
}

MemoryRegion *memory_region_new_io(const char *name, uint64_t size,
                                   const MemoryRegionOps *ops, void *opaque)
{
    MemoryRegion *mr = g_new0(MemoryRegion, 1);
    mr->name = g_strdup(name);
    mr->size = size;
    mr->ops = ops;
    mr->opaque = opaque;
    mr->fd = -1;
    return mr;
}

void memory_region_free(MemoryRegion *mr)
{
    if (!mr) {
        return;
    }
    if (mr->ram) {
        munmap(mr->ram, mr->size);
        close(mr->fd);
    }
    g_free(mr->name);
    g_free(mr);
}

const char *memory_region_name(const MemoryRegion *mr)
{
    return mr->name;
}

uint64_t memory_region_size(const MemoryRegion *mr)
{
    return mr->size;
}

bool memory_region_is_ram(const MemoryRegion *mr)
{
    return mr->ram != NULL;
}

void *memory_region_ram_ptr(const MemoryRegion *mr)
{
    return mr->ram;
}

int memory_region_ram_fd(const MemoryRegion *mr)
{
    return mr->fd;
}

AddressSpace *address_space_new(const char *name, uint64_t size)
{
    AddressSpace *as = g_new0(AddressSpace, 1);
    as->name = g_strdup(name);
    as->size = size;
    as->maps = g_array_new(FALSE, FALSE, sizeof(Mapping));
    return as;
}

void address_space_free(AddressSpace *as)
{
    if (as) {
        g_array_free(as->maps, TRUE);
        g_free(as->name);
        g_free(as);
    }
}

/* Index of the first mapping whose end is above @addr. */
static guint find_index(AddressSpace *as, uint64_t addr)
{
    guint lo = 0, hi = as->maps->len;

    while (lo < hi) {
        guint mid = (lo + hi) / 2;
        Mapping *m = &g_array_index(as->maps, Mapping, mid);
        if (m->base + m->mr->size <= addr) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

static Mapping *find_mapping(AddressSpace *as, uint64_t addr)
{
    guint i = find_index(as, addr);
    Mapping *m;

    if (i >= as->maps->len) {
        return NULL;
    }
    m = &g_array_index(as->maps, Mapping, i);
    return addr >= m->base ? m : NULL;
}

bool address_space_map(AddressSpace *as, uint64_t base, MemoryRegion *mr,
                       Error **errp)
{
    guint i;

    if (mr->size == 0 || base > as->size || mr->size > as->size - base) {
        error_setg(errp,
                   "region %s does not fit in %s at 0x%" G_GINT64_MODIFIER "x",
                   mr->name, as->name, base);
        return false;
    }
    i = find_index(as, base);
    if (i < as->maps->len) {
        Mapping *next = &g_array_index(as->maps, Mapping, i);
        if (next->base < base + mr->size) {
            error_setg(errp,
                       "region %s at 0x%" G_GINT64_MODIFIER "x overlaps %s",
                       mr->name, base, next->mr->name);
            return false;
        }
    }
    g_array_insert_val(as->maps, i, ((Mapping){.base = base, .mr = mr}));
    return true;
}

void address_space_unmap(AddressSpace *as, MemoryRegion *mr)
{
    for (guint i = 0; i < as->maps->len; i++) {
        if (g_array_index(as->maps, Mapping, i).mr == mr) {
            g_array_remove_index(as->maps, i);
            return;
        }
    }
}

bool address_space_is_mapped(AddressSpace *as, MemoryRegion *mr, uint64_t *base)
{
    for (guint i = 0; i < as->maps->len; i++) {
        Mapping *m = &g_array_index(as->maps, Mapping, i);
        if (m->mr == mr) {
            if (base) {
                *base = m->base;
            }
            return true;
        }
    }
    return false;
}

/* Is every byte of [addr, addr+len) mapped? */
static bool range_mapped(AddressSpace *as, uint64_t addr, uint64_t len)
{
    while (len) {
        Mapping *m = find_mapping(as, addr);
        uint64_t chunk;
        if (!m) {
            return false;
        }
        chunk = MIN(len, m->base + m->mr->size - addr);
        addr += chunk;
        len -= chunk;
    }
    return true;
}

static unsigned io_access_size(const MemoryRegion *mr, uint64_t off,
                               uint64_t len)
{
    unsigned max = mr->ops->max_access ? mr->ops->max_access : 8;
    unsigned size = 8;

    /* Largest naturally aligned power of two that fits. */
    while (size > 1 && (size > len || size > max || (off & (size - 1)))) {
        size >>= 1;
    }
    return size;
}

static void io_read(MemoryRegion *mr, uint64_t off, uint8_t *buf, uint64_t len)
{
    while (len) {
        unsigned size = io_access_size(mr, off, len);
        unsigned min = mr->ops->min_access ? mr->ops->min_access : 1;
        uint64_t val;

        if (size < min) {
            /* Widen to the region's minimum and pick out the byte. */
            uint64_t aligned = off & ~(uint64_t)(min - 1);
            val = mr->ops->read ? mr->ops->read(mr->opaque, aligned, min) : 0;
            *buf = val >> ((off - aligned) * 8);
            size = 1;
        } else {
            val = mr->ops->read ? mr->ops->read(mr->opaque, off, size) : 0;
            for (unsigned i = 0; i < size; i++) {
                buf[i] = val >> (i * 8);
            }
        }
        buf += size;
        off += size;
        len -= size;
    }
}

static void io_write(MemoryRegion *mr, uint64_t off, const uint8_t *buf,
                     uint64_t len)
{
    while (len) {
        unsigned size = io_access_size(mr, off, len);
        uint64_t val = 0;

        for (unsigned i = 0; i < size; i++) {
            val |= (uint64_t)buf[i] << (i * 8);
        }
        if (mr->ops->write) {
            mr->ops->write(mr->opaque, off, val, size);
        }
        buf += size;
        off += size;
        len -= size;
    }
}

static bool as_access(AddressSpace *as, uint64_t addr, uint8_t *buf,
                      uint64_t len, bool is_write)
{
    if (len > as->size || addr > as->size - len ||
        !range_mapped(as, addr, len)) {
        return false;
    }
    while (len) {
        Mapping *m = find_mapping(as, addr);
        uint64_t off = addr - m->base;
        uint64_t chunk = MIN(len, m->mr->size - off);

        if (m->mr->ram) {
            if (is_write) {
                memcpy(m->mr->ram + off, buf, chunk);
            } else {
                memcpy(buf, m->mr->ram + off, chunk);
            }
        } else if (is_write) {
            io_write(m->mr, off, buf, chunk);
        } else {
            io_read(m->mr, off, buf, chunk);
        }
        addr += chunk;
        buf += chunk;
        len -= chunk;
    }
    return true;
}

bool address_space_read(AddressSpace *as, uint64_t addr, void *buf,
                        uint64_t len)
{
    return as_access(as, addr, buf, len, false);
}

bool address_space_write(AddressSpace *as, uint64_t addr, const void *buf,
                         uint64_t len)
{
    return as_access(as, addr, (uint8_t *)buf, len, true);
}

bool address_space_set(AddressSpace *as, uint64_t addr, uint8_t byte,
                       uint64_t len)
{
    uint8_t chunk[4096];

    if (len > as->size || addr > as->size - len ||
        !range_mapped(as, addr, len)) {
        return false;
    }
    memset(chunk, byte, sizeof(chunk));
    while (len) {
        uint64_t n = MIN(len, sizeof(chunk));
        as_access(as, addr, chunk, n, true);
        addr += n;
        len -= n;
    }
    return true;
}

bool address_space_ld(AddressSpace *as, uint64_t addr, unsigned size,
                      uint64_t *val)
{
    uint8_t b[8];
    Mapping *m = find_mapping(as, addr);

    /* A single aligned MMIO access goes to the device at its own size. */
    if (m && !m->mr->ram && addr - m->base + size <= m->mr->size &&
        io_access_size(m->mr, addr - m->base, size) == size &&
        m->mr->ops->read) {
        *val = m->mr->ops->read(m->mr->opaque, addr - m->base, size);
        return true;
    }
    if (!address_space_read(as, addr, b, size)) {
        return false;
    }
    *val = 0;
    for (unsigned i = 0; i < size; i++) {
        *val |= (uint64_t)b[i] << (8 * i);
    }
    return true;
}

bool address_space_st(AddressSpace *as, uint64_t addr, unsigned size,
                      uint64_t val)
{
    uint8_t b[8];

    for (unsigned i = 0; i < size; i++) {
        b[i] = val >> (8 * i);
    }
    return address_space_write(as, addr, b, size);
}

void *address_space_ram_ptr(AddressSpace *as, uint64_t addr, uint64_t len)
{
    Mapping *m = find_mapping(as, addr);

    if (!m || !m->mr->ram || len > m->mr->size - (addr - m->base)) {
        return NULL;
    }
    return m->mr->ram + (addr - m->base);
}

void memory_init(void)
{
    if (!address_space_memory) {
        address_space_memory = address_space_new("memory", UINT64_MAX);
        address_space_io = address_space_new("I/O", 0x10000);
    }
}
