/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fd-based chardevs: stdio, file (output only) and null. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include "chardev/char.h"
#include "util/main-loop.h"
#include "util/opts.h"

typedef struct FdChardev {
    int in_fd;  /* -1: no input */
    int out_fd; /* -1: output discarded */
    bool own_fds;
    guint read_watch;
} FdChardev;

static gboolean fd_readable(int fd, GIOCondition cond, void *opaque)
{
    Chardev *chr = opaque;
    FdChardev *s = chr->state;
    uint8_t buf[4096];
    size_t max = chardev_be_can_read(chr);
    ssize_t n;

    if (max == 0) {
        s->read_watch = 0;
        return G_SOURCE_REMOVE;
    }
    n = read(fd, buf, MIN(max, sizeof(buf)));
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        return G_SOURCE_CONTINUE;
    }
    if (n <= 0) {
        /* End of input: stop reading, keep writing. */
        s->read_watch = 0;
        return G_SOURCE_REMOVE;
    }
    chardev_be_read(chr, buf, n);
    return s->read_watch ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void fd_accept_input(Chardev *chr)
{
    FdChardev *s = chr->state;
    if (s->in_fd >= 0 && !s->read_watch) {
        s->read_watch =
            main_loop_add_fd(s->in_fd, G_IO_IN | G_IO_HUP, fd_readable, chr);
    }
}

static ssize_t fd_write(Chardev *chr, const uint8_t *buf, size_t len)
{
    FdChardev *s = chr->state;
    size_t done = 0;

    if (s->out_fd < 0) {
        return len;
    }
    /* Console and file output are small; write it all now. */
    while (done < len) {
        ssize_t n = write(s->out_fd, buf + done, len - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && errno == EAGAIN) {
            g_usleep(1000);
            continue;
        }
        if (n <= 0) {
            return done ? (ssize_t)done : -1;
        }
        done += n;
    }
    return done;
}

static void fd_close(Chardev *chr)
{
    FdChardev *s = chr->state;
    main_loop_remove(s->read_watch);
    if (s->own_fds && s->out_fd >= 0) {
        close(s->out_fd);
    }
    g_free(s);
}

static bool fd_start(Chardev *chr, int in_fd, int out_fd, bool own)
{
    FdChardev *s = g_new0(FdChardev, 1);
    s->in_fd = in_fd;
    s->out_fd = out_fd;
    s->own_fds = own;
    chr->state = s;
    if (in_fd >= 0) {
        fcntl(in_fd, F_SETFL, fcntl(in_fd, F_GETFL) | O_NONBLOCK);
    }
    fd_accept_input(chr);
    chardev_be_event(chr, CHR_EVENT_OPENED);
    return true;
}

static bool stdio_in_use;

static bool stdio_open(Chardev *chr, json_t *opts, Error **errp)
{
    if (stdio_in_use) {
        error_setg(errp, "cannot use stdio by multiple character devices");
        return false;
    }
    stdio_in_use = true;
    return fd_start(chr, STDIN_FILENO, STDOUT_FILENO, false);
}

static void stdio_close(Chardev *chr)
{
    stdio_in_use = false;
    fd_close(chr);
}

static bool file_open(Chardev *chr, json_t *opts, Error **errp)
{
    const char *path = opts_get_str(opts, "path");
    bool append;
    int fd;

    if (!path) {
        error_setg(errp, "chardev: file: no filename given");
        return false;
    }
    if (!opts_get_bool(opts, "append", false, &append, errp)) {
        return false;
    }
    fd = open(path,
              O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC),
              0666);
    if (fd < 0) {
        error_setg_errno(errp, errno, "Could not open '%s'", path);
        return false;
    }
    return fd_start(chr, -1, fd, true);
}

static bool null_open(Chardev *chr, json_t *opts, Error **errp)
{
    return fd_start(chr, -1, -1, false);
}

static char *stdio_describe(Chardev *chr)
{
    return g_strdup("stdio");
}

static const char *const no_options[] = {NULL};
static const char *const stdio_options[] = {"signal", "mux", "logfile",
                                            "logappend", NULL};
static const char *const file_options[] = {"path", "append", "mux", NULL};

static const ChardevClass fd_classes[] = {
    {.name = "stdio",
     .options = stdio_options,
     .open = stdio_open,
     .write = fd_write,
     .close = stdio_close,
     .accept_input = fd_accept_input,
     .describe = stdio_describe},
    {.name = "file",
     .options = file_options,
     .open = file_open,
     .write = fd_write,
     .close = fd_close},
    {.name = "null",
     .options = no_options,
     .open = null_open,
     .write = fd_write,
     .close = fd_close},
};

void chardev_fd_register(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(fd_classes); i++) {
        chardev_register_class(&fd_classes[i]);
    }
}

void chardev_init(void)
{
    static bool done;
    if (!done) {
        done = true;
        chardev_socket_register();
        chardev_fd_register();
    }
}
