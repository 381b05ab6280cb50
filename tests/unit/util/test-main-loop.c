/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The main loop and the big lock: a vCPU-like thread that needs the lock
 * for each device access must get it even while the main loop finds work
 * ready on every iteration (zero-timeout polls).
 */
#include <glib.h>
#include "util/main-loop.h"

enum { ACCESSES = 2000 };

/* The most main-loop iterations the thread may need: starvation fails. */
enum { MAX_ITERATIONS = 2000000 };

static gint accesses_done;

static gpointer vcpu_thread(gpointer data)
{
    (void)data;
    for (int i = 0; i < ACCESSES; i++) {
        bql_lock();
        g_assert_true(bql_locked());
        g_atomic_int_inc(&accesses_done);
        bql_unlock();
    }
    return NULL;
}

/* Always ready: the main loop never sleeps while it is installed. */
static gboolean busy_idle(gpointer data)
{
    (*(unsigned *)data)++;
    return G_SOURCE_CONTINUE;
}

static void test_busy_loop_does_not_starve(void)
{
    unsigned idle_runs = 0;
    guint idle = g_idle_add(busy_idle, &idle_runs);
    GThread *t;
    unsigned iterations = 0;

    main_loop_init();
    g_assert_true(bql_locked());
    t = g_thread_new("vcpu", vcpu_thread, NULL);
    while (g_atomic_int_get(&accesses_done) < ACCESSES &&
           iterations < MAX_ITERATIONS) {
        main_loop_wait(true);
        iterations++;
    }
    g_assert_cmpint(g_atomic_int_get(&accesses_done), ==, ACCESSES);
    g_thread_join(t);
    g_assert_true(bql_locked());
    g_assert_cmpuint(idle_runs, >, 0);
    g_source_remove(idle);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/main-loop/busy-loop-does-not-starve",
                    test_busy_loop_does_not_starve);
    return g_test_run();
}
