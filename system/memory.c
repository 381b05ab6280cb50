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
    /* RAM: one bit per page, written atomically by any thread */
    unsigned long *dirty;
    /* pages handed out as host pointers while logging (see header) */
    unsigned long *pinned;
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

#define BITS_PER_LONG (8 * sizeof(unsigned long))

struct DirtyLogWriter {
    DirtyLogSyncFn *sync;
    void *opaque;
};

/* RAM regions, for finding a host pointer's region; guarded by
 * dirty_lock, which also guards the writer list and start/stop. */
static GMutex dirty_lock;
static GPtrArray *ram_regions;
static GPtrArray *dirty_writers;
static int dirty_log_on;
static unsigned dirty_epoch;

static uint64_t ram_pages(const MemoryRegion *mr)
{
    return (mr->size + MEMORY_DIRTY_PAGE_SIZE - 1) >> MEMORY_DIRTY_PAGE_BITS;
}

static size_t bitmap_longs(const MemoryRegion *mr)
{
    return (ram_pages(mr) + BITS_PER_LONG - 1) / BITS_PER_LONG;
}

static void ram_region_register(MemoryRegion *mr)
{
    mr->dirty = g_new0(unsigned long, bitmap_longs(mr));
    mr->pinned = g_new0(unsigned long, bitmap_longs(mr));
    g_mutex_lock(&dirty_lock);
    if (!ram_regions) {
        ram_regions = g_ptr_array_new();
    }
    g_ptr_array_add(ram_regions, mr);
    g_mutex_unlock(&dirty_lock);
}

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
    ram_region_register(mr);
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
        g_mutex_lock(&dirty_lock);
        g_ptr_array_remove(ram_regions, mr);
        g_mutex_unlock(&dirty_lock);
        munmap(mr->ram, mr->size);
        close(mr->fd);
        g_free(mr->dirty);
        g_free(mr->pinned);
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

static void set_bits(unsigned long *bm, MemoryRegion *mr, uint64_t offset,
                     uint64_t len);

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
                memory_region_set_dirty(m->mr, off, chunk);
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
    if (memory_global_dirty_log_active()) {
        set_bits(m->mr->pinned, m->mr, addr - m->base, len);
        memory_region_set_dirty(m->mr, addr - m->base, len);
    }
    return m->mr->ram + (addr - m->base);
}

/* ---- dirty logging ---- */

/* Set the bits of the pages of [offset, offset+len) in @bm. */
static void set_bits(unsigned long *bm, MemoryRegion *mr, uint64_t offset,
                     uint64_t len)
{
    uint64_t first, last;

    if (!len || offset >= mr->size) {
        return;
    }
    len = MIN(len, mr->size - offset);
    first = offset >> MEMORY_DIRTY_PAGE_BITS;
    last = (offset + len - 1) >> MEMORY_DIRTY_PAGE_BITS;
    for (uint64_t p = first; p <= last; p++) {
        unsigned long bit = 1UL << (p % BITS_PER_LONG);
        unsigned long *w = &bm[p / BITS_PER_LONG];
        /* A plain load first: re-dirtying a dirty page stays cheap. */
        if (!(__atomic_load_n(w, __ATOMIC_RELAXED) & bit)) {
            __atomic_fetch_or(w, bit, __ATOMIC_RELEASE);
        }
    }
}

bool memory_global_dirty_log_active(void)
{
    return __atomic_load_n(&dirty_log_on, __ATOMIC_ACQUIRE);
}

unsigned memory_dirty_log_epoch(void)
{
    return __atomic_load_n(&dirty_epoch, __ATOMIC_SEQ_CST);
}

void memory_region_set_dirty(MemoryRegion *mr, uint64_t offset, uint64_t len)
{
    if (mr->ram && memory_global_dirty_log_active()) {
        set_bits(mr->dirty, mr, offset, len);
    }
}

bool memory_region_test_dirty(MemoryRegion *mr, uint64_t offset, uint64_t len)
{
    uint64_t first, last;

    if (!mr->ram || !len || offset >= mr->size) {
        return false;
    }
    len = MIN(len, mr->size - offset);
    first = offset >> MEMORY_DIRTY_PAGE_BITS;
    last = (offset + len - 1) >> MEMORY_DIRTY_PAGE_BITS;
    for (uint64_t p = first; p <= last; p++) {
        if (__atomic_load_n(&mr->dirty[p / BITS_PER_LONG], __ATOMIC_ACQUIRE) &
            (1UL << (p % BITS_PER_LONG))) {
            return true;
        }
    }
    return false;
}

uint64_t memory_region_dirty_fetch_and_clear(MemoryRegion *mr,
                                             unsigned long *bitmap)
{
    uint64_t added = 0;
    size_t n;

    if (!mr->ram) {
        return 0;
    }
    n = bitmap_longs(mr);
    for (size_t i = 0; i < n; i++) {
        unsigned long w = __atomic_load_n(&mr->dirty[i], __ATOMIC_RELAXED);
        if (w) {
            /* Acquire: the data written before the mark is visible. */
            w = __atomic_exchange_n(&mr->dirty[i], 0, __ATOMIC_ACQ_REL);
        }
        w |= __atomic_load_n(&mr->pinned[i], __ATOMIC_ACQUIRE);
        added += __builtin_popcountl(w & ~bitmap[i]);
        bitmap[i] |= w;
    }
    return added;
}

bool memory_dirty_mark_host(const void *host, uint64_t len)
{
    const uint8_t *p = host;
    bool found = false;

    if (!memory_global_dirty_log_active()) {
        return true;
    }
    g_mutex_lock(&dirty_lock);
    for (guint i = 0; ram_regions && i < ram_regions->len; i++) {
        MemoryRegion *mr = g_ptr_array_index(ram_regions, i);
        if (p >= mr->ram && p < mr->ram + mr->size) {
            set_bits(mr->dirty, mr, p - mr->ram, len);
            found = true;
            break;
        }
    }
    g_mutex_unlock(&dirty_lock);
    return found;
}

DirtyLogWriter *memory_dirty_log_writer_add(DirtyLogSyncFn *sync,
                                            void *opaque)
{
    DirtyLogWriter *w = g_new0(DirtyLogWriter, 1);

    w->sync = sync;
    w->opaque = opaque;
    g_mutex_lock(&dirty_lock);
    if (!dirty_writers) {
        dirty_writers = g_ptr_array_new();
    }
    g_ptr_array_add(dirty_writers, w);
    g_mutex_unlock(&dirty_lock);
    return w;
}

void memory_dirty_log_writer_remove(DirtyLogWriter *w)
{
    if (!w) {
        return;
    }
    g_mutex_lock(&dirty_lock);
    g_ptr_array_remove(dirty_writers, w);
    g_mutex_unlock(&dirty_lock);
    g_free(w);
}

static void clear_bitmaps(void)
{
    for (guint i = 0; ram_regions && i < ram_regions->len; i++) {
        MemoryRegion *mr = g_ptr_array_index(ram_regions, i);
        memset(mr->dirty, 0, bitmap_longs(mr) * sizeof(unsigned long));
        memset(mr->pinned, 0, bitmap_longs(mr) * sizeof(unsigned long));
    }
}

/* Have all writers caught up with @epoch?  With dirty_lock held. */
static bool writers_synced(unsigned epoch)
{
    bool all = true;

    for (guint i = 0; dirty_writers && i < dirty_writers->len; i++) {
        DirtyLogWriter *w = g_ptr_array_index(dirty_writers, i);
        all &= w->sync(w->opaque, epoch);
    }
    return all;
}

bool memory_global_dirty_log_start(unsigned timeout_ms, Error **errp)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
    unsigned epoch;
    bool ok;

    g_mutex_lock(&dirty_lock);
    if (dirty_log_on) {
        g_mutex_unlock(&dirty_lock);
        error_setg(errp, "dirty page logging is already on");
        return false;
    }
    clear_bitmaps();
    __atomic_store_n(&dirty_log_on, 1, __ATOMIC_SEQ_CST);
    epoch = __atomic_add_fetch(&dirty_epoch, 1, __ATOMIC_SEQ_CST);
    /* Writers may need the lock of their own thread: poll with ours
     * released between tries. */
    while (!(ok = writers_synced(epoch)) &&
           g_get_monotonic_time() < deadline) {
        g_mutex_unlock(&dirty_lock);
        g_usleep(100);
        g_mutex_lock(&dirty_lock);
    }
    g_mutex_unlock(&dirty_lock);
    if (!ok) {
        memory_global_dirty_log_stop();
        error_setg(errp, "dirty page logging could not start: a CPU kept "
                         "writable guest RAM mappings for %u ms",
                   timeout_ms);
    }
    return ok;
}

void memory_global_dirty_log_stop(void)
{
    g_mutex_lock(&dirty_lock);
    if (dirty_log_on) {
        __atomic_store_n(&dirty_log_on, 0, __ATOMIC_SEQ_CST);
        /* Writers refill fast mappings at their next epoch check. */
        __atomic_add_fetch(&dirty_epoch, 1, __ATOMIC_SEQ_CST);
        clear_bitmaps();
    }
    g_mutex_unlock(&dirty_lock);
}

void memory_init(void)
{
    if (!address_space_memory) {
        address_space_memory = address_space_new("memory", UINT64_MAX);
        address_space_io = address_space_new("I/O", 0x10000);
    }
}
