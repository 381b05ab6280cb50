/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Buffered migration byte stream over an fd or a memory buffer. */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <glib.h>
#include "migration/qemu-file.h"

#define QEMU_FILE_BUF 32768

struct QEMUFile {
    bool writing;
    int fd;          /* -1 for memory files */
    GByteArray *mem; /* memory output, or the whole memory input */
    uint8_t *buf;    /* fd: I/O buffer */
    size_t pos, len; /* read: next byte and end of valid data */
    uint64_t transferred;
    bool eof; /* fd input: read() returned 0 */
    int err;  /* first error, negative errno */
    char *err_msg;
    QEMUFileCloseFn *close_fn;
    void *close_opaque;
};

static QEMUFile *file_new(int fd, bool writing)
{
    QEMUFile *f = g_new0(QEMUFile, 1);
    f->fd = fd;
    f->writing = writing;
    if (fd >= 0) {
        f->buf = g_malloc(QEMU_FILE_BUF);
    }
    return f;
}

QEMUFile *qemu_file_new_fd_input(int fd)
{
    return file_new(fd, false);
}

QEMUFile *qemu_file_new_fd_output(int fd)
{
    return file_new(fd, true);
}

QEMUFile *qemu_file_new_mem_input(const void *data, size_t len)
{
    QEMUFile *f = file_new(-1, false);
    f->mem = g_byte_array_sized_new(len ? len : 1);
    g_byte_array_append(f->mem, data, len);
    f->buf = f->mem->data;
    f->len = len;
    f->eof = true;
    return f;
}

QEMUFile *qemu_file_new_mem_output(void)
{
    QEMUFile *f = file_new(-1, true);
    f->mem = g_byte_array_new();
    return f;
}

const uint8_t *qemu_file_mem_data(QEMUFile *f, size_t *len)
{
    g_assert(f->mem && f->writing);
    *len = f->mem->len;
    return f->mem->data;
}

void qemu_file_set_close_fn(QEMUFile *f, QEMUFileCloseFn *fn, void *opaque)
{
    f->close_fn = fn;
    f->close_opaque = opaque;
}

void qemu_file_set_error(QEMUFile *f, int err, const char *fmt, ...)
{
    va_list ap;

    if (f->err) {
        return;
    }
    f->err = err < 0 ? err : -EIO;
    va_start(ap, fmt);
    f->err_msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
}

int qemu_file_get_error(QEMUFile *f)
{
    return f->err;
}

bool qemu_file_check_error(QEMUFile *f, Error **errp)
{
    if (!f->err) {
        return true;
    }
    error_setg(errp, "%s", f->err_msg);
    return false;
}

uint64_t qemu_file_transferred(QEMUFile *f)
{
    return f->transferred;
}

/* ---- output ---- */

static void fd_write_all(QEMUFile *f, const uint8_t *p, size_t n)
{
    while (n && !f->err) {
        ssize_t r = write(f->fd, p, n);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            int e = r < 0 ? errno : EIO;
            qemu_file_set_error(f, -e, "write to migration stream failed: %s",
                                g_strerror(e));
            return;
        }
        p += r;
        n -= r;
    }
}

int qemu_fflush(QEMUFile *f)
{
    if (f->writing && f->fd >= 0 && f->len) {
        fd_write_all(f, f->buf, f->len);
        f->len = 0;
    }
    return f->err;
}

void qemu_put_buffer(QEMUFile *f, const void *buf, size_t len)
{
    const uint8_t *p = buf;

    if (f->err) {
        return;
    }
    g_assert(f->writing);
    f->transferred += len;
    if (f->mem) {
        g_byte_array_append(f->mem, p, len);
        return;
    }
    while (len && !f->err) {
        size_t n = MIN(len, QEMU_FILE_BUF - f->len);
        memcpy(f->buf + f->len, p, n);
        f->len += n;
        p += n;
        len -= n;
        if (f->len == QEMU_FILE_BUF) {
            qemu_fflush(f);
        }
    }
}

void qemu_put_byte(QEMUFile *f, uint8_t v)
{
    qemu_put_buffer(f, &v, 1);
}

void qemu_put_be16(QEMUFile *f, uint16_t v)
{
    uint8_t b[2] = {v >> 8, v};
    qemu_put_buffer(f, b, 2);
}

void qemu_put_be32(QEMUFile *f, uint32_t v)
{
    uint8_t b[4] = {v >> 24, v >> 16, v >> 8, v};
    qemu_put_buffer(f, b, 4);
}

void qemu_put_be64(QEMUFile *f, uint64_t v)
{
    qemu_put_be32(f, v >> 32);
    qemu_put_be32(f, v);
}

/* ---- input ---- */

/* Make at least @want bytes available unless the stream ends first. */
static void fill(QEMUFile *f, size_t want)
{
    if (f->fd < 0 || f->len - f->pos >= want || f->eof || f->err) {
        return;
    }
    if (f->pos) {
        memmove(f->buf, f->buf + f->pos, f->len - f->pos);
        f->len -= f->pos;
        f->pos = 0;
    }
    while (f->len < want && !f->eof) {
        ssize_t r = read(f->fd, f->buf + f->len, QEMU_FILE_BUF - f->len);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r < 0) {
            qemu_file_set_error(f, -errno,
                                "read from migration stream failed: %s",
                                g_strerror(errno));
            return;
        }
        if (r == 0) {
            f->eof = true;
        }
        f->len += r;
    }
}

void qemu_get_buffer(QEMUFile *f, void *buf, size_t len)
{
    uint8_t *p = buf;

    g_assert(!f->writing);
    while (len) {
        size_t n;

        if (f->err) {
            memset(p, 0, len);
            return;
        }
        fill(f, 1);
        n = MIN(len, f->len - f->pos);
        if (!n) {
            if (!f->err) {
                qemu_file_set_error(f, -EIO,
                                    "migration stream ended unexpectedly "
                                    "after %" G_GUINT64_FORMAT " bytes",
                                    f->transferred);
            }
            continue;
        }
        memcpy(p, f->buf + f->pos, n);
        f->pos += n;
        f->transferred += n;
        p += n;
        len -= n;
    }
}

void qemu_file_skip(QEMUFile *f, uint64_t len)
{
    uint8_t scratch[4096];

    while (len && !f->err) {
        size_t n = MIN(len, sizeof(scratch));
        qemu_get_buffer(f, scratch, n);
        len -= n;
    }
}

uint8_t qemu_get_byte(QEMUFile *f)
{
    uint8_t v;
    qemu_get_buffer(f, &v, 1);
    return v;
}

uint16_t qemu_get_be16(QEMUFile *f)
{
    uint8_t b[2];
    qemu_get_buffer(f, b, 2);
    return (uint16_t)b[0] << 8 | b[1];
}

uint32_t qemu_get_be32(QEMUFile *f)
{
    uint8_t b[4];
    qemu_get_buffer(f, b, 4);
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 |
           b[3];
}

uint64_t qemu_get_be64(QEMUFile *f)
{
    uint64_t hi = qemu_get_be32(f);
    return hi << 32 | qemu_get_be32(f);
}

int qemu_peek_byte(QEMUFile *f, unsigned offset)
{
    g_assert(!f->writing && offset < 512);
    if (f->err) {
        return -1;
    }
    fill(f, offset + 1);
    if (f->err || f->len - f->pos <= offset) {
        return -1;
    }
    return f->buf[f->pos + offset];
}

/* ---- teardown ---- */

void qemu_file_shutdown(QEMUFile *f)
{
    if (f->fd >= 0) {
        shutdown(f->fd, SHUT_RDWR);
    }
}

int qemu_fclose(QEMUFile *f)
{
    int ret;

    qemu_fflush(f);
    if (f->fd >= 0) {
        if (close(f->fd) < 0 && f->writing) {
            qemu_file_set_error(f, -errno,
                                "closing the migration stream "
                                "failed: %s",
                                g_strerror(errno));
        }
        g_free(f->buf);
    }
    if (f->close_fn) {
        int r = f->close_fn(f->close_opaque);
        if (r < 0) {
            qemu_file_set_error(f, r, "migration command failed");
        }
    }
    if (f->mem) {
        g_byte_array_free(f->mem, TRUE);
    }
    ret = f->err;
    g_free(f->err_msg);
    g_free(f);
    return ret;
}
