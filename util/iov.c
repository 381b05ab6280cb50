/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Scatter-gather helpers. */
#include <string.h>
#include <glib.h>
#include "util/iov.h"

size_t iov_size(const struct iovec *iov, unsigned cnt)
{
    size_t n = 0;
    for (unsigned i = 0; i < cnt; i++) {
        n += iov[i].iov_len;
    }
    return n;
}

static size_t iov_xfer(const struct iovec *iov, unsigned cnt, size_t offset,
                       void *buf, size_t bytes, int to_iov)
{
    size_t done = 0;

    for (unsigned i = 0; i < cnt && done < bytes; i++) {
        size_t len = iov[i].iov_len, n;
        if (offset >= len) {
            offset -= len;
            continue;
        }
        n = len - offset;
        if (n > bytes - done) {
            n = bytes - done;
        }
        if (to_iov) {
            memcpy((char *)iov[i].iov_base + offset, (char *)buf + done, n);
        } else {
            memcpy((char *)buf + done, (char *)iov[i].iov_base + offset, n);
        }
        done += n;
        offset = 0;
    }
    return done;
}

size_t iov_to_buf(const struct iovec *iov, unsigned cnt, size_t offset,
                  void *buf, size_t bytes)
{
    return iov_xfer(iov, cnt, offset, buf, bytes, 0);
}

size_t iov_from_buf(const struct iovec *iov, unsigned cnt, size_t offset,
                    const void *buf, size_t bytes)
{
    return iov_xfer(iov, cnt, offset, (void *)buf, bytes, 1);
}

unsigned iov_copy(struct iovec *dst, unsigned dst_max, const struct iovec *src,
                  unsigned src_cnt, size_t offset, size_t bytes)
{
    unsigned n = 0;

    for (unsigned i = 0; i < src_cnt && n < dst_max && bytes; i++) {
        size_t len = src[i].iov_len, take;
        if (offset >= len) {
            offset -= len;
            continue;
        }
        take = len - offset < bytes ? len - offset : bytes;
        dst[n].iov_base = (char *)src[i].iov_base + offset;
        dst[n].iov_len = take;
        n++;
        bytes -= take;
        offset = 0;
    }
    return n;
}

size_t iov_to_iov(const struct iovec *dst, unsigned dst_cnt, size_t dst_off,
                  const struct iovec *src, unsigned src_cnt, size_t src_off,
                  size_t bytes)
{
    unsigned di = 0, si = 0;
    size_t done = 0;

    /* Find the starting element on each side. */
    while (di < dst_cnt && dst_off >= dst[di].iov_len) {
        dst_off -= dst[di++].iov_len;
    }
    while (si < src_cnt && src_off >= src[si].iov_len) {
        src_off -= src[si++].iov_len;
    }
    while (done < bytes && di < dst_cnt && si < src_cnt) {
        size_t n = MIN(dst[di].iov_len - dst_off, src[si].iov_len - src_off);

        n = MIN(n, bytes - done);
        memcpy((char *)dst[di].iov_base + dst_off,
               (const char *)src[si].iov_base + src_off, n);
        done += n;
        dst_off += n;
        src_off += n;
        if (dst_off == dst[di].iov_len) {
            di++;
            dst_off = 0;
        }
        if (src_off == src[si].iov_len) {
            si++;
            src_off = 0;
        }
    }
    return done;
}
