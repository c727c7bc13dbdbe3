/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small region allocator for the IKE codec.
 *
 * A parsed or built payload chain owns one arena: every array the chain
 * points to (payloads, proposals, transforms, selectors, attributes) and every
 * byte a builder copied in lives in it, and so do buffers handed over with
 * ike_arena_adopt() (a decrypted SK plaintext the chain borrows from). Freeing
 * the arena wipes and frees all of it at once, so a chain has exactly one
 * owner and one free function however deep it is.
 *
 * An arena is a plain value: moving it (struct copy, then zeroing the source)
 * moves the ownership. Allocations never move once made.
 */
#pragma once

#include <stddef.h>

#include "client/common/bytes.h"

struct ike_arena_block;
struct ike_arena_owned;

struct ike_arena {
        struct ike_arena_block *blocks;
        struct ike_arena_owned *owned;
        size_t total; /* bytes allocated in blocks, for the limit below */
};

/* Everything one arena may hold. A 64 KiB message expands to well under 2 MiB
 * of structures (each wire object of n bytes becomes at most ~24n bytes), so
 * this is a backstop against a logic error, not a policy a peer can reach. */
#define IKE_ARENA_MAX (16u * 1024 * 1024)

/* Returns n zeroed bytes aligned for any type, or NULL (out of memory, or the
 * arena would grow past IKE_ARENA_MAX). n == 0 returns a valid unique pointer. */
void *ike_arena_alloc(struct ike_arena *a, size_t n);
/* n * size with an overflow check. */
void *ike_arena_alloc_array(struct ike_arena *a, size_t n, size_t size);
/* Copies src into the arena; a zero-length src gives a slice with ptr NULL.
 * Returns 0 or -ENOMEM. */
int ike_arena_dup(struct ike_arena *a, struct slice src, struct slice *ret);
/* Takes ownership of *b (which is zeroed): it is wiped and freed with the
 * arena. Returns 0 or -ENOMEM (then *b is untouched and still the caller's). */
int ike_arena_adopt(struct ike_arena *a, struct bytes *b);
/* Wipes and frees everything; the arena is empty and reusable afterwards.
 * NULL-safe. */
void ike_arena_free(struct ike_arena *a);
