/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * EAP-TLS peer (RFC 5216; RFC 9190 for TLS 1.3) over OpenSSL with memory
 * BIOs: TLS records go in and out as bytes, never through a socket.
 *
 * Type-Data of every EAP-TLS request and response (RFC 5216 3.1, 3.2):
 *
 *    0 1 2 3 4 5 6 7
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |L M S R R R R R|  TLS Message Length (4, only with L)  |  TLS Data ...
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 *   L  the length of the whole TLS message follows (first fragment)
 *   M  more fragments follow; the other side answers each with an empty
 *      EAP-TLS packet (flags 0, no data: an ACK)
 *   S  EAP-TLS Start, from the server, no data
 *
 * The conversation (TLS 1.2 / TLS 1.3):
 *
 *   server                                   peer
 *   Start (S)                         -->
 *                                     <--    ClientHello
 *   ServerHello .. ServerHelloDone    -->                        (fragments, ACKed)
 *   / ServerHello .. Finished
 *                                     <--    Certificate .. Finished (fragments, ACKed)
 *   ChangeCipherSpec, Finished        -->    (TLS 1.2: handshake complete)
 *   / 0x00 application data                  (TLS 1.3: protected success indication,
 *                                                         RFC 9190 2.5)
 *                                     <--    ACK
 *   EAP-Success                       -->    accepted only now
 *
 * The server certificate is checked against the configured trust anchors,
 * identity and time by OpenSSL during the handshake; a failure aborts it
 * before anything else, our certificate included, leaves us.
 *
 * MSK (64 bytes; the EMSK, bytes 64..127, is computed and thrown away
 * because IKEv2 has no use for it):
 *   TLS 1.2  RFC 5216 2.3: TLS-PRF(master_secret, "client EAP encryption",
 *            client.random | server.random)[0..63], which is what
 *            SSL_export_keying_material() without context computes. The
 *            PRF output does not depend on how much is asked for, so this
 *            equals the 64 bytes strongSwan's libtls computes in its key
 *            expansion with the same label and seed.
 *   TLS 1.3  RFC 9190 2.3: TLS-Exporter("EXPORTER_EAP_TLS_Key_Material",
 *            0x0D, 128)[0..63]. The exporter mixes the length into its
 *            output, so all 128 bytes (MSK | EMSK) are asked for, as
 *            strongSwan does since it follows RFC 9190. strongSwan 5.9.x
 *            before that (Debian 12's 5.9.8) exports "client EAP encryption"
 *            with an empty context, also 128 bytes, and sends no protected
 *            success indication: EAP_TLS13_DRAFT in eap.h. Its default
 *            maximum TLS version is 1.2, so a stock 5.9.8 gateway (the lab's)
 *            negotiates TLS 1.2 and RFC 5216 keying.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "client/common/rbuf.h"
#include "eap_method.h"

#define FLAG_L 0x80
#define FLAG_M 0x40
#define FLAG_S 0x20

#define KEY_MATERIAL_LEN 128 /* MSK | EMSK */
#define MAX_UNLOCK_TRIES 3
#define VERIFY_DEPTH 8

/* OpenSSL's defaults for TLS 1.2 without what has no forward secrecy or is
 * weak or obscure; TLS 1.3 suites stay at OpenSSL's defaults. */
static const char tls12_ciphers[] = "DEFAULT:!aNULL:!eNULL:!kRSA:!PSK:!SRP:!MD5:!RC4:!DES:!3DES:"
                                    "!IDEA:!SEED:!CAMELLIA:!ARIA:!DSS";

static const char label_rfc5216[] = "client EAP encryption";
static const char label_rfc9190[] = "EXPORTER_EAP_TLS_Key_Material";

struct tls_method {
        SSL_CTX *ctx;
        SSL *ssl;
        BIO *rbio; /* owned by ssl: what the server sent, waiting for OpenSSL */
        BIO *wbio; /* owned by ssl: what OpenSSL wrote, waiting to be sent */

        bool started;
        bool handshake_done;
        bool server_verified;
        bool got_indication; /* TLS 1.3 protected success indication */
        bool complete;
        unsigned unlock_tries;

        /* A server message arriving in fragments (RFC 5216 2.1.5): they go
         * straight into rbio; OpenSSL sees them only once complete. */
        bool in_progress;
        size_t in_len;
        size_t in_expected; /* from L, 0 if the server did not send one */

        /* Our message going out in fragments. */
        uint8_t *out;
        size_t out_len;
        size_t out_off;

        uint8_t msk[EAP_MSK_LEN];
};

static int tls_new(void **ret, const struct eap_method_ctx *ctx)
{
        struct tls_method *m = calloc(1, sizeof(*m));

        if (!m)
                return -ENOMEM;
        *ret = m;
        return 0;
}

static void tls_free(void *mp)
{
        struct tls_method *m = mp;

        if (!m)
                return;
        SSL_free(m->ssl); /* and both BIOs */
        SSL_CTX_free(m->ctx);
        secure_free(m->out, m->out_len);
        secure_free(m, sizeof(*m));
}

/* The most telling OpenSSL error, then a clean queue. */
static const char *ossl_reason(char *buf, size_t size)
{
        unsigned long e = ERR_peek_last_error();
        const char *s = e ? ERR_reason_error_string(e) : NULL;

        snprintf(buf, size, "%s", s ? s : "no detail from OpenSSL");
        ERR_clear_error();
        return buf;
}

static int setup_identity(SSL *ssl, X509_VERIFY_PARAM *param, const char *id)
{
        if (strchr(id, '@'))
                return X509_VERIFY_PARAM_set1_email(param, id, 0) ? 0 : -EINVAL;
        if (X509_VERIFY_PARAM_set1_ip_asc(param, id))
                return 0;
        ERR_clear_error();
        X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        if (!X509_VERIFY_PARAM_set1_host(param, id, 0))
                return -EINVAL;
        /* SNI lets a server with several certificates pick the right one. */
        if (!SSL_set_tlsext_host_name(ssl, id))
                return -EINVAL;
        return 0;
}

static enum eap_method_status setup_tls(struct tls_method *m, struct eap_method_ctx *ctx)
{
        const struct eap_tls_creds *c = ctx->tls;
        X509_VERIFY_PARAM *param;
        char why[128];

        ERR_clear_error();
        m->ctx = SSL_CTX_new_ex(NULL, NULL, TLS_client_method());
        if (!m->ctx)
                goto fail;
        if (!SSL_CTX_set_min_proto_version(m->ctx, TLS1_2_VERSION) ||
            !SSL_CTX_set_max_proto_version(m->ctx, c->max_version) ||
            !SSL_CTX_set_cipher_list(m->ctx, tls12_ciphers))
                goto fail;
        /* No resumption (nothing to resume into: one handshake per IKE SA)
         * and no renegotiation. Because we never renegotiate, a server
         * without the RFC 5746 renegotiation_info extension is harmless
         * (the attack of RFC 5746 1 needs a renegotiation), and strongSwan's
         * own TLS stack up to 5.9.x does not send it: OpenSSL 3 would refuse
         * it ("unsafe legacy renegotiation disabled") without
         * SSL_OP_LEGACY_SERVER_CONNECT. */
        SSL_CTX_set_options(m->ctx, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION |
                                            SSL_OP_NO_COMPRESSION |
                                            SSL_OP_LEGACY_SERVER_CONNECT);
        SSL_CTX_set_session_cache_mode(m->ctx, SSL_SESS_CACHE_OFF);
        if (!SSL_CTX_set1_verify_cert_store(m->ctx, c->store))
                goto fail;
        SSL_CTX_set_verify(m->ctx, SSL_VERIFY_PEER, NULL);
        SSL_CTX_set_verify_depth(m->ctx, VERIFY_DEPTH);
        if (c->cert) {
                if (!SSL_CTX_use_certificate(m->ctx, c->cert) ||
                    !SSL_CTX_use_PrivateKey(m->ctx, c->key) ||
                    (c->chain && !SSL_CTX_set1_chain(m->ctx, c->chain)))
                        goto fail;
        }

        m->ssl = SSL_new(m->ctx);
        if (!m->ssl)
                goto fail;
        param = SSL_get0_param(m->ssl);
        /* Sans-I/O: certificates are checked at the time we are given. */
        X509_VERIFY_PARAM_set_time(param, (time_t)c->now);
        /* A configured intermediate CA is a trust anchor in its own right. */
        X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
        if (setup_identity(m->ssl, param, c->server_identity) < 0)
                goto fail;

        m->rbio = BIO_new(BIO_s_mem());
        m->wbio = BIO_new(BIO_s_mem());
        if (!m->rbio || !m->wbio) {
                BIO_free(m->rbio);
                BIO_free(m->wbio);
                m->rbio = m->wbio = NULL;
                goto fail;
        }
        /* An empty input BIO means "wait for more", not end of stream. */
        BIO_set_mem_eof_return(m->rbio, -1);
        SSL_set_bio(m->ssl, m->rbio, m->wbio);
        SSL_set_connect_state(m->ssl);
        return EAP_METHOD_SEND;
fail:
        return eap_method_reason(ctx, EAP_METHOD_FAIL, "EAP-TLS: cannot set up TLS (%s)",
                                 ossl_reason(why, sizeof(why)));
}

/* Moves what OpenSSL wrote into the outgoing buffer. */
static int take_output(struct tls_method *m)
{
        size_t pending = BIO_ctrl_pending(m->wbio);
        uint8_t *buf;
        int n;

        if (pending == 0)
                return 0;
        if (pending > INT32_MAX)
                return -E2BIG;
        buf = malloc(pending);
        if (!buf)
                return -ENOMEM;
        n = BIO_read(m->wbio, buf, (int)pending);
        if (n < 0 || (size_t)n != pending) {
                secure_free(buf, pending);
                return -EIO;
        }
        secure_free(m->out, m->out_len);
        m->out = buf;
        m->out_len = pending;
        m->out_off = 0;
        return 0;
}

/* The next fragment of our message into out (RFC 5216 2.1.5): L on the
 * first of several, M on all but the last. */
static void emit_fragment(struct tls_method *m, const struct eap_method_ctx *ctx,
                          struct wbuf *out)
{
        /* fragment_size counts the whole EAP packet: 4-byte header, Type, Flags */
        size_t room = ctx->tls->fragment_size - EAP_HEADER_LEN - 2;
        size_t left = m->out_len - m->out_off, n;

        if (m->out_off == 0 && left > room) {
                n = room - 4;
                wbuf_u8(out, FLAG_L | FLAG_M);
                wbuf_be32(out, (uint32_t)m->out_len);
        } else if (left > room) {
                n = room;
                wbuf_u8(out, FLAG_M);
        } else {
                n = left;
                wbuf_u8(out, 0);
        }
        wbuf_bytes(out, m->out + m->out_off, n);
        m->out_off += n;
        if (m->out_off == m->out_len) {
                secure_free(m->out, m->out_len);
                m->out = NULL;
                m->out_len = m->out_off = 0;
        }
}

static void send_ack(struct wbuf *out)
{
        wbuf_u8(out, 0);
}

static bool is_tls13(const struct tls_method *m)
{
        return SSL_version(m->ssl) >= TLS1_3_VERSION;
}

static int derive_msk(struct tls_method *m, const struct eap_method_ctx *ctx)
{
        static const uint8_t type_code = EAP_TYPE_TLS;
        uint8_t km[KEY_MATERIAL_LEN];
        int ok;

        if (is_tls13(m) && ctx->tls->tls13_keying == EAP_TLS13_RFC9190)
                ok = SSL_export_keying_material(m->ssl, km, sizeof(km), label_rfc9190,
                                                sizeof(label_rfc9190) - 1, &type_code, 1, 1);
        else
                ok = SSL_export_keying_material(m->ssl, km, sizeof(km), label_rfc5216,
                                                sizeof(label_rfc5216) - 1, NULL, 0, 0);
        if (ok == 1)
                memcpy(m->msk, km, EAP_MSK_LEN);
        secure_wipe(km, sizeof(km));
        ERR_clear_error();
        return ok == 1 ? 0 : -EIO;
}

/* Why the handshake failed, in words a person can act on. */
static void handshake_failure(struct tls_method *m, struct eap_method_ctx *ctx)
{
        long v = SSL_get_verify_result(m->ssl);
        char why[128];

        if (v == X509_V_ERR_HOSTNAME_MISMATCH || v == X509_V_ERR_IP_ADDRESS_MISMATCH ||
            v == X509_V_ERR_EMAIL_MISMATCH) {
                ERR_clear_error();
                eap_method_reason(ctx, EAP_METHOD_FAIL,
                                  "EAP-TLS: the server certificate is not for '%s' (%s)",
                                  ctx->tls->server_identity, X509_verify_cert_error_string(v));
        } else if (v != X509_V_OK) {
                ERR_clear_error();
                eap_method_reason(ctx, EAP_METHOD_FAIL,
                                  "EAP-TLS: the server certificate is not trusted (%s)",
                                  X509_verify_cert_error_string(v));
        } else {
                eap_method_reason(ctx, EAP_METHOD_FAIL, "EAP-TLS: TLS handshake failed (%s)",
                                  ossl_reason(why, sizeof(why)));
        }
}

/* After a failure: a TLS alert OpenSSL wrote, if any, as the courtesy
 * response (it fits one fragment or is not sent). */
static enum eap_method_status fail_with_alert(struct tls_method *m, struct eap_method_ctx *ctx,
                                              struct wbuf *out)
{
        if (take_output(m) == 0 && m->out_len > 0 &&
            m->out_len <= ctx->tls->fragment_size - EAP_HEADER_LEN - 2)
                emit_fragment(m, ctx, out);
        return EAP_METHOD_FAIL;
}

/* Reads what the server sent after the handshake: in TLS 1.3 the one byte
 * 0x00 of RFC 9190 2.5 (and NewSessionTickets, which OpenSSL swallows);
 * anything else is a protocol violation. */
static enum eap_method_status read_application_data(struct tls_method *m,
                                                    struct eap_method_ctx *ctx, struct wbuf *out)
{
        uint8_t buf[64];
        char why[128];

        for (;;) {
                int n = SSL_read(m->ssl, buf, sizeof(buf));

                if (n > 0) {
                        if (is_tls13(m) && !m->got_indication && n == 1 && buf[0] == 0x00) {
                                m->got_indication = true;
                                continue;
                        }
                        eap_method_reason(ctx, EAP_METHOD_FAIL,
                                          "EAP-TLS: the server sent %d bytes of unexpected "
                                          "application data",
                                          n);
                        return fail_with_alert(m, ctx, out);
                }
                switch (SSL_get_error(m->ssl, n)) {
                case SSL_ERROR_WANT_READ:
                        ERR_clear_error();
                        return EAP_METHOD_SEND;
                case SSL_ERROR_ZERO_RETURN:
                        ERR_clear_error();
                        eap_method_reason(ctx, EAP_METHOD_FAIL,
                                          "EAP-TLS: the server closed the TLS session");
                        return EAP_METHOD_FAIL;
                default:
                        eap_method_reason(ctx, EAP_METHOD_FAIL,
                                          "EAP-TLS: the server rejected the TLS session (%s)",
                                          ossl_reason(why, sizeof(why)));
                        return fail_with_alert(m, ctx, out);
                }
        }
}

/* Feeds a complete server message to OpenSSL and answers it. */
static enum eap_method_status drive(struct tls_method *m, struct eap_method_ctx *ctx,
                                    struct wbuf *out)
{
        enum eap_method_status st;
        int r;

        ERR_clear_error();
        if (!m->handshake_done) {
                r = SSL_do_handshake(m->ssl);
                if (r == 1) {
                        m->handshake_done = true;
                        /* SSL_VERIFY_PEER already refused a failed chain; check
                         * again rather than rely on it. */
                        if (SSL_get_verify_result(m->ssl) != X509_V_OK ||
                            !SSL_get0_peer_certificate(m->ssl)) {
                                handshake_failure(m, ctx);
                                return EAP_METHOD_FAIL;
                        }
                        m->server_verified = true;
                } else if (SSL_get_error(m->ssl, r) != SSL_ERROR_WANT_READ) {
                        handshake_failure(m, ctx);
                        return fail_with_alert(m, ctx, out);
                }
        }
        if (m->handshake_done) {
                st = read_application_data(m, ctx, out);
                if (st != EAP_METHOD_SEND)
                        return st;
                if (m->server_verified && !m->complete &&
                    (!is_tls13(m) || m->got_indication ||
                     ctx->tls->tls13_keying == EAP_TLS13_DRAFT)) {
                        if (derive_msk(m, ctx) < 0)
                                return eap_method_reason(ctx, EAP_METHOD_FAIL,
                                                         "EAP-TLS: cannot export the MSK");
                        m->complete = true;
                }
        }
        r = take_output(m);
        if (r < 0)
                return eap_method_reason(ctx, EAP_METHOD_FAIL, "EAP-TLS: %s", strerror(-r));
        if (m->out_len > 0)
                emit_fragment(m, ctx, out);
        else
                send_ack(out); /* nothing to say: acknowledge (RFC 5216 2.1.3, RFC 9190 2.5) */
        return EAP_METHOD_SEND;
}

static enum eap_method_status on_start(struct tls_method *m, struct eap_method_ctx *ctx,
                                       struct wbuf *out)
{
        struct eap_tls_creds *c = ctx->tls;
        enum eap_method_status st;
        char why[160];
        int r;

        if (m->started)
                return eap_method_reason(ctx, EAP_METHOD_FAIL,
                                         "EAP-TLS Start in the middle of the handshake");
        if (eap_tls_creds_locked(c)) {
                if (!ctx->secret) {
                        ctx->secret_kind = EAP_SECRET_KEY_PASSPHRASE;
                        ctx->prompt = m->unlock_tries ? "EAP-TLS key passphrase (the last one "
                                                        "was wrong)"
                                                      : "EAP-TLS key passphrase";
                        return EAP_METHOD_NEED_SECRET;
                }
                r = eap_tls_creds_unlock(c, SLICE_OF(*ctx->secret), why, sizeof(why));
                if (r == -EACCES) {
                        if (++m->unlock_tries >= MAX_UNLOCK_TRIES)
                                return eap_method_reason(ctx, EAP_METHOD_FAIL,
                                                         "EAP-TLS: %s (%u tries)", why,
                                                         m->unlock_tries);
                        ctx->forget_secret = true;
                        ctx->secret_kind = EAP_SECRET_KEY_PASSPHRASE;
                        ctx->prompt = "EAP-TLS key passphrase (the last one was wrong)";
                        return EAP_METHOD_NEED_SECRET;
                }
                if (r < 0)
                        return eap_method_reason(ctx, EAP_METHOD_FAIL, "EAP-TLS: %s", why);
        }
        st = setup_tls(m, ctx);
        if (st != EAP_METHOD_SEND)
                return st;
        m->started = true;
        return drive(m, ctx, out); /* the ClientHello */
}

static enum eap_method_status tls_process(void *mp, struct eap_method_ctx *ctx,
                                          struct slice type_data, struct wbuf *out)
{
        struct tls_method *m = mp;
        uint32_t total = 0;
        struct slice data;
        uint8_t flags;
        struct rbuf r;

        rbuf_init(&r, type_data.ptr, type_data.len);
        if (rbuf_u8(&r, &flags) < 0)
                return eap_method_reason(ctx, EAP_METHOD_DROP, "EAP-TLS request without Flags");
        if (flags & FLAG_L) {
                if (rbuf_be32(&r, &total) < 0)
                        return eap_method_reason(ctx, EAP_METHOD_DROP,
                                                 "EAP-TLS L flag without the 4-byte TLS Message "
                                                 "Length");
                if (total > EAP_TLS_MAX_MESSAGE)
                        return eap_method_reason(ctx, EAP_METHOD_DROP,
                                                 "EAP-TLS message of %u bytes is larger than the "
                                                 "%d accepted",
                                                 total, EAP_TLS_MAX_MESSAGE);
        }
        data = rbuf_rest(&r);

        if (flags & FLAG_S)
                return on_start(m, ctx, out); /* a Start carries no data (RFC 5216 3.1) */
        if (!m->started)
                return eap_method_reason(ctx, EAP_METHOD_DROP, "EAP-TLS request before Start");

        /* Our message is still going out: the server may only ACK. */
        if (m->out_len > 0) {
                if (data.len > 0 || (flags & (FLAG_L | FLAG_M)))
                        return eap_method_reason(ctx, EAP_METHOD_FAIL,
                                                 "EAP-TLS: the server sent data (%zu bytes) "
                                                 "instead of acknowledging our fragment",
                                                 data.len);
                emit_fragment(m, ctx, out);
                return EAP_METHOD_SEND;
        }
        if (data.len == 0) {
                if (flags & FLAG_M)
                        return eap_method_reason(ctx, EAP_METHOD_DROP,
                                                 "EAP-TLS empty fragment with more to follow");
                return eap_method_reason(ctx, EAP_METHOD_DROP,
                                         "EAP-TLS acknowledgement while we have nothing to send");
        }

        /* Validate the fragment against what came before, then take it. */
        if (flags & FLAG_L) {
                if (m->in_progress && m->in_expected && total != m->in_expected)
                        return eap_method_reason(ctx, EAP_METHOD_DROP,
                                                 "EAP-TLS TLS Message Length changed from %zu "
                                                 "to %u between fragments",
                                                 m->in_expected, total);
                if (!m->in_progress && (flags & FLAG_M) && total <= data.len)
                        return eap_method_reason(ctx, EAP_METHOD_DROP,
                                                 "EAP-TLS TLS Message Length %u leaves nothing "
                                                 "for the %zu-byte fragment's successors",
                                                 total, data.len);
                if (!m->in_progress && !(flags & FLAG_M) && total != data.len)
                        return eap_method_reason(ctx, EAP_METHOD_DROP,
                                                 "EAP-TLS TLS Message Length %u but the "
                                                 "unfragmented message has %zu bytes",
                                                 total, data.len);
        }
        {
                size_t expected = m->in_progress ? m->in_expected : total;
                size_t limit = expected ? expected : EAP_TLS_MAX_MESSAGE;

                if (data.len > limit - m->in_len)
                        return eap_method_reason(ctx, EAP_METHOD_DROP,
                                                 "EAP-TLS fragments exceed %zu bytes (%zu + %zu)",
                                                 limit, m->in_len, data.len);
                if (!(flags & FLAG_M) && expected && m->in_len + data.len != expected)
                        return eap_method_reason(ctx, EAP_METHOD_DROP,
                                                 "EAP-TLS fragments total %zu bytes, the TLS "
                                                 "Message Length said %zu",
                                                 m->in_len + data.len, expected);
                if (!m->in_progress)
                        m->in_expected = total;
        }
        if (BIO_write(m->rbio, data.ptr, (int)data.len) != (int)data.len)
                return eap_method_reason(ctx, EAP_METHOD_FAIL, "EAP-TLS: out of memory");
        m->in_len += data.len;
        if (flags & FLAG_M) {
                m->in_progress = true;
                send_ack(out);
                return EAP_METHOD_SEND;
        }
        m->in_progress = false;
        m->in_len = 0;
        m->in_expected = 0;
        return drive(m, ctx, out);
}

static bool tls_is_complete(const void *mp)
{
        const struct tls_method *m = mp;

        return m->complete;
}

static int tls_get_msk(const void *mp, uint8_t ret[static EAP_MSK_LEN])
{
        const struct tls_method *m = mp;

        if (!m->complete)
                return -ENOKEY;
        memcpy(ret, m->msk, EAP_MSK_LEN);
        return 0;
}

const struct eap_method_ops eap_tls_ops = {
        .type = EAP_TYPE_TLS,
        .name = "TLS",
        .derives_msk = true,
        .new = tls_new,
        .process = tls_process,
        .free = tls_free,
        .get_msk = tls_get_msk,
        .is_complete = tls_is_complete,
};
