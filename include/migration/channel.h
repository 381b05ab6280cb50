/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Migration transports: tcp:, unix:, fd:, exec:, file: URIs. */
#ifndef MIGRATION_CHANNEL_H
#define MIGRATION_CHANNEL_H

#include <stdbool.h>
#include <sys/types.h>
#include "qapi/qapi-types.h"
#include "util/error.h"

/*
 * Open the transport of @uri.  Outgoing: an fd to write the stream to.
 * Incoming: an fd to read it from, or (tcp:, unix:, *listening set) a
 * listening socket to accept one connection on.  exec: sets *child to the
 * command's pid (else -1).  Returns -1 with @errp set on failure; an
 * unknown scheme gives "unknown migration protocol: <uri>".
 */
int migration_channel_open(const char *uri, bool incoming, bool *listening,
                           pid_t *child, Error **errp);
/* The local address of a listening socket, or NULL. */
SocketAddress *migration_channel_address(int fd);
/* Reap an exec: child; 0 when it exited with status 0, else < 0. */
int migration_channel_wait_child(pid_t child);

#endif
