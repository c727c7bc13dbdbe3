/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * strongSwan's .sswan profiles (JSON, documented for the Android and iOS
 * apps at docs.strongswan.org "VPN Profile Import"): import into our model
 * and export from it. Fields are named by JSON pointer (RFC 6901) in
 * messages: "/remote/addr", "/split-tunneling/subnets/2".
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "client/ike/ikev2.h"
#include "internal.h"
#include "pki.h"

#if HAVE_JSON_GLIB
#include <json-glib/json-glib.h>

struct sw {
        struct import_ctx *c;
        struct profile *p;
        int r;
};

_printf_(4, 5) static int fail(struct sw *s, enum profile_code code, const char *field,
                               const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        report_addv(s->c->report, PROFILE_ERROR, code, field, fmt, ap);
        va_end(ap);
        s->r = -EINVAL;
        return -EINVAL;
}

/* Depth and size limits before json-glib sees the text (it has none of its
 * own that we can rely on), with the position of the problem. */
static int json_prescan(struct sw *s, const uint8_t *d, size_t len)
{
        size_t depth = 0, values = 0, line = 1, col = 0;
        bool in_str = false, esc = false;

        for (size_t i = 0; i < len; i++) {
                uint8_t ch = d[i];

                col++;
                if (ch == '\n')
                        line++, col = 0;
                if (in_str) {
                        if (esc)
                                esc = false;
                        else if (ch == '\\')
                                esc = true;
                        else if (ch == '"')
                                in_str = false;
                        continue;
                }
                switch (ch) {
                case '"':
                        in_str = true;
                        values++;
                        break;
                case '{':
                case '[':
                        values++;
                        if (++depth > PROFILE_MAX_DEPTH)
                                return fail(s, PROFILE_E_LIMIT, "",
                                            "JSON nested deeper than %d levels at line %zu, "
                                            "column %zu",
                                            PROFILE_MAX_DEPTH, line, col);
                        break;
                case '}':
                case ']':
                        if (depth > 0)
                                depth--;
                        break;
                case ',':
                        values++;
                        break;
                default:
                        break;
                }
                if (values > PROFILE_MAX_NODES)
                        return fail(s, PROFILE_E_LIMIT, "",
                                    "more than %d JSON values (at line %zu, column %zu)",
                                    PROFILE_MAX_NODES, line, col);
        }
        return 0;
}

static const char *type_name(JsonNode *n)
{
        switch (json_node_get_node_type(n)) {
        case JSON_NODE_OBJECT:
                return "an object";
        case JSON_NODE_ARRAY:
                return "an array";
        case JSON_NODE_NULL:
                return "null";
        default:
                break;
        }
        switch (json_node_get_value_type(n)) {
        case G_TYPE_STRING:
                return "a string";
        case G_TYPE_BOOLEAN:
                return "a boolean";
        case G_TYPE_DOUBLE:
                return "a fractional number";
        default:
                return "a number";
        }
}

static bool is_string(JsonNode *n)
{
        return JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING;
}

static const char *get_str(struct sw *s, JsonObject *o, const char *key, const char *path,
                           size_t max)
{
        JsonNode *n = json_object_get_member(o, key);
        const char *v, *why;

        if (!n)
                return NULL;
        if (!is_string(n)) {
                fail(s, PROFILE_E_TYPE, path, "is %s; expected a string", type_name(n));
                return NULL;
        }
        v = json_node_get_string(n);
        why = check_text(v, max);
        if (why) {
                fail(s, PROFILE_E_VALUE, path, "%s; expected printable text of at most %zu bytes",
                     why, max);
                return NULL;
        }
        return v;
}

static int get_bool(struct sw *s, JsonObject *o, const char *key, const char *path, bool *ret)
{
        JsonNode *n = json_object_get_member(o, key);

        if (!n)
                return 0;
        if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_BOOLEAN)
                return fail(s, PROFILE_E_TYPE, path, "is %s; expected true or false",
                            type_name(n));
        *ret = json_node_get_boolean(n);
        return 0;
}

static int get_uint(struct sw *s, JsonObject *o, const char *key, const char *path, uint32_t min,
                    uint32_t max, uint32_t *ret)
{
        JsonNode *n = json_object_get_member(o, key);
        int64_t v;

        if (!n)
                return 0;
        if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64)
                return fail(s, PROFILE_E_TYPE, path, "is %s; expected a whole number",
                            type_name(n));
        v = json_node_get_int(n);
        if (v < min || v > max)
                return fail(s, PROFILE_E_VALUE, path, "%" G_GINT64_FORMAT
                            " is out of range; expected %u..%u", v, min, max);
        *ret = (uint32_t)v;
        return 1;
}

static JsonObject *get_object(struct sw *s, JsonObject *o, const char *key, const char *path)
{
        JsonNode *n = json_object_get_member(o, key);

        if (!n)
                return NULL;
        if (!JSON_NODE_HOLDS_OBJECT(n)) {
                fail(s, PROFILE_E_TYPE, path, "is %s; expected an object", type_name(n));
                return NULL;
        }
        return json_node_get_object(n);
}

/* A list written as a JSON array of strings or as one space-separated
 * string (both forms appear in the strongSwan documentation). Calls fn for
 * each element with its own pointer for messages. */
typedef int (*item_fn)(struct sw *s, const char *item, const char *path);

static int get_list(struct sw *s, JsonObject *o, const char *key, const char *path, item_fn fn)
{
        JsonNode *n = json_object_get_member(o, key);
        int r = 0;

        if (!n)
                return 0;
        if (is_string(n)) {
                g_auto(GStrv) v = g_strsplit_set(json_node_get_string(n), " \t\n", -1);
                size_t count = 0;

                for (size_t i = 0; v[i]; i++) {
                        if (!*v[i])
                                continue;
                        if (++count > PROFILE_MAX_LIST)
                                return fail(s, PROFILE_E_LIMIT, path, "more than %d entries",
                                            PROFILE_MAX_LIST);
                        if (fn(s, v[i], path) < 0)
                                r = -EINVAL;
                }
                return r;
        }
        if (JSON_NODE_HOLDS_ARRAY(n)) {
                JsonArray *a = json_node_get_array(n);
                guint len = json_array_get_length(a);

                if (len > PROFILE_MAX_LIST)
                        return fail(s, PROFILE_E_LIMIT, path, "%u entries; at most %d are accepted",
                                    len, PROFILE_MAX_LIST);
                for (guint i = 0; i < len; i++) {
                        JsonNode *e = json_array_get_element(a, i);
                        const char *ip = ctx_printf(s->c, "%s/%u", path, i);

                        if (!is_string(e)) {
                                r = fail(s, PROFILE_E_TYPE, ip, "is %s; expected a string",
                                         type_name(e));
                                continue;
                        }
                        if (fn(s, json_node_get_string(e), ip) < 0)
                                r = -EINVAL;
                }
                return r;
        }
        return fail(s, PROFILE_E_TYPE, path,
                    "is %s; expected an array of strings or a space-separated string",
                    type_name(n));
}

static int item_subnet(struct sw *s, const char *item, const char *path, bool excluded)
{
        struct profile_subnet n;
        const char *why = parse_subnet(item, &n);

        if (why)
                return fail(s, PROFILE_E_VALUE, path,
                            "'%s' %s; expected subnets like 10.0.0.0/8 or fd00::/8", item, why);
        if (excluded)
                profile_add_subnet(&s->p->excluded, &s->p->n_excluded, &n);
        else
                profile_add_subnet(&s->p->subnets, &s->p->n_subnets, &n);
        return 0;
}

static int item_included(struct sw *s, const char *item, const char *path)
{
        return item_subnet(s, item, path, false);
}

static int item_excluded(struct sw *s, const char *item, const char *path)
{
        return item_subnet(s, item, path, true);
}

static int item_dns(struct sw *s, const char *item, const char *path)
{
        struct profile_addr a;

        if (parse_addr(item, &a) < 0)
                return fail(s, PROFILE_E_VALUE, path,
                            "'%s' is not an IP address; expected IPv4 or IPv6 addresses", item);
        profile_add_dns(s->p, &a);
        return 0;
}

/* Decodes a base64 member; the whole JSON string is base64, no whitespace
 * except line breaks some generators insert. */
static int get_b64(struct sw *s, JsonObject *o, const char *key, const char *path,
                   struct bytes *ret)
{
        JsonNode *n = json_object_get_member(o, key);
        const char *v, *why;
        size_t bad;

        if (!n)
                return 0;
        if (!is_string(n))
                return fail(s, PROFILE_E_TYPE, path, "is %s; expected a base64 string",
                            type_name(n));
        v = json_node_get_string(n);
        why = base64_decode_strict(v, strlen(v), true, ret, &bad);
        if (why)
                return fail(s, PROFILE_E_BASE64, path, "bad base64 at character %zu: %s", bad + 1,
                            why);
        return 1;
}

/* json-glib frees its strings without wiping them; overwrite the secret
 * ones before the tree goes away. */
static void wipe_member(JsonObject *o, const char *key)
{
        JsonNode *n = o ? json_object_get_member(o, key) : NULL;

        if (n && is_string(n)) {
                char *v = (char *)json_node_get_string(n);

                secure_wipe(v, strlen(v));
        }
}

static void warn_unknown(struct sw *s, JsonObject *o, const char *prefix,
                         const char *const *known, const char *const *android)
{
        g_autoptr(GList) members = json_object_get_members(o);

        for (GList *m = members; m; m = m->next) {
                const char *k = m->data;
                bool found = false;

                for (size_t i = 0; known[i] && !found; i++)
                        found = strcmp(k, known[i]) == 0;
                if (found)
                        continue;
                for (size_t i = 0; android && android[i] && !found; i++)
                        found = strcmp(k, android[i]) == 0;
                if (found)
                        report_warn(s->c->report, PROFILE_W_IGNORED,
                                    ctx_printf(s->c, "%s/%s", prefix, k),
                                    "Android-only setting, ignored");
                else
                        report_warn(s->c->report, PROFILE_W_UNKNOWN,
                                    ctx_printf(s->c, "%s/%s", prefix, k),
                                    "unknown field, ignored");
        }
}

static const struct {
        const char *name;
        enum profile_auth auth;
} types[] = {
        { "ikev2-eap", PROFILE_AUTH_EAP_MSCHAPV2 },
        { "ikev2-cert", PROFILE_AUTH_CERT },
        { "ikev2-cert-eap", PROFILE_AUTH_CERT_EAP },
        { "ikev2-eap-tls", PROFILE_AUTH_EAP_TLS },
        { "ikev2-byod-eap", PROFILE_AUTH_EAP_MSCHAPV2 },
};

static void set_paths(struct import_ctx *c)
{
        static const struct {
                enum pf f;
                const char *path;
        } paths[] = {
                { PF_NAME, "/name" },
                { PF_UUID, "/uuid" },
                { PF_HOST, "/remote/addr" },
                { PF_PORT, "/remote/port" },
                { PF_REMOTE_ID, "/remote/id" },
                { PF_CA_TRUST, "/remote/cert" },
                { PF_CA_CERTS, "/remote/cert" },
                { PF_REVOCATION, "/remote/revocation" },
                { PF_AUTH, "/type" },
                { PF_LOCAL_ID, "/local/id" },
                { PF_EAP_ID, "/local/eap_id" },
                { PF_EAP_PASSWORD, "/local/shared_secret" },
                { PF_PKCS12, "/local/p12" },
                { PF_CLIENT_CERT, "/local/p12" },
                { PF_CLIENT_KEY, "/local/p12" },
                { PF_IKE, "/ike-proposal" },
                { PF_ESP, "/esp-proposal" },
                { PF_KEEPALIVE, "/nat-keepalive" },
                { PF_MTU, "/mtu" },
                { PF_TUNNEL, "/split-tunneling" },
                { PF_SUBNETS, "/split-tunneling/subnets" },
                { PF_EXCLUDED, "/split-tunneling/excluded" },
                { PF_DNS_SERVERS, "/dns-servers" },
        };

        for (size_t i = 0; i < G_N_ELEMENTS(paths); i++)
                ctx_set_field(c, paths[i].f, paths[i].path);
}

static void read_remote(struct sw *s, JsonObject *root)
{
        static const char *const known[] = { "addr", "port", "id", "cert", "certreq", "revocation",
                                              NULL };
        struct profile *p = s->p;
        JsonObject *remote, *rev;
        const char *v;
        uint32_t port;
        struct bytes cert;

        remote = get_object(s, root, "remote", "/remote");
        if (!remote) {
                if (!json_object_has_member(root, "remote"))
                        fail(s, PROFILE_E_MISSING, "/remote/addr",
                             "missing; expected the gateway's DNS name or IP address");
                return;
        }
        if (!json_object_has_member(remote, "addr"))
                fail(s, PROFILE_E_MISSING, "/remote/addr",
                     "missing; expected the gateway's DNS name or IP address");
        if ((v = get_str(s, remote, "addr", "/remote/addr", 253)))
                profile_set_str(&p->host, v);
        if (get_uint(s, remote, "port", "/remote/port", 1, 65535, &port) > 0)
                p->port = (uint16_t)port;
        if ((v = get_str(s, remote, "id", "/remote/id", PROFILE_MAX_STRING)))
                profile_set_str(&p->remote_id, *v ? v : NULL);
        if (get_b64(s, remote, "cert", "/remote/cert", &cert) > 0) {
                /* The app takes DER or PEM inside the base64. */
                if (cert.len > 10 && memcmp(cert.ptr, "-----BEGIN", 10) == 0) {
                        struct bytes *v2 = NULL;
                        const char *why;
                        int n = pki_pem_certificates((const char *)cert.ptr, cert.len, &v2, &why);

                        if (n < 0) {
                                fail(s, PROFILE_E_CERT, "/remote/cert", "%s", why);
                        } else {
                                for (int i = 0; i < n; i++)
                                        profile_add_ca(p, v2[i]);
                                g_free(v2);
                        }
                        bytes_free(&cert);
                } else {
                        profile_add_ca(p, cert);
                }
                p->ca_trust = PROFILE_CA_EMBEDDED;
        }
        get_bool(s, remote, "certreq", "/remote/certreq", &p->send_certreq);
        rev = get_object(s, remote, "revocation", "/remote/revocation");
        if (rev) {
                static const char *const rknown[] = { "crl", "ocsp", "strict", NULL };

                get_bool(s, rev, "crl", "/remote/revocation/crl", &p->revocation_crl);
                get_bool(s, rev, "ocsp", "/remote/revocation/ocsp", &p->revocation_ocsp);
                get_bool(s, rev, "strict", "/remote/revocation/strict", &p->revocation_strict);
                warn_unknown(s, rev, "/remote/revocation", rknown, NULL);
        }
        warn_unknown(s, remote, "/remote", known, NULL);
}

static void read_local(struct sw *s, JsonObject *root)
{
        static const char *const known[] = { "id", "eap_id", "p12", "rsa-pss", "shared_secret",
                                              NULL };
        static const char *const android[] = { "alias", NULL };
        struct profile *p = s->p;
        JsonObject *local = get_object(s, root, "local", "/local");
        const char *v;
        JsonNode *n;

        if (!local)
                return;
        if ((v = get_str(s, local, "id", "/local/id", PROFILE_MAX_STRING)))
                profile_set_str(&p->local_id, *v ? v : NULL);
        if ((v = get_str(s, local, "eap_id", "/local/eap_id", PROFILE_MAX_STRING)))
                profile_set_str(&p->eap_id, *v ? v : NULL);
        get_b64(s, local, "p12", "/local/p12", &p->client_pkcs12);
        get_bool(s, local, "rsa-pss", "/local/rsa-pss", &p->rsa_pss);
        n = json_object_get_member(local, "shared_secret");
        if (n && !is_string(n)) {
                fail(s, PROFILE_E_TYPE, "/local/shared_secret", "is %s; expected a string",
                     type_name(n));
        } else if (n && s->c->opts && s->c->opts->keep_secrets) {
                profile_set_secret(&p->eap_password, json_node_get_string(n));
        } else if (n) {
                report_warn(s->c->report, PROFILE_W_SECRET, "/local/shared_secret",
                            "not kept: storing the password was not allowed (it will be asked "
                            "when connecting)");
        }
        warn_unknown(s, local, "/local", known, android);
}

static void read_split(struct sw *s, JsonObject *root)
{
        static const char *const known[] = { "subnets", "excluded", "block-ipv4", "block-ipv6",
                                              NULL };
        JsonObject *st = get_object(s, root, "split-tunneling", "/split-tunneling");

        if (!st)
                return;
        get_list(s, st, "subnets", "/split-tunneling/subnets", item_included);
        get_list(s, st, "excluded", "/split-tunneling/excluded", item_excluded);
        get_bool(s, st, "block-ipv4", "/split-tunneling/block-ipv4", &s->p->block_ipv4);
        get_bool(s, st, "block-ipv6", "/split-tunneling/block-ipv6", &s->p->block_ipv6);
        warn_unknown(s, st, "/split-tunneling", known, NULL);
}

int sswan_import(const uint8_t *data, size_t len, struct import_ctx *c, struct profile **ret)
{
        static const char *const known[] = { "uuid",          "name",         "type",
                                              "remote",        "local",        "ike-proposal",
                                              "esp-proposal",  "dns-servers",  "mtu",
                                              "nat-keepalive", "ipv6-transport", "split-tunneling",
                                              NULL };
        static const char *const android[] = { "apps", "excluded-apps", "proxy",
                                                "selected-apps", NULL };
        _cleanup_(profile_freep) struct profile *p = profile_new();
        g_autoptr(JsonParser) parser = json_parser_new_immutable();
        g_autoptr(GError) e = NULL;
        struct sw s = { .c = c, .p = p };
        JsonObject *root;
        JsonNode *rn;
        const char *v;

        set_paths(c);
        if (json_prescan(&s, data, len) < 0)
                return -EINVAL;
        if (!json_parser_load_from_data(parser, (const char *)data, (gssize)len, &e)) {
                report_error(c->report, PROFILE_E_SYNTAX, "", "not valid JSON: %s", e->message);
                return -EINVAL;
        }
        rn = json_parser_get_root(parser);
        if (!rn || !JSON_NODE_HOLDS_OBJECT(rn)) {
                report_error(c->report, PROFILE_E_TYPE, "/", "is %s; expected a JSON object",
                             rn ? type_name(rn) : "empty");
                return -EINVAL;
        }
        root = json_node_get_object(rn);

        if (!json_object_has_member(root, "uuid"))
                fail(&s, PROFILE_E_MISSING, "/uuid", "missing; expected an RFC 4122 UUID");
        else if ((v = get_str(&s, root, "uuid", "/uuid", 64)) && parse_uuid(v, p->uuid) < 0)
                fail(&s, PROFILE_E_VALUE, "/uuid", "'%s' is not a UUID; expected the RFC 4122 form",
                     v);
        if (!json_object_has_member(root, "name"))
                fail(&s, PROFILE_E_MISSING, "/name", "missing; a display name is required");
        else if ((v = get_str(&s, root, "name", "/name", PROFILE_MAX_NAME)))
                profile_set_str(&p->name, v);
        if (!json_object_has_member(root, "type")) {
                fail(&s, PROFILE_E_MISSING, "/type",
                     "missing; expected ikev2-eap, ikev2-cert, ikev2-cert-eap, ikev2-eap-tls or "
                     "ikev2-byod-eap");
        } else if ((v = get_str(&s, root, "type", "/type", 64))) {
                size_t i;

                for (i = 0; i < G_N_ELEMENTS(types); i++)
                        if (strcmp(v, types[i].name) == 0)
                                break;
                if (i == G_N_ELEMENTS(types))
                        fail(&s, PROFILE_E_VALUE, "/type",
                             "'%s'; expected ikev2-eap, ikev2-cert, ikev2-cert-eap, "
                             "ikev2-eap-tls or ikev2-byod-eap",
                             v);
                else
                        p->auth = types[i].auth;
                if (strcmp(v, "ikev2-byod-eap") == 0)
                        report_warn(c->report, PROFILE_W_IGNORED, "/type",
                                    "BYOD (TNC) measurements are not supported; imported as "
                                    "ikev2-eap");
        }

        read_remote(&s, root);
        read_local(&s, root);
        if ((v = get_str(&s, root, "ike-proposal", "/ike-proposal", PROPOSAL_MAX_STRING)))
                profile_set_str(&p->ike_proposal, v);
        if ((v = get_str(&s, root, "esp-proposal", "/esp-proposal", PROPOSAL_MAX_STRING)))
                profile_set_str(&p->esp_proposal, v);
        get_list(&s, root, "dns-servers", "/dns-servers", item_dns);
        if (p->n_dns_servers > 0)
                p->dns_use_gateway = false; /* the app uses these instead of the gateway's */
        get_uint(&s, root, "mtu", "/mtu", 0, UINT32_MAX, &p->mtu);
        get_uint(&s, root, "nat-keepalive", "/nat-keepalive", 0, UINT32_MAX, &p->nat_keepalive);
        get_bool(&s, root, "ipv6-transport", "/ipv6-transport", &p->ipv6_transport);
        read_split(&s, root);
        p->tunnel = p->n_subnets > 0 ? PROFILE_TUNNEL_SPLIT : PROFILE_TUNNEL_FULL;
        p->kill_switch = p->tunnel == PROFILE_TUNNEL_FULL;
        warn_unknown(&s, root, "", known, android);

        {
                JsonObject *local = json_object_has_member(root, "local")
                                            ? get_object(&s, root, "local", "/local")
                                            : NULL;

                wipe_member(local, "p12");
                wipe_member(local, "shared_secret");
        }
        if (s.r < 0)
                return s.r;
        if (profile_check(p, c) < 0)
                return -EINVAL;
        *ret = TAKE_PTR(p);
        return 0;
}

/* ------------------------------------------------------------ export */

static void not_representable(struct profile_report *r, const char *what)
{
        report_warn(r, PROFILE_W_IGNORED, what, "cannot be expressed in .sswan; left out");
}

static char *join_subnets(const struct profile_subnet *v, size_t n)
{
        g_autoptr(GString) s = g_string_new(NULL);

        for (size_t i = 0; i < n; i++) {
                g_autofree char *t = format_subnet(&v[i]);

                if (i)
                        g_string_append_c(s, ' ');
                g_string_append(s, t);
        }
        return g_string_free(g_steal_pointer(&s), false);
}

static void add_proposal(JsonObject *o, const char *key, const char *s, enum proposal_kind kind)
{
        struct proposal_list l;
        char buf[PROPOSAL_MAX_STRING + 1];

        if (!s)
                return;
        if (proposal_list_parse(s, kind, &l, NULL) == 0 &&
            proposal_list_format(&l, buf, sizeof(buf)) >= 0)
                s = buf;
        json_object_set_string_member(o, key, s);
}

int profile_to_sswan(const struct profile *p, unsigned flags, char **ret,
                     struct profile_report *report)
{
        g_autoptr(JsonObject) root = json_object_new();
        JsonObject *remote = json_object_new(), *local = json_object_new();
        g_autoptr(JsonGenerator) gen = json_generator_new();
        g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);
        const char *type;

        switch (p->auth) {
        case PROFILE_AUTH_EAP_MD5:
                report_warn(report, PROFILE_W_IGNORED, "[auth] method",
                            "eap-md5 cannot be expressed in .sswan; written as ikev2-eap (the app "
                            "negotiates the EAP method)");
                G_GNUC_FALLTHROUGH;
        case PROFILE_AUTH_EAP_MSCHAPV2:
                type = "ikev2-eap";
                break;
        case PROFILE_AUTH_EAP_TLS:
                type = "ikev2-eap-tls";
                break;
        case PROFILE_AUTH_CERT:
                type = "ikev2-cert";
                break;
        default:
                type = "ikev2-cert-eap";
                break;
        }
        json_object_set_string_member(root, "uuid", p->uuid);
        json_object_set_string_member(root, "name", p->name ? p->name : "");
        json_object_set_string_member(root, "type", type);

        json_object_set_string_member(remote, "addr", p->host ? p->host : "");
        if (p->port != IKEV2_PORT)
                json_object_set_int_member(remote, "port", p->port);
        if (p->remote_id)
                json_object_set_string_member(remote, "id", p->remote_id);
        if (p->n_ca_certs > 0) {
                g_autofree char *b64 = g_base64_encode(p->ca_certs[0].ptr, p->ca_certs[0].len);

                json_object_set_string_member(remote, "cert", b64);
                if (p->n_ca_certs > 1)
                        report_warn(report, PROFILE_W_IGNORED, "[ca] certificates",
                                    ".sswan holds one certificate; only the first of %zu is "
                                    "written",
                                    p->n_ca_certs);
        }
        if (!p->send_certreq)
                json_object_set_boolean_member(remote, "certreq", false);
        if (!p->revocation_crl || !p->revocation_ocsp || p->revocation_strict) {
                JsonObject *rev = json_object_new();

                if (!p->revocation_crl)
                        json_object_set_boolean_member(rev, "crl", false);
                if (!p->revocation_ocsp)
                        json_object_set_boolean_member(rev, "ocsp", false);
                if (p->revocation_strict)
                        json_object_set_boolean_member(rev, "strict", true);
                json_object_set_object_member(remote, "revocation", rev);
        }
        json_object_set_object_member(root, "remote", remote);

        if (p->local_id)
                json_object_set_string_member(local, "id", p->local_id);
        if (p->eap_id)
                json_object_set_string_member(local, "eap_id", p->eap_id);
        if (p->client_pkcs12.len > 0 && (flags & PROFILE_WRITE_SECRETS)) {
                char *b64 = g_base64_encode(p->client_pkcs12.ptr, p->client_pkcs12.len);

                json_object_set_string_member(local, "p12", b64);
                secret_str_free(b64);
        }
        if (p->client_cert.len > 0)
                not_representable(report, "[auth] certificate");
        if (p->rsa_pss)
                json_object_set_boolean_member(local, "rsa-pss", true);
        if (p->eap_password && (flags & PROFILE_WRITE_SECRETS))
                json_object_set_string_member(local, "shared_secret", p->eap_password);
        if (json_object_get_size(local) > 0)
                json_object_set_object_member(root, "local", g_steal_pointer(&local));
        else
                json_object_unref(local);

        add_proposal(root, "ike-proposal", p->ike_proposal, PROPOSAL_IKE);
        add_proposal(root, "esp-proposal", p->esp_proposal, PROPOSAL_ESP);
        if (p->n_dns_servers > 0) {
                g_autoptr(GString) s = g_string_new(NULL);

                for (size_t i = 0; i < p->n_dns_servers; i++) {
                        g_autofree char *t = format_addr(&p->dns_servers[i]);

                        if (i)
                                g_string_append_c(s, ' ');
                        g_string_append(s, t);
                }
                json_object_set_string_member(root, "dns-servers", s->str);
                if (p->dns_use_gateway)
                        report_warn(report, PROFILE_W_IGNORED, "[dns] use-gateway",
                                    ".sswan DNS servers replace the gateway's; written anyway");
        }
        if (p->mtu)
                json_object_set_int_member(root, "mtu", p->mtu);
        if (p->nat_keepalive != 20)
                json_object_set_int_member(root, "nat-keepalive", p->nat_keepalive);
        if (p->ipv6_transport)
                json_object_set_boolean_member(root, "ipv6-transport", true);
        if (p->n_subnets > 0 || p->n_excluded > 0 || p->block_ipv4 || p->block_ipv6) {
                JsonObject *st = json_object_new();

                if (p->n_subnets > 0) {
                        g_autofree char *t = join_subnets(p->subnets, p->n_subnets);

                        json_object_set_string_member(st, "subnets", t);
                }
                if (p->n_excluded > 0) {
                        g_autofree char *t = join_subnets(p->excluded, p->n_excluded);

                        json_object_set_string_member(st, "excluded", t);
                }
                if (p->block_ipv4)
                        json_object_set_boolean_member(st, "block-ipv4", true);
                if (p->block_ipv6)
                        json_object_set_boolean_member(st, "block-ipv6", true);
                json_object_set_object_member(root, "split-tunneling", st);
        }

        /* What the app has no field for. */
        if (p->tunnel == PROFILE_TUNNEL_SPLIT && p->n_subnets == 0)
                not_representable(report, "[tunnel] mode");
        if (p->kill_switch != (p->tunnel == PROFILE_TUNNEL_FULL))
                not_representable(report, "[tunnel] kill-switch");
        if (p->allow_lan)
                not_representable(report, "[tunnel] allow-lan");
        if (p->server_cn)
                not_representable(report, "[gateway] server-cert-cn");
        if (p->server_ca_cn)
                not_representable(report, "[gateway] server-ca-cn");
        if (p->auth == PROFILE_AUTH_CERT_EAP && p->cert_eap_method != EAP_TYPE_MSCHAPV2)
                not_representable(report, "[auth] eap-method");
        if (p->key_type != PROFILE_KEY_ANY)
                not_representable(report, "[auth] key-type");
        if (p->ike_lifetime != 4 * 3600 || p->ike_rekey_margin != 600 ||
            p->child_lifetime != 3600 || p->child_rekey_margin != 300)
                not_representable(report, "[crypto] ike-lifetime");
        if (p->dpd_interval != 30)
                not_representable(report, "[crypto] dpd-interval");
        if (p->reauth_time)
                not_representable(report, "[crypto] reauth-time");
        if (p->child_lifetime_bytes || p->child_lifetime_packets)
                not_representable(report, "[crypto] child-lifetime-bytes");
        if (p->esn)
                not_representable(report, "[crypto] esn");
        if (!p->mobike)
                not_representable(report, "[crypto] mobike");
        if (!p->fragmentation)
                not_representable(report, "[crypto] fragmentation");
        if (!p->redirect)
                not_representable(report, "[crypto] redirect");
        if (p->dns_search)
                not_representable(report, "[dns] search-domains");
        if (p->dns_routing)
                not_representable(report, "[dns] routing-domains");
        if (p->auto_connect)
                not_representable(report, "[profile] auto-connect");
        if (p->user_may_change != PROFILE_SETTINGS_ALL)
                not_representable(report, "[profile] user-may-change");

        json_node_take_object(node, json_object_ref(root));
        json_generator_set_root(gen, node);
        json_generator_set_pretty(gen, true);
        json_generator_set_indent(gen, 2);
        *ret = json_generator_to_data(gen, NULL);
        if ((flags & PROFILE_WRITE_SECRETS) && json_object_has_member(root, "local")) {
                JsonObject *l = json_object_get_object_member(root, "local");

                if (l) {
                        wipe_member(l, "p12");
                        wipe_member(l, "shared_secret");
                }
        }
        return 0;
}

#else /* !HAVE_JSON_GLIB */

int sswan_import(const uint8_t *data, size_t len, struct import_ctx *c, struct profile **ret)
{
        report_error(c->report, PROFILE_E_UNSUPPORTED, "",
                     "this tsunagu was built without json-glib, so .sswan profiles cannot be "
                     "read; rebuild with json-glib or convert the profile to the tsunagu format");
        return -ENOTSUP;
}

int profile_to_sswan(const struct profile *p, unsigned flags, char **ret,
                     struct profile_report *report)
{
        report_error(report, PROFILE_E_UNSUPPORTED, "",
                     "this tsunagu was built without json-glib, so .sswan profiles cannot be "
                     "written");
        return -ENOTSUP;
}

#endif
