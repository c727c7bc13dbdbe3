/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers shared by the ESP unit tests: test packets with correct checksums
 * (computed here with a plain RFC 1071 loop, independent of client/esp/csum.c),
 * hex parsing and SA parameters. */
#pragma once

#include <glib.h>
#include <stdint.h>
#include <string.h>

#include "client/esp/esp.h"
#include "client/ike/ikev2.h"

static inline uint16_t ref_csum(const uint8_t *p, size_t len, uint32_t sum)
{
        for (size_t i = 0; i + 1 < len; i += 2)
                sum += (uint32_t)(p[i] << 8 | p[i + 1]);
        if (len & 1)
                sum += (uint32_t)p[len - 1] << 8;
        while (sum >> 16)
                sum = (sum & 0xffff) + (sum >> 16);
        return (uint16_t)~sum;
}

/* Sum of the pseudo-header, host order, for ref_csum's initial value. */
static inline uint32_t ref_pseudo(int family, const uint8_t *ip, uint8_t proto, size_t l4len)
{
        const uint8_t *src = ip + (family == 4 ? 12 : 8);
        size_t alen = family == 4 ? 4 : 16;
        uint32_t sum = 0;

        for (size_t i = 0; i < 2 * alen; i += 2)
                sum += (uint32_t)(src[i] << 8 | src[i + 1]);
        sum += proto;
        sum += (uint32_t)(l4len >> 16) + (uint32_t)(l4len & 0xffff);
        return sum;
}

static inline void put_be16(uint8_t *p, uint16_t v)
{
        p[0] = (uint8_t)(v >> 8);
        p[1] = (uint8_t)v;
}

static inline uint16_t get_be16(const uint8_t *p)
{
        return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t get_be32_(const uint8_t *p)
{
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void put_be32_(uint8_t *p, uint32_t v)
{
        p[0] = (uint8_t)(v >> 24);
        p[1] = (uint8_t)(v >> 16);
        p[2] = (uint8_t)(v >> 8);
        p[3] = (uint8_t)v;
}

static const uint8_t test_gw4[4] = {192, 0, 2, 1};
static const uint8_t test_vip4[4] = {198, 51, 100, 7};
static const uint8_t test_gw6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
static const uint8_t test_vip6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0x99,
                                      0,    0,    0,    0,    0, 0, 0, 7};

/* Writes an IPv4 or IPv6 packet src -> dst carrying UDP (proto 17) with
 * payload_len bytes, or TCP (proto 6, 20-byte header) when tcp. Returns its length. */
static inline size_t make_packet(uint8_t *p, int family, const uint8_t *src, const uint8_t *dst,
                                 bool tcp, size_t payload_len, uint8_t fill)
{
        size_t ip_hlen = family == 4 ? 20 : 40, l4h = tcp ? 20 : 8;
        size_t l4len = l4h + payload_len, total = ip_hlen + l4len;
        uint8_t *l4 = p + ip_hlen;

        memset(p, 0, ip_hlen + l4h);
        if (family == 4) {
                p[0] = 0x45;
                put_be16(p + 2, (uint16_t)total);
                put_be16(p + 4, 0x1000);
                p[6] = 0x40; /* DF */
                p[8] = 64;
                p[9] = tcp ? 6 : 17;
                memcpy(p + 12, src, 4);
                memcpy(p + 16, dst, 4);
                put_be16(p + 10, ref_csum(p, 20, 0));
        } else {
                p[0] = 0x60;
                put_be16(p + 4, (uint16_t)l4len);
                p[6] = tcp ? 6 : 17;
                p[7] = 64;
                memcpy(p + 8, src, 16);
                memcpy(p + 24, dst, 16);
        }
        put_be16(l4, 40000);
        put_be16(l4 + 2, 5001);
        for (size_t i = 0; i < payload_len; i++)
                l4[l4h + i] = (uint8_t)(fill + i);
        if (tcp) {
                put_be32_(l4 + 4, 1000);
                put_be32_(l4 + 8, 77);
                l4[12] = 0x50;
                l4[13] = 0x10; /* ACK */
                put_be16(l4 + 14, 512);
                put_be16(l4 + 16, ref_csum(l4, l4len, ref_pseudo(family, p, 6, l4len)));
        } else {
                put_be16(l4 + 4, (uint16_t)l4len);
                put_be16(l4 + 6, ref_csum(l4, l4len, ref_pseudo(family, p, 17, l4len)));
        }
        return total;
}

/* True when the packet's IPv4 header checksum (if any) and TCP/UDP checksum verify. */
static inline bool packet_checksums_ok(const uint8_t *p, size_t len)
{
        int family = p[0] >> 4;
        size_t ip_hlen = family == 4 ? (size_t)(p[0] & 0xf) * 4 : 40;
        uint8_t proto = family == 4 ? p[9] : p[6];

        if (len < ip_hlen)
                return false;
        if (family == 4 && ref_csum(p, ip_hlen, 0) != 0)
                return false;
        return ref_csum(p + ip_hlen, len - ip_hlen, ref_pseudo(family, p, proto, len - ip_hlen)) ==
               0;
}

static inline GBytes *hex_bytes(const char *hex)
{
        size_t n = strlen(hex);
        uint8_t *b = g_malloc(n / 2 + 1);

        g_assert_cmpuint(n % 2, ==, 0);
        for (size_t i = 0; i < n / 2; i++) {
                int hi = g_ascii_xdigit_value(hex[2 * i]),
                    lo = g_ascii_xdigit_value(hex[2 * i + 1]);

                g_assert_true(hi >= 0 && lo >= 0);
                b[i] = (uint8_t)(hi << 4 | lo);
        }
        return g_bytes_new_take(b, n / 2);
}

struct test_alg {
        const char *name;
        uint16_t encr, bits, integ;
        size_t key_len, integ_key_len;
};

static const struct test_alg test_algs[] = {
        {"aes128gcm", IKEV2_ENCR_AES_GCM_16, 128, IKEV2_INTEG_NONE, 20, 0},
        {"aes256gcm", IKEV2_ENCR_AES_GCM_16, 256, IKEV2_INTEG_NONE, 36, 0},
        {"chacha20poly1305", IKEV2_ENCR_CHACHA20_POLY1305, 256, IKEV2_INTEG_NONE, 36, 0},
        {"aes128cbc-sha256", IKEV2_ENCR_AES_CBC, 128, IKEV2_INTEG_HMAC_SHA2_256_128, 16, 32},
        {"aes256cbc-sha512", IKEV2_ENCR_AES_CBC, 256, IKEV2_INTEG_HMAC_SHA2_512_256, 32, 64},
};

static uint8_t test_ekey[36] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12,
                                13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
                                25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36};
static uint8_t test_ikey[64] = {0xa5, 0x5a, 0x11, 0x22};

/* Params for an SA pair member: same keys both ways, so an outbound SA's
 * packets decapsulate with the inbound SA of the same params. */
static inline struct esp_sa_params test_params(const struct test_alg *a, enum esp_dir dir, bool esn)
{
        struct esp_sa_params p = {
                .spi = 0x1000abcd,
                .dir = dir,
                .encr = a->encr,
                .encr_bits = a->bits,
                .integ = a->integ,
                .esn = esn,
                .encr_key = {test_ekey, a->key_len},
                .integ_key = {test_ikey, a->integ_key_len},
                .iv_seed = {9, 8, 7, 6, 5, 4, 3, 2},
        };
        struct esp_ts *ts;

        p.policy.have_vip4 = p.policy.have_vip6 = true;
        memcpy(p.policy.vip4, test_vip4, 4);
        memcpy(p.policy.vip6, test_vip6, 16);
        /* TSr: 192.0.2.0/24 and 2001:db8::/64 */
        ts = &p.policy.ts[p.policy.n_ts++];
        *ts = (struct esp_ts){
                .family = 4, .port_hi = 0xffff, .start = {192, 0, 2, 0}, .end = {192, 0, 2, 255}};
        ts = &p.policy.ts[p.policy.n_ts++];
        *ts = (struct esp_ts){.family = 6, .port_hi = 0xffff};
        memcpy(ts->start, test_gw6, 16);
        memcpy(ts->end, test_gw6, 16);
        memset(ts->start + 8, 0, 8);
        memset(ts->end + 8, 0xff, 8);
        return p;
}
