/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The UDP socket that carries ESP (and IKE after the NAT-T switch) to one
 * gateway: connected, port 4500 on the gateway's side (RFC 3948), big
 * buffers, and the kernel's UDP segmentation (UDP_SEGMENT, send) and
 * coalescing (UDP_GRO, receive) when it has them.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

struct udp_open_opts {
        const struct sockaddr *local; /* NULL: any address, any port */
        socklen_t local_len;
        const struct sockaddr *remote; /* required */
        socklen_t remote_len;
        uint32_t fwmark;    /* SO_MARK, 0 = leave unset (routing away from the tunnel) */
        int buf_bytes;      /* SO_RCVBUFFORCE/SO_SNDBUFFORCE, 0 = 4 MiB */
        bool want_offloads; /* false: neither GSO nor GRO (the per-packet fallback) */
};

struct udp_caps {
        bool gso; /* UDP_SEGMENT accepted */
        bool gro; /* UDP_GRO enabled */
};

/* Returns the fd (O_CLOEXEC, blocking: senders wait for buffer space, receivers
 * use MSG_DONTWAIT) or a negative errno. */
int udp_open(const struct udp_open_opts *o, struct udp_caps *ret_caps);

/* Re-points a connected UDP socket: connect(AF_UNSPEC) then connect(remote),
 * so that the kernel picks the source address (and, unless bound, the port)
 * again for the network as it is now. The open file description is shared:
 * a re-connect in the owner moves the engine's copy of the fd as well
 * (tsunagud keeps its copies of the engine's sockets). 0 or -errno; on an
 * error after the first step the socket is left unconnected (sends fail
 * with EDESTADDRREQ until the next successful call). */
int udp_reconnect(int fd, const struct sockaddr *remote, socklen_t remote_len);
