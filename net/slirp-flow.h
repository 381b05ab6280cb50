/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Flow steering for multiqueue user networking: hash an Ethernet frame's
 * IPv4/IPv6 flow and remember, in a table of fixed size, on which queue
 * the guest sent it and on which queue we last delivered it.
 */
#ifndef NET_SLIRP_FLOW_H
#define NET_SLIRP_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Slots of a flow table (a power of two); the table never grows. */
#define SLIRP_FLOW_SLOTS 4096

typedef struct SlirpFlow {
    uint32_t hash;
    uint16_t want;     /* queue the guest last sent this flow on */
    uint16_t last_out; /* queue we last delivered this flow on */
    bool used;
    bool from_guest; /* @want was set by the guest, not guessed by us */
} SlirpFlow;

typedef struct SlirpFlowTable {
    uint32_t seed; /* random per table: a guest cannot aim at one slot */
    SlirpFlow slot[SLIRP_FLOW_SLOTS];
} SlirpFlowTable;

SlirpFlowTable *slirp_flow_table_new(void);
void slirp_flow_table_free(SlirpFlowTable *t);

/*
 * Hash the flow of the Ethernet frame @buf (@len bytes) so that both
 * directions of a connection give the same value: @to_guest says whether
 * the guest is the destination (a frame from the stack) or the source (a
 * frame the guest sent).  TCP and UDP hash their ports too; other IP
 * protocols and fragments hash addresses and protocol only.  Returns
 * false for frames that are not IPv4/IPv6 or are too short to parse.
 */
bool slirp_flow_hash(const SlirpFlowTable *t, const uint8_t *buf, size_t len,
                     bool to_guest, uint32_t *hash);

/* The entry for @hash, or NULL. */
SlirpFlow *slirp_flow_lookup(SlirpFlowTable *t, uint32_t hash);
/* The entry for @hash, replacing whatever flow held its slot. */
SlirpFlow *slirp_flow_insert(SlirpFlowTable *t, uint32_t hash, uint16_t queue,
                             bool from_guest);
/* Forget every flow (the queues they named may be gone). */
void slirp_flow_table_clear(SlirpFlowTable *t);

#endif
