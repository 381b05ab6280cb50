/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unaligned little/big-endian loads and stores on byte buffers. */
#ifndef UTIL_BSWAP_H
#define UTIL_BSWAP_H

#include <stdint.h>

static inline uint16_t lduw_le(const void *p)
{
    const uint8_t *b = p;
    return b[0] | b[1] << 8;
}

static inline uint32_t ldl_le(const void *p)
{
    const uint8_t *b = p;
    return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
}

static inline uint64_t ldq_le(const void *p)
{
    const uint8_t *b = p;
    return ldl_le(b) | (uint64_t)ldl_le(b + 4) << 32;
}

static inline void stw_le(void *p, uint16_t v)
{
    uint8_t *b = p;
    b[0] = v;
    b[1] = v >> 8;
}

static inline void stl_le(void *p, uint32_t v)
{
    uint8_t *b = p;
    b[0] = v;
    b[1] = v >> 8;
    b[2] = v >> 16;
    b[3] = v >> 24;
}

static inline void stq_le(void *p, uint64_t v)
{
    stl_le(p, v);
    stl_le((uint8_t *)p + 4, v >> 32);
}

static inline uint16_t lduw_be(const void *p)
{
    const uint8_t *b = p;
    return b[0] << 8 | b[1];
}

static inline uint32_t ldl_be(const void *p)
{
    const uint8_t *b = p;
    return (uint32_t)b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
}

static inline void stw_be(void *p, uint16_t v)
{
    uint8_t *b = p;
    b[0] = v >> 8;
    b[1] = v;
}

static inline void stl_be(void *p, uint32_t v)
{
    uint8_t *b = p;
    b[0] = v >> 24;
    b[1] = v >> 16;
    b[2] = v >> 8;
    b[3] = v;
}

#endif
