/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The namespace side of the virtio-net benchmark: a thread that lives in a
 * network namespace of its own (unshared, so the kernel removes it, and
 * the tap in it, when the benchmark exits however it exits), owns the
 * tap interface moved there, and can flood it with UDP frames.
 */
#ifndef BENCH_NETNS_H
#define BENCH_NETNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "util/error.h"

typedef struct BenchNs BenchNs;

/* Interface counters as the namespace sees them (/proc/net/dev). */
typedef struct BenchIfStats {
    uint64_t rx_packets;
    uint64_t rx_bytes;
    uint64_t rx_dropped;
    uint64_t tx_packets;
    uint64_t tx_bytes;
    uint64_t tx_dropped;
} BenchIfStats;

/* Start the thread and its namespace; NULL when that is not possible. */
BenchNs *bench_ns_new(Error **errp);
/* Move host interface @ifname into the namespace, bring it up there. */
bool bench_ns_take_interface(BenchNs *ns, const char *ifname, Error **errp);
bool bench_ns_stats(BenchNs *ns, BenchIfStats *st, Error **errp);
/*
 * Send @frame_len-byte UDP/IPv4 frames to @dst_mac through the interface
 * until bench_ns_stop_sender, cycling over @flows source/destination port
 * pairs so that the kernel's flow hash spreads them over the tap queues.
 */
bool bench_ns_start_sender(BenchNs *ns, const uint8_t dst_mac[6],
                           size_t frame_len, unsigned flows, Error **errp);
/* Returns the number of frames the kernel accepted from the sender. */
uint64_t bench_ns_stop_sender(BenchNs *ns);
/* Stops the thread; the namespace goes with the last reference to it. */
void bench_ns_free(BenchNs *ns);

/* A UDP/IPv4 frame of @len bytes (at least 42) with valid IP checksum. */
void bench_build_udp_frame(uint8_t *f, size_t len, const uint8_t dst[6],
                           const uint8_t src[6], uint16_t sport,
                           uint16_t dport);

#endif
