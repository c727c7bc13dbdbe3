/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The EAP peer (RFC 3748) the IKEv2 initiator runs inside IKE_AUTH
 * (RFC 7296 2.16): one EAP packet in, at most one EAP packet out.
 *
 * Sans-I/O and GLib-free. Nothing here reads clocks or sockets: randomness
 * comes through cfg->rng_fill, the certificate verification time through
 * cfg->tls.now. (OpenSSL's TLS stack draws its own ClientHello random and
 * ECDHE keys from its DRBG; that is the one exception.)
 *
 *   engine                           eap_peer
 *   ------                           --------
 *   EAP payload from IKE_AUTH  --->  eap_peer_process(in)
 *                              <---  SEND        response: put it in the next IKE_AUTH
 *                              <---  NEED_SECRET ask the user, then eap_peer_set_secret()
 *                                                 and eap_peer_resume()
 *                              <---  SUCCESS     eap_peer_msk() -> AUTH (RFC 7296 2.16)
 *                              <---  FAILURE     reason; stop
 *                              <---  DROP        packet ignored (reason says why)
 *
 * Methods: EAP-MD5 (RFC 3748 5.4, no MSK), EAP-MSCHAPv2
 * (draft-kamath-pppext-eap-mschapv2, RFC 2759, MSK per RFC 3079) and EAP-TLS
 * (RFC 5216 for TLS 1.2, RFC 9190 for TLS 1.3). Exactly one method is
 * configured; the server is told so with a legacy Nak when it proposes
 * another.
 *
 * Security rules (the CVE-2021-45079 family): EAP-Success is accepted only
 * after the method completed successfully (MS-CHAPv2 verified the server's
 * authenticator response; TLS finished its handshake with a verified server
 * certificate and, for TLS 1.3, received the protected success indication);
 * a method that must derive an MSK and has none never succeeds.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>
#include <openssl/x509.h>

#include "client/common/bytes.h"
#include "client/ike/ikev2.h"

#define EAP_HEADER_LEN 4
/* The largest EAP packet accepted from the server (its Length field). IKEv2
 * carries EAP in one payload; servers fragment EAP-TLS to about 1 KiB. */
#define EAP_MAX_PACKET 16384
/* RFC 3748 rounds (requests, retransmissions included) before giving up. */
#define EAP_DEFAULT_MAX_ROUNDS 50
#define EAP_MAX_ROUNDS_LIMIT   1000
/* Longest EAP identity we send (RFC 7542 NAIs stay below 253 bytes). */
#define EAP_MAX_IDENTITY 253
#define EAP_MSK_LEN 64

/* EAP-TLS defaults (RFC 5216 2.1.5): the largest EAP-TLS response we emit,
 * headers included, and the largest TLS message we reassemble. */
#define EAP_TLS_DEFAULT_FRAGMENT_SIZE 1000
#define EAP_TLS_MIN_FRAGMENT_SIZE     16
#define EAP_TLS_MAX_FRAGMENT_SIZE     (EAP_MAX_PACKET - EAP_HEADER_LEN)
#define EAP_TLS_MAX_MESSAGE           65536

enum eap_action {
        EAP_ACTION_SEND = 1, /* send result.response */
        EAP_ACTION_NEED_SECRET,
        EAP_ACTION_SUCCESS,
        EAP_ACTION_FAILURE, /* terminal */
        EAP_ACTION_DROP,    /* the packet was ignored; state unchanged */
};

enum eap_secret_kind {
        EAP_SECRET_PASSWORD = 1,   /* EAP-MD5, EAP-MSCHAPv2 */
        EAP_SECRET_KEY_PASSPHRASE, /* EAP-TLS: PKCS#12 or encrypted PEM key */
};

/*
 * Which keying EAP-TLS uses once TLS 1.3 is negotiated (TLS 1.2 always uses
 * RFC 5216 2.3).
 *
 * RFC9190 (the default): MSK = TLS-Exporter("EXPORTER_EAP_TLS_Key_Material",
 * 0x0D, 128)[0..63] and EAP-Success only after the protected success
 * indication (RFC 9190 2.3, 2.5). strongSwan has done this since it adopted
 * RFC 9190 (2023).
 *
 * DRAFT: what strongSwan 5.9.x before that (Debian 12 ships 5.9.8) does when
 * configured for TLS 1.3 (its default maximum is 1.2): MSK =
 * TLS-Exporter("client EAP encryption", "", 128)[0..63] from the early
 * draft-ietf-emu-eap-tls13 revisions, and no success indication; EAP-Success
 * is then accepted once the handshake is complete and the server verified.
 */
enum eap_tls13_keying {
        EAP_TLS13_RFC9190 = 0,
        EAP_TLS13_DRAFT,
};

struct eap_tls_config {
        /* Trust anchors for the server certificate (at least one): a PEM
         * bundle and/or parsed certificates (up-referenced, caller keeps its
         * references). */
        struct slice ca_pem;
        X509 *const *ca_certs;
        size_t n_ca_certs;

        /* The client credential, one of:
         *  - pkcs12: a DER PKCS#12 file (key, certificate, chain). Its
         *    passphrase is the peer's secret; an empty one is tried first.
         *  - cert_pem + key_pem: PEM certificate (leaf first, then chain) and
         *    PEM private key, encrypted or not (the passphrase is the secret).
         *  - cert + key (+ chain): parsed objects, up-referenced. */
        struct slice pkcs12;
        struct slice cert_pem;
        struct slice key_pem;
        X509 *cert;
        EVP_PKEY *key;
        STACK_OF(X509) *chain;

        /* Required: the identity the server certificate must carry — a DNS
         * name (subjectAltName dNSName, or the CN without SANs), an IPv4/IPv6
         * address or an e-mail address (contains '@'). */
        const char *server_identity;
        /* Required: the time certificates are checked against, Unix seconds. */
        int64_t now;

        /* 0 = EAP_TLS_DEFAULT_FRAGMENT_SIZE; the largest EAP-TLS response
         * (whole EAP packet) we send. */
        size_t fragment_size;
        /* 0 = TLS 1.3; TLS1_2_VERSION pins TLS 1.2. TLS 1.2 is the minimum. */
        int max_version;
        enum eap_tls13_keying tls13_keying;
};

struct eap_peer_config {
        /* EAP identity (UTF-8, 1..EAP_MAX_IDENTITY bytes): the Identity
         * response and the MS-CHAPv2 Name. Copied. */
        struct slice identity;
        /* EAP_TYPE_MD5, EAP_TYPE_MSCHAPV2 or EAP_TYPE_TLS. */
        uint8_t method;
        /* The password (MD5, MS-CHAPv2) or key passphrase (TLS), UTF-8.
         * ptr == NULL: not known yet, asked for with NEED_SECRET when needed.
         * Copied and wiped on free. */
        struct slice secret;
        /* Randomness (required for MS-CHAPv2's peer challenge): fills buf
         * with n bytes, returns 0 or a negative errno. Same shape as
         * client/crypto/rng.h's struct tsu_rng (.fill, .ctx). */
        int (*rng_fill)(void *ctx, uint8_t *buf, size_t n);
        void *rng_ctx;
        /* 0 = EAP_DEFAULT_MAX_ROUNDS. */
        unsigned max_rounds;
        struct eap_tls_config tls;
};

struct eap_result {
        enum eap_action action;
        /* SEND: the EAP packet to send. FAILURE: when not empty, a last
         * courtesy packet (MS-CHAPv2 Failure Response, TLS alert) that tells
         * the server why; sending it is optional. Valid until the next call
         * on the peer. */
        struct slice response;
        /* NEED_SECRET */
        enum eap_secret_kind secret_kind;
        const char *prompt;
        /* FAILURE, DROP: why, for a person (no secrets in it). */
        const char *reason;
        /* FAILURE: the method failed because the server did not prove who
         * it is (EAP-MSCHAPv2: its authenticator response is wrong or
         * missing), not because our credentials were refused. */
        bool server_unauthenticated;
        /* An EAP Notification (RFC 3748 5.2) the server displayed, sanitized
         * to printable ASCII, or NULL. */
        const char *notification;
};

struct eap_error {
        char text[256];
};

struct eap_peer;

/* Validates cfg and loads the TLS credentials. On error returns -EINVAL,
 * -ENOMEM, -ENOTSUP (method or OpenSSL provider missing) and, when
 * ret_error is not NULL, says what is wrong in it. */
int eap_peer_new(struct eap_peer **ret, const struct eap_peer_config *cfg,
                 struct eap_error *ret_error);

/* Processes one EAP packet from the server. Returns 0 and fills *ret for
 * every protocol outcome (FAILURE and DROP included); a negative errno only
 * for -EINVAL (NULL arguments) and -ENOMEM, after which the peer has failed. */
int eap_peer_process(struct eap_peer *p, struct slice in, struct eap_result *ret);

/* Provides the secret (copied; the previous one is wiped). May be called
 * before the first packet, or after NEED_SECRET. */
int eap_peer_set_secret(struct eap_peer *p, struct slice secret);

/* After NEED_SECRET: processes the request that asked for the secret again.
 * -EALREADY if no secret is awaited. */
int eap_peer_resume(struct eap_peer *p, struct eap_result *ret);

/* The MSK (EAP_MSK_LEN bytes), only after SUCCESS: -EAGAIN before,
 * -ENOKEY when the method derives none (EAP-MD5: IKEv2 then signs AUTH with
 * SK_pi/SK_pr, RFC 7296 2.16). Borrowed, valid until eap_peer_free(). */
int eap_peer_msk(const struct eap_peer *p, struct slice *ret);

/* Whether the configured method derives an MSK. */
bool eap_peer_has_msk(const struct eap_peer *p);
/* Whether the method has completed successfully (the condition for
 * accepting EAP-Success). */
bool eap_peer_method_completed(const struct eap_peer *p);
uint8_t eap_peer_method(const struct eap_peer *p);

/* Wipes every secret and frees; NULL-safe. */
void eap_peer_free(struct eap_peer *p);

/* Loads what the methods need from the file system (OpenSSL's legacy
 * provider for MD4/DES/RC2, client/crypto/legacy.h) so the peer works after
 * a sandbox closed it. 0 or -ENOTSUP. */
int eap_preload(void);
