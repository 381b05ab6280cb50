/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A buffered byte stream for migration: over an fd (socket, pipe, file) or
 * over memory (tests, fuzzing).  Numbers are big-endian, as QEMU writes them.
 *
 * Errors are sticky: the first one is kept and every later operation is a
 * no-op (reads give 0).  Callers therefore check once, after a group of
 * reads or writes, instead of after each byte.
 */
#ifndef MIGRATION_QEMU_FILE_H
#define MIGRATION_QEMU_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "util/error.h"

typedef struct QEMUFile QEMUFile;

/* The file owns @fd and closes it in qemu_fclose(). */
QEMUFile *qemu_file_new_fd_input(int fd);
QEMUFile *qemu_file_new_fd_output(int fd);
/* Reads from a private copy of @data. */
QEMUFile *qemu_file_new_mem_input(const void *data, size_t len);
/* Collects everything written; see qemu_file_mem_data(). */
QEMUFile *qemu_file_new_mem_output(void);
/* Bytes written so far to a memory output file (owned by the file). */
const uint8_t *qemu_file_mem_data(QEMUFile *f, size_t *len);

/* Called by qemu_fclose() after the fd is closed (e.g. to reap a child);
 * a negative return becomes the file's error. */
typedef int QEMUFileCloseFn(void *opaque);
void qemu_file_set_close_fn(QEMUFile *f, QEMUFileCloseFn *fn, void *opaque);

void qemu_put_byte(QEMUFile *f, uint8_t v);
void qemu_put_be16(QEMUFile *f, uint16_t v);
void qemu_put_be32(QEMUFile *f, uint32_t v);
void qemu_put_be64(QEMUFile *f, uint64_t v);
void qemu_put_buffer(QEMUFile *f, const void *buf, size_t len);

uint8_t qemu_get_byte(QEMUFile *f);
uint16_t qemu_get_be16(QEMUFile *f);
uint32_t qemu_get_be32(QEMUFile *f);
uint64_t qemu_get_be64(QEMUFile *f);
/* Fills all of @buf or sets the error (the rest of @buf is zeroed). */
void qemu_get_buffer(QEMUFile *f, void *buf, size_t len);
/* Discard @len input bytes. */
void qemu_file_skip(QEMUFile *f, uint64_t len);
/* The byte @offset (< 512) places ahead, or -1 at the end of the stream or
 * after an error.  Peeking never sets the error. */
int qemu_peek_byte(QEMUFile *f, unsigned offset);

/* 0, or the negative errno of the first error. */
int qemu_file_get_error(QEMUFile *f);
/* Copy the first error (with its message) to @errp; false if there is one. */
bool qemu_file_check_error(QEMUFile *f, Error **errp);
/* Record an error unless one is already recorded. */
void qemu_file_set_error(QEMUFile *f, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Bytes read or written through the file so far. */
uint64_t qemu_file_transferred(QEMUFile *f);
/* Write out buffered output; returns the file error. */
int qemu_fflush(QEMUFile *f);
/* Make blocked reads and writes of another thread return (sockets only). */
void qemu_file_shutdown(QEMUFile *f);
/* Flush, close and free; returns the file error (0 when all went well). */
int qemu_fclose(QEMUFile *f);

#endif
