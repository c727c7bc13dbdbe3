/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Our own profile format: an INI file in GKeyFile syntax that IT can write
 * by hand. FORMAT.md documents every group and key; the table below is the
 * schema. We read it ourselves rather than through GKeyFile so that every
 * line is checked and named in messages, duplicates are errors (GKeyFile
 * keeps one of them silently) and secret values are wiped afterwards.
 * Unknown groups and keys are warnings.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

#include "client/ike/ikev2.h"
#include "internal.h"
#include "pki.h"

/* One "key = value" line, value still escaped. */
struct kf_line {
        char *group;
        char *key;
        char *value; /* may hold a secret: wiped when the document is freed */
        size_t line;
};

struct kf {
        GPtrArray *lines; /* struct kf_line * */
        struct import_ctx *c;
        struct profile *p;
        size_t line; /* of the entry being read, for messages */
        bool seen_kill_switch;
        bool seen_trust;
        int r;
};

typedef int (*kf_handler)(struct kf *k, const char *group, const char *key, const char *field,
                          size_t off);

struct kf_entry {
        const char *group;
        const char *key;
        kf_handler fn;
        size_t off; /* member of struct profile, for the generic handlers */
};

#define MEMBER(k, off, type) ((type *)((char *)(k)->p + (off)))

static void kf_line_free(gpointer data)
{
        struct kf_line *l = data;

        g_free(l->group);
        g_free(l->key);
        secret_str_free(l->value);
        g_free(l);
}

_printf_(4, 5) static int fail(struct kf *k, enum profile_code code, const char *field,
                               const char *fmt, ...)
{
        g_autofree char *msg = NULL;
        va_list ap;

        va_start(ap, fmt);
        msg = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        if (k->line)
                report_error(k->c->report, code, field, "%s (line %zu)", msg, k->line);
        else
                report_error(k->c->report, code, field, "%s", msg);
        k->r = -EINVAL;
        return -EINVAL;
}

static const struct kf_line *kf_lookup(const struct kf *k, const char *group, const char *key)
{
        for (guint i = 0; i < k->lines->len; i++) {
                const struct kf_line *l = g_ptr_array_index(k->lines, i);

                if (strcmp(l->group, group) == 0 && strcmp(l->key, key) == 0)
                        return l;
        }
        return NULL;
}

static bool kf_has(const struct kf *k, const char *group, const char *key)
{
        return kf_lookup(k, group, key) != NULL;
}

static bool valid_name(const char *s, bool group)
{
        if (!*s)
                return false;
        for (; *s; s++)
                if (!(g_ascii_isalnum(*s) || *s == '-' || *s == '_' || *s == '.' ||
                      (group && *s == ' ')))
                        return false;
        return true;
}

/* Blanks around keys and values; '\r' for files with CRLF line ends. Other
 * white space is part of the value (and rejected where it is not allowed). */
static bool is_blank(char c)
{
        return c == ' ' || c == '\t' || c == '\r';
}

/* GKeyFile syntax (Desktop Entry Specification): "[group]" lines, "key=value"
 * lines, '#' comments, blank lines. Our own reader, so that every line is
 * checked, duplicates are caught, and secrets are wiped afterwards. */
static int kf_parse(struct kf *k, const char *data, size_t len)
{
        g_autofree char *group = NULL;
        g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        size_t pos = 0, line = 0;

        /* A UTF-8 byte order mark is tolerated. */
        if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
                pos = 3;
        while (pos < len) {
                const char *s = data + pos, *nl = memchr(s, '\n', len - pos);
                size_t n = nl ? (size_t)(nl - s) : len - pos;
                size_t a = 0, b = n;
                g_autofree char *id = NULL;

                pos += n + (nl ? 1 : 0);
                line++;
                k->line = line;
                if (line > PROFILE_MAX_NODES)
                        return fail(k, PROFILE_E_LIMIT, "", "more than %d lines",
                                    PROFILE_MAX_NODES);
                while (a < b && is_blank(s[a]))
                        a++;
                while (b > a && is_blank(s[b - 1]))
                        b--;
                if (a == b || s[a] == '#')
                        continue;
                if (s[a] == '[') {
                        if (s[b - 1] != ']')
                                return fail(k, PROFILE_E_SYNTAX, "",
                                            "a group header must be '[name]' alone on its line");
                        g_free(group);
                        group = g_strndup(s + a + 1, b - a - 2);
                        if (!valid_name(group, true))
                                return fail(k, PROFILE_E_SYNTAX, "",
                                            "'[%s]' is not a valid group name", group);
                        id = g_strdup_printf("[%s]", group);
                        if (g_hash_table_contains(seen, id))
                                return fail(k, PROFILE_E_SYNTAX, id,
                                            "group appears a second time; each group may appear "
                                            "once");
                        g_hash_table_add(seen, TAKE_PTR(id));
                        continue;
                }
                {
                        const char *eq = memchr(s + a, '=', b - a);
                        size_t ke, vs;
                        struct kf_line *l;

                        if (!eq)
                                return fail(k, PROFILE_E_SYNTAX, "",
                                            "expected 'key = value', '[group]' or a '#' comment");
                        if (!group)
                                return fail(k, PROFILE_E_SYNTAX, "",
                                            "a key before the first [group]");
                        ke = (size_t)(eq - s);
                        vs = ke + 1;
                        while (ke > a && is_blank(s[ke - 1]))
                                ke--;
                        while (vs < b && is_blank(s[vs]))
                                vs++;
                        l = g_new0(struct kf_line, 1);
                        l->group = g_strdup(group);
                        l->key = g_strndup(s + a, ke - a);
                        l->value = g_strndup(s + vs, b - vs);
                        l->line = line;
                        g_ptr_array_add(k->lines, l);
                        id = g_strdup_printf("[%s] %s", group, l->key);
                        if (!valid_name(l->key, false))
                                return fail(k, PROFILE_E_SYNTAX, id,
                                            "not a valid key name (letters, digits, '-', '_', "
                                            "'.'; localised keys are not supported)");
                        if (g_hash_table_contains(seen, id))
                                return fail(k, PROFILE_E_SYNTAX, id,
                                            "key appears a second time in its group; each key "
                                            "may appear once");
                        g_hash_table_add(seen, TAKE_PTR(id));
                }
        }
        k->line = 0;
        return 0;
}

/* Undoes GKeyFile escapes (\s \n \t \r \\, and \; in lists) in s[0..n). */
static char *unescape(struct kf *k, const char *s, size_t n, const char *field, bool list)
{
        char *out = g_malloc(n + 1);
        size_t o = 0;

        for (size_t i = 0; i < n; i++) {
                if (s[i] != '\\') {
                        out[o++] = s[i];
                        continue;
                }
                if (++i == n) {
                        fail(k, PROFILE_E_SYNTAX, field, "value ends with a lone backslash");
                        secure_free(out, n + 1);
                        return NULL;
                }
                switch (s[i]) {
                case 's':
                        out[o++] = ' ';
                        break;
                case 'n':
                        out[o++] = '\n';
                        break;
                case 't':
                        out[o++] = '\t';
                        break;
                case 'r':
                        out[o++] = '\r';
                        break;
                case '\\':
                        out[o++] = '\\';
                        break;
                case ';':
                        if (list) {
                                out[o++] = ';';
                                break;
                        }
                        G_GNUC_FALLTHROUGH;
                default:
                        fail(k, PROFILE_E_SYNTAX, field,
                             "invalid escape '\\%c'; expected \\s, \\n, \\t, \\r or \\\\", s[i]);
                        secure_free(out, n + 1);
                        return NULL;
                }
        }
        out[o] = '\0';
        return out;
}

/* The unescaped value (wipe it with secret_str_free() if it may be secret);
 * NULL with an error reported if it cannot be read or is longer than max. */
static char *get_string(struct kf *k, const char *group, const char *key, const char *field,
                        size_t max)
{
        const struct kf_line *l = kf_lookup(k, group, key);
        char *v;

        if (!l)
                return NULL;
        k->line = l->line;
        v = unescape(k, l->value, strlen(l->value), field, false);
        if (v && strlen(v) > max) {
                fail(k, PROFILE_E_LIMIT, field, "value is %zu bytes; at most %zu are accepted",
                     strlen(v), max);
                secret_str_free(v);
                return NULL;
        }
        return v;
}

/* A ';'-separated list (a trailing ';' is allowed), each element unescaped
 * and stripped. */
static char **get_list(struct kf *k, const char *group, const char *key, const char *field,
                       size_t *ret_n)
{
        const struct kf_line *l = kf_lookup(k, group, key);
        g_autoptr(GPtrArray) a = g_ptr_array_new_with_free_func(g_free);
        const char *s;
        size_t start = 0, n;

        if (!l)
                return NULL;
        k->line = l->line;
        s = l->value;
        n = strlen(s);
        for (size_t i = 0; i <= n; i++) {
                char *v;

                if (i < n && s[i] == '\\') {
                        i++;
                        continue;
                }
                if (i < n && s[i] != ';')
                        continue;
                if (i == start && i == n)
                        break; /* trailing ';' or empty value */
                v = unescape(k, s + start, i - start, field, true);
                if (!v)
                        return NULL;
                g_strstrip(v);
                g_ptr_array_add(a, v);
                start = i + 1;
                if (a->len > PROFILE_MAX_LIST) {
                        fail(k, PROFILE_E_LIMIT, field, "more than %d entries",
                             PROFILE_MAX_LIST);
                        return NULL;
                }
        }
        *ret_n = a->len;
        g_ptr_array_add(a, NULL);
        return (char **)g_ptr_array_free(g_steal_pointer(&a), false);
}

static int h_string(struct kf *k, const char *group, const char *key, const char *field, size_t off)
{
        g_autofree char *v = get_string(k, group, key, field, PROFILE_MAX_STRING);
        const char *why;

        if (!v)
                return -EINVAL;
        /* Blanks around the raw value are already gone; an escaped one (\s) stays. */
        if (!*v)
                return 0; /* empty: unset */
        why = check_text(v, PROFILE_MAX_STRING);
        if (why)
                return fail(k, PROFILE_E_VALUE, field, "%s; expected printable UTF-8 text", why);
        profile_set_str(MEMBER(k, off, char *), v);
        return 0;
}

static int h_secret(struct kf *k, const char *group, const char *key, const char *field, size_t off)
{
        char *v = get_string(k, group, key, field, PROFILE_MAX_STRING);

        if (!v)
                return -EINVAL;
        if (strcmp(v, PROFILE_SECRET_MASK) == 0) {
                secret_str_free(v);
                return fail(k, PROFILE_E_VALUE, field,
                            "is the mask printed by 'tsunagu check', not a secret; write the real "
                            "value or remove the key");
        }
        if (*v && !g_utf8_validate(v, -1, NULL)) {
                secret_str_free(v);
                return fail(k, PROFILE_E_ENCODING, field, "not valid UTF-8");
        }
        if (*v && !k->c->opts->keep_secrets) {
                report_warn(k->c->report, PROFILE_W_SECRET, field,
                            "not kept: storing secrets from the file was not allowed (it will be "
                            "asked when connecting)");
        } else if (*v) {
                profile_set_secret(MEMBER(k, off, char *), v);
        }
        secret_str_free(v);
        return 0;
}

static int h_bool(struct kf *k, const char *group, const char *key, const char *field, size_t off)
{
        g_autofree char *v = get_string(k, group, key, field, 16);
        bool b;

        if (!v)
                return -EINVAL;
        g_strstrip(v);
        if (parse_bool(v, &b) < 0)
                return fail(k, PROFILE_E_TYPE, field, "'%s' is not a boolean; expected true or false",
                            v);
        *MEMBER(k, off, bool) = b;
        if (off == offsetof(struct profile, kill_switch))
                k->seen_kill_switch = true;
        return 0;
}

static int h_duration(struct kf *k, const char *group, const char *key, const char *field,
                      size_t off)
{
        g_autofree char *v = get_string(k, group, key, field, 32);
        uint32_t d;

        if (!v)
                return -EINVAL;
        g_strstrip(v);
        if (parse_duration(v, &d) < 0)
                return fail(k, PROFILE_E_TYPE, field,
                            "'%s' is not a duration; expected seconds, or a number with s, m, h "
                            "or d (e.g. 30s, 10m, 4h, 1d)",
                            v);
        *MEMBER(k, off, uint32_t) = d;
        return 0;
}

static int h_count(struct kf *k, const char *group, const char *key, const char *field,
                   size_t off)
{
        g_autofree char *v = get_string(k, group, key, field, 32);
        uint64_t n;

        if (!v)
                return -EINVAL;
        g_strstrip(v);
        if (parse_u64(v, UINT32_MAX, &n) < 0)
                return fail(k, PROFILE_E_TYPE, field, "'%s' is not a number; expected digits", v);
        *MEMBER(k, off, uint32_t) = (uint32_t)n;
        return 0;
}

/* A byte or packet count: digits, optionally followed by k, m, g or t
 * (powers of 1024, as strongSwan's life_bytes / life_packets). */
static int h_amount(struct kf *k, const char *group, const char *key, const char *field,
                    size_t off)
{
        g_autofree char *v = get_string(k, group, key, field, 32);
        uint64_t n, unit = 1;
        size_t len;

        if (!v)
                return -EINVAL;
        g_strstrip(v);
        len = strlen(v);
        if (len > 1) {
                switch (g_ascii_tolower(v[len - 1])) {
                case 'k':
                        unit = 1ull << 10;
                        break;
                case 'm':
                        unit = 1ull << 20;
                        break;
                case 'g':
                        unit = 1ull << 30;
                        break;
                case 't':
                        unit = 1ull << 40;
                        break;
                default:
                        break;
                }
                if (unit > 1)
                        v[len - 1] = 0;
        }
        if (parse_u64(v, PROFILE_AMOUNT_MAX / unit, &n) < 0)
                return fail(k, PROFILE_E_TYPE, field,
                            "'%s' is not an amount up to 2^62; expected digits, optionally "
                            "with k, m, g or t (powers of 1024)",
                            v);
        *MEMBER(k, off, uint64_t) = n * unit;
        return 0;
}

static int h_version(struct kf *k, const char *group, const char *key, const char *field,
                     size_t off)
{
        g_autofree char *v = get_string(k, group, key, field, 32);
        uint64_t n;

        if (!v)
                return -EINVAL;
        g_strstrip(v);
        if (parse_u64(v, UINT32_MAX, &n) < 0 || n == 0)
                return fail(k, PROFILE_E_TYPE, field, "'%s' is not a version number; expected 1",
                            v);
        if (n > PROFILE_FORMAT_VERSION)
                return fail(k, PROFILE_E_UNSUPPORTED, field,
                            "version %" G_GUINT64_FORMAT
                            " was written for a newer tsunagu; this one reads version %d",
                            n, PROFILE_FORMAT_VERSION);
        return 0;
}

static int h_uuid(struct kf *k, const char *group, const char *key, const char *field, size_t off)
{
        g_autofree char *v = get_string(k, group, key, field, 64);

        if (!v)
                return -EINVAL;
        g_strstrip(v);
        if (parse_uuid(v, k->p->uuid) < 0)
                return fail(k, PROFILE_E_VALUE, field,
                            "'%s' is not a UUID; expected the RFC 4122 form, e.g. "
                            "0b5c8a4e-2f0e-4c6b-9a59-6f3d2b1c7e10",
                            v);
        return 0;
}

static int h_port(struct kf *k, const char *group, const char *key, const char *field, size_t off)
{
        g_autofree char *v = get_string(k, group, key, field, 32);
        uint64_t n;

        if (!v)
                return -EINVAL;
        g_strstrip(v);
        if (parse_u64(v, 65535, &n) < 0 || n == 0)
                return fail(k, PROFILE_E_VALUE, field, "'%s' is not a port; expected 1..65535", v);
        k->p->port = (uint16_t)n;
        return 0;
}

static int h_mtu(struct kf *k, const char *group, const char *key, const char *field, size_t off)
{
        g_autofree char *v = get_string(k, group, key, field, 32);
        uint64_t n;

        if (!v)
                return -EINVAL;
        g_strstrip(v);
        if (g_ascii_strcasecmp(v, "auto") == 0) {
                k->p->mtu = 0;
                return 0;
        }
        if (parse_u64(v, UINT32_MAX, &n) < 0)
                return fail(k, PROFILE_E_TYPE, field,
                            "'%s' is not a number; expected auto or 576..9000", v);
        k->p->mtu = (uint32_t)n;
        return 0;
}

static int h_users(struct kf *k, const char *group, const char *key, const char *field, size_t off)
{
        g_auto(GStrv) v = NULL;
        uint32_t mask = 0;
        size_t n;

        v = get_list(k, group, key, field, &n);
        if (!v)
                return -EINVAL;
        for (size_t i = 0; i < n; i++) {
                enum profile_setting s;

                if (!*v[i])
                        continue;
                if (g_ascii_strcasecmp(v[i], "all") == 0) {
                        mask = PROFILE_SETTINGS_ALL;
                        continue;
                }
                if (g_ascii_strcasecmp(v[i], "none") == 0)
                        continue;
                if (profile_setting_from_string(v[i], &s) < 0)
                        return fail(k, PROFILE_E_VALUE, field,
                                    "'%s' is not a setting; expected all, none, or names from: "
                                    "name, gateway, ca, credentials, auth-method, proposals, "
                                    "lifetimes, dpd, mtu, routes, dns, block, kill-switch, "
                                    "auto-connect, mobike, fragmentation",
                                    v[i]);
                mask |= s;
        }
        k->p->user_may_change = mask;
        return 0;
}

static int h_trust(struct kf *k, const char *group, const char *key, const char *field, size_t off)
{
        g_autofree char *v = get_string(k, group, key, field, 32);

        if (!v)
                return -EINVAL;
        g_strstrip(v);
        if (strcmp(v, "system") == 0)
                k->p->ca_trust = PROFILE_CA_SYSTEM;
        else if (strcmp(v, "embedded") == 0)
                k->p->ca_trust = PROFILE_CA_EMBEDDED;
        else
                return fail(k, PROFILE_E_VALUE, field, "'%s'; expected system or embedded", v);
        k->seen_trust = true;
        return 0;
}

/* One certificate written as base64 DER or as a PEM block (newlines as \n). */
static int decode_cert(struct kf *k, const char *text, const char *field, struct bytes *ret)
{
        const char *why;
        size_t bad;

        if (g_str_has_prefix(text, "-----BEGIN")) {
                struct bytes *v = NULL;
                int n = pki_pem_certificates(text, strlen(text), &v, &why);

                if (n != 1) {
                        for (int i = 0; i < n; i++)
                                bytes_free(&v[i]);
                        g_free(v);
                        return fail(k, PROFILE_E_CERT, field, "%s; expected one PEM certificate",
                                    n > 1 ? "more than one PEM block in one entry" : why);
                }
                *ret = v[0];
                g_free(v);
                return 0;
        }
        why = base64_decode_strict(text, strlen(text), true, ret, &bad);
        if (why)
                return fail(k, PROFILE_E_BASE64, field,
                            "bad base64 at character %zu: %s; expected a base64 DER certificate "
                            "or a PEM block",
                            bad + 1, why);
        return 0;
}

static int h_cas(struct kf *k, const char *group, const char *key, const char *field, size_t off)
{
        g_auto(GStrv) v = NULL;
        size_t n;
        int r = 0;

        v = get_list(k, group, key, field, &n);
        if (!v)
                return -EINVAL;
        for (size_t i = 0; i < n; i++) {
                const char *f = n > 1 ? ctx_printf(k->c, "%s[%zu]", field, i) : field;
                struct bytes der;

                if (!*v[i])
                        continue;
                if (decode_cert(k, v[i], f, &der) < 0) {
                        r = -EINVAL;
                        continue;
                }
                profile_add_ca(k->p, der);
        }
        if (!k->seen_trust && k->p->n_ca_certs > 0)
                k->p->ca_trust = PROFILE_CA_EMBEDDED;
        return r;
}

static int h_method(struct kf *k, const char *group, const char *key, const char *field,
                    size_t off)
{
        g_autofree char *v = get_string(k, group, key, field, 32);

        if (!v)
                return -EINVAL;
        g_strstrip(v);
        if (profile_auth_from_string(v, &k->p->auth) < 0)
                return fail(k, PROFILE_E_VALUE, field,
                            "'%s'; expected eap-mschapv2, eap-md5, eap-tls, cert or cert+eap", v);
        return 0;
}

static int h_eap_method(struct kf *k, const char *group, const char *key, const char *field,
                        size_t off)
{
        g_autofree char *v = get_string(k, group, key, field, 32);

        if (!v)
                return -EINVAL;
        g_strstrip(v);
        if (g_ascii_strcasecmp(v, "mschapv2") == 0)
                k->p->cert_eap_method = EAP_TYPE_MSCHAPV2;
        else if (g_ascii_strcasecmp(v, "md5") == 0)
                k->p->cert_eap_method = EAP_TYPE_MD5;
        else
                return fail(k, PROFILE_E_VALUE, field, "'%s'; expected mschapv2 or md5", v);
        return 0;
}

static int h_key_type(struct kf *k, const char *group, const char *key, const char *field,
                      size_t off)
{
        g_autofree char *v = get_string(k, group, key, field, 32);

        if (!v)
                return -EINVAL;
        g_strstrip(v);
        for (int t = 0; t < PROFILE_KEY__COUNT; t++)
                if (g_ascii_strcasecmp(v, profile_key_type_to_string(t)) == 0) {
                        k->p->key_type = t;
                        return 0;
                }
        return fail(k, PROFILE_E_VALUE, field,
                    "'%s'; expected any, rsa, ecdsa256, ecdsa384, ecdsa521 or ed25519", v);
}

static int h_pkcs12(struct kf *k, const char *group, const char *key, const char *field,
                    size_t off)
{
        char *v = get_string(k, group, key, field, PROFILE_MAX_FILE_SIZE);
        const char *why;
        struct bytes der;
        size_t bad;

        if (!v)
                return -EINVAL;
        if (strcmp(v, PROFILE_SECRET_MASK) == 0) {
                secret_str_free(v);
                return fail(k, PROFILE_E_VALUE, field,
                            "is the mask printed by 'tsunagu check', not a PKCS#12");
        }
        why = base64_decode_strict(v, strlen(v), true, &der, &bad);
        secret_str_free(v);
        if (why)
                return fail(k, PROFILE_E_BASE64, field,
                            "bad base64 at character %zu: %s; expected a base64 DER PKCS#12",
                            bad + 1, why);
        bytes_free_secret(&k->p->client_pkcs12);
        k->p->client_pkcs12 = der;
        return 0;
}

static int h_cert(struct kf *k, const char *group, const char *key, const char *field, size_t off)
{
        g_autofree char *v = get_string(k, group, key, field, PROFILE_MAX_FILE_SIZE);
        struct bytes der;

        if (!v)
                return -EINVAL;
        g_strstrip(v);
        if (decode_cert(k, v, field, &der) < 0)
                return -EINVAL;
        bytes_free(&k->p->client_cert);
        k->p->client_cert = der;
        return 0;
}

static int h_private_key(struct kf *k, const char *group, const char *key, const char *field,
                         size_t off)
{
        char *v = get_string(k, group, key, field, PROFILE_MAX_FILE_SIZE);
        size_t n;

        if (!v)
                return -EINVAL;
        n = strlen(v);
        if (strcmp(v, PROFILE_SECRET_MASK) == 0 || !g_str_has_prefix(v, "-----BEGIN ") ||
            !strstr(v, "PRIVATE KEY-----")) {
                secret_str_free(v);
                return fail(k, PROFILE_E_KEY, field,
                            "not a PEM private key; expected '-----BEGIN PRIVATE KEY-----' (or "
                            "ENCRYPTED PRIVATE KEY, RSA/EC PRIVATE KEY) with newlines written as "
                            "\\n");
        }
        bytes_free_secret(&k->p->client_key);
        if (bytes_dup(&k->p->client_key, SLICE(v, n)) < 0) {
                secret_str_free(v);
                return fail(k, PROFILE_E_INTERNAL, field, "out of memory");
        }
        secret_str_free(v);
        return 0;
}

static int h_mode(struct kf *k, const char *group, const char *key, const char *field, size_t off)
{
        g_autofree char *v = get_string(k, group, key, field, 32);

        if (!v)
                return -EINVAL;
        g_strstrip(v);
        if (strcmp(v, "full") == 0)
                k->p->tunnel = PROFILE_TUNNEL_FULL;
        else if (strcmp(v, "split") == 0)
                k->p->tunnel = PROFILE_TUNNEL_SPLIT;
        else
                return fail(k, PROFILE_E_VALUE, field, "'%s'; expected full or split", v);
        return 0;
}

static int h_subnets(struct kf *k, const char *group, const char *key, const char *field,
                     size_t off)
{
        bool excluded = off == offsetof(struct profile, excluded);
        g_auto(GStrv) v = NULL;
        size_t n;
        int r = 0;

        v = get_list(k, group, key, field, &n);
        if (!v)
                return -EINVAL;
        for (size_t i = 0; i < n; i++) {
                struct profile_subnet s;
                const char *why;

                if (!*v[i])
                        continue;
                why = parse_subnet(v[i], &s);
                if (why) {
                        r = fail(k, PROFILE_E_VALUE, field,
                                 "'%s' %s; expected subnets like 10.0.0.0/8 or fd00::/8", v[i],
                                 why);
                        continue;
                }
                if (excluded)
                        profile_add_subnet(&k->p->excluded, &k->p->n_excluded, &s);
                else
                        profile_add_subnet(&k->p->subnets, &k->p->n_subnets, &s);
        }
        return r;
}

static int h_dns_servers(struct kf *k, const char *group, const char *key, const char *field,
                         size_t off)
{
        g_auto(GStrv) v = NULL;
        size_t n;
        int r = 0;

        v = get_list(k, group, key, field, &n);
        if (!v)
                return -EINVAL;
        for (size_t i = 0; i < n; i++) {
                struct profile_addr a;

                if (!*v[i])
                        continue;
                if (parse_addr(v[i], &a) < 0) {
                        r = fail(k, PROFILE_E_VALUE, field,
                                 "'%s' is not an IP address; expected IPv4 or IPv6 addresses",
                                 v[i]);
                        continue;
                }
                profile_add_dns(k->p, &a);
        }
        return r;
}

static int h_domains(struct kf *k, const char *group, const char *key, const char *field,
                     size_t off)
{
        g_auto(GStrv) v = NULL;
        char ***dst = MEMBER(k, off, char **);
        size_t n;

        v = get_list(k, group, key, field, &n);
        if (!v)
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                if (*v[i])
                        strv_add(dst, v[i]);
        return 0;
}

#define O(m) offsetof(struct profile, m)
static const struct kf_entry schema[] = {
        { "profile", "version", h_version, 0 },
        { "profile", "name", h_string, O(name) },
        { "profile", "uuid", h_uuid, 0 },
        { "profile", "auto-connect", h_bool, O(auto_connect) },
        { "profile", "user-may-change", h_users, 0 },

        { "gateway", "host", h_string, O(host) },
        { "gateway", "port", h_port, 0 },
        { "gateway", "remote-id", h_string, O(remote_id) },
        { "gateway", "server-cert-cn", h_string, O(server_cn) },
        { "gateway", "server-ca-cn", h_string, O(server_ca_cn) },

        { "ca", "trust", h_trust, 0 },
        { "ca", "certificates", h_cas, 0 },
        { "ca", "send-certreq", h_bool, O(send_certreq) },
        { "ca", "crl", h_bool, O(revocation_crl) },
        { "ca", "ocsp", h_bool, O(revocation_ocsp) },
        { "ca", "strict-revocation", h_bool, O(revocation_strict) },

        { "auth", "method", h_method, 0 },
        { "auth", "eap-method", h_eap_method, 0 },
        { "auth", "local-id", h_string, O(local_id) },
        { "auth", "eap-id", h_string, O(eap_id) },
        { "auth", "eap-password", h_secret, O(eap_password) },
        { "auth", "pkcs12", h_pkcs12, 0 },
        { "auth", "certificate", h_cert, 0 },
        { "auth", "private-key", h_private_key, 0 },
        { "auth", "passphrase", h_secret, O(client_passphrase) },
        { "auth", "key-type", h_key_type, 0 },
        { "auth", "rsa-pss", h_bool, O(rsa_pss) },

        { "crypto", "ike", h_string, O(ike_proposal) },
        { "crypto", "esp", h_string, O(esp_proposal) },
        { "crypto", "ike-lifetime", h_duration, O(ike_lifetime) },
        { "crypto", "ike-rekey-margin", h_duration, O(ike_rekey_margin) },
        { "crypto", "child-lifetime", h_duration, O(child_lifetime) },
        { "crypto", "child-rekey-margin", h_duration, O(child_rekey_margin) },
        { "crypto", "dpd-interval", h_duration, O(dpd_interval) },
        { "crypto", "nat-keepalive", h_duration, O(nat_keepalive) },
        { "crypto", "retransmit-timeout", h_duration, O(retransmit_timeout) },
        { "crypto", "retransmit-tries", h_count, O(retransmit_tries) },
        { "crypto", "reauth-time", h_duration, O(reauth_time) },
        { "crypto", "child-lifetime-bytes", h_amount, O(child_lifetime_bytes) },
        { "crypto", "child-lifetime-packets", h_amount, O(child_lifetime_packets) },
        { "crypto", "esn", h_bool, O(esn) },
        { "crypto", "mobike", h_bool, O(mobike) },
        { "crypto", "fragmentation", h_bool, O(fragmentation) },
        { "crypto", "redirect", h_bool, O(redirect) },
        { "crypto", "ipv6-transport", h_bool, O(ipv6_transport) },

        { "tunnel", "mode", h_mode, 0 },
        { "tunnel", "subnets", h_subnets, O(subnets) },
        { "tunnel", "excluded", h_subnets, O(excluded) },
        { "tunnel", "block-ipv4", h_bool, O(block_ipv4) },
        { "tunnel", "block-ipv6", h_bool, O(block_ipv6) },
        { "tunnel", "kill-switch", h_bool, O(kill_switch) },
        { "tunnel", "allow-lan", h_bool, O(allow_lan) },
        { "tunnel", "mtu", h_mtu, 0 },

        { "dns", "use-gateway", h_bool, O(dns_use_gateway) },
        { "dns", "servers", h_dns_servers, 0 },
        { "dns", "search-domains", h_domains, O(dns_search) },
        { "dns", "routing-domains", h_domains, O(dns_routing) },
};
#undef O

static const char *const groups[] = { "profile", "gateway", "ca", "auth", "crypto", "tunnel", "dns" };

static const struct kf_entry *schema_find(const char *group, const char *key)
{
        for (size_t i = 0; i < G_N_ELEMENTS(schema); i++)
                if (strcmp(schema[i].group, group) == 0 && strcmp(schema[i].key, key) == 0)
                        return &schema[i];
        return NULL;
}

int keyfile_import(const uint8_t *data, size_t len, struct import_ctx *c, struct profile **ret)
{
        _cleanup_(profile_freep) struct profile *p = profile_new();
        g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(kf_line_free);
        g_autoptr(GHashTable) warned = g_hash_table_new(g_str_hash, g_str_equal);
        struct kf k = { .lines = lines, .c = c, .p = p };

        if (kf_parse(&k, (const char *)data, len) < 0)
                return -EINVAL;

        for (guint i = 0; i < lines->len; i++) {
                const struct kf_line *l = g_ptr_array_index(lines, i);
                const struct kf_entry *en = schema_find(l->group, l->key);
                const char *field = ctx_printf(c, "[%s] %s", l->group, l->key);
                bool known = false;

                for (size_t g = 0; g < G_N_ELEMENTS(groups); g++)
                        known |= strcmp(l->group, groups[g]) == 0;
                if (!known) {
                        if (g_hash_table_add(warned, l->group))
                                report_warn(c->report, PROFILE_W_UNKNOWN,
                                            ctx_printf(c, "[%s]", l->group),
                                            "unknown group, ignored; expected profile, gateway, "
                                            "ca, auth, crypto, tunnel or dns (line %zu)",
                                            l->line);
                        continue;
                }
                if (!en) {
                        report_warn(c->report, PROFILE_W_UNKNOWN, field,
                                    "unknown key, ignored (line %zu; see FORMAT.md)", l->line);
                        continue;
                }
                en->fn(&k, l->group, l->key, field, en->off);
        }
        k.line = 0;

        if (!kf_has(&k, "profile", "name"))
                fail(&k, PROFILE_E_MISSING, "[profile] name", "missing; a display name is required");
        if (!kf_has(&k, "gateway", "host"))
                fail(&k, PROFILE_E_MISSING, "[gateway] host",
                     "missing; expected the gateway's DNS name or IP address");
        if (!kf_has(&k, "auth", "method"))
                fail(&k, PROFILE_E_MISSING, "[auth] method",
                     "missing; expected eap-mschapv2, eap-md5, eap-tls, cert or cert+eap");
        if (!k.seen_kill_switch)
                p->kill_switch = p->tunnel == PROFILE_TUNNEL_FULL;
        if (!p->uuid[0] && k.r == 0) {
                g_autofree char *u = g_uuid_string_random();

                parse_uuid(u, p->uuid);
                report_warn(c->report, PROFILE_W_NOTE, "[profile] uuid",
                            "missing; generated %s for this import (add it to the file so that "
                            "importing it again replaces this profile instead of adding another)",
                            p->uuid);
        }
        if (k.r < 0)
                return k.r;
        if (profile_check(p, c) < 0)
                return -EINVAL;
        *ret = TAKE_PTR(p);
        return 0;
}

/* ------------------------------------------------------------ writer */

/* The output is assembled from lines and copied once into an exactly sized
 * buffer, so no reallocation leaves a copy of a secret behind. */
struct out {
        GPtrArray *lines;
};

static char *escape(const char *s, bool list)
{
        size_t n = strlen(s), o = 0;
        char *e = g_malloc(2 * n + 1);

        for (size_t i = 0; i < n; i++) {
                char c = s[i];

                /* Blanks at either end would be taken for layout. */
                if (c == ' ' && (i == 0 || i == n - 1)) {
                        e[o++] = '\\', e[o++] = 's';
                } else if (c == '\n') {
                        e[o++] = '\\', e[o++] = 'n';
                } else if (c == '\t') {
                        e[o++] = '\\', e[o++] = 't';
                } else if (c == '\r') {
                        e[o++] = '\\', e[o++] = 'r';
                } else if (c == '\\') {
                        e[o++] = '\\', e[o++] = '\\';
                } else if (c == ';' && list) {
                        e[o++] = '\\', e[o++] = ';';
                } else {
                        e[o++] = c;
                }
        }
        e[o] = '\0';
        return e;
}

static void out_line(struct out *o, char *line)
{
        g_ptr_array_add(o->lines, line);
}

static void out_group(struct out *o, const char *group)
{
        out_line(o, g_strdup_printf("%s[%s]", o->lines->len > 1 ? "\n" : "", group));
}

static void put_str(struct out *o, const char *key, const char *value)
{
        char *e;

        if (!value)
                return;
        e = escape(value, false);
        out_line(o, g_strdup_printf("%s = %s", key, e));
        secret_str_free(e);
}

static void put_bool(struct out *o, const char *key, bool v)
{
        put_str(o, key, v ? "true" : "false");
}

static void put_uint(struct out *o, const char *key, unsigned v)
{
        out_line(o, g_strdup_printf("%s = %u", key, v));
}

static void put_list(struct out *o, const char *key, char *const *v, size_t n)
{
        g_autoptr(GString) s = g_string_new(NULL);

        if (n == 0)
                return;
        for (size_t i = 0; i < n; i++) {
                g_autofree char *e = escape(v[i], true);

                g_string_append(s, e);
                g_string_append_c(s, ';');
        }
        out_line(o, g_strdup_printf("%s = %s", key, s->str));
}

static void put_secret(struct out *o, const char *key, const char *value, unsigned flags)
{
        if (!value)
                return;
        if (flags & PROFILE_WRITE_SECRETS)
                put_str(o, key, value);
        else if (flags & PROFILE_WRITE_MASK_SECRETS)
                put_str(o, key, PROFILE_SECRET_MASK);
}

static void put_duration(struct out *o, const char *key, uint32_t v)
{
        g_autofree char *s = format_duration(v);

        put_str(o, key, s);
}

static void put_subnets(struct out *o, const char *key, const struct profile_subnet *v, size_t n)
{
        g_autoptr(GPtrArray) a = g_ptr_array_new_with_free_func(g_free);

        for (size_t i = 0; i < n; i++)
                g_ptr_array_add(a, format_subnet(&v[i]));
        put_list(o, key, (char *const *)a->pdata, a->len);
}

static void put_proposal(struct out *o, const char *key, const char *s, enum proposal_kind kind)
{
        struct proposal_list l;
        char buf[PROPOSAL_MAX_STRING + 1];

        if (!s)
                return;
        /* Normalised (canonical keywords) when it parses; as written if not. */
        if (proposal_list_parse(s, kind, &l, NULL) == 0 &&
            proposal_list_format(&l, buf, sizeof(buf)) >= 0)
                s = buf;
        put_str(o, key, s);
}

char *profile_to_keyfile(const struct profile *p, unsigned flags)
{
        g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func((GDestroyNotify)secret_str_free);
        struct out o = { .lines = lines };
        size_t total = 0, off = 0;
        char *text;

        out_line(&o, g_strdup("# tsunagu VPN profile (format: client/profile/FORMAT.md)"));
        out_group(&o, "profile");
        put_uint(&o, "version", PROFILE_FORMAT_VERSION);
        put_str(&o, "name", p->name);
        put_str(&o, "uuid", p->uuid[0] ? p->uuid : NULL);
        put_bool(&o, "auto-connect", p->auto_connect);
        if (p->user_may_change != PROFILE_SETTINGS_ALL) {
                g_autoptr(GPtrArray) a = g_ptr_array_new();

                for (unsigned i = 0; i < 32; i++)
                        if (p->user_may_change & (1u << i) && profile_setting_to_string(1u << i))
                                g_ptr_array_add(a, (char *)profile_setting_to_string(1u << i));
                if (a->len == 0)
                        g_ptr_array_add(a, (char *)"none");
                put_list(&o, "user-may-change", (char *const *)a->pdata, a->len);
        }

        out_group(&o, "gateway");
        put_str(&o, "host", p->host);
        put_uint(&o, "port", p->port);
        put_str(&o, "remote-id", p->remote_id);
        put_str(&o, "server-cert-cn", p->server_cn);
        put_str(&o, "server-ca-cn", p->server_ca_cn);

        out_group(&o, "ca");
        put_str(&o, "trust", p->ca_trust == PROFILE_CA_EMBEDDED ? "embedded" : "system");
        if (p->n_ca_certs > 0) {
                g_autoptr(GPtrArray) a = g_ptr_array_new_with_free_func(g_free);

                for (size_t i = 0; i < p->n_ca_certs; i++)
                        g_ptr_array_add(a, g_base64_encode(p->ca_certs[i].ptr, p->ca_certs[i].len));
                put_list(&o, "certificates", (char *const *)a->pdata, a->len);
        }
        put_bool(&o, "send-certreq", p->send_certreq);
        put_bool(&o, "crl", p->revocation_crl);
        put_bool(&o, "ocsp", p->revocation_ocsp);
        put_bool(&o, "strict-revocation", p->revocation_strict);

        out_group(&o, "auth");
        put_str(&o, "method", profile_auth_to_string(p->auth));
        if (p->auth == PROFILE_AUTH_CERT_EAP)
                put_str(&o, "eap-method", p->cert_eap_method == EAP_TYPE_MD5 ? "md5" : "mschapv2");
        put_str(&o, "local-id", p->local_id);
        put_str(&o, "eap-id", p->eap_id);
        put_secret(&o, "eap-password", p->eap_password, flags);
        if (p->client_pkcs12.len > 0) {
                char *b64 = g_base64_encode(p->client_pkcs12.ptr, p->client_pkcs12.len);

                put_secret(&o, "pkcs12", b64, flags);
                secret_str_free(b64);
        }
        if (p->client_cert.len > 0) {
                g_autofree char *b64 = g_base64_encode(p->client_cert.ptr, p->client_cert.len);

                put_str(&o, "certificate", b64);
        }
        if (p->client_key.len > 0) {
                char *pem = g_strndup((const char *)p->client_key.ptr, p->client_key.len);

                put_secret(&o, "private-key", pem, flags);
                secret_str_free(pem);
        }
        put_secret(&o, "passphrase", p->client_passphrase, flags);
        if (p->key_type != PROFILE_KEY_ANY)
                put_str(&o, "key-type", profile_key_type_to_string(p->key_type));
        if (p->rsa_pss)
                put_bool(&o, "rsa-pss", true);

        out_group(&o, "crypto");
        put_proposal(&o, "ike", p->ike_proposal, PROPOSAL_IKE);
        put_proposal(&o, "esp", p->esp_proposal, PROPOSAL_ESP);
        put_duration(&o, "ike-lifetime", p->ike_lifetime);
        put_duration(&o, "ike-rekey-margin", p->ike_rekey_margin);
        put_duration(&o, "child-lifetime", p->child_lifetime);
        put_duration(&o, "child-rekey-margin", p->child_rekey_margin);
        put_duration(&o, "dpd-interval", p->dpd_interval);
        put_duration(&o, "nat-keepalive", p->nat_keepalive);
        /* Tuning most profiles never need: written only when changed. */
        if (p->retransmit_timeout != 4)
                put_duration(&o, "retransmit-timeout", p->retransmit_timeout);
        if (p->retransmit_tries != 5)
                put_uint(&o, "retransmit-tries", p->retransmit_tries);
        if (p->reauth_time)
                put_duration(&o, "reauth-time", p->reauth_time);
        if (p->child_lifetime_bytes)
                out_line(&o, g_strdup_printf("child-lifetime-bytes = %" G_GUINT64_FORMAT,
                                             p->child_lifetime_bytes));
        if (p->child_lifetime_packets)
                out_line(&o, g_strdup_printf("child-lifetime-packets = %" G_GUINT64_FORMAT,
                                             p->child_lifetime_packets));
        if (p->esn)
                put_bool(&o, "esn", true);
        put_bool(&o, "mobike", p->mobike);
        put_bool(&o, "fragmentation", p->fragmentation);
        put_bool(&o, "redirect", p->redirect);
        put_bool(&o, "ipv6-transport", p->ipv6_transport);

        out_group(&o, "tunnel");
        put_str(&o, "mode", p->tunnel == PROFILE_TUNNEL_FULL ? "full" : "split");
        put_subnets(&o, "subnets", p->subnets, p->n_subnets);
        put_subnets(&o, "excluded", p->excluded, p->n_excluded);
        put_bool(&o, "block-ipv4", p->block_ipv4);
        put_bool(&o, "block-ipv6", p->block_ipv6);
        put_bool(&o, "kill-switch", p->kill_switch);
        put_bool(&o, "allow-lan", p->allow_lan);
        if (p->mtu)
                put_uint(&o, "mtu", p->mtu);
        else
                put_str(&o, "mtu", "auto");

        out_group(&o, "dns");
        put_bool(&o, "use-gateway", p->dns_use_gateway);
        if (p->n_dns_servers > 0) {
                g_autoptr(GPtrArray) a = g_ptr_array_new_with_free_func(g_free);

                for (size_t i = 0; i < p->n_dns_servers; i++)
                        g_ptr_array_add(a, format_addr(&p->dns_servers[i]));
                put_list(&o, "servers", (char *const *)a->pdata, a->len);
        }
        put_list(&o, "search-domains", p->dns_search, strv_len(p->dns_search));
        put_list(&o, "routing-domains", p->dns_routing, strv_len(p->dns_routing));

        for (guint i = 0; i < lines->len; i++)
                total += strlen(g_ptr_array_index(lines, i)) + 1;
        text = g_malloc(total + 1);
        for (guint i = 0; i < lines->len; i++) {
                const char *l = g_ptr_array_index(lines, i);
                size_t n = strlen(l);

                memcpy(text + off, l, n);
                off += n;
                text[off++] = '\n';
        }
        text[off] = '\0';
        return text;
}
