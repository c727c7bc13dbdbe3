/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * AUTH payloads (RFC 7296 2.15, 2.16; RFC 7427) and the authentication of
 * the gateway: its certificate chain against the profile's CAs, its
 * identity, its signature over the responder's octets.
 *
 *   initiator octets: RealMessage1 | Nr | prf(SK_pi, IDi body)
 *   responder octets: RealMessage2 | Ni | prf(SK_pr, IDr body)
 *
 * Certificates: RFC 7296 3.6 "X.509 Certificate - Signature" (4) only; the
 * first one is the gateway's own, the others are intermediates it offers
 * (untrusted until they chain to one of our anchors).
 */
#include <errno.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "client/crypto/sig.h"
#include "client/ike/ikev2-names.h"
#include "client/ike/initiator-internal.h"

static void certs_freep(STACK_OF(X509) * *s)
{
        sk_X509_pop_free(*s, X509_free);
}

static int initiator_octets(struct ike_initiator *ini, struct bytes *ret)
{
        return ike_auth_octets(ini->prf, SLICE_OF(ini->sa_init_req), SLICE_OF(ini->nr),
                               SLICE_OF(ini->keys.sk_pi), SLICE_OF(ini->auth.idi_body), ret);
}

static int responder_octets(struct ike_initiator *ini, struct bytes *ret)
{
        return ike_auth_octets(ini->prf, SLICE_OF(ini->sa_init_resp), SLICE_OF(ini->ni),
                               SLICE_OF(ini->keys.sk_pr), SLICE_OF(ini->auth.idr_body), ret);
}

int ini_add_signature_auth(struct ike_initiator *ini, struct ike_chain *c)
{
        struct bytes octets = {0}, sig = {0};
        enum crypto_sig_scheme scheme = CRYPTO_SIG_NONE;
        uint8_t method = 0;
        int r;

        r = initiator_octets(ini, &octets);
        if (r < 0)
                return r;
        /* RFC 7427 when the gateway announced hash algorithms we share. */
        if (ini->n_peer_hashes > 0 &&
            crypto_sig_pick_scheme(ini->key, ini->peer_hashes, ini->n_peer_hashes, ini->rsa_pss,
                                   &scheme) == 0)
                method = IKEV2_AUTH_DIGITAL_SIGNATURE;
        else if (crypto_sig_classic_method(ini->key, &method) < 0) {
                bytes_free(&octets);
                ini_fail(ini, IKE_FAIL_LOCAL, 0,
                         "our key cannot sign: the gateway announced no signature hash we "
                         "share, and the key has no classic AUTH method");
                return -ENOTSUP;
        }
        r = crypto_auth_sign(ini->key, method, scheme, SLICE_OF(octets), &sig);
        bytes_free(&octets);
        if (r < 0) {
                ini_fail(ini, IKE_FAIL_LOCAL, 0, "signing our AUTH payload failed: %s",
                         strerror(-r));
                return r;
        }
        r = ike_chain_add_auth(c, method, SLICE_OF(sig));
        ini_log(ini, IKE_LOG_DEBUG, "authenticating with our certificate (AUTH %s%s%s)",
                ikev2_auth_method_name(method, IKEV2_NAME_TMP),
                method == IKEV2_AUTH_DIGITAL_SIGNATURE ? ", " : "",
                method == IKEV2_AUTH_DIGITAL_SIGNATURE ? crypto_sig_scheme_name(scheme) : "");
        bytes_free(&sig);
        return r;
}

int ini_add_msk_auth(struct ike_initiator *ini, struct ike_chain *c, struct slice key)
{
        uint8_t mac[CRYPTO_MAX_PRF_LEN];
        struct bytes octets = {0};
        int r;

        r = initiator_octets(ini, &octets);
        if (r < 0)
                return r;
        r = ike_auth_shared_key(ini->prf, key, SLICE_OF(octets), mac);
        bytes_free(&octets);
        if (r < 0)
                return r;
        r = ike_chain_add_auth(c, IKEV2_AUTH_SHARED_KEY_MIC, SLICE(mac, ini->prf->out_len));
        secure_wipe(mac, sizeof(mac));
        return r;
}

int ini_add_certreq(struct ike_initiator *ini, struct ike_chain *c)
{
        uint8_t hashes[IKE_CERTREQ_DATA_MAX];
        size_t n = 0;

        for (int i = 0; i < sk_X509_num(ini->trusted); i++) {
                X509_PUBKEY *pk = X509_get_X509_PUBKEY(sk_X509_value(ini->trusted, i));
                unsigned char *der = NULL;
                unsigned int mdlen = 0;
                int len;

                if (n + IKE_CERTREQ_HASH_LEN > sizeof(hashes))
                        break;
                len = pk ? i2d_X509_PUBKEY(pk, &der) : -1;
                if (len <= 0)
                        continue;
                /* RFC 7296 3.7: SHA-1 of the SubjectPublicKeyInfo. */
                if (EVP_Digest(der, (size_t)len, hashes + n, &mdlen, EVP_sha1(), NULL) &&
                    mdlen == IKE_CERTREQ_HASH_LEN)
                        n += IKE_CERTREQ_HASH_LEN;
                OPENSSL_free(der);
        }
        if (n == 0)
                return 0;
        return ike_chain_add_certreq(c, IKEV2_CERT_X509_SIGNATURE, SLICE(hashes, n));
}

static void cert_subject(X509 *x, char *buf, size_t size)
{
        BIO *b = BIO_new(BIO_s_mem());
        char *t = NULL;
        long len;

        snprintf(buf, size, "?");
        if (!b)
                return;
        if (X509_NAME_print_ex(b, X509_get_subject_name(x), 0, XN_FLAG_RFC2253) >= 0 &&
            (len = BIO_get_mem_data(b, &t)) > 0) {
                size_t k = MIN((size_t)len, size - 1);

                memcpy(buf, t, k);
                buf[k] = 0;
                for (size_t i = 0; i < k; i++)
                        if ((unsigned char)buf[i] < 0x20)
                                buf[i] = '?';
        }
        BIO_free(b);
}

static bool name_cn_is(const X509_NAME *n, const char *want)
{
        char cn[256];
        int len = X509_NAME_get_text_by_NID((X509_NAME *)n, NID_commonName, cn, sizeof(cn));

        return len > 0 && (size_t)len == strlen(want) && strcasecmp(cn, want) == 0;
}

/* The gateway's host as an identity for the certificate match. */
static void host_identity(const char *host, uint8_t *type, struct slice *data, uint8_t buf[16])
{
        if (inet_pton(AF_INET, host, buf) == 1) {
                *type = IKEV2_ID_IPV4_ADDR;
                *data = SLICE(buf, 4);
        } else if (inet_pton(AF_INET6, host, buf) == 1) {
                *type = IKEV2_ID_IPV6_ADDR;
                *data = SLICE(buf, 16);
        } else {
                *type = IKEV2_ID_FQDN;
                *data = SLICE(host, strlen(host));
        }
}

static enum ini_task_result check_certificate(struct ike_initiator *ini, const struct ike_chain *c,
                                              const struct ike_id *idr)
{
        _cleanup_(certs_freep) STACK_OF(X509) *untrusted = sk_X509_new_null();
        struct crypto_cert_verify_params vp = {0};
        struct crypto_cert_error ce = {0};
        X509 *leaf = NULL;
        char subject[256], want[300];
        size_t n = 0;
        int r;

        if (!untrusted)
                return ini_fail(ini, IKE_FAIL_INTERNAL, 0, "out of memory");
        for (size_t i = 0; i < c->n && n < INI_MAX_CERTS; i++) {
                const struct ike_payload *p = &c->items[i];
                X509 *x = NULL;

                if (p->type != IKEV2_PAYLOAD_CERT)
                        continue;
                if (p->u.cert.encoding != IKEV2_CERT_X509_SIGNATURE) {
                        ini_log(ini, IKE_LOG_INFO, "ignoring a CERT payload of encoding %s",
                                ikev2_cert_encoding_name(p->u.cert.encoding, IKEV2_NAME_TMP));
                        continue;
                }
                if (crypto_cert_load(p->u.cert.data, &x) < 0) {
                        X509_free(leaf);
                        return ini_fail(ini, IKE_FAIL_GATEWAY_CERT, IKEV2_N_AUTHENTICATION_FAILED,
                                        "gateway certificate not trusted: CERT payload %zu is not "
                                        "an X.509 certificate",
                                        n + 1);
                }
                if (n++ == 0) {
                        leaf = x;
                } else if (!sk_X509_push(untrusted, x)) {
                        X509_free(x);
                        X509_free(leaf);
                        return ini_fail(ini, IKE_FAIL_INTERNAL, 0, "out of memory");
                }
        }
        if (!leaf)
                return ini_fail(ini, IKE_FAIL_GATEWAY_CERT, IKEV2_N_AUTHENTICATION_FAILED,
                                "gateway certificate not trusted: the gateway sent no certificate "
                                "(tsunagu authenticates gateways by certificate only)");
        X509_free(ini->auth.peer_cert);
        ini->auth.peer_cert = leaf;
        cert_subject(leaf, subject, sizeof(subject));

        vp.trusted = ini->trusted;
        vp.untrusted = untrusted;
        vp.now = (time_t)ini_unix_now(ini);
        r = crypto_cert_verify(leaf, &vp, &ce);
        if (r < 0) {
                char where[48] = "";

                if (r != -EPERM)
                        return ini_fail(ini, IKE_FAIL_INTERNAL, 0,
                                        "gateway certificate could not be verified: %s",
                                        strerror(-r));
                /* depth 0 is the gateway's own certificate, 1 its issuer, ... */
                if (ce.depth > 0)
                        snprintf(where, sizeof(where), " (chain depth %d)", ce.depth);
                return ini_fail(ini, IKE_FAIL_GATEWAY_CERT, IKEV2_N_AUTHENTICATION_FAILED,
                                "gateway certificate not trusted: %s%s: %s (%s)",
                                ce.subject[0] ? ce.subject : subject, where,
                                crypto_cert_reason_name(ce.reason),
                                ce.detail[0] ? ce.detail : "no detail");
        }

        /* The certificate must be for the identity the gateway claims ... */
        r = crypto_cert_match_id(leaf, idr->type, idr->data, &ce);
        if (r < 0)
                return ini_fail(ini, IKE_FAIL_GATEWAY_ID, IKEV2_N_AUTHENTICATION_FAILED,
                                "gateway identity mismatch: it claims %s but its certificate "
                                "(%s) is not for it%s",
                                ini->auth.peer_id, subject,
                                r == -ENOTSUP ? " (an identity type certificates cannot carry)"
                                              : "");
        /* ... and for the one we expect (the remote identity was compared
         * with IDr already; without one, the host we connected to). */
        if (!ini->have_remote_id) {
                uint8_t type, buf[16];
                struct slice data;

                host_identity(ini->gateway_host, &type, &data, buf);
                r = crypto_cert_match_id(leaf, type, data, &ce);
                if (r < 0) {
                        snprintf(want, sizeof(want), "%s", ini->gateway_host);
                        return ini_fail(ini, IKE_FAIL_GATEWAY_ID, IKEV2_N_AUTHENTICATION_FAILED,
                                        "gateway identity mismatch: expected %s, got %s "
                                        "(certificate %s)",
                                        want, ini->auth.peer_id, subject);
                }
        }
        if (ini->server_cert_cn && !name_cn_is(X509_get_subject_name(leaf), ini->server_cert_cn))
                return ini_fail(ini, IKE_FAIL_GATEWAY_ID, IKEV2_N_AUTHENTICATION_FAILED,
                                "gateway identity mismatch: expected certificate common name "
                                "%s, got %s",
                                ini->server_cert_cn, subject);
        if (ini->server_ca_cn && !name_cn_is(X509_get_issuer_name(leaf), ini->server_ca_cn))
                return ini_fail(ini, IKE_FAIL_GATEWAY_ID, IKEV2_N_AUTHENTICATION_FAILED,
                                "gateway identity mismatch: expected issuer common name %s for "
                                "%s",
                                ini->server_ca_cn, subject);
        return INI_TASK_DONE;
}

enum ini_task_result ini_verify_gateway(struct ike_initiator *ini, const struct ike_chain *c,
                                        bool auth_required)
{
        const struct ike_payload *idr_p = ike_chain_find(c, IKEV2_PAYLOAD_IDr, 0);
        const struct ike_payload *auth_p = ike_chain_find(c, IKEV2_PAYLOAD_AUTH, 0);
        struct bytes octets = {0};
        enum crypto_sig_scheme scheme = CRYPTO_SIG_NONE;
        const char *why = NULL;
        uint8_t body[IKE_ID_DATA_MAX + 4];
        struct ike_identity got;
        EVP_PKEY *pub;
        struct wbuf w;
        char subject[256];
        int r;

        if (!idr_p)
                return ini_fail(ini, IKE_FAIL_PROTOCOL, IKEV2_N_INVALID_SYNTAX,
                                "IKE_AUTH: the gateway's first answer has no IDr");
        ike_id_format(&idr_p->u.id, ini->auth.peer_id, sizeof(ini->auth.peer_id));
        if (idr_p->u.id.data.len <= IKE_IDENTITY_MAX) {
                got.type = idr_p->u.id.type;
                got.len = idr_p->u.id.data.len;
                memcpy(got.data, idr_p->u.id.data.ptr, got.len);
                ike_identity_format(&got, ini->auth.peer_id, sizeof(ini->auth.peer_id));
        } else {
                got.type = 0;
                got.len = 0;
        }
        wbuf_init(&w, body, sizeof(body));
        if (ike_payload_serialize_body(idr_p, &w) < 0)
                return ini_fail(ini, IKE_FAIL_PROTOCOL, IKEV2_N_INVALID_SYNTAX,
                                "IKE_AUTH: the gateway's IDr is too long");
        bytes_free(&ini->auth.idr_body);
        if (bytes_dup(&ini->auth.idr_body, wbuf_slice(&w)) < 0)
                return ini_fail(ini, IKE_FAIL_INTERNAL, 0, "out of memory");

        if (ini->have_remote_id && !ike_identity_eq(&got, &ini->remote_id)) {
                char want[300];

                ike_identity_format(&ini->remote_id, want, sizeof(want));
                return ini_fail(ini, IKE_FAIL_GATEWAY_ID, IKEV2_N_AUTHENTICATION_FAILED,
                                "gateway identity mismatch: expected %s, got %s", want,
                                ini->auth.peer_id);
        }

        if (!auth_p) {
                if (auth_required)
                        return ini_fail(ini, IKE_FAIL_GATEWAY_AUTH, IKEV2_N_AUTHENTICATION_FAILED,
                                        "the gateway did not authenticate itself (no AUTH "
                                        "payload in its first IKE_AUTH answer)");
                /* RFC 5998: the EAP method will authenticate it; a
                 * certificate, if sent, must still be good. */
                if (ike_chain_find(c, IKEV2_PAYLOAD_CERT, 0) &&
                    check_certificate(ini, c, &idr_p->u.id) != INI_TASK_DONE)
                        return INI_TASK_FAILED;
                return INI_TASK_DONE;
        }
        if (auth_p->u.auth.method == IKEV2_AUTH_SHARED_KEY_MIC)
                return ini_fail(ini, IKE_FAIL_GATEWAY_AUTH, IKEV2_N_AUTHENTICATION_FAILED,
                                "the gateway authenticated with a pre-shared key; tsunagu "
                                "requires a certificate signature");
        if (check_certificate(ini, c, &idr_p->u.id) != INI_TASK_DONE)
                return INI_TASK_FAILED;

        r = responder_octets(ini, &octets);
        if (r < 0)
                return ini_fail(ini, IKE_FAIL_INTERNAL, 0, "AUTH octets: %s", strerror(-r));
        pub = X509_get0_pubkey(ini->auth.peer_cert);
        r = pub ? crypto_auth_verify(pub, auth_p->u.auth.method, auth_p->u.auth.data,
                                     SLICE_OF(octets), 0, &scheme, &why)
                : -EINVAL;
        bytes_free(&octets);
        cert_subject(ini->auth.peer_cert, subject, sizeof(subject));
        if (r < 0)
                return ini_fail(ini, IKE_FAIL_GATEWAY_AUTH, IKEV2_N_AUTHENTICATION_FAILED,
                                "the gateway's AUTH signature does not verify with its "
                                "certificate %s: %s",
                                subject, why ? why : strerror(-r));
        ini->auth.gateway_verified = true;
        ini_log(ini, IKE_LOG_INFO,
                "gateway authenticated: identity %s, certificate %s, signature %s (AUTH %s)",
                ini->auth.peer_id, subject, crypto_sig_scheme_name(scheme),
                ikev2_auth_method_name(auth_p->u.auth.method, IKEV2_NAME_TMP));
        return INI_TASK_DONE;
}

enum ini_task_result ini_verify_msk_auth(struct ike_initiator *ini, const struct ike_auth *a,
                                         struct slice key)
{
        struct bytes octets = {0};
        int r;

        if (a->method != IKEV2_AUTH_SHARED_KEY_MIC)
                return ini_fail(ini, IKE_FAIL_GATEWAY_AUTH, IKEV2_N_AUTHENTICATION_FAILED,
                                "the gateway's final AUTH uses method %s, not the EAP key MIC",
                                ikev2_auth_method_name(a->method, IKEV2_NAME_TMP));
        r = responder_octets(ini, &octets);
        if (r < 0)
                return ini_fail(ini, IKE_FAIL_INTERNAL, 0, "AUTH octets: %s", strerror(-r));
        r = ike_auth_shared_key_verify(ini->prf, key, SLICE_OF(octets), a->data);
        bytes_free(&octets);
        if (r < 0)
                return ini_fail(ini, IKE_FAIL_GATEWAY_AUTH, IKEV2_N_AUTHENTICATION_FAILED,
                                "the gateway's final AUTH (over the EAP key) does not verify: "
                                "the gateway does not hold the key EAP established");
        return INI_TASK_DONE;
}
