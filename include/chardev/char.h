/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Character devices: byte streams that frontends (monitor, qtest, UART)
 * read and write.  Backends: socket (unix/tcp, server or client), stdio,
 * file, null.
 */
#ifndef CHARDEV_CHAR_H
#define CHARDEV_CHAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "util/error.h"

typedef struct Chardev Chardev;

typedef enum ChrEvent {
    CHR_EVENT_OPENED, /* a peer is connected (or the backend is ready) */
    CHR_EVENT_CLOSED, /* the peer went away */
} ChrEvent;

/* How many bytes the frontend can take now (0 pauses reading). */
typedef size_t ChrCanReadFn(void *opaque);
typedef void ChrReadFn(void *opaque, const uint8_t *buf, size_t len);
typedef void ChrEventFn(void *opaque, ChrEvent event);

typedef struct ChardevClass {
    const char *name;
    const char *const *options; /* accepted keys besides id and backend */
    bool (*open)(Chardev *chr, json_t *opts, Error **errp);
    /* Write what the backend can take now; returns bytes taken or -1. */
    ssize_t (*write)(Chardev *chr, const uint8_t *buf, size_t len);
    void (*close)(Chardev *chr);
    void (*accept_input)(Chardev *chr); /* frontend can read again */
    /* Description for "info chardev" and the wait message. */
    char *(*describe)(Chardev *chr);
    /* Bytes queued for output that the peer has not taken yet. */
    size_t (*pending_output)(Chardev *chr);
    /*
     * Message-oriented frontends (vhost-user) exchange requests with
     * SCM_RIGHTS fds on the connected socket themselves.  NULL or -2 when
     * the backend cannot carry fds; -1 when no peer is connected.
     */
    int (*get_msg_fd)(Chardev *chr);
} ChardevClass;

struct Chardev {
    char *id;
    const ChardevClass *cls;
    void *state; /* backend data */
    bool connected;
    ChrCanReadFn *fe_can_read;
    ChrReadFn *fe_read;
    ChrEventFn *fe_event;
    void *fe_opaque;
    bool fe_attached;
    /* fds received with SCM_RIGHTS on the most recent read that had any */
    int msgfds[16];
    int msgfds_num;
};

/* Create from parsed options: {"backend": "socket", "id": ..., ...}. */
Chardev *chardev_new(json_t *opts, Error **errp);
/* Parse the legacy "-serial/-qmp" forms: stdio, null, none, file:PATH,
 * unix:PATH[,opts], tcp:HOST:PORT[,opts], mon:stdio.  Returns options. */
json_t *chardev_parse_legacy(const char *spec, const char *id, Error **errp);
Chardev *chardev_find(const char *id);
void chardev_delete(Chardev *chr);
void chardev_delete_all(void);
/* Call fn for every chardev. */
void chardev_foreach(void (*fn)(Chardev *chr, void *opaque), void *opaque);

/* Frontend side.  Only one frontend per chardev. */
bool chardev_attach(Chardev *chr, ChrCanReadFn *can_read, ChrReadFn *read,
                    ChrEventFn *event, void *opaque, Error **errp);
void chardev_detach(Chardev *chr);
/* Queue bytes for output; never blocks.  Dropped when nobody is connected. */
void chardev_write(Chardev *chr, const void *buf, size_t len);
void chardev_accept_input(Chardev *chr);
/* Output queued but not yet sent (a peer that does not read). */
size_t chardev_pending_output(Chardev *chr);
/* Take up to @max fds received with SCM_RIGHTS; returns the count. */
int chardev_take_msgfds(Chardev *chr, int *fds, int max);
/* Can this chardev carry fds (a unix socket)? */
bool chardev_can_pass_fds(Chardev *chr);
/*
 * The connected socket, for a frontend that sends and receives whole
 * messages with fds itself (sendmsg/recvmsg); -1 when not connected.  The
 * chardev still owns it and still watches it for the peer going away.
 */
int chardev_get_msg_fd(Chardev *chr);

/* For backends. */
void chardev_be_event(Chardev *chr, ChrEvent event);
size_t chardev_be_can_read(Chardev *chr);
void chardev_be_read(Chardev *chr, const uint8_t *buf, size_t len);
void chardev_be_set_msgfds(Chardev *chr, int *fds, int n);
void chardev_register_class(const ChardevClass *cls);
const ChardevClass *chardev_class_find(const char *name);
void chardev_class_foreach(void (*fn)(const ChardevClass *cls, void *opaque),
                           void *opaque);

/* Backend registration, called once at start-up by chardev_init(). */
void chardev_socket_register(void);
void chardev_fd_register(void);
void chardev_init(void);

#endif
