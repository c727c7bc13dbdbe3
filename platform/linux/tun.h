/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The TUN device of a tunnel: created with a virtio-net header on every packet
 * (IFF_VNET_HDR) so that the kernel can hand us TCP super-packets (TSO) and
 * take coalesced ones back (GRO towards the local stack), with a fallback to
 * one plain packet per read/write where the kernel refuses.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Offloads, from most to least capable; the datapath reports the one in use. */
enum tun_mode {
        TUN_MODE_PLAIN = 0, /* no virtio-net header: one packet per read/write */
        TUN_MODE_VNET,      /* virtio-net header, checksums only, no segmentation */
        TUN_MODE_TSO,       /* + TCP segmentation offload (TSO4/TSO6) */
        TUN_MODE_TSO_USO,   /* + UDP segmentation offload (USO4/USO6, Linux 6.2+) */
};

const char *tun_mode_to_string(enum tun_mode m);

struct tun_open_opts {
        const char *name;   /* "tsu%d" if NULL */
        unsigned mtu;       /* 0 = leave as is */
        bool want_offloads; /* false: force TUN_MODE_PLAIN (the per-packet fallback) */
};

/* log: called (rarely) with a one-line message when an offload is refused. */
typedef void (*tun_log_fn)(void *userdata, const char *msg);

/* Opens /dev/net/tun (O_CLOEXEC | O_NONBLOCK), creates the interface and
 * negotiates offloads. Returns the fd, the interface name (IFNAMSIZ) and the
 * mode, or a negative errno. Needs CAP_NET_ADMIN. */
int tun_open(const struct tun_open_opts *o, char ret_name[static 16], enum tun_mode *ret_mode,
             tun_log_fn log, void *userdata);

/* Sets the interface MTU (SIOCSIFMTU). */
int tun_set_mtu(const char *name, unsigned mtu);
/* Brings the interface up (SIOCSIFFLAGS). */
int tun_set_up(const char *name);
