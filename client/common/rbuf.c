/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rbuf.h"

#include <errno.h>
#include <string.h>

static int rbuf_take(struct rbuf *r, size_t n, const uint8_t **ret)
{
        if (n > rbuf_left(r))
                return -EBADMSG;
        *ret = r->p + r->off;
        r->off += n;
        return 0;
}

int rbuf_u8(struct rbuf *r, uint8_t *ret)
{
        const uint8_t *q;

        if (rbuf_take(r, 1, &q) < 0)
                return -EBADMSG;
        *ret = q[0];
        return 0;
}

int rbuf_peek_u8(const struct rbuf *r, uint8_t *ret)
{
        if (rbuf_left(r) < 1)
                return -EBADMSG;
        *ret = r->p[r->off];
        return 0;
}

int rbuf_be16(struct rbuf *r, uint16_t *ret)
{
        const uint8_t *q;

        if (rbuf_take(r, 2, &q) < 0)
                return -EBADMSG;
        *ret = (uint16_t)((uint16_t)q[0] << 8 | q[1]);
        return 0;
}

int rbuf_be24(struct rbuf *r, uint32_t *ret)
{
        const uint8_t *q;

        if (rbuf_take(r, 3, &q) < 0)
                return -EBADMSG;
        *ret = (uint32_t)q[0] << 16 | (uint32_t)q[1] << 8 | q[2];
        return 0;
}

int rbuf_be32(struct rbuf *r, uint32_t *ret)
{
        const uint8_t *q;

        if (rbuf_take(r, 4, &q) < 0)
                return -EBADMSG;
        *ret = (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3];
        return 0;
}

int rbuf_be64(struct rbuf *r, uint64_t *ret)
{
        uint32_t hi, lo;
        size_t saved = r->off;

        if (rbuf_be32(r, &hi) < 0 || rbuf_be32(r, &lo) < 0) {
                r->off = saved;
                return -EBADMSG;
        }
        *ret = (uint64_t)hi << 32 | lo;
        return 0;
}

int rbuf_slice(struct rbuf *r, size_t n, struct slice *ret)
{
        const uint8_t *q;

        if (rbuf_take(r, n, &q) < 0)
                return -EBADMSG;
        *ret = SLICE(q, n);
        return 0;
}

struct slice rbuf_rest(struct rbuf *r)
{
        struct slice s = SLICE(r->p + r->off, rbuf_left(r));

        r->off = r->len;
        return s;
}

int rbuf_copy(struct rbuf *r, void *dst, size_t n)
{
        const uint8_t *q;

        if (rbuf_take(r, n, &q) < 0)
                return -EBADMSG;
        if (n > 0)
                memcpy(dst, q, n);
        return 0;
}

int rbuf_skip(struct rbuf *r, size_t n)
{
        const uint8_t *q;

        return rbuf_take(r, n, &q);
}

int rbuf_sub(struct rbuf *r, size_t n, struct rbuf *ret)
{
        size_t start = rbuf_pos(r);
        const uint8_t *q;

        if (rbuf_take(r, n, &q) < 0)
                return -EBADMSG;
        *ret = (struct rbuf){ .p = q, .len = n, .off = 0, .base = start };
        return 0;
}
