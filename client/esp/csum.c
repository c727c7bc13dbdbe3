/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "csum.h"

#include <arpa/inet.h>
#include <string.h>

uint64_t csum_add(uint64_t sum, const void *p, size_t len)
{
        const uint8_t *b = p;
        uint64_t s0 = 0, s1 = 0;
        uint32_t w;

        /* Two independent accumulators of 32-bit words: 2^32 words would be
         * needed to overflow either. */
        while (len >= 8) {
                uint32_t a, c;

                memcpy(&a, b, 4);
                memcpy(&c, b + 4, 4);
                s0 += a;
                s1 += c;
                b += 8;
                len -= 8;
        }
        if (len >= 4) {
                memcpy(&w, b, 4);
                s0 += w;
                b += 4;
                len -= 4;
        }
        if (len >= 2) {
                uint16_t h;

                memcpy(&h, b, 2);
                s1 += h;
                b += 2;
                len -= 2;
        }
        if (len) {
                /* The odd byte is the high-order byte of a 16-bit word in
                 * network order, padded with zero. */
                uint8_t last[2] = {b[0], 0};
                uint16_t h;

                memcpy(&h, last, 2);
                s1 += h;
        }
        /* Fold both accumulators into sum without losing carries. */
        s0 = (s0 & 0xffffffffu) + (s0 >> 32);
        s1 = (s1 & 0xffffffffu) + (s1 >> 32);
        sum += s0;
        if (sum < s0)
                sum++;
        sum += s1;
        if (sum < s1)
                sum++;
        return sum;
}

uint16_t csum_fold(uint64_t sum)
{
        sum = (sum & 0xffffffffu) + (sum >> 32);
        sum = (sum & 0xffffffffu) + (sum >> 32);
        sum = (sum & 0xffffu) + (sum >> 16);
        sum = (sum & 0xffffu) + (sum >> 16);
        sum = (sum & 0xffffu) + (sum >> 16);
        return (uint16_t)sum;
}

uint64_t csum_pseudo(int family, const uint8_t *src, const uint8_t *dst, uint8_t proto,
                     uint32_t len)
{
        size_t alen = family == 4 ? 4 : 16;
        uint64_t sum = 0;

        sum = csum_add(sum, src, alen);
        sum = csum_add(sum, dst, alen);
        if (family == 4) {
                sum += htons(proto);
                sum += htons((uint16_t)len);
        } else {
                /* RFC 8200 8.1: 32-bit length, 24 zero bits, next header. */
                sum += htons((uint16_t)(len >> 16));
                sum += htons((uint16_t)len);
                sum += htons(proto);
        }
        return sum;
}
