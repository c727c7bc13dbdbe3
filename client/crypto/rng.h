/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Randomness as an input.
 *
 * The protocol core never draws random bytes by itself: whoever drives it
 * hands in a struct tsu_rng. The engine passes tsu_rng_openssl (the OpenSSL
 * DRBG, seeded from getrandom); tests and known-answer runs pass one of the
 * deterministic generators below so that IVs, nonces and DH private values
 * can be pinned.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct tsu_rng {
        /* Fills buf with n bytes. Returns 0, or a negative errno (the buffer
         * is then unspecified and must not be used). */
        int (*fill)(void *ctx, uint8_t *buf, size_t n);
        void *ctx;
};

static inline int tsu_rng_fill(const struct tsu_rng *rng, void *buf, size_t n)
{
        if (n == 0)
                return 0;
        return rng->fill(rng->ctx, buf, n);
}

/* RAND_bytes: the generator of the running engine. */
extern const struct tsu_rng tsu_rng_openssl;

/*
 * Replays a fixed byte string in order, then fails with -ENODATA: for
 * known-answer tests that pin exactly which bytes are drawn (an IV, a
 * private value). The string is borrowed and must outlive the generator.
 */
struct tsu_rng_fixed {
        const uint8_t *p;
        size_t len;
        size_t off;
};

struct tsu_rng tsu_rng_fixed_init(struct tsu_rng_fixed *state, const void *p, size_t len);

/*
 * An endless deterministic stream: block i is SHAKE-256(S || be64(i)) where
 * S = SHAKE-256(seed) truncated to 32 bytes.
 * Reproducible (same seed, same bytes) but unpredictable-looking, for
 * tests and fuzzers that need many values (DH private keys, IVs) without
 * caring which.
 */
struct tsu_rng_stream {
        uint8_t seed[32];
        uint64_t counter;
        uint8_t block[64];
        size_t used; /* bytes of block already handed out */
        int err;
};

struct tsu_rng tsu_rng_stream_init(struct tsu_rng_stream *state, const void *seed, size_t seed_len);
