/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "bytes.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

int bytes_alloc(struct bytes *ret, size_t n)
{
        uint8_t *p = NULL;

        if (n > 0) {
                p = calloc(1, n);
                if (!p)
                        return -ENOMEM;
        }
        *ret = (struct bytes){ .ptr = p, .len = n };
        return 0;
}

int bytes_dup(struct bytes *ret, struct slice src)
{
        struct bytes b;
        int r;

        r = bytes_alloc(&b, src.len);
        if (r < 0)
                return r;
        if (src.len > 0)
                memcpy(b.ptr, src.ptr, src.len);
        *ret = b;
        return 0;
}

int bytes_concat(struct bytes *ret, const struct slice *parts, size_t n)
{
        struct bytes b;
        size_t total = 0, off = 0;
        int r;

        for (size_t i = 0; i < n; i++) {
                if (parts[i].len > SIZE_MAX - total)
                        return -EOVERFLOW;
                total += parts[i].len;
        }
        r = bytes_alloc(&b, total);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                if (parts[i].len > 0)
                        memcpy(b.ptr + off, parts[i].ptr, parts[i].len);
                off += parts[i].len;
        }
        *ret = b;
        return 0;
}

void bytes_free(struct bytes *b)
{
        if (!b)
                return;
        free(b->ptr);
        *b = (struct bytes){ 0 };
}

void bytes_free_secret(struct bytes *b)
{
        if (!b)
                return;
        secure_free(b->ptr, b->len);
        *b = (struct bytes){ 0 };
}

bool slice_eq(struct slice a, struct slice b)
{
        return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

bool slice_eq_consttime(struct slice a, struct slice b)
{
        /* The lengths are public (they come from the negotiated algorithm). */
        return a.len == b.len && (a.len == 0 || CRYPTO_memcmp(a.ptr, b.ptr, a.len) == 0);
}

void secure_wipe(void *p, size_t len)
{
        if (p && len > 0)
                OPENSSL_cleanse(p, len);
}

void secure_free(void *p, size_t len)
{
        if (!p)
                return;
        OPENSSL_cleanse(p, len);
        free(p);
}
