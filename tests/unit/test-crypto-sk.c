/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for client/ike/sk: the RFC 7634 Appendix B message byte for
 * byte, round trips over every suite for SK and SKF, and every rejection.
 */
#include <errno.h>
#include <string.h>

#include <glib.h>

#include "client/common/bytes.h"
#include "client/common/wbuf.h"
#include "client/crypto/aead.h"
#include "client/crypto/rng.h"
#include "client/ike/ikev2.h"
#include "client/ike/sk.h"
#include "test-crypto-vectors.h"

static struct slice gslice(GBytes *b)
{
        gsize n;
        const void *p = g_bytes_get_data(b, &n);

        return SLICE(p, n);
}

/* RFC 7634 Appendix B: an INFORMATIONAL request protected with
 * ChaCha20-Poly1305, IV 1011121314151617. The vector file holds the AAD (IKE
 * header + SK header), the plaintext (Notify + Pad Length 0), ciphertext and
 * ICV; here we build the same message with ike_sk_protect(). */
static void test_rfc7634_b(void)
{
        g_autoptr(GPtrArray) cases = tv_load("chacha20-poly1305.txt");
        const struct tv_case *c = NULL;
        struct crypto_suite s;
        _cleanup_(crypto_aead_freep) struct crypto_aead *a = NULL;
        struct tsu_rng_fixed fx;
        struct tsu_rng rng;
        uint8_t prefix[32], out[128];
        struct wbuf w;
        struct ike_sk_plain p;
        struct ike_sk_error err = {0};

        for (guint i = 0; i < cases->len; i++)
                if (g_strcmp0(tv_str(cases->pdata[i], "name"), "rfc7634-b-ikev2") == 0)
                        c = cases->pdata[i];
        g_assert_nonnull(c);
        {
                g_autoptr(GBytes) key = tv_bytes(c, "key");
                g_autoptr(GBytes) iv = tv_bytes(c, "iv");
                g_autoptr(GBytes) aad = tv_bytes(c, "aad");
                g_autoptr(GBytes) pt = tv_bytes(c, "plaintext");
                g_autoptr(GBytes) ct = tv_bytes(c, "ciphertext");
                g_autoptr(GBytes) icv = tv_bytes(c, "icv");
                struct slice inner = SLICE(gslice(pt).ptr, gslice(pt).len - 1);
                size_t n;

                g_assert_cmpint(crypto_suite_lookup(IKEV2_ENCR_CHACHA20_POLY1305, 0,
                                                    IKEV2_INTEG_NONE, 0, &s, NULL),
                                ==, 0);
                g_assert_cmpint(crypto_aead_new(&s, gslice(key), SLICE(NULL, 0), &a), ==, 0);
                rng = tsu_rng_fixed_init(&fx, gslice(iv).ptr, gslice(iv).len);

                /* The prefix with wrong lengths and Next Payload: protect fixes them. */
                g_assert_cmpuint(g_bytes_get_size(aad), ==, 32);
                memcpy(prefix, gslice(aad).ptr, 32);
                memset(prefix + 24, 0xee, 4);
                prefix[28] = 0;
                prefix[30] = prefix[31] = 0;
                wbuf_init(&w, out, sizeof(out));
                g_assert_cmpint(ike_sk_protect(a, &rng, SLICE(prefix, 32), IKEV2_PAYLOAD_NOTIFY,
                                               inner, &w, &err),
                                ==, 0);
                n = wbuf_len(&w);
                g_assert_cmpuint(n, ==, 32 + 8 + g_bytes_get_size(ct) + 16);
                g_assert_cmpmem(out, 32, gslice(aad).ptr, 32);
                g_assert_cmpmem(out + 32, 8, gslice(iv).ptr, 8);
                g_assert_cmpmem(out + 40, g_bytes_get_size(ct), gslice(ct).ptr,
                                g_bytes_get_size(ct));
                g_assert_cmpmem(out + 40 + g_bytes_get_size(ct), 16, gslice(icv).ptr, 16);

                g_assert_cmpint(ike_sk_unprotect(a, out, n, &p, &err), ==, 0);
                g_assert_cmpuint(p.first_payload, ==, IKEV2_PAYLOAD_NOTIFY);
                g_assert_false(p.fragment);
                g_assert_cmpuint(p.sk_offset, ==, 28);
                g_assert_cmpmem(p.inner.ptr, p.inner.len, inner.ptr, inner.len);
        }
}

/* ------------------------------------------------------------------ helpers */

struct fixture {
        struct crypto_suite suite;
        struct crypto_aead *a;
        struct tsu_rng_stream st;
        struct tsu_rng rng;
};

static void fixture_init(struct fixture *f, const struct crypto_suite *s)
{
        uint8_t ek[CRYPTO_MAX_ENCR_KEY_LEN], ik[CRYPTO_MAX_INTEG_KEY_LEN];

        f->suite = *s;
        f->rng = tsu_rng_stream_init(&f->st, "sk", 2);
        g_assert_cmpint(tsu_rng_fill(&f->rng, ek, sizeof(ek)), ==, 0);
        g_assert_cmpint(tsu_rng_fill(&f->rng, ik, sizeof(ik)), ==, 0);
        g_assert_cmpint(crypto_aead_new(s, SLICE(ek, crypto_suite_encr_key_len(s)),
                                        SLICE(ik, crypto_suite_integ_key_len(s)), &f->a),
                        ==, 0);
}

static void fixture_clear(struct fixture *f)
{
        crypto_aead_free(f->a);
        f->a = NULL;
}

/* IKE header (28) [+ an unencrypted Vendor ID payload] + SK or SKF header. */
static size_t make_prefix(uint8_t *buf, bool with_vid, bool skf, uint16_t frag, uint16_t total)
{
        size_t n = 0;

        memset(buf, 0, 28);
        memset(buf, 0x11, 8);     /* SPIi */
        memset(buf + 8, 0x22, 8); /* SPIr */
        buf[16] = with_vid ? IKEV2_PAYLOAD_VENDOR : (skf ? IKEV2_PAYLOAD_SKF : IKEV2_PAYLOAD_SK);
        buf[17] = IKEV2_VERSION;
        buf[18] = IKEV2_EXCHANGE_IKE_AUTH;
        buf[19] = IKEV2_FLAG_INITIATOR;
        buf[23] = 1; /* Message ID */
        n = 28;
        if (with_vid) {
                buf[n] = skf ? IKEV2_PAYLOAD_SKF : IKEV2_PAYLOAD_SK;
                buf[n + 1] = 0;
                buf[n + 2] = 0;
                buf[n + 3] = 4 + 6;
                memcpy(buf + n + 4, "tsunag", 6);
                n += 10;
        }
        memset(buf + n, 0, skf ? 8 : 4);
        if (skf) {
                buf[n + 4] = (uint8_t)(frag >> 8);
                buf[n + 5] = (uint8_t)frag;
                buf[n + 6] = (uint8_t)(total >> 8);
                buf[n + 7] = (uint8_t)total;
        }
        return n + (skf ? 8 : 4);
}

static void for_each_suite(void (*fn)(const struct crypto_suite *s))
{
        size_t ne, ni;
        const struct crypto_encr *e = crypto_encr_table(&ne);
        const struct crypto_integ *in = crypto_integ_table(&ni);

        for (size_t i = 0; i < ne; i++)
                for (size_t j = 0; j <= ni; j++) {
                        struct crypto_suite s;

                        if (crypto_suite_lookup(e[i].ikev2_id, e[i].key_bits,
                                                j == ni ? IKEV2_INTEG_NONE : in[j].ikev2_id,
                                                CRYPTO_SUITE_ALLOW_SHORT_ICV, &s, NULL) == 0)
                                fn(&s);
                }
}

/* ------------------------------------------------------------------ round trips */

static void roundtrip_suite(const struct crypto_suite *s)
{
        struct fixture f;
        static const size_t sizes[] = {0, 1, 15, 16, 17, 31, 100, 1000};

        fixture_init(&f, s);
        for (int variant = 0; variant < 4; variant++) {
                bool vid = variant & 1, skf = variant & 2;

                for (size_t k = 0; k < G_N_ELEMENTS(sizes); k++) {
                        uint8_t prefix[64], pt[1000], out[1200];
                        size_t plen = make_prefix(prefix, vid, skf, 2, 3);
                        struct ike_sk_plain p;
                        struct ike_sk_error err = {0};
                        struct wbuf w;
                        size_t n;

                        g_assert_cmpint(tsu_rng_fill(&f.rng, pt, sizes[k]), ==, 0);
                        wbuf_init(&w, out, sizeof(out));
                        g_assert_cmpint(wbuf_bytes(&w, "junk", 4), ==, 0); /* appended after */
                        g_assert_cmpint(ike_sk_protect(f.a, &f.rng, SLICE(prefix, plen),
                                                       IKEV2_PAYLOAD_IDi, SLICE(pt, sizes[k]), &w,
                                                       &err),
                                        ==, 0);
                        n = wbuf_len(&w) - 4;
                        g_assert_cmpuint(n, ==, plen + ike_sk_overhead(s, sizes[k]) + sizes[k]);
                        /* The ciphertext is a whole number of blocks. */
                        g_assert_cmpuint(
                                (n - plen - crypto_suite_iv_len(s) - crypto_suite_icv_len(s)) %
                                        crypto_suite_block_size(s),
                                ==, 0);
                        g_assert_cmpint(ike_sk_unprotect(f.a, out + 4, n, &p, &err), ==, 0);
                        g_assert_cmpmem(p.inner.ptr, p.inner.len, pt, sizes[k]);
                        g_assert_cmpuint(p.first_payload, ==, IKEV2_PAYLOAD_IDi);
                        g_assert_cmpuint(p.sk_offset, ==, plen - (skf ? 8 : 4));
                        g_assert_true(p.fragment == skf);
                        if (skf) {
                                g_assert_cmpuint(p.frag_number, ==, 2);
                                g_assert_cmpuint(p.frag_total, ==, 3);
                        }
                }
        }
        fixture_clear(&f);
}

static void test_roundtrip(void)
{
        for_each_suite(roundtrip_suite);
}

static void sizes_suite(const struct crypto_suite *s)
{
        for (size_t body = 0; body < 200; body++) {
                size_t m = ike_sk_max_plaintext(s, body);

                if (m > 0 || body >= crypto_suite_iv_len(s) + crypto_suite_icv_len(s) +
                                             crypto_suite_block_size(s))
                        g_assert_cmpuint(m + ike_sk_overhead(s, m), <=, body);
                g_assert_cmpuint(m + 1 + ike_sk_overhead(s, m + 1), >, body);
        }
}

static void test_sizes(void)
{
        for_each_suite(sizes_suite);
}

/* ------------------------------------------------------------------ rejections */

static void expect_unprotect(struct fixture *f, uint8_t *msg, size_t len, int err,
                             const char *what_part)
{
        struct ike_sk_plain p = {.first_payload = 0x77};
        struct ike_sk_error e = {0};

        g_assert_cmpint(ike_sk_unprotect(f->a, msg, len, &p, &e), ==, err);
        g_assert_nonnull(e.what);
        if (what_part && !strstr(e.what, what_part))
                g_error("error \"%s\" does not mention \"%s\"", e.what, what_part);
        g_assert_cmpuint(p.first_payload, ==, 0x77); /* untouched on failure */
}

static size_t build(struct fixture *f, uint8_t *out, size_t cap, bool vid, bool skf, size_t pt_len)
{
        uint8_t prefix[64], pt[300];
        size_t plen = make_prefix(prefix, vid, skf, 1, 1);
        struct wbuf w;

        memset(pt, 0x5a, sizeof(pt));
        wbuf_init(&w, out, cap);
        g_assert_cmpint(ike_sk_protect(f->a, &f->rng, SLICE(prefix, plen), IKEV2_PAYLOAD_NOTIFY,
                                       SLICE(pt, pt_len), &w, NULL),
                        ==, 0);
        return wbuf_len(&w);
}

static void set_be32(uint8_t *p, uint32_t v)
{
        p[0] = (uint8_t)(v >> 24);
        p[1] = (uint8_t)(v >> 16);
        p[2] = (uint8_t)(v >> 8);
        p[3] = (uint8_t)v;
}

static void rejections_suite(const struct crypto_suite *s)
{
        struct fixture f;
        uint8_t good[512], m[520];
        size_t n, icv = crypto_suite_icv_len(s), ivl = crypto_suite_iv_len(s);
        size_t bs = crypto_suite_block_size(s);

        fixture_init(&f, s);
        n = build(&f, good, sizeof(good), true, false, 40);

        /* A flipped bit anywhere (header, unencrypted payload, SK header, IV,
         * ciphertext, ICV) fails the integrity check. */
        for (size_t pos = 0; pos < n; pos++) {
                /* The IKE Length, the payload chain and the payload lengths
                 * are framing: their errors are tested below. */
                if (pos == 16 || (pos >= 24 && pos < 28) || pos == 28 || pos == 30 || pos == 31 ||
                    pos == 40 || pos == 41)
                        continue;
                memcpy(m, good, n);
                m[pos] ^= 0x04;
                expect_unprotect(&f, m, n, -EKEYREJECTED, "integrity");
        }

        /* Framing. */
        memcpy(m, good, n);
        expect_unprotect(&f, m, 27, -EBADMSG, "shorter than the IKE header");
        memcpy(m, good, n);
        expect_unprotect(&f, m, n - 1, -EBADMSG, "Length differs");
        /* Truncated by one octet with the IKE Length adjusted: SK too long. */
        memcpy(m, good, n);
        set_be32(m + 24, (uint32_t)(n - 1));
        expect_unprotect(&f, m, n - 1, -EBADMSG, "does not end the message");
        /* Trailing junk after the SK payload. */
        memcpy(m, good, n);
        m[n] = 0;
        set_be32(m + 24, (uint32_t)(n + 1));
        expect_unprotect(&f, m, n + 1, -EBADMSG, "does not end the message");
        /* No SK payload: the chain ends at the Vendor ID. */
        memcpy(m, good, n);
        m[28] = IKEV2_PAYLOAD_NONE;
        expect_unprotect(&f, m, n, -EBADMSG, "no SK");
        /* An unencrypted payload whose length overruns the message. */
        memcpy(m, good, n);
        m[30] = 0xff;
        expect_unprotect(&f, m, n, -EBADMSG, "payload length out of range");
        memcpy(m, good, n);
        m[31] = 3; /* below the generic header */
        expect_unprotect(&f, m, n, -EBADMSG, "payload length out of range");
        /* An SK payload too short for IV + ICV + one block. */
        {
                size_t short_len = 38 + 4 + ivl + icv + (bs > 1 ? bs - 1 : 0);

                memcpy(m, good, n);
                set_be32(m + 24, (uint32_t)short_len);
                m[38 + 2] = (uint8_t)((short_len - 38) >> 8);
                m[38 + 3] = (uint8_t)(short_len - 38);
                expect_unprotect(&f, m, short_len, -EBADMSG, "too short");
        }
        /* CBC: a ciphertext that is not a whole number of blocks. */
        if (bs > 1) {
                memcpy(m, good, n);
                set_be32(m + 24, (uint32_t)(n - 1));
                m[38 + 2] = (uint8_t)((n - 1 - 38) >> 8);
                m[38 + 3] = (uint8_t)(n - 1 - 38);
                expect_unprotect(&f, m, n - 1, -EBADMSG, "whole number of cipher blocks");
        }

        /* A Pad Length beyond the data, correctly authenticated: seal a
         * block whose last octet (the Pad Length) says 255. */
        {
                uint8_t msg[256];
                size_t hl = make_prefix(msg, false, false, 0, 0);
                size_t ct_len = bs > 1 ? 16 : 7, total = hl + ivl + ct_len + icv;

                set_be32(msg + 24, (uint32_t)total);
                msg[28] = IKEV2_PAYLOAD_NOTIFY;
                msg[30] = (uint8_t)((total - 28) >> 8);
                msg[31] = (uint8_t)(total - 28);
                memset(msg + hl, 0x33, ivl);
                memset(msg + hl + ivl, 0, ct_len);
                msg[hl + ivl + ct_len - 1] = 255;
                g_assert_cmpint(crypto_aead_seal(f.a, SLICE(msg, hl), msg + hl, msg + hl + ivl,
                                                 ct_len, msg + hl + ivl + ct_len),
                                ==, 0);
                expect_unprotect(&f, msg, total, -EBADMSG, "Pad Length");
                /* and with Pad Length = ct_len - 1 (all padding), accepted, empty */
                memset(msg + hl + ivl, 0, ct_len);
                msg[hl + ivl + ct_len - 1] = (uint8_t)(ct_len - 1);
                g_assert_cmpint(crypto_aead_seal(f.a, SLICE(msg, hl), msg + hl, msg + hl + ivl,
                                                 ct_len, msg + hl + ivl + ct_len),
                                ==, 0);
                {
                        struct ike_sk_plain p;

                        g_assert_cmpint(ike_sk_unprotect(f.a, msg, total, &p, NULL), ==, 0);
                        g_assert_cmpuint(p.inner.len, ==, 0);
                }
        }

        /* SKF with bad fragment numbers. */
        {
                uint8_t skf[512];
                size_t k = build(&f, skf, sizeof(skf), false, true, 20);

                memcpy(m, skf, k);
                m[32] = 0;
                m[33] = 0; /* number 0 */
                expect_unprotect(&f, m, k, -EBADMSG, "Fragment Number");
                memcpy(m, skf, k);
                m[33] = 2; /* 2 of 1 */
                expect_unprotect(&f, m, k, -EBADMSG, "Fragment Number");
                memcpy(m, skf, k);
                m[35] = 2; /* 1 of 2: authenticated header changed */
                expect_unprotect(&f, m, k, -EKEYREJECTED, "integrity");
        }
        fixture_clear(&f);
}

static void test_rejections(void)
{
        for_each_suite(rejections_suite);
}

static int rng_broken(void *ctx, uint8_t *buf, size_t n)
{
        return -EIO;
}

static void test_protect_errors(void)
{
        struct crypto_suite s;
        struct fixture f;
        uint8_t prefix[64], out[256], big[70000] = {0};
        size_t plen;
        struct wbuf w;
        struct ike_sk_error err = {0};
        struct tsu_rng broken = {.fill = rng_broken};

        g_assert_cmpint(crypto_suite_lookup(IKEV2_ENCR_AES_CBC, 256, IKEV2_INTEG_HMAC_SHA2_256_128,
                                            0, &s, NULL),
                        ==, 0);
        fixture_init(&f, &s);
        plen = make_prefix(prefix, true, false, 0, 0);

        /* Not enough room: w untouched, no sticky error. */
        wbuf_init(&w, out, plen + 16 + 16 + 16 - 1);
        g_assert_cmpint(
                ike_sk_protect(f.a, &f.rng, SLICE(prefix, plen), 0, SLICE("x", 1), &w, &err), ==,
                -ENOBUFS);
        g_assert_cmpuint(wbuf_len(&w), ==, 0);
        g_assert_cmpint(wbuf_error(&w), ==, 0);
        wbuf_init(&w, out, plen + 16 + 16 + 16);
        g_assert_cmpint(
                ike_sk_protect(f.a, &f.rng, SLICE(prefix, plen), 0, SLICE("x", 1), &w, &err), ==,
                0);

        /* The RNG fails: nothing written. */
        wbuf_init(&w, out, sizeof(out));
        g_assert_cmpint(
                ike_sk_protect(f.a, &broken, SLICE(prefix, plen), 0, SLICE("x", 1), &w, &err), ==,
                -EIO);
        g_assert_cmpuint(wbuf_len(&w), ==, 0);

        /* The prefix already in w: used in place, not copied. */
        {
                uint8_t copy[64];
                struct ike_sk_plain pl;

                wbuf_init(&w, out, sizeof(out));
                g_assert_cmpint(wbuf_bytes(&w, "xy", 2), ==, 0);
                g_assert_cmpint(wbuf_bytes(&w, prefix, plen), ==, 0);
                memcpy(copy, prefix, plen);
                /* a failing RNG leaves w (and the prefix in it) as it was */
                g_assert_cmpint(ike_sk_protect(f.a, &broken, SLICE(out + 2, plen), 0, SLICE("x", 1),
                                               &w, &err),
                                ==, -EIO);
                g_assert_cmpuint(wbuf_len(&w), ==, 2 + plen);
                g_assert_cmpmem(out + 2, plen, copy, plen);
                g_assert_cmpint(ike_sk_protect(f.a, &f.rng, SLICE(out + 2, plen), IKEV2_PAYLOAD_IDi,
                                               SLICE("hello", 5), &w, &err),
                                ==, 0);
                g_assert_cmpuint(wbuf_len(&w), ==, 2 + plen + 16 + 16 + 16);
                g_assert_cmpmem(out, 2, "xy", 2);
                g_assert_cmpint(ike_sk_unprotect(f.a, out + 2, wbuf_len(&w) - 2, &pl, &err), ==, 0);
                g_assert_cmpmem(pl.inner.ptr, pl.inner.len, "hello", 5);
                /* in place, the room needed is what is appended */
                wbuf_init(&w, out, 2 + plen + 48 - 1);
                g_assert_cmpint(wbuf_bytes(&w, "xy", 2), ==, 0);
                g_assert_cmpint(wbuf_bytes(&w, prefix, plen), ==, 0);
                g_assert_cmpint(ike_sk_protect(f.a, &f.rng, SLICE(out + 2, plen), 0,
                                               SLICE("hello", 5), &w, &err),
                                ==, -ENOBUFS);
                g_assert_cmpuint(wbuf_len(&w), ==, 2 + plen);
        }

        /* The prefix does not end in the SK header. */
        wbuf_init(&w, out, sizeof(out));
        g_assert_cmpint(
                ike_sk_protect(f.a, &f.rng, SLICE(prefix, plen - 1), 0, SLICE("x", 1), &w, &err),
                ==, -EBADMSG);
        g_assert_nonnull(strstr(err.what, "must end the prefix"));
        g_assert_cmpuint(err.got, ==, 3);
        g_assert_cmpuint(err.limit, ==, 4);
        prefix[28] = IKEV2_PAYLOAD_NONE; /* the Vendor ID is the last payload */
        g_assert_cmpint(
                ike_sk_protect(f.a, &f.rng, SLICE(prefix, plen), 0, SLICE("x", 1), &w, &err), ==,
                -EBADMSG);
        g_assert_nonnull(strstr(err.what, "no SK"));
        prefix[28] = IKEV2_PAYLOAD_SK;

        /* An SK payload above 65535 octets. */
        wbuf_init(&w, out, sizeof(out));
        g_assert_cmpint(ike_sk_protect(f.a, &f.rng, SLICE(prefix, plen), 0,
                                       SLICE(big, 65535 - 4 - 16 - 16), &w, &err),
                        ==, -EMSGSIZE);
        g_assert_cmpint(
                ike_sk_protect(f.a, &f.rng, SLICE(prefix, plen), 0, SLICE(big, 70000), &w, &err),
                ==, -EMSGSIZE);
        fixture_clear(&f);
}

int main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/ike/sk/rfc7634-appendix-b", test_rfc7634_b);
        g_test_add_func("/ike/sk/roundtrip", test_roundtrip);
        g_test_add_func("/ike/sk/sizes", test_sizes);
        g_test_add_func("/ike/sk/rejections", test_rejections);
        g_test_add_func("/ike/sk/protect-errors", test_protect_errors);
        return g_test_run();
}
