/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * EAP-TLS for real: the peer (client/ike/eap_tls.c) against an OpenSSL TLS
 * server with a minimal EAP-TLS server side written here (RFC 5216, RFC
 * 9190), memory BIOs both ways, certificates generated at test time
 * (test-eap-pki.c). TLS 1.2 and 1.3, both sides' MSK compared, refused
 * server certificates, fragmentation with small MTUs both ways, PKCS#12 /
 * PEM credentials and the NEED_SECRET flow, and crafted fragments.
 *
 * With EAP_TLS_CORPUS_DIR set, every conversation's server packets are also
 * written there in the fuzz target's input format (tests/fuzz/fuzz_eap_peer.c)
 * to refresh its seed corpus.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include "client/ike/eap.h"
#include "client/crypto/legacy.h"
#include "test-eap-pki.h"

static struct test_pki pki;

/* ------------------------------------------------------------------ packets */

struct packet {
        uint8_t b[EAP_MAX_PACKET + 16];
        size_t len;
};

static struct slice pkt(struct packet *p, uint8_t code, uint8_t id, int type, const void *data,
                        size_t len)
{
        size_t n = 4 + (type >= 0 ? 1 : 0) + len;

        g_assert_cmpuint(n, <=, sizeof(p->b));
        p->b[0] = code;
        p->b[1] = id;
        p->b[2] = (uint8_t)(n >> 8);
        p->b[3] = (uint8_t)n;
        if (type >= 0)
                p->b[4] = (uint8_t)type;
        if (len)
                memcpy(p->b + 4 + (type >= 0), data, len);
        p->len = n;
        return SLICE(p->b, p->len);
}

/* ------------------------------------------------------------------ corpus capture */

static GByteArray *corpus; /* fuzz input of the current conversation, or NULL */

static void corpus_begin(uint8_t selector)
{
        if (!g_getenv("EAP_TLS_CORPUS_DIR"))
                return;
        corpus = g_byte_array_new();
        g_byte_array_append(corpus, &selector, 1);
}

static void corpus_packet(struct slice s)
{
        uint8_t len[2] = { (uint8_t)(s.len >> 8), (uint8_t)s.len };

        if (!corpus)
                return;
        g_byte_array_append(corpus, len, 2);
        g_byte_array_append(corpus, s.ptr, (guint)s.len);
}

static void corpus_end(const char *name)
{
        g_autofree char *path = NULL;

        if (!corpus)
                return;
        path = g_build_filename(g_getenv("EAP_TLS_CORPUS_DIR"), name, NULL);
        g_assert_true(g_file_set_contents(path, (const char *)corpus->data, corpus->len, NULL));
        g_byte_array_free(g_steal_pointer(&corpus), TRUE);
}

/* ------------------------------------------------------------------ EAP-TLS server */

enum server_keying { KEYING_RFC5216, KEYING_RFC9190, KEYING_DRAFT };

struct srv {
        SSL_CTX *ctx;
        SSL *ssl;
        BIO *rbio, *wbio;
        size_t frag;     /* largest request we send, whole EAP packet */
        bool indication; /* TLS 1.3: send 0x00 after the handshake (RFC 9190 2.5) */
        bool indication_sent;
        bool draft_keying; /* TLS 1.3 MSK with the old label */
        uint8_t id;
        GByteArray *in;
        uint8_t *out;
        size_t out_len, out_off;
        bool done, failed;
        struct packet p;
        uint8_t msk[EAP_MSK_LEN];
        bool have_msk;
        /* what the peer did */
        unsigned peer_fragments, peer_acks, peer_l_flags;
        unsigned server_fragments;
};

static void srv_setup(struct srv *s, X509 *cert, X509 *client_ca, int max_version,
                      int tickets)
{
        X509_STORE *store = X509_STORE_new();

        memset(s, 0, sizeof(*s));
        s->frag = 1000;
        s->indication = true;
        s->id = 0x30;
        s->in = g_byte_array_new();
        s->ctx = SSL_CTX_new(TLS_server_method());
        g_assert_nonnull(s->ctx);
        g_assert_true(SSL_CTX_set_min_proto_version(s->ctx, TLS1_2_VERSION));
        g_assert_true(SSL_CTX_set_max_proto_version(s->ctx, max_version));
        g_assert_true(SSL_CTX_use_certificate(s->ctx, cert));
        g_assert_true(SSL_CTX_use_PrivateKey(s->ctx, pki.server_key));
        g_assert_true(X509_STORE_add_cert(store, client_ca));
        g_assert_true(SSL_CTX_set1_verify_cert_store(s->ctx, store));
        X509_STORE_free(store);
        SSL_CTX_set_verify(s->ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
        X509_VERIFY_PARAM_set_time(SSL_CTX_get0_param(s->ctx), (time_t)pki.now);
        g_assert_true(SSL_CTX_set_num_tickets(s->ctx, (size_t)tickets));
        s->ssl = SSL_new(s->ctx);
        s->rbio = BIO_new(BIO_s_mem());
        s->wbio = BIO_new(BIO_s_mem());
        BIO_set_mem_eof_return(s->rbio, -1);
        SSL_set_bio(s->ssl, s->rbio, s->wbio);
        SSL_set_accept_state(s->ssl);
}

static void srv_free(struct srv *s)
{
        SSL_free(s->ssl);
        SSL_CTX_free(s->ctx);
        g_byte_array_free(s->in, TRUE);
        g_free(s->out);
}

static struct slice srv_send(struct srv *s, struct slice p)
{
        corpus_packet(p);
        return p;
}

static struct slice srv_start(struct srv *s)
{
        static const uint8_t start = 0x20;

        return srv_send(s, pkt(&s->p, EAP_CODE_REQUEST, ++s->id, EAP_TYPE_TLS, &start, 1));
}

static struct slice srv_fragment(struct srv *s)
{
        size_t room = s->frag - 6, left = s->out_len - s->out_off, n;
        uint8_t d[EAP_MAX_PACKET];
        size_t k = 0;

        if (s->out_off == 0 && left > room) {
                n = room - 4;
                d[k++] = 0xc0;
                d[k++] = (uint8_t)(s->out_len >> 24);
                d[k++] = (uint8_t)(s->out_len >> 16);
                d[k++] = (uint8_t)(s->out_len >> 8);
                d[k++] = (uint8_t)s->out_len;
        } else if (left > room) {
                n = room;
                d[k++] = 0x40;
        } else {
                n = left;
                d[k++] = 0;
        }
        memcpy(d + k, s->out + s->out_off, n);
        s->out_off += n;
        s->server_fragments++;
        return srv_send(s, pkt(&s->p, EAP_CODE_REQUEST, ++s->id, EAP_TYPE_TLS, d, k + n));
}

static void srv_derive(struct srv *s)
{
        static const uint8_t type_code = EAP_TYPE_TLS;
        uint8_t km[128];
        int ok;

        if (SSL_version(s->ssl) == TLS1_3_VERSION && !s->draft_keying)
                ok = SSL_export_keying_material(s->ssl, km, sizeof(km),
                                                "EXPORTER_EAP_TLS_Key_Material", 29, &type_code, 1,
                                                1);
        else
                ok = SSL_export_keying_material(s->ssl, km, sizeof(km), "client EAP encryption",
                                                21, NULL, 0, 0);
        g_assert_cmpint(ok, ==, 1);
        memcpy(s->msk, km, sizeof(s->msk));
        s->have_msk = true;
}

static struct slice srv_code(struct srv *s, uint8_t code)
{
        if (code == EAP_CODE_SUCCESS)
                srv_derive(s);
        return srv_send(s, pkt(&s->p, code, s->id, -1, NULL, 0));
}

/* Everything the peer says goes through here, so what the server saw is
 * what the peer sent. */
static struct slice srv_next(struct srv *s, struct slice resp)
{
        const uint8_t *b = resp.ptr;
        size_t off = 6;
        uint8_t flags;
        char pending[1];

        g_assert_cmpuint(resp.len, >=, 6);
        g_assert_cmpuint(b[0], ==, EAP_CODE_RESPONSE);
        g_assert_cmpuint(b[1], ==, s->id);
        g_assert_cmpuint((size_t)(b[2] << 8 | b[3]), ==, resp.len);
        g_assert_cmpuint(b[4], ==, EAP_TYPE_TLS);
        flags = b[5];
        if (flags & 0x80) {
                g_assert_cmpuint(resp.len, >=, 10);
                s->peer_l_flags++;
                off = 10;
        }
        if (s->failed)
                return srv_code(s, EAP_CODE_FAILURE);

        if (s->out_off < s->out_len) {
                g_assert_cmpuint(resp.len, ==, 6); /* an ACK of our fragment */
                return srv_fragment(s);
        }
        if (resp.len == off) {
                s->peer_acks++;
                g_assert_true(s->done);
                return srv_code(s, EAP_CODE_SUCCESS);
        }
        g_byte_array_append(s->in, b + off, (guint)(resp.len - off));
        if (flags & 0x40) {
                static const uint8_t ack = 0;

                s->peer_fragments++;
                return srv_send(s, pkt(&s->p, EAP_CODE_REQUEST, ++s->id, EAP_TYPE_TLS, &ack, 1));
        }
        g_assert_cmpint(BIO_write(s->rbio, s->in->data, (int)s->in->len), ==, (int)s->in->len);
        g_byte_array_set_size(s->in, 0);

        if (!s->done) {
                int r = SSL_do_handshake(s->ssl);

                if (r == 1)
                        s->done = true;
                else if (SSL_get_error(s->ssl, r) != SSL_ERROR_WANT_READ)
                        s->failed = true;
                ERR_clear_error();
        } else {
                /* After the handshake the peer has nothing to say but an ACK
                 * or an alert. */
                int n = SSL_read(s->ssl, pending, 1);

                if (n <= 0 && SSL_get_error(s->ssl, n) != SSL_ERROR_WANT_READ)
                        s->failed = true;
                ERR_clear_error();
        }
        if (s->done && !s->failed && s->indication && !s->indication_sent &&
            SSL_version(s->ssl) == TLS1_3_VERSION) {
                g_assert_cmpint(SSL_write(s->ssl, "", 1), ==, 1);
                s->indication_sent = true;
        }
        g_free(s->out);
        s->out_len = BIO_ctrl_pending(s->wbio);
        s->out_off = 0;
        s->out = g_malloc(s->out_len ? s->out_len : 1);
        if (s->out_len)
                g_assert_cmpint(BIO_read(s->wbio, s->out, (int)s->out_len), ==, (int)s->out_len);
        if (s->out_len)
                return srv_fragment(s);
        if (s->failed)
                return srv_code(s, EAP_CODE_FAILURE);
        g_assert_true(s->done);
        return srv_code(s, EAP_CODE_SUCCESS);
}

/* ------------------------------------------------------------------ the peer */

struct creds {
        X509 *ca;
        const char *identity;
        int64_t now;
        size_t fragment_size;
        int max_version;
        enum eap_tls13_keying keying;
        struct slice pkcs12, cert_pem, key_pem;
        const char *secret;
        bool no_client_cert;
};

static struct eap_peer *tls_peer(const struct creds *c)
{
        X509 *cas[1] = { c->ca ? c->ca : pki.ca };
        struct eap_peer_config cfg = {
                .identity = SLICE(TEST_PKI_CLIENT_NAME, strlen(TEST_PKI_CLIENT_NAME)),
                .method = EAP_TYPE_TLS,
                .secret = c->secret ? SLICE(c->secret, strlen(c->secret)) : SLICE(NULL, 0),
                .max_rounds = 1000,
                .tls = {
                        .ca_certs = cas,
                        .n_ca_certs = 1,
                        .pkcs12 = c->pkcs12,
                        .cert_pem = c->cert_pem,
                        .key_pem = c->key_pem,
                        .server_identity = c->identity ? c->identity : TEST_PKI_SERVER_NAME,
                        .now = c->now ? c->now : pki.now,
                        .fragment_size = c->fragment_size,
                        .max_version = c->max_version,
                        .tls13_keying = c->keying,
                },
        };
        struct eap_error err = { { 0 } };
        struct eap_peer *p = NULL;
        int r;

        if (!c->pkcs12.len && !c->cert_pem.len && !c->no_client_cert) {
                cfg.tls.cert = pki.client;
                cfg.tls.key = pki.client_key;
        }
        r = eap_peer_new(&p, &cfg, &err);
        if (r < 0)
                g_error("eap_peer_new: %s (%s)", g_strerror(-r), err.text);
        return p;
}

static struct eap_result run(struct eap_peer *p, struct slice in)
{
        struct eap_result res;

        memset(&res, 0xa5, sizeof(res));
        g_assert_cmpint(eap_peer_process(p, in, &res), ==, 0);
        return res;
}

/* Peer and server talk until the peer stops sending; secrets are handed
 * over from the list when asked for. Returns the peer's last result. */
static struct eap_result converse(struct eap_peer *peer, struct srv *s, const char *const *secrets,
                                  unsigned *asked)
{
        struct slice req = srv_start(s);
        struct eap_result res;
        unsigned n_asked = 0;

        for (int i = 0; i < 2000; i++) {
                res = run(peer, req);
                while (res.action == EAP_ACTION_NEED_SECRET) {
                        g_assert_cmpint(res.secret_kind, ==, EAP_SECRET_KEY_PASSPHRASE);
                        g_assert_nonnull(secrets);
                        g_assert_nonnull(secrets[n_asked]);
                        g_assert_cmpint(eap_peer_set_secret(peer, SLICE(secrets[n_asked],
                                                                        strlen(secrets[n_asked]))),
                                        ==, 0);
                        n_asked++;
                        g_assert_cmpint(eap_peer_resume(peer, &res), ==, 0);
                }
                if (res.action != EAP_ACTION_SEND)
                        break;
                g_assert_cmpuint(res.response.len, <=, 1000);
                req = srv_next(s, res.response);
        }
        if (asked)
                *asked = n_asked;
        return res;
}

static void assert_reason(const struct eap_result *res, enum eap_action action, const char *part)
{
        g_assert_cmpint(res->action, ==, action);
        g_assert_nonnull(res->reason);
        if (!strstr(res->reason, part))
                g_error("reason \"%s\" does not mention \"%s\"", res->reason, part);
}

static void assert_same_msk(struct eap_peer *peer, struct srv *s)
{
        struct slice msk;

        g_assert_true(s->have_msk);
        g_assert_cmpint(eap_peer_msk(peer, &msk), ==, 0);
        g_assert_cmpmem(msk.ptr, msk.len, s->msk, sizeof(s->msk));
}

/* ------------------------------------------------------------------ tests */

static void test_tls12(void)
{
        struct creds c = { 0 };
        struct eap_peer *peer = tls_peer(&c);
        struct eap_result res;
        struct srv s;

        srv_setup(&s, pki.server, pki.ca, TLS1_2_VERSION, 2);
        corpus_begin(2);
        res = converse(peer, &s, NULL, NULL);
        corpus_end("tls12-full");
        g_assert_cmpint(res.action, ==, EAP_ACTION_SUCCESS);
        g_assert_cmpint(SSL_version(s.ssl), ==, TLS1_2_VERSION);
        g_assert_nonnull(SSL_get0_peer_certificate(s.ssl)); /* our certificate was checked */
        g_assert_true(eap_peer_method_completed(peer));
        /* RFC 5216 2.3 on both ends */
        assert_same_msk(peer, &s);
        g_assert_cmpuint(s.peer_acks, ==, 1); /* for the server's Finished */
        eap_peer_free(peer);
        srv_free(&s);
}

static void test_tls13(void)
{
        struct creds c = { 0 };
        struct eap_peer *peer = tls_peer(&c);
        struct eap_result res;
        struct srv s;

        /* With session tickets, which the peer must swallow. */
        srv_setup(&s, pki.server, pki.ca, TLS1_3_VERSION, 2);
        corpus_begin(2);
        res = converse(peer, &s, NULL, NULL);
        corpus_end("tls13-full");
        g_assert_cmpint(res.action, ==, EAP_ACTION_SUCCESS);
        g_assert_cmpint(SSL_version(s.ssl), ==, TLS1_3_VERSION);
        g_assert_true(s.indication_sent);
        g_assert_nonnull(SSL_get0_peer_certificate(s.ssl));
        /* RFC 9190 2.3 on both ends */
        assert_same_msk(peer, &s);
        eap_peer_free(peer);
        srv_free(&s);
}

static void test_tls13_missing_indication(void)
{
        struct creds c = { 0 };
        struct eap_peer *peer = tls_peer(&c);
        struct eap_result res;
        struct slice msk;
        struct srv s;

        srv_setup(&s, pki.server, pki.ca, TLS1_3_VERSION, 0);
        s.indication = false;
        res = converse(peer, &s, NULL, NULL);
        /* RFC 9190 2.5: without the protected success indication the server
         * may still reject us; EAP-Success is not enough. */
        assert_reason(&res, EAP_ACTION_FAILURE, "before EAP-TLS completed");
        g_assert_cmpint(eap_peer_msk(peer, &msk), ==, -EAGAIN);
        eap_peer_free(peer);
        srv_free(&s);
}

static void test_tls13_draft_keying(void)
{
        struct creds c = { .keying = EAP_TLS13_DRAFT };
        struct eap_peer *peer = tls_peer(&c);
        struct eap_result res;
        struct srv s;

        /* strongSwan 5.9.x before RFC 9190: old label, no indication. */
        srv_setup(&s, pki.server, pki.ca, TLS1_3_VERSION, 0);
        s.indication = false;
        s.draft_keying = true;
        res = converse(peer, &s, NULL, NULL);
        g_assert_cmpint(res.action, ==, EAP_ACTION_SUCCESS);
        assert_same_msk(peer, &s);
        eap_peer_free(peer);
        srv_free(&s);

        /* A server that sends the indication anyway is fine too. */
        peer = tls_peer(&c);
        srv_setup(&s, pki.server, pki.ca, TLS1_3_VERSION, 0);
        s.draft_keying = true;
        res = converse(peer, &s, NULL, NULL);
        g_assert_cmpint(res.action, ==, EAP_ACTION_SUCCESS);
        assert_same_msk(peer, &s);
        eap_peer_free(peer);
        srv_free(&s);
}

/* The peer refuses the server's certificate: the handshake ends, the server
 * never sees our certificate, and no EAP-Success is accepted. */
static void refused_server(X509 *server_cert, int version, const struct creds *c,
                           const char *reason)
{
        struct eap_peer *peer = tls_peer(c);
        struct eap_result res;
        struct packet in;
        struct slice msk;
        struct srv s;

        srv_setup(&s, server_cert, pki.ca, version, 0);
        res = converse(peer, &s, NULL, NULL);
        assert_reason(&res, EAP_ACTION_FAILURE, reason);
        /* At most a TLS alert as a courtesy, never a certificate. */
        g_assert_cmpuint(res.response.len, <, 64);
        if (res.response.len) {
                BIO_write(s.rbio, res.response.ptr + 6, (int)res.response.len - 6);
                SSL_do_handshake(s.ssl);
                ERR_clear_error();
        }
        g_assert_null(SSL_get0_peer_certificate(s.ssl));
        g_assert_cmpint(s.peer_fragments, ==, 0);
        g_assert_false(eap_peer_method_completed(peer));

        res = run(peer, pkt(&in, EAP_CODE_SUCCESS, s.id, -1, NULL, 0));
        g_assert_cmpint(res.action, ==, EAP_ACTION_FAILURE);
        g_assert_cmpint(eap_peer_msk(peer, &msk), ==, -EAGAIN);
        eap_peer_free(peer);
        srv_free(&s);
}

static void test_untrusted_ca(void)
{
        struct creds c = { 0 };

        refused_server(pki.rogue_server, TLS1_2_VERSION, &c, "not trusted");
        refused_server(pki.rogue_server, TLS1_3_VERSION, &c, "not trusted");
}

static void test_wrong_name(void)
{
        struct creds c = { 0 };

        refused_server(pki.wrong_name_server, TLS1_2_VERSION, &c,
                       "not for 'vpn.test' (hostname mismatch)");
        refused_server(pki.wrong_name_server, TLS1_3_VERSION, &c,
                       "not for 'vpn.test' (hostname mismatch)");
        /* An IP address identity is checked against the IP SANs. */
        c.identity = "192.0.2.99";
        refused_server(pki.server, TLS1_3_VERSION, &c, "IP address mismatch");
}

static void test_expired(void)
{
        struct creds c = { .now = pki.now + 3 * 86400 };

        refused_server(pki.server, TLS1_3_VERSION, &c, "certificate has expired");
        c.now = pki.now - 2 * 3600;
        refused_server(pki.server, TLS1_2_VERSION, &c, "certificate is not yet valid");
}

static void test_ip_identity(void)
{
        struct creds c = { .identity = TEST_PKI_SERVER_IP };
        struct eap_peer *peer = tls_peer(&c);
        struct eap_result res;
        struct srv s;

        srv_setup(&s, pki.server, pki.ca, TLS1_3_VERSION, 0);
        res = converse(peer, &s, NULL, NULL);
        g_assert_cmpint(res.action, ==, EAP_ACTION_SUCCESS);
        assert_same_msk(peer, &s);
        eap_peer_free(peer);
        srv_free(&s);
}

static void small_mtu(int version, size_t peer_frag, size_t server_frag)
{
        struct creds c = { .fragment_size = peer_frag };
        struct eap_peer *peer = tls_peer(&c);
        struct eap_result res;
        struct srv s;

        srv_setup(&s, pki.server, pki.ca, version, 1);
        s.frag = server_frag;
        corpus_begin(2);
        res = converse(peer, &s, NULL, NULL);
        if (peer_frag == 64)
                corpus_end(version == TLS1_3_VERSION ? "tls13-small-mtu" : "tls12-small-mtu");
        else
                corpus_end("tls-mtu-other");
        g_assert_cmpint(res.action, ==, EAP_ACTION_SUCCESS);
        assert_same_msk(peer, &s);
        /* Both sides really fragmented: the client flight (certificate)
         * went out in many pieces, the first with L, and the server's too. */
        if (peer_frag <= 64) {
                g_assert_cmpuint(s.peer_fragments, >=, 4);
                g_assert_cmpuint(s.peer_l_flags, >=, 2); /* ClientHello and client flight */
        } else {
                g_assert_cmpuint(s.peer_fragments, >=, 1);
        }
        g_assert_cmpuint(s.server_fragments, >=, 4);
        eap_peer_free(peer);
        srv_free(&s);
}

static void test_small_mtu(void)
{
        small_mtu(TLS1_3_VERSION, 64, 100);
        small_mtu(TLS1_2_VERSION, 64, 100);
        small_mtu(TLS1_3_VERSION, EAP_TLS_MIN_FRAGMENT_SIZE, 48);
        small_mtu(TLS1_2_VERSION, 300, 16);
}

static void test_client_rejected(void)
{
        struct creds c = { 0 };
        struct eap_peer *peer;
        struct eap_result res;
        struct srv s;

        /* The server trusts another CA for clients and aborts with an alert
         * after our certificate: TLS 1.3 reports it after our Finished. */
        for (int v = TLS1_2_VERSION; v <= TLS1_3_VERSION; v++) {
                peer = tls_peer(&c);
                srv_setup(&s, pki.server, pki.rogue_ca, v, 0);
                res = converse(peer, &s, NULL, NULL);
                g_assert_cmpint(res.action, ==, EAP_ACTION_FAILURE);
                g_assert_nonnull(res.reason);
                g_assert_false(eap_peer_method_completed(peer));
                eap_peer_free(peer);
                srv_free(&s);
        }
}

static void test_pkcs12_passphrase(void)
{
        static const char *const secrets[] = { "wrong", "open sesame", NULL };
        size_t len = 0;
        uint8_t *der = test_pki_pkcs12(pki.client_key, pki.client, pki.ca, "open sesame", false,
                                       NULL, &len);
        struct creds c = { .pkcs12 = SLICE(der, len) };
        struct eap_peer *peer;
        struct eap_result res;
        unsigned asked = 0;
        struct srv s;

        g_assert_nonnull(der);
        peer = tls_peer(&c);
        srv_setup(&s, pki.server, pki.ca, TLS1_3_VERSION, 0);
        res = converse(peer, &s, secrets, &asked);
        g_assert_cmpint(res.action, ==, EAP_ACTION_SUCCESS);
        g_assert_cmpuint(asked, ==, 2); /* the wrong one, then the right one */
        assert_same_msk(peer, &s);
        eap_peer_free(peer);
        srv_free(&s);

        /* Three wrong passphrases end it. */
        {
                static const char *const wrong[] = { "a", "b", "c", NULL };

                peer = tls_peer(&c);
                srv_setup(&s, pki.server, pki.ca, TLS1_3_VERSION, 0);
                res = converse(peer, &s, wrong, &asked);
                assert_reason(&res, EAP_ACTION_FAILURE, "passphrase is wrong");
                g_assert_cmpuint(asked, ==, 3);
                eap_peer_free(peer);
                srv_free(&s);
        }
        OPENSSL_free(der);
}

static void test_pkcs12_legacy_rc2(void)
{
        size_t len = 0;
        uint8_t *der;
        struct creds c = { .secret = "legacy" };
        struct eap_peer *peer;
        struct eap_result res;
        struct srv s;

        der = test_pki_pkcs12(pki.client_key, pki.client, pki.ca, "legacy", true,
                              crypto_legacy_libctx(), &len);
        g_assert_nonnull(der);
        c.pkcs12 = SLICE(der, len);
        peer = tls_peer(&c);
        srv_setup(&s, pki.server, pki.ca, TLS1_2_VERSION, 0);
        res = converse(peer, &s, NULL, NULL);
        g_assert_cmpint(res.action, ==, EAP_ACTION_SUCCESS);
        assert_same_msk(peer, &s);
        eap_peer_free(peer);
        srv_free(&s);
        OPENSSL_free(der);
}

static void test_pem(void)
{
        size_t cert_len = 0, key_len = 0, enc_len = 0;
        g_autofree char *cert = test_pki_cert_pem(pki.client, &cert_len);
        g_autofree char *key = test_pki_key_pem(pki.client_key, NULL, &key_len);
        g_autofree char *enc = test_pki_key_pem(pki.client_key, "pem pass", &enc_len);
        static const char *const secrets[] = { "pem pass", NULL };
        struct creds c = { .cert_pem = SLICE(cert, cert_len), .key_pem = SLICE(key, key_len) };
        struct eap_peer *peer;
        struct eap_result res;
        unsigned asked = 0;
        struct srv s;

        peer = tls_peer(&c);
        srv_setup(&s, pki.server, pki.ca, TLS1_3_VERSION, 0);
        res = converse(peer, &s, NULL, &asked);
        g_assert_cmpint(res.action, ==, EAP_ACTION_SUCCESS);
        g_assert_cmpuint(asked, ==, 0);
        eap_peer_free(peer);
        srv_free(&s);

        c.key_pem = SLICE(enc, enc_len);
        peer = tls_peer(&c);
        srv_setup(&s, pki.server, pki.ca, TLS1_2_VERSION, 0);
        res = converse(peer, &s, secrets, &asked);
        g_assert_cmpint(res.action, ==, EAP_ACTION_SUCCESS);
        g_assert_cmpuint(asked, ==, 1);
        assert_same_msk(peer, &s);
        eap_peer_free(peer);
        srv_free(&s);
}

static void test_config_errors(void)
{
        size_t pem_len = 0, key_len = 0;
        g_autofree char *ca_pem = test_pki_cert_pem(pki.ca, &pem_len);
        g_autofree char *server_key = test_pki_key_pem(pki.server_key, NULL, &key_len);
        g_autofree char *client_pem = NULL;
        size_t client_len = 0;
        struct eap_peer_config cfg = {
                .identity = SLICE("alice", 5),
                .method = EAP_TYPE_TLS,
                .tls = {
                        .ca_pem = SLICE(ca_pem, pem_len),
                        .server_identity = "vpn.test",
                        .now = pki.now,
                },
        };
        struct eap_error err;
        struct eap_peer *p = NULL;

        client_pem = test_pki_cert_pem(pki.client, &client_len);

        /* The minimum: a CA, an identity, a time. */
        g_assert_cmpint(eap_peer_new(&p, &cfg, &err), ==, 0);
        eap_peer_free(p);
        p = NULL;

        {
                static const char bad[] = "-----BEGIN CERTIFICATE-----\nnope\n"
                                          "-----END CERTIFICATE-----\n";

                cfg.tls.ca_pem = SLICE(bad, sizeof(bad) - 1);
        }
        g_assert_cmpint(eap_peer_new(&p, &cfg, &err), ==, -EINVAL);
        g_assert_nonnull(strstr(err.text, "EAP-TLS CA"));
        cfg.tls.ca_pem = SLICE("\x30\x03\x02\x01\x01", 5);
        g_assert_cmpint(eap_peer_new(&p, &cfg, &err), ==, -EINVAL);
        cfg.tls.ca_pem = SLICE(NULL, 0);
        g_assert_cmpint(eap_peer_new(&p, &cfg, &err), ==, -EINVAL);
        g_assert_nonnull(strstr(err.text, "at least one CA"));
        cfg.tls.ca_pem = SLICE(ca_pem, pem_len);

        cfg.tls.server_identity = "has space";
        g_assert_cmpint(eap_peer_new(&p, &cfg, &err), ==, -EINVAL);
        cfg.tls.server_identity = "vpn.test";
        cfg.tls.now = 0;
        g_assert_cmpint(eap_peer_new(&p, &cfg, &err), ==, -EINVAL);
        g_assert_nonnull(strstr(err.text, "time"));
        cfg.tls.now = pki.now;
        cfg.tls.fragment_size = 10;
        g_assert_cmpint(eap_peer_new(&p, &cfg, &err), ==, -EINVAL);
        g_assert_nonnull(strstr(err.text, "fragment size 10"));
        cfg.tls.fragment_size = 0;
        cfg.tls.max_version = 0x0301;
        g_assert_cmpint(eap_peer_new(&p, &cfg, &err), ==, -EINVAL);
        cfg.tls.max_version = 0;

        /* Client credentials: a certificate with somebody else's key. */
        cfg.tls.cert_pem = SLICE(client_pem, client_len);
        cfg.tls.key_pem = SLICE(server_key, key_len);
        g_assert_cmpint(eap_peer_new(&p, &cfg, &err), ==, -EINVAL);
        g_assert_nonnull(strstr(err.text, "do not belong together"));
        cfg.tls.key_pem = SLICE(NULL, 0);
        g_assert_cmpint(eap_peer_new(&p, &cfg, &err), ==, -EINVAL);
        g_assert_nonnull(strstr(err.text, "together"));
        cfg.tls.cert_pem = SLICE(NULL, 0);
        cfg.tls.pkcs12 = SLICE("not a pkcs12 file", 17);
        g_assert_cmpint(eap_peer_new(&p, &cfg, &err), ==, -EINVAL);
        g_assert_nonnull(strstr(err.text, "PKCS#12"));
        cfg.tls.cert = pki.client;
        g_assert_cmpint(eap_peer_new(&p, &cfg, &err), ==, -EINVAL);
        g_assert_nonnull(strstr(err.text, "more than one way"));
        g_assert_null(p);
}

/* Crafted EAP-TLS packets after a real Start: the peer's reassembly rules. */
static void test_fragment_validation(void)
{
        struct creds c = { 0 };
        struct eap_peer *peer = tls_peer(&c);
        struct packet in;
        struct eap_result res;
        uint8_t d[64] = { 0 };
        uint8_t id = 1;

        res = run(peer, pkt(&in, EAP_CODE_REQUEST, id, EAP_TYPE_TLS, "\x01", 1));
        assert_reason(&res, EAP_ACTION_DROP, "before Start");
        res = run(peer, pkt(&in, EAP_CODE_SUCCESS, 0, -1, NULL, 0));
        assert_reason(&res, EAP_ACTION_FAILURE, "before EAP-TLS completed");
        eap_peer_free(peer);

        peer = tls_peer(&c);
        res = run(peer, pkt(&in, EAP_CODE_REQUEST, ++id, EAP_TYPE_TLS, "\x20", 1));
        g_assert_cmpint(res.action, ==, EAP_ACTION_SEND); /* ClientHello */
        g_assert_cmpuint(res.response.ptr[5] & 0x40, ==, 0);

        /* L without its length; a length above the limit */
        res = run(peer, pkt(&in, EAP_CODE_REQUEST, ++id, EAP_TYPE_TLS, "\x80\x00\x00", 3));
        assert_reason(&res, EAP_ACTION_DROP, "without the 4-byte TLS Message Length");
        res = run(peer, pkt(&in, EAP_CODE_REQUEST, ++id, EAP_TYPE_TLS, "\xc0\x00\x01\x00\x01x", 6));
        assert_reason(&res, EAP_ACTION_DROP, "65537 bytes is larger than the 65536 accepted");
        /* an ACK although we sent everything */
        res = run(peer, pkt(&in, EAP_CODE_REQUEST, ++id, EAP_TYPE_TLS, "\x00", 1));
        assert_reason(&res, EAP_ACTION_DROP, "nothing to send");
        /* L with M must leave room for more */
        d[0] = 0xc0;
        d[4] = 4; /* L = 4 */
        res = run(peer, pkt(&in, EAP_CODE_REQUEST, ++id, EAP_TYPE_TLS, d, 5 + 10));
        assert_reason(&res, EAP_ACTION_DROP, "leaves nothing");
        /* unfragmented, L disagrees */
        d[0] = 0x80;
        res = run(peer, pkt(&in, EAP_CODE_REQUEST, ++id, EAP_TYPE_TLS, d, 5 + 10));
        assert_reason(&res, EAP_ACTION_DROP, "Length 4 but the unfragmented message has 10");

        /* a first fragment announcing 20 bytes: ACKed */
        d[0] = 0xc0;
        d[4] = 20;
        res = run(peer, pkt(&in, EAP_CODE_REQUEST, ++id, EAP_TYPE_TLS, d, 5 + 8));
        g_assert_cmpint(res.action, ==, EAP_ACTION_SEND);
        g_assert_cmpmem(res.response.ptr + 4, res.response.len - 4, "\x0d\x00", 2);
        /* the announced length may not change */
        d[4] = 21;
        res = run(peer, pkt(&in, EAP_CODE_REQUEST, ++id, EAP_TYPE_TLS, d, 5 + 8));
        assert_reason(&res, EAP_ACTION_DROP, "changed from 20 to 21");
        /* nor may the fragments exceed it, or end short of it */
        d[0] = 0x40;
        res = run(peer, pkt(&in, EAP_CODE_REQUEST, ++id, EAP_TYPE_TLS, d, 1 + 13));
        assert_reason(&res, EAP_ACTION_DROP, "fragments exceed 20 bytes (8 + 13)");
        d[0] = 0x00;
        res = run(peer, pkt(&in, EAP_CODE_REQUEST, ++id, EAP_TYPE_TLS, d, 1 + 11));
        assert_reason(&res, EAP_ACTION_DROP, "total 19 bytes, the TLS Message Length said 20");
        d[0] = 0x40;
        res = run(peer, pkt(&in, EAP_CODE_REQUEST, ++id, EAP_TYPE_TLS, d, 1));
        assert_reason(&res, EAP_ACTION_DROP, "empty fragment with more to follow");
        /* the right last fragment goes to TLS, which finds garbage */
        d[0] = 0x00;
        res = run(peer, pkt(&in, EAP_CODE_REQUEST, ++id, EAP_TYPE_TLS, d, 1 + 12));
        assert_reason(&res, EAP_ACTION_FAILURE, "TLS handshake failed");
        eap_peer_free(peer);

        /* A second Start in the middle is refused. */
        peer = tls_peer(&c);
        res = run(peer, pkt(&in, EAP_CODE_REQUEST, 1, EAP_TYPE_TLS, "\x20", 1));
        g_assert_cmpint(res.action, ==, EAP_ACTION_SEND);
        res = run(peer, pkt(&in, EAP_CODE_REQUEST, 2, EAP_TYPE_TLS, "\x20", 1));
        assert_reason(&res, EAP_ACTION_FAILURE, "Start in the middle");
        eap_peer_free(peer);

        /* Data instead of an ACK while our fragments are going out. */
        c.fragment_size = 40;
        peer = tls_peer(&c);
        res = run(peer, pkt(&in, EAP_CODE_REQUEST, 1, EAP_TYPE_TLS, "\x20", 1));
        g_assert_cmpint(res.action, ==, EAP_ACTION_SEND);
        g_assert_cmpuint(res.response.ptr[5], ==, 0xc0); /* L and M */
        res = run(peer, pkt(&in, EAP_CODE_REQUEST, 2, EAP_TYPE_TLS, "\x00", 1));
        g_assert_cmpint(res.action, ==, EAP_ACTION_SEND);
        g_assert_cmpuint(res.response.ptr[5], ==, 0x40); /* M only */
        res = run(peer, pkt(&in, EAP_CODE_REQUEST, 3, EAP_TYPE_TLS, "\x00xyz", 4));
        assert_reason(&res, EAP_ACTION_FAILURE, "instead of acknowledging");
        eap_peer_free(peer);
}

static void test_success_mid_handshake(void)
{
        struct creds c = { 0 };
        struct eap_peer *peer = tls_peer(&c);
        struct eap_result res;
        struct packet in;
        struct srv s;
        struct slice req;

        srv_setup(&s, pki.server, pki.ca, TLS1_3_VERSION, 0);
        req = srv_start(&s);
        res = run(peer, req);
        g_assert_cmpint(res.action, ==, EAP_ACTION_SEND);
        req = srv_next(&s, res.response); /* the server's flight */
        res = run(peer, req);
        g_assert_cmpint(res.action, ==, EAP_ACTION_SEND); /* our flight */
        /* The handshake is done on our side, but the server has not said
         * whether it accepts us: Success now is refused. */
        res = run(peer, pkt(&in, EAP_CODE_SUCCESS, s.id, -1, NULL, 0));
        assert_reason(&res, EAP_ACTION_FAILURE, "before EAP-TLS completed");
        eap_peer_free(peer);
        srv_free(&s);
}

int main(int argc, char **argv)
{
        int r;

        g_test_init(&argc, &argv, NULL);
        if (test_pki_init(&pki, (int64_t)time(NULL)) < 0)
                g_error("cannot generate the test PKI");
        g_test_add_func("/eap/tls/tls12", test_tls12);
        g_test_add_func("/eap/tls/tls13", test_tls13);
        g_test_add_func("/eap/tls/tls13-missing-indication", test_tls13_missing_indication);
        g_test_add_func("/eap/tls/tls13-draft-keying", test_tls13_draft_keying);
        g_test_add_func("/eap/tls/untrusted-ca", test_untrusted_ca);
        g_test_add_func("/eap/tls/wrong-name", test_wrong_name);
        g_test_add_func("/eap/tls/expired", test_expired);
        g_test_add_func("/eap/tls/ip-identity", test_ip_identity);
        g_test_add_func("/eap/tls/small-mtu", test_small_mtu);
        g_test_add_func("/eap/tls/client-rejected", test_client_rejected);
        g_test_add_func("/eap/tls/pkcs12-passphrase", test_pkcs12_passphrase);
        g_test_add_func("/eap/tls/pkcs12-legacy-rc2", test_pkcs12_legacy_rc2);
        g_test_add_func("/eap/tls/pem", test_pem);
        g_test_add_func("/eap/tls/config-errors", test_config_errors);
        g_test_add_func("/eap/tls/fragment-validation", test_fragment_validation);
        g_test_add_func("/eap/tls/success-mid-handshake", test_success_mid_handshake);
        r = g_test_run();
        test_pki_free(&pki);
        return r;
}
