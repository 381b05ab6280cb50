/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Scatter-gather helpers. */
#ifndef UTIL_IOV_H
#define UTIL_IOV_H

#include <stddef.h>
#include <sys/uio.h>

size_t iov_size(const struct iovec *iov, unsigned cnt);
/* Copy up to @bytes starting @offset bytes into the vector; returns copied. */
size_t iov_to_buf(const struct iovec *iov, unsigned cnt, size_t offset,
                  void *buf, size_t bytes);
size_t iov_from_buf(const struct iovec *iov, unsigned cnt, size_t offset,
                    const void *buf, size_t bytes);
/* Fill @dst (at most @dst_max entries) with the part of @src after @offset
 * bytes; returns the entry count. */
unsigned iov_copy(struct iovec *dst, unsigned dst_max, const struct iovec *src,
                  unsigned src_cnt, size_t offset, size_t bytes);

/* Copy @bytes from @src (from @src_off) straight into @dst (from @dst_off),
 * with no bounce buffer; returns the bytes copied. */
size_t iov_to_iov(const struct iovec *dst, unsigned dst_cnt, size_t dst_off,
                  const struct iovec *src, unsigned src_cnt, size_t src_off,
                  size_t bytes);

#endif
