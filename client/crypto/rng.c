/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rng.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

static int rng_openssl_fill(void *ctx, uint8_t *buf, size_t n)
{
        /* RAND_bytes takes an int; draw big requests in slices. */
        while (n > 0) {
                int chunk = n > INT_MAX ? INT_MAX : (int)n;

                if (RAND_bytes(buf, chunk) != 1)
                        return -EIO;
                buf += chunk;
                n -= (size_t)chunk;
        }
        return 0;
}

const struct tsu_rng tsu_rng_openssl = {.fill = rng_openssl_fill, .ctx = NULL};

static int rng_fixed_fill(void *ctx, uint8_t *buf, size_t n)
{
        struct tsu_rng_fixed *f = ctx;

        if (n > f->len - f->off)
                return -ENODATA;
        memcpy(buf, f->p + f->off, n);
        f->off += n;
        return 0;
}

struct tsu_rng tsu_rng_fixed_init(struct tsu_rng_fixed *state, const void *p, size_t len)
{
        *state = (struct tsu_rng_fixed){.p = p, .len = p ? len : 0, .off = 0};
        return (struct tsu_rng){.fill = rng_fixed_fill, .ctx = state};
}

static int rng_stream_refill(struct tsu_rng_stream *s)
{
        uint8_t ctr[8];
        EVP_MD_CTX *md;
        int ok;

        for (size_t i = 0; i < 8; i++)
                ctr[i] = (uint8_t)(s->counter >> (56 - 8 * i));
        md = EVP_MD_CTX_new();
        if (!md)
                return -ENOMEM;
        ok = EVP_DigestInit_ex(md, EVP_shake256(), NULL) == 1 &&
             EVP_DigestUpdate(md, s->seed, sizeof(s->seed)) == 1 &&
             EVP_DigestUpdate(md, ctr, sizeof(ctr)) == 1 &&
             EVP_DigestFinalXOF(md, s->block, sizeof(s->block)) == 1;
        EVP_MD_CTX_free(md);
        if (!ok)
                return -EIO;
        s->counter++;
        s->used = 0;
        return 0;
}

static int rng_stream_fill(void *ctx, uint8_t *buf, size_t n)
{
        struct tsu_rng_stream *s = ctx;

        if (s->err < 0)
                return s->err;
        while (n > 0) {
                size_t take;

                if (s->used == sizeof(s->block)) {
                        int r = rng_stream_refill(s);

                        if (r < 0)
                                return r;
                }
                take = sizeof(s->block) - s->used;
                if (take > n)
                        take = n;
                memcpy(buf, s->block + s->used, take);
                s->used += take;
                buf += take;
                n -= take;
        }
        return 0;
}

struct tsu_rng tsu_rng_stream_init(struct tsu_rng_stream *state, const void *seed, size_t seed_len)
{
        *state = (struct tsu_rng_stream){.counter = 0, .used = sizeof(state->block)};
        /* The seed is condensed to 32 bytes with SHAKE-256 whatever its length;
         * a failure here makes every later fill fail rather than go weak. */
        state->err =
                EVP_Digest(seed, seed_len, state->seed, NULL, EVP_shake256(), NULL) == 1 ? 0 : -EIO;
        return (struct tsu_rng){.fill = rng_stream_fill, .ctx = state};
}
