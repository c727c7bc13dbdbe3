/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * From a profile to an initiator: credentials (the client certificate and
 * its key, decrypted with a passphrase asked for when needed), the trust
 * anchors, the identities, and everything else struct ike_initiator_config
 * holds.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include <openssl/ssl.h>

#include "client/crypto/x509.h"
#include "client/ike/eap.h"
#include "client/engine/engine-internal.h"
#include "client/ike/ikev2.h"
#include "client/profile/pki.h"

/* The system trust store (Debian's ca-certificates bundle). */
#define SYSTEM_CA_BUNDLE "/etc/ssl/certs/ca-certificates.crt"

/* Read once per process (engine_preload(), or the first engine that needs
 * it); engines take up-referenced copies. */
static STACK_OF(X509) * system_cas;

static int load_system_cas(void)
{
        g_autofree char *data = NULL;
        gsize len = 0;

        if (system_cas)
                return 0;
        if (!g_file_get_contents(SYSTEM_CA_BUNDLE, &data, &len, NULL))
                return -ENOENT;
        if (crypto_certs_load(SLICE(data, len), &system_cas) <= 0)
                return -EBADMSG;
        return 0;
}

int engine_preload(void)
{
        int r;

        (void)OPENSSL_init_ssl(OPENSSL_INIT_LOAD_CONFIG | OPENSSL_INIT_LOAD_SSL_STRINGS |
                                       OPENSSL_INIT_LOAD_CRYPTO_STRINGS,
                               NULL);
        (void)load_system_cas(); /* optional: only system-trust profiles need it */
        r = eap_preload();
        return r < 0 ? -ENOTSUP : 0;
}

static void certs_free(STACK_OF(X509) * s)
{
        sk_X509_pop_free(s, X509_free);
}

void engine_setup_free(struct engine *e)
{
        X509_free(e->cert);
        EVP_PKEY_free(e->key);
        certs_free(e->chain);
        certs_free(e->trusted);
        e->cert = NULL;
        e->key = NULL;
        e->chain = NULL;
        e->trusted = NULL;
}

static void ask(struct engine *e, enum engine_secret_kind kind, const char *prompt)
{
        e->waiting_secret = true;
        e->waiting_kind = kind;
        e->core_waiting = false;
        if (e->cb.need_secret)
                e->cb.need_secret(e->ud, kind, prompt);
}

static int load_credentials(struct engine *e)
{
        const struct profile *p = e->prof;
        char prompt[300];
        int r;

        if (e->cert || !profile_auth_uses_certificate(p->auth))
                return 0;
        r = profile_load_client(p, e->passphrase ? e->passphrase : p->client_passphrase, &e->cert,
                                &e->key, &e->chain);
        if (r == -EKEYREJECTED) {
                if (e->passphrase) {
                        engine_fail(e, ENGINE_ERROR_NO_SECRET,
                                    "the passphrase of the client certificate is wrong");
                        return -EKEYREJECTED;
                }
                snprintf(prompt, sizeof(prompt), "Passphrase for the client certificate of %s",
                         p->name);
                ask(e, ENGINE_SECRET_PASSPHRASE, prompt);
                return -EAGAIN;
        }
        if (r < 0) {
                engine_fail(e, ENGINE_ERROR_PROFILE, "the client certificate cannot be used: %s",
                            r == -ENOENT ? "the profile has none" : g_strerror(-r));
                return r;
        }
        return 0;
}

static int load_trust(struct engine *e)
{
        const struct profile *p = e->prof;
        int r;

        if (e->trusted)
                return 0;
        if (p->ca_trust == PROFILE_CA_EMBEDDED) {
                r = profile_load_cas(p, &e->trusted);
                if (r < 0 || sk_X509_num(e->trusted) == 0) {
                        engine_fail(e, ENGINE_ERROR_PROFILE,
                                    "the profile's CA certificates cannot be loaded");
                        return -EINVAL;
                }
                return 0;
        }
        if (load_system_cas() < 0) {
                engine_fail(e, ENGINE_ERROR_PROFILE,
                            "the profile trusts the system's CAs, but %s cannot be read",
                            SYSTEM_CA_BUNDLE);
                return -ENOENT;
        }
        e->trusted = sk_X509_new_null();
        for (int i = 0; e->trusted && i < sk_X509_num(system_cas); i++) {
                X509 *x = sk_X509_value(system_cas, i);

                if (X509_up_ref(x) && !sk_X509_push(e->trusted, x))
                        X509_free(x);
        }
        if (!e->trusted || sk_X509_num(e->trusted) == 0) {
                engine_fail(e, ENGINE_ERROR_INTERNAL, "out of memory");
                return -ENOMEM;
        }
        return 0;
}

int engine_sockaddr_to_ike(const struct sockaddr_storage *ss, struct ike_addr *ret)
{
        memset(ret, 0, sizeof(*ret));
        if (ss->ss_family == AF_INET) {
                const struct sockaddr_in *s = (const struct sockaddr_in *)ss;

                ret->family = 4;
                memcpy(ret->addr, &s->sin_addr, 4);
                ret->port = ntohs(s->sin_port);
                return 0;
        }
        if (ss->ss_family == AF_INET6) {
                const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)ss;

                ret->family = 6;
                memcpy(ret->addr, &s->sin6_addr, 16);
                ret->port = ntohs(s->sin6_port);
                return 0;
        }
        return -EAFNOSUPPORT;
}

void engine_ike_to_sockaddr(const struct ike_addr *a, struct sockaddr_storage *ret)
{
        memset(ret, 0, sizeof(*ret));
        if (a->family == 4) {
                struct sockaddr_in *s = (struct sockaddr_in *)ret;

                s->sin_family = AF_INET;
                memcpy(&s->sin_addr, a->addr, 4);
                s->sin_port = htons(a->port);
        } else if (a->family == 6) {
                struct sockaddr_in6 *s = (struct sockaddr_in6 *)ret;

                s->sin6_family = AF_INET6;
                memcpy(&s->sin6_addr, a->addr, 16);
                s->sin6_port = htons(a->port);
        }
}

static int default_local_id(struct engine *e, const struct ike_addr *local)
{
        /* IDi: the certificate's subject, or our address (strongSwan does
         * the same). */
        if (e->cert) {
                unsigned char *der = NULL;
                int len = i2d_X509_NAME(X509_get_subject_name(e->cert), &der);

                if (len <= 0 || (size_t)len > IKE_IDENTITY_MAX) {
                        OPENSSL_free(der);
                        return -EINVAL;
                }
                e->local_id.type = IKEV2_ID_DER_ASN1_DN;
                e->local_id.len = (size_t)len;
                memcpy(e->local_id.data, der, (size_t)len);
                OPENSSL_free(der);
                return 0;
        }
        e->local_id.type = local->family == 4 ? IKEV2_ID_IPV4_ADDR : IKEV2_ID_IPV6_ADDR;
        e->local_id.len = local->family == 4 ? 4 : 16;
        memcpy(e->local_id.data, local->addr, e->local_id.len);
        return 0;
}

static enum ike_auth_kind auth_kind(enum profile_auth a)
{
        switch (a) {
        case PROFILE_AUTH_CERT:
                return IKE_AUTH_KIND_CERT;
        case PROFILE_AUTH_CERT_EAP:
                return IKE_AUTH_KIND_CERT_EAP;
        default:
                return IKE_AUTH_KIND_EAP;
        }
}

int engine_setup(struct engine *e)
{
        const struct profile *p = e->prof;
        struct ike_initiator_config c = {0};
        struct proposal_list esp;
        const char *eap_id, *why = NULL;
        char prompt[300];
        int r;

        r = load_credentials(e);
        if (r < 0)
                return r;
        r = load_trust(e);
        if (r < 0)
                return r;

        c.rng = &tsu_rng_openssl;
        c.ike_proposals = &p->ike;
        engine_esp_proposals(p, &esp);
        c.esp_proposals = &esp;
        if (engine_sockaddr_to_ike(&e->p.gateway, &c.remote) < 0 ||
            engine_sockaddr_to_ike(&e->p.local, &c.local) < 0) {
                engine_fail(e, ENGINE_ERROR_INTERNAL, "gateway or local address is not IP");
                return -EINVAL;
        }
        c.gateway_host = p->host;
        if (p->local_id) {
                if (ike_identity_parse(p->local_id, &e->local_id, &why) < 0) {
                        engine_fail(e, ENGINE_ERROR_PROFILE, "[auth] local-id '%s': %s",
                                    p->local_id, why);
                        return -EINVAL;
                }
        } else if (default_local_id(e, &c.local) < 0) {
                engine_fail(e, ENGINE_ERROR_PROFILE, "no usable local identity");
                return -EINVAL;
        }
        c.local_id = &e->local_id;
        if (p->remote_id) {
                if (ike_identity_parse(p->remote_id, &e->remote_id, &why) < 0) {
                        engine_fail(e, ENGINE_ERROR_PROFILE, "[gateway] remote-id '%s': %s",
                                    p->remote_id, why);
                        return -EINVAL;
                }
                e->have_remote_id = true;
                c.remote_id = &e->remote_id;
        }
        c.server_cert_cn = p->server_cn;
        c.server_ca_cn = p->server_ca_cn;
        c.trusted = e->trusted;
        c.send_certreq = p->send_certreq && p->ca_trust == PROFILE_CA_EMBEDDED;
        c.auth = auth_kind(p->auth);
        c.cert = e->cert;
        c.key = e->key;
        c.chain = e->chain;
        c.rsa_pss = p->rsa_pss;

        if (c.auth != IKE_AUTH_KIND_CERT) {
                eap_id = p->eap_id ? p->eap_id : e->username;
                if (!eap_id) {
                        snprintf(prompt, sizeof(prompt), "User name for %s", p->name);
                        ask(e, ENGINE_SECRET_USERNAME, prompt);
                        return -EAGAIN;
                }
                c.eap.identity = SLICE(eap_id, strlen(eap_id));
                c.eap.method = profile_eap_type(p);
                if (c.eap.method == EAP_TYPE_TLS) {
                        c.eap.tls.cert = e->cert;
                        c.eap.tls.key = e->key;
                        c.eap.tls.chain = e->chain;
                        c.eap.tls.server_identity = p->remote_id ? p->remote_id : p->host;
                        c.eap.tls.now = g_get_real_time() / G_USEC_PER_SEC;
                        {
                                int n = MIN(sk_X509_num(e->trusted), ENGINE_MAX_TLS_CAS);

                                for (int i = 0; i < n; i++)
                                        e->tls_cas[i] = sk_X509_value(e->trusted, i);
                                c.eap.tls.ca_certs = e->tls_cas;
                                c.eap.tls.n_ca_certs = (size_t)n;
                        }
                } else {
                        const char *pw = e->password ? e->password : p->eap_password;

                        c.eap.secret = pw ? SLICE(pw, strlen(pw)) : SLICE(NULL, 0);
                }
        }
        c.allow_eap_only = false;
        c.retransmit.timeout_ms = p->retransmit_timeout * 1000u;
        c.retransmit.tries = (uint8_t)MIN(p->retransmit_tries, 20u);
        c.fragmentation = p->fragmentation;
        c.fragment_size = (uint16_t)(e->p.fragment_size ? e->p.fragment_size : 0);
        c.child_lifetime_s = p->child_lifetime;
        c.child_rekey_s = p->child_lifetime > p->child_rekey_margin
                                  ? p->child_lifetime - p->child_rekey_margin
                                  : 0;
        c.unix_time = g_get_real_time() / G_USEC_PER_SEC;
        c.dpd_interval_s = p->dpd_interval;
        c.ike_lifetime_s = p->ike_lifetime;
        c.ike_rekey_s = p->ike_lifetime > p->ike_rekey_margin
                                ? p->ike_lifetime - p->ike_rekey_margin
                                : 0;
        c.mobike = p->mobike;
        c.follow_redirects = p->redirect;
        c.reauth_s = p->reauth_time;
        /* RFC 5685 7: the attempt that follows a redirect says where from. */
        if (e->redirected_from.ss_family)
                (void)engine_sockaddr_to_ike(&e->redirected_from, &c.redirected_from);
        /* A reconnect or re-authentication asks for the virtual IPs it had:
         * given back, the tunnel's addresses and routes stay as they are. */
        if (e->vip.have_ip4) {
                c.request_ip4 = true;
                memcpy(c.prev_ip4, e->vip.ip4, 4);
        }
        if (e->vip.have_ip6) {
                c.request_ip6 = true;
                memcpy(c.prev_ip6, e->vip.ip6, 16);
        }

        r = ike_initiator_new(&c, &e->ini, &why);
        if (r < 0) {
                engine_fail(e, r == -ENOMEM ? ENGINE_ERROR_INTERNAL : ENGINE_ERROR_PROFILE,
                            "the profile cannot be used: %s", why ? why : g_strerror(-r));
                return r;
        }
        return 0;
}
