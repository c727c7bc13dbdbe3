/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "client/common/macro.h"
#include "client/dbus/errors.h"

static const GDBusErrorEntry tsu_error_entries[] = {
        {TSU_ERROR_FAILED, "org.tsunagu.Vpn1.Error.Failed"},
        {TSU_ERROR_INVALID_ARGS, "org.tsunagu.Vpn1.Error.InvalidArgs"},
        {TSU_ERROR_NOT_AUTHORIZED, "org.tsunagu.Vpn1.Error.NotAuthorized"},
        {TSU_ERROR_NOT_FOUND, "org.tsunagu.Vpn1.Error.NotFound"},
        {TSU_ERROR_INVALID_PROFILE, "org.tsunagu.Vpn1.Error.InvalidProfile"},
        {TSU_ERROR_BUSY, "org.tsunagu.Vpn1.Error.Busy"},
        {TSU_ERROR_NO_SECRET, "org.tsunagu.Vpn1.Error.NoSecret"},
        {TSU_ERROR_CANCELLED, "org.tsunagu.Vpn1.Error.Cancelled"},
};
G_STATIC_ASSERT(G_N_ELEMENTS(tsu_error_entries) == TSU_ERROR__COUNT);

GQuark tsu_error_quark(void)
{
        static gsize quark;

        g_dbus_error_register_error_domain("tsu-error-quark", &quark, tsu_error_entries,
                                           G_N_ELEMENTS(tsu_error_entries));
        return (GQuark)quark;
}

const char *tsu_error_dbus_name(enum tsu_error code)
{
        if ((size_t)code >= ARRAY_SIZE(tsu_error_entries))
                code = TSU_ERROR_FAILED;
        return tsu_error_entries[code].dbus_error_name;
}
