/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Byte strings with explicit ownership.
 *
 *   struct slice  borrowed: points into memory someone else owns (often the
 *                 datagram being parsed); never freed through the slice.
 *   struct bytes  owned: heap memory freed with bytes_free(), or with
 *                 bytes_free_secret() when it held key material.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct slice {
        const uint8_t *ptr;
        size_t len;
};

struct bytes {
        uint8_t *ptr;
        size_t len;
};

#define SLICE(p, n) ((struct slice){ .ptr = (const uint8_t *)(p), .len = (n) })
#define SLICE_OF(b) ((struct slice){ .ptr = (b).ptr, .len = (b).len })

/* Copies src into a fresh allocation (a zero-length src gives ptr == NULL).
 * Returns 0 or -ENOMEM; *ret is written only on success. */
int bytes_dup(struct bytes *ret, struct slice src);
/* Allocates n zeroed bytes. */
int bytes_alloc(struct bytes *ret, size_t n);
/* Concatenates up to n slices into one owned buffer. */
int bytes_concat(struct bytes *ret, const struct slice *parts, size_t n);
void bytes_free(struct bytes *b);
/* Wipes (OPENSSL_cleanse) then frees: for keys, shared secrets, passwords. */
void bytes_free_secret(struct bytes *b);
bool slice_eq(struct slice a, struct slice b);
/* Constant-time comparison for MACs and authenticators (CRYPTO_memcmp). */
bool slice_eq_consttime(struct slice a, struct slice b);

/* Wipes len bytes at p in a way the compiler cannot optimise away. */
void secure_wipe(void *p, size_t len);
/* Wipes and frees; NULL-safe. */
void secure_free(void *p, size_t len);
