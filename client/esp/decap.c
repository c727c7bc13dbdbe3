/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inbound ESP (RFC 4303 3.4), in the order that keeps forged packets cheap
 * and harmless: replay pre-check, ICV (constant time), only then the window
 * update, then padding and next header, then the inner packet against the
 * SA's policy. The SPI lookup is the caller's (the SA table).
 */
#include <errno.h>
#include <string.h>

#include "esp-cipher.h"
#include "esp.h"
#include "inner.h"

static inline uint32_t get_be32(const uint8_t *p)
{
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int esp_peek_spi(const uint8_t *pkt, size_t len, uint32_t *ret_spi)
{
        uint32_t spi;

        if (len == 1 && pkt[0] == 0xff)
                return -ENOMSG; /* RFC 3948 2.3 NAT keepalive */
        if (len < 4)
                return -EBADMSG;
        spi = get_be32(pkt);
        if (spi == 0)
                return -ENOMSG; /* RFC 3948 2.2 non-ESP marker: IKE */
        if (len < ESP_HDR_LEN)
                return -EBADMSG;
        *ret_spi = spi;
        return 0;
}

enum esp_drop esp_decap(struct esp_sa *sa, uint8_t *pkt, size_t len, size_t *ret_off,
                        size_t *ret_len)
{
        size_t fixed = ESP_HDR_LEN + sa->iv_len + sa->icv_len, payload_len, inner_off, inner_len;
        uint8_t padlen, nh, *payload;
        uint64_t seq;
        enum esp_drop d;
        int r;

        if (sa->events_raised & ESP_EVENT_HARD_LIFETIME)
                return ESP_DROP_SA_EXPIRED;
        if (len < fixed || len - fixed < ESP_TRAILER_LEN)
                return ESP_DROP_MALFORMED;
        payload_len = len - fixed;
        if (payload_len % sa->align != 0)
                return ESP_DROP_MALFORMED;
        if (get_be32(pkt) != sa->spi)
                return ESP_DROP_UNKNOWN_SPI;

        r = esp_replay_check(&sa->replay, get_be32(pkt + 4), &seq);
        if (r < 0)
                return ESP_DROP_REPLAY;
        r = esp_cipher_open(sa->cipher, pkt, payload_len, sa->esn, (uint32_t)(seq >> 32));
        if (r < 0)
                return ESP_DROP_BAD_ICV;
        if (esp_replay_update(&sa->replay, seq) < 0)
                return ESP_DROP_REPLAY;

        inner_off = ESP_HDR_LEN + sa->iv_len;
        payload = pkt + inner_off;
        padlen = payload[payload_len - 2];
        nh = payload[payload_len - 1];
        if ((size_t)padlen > payload_len - ESP_TRAILER_LEN)
                return ESP_DROP_BAD_PADDING;
        inner_len = payload_len - ESP_TRAILER_LEN - padlen;
        for (size_t i = 0; i < padlen; i++)
                if (payload[inner_len + i] != (uint8_t)(i + 1))
                        return ESP_DROP_BAD_PADDING;
        /* The SA authenticated these bytes, so they count against its
         * lifetime whatever they turn out to be. */
        esp_sa_account(sa, inner_len);
        if (nh == ESP_NEXT_DUMMY)
                return ESP_DROP_DUMMY;
        if (nh != ESP_NEXT_IPV4 && nh != ESP_NEXT_IPV6)
                return ESP_DROP_BAD_NEXT_HEADER;
        d = esp_inner_check(&sa->policy, nh, payload, inner_len, &inner_len);
        if (d != ESP_DROP_NONE)
                return d;
        *ret_off = inner_off;
        *ret_len = inner_len;
        return ESP_DROP_NONE;
}
