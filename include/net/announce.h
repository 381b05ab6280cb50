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

/* Stop and free every announce timer (at exit). */
void announce_cleanup(void);

#endif
