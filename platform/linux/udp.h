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
