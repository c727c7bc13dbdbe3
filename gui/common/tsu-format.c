/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "client/common/macro.h"
#include "tsu-format.h"
#include "tsu-i18n.h"

/* Session.State values (org.tsunagu.Vpn1.xml), with their look and label. */
static const struct {
        const char *state;
        enum tsu_look look;
        const char *label;
} states[] = {
        {"disconnected", TSU_LOOK_DISCONNECTED, N_("Disconnected")},
        {"connecting", TSU_LOOK_CONNECTING, N_("Connecting")},
        {"authenticating", TSU_LOOK_CONNECTING, N_("Authenticating")},
        {"connected", TSU_LOOK_CONNECTED, N_("Connected")},
        {"reconnecting", TSU_LOOK_CONNECTING, N_("Reconnecting")},
        {"disconnecting", TSU_LOOK_CONNECTING, N_("Disconnecting")},
        {"failed", TSU_LOOK_ERROR, N_("Failed")},
};

enum tsu_look tsu_state_look(const char *state)
{
        for (size_t i = 0; state && i < ARRAY_SIZE(states); i++)
                if (strcmp(state, states[i].state) == 0)
                        return states[i].look;
        return TSU_LOOK_DISCONNECTED;
}

char *tsu_state_label(const char *state)
{
        if (!state || !*state)
                return g_strdup(_("Disconnected"));
        for (size_t i = 0; i < ARRAY_SIZE(states); i++)
                if (strcmp(state, states[i].state) == 0)
                        return g_strdup(_(states[i].label));
        return tsu_sanitize_text(state, 32);
}

const char *tsu_look_icon(enum tsu_look look)
{
        static const char *const icons[] = {
                [TSU_LOOK_DISCONNECTED] = "tsunagu-disconnected-symbolic",
                [TSU_LOOK_CONNECTING] = "tsunagu-connecting-symbolic",
                [TSU_LOOK_CONNECTED] = "tsunagu-connected-symbolic",
                [TSU_LOOK_ERROR] = "tsunagu-error-symbolic",
        };

        return (size_t)look < ARRAY_SIZE(icons) ? icons[look] : icons[TSU_LOOK_DISCONNECTED];
}

char *tsu_auth_label(const char *method)
{
        static const struct {
                const char *method;
                const char *label;
        } methods[] = {
                {"eap-mschapv2", N_("Password (EAP-MSCHAPv2)")},
                {"eap-md5", N_("Password (EAP-MD5)")},
                {"eap-tls", N_("Certificate (EAP-TLS)")},
                {"cert", N_("Certificate")},
                {"cert-eap", N_("Certificate and password")},
        };

        for (size_t i = 0; method && i < ARRAY_SIZE(methods); i++)
                if (strcmp(method, methods[i].method) == 0)
                        return g_strdup(_(methods[i].label));
        return tsu_sanitize_text(method ? method : "", 32);
}

char *tsu_format_bytes(uint64_t bytes)
{
        /* TRANSLATORS: units of data sizes, binary prefixes. */
        const char *units[] = {N_("KiB"), N_("MiB"), N_("GiB"), N_("TiB"), N_("PiB"), N_("EiB")};
        double v = (double)bytes;
        size_t u = 0;

        if (bytes < 1024)
                /* TRANSLATORS: a size in bytes, "512 B". */
                return g_strdup_printf(_("%u B"), (unsigned)bytes);
        v /= 1024.0;
        while (v >= 1024.0 && u + 1 < ARRAY_SIZE(units)) {
                v /= 1024.0;
                u++;
        }
        if (v < 10.0)
                return g_strdup_printf("%.1f %s", v, _(units[u]));
        return g_strdup_printf("%.0f %s", v, _(units[u]));
}

char *tsu_format_duration(uint64_t s)
{
        if (s < 60)
                /* TRANSLATORS: a duration in seconds. */
                return g_strdup_printf(_("%u s"), (unsigned)s);
        if (s < 3600)
                /* TRANSLATORS: a duration, minutes and seconds. */
                return g_strdup_printf(_("%u min %02u s"), (unsigned)(s / 60), (unsigned)(s % 60));
        if (s < 86400)
                /* TRANSLATORS: a duration, hours and minutes. */
                return g_strdup_printf(_("%u h %02u min"), (unsigned)(s / 3600),
                                       (unsigned)(s % 3600 / 60));
        /* TRANSLATORS: a duration, days and hours. */
        return g_strdup_printf(_("%u d %u h"), (unsigned)(s / 86400), (unsigned)(s % 86400 / 3600));
}

static bool is_default_route(const char *r)
{
        return strcmp(r, "0.0.0.0/0") == 0 || strcmp(r, "::/0") == 0;
}

char *tsu_format_routes(const char *const *routes)
{
        g_autoptr(GString) out = g_string_new(NULL);
        bool all = false;

        for (size_t i = 0; routes && routes[i]; i++)
                if (is_default_route(routes[i]))
                        all = true;
        if (all)
                g_string_append(out, _("All traffic"));
        for (size_t i = 0; routes && routes[i]; i++) {
                g_autofree char *r = NULL;

                if (is_default_route(routes[i]))
                        continue;
                if (out->len)
                        g_string_append_c(out, '\n');
                if (routes[i][0] == '!') {
                        r = tsu_sanitize_text(routes[i] + 1, 64);
                        /* TRANSLATORS: a prefix that does not go through the tunnel. */
                        g_string_append_printf(out, _("%s (excluded)"), r);
                } else {
                        r = tsu_sanitize_text(routes[i], 64);
                        g_string_append(out, r);
                }
        }
        if (!out->len)
                g_string_append(out, _("None"));
        return g_string_free(g_steal_pointer(&out), FALSE);
}

char *tsu_format_dns(const char *const *dns)
{
        g_autoptr(GString) out = g_string_new(NULL);
        g_autoptr(GString) domains = g_string_new(NULL);

        for (size_t i = 0; dns && dns[i]; i++) {
                g_autofree char *v = NULL;

                if (g_str_has_prefix(dns[i], "domain:")) {
                        v = tsu_sanitize_text(dns[i] + strlen("domain:"), 253);
                        g_string_append_printf(domains, "%s%s", domains->len ? ", " : "", v);
                        continue;
                }
                v = tsu_sanitize_text(dns[i], 64);
                g_string_append_printf(out, "%s%s", out->len ? "\n" : "", v);
        }
        if (domains->len)
                /* TRANSLATORS: DNS search domains. */
                g_string_append_printf(out, "%s%s", out->len ? "\n" : "", _("Domains:"));
        if (domains->len)
                g_string_append_printf(out, " %s", domains->str);
        if (!out->len)
                g_string_append(out, _("None"));
        return g_string_free(g_steal_pointer(&out), FALSE);
}

char *tsu_sanitize_text(const char *text, size_t max_chars)
{
        g_autofree char *valid = g_utf8_make_valid(text ? text : "", -1);
        g_autoptr(GString) out = g_string_new(NULL);
        size_t n = 0;

        for (const char *p = valid; *p; p = g_utf8_next_char(p)) {
                gunichar c = g_utf8_get_char(p);

                if (n == max_chars) {
                        g_string_append_unichar(out, 0x2026); /* … */
                        break;
                }
                if (c == '\t')
                        c = ' ';
                else if (g_unichar_iscntrl(c) || c == 0x2028 || c == 0x2029 ||
                         (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069))
                        /* Control characters and bidi overrides could make the
                         * text say something else than it does. */
                        c = 0xfffd;
                g_string_append_unichar(out, c);
                n++;
        }
        return g_string_free(g_steal_pointer(&out), FALSE);
}

bool tsu_reason_is_wrong_password(const char *reason)
{
        return g_strcmp0(reason, "auth-failed-password") == 0;
}

char *tsu_reason_label(const char *reason)
{
        static const struct {
                const char *reason;
                const char *label;
        } reasons[] = {
                {"auth-failed-password", N_("The gateway refused the user name or password.")},
                {"auth-failed-cert", N_("The gateway refused your certificate.")},
                {"auth-failed", N_("The gateway refused the authentication.")},
                {"gateway-cert-untrusted", N_("The gateway's certificate is not trusted.")},
                {"gateway-id-mismatch", N_("The gateway's identity is not the one expected.")},
                {"gateway-auth-invalid", N_("The gateway could not prove its identity.")},
                {"no-secret", N_("No password was given.")},
                {"no-response", N_("The gateway does not answer.")},
                {"network", N_("The network is unreachable.")},
                {"profile", N_("The profile cannot be used.")},
                {"proposals-refused", N_("The gateway refused every algorithm of the profile.")},
                {"config-refused", N_("The gateway gave no usable address.")},
                {"platform", N_("The tunnel could not be set up on this computer.")},
                {"protocol", N_("The gateway broke the protocol.")},
                {"deleted", N_("The gateway closed the connection.")},
                {"redirected", N_("The gateway redirected the connection.")},
                {"internal", N_("An internal error occurred.")},
                {"engine-crashed", N_("The connection process ended unexpectedly.")},
        };

        for (size_t i = 0; reason && i < ARRAY_SIZE(reasons); i++)
                if (strcmp(reason, reasons[i].reason) == 0)
                        return g_strdup(_(reasons[i].label));
        return g_strdup(_("The connection failed."));
}
