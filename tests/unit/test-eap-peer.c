/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The EAP peer state machine (client/ike/eap.c) with EAP-MD5 and
 * EAP-MSCHAPv2, driven by a scripted server written here: Identity,
 * Notification, Nak, retransmissions, malformed packets, the Success rules
 * (CVE-2021-45079 family), limits and the NEED_SECRET flow.
 *
 * With EAP_CORPUS_DIR set, it writes MD5 and MSCHAPv2 conversations, run
 * against a peer configured like the fuzz target's, as seeds for
 * tests/fuzz/fuzz_eap_peer.c instead of running the tests.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <openssl/evp.h>

#include "client/ike/eap.h"
#include "client/ike/mschapv2.h"
#include "test-eap-pki.h"

#define IDENTITY "CORP\\alice"
#define PASSWORD "p\xc3\xa4ssw\xc3\xb6rd" /* "pässwörd": UTF-8 reaches the NT hash */

/* ------------------------------------------------------------------ helpers */

/* A counter as the random source: deterministic, yet every draw differs, so
 * a response computed twice would not be byte-identical. */
static int counting_rng(void *ctx, uint8_t *buf, size_t n)
{
        unsigned *counter = ctx;

        for (size_t i = 0; i < n; i++)
                buf[i] = (uint8_t)(*counter + i);
        (*counter)++;
        return 0;
}

static int failing_rng(void *ctx, uint8_t *buf, size_t n)
{
        return -EIO;
}

struct packet {
        uint8_t b[EAP_MAX_PACKET + 16];
        size_t len;
};

/* code | id | length | [type | data] */
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

static struct eap_peer *new_peer(uint8_t method, const char *secret, unsigned *counter,
                                 unsigned max_rounds)
{
        struct eap_peer_config cfg = {
                .identity = SLICE(IDENTITY, strlen(IDENTITY)),
                .method = method,
                .secret = secret ? SLICE(secret, strlen(secret)) : SLICE(NULL, 0),
                .rng_fill = counting_rng,
                .rng_ctx = counter,
                .max_rounds = max_rounds,
        };
        struct eap_error err = { { 0 } };
        struct eap_peer *p = NULL;
        int r = eap_peer_new(&p, &cfg, &err);

        if (r < 0)
                g_error("eap_peer_new: %s (%s)", g_strerror(-r), err.text);
        return p;
}

static struct eap_result run(struct eap_peer *p, struct slice in)
{
        struct eap_result res;

        memset(&res, 0xa5, sizeof(res)); /* nothing left over from before */
        g_assert_cmpint(eap_peer_process(p, in, &res), ==, 0);
        return res;
}

static void assert_reason(const struct eap_result *res, enum eap_action action, const char *part)
{
        g_assert_cmpint(res->action, ==, action);
        g_assert_nonnull(res->reason);
        if (!strstr(res->reason, part))
                g_error("reason \"%s\" does not mention \"%s\"", res->reason, part);
}

/* A scripted EAP-MSCHAPv2 server (RFC 2759 arithmetic from mschapv2.h,
 * which tests/unit/test-eap-mschapv2.c pins to the RFC vectors). */
struct ms_server {
        uint8_t challenge[16];
        uint8_t ms_id;
        uint8_t peer_challenge[16];
        uint8_t nt_response[24];
        uint8_t auth[20];
        uint8_t msk[64];
};

static struct slice ms_challenge(struct ms_server *s, struct packet *p, uint8_t id)
{
        uint8_t d[4 + 1 + 16 + 6] = { 1, s->ms_id, 0, sizeof(d), 16 };

        for (size_t i = 0; i < 16; i++)
                s->challenge[i] = (uint8_t)(0xc0 + i);
        memcpy(d + 5, s->challenge, 16);
        memcpy(d + 21, "server", 6);
        return pkt(p, EAP_CODE_REQUEST, id, EAP_TYPE_MSCHAPV2, d, sizeof(d));
}

/* Checks the peer's Response as a server would: framing, then the
 * NT-Response against the password it knows. */
static void ms_check_response_of(struct ms_server *s, struct slice resp, uint8_t id,
                                 const char *identity, const char *password)
{
        const uint8_t *b = resp.ptr;
        size_t name_len = strlen(identity);
        struct slice user = mschapv2_username(SLICE(identity, name_len));
        uint8_t hash[16], expect[24];

        g_assert_cmpuint(resp.len, ==, 5 + 4 + 1 + 49 + name_len);
        g_assert_cmpuint(b[0], ==, EAP_CODE_RESPONSE);
        g_assert_cmpuint(b[1], ==, id);
        g_assert_cmpuint((size_t)(b[2] << 8 | b[3]), ==, resp.len);
        g_assert_cmpuint(b[4], ==, EAP_TYPE_MSCHAPV2);
        g_assert_cmpuint(b[5], ==, 2); /* Response */
        g_assert_cmpuint(b[6], ==, s->ms_id);
        g_assert_cmpuint((size_t)(b[7] << 8 | b[8]), ==, resp.len - 5); /* MS-Length */
        g_assert_cmpuint(b[9], ==, 49);
        memcpy(s->peer_challenge, b + 10, 16);
        for (size_t i = 26; i < 34; i++)
                g_assert_cmpuint(b[i], ==, 0); /* Reserved */
        memcpy(s->nt_response, b + 34, 24);
        g_assert_cmpuint(b[58], ==, 0); /* Flags */
        g_assert_cmpmem(b + 59, name_len, identity, name_len);

        g_assert_cmpint(mschapv2_nt_password_hash(SLICE(password, strlen(password)), hash), ==, 0);
        g_assert_cmpint(mschapv2_generate_nt_response(s->challenge, s->peer_challenge, user, hash,
                                                      expect),
                        ==, 0);
        g_assert_cmpmem(s->nt_response, 24, expect, 24);
        g_assert_cmpint(mschapv2_authenticator_response(hash, s->nt_response, s->peer_challenge,
                                                        s->challenge, user, s->auth),
                        ==, 0);
        g_assert_cmpint(mschapv2_msk(hash, s->nt_response, s->msk), ==, 0);
}

static void ms_check_response(struct ms_server *s, struct slice resp, uint8_t id,
                              const char *password)
{
        ms_check_response_of(s, resp, id, IDENTITY, password);
}

static struct slice ms_success(struct ms_server *s, struct packet *p, uint8_t id, bool corrupt)
{
        char msg[80];
        uint8_t d[4 + sizeof(msg)];
        size_t n;

        n = (size_t)snprintf(msg, sizeof(msg), "S=");
        for (size_t i = 0; i < 20; i++) {
                uint8_t v = s->auth[i] ^ (corrupt && i == 19 ? 0x01 : 0);

                n += (size_t)snprintf(msg + n, sizeof(msg) - n, "%02X", v);
        }
        n += (size_t)snprintf(msg + n, sizeof(msg) - n, " M=Welcome");
        d[0] = 3;
        d[1] = s->ms_id;
        d[2] = 0;
        d[3] = (uint8_t)(4 + n);
        memcpy(d + 4, msg, n);
        return pkt(p, EAP_CODE_REQUEST, id, EAP_TYPE_MSCHAPV2, d, 4 + n);
}

static struct slice ms_text(struct packet *p, uint8_t id, uint8_t opcode, uint8_t ms_id,
                            const char *msg, size_t n)
{
        uint8_t d[256];

        g_assert_cmpuint(n + 4, <=, sizeof(d));
        d[0] = opcode;
        d[1] = ms_id;
        d[2] = 0;
        d[3] = (uint8_t)(4 + n);
        memcpy(d + 4, msg, n);
        return pkt(p, EAP_CODE_REQUEST, id, EAP_TYPE_MSCHAPV2, d, 4 + n);
}

/* Runs Identity and the Challenge/Response; the peer's response is checked. */
static void ms_until_answered(struct eap_peer *peer, struct ms_server *s, const char *password)
{
        struct packet in;
        struct eap_result res;

        res = run(peer, pkt(&in, EAP_CODE_REQUEST, 1, EAP_TYPE_IDENTITY, NULL, 0));
        g_assert_cmpint(res.action, ==, EAP_ACTION_SEND);
        s->ms_id = 0x42;
        res = run(peer, ms_challenge(s, &in, 2));
        g_assert_cmpint(res.action, ==, EAP_ACTION_SEND);
        ms_check_response(s, res.response, 2, password);
}

/* ------------------------------------------------------------------ tests */

static void test_identity(void)
{
        static const uint8_t expect[] = { 2, 9, 0, 15, 1, 'C', 'O', 'R', 'P', '\\',
                                          'a', 'l', 'i', 'c', 'e' };
        unsigned counter = 0;
        struct eap_peer *p = new_peer(EAP_TYPE_MSCHAPV2, PASSWORD, &counter, 0);
        struct packet in;
        struct eap_result res;

        /* The Type-Data of an Identity request is a prompt; ignored. */
        res = run(p, pkt(&in, EAP_CODE_REQUEST, 9, EAP_TYPE_IDENTITY, "Who?", 4));
        g_assert_cmpint(res.action, ==, EAP_ACTION_SEND);
        g_assert_cmpmem(res.response.ptr, res.response.len, expect, sizeof(expect));
        g_assert_null(res.notification);
        g_assert_false(eap_peer_method_completed(p));
        eap_peer_free(p);
}

static void test_notification(void)
{
        static const uint8_t expect[] = { 2, 3, 0, 5, 2 };
        unsigned counter = 0;
        struct eap_peer *p = new_peer(EAP_TYPE_MD5, PASSWORD, &counter, 0);
        struct packet in;
        struct eap_result res;

        res = run(p, pkt(&in, EAP_CODE_REQUEST, 3, EAP_TYPE_NOTIFICATION,
                         "Password expires\x07 soon\n", 23));
        g_assert_cmpint(res.action, ==, EAP_ACTION_SEND);
        g_assert_cmpmem(res.response.ptr, res.response.len, expect, sizeof(expect));
        g_assert_cmpstr(res.notification, ==, "Password expires? soon?");
        eap_peer_free(p);
}

static void test_nak(void)
{
        unsigned counter = 0;
        struct eap_peer *p = new_peer(EAP_TYPE_MSCHAPV2, PASSWORD, &counter, 0);
        uint8_t expect[] = { 2, 0, 0, 6, EAP_TYPE_NAK, EAP_TYPE_MSCHAPV2 };
        static const int proposals[] = { EAP_TYPE_MD5, EAP_TYPE_TLS, EAP_TYPE_EXPANDED };
        struct packet in;
        struct eap_result res;

        for (size_t i = 0; i < G_N_ELEMENTS(proposals); i++) {
                expect[1] = (uint8_t)(10 + i);
                res = run(p, pkt(&in, EAP_CODE_REQUEST, (uint8_t)(10 + i), proposals[i], "\x10x",
                                 2));
                g_assert_cmpint(res.action, ==, EAP_ACTION_SEND);
                g_assert_cmpmem(res.response.ptr, res.response.len, expect, sizeof(expect));
        }
        /* A server that will not give in ends the conversation. */
        res = run(p, pkt(&in, EAP_CODE_REQUEST, 20, EAP_TYPE_PEAP, "\x20", 1));
        assert_reason(&res, EAP_ACTION_FAILURE, "insists on EAP-PEAP");
        g_assert_cmpuint(res.response.len, ==, 0);
        eap_peer_free(p);

        /* After a Nak, the server may still offer our method. */
        counter = 0;
        p = new_peer(EAP_TYPE_MSCHAPV2, PASSWORD, &counter, 0);
        res = run(p, pkt(&in, EAP_CODE_REQUEST, 1, EAP_TYPE_MD5, "\x01x", 2));
        g_assert_cmpint(res.action, ==, EAP_ACTION_SEND);
        {
                struct ms_server s = { .ms_id = 7 };

                res = run(p, ms_challenge(&s, &in, 2));
                g_assert_cmpint(res.action, ==, EAP_ACTION_SEND);
                ms_check_response(&s, res.response, 2, PASSWORD);
        }
        eap_peer_free(p);
}

static void test_method_switch(void)
{
        unsigned counter = 0;
        struct eap_peer *p = new_peer(EAP_TYPE_MSCHAPV2, PASSWORD, &counter, 0);
        struct ms_server s;
        struct packet in;
        struct eap_result res;

        ms_until_answered(p, &s, PASSWORD);
        /* Once our method began, another one is a downgrade attempt, not a
         * proposal to Nak. */
        res = run(p, pkt(&in, EAP_CODE_REQUEST, 3, EAP_TYPE_MD5, "\x01x", 2));
        assert_reason(&res, EAP_ACTION_FAILURE, "switched from EAP-MSCHAPv2 to EAP-MD5-Challenge");
        eap_peer_free(p);
}

static void test_duplicate_request(void)
{
        unsigned counter = 0;
        struct eap_peer *p = new_peer(EAP_TYPE_MSCHAPV2, PASSWORD, &counter, 0);
        struct ms_server s = { .ms_id = 1 };
        struct packet in, again;
        struct eap_result res;
        uint8_t first[EAP_MAX_PACKET];
        size_t first_len;

        res = run(p, ms_challenge(&s, &in, 5));
        g_assert_cmpint(res.action, ==, EAP_ACTION_SEND);
        g_assert_cmpuint(counter, ==, 1);
        memcpy(first, res.response.ptr, res.response.len);
        first_len = res.response.len;

        /* RFC 3748 4.1: the same response again, byte for byte, and the
         * request is not processed again (no new peer challenge drawn). */
        again = in;
        res = run(p, SLICE(again.b, again.len));
        g_assert_cmpint(res.action, ==, EAP_ACTION_SEND);
        g_assert_cmpmem(res.response.ptr, res.response.len, first, first_len);
        g_assert_cmpuint(counter, ==, 1);

        /* The same identifier with other content is not a retransmission. */
        again.b[again.len - 1] ^= 0xff;
        res = run(p, SLICE(again.b, again.len));
        assert_reason(&res, EAP_ACTION_DROP, "reuses identifier 5");
        g_assert_cmpuint(counter, ==, 1);

        /* And the conversation goes on. */
        ms_check_response(&s, SLICE(first, first_len), 5, PASSWORD);
        res = run(p, ms_success(&s, &in, 6, false));
        g_assert_cmpint(res.action, ==, EAP_ACTION_SEND);
        eap_peer_free(p);
}

static void test_malformed(void)
{
        unsigned counter = 0;
        struct eap_peer *p = new_peer(EAP_TYPE_MD5, PASSWORD, &counter, 0);
        static const uint8_t short3[] = { 1, 1, 0 };
        uint8_t big[EAP_MAX_PACKET + 1] = { 1, 1 };
        struct packet in;
        struct eap_result res;
        struct slice s;

        res = run(p, SLICE(short3, sizeof(short3)));
        assert_reason(&res, EAP_ACTION_DROP, "shorter than its header (3 < 4 bytes)");

        s = pkt(&in, EAP_CODE_REQUEST, 1, EAP_TYPE_IDENTITY, "abc", 3);
        in.b[3] = 10; /* says 10, has 8 */
        res = run(p, s);
        assert_reason(&res, EAP_ACTION_DROP, "says 10 bytes, the packet has 8");
        in.b[3] = 7; /* says 7, has 8 */
        res = run(p, s);
        assert_reason(&res, EAP_ACTION_DROP, "says 7 bytes, the packet has 8");
        in.b[3] = 3;
        res = run(p, s);
        assert_reason(&res, EAP_ACTION_DROP, "Length field 3 is shorter than the 4-byte header");

        res = run(p, SLICE(big, sizeof(big)));
        assert_reason(&res, EAP_ACTION_DROP, "larger than the 16384 accepted");

        res = run(p, pkt(&in, EAP_CODE_REQUEST, 1, -1, NULL, 0));
        assert_reason(&res, EAP_ACTION_DROP, "without a Type");
        res = run(p, pkt(&in, EAP_CODE_RESPONSE, 1, EAP_TYPE_IDENTITY, "x", 1));
        assert_reason(&res, EAP_ACTION_DROP, "EAP-Response (code 2) from the server");
        res = run(p, pkt(&in, 5, 1, -1, NULL, 0));
        assert_reason(&res, EAP_ACTION_DROP, "unknown EAP code 5");
        res = run(p, pkt(&in, EAP_CODE_REQUEST, 1, EAP_TYPE_NAK, "\x04", 1));
        assert_reason(&res, EAP_ACTION_DROP, "Nak is only a response");
        res = run(p, pkt(&in, EAP_CODE_REQUEST, 1, EAP_TYPE_MD5, "\x09" "abc", 4));
        assert_reason(&res, EAP_ACTION_DROP, "Value-Size 9 exceeds the 3 bytes");
        res = run(p, pkt(&in, EAP_CODE_REQUEST, 1, EAP_TYPE_MD5, "\x00", 1));
        assert_reason(&res, EAP_ACTION_DROP, "challenge is empty");

        /* Drops change nothing: a good request is still answered. */
        res = run(p, pkt(&in, EAP_CODE_REQUEST, 2, EAP_TYPE_IDENTITY, NULL, 0));
        g_assert_cmpint(res.action, ==, EAP_ACTION_SEND);
        g_assert_cmpint(eap_peer_process(p, SLICE(NULL, 3), &res), ==, -EINVAL);
        g_assert_cmpint(eap_peer_process(NULL, s, &res), ==, -EINVAL);
        eap_peer_free(p);
}

static void test_mschapv2_malformed(void)
{
        unsigned counter = 0;
        struct eap_peer *p = new_peer(EAP_TYPE_MSCHAPV2, PASSWORD, &counter, 0);
        struct packet in;
        struct eap_result res;
        uint8_t d[64] = { 1, 1, 0, 30, 16 };

        res = run(p, pkt(&in, EAP_CODE_REQUEST, 1, EAP_TYPE_MSCHAPV2, d, 3));
        assert_reason(&res, EAP_ACTION_DROP, "shorter than its 4-byte header");
        res = run(p, pkt(&in, EAP_CODE_REQUEST, 1, EAP_TYPE_MSCHAPV2, d, 25));
        assert_reason(&res, EAP_ACTION_DROP, "MS-Length 30 disagrees with the 25 bytes");
        d[3] = 12;
        d[4] = 8; /* Value-Size 8 */
        res = run(p, pkt(&in, EAP_CODE_REQUEST, 1, EAP_TYPE_MSCHAPV2, d, 12));
        assert_reason(&res, EAP_ACTION_DROP, "without a 16-byte challenge");
        d[0] = 7; /* Change-Password comes from peers only */
        res = run(p, pkt(&in, EAP_CODE_REQUEST, 1, EAP_TYPE_MSCHAPV2, d, 12));
        assert_reason(&res, EAP_ACTION_DROP, "OpCode 7 is not for a peer");
        g_assert_cmpuint(counter, ==, 0);
        eap_peer_free(p);
}

static void test_success_before_method(void)
{
        unsigned counter = 0;
        struct eap_peer *p = new_peer(EAP_TYPE_MSCHAPV2, PASSWORD, &counter, 0);
        struct packet in;
        struct eap_result res;
        struct slice msk;

        /* EAP-Success as the very first packet (CVE-2021-45079). */
        res = run(p, pkt(&in, EAP_CODE_SUCCESS, 0, -1, NULL, 0));
        assert_reason(&res, EAP_ACTION_FAILURE, "before EAP-MSCHAPv2 began");
        g_assert_cmpuint(res.response.len, ==, 0);
        g_assert_cmpint(eap_peer_msk(p, &msk), ==, -EAGAIN);
        /* Terminal: nothing revives it. */
        res = run(p, pkt(&in, EAP_CODE_REQUEST, 1, EAP_TYPE_IDENTITY, NULL, 0));
        g_assert_cmpint(res.action, ==, EAP_ACTION_FAILURE);
        g_assert_cmpuint(res.response.len, ==, 0);
        eap_peer_free(p);

        /* ... or right after Identity. */
        p = new_peer(EAP_TYPE_MSCHAPV2, PASSWORD, &counter, 0);
        res = run(p, pkt(&in, EAP_CODE_REQUEST, 1, EAP_TYPE_IDENTITY, NULL, 0));
        g_assert_cmpint(res.action, ==, EAP_ACTION_SEND);
        res = run(p, pkt(&in, EAP_CODE_SUCCESS, 1, -1, NULL, 0));
        assert_reason(&res, EAP_ACTION_FAILURE, "before EAP-MSCHAPv2 began");
        eap_peer_free(p);
}

static void test_success_before_completion(void)
{
        unsigned counter = 0;
        struct eap_peer *p = new_peer(EAP_TYPE_MSCHAPV2, PASSWORD, &counter, 0);
        struct ms_server s;
        struct packet in;
        struct eap_result res;
        struct slice msk;

        ms_until_answered(p, &s, PASSWORD);
        g_assert_false(eap_peer_method_completed(p));
        /* The server never proved it knows the password: no Success. */
        res = run(p, pkt(&in, EAP_CODE_SUCCESS, 2, -1, NULL, 0));
        assert_reason(&res, EAP_ACTION_FAILURE, "before EAP-MSCHAPv2 completed");
        g_assert_cmpuint(res.response.len, ==, 0);
        g_assert_cmpint(eap_peer_msk(p, &msk), ==, -EAGAIN);
        /* Even a correct MS-CHAPv2 Success afterwards changes nothing. */
        res = run(p, ms_success(&s, &in, 3, false));
        g_assert_cmpint(res.action, ==, EAP_ACTION_FAILURE);
        g_assert_cmpuint(res.response.len, ==, 0);
        eap_peer_free(p);
}

static void test_mschapv2_success(void)
{
        unsigned counter = 0;
        struct eap_peer *p = new_peer(EAP_TYPE_MSCHAPV2, PASSWORD, &counter, 0);
        static const uint8_t success_response[] = { 2, 3, 0, 6, EAP_TYPE_MSCHAPV2, 3 };
        struct ms_server s;
        struct packet in;
        struct eap_result res;
        struct slice msk;

        g_assert_true(eap_peer_has_msk(p));
        g_assert_cmpuint(eap_peer_method(p), ==, EAP_TYPE_MSCHAPV2);
        ms_until_answered(p, &s, PASSWORD);
        res = run(p, ms_success(&s, &in, 3, false));
        g_assert_cmpint(res.action, ==, EAP_ACTION_SEND);
        g_assert_cmpmem(res.response.ptr, res.response.len, success_response,
                        sizeof(success_response));
        g_assert_true(eap_peer_method_completed(p));
        g_assert_cmpint(eap_peer_msk(p, &msk), ==, -EAGAIN);

        /* EAP-Success must carry the identifier of the last request. */
        res = run(p, pkt(&in, EAP_CODE_SUCCESS, 4, -1, NULL, 0));
        assert_reason(&res, EAP_ACTION_DROP, "identifier 4, the last request was 3");
        res = run(p, pkt(&in, EAP_CODE_SUCCESS, 3, -1, NULL, 0));
        g_assert_cmpint(res.action, ==, EAP_ACTION_SUCCESS);
        g_assert_cmpint(eap_peer_msk(p, &msk), ==, 0);
        /* Both ends hold the same MSK (RFC 3079 layout, see mschapv2.h). */
        g_assert_cmpmem(msk.ptr, msk.len, s.msk, sizeof(s.msk));
        for (size_t i = 32; i < 64; i++)
                g_assert_cmpuint(msk.ptr[i], ==, 0);

        res = run(p, pkt(&in, EAP_CODE_SUCCESS, 3, -1, NULL, 0));
        assert_reason(&res, EAP_ACTION_DROP, "after the authentication succeeded");
        eap_peer_free(p);
}

static void test_mschapv2_wrong_authenticator(void)
{
        unsigned counter = 0;
        struct eap_peer *p = new_peer(EAP_TYPE_MSCHAPV2, PASSWORD, &counter, 0);
        struct ms_server s;
        struct packet in;
        struct eap_result res;
        struct slice msk;

        ms_until_answered(p, &s, PASSWORD);
        res = run(p, ms_success(&s, &in, 3, true));
        assert_reason(&res, EAP_ACTION_FAILURE, "authenticator response is wrong");
        /* the server's fault, not the password's */
        g_assert_true(res.server_unauthenticated);
        g_assert_cmpuint(res.response.len, ==, 0); /* no Success Response */
        g_assert_false(eap_peer_method_completed(p));
        res = run(p, pkt(&in, EAP_CODE_SUCCESS, 3, -1, NULL, 0));
        g_assert_cmpint(res.action, ==, EAP_ACTION_FAILURE);
        g_assert_cmpint(eap_peer_msk(p, &msk), ==, -EAGAIN);
        eap_peer_free(p);

        /* A malformed authenticator string is no better. */
        static const char *bad[] = {
                "S=407A5589115FD0D6209F510FE9C04566932CDA5",   /* 39 digits */
                "S=407A5589115FD0D6209F510FE9C04566932CDA5G",  /* not hex */
                "S=407A5589115FD0D6209F510FE9C04566932CDA56x", /* no separator */
                "M=Welcome",
        };
        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                p = new_peer(EAP_TYPE_MSCHAPV2, PASSWORD, &counter, 0);
                ms_until_answered(p, &s, PASSWORD);
                res = run(p, ms_text(&in, 3, 3, s.ms_id, bad[i], strlen(bad[i])));
                g_assert_cmpint(res.action, ==, EAP_ACTION_FAILURE);
                g_assert_true(res.server_unauthenticated);
                g_assert_false(eap_peer_method_completed(p));
                eap_peer_free(p);
        }
}

static void test_mschapv2_failure_691(void)
{
        static const char msg[] = "E=691 R=1 C=00112233445566778899AABBCCDDEEFF V=3 "
                                  "M=Bad\x1b[31m password";
        static const uint8_t failure_response[] = { 2, 3, 0, 6, EAP_TYPE_MSCHAPV2, 4 };
        unsigned counter = 0;
        struct eap_peer *p = new_peer(EAP_TYPE_MSCHAPV2, "wrong", &counter, 0);
        struct ms_server s;
        struct packet in;
        struct eap_result res;

        ms_until_answered(p, &s, "wrong");
        res = run(p, ms_text(&in, 3, 4, s.ms_id, msg, sizeof(msg) - 1));
        assert_reason(&res, EAP_ACTION_FAILURE, "wrong password");
        assert_reason(&res, EAP_ACTION_FAILURE, "E=691");
        g_assert_false(res.server_unauthenticated); /* the password was refused */
        /* The server's text, made printable. */
        assert_reason(&res, EAP_ACTION_FAILURE, ": Bad?[31m password");
        /* The optional Failure Response for the server. */
        g_assert_cmpmem(res.response.ptr, res.response.len, failure_response,
                        sizeof(failure_response));
        res = run(p, pkt(&in, EAP_CODE_FAILURE, 3, -1, NULL, 0));
        assert_reason(&res, EAP_ACTION_FAILURE, "wrong password");
        eap_peer_free(p);

        p = new_peer(EAP_TYPE_MSCHAPV2, PASSWORD, &counter, 0);
        ms_until_answered(p, &s, PASSWORD);
        res = run(p, ms_text(&in, 3, 4, s.ms_id, "E=648 R=0 V=3", 13));
        assert_reason(&res, EAP_ACTION_FAILURE, "password expired");
        eap_peer_free(p);
}

static void test_eap_failure(void)
{
        unsigned counter = 0;
        struct eap_peer *p = new_peer(EAP_TYPE_MSCHAPV2, PASSWORD, &counter, 0);
        struct ms_server s;
        struct packet in;
        struct eap_result res;

        ms_until_answered(p, &s, PASSWORD);
        res = run(p, pkt(&in, EAP_CODE_FAILURE, 2, -1, NULL, 0));
        assert_reason(&res, EAP_ACTION_FAILURE, "rejected EAP-MSCHAPv2 (EAP-Failure)");
        eap_peer_free(p);

        p = new_peer(EAP_TYPE_MD5, PASSWORD, &counter, 0);
        res = run(p, pkt(&in, EAP_CODE_FAILURE, 0, -1, NULL, 0));
        assert_reason(&res, EAP_ACTION_FAILURE, "EAP-Failure before EAP-MD5-Challenge began");
        eap_peer_free(p);
}

static void test_md5(void)
{
        unsigned counter = 0;
        struct eap_peer *p = new_peer(EAP_TYPE_MD5, PASSWORD, &counter, 0);
        static const uint8_t challenge[] = { 0x11, 0x22, 0x33, 0x44, 0x55 };
        uint8_t d[1 + sizeof(challenge) + 3], id = 0x7e, expect[16];
        unsigned len = 0;
        EVP_MD_CTX *md = EVP_MD_CTX_new();
        struct packet in;
        struct eap_result res;
        struct slice msk;

        g_assert_false(eap_peer_has_msk(p));
        d[0] = sizeof(challenge);
        memcpy(d + 1, challenge, sizeof(challenge));
        memcpy(d + 1 + sizeof(challenge), "srv", 3);
        res = run(p, pkt(&in, EAP_CODE_REQUEST, id, EAP_TYPE_MD5, d, sizeof(d)));
        g_assert_cmpint(res.action, ==, EAP_ACTION_SEND);

        /* RFC 1994 4.1: MD5(Identifier | secret | Challenge) */
        g_assert_true(EVP_DigestInit_ex2(md, EVP_md5(), NULL));
        g_assert_true(EVP_DigestUpdate(md, &id, 1));
        g_assert_true(EVP_DigestUpdate(md, PASSWORD, strlen(PASSWORD)));
        g_assert_true(EVP_DigestUpdate(md, challenge, sizeof(challenge)));
        g_assert_true(EVP_DigestFinal_ex(md, expect, &len));
        EVP_MD_CTX_free(md);
        g_assert_cmpuint(res.response.len, ==, 5 + 1 + 16);
        g_assert_cmpmem(res.response.ptr, 6, ((uint8_t[]){ 2, id, 0, 22, EAP_TYPE_MD5, 16 }), 6);
        g_assert_cmpmem(res.response.ptr + 6, 16, expect, 16);

        res = run(p, pkt(&in, EAP_CODE_SUCCESS, id, -1, NULL, 0));
        g_assert_cmpint(res.action, ==, EAP_ACTION_SUCCESS);
        /* No MSK: IKEv2 signs AUTH with SK_pi/SK_pr (RFC 7296 2.16). */
        g_assert_cmpint(eap_peer_msk(p, &msk), ==, -ENOKEY);
        eap_peer_free(p);
}

static void test_round_limit(void)
{
        unsigned counter = 0;
        struct eap_peer *p = new_peer(EAP_TYPE_MD5, PASSWORD, &counter, 3);
        struct packet in;
        struct eap_result res;

        for (uint8_t id = 1; id <= 3; id++) {
                res = run(p, pkt(&in, EAP_CODE_REQUEST, id, EAP_TYPE_NOTIFICATION, "hi", 2));
                g_assert_cmpint(res.action, ==, EAP_ACTION_SEND);
        }
        res = run(p, pkt(&in, EAP_CODE_REQUEST, 4, EAP_TYPE_NOTIFICATION, "hi", 2));
        assert_reason(&res, EAP_ACTION_FAILURE, "more than 3 EAP requests");
        eap_peer_free(p);

        /* Retransmissions count too: a server cannot loop forever. */
        p = new_peer(EAP_TYPE_MD5, PASSWORD, &counter, 2);
        res = run(p, pkt(&in, EAP_CODE_REQUEST, 1, EAP_TYPE_IDENTITY, NULL, 0));
        g_assert_cmpint(res.action, ==, EAP_ACTION_SEND);
        res = run(p, SLICE(in.b, in.len));
        g_assert_cmpint(res.action, ==, EAP_ACTION_SEND);
        res = run(p, SLICE(in.b, in.len));
        assert_reason(&res, EAP_ACTION_FAILURE, "more than 2 EAP requests");
        eap_peer_free(p);

        /* The default is 50. */
        p = new_peer(EAP_TYPE_MD5, PASSWORD, &counter, 0);
        for (unsigned i = 1; i <= EAP_DEFAULT_MAX_ROUNDS; i++) {
                res = run(p, pkt(&in, EAP_CODE_REQUEST, (uint8_t)i, EAP_TYPE_IDENTITY, NULL, 0));
                g_assert_cmpint(res.action, ==, EAP_ACTION_SEND);
        }
        res = run(p, pkt(&in, EAP_CODE_REQUEST, 0, EAP_TYPE_IDENTITY, NULL, 0));
        g_assert_cmpint(res.action, ==, EAP_ACTION_FAILURE);
        eap_peer_free(p);
}

static void test_need_secret(void)
{
        unsigned counter = 0;
        struct eap_peer *p = new_peer(EAP_TYPE_MSCHAPV2, NULL, &counter, 0);
        struct ms_server s = { .ms_id = 3 };
        struct packet in, other;
        struct eap_result res;
        struct slice msk;

        g_assert_cmpint(eap_peer_resume(p, &res), ==, -EALREADY);
        res = run(p, ms_challenge(&s, &in, 4));
        g_assert_cmpint(res.action, ==, EAP_ACTION_NEED_SECRET);
        g_assert_cmpint(res.secret_kind, ==, EAP_SECRET_PASSWORD);
        g_assert_nonnull(strstr(res.prompt, "EAP-MSCHAPv2 password"));
        g_assert_nonnull(strstr(res.prompt, "CORP\\alice"));
        g_assert_cmpuint(counter, ==, 0);

        /* Still waiting: a retransmission asks again, anything else waits. */
        res = run(p, SLICE(in.b, in.len));
        g_assert_cmpint(res.action, ==, EAP_ACTION_NEED_SECRET);
        res = run(p, pkt(&other, EAP_CODE_REQUEST, 5, EAP_TYPE_IDENTITY, NULL, 0));
        assert_reason(&res, EAP_ACTION_DROP, "waiting for the secret");
        res = (struct eap_result){ 0 };
        g_assert_cmpint(eap_peer_resume(p, &res), ==, 0);
        g_assert_cmpint(res.action, ==, EAP_ACTION_NEED_SECRET);

        g_assert_cmpint(eap_peer_set_secret(p, SLICE(PASSWORD, strlen(PASSWORD))), ==, 0);
        g_assert_cmpint(eap_peer_resume(p, &res), ==, 0);
        g_assert_cmpint(res.action, ==, EAP_ACTION_SEND);
        ms_check_response(&s, res.response, 4, PASSWORD);
        g_assert_cmpint(eap_peer_resume(p, &res), ==, -EALREADY);

        res = run(p, ms_success(&s, &in, 5, false));
        g_assert_cmpint(res.action, ==, EAP_ACTION_SEND);
        res = run(p, pkt(&in, EAP_CODE_SUCCESS, 5, -1, NULL, 0));
        g_assert_cmpint(res.action, ==, EAP_ACTION_SUCCESS);
        g_assert_cmpint(eap_peer_msk(p, &msk), ==, 0);
        g_assert_cmpmem(msk.ptr, msk.len, s.msk, sizeof(s.msk));

        /* A Success while waiting for the secret is no Success. */
        eap_peer_free(p);
        p = new_peer(EAP_TYPE_MD5, NULL, &counter, 0);
        res = run(p, pkt(&in, EAP_CODE_REQUEST, 1, EAP_TYPE_MD5, "\x01z", 2));
        g_assert_cmpint(res.action, ==, EAP_ACTION_NEED_SECRET);
        res = run(p, pkt(&in, EAP_CODE_SUCCESS, 1, -1, NULL, 0));
        assert_reason(&res, EAP_ACTION_FAILURE, "waiting for the secret");
        eap_peer_free(p);
}

static void test_mschapv2_bad_password_and_rng(void)
{
        unsigned counter = 0;
        struct eap_peer *p = new_peer(EAP_TYPE_MSCHAPV2, "bad\xff", &counter, 0);
        struct ms_server s = { .ms_id = 1 };
        struct packet in;
        struct eap_result res;
        struct eap_peer_config cfg = {
                .identity = SLICE("bob", 3),
                .method = EAP_TYPE_MSCHAPV2,
                .secret = SLICE("pw", 2),
                .rng_fill = failing_rng,
        };

        res = run(p, ms_challenge(&s, &in, 1));
        assert_reason(&res, EAP_ACTION_FAILURE, "not valid UTF-8");
        eap_peer_free(p);

        g_assert_cmpint(eap_peer_new(&p, &cfg, NULL), ==, 0);
        res = run(p, ms_challenge(&s, &in, 1));
        assert_reason(&res, EAP_ACTION_FAILURE, "no random bytes");
        eap_peer_free(p);
}

static void test_config(void)
{
        struct eap_peer_config cfg = {
                .identity = SLICE("bob", 3),
                .method = EAP_TYPE_MSCHAPV2,
                .rng_fill = counting_rng,
        };
        struct eap_error err;
        struct eap_peer *p = NULL;

        cfg.identity = SLICE("", 0);
        g_assert_cmpint(eap_peer_new(&p, &cfg, &err), ==, -EINVAL);
        g_assert_nonnull(strstr(err.text, "EAP identity"));
        cfg.identity = SLICE("a\0b", 3);
        g_assert_cmpint(eap_peer_new(&p, &cfg, &err), ==, -EINVAL);
        cfg.identity = SLICE("bob", 3);

        cfg.method = EAP_TYPE_PEAP;
        g_assert_cmpint(eap_peer_new(&p, &cfg, &err), ==, -ENOTSUP);
        g_assert_nonnull(strstr(err.text, "EAP-PEAP is not supported"));
        cfg.method = EAP_TYPE_MSCHAPV2;

        cfg.rng_fill = NULL;
        g_assert_cmpint(eap_peer_new(&p, &cfg, &err), ==, -EINVAL);
        g_assert_nonnull(strstr(err.text, "random"));
        cfg.rng_fill = counting_rng;

        cfg.max_rounds = EAP_MAX_ROUNDS_LIMIT + 1;
        g_assert_cmpint(eap_peer_new(&p, &cfg, &err), ==, -EINVAL);
        cfg.max_rounds = 0;

        cfg.method = EAP_TYPE_TLS;
        g_assert_cmpint(eap_peer_new(&p, &cfg, &err), ==, -EINVAL);
        g_assert_nonnull(strstr(err.text, "server identity"));
        g_assert_null(p);

        g_assert_cmpint(eap_peer_new(NULL, &cfg, NULL), ==, -EINVAL);
        eap_peer_free(NULL);
}

/* ------------------------------------------------------------------ seed corpus */

static int fuzz_rng(void *ctx, uint8_t *buf, size_t n)
{
        memset(buf, TEST_EAP_FUZZ_RNG_BYTE, n);
        return 0;
}

struct seed {
        struct eap_peer *peer;
        GByteArray *bytes;
        const char *password;
};

/* A peer configured exactly like fuzz_eap_peer's for this selector. */
static void seed_begin(struct seed *sd, uint8_t selector)
{
        static const uint8_t methods[] = { EAP_TYPE_MD5, EAP_TYPE_MSCHAPV2, EAP_TYPE_TLS };
        struct eap_peer_config cfg = {
                .identity = SLICE(TEST_PKI_CLIENT_NAME, strlen(TEST_PKI_CLIENT_NAME)),
                .method = methods[(selector & 0x03) % 3],
                .rng_fill = fuzz_rng,
        };

        g_assert_cmpuint((selector & 0x03) % 3, <, 2);
        sd->password = TEST_EAP_FUZZ_PASSWORD;
        if (!(selector & 0x04))
                cfg.secret = SLICE(sd->password, strlen(sd->password));
        g_assert_cmpint(eap_peer_new(&sd->peer, &cfg, NULL), ==, 0);
        sd->bytes = g_byte_array_new();
        g_byte_array_append(sd->bytes, &selector, 1);
}

/* Records the packet and returns what the peer made of it. */
static struct eap_result seed_run(struct seed *sd, struct slice in)
{
        uint8_t len[2] = { (uint8_t)(in.len >> 8), (uint8_t)in.len };
        struct eap_result res = run(sd->peer, in);

        g_byte_array_append(sd->bytes, len, 2);
        g_byte_array_append(sd->bytes, in.ptr, (guint)in.len);
        if (res.action == EAP_ACTION_NEED_SECRET) {
                g_assert_cmpint(eap_peer_set_secret(sd->peer, SLICE(sd->password,
                                                                     strlen(sd->password))),
                                ==, 0);
                g_assert_cmpint(eap_peer_resume(sd->peer, &res), ==, 0);
        }
        return res;
}

static void seed_end(struct seed *sd, const char *dir, const char *name)
{
        g_autofree char *path = g_build_filename(dir, name, NULL);

        g_assert_true(g_file_set_contents(path, (const char *)sd->bytes->data, sd->bytes->len,
                                          NULL));
        g_byte_array_free(sd->bytes, TRUE);
        eap_peer_free(sd->peer);
        printf("# wrote %s\n", path);
}

static void seed_md5(const char *dir, const char *name, uint8_t selector, bool nak_first)
{
        struct seed sd;
        struct packet in;
        struct eap_result res;
        uint8_t id = 1;

        seed_begin(&sd, selector);
        if (nak_first) {
                res = seed_run(&sd, pkt(&in, EAP_CODE_REQUEST, id++, EAP_TYPE_TLS, "\x20", 1));
                g_assert_cmpint(res.action, ==, EAP_ACTION_SEND);
                res = seed_run(&sd, pkt(&in, EAP_CODE_REQUEST, id++, EAP_TYPE_NOTIFICATION,
                                        "Welcome", 7));
                g_assert_cmpint(res.action, ==, EAP_ACTION_SEND);
        }
        res = seed_run(&sd, pkt(&in, EAP_CODE_REQUEST, id++, EAP_TYPE_IDENTITY, NULL, 0));
        g_assert_cmpint(res.action, ==, EAP_ACTION_SEND);
        res = seed_run(&sd, pkt(&in, EAP_CODE_REQUEST, id, EAP_TYPE_MD5,
                                "\x10" "0123456789abcdefgw", 19));
        g_assert_cmpint(res.action, ==, EAP_ACTION_SEND);
        res = seed_run(&sd, pkt(&in, EAP_CODE_SUCCESS, id, -1, NULL, 0));
        g_assert_cmpint(res.action, ==, EAP_ACTION_SUCCESS);
        seed_end(&sd, dir, name);
}

enum ms_ending { MS_SUCCESS, MS_WRONG_S, MS_FAILURE_691, MS_EARLY_SUCCESS, MS_RETRANSMIT };

static void seed_mschapv2(const char *dir, const char *name, uint8_t selector, enum ms_ending how)
{
        static const char failure[] = "E=691 R=1 C=00112233445566778899AABBCCDDEEFF V=3 M=nope";
        struct ms_server s = { .ms_id = 9 };
        struct seed sd;
        struct packet in, challenge;
        struct eap_result res;

        seed_begin(&sd, selector);
        res = seed_run(&sd, pkt(&in, EAP_CODE_REQUEST, 1, EAP_TYPE_IDENTITY, NULL, 0));
        g_assert_cmpint(res.action, ==, EAP_ACTION_SEND);
        if (how == MS_EARLY_SUCCESS) {
                res = seed_run(&sd, pkt(&in, EAP_CODE_SUCCESS, 1, -1, NULL, 0));
                g_assert_cmpint(res.action, ==, EAP_ACTION_FAILURE);
                seed_end(&sd, dir, name);
                return;
        }
        res = seed_run(&sd, ms_challenge(&s, &challenge, 2));
        g_assert_cmpint(res.action, ==, EAP_ACTION_SEND);
        ms_check_response_of(&s, res.response, 2, TEST_PKI_CLIENT_NAME, sd.password);
        if (how == MS_RETRANSMIT) {
                res = seed_run(&sd, SLICE(challenge.b, challenge.len));
                g_assert_cmpint(res.action, ==, EAP_ACTION_SEND);
        }
        if (how == MS_FAILURE_691) {
                res = seed_run(&sd, ms_text(&in, 3, 4, s.ms_id, failure, sizeof(failure) - 1));
                g_assert_cmpint(res.action, ==, EAP_ACTION_FAILURE);
                res = seed_run(&sd, pkt(&in, EAP_CODE_FAILURE, 3, -1, NULL, 0));
                g_assert_cmpint(res.action, ==, EAP_ACTION_FAILURE);
                seed_end(&sd, dir, name);
                return;
        }
        res = seed_run(&sd, ms_success(&s, &in, 3, how == MS_WRONG_S));
        g_assert_cmpint(res.action, ==, how == MS_WRONG_S ? EAP_ACTION_FAILURE : EAP_ACTION_SEND);
        res = seed_run(&sd, pkt(&in, EAP_CODE_SUCCESS, 3, -1, NULL, 0));
        g_assert_cmpint(res.action, ==,
                        how == MS_WRONG_S ? EAP_ACTION_FAILURE : EAP_ACTION_SUCCESS);
        seed_end(&sd, dir, name);
}

static void write_corpus(const char *dir)
{
        seed_md5(dir, "md5-success", 0, false);
        seed_md5(dir, "md5-need-secret", 4, false);
        seed_md5(dir, "md5-nak-notification", 0, true);
        seed_mschapv2(dir, "mschapv2-success", 1, MS_SUCCESS);
        seed_mschapv2(dir, "mschapv2-need-secret", 5, MS_SUCCESS);
        seed_mschapv2(dir, "mschapv2-wrong-s", 1, MS_WRONG_S);
        seed_mschapv2(dir, "mschapv2-failure-691", 1, MS_FAILURE_691);
        seed_mschapv2(dir, "mschapv2-early-success", 1, MS_EARLY_SUCCESS);
        seed_mschapv2(dir, "mschapv2-retransmit", 1, MS_RETRANSMIT);
}

int main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        if (g_getenv("EAP_CORPUS_DIR")) {
                write_corpus(g_getenv("EAP_CORPUS_DIR"));
                return 0;
        }
        g_test_add_func("/eap/peer/identity", test_identity);
        g_test_add_func("/eap/peer/notification", test_notification);
        g_test_add_func("/eap/peer/nak", test_nak);
        g_test_add_func("/eap/peer/method-switch", test_method_switch);
        g_test_add_func("/eap/peer/duplicate-request", test_duplicate_request);
        g_test_add_func("/eap/peer/malformed", test_malformed);
        g_test_add_func("/eap/peer/mschapv2-malformed", test_mschapv2_malformed);
        g_test_add_func("/eap/peer/success-before-method", test_success_before_method);
        g_test_add_func("/eap/peer/success-before-completion", test_success_before_completion);
        g_test_add_func("/eap/peer/mschapv2-success", test_mschapv2_success);
        g_test_add_func("/eap/peer/mschapv2-wrong-authenticator", test_mschapv2_wrong_authenticator);
        g_test_add_func("/eap/peer/mschapv2-failure-691", test_mschapv2_failure_691);
        g_test_add_func("/eap/peer/eap-failure", test_eap_failure);
        g_test_add_func("/eap/peer/md5", test_md5);
        g_test_add_func("/eap/peer/round-limit", test_round_limit);
        g_test_add_func("/eap/peer/need-secret", test_need_secret);
        g_test_add_func("/eap/peer/mschapv2-bad-password-and-rng",
                        test_mschapv2_bad_password_and_rng);
        g_test_add_func("/eap/peer/config", test_config);
        return g_test_run();
}
