/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Protecting outgoing messages into SK or SKF datagrams, and reassembling
 * incoming SKF fragments (RFC 7383).
 *
 * Fragment budget (RFC 7383 2.5.1): config.fragment_size is the size of the
 * IP packet that carries a fragment (strongSwan's fragment_size, default
 * 1280, the IPv6 minimum MTU); the IKE message in it may take
 *
 *      fragment_size - IP header (20 / 40) - UDP header (8) - marker (4 on 4500)
 *
 * octets, from which the IKE header (28), the SKF header (8), the IV and the
 * ICV are subtracted to find how much plaintext each fragment carries. Each
 * fragment is protected on its own (its own IV and ICV).
 *
 * Reassembly (RFC 7383 2.6): fragments are decrypted one by one (the ICV
 * authenticates each), kept by number, and put together when all of them
 * are in. Limits: IKE_FRAGMENTS_MAX fragments, INI_MAX_FRAG_BYTES octets of
 * plaintext; a duplicate is ignored; a fragment announcing more fragments
 * than before restarts the reassembly (the sender lowered its size, RFC 7383
 * 2.6.2), one announcing fewer is dropped.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "client/ike/initiator-internal.h"
#include "client/ike/sk.h"

#define IP4_HEADER 20u
#define IP6_HEADER 40u
#define UDP_HEADER 8u

static size_t message_budget(const struct ike_initiator *ini)
{
        size_t ip = ini->remote.family == 6 ? IP6_HEADER : IP4_HEADER;
        size_t over = ip + UDP_HEADER + (ini->natt ? IKEV2_NON_ESP_MARKER_LEN : 0);

        return ini->fragment_size > over ? ini->fragment_size - over : 0;
}

static int one_datagram(struct ike_initiator *ini, const struct ike_message *m, struct slice plain,
                        uint8_t first, bool frag, uint16_t num, uint16_t total, struct bytes *ret)
{
        size_t cap = IKEV2_NON_ESP_MARKER_LEN + IKEV2_HEADER_LEN + IKE_SKF_HEADER_LEN + plain.len +
                     ike_sk_overhead(&ini->suite, plain.len);
        struct ike_sk_error skerr;
        struct bytes b = {0};
        struct wbuf w;
        size_t body_off, start;
        int r;

        if (bytes_alloc(&b, cap) < 0)
                return -ENOMEM;
        wbuf_init(&w, b.ptr, cap);
        if (ini->natt)
                (void)ike_non_esp_marker_write(&w);
        start = wbuf_len(&w);
        r = frag ? ike_message_write_skf(m, num, total, 0, &w, &body_off)
                 : ike_message_write_sk(m, 0, &w, &body_off);
        if (r < 0)
                goto fail;
        r = ike_sk_protect(ini->aead_out, &ini->rng, SLICE(b.ptr + start, wbuf_len(&w) - start),
                           first, plain, &w, &skerr);
        if (r < 0)
                goto fail;
        b.len = wbuf_len(&w);
        *ret = b;
        return 0;
fail:
        bytes_free_secret(&b);
        return r;
}

int ini_protect(struct ike_initiator *ini, struct ike_message *m, bool allow_fragments,
                struct bytes **ret_dgrams, size_t *ret_n)
{
        _cleanup_free_ uint8_t *pbuf = NULL;
        size_t budget = message_budget(ini), whole, chunk, n;
        struct bytes *d = NULL;
        struct slice plain;
        uint8_t first = ike_chain_first_type(&m->inner);
        struct wbuf w;
        int r;

        if (!ini->aead_out)
                return -ENOKEY;
        pbuf = malloc(IKE_MESSAGE_MAX);
        if (!pbuf)
                return -ENOMEM;
        wbuf_init(&w, pbuf, IKE_MESSAGE_MAX);
        r = ike_chain_serialize(&m->inner, &w);
        if (r < 0)
                goto out;
        plain = wbuf_slice(&w);
        whole = IKEV2_HEADER_LEN + IKE_SK_HEADER_LEN + plain.len +
                ike_sk_overhead(&ini->suite, plain.len);

        if (!(allow_fragments && ini->fragmentation && ini->peer_fragmentation) ||
            whole <= budget) {
                d = calloc(1, sizeof(*d));
                if (!d) {
                        r = -ENOMEM;
                        goto out;
                }
                r = one_datagram(ini, m, plain, first, false, 0, 0, &d[0]);
                if (r < 0)
                        goto out;
                *ret_dgrams = d;
                *ret_n = 1;
                d = NULL;
                goto out;
        }

        /* RFC 7383 2.5: only the payloads after the SK header are split;
         * fragment 1 names the first of them. */
        chunk = budget > IKEV2_HEADER_LEN + IKE_SKF_HEADER_LEN
                        ? ike_sk_max_plaintext(&ini->suite,
                                               budget - IKEV2_HEADER_LEN - IKE_SKF_HEADER_LEN)
                        : 0;
        if (chunk == 0) {
                r = -EMSGSIZE;
                goto out;
        }
        n = (plain.len + chunk - 1) / chunk;
        if (n > IKE_FRAGMENTS_MAX) {
                r = -EMSGSIZE;
                goto out;
        }
        d = calloc(n, sizeof(*d));
        if (!d) {
                r = -ENOMEM;
                goto out;
        }
        for (size_t i = 0; i < n; i++) {
                size_t off = i * chunk, len = MIN(chunk, plain.len - off);

                r = one_datagram(ini, m, SLICE(plain.ptr + off, len), i == 0 ? first : 0, true,
                                 (uint16_t)(i + 1), (uint16_t)n, &d[i]);
                if (r < 0) {
                        ini_dgrams_free(d, n);
                        d = NULL;
                        goto out;
                }
        }
        *ret_dgrams = d;
        *ret_n = n;
        d = NULL;
        r = 0;
out:
        secure_wipe(pbuf, IKE_MESSAGE_MAX);
        free(d);
        return r;
}

/* ------------------------------------------------------------------ reassembly */

void ini_frag_reset(struct ini_frag_buf *f)
{
        if (f->parts)
                for (size_t i = 0; i < f->total; i++)
                        bytes_free_secret(&f->parts[i]);
        free(f->parts);
        free(f->have);
        *f = (struct ini_frag_buf){0};
}

static int frag_start(struct ini_frag_buf *f, const struct ike_header *h, uint16_t total)
{
        ini_frag_reset(f);
        f->parts = calloc(total, sizeof(*f->parts));
        f->have = calloc(total, sizeof(*f->have));
        if (!f->parts || !f->have) {
                free(f->parts);
                free(f->have);
                f->parts = NULL;
                f->have = NULL;
                return -ENOMEM;
        }
        f->active = true;
        f->response = ike_header_is_response(h);
        f->msgid = h->message_id;
        f->exchange = h->exchange;
        f->total = total;
        return 0;
}

int ini_frag_add(struct ike_initiator *ini, const struct ike_header *h, uint16_t number,
                 uint16_t total, uint8_t first_payload, struct slice plain, struct bytes *ret_whole,
                 uint8_t *ret_first, const char **ret_why)
{
        struct ini_frag_buf *f = &ini->frag;
        struct bytes whole = {0};
        size_t off = 0;

        if (total == 0 || number == 0 || number > total) {
                *ret_why = "fragment number outside 1..total";
                return -EBADMSG;
        }
        if (total > IKE_FRAGMENTS_MAX) {
                *ret_why = "more fragments than we accept (128)";
                return -E2BIG;
        }
        if (!f->active || f->msgid != h->message_id || f->response != ike_header_is_response(h) ||
            f->exchange != h->exchange) {
                if (frag_start(f, h, total) < 0) {
                        *ret_why = "out of memory";
                        return -ENOMEM;
                }
        } else if (total > f->total) {
                /* RFC 7383 2.6.2: the sender starts over with smaller fragments. */
                if (frag_start(f, h, total) < 0) {
                        *ret_why = "out of memory";
                        return -ENOMEM;
                }
        } else if (total < f->total) {
                *ret_why = "Total Fragments smaller than in earlier fragments";
                return -EBADMSG;
        }
        if (f->have[number - 1]) {
                *ret_why = "duplicate fragment";
                return -EALREADY;
        }
        if (number == 1 && first_payload == IKEV2_PAYLOAD_NONE) {
                *ret_why = "fragment 1 names no first payload";
                return -EBADMSG;
        }
        if (plain.len > INI_MAX_FRAG_BYTES - f->bytes) {
                ini_frag_reset(f);
                *ret_why = "reassembled message larger than we accept";
                return -E2BIG;
        }
        if (plain.len && bytes_dup(&f->parts[number - 1], plain) < 0) {
                *ret_why = "out of memory";
                return -ENOMEM;
        }
        f->have[number - 1] = true;
        f->bytes += plain.len;
        f->received++;
        if (number == 1)
                f->first_payload = first_payload;
        if (f->received < f->total)
                return 0;

        if (bytes_alloc(&whole, f->bytes ? f->bytes : 1) < 0) {
                ini_frag_reset(f);
                *ret_why = "out of memory";
                return -ENOMEM;
        }
        for (size_t i = 0; i < f->total; i++) {
                if (f->parts[i].len)
                        memcpy(whole.ptr + off, f->parts[i].ptr, f->parts[i].len);
                off += f->parts[i].len;
        }
        whole.len = off;
        *ret_first = f->first_payload;
        *ret_whole = whole;
        ini_log(ini, IKE_LOG_DEBUG, "reassembled %s (message %u) from %u fragments, %zu bytes",
                ini_exchange_name(h->exchange), h->message_id, f->total, off);
        ini_frag_reset(f);
        return 1;
}
