/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Apple configuration profiles (.mobileconfig): the IKEv2 dictionary of a
 * com.apple.vpn.managed payload, with the certificate payloads it refers to
 * (com.apple.security.pkcs12 for the client identity; .root, .pkcs1, .pem
 * for CAs), mapped onto our model. Keys follow Apple's Device Management
 * documentation ("VPN", "VPN.IKEv2"); fields are named by key path in
 * messages: "PayloadContent[0]/IKEv2/RemoteAddress".
 */
#include <errno.h>
#include <string.h>

#include "client/ike/ikev2.h"
#include "cms.h"
#include "internal.h"
#include "pki.h"
#include "plist.h"

struct mc {
        struct import_ctx *c;
        struct profile *p;
        const struct plist *root;
        int r;
};

_printf_(4, 5) static int fail(struct mc *m, enum profile_code code, const char *field,
                               const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        report_addv(m->c->report, PROFILE_ERROR, code, field, fmt, ap);
        va_end(ap);
        m->r = -EINVAL;
        return -EINVAL;
}

static const char *join(struct mc *m, const char *base, const char *key)
{
        if (!*base)
                return ctx_intern(m->c, key);
        return ctx_printf(m->c, "%s/%s", base, key);
}

/* The value of key if it has type t; NULL if absent or (error reported) of
 * another type. */
static const struct plist *get(struct mc *m, const struct plist *d, const char *base,
                               const char *key, enum plist_type t)
{
        const struct plist *v = plist_get(d, key);

        if (v && v->type != t) {
                fail(m, PROFILE_E_TYPE, join(m, base, key), "is %s; expected %s",
                     plist_type_name(v->type), plist_type_name(t));
                return NULL;
        }
        return v;
}

static const char *get_str(struct mc *m, const struct plist *d, const char *base, const char *key,
                           size_t max)
{
        const struct plist *v = get(m, d, base, key, PLIST_STRING);
        const char *why;

        if (!v)
                return NULL;
        why = check_text(v->str, max);
        if (why) {
                fail(m, PROFILE_E_VALUE, join(m, base, key),
                     "%s; expected printable text of at most %zu bytes", why, max);
                return NULL;
        }
        return v->str;
}

/* Apple writes flags as <integer>0/1</integer> or <true/>/<false/>. Returns
 * 1 if present and set in *ret, 0 if absent, -EINVAL. */
static int get_flag(struct mc *m, const struct plist *d, const char *base, const char *key,
                    bool *ret)
{
        const struct plist *v = plist_get(d, key);

        if (!v)
                return 0;
        if (v->type == PLIST_BOOL) {
                *ret = v->boolean;
                return 1;
        }
        if (v->type == PLIST_INTEGER && (v->integer == 0 || v->integer == 1)) {
                *ret = v->integer == 1;
                return 1;
        }
        return fail(m, PROFILE_E_TYPE, join(m, base, key), "is %s; expected 0 or 1 (or a boolean)",
                    v->type == PLIST_INTEGER ? "another integer" : plist_type_name(v->type));
}

static int get_int(struct mc *m, const struct plist *d, const char *base, const char *key,
                   int64_t min, int64_t max, int64_t *ret)
{
        const struct plist *v = get(m, d, base, key, PLIST_INTEGER);

        if (!v)
                return 0;
        if (v->integer < min || v->integer > max)
                return fail(m, PROFILE_E_VALUE, join(m, base, key),
                            "%" G_GINT64_FORMAT " is out of range; expected %" G_GINT64_FORMAT
                            "..%" G_GINT64_FORMAT,
                            v->integer, min, max);
        *ret = v->integer;
        return 1;
}

static int decode_data(struct mc *m, const struct plist *v, const char *path, struct bytes *ret)
{
        const char *why;
        size_t bad;

        if (v->type != PLIST_DATA)
                return fail(m, PROFILE_E_TYPE, path, "is %s; expected data",
                            plist_type_name(v->type));
        if (!v->data.base64)
                return bytes_dup(ret, SLICE_OF(v->data.bytes));
        why = base64_decode_strict((const char *)v->data.bytes.ptr, v->data.bytes.len, true, ret,
                                   &bad);
        if (why)
                return fail(m, PROFILE_E_BASE64, path, "bad base64 at character %zu: %s", bad + 1,
                            why);
        return 0;
}

static void warn_unknown(struct mc *m, const struct plist *d, const char *base,
                         const char *const *known, const char *const *ignored)
{
        for (size_t i = 0; i < d->dict.n; i++) {
                const char *k = d->dict.keys[i];
                bool found = false;

                for (size_t j = 0; known[j] && !found; j++)
                        found = strcmp(k, known[j]) == 0;
                if (found)
                        continue;
                for (size_t j = 0; ignored && ignored[j] && !found; j++)
                        found = strcmp(k, ignored[j]) == 0;
                if (found)
                        report_warn(m->c->report, PROFILE_W_IGNORED, join(m, base, k),
                                    "not supported by tsunagu, ignored");
                else
                        report_warn(m->c->report, PROFILE_W_UNKNOWN, join(m, base, k),
                                    "unknown key, ignored");
        }
}

/* ------------------------------------------------------------ proposals */

static const struct {
        const char *apple, *kw;
        bool aead;
} ciphers[] = {
        { "AES-256-GCM", "aes256gcm16", true },
        { "AES-128-GCM", "aes128gcm16", true },
        { "ChaCha20Poly1305", "chacha20poly1305", true },
        { "AES-256", "aes256", false },
        { "AES-128", "aes128", false },
        { "3DES", "3des", false },
        { "DES", "des", false },
};

static const struct {
        const char *apple, *integ, *prf;
} integs[] = {
        { "SHA2-256", "sha256", "prfsha256" }, { "SHA2-384", "sha384", "prfsha384" },
        { "SHA2-512", "sha512", "prfsha512" }, { "SHA1-96", "sha1", "prfsha1" },
        { "SHA1-160", "sha1_160", "prfsha1" },
};

/* One SA parameters dictionary -> a strict strongSwan proposal string and a
 * lifetime. Apple's documented defaults fill what the dictionary leaves out:
 * AES-256, SHA2-256, group 14, 1440 minutes. */
static char *sa_params(struct mc *m, const struct plist *d, const char *base, bool ike, bool pfs,
                       uint32_t *lifetime)
{
        static const char *const known[] = { "EncryptionAlgorithm", "IntegrityAlgorithm",
                                              "DiffieHellmanGroup", "LifeTimeInMinutes", NULL };
        const char *enc = get_str(m, d, base, "EncryptionAlgorithm", 64);
        const char *integ = get_str(m, d, base, "IntegrityAlgorithm", 64);
        size_t ci, ii;
        int64_t group = 14, minutes = 1440;
        const char *dh = NULL;
        GString *s;

        if (!enc)
                enc = "AES-256";
        if (!integ)
                integ = "SHA2-256";
        for (ci = 0; ci < G_N_ELEMENTS(ciphers); ci++)
                if (strcmp(enc, ciphers[ci].apple) == 0)
                        break;
        if (ci == G_N_ELEMENTS(ciphers)) {
                fail(m, PROFILE_E_VALUE, join(m, base, "EncryptionAlgorithm"),
                     "'%s'; expected AES-256-GCM, AES-128-GCM, ChaCha20Poly1305, AES-256, "
                     "AES-128 or 3DES",
                     enc);
                return NULL;
        }
        if (strcmp(enc, "DES") == 0) {
                fail(m, PROFILE_E_UNSUPPORTED, join(m, base, "EncryptionAlgorithm"),
                     "single DES is broken and not supported; use AES-256-GCM");
                return NULL;
        }
        for (ii = 0; ii < G_N_ELEMENTS(integs); ii++)
                if (strcmp(integ, integs[ii].apple) == 0)
                        break;
        if (ii == G_N_ELEMENTS(integs)) {
                fail(m, PROFILE_E_VALUE, join(m, base, "IntegrityAlgorithm"),
                     "'%s'; expected SHA2-256, SHA2-384, SHA2-512, SHA1-96 or SHA1-160", integ);
                return NULL;
        }
        get_int(m, d, base, "DiffieHellmanGroup", 0, 65535, &group);
        if (get_int(m, d, base, "LifeTimeInMinutes", 10, 1440, &minutes) < 0)
                return NULL;
        if (group != 0) {
                dh = proposal_keyword(IKEV2_TRANSFORM_DH, (uint16_t)group, 0);
                if (!dh) {
                        fail(m, PROFILE_E_VALUE, join(m, base, "DiffieHellmanGroup"),
                             "%" G_GINT64_FORMAT " is not a key exchange group we know; expected "
                             "14-21, 31 or 32 (1, 2, 5 are weak)",
                             group);
                        return NULL;
                }
        } else if (ike) {
                fail(m, PROFILE_E_VALUE, join(m, base, "DiffieHellmanGroup"),
                     "0 (none) is not possible for the IKE SA; expected e.g. 14, 19 or 20");
                return NULL;
        }
        warn_unknown(m, d, base, known, NULL);

        s = g_string_new(ciphers[ci].kw);
        /* For AEAD ciphers Apple's IntegrityAlgorithm names the PRF only. */
        if (!ciphers[ci].aead)
                g_string_append_printf(s, "-%s", integs[ii].integ);
        if (ike)
                g_string_append_printf(s, "-%s", integs[ii].prf);
        if (dh && (ike || pfs))
                g_string_append_printf(s, "-%s", dh);
        g_string_append_c(s, '!');
        *lifetime = (uint32_t)minutes * 60;
        return g_string_free(s, false);
}

/* ------------------------------------------------------------ payloads */

static const struct plist *find_payload(struct mc *m, const char *uuid, size_t *ret_index)
{
        const struct plist *content = plist_get(m->root, "PayloadContent");

        for (size_t i = 0; content && content->type == PLIST_ARRAY && i < content->array.n; i++) {
                const struct plist *pl = content->array.items[i];
                const struct plist *u = plist_get(pl, "PayloadUUID");

                if (u && u->type == PLIST_STRING && g_ascii_strcasecmp(u->str, uuid) == 0) {
                        *ret_index = i;
                        return pl;
                }
        }
        return NULL;
}

static void read_ca_payload(struct mc *m, const struct plist *pl, size_t i, const char *type,
                            GPtrArray *ca_fields)
{
        const char *base = ctx_printf(m->c, "PayloadContent[%zu]", i);
        const char *path = join(m, base, "PayloadContent");
        const struct plist *v = plist_get(pl, "PayloadContent");
        struct bytes der;

        if (!v) {
                fail(m, PROFILE_E_MISSING, path, "missing; a certificate payload needs its data");
                return;
        }
        if (decode_data(m, v, path, &der) < 0)
                return;
        if (strcmp(type, "com.apple.security.pem") == 0 ||
            (der.len > 10 && memcmp(der.ptr, "-----BEGIN", 10) == 0)) {
                struct bytes *certs = NULL;
                const char *why;
                int n = pki_pem_certificates((const char *)der.ptr, der.len, &certs, &why);

                bytes_free(&der);
                if (n < 0) {
                        fail(m, PROFILE_E_CERT, path, "%s", why);
                        return;
                }
                for (int k = 0; k < n; k++) {
                        profile_add_ca(m->p, certs[k]);
                        g_ptr_array_add(ca_fields, (gpointer)path);
                }
                g_free(certs);
                return;
        }
        profile_add_ca(m->p, der);
        g_ptr_array_add(ca_fields, (gpointer)path);
}

static void read_identity(struct mc *m, const char *uuid, const char *field)
{
        const struct plist *pl, *type, *content;
        const char *base, *pw;
        size_t i;

        pl = find_payload(m, uuid, &i);
        if (!pl) {
                fail(m, PROFILE_E_VALUE, field,
                     "'%s' names no payload of this profile; expected the PayloadUUID of a "
                     "com.apple.security.pkcs12 payload",
                     uuid);
                return;
        }
        base = ctx_printf(m->c, "PayloadContent[%zu]", i);
        type = plist_get(pl, "PayloadType");
        if (!type || type->type != PLIST_STRING ||
            strcmp(type->str, "com.apple.security.pkcs12") != 0) {
                fail(m, PROFILE_E_VALUE, field,
                     "refers to %s, which is not a com.apple.security.pkcs12 payload", base);
                return;
        }
        content = plist_get(pl, "PayloadContent");
        ctx_set_field(m->c, PF_PKCS12, join(m, base, "PayloadContent"));
        ctx_set_field(m->c, PF_PASSPHRASE, join(m, base, "Password"));
        if (!content) {
                fail(m, PROFILE_E_MISSING, join(m, base, "PayloadContent"),
                     "missing; expected the PKCS#12 data");
                return;
        }
        if (decode_data(m, content, join(m, base, "PayloadContent"), &m->p->client_pkcs12) < 0)
                return;
        pw = get_str(m, pl, base, "Password", PROFILE_MAX_STRING);
        if (pw && *pw)
                profile_set_secret(&m->p->client_passphrase, pw);
}

static void read_dns(struct mc *m, const struct plist *vpn, const char *vbase)
{
        static const char *const known[] = { "ServerAddresses", "SearchDomains",
                                              "SupplementalMatchDomains", "DNSProtocol", NULL };
        static const char *const ignored[] = { "ServerName", "ServerURL", "DomainName",
                                                "SupplementalMatchDomainsNoSearch",
                                                "OnDemandRules", "PayloadCertificateUUID", NULL };
        const char *base = join(m, vbase, "DNS");
        const struct plist *dns = get(m, vpn, vbase, "DNS", PLIST_DICT), *v;
        const char *proto;
        struct {
                const char *key;
                char ***dst;
        } lists[] = {
                { "SearchDomains", &m->p->dns_search },
                { "SupplementalMatchDomains", &m->p->dns_routing },
        };

        if (!dns)
                return;
        ctx_set_field(m->c, PF_DNS_SERVERS, join(m, base, "ServerAddresses"));
        ctx_set_field(m->c, PF_DNS_SEARCH, join(m, base, "SearchDomains"));
        ctx_set_field(m->c, PF_DNS_ROUTING, join(m, base, "SupplementalMatchDomains"));
        proto = get_str(m, dns, base, "DNSProtocol", 32);
        if (proto && strcmp(proto, "Cleartext") != 0)
                report_warn(m->c->report, PROFILE_W_IGNORED, join(m, base, "DNSProtocol"),
                            "%s is not supported; the servers are used over plain DNS through "
                            "the tunnel",
                            proto);
        if ((v = get(m, dns, base, "ServerAddresses", PLIST_ARRAY))) {
                if (v->array.n > PROFILE_MAX_LIST)
                        fail(m, PROFILE_E_LIMIT, join(m, base, "ServerAddresses"),
                             "%zu entries; at most %d are accepted", v->array.n, PROFILE_MAX_LIST);
                for (size_t i = 0; i < v->array.n && i < PROFILE_MAX_LIST; i++) {
                        const struct plist *e = v->array.items[i];
                        const char *path = ctx_printf(m->c, "%s/ServerAddresses[%zu]", base, i);
                        struct profile_addr a;

                        if (e->type != PLIST_STRING || parse_addr(e->str, &a) < 0) {
                                fail(m, PROFILE_E_VALUE, path, "expected an IP address string");
                                continue;
                        }
                        profile_add_dns(m->p, &a);
                }
                if (v->array.n > 0)
                        m->p->dns_use_gateway = false;
        }
        for (size_t l = 0; l < G_N_ELEMENTS(lists); l++) {
                v = get(m, dns, base, lists[l].key, PLIST_ARRAY);
                if (!v)
                        continue;
                if (v->array.n > PROFILE_MAX_LIST) {
                        fail(m, PROFILE_E_LIMIT, join(m, base, lists[l].key),
                             "%zu entries; at most %d are accepted", v->array.n, PROFILE_MAX_LIST);
                        continue;
                }
                for (size_t i = 0; i < v->array.n; i++) {
                        const struct plist *e = v->array.items[i];

                        if (e->type != PLIST_STRING) {
                                fail(m, PROFILE_E_TYPE,
                                     ctx_printf(m->c, "%s/%s[%zu]", base, lists[l].key, i),
                                     "is %s; expected a domain name string",
                                     plist_type_name(e->type));
                                continue;
                        }
                        strv_add(lists[l].dst, e->str);
                }
        }
        warn_unknown(m, dns, base, known, ignored);
}

static const struct {
        const char *name;
        uint32_t seconds;
} dpd_rates[] = {
        /* Apple: Low every 30 minutes, Medium every 10, High every minute. */
        { "None", 0 },
        { "Low", 30 * 60 },
        { "Medium", 10 * 60 },
        { "High", 60 },
};

static const struct {
        const char *name;
        enum profile_key_type type;
} cert_types[] = {
        { "RSA", PROFILE_KEY_RSA },           { "ECDSA256", PROFILE_KEY_ECDSA256 },
        { "ECDSA384", PROFILE_KEY_ECDSA384 }, { "ECDSA521", PROFILE_KEY_ECDSA521 },
        { "Ed25519", PROFILE_KEY_ED25519 },
};

static void read_ikev2(struct mc *m, const struct plist *ik, const char *base)
{
        static const char *const known[] = {
                "RemoteAddress", "RemoteIdentifier", "LocalIdentifier", "AuthenticationMethod",
                "ExtendedAuthEnabled", "AuthName", "AuthPassword", "PayloadCertificateUUID",
                "CertificateType", "ServerCertificateIssuerCommonName",
                "ServerCertificateCommonName", "IKESecurityAssociationParameters",
                "ChildSecurityAssociationParameters", "EnablePFS", "DeadPeerDetectionRate",
                "DisableMOBIKE", "DisableRedirect", "NATKeepAliveInterval", "MTU",
                "IncludeAllNetworks", "ExcludeLocalNetworks", "EnableCertificateRevocationCheck",
                "OnDemandEnabled", NULL
        };
        static const char *const ignored[] = {
                "NATKeepAliveOffloadEnable", "UseConfigurationAttributeInternalIPSubnet",
                "EnableFallback", "TLSMinimumVersion", "TLSMaximumVersion", "OnDemandRules",
                "OnDemandUserOverrideDisabled", "PasswordPromptEnabled", "ProviderType",
                "PPK", "EnforceRoutes", "ExcludeCellularServices", "ExcludeAPNs",
                "ExcludeDeviceCommunication", "DisconnectOnIdle", "DisconnectOnIdleTimer",
                "AuthenticationMethodServer", NULL
        };
        struct profile *p = m->p;
        const struct plist *v;
        const char *s, *auth;
        bool ext = false, flag = false, pfs = false;
        int64_t n;

        ctx_set_field(m->c, PF_HOST, join(m, base, "RemoteAddress"));
        ctx_set_field(m->c, PF_REMOTE_ID, join(m, base, "RemoteIdentifier"));
        ctx_set_field(m->c, PF_LOCAL_ID, join(m, base, "LocalIdentifier"));
        ctx_set_field(m->c, PF_AUTH, join(m, base, "AuthenticationMethod"));
        ctx_set_field(m->c, PF_EAP_ID, join(m, base, "AuthName"));
        ctx_set_field(m->c, PF_EAP_PASSWORD, join(m, base, "AuthPassword"));
        ctx_set_field(m->c, PF_PKCS12, join(m, base, "PayloadCertificateUUID"));
        ctx_set_field(m->c, PF_KEY_TYPE, join(m, base, "CertificateType"));
        ctx_set_field(m->c, PF_SERVER_CN, join(m, base, "ServerCertificateCommonName"));
        ctx_set_field(m->c, PF_SERVER_CA_CN, join(m, base, "ServerCertificateIssuerCommonName"));
        ctx_set_field(m->c, PF_IKE, join(m, base, "IKESecurityAssociationParameters"));
        ctx_set_field(m->c, PF_ESP, join(m, base, "ChildSecurityAssociationParameters"));
        ctx_set_field(m->c, PF_IKE_LIFETIME,
                      join(m, base, "IKESecurityAssociationParameters/LifeTimeInMinutes"));
        ctx_set_field(m->c, PF_CHILD_LIFETIME,
                      join(m, base, "ChildSecurityAssociationParameters/LifeTimeInMinutes"));
        ctx_set_field(m->c, PF_DPD, join(m, base, "DeadPeerDetectionRate"));
        ctx_set_field(m->c, PF_KEEPALIVE, join(m, base, "NATKeepAliveInterval"));
        ctx_set_field(m->c, PF_MTU, join(m, base, "MTU"));

        if (!plist_get(ik, "RemoteAddress"))
                fail(m, PROFILE_E_MISSING, join(m, base, "RemoteAddress"),
                     "missing; expected the gateway's DNS name or IP address");
        else if ((s = get_str(m, ik, base, "RemoteAddress", 253)))
                profile_set_str(&p->host, s);
        if ((s = get_str(m, ik, base, "RemoteIdentifier", PROFILE_MAX_STRING)) && *s)
                profile_set_str(&p->remote_id, s);
        if ((s = get_str(m, ik, base, "LocalIdentifier", PROFILE_MAX_STRING)) && *s)
                profile_set_str(&p->local_id, s);
        if ((s = get_str(m, ik, base, "ServerCertificateCommonName", PROFILE_MAX_STRING)) && *s)
                profile_set_str(&p->server_cn, s);
        if ((s = get_str(m, ik, base, "ServerCertificateIssuerCommonName", PROFILE_MAX_STRING)) &&
            *s)
                profile_set_str(&p->server_ca_cn, s);

        /* Authentication: AuthenticationMethod x ExtendedAuthEnabled. */
        auth = get_str(m, ik, base, "AuthenticationMethod", 32);
        if (!auth)
                auth = "None";
        get_flag(m, ik, base, "ExtendedAuthEnabled", &ext);
        if (strcmp(auth, "SharedSecret") == 0) {
                fail(m, PROFILE_E_UNSUPPORTED, join(m, base, "AuthenticationMethod"),
                     "SharedSecret (pre-shared key) authentication is not supported by tsunagu; "
                     "expected Certificate, or None with ExtendedAuthEnabled (EAP)");
        } else if (strcmp(auth, "Certificate") == 0) {
                p->auth = ext ? PROFILE_AUTH_CERT_EAP : PROFILE_AUTH_CERT;
        } else if (strcmp(auth, "None") == 0) {
                if (!ext)
                        fail(m, PROFILE_E_VALUE, join(m, base, "AuthenticationMethod"),
                             "None without ExtendedAuthEnabled leaves the client "
                             "unauthenticated; expected Certificate, or ExtendedAuthEnabled = 1");
                /* EAP-only; with an identity certificate it is EAP-TLS. */
                p->auth = plist_get(ik, "PayloadCertificateUUID") ? PROFILE_AUTH_EAP_TLS
                                                                 : PROFILE_AUTH_EAP_MSCHAPV2;
        } else {
                fail(m, PROFILE_E_VALUE, join(m, base, "AuthenticationMethod"),
                     "'%s'; expected Certificate, None or SharedSecret", auth);
        }
        if ((s = get_str(m, ik, base, "AuthName", PROFILE_MAX_STRING)) && *s)
                profile_set_str(&p->eap_id, s);
        v = plist_get(ik, "AuthPassword");
        if (v && v->type != PLIST_STRING) {
                fail(m, PROFILE_E_TYPE, join(m, base, "AuthPassword"), "is %s; expected a string",
                     plist_type_name(v->type));
        } else if (v && *v->str) {
                if (m->c->opts && m->c->opts->keep_secrets)
                        profile_set_secret(&p->eap_password, v->str);
                else
                        report_warn(m->c->report, PROFILE_W_SECRET, join(m, base, "AuthPassword"),
                                    "not kept: storing the password was not allowed (it will be "
                                    "asked when connecting)");
        }
        if ((s = get_str(m, ik, base, "PayloadCertificateUUID", 64)))
                read_identity(m, s, join(m, base, "PayloadCertificateUUID"));
        else if (p->auth == PROFILE_AUTH_CERT || p->auth == PROFILE_AUTH_CERT_EAP)
                fail(m, PROFILE_E_MISSING, join(m, base, "PayloadCertificateUUID"),
                     "missing; certificate authentication needs the PayloadUUID of a "
                     "com.apple.security.pkcs12 payload");
        if ((s = get_str(m, ik, base, "CertificateType", 32))) {
                size_t i;

                for (i = 0; i < G_N_ELEMENTS(cert_types); i++)
                        if (strcmp(s, cert_types[i].name) == 0)
                                break;
                if (i == G_N_ELEMENTS(cert_types))
                        fail(m, PROFILE_E_VALUE, join(m, base, "CertificateType"),
                             "'%s'; expected RSA, ECDSA256, ECDSA384, ECDSA521 or Ed25519", s);
                else if (profile_auth_uses_certificate(p->auth))
                        p->key_type = cert_types[i].type;
        }

        /* Security associations. */
        get_flag(m, ik, base, "EnablePFS", &pfs);
        if ((v = get(m, ik, base, "IKESecurityAssociationParameters", PLIST_DICT))) {
                char *prop = sa_params(m, v, join(m, base, "IKESecurityAssociationParameters"),
                                       true, false, &p->ike_lifetime);

                g_free(p->ike_proposal);
                p->ike_proposal = prop;
                p->ike_rekey_margin = MIN(p->ike_rekey_margin, p->ike_lifetime / 4);
        }
        if ((v = get(m, ik, base, "ChildSecurityAssociationParameters", PLIST_DICT))) {
                char *prop = sa_params(m, v, join(m, base, "ChildSecurityAssociationParameters"),
                                       false, pfs, &p->child_lifetime);

                g_free(p->esp_proposal);
                p->esp_proposal = prop;
                p->child_rekey_margin = MIN(p->child_rekey_margin, p->child_lifetime / 4);
        } else if (pfs) {
                /* Apple's child defaults, with the IKE group for PFS. */
                p->esp_proposal = g_strdup("aes256-sha256-modp2048!");
        }

        if ((s = get_str(m, ik, base, "DeadPeerDetectionRate", 16))) {
                size_t i;

                for (i = 0; i < G_N_ELEMENTS(dpd_rates); i++)
                        if (strcmp(s, dpd_rates[i].name) == 0)
                                break;
                if (i == G_N_ELEMENTS(dpd_rates))
                        fail(m, PROFILE_E_VALUE, join(m, base, "DeadPeerDetectionRate"),
                             "'%s'; expected None, Low, Medium or High", s);
                else
                        p->dpd_interval = dpd_rates[i].seconds;
        } else if (!plist_get(ik, "DeadPeerDetectionRate")) {
                p->dpd_interval = 10 * 60; /* Apple's default: Medium */
        }
        if (get_flag(m, ik, base, "DisableMOBIKE", &flag) > 0)
                p->mobike = !flag;
        if (get_flag(m, ik, base, "DisableRedirect", &flag) > 0)
                p->redirect = !flag;
        if (get_int(m, ik, base, "NATKeepAliveInterval", 0, 86400, &n) > 0)
                p->nat_keepalive = (uint32_t)n;
        if (get_int(m, ik, base, "MTU", 0, 65535, &n) > 0)
                p->mtu = (uint32_t)n;
        if (get_flag(m, ik, base, "IncludeAllNetworks", &flag) > 0 && flag) {
                p->tunnel = PROFILE_TUNNEL_FULL;
                p->kill_switch = true;
        }
        if (get_flag(m, ik, base, "ExcludeLocalNetworks", &flag) > 0)
                p->allow_lan = flag;
        if (get_flag(m, ik, base, "EnableCertificateRevocationCheck", &flag) > 0)
                p->revocation_crl = p->revocation_ocsp = flag;
        if (get_flag(m, ik, base, "OnDemandEnabled", &flag) > 0 && flag) {
                p->auto_connect = true;
                report_warn(m->c->report, PROFILE_W_NOTE, join(m, base, "OnDemandEnabled"),
                            "imported as auto-connect; on-demand rules are not evaluated");
        }
        warn_unknown(m, ik, base, known, ignored);
}

static void read_vpn(struct mc *m, const struct plist *vpn, size_t index)
{
        static const char *const known[] = {
                "PayloadType", "PayloadUUID", "PayloadIdentifier", "PayloadVersion",
                "PayloadDisplayName", "PayloadDescription", "PayloadOrganization",
                "UserDefinedName", "VPNType", "VPNSubType", "IKEv2", "DNS", "IPv4", NULL
        };
        static const char *const ignored[] = { "Proxies", "VendorConfig", "OnDemandEnabled",
                                                "OnDemandRules", "VPN", NULL };
        const char *base = ctx_printf(m->c, "PayloadContent[%zu]", index);
        const struct plist *ik, *ipv4;
        const char *s;
        bool flag = false;

        ctx_set_field(m->c, PF_UUID, join(m, base, "PayloadUUID"));
        ctx_set_field(m->c, PF_NAME, join(m, base, "UserDefinedName"));
        if (!plist_get(vpn, "PayloadUUID"))
                fail(m, PROFILE_E_MISSING, join(m, base, "PayloadUUID"),
                     "missing; expected the payload's UUID");
        else if ((s = get_str(m, vpn, base, "PayloadUUID", 64)) && parse_uuid(s, m->p->uuid) < 0)
                fail(m, PROFILE_E_VALUE, join(m, base, "PayloadUUID"),
                     "'%s' is not a UUID; expected the RFC 4122 form", s);
        s = get_str(m, vpn, base, "UserDefinedName", PROFILE_MAX_NAME);
        if (!s || !*s) {
                ctx_set_field(m->c, PF_NAME, "PayloadDisplayName");
                s = get_str(m, m->root, "", "PayloadDisplayName", PROFILE_MAX_NAME);
        }
        if (!s || !*s) {
                ctx_set_field(m->c, PF_NAME, join(m, base, "PayloadDisplayName"));
                s = get_str(m, vpn, base, "PayloadDisplayName", PROFILE_MAX_NAME);
        }
        if (s && *s)
                profile_set_str(&m->p->name, s);

        ik = get(m, vpn, base, "IKEv2", PLIST_DICT);
        if (!ik) {
                if (!plist_get(vpn, "IKEv2"))
                        fail(m, PROFILE_E_MISSING, join(m, base, "IKEv2"),
                             "missing; expected the IKEv2 settings dictionary");
                return;
        }
        /* Routes: IncludeAllNetworks (in IKEv2) or IPv4/OverridePrimary send
         * everything through the tunnel; otherwise what the gateway offers. */
        m->p->tunnel = PROFILE_TUNNEL_SPLIT;
        m->p->kill_switch = false;
        ipv4 = get(m, vpn, base, "IPv4", PLIST_DICT);
        if (ipv4 && get_flag(m, ipv4, join(m, base, "IPv4"), "OverridePrimary", &flag) > 0 && flag)
                m->p->tunnel = PROFILE_TUNNEL_FULL;
        read_ikev2(m, ik, join(m, base, "IKEv2"));
        read_dns(m, vpn, base);
        warn_unknown(m, vpn, base, known, ignored);
}

static int import_plist(struct mc *m, const struct plist *root)
{
        static const char *const known[] = {
                "PayloadContent", "PayloadDisplayName", "PayloadIdentifier", "PayloadType",
                "PayloadUUID", "PayloadVersion", "PayloadDescription", "PayloadOrganization",
                "PayloadRemovalDisallowed", "PayloadScope", "ConsentText", "DurationUntilRemoval",
                "RemovalDate", "PayloadExpirationDate", "HasRemovalPasscode", "TargetDeviceType",
                "RemovalPassword", NULL
        };
        g_autoptr(GPtrArray) ca_fields = g_ptr_array_new();
        const struct plist *content, *vpn = NULL;
        const char *type;
        size_t vpn_index = 0, n_vpn = 0;

        if (root->type != PLIST_DICT)
                return fail(m, PROFILE_E_TYPE, "", "the property list is %s; expected a dictionary",
                            plist_type_name(root->type));
        if (plist_get(root, "EncryptedPayloadContent"))
                return fail(m, PROFILE_E_UNSUPPORTED, "EncryptedPayloadContent",
                            "encrypted profiles are not supported; export it unencrypted");
        type = get_str(m, root, "", "PayloadType", 64);
        if (type && strcmp(type, "Configuration") != 0)
                return fail(m, PROFILE_E_VALUE, "PayloadType",
                            "'%s'; expected Configuration (a configuration profile)", type);
        content = get(m, root, "", "PayloadContent", PLIST_ARRAY);
        if (!content) {
                if (!plist_get(root, "PayloadContent"))
                        fail(m, PROFILE_E_MISSING, "PayloadContent",
                             "missing; expected the array of payloads");
                return -EINVAL;
        }
        for (size_t i = 0; i < content->array.n; i++) {
                const struct plist *pl = content->array.items[i];
                const char *base = ctx_printf(m->c, "PayloadContent[%zu]", i);
                const char *pt, *vt;

                if (pl->type != PLIST_DICT) {
                        fail(m, PROFILE_E_TYPE, base, "is %s; expected a payload dictionary",
                             plist_type_name(pl->type));
                        continue;
                }
                pt = get_str(m, pl, base, "PayloadType", 128);
                if (!pt) {
                        if (!plist_get(pl, "PayloadType"))
                                fail(m, PROFILE_E_MISSING, join(m, base, "PayloadType"),
                                     "missing; every payload has a type");
                        continue;
                }
                if (strcmp(pt, "com.apple.vpn.managed") == 0) {
                        vt = get_str(m, pl, base, "VPNType", 64);
                        if (vt && strcmp(vt, "IKEv2") == 0) {
                                n_vpn++;
                                vpn = pl;
                                vpn_index = i;
                        } else {
                                report_warn(m->c->report, PROFILE_W_IGNORED,
                                            join(m, base, "VPNType"),
                                            "a %s VPN payload, ignored (tsunagu imports IKEv2)",
                                            vt ? vt : "untyped");
                        }
                } else if (strcmp(pt, "com.apple.security.root") == 0 ||
                           strcmp(pt, "com.apple.security.pkcs1") == 0 ||
                           strcmp(pt, "com.apple.security.pem") == 0) {
                        read_ca_payload(m, pl, i, pt, ca_fields);
                } else if (strcmp(pt, "com.apple.security.pkcs12") == 0) {
                        /* Read when the VPN payload refers to it. */
                } else {
                        report_warn(m->c->report, PROFILE_W_IGNORED, join(m, base, "PayloadType"),
                                    "payload %s has nothing to do with IKEv2, ignored", pt);
                }
        }
        warn_unknown(m, root, "", known, NULL);
        if (n_vpn == 0)
                return fail(m, PROFILE_E_MISSING, "PayloadContent",
                            "no com.apple.vpn.managed payload with VPNType IKEv2");
        if (n_vpn > 1)
                return fail(m, PROFILE_E_UNSUPPORTED, "PayloadContent",
                            "%zu IKEv2 VPN payloads; import them one file at a time", n_vpn);
        if (m->p->n_ca_certs > 0) {
                m->p->ca_trust = PROFILE_CA_EMBEDDED;
                m->c->ca_field = g_new(const char *, ca_fields->len);
                memcpy(m->c->ca_field, ca_fields->pdata, ca_fields->len * sizeof(char *));
        }
        read_vpn(m, vpn, vpn_index);
        return m->r;
}

int mobileconfig_import(const uint8_t *data, size_t len, struct import_ctx *c,
                        struct profile **ret)
{
        _cleanup_(profile_freep) struct profile *p = profile_new();
        _cleanup_(plist_freep) struct plist *root = NULL;
        g_autofree char *why = NULL;
        struct bytes signed_content = { 0 };
        struct mc m = { .c = c, .p = p };
        int r;

        if (cms_looks_signed(data, len)) {
                r = cms_unwrap(data, len, c, &signed_content);
                if (r < 0)
                        return r;
                data = signed_content.ptr;
                len = signed_content.len;
                if (check_file_bytes(c->report, data, len,
                                     !(len >= 8 && memcmp(data, "bplist00", 8) == 0)) < 0) {
                        bytes_free_secret(&signed_content);
                        return -EINVAL;
                }
        }
        r = plist_parse(data, len, &root, &why);
        bytes_free_secret(&signed_content);
        if (r < 0) {
                report_error(c->report, r == -E2BIG ? PROFILE_E_LIMIT : PROFILE_E_SYNTAX, "",
                             "not a valid property list: %s", why);
                return -EINVAL;
        }
        m.root = root;
        r = import_plist(&m, root);
        plist_wipe(root);
        if (r < 0 || m.r < 0)
                return -EINVAL;
        if (profile_check(p, c) < 0)
                return -EINVAL;
        /* The PKCS#12 password served to check the identity; it is kept only
         * when the user agreed. */
        if (p->client_passphrase && !(c->opts && c->opts->keep_secrets)) {
                secret_str_free(p->client_passphrase);
                p->client_passphrase = NULL;
                report_warn(c->report, PROFILE_W_SECRET, ctx_field(c, PF_PASSPHRASE),
                            "not kept: storing the PKCS#12 password was not allowed (it will be "
                            "asked when connecting)");
        }
        *ret = TAKE_PTR(p);
        return 0;
}
