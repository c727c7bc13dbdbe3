/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "sk.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <openssl/crypto.h>

#include "client/common/rbuf.h"
#include "client/ike/ikev2.h"

/* Offsets in the IKE header (RFC 7296 3.1). */
#define HDR_NEXT_PAYLOAD 16
#define HDR_LENGTH       24

static int fail(struct ike_sk_error *err, int r, const char *what, size_t offset, size_t got,
                size_t limit)
{
        if (err)
                *err = (struct ike_sk_error){
                        .what = what, .offset = offset, .got = got, .limit = limit};
        return r;
}

/*
 * Walks the payload chain from the IKE header to the SK or SKF payload and
 * returns the offset of its generic header. Every payload before it must
 * fit in msg; the walk ends because every payload is at least 4 octets.
 */
static int find_sk(struct slice msg, size_t *ret_off, uint8_t *ret_type, struct ike_sk_error *err)
{
        struct rbuf r;
        uint8_t np;

        if (msg.len < IKEV2_HEADER_LEN)
                return fail(err, -EBADMSG, "message shorter than the IKE header", 0, msg.len,
                            IKEV2_HEADER_LEN);
        np = msg.ptr[HDR_NEXT_PAYLOAD];
        rbuf_init(&r, msg.ptr, msg.len);
        (void)rbuf_skip(&r, IKEV2_HEADER_LEN);
        for (;;) {
                size_t off = rbuf_pos(&r);
                uint8_t next, flags;
                uint16_t plen;

                if (np == IKEV2_PAYLOAD_SK || np == IKEV2_PAYLOAD_SKF) {
                        *ret_off = off;
                        *ret_type = np;
                        return 0;
                }
                if (np == IKEV2_PAYLOAD_NONE)
                        return fail(err, -EBADMSG, "no SK or SKF payload in the message", off, 0,
                                    0);
                if (rbuf_u8(&r, &next) < 0 || rbuf_u8(&r, &flags) < 0 || rbuf_be16(&r, &plen) < 0)
                        return fail(err, -EBADMSG, "payload header truncated", off, msg.len - off,
                                    IKEV2_PAYLOAD_HEADER_LEN);
                if (plen < IKEV2_PAYLOAD_HEADER_LEN ||
                    (size_t)plen - IKEV2_PAYLOAD_HEADER_LEN > rbuf_left(&r))
                        return fail(err, -EBADMSG, "payload length out of range", off, plen,
                                    msg.len - off);
                (void)rbuf_skip(&r, plen - IKEV2_PAYLOAD_HEADER_LEN);
                np = next;
        }
}

static size_t pad_len(size_t bs, size_t plaintext_len)
{
        /* RFC 7296 3.14: payloads | padding | pad length is a multiple of
         * the block size; the sender uses the minimum. */
        return (bs - (plaintext_len + 1) % bs) % bs;
}

size_t ike_sk_overhead(const struct crypto_suite *suite, size_t plaintext_len)
{
        return crypto_suite_iv_len(suite) + pad_len(crypto_suite_block_size(suite), plaintext_len) +
               1 + crypto_suite_icv_len(suite);
}

size_t ike_sk_max_plaintext(const struct crypto_suite *suite, size_t body_len)
{
        size_t fixed = crypto_suite_iv_len(suite) + crypto_suite_icv_len(suite);
        size_t bs = crypto_suite_block_size(suite), ct;

        if (body_len <= fixed)
                return 0;
        ct = body_len - fixed;
        ct -= ct % bs;
        return ct > 0 ? ct - 1 : 0;
}

static void put_be16(uint8_t *p, size_t v)
{
        p[0] = (uint8_t)(v >> 8);
        p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, size_t v)
{
        p[0] = (uint8_t)(v >> 24);
        p[1] = (uint8_t)(v >> 16);
        p[2] = (uint8_t)(v >> 8);
        p[3] = (uint8_t)v;
}

int ike_sk_protect(struct crypto_aead *aead, const struct tsu_rng *rng, struct slice prefix,
                   uint8_t first_payload, struct slice plaintext, struct wbuf *w,
                   struct ike_sk_error *ret_err)
{
        const struct crypto_suite *s = crypto_aead_suite(aead);
        const size_t iv_len = crypto_suite_iv_len(s), icv_len = crypto_suite_icv_len(s);
        size_t sk_off, hdr_len, pad, ct_len, sk_len, total, start, old_len;
        uint8_t type, *msg, *iv, *ct, *icv;
        bool in_place;
        int r;

        r = find_sk(prefix, &sk_off, &type, ret_err);
        if (r < 0)
                return r;
        hdr_len = type == IKEV2_PAYLOAD_SKF ? IKE_SKF_HEADER_LEN : IKE_SK_HEADER_LEN;
        if (prefix.len - sk_off != hdr_len)
                return fail(ret_err, -EBADMSG, "the SK/SKF payload header must end the prefix",
                            sk_off, prefix.len - sk_off, hdr_len);

        if (plaintext.len > UINT16_MAX)
                return fail(ret_err, -EMSGSIZE, "SK payload longer than 65535 octets", sk_off,
                            plaintext.len, UINT16_MAX);
        pad = pad_len(crypto_suite_block_size(s), plaintext.len);
        ct_len = plaintext.len + pad + 1;
        sk_len = hdr_len + iv_len + ct_len + icv_len;
        if (sk_len > UINT16_MAX)
                return fail(ret_err, -EMSGSIZE, "SK payload longer than 65535 octets", sk_off,
                            sk_len, UINT16_MAX);
        if (prefix.len > UINT32_MAX - (sk_len - hdr_len))
                return fail(ret_err, -EMSGSIZE, "message longer than the IKE Length field", 0,
                            prefix.len, UINT32_MAX);
        total = prefix.len + sk_len - hdr_len;

        /* The prefix may already be the last octets written to w (the codec
         * serialized it there): then it is used where it is. */
        in_place = prefix.len <= w->len && prefix.ptr == w->p + (w->len - prefix.len);

        /* Check the room first so that a failure leaves w untouched. */
        if (wbuf_error(w))
                return wbuf_error(w);
        if (total - (in_place ? prefix.len : 0) > w->cap - w->len)
                return -ENOBUFS;
        old_len = w->len;
        start = in_place ? w->len - prefix.len : w->len;
        if (!in_place)
                (void)wbuf_slice_put(w, prefix);
        (void)wbuf_claim(w, iv_len, &iv);
        (void)wbuf_claim(w, ct_len, &ct);
        (void)wbuf_claim(w, icv_len, &icv);
        msg = w->p + start;

        r = tsu_rng_fill(rng, iv, iv_len);
        if (r < 0)
                goto rollback;
        if (plaintext.len > 0)
                memcpy(ct, plaintext.ptr, plaintext.len);
        memset(ct + plaintext.len, 0, pad);
        ct[ct_len - 1] = (uint8_t)pad;

        /* The lengths and the first inner type are authenticated: fix them
         * before sealing. */
        put_be32(msg + HDR_LENGTH, total);
        msg[sk_off] = first_payload;
        put_be16(msg + sk_off + 2, sk_len);

        r = crypto_aead_seal(aead, SLICE(msg, prefix.len), iv, ct, ct_len, icv);
        if (r < 0)
                goto rollback;
        return 0;

rollback:
        /* What we appended may still hold plaintext; the prefix stays. */
        OPENSSL_cleanse(msg + prefix.len, total - prefix.len);
        w->len = old_len;
        return r;
}

int ike_sk_unprotect(struct crypto_aead *aead, uint8_t *msg, size_t len, struct ike_sk_plain *ret,
                     struct ike_sk_error *ret_err)
{
        const struct crypto_suite *s = crypto_aead_suite(aead);
        const size_t iv_len = crypto_suite_iv_len(s), icv_len = crypto_suite_icv_len(s);
        const size_t bs = crypto_suite_block_size(s);
        struct ike_sk_plain p = {0};
        size_t sk_off, hdr_len, body, ct_len, pad;
        uint32_t ike_len;
        uint16_t plen;
        uint8_t type, flags, *iv, *ct;
        struct rbuf r;
        int e;

        if (len < IKEV2_HEADER_LEN)
                return fail(ret_err, -EBADMSG, "message shorter than the IKE header", 0, len,
                            IKEV2_HEADER_LEN);
        rbuf_init(&r, msg + HDR_LENGTH, 4);
        (void)rbuf_be32(&r, &ike_len);
        if (ike_len != len)
                return fail(ret_err, -EBADMSG, "IKE header Length differs from the message size",
                            HDR_LENGTH, ike_len, len);
        e = find_sk(SLICE(msg, len), &sk_off, &type, ret_err);
        if (e < 0)
                return e;

        rbuf_init(&r, msg + sk_off, len - sk_off);
        if (rbuf_u8(&r, &p.first_payload) < 0 || rbuf_u8(&r, &flags) < 0 ||
            rbuf_be16(&r, &plen) < 0)
                return fail(ret_err, -EBADMSG, "SK payload header truncated", sk_off, len - sk_off,
                            IKE_SK_HEADER_LEN);
        /* RFC 7296 3.14: the Encrypted payload is the last one. */
        if (plen != len - sk_off)
                return fail(ret_err, -EBADMSG, "SK payload does not end the message", sk_off, plen,
                            len - sk_off);
        hdr_len = IKE_SK_HEADER_LEN;
        if (type == IKEV2_PAYLOAD_SKF) {
                hdr_len = IKE_SKF_HEADER_LEN;
                p.fragment = true;
                if (rbuf_be16(&r, &p.frag_number) < 0 || rbuf_be16(&r, &p.frag_total) < 0)
                        return fail(ret_err, -EBADMSG, "SKF payload header truncated", sk_off,
                                    len - sk_off, IKE_SKF_HEADER_LEN);
                /* RFC 7383 2.5: fragments are numbered from 1 to Total. */
                if (p.frag_number == 0 || p.frag_number > p.frag_total)
                        return fail(ret_err, -EBADMSG, "SKF Fragment Number outside 1..Total",
                                    sk_off + 4, p.frag_number, p.frag_total);
        }

        body = len - sk_off - hdr_len;
        if (body < iv_len + icv_len + MAX(bs, (size_t)1))
                return fail(ret_err, -EBADMSG, "SK payload too short for IV, Pad Length and ICV",
                            sk_off, body, iv_len + icv_len + MAX(bs, (size_t)1));
        ct_len = body - iv_len - icv_len;
        if (ct_len % bs != 0)
                return fail(ret_err, -EBADMSG,
                            "encrypted data is not a whole number of cipher blocks",
                            sk_off + hdr_len + iv_len, ct_len, bs);
        iv = msg + sk_off + hdr_len;
        ct = iv + iv_len;

        e = crypto_aead_open(aead, SLICE(msg, sk_off + hdr_len), iv, ct, ct_len, ct + ct_len);
        if (e == -EBADMSG)
                return fail(ret_err, -EKEYREJECTED, "integrity check failed",
                            sk_off + hdr_len + iv_len + ct_len, icv_len, icv_len);
        if (e < 0)
                return e;

        pad = ct[ct_len - 1];
        if (pad + 1 > ct_len)
                return fail(ret_err, -EBADMSG, "Pad Length beyond the decrypted data",
                            sk_off + hdr_len + iv_len + ct_len - 1, pad, ct_len - 1);
        p.inner = SLICE(ct, ct_len - pad - 1);
        p.sk_offset = sk_off;
        *ret = p;
        return 0;
}
