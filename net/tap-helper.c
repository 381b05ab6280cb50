/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Programs the tap backend runs: the ifup/ifdown scripts and QEMU's bridge
 * helper protocol (the helper makes a tap, puts it on a bridge and sends
 * its fd back with SCM_RIGHTS over a socket it was given as --fd=N).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib.h>
#include "net/tap-int.h"

/* In a forked child: close every fd above stderr except @keep. */
static void tap_child_close_fds(int keep)
{
    long maxfd = sysconf(_SC_OPEN_MAX);

    if (maxfd < 0 || maxfd > 65536) {
        maxfd = 65536;
    }
    for (int i = 3; i < maxfd; i++) {
        if (i != keep) {
            close(i);
        }
    }
}

/* waitpid that retries on EINTR; the raw status, or -1. */
static int tap_wait_child(pid_t pid)
{
    int status;

    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            return -1;
        }
    }
    return status;
}

bool tap_run_script(const char *script, const char *ifname, Error **errp)
{
    pid_t pid = fork();
    int status;

    if (pid < 0) {
        error_setg_errno(errp, errno, "could not launch network script %s",
                         script);
        return false;
    }
    if (pid == 0) {
        /* Only stdio stays open for the script. */
        tap_child_close_fds(-1);
        execl(script, script, ifname, (char *)NULL);
        _exit(1);
    }
    status = tap_wait_child(pid);
    if (status < 0) {
        error_setg_errno(errp, errno, "could not launch network script %s",
                         script);
        return false;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        return true;
    }
    error_setg(errp, "network script %s failed with status %d", script, status);
    return false;
}

/*
 * Exec the helper.  A helper string with blanks is a command line for the
 * shell (QEMU does the same, so "helper=/path/x --debug" works).
 */
static void G_GNUC_NORETURN tap_exec_helper(const char *helper, char *fd_arg,
                                            char *br_arg, char *shell_cmd,
                                            int sock)
{
    tap_child_close_fds(sock);
    /* The socket was made close-on-exec; the helper must inherit it. */
    fcntl(sock, F_SETFD, 0);
    if (shell_cmd) {
        execl("/bin/sh", "sh", "-c", shell_cmd, (char *)NULL);
    } else {
        execl(helper, helper, "--use-vnet", fd_arg, br_arg, (char *)NULL);
    }
    _exit(1);
}

/* One message with one fd; extra fds (a buggy helper) are closed. */
static int tap_recv_fd(int sock)
{
    char byte;
    union {
        struct cmsghdr hdr;
        char buf[CMSG_SPACE(sizeof(int) * 4)];
    } cm;
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    struct msghdr msg = {.msg_iov = &iov,
                         .msg_iovlen = 1,
                         .msg_control = cm.buf,
                         .msg_controllen = sizeof(cm.buf)};
    struct cmsghdr *c;
    ssize_t n;
    int fd = -1;

    do {
        n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n <= 0) {
        return -1;
    }
    for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        int nfds;
        int *fds;

        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) {
            continue;
        }
        nfds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        fds = (int *)CMSG_DATA(c);
        for (int i = 0; i < nfds; i++) {
            if (fd < 0) {
                fd = fds[i];
            } else {
                close(fds[i]);
            }
        }
    }
    return fd;
}

int tap_run_bridge_helper(const char *helper, const char *bridge, Error **errp)
{
    int sv[2], fd, status;
    char *fd_arg, *br_arg, *shell_cmd = NULL;
    pid_t pid;

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        error_setg_errno(errp, errno, "socketpair() failed");
        return -1;
    }
    /* Built before fork: the child only execs. */
    fd_arg = g_strdup_printf("--fd=%d", sv[1]);
    br_arg = g_strdup_printf("--br=%s", bridge);
    if (strpbrk(helper, " \t")) {
        shell_cmd =
            g_strdup_printf("%s --use-vnet %s %s", helper, fd_arg, br_arg);
    }
    pid = fork();
    if (pid == 0) {
        tap_exec_helper(helper, fd_arg, br_arg, shell_cmd, sv[1]);
    }
    g_free(fd_arg);
    g_free(br_arg);
    g_free(shell_cmd);
    close(sv[1]);
    if (pid < 0) {
        error_setg_errno(errp, errno, "Can't fork bridge helper");
        close(sv[0]);
        return -1;
    }
    /* EOF comes when the helper exits without sending anything. */
    fd = tap_recv_fd(sv[0]);
    close(sv[0]);
    status = tap_wait_child(pid);
    if (status < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        if (fd >= 0) {
            close(fd);
        }
        error_setg(errp, "bridge helper failed");
        return -1;
    }
    if (fd < 0) {
        error_setg(errp, "failed to recv file descriptor");
        return -1;
    }
    return fd;
}
