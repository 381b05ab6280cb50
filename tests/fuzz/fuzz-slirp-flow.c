/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz the flow parser of multiqueue user networking (net/slirp-flow.c):
 * every frame a guest sends on any queue goes through it.  Input: one
 * byte of flags (bit 0: direction, bits 1..7: queue) and then the frame.
 * Besides memory errors, checks that a flow found once is found again.
 */
#include <stdint.h>
#include <stdlib.h>
#include "net/slirp-flow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static SlirpFlowTable *t;
    uint32_t hash, again;
    SlirpFlow *f;
    bool to_guest;
    uint16_t queue;

    if (size < 1) {
        return 0;
    }
    if (!t) {
        t = slirp_flow_table_new();
    }
    to_guest = data[0] & 1;
    queue = data[0] >> 1;
    if (!slirp_flow_hash(t, data + 1, size - 1, to_guest, &hash)) {
        return 0;
    }
    /* The same frame hashes the same way every time. */
    if (!slirp_flow_hash(t, data + 1, size - 1, to_guest, &again) ||
        again != hash) {
        abort();
    }
    f = slirp_flow_insert(t, hash, queue, !to_guest);
    if (!f || f != slirp_flow_lookup(t, hash) || f->hash != hash) {
        abort();
    }
    return 0;
}
