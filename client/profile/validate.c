/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Semantic checks on a filled profile, whatever format it came from: every
 * field in range, the combination makes sense, proposals parse, certificates
 * and keys are usable. All problems are reported (not only the first), each
 * under the field's name in the source format.
 */
#include <errno.h>
#include <string.h>

#include "client/ike/ikev2.h"
#include "internal.h"

struct range {
        enum pf field;
        uint32_t min, max;
        const char *zero; /* what 0 means ("off", "auto"), or NULL if not allowed */
        const char *unit;
};

static int check_range(struct import_ctx *c, const struct range *r, uint32_t v)
{
        if (v == 0 && r->zero)
                return 0;
        if (v >= r->min && v <= r->max)
                return 0;
        report_error(c->report, PROFILE_E_VALUE, ctx_field(c, r->field),
                     "%u is out of range; expected %s%s%s%u..%u %s", v, r->zero ? "0 (" : "",
                     r->zero ? r->zero : "", r->zero ? ") or " : "", r->min, r->max, r->unit);
        return -EINVAL;
}

static int check_string(struct import_ctx *c, enum pf f, const char *s, size_t max, bool required)
{
        const char *why;

        if (!s || !*s) {
                if (!required)
                        return 0;
                report_error(c->report, PROFILE_E_MISSING, ctx_field(c, f),
                             "missing; a value is required");
                return -EINVAL;
        }
        why = check_text(s, max);
        if (why) {
                report_error(c->report, PROFILE_E_VALUE, ctx_field(c, f),
                             "%s; expected printable UTF-8 text of at most %zu bytes", why, max);
                return -EINVAL;
        }
        return 0;
}

static int check_proposal(struct import_ctx *c, enum pf f, const char *s, enum proposal_kind kind,
                          struct proposal_list *effective)
{
        struct proposal_list l, defaults;
        struct proposal_error err = { 0 };
        const char *weak;
        int r;

        proposal_list_defaults(kind, &defaults);
        if (!s) {
                *effective = defaults;
                return 0;
        }
        r = proposal_list_parse(s, kind, &l, &err);
        if (r < 0) {
                report_error(c->report, r == -ENOTSUP ? PROFILE_E_UNSUPPORTED : PROFILE_E_VALUE,
                             ctx_field(c, f),
                             "%s (at character %zu); expected %s proposals in strongSwan syntax, "
                             "e.g. %s",
                             err.message, err.offset + 1, kind == PROPOSAL_IKE ? "IKE" : "ESP",
                             kind == PROPOSAL_IKE ? "aes256gcm16-prfsha384-ecp384"
                                                  : "aes256gcm16-ecp384");
                return -EINVAL;
        }
        if (proposal_list_weak(&l, &weak))
                report_warn(c->report, PROFILE_W_WEAK, ctx_field(c, f),
                            "offers '%s', a weak algorithm; prefer AES-GCM, SHA-2 and ECP/curve25519",
                            weak);
        if (!l.strict)
                proposal_list_merge(&l, &defaults);
        *effective = l;
        return 0;
}

static int check_domains(struct import_ctx *c, enum pf f, char **v)
{
        int r = 0;

        if (strv_len(v) > PROFILE_MAX_LIST) {
                report_error(c->report, PROFILE_E_LIMIT, ctx_field(c, f),
                             "%zu entries; at most %d are accepted", strv_len(v),
                             PROFILE_MAX_LIST);
                return -EINVAL;
        }
        for (size_t i = 0; v && v[i]; i++) {
                const char *why = check_domain(v[i]);

                if (why) {
                        report_error(c->report, PROFILE_E_VALUE, ctx_field(c, f),
                                     "'%s' %s; expected DNS domain names", v[i], why);
                        r = -EINVAL;
                }
        }
        return r;
}

static void drop_unused_credentials(struct profile *p, struct import_ctx *c)
{
        const char *method = profile_auth_to_string(p->auth);

        if (!profile_auth_uses_certificate(p->auth) &&
            (p->client_pkcs12.len > 0 || p->client_key.len > 0 || p->client_cert.len > 0)) {
                report_warn(c->report, PROFILE_W_IGNORED,
                            ctx_field(c, p->client_pkcs12.len > 0 ? PF_PKCS12 : PF_CLIENT_CERT),
                            "ignored and not kept: method %s uses no client certificate", method);
                bytes_free_secret(&p->client_pkcs12);
                bytes_free_secret(&p->client_key);
                bytes_free(&p->client_cert);
                secret_str_free(p->client_passphrase);
                p->client_passphrase = NULL;
        }
        if (!profile_auth_uses_password(p->auth) && p->eap_password) {
                report_warn(c->report, PROFILE_W_IGNORED, ctx_field(c, PF_EAP_PASSWORD),
                            "ignored and not kept: method %s uses no password", method);
                secret_str_free(p->eap_password);
                p->eap_password = NULL;
        }
}

static int check_credentials(struct profile *p, struct import_ctx *c, const char *passphrase)
{
        bool p12 = p->client_pkcs12.len > 0;
        bool pem = p->client_cert.len > 0 || p->client_key.len > 0;

        if (p->auth == PROFILE_AUTH_CERT_EAP && p->cert_eap_method != EAP_TYPE_MSCHAPV2 &&
            p->cert_eap_method != EAP_TYPE_MD5) {
                report_error(c->report, PROFILE_E_VALUE, ctx_field(c, PF_CERT_EAP_METHOD),
                             "EAP type %u cannot follow certificate authentication; expected "
                             "mschapv2 or md5",
                             p->cert_eap_method);
                return -EINVAL;
        }
        if (!profile_auth_uses_certificate(p->auth))
                return 0;
        if (p12 && pem) {
                report_error(c->report, PROFILE_E_VALUE, ctx_field(c, PF_PKCS12),
                             "give either a PKCS#12 or a certificate with its private key, not "
                             "both");
                return -EINVAL;
        }
        if (!p12 && !pem) {
                report_error(c->report, PROFILE_E_MISSING, ctx_field(c, PF_PKCS12),
                             "missing; method %s needs a client certificate and key (a PKCS#12, "
                             "or a certificate with its private key)",
                             profile_auth_to_string(p->auth));
                return -EINVAL;
        }
        if (pem && p->client_cert.len == 0) {
                report_error(c->report, PROFILE_E_MISSING, ctx_field(c, PF_CLIENT_CERT),
                             "missing; the private key needs its certificate");
                return -EINVAL;
        }
        if (pem && p->client_key.len == 0) {
                report_error(c->report, PROFILE_E_MISSING, ctx_field(c, PF_CLIENT_KEY),
                             "missing; the certificate needs its private key");
                return -EINVAL;
        }
        return pki_check_client(p, c, passphrase);
}

static int check_tunnel(struct profile *p, struct import_ctx *c)
{
        int r = 0;

        if (p->tunnel == PROFILE_TUNNEL_FULL && p->n_subnets > 0) {
                report_error(c->report, PROFILE_E_VALUE, ctx_field(c, PF_SUBNETS),
                             "subnets only apply to a split tunnel; remove them or set %s to split",
                             ctx_field(c, PF_TUNNEL));
                r = -EINVAL;
        }
        if (p->n_subnets > PROFILE_MAX_LIST || p->n_excluded > PROFILE_MAX_LIST ||
            p->n_dns_servers > PROFILE_MAX_LIST) {
                report_error(c->report, PROFILE_E_LIMIT,
                             ctx_field(c, p->n_subnets > PROFILE_MAX_LIST    ? PF_SUBNETS
                                          : p->n_excluded > PROFILE_MAX_LIST ? PF_EXCLUDED
                                                                             : PF_DNS_SERVERS),
                             "more than %d entries", PROFILE_MAX_LIST);
                r = -EINVAL;
        }
        for (size_t i = 0; i < p->n_excluded; i++)
                if (p->excluded[i].prefixlen == 0) {
                        report_error(c->report, PROFILE_E_VALUE, ctx_field(c, PF_EXCLUDED),
                                     "excluding a whole address family (/0) leaves nothing to "
                                     "tunnel; use block-ipv4/block-ipv6 or split subnets");
                        r = -EINVAL;
                        break;
                }
        return r;
}

int profile_check(struct profile *p, struct import_ctx *c)
{
        static const struct range ranges[] = {
                { PF_IKE_LIFETIME, 300, 7 * 86400, NULL, "seconds (5 minutes to 7 days)" },
                { PF_CHILD_LIFETIME, 60, 7 * 86400, NULL, "seconds (1 minute to 7 days)" },
                { PF_DPD, 5, 86400, "off", "seconds" },
                { PF_KEEPALIVE, 5, 3600, "off", "seconds" },
                { PF_MTU, 576, 9000, "auto", "bytes" },
                { PF_RETRANSMIT_TIMEOUT, 1, 60, NULL, "seconds" },
                { PF_RETRANSMIT_TRIES, 0, 20, NULL, "retransmissions" },
                { PF_REAUTH, 60, 7 * 86400, "off", "seconds (1 minute to 7 days)" },
        };
        const uint32_t values[] = { p->ike_lifetime,       p->child_lifetime,
                                    p->dpd_interval,       p->nat_keepalive,
                                    p->mtu,                p->retransmit_timeout,
                                    p->retransmit_tries,   p->reauth_time };
        const char *why;
        int r = 0;

        G_STATIC_ASSERT(G_N_ELEMENTS(ranges) == G_N_ELEMENTS(values));

        if (check_string(c, PF_NAME, p->name, PROFILE_MAX_NAME, true) < 0)
                r = -EINVAL;
        if (!p->uuid[0]) {
                report_error(c->report, PROFILE_E_MISSING, ctx_field(c, PF_UUID),
                             "missing; expected an RFC 4122 UUID");
                r = -EINVAL;
        }
        if (check_string(c, PF_HOST, p->host, 253, true) < 0) {
                r = -EINVAL;
        } else if ((why = check_host(p->host))) {
                report_error(c->report, PROFILE_E_VALUE, ctx_field(c, PF_HOST),
                             "'%s' %s; expected a DNS name or an IP address", p->host, why);
                r = -EINVAL;
        }
        if (p->port == 0) {
                report_error(c->report, PROFILE_E_VALUE, ctx_field(c, PF_PORT),
                             "0 is not a port; expected 1..65535");
                r = -EINVAL;
        }
        if (check_string(c, PF_REMOTE_ID, p->remote_id, PROFILE_MAX_STRING, false) < 0 ||
            check_string(c, PF_SERVER_CN, p->server_cn, PROFILE_MAX_STRING, false) < 0 ||
            check_string(c, PF_SERVER_CA_CN, p->server_ca_cn, PROFILE_MAX_STRING, false) < 0 ||
            check_string(c, PF_LOCAL_ID, p->local_id, PROFILE_MAX_STRING, false) < 0 ||
            check_string(c, PF_EAP_ID, p->eap_id, PROFILE_MAX_STRING, false) < 0)
                r = -EINVAL;
        if (p->eap_password && strlen(p->eap_password) > PROFILE_MAX_STRING) {
                report_error(c->report, PROFILE_E_LIMIT, ctx_field(c, PF_EAP_PASSWORD),
                             "longer than %d bytes", PROFILE_MAX_STRING);
                r = -EINVAL;
        }

        /* trust */
        if (p->n_ca_certs > PROFILE_MAX_CA_CERTS) {
                report_error(c->report, PROFILE_E_LIMIT, ctx_field(c, PF_CA_CERTS),
                             "%zu certificates; at most %d are accepted", p->n_ca_certs,
                             PROFILE_MAX_CA_CERTS);
                r = -EINVAL;
        } else {
                for (size_t i = 0; i < p->n_ca_certs; i++) {
                        const char *f = c->ca_field ? c->ca_field[i]
                                        : p->n_ca_certs > 1
                                                ? ctx_printf(c, "%s[%zu]", ctx_field(c, PF_CA_CERTS), i)
                                                : ctx_field(c, PF_CA_CERTS);

                        if (pki_check_ca(c, f, SLICE_OF(p->ca_certs[i])) < 0)
                                r = -EINVAL;
                }
        }
        if (p->ca_trust == PROFILE_CA_EMBEDDED && p->n_ca_certs == 0) {
                report_error(c->report, PROFILE_E_MISSING, ctx_field(c, PF_CA_CERTS),
                             "missing; %s is embedded, which needs at least one CA certificate",
                             ctx_field(c, PF_CA_TRUST));
                r = -EINVAL;
        }
        if (p->ca_trust == PROFILE_CA_SYSTEM && p->n_ca_certs > 0) {
                report_error(c->report, PROFILE_E_VALUE, ctx_field(c, PF_CA_TRUST),
                             "is system, but CA certificates are given; set it to embedded to use "
                             "them, or remove them");
                r = -EINVAL;
        }

        /* authentication */
        drop_unused_credentials(p, c);
        if (check_credentials(p, c, c->opts ? c->opts->passphrase : NULL) < 0)
                r = -EINVAL;

        /* crypto */
        if (check_proposal(c, PF_IKE, p->ike_proposal, PROPOSAL_IKE, &p->ike) < 0)
                r = -EINVAL;
        if (check_proposal(c, PF_ESP, p->esp_proposal, PROPOSAL_ESP, &p->esp) < 0)
                r = -EINVAL;
        for (size_t i = 0; i < G_N_ELEMENTS(ranges); i++)
                if (check_range(c, &ranges[i], values[i]) < 0)
                        r = -EINVAL;
        /* Tiny limits would rekey without end (and the gateway may refuse). */
        if (p->child_lifetime_bytes && p->child_lifetime_bytes < PROFILE_CHILD_BYTES_MIN) {
                report_error(c->report, PROFILE_E_VALUE, ctx_field(c, PF_CHILD_BYTES),
                             "%" G_GUINT64_FORMAT " is out of range; expected 0 (no limit) or "
                             "at least %llu bytes (1 MiB)",
                             p->child_lifetime_bytes, (unsigned long long)PROFILE_CHILD_BYTES_MIN);
                r = -EINVAL;
        }
        if (p->child_lifetime_packets && p->child_lifetime_packets < PROFILE_CHILD_PACKETS_MIN) {
                report_error(c->report, PROFILE_E_VALUE, ctx_field(c, PF_CHILD_PACKETS),
                             "%" G_GUINT64_FORMAT " is out of range; expected 0 (no limit) or "
                             "at least %llu packets",
                             p->child_lifetime_packets,
                             (unsigned long long)PROFILE_CHILD_PACKETS_MIN);
                r = -EINVAL;
        }
        if (p->ike_rekey_margin >= p->ike_lifetime) {
                report_error(c->report, PROFILE_E_VALUE, ctx_field(c, PF_IKE_MARGIN),
                             "%u s is not less than %s (%u s)", p->ike_rekey_margin,
                             ctx_field(c, PF_IKE_LIFETIME), p->ike_lifetime);
                r = -EINVAL;
        }
        if (p->child_rekey_margin >= p->child_lifetime) {
                report_error(c->report, PROFILE_E_VALUE, ctx_field(c, PF_CHILD_MARGIN),
                             "%u s is not less than %s (%u s)", p->child_rekey_margin,
                             ctx_field(c, PF_CHILD_LIFETIME), p->child_lifetime);
                r = -EINVAL;
        }
        if (p->mtu > 0 && p->mtu < 1280)
                report_warn(c->report, PROFILE_W_NOTE, ctx_field(c, PF_MTU),
                            "%u is below 1280: IPv6 cannot run through the tunnel", p->mtu);

        /* routes and DNS */
        if (check_tunnel(p, c) < 0)
                r = -EINVAL;
        if (check_domains(c, PF_DNS_SEARCH, p->dns_search) < 0 ||
            check_domains(c, PF_DNS_ROUTING, p->dns_routing) < 0)
                r = -EINVAL;
        return r;
}

int profile_validate(struct profile *p, const char *passphrase, int64_t now,
                     struct profile_report *report)
{
        struct profile_import_options opts = { .passphrase = passphrase, .now = now };
        struct import_ctx c;
        int r;

        import_ctx_init(&c, report, &opts);
        r = profile_check(p, &c);
        import_ctx_clear(&c);
        return r;
}
