/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reverse-path filtering against a full tunnel. With the tunnel's rule
 * "not fwmark M lookup T" in place, the kernel's source check of a packet
 * that arrives from the gateway on the physical interface (its mark is 0)
 * finds the route to the gateway in table T: through the TUN device, not
 * the interface the packet came in on. Strict filtering (rp_filter = 1, the
 * default of some distributions) then drops every IKE and ESP answer, and
 * the tunnel dies the moment it was set up.
 *
 * The effective setting of an interface is the larger of
 * net.ipv4.conf.all.rp_filter and its own, so raising "all" to 2 (loose:
 * the source must be reachable through some interface) relaxes every
 * interface at once, the ones a later network change brings up included.
 * Loose filtering still drops sources that are not routable at all. The old
 * value is journalled and put back on revert, unless someone else changed
 * the setting meanwhile: theirs is the newer wish. IPv6 has no such sysctl
 * (a firewall's fib rule may do the same; not handled here).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "client/common/macro.h"
#include "platform/linux/netconf.h"

#define CONF_DIR   "/proc/sys/net/ipv4/conf"
#define ALL        CONF_DIR "/all/rp_filter"
#define RP_LOOSE   2u
#define RP_STRICT  1u

static int read_value(const char *path, uint32_t *ret)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        char buf[16];
        ssize_t n;

        if (fd < 0)
                return -errno;
        n = read(fd, buf, sizeof(buf) - 1);
        if (n < 0)
                return -errno;
        buf[n] = '\0';
        if (n == 0 || buf[0] < '0' || buf[0] > '2' || (buf[1] != '\n' && buf[1] != '\0'))
                return -EINVAL;
        *ret = (uint32_t)(buf[0] - '0');
        return 0;
}

static int write_value(uint32_t v, GError **error)
{
        _cleanup_close_ int fd = open(ALL, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
        char c = (char)('0' + v);

        if (fd < 0 || write(fd, &c, 1) != 1) {
                int r = -errno;

                g_set_error(error, G_IO_ERROR, g_io_error_from_errno(-r), "writing %s: %s", ALL,
                            g_strerror(-r));
                return r;
        }
        return 0;
}

/* Whether "all" or any interface filters strictly. */
static bool any_strict(uint32_t all)
{
        g_autoptr(GDir) dir = g_dir_open(CONF_DIR, 0, NULL);
        const char *name;

        if (all == RP_STRICT)
                return true;
        if (all == RP_LOOSE || !dir)
                return false; /* loose everywhere already (max of the two) */
        while ((name = g_dir_read_name(dir))) {
                g_autofree char *path = g_strdup_printf(CONF_DIR "/%s/rp_filter", name);
                uint32_t v;

                if (strcmp(name, "all") != 0 && read_value(path, &v) == 0 && v == RP_STRICT)
                        return true;
        }
        return false;
}

int rpfilter_loosen(struct op *ret, GError **error)
{
        uint32_t all;
        int r;

        r = read_value(ALL, &all);
        if (r < 0) {
                if (r == -ENOENT)
                        return 0; /* no IPv4 in this kernel or namespace */
                g_set_error(error, G_IO_ERROR, g_io_error_from_errno(-r), "reading %s: %s", ALL,
                            g_strerror(-r));
                return r;
        }
        if (!any_strict(all))
                return 0;
        *ret = (struct op){ .kind = OP_RP_FILTER, .old_value = all, .suppress = -1 };
        return 1;
}

int rpfilter_set_loose(GError **error)
{
        return write_value(RP_LOOSE, error);
}

int rpfilter_restore(const struct op *op, GError **error)
{
        uint32_t now;

        if (read_value(ALL, &now) < 0 || now != RP_LOOSE)
                return 0; /* gone, or changed by someone else since */
        return write_value(op->old_value, error);
}
