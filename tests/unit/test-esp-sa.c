/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ESP encapsulation and decapsulation (client/esp/encap.c, decap.c, sa.c):
 * round trips for every transform and every inner size up to the MTU, each
 * packet also opened by an independent OpenSSL call written here; the vector
 * files in tests/vectors/esp/; every drop reason; lifetimes and sequence
 * number exhaustion.
 */
#include <errno.h>
#include <glib.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "client/esp/esp-cipher.h"
#include "client/esp/esp.h"
#include "esp-test-util.h"

#define MTU 1400
#define BUF (ESP_MAX_HEADROOM + 65536 + ESP_MAX_TAILROOM)

/* ------------------------------------------------------------------ independent check */

static bool aead_alg(const struct test_alg *a)
{
        return a->integ == IKEV2_INTEG_NONE;
}

static const char *evp_name(const struct test_alg *a)
{
        if (a->encr == IKEV2_ENCR_CHACHA20_POLY1305)
                return "ChaCha20-Poly1305";
        if (a->encr == IKEV2_ENCR_AES_GCM_16)
                return a->bits == 128 ? "AES-128-GCM" : "AES-256-GCM";
        return a->bits == 128 ? "AES-128-CBC" : "AES-256-CBC";
}

/* Opens an ESP packet with plain EVP calls following RFC 4106 5 / RFC 7634 2
 * (AEAD) or RFC 4303 2.2.1 + RFC 4868 (CBC + HMAC); returns the plaintext
 * payload (inner packet, padding, trailer) length or -1. */
static ssize_t independent_open(const struct test_alg *a, bool esn, uint64_t seq,
                                const uint8_t *pkt, size_t len, uint8_t *out)
{
        size_t iv_len = aead_alg(a) ? 8 : 16;
        size_t icv_len = aead_alg(a) ? 16 : (a->integ == IKEV2_INTEG_HMAC_SHA2_512_256 ? 32 : 16);
        size_t ct_len = len - 8 - iv_len - icv_len;
        EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, evp_name(a), NULL);
        EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
        int outl = 0, ok = 0;

        g_assert_nonnull(c);
        if (aead_alg(a)) {
                uint8_t nonce[12], aad[12];
                size_t aad_len = 8;

                memcpy(nonce, test_ekey + a->key_len - 4, 4);
                memcpy(nonce + 4, pkt + 8, 8);
                memcpy(aad, pkt, 4);
                if (esn) {
                        put_be32_(aad + 4, (uint32_t)(seq >> 32));
                        memcpy(aad + 8, pkt + 4, 4);
                        aad_len = 12;
                } else
                        memcpy(aad + 4, pkt + 4, 4);
                ok = EVP_DecryptInit_ex2(ctx, c, test_ekey, nonce, NULL) &&
                     EVP_DecryptUpdate(ctx, NULL, &outl, aad, (int)aad_len) &&
                     EVP_DecryptUpdate(ctx, out, &outl, pkt + 8 + iv_len, (int)ct_len) &&
                     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, 16, (void *)(pkt + len - 16)) >
                             0 &&
                     EVP_DecryptFinal_ex(ctx, out + outl, &outl);
        } else {
                const char *md =
                        a->integ == IKEV2_INTEG_HMAC_SHA2_512_256 ? "SHA2-512" : "SHA2-256";
                uint8_t *auth = g_malloc(len + 4), mac[64];
                size_t auth_len = len - icv_len, maclen = 0;

                memcpy(auth, pkt, auth_len);
                if (esn) {
                        put_be32_(auth + auth_len, (uint32_t)(seq >> 32));
                        auth_len += 4;
                }
                g_assert_nonnull(EVP_Q_mac(NULL, "HMAC", NULL, md, NULL, test_ikey,
                                           a->integ_key_len, auth, auth_len, mac, sizeof(mac),
                                           &maclen));
                g_free(auth);
                ok = CRYPTO_memcmp(mac, pkt + len - icv_len, icv_len) == 0 &&
                     EVP_DecryptInit_ex2(ctx, c, test_ekey, pkt + 8, NULL) &&
                     EVP_CIPHER_CTX_set_padding(ctx, 0) &&
                     EVP_DecryptUpdate(ctx, out, &outl, pkt + 8 + iv_len, (int)ct_len);
        }
        EVP_CIPHER_CTX_free(ctx);
        EVP_CIPHER_free(c);
        return ok ? (ssize_t)ct_len : -1;
}

/* ------------------------------------------------------------------ round trips */

static void round_trip(const struct test_alg *a, bool esn)
{
        struct esp_sa_params po = test_params(a, ESP_DIR_OUT, esn),
                             pi = test_params(a, ESP_DIR_IN, esn);
        struct esp_sa *out, *in;
        uint8_t *buf = g_malloc(BUF), *plain = g_malloc(BUF), *ref = g_malloc(BUF);
        uint64_t seq = 0;

        if (esn)
                po.seq_start = UINT64_C(0xfffffff0); /* cross into the second subspace */
        g_assert_cmpint(esp_sa_new(&po, &out), ==, 0);
        g_assert_cmpint(esp_sa_new(&pi, &in), ==, 0);
        if (esn) {
                /* Let the receiver's window know where the sender starts. */
                g_assert_cmpint(esp_replay_update(&in->replay, po.seq_start), ==, 0);
        }
        seq = po.seq_start;
        for (int family = 4; family <= 6; family += 2) {
                size_t hdr = (family == 4 ? 20 : 40) + 8;

                for (size_t payload = 0; hdr + payload <= MTU; payload++) {
                        size_t head = esp_sa_headroom(out), ilen, elen, off, dlen;
                        const uint8_t *src = family == 4 ? test_gw4 : test_gw6;
                        const uint8_t *dst = family == 4 ? test_vip4 : test_vip6;
                        ssize_t plen;
                        uint8_t padlen;

                        ilen = make_packet(buf + head, family, src, dst, false, payload,
                                           (uint8_t)payload);
                        memcpy(ref, buf + head, ilen);
                        g_assert_cmpint(esp_encap(out, buf, BUF, ilen, &elen), ==, ESP_DROP_NONE);
                        seq++;
                        g_assert_cmpuint(elen, ==, ilen + esp_sa_overhead(out, ilen));
                        g_assert_cmpuint(get_be32_(buf), ==, 0x1000abcd);
                        g_assert_cmpuint(get_be32_(buf + 4), ==, (uint32_t)seq);
                        g_assert_cmpuint((elen - head - out->icv_len) % out->align, ==, 0);

                        /* Independently: decrypts, and the trailer is RFC 4303 2.4's. */
                        plen = independent_open(a, esn, seq, buf, elen, plain);
                        g_assert_cmpint(plen, >, 0);
                        padlen = plain[plen - 2];
                        g_assert_cmpuint(plain[plen - 1], ==, family == 4 ? 4 : 41);
                        g_assert_cmpuint((size_t)plen, ==, ilen + padlen + 2);
                        g_assert_cmpmem(plain, ilen, ref, ilen);
                        for (size_t i = 0; i < padlen; i++)
                                g_assert_cmpuint(plain[ilen + i], ==, i + 1);

                        g_assert_cmpint(esp_decap(in, buf, elen, &off, &dlen), ==, ESP_DROP_NONE);
                        g_assert_cmpmem(buf + off, dlen, ref, ilen);
                }
        }
        g_assert_cmpuint(in->packets, ==, out->packets);
        g_assert_cmpuint(in->bytes, ==, out->bytes);
        esp_sa_free(out);
        esp_sa_free(in);
        g_free(buf);
        g_free(plain);
        g_free(ref);
}

static void test_round_trip(gconstpointer data)
{
        const struct test_alg *a = data;

        round_trip(a, false);
        round_trip(a, true);
}

/* ------------------------------------------------------------------ vectors */

static struct esp_sa_params vector_params(GKeyFile *kf, const char *g, enum esp_dir dir,
                                          GBytes **keep_key, GBytes **keep_ikey)
{
        g_autofree char *key = g_key_file_get_string(kf, g, "key", NULL);
        g_autofree char *ikey = g_key_file_get_string(kf, g, "integ_key", NULL);
        g_autofree char *spi = g_key_file_get_string(kf, g, "spi", NULL);
        struct esp_sa_params p = {
                .dir = dir,
                .encr = (uint16_t)g_key_file_get_integer(kf, g, "encr", NULL),
                .encr_bits = (uint16_t)g_key_file_get_integer(kf, g, "bits", NULL),
                .integ = (uint16_t)g_key_file_get_integer(kf, g, "integ", NULL),
                .esn = g_key_file_get_boolean(kf, g, "esn", NULL),
        };

        g_assert_nonnull(key);
        *keep_key = hex_bytes(key);
        *keep_ikey = hex_bytes(ikey ? ikey : "");
        p.encr_key = (struct slice){g_bytes_get_data(*keep_key, NULL), g_bytes_get_size(*keep_key)};
        p.integ_key =
                (struct slice){g_bytes_get_data(*keep_ikey, NULL), g_bytes_get_size(*keep_ikey)};
        p.spi = (uint32_t)g_ascii_strtoull(spi, NULL, 16);
        /* The constructed vectors carry ICMP from 198.51.100.1 to 192.0.2.2. */
        p.policy.have_vip4 = true;
        memcpy(p.policy.vip4, (uint8_t[]){192, 0, 2, 2}, 4);
        p.policy.n_ts = 1;
        p.policy.ts[0] = (struct esp_ts){.family = 4,
                                         .port_hi = 0xffff,
                                         .start = {198, 51, 100, 0},
                                         .end = {198, 51, 100, 255}};
        return p;
}

static GKeyFile *load_vectors(const char *name)
{
        g_autofree char *path =
                g_test_build_filename(G_TEST_DIST, "tests", "vectors", "esp", name, NULL);
        g_autoptr(GError) err = NULL;
        GKeyFile *kf = g_key_file_new();

        if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &err))
                g_error("%s: %s", path, err->message);
        return kf;
}

static void test_vector_gcm_draft(void)
{
        g_autoptr(GKeyFile) kf = load_vectors("draft-mcgrew-gcm-test-01.txt");
        const char *g = "draft-mcgrew-gcm-test-01-case-1";
        g_autoptr(GBytes) k = NULL, ik = NULL, pkt = NULL, pt = NULL;
        g_autofree char *hp = g_key_file_get_string(kf, g, "packet", NULL);
        g_autofree char *hpt = g_key_file_get_string(kf, g, "plaintext", NULL);
        g_autofree char *hseq = g_key_file_get_string(kf, g, "seq", NULL);
        struct esp_sa_params p = vector_params(kf, g, ESP_DIR_IN, &k, &ik);
        uint64_t seq = g_ascii_strtoull(hseq, NULL, 16);
        struct esp_sa *in;
        uint8_t buf[256];
        size_t off, len;

        pkt = hex_bytes(hp);
        pt = hex_bytes(hpt);
        g_assert_cmpint(esp_sa_new(&p, &in), ==, 0);
        /* Put the window just below the vector's 64-bit number so that the
         * ESN inference yields seq hi 0x87654321 (RFC 4303 A2.1). */
        g_assert_cmpint(esp_replay_update(&in->replay, seq - 1), ==, 0);
        memcpy(buf, g_bytes_get_data(pkt, NULL), g_bytes_get_size(pkt));
        /* The ICV verifies; the payload's next header (1) is not tunnel mode. */
        g_assert_cmpint(esp_decap(in, buf, g_bytes_get_size(pkt), &off, &len), ==,
                        ESP_DROP_BAD_NEXT_HEADER);
        g_assert_cmpmem(buf + 16, g_bytes_get_size(pt), g_bytes_get_data(pt, NULL),
                        g_bytes_get_size(pt));
        g_assert_cmpuint(in->replay.top, ==, seq);
        /* One flipped ICV bit: refused, nothing decrypted, window unchanged. */
        memcpy(buf, g_bytes_get_data(pkt, NULL), g_bytes_get_size(pkt));
        buf[g_bytes_get_size(pkt) - 1] ^= 1;
        esp_sa_free(in);
        g_assert_cmpint(esp_sa_new(&p, &in), ==, 0);
        g_assert_cmpint(esp_replay_update(&in->replay, seq - 1), ==, 0);
        g_assert_cmpint(esp_decap(in, buf, g_bytes_get_size(pkt), &off, &len), ==,
                        ESP_DROP_BAD_ICV);
        g_assert_cmpuint(in->replay.top, ==, seq - 1);
        esp_sa_free(in);
}

static void test_vectors_constructed(void)
{
        g_autoptr(GKeyFile) kf = load_vectors("constructed.txt");
        g_auto(GStrv) groups = g_key_file_get_groups(kf, NULL);
        size_t n = 0;

        for (char **g = groups; *g; g++, n++) {
                g_autoptr(GBytes) k = NULL, ik = NULL, k2 = NULL, ik2 = NULL, pkt = NULL,
                                  inner = NULL;
                g_autofree char *hp = g_key_file_get_string(kf, *g, "packet", NULL);
                g_autofree char *hin = g_key_file_get_string(kf, *g, "inner", NULL);
                g_autofree char *hseq = g_key_file_get_string(kf, *g, "seq", NULL);
                struct esp_sa_params pi = vector_params(kf, *g, ESP_DIR_IN, &k, &ik);
                struct esp_sa_params po = vector_params(kf, *g, ESP_DIR_OUT, &k2, &ik2);
                uint64_t seq = g_ascii_strtoull(hseq, NULL, 16);
                struct esp_sa *in, *out;
                uint8_t buf[512];
                size_t off, len, plen, ilen;

                pkt = hex_bytes(hp);
                inner = hex_bytes(hin);
                plen = g_bytes_get_size(pkt);
                ilen = g_bytes_get_size(inner);
                g_test_message("vector %s", *g);

                g_assert_cmpint(esp_sa_new(&pi, &in), ==, 0);
                if (seq > 1)
                        g_assert_cmpint(esp_replay_update(&in->replay, seq - 1), ==, 0);
                memcpy(buf, g_bytes_get_data(pkt, NULL), plen);
                g_assert_cmpint(esp_decap(in, buf, plen, &off, &len), ==, ESP_DROP_NONE);
                g_assert_cmpmem(buf + off, len, g_bytes_get_data(inner, NULL), ilen);
                esp_sa_free(in);

                /* AEAD: our IV is the sequence number, so encapsulation must
                 * give the very same bytes. (CBC IVs are random-looking.) */
                po.seq_start = seq - 1;
                po.iv_seed[0] = 1;
                g_assert_cmpint(esp_sa_new(&po, &out), ==, 0);
                if (out->iv_len == 8) {
                        memcpy(buf + esp_sa_headroom(out), g_bytes_get_data(inner, NULL), ilen);
                        g_assert_cmpint(esp_encap(out, buf, sizeof(buf), ilen, &len), ==,
                                        ESP_DROP_NONE);
                        g_assert_cmpmem(buf, len, g_bytes_get_data(pkt, NULL), plen);
                }
                esp_sa_free(out);
        }
        g_assert_cmpuint(n, >=, 6);
}

/* ------------------------------------------------------------------ drops */

struct pair {
        struct esp_sa *out, *in;
        const struct test_alg *a;
};

static void pair_new(struct pair *p, const struct test_alg *a)
{
        struct esp_sa_params po = test_params(a, ESP_DIR_OUT, false);
        struct esp_sa_params pi = test_params(a, ESP_DIR_IN, false);

        p->a = a;
        g_assert_cmpint(esp_sa_new(&po, &p->out), ==, 0);
        g_assert_cmpint(esp_sa_new(&pi, &p->in), ==, 0);
}

static void pair_free(struct pair *p)
{
        esp_sa_free(p->out);
        esp_sa_free(p->in);
}

/* Seals an arbitrary plaintext payload (inner || padding || trailer, already
 * aligned) with the outbound SA, the way a broken or hostile peer could. */
static size_t seal_raw(struct esp_sa *out, uint8_t *buf, const uint8_t *payload, size_t len)
{
        uint64_t seq = ++out->seq;

        put_be32_(buf, out->spi);
        put_be32_(buf + 4, (uint32_t)seq);
        g_assert_cmpint(esp_cipher_make_iv(out->cipher, seq, buf + 8), ==, 0);
        memcpy(buf + 8 + out->iv_len, payload, len);
        g_assert_cmpint(esp_cipher_seal(out->cipher, buf, len, false, 0), ==, 0);
        return 8 + out->iv_len + len + out->icv_len;
}

static size_t payload_with(uint8_t *p, const uint8_t *inner, size_t ilen, size_t align, uint8_t nh,
                           int bad_pad_at)
{
        size_t pad = (align - (ilen + 2) % align) % align;

        if (pad == 0 && bad_pad_at >= 0)
                pad = align; /* we need padding to spoil */
        memcpy(p, inner, ilen);
        for (size_t i = 0; i < pad; i++)
                p[ilen + i] = (uint8_t)(i + 1);
        if (bad_pad_at >= 0)
                p[ilen + (size_t)bad_pad_at % pad] ^= 0x80;
        p[ilen + pad] = (uint8_t)pad;
        p[ilen + pad + 1] = nh;
        return ilen + pad + 2;
}

static enum esp_drop decap_raw(struct pair *p, const uint8_t *inner, size_t ilen, uint8_t nh,
                               int bad_pad_at)
{
        uint8_t payload[2048], buf[2200];
        size_t plen = payload_with(payload, inner, ilen, p->out->align, nh, bad_pad_at), len, off,
               dlen;

        len = seal_raw(p->out, buf, payload, plen);
        return esp_decap(p->in, buf, len, &off, &dlen);
}

static void test_drops(gconstpointer data)
{
        const struct test_alg *a = data;
        struct pair p;
        uint8_t inner[1500], buf[2200];
        size_t ilen, len, off, dlen, head;
        uint8_t other[4] = {203, 0, 113, 9};

        pair_new(&p, a);
        head = esp_sa_headroom(p.out);
        ilen = make_packet(inner, 4, test_gw4, test_vip4, true, 100, 1);

        /* Good, to start with. */
        g_assert_cmpint(decap_raw(&p, inner, ilen, 4, -1), ==, ESP_DROP_NONE);
        /* Padding 1, 2, 3 ... spoiled (RFC 4303 2.4). */
        g_assert_cmpint(decap_raw(&p, inner, ilen, 4, 0), ==, ESP_DROP_BAD_PADDING);
        /* Next header that is not IP-in-IP, and the TFC dummy. */
        g_assert_cmpint(decap_raw(&p, inner, ilen, 17, -1), ==, ESP_DROP_BAD_NEXT_HEADER);
        g_assert_cmpint(decap_raw(&p, inner, ilen, 59, -1), ==, ESP_DROP_DUMMY);
        /* Says IPv6, holds IPv4; says IPv4, header claims more than there is. */
        g_assert_cmpint(decap_raw(&p, inner, ilen, 41, -1), ==, ESP_DROP_BAD_INNER);
        g_assert_cmpint(decap_raw(&p, inner, 30, 4, -1), ==, ESP_DROP_BAD_INNER);
        /* Not for our virtual IP; from outside TSr. */
        {
                uint8_t x[1500];
                size_t xl = make_packet(x, 4, test_gw4, other, false, 10, 0);

                g_assert_cmpint(decap_raw(&p, x, xl, 4, -1), ==, ESP_DROP_INNER_DST);
                xl = make_packet(x, 4, other, test_vip4, false, 10, 0);
                g_assert_cmpint(decap_raw(&p, x, xl, 4, -1), ==, ESP_DROP_INNER_SRC);
                xl = make_packet(x, 6, test_gw6, test_vip6, false, 10, 0);
                g_assert_cmpint(decap_raw(&p, x, xl, 41, -1), ==, ESP_DROP_NONE);
                x[8] ^= 0x40; /* source out of 2001:db8::/64 */
                g_assert_cmpint(decap_raw(&p, x, xl, 41, -1), ==, ESP_DROP_INNER_SRC);
        }
        /* The pad length points before the payload. */
        {
                uint8_t pl[64] = {0};
                size_t n = 16 + p.out->align - (16 % p.out->align);

                n = n % p.out->align ? n + p.out->align - n % p.out->align : n;
                pl[n - 2] = (uint8_t)(n - 1);
                pl[n - 1] = 4;
                len = seal_raw(p.out, buf, pl, n);
                g_assert_cmpint(esp_decap(p.in, buf, len, &off, &dlen), ==, ESP_DROP_BAD_PADDING);
        }

        /* Encapsulate a good one for the tests below. */
        memcpy(buf + head, inner, ilen);
        g_assert_cmpint(esp_encap(p.out, buf, sizeof(buf), ilen, &len), ==, ESP_DROP_NONE);
        {
                uint8_t copy[2200];

                memcpy(copy, buf, len);
                /* Any flipped bit, in header, IV, ciphertext or ICV. */
                for (size_t i = 0; i < len; i += 7) {
                        uint8_t t[2200];

                        memcpy(t, copy, len);
                        t[i] ^= 0x10;
                        enum esp_drop d = esp_decap(p.in, t, len, &off, &dlen);

                        if (i < 4)
                                g_assert_cmpint(d, ==, ESP_DROP_UNKNOWN_SPI);
                        else if (i < 8)
                                g_assert_true(d == ESP_DROP_BAD_ICV || d == ESP_DROP_REPLAY);
                        else
                                g_assert_cmpint(d, ==, ESP_DROP_BAD_ICV);
                }
                /* Truncated: shorter than header + IV + ICV, or misaligned. */
                g_assert_cmpint(
                        esp_decap(p.in, copy, 8 + p.out->iv_len + p.out->icv_len + 1, &off, &dlen),
                        ==, ESP_DROP_MALFORMED);
                g_assert_cmpint(esp_decap(p.in, copy, len - 1, &off, &dlen), ==,
                                p.out->align > 1 ? ESP_DROP_MALFORMED : ESP_DROP_BAD_ICV);
                /* Genuine: accepted once, then a replay. */
                g_assert_cmpint(esp_decap(p.in, copy, len, &off, &dlen), ==, ESP_DROP_NONE);
                memcpy(copy, buf, len);
                g_assert_cmpint(esp_decap(p.in, copy, len, &off, &dlen), ==, ESP_DROP_REPLAY);
        }
        /* Outbound: not IP; does not fit. */
        buf[head] = 0x50;
        g_assert_cmpint(esp_encap(p.out, buf, sizeof(buf), ilen, &len), ==, ESP_DROP_TX_BAD_INNER);
        memcpy(buf + head, inner, ilen);
        g_assert_cmpint(esp_encap(p.out, buf, head + ilen + 3, ilen, &len), ==, ESP_DROP_TOO_BIG);
        g_assert_cmpint(esp_encap(p.out, buf, sizeof(buf), 0, &len), ==, ESP_DROP_TX_BAD_INNER);
        pair_free(&p);
}

/* TFC padding (RFC 4303 2.4, 2.7): bytes after the inner packet, before the
 * ESP padding, are cut off by the inner IP length. */
static void test_tfc_trimmed(void)
{
        struct pair p;
        uint8_t buf[2200];
        size_t ilen, len, off, dlen, head;

        pair_new(&p, &test_algs[0]);
        head = esp_sa_headroom(p.out);
        ilen = make_packet(buf + head, 4, test_gw4, test_vip4, false, 33, 0);
        memset(buf + head + ilen, 0, 100);
        g_assert_cmpint(esp_encap(p.out, buf, sizeof(buf), ilen + 100, &len), ==, ESP_DROP_NONE);
        g_assert_cmpint(esp_decap(p.in, buf, len, &off, &dlen), ==, ESP_DROP_NONE);
        g_assert_cmpuint(dlen, ==, ilen);
        pair_free(&p);
}

static void test_lifetimes(void)
{
        struct esp_sa_params po = test_params(&test_algs[0], ESP_DIR_OUT, false);
        struct esp_sa *out;
        uint8_t buf[2200];
        size_t ilen, len, head;

        po.soft.packets = 3;
        po.hard.packets = 5;
        po.soft.bytes = 0;
        g_assert_cmpint(esp_sa_new(&po, &out), ==, 0);
        head = esp_sa_headroom(out);
        for (int i = 1; i <= 6; i++) {
                enum esp_drop d;
                unsigned ev;

                ilen = make_packet(buf + head, 4, test_vip4, test_gw4, false, 10, 0);
                d = esp_encap(out, buf, sizeof(buf), ilen, &len);
                ev = esp_sa_take_events(out);
                g_assert_cmpint(d, ==, i <= 5 ? ESP_DROP_NONE : ESP_DROP_SA_EXPIRED);
                g_assert_cmpuint(ev, ==,
                                 i == 3   ? ESP_EVENT_SOFT_LIFETIME
                                 : i == 5 ? ESP_EVENT_HARD_LIFETIME
                                          : 0u);
        }
        esp_sa_free(out);

        /* By bytes, inbound. */
        struct pair p;
        struct esp_sa_params pi = test_params(&test_algs[2], ESP_DIR_IN, false);

        pair_new(&p, &test_algs[2]);
        esp_sa_free(p.in);
        pi.soft.bytes = 100;
        pi.hard.bytes = 250;
        g_assert_cmpint(esp_sa_new(&pi, &p.in), ==, 0);
        head = esp_sa_headroom(p.out);
        for (int i = 1; i <= 4; i++) {
                size_t off, dlen;
                enum esp_drop d;
                unsigned ev;

                ilen = make_packet(buf + head, 4, test_gw4, test_vip4, false, 72,
                                   0); /* 100 bytes */
                g_assert_cmpint(esp_encap(p.out, buf, sizeof(buf), ilen, &len), ==, ESP_DROP_NONE);
                d = esp_decap(p.in, buf, len, &off, &dlen);
                ev = esp_sa_take_events(p.in);
                g_assert_cmpint(d, ==, i <= 3 ? ESP_DROP_NONE : ESP_DROP_SA_EXPIRED);
                g_assert_cmpuint(ev, ==,
                                 i == 1   ? ESP_EVENT_SOFT_LIFETIME
                                 : i == 3 ? ESP_EVENT_HARD_LIFETIME
                                          : 0u);
        }
        pair_free(&p);
}

static void test_seq_exhaustion(gconstpointer data)
{
        bool esn = GPOINTER_TO_INT(data);
        struct esp_sa_params po = test_params(&test_algs[0], ESP_DIR_OUT, esn);
        uint64_t rekey = esn ? UINT64_C(1) << 63 : UINT64_C(0xC0000000);
        uint64_t last = esn ? UINT64_MAX : UINT64_C(0xffffffff);
        struct esp_sa *out;
        uint8_t buf[2200];
        size_t ilen, len, head;

        /* Well before the end: "rekey needed" once. */
        po.seq_start = rekey - 2;
        g_assert_cmpint(esp_sa_new(&po, &out), ==, 0);
        head = esp_sa_headroom(out);
        for (int i = 0; i < 3; i++) {
                ilen = make_packet(buf + head, 4, test_vip4, test_gw4, false, 10, 0);
                g_assert_cmpint(esp_encap(out, buf, sizeof(buf), ilen, &len), ==, ESP_DROP_NONE);
                g_assert_cmpuint(esp_sa_take_events(out), ==, i == 1 ? ESP_EVENT_SEQ_REKEY : 0u);
        }
        esp_sa_free(out);

        /* At the end: the last number goes out, then nothing (never wraps). */
        po.seq_start = last - 1;
        g_assert_cmpint(esp_sa_new(&po, &out), ==, 0);
        ilen = make_packet(buf + head, 4, test_vip4, test_gw4, false, 10, 0);
        g_assert_cmpint(esp_encap(out, buf, sizeof(buf), ilen, &len), ==, ESP_DROP_NONE);
        g_assert_cmpuint(get_be32_(buf + 4), ==, (uint32_t)last);
        esp_sa_take_events(out);
        ilen = make_packet(buf + head, 4, test_vip4, test_gw4, false, 10, 0);
        g_assert_cmpint(esp_encap(out, buf, sizeof(buf), ilen, &len), ==, ESP_DROP_SA_EXPIRED);
        g_assert_cmpuint(esp_sa_take_events(out) & ESP_EVENT_HARD_LIFETIME, !=, 0);
        esp_sa_free(out);
}

static void test_bad_params(void)
{
        struct esp_sa_params p = test_params(&test_algs[0], ESP_DIR_OUT, false);
        struct esp_sa *sa = NULL;

        p.spi = 0;
        g_assert_cmpint(esp_sa_new(&p, &sa), ==, -EINVAL);
        p = test_params(&test_algs[0], ESP_DIR_OUT, false);
        p.encr_key.len = 16; /* salt missing */
        g_assert_cmpint(esp_sa_new(&p, &sa), ==, -EINVAL);
        p = test_params(&test_algs[0], ESP_DIR_OUT, false);
        p.integ = IKEV2_INTEG_HMAC_SHA2_256_128; /* AEAD plus integrity */
        g_assert_cmpint(esp_sa_new(&p, &sa), ==, -EINVAL);
        p = test_params(&test_algs[3], ESP_DIR_OUT, false);
        p.integ = IKEV2_INTEG_NONE; /* CBC without integrity */
        g_assert_cmpint(esp_sa_new(&p, &sa), ==, -EINVAL);
        p = test_params(&test_algs[0], ESP_DIR_OUT, false);
        p.encr = IKEV2_ENCR_3DES;
        g_assert_cmpint(esp_sa_new(&p, &sa), ==, -EOPNOTSUPP);
        p.encr = IKEV2_ENCR_NULL;
        p.integ = IKEV2_INTEG_NONE;
        p.encr_key.len = 0;
        g_assert_cmpint(esp_sa_new(&p, &sa), ==, -EOPNOTSUPP); /* NULL/NULL only for the bench */
        p.allow_null_null = true;
        g_assert_cmpint(esp_sa_new(&p, &sa), ==, 0);
        esp_sa_free(sa);
        g_assert_null(NULL);
}

static void test_peek(void)
{
        uint32_t spi = 0;
        uint8_t ka[1] = {0xff}, ike[8] = {0, 0, 0, 0, 1, 2, 3, 4},
                esp[8] = {0, 0, 1, 2, 0, 0, 0, 1};

        g_assert_cmpint(esp_peek_spi(ka, 1, &spi), ==, -ENOMSG);
        g_assert_cmpint(esp_peek_spi(ike, 8, &spi), ==, -ENOMSG);
        g_assert_cmpint(esp_peek_spi(esp, 3, &spi), ==, -EBADMSG);
        g_assert_cmpint(esp_peek_spi(esp, 7, &spi), ==, -EBADMSG);
        g_assert_cmpint(esp_peek_spi(esp, 8, &spi), ==, 0);
        g_assert_cmpuint(spi, ==, 0x102);
        for (int d = 0; d < _ESP_DROP_MAX; d++)
                g_assert_cmpstr(esp_drop_to_string((enum esp_drop)d), !=, "unknown");
}

int main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        for (size_t i = 0; i < G_N_ELEMENTS(test_algs); i++) {
                g_autofree char *rt = g_strdup_printf("/esp/sa/round-trip/%s", test_algs[i].name);
                g_autofree char *dr = g_strdup_printf("/esp/sa/drops/%s", test_algs[i].name);

                g_test_add_data_func(rt, &test_algs[i], test_round_trip);
                g_test_add_data_func(dr, &test_algs[i], test_drops);
        }
        g_test_add_func("/esp/sa/vector/draft-mcgrew-gcm-test-01", test_vector_gcm_draft);
        g_test_add_func("/esp/sa/vector/constructed", test_vectors_constructed);
        g_test_add_func("/esp/sa/tfc-trimmed", test_tfc_trimmed);
        g_test_add_func("/esp/sa/lifetimes", test_lifetimes);
        g_test_add_data_func("/esp/sa/seq-exhaustion/32", GINT_TO_POINTER(0), test_seq_exhaustion);
        g_test_add_data_func("/esp/sa/seq-exhaustion/esn", GINT_TO_POINTER(1), test_seq_exhaustion);
        g_test_add_func("/esp/sa/bad-params", test_bad_params);
        g_test_add_func("/esp/sa/peek", test_peek);
        return g_test_run();
}
