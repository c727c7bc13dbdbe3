/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The profile model: defaults, secrets, names of enums, reports. */
#include <errno.h>
#include <string.h>

#include "client/common/bytes.h"
#include "client/ike/ikev2.h"
#include "internal.h"

struct profile *profile_new(void)
{
        struct profile *p = g_new0(struct profile, 1);

        p->port = IKEV2_PORT;
        p->ca_trust = PROFILE_CA_SYSTEM;
        p->send_certreq = true;
        p->revocation_crl = true;
        p->revocation_ocsp = true;
        p->auth = PROFILE_AUTH_EAP_MSCHAPV2;
        p->cert_eap_method = EAP_TYPE_MSCHAPV2;
        p->ike_lifetime = 4 * 3600;
        p->ike_rekey_margin = 10 * 60;
        p->child_lifetime = 3600;
        p->child_rekey_margin = 5 * 60;
        p->dpd_interval = 30;
        p->nat_keepalive = 20;
        p->retransmit_timeout = 4;
        p->retransmit_tries = 5;
        p->mobike = true;
        p->fragmentation = true;
        p->redirect = true;
        p->tunnel = PROFILE_TUNNEL_FULL;
        p->kill_switch = true;
        p->dns_use_gateway = true;
        p->user_may_change = PROFILE_SETTINGS_ALL;
        proposal_list_defaults(PROPOSAL_IKE, &p->ike);
        proposal_list_defaults(PROPOSAL_ESP, &p->esp);
        return p;
}

void secret_str_free(char *s)
{
        if (s)
                secure_free(s, strlen(s));
}

void profile_secret_free(char *s)
{
        secret_str_free(s);
}

void profile_drop_passwords(struct profile *p)
{
        secret_str_free(p->eap_password);
        p->eap_password = NULL;
        secret_str_free(p->client_passphrase);
        p->client_passphrase = NULL;
}

void profile_drop_secrets(struct profile *p)
{
        profile_drop_passwords(p);
        bytes_free_secret(&p->client_pkcs12);
        bytes_free_secret(&p->client_key);
}

bool profile_has_secrets(const struct profile *p)
{
        return p->eap_password || p->client_passphrase || p->client_pkcs12.len > 0 ||
               p->client_key.len > 0;
}

void profile_free(struct profile *p)
{
        if (!p)
                return;
        profile_drop_secrets(p);
        g_free(p->name);
        g_free(p->host);
        g_free(p->remote_id);
        g_free(p->server_cn);
        g_free(p->server_ca_cn);
        for (size_t i = 0; i < p->n_ca_certs; i++)
                bytes_free(&p->ca_certs[i]);
        g_free(p->ca_certs);
        g_free(p->local_id);
        g_free(p->eap_id);
        bytes_free(&p->client_cert);
        g_free(p->ike_proposal);
        g_free(p->esp_proposal);
        g_free(p->subnets);
        g_free(p->excluded);
        g_free(p->dns_servers);
        g_strfreev(p->dns_search);
        g_strfreev(p->dns_routing);
        g_free(p);
}

void profile_set_str(char **dst, const char *s)
{
        g_free(*dst);
        *dst = g_strdup(s);
}

void profile_set_secret(char **dst, const char *s)
{
        /* g_malloc is malloc (GLib >= 2.46), so secure_free() can release it. */
        secret_str_free(*dst);
        /* An empty secret is no secret: it would not survive a round trip. */
        *dst = s && *s ? g_strdup(s) : NULL;
}

void profile_add_ca(struct profile *p, struct bytes der)
{
        p->ca_certs = g_renew(struct bytes, p->ca_certs, p->n_ca_certs + 1);
        p->ca_certs[p->n_ca_certs++] = der;
}

int profile_add_subnet(struct profile_subnet **v, size_t *n, const struct profile_subnet *s)
{
        for (size_t i = 0; i < *n; i++)
                if ((*v)[i].family == s->family && (*v)[i].prefixlen == s->prefixlen &&
                    memcmp((*v)[i].addr, s->addr, sizeof(s->addr)) == 0)
                        return -EEXIST;
        *v = g_renew(struct profile_subnet, *v, *n + 1);
        (*v)[(*n)++] = *s;
        return 0;
}

int profile_add_dns(struct profile *p, const struct profile_addr *a)
{
        for (size_t i = 0; i < p->n_dns_servers; i++)
                if (p->dns_servers[i].family == a->family &&
                    memcmp(p->dns_servers[i].addr, a->addr, sizeof(a->addr)) == 0)
                        return -EEXIST;
        p->dns_servers = g_renew(struct profile_addr, p->dns_servers, p->n_dns_servers + 1);
        p->dns_servers[p->n_dns_servers++] = *a;
        return 0;
}

size_t strv_len(char *const *v)
{
        size_t n = 0;

        while (v && v[n])
                n++;
        return n;
}

void strv_add(char ***v, const char *s)
{
        size_t n = strv_len(*v);

        *v = g_renew(char *, *v, n + 2);
        (*v)[n] = g_strdup(s);
        (*v)[n + 1] = NULL;
}

static bool str_eq(const char *a, const char *b)
{
        return g_strcmp0(a, b) == 0;
}

static bool bytes_eq(struct bytes a, struct bytes b)
{
        return slice_eq(SLICE_OF(a), SLICE_OF(b));
}

static bool strv_eq(char *const *a, char *const *b)
{
        size_t n = strv_len(a);

        if (n != strv_len(b))
                return false;
        for (size_t i = 0; i < n; i++)
                if (strcmp(a[i], b[i]) != 0)
                        return false;
        return true;
}

static bool mem_eq(const void *a, size_t na, const void *b, size_t nb)
{
        return na == nb && (na == 0 || memcmp(a, b, na) == 0);
}

uint32_t profile_changed_settings(const struct profile *a, const struct profile *b)
{
        uint32_t m = 0;
        bool cas = a->n_ca_certs == b->n_ca_certs;

        if (a->user_may_change != b->user_may_change)
                return PROFILE_SETTINGS_ALL;
        for (size_t i = 0; cas && i < a->n_ca_certs; i++)
                cas = bytes_eq(a->ca_certs[i], b->ca_certs[i]);
        if (!str_eq(a->name, b->name))
                m |= PROFILE_SETTING_NAME;
        if (!str_eq(a->host, b->host) || a->port != b->port || !str_eq(a->remote_id, b->remote_id) ||
            !str_eq(a->server_cn, b->server_cn) || !str_eq(a->server_ca_cn, b->server_ca_cn) ||
            a->ipv6_transport != b->ipv6_transport)
                m |= PROFILE_SETTING_GATEWAY;
        if (!cas || a->ca_trust != b->ca_trust || a->send_certreq != b->send_certreq ||
            a->revocation_crl != b->revocation_crl || a->revocation_ocsp != b->revocation_ocsp ||
            a->revocation_strict != b->revocation_strict)
                m |= PROFILE_SETTING_CA;
        if (!str_eq(a->local_id, b->local_id) || !str_eq(a->eap_id, b->eap_id) ||
            !str_eq(a->eap_password, b->eap_password) ||
            !bytes_eq(a->client_pkcs12, b->client_pkcs12) ||
            !bytes_eq(a->client_cert, b->client_cert) || !bytes_eq(a->client_key, b->client_key) ||
            !str_eq(a->client_passphrase, b->client_passphrase) || a->key_type != b->key_type ||
            a->rsa_pss != b->rsa_pss)
                m |= PROFILE_SETTING_CREDENTIALS;
        if (a->auth != b->auth || a->cert_eap_method != b->cert_eap_method)
                m |= PROFILE_SETTING_AUTH_METHOD;
        if (!str_eq(a->ike_proposal, b->ike_proposal) || !str_eq(a->esp_proposal, b->esp_proposal) ||
            a->esn != b->esn)
                m |= PROFILE_SETTING_PROPOSALS;
        if (a->ike_lifetime != b->ike_lifetime || a->ike_rekey_margin != b->ike_rekey_margin ||
            a->child_lifetime != b->child_lifetime ||
            a->child_rekey_margin != b->child_rekey_margin || a->reauth_time != b->reauth_time ||
            a->child_lifetime_bytes != b->child_lifetime_bytes ||
            a->child_lifetime_packets != b->child_lifetime_packets)
                m |= PROFILE_SETTING_LIFETIMES;
        if (a->dpd_interval != b->dpd_interval || a->nat_keepalive != b->nat_keepalive ||
            a->retransmit_timeout != b->retransmit_timeout ||
            a->retransmit_tries != b->retransmit_tries)
                m |= PROFILE_SETTING_DPD;
        if (a->mtu != b->mtu)
                m |= PROFILE_SETTING_MTU;
        if (a->tunnel != b->tunnel ||
            !mem_eq(a->subnets, a->n_subnets * sizeof(*a->subnets), b->subnets,
                    b->n_subnets * sizeof(*b->subnets)) ||
            !mem_eq(a->excluded, a->n_excluded * sizeof(*a->excluded), b->excluded,
                    b->n_excluded * sizeof(*b->excluded)))
                m |= PROFILE_SETTING_ROUTES;
        if (a->dns_use_gateway != b->dns_use_gateway ||
            !mem_eq(a->dns_servers, a->n_dns_servers * sizeof(*a->dns_servers), b->dns_servers,
                    b->n_dns_servers * sizeof(*b->dns_servers)) ||
            !strv_eq(a->dns_search, b->dns_search) || !strv_eq(a->dns_routing, b->dns_routing))
                m |= PROFILE_SETTING_DNS;
        if (a->block_ipv4 != b->block_ipv4 || a->block_ipv6 != b->block_ipv6)
                m |= PROFILE_SETTING_BLOCK;
        if (a->kill_switch != b->kill_switch || a->allow_lan != b->allow_lan)
                m |= PROFILE_SETTING_KILL_SWITCH;
        if (a->auto_connect != b->auto_connect)
                m |= PROFILE_SETTING_AUTO_CONNECT;
        if (a->mobike != b->mobike || a->redirect != b->redirect)
                m |= PROFILE_SETTING_MOBIKE;
        if (a->fragmentation != b->fragmentation)
                m |= PROFILE_SETTING_FRAGMENTATION;
        return m;
}

bool profile_auth_uses_certificate(enum profile_auth a)
{
        return a == PROFILE_AUTH_EAP_TLS || a == PROFILE_AUTH_CERT || a == PROFILE_AUTH_CERT_EAP;
}

bool profile_auth_uses_password(enum profile_auth a)
{
        return a == PROFILE_AUTH_EAP_MSCHAPV2 || a == PROFILE_AUTH_EAP_MD5 ||
               a == PROFILE_AUTH_CERT_EAP;
}

uint8_t profile_eap_type(const struct profile *p)
{
        switch (p->auth) {
        case PROFILE_AUTH_EAP_MSCHAPV2:
                return EAP_TYPE_MSCHAPV2;
        case PROFILE_AUTH_EAP_MD5:
                return EAP_TYPE_MD5;
        case PROFILE_AUTH_EAP_TLS:
                return EAP_TYPE_TLS;
        case PROFILE_AUTH_CERT_EAP:
                return p->cert_eap_method;
        default:
                return 0;
        }
}

static const char *const auth_names[PROFILE_AUTH__COUNT] = {
        [PROFILE_AUTH_EAP_MSCHAPV2] = "eap-mschapv2",
        [PROFILE_AUTH_EAP_MD5] = "eap-md5",
        [PROFILE_AUTH_EAP_TLS] = "eap-tls",
        [PROFILE_AUTH_CERT] = "cert",
        [PROFILE_AUTH_CERT_EAP] = "cert+eap",
};

const char *profile_auth_to_string(enum profile_auth a)
{
        return (unsigned)a < PROFILE_AUTH__COUNT ? auth_names[a] : NULL;
}

int profile_auth_from_string(const char *s, enum profile_auth *ret)
{
        for (size_t i = 0; i < PROFILE_AUTH__COUNT; i++)
                if (g_ascii_strcasecmp(s, auth_names[i]) == 0) {
                        *ret = (enum profile_auth)i;
                        return 0;
                }
        return -EINVAL;
}

static const char *const key_type_names[PROFILE_KEY__COUNT] = {
        [PROFILE_KEY_ANY] = "any",           [PROFILE_KEY_RSA] = "rsa",
        [PROFILE_KEY_ECDSA256] = "ecdsa256", [PROFILE_KEY_ECDSA384] = "ecdsa384",
        [PROFILE_KEY_ECDSA521] = "ecdsa521", [PROFILE_KEY_ED25519] = "ed25519",
};

const char *profile_key_type_to_string(enum profile_key_type t)
{
        return (unsigned)t < PROFILE_KEY__COUNT ? key_type_names[t] : NULL;
}

const char *profile_format_to_string(enum profile_format f)
{
        switch (f) {
        case PROFILE_FORMAT_KEYFILE:
                return "tsunagu";
        case PROFILE_FORMAT_SSWAN:
                return "sswan";
        case PROFILE_FORMAT_MOBILECONFIG:
                return "mobileconfig";
        default:
                return "auto";
        }
}

static const char *const code_names[] = {
        [PROFILE_E_SYNTAX] = "syntax",
        [PROFILE_E_ENCODING] = "encoding",
        [PROFILE_E_LIMIT] = "limit",
        [PROFILE_E_MISSING] = "missing",
        [PROFILE_E_TYPE] = "type",
        [PROFILE_E_VALUE] = "value",
        [PROFILE_E_BASE64] = "base64",
        [PROFILE_E_CERT] = "certificate",
        [PROFILE_E_KEY] = "key",
        [PROFILE_E_PASSPHRASE] = "passphrase",
        [PROFILE_E_SIGNATURE] = "signature",
        [PROFILE_E_UNSUPPORTED] = "unsupported",
        [PROFILE_E_INTERNAL] = "internal",
        [PROFILE_W_UNKNOWN] = "unknown-field",
        [PROFILE_W_IGNORED] = "ignored",
        [PROFILE_W_SECRET] = "secret-dropped",
        [PROFILE_W_UNTRUSTED] = "untrusted-signer",
        [PROFILE_W_WEAK] = "weak",
        [PROFILE_W_NOTE] = "note",
};

const char *profile_code_to_string(enum profile_code c)
{
        return (size_t)c < G_N_ELEMENTS(code_names) ? code_names[c] : "?";
}

static const char *const setting_names[] = {
        "name",        "gateway",       "ca",     "credentials", "auth-method", "proposals",
        "lifetimes",   "dpd",           "mtu",    "routes",      "dns",         "block",
        "kill-switch", "auto-connect",  "mobike", "fragmentation",
};
G_STATIC_ASSERT(G_N_ELEMENTS(setting_names) == 16);

const char *profile_setting_to_string(enum profile_setting s)
{
        for (size_t i = 0; i < G_N_ELEMENTS(setting_names); i++)
                if (s == (1u << i))
                        return setting_names[i];
        return NULL;
}

int profile_setting_from_string(const char *s, enum profile_setting *ret)
{
        for (size_t i = 0; i < G_N_ELEMENTS(setting_names); i++)
                if (g_ascii_strcasecmp(s, setting_names[i]) == 0) {
                        *ret = (enum profile_setting)(1u << i);
                        return 0;
                }
        return -EINVAL;
}

/* ------------------------------------------------------------ reports */

static void diag_free(gpointer data)
{
        struct profile_diag *d = data;

        g_free(d->file);
        g_free(d->field);
        g_free(d->message);
        g_free(d);
}

void profile_report_init(struct profile_report *r)
{
        *r = (struct profile_report){ .diags = g_ptr_array_new_with_free_func(diag_free) };
}

void profile_report_clear(struct profile_report *r)
{
        if (!r)
                return;
        if (r->diags)
                g_ptr_array_unref(r->diags);
        g_free(r->signer);
        g_free(r->file);
        *r = (struct profile_report){ 0 };
}

void report_addv(struct profile_report *r, enum profile_severity sev, enum profile_code code,
                 const char *field, const char *fmt, va_list ap)
{
        struct profile_diag *d;

        if (!r)
                return;
        if (!r->diags)
                profile_report_init(r);
        d = g_new0(struct profile_diag, 1);
        d->severity = sev;
        d->code = code;
        d->file = g_strdup(r->file ? r->file : "profile");
        d->field = g_strdup(field ? field : "");
        d->message = g_strdup_vprintf(fmt, ap);
        g_ptr_array_add(r->diags, d);
        if (sev == PROFILE_ERROR)
                r->n_errors++;
        else
                r->n_warnings++;
}

void report_add(struct profile_report *r, enum profile_severity sev, enum profile_code code,
                const char *field, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        report_addv(r, sev, code, field, fmt, ap);
        va_end(ap);
}

char *profile_diag_format(const struct profile_diag *d)
{
        if (d->field[0])
                return g_strdup_printf("%s: %s: %s", d->file, d->field, d->message);
        return g_strdup_printf("%s: %s", d->file, d->message);
}

const struct profile_diag *profile_report_find(const struct profile_report *r, const char *field)
{
        if (!r->diags)
                return NULL;
        for (guint i = 0; i < r->diags->len; i++) {
                const struct profile_diag *d = g_ptr_array_index(r->diags, i);

                if (strcmp(d->field, field) == 0)
                        return d;
        }
        return NULL;
}

/* ------------------------------------------------------------ import context */

static const char *const keyfile_names[PF__COUNT] = {
        [PF_NAME] = "[profile] name",
        [PF_UUID] = "[profile] uuid",
        [PF_HOST] = "[gateway] host",
        [PF_PORT] = "[gateway] port",
        [PF_REMOTE_ID] = "[gateway] remote-id",
        [PF_SERVER_CN] = "[gateway] server-cert-cn",
        [PF_SERVER_CA_CN] = "[gateway] server-ca-cn",
        [PF_CA_TRUST] = "[ca] trust",
        [PF_CA_CERTS] = "[ca] certificates",
        [PF_REVOCATION] = "[ca] revocation",
        [PF_AUTH] = "[auth] method",
        [PF_CERT_EAP_METHOD] = "[auth] eap-method",
        [PF_LOCAL_ID] = "[auth] local-id",
        [PF_EAP_ID] = "[auth] eap-id",
        [PF_EAP_PASSWORD] = "[auth] eap-password",
        [PF_PKCS12] = "[auth] pkcs12",
        [PF_CLIENT_CERT] = "[auth] certificate",
        [PF_CLIENT_KEY] = "[auth] private-key",
        [PF_PASSPHRASE] = "[auth] passphrase",
        [PF_KEY_TYPE] = "[auth] key-type",
        [PF_IKE] = "[crypto] ike",
        [PF_ESP] = "[crypto] esp",
        [PF_IKE_LIFETIME] = "[crypto] ike-lifetime",
        [PF_IKE_MARGIN] = "[crypto] ike-rekey-margin",
        [PF_CHILD_LIFETIME] = "[crypto] child-lifetime",
        [PF_CHILD_MARGIN] = "[crypto] child-rekey-margin",
        [PF_DPD] = "[crypto] dpd-interval",
        [PF_KEEPALIVE] = "[crypto] nat-keepalive",
        [PF_RETRANSMIT_TIMEOUT] = "[crypto] retransmit-timeout",
        [PF_RETRANSMIT_TRIES] = "[crypto] retransmit-tries",
        [PF_REAUTH] = "[crypto] reauth-time",
        [PF_CHILD_BYTES] = "[crypto] child-lifetime-bytes",
        [PF_CHILD_PACKETS] = "[crypto] child-lifetime-packets",
        [PF_MTU] = "[tunnel] mtu",
        [PF_TUNNEL] = "[tunnel] mode",
        [PF_SUBNETS] = "[tunnel] subnets",
        [PF_EXCLUDED] = "[tunnel] excluded",
        [PF_KILL_SWITCH] = "[tunnel] kill-switch",
        [PF_DNS_SERVERS] = "[dns] servers",
        [PF_DNS_SEARCH] = "[dns] search-domains",
        [PF_DNS_ROUTING] = "[dns] routing-domains",
};

const char *pf_keyfile_name(enum pf f)
{
        return (unsigned)f < PF__COUNT ? keyfile_names[f] : "";
}

void import_ctx_init(struct import_ctx *c, struct profile_report *r,
                     const struct profile_import_options *opts)
{
        *c = (struct import_ctx){
                .report = r,
                .opts = opts,
                .now = opts && opts->now ? opts->now : (int64_t)g_get_real_time() / G_USEC_PER_SEC,
                .strings = g_string_chunk_new(256),
        };
}

void import_ctx_clear(struct import_ctx *c)
{
        g_free(c->ca_field);
        if (c->strings)
                g_string_chunk_free(c->strings);
        *c = (struct import_ctx){ 0 };
}

const char *ctx_intern(struct import_ctx *c, const char *s)
{
        return g_string_chunk_insert_const(c->strings, s);
}

const char *ctx_printf(struct import_ctx *c, const char *fmt, ...)
{
        g_autofree char *s = NULL;
        va_list ap;

        va_start(ap, fmt);
        s = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        return ctx_intern(c, s);
}

void ctx_set_field(struct import_ctx *c, enum pf f, const char *path)
{
        c->field[f] = ctx_intern(c, path);
}

const char *ctx_field(const struct import_ctx *c, enum pf f)
{
        return c->field[f] ? c->field[f] : pf_keyfile_name(f);
}
