/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The link monitor: rtnetlink notifications (links, IPv4/IPv6 addresses and
 * routes) read from a GSource on the socket, debounced, and turned into
 * "network changed" / "network lost" by comparing a fingerprint of the
 * machine's connectivity (default routes of main with their device and
 * gateway, global addresses) before and after. Our own TUN (and devices
 * named tsu*) and routes outside main (table T is ours) are ignored, so
 * bringing the tunnel up does not look like a network change.
 */
#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>

#include <glib-unix.h>
#include <linux/rtnetlink.h>

#include "client/common/macro.h"
#include "platform/linux/nl.h"
#include "platform/linux/plan.h"
#include "platform/linux/platform.h"

struct platform_monitor {
        struct nl *events;
        struct nl *req;
        GSource *fd_source;
        GSource *debounce;
        GMainContext *context;
        unsigned debounce_ms;
        platform_monitor_cb cb;
        void *userdata;
        int ignore_ifindex;
        char *fingerprint;
        bool lost;
};

static bool ignored_link(const struct platform_monitor *m, int ifindex)
{
        char name[IF_NAMESIZE];

        if (ifindex <= 0)
                return false;
        if (ifindex == m->ignore_ifindex)
                return true;
        /* A device that is already gone has no name: not ours to judge. */
        return if_indextoname((unsigned)ifindex, name) && g_str_has_prefix(name, PLATFORM_TUN_PREFIX);
}

static uint32_t route_table(const struct nlmsghdr *nlh, const struct rtmsg *rtm)
{
        const struct nlattr *attr;
        uint32_t table = rtm->rtm_table;

        mnl_attr_for_each(attr, nlh, sizeof(*rtm))
        {
                if (mnl_attr_get_type(attr) == RTA_TABLE &&
                    mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
                        table = mnl_attr_get_u32(attr);
        }
        return table;
}

static int route_oif(const struct nlmsghdr *nlh, const struct rtmsg *rtm)
{
        const struct nlattr *attr;

        mnl_attr_for_each(attr, nlh, sizeof(*rtm))
        {
                if (mnl_attr_get_type(attr) == RTA_OIF && mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
                        return (int)mnl_attr_get_u32(attr);
        }
        return 0;
}

/* ------------------------------------------------------------ fingerprint */

struct fp {
        const struct platform_monitor *m;
        GPtrArray *items;
        bool have_default;
};

static char *attr_addr(const struct nlattr *attr, int family)
{
        struct platform_addr a = { .family = family };
        size_t len = family == AF_INET6 ? 16 : 4;

        if (mnl_attr_get_payload_len(attr) != len)
                return g_strdup("?");
        memcpy(family == AF_INET6 ? (void *)&a.v6 : (void *)&a.v4, mnl_attr_get_payload(attr), len);
        return addr_to_string(&a);
}

static int fp_route_cb(const struct nlmsghdr *nlh, void *data)
{
        struct fp *fp = data;
        const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
        const struct nlattr *attr;
        g_autofree char *gw = NULL;
        int oif;

        if (nlh->nlmsg_type != RTM_NEWROUTE || mnl_nlmsg_get_payload_len(nlh) < sizeof(*rtm))
                return MNL_CB_OK;
        if (rtm->rtm_dst_len != 0 || rtm->rtm_type != RTN_UNICAST ||
            route_table(nlh, rtm) != RT_TABLE_MAIN)
                return MNL_CB_OK;
        oif = route_oif(nlh, rtm);
        if (ignored_link(fp->m, oif))
                return MNL_CB_OK;
        mnl_attr_for_each(attr, nlh, sizeof(*rtm))
        {
                if (mnl_attr_get_type(attr) == RTA_GATEWAY) {
                        g_free(gw);
                        gw = attr_addr(attr, rtm->rtm_family);
                }
        }
        fp->have_default = true;
        g_ptr_array_add(fp->items, g_strdup_printf("default%d dev %d via %s",
                                                   family_number(rtm->rtm_family), oif,
                                                   gw ? gw : "-"));
        return MNL_CB_OK;
}

static int fp_addr_cb(const struct nlmsghdr *nlh, void *data)
{
        struct fp *fp = data;
        const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
        const struct nlattr *attr;
        g_autofree char *addr = NULL;

        if (nlh->nlmsg_type != RTM_NEWADDR || mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifa))
                return MNL_CB_OK;
        if (ifa->ifa_scope != RT_SCOPE_UNIVERSE || ignored_link(fp->m, (int)ifa->ifa_index))
                return MNL_CB_OK;
        mnl_attr_for_each(attr, nlh, sizeof(*ifa))
        {
                uint16_t t = mnl_attr_get_type(attr);

                if (t == IFA_LOCAL || (t == IFA_ADDRESS && !addr)) {
                        g_free(addr);
                        addr = attr_addr(attr, ifa->ifa_family);
                }
        }
        g_ptr_array_add(fp->items, g_strdup_printf("addr dev %u %s/%u", ifa->ifa_index,
                                                   addr ? addr : "?", ifa->ifa_prefixlen));
        return MNL_CB_OK;
}

static int compare_str(gconstpointer a, gconstpointer b)
{
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "default4 dev 2 via 192.0.2.1|addr dev 2 192.0.2.10/24|..." */
static int fingerprint(struct platform_monitor *m, char **ret, bool *ret_have_default)
{
        g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func(g_free);
        struct fp fp = { .m = m, .items = items };
        struct nlmsghdr *nlh;
        struct rtmsg *rtm;
        struct ifaddrmsg *ifa;
        int r;

        nlh = nl_msg(m->req, RTM_GETROUTE, 0);
        rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
        rtm->rtm_family = AF_UNSPEC;
        r = nl_dump(m->req, fp_route_cb, &fp, NULL);
        if (r < 0)
                return r;
        nlh = nl_msg(m->req, RTM_GETADDR, 0);
        ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
        ifa->ifa_family = AF_UNSPEC;
        r = nl_dump(m->req, fp_addr_cb, &fp, NULL);
        if (r < 0)
                return r;
        g_ptr_array_sort(items, compare_str);
        g_ptr_array_add(items, NULL);
        *ret = g_strjoinv("|", (char **)items->pdata);
        *ret_have_default = fp.have_default;
        return 0;
}

/* ------------------------------------------------------------ events */

static gboolean debounce_fired(gpointer data)
{
        struct platform_monitor *m = data;
        g_autofree char *fp = NULL;
        bool have_default = false;

        g_clear_pointer(&m->debounce, g_source_unref);
        if (fingerprint(m, &fp, &have_default) < 0) {
                /* Could not read the tables: try again after another pause. */
                return G_SOURCE_REMOVE;
        }
        if (!have_default) {
                g_free(m->fingerprint);
                m->fingerprint = g_steal_pointer(&fp);
                if (!m->lost) {
                        m->lost = true;
                        m->cb(PLATFORM_NET_LOST, m->userdata);
                }
                return G_SOURCE_REMOVE;
        }
        if (m->lost || g_strcmp0(fp, m->fingerprint) != 0) {
                m->lost = false;
                g_free(m->fingerprint);
                m->fingerprint = g_steal_pointer(&fp);
                m->cb(PLATFORM_NET_CHANGED, m->userdata);
        }
        return G_SOURCE_REMOVE;
}

static void arm(struct platform_monitor *m)
{
        if (m->debounce) {
                g_source_destroy(m->debounce);
                g_source_unref(m->debounce);
        }
        m->debounce = g_timeout_source_new(m->debounce_ms);
        g_source_set_callback(m->debounce, debounce_fired, m, NULL);
        g_source_attach(m->debounce, m->context);
}

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
        struct platform_monitor *m = data;
        bool relevant = false;

        switch (nlh->nlmsg_type) {
        case RTM_NEWLINK:
        case RTM_DELLINK: {
                const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

                relevant = mnl_nlmsg_get_payload_len(nlh) >= sizeof(*ifi) &&
                           !ignored_link(m, ifi->ifi_index);
                break;
        }
        case RTM_NEWADDR:
        case RTM_DELADDR: {
                const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);

                relevant = mnl_nlmsg_get_payload_len(nlh) >= sizeof(*ifa) &&
                           !ignored_link(m, (int)ifa->ifa_index);
                break;
        }
        case RTM_NEWROUTE:
        case RTM_DELROUTE: {
                const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);

                relevant = mnl_nlmsg_get_payload_len(nlh) >= sizeof(*rtm) &&
                           route_table(nlh, rtm) == RT_TABLE_MAIN &&
                           !ignored_link(m, route_oif(nlh, rtm));
                break;
        }
        }
        if (relevant)
                arm(m);
        return MNL_CB_OK;
}

static gboolean readable(gint fd, GIOCondition cond, gpointer data)
{
        struct platform_monitor *m = data;
        int r = nl_read_events(m->events, event_cb, m);

        /* The kernel dropped notifications: we no longer know what changed,
         * so look again after the pause. */
        if (r == -ENOBUFS)
                arm(m);
        return G_SOURCE_CONTINUE;
}

int platform_monitor_new(unsigned debounce_ms, platform_monitor_cb cb, void *userdata,
                         struct platform_monitor **ret, GError **error)
{
        struct platform_monitor *m = g_new0(struct platform_monitor, 1);
        bool have_default = false;
        int r;

        m->debounce_ms = debounce_ms;
        m->cb = cb;
        m->userdata = userdata;
        m->context = g_main_context_ref_thread_default();
        r = nl_open(RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR | RTMGRP_IPV4_ROUTE |
                            RTMGRP_IPV6_ROUTE,
                    &m->events);
        if (r == 0)
                r = nl_open(0, &m->req);
        if (r == 0)
                r = fingerprint(m, &m->fingerprint, &have_default);
        if (r < 0) {
                g_set_error(error, G_IO_ERROR, g_io_error_from_errno(-r),
                            "starting the link monitor: %s", g_strerror(-r));
                platform_monitor_free(m);
                return r;
        }
        m->lost = !have_default;
        m->fd_source = g_unix_fd_source_new(nl_fd(m->events), G_IO_IN);
        g_source_set_callback(m->fd_source, G_SOURCE_FUNC(readable), m, NULL);
        g_source_attach(m->fd_source, m->context);
        *ret = m;
        return 0;
}

void platform_monitor_set_ignore(struct platform_monitor *m, int ifindex)
{
        m->ignore_ifindex = ifindex;
}

void platform_monitor_free(struct platform_monitor *m)
{
        if (!m)
                return;
        if (m->fd_source) {
                g_source_destroy(m->fd_source);
                g_source_unref(m->fd_source);
        }
        if (m->debounce) {
                g_source_destroy(m->debounce);
                g_source_unref(m->debounce);
        }
        nl_close(m->events);
        nl_close(m->req);
        if (m->context)
                g_main_context_unref(m->context);
        g_free(m->fingerprint);
        g_free(m);
}
