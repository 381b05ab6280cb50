/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The dirty page log of system/memory.c: marking, fetch-and-clear from
 * another thread while writers mark, writers through the address space
 * and through handed-out RAM pointers, and the start handshake with
 * writers that cache RAM pointers.
 */
#include <string.h>
#include <glib.h>
#include "system/memory.h"

#define RAM_SIZE (4u << 20)
#define PAGES (RAM_SIZE / MEMORY_DIRTY_PAGE_SIZE)
#define LONGS (PAGES / (8 * sizeof(unsigned long)))

static bool bit(const unsigned long *bm, unsigned p)
{
    return bm[p / (8 * sizeof(long))] & (1UL << (p % (8 * sizeof(long))));
}

static void set_bit(unsigned long *bm, unsigned p)
{
    bm[p / (8 * sizeof(long))] |= 1UL << (p % (8 * sizeof(long)));
}

static MemoryRegion *new_ram(void)
{
    return memory_region_new_ram("ram", RAM_SIZE, &error_abort);
}

static void test_basic(void)
{
    MemoryRegion *mr = new_ram();
    unsigned long bm[LONGS] = {0};

    /* Off: nothing is recorded. */
    memory_region_set_dirty(mr, 0, 4096);
    g_assert_false(memory_global_dirty_log_active());
    g_assert(memory_global_dirty_log_start(1000, &error_abort));
    g_assert(memory_global_dirty_log_active());
    g_assert_false(memory_region_test_dirty(mr, 0, RAM_SIZE));

    /* A range touching two pages marks both; past the end is clamped. */
    memory_region_set_dirty(mr, 0x1ffc, 8);
    memory_region_set_dirty(mr, RAM_SIZE - 1, 100);
    memory_region_set_dirty(mr, RAM_SIZE, 100);
    g_assert(memory_region_test_dirty(mr, 0x1000, 1));
    g_assert(memory_region_test_dirty(mr, 0x2000, 1));
    g_assert_false(memory_region_test_dirty(mr, 0x3000, 1));

    g_assert_cmpuint(memory_region_dirty_fetch_and_clear(mr, bm), ==, 3);
    for (unsigned p = 0; p < PAGES; p++) {
        g_assert(bit(bm, p) == (p == 1 || p == 2 || p == PAGES - 1));
    }
    g_assert_false(memory_region_test_dirty(mr, 0, RAM_SIZE));
    /* Bits already in the destination are not counted again. */
    memory_region_set_dirty(mr, 0x1000, 1);
    g_assert_cmpuint(memory_region_dirty_fetch_and_clear(mr, bm), ==, 0);

    /* Marking by host pointer finds the region. */
    g_assert(memory_dirty_mark_host((uint8_t *)memory_region_ram_ptr(mr) +
                                        0x5000,
                                    1));
    g_assert(memory_region_test_dirty(mr, 0x5000, 1));
    g_assert_false(memory_dirty_mark_host(bm, 1));

    /* Starting twice is refused; stop clears. */
    g_assert_false(memory_global_dirty_log_start(10, NULL));
    memory_global_dirty_log_stop();
    g_assert_false(memory_region_test_dirty(mr, 0, RAM_SIZE));
    memory_region_free(mr);
}

static void test_address_space(void)
{
    MemoryRegion *mr = new_ram();
    AddressSpace *as = address_space_new("test", 1ULL << 32);
    unsigned long bm[LONGS] = {0};
    uint8_t buf[16] = {1};
    uint8_t *p;

    g_assert(address_space_map(as, 0x80000000, mr, &error_abort));
    /* A pointer handed out before logging is not tracked. */
    g_assert(address_space_ram_ptr(as, 0x80003000, 16));
    g_assert(memory_global_dirty_log_start(1000, &error_abort));
    g_assert(address_space_write(as, 0x80001000, buf, sizeof(buf)));
    g_assert(address_space_st(as, 0x80002ffe, 4, 0x12345678));
    g_assert(address_space_set(as, 0x80010000, 0xaa, 2 * 4096));
    /* A handed-out pointer's pages are reported at every fetch. */
    p = address_space_ram_ptr(as, 0x80020000, 16);
    g_assert(p);
    g_assert_cmpuint(memory_region_dirty_fetch_and_clear(mr, bm), ==, 6);
    g_assert(bit(bm, 1) && bit(bm, 2) && bit(bm, 3) && bit(bm, 16) &&
             bit(bm, 17) && bit(bm, 32));
    memset(bm, 0, sizeof(bm));
    g_assert_cmpuint(memory_region_dirty_fetch_and_clear(mr, bm), ==, 1);
    g_assert(bit(bm, 32));
    memory_global_dirty_log_stop();
    memset(bm, 0, sizeof(bm));
    g_assert_cmpuint(memory_region_dirty_fetch_and_clear(mr, bm), ==, 0);
    address_space_free(as);
    memory_region_free(mr);
}

/* ---- concurrency ---- */

typedef struct Writer {
    MemoryRegion *mr;
    unsigned seed;
    unsigned long expect[LONGS];
    volatile gint *stop;
} Writer;

static gpointer writer_thread(gpointer opaque)
{
    Writer *w = opaque;
    GRand *r = g_rand_new_with_seed(w->seed);
    uint8_t *ram = memory_region_ram_ptr(w->mr);

    for (int i = 0; i < 200000; i++) {
        unsigned page = g_rand_int_range(r, 0, PAGES);
        /* Write, then mark: the order every writer must follow. */
        ram[page * MEMORY_DIRTY_PAGE_SIZE + (w->seed & 4095)] = i;
        memory_region_set_dirty(w->mr, (uint64_t)page * 4096, 1);
        set_bit(w->expect, page);
    }
    g_rand_free(r);
    return NULL;
}

static gpointer fetch_thread(gpointer opaque)
{
    Writer *w = opaque;
    unsigned long *got = g_new0(unsigned long, LONGS);

    while (!g_atomic_int_get(w->stop)) {
        unsigned long bm[LONGS] = {0};
        memory_region_dirty_fetch_and_clear(w->mr, bm);
        for (unsigned i = 0; i < LONGS; i++) {
            got[i] |= bm[i];
        }
    }
    return got;
}

static void test_concurrent(void)
{
    MemoryRegion *mr = new_ram();
    volatile gint stop = 0;
    Writer w[2] = {{.mr = mr, .seed = 11, .stop = &stop},
                   {.mr = mr, .seed = 4000, .stop = &stop}};
    Writer f = {.mr = mr, .stop = &stop};
    GThread *t[2], *ft;
    unsigned long *got, last[LONGS] = {0};

    g_assert(memory_global_dirty_log_start(1000, &error_abort));
    ft = g_thread_new("fetch", fetch_thread, &f);
    for (int i = 0; i < 2; i++) {
        t[i] = g_thread_new("writer", writer_thread, &w[i]);
    }
    for (int i = 0; i < 2; i++) {
        g_thread_join(t[i]);
    }
    g_atomic_int_set(&stop, 1);
    got = g_thread_join(ft);
    memory_region_dirty_fetch_and_clear(mr, last);
    /* Every page marked was fetched exactly into the union, none lost
     * and none invented. */
    for (unsigned i = 0; i < LONGS; i++) {
        g_assert_cmphex(got[i] | last[i], ==, w[0].expect[i] | w[1].expect[i]);
    }
    memory_global_dirty_log_stop();
    g_free(got);
    memory_region_free(mr);
}

/* ---- writers that cache pointers ---- */

typedef struct FakeCpu {
    int calls;
    int ready_after; /* -1: never */
    unsigned epoch_seen;
} FakeCpu;

static bool fake_sync(void *opaque, unsigned epoch)
{
    FakeCpu *c = opaque;

    c->calls++;
    if (c->ready_after >= 0 && c->calls > c->ready_after) {
        c->epoch_seen = epoch;
        return true;
    }
    return false;
}

static void test_writer_handshake(void)
{
    FakeCpu slow = {.ready_after = 5}, stuck = {.ready_after = -1};
    DirtyLogWriter *ws = memory_dirty_log_writer_add(fake_sync, &slow);
    DirtyLogWriter *wt;
    Error *err = NULL;
    unsigned e0 = memory_dirty_log_epoch();

    g_assert(memory_global_dirty_log_start(1000, &error_abort));
    g_assert_cmpint(slow.calls, ==, 6);
    g_assert_cmpuint(slow.epoch_seen, ==, memory_dirty_log_epoch());
    g_assert_cmpuint(slow.epoch_seen, !=, e0);
    memory_global_dirty_log_stop();
    g_assert_cmpuint(memory_dirty_log_epoch(), !=, slow.epoch_seen);

    /* A writer that never catches up: start fails, logging stays off. */
    wt = memory_dirty_log_writer_add(fake_sync, &stuck);
    g_assert_false(memory_global_dirty_log_start(50, &err));
    g_assert(err);
    g_assert(strstr(error_get_pretty(err), "could not start"));
    error_free(err);
    g_assert_false(memory_global_dirty_log_active());
    memory_dirty_log_writer_remove(wt);
    memory_dirty_log_writer_remove(ws);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/dirty-log/basic", test_basic);
    g_test_add_func("/dirty-log/address-space", test_address_space);
    g_test_add_func("/dirty-log/concurrent", test_concurrent);
    g_test_add_func("/dirty-log/writer-handshake", test_writer_handshake);
    return g_test_run();
}
