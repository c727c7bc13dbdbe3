/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "platform/linux/dns.h"

#define RESOLVE1_NAME  "org.freedesktop.resolve1"
#define RESOLVE1_PATH  "/org/freedesktop/resolve1"
#define RESOLVE1_IFACE "org.freedesktop.resolve1.Manager"
#define CALL_TIMEOUT_MS 10000

GDBusConnection *dns_bus(GDBusConnection *bus, GError **error)
{
        if (bus)
                return g_object_ref(bus);
        return g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, error);
}

static bool strv_contains_name(GVariant *v, const char *name)
{
        g_autofree const char **names = g_variant_get_strv(v, NULL);

        return names && g_strv_contains(names, name);
}

bool resolved_available(GDBusConnection *bus)
{
        g_autoptr(GVariant) owner = NULL;
        g_autoptr(GVariant) activatable = NULL;
        gboolean has = FALSE;

        owner = g_dbus_connection_call_sync(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                            "org.freedesktop.DBus", "NameHasOwner",
                                            g_variant_new("(s)", RESOLVE1_NAME),
                                            G_VARIANT_TYPE("(b)"), G_DBUS_CALL_FLAGS_NONE,
                                            CALL_TIMEOUT_MS, NULL, NULL);
        if (owner) {
                g_variant_get(owner, "(b)", &has);
                if (has)
                        return true;
        }
        activatable = g_dbus_connection_call_sync(
                bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                "ListActivatableNames", NULL, G_VARIANT_TYPE("(as)"), G_DBUS_CALL_FLAGS_NONE,
                CALL_TIMEOUT_MS, NULL, NULL);
        if (activatable) {
                g_autoptr(GVariant) names = g_variant_get_child_value(activatable, 0);

                return strv_contains_name(names, RESOLVE1_NAME);
        }
        return false;
}

static int call(GDBusConnection *bus, const char *method, GVariant *args, int ifindex,
                GError **error)
{
        g_autoptr(GVariant) reply = NULL;
        g_autoptr(GError) e = NULL;

        reply = g_dbus_connection_call_sync(bus, RESOLVE1_NAME, RESOLVE1_PATH, RESOLVE1_IFACE,
                                            method, args, NULL, G_DBUS_CALL_FLAGS_NONE,
                                            CALL_TIMEOUT_MS, NULL, &e);
        if (!reply) {
                g_autofree char *remote = g_dbus_error_get_remote_error(e);

                if (remote)
                        g_dbus_error_strip_remote_error(e);
                g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
                            "systemd-resolved %s on link #%d: %s%s%s%s", method, ifindex,
                            e->message, remote ? " (" : "", remote ? remote : "",
                            remote ? ")" : "");
                return -EIO;
        }
        return 0;
}

static int resolved_apply(const struct platform_config *cfg, struct journal *j, GError **error)
{
        g_autoptr(GDBusConnection) bus = dns_bus(cfg->bus, error);
        struct op op = { .kind = OP_DNS_RESOLVED, .ifindex = cfg->ifindex, .suppress = -1 };
        GVariantBuilder servers, domains;
        int r;

        if (!bus)
                return -EIO;
        r = journal_record(j, &op, error);
        if (r < 0)
                return r;

        /* SetLinkDNS(i ifindex, a(iay) addresses) */
        g_variant_builder_init(&servers, G_VARIANT_TYPE("a(iay)"));
        for (size_t i = 0; i < cfg->n_dns; i++) {
                const struct platform_addr *a = &cfg->dns[i];
                const void *bytes = a->family == AF_INET6 ? (const void *)&a->v6
                                                          : (const void *)&a->v4;
                size_t len = a->family == AF_INET6 ? 16 : 4;

                g_variant_builder_add(&servers, "(i@ay)", a->family,
                                      g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, bytes, len,
                                                                1));
        }
        r = call(bus, "SetLinkDNS", g_variant_new("(ia(iay))", cfg->ifindex, &servers),
                 cfg->ifindex, error);
        if (r < 0)
                return r;

        /* SetLinkDomains(i ifindex, a(sb) domains): b = routing-only ("~") */
        g_variant_builder_init(&domains, G_VARIANT_TYPE("a(sb)"));
        for (size_t i = 0; cfg->search_domains && cfg->search_domains[i]; i++)
                g_variant_builder_add(&domains, "(sb)", cfg->search_domains[i], FALSE);
        for (size_t i = 0; cfg->routing_domains && cfg->routing_domains[i]; i++)
                g_variant_builder_add(&domains, "(sb)", cfg->routing_domains[i], TRUE);
        if (cfg->mode == PLATFORM_TUNNEL_FULL)
                g_variant_builder_add(&domains, "(sb)", ".", TRUE); /* "~.": every name */
        r = call(bus, "SetLinkDomains", g_variant_new("(ia(sb))", cfg->ifindex, &domains),
                 cfg->ifindex, error);
        if (r < 0)
                return r;

        /* Full tunnel: this link is the default DNS route; split: only for
         * its own domains. */
        return call(bus, "SetLinkDefaultRoute",
                    g_variant_new("(ib)", cfg->ifindex, cfg->mode == PLATFORM_TUNNEL_FULL),
                    cfg->ifindex, error);
}

int resolved_revert(GDBusConnection *bus, int ifindex, GError **error)
{
        g_autoptr(GVariant) reply = NULL;
        g_autoptr(GError) e = NULL;
        g_autofree char *remote = NULL;

        reply = g_dbus_connection_call_sync(bus, RESOLVE1_NAME, RESOLVE1_PATH, RESOLVE1_IFACE,
                                            "RevertLink", g_variant_new("(i)", ifindex), NULL,
                                            G_DBUS_CALL_FLAGS_NO_AUTO_START, CALL_TIMEOUT_MS,
                                            NULL, &e);
        if (reply)
                return 0;
        remote = g_dbus_error_get_remote_error(e);
        /* The link is gone (resolved forgot it) or resolved is not running
         * (it forgot everything): nothing left to revert. */
        if (remote && (strcmp(remote, "org.freedesktop.resolve1.NoSuchLink") == 0 ||
                       strcmp(remote, "org.freedesktop.DBus.Error.ServiceUnknown") == 0 ||
                       strcmp(remote, "org.freedesktop.DBus.Error.NameHasNoOwner") == 0))
                return 0;
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
                    "systemd-resolved RevertLink on link #%d: %s", ifindex, e->message);
        return -EIO;
}

const struct dns_backend dns_backend_resolved = {
        .name = "systemd-resolved",
        .apply = resolved_apply,
};
