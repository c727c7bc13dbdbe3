/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/fib_rules.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "client/common/macro.h"
#include "platform/linux/netconf.h"

static const void *addr_bytes(const struct platform_addr *a)
{
        return a->family == AF_INET6 ? (const void *)&a->v6 : (const void *)&a->v4;
}

static size_t addr_size(const struct platform_addr *a)
{
        return a->family == AF_INET6 ? sizeof(a->v6) : sizeof(a->v4);
}

static bool gone(int r)
{
        return r == -ENOENT || r == -ESRCH || r == -ENODEV || r == -EADDRNOTAVAIL;
}

static char *op_describe(const struct op *op)
{
        g_autofree char *pfx = prefix_to_string(&op->pfx);
        const char *type = op->rtype == OP_ROUTE_THROW         ? "throw "
                           : op->rtype == OP_ROUTE_UNREACHABLE ? "unreachable "
                                                               : "";
        char ifname[IF_NAMESIZE] = "?";

        switch (op->kind) {
        case OP_ADDR:
                if (!if_indextoname((unsigned)op->ifindex, ifname))
                        g_snprintf(ifname, sizeof(ifname), "#%d", op->ifindex);
                return g_strdup_printf("address %s on %s", pfx, ifname);
        case OP_ROUTE:
                if (op->rtype == OP_ROUTE_UNICAST) {
                        if (!if_indextoname((unsigned)op->ifindex, ifname))
                                g_snprintf(ifname, sizeof(ifname), "#%d", op->ifindex);
                        return g_strdup_printf("route %s dev %s table %u", pfx, ifname,
                                               op->table);
                }
                return g_strdup_printf("route %s%s table %u", type, pfx, op->table);
        case OP_RULE:
                return g_strdup_printf("IPv%d rule %u: %sfwmark 0x%x to %s lookup %u%s",
                                       family_number(op->pfx.addr.family), op->priority,
                                       op->invert ? "not " : "", op->fwmark, pfx, op->table,
                                       op->suppress >= 0 ? " suppress_prefixlength" : "");
        default:
                return g_strdup("?");
        }
}

static int fail(int r, const char *verb, const struct op *op, const char *extack, GError **error)
{
        g_autofree char *what = op_describe(op);

        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(-r), "%s %s: %s%s%s%s", verb, what,
                    g_strerror(-r), extack ? " (kernel: " : "", extack ? extack : "",
                    extack ? ")" : "");
        return r;
}

/* ------------------------------------------------------------------ link */

struct link_info {
        int ifindex;
        uint32_t mtu;
        bool up;
        bool found;
};

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
        struct link_info *li = data;
        const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
        const struct nlattr *attr;

        if (nlh->nlmsg_type != RTM_NEWLINK || mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifi) ||
            ifi->ifi_index != li->ifindex)
                return MNL_CB_OK;
        li->found = true;
        li->up = ifi->ifi_flags & IFF_UP;
        mnl_attr_for_each(attr, nlh, sizeof(*ifi))
        {
                if (mnl_attr_get_type(attr) == IFLA_MTU &&
                    mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
                        li->mtu = mnl_attr_get_u32(attr);
        }
        return MNL_CB_OK;
}

int netconf_link_get(struct nl *nl, int ifindex, uint32_t *ret_mtu, bool *ret_up,
                     GError **error)
{
        struct link_info li = { .ifindex = ifindex };
        struct nlmsghdr *nlh = nl_msg(nl, RTM_GETLINK, 0);
        struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
        _cleanup_free_ char *extack = NULL;
        int r;

        ifi->ifi_family = AF_UNSPEC;
        ifi->ifi_index = ifindex;
        /* A GETLINK for one index answers with the link, then the ack. */
        nlh->nlmsg_flags &= (uint16_t)~NLM_F_ACK;
        r = nl_dump(nl, link_cb, &li, &extack);
        if (r == 0 && !li.found)
                r = -ENODEV;
        if (r < 0) {
                g_set_error(error, G_IO_ERROR, g_io_error_from_errno(-r),
                            "reading link #%d: %s%s%s%s", ifindex, g_strerror(-r),
                            extack ? " (kernel: " : "", extack ? extack : "", extack ? ")" : "");
                return r;
        }
        *ret_mtu = li.mtu;
        *ret_up = li.up;
        return 0;
}

int netconf_link_set(struct nl *nl, int ifindex, uint32_t mtu, bool up, GError **error)
{
        struct nlmsghdr *nlh = nl_msg(nl, RTM_NEWLINK, 0);
        struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
        _cleanup_free_ char *extack = NULL;
        int r;

        ifi->ifi_family = AF_UNSPEC;
        ifi->ifi_index = ifindex;
        ifi->ifi_change = IFF_UP;
        ifi->ifi_flags = up ? IFF_UP : 0;
        if (mtu)
                mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
        r = nl_call(nl, &extack);
        if (r < 0) {
                char name[IF_NAMESIZE];

                if (!if_indextoname((unsigned)ifindex, name))
                        g_snprintf(name, sizeof(name), "#%d", ifindex);
                g_set_error(error, G_IO_ERROR, g_io_error_from_errno(-r),
                            "setting link %s %s (MTU %u): %s%s%s%s", name, up ? "up" : "down",
                            mtu, g_strerror(-r), extack ? " (kernel: " : "", extack ? extack : "",
                            extack ? ")" : "");
        }
        return r;
}

/* ------------------------------------------------------------- addresses */

static void put_addr_msg(struct nl *nl, const struct op *op, uint16_t type, uint16_t flags)
{
        struct nlmsghdr *nlh = nl_msg(nl, type, flags);
        struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
        const struct platform_addr *a = &op->pfx.addr;

        ifa->ifa_family = (uint8_t)a->family;
        ifa->ifa_prefixlen = op->pfx.prefixlen;
        ifa->ifa_scope = RT_SCOPE_UNIVERSE;
        ifa->ifa_index = (uint32_t)op->ifindex;
        /* No duplicate address detection on a point-to-point TUN: the address
         * would stay tentative (unusable) for a second or more. */
        ifa->ifa_flags = a->family == AF_INET6 ? IFA_F_NODAD : 0;
        mnl_attr_put(nlh, IFA_LOCAL, addr_size(a), addr_bytes(a));
        mnl_attr_put(nlh, IFA_ADDRESS, addr_size(a), addr_bytes(a));
        if (a->family == AF_INET6)
                mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);
}

/* ---------------------------------------------------------------- routes */

static void put_table(struct nlmsghdr *nlh, uint8_t *hdr_table, uint16_t attr, uint32_t table)
{
        *hdr_table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
        mnl_attr_put_u32(nlh, attr, table);
}

static void put_route_msg(struct nl *nl, const struct op *op, uint16_t type, uint16_t flags)
{
        struct nlmsghdr *nlh = nl_msg(nl, type, flags);
        struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
        const struct platform_addr *a = &op->pfx.addr;

        rtm->rtm_family = (uint8_t)a->family;
        rtm->rtm_dst_len = op->pfx.prefixlen;
        rtm->rtm_protocol = RTPROT_STATIC;
        switch (op->rtype) {
        case OP_ROUTE_UNICAST:
                rtm->rtm_type = RTN_UNICAST;
                rtm->rtm_scope = RT_SCOPE_LINK; /* no gateway: on the point-to-point link */
                break;
        case OP_ROUTE_THROW:
                rtm->rtm_type = RTN_THROW;
                rtm->rtm_scope = RT_SCOPE_UNIVERSE;
                break;
        case OP_ROUTE_UNREACHABLE:
                rtm->rtm_type = RTN_UNREACHABLE;
                rtm->rtm_scope = RT_SCOPE_UNIVERSE;
                break;
        }
        if (type == RTM_DELROUTE)
                rtm->rtm_scope = RT_SCOPE_NOWHERE; /* match any scope */
        put_table(nlh, &rtm->rtm_table, RTA_TABLE, op->table);
        if (op->pfx.prefixlen)
                mnl_attr_put(nlh, RTA_DST, addr_size(a), addr_bytes(a));
        if (op->rtype == OP_ROUTE_UNICAST && op->ifindex > 0)
                mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)op->ifindex);
}

/* ----------------------------------------------------------------- rules */

static void put_rule_msg(struct nl *nl, const struct op *op, uint16_t type, uint16_t flags)
{
        struct nlmsghdr *nlh = nl_msg(nl, type, flags);
        struct fib_rule_hdr *frh = mnl_nlmsg_put_extra_header(nlh, sizeof(*frh));
        const struct platform_addr *a = &op->pfx.addr;

        frh->family = (uint8_t)a->family;
        frh->action = FR_ACT_TO_TBL;
        frh->dst_len = op->pfx.prefixlen;
        if (op->invert)
                frh->flags |= FIB_RULE_INVERT;
        put_table(nlh, &frh->table, FRA_TABLE, op->table);
        mnl_attr_put_u32(nlh, FRA_PRIORITY, op->priority);
        if (op->pfx.prefixlen)
                mnl_attr_put(nlh, FRA_DST, addr_size(a), addr_bytes(a));
        if (op->fwmark) {
                mnl_attr_put_u32(nlh, FRA_FWMARK, op->fwmark);
                mnl_attr_put_u32(nlh, FRA_FWMASK, 0xffffffffu);
        }
        if (op->suppress >= 0)
                mnl_attr_put_u32(nlh, FRA_SUPPRESS_PREFIXLEN, (uint32_t)op->suppress);
}

static bool build(struct nl *nl, const struct op *op, bool add)
{
        uint16_t flags = add ? NLM_F_CREATE | NLM_F_EXCL : 0;

        switch (op->kind) {
        case OP_ADDR:
                put_addr_msg(nl, op, add ? RTM_NEWADDR : RTM_DELADDR, flags);
                return true;
        case OP_ROUTE:
                put_route_msg(nl, op, add ? RTM_NEWROUTE : RTM_DELROUTE, flags);
                return true;
        case OP_RULE:
                put_rule_msg(nl, op, add ? RTM_NEWRULE : RTM_DELRULE, flags);
                return true;
        default:
                return false;
        }
}

int netconf_do(struct nl *nl, const struct op *op, GError **error)
{
        _cleanup_free_ char *extack = NULL;
        int r;

        if (!build(nl, op, true))
                return 0;
        r = nl_call(nl, &extack);
        if (r < 0)
                return fail(r, "adding", op, extack, error);
        return 0;
}

int netconf_undo(struct nl *nl, const struct op *op, GError **error)
{
        _cleanup_free_ char *extack = NULL;
        int r;

        if (!build(nl, op, false))
                return 0;
        r = nl_call(nl, &extack);
        if (r < 0 && !gone(r))
                return fail(r, "deleting", op, extack, error);
        return 0;
}

/* ------------------------------------------------------------ TUN sweep */

struct tun_sweep {
        const char *prefix;
        GArray *victims; /* int ifindex */
};

static int tun_cb(const struct nlmsghdr *nlh, void *data)
{
        struct tun_sweep *s = data;
        const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
        const struct nlattr *attr, *nested;
        const char *name = NULL;
        bool is_tun = false;

        if (nlh->nlmsg_type != RTM_NEWLINK || mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifi))
                return MNL_CB_OK;
        mnl_attr_for_each(attr, nlh, sizeof(*ifi))
        {
                switch (mnl_attr_get_type(attr)) {
                case IFLA_IFNAME:
                        if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
                                name = mnl_attr_get_str(attr);
                        break;
                case IFLA_LINKINFO:
                        if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
                                break;
                        mnl_attr_for_each_nested(nested, attr)
                        {
                                if (mnl_attr_get_type(nested) == IFLA_INFO_KIND &&
                                    mnl_attr_validate(nested, MNL_TYPE_NUL_STRING) == 0 &&
                                    strcmp(mnl_attr_get_str(nested), "tun") == 0)
                                        is_tun = true;
                        }
                        break;
                }
        }
        if (is_tun && name && g_str_has_prefix(name, s->prefix))
                g_array_append_val(s->victims, ifi->ifi_index);
        return MNL_CB_OK;
}

int netconf_delete_tun_devices(struct nl *nl, const char *prefix, GError **error)
{
        struct tun_sweep s = { .prefix = prefix };
        g_autoptr(GArray) victims = g_array_new(FALSE, FALSE, sizeof(int));
        _cleanup_free_ char *extack = NULL;
        struct nlmsghdr *nlh;
        struct ifinfomsg *ifi;
        int r, n = 0;

        s.victims = victims;
        nlh = nl_msg(nl, RTM_GETLINK, 0);
        ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
        ifi->ifi_family = AF_UNSPEC;
        r = nl_dump(nl, tun_cb, &s, &extack);
        if (r < 0) {
                g_set_error(error, G_IO_ERROR, g_io_error_from_errno(-r), "listing links: %s",
                            g_strerror(-r));
                return r;
        }
        for (guint i = 0; i < victims->len; i++) {
                int ifindex = g_array_index(victims, int, i);

                nlh = nl_msg(nl, RTM_DELLINK, 0);
                ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
                ifi->ifi_family = AF_UNSPEC;
                ifi->ifi_index = ifindex;
                free(extack);
                extack = NULL;
                r = nl_call(nl, &extack);
                if (r < 0 && !gone(r)) {
                        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(-r),
                                    "deleting TUN device #%d: %s%s%s%s", ifindex, g_strerror(-r),
                                    extack ? " (kernel: " : "", extack ? extack : "",
                                    extack ? ")" : "");
                        return r;
                }
                n++;
        }
        return n;
}
