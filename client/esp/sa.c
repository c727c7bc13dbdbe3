/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ESP SA life: creation with its cipher context, lifetimes by bytes and
 * packets (RFC 4301 4.4.2.1), and the drop reasons' names.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "client/common/bytes.h"
#include "client/common/macro.h"
#include "esp-cipher.h"
#include "esp.h"

static const char *const drop_names[_ESP_DROP_MAX] = {
        [ESP_DROP_NONE] = "none",
        [ESP_DROP_MALFORMED] = "malformed",
        [ESP_DROP_UNKNOWN_SPI] = "unknown_spi",
        [ESP_DROP_REPLAY] = "replay",
        [ESP_DROP_BAD_ICV] = "bad_icv",
        [ESP_DROP_BAD_PADDING] = "bad_padding",
        [ESP_DROP_BAD_NEXT_HEADER] = "bad_next_header",
        [ESP_DROP_DUMMY] = "dummy",
        [ESP_DROP_BAD_INNER] = "bad_inner",
        [ESP_DROP_INNER_DST] = "inner_dst",
        [ESP_DROP_INNER_SRC] = "inner_src",
        [ESP_DROP_SA_EXPIRED] = "sa_expired",
        [ESP_DROP_NO_SA] = "no_sa",
        [ESP_DROP_TX_BAD_INNER] = "tx_bad_inner",
        [ESP_DROP_TOO_BIG] = "too_big",
        [ESP_DROP_GSO] = "gso",
        [ESP_DROP_IO] = "io",
};

const char *esp_drop_to_string(enum esp_drop d)
{
        if ((unsigned)d >= _ESP_DROP_MAX)
                return "unknown";
        return drop_names[d];
}

void esp_sa_free(struct esp_sa *sa)
{
        if (!sa)
                return;
        esp_cipher_free(sa->cipher);
        secure_free(sa, sizeof(*sa));
}
DEFINE_TRIVIAL_CLEANUP_FUNC(struct esp_sa *, esp_sa_free);

int esp_sa_new(const struct esp_sa_params *p, struct esp_sa **ret)
{
        _cleanup_(esp_sa_freep) struct esp_sa *sa = NULL;
        struct esp_cipher_sizes sz;
        int r;

        if (p->spi == 0)
                return -EINVAL; /* RFC 4303 2.1: SPI 0 is reserved */
        if (p->dir != ESP_DIR_IN && p->dir != ESP_DIR_OUT)
                return -EINVAL;
        if (p->policy.n_ts > ESP_MAX_TS)
                return -E2BIG;
        r = esp_cipher_sizes(p, &sz);
        if (r < 0)
                return r;
        sa = calloc(1, sizeof(*sa));
        if (!sa)
                return -ENOMEM;
        *sa = (struct esp_sa){
                .spi = p->spi,
                .dir = p->dir,
                .esn = p->esn,
                .iv_len = sz.iv_len,
                .icv_len = sz.icv_len,
                .align = sz.align,
                .seq = p->seq_start,
                .soft = p->soft,
                .hard = p->hard,
                .policy = p->policy,
        };
        esp_replay_init(&sa->replay, p->esn);
        r = esp_cipher_new(p, &sa->cipher);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(sa);
        return 0;
}

size_t esp_sa_overhead(const struct esp_sa *sa, size_t inner_len)
{
        size_t body = inner_len + ESP_TRAILER_LEN;
        size_t pad = (sa->align - body % sa->align) % sa->align;

        return ESP_HDR_LEN + sa->iv_len + pad + ESP_TRAILER_LEN + sa->icv_len;
}

static void raise_event(struct esp_sa *sa, unsigned ev)
{
        if (sa->events_raised & ev)
                return;
        sa->events_raised |= ev;
        sa->events |= ev;
}

static bool reached(uint64_t limit, uint64_t value)
{
        return limit != 0 && value >= limit;
}

void esp_sa_account(struct esp_sa *sa, size_t bytes)
{
        sa->bytes += bytes;
        sa->packets++;
        if (reached(sa->soft.bytes, sa->bytes) || reached(sa->soft.packets, sa->packets))
                raise_event(sa, ESP_EVENT_SOFT_LIFETIME);
        if (reached(sa->hard.bytes, sa->bytes) || reached(sa->hard.packets, sa->packets))
                raise_event(sa, ESP_EVENT_HARD_LIFETIME);
}

void esp_sa_raise(struct esp_sa *sa, unsigned ev)
{
        raise_event(sa, ev);
}
