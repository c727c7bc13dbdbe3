/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Outbound ESP (RFC 4303 3.3), tunnel mode: the inner packet is already in
 * place in the caller's buffer, after enough headroom for the ESP header and
 * IV; we write around it and encrypt in place. No copy, no allocation.
 */
#include <string.h>

#include "esp-cipher.h"
#include "esp.h"

/* Rekey "well before" the sequence number space runs out (RFC 4303 3.3.3:
 * the counter must not cycle; a new SA has to be in place first). At 1 Mpps a
 * 32-bit SA still has 17 minutes to go when it asks. */
#define SEQ32_REKEY UINT64_C(0xC0000000)
#define SEQ32_LAST  UINT64_C(0xFFFFFFFF)
#define SEQ64_REKEY (UINT64_C(1) << 63)
#define SEQ64_LAST  UINT64_MAX

static inline void put_be32(uint8_t *p, uint32_t v)
{
        p[0] = (uint8_t)(v >> 24);
        p[1] = (uint8_t)(v >> 16);
        p[2] = (uint8_t)(v >> 8);
        p[3] = (uint8_t)v;
}

enum esp_drop esp_encap(struct esp_sa *sa, uint8_t *buf, size_t cap, size_t inner_len,
                        size_t *ret_len)
{
        size_t head = esp_sa_headroom(sa), body, pad, payload_len, total;
        uint64_t seq, last = sa->esn ? SEQ64_LAST : SEQ32_LAST;
        uint8_t *inner = buf + head, nh, *p;

        if (sa->events_raised & ESP_EVENT_HARD_LIFETIME)
                return ESP_DROP_SA_EXPIRED;
        if (sa->seq >= last) {
                esp_sa_raise(sa, ESP_EVENT_HARD_LIFETIME);
                return ESP_DROP_SA_EXPIRED;
        }
        if (cap < head || inner_len > cap - head || inner_len < 1)
                return inner_len < 1 ? ESP_DROP_TX_BAD_INNER : ESP_DROP_TOO_BIG;
        switch (inner[0] >> 4) {
        case 4:
                nh = ESP_NEXT_IPV4;
                break;
        case 6:
                nh = ESP_NEXT_IPV6;
                break;
        default:
                return ESP_DROP_TX_BAD_INNER;
        }
        /* RFC 4303 2.4: pad so that the ciphertext is a multiple of the
         * cipher's block size (4 for the AEADs, 2.4 "4-byte boundary"). */
        body = inner_len + ESP_TRAILER_LEN;
        pad = (sa->align - body % sa->align) % sa->align;
        payload_len = body + pad;
        if (payload_len > cap - head || sa->icv_len > cap - head - payload_len)
                return ESP_DROP_TOO_BIG;
        total = head + payload_len + sa->icv_len;

        p = inner + inner_len;
        for (size_t i = 0; i < pad; i++)
                p[i] = (uint8_t)(i + 1); /* RFC 4303 2.4: 1, 2, 3, ... */
        p[pad] = (uint8_t)pad;
        p[pad + 1] = nh;

        seq = sa->seq + 1;
        put_be32(buf, sa->spi);
        put_be32(buf + 4, (uint32_t)seq);
        if (esp_cipher_make_iv(sa->cipher, seq, buf + ESP_HDR_LEN) < 0 ||
            esp_cipher_seal(sa->cipher, buf, payload_len, sa->esn, (uint32_t)(seq >> 32)) < 0)
                return ESP_DROP_IO;
        sa->seq = seq;
        if (seq >= (sa->esn ? SEQ64_REKEY : SEQ32_REKEY))
                esp_sa_raise(sa, ESP_EVENT_SEQ_REKEY);
        esp_sa_account(sa, inner_len);
        *ret_len = total;
        return ESP_DROP_NONE;
}
