/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The migration state machine and its QMP commands.
 *
 * Source: migrate connects, then a thread does the copying so that the
 * monitor stays responsive.  RAM goes first while the VM runs (pre-copy):
 * the dirty log is started, and PART sections send the pages still dirty,
 * at most max-bandwidth bytes per 100 ms window / 10.  Whenever the pages
 * still to send could go out within downtime-limit at the measured
 * bandwidth, the log is synced (a new pass, MIGRATION_PASS); if that is
 * still small enough the VM is stopped and, with the big lock held, the
 * last pass and the device state follow.  The source ends in postmigrate,
 * or runs on as before after a failure or cancel.
 *
 * Destination: -incoming (or migrate-incoming after -incoming defer)
 * opens the transport; a thread loads the stream; completion is handled
 * in the main loop, which starts the VM (or leaves it paused with -S), or
 * on failure exits with status 1 unless exit-on-error was turned off.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <glib.h>
#include "migration/blocker.h"
#include "migration/channel.h"
#include "migration/migration.h"
#include "net/announce.h"
#include "migration/ram.h"
#include "migration/savevm.h"
#include "qapi/qapi-commands.h"
#include "qapi/qapi-events.h"
#include "qapi/qapi-visit.h"
#include "system/runstate.h"
#include "util/main-loop.h"

typedef struct MigrationState {
    MigrationStatus status;
    bool incoming;
    char *error_desc;
    int64_t start_ms, setup_ms, total_ms, downtime_ms, stop_ms;
    GMutex file_lock; /* guards file against cancel */
    QEMUFile *file;
    pid_t child;
    volatile gint cancel;
    RunState prev_state;
    bool was_running;
    uint64_t transferred;
    uint64_t precopy_bytes;   /* sent before the VM was stopped */
    uint64_t bandwidth;       /* measured, bytes per second (0: unknown) */
    uint64_t expected_downtime_ms;
    uint64_t passes_reported; /* MIGRATION_PASS events sent */
    bool logging;             /* we started the dirty log */
    /* incoming */
    bool deferred, started, exit_on_error;
    int listen_fd;
    char *listen_path; /* unix: socket to remove */
    guint listen_watch;
    SocketAddress *listen_addr;
    GThread *thread;
    Error *load_err;
} MigrationState;

static MigrationState mig = {.listen_fd = -1, .child = -1};
static bool caps[MIGRATION_CAPABILITY__MAX];
static MigrationAnnounceParams announce = {50, 550, 5, 100};
/* QEMU's defaults: 128 MiB/s and 300 ms. */
#define DEFAULT_MAX_BANDWIDTH (128ULL << 20)
#define DEFAULT_DOWNTIME_LIMIT 300
#define MAX_DOWNTIME_LIMIT 2000000
/* Rate-limit window, as QEMU's. */
#define WINDOW_MS 100
/* How long a CPU may take to drop its writable mappings. */
#define DIRTY_LOG_START_TIMEOUT_MS 5000
static volatile guint64 max_bandwidth = DEFAULT_MAX_BANDWIDTH;
static volatile guint64 downtime_limit = DEFAULT_DOWNTIME_LIMIT;
static GPtrArray *live_blockers;

static int64_t now_ms(void)
{
    return g_get_monotonic_time() / 1000;
}

/* With the big lock held. */
static void set_status(MigrationStatus st)
{
    mig.status = st;
    if (caps[MIGRATION_CAPABILITY_EVENTS]) {
        qapi_event_send_migration(st);
    }
}

static bool migration_in_progress(void)
{
    switch (mig.status) {
    case MIGRATION_STATUS_SETUP:
    case MIGRATION_STATUS_ACTIVE:
    case MIGRATION_STATUS_DEVICE:
    case MIGRATION_STATUS_CANCELLING:
        return true;
    default:
        return false;
    }
}

static void reset_state(bool incoming)
{
    g_free(mig.error_desc);
    mig.error_desc = NULL;
    mig.incoming = incoming;
    mig.start_ms = now_ms();
    mig.setup_ms = mig.total_ms = mig.downtime_ms = mig.stop_ms = 0;
    mig.transferred = mig.precopy_bytes = 0;
    mig.bandwidth = mig.expected_downtime_ms = mig.passes_reported = 0;
    g_atomic_int_set(&mig.cancel, 0);
}

static void set_error(Error *err)
{
    g_free(mig.error_desc);
    mig.error_desc = g_strdup(error_get_pretty(err));
}

static int close_child(void *opaque)
{
    return migration_channel_wait_child(GPOINTER_TO_INT(opaque));
}

static QEMUFile *file_for(int fd, bool incoming, pid_t child)
{
    QEMUFile *f =
        incoming ? qemu_file_new_fd_input(fd) : qemu_file_new_fd_output(fd);
    if (child > 0) {
        qemu_file_set_close_fn(f, close_child, GINT_TO_POINTER(child));
    }
    return f;
}

/* Close the stream, unless cancel got there first; returns its error. */
static int close_file(void)
{
    QEMUFile *f;

    g_mutex_lock(&mig.file_lock);
    f = mig.file;
    mig.file = NULL;
    g_mutex_unlock(&mig.file_lock);
    return f ? qemu_fclose(f) : 0;
}

/* ---- source ---- */

void migration_add_live_blocker(Error *reason)
{
    if (!live_blockers) {
        live_blockers = g_ptr_array_new();
    }
    g_ptr_array_add(live_blockers, reason);
}

void migration_del_live_blocker(Error *reason)
{
    if (live_blockers) {
        g_ptr_array_remove(live_blockers, reason);
    }
}

bool migration_is_live_blocked(Error **errp)
{
    if (live_blockers && live_blockers->len) {
        Error *reason = g_ptr_array_index(live_blockers, 0);
        error_setg(errp, "%s", error_get_pretty(reason));
        return true;
    }
    return false;
}

/* Send MIGRATION_PASS for every sync not reported yet. */
static void report_passes(void)
{
    RamMigrationStats r;

    ram_get_stats(&r);
    bql_lock();
    while (mig.passes_reported < r.dirty_sync_count) {
        mig.passes_reported++;
        if (caps[MIGRATION_CAPABILITY_EVENTS]) {
            qapi_event_send_migration_pass(mig.passes_reported);
        }
    }
    bql_unlock();
}

/* Sleep until @until_ms unless cancelled meanwhile. */
static void sleep_until(int64_t until_ms)
{
    while (!g_atomic_int_get(&mig.cancel) && now_ms() < until_ms) {
        g_usleep(MIN(10, until_ms - now_ms()) * 1000);
    }
}

/* Bytes that may go out while the VM is stopped. */
static uint64_t switchover_threshold(void)
{
    /* Nothing measured yet (the first window): only an empty bitmap
     * switches over, so the first pass always runs with the VM live. */
    return mig.bandwidth / 1000 * downtime_limit;
}

/* The pre-copy passes; true once the rest is small enough to send with
 * the VM stopped (or, not live, once everything went out). */
static bool send_ram(QEMUFile *f, Error **errp)
{
    int64_t win_start = now_ms();
    uint64_t win_bytes = qemu_file_transferred(f);
    bool done = false;

    if (!qemu_savevm_state_header(f, errp) ||
        !qemu_savevm_state_setup(f, errp)) {
        return false;
    }
    report_passes();
    while (!done && !g_atomic_int_get(&mig.cancel)) {
        uint64_t pending = ram_dirty_pending();
        int64_t now;

        if (pending <= switchover_threshold()) {
            ram_bitmap_sync();
            report_passes();
            if (ram_dirty_pending() <= switchover_threshold()) {
                return true;
            }
        }
        if (!qemu_savevm_state_iterate(f, &done, errp)) {
            return false;
        }
        mig.transferred = qemu_file_transferred(f);
        now = now_ms();
        if (max_bandwidth &&
            mig.transferred - win_bytes >= max_bandwidth * WINDOW_MS / 1000) {
            /* The window's budget is spent; a section may have overshot
             * it by far (with a tiny limit), so wait for as long as its
             * bytes take at the limit. */
            uint64_t bw = max_bandwidth;
            sleep_until(win_start +
                        MAX(WINDOW_MS, (int64_t)MIN((mig.transferred -
                                                     win_bytes) * 1000 / bw,
                                                    (uint64_t)INT32_MAX)));
            now = now_ms();
        }
        if (now - win_start >= WINDOW_MS) {
            if (qemu_fflush(f)) {
                return qemu_file_check_error(f, errp);
            }
            mig.bandwidth =
                (mig.transferred - win_bytes) * 1000 / (now - win_start);
            mig.expected_downtime_ms =
                mig.bandwidth ? ram_dirty_pending() * 1000 / mig.bandwidth : 0;
            win_start = now;
            win_bytes = mig.transferred;
        }
    }
    return true;
}

static bool send_rest(QEMUFile *f, Error **errp)
{
    bool ok;

    bql_lock();
    mig.precopy_bytes = qemu_file_transferred(f);
    mig.stop_ms = now_ms();
    if (runstate_is_running()) {
        vm_stop(RUN_STATE_FINISH_MIGRATE);
    } else {
        runstate_set(RUN_STATE_FINISH_MIGRATE);
    }
    set_status(MIGRATION_STATUS_DEVICE);
    ok = qemu_savevm_state_complete(f, errp);
    if (ok && qemu_fflush(f)) {
        ok = qemu_file_check_error(f, errp);
    }
    mig.transferred = qemu_file_transferred(f);
    bql_unlock();
    /* The END section's sync. */
    report_passes();
    return ok;
}

static void source_finish(bool ok, Error *err)
{
    mig.total_ms = now_ms() - mig.start_ms;
    if (mig.logging) {
        memory_global_dirty_log_stop();
        mig.logging = false;
    }
    if (g_atomic_int_get(&mig.cancel)) {
        ok = false;
        set_status(MIGRATION_STATUS_CANCELLED);
    } else if (!ok) {
        set_error(err);
        set_status(MIGRATION_STATUS_FAILED);
    }
    if (!ok) {
        /* Give the guest back as it was (stopped only if we got to the
         * final round). */
        if (mig.stop_ms) {
            if (mig.was_running) {
                vm_start();
            } else {
                runstate_set(mig.prev_state);
            }
        }
        return;
    }
    mig.downtime_ms = now_ms() - mig.stop_ms;
    runstate_set(RUN_STATE_POSTMIGRATE);
    set_status(MIGRATION_STATUS_COMPLETED);
}

static gpointer source_thread(gpointer opaque)
{
    Error *err = NULL;
    QEMUFile *f = mig.file;
    bool ok;
    int ret;

    bql_lock();
    set_status(MIGRATION_STATUS_ACTIVE);
    mig.setup_ms = now_ms() - mig.start_ms;
    mig.prev_state = runstate_get();
    mig.was_running = runstate_is_running();
    bql_unlock();

    /* Without the big lock: CPUs may need it to reach their next check. */
    ok = memory_global_dirty_log_start(DIRTY_LOG_START_TIMEOUT_MS, &err);
    mig.logging = ok;
    ok = ok && send_ram(f, &err) && !g_atomic_int_get(&mig.cancel) &&
         send_rest(f, &err);
    ret = close_file();
    if (ok && ret < 0) {
        error_setg(&err, "migration stream could not be completed: %s",
                   g_strerror(-ret));
        ok = false;
    }
    bql_lock();
    source_finish(ok, err);
    bql_unlock();
    error_free(err);
    main_loop_kick();
    return NULL;
}

void qmp_migrate(const char *uri, bool has_detach, bool detach, bool has_resume,
                 bool resume, Error **errp)
{
    bool listening;
    pid_t child;
    int fd;

    if (resume) {
        error_setg(errp, "Resuming a postcopy migration is not supported");
        return;
    }
    if (!uri) {
        error_setg(errp, "Parameter 'uri' is missing");
        return;
    }
    if (migration_in_progress()) {
        error_setg(errp, "There's a migration process in progress");
        return;
    }
    if (runstate_get() == RUN_STATE_INMIGRATE) {
        error_setg(errp, "Guest is waiting for an incoming migration");
        return;
    }
    if (migration_is_blocked(errp) || migration_is_live_blocked(errp) ||
        !ram_mig_init(errp)) {
        return;
    }
    fd = migration_channel_open(uri, false, &listening, &child, errp);
    if (fd < 0) {
        return;
    }
    reset_state(false);
    mig.file = file_for(fd, false, child);
    set_status(MIGRATION_STATUS_SETUP);
    g_thread_unref(g_thread_new("mig/src", source_thread, NULL));
}

void qmp_migrate_cancel(Error **errp)
{
    if (mig.incoming || !migration_in_progress() ||
        mig.status == MIGRATION_STATUS_CANCELLING) {
        return;
    }
    g_atomic_int_set(&mig.cancel, 1);
    set_status(MIGRATION_STATUS_CANCELLING);
    g_mutex_lock(&mig.file_lock);
    if (mig.file) {
        /* Unblock a write stuck on a slow or dead peer. */
        qemu_file_shutdown(mig.file);
    }
    g_mutex_unlock(&mig.file_lock);
}

/* ---- destination ---- */

static gboolean incoming_done(gpointer opaque)
{
    g_thread_join(mig.thread);
    mig.thread = NULL;
    mig.total_ms = now_ms() - mig.start_ms;
    if (mig.load_err) {
        set_error(mig.load_err);
        set_status(MIGRATION_STATUS_FAILED);
        if (mig.exit_on_error) {
            error_report("load of migration failed: %s",
                         error_get_pretty(mig.load_err));
            exit(1);
        }
        error_free(mig.load_err);
        mig.load_err = NULL;
        return G_SOURCE_REMOVE;
    }
    set_status(MIGRATION_STATUS_COMPLETED);
    /* Self-announce rounds for every NIC, queued before the VM runs (as
     * QEMU does from its incoming bottom half). */
    announce_migration_start();
    if (autostart) {
        vm_start();
    } else {
        runstate_set(RUN_STATE_PAUSED);
    }
    return G_SOURCE_REMOVE;
}

static gpointer incoming_thread(gpointer opaque)
{
    Error *err = NULL;
    int ret;

    if (!qemu_loadvm_state(mig.file, &err)) {
        close_file();
    } else if ((ret = close_file()) < 0) {
        error_setg(&err, "the migration source command failed (%s)",
                   g_strerror(-ret));
    }
    mig.load_err = err;
    main_loop_add_bh(incoming_done, NULL);
    main_loop_kick();
    return NULL;
}

static void incoming_load(int fd, pid_t child)
{
    mig.file = file_for(fd, true, child);
    mig.setup_ms = now_ms() - mig.start_ms;
    set_status(MIGRATION_STATUS_ACTIVE);
    mig.thread = g_thread_new("mig/dst", incoming_thread, NULL);
}

static void incoming_stop_listening(void)
{
    close(mig.listen_fd);
    mig.listen_fd = -1;
    if (mig.listen_path) {
        unlink(mig.listen_path);
        g_free(mig.listen_path);
        mig.listen_path = NULL;
    }
}

static gboolean incoming_accept(int fd, GIOCondition cond, void *opaque)
{
    int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC);

    if (cfd < 0) {
        return G_SOURCE_CONTINUE;
    }
    mig.listen_watch = 0;
    incoming_stop_listening();
    incoming_load(cfd, -1);
    return G_SOURCE_REMOVE;
}

static bool incoming_start(const char *uri, Error **errp)
{
    bool listening;
    pid_t child;
    int fd;

    if (!ram_mig_init(errp)) {
        return false;
    }
    fd = migration_channel_open(uri, true, &listening, &child, errp);
    if (fd < 0) {
        return false;
    }
    reset_state(true);
    mig.started = true;
    set_status(MIGRATION_STATUS_SETUP);
    if (!listening) {
        incoming_load(fd, child);
        return true;
    }
    mig.listen_fd = fd;
    mig.listen_addr = migration_channel_address(fd);
    if (g_str_has_prefix(uri, "unix:")) {
        mig.listen_path = g_strdup(uri + 5);
    }
    mig.listen_watch = main_loop_add_fd(fd, G_IO_IN, incoming_accept, NULL);
    return true;
}

bool migration_incoming_setup(const char *uri, bool start, Error **errp)
{
    runstate_set(RUN_STATE_INMIGRATE);
    autostart = start;
    mig.exit_on_error = true;
    if (!strcmp(uri, "defer")) {
        mig.deferred = true;
        return true;
    }
    return incoming_start(uri, errp);
}

void qmp_migrate_incoming(const char *uri, bool has_exit_on_error,
                          bool exit_on_error, Error **errp)
{
    if (!mig.deferred) {
        error_setg(errp, "'-incoming' was not specified on the command line");
        return;
    }
    if (mig.started) {
        error_setg(errp, "The incoming migration has already been started");
        return;
    }
    if (!uri) {
        error_setg(errp, "Parameter 'uri' is missing");
        return;
    }
    mig.exit_on_error = has_exit_on_error ? exit_on_error : true;
    incoming_start(uri, errp);
}

/* ---- queries and settings ---- */

static MigrationStats *ram_info(void)
{
    MigrationStats *s = g_new0(MigrationStats, 1);
    RamMigrationStats r;
    int64_t ms = mig.total_ms ? mig.total_ms : now_ms() - mig.start_ms;

    ram_get_stats(&r);
    s->transferred = mig.transferred;
    s->remaining = r.remaining;
    s->total = r.total;
    s->duplicate = r.duplicate;
    s->normal = r.normal;
    s->normal_bytes = r.normal_bytes;
    s->dirty_pages_rate = r.dirty_pages_rate;
    s->dirty_sync_count = r.dirty_sync_count;
    s->page_size = RAM_PAGE_SIZE;
    if (mig.stop_ms) {
        s->precopy_bytes = mig.precopy_bytes;
        s->downtime_bytes = mig.transferred - mig.precopy_bytes;
    } else {
        s->precopy_bytes = mig.transferred;
    }
    s->mbps = ms > 0 ? mig.transferred * 8.0 / 1000.0 / ms : 0;
    s->pages_per_second = ms > 0 ? (r.normal + r.duplicate) * 1000 / ms : 0;
    return s;
}

static void fill_source_info(MigrationInfo *info)
{
    switch (mig.status) {
    case MIGRATION_STATUS_ACTIVE:
    case MIGRATION_STATUS_DEVICE:
    case MIGRATION_STATUS_CANCELLING:
        info->ram = ram_info();
        info->has_setup_time = true;
        info->setup_time = mig.setup_ms;
        info->has_expected_downtime = true;
        info->expected_downtime = mig.stop_ms ? now_ms() - mig.stop_ms
                                              : mig.expected_downtime_ms;
        /* fall through */
    case MIGRATION_STATUS_SETUP:
        info->has_total_time = true;
        info->total_time = now_ms() - mig.start_ms;
        break;
    case MIGRATION_STATUS_COMPLETED:
        info->ram = ram_info();
        info->has_total_time = info->has_downtime = info->has_setup_time = true;
        info->total_time = mig.total_ms;
        info->downtime = mig.downtime_ms;
        info->setup_time = mig.setup_ms;
        break;
    default:
        break;
    }
}

static SocketAddress *clone_address(SocketAddress *a)
{
    json_t *j = qapi_SocketAddress_to_json(a);
    SocketAddress *c =
        qapi_SocketAddress_from_json(j, QAPI_INPUT_STRICT, &error_abort);
    json_decref(j);
    return c;
}

MigrationInfo *qmp_query_migrate(Error **errp)
{
    MigrationInfo *info = g_new0(MigrationInfo, 1);

    info->blocked_reasons = migration_blocked_reasons();
    if (mig.status == MIGRATION_STATUS_NONE) {
        return info;
    }
    info->has_status = true;
    info->status = mig.status;
    if (mig.status == MIGRATION_STATUS_FAILED && mig.error_desc) {
        info->error_desc = g_strdup(mig.error_desc);
    }
    if (!mig.incoming) {
        fill_source_info(info);
    } else if (mig.status == MIGRATION_STATUS_SETUP && mig.listen_addr) {
        info->socket_address = g_new0(SocketAddressList, 1);
        info->socket_address->value = clone_address(mig.listen_addr);
    }
    return info;
}

void qmp_migrate_set_capabilities(MigrationCapabilityStatusList *capabilities,
                                  Error **errp)
{
    if (migration_in_progress()) {
        error_setg(errp, "There's a migration process in progress");
        return;
    }
    for (MigrationCapabilityStatusList *l = capabilities; l; l = l->next) {
        if (l->value->state &&
            l->value->capability != MIGRATION_CAPABILITY_EVENTS) {
            error_setg(errp,
                       "Migration capability '%s' is not supported "
                       "by this version of vireo",
                       MigrationCapability_str(l->value->capability));
            return;
        }
    }
    for (MigrationCapabilityStatusList *l = capabilities; l; l = l->next) {
        caps[l->value->capability] = l->value->state;
    }
}

MigrationCapabilityStatusList *qmp_query_migrate_capabilities(Error **errp)
{
    MigrationCapabilityStatusList *head = NULL, **tail = &head;

    for (int i = 0; i < MIGRATION_CAPABILITY__MAX; i++) {
        *tail = g_new0(MigrationCapabilityStatusList, 1);
        (*tail)->value = g_new0(MigrationCapabilityStatus, 1);
        (*tail)->value->capability = i;
        (*tail)->value->state = caps[i];
        tail = &(*tail)->next;
    }
    return head;
}

static bool check_param(bool has, uint64_t v, uint64_t min, uint64_t max,
                        const char *name, uint64_t shown_min, Error **errp)
{
    if (has && (v < min || v > max)) {
        error_setg(errp,
                   "Option %s expects a value between %" G_GUINT64_FORMAT
                   " and %" G_GUINT64_FORMAT,
                   name, shown_min, max);
        return false;
    }
    return true;
}

void qmp_migrate_set_parameters(MigrateSetParameters *p, Error **errp)
{
    /* announce_step's message says 0 although 0 is refused (as QEMU's). */
    if (!check_param(p->has_announce_initial, p->announce_initial, 0, 100000,
                     "announce_initial", 0, errp) ||
        !check_param(p->has_announce_max, p->announce_max, 0, 100000,
                     "announce_max", 0, errp) ||
        !check_param(p->has_announce_rounds, p->announce_rounds, 0, 1000,
                     "announce_rounds", 0, errp) ||
        !check_param(p->has_announce_step, p->announce_step, 1, 10000,
                     "announce_step", 0, errp)) {
        return;
    }
    if (p->has_max_bandwidth && p->max_bandwidth > SIZE_MAX) {
        /* Never true on a 64-bit host; QEMU's text, macro and all. */
        error_setg(errp, "Parameter 'max_bandwidth' expects an integer in "
                         "the range of 0 to (18446744073709551615UL) "
                         "bytes/second");
        return;
    }
    if (p->has_downtime_limit && p->downtime_limit > MAX_DOWNTIME_LIMIT) {
        error_setg(errp, "Parameter 'downtime_limit' expects an integer in "
                         "the range of 0 to (2000 * 1000) ms");
        return;
    }
    if (p->has_max_bandwidth) {
        max_bandwidth = p->max_bandwidth;
    }
    if (p->has_downtime_limit) {
        downtime_limit = p->downtime_limit;
    }
    if (p->has_announce_initial) {
        announce.initial = p->announce_initial;
    }
    if (p->has_announce_max) {
        announce.max = p->announce_max;
    }
    if (p->has_announce_rounds) {
        announce.rounds = p->announce_rounds;
    }
    if (p->has_announce_step) {
        announce.step = p->announce_step;
    }
}

MigrationParameters *qmp_query_migrate_parameters(Error **errp)
{
    MigrationParameters *p = g_new0(MigrationParameters, 1);

    p->has_announce_initial = p->has_announce_max = p->has_announce_rounds =
        p->has_announce_step = true;
    p->announce_initial = announce.initial;
    p->announce_max = announce.max;
    p->announce_rounds = announce.rounds;
    p->announce_step = announce.step;
    p->has_max_bandwidth = p->has_downtime_limit = true;
    p->max_bandwidth = max_bandwidth;
    p->downtime_limit = downtime_limit;
    return p;
}

void migration_get_announce_params(MigrationAnnounceParams *p)
{
    *p = announce;
}
