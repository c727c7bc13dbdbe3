/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "wbuf.h"

#include <errno.h>
#include <string.h>

int wbuf_claim(struct wbuf *w, size_t n, uint8_t **ret)
{
        if (w->err)
                return w->err;
        if (n > w->cap - w->len) {
                w->err = -ENOBUFS;
                return w->err;
        }
        *ret = w->p + w->len;
        w->len += n;
        return 0;
}

int wbuf_u8(struct wbuf *w, uint8_t v)
{
        uint8_t *q;
        int r = wbuf_claim(w, 1, &q);

        if (r != 0)
                return r;
        q[0] = v;
        return 0;
}

int wbuf_be16(struct wbuf *w, uint16_t v)
{
        uint8_t *q;
        int r = wbuf_claim(w, 2, &q);

        if (r != 0)
                return r;
        q[0] = (uint8_t)(v >> 8);
        q[1] = (uint8_t)v;
        return 0;
}

int wbuf_be24(struct wbuf *w, uint32_t v)
{
        uint8_t *q;
        int r;

        if (v > 0xffffff) {
                w->err = w->err ? w->err : -ERANGE;
                return w->err;
        }
        r = wbuf_claim(w, 3, &q);
        if (r != 0)
                return r;
        q[0] = (uint8_t)(v >> 16);
        q[1] = (uint8_t)(v >> 8);
        q[2] = (uint8_t)v;
        return 0;
}

int wbuf_be32(struct wbuf *w, uint32_t v)
{
        uint8_t *q;
        int r = wbuf_claim(w, 4, &q);

        if (r != 0)
                return r;
        q[0] = (uint8_t)(v >> 24);
        q[1] = (uint8_t)(v >> 16);
        q[2] = (uint8_t)(v >> 8);
        q[3] = (uint8_t)v;
        return 0;
}

int wbuf_be64(struct wbuf *w, uint64_t v)
{
        int r = wbuf_be32(w, (uint32_t)(v >> 32));

        if (r != 0)
                return r;
        return wbuf_be32(w, (uint32_t)v);
}

int wbuf_bytes(struct wbuf *w, const void *src, size_t n)
{
        uint8_t *q;
        int r = wbuf_claim(w, n, &q);

        if (r != 0)
                return r;
        if (n > 0)
                memcpy(q, src, n);
        return 0;
}

int wbuf_slice_put(struct wbuf *w, struct slice s)
{
        return wbuf_bytes(w, s.ptr, s.len);
}

int wbuf_zero(struct wbuf *w, size_t n)
{
        uint8_t *q;
        int r = wbuf_claim(w, n, &q);

        if (r != 0)
                return r;
        if (n > 0)
                memset(q, 0, n);
        return 0;
}

int wbuf_reserve(struct wbuf *w, size_t n, size_t *ret_off)
{
        size_t off = w->len;
        int r = wbuf_zero(w, n);

        if (r != 0)
                return r;
        *ret_off = off;
        return 0;
}

static uint8_t *wbuf_at(struct wbuf *w, size_t off, size_t n)
{
        if (w->err)
                return NULL;
        if (off > w->len || n > w->len - off) {
                w->err = -ERANGE;
                return NULL;
        }
        return w->p + off;
}

void wbuf_set_u8(struct wbuf *w, size_t off, uint8_t v)
{
        uint8_t *q = wbuf_at(w, off, 1);

        if (q)
                q[0] = v;
}

void wbuf_set_be16(struct wbuf *w, size_t off, uint16_t v)
{
        uint8_t *q = wbuf_at(w, off, 2);

        if (q) {
                q[0] = (uint8_t)(v >> 8);
                q[1] = (uint8_t)v;
        }
}

void wbuf_set_be32(struct wbuf *w, size_t off, uint32_t v)
{
        uint8_t *q = wbuf_at(w, off, 4);

        if (q) {
                q[0] = (uint8_t)(v >> 24);
                q[1] = (uint8_t)(v >> 16);
                q[2] = (uint8_t)(v >> 8);
                q[3] = (uint8_t)v;
        }
}
