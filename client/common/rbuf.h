/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rbuf: the one bounded reader every untrusted byte goes through.
 *
 * A reader covers [p, p + len) and remembers where it sits inside the
 * outermost buffer (base), so a parser can report the absolute offset of
 * whatever it rejected. Reads never go past len: a short read returns
 * -EBADMSG and leaves the reader where it was. Bounds are checked as
 * "n > len - off" (never by adding to a pointer), which cannot overflow.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bytes.h"

struct rbuf {
        const uint8_t *p;
        size_t len;
        size_t off;
        size_t base; /* absolute offset of p[0] in the outermost buffer */
};

static inline void rbuf_init(struct rbuf *r, const void *p, size_t len)
{
        *r = (struct rbuf){ .p = p, .len = p ? len : 0, .off = 0, .base = 0 };
}

static inline size_t rbuf_left(const struct rbuf *r)
{
        return r->len - r->off;
}

static inline bool rbuf_empty(const struct rbuf *r)
{
        return r->off == r->len;
}

/* Absolute offset of the next byte to be read. */
static inline size_t rbuf_pos(const struct rbuf *r)
{
        return r->base + r->off;
}

int rbuf_u8(struct rbuf *r, uint8_t *ret);
int rbuf_be16(struct rbuf *r, uint16_t *ret);
int rbuf_be24(struct rbuf *r, uint32_t *ret);
int rbuf_be32(struct rbuf *r, uint32_t *ret);
int rbuf_be64(struct rbuf *r, uint64_t *ret);
int rbuf_peek_u8(const struct rbuf *r, uint8_t *ret);
/* Borrows the next n bytes (valid as long as the underlying buffer). */
int rbuf_slice(struct rbuf *r, size_t n, struct slice *ret);
/* Borrows everything that is left. Never fails. */
struct slice rbuf_rest(struct rbuf *r);
/* Copies the next n bytes out (validate-then-parse: no casts into packets). */
int rbuf_copy(struct rbuf *r, void *dst, size_t n);
int rbuf_skip(struct rbuf *r, size_t n);
/* Consumes n bytes and returns a reader over exactly them. */
int rbuf_sub(struct rbuf *r, size_t n, struct rbuf *ret);
