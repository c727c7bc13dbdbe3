/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DNS while the tunnel is up, through one of two backends:
 *
 *   resolved     systemd-resolved over D-Bus (org.freedesktop.resolve1):
 *                SetLinkDNS, SetLinkDomains (search domains, routing-only
 *                "~domain", "~." in full tunnel), SetLinkDefaultRoute; undone
 *                with RevertLink. DNS-over-TLS settings are left alone.
 *   resolv.conf  when resolved is not on the bus: the file is replaced
 *                atomically after the original (or the symlink's target) was
 *                saved under the state directory, and put back on revert.
 *
 * Each journals its operation before it changes anything.
 */
#pragma once

#include <stdbool.h>

#include <gio/gio.h>

#include "platform/linux/journal.h"
#include "platform/linux/platform.h"

struct dns_backend {
        const char *name;
        int (*apply)(const struct platform_config *cfg, struct journal *j, GError **error);
};

extern const struct dns_backend dns_backend_resolved;
extern const struct dns_backend dns_backend_resolvconf;

/* Is org.freedesktop.resolve1 owned or activatable on bus? */
bool resolved_available(GDBusConnection *bus);
/* RevertLink(ifindex); a link or service that is gone is success. */
int resolved_revert(GDBusConnection *bus, int ifindex, GError **error);

/* The text the fallback writes. */
char *resolvconf_render(const struct platform_config *cfg);
/* Puts back what op saved; nothing saved any more is success. */
int resolvconf_restore(const struct op *op, GError **error);

/* The system bus, or cfg's. NULL with *error on failure. */
GDBusConnection *dns_bus(GDBusConnection *bus, GError **error);
