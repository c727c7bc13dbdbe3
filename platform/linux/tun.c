/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "tun.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client/common/macro.h"

/* Debian 12's headers predate these (Linux 6.2, 6.0). */
#ifndef TUN_F_USO4
#define TUN_F_USO4 0x20
#endif
#ifndef TUN_F_USO6
#define TUN_F_USO6 0x40
#endif
#ifndef IFF_NAPI
#define IFF_NAPI 0x0010
#endif

#define VNET_HDR_SIZE 10 /* struct virtio_net_hdr, no num_buffers */

const char *tun_mode_to_string(enum tun_mode m)
{
        switch (m) {
        case TUN_MODE_PLAIN:
                return "plain";
        case TUN_MODE_VNET:
                return "vnet-csum";
        case TUN_MODE_TSO:
                return "tso";
        case TUN_MODE_TSO_USO:
                return "tso+uso";
        }
        return "unknown";
}

static void say(tun_log_fn log, void *userdata, const char *what, int err)
{
        char msg[160];

        if (!log)
                return;
        snprintf(msg, sizeof(msg), "TUN: kernel refused %s (%s), falling back", what,
                 strerror(err));
        log(userdata, msg);
}

static int negotiate(int fd, enum tun_mode *ret_mode, tun_log_fn log, void *userdata)
{
        static const struct {
                enum tun_mode mode;
                unsigned flags;
                const char *what;
        } tries[] = {
                {TUN_MODE_TSO_USO, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_USO4 | TUN_F_USO6,
                 "TUNSETOFFLOAD csum+tso4+tso6+uso4+uso6"},
                {TUN_MODE_TSO, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6,
                 "TUNSETOFFLOAD csum+tso4+tso6"},
                {TUN_MODE_VNET, TUN_F_CSUM, "TUNSETOFFLOAD csum"},
        };
        int sz = VNET_HDR_SIZE;

        if (ioctl(fd, TUNSETVNETHDRSZ, &sz) < 0)
                return -errno;
        for (size_t i = 0; i < ARRAY_SIZE(tries); i++) {
                if (ioctl(fd, TUNSETOFFLOAD, (unsigned long)tries[i].flags) == 0) {
                        *ret_mode = tries[i].mode;
                        return 0;
                }
                say(log, userdata, tries[i].what, errno);
        }
        /* Even without TUN_F_CSUM the header is there, packets just carry no
         * offload: treat it like the checksum-only mode. */
        if (ioctl(fd, TUNSETOFFLOAD, 0UL) < 0)
                return -errno;
        *ret_mode = TUN_MODE_VNET;
        return 0;
}

static int create(const char *name, bool vnet, char ret_name[static 16])
{
        _cleanup_close_ int fd = -1;
        struct ifreq ifr = {0};

        fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        ifr.ifr_flags = IFF_TUN | IFF_NO_PI | (vnet ? IFF_VNET_HDR : 0);
        if (strlen(name) >= IFNAMSIZ)
                return -ENAMETOOLONG;
        strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
        if (ioctl(fd, TUNSETIFF, &ifr) < 0)
                return -errno;
        memcpy(ret_name, ifr.ifr_name, IFNAMSIZ);
        ret_name[IFNAMSIZ - 1] = 0;
        return TAKE_FD(fd);
}

int tun_open(const struct tun_open_opts *o, char ret_name[static 16], enum tun_mode *ret_mode,
             tun_log_fn log, void *userdata)
{
        _cleanup_close_ int fd = -1;
        const char *name = o->name ? o->name : "tsu%d";
        enum tun_mode mode = TUN_MODE_PLAIN;
        char ifname[IFNAMSIZ];
        int r;

        if (o->want_offloads) {
                fd = create(name, true, ifname);
                if (fd >= 0) {
                        r = negotiate(fd, &mode, log, userdata);
                        if (r < 0) {
                                say(log, userdata, "the virtio-net header", -r);
                                /* The device exists with IFF_VNET_HDR; drop it and
                                 * create a plain one. */
                                fd = (closep(&fd), -1);
                        }
                } else if (fd == -EINVAL)
                        say(log, userdata, "IFF_VNET_HDR", EINVAL);
                else
                        return fd;
        }
        if (fd < 0) {
                fd = create(name, false, ifname);
                if (fd < 0)
                        return fd;
                mode = TUN_MODE_PLAIN;
        }
        if (o->mtu) {
                r = tun_set_mtu(ifname, o->mtu);
                if (r < 0)
                        return r;
        }
        memcpy(ret_name, ifname, IFNAMSIZ);
        *ret_mode = mode;
        return TAKE_FD(fd);
}

static int ifreq_ioctl(unsigned long req, struct ifreq *ifr)
{
        _cleanup_close_ int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

        if (s < 0)
                return -errno;
        if (ioctl(s, req, ifr) < 0)
                return -errno;
        return 0;
}

int tun_set_mtu(const char *name, unsigned mtu)
{
        struct ifreq ifr = {0};

        if (strlen(name) >= IFNAMSIZ || mtu > INT32_MAX)
                return -EINVAL;
        strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
        ifr.ifr_mtu = (int)mtu;
        return ifreq_ioctl(SIOCSIFMTU, &ifr);
}

int tun_set_up(const char *name)
{
        struct ifreq ifr = {0};
        int r;

        if (strlen(name) >= IFNAMSIZ)
                return -EINVAL;
        strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
        r = ifreq_ioctl(SIOCGIFFLAGS, &ifr);
        if (r < 0)
                return r;
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
        return ifreq_ioctl(SIOCSIFFLAGS, &ifr);
}
