/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "udp.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client/common/macro.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#ifndef UDP_GRO
#define UDP_GRO 104
#endif

#define DEFAULT_BUF (4 * 1024 * 1024)

static void set_buffer(int fd, int force_opt, int opt, int bytes)
{
        /* The FORCE variants ignore rmem_max/wmem_max but need CAP_NET_ADMIN;
         * without it the plain ones give what the sysctl allows. */
        if (setsockopt(fd, SOL_SOCKET, force_opt, &bytes, sizeof(bytes)) < 0)
                (void)setsockopt(fd, SOL_SOCKET, opt, &bytes, sizeof(bytes));
}

int udp_open(const struct udp_open_opts *o, struct udp_caps *ret_caps)
{
        _cleanup_close_ int fd = -1;
        struct udp_caps caps = {0};
        int one = 1, zero = 0, bytes = o->buf_bytes > 0 ? o->buf_bytes : DEFAULT_BUF;

        if (!o->remote)
                return -EINVAL;
        fd = socket(o->remote->sa_family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
        if (fd < 0)
                return -errno;
        if (o->fwmark && setsockopt(fd, SOL_SOCKET, SO_MARK, &o->fwmark, sizeof(o->fwmark)) < 0)
                return -errno;
        set_buffer(fd, SO_RCVBUFFORCE, SO_RCVBUF, bytes);
        set_buffer(fd, SO_SNDBUFFORCE, SO_SNDBUF, bytes);
        if (o->local) {
                (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
                if (bind(fd, o->local, o->local_len) < 0)
                        return -errno;
        }
        if (connect(fd, o->remote, o->remote_len) < 0)
                return -errno;
        if (o->want_offloads) {
                /* Probe: a zero segment size is "no GSO by default", accepted
                 * by every kernel that knows the option (4.18+). */
                caps.gso = setsockopt(fd, SOL_UDP, UDP_SEGMENT, &zero, sizeof(zero)) == 0;
                caps.gro = setsockopt(fd, SOL_UDP, UDP_GRO, &one, sizeof(one)) == 0;
        }
        *ret_caps = caps;
        return TAKE_FD(fd);
}

int udp_reconnect(int fd, const struct sockaddr *remote, socklen_t remote_len)
{
        /* connect(2): "connectionless sockets may dissolve the association
         * by connecting to an address with the sa_family member of sockaddr
         * set to AF_UNSPEC". The dissolve is what makes the kernel forget the
         * source address it chose (unless bind() fixed it); the second
         * connect chooses again with the routes as they are now. */
        struct sockaddr_storage unspec = {.ss_family = AF_UNSPEC};
        struct sockaddr_storage cur;
        socklen_t cur_len = sizeof(cur);

        if (fd < 0 || !remote || remote_len < sizeof(sa_family_t) ||
            remote_len > sizeof(struct sockaddr_storage))
                return -EINVAL;
        if (getsockname(fd, (struct sockaddr *)&cur, &cur_len) < 0)
                return -errno;
        /* Another family would leave the socket dissolved and unusable. */
        if (cur.ss_family != remote->sa_family)
                return -EAFNOSUPPORT;
        if (connect(fd, (const struct sockaddr *)&unspec, sizeof(unspec)) < 0)
                return -errno;
        if (connect(fd, remote, remote_len) < 0)
                return -errno;
        return 0;
}
