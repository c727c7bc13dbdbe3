/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Internet checksum (RFC 1071), fast enough to run over every byte we
 * segment: 32-bit words summed into a 64-bit accumulator (no carry handling
 * in the loop, the compiler vectorises it), folded at the end. Sums are in the
 * machine's byte order, which RFC 1071 2(B) shows is equivalent; store results
 * with memcpy, and add 16-bit header values as htons(value).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Adds len bytes at p to sum (unfolded). */
uint64_t csum_add(uint64_t sum, const void *p, size_t len);
/* Folds to 16 bits (not complemented). */
uint16_t csum_fold(uint64_t sum);
/* The value to store in a checksum field: ~fold. */
static inline uint16_t csum_finish(uint64_t sum)
{
        return (uint16_t)~csum_fold(sum);
}

/* Sum of the TCP/UDP pseudo-header (RFC 793 3.1, RFC 8200 8.1): addresses,
 * protocol, upper-layer length. family 4 or 6; addresses in network order. */
uint64_t csum_pseudo(int family, const uint8_t *src, const uint8_t *dst, uint8_t proto,
                     uint32_t len);
