/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz target: ike_sk_unprotect() on arbitrary bytes with fixed keys.
 *
 * Input: one selector octet (which suite: AES-GCM-16-128, AES-CBC-256 with
 * HMAC-SHA2-256-128, ChaCha20-Poly1305), then the IKE message. A message
 * that unprotects is protected again with the same prefix and unprotected
 * once more: the round trip must give the same inner payloads.
 *
 * The seed corpus (tests/fuzz/corpus/fuzz_sk_unprotect/) holds valid
 * protected messages for each suite; regenerate it with
 *   FUZZ_SK_WRITE_SEEDS=DIR tests/fuzz/fuzz_sk_unprotect
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/common/wbuf.h"
#include "client/crypto/aead.h"
#include "client/crypto/rng.h"
#include "client/ike/ikev2.h"
#include "client/ike/sk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static const struct {
        const char *name;
        uint16_t encr, bits, integ;
} suites[] = {
        {"gcm", IKEV2_ENCR_AES_GCM_16, 128, IKEV2_INTEG_NONE},
        {"cbc", IKEV2_ENCR_AES_CBC, 256, IKEV2_INTEG_HMAC_SHA2_256_128},
        {"chacha", IKEV2_ENCR_CHACHA20_POLY1305, 0, IKEV2_INTEG_NONE},
};

static struct crypto_aead *ctxs[3];

static void setup(void)
{
        struct tsu_rng_stream st;
        struct tsu_rng rng = tsu_rng_stream_init(&st, "fuzz_sk_unprotect keys", 22);

        if (ctxs[0])
                return;
        for (size_t i = 0; i < 3; i++) {
                struct crypto_suite s;
                uint8_t ek[CRYPTO_MAX_ENCR_KEY_LEN], ik[CRYPTO_MAX_INTEG_KEY_LEN];

                if (crypto_suite_lookup(suites[i].encr, suites[i].bits, suites[i].integ, 0, &s,
                                        NULL) < 0 ||
                    tsu_rng_fill(&rng, ek, sizeof(ek)) < 0 ||
                    tsu_rng_fill(&rng, ik, sizeof(ik)) < 0 ||
                    crypto_aead_new(&s, SLICE(ek, crypto_suite_encr_key_len(&s)),
                                    SLICE(ik, crypto_suite_integ_key_len(&s)), &ctxs[i]) < 0)
                        abort();
        }
}

static void roundtrip(struct crypto_aead *a, const uint8_t *msg, size_t len,
                      const struct ike_sk_plain *p)
{
        struct tsu_rng_stream st;
        struct tsu_rng rng = tsu_rng_stream_init(&st, "iv", 2);
        size_t hdr = p->fragment ? IKE_SKF_HEADER_LEN : IKE_SK_HEADER_LEN;
        size_t cap = len + 512;
        uint8_t *out = malloc(cap);
        struct ike_sk_plain q;
        struct wbuf w;

        if (!out)
                abort();
        /* The plaintext slice points into msg: every octet must be inside. */
        if (p->inner.len > 0 && (p->inner.ptr < msg || p->inner.len > len ||
                                 p->inner.ptr - msg > (ptrdiff_t)(len - p->inner.len)))
                abort();
        wbuf_init(&w, out, cap);
        if (ike_sk_protect(a, &rng, SLICE(msg, p->sk_offset + hdr), p->first_payload, p->inner, &w,
                           NULL) != 0)
                abort();
        if (ike_sk_unprotect(a, out, wbuf_len(&w), &q, NULL) != 0)
                abort();
        if (q.inner.len != p->inner.len ||
            (q.inner.len > 0 && memcmp(q.inner.ptr, p->inner.ptr, q.inner.len) != 0) ||
            q.first_payload != p->first_payload || q.fragment != p->fragment ||
            q.frag_number != p->frag_number || q.frag_total != p->frag_total)
                abort();
        free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct crypto_aead *a;
        struct ike_sk_plain p;
        struct ike_sk_error err;
        uint8_t *msg;

        if (size < 1)
                return 0;
        setup();
        a = ctxs[data[0] % 3];
        /* An exactly-sized copy (decryption is in place), so ASan sees any
         * access past the end. */
        msg = malloc(size - 1 ? size - 1 : 1);
        if (!msg)
                return 0;
        if (size > 1)
                memcpy(msg, data + 1, size - 1);
        if (ike_sk_unprotect(a, msg, size - 1, &p, &err) == 0) {
                /* Copy the plaintext out: protect() reads it while writing a
                 * new message; the original buffer stays intact meanwhile. */
                roundtrip(a, msg, size - 1, &p);
        } else if (!err.what) {
                abort(); /* every refusal says why */
        }
        free(msg);
        return 0;
}

/* ------------------------------------------------------------------ seeds */

static void write_seed(const char *dir, const char *name, uint8_t sel, const uint8_t *m, size_t n)
{
        char path[4096];
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s", dir, name);
        f = fopen(path, "wbe");
        if (!f || fwrite(&sel, 1, 1, f) != 1 || fwrite(m, 1, n, f) != n || fclose(f) != 0) {
                perror(path);
                exit(1);
        }
}

static void write_seeds(const char *dir)
{
        struct tsu_rng_stream st;
        struct tsu_rng rng = tsu_rng_stream_init(&st, "fuzz_sk_unprotect seeds", 23);
        /* ID_FQDN IDi, a Notify, a tiny CP: a typical IKE_AUTH inner chain */
        static const uint8_t inner[] = {
                IKEV2_PAYLOAD_NOTIFY,
                0,
                0,
                12,
                IKEV2_ID_FQDN,
                0,
                0,
                0,
                'h',
                'o',
                's',
                't',
                IKEV2_PAYLOAD_CP,
                0,
                0,
                8,
                0,
                0,
                0x40,
                0x00,
                IKEV2_PAYLOAD_NONE,
                0,
                0,
                12,
                IKEV2_CFG_REQUEST,
                0,
                0,
                0,
                0,
                1,
                0,
                0,
        };

        setup();
        for (uint8_t sel = 0; sel < 3; sel++) {
                for (int v = 0; v < 4; v++) {
                        bool skf = v & 1, vid = v & 2;
                        uint8_t prefix[64] = {0}, out[512];
                        size_t pl = 28;
                        struct wbuf w;
                        char name[64];

                        memset(prefix, 0xa5, 16); /* SPIs */
                        prefix[16] = vid ? IKEV2_PAYLOAD_VENDOR
                                         : (skf ? IKEV2_PAYLOAD_SKF : IKEV2_PAYLOAD_SK);
                        prefix[17] = IKEV2_VERSION;
                        prefix[18] = IKEV2_EXCHANGE_IKE_AUTH;
                        prefix[19] = IKEV2_FLAG_INITIATOR;
                        prefix[23] = 1;
                        if (vid) {
                                prefix[pl] = skf ? IKEV2_PAYLOAD_SKF : IKEV2_PAYLOAD_SK;
                                prefix[pl + 3] = 8;
                                memcpy(prefix + pl + 4, "tsun", 4);
                                pl += 8;
                        }
                        memset(prefix + pl, 0, 8);
                        if (skf) {
                                prefix[pl + 5] = 1; /* fragment 1 */
                                prefix[pl + 7] = 2; /* of 2 */
                        }
                        pl += skf ? 8 : 4;
                        wbuf_init(&w, out, sizeof(out));
                        if (ike_sk_protect(ctxs[sel], &rng, SLICE(prefix, pl), IKEV2_PAYLOAD_IDi,
                                           SLICE(inner, sizeof(inner) - (size_t)v * 3), &w,
                                           NULL) != 0)
                                abort();
                        snprintf(name, sizeof(name), "%s-%s%s", suites[sel].name,
                                 skf ? "skf" : "sk", vid ? "-vid" : "");
                        write_seed(dir, name, sel, out, wbuf_len(&w));
                }
        }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        const char *dir = getenv("FUZZ_SK_WRITE_SEEDS");

        if (dir) {
                write_seeds(dir);
                exit(0);
        }
        return 0;
}
