/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "arena.h"

#include <errno.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct ike_arena_block {
        struct ike_arena_block *next;
        size_t size; /* usable bytes in data[] */
        size_t used;
        alignas(max_align_t) unsigned char data[];
};

struct ike_arena_owned {
        struct ike_arena_owned *next;
        struct bytes b;
};

#define ARENA_BLOCK_SIZE 4096u
#define ARENA_ALIGN      alignof(max_align_t)

static size_t align_up(size_t n)
{
        return (n + (ARENA_ALIGN - 1)) & ~(size_t)(ARENA_ALIGN - 1);
}

void *ike_arena_alloc(struct ike_arena *a, size_t n)
{
        struct ike_arena_block *b = a->blocks;
        size_t need, size;

        if (n > IKE_ARENA_MAX)
                return NULL;
        need = align_up(n > 0 ? n : 1);
        if (b && need <= b->size - b->used) {
                void *p = b->data + b->used;

                b->used += need;
                return p;
        }
        size = need > ARENA_BLOCK_SIZE ? need : ARENA_BLOCK_SIZE;
        if (size > IKE_ARENA_MAX - a->total)
                return NULL;
        b = calloc(1, sizeof(*b) + size);
        if (!b)
                return NULL;
        b->size = size;
        b->used = need;
        a->total += size;
        /* A large allocation gets its own block behind the current one, so the
         * current block's free tail stays in use for small allocations. */
        if (size > ARENA_BLOCK_SIZE && a->blocks) {
                b->next = a->blocks->next;
                a->blocks->next = b;
        } else {
                b->next = a->blocks;
                a->blocks = b;
        }
        return b->data;
}

void *ike_arena_alloc_array(struct ike_arena *a, size_t n, size_t size)
{
        if (size != 0 && n > SIZE_MAX / size)
                return NULL;
        return ike_arena_alloc(a, n * size);
}

int ike_arena_dup(struct ike_arena *a, struct slice src, struct slice *ret)
{
        uint8_t *p;

        if (src.len == 0) {
                *ret = (struct slice){ 0 };
                return 0;
        }
        p = ike_arena_alloc(a, src.len);
        if (!p)
                return -ENOMEM;
        memcpy(p, src.ptr, src.len);
        *ret = SLICE(p, src.len);
        return 0;
}

int ike_arena_adopt(struct ike_arena *a, struct bytes *b)
{
        struct ike_arena_owned *o = calloc(1, sizeof(*o));

        if (!o)
                return -ENOMEM;
        o->b = *b;
        o->next = a->owned;
        a->owned = o;
        *b = (struct bytes){ 0 };
        return 0;
}

void ike_arena_free(struct ike_arena *a)
{
        if (!a)
                return;
        for (struct ike_arena_block *b = a->blocks, *next; b; b = next) {
                next = b->next;
                /* Chains carry EAP and AUTH data, decrypted payloads: wipe all. */
                secure_free(b, sizeof(*b) + b->size);
        }
        for (struct ike_arena_owned *o = a->owned, *next; o; o = next) {
                next = o->next;
                bytes_free_secret(&o->b);
                free(o);
        }
        *a = (struct ike_arena){ 0 };
}
