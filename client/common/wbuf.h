/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * wbuf: the one bounded writer every serializer uses.
 *
 * It writes into a caller-provided buffer of fixed capacity. The first write
 * that would not fit sets a sticky error (-ENOBUFS) and every later write is
 * ignored, so a serializer can write a whole message and check wbuf_error()
 * once at the end. Length fields whose value is known only later are reserved
 * with wbuf_reserve() and filled in with wbuf_set_be16()/wbuf_set_be32().
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "bytes.h"

struct wbuf {
        uint8_t *p;
        size_t cap;
        size_t len;
        int err;
};

static inline void wbuf_init(struct wbuf *w, void *p, size_t cap)
{
        *w = (struct wbuf){ .p = p, .cap = p ? cap : 0, .len = 0, .err = 0 };
}

static inline int wbuf_error(const struct wbuf *w)
{
        return w->err;
}

static inline size_t wbuf_len(const struct wbuf *w)
{
        return w->len;
}

static inline struct slice wbuf_slice(const struct wbuf *w)
{
        return SLICE(w->p, w->len);
}

int wbuf_u8(struct wbuf *w, uint8_t v);
int wbuf_be16(struct wbuf *w, uint16_t v);
int wbuf_be24(struct wbuf *w, uint32_t v);
int wbuf_be32(struct wbuf *w, uint32_t v);
int wbuf_be64(struct wbuf *w, uint64_t v);
int wbuf_bytes(struct wbuf *w, const void *src, size_t n);
int wbuf_slice_put(struct wbuf *w, struct slice s);
int wbuf_zero(struct wbuf *w, size_t n);
/* Reserves n bytes (zeroed) and returns their offset for a later wbuf_set_*. */
int wbuf_reserve(struct wbuf *w, size_t n, size_t *ret_off);
/* Hands out n writable bytes at the end (e.g. for a cipher to write into). */
int wbuf_claim(struct wbuf *w, size_t n, uint8_t **ret);
/* Overwrite earlier bytes; out-of-range offsets set the sticky error. */
void wbuf_set_u8(struct wbuf *w, size_t off, uint8_t v);
void wbuf_set_be16(struct wbuf *w, size_t off, uint16_t v);
void wbuf_set_be32(struct wbuf *w, size_t off, uint32_t v);
