/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The org.tsunagu.Vpn1.Error.* names as a GError domain, registered with
 * GDBus so that the helper returns them and clients (CLI, GUI, tray) get
 * them back as TSU_ERROR codes with g_dbus_error_strip_remote_error().
 */
#pragma once

#include <gio/gio.h>

#define TSU_DBUS_NAME          "org.tsunagu.Vpn1"
#define TSU_DBUS_PATH          "/org/tsunagu/Vpn1"
#define TSU_DBUS_PROFILE_DIR   "/org/tsunagu/Vpn1/Profile"
#define TSU_DBUS_SESSION_DIR   "/org/tsunagu/Vpn1/Session"
#define TSU_DBUS_IFACE_MANAGER "org.tsunagu.Vpn1.Manager"
#define TSU_DBUS_IFACE_PROFILE "org.tsunagu.Vpn1.Profile"
#define TSU_DBUS_IFACE_SESSION "org.tsunagu.Vpn1.Session"
#define TSU_DBUS_IFACE_AGENT   "org.tsunagu.Vpn1.SecretAgent"

enum tsu_error {
        TSU_ERROR_FAILED,          /* org.tsunagu.Vpn1.Error.Failed */
        TSU_ERROR_INVALID_ARGS,    /* .InvalidArgs */
        TSU_ERROR_NOT_AUTHORIZED,  /* .NotAuthorized */
        TSU_ERROR_NOT_FOUND,       /* .NotFound */
        TSU_ERROR_INVALID_PROFILE, /* .InvalidProfile */
        TSU_ERROR_BUSY,            /* .Busy */
        TSU_ERROR_NO_SECRET,       /* .NoSecret */
        TSU_ERROR_CANCELLED,       /* .Cancelled */
        TSU_ERROR__COUNT,
};

#define TSU_ERROR (tsu_error_quark())
GQuark tsu_error_quark(void);

/* The D-Bus name of code ("org.tsunagu.Vpn1.Error.Busy"). */
const char *tsu_error_dbus_name(enum tsu_error code);
