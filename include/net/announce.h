/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Self-announcement (QMP announce-self): rounds of RARP frames from the
 * NICs so that switches learn where the VM's MAC now lives, plus a nudge
 * to guests that can announce themselves (virtio-net GUEST_ANNOUNCE).
 */
#ifndef NET_ANNOUNCE_H
#define NET_ANNOUNCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>
#include "net/net.h"
#include "qapi/qapi-types.h"
#include "util/error.h"

/* Size of the RARP frame: the Ethernet minimum, padding included. */
#define ANNOUNCE_RARP_LEN 60

/* Fill @buf with the broadcast RARP "reverse request" for @mac. */
void announce_build_rarp(uint8_t buf[ANNOUNCE_RARP_LEN], const uint8_t mac[6]);

/*
 * Start (or restart) the announce timer named @params->id (default ""):
 * round one goes out now, later rounds on QEMU_CLOCK_REALTIME.  rounds 0
 * stops that timer.  Out-of-range timings are refused.
 */
bool announce_self(const AnnounceParameters *params, Error **errp);

/* An 802.1Q-tagged RARP: the same frame with a VLAN tag after the MACs. */
#define ANNOUNCE_RARP_TAGGED_LEN (ANNOUNCE_RARP_LEN + 4)
void announce_build_rarp_tagged(uint8_t buf[ANNOUNCE_RARP_TAGGED_LEN],
                                const uint8_t mac[6], uint16_t vid);

/*
 * Vireo extension to the post-migration announcement.  A NIC model may say
 * which other addresses the guest uses: @fn appends MACs (6-byte entries)
 * and VLAN ids (uint16_t) to the arrays.  The migration rounds then send,
 * after QEMU's untagged RARP for the configured MAC, one untagged RARP for
 * each other MAC, and for each VLAN one tagged RARP for every MAC, so that
 * switches relearn every address the guest uses (bounded per round by
 * ANNOUNCE_MAX_EXTRA_FRAMES).  QMP announce-self stays QEMU's.
 */
typedef void AnnounceAddrsFn(void *opaque, GArray *macs, GArray *vlans);
#define ANNOUNCE_MAX_EXTRA_FRAMES 1024
void announce_add_nic_addrs(NetClientState *nc, AnnounceAddrsFn *fn,
                            void *opaque);
void announce_del_nic_addrs(NetClientState *nc);

/*
 * The destination's self-announcement after an incoming migration, with
 * the migration announce parameters: round one now (the frames wait in
 * the net queues until the VM runs), later rounds on QEMU_CLOCK_REALTIME.
 * Calling it again restarts the rounds.
 */
void announce_migration_start(void);

/* Stop and free every announce timer (at exit). */
void announce_cleanup(void);

#endif
