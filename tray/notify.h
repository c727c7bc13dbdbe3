/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Desktop notifications through org.freedesktop.Notifications on the
 * session bus (GDBus, no libnotify). Without a notification server the
 * call fails quietly: notifications are a courtesy.
 */
#pragma once

#include <stdbool.h>

#include <gio/gio.h>

struct tsu_notifier;

struct tsu_notifier *tsu_notifier_new(void);
void tsu_notifier_free(struct tsu_notifier *n);

/* Shows (or replaces the last notification with the same key: one per
 * profile) a notification. urgent: the "critical" urgency. */
void tsu_notify(struct tsu_notifier *n, const char *key, const char *icon, const char *summary,
                const char *body, bool urgent);
