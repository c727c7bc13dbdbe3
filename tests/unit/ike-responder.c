/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The test responder; see ike-responder.h. */
#include "tests/unit/ike-responder.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "client/common/macro.h"
#include "client/crypto/dh.h"
#include "client/crypto/prf.h"
#include "client/crypto/sig.h"
#include "client/crypto/x509.h"
#include "client/ike/ikev2.h"
#include "client/ike/message.h"
#include "client/ike/mschapv2.h"
#include "client/ike/rules.h"
#include "client/ike/sk.h"

#define ESP_SPI_R 0xc0ffee01u

static const uint8_t cookie_value[16] = {0xc0, 0x0c, 0x1e, 0x5a, 1, 2,  3,  4,
                                         5,    6,    7,    8,    9, 10, 11, 12};

_printf_(3, 4) static int fail(struct responder *r, int code, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(r->error, sizeof(r->error), fmt, ap);
        va_end(ap);
        return code;
}

void resp_out_clear(struct resp_out *o)
{
        for (size_t i = 0; i < o->n; i++)
                bytes_free(&o->d[i]);
        o->n = 0;
}

static void out_copy(struct resp_out *dst, const struct resp_out *src)
{
        resp_out_clear(dst);
        for (size_t i = 0; i < src->n; i++)
                if (bytes_dup(&dst->d[i], SLICE_OF(src->d[i])) == 0)
                        dst->n++;
}

int resp_init(struct responder *r, const struct resp_config *cfg)
{
        memset(r, 0, sizeof(*r));
        r->cfg = *cfg;
        r->cur_spi_r = ESP_SPI_R;
        if (!r->cfg.fragment_size)
                r->cfg.fragment_size = 1200;
        if (!r->cfg.family)
                r->cfg.family = 4;
        return 0;
}

void resp_free(struct responder *r)
{
        bytes_free(&r->pending_ni);
        bytes_free(&r->ni);
        bytes_free(&r->nr);
        bytes_free(&r->req1);
        bytes_free(&r->resp2);
        crypto_dh_free(r->dh);
        ike_keys_wipe(&r->keys);
        crypto_aead_free(r->out);
        crypto_aead_free(r->in);
        crypto_aead_free(r->old_out);
        crypto_aead_free(r->old_in);
        resp_out_clear(&r->last);
        for (size_t i = 0; i < ARRAY_SIZE(r->frag); i++)
                bytes_free(&r->frag[i]);
        bytes_free(&r->idi_body);
        bytes_free(&r->idr_body);
        ike_child_keys_wipe(&r->child);
        memset(r, 0, sizeof(*r));
}

static uint64_t spi64(const uint8_t s[8])
{
        uint64_t v = 0;

        for (int i = 0; i < 8; i++)
                v = v << 8 | s[i];
        return v;
}

static void spi_from64(uint64_t v, uint8_t s[8])
{
        for (int i = 7; i >= 0; i--, v >>= 8)
                s[i] = (uint8_t)v;
}

/* ------------------------------------------------------------------ output */

static int out_push(struct responder *r, struct resp_out *out, struct slice msg)
{
        struct bytes b;

        if (out->n == RESP_MAX_OUT)
                return fail(r, -E2BIG, "too many datagrams");
        if (bytes_alloc(&b, msg.len + 4) < 0)
                return -ENOMEM;
        if (r->natt) {
                memset(b.ptr, 0, 4);
                memcpy(b.ptr + 4, msg.ptr, msg.len);
                b.len = msg.len + 4;
        } else {
                memcpy(b.ptr, msg.ptr, msg.len);
                b.len = msg.len;
        }
        out->d[out->n++] = b;
        return 0;
}

static int send_plain(struct responder *r, struct ike_message *m, struct resp_out *out,
                      struct bytes *keep)
{
        uint8_t buf[IKE_MESSAGE_MAX];
        struct wbuf w;
        int k;

        wbuf_init(&w, buf, sizeof(buf));
        k = ike_message_serialize(m, &w);
        if (k < 0)
                return fail(r, k, "serialize: %d", k);
        if (r->cfg.record)
                r->cfg.record(r->cfg.record_ud, &m->hdr, ike_chain_first_type(&m->clear),
                              SLICE(buf + IKEV2_HEADER_LEN, wbuf_len(&w) - IKEV2_HEADER_LEN));
        if (keep && bytes_dup(keep, wbuf_slice(&w)) < 0)
                return -ENOMEM;
        return out_push(r, out, wbuf_slice(&w));
}

static int protect_one(struct responder *r, struct ike_message *m, bool frag, uint16_t num,
                       uint16_t total, uint8_t first, struct slice plain, struct resp_out *out)
{
        static uint8_t buf[IKE_MESSAGE_MAX];
        struct ike_sk_error se;
        struct wbuf w;
        size_t off;
        int k;

        wbuf_init(&w, buf, sizeof(buf));
        k = frag ? ike_message_write_skf(m, num, total, 0, &w, &off)
                 : ike_message_write_sk(m, 0, &w, &off);
        if (k < 0)
                return fail(r, k, "write_sk: %d", k);
        k = ike_sk_protect(r->out, r->cfg.rng, wbuf_slice(&w), first, plain, &w, &se);
        if (k < 0)
                return fail(r, k, "protect: %s", se.what ? se.what : "?");
        return out_push(r, out, wbuf_slice(&w));
}

static int send_protected(struct responder *r, struct ike_message *m, struct resp_out *out)
{
        static uint8_t pbuf[IKE_MESSAGE_MAX];
        uint8_t first = ike_chain_first_type(&m->inner);
        struct wbuf w;
        struct slice plain;
        size_t whole, chunk, n;
        int k;

        wbuf_init(&w, pbuf, sizeof(pbuf));
        k = ike_chain_serialize(&m->inner, &w);
        if (k < 0)
                return fail(r, k, "serialize inner: %d", k);
        plain = wbuf_slice(&w);
        if (r->cfg.record)
                r->cfg.record(r->cfg.record_ud, &m->hdr, first, plain);
        whole = 28 + 4 + plain.len + ike_sk_overhead(&r->suite, plain.len);
        if (!r->cfg.fragmentation || whole <= r->cfg.fragment_size)
                return protect_one(r, m, false, 0, 0, first, plain, out);
        chunk = ike_sk_max_plaintext(&r->suite, r->cfg.fragment_size - 28 - 8);
        n = (plain.len + chunk - 1) / chunk;
        for (size_t i = 0; i < n; i++) {
                size_t o = i * chunk;

                k = protect_one(r, m, true, (uint16_t)(i + 1), (uint16_t)n, i ? 0 : first,
                                SLICE(plain.ptr + o, MIN(chunk, plain.len - o)), out);
                if (k < 0)
                        return k;
        }
        return 0;
}

static void set_header(struct responder *r, struct ike_message *m, uint8_t exchange, uint32_t msgid,
                       bool response)
{
        m->hdr.spi_i = spi64(r->spi_i);
        m->hdr.spi_r = spi64(r->spi_r);
        m->hdr.exchange = exchange;
        m->hdr.flags = response ? IKEV2_FLAG_RESPONSE : 0;
        m->hdr.message_id = msgid;
}

/* ------------------------------------------------------------------ IKE_SA_INIT */

static bool has_transform(const struct ike_proposal *p, uint8_t type, uint16_t id, uint16_t bits)
{
        for (size_t i = 0; i < p->n_transforms; i++)
                if (p->transforms[i].type == type && p->transforms[i].id == id &&
                    p->transforms[i].key_length == bits)
                        return true;
        return false;
}

static int natd_hash(struct responder *r, const uint8_t *addr, uint16_t port, uint8_t out[20])
{
        return ike_natd_hash(r->spi_i, r->spi_r, SLICE(addr, r->cfg.family == 4 ? 4 : 16), port,
                             out);
}

static int error_answer(struct responder *r, const struct ike_message *req, uint16_t type,
                        struct slice data, struct resp_out *out)
{
        _cleanup_ike_message_ struct ike_message *m = NULL;

        if (ike_message_new(&m) < 0)
                return -ENOMEM;
        m->hdr.spi_i = req->hdr.spi_i;
        m->hdr.exchange = IKEV2_EXCHANGE_IKE_SA_INIT;
        m->hdr.flags = IKEV2_FLAG_RESPONSE;
        (void)ike_chain_add_notify(&m->clear, 0, type, SLICE(NULL, 0), data);
        return send_plain(r, m, out, NULL);
}

static int sa_init(struct responder *r, const struct ike_message *req, struct slice raw,
                   struct resp_out *out)
{
        const struct ike_chain *c = &req->clear;
        const struct ike_payload *sa_p = ike_chain_find(c, IKEV2_PAYLOAD_SA, 0);
        const struct ike_payload *ke_p = ike_chain_find(c, IKEV2_PAYLOAD_KE, 0);
        const struct ike_payload *no_p = ike_chain_find(c, IKEV2_PAYLOAD_NONCE, 0);
        _cleanup_ike_message_ struct ike_message *m = NULL;
        const struct resp_config *cf = &r->cfg;
        const struct ike_proposal *chosen = NULL;
        struct ike_transform tr[6];
        struct ike_proposal props[2];
        struct bytes gir = {0};
        uint8_t nonce[32], h[20];
        size_t n = 0;
        int k;

        r->n_init_requests++;
        if (!sa_p || !ke_p || !no_p)
                return fail(r, -EBADMSG, "IKE_SA_INIT without SA/KE/Ni");
        r->ke_group_seen = (uint8_t)ke_p->u.ke.group;
        r->saw_frag_sup = ike_chain_find_notify(c, IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED);
        if (cf->require_cookie) {
                const struct ike_payload *first = c->n ? &c->items[0] : NULL;

                if (!first || first->type != IKEV2_PAYLOAD_NOTIFY ||
                    first->u.notify.type != IKEV2_N_COOKIE ||
                    !slice_eq(first->u.notify.data, SLICE(cookie_value, sizeof(cookie_value))))
                        return error_answer(r, req, IKEV2_N_COOKIE,
                                            SLICE(cookie_value, sizeof(cookie_value)), out);
        }
        if (cf->error_notify_sa_init)
                return error_answer(r, req, cf->error_notify_sa_init, SLICE(NULL, 0), out);
        if (cf->want_group && ke_p->u.ke.group != cf->want_group) {
                uint8_t g[2] = {(uint8_t)(cf->want_group >> 8), (uint8_t)cf->want_group};

                return error_answer(r, req, IKEV2_N_INVALID_KE_PAYLOAD, SLICE(g, 2), out);
        }
        for (size_t i = 0; i < sa_p->u.sa.n_proposals && !chosen; i++) {
                const struct ike_proposal *p = &sa_p->u.sa.proposals[i];

                if (has_transform(p, IKEV2_TRANSFORM_ENCR, cf->ike_encr, cf->ike_encr_bits) &&
                    has_transform(p, IKEV2_TRANSFORM_PRF, cf->ike_prf, 0) &&
                    (!cf->ike_integ || has_transform(p, IKEV2_TRANSFORM_INTEG, cf->ike_integ, 0)) &&
                    has_transform(p, IKEV2_TRANSFORM_DH, cf->ike_dh, 0))
                        chosen = p;
        }
        if (!chosen)
                return error_answer(r, req, IKEV2_N_NO_PROPOSAL_CHOSEN, SLICE(NULL, 0), out);
        if (ke_p->u.ke.group != cf->ike_dh) {
                uint8_t g[2] = {(uint8_t)(cf->ike_dh >> 8), (uint8_t)cf->ike_dh};

                return error_answer(r, req, IKEV2_N_INVALID_KE_PAYLOAD, SLICE(g, 2), out);
        }

        spi_from64(req->hdr.spi_i, r->spi_i);
        if (tsu_rng_fill(cf->rng, r->spi_r, 8) < 0 || tsu_rng_fill(cf->rng, nonce, 32) < 0)
                return -EIO;
        r->spi_r[0] |= 0x80;
        bytes_free(&r->ni);
        bytes_free(&r->nr);
        bytes_free(&r->req1);
        if (bytes_dup(&r->ni, no_p->u.nonce) < 0 || bytes_dup(&r->nr, SLICE(nonce, 32)) < 0 ||
            bytes_dup(&r->req1, raw) < 0)
                return -ENOMEM;
        crypto_dh_free(r->dh);
        r->dh = NULL;
        k = crypto_dh_new(crypto_dh_lookup(cf->ike_dh), cf->rng, &r->dh);
        if (k < 0)
                return fail(r, k, "dh new");
        k = crypto_dh_compute(r->dh, ke_p->u.ke.data, &gir, NULL);
        if (k < 0)
                return fail(r, k, "dh compute");
        r->prf = crypto_prf_lookup(cf->ike_prf);
        k = crypto_suite_lookup(cf->ike_encr, cf->ike_encr_bits, cf->ike_integ, 0, &r->suite, NULL);
        if (k == 0)
                k = ike_keys_derive(r->prf, &r->suite, SLICE_OF(r->ni), SLICE_OF(r->nr), r->spi_i,
                                    r->spi_r, SLICE_OF(gir), &r->keys);
        bytes_free_secret(&gir);
        if (k == 0)
                k = ike_keys_sk_contexts(&r->keys, &r->suite, false, &r->out, &r->in);
        if (k < 0)
                return fail(r, k, "keys");
        r->have_keys = true;

        tr[n++] = (struct ike_transform){
                .type = IKEV2_TRANSFORM_ENCR,
                .id = (cf->misbehave & RESP_CHOOSE_UNOFFERED) ? IKEV2_ENCR_AES_CTR : cf->ike_encr,
                .key_length = cf->ike_encr_bits};
        tr[n++] = (struct ike_transform){.type = IKEV2_TRANSFORM_PRF, .id = cf->ike_prf};
        if (cf->ike_integ)
                tr[n++] =
                        (struct ike_transform){.type = IKEV2_TRANSFORM_INTEG, .id = cf->ike_integ};
        if (!(cf->misbehave & RESP_OMIT_DH))
                tr[n++] = (struct ike_transform){
                        .type = IKEV2_TRANSFORM_DH,
                        .id = (cf->misbehave & RESP_DH_MISMATCH) ? IKEV2_DH_MODP2048 : cf->ike_dh};
        props[0] = (struct ike_proposal){.num = chosen->num,
                                         .protocol = IKEV2_PROTO_IKE,
                                         .transforms = tr,
                                         .n_transforms = n};
        props[1] = props[0];
        props[1].num = (uint8_t)(chosen->num + 1);

        if (ike_message_new(&m) < 0)
                return -ENOMEM;
        set_header(r, m, IKEV2_EXCHANGE_IKE_SA_INIT, 0, true);
        (void)ike_chain_add_sa(&m->clear, props, (cf->misbehave & RESP_TWO_PROPOSALS) ? 2 : 1);
        (void)ike_chain_add_ke(&m->clear, cf->ike_dh, crypto_dh_public(r->dh));
        (void)ike_chain_add_nonce(&m->clear, SLICE(nonce, 32));
        if (!(cf->misbehave & RESP_NO_NATD)) {
                natd_hash(r, cf->gw_addr, cf->gw_port, h);
                if (cf->misbehave & RESP_FAKE_NATD_SRC)
                        h[0] ^= 0xff;
                (void)ike_chain_add_notify(&m->clear, 0, IKEV2_N_NAT_DETECTION_SOURCE_IP,
                                           SLICE(NULL, 0), SLICE(h, 20));
                natd_hash(r, cf->seen_addr, cf->seen_port, h);
                (void)ike_chain_add_notify(&m->clear, 0, IKEV2_N_NAT_DETECTION_DESTINATION_IP,
                                           SLICE(NULL, 0), SLICE(h, 20));
        }
        if (cf->fragmentation)
                (void)ike_chain_add_notify(&m->clear, 0, IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED,
                                           SLICE(NULL, 0), SLICE(NULL, 0));
        if (cf->hash_algorithms) {
                static const uint8_t algs[] = {0, 2, 0, 3, 0, 4};

                (void)ike_chain_add_notify(&m->clear, 0, IKEV2_N_SIGNATURE_HASH_ALGORITHMS,
                                           SLICE(NULL, 0), SLICE(algs, sizeof(algs)));
        }
        if (cf->multiple_auth)
                (void)ike_chain_add_notify(&m->clear, 0, IKEV2_N_MULTIPLE_AUTH_SUPPORTED,
                                           SLICE(NULL, 0), SLICE(NULL, 0));
        bytes_free(&r->resp2);
        k = send_plain(r, m, out, &r->resp2);
        r->expect_msgid = 1;
        return k;
}

/* ------------------------------------------------------------------ IKE_AUTH helpers */

static int add_cert(struct ike_chain *c, X509 *x)
{
        unsigned char *der = NULL;
        int len = i2d_X509(x, &der), k;

        if (len <= 0)
                return -EINVAL;
        k = ike_chain_add_cert(c, IKEV2_CERT_X509_SIGNATURE, SLICE(der, (size_t)len));
        OPENSSL_free(der);
        return k;
}

static int responder_octets(struct responder *r, struct bytes *ret)
{
        return ike_auth_octets(r->prf, SLICE_OF(r->resp2), SLICE_OF(r->ni), SLICE_OF(r->keys.sk_pr),
                               SLICE_OF(r->idr_body), ret);
}

static int initiator_octets(struct responder *r, struct bytes *ret)
{
        return ike_auth_octets(r->prf, SLICE_OF(r->req1), SLICE_OF(r->nr), SLICE_OF(r->keys.sk_pi),
                               SLICE_OF(r->idi_body), ret);
}

static int add_identity_and_auth(struct responder *r, struct ike_chain *c)
{
        const struct resp_config *cf = &r->cfg;
        uint8_t hdr[4] = {cf->id_type, 0, 0, 0};
        struct slice parts[2] = {SLICE(hdr, 4), SLICE(cf->id, strlen(cf->id))};
        struct bytes octets = {0}, sig = {0};
        static const uint16_t hashes[] = {IKEV2_HASH_SHA2_256, IKEV2_HASH_SHA2_384,
                                          IKEV2_HASH_SHA2_512};
        enum crypto_sig_scheme scheme;
        EVP_PKEY *key = (cf->misbehave & RESP_BAD_SIGNATURE) ? cf->sign_key_override : cf->key;
        int k;

        bytes_free(&r->idr_body);
        if (bytes_concat(&r->idr_body, parts, 2) < 0)
                return -ENOMEM;
        (void)ike_chain_add_id(c, IKEV2_PAYLOAD_IDr, cf->id_type, SLICE(cf->id, strlen(cf->id)));
        if (!(cf->misbehave & RESP_NO_CERT)) {
                (void)add_cert(c, cf->cert);
                for (int i = 0; cf->chain && i < sk_X509_num(cf->chain); i++)
                        (void)add_cert(c, sk_X509_value(cf->chain, i));
        }
        if (cf->misbehave & RESP_NO_AUTH)
                return 0;
        k = responder_octets(r, &octets);
        if (k < 0)
                return fail(r, k, "octets");
        k = crypto_sig_pick_scheme(key, hashes, 3, false, &scheme);
        if (k == 0)
                k = crypto_auth_sign(key, IKEV2_AUTH_DIGITAL_SIGNATURE, scheme, SLICE_OF(octets),
                                     &sig);
        bytes_free(&octets);
        if (k < 0)
                return fail(r, k, "sign");
        k = ike_chain_add_auth(c, IKEV2_AUTH_DIGITAL_SIGNATURE, SLICE_OF(sig));
        bytes_free(&sig);
        return k;
}

static int add_child(struct responder *r, struct ike_chain *c)
{
        const struct resp_config *cf = &r->cfg;
        static const uint8_t vip4[4] = {10, 99, 0, 7}, dns4[4] = {10, 20, 0, 10};
        static const uint8_t vip6[17] = {0xfd, 0, 0, 0x99, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7, 128};
        static const uint8_t dns6[16] = {0xfd, 0, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10};
        static const uint8_t lan_lo[4] = {10, 20, 0, 0}, lan_hi[4] = {10, 20, 0, 255};
        static const uint8_t lan6_lo[16] = {0xfd, 0, 0, 0x20};
        static const uint8_t lan6_hi[16] = {0xfd, 0,    0,    0x20, 0,    0,    0,    0,
                                            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
        struct ike_cp_attr attrs[16];
        struct ike_transform tr[3];
        struct ike_proposal prop;
        struct ike_ts_selector tsi[2], tsr[2];
        struct crypto_suite es;
        uint8_t spi[4];
        size_t n = 0;
        int k;

        if (cf->n_cp) {
                for (size_t i = 0; i < cf->n_cp && i < 16; i++)
                        attrs[n++] = (struct ike_cp_attr){
                                .type = cf->cp[i].type,
                                .value = SLICE(cf->cp[i].value, cf->cp[i].len)};
        } else if (!(cf->misbehave & RESP_NO_VIP)) {
                attrs[n++] = (struct ike_cp_attr){.type = IKEV2_CFG_INTERNAL_IP4_ADDRESS,
                                                  .value = SLICE(vip4, 4)};
                attrs[n++] = (struct ike_cp_attr){.type = IKEV2_CFG_INTERNAL_IP6_ADDRESS,
                                                  .value = SLICE(vip6, 17)};
                attrs[n++] = (struct ike_cp_attr){.type = IKEV2_CFG_INTERNAL_IP4_DNS,
                                                  .value = SLICE(dns4, 4)};
                attrs[n++] = (struct ike_cp_attr){.type = IKEV2_CFG_INTERNAL_DNS_DOMAIN,
                                                  .value = SLICE("corp.test", 9)};
                attrs[n++] = (struct ike_cp_attr){.type = IKEV2_CFG_INTERNAL_IP6_DNS,
                                                  .value = SLICE(dns6, 16)};
        } else {
                attrs[n++] = (struct ike_cp_attr){.type = IKEV2_CFG_INTERNAL_IP4_DNS,
                                                  .value = SLICE(dns4, 4)};
        }
        (void)ike_chain_add_cp(c, IKEV2_CFG_REPLY, attrs, n);
        if (cf->mobike)
                (void)ike_chain_add_notify(c, 0, IKEV2_N_MOBIKE_SUPPORTED, SLICE(NULL, 0),
                                           SLICE(NULL, 0));
        if (cf->auth_lifetime_s) {
                /* RFC 4478 3: the lifetime in seconds, 4 octets */
                uint8_t lt[4] = {(uint8_t)(cf->auth_lifetime_s >> 24),
                                 (uint8_t)(cf->auth_lifetime_s >> 16),
                                 (uint8_t)(cf->auth_lifetime_s >> 8), (uint8_t)cf->auth_lifetime_s};

                (void)ike_chain_add_notify(c, 0, IKEV2_N_AUTH_LIFETIME, SLICE(NULL, 0),
                                           SLICE(lt, 4));
        }

        n = 0;
        tr[n++] = (struct ike_transform){
                .type = IKEV2_TRANSFORM_ENCR,
                .id = (cf->misbehave & RESP_ESP_UNOFFERED) ? IKEV2_ENCR_CAMELLIA_CBC : cf->esp_encr,
                .key_length = cf->esp_encr_bits};
        if (cf->esp_integ)
                tr[n++] =
                        (struct ike_transform){.type = IKEV2_TRANSFORM_INTEG, .id = cf->esp_integ};
        tr[n++] = (struct ike_transform){.type = IKEV2_TRANSFORM_ESN,
                                         .id = r->esp_esn ? IKEV2_ESN_YES : IKEV2_ESN_NO};
        spi[0] = ESP_SPI_R >> 24;
        spi[1] = (uint8_t)(ESP_SPI_R >> 16);
        spi[2] = (uint8_t)(ESP_SPI_R >> 8);
        spi[3] = (uint8_t)ESP_SPI_R;
        prop = (struct ike_proposal){.num = r->esp_prop_num ? r->esp_prop_num : 1,
                                     .protocol = IKEV2_PROTO_ESP,
                                     .spi = SLICE(spi, 4),
                                     .transforms = tr,
                                     .n_transforms = n};
        (void)ike_chain_add_sa(c, &prop, 1);
        tsi[0] = ike_ts_selector_make(vip4, vip4, 4, 0, 0, 65535);
        tsi[1] = ike_ts_selector_make(vip6, vip6, 16, 0, 0, 65535);
        tsr[0] = ike_ts_selector_make(lan_lo, lan_hi, 4, 0, 0, 65535);
        tsr[1] = ike_ts_selector_make(lan6_lo, lan6_hi, 16, 0, 0, 65535);
        (void)ike_chain_add_ts(c, IKEV2_PAYLOAD_TSi, tsi, 2);
        (void)ike_chain_add_ts(c, IKEV2_PAYLOAD_TSr, tsr, 2);

        k = crypto_suite_lookup(cf->esp_encr, cf->esp_encr_bits, cf->esp_integ, 0, &es, NULL);
        if (k == 0)
                k = ike_child_keys_derive(r->prf, SLICE_OF(r->keys.sk_d), SLICE(NULL, 0),
                                          SLICE_OF(r->ni), SLICE_OF(r->nr), &es, &r->child);
        if (k < 0)
                return fail(r, k, "child keys");
        r->established = true;
        return 0;
}

static int eap_packet(struct ike_chain *c, uint8_t code, uint8_t id, uint8_t type,
                      const uint8_t *data, size_t len)
{
        return ike_chain_add_eap(c, code, id, type, SLICE(data, len));
}

static int eap_challenge(struct responder *r, struct ike_chain *c)
{
        uint8_t d[4 + 1 + 16 + 2];

        for (size_t i = 0; i < 16; i++)
                r->challenge[i] = (uint8_t)(0xa0 + i);
        r->eap_id++;
        if (r->cfg.client_auth == RESP_CLIENT_EAP_MD5) {
                d[0] = 16;
                memcpy(d + 1, r->challenge, 16);
                return eap_packet(c, EAP_CODE_REQUEST, r->eap_id, EAP_TYPE_MD5, d, 17);
        }
        d[0] = 1;
        d[1] = 0x42;
        d[2] = 0;
        d[3] = sizeof(d);
        d[4] = 16;
        memcpy(d + 5, r->challenge, 16);
        memcpy(d + 21, "gw", 2);
        return eap_packet(c, EAP_CODE_REQUEST, r->eap_id, EAP_TYPE_MSCHAPV2, d, sizeof(d));
}

/* Checks the EAP response; returns 1 right, 0 wrong password, <0 malformed. */
static int eap_check(struct responder *r, const struct ike_eap *e, struct ike_chain *c)
{
        const char *pw = r->cfg.eap_password ? r->cfg.eap_password : "";

        if (r->cfg.client_auth == RESP_CLIENT_EAP_MD5) {
                uint8_t want[16];
                unsigned len = 0;
                EVP_MD_CTX *ctx = EVP_MD_CTX_new();
                bool ok;

                if (e->type != EAP_TYPE_MD5 || e->data.len < 17 || e->data.ptr[0] != 16) {
                        EVP_MD_CTX_free(ctx);
                        return -EBADMSG;
                }
                ok = ctx && EVP_DigestInit_ex(ctx, EVP_md5(), NULL) &&
                     EVP_DigestUpdate(ctx, &e->identifier, 1) &&
                     EVP_DigestUpdate(ctx, pw, strlen(pw)) &&
                     EVP_DigestUpdate(ctx, r->challenge, 16) && EVP_DigestFinal_ex(ctx, want, &len);
                EVP_MD_CTX_free(ctx);
                if (!ok)
                        return -EIO;
                (void)c;
                return memcmp(want, e->data.ptr + 1, 16) == 0;
        }
        {
                const uint8_t *b = e->data.ptr;
                uint8_t hash[16], expect[24], peer_ch[16], nt[24];
                struct slice name, user;
                char msg[64];
                uint8_t d[4 + sizeof(msg)];
                size_t n;

                if (e->type != EAP_TYPE_MSCHAPV2 || e->data.len < 4 + 1 + 49 || b[0] != 2)
                        return -EBADMSG;
                memcpy(peer_ch, b + 5, 16);
                memcpy(nt, b + 29, 24);
                name = SLICE(b + 54, e->data.len - 54);
                user = mschapv2_username(name);
                if (mschapv2_nt_password_hash(SLICE(pw, strlen(pw)), hash) < 0 ||
                    mschapv2_generate_nt_response(r->challenge, peer_ch, user, hash, expect) < 0)
                        return -EIO;
                if (memcmp(expect, nt, 24) != 0)
                        return 0;
                if (mschapv2_authenticator_response(hash, nt, peer_ch, r->challenge, user,
                                                    r->ms_auth) < 0 ||
                    mschapv2_msk(hash, nt, r->msk) < 0)
                        return -EIO;
                r->have_msk = true;
                if (r->cfg.misbehave & RESP_BAD_MSCHAP_S)
                        r->ms_auth[0] ^= 1;
                n = (size_t)snprintf(msg, sizeof(msg), "S=");
                for (size_t i = 0; i < 20; i++)
                        n += (size_t)snprintf(msg + n, sizeof(msg) - n, "%02X", r->ms_auth[i]);
                n += (size_t)snprintf(msg + n, sizeof(msg) - n, " M=ok");
                d[0] = 3;
                d[1] = 0x42;
                d[2] = 0;
                d[3] = (uint8_t)(4 + n);
                memcpy(d + 4, msg, n);
                r->eap_id++;
                (void)eap_packet(c, EAP_CODE_REQUEST, r->eap_id, EAP_TYPE_MSCHAPV2, d, 4 + n);
                return 1;
        }
}

static int verify_client_cert_auth(struct responder *r, const struct ike_chain *c)
{
        const struct ike_payload *cert = ike_chain_find(c, IKEV2_PAYLOAD_CERT, 0);
        const struct ike_payload *auth = ike_chain_find(c, IKEV2_PAYLOAD_AUTH, 0);
        struct bytes octets = {0};
        X509 *x = NULL;
        int k;

        if (!cert || !auth)
                return -EBADMSG;
        if (crypto_cert_load(cert->u.cert.data, &x) < 0)
                return -EBADMSG;
        k = initiator_octets(r, &octets);
        if (k == 0)
                k = crypto_auth_verify(X509_get0_pubkey(x), auth->u.auth.method, auth->u.auth.data,
                                       SLICE_OF(octets), 0, NULL, NULL);
        bytes_free(&octets);
        X509_free(x);
        return k;
}

static int choose_esp(struct responder *r, const struct ike_chain *c)
{
        const struct ike_payload *sa_p = ike_chain_find(c, IKEV2_PAYLOAD_SA, 0);

        if (!sa_p)
                return -EBADMSG;
        for (size_t i = 0; i < sa_p->u.sa.n_proposals; i++) {
                const struct ike_proposal *p = &sa_p->u.sa.proposals[i];

                if (p->spi.len != 4)
                        continue;
                if (has_transform(p, IKEV2_TRANSFORM_ENCR, r->cfg.esp_encr, r->cfg.esp_encr_bits) &&
                    (!r->cfg.esp_integ ||
                     has_transform(p, IKEV2_TRANSFORM_INTEG, r->cfg.esp_integ, 0))) {
                        memcpy(r->esp_spi_i, p->spi.ptr, 4);
                        r->esp_prop_num = p->num;
                        r->esp_prop_ok = true;
                        r->esp_esn = r->cfg.esn &&
                                     has_transform(p, IKEV2_TRANSFORM_ESN, IKEV2_ESN_YES, 0);
                        return 0;
                }
        }
        return -ENOENT;
}

/* ------------------------------------------------------------------ CREATE_CHILD_SA */

/* The initiator rekeys the IKE SA (RFC 7296 1.3.2, 2.18): SA (its new SPI),
 * Ni, KEi. We answer on the old SA with our new SPI, Nr, KEr; the new SA
 * (SKEYSEED from the old SK_d) is current from then on, message IDs from 0;
 * the old one stays for the initiator's DELETE. */
static int ike_rekey(struct responder *r, const struct ike_message *req, struct resp_out *out)
{
        const struct ike_chain *c = ike_message_payloads(req);
        const struct ike_payload *sa_p = ike_chain_find(c, IKEV2_PAYLOAD_SA, 0);
        const struct ike_payload *no_p = ike_chain_find(c, IKEV2_PAYLOAD_NONCE, 0);
        const struct ike_payload *ke_p = ike_chain_find(c, IKEV2_PAYLOAD_KE, 0);
        const struct ike_proposal *p = &sa_p->u.sa.proposals[0];
        _cleanup_ike_message_ struct ike_message *m = NULL;
        _cleanup_(crypto_dh_freep) struct crypto_dh *dh = NULL;
        struct ike_transform tr[4];
        struct ike_proposal prop;
        struct ike_keys keys = {0};
        struct crypto_aead *o = NULL, *i = NULL;
        struct bytes gir = {0};
        uint8_t nonce[32], spi_r[8];
        size_t n = 0;
        int k;

        if (!no_p || !ke_p || p->spi.len != 8 || r->have_old)
                return fail(r, -EBADMSG, "IKE SA rekey: malformed or one at a time");
        k = crypto_dh_new(crypto_dh_lookup(ke_p->u.ke.group), r->cfg.rng, &dh);
        if (k == 0)
                k = crypto_dh_compute(dh, ke_p->u.ke.data, &gir, NULL);
        if (k == 0)
                k = tsu_rng_fill(r->cfg.rng, nonce, sizeof(nonce));
        if (k == 0)
                k = tsu_rng_fill(r->cfg.rng, spi_r, sizeof(spi_r));
        if (k == 0)
                k = ike_keys_derive_rekey(r->prf, SLICE_OF(r->keys.sk_d), r->prf, &r->suite,
                                          no_p->u.nonce, SLICE(nonce, 32), p->spi.ptr, spi_r,
                                          SLICE_OF(gir), &keys);
        bytes_free_secret(&gir);
        if (k == 0)
                k = ike_keys_sk_contexts(&keys, &r->suite, false, &o, &i);
        if (k < 0 || ike_message_new(&m) < 0) {
                ike_keys_wipe(&keys);
                return fail(r, k < 0 ? k : -ENOMEM, "IKE SA rekey: keys");
        }
        tr[n++] = (struct ike_transform){.type = IKEV2_TRANSFORM_ENCR,
                                         .id = r->cfg.ike_encr,
                                         .key_length = r->cfg.ike_encr_bits};
        tr[n++] = (struct ike_transform){.type = IKEV2_TRANSFORM_PRF, .id = r->cfg.ike_prf};
        if (r->cfg.ike_integ)
                tr[n++] = (struct ike_transform){.type = IKEV2_TRANSFORM_INTEG,
                                                 .id = r->cfg.ike_integ};
        tr[n++] = (struct ike_transform){.type = IKEV2_TRANSFORM_DH, .id = ke_p->u.ke.group};
        prop = (struct ike_proposal){.num = p->num,
                                     .protocol = IKEV2_PROTO_IKE,
                                     .spi = SLICE(spi_r, 8),
                                     .transforms = tr,
                                     .n_transforms = n};
        set_header(r, m, IKEV2_EXCHANGE_CREATE_CHILD_SA, req->hdr.message_id, true);
        (void)ike_chain_add_sa(&m->inner, &prop, 1);
        (void)ike_chain_add_nonce(&m->inner, SLICE(nonce, 32));
        (void)ike_chain_add_ke(&m->inner, ke_p->u.ke.group, crypto_dh_public(dh));
        k = send_protected(r, m, out);
        if (k < 0) {
                ike_keys_wipe(&keys);
                crypto_aead_free(o);
                crypto_aead_free(i);
                return k;
        }
        /* the switch */
        memcpy(r->old_spi_i, r->spi_i, 8);
        memcpy(r->old_spi_r, r->spi_r, 8);
        r->old_out = r->out;
        r->old_in = r->in;
        r->old_expect = r->expect_msgid;
        r->have_old = true;
        memcpy(r->spi_i, p->spi.ptr, 8);
        memcpy(r->spi_r, spi_r, 8);
        ike_keys_wipe(&r->keys);
        r->keys = keys;
        r->out = o;
        r->in = i;
        r->expect_msgid = 0;
        r->next_msgid = 0;
        resp_out_clear(&r->last);
        r->n_ike_rekeys++;
        return 0;
}

static int unprotect(struct responder *r, struct bytes *raw, struct ike_message *m);

/* A message on the old IKE SA after a rekey: the initiator's DELETE of it. */
static int old_sa(struct responder *r, struct bytes *raw, struct ike_message *m,
                  struct resp_out *out)
{
        uint8_t spi_i[8], spi_r[8];
        struct crypto_aead *o = r->out, *i = r->in;
        _cleanup_ike_message_ struct ike_message *a = NULL;
        int k;

        memcpy(spi_i, r->spi_i, 8);
        memcpy(spi_r, r->spi_r, 8);
        memcpy(r->spi_i, r->old_spi_i, 8);
        memcpy(r->spi_r, r->old_spi_r, 8);
        r->out = r->old_out;
        r->in = r->old_in;
        k = unprotect(r, raw, m);
        if (k > 0 && !ike_header_is_response(&m->hdr) && m->hdr.message_id == r->old_expect &&
            m->hdr.exchange == IKEV2_EXCHANGE_INFORMATIONAL && ike_message_new(&a) == 0) {
                const struct ike_payload *d =
                        ike_chain_find(ike_message_payloads(m), IKEV2_PAYLOAD_DELETE, 0);

                set_header(r, a, IKEV2_EXCHANGE_INFORMATIONAL, m->hdr.message_id, true);
                k = send_protected(r, a, out);
                if (d && d->u.del.protocol == IKEV2_PROTO_IKE)
                        r->old_deleted = true;
        } else if (k > 0) {
                k = fail(r, -EPROTO, "old IKE SA: unexpected message");
        }
        memcpy(r->spi_i, spi_i, 8);
        memcpy(r->spi_r, spi_r, 8);
        r->out = o;
        r->in = i;
        if (r->old_deleted) {
                crypto_aead_free(r->old_out);
                crypto_aead_free(r->old_in);
                r->old_out = r->old_in = NULL;
                r->have_old = false;
        }
        return k < 0 ? k : 0;
}

/* The initiator rekeys the CHILD SA (RFC 7296 1.3.3): REKEY_SA, SA, Ni,
 * [KEi], TSi, TSr. The answer picks our ESP transforms (and its KE group),
 * with a new SPI each time; the new keys are kept in r->child. */
static int create_child(struct responder *r, const struct ike_message *req, struct resp_out *out)
{
        const struct ike_chain *c = ike_message_payloads(req);
        const struct ike_notify *rk = ike_chain_find_notify(c, IKEV2_N_REKEY_SA);
        const struct ike_payload *sa_p = ike_chain_find(c, IKEV2_PAYLOAD_SA, 0);
        const struct ike_payload *no_p = ike_chain_find(c, IKEV2_PAYLOAD_NONCE, 0);
        const struct ike_payload *ke_p = ike_chain_find(c, IKEV2_PAYLOAD_KE, 0);
        const struct ike_payload *tsi_p = ike_chain_find(c, IKEV2_PAYLOAD_TSi, 0);
        const struct ike_payload *tsr_p = ike_chain_find(c, IKEV2_PAYLOAD_TSr, 0);
        _cleanup_ike_message_ struct ike_message *m = NULL;
        _cleanup_(crypto_dh_freep) struct crypto_dh *dh = NULL;
        struct ike_transform tr[4];
        struct ike_proposal prop;
        struct crypto_suite es;
        struct bytes gir = {0};
        uint8_t spi[4], nonce[32];
        uint32_t new_spi;
        size_t n = 0;
        int k;

        if (sa_p && sa_p->u.sa.n_proposals && sa_p->u.sa.proposals[0].protocol == IKEV2_PROTO_IKE)
                return ike_rekey(r, req, out);
        r->n_create_child++;
        if (!rk || !sa_p || !no_p || !tsi_p || !tsr_p || sa_p->u.sa.n_proposals == 0)
                return fail(r, -EBADMSG, "CREATE_CHILD_SA: not a CHILD SA rekey");
        /* 1.3.3: the SPI the rekeying side receives with (its inbound). */
        if (rk->protocol != IKEV2_PROTO_ESP || rk->spi.len != 4 ||
            memcmp(rk->spi.ptr, r->esp_spi_i, 4) != 0)
                r->rekey_spi_mismatch = true;
        if (choose_esp(r, c) < 0)
                return fail(r, -ENOENT, "CREATE_CHILD_SA: no ESP proposal we take");
        if (ke_p) {
                k = crypto_dh_new(crypto_dh_lookup(ke_p->u.ke.group), r->cfg.rng, &dh);
                if (k == 0)
                        k = crypto_dh_compute(dh, ke_p->u.ke.data, &gir, NULL);
                if (k < 0)
                        return fail(r, k, "CREATE_CHILD_SA: KE");
                r->n_pfs++;
        }
        if (tsu_rng_fill(r->cfg.rng, nonce, sizeof(nonce)) < 0 || ike_message_new(&m) < 0) {
                bytes_free_secret(&gir);
                return -ENOMEM;
        }
        if (r->rekey_ans_nonce)
                memset(nonce, r->rekey_ans_nonce & 0xff, sizeof(nonce));
        new_spi = ESP_SPI_R + 0x100u * ++r->n_child_rekeys;
        r->cur_spi_r = new_spi;
        spi[0] = (uint8_t)(new_spi >> 24);
        spi[1] = (uint8_t)(new_spi >> 16);
        spi[2] = (uint8_t)(new_spi >> 8);
        spi[3] = (uint8_t)new_spi;
        tr[n++] = (struct ike_transform){.type = IKEV2_TRANSFORM_ENCR,
                                         .id = r->cfg.esp_encr,
                                         .key_length = r->cfg.esp_encr_bits};
        if (r->cfg.esp_integ)
                tr[n++] = (struct ike_transform){.type = IKEV2_TRANSFORM_INTEG,
                                                 .id = r->cfg.esp_integ};
        if (ke_p)
                tr[n++] = (struct ike_transform){.type = IKEV2_TRANSFORM_DH,
                                                 .id = ke_p->u.ke.group};
        tr[n++] = (struct ike_transform){.type = IKEV2_TRANSFORM_ESN, .id = IKEV2_ESN_NO};
        prop = (struct ike_proposal){.num = r->esp_prop_num,
                                     .protocol = IKEV2_PROTO_ESP,
                                     .spi = SLICE(spi, 4),
                                     .transforms = tr,
                                     .n_transforms = n};
        set_header(r, m, IKEV2_EXCHANGE_CREATE_CHILD_SA, req->hdr.message_id, true);
        (void)ike_chain_add_sa(&m->inner, &prop, 1);
        (void)ike_chain_add_nonce(&m->inner, SLICE(nonce, sizeof(nonce)));
        if (dh)
                (void)ike_chain_add_ke(&m->inner, ke_p->u.ke.group, crypto_dh_public(dh));
        (void)ike_chain_add_ts(&m->inner, IKEV2_PAYLOAD_TSi, tsi_p->u.ts.sel, tsi_p->u.ts.n);
        (void)ike_chain_add_ts(&m->inner, IKEV2_PAYLOAD_TSr, tsr_p->u.ts.sel, tsr_p->u.ts.n);
        ike_child_keys_wipe(&r->child);
        k = crypto_suite_lookup(r->cfg.esp_encr, r->cfg.esp_encr_bits, r->cfg.esp_integ, 0, &es,
                                NULL);
        if (k == 0)
                k = ike_child_keys_derive(r->prf, SLICE_OF(r->keys.sk_d), SLICE_OF(gir),
                                          no_p->u.nonce, SLICE(nonce, sizeof(nonce)), &es,
                                          &r->child);
        bytes_free_secret(&gir);
        if (k < 0)
                return fail(r, k, "CREATE_CHILD_SA: child keys");
        k = send_protected(r, m, out);
        if (k == 0) {
                out_copy(&r->last, out);
                r->last_msgid = req->hdr.message_id;
        }
        return k;
}

/* The initiator's answer to our CHILD SA rekey: its new SPI and nonce; the
 * new keys (we started the exchange: we send with the first ones). */
static int rekey_answer(struct responder *r, const struct ike_message *m)
{
        const struct ike_chain *c = ike_message_payloads(m);
        const struct ike_payload *sa_p = ike_chain_find(c, IKEV2_PAYLOAD_SA, 0);
        const struct ike_payload *no_p = ike_chain_find(c, IKEV2_PAYLOAD_NONCE, 0);
        struct crypto_suite es;
        int k;

        r->pending_rekey = false;
        if (!sa_p || !no_p || sa_p->u.sa.n_proposals != 1 ||
            sa_p->u.sa.proposals[0].spi.len != 4) {
                r->gw_rekey_refused = true;
                return 0;
        }
        memcpy(r->esp_spi_i, sa_p->u.sa.proposals[0].spi.ptr, 4);
        ike_child_keys_wipe(&r->child);
        k = crypto_suite_lookup(r->cfg.esp_encr, r->cfg.esp_encr_bits, r->cfg.esp_integ, 0, &es,
                                NULL);
        if (k == 0)
                k = ike_child_keys_derive(r->prf, SLICE_OF(r->keys.sk_d), SLICE(NULL, 0),
                                          SLICE_OF(r->pending_ni), no_p->u.nonce, &es, &r->child);
        if (k < 0)
                return fail(r, k, "rekey answer: child keys");
        r->prev_spi_r = r->cur_spi_r;
        r->cur_spi_r = r->pending_spi;
        r->n_gw_rekeys++;
        return 0;
}

/* ------------------------------------------------------------------ IKE_AUTH */

static int auth_first(struct responder *r, const struct ike_chain *c, struct ike_chain *o)
{
        const struct ike_payload *idi = ike_chain_find(c, IKEV2_PAYLOAD_IDi, 0);
        uint8_t body[2048];
        struct wbuf w;
        bool cert_client = r->cfg.client_auth == RESP_CLIENT_CERT ||
                           r->cfg.client_auth == RESP_CLIENT_CERT_EAP;

        if (!idi)
                return fail(r, -EBADMSG, "first IKE_AUTH without IDi");
        r->saw_certreq = ike_chain_find(c, IKEV2_PAYLOAD_CERTREQ, 0) != NULL;
        r->saw_initial_contact = ike_chain_find_notify(c, IKEV2_N_INITIAL_CONTACT) != NULL;
        r->saw_idr = ike_chain_find(c, IKEV2_PAYLOAD_IDr, 0) != NULL;
        {
                const struct ike_payload *cp = ike_chain_find(c, IKEV2_PAYLOAD_CP, 0);

                r->req_ip4_len = r->req_ip6_len = 0;
                for (size_t i = 0; cp && i < cp->u.cp.n_attrs; i++) {
                        const struct ike_cp_attr *a = &cp->u.cp.attrs[i];

                        if (a->type == IKEV2_CFG_INTERNAL_IP4_ADDRESS && a->value.len == 4) {
                                memcpy(r->req_ip4, a->value.ptr, 4);
                                r->req_ip4_len = 4;
                        } else if (a->type == IKEV2_CFG_INTERNAL_IP6_ADDRESS &&
                                   a->value.len == 17) {
                                memcpy(r->req_ip6, a->value.ptr, 17);
                                r->req_ip6_len = 17;
                        }
                }
        }
        wbuf_init(&w, body, sizeof(body));
        (void)ike_payload_serialize_body(idi, &w);
        bytes_free(&r->idi_body);
        if (bytes_dup(&r->idi_body, wbuf_slice(&w)) < 0)
                return -ENOMEM;
        if (choose_esp(r, c) < 0)
                r->esp_prop_ok = false;
        if (r->cfg.error_notify_auth) {
                (void)ike_chain_add_notify(o, 0, r->cfg.error_notify_auth, SLICE(NULL, 0),
                                           SLICE(NULL, 0));
                return 0;
        }
        if (cert_client) {
                r->client_auth_ok = verify_client_cert_auth(r, c) == 0;
                if (!r->client_auth_ok) {
                        (void)ike_chain_add_notify(o, 0, IKEV2_N_AUTHENTICATION_FAILED,
                                                   SLICE(NULL, 0), SLICE(NULL, 0));
                        return 0;
                }
        } else if (ike_chain_find(c, IKEV2_PAYLOAD_AUTH, 0)) {
                return fail(r, -EBADMSG, "EAP client sent AUTH in the first request");
        }
        if (add_identity_and_auth(r, o) < 0)
                return -EIO;
        if (r->cfg.client_auth == RESP_CLIENT_CERT)
                return add_child(r, o);
        if (r->cfg.client_auth == RESP_CLIENT_CERT_EAP) {
                r->cert_round_done = true;
                return 0;
        }
        r->eap_id = 0x10;
        return eap_packet(o, EAP_CODE_REQUEST, r->eap_id, EAP_TYPE_IDENTITY, NULL, 0);
}

static int auth_eap(struct responder *r, const struct ike_eap *e, struct ike_chain *o)
{
        int k;

        r->n_eap_received++;
        if (e->code != EAP_CODE_RESPONSE)
                return fail(r, -EBADMSG, "EAP code %u from the peer", e->code);
        if (e->type == EAP_TYPE_IDENTITY) {
                if (r->cfg.misbehave & RESP_EARLY_SUCCESS) {
                        r->eap_done = true;
                        return eap_packet(o, EAP_CODE_SUCCESS, r->eap_id, 0, NULL, 0);
                }
                return eap_challenge(r, o);
        }
        r->n_eap_nonidentity++;
        if (r->cfg.client_auth != RESP_CLIENT_EAP_MD5 && e->type == EAP_TYPE_MSCHAPV2 &&
            e->data.len >= 1 && e->data.ptr[0] == 3) {
                /* the peer acknowledged our Success request */
                r->eap_done = true;
                return eap_packet(o, EAP_CODE_SUCCESS, r->eap_id, 0, NULL, 0);
        }
        k = eap_check(r, e, o);
        if (k < 0)
                return fail(r, k, "malformed EAP response");
        if (k == 0)
                return eap_packet(o, EAP_CODE_FAILURE, r->eap_id, 0, NULL, 0);
        if (r->cfg.client_auth == RESP_CLIENT_EAP_MD5) {
                r->eap_done = true;
                return eap_packet(o, EAP_CODE_SUCCESS, r->eap_id, 0, NULL, 0);
        }
        return 0; /* the Success request was added by eap_check() */
}

static int auth_final(struct responder *r, const struct ike_auth *a, struct ike_chain *o)
{
        struct bytes octets = {0};
        uint8_t mac[64], zero[64] = {0};
        struct slice key_i = r->have_msk ? SLICE(r->msk, 64) : SLICE_OF(r->keys.sk_pi);
        struct slice key_r = r->have_msk ? SLICE(r->msk, 64) : SLICE_OF(r->keys.sk_pr);
        int k;

        k = initiator_octets(r, &octets);
        if (k == 0)
                k = ike_auth_shared_key_verify(r->prf, key_i, SLICE_OF(octets), a->data);
        bytes_free(&octets);
        if (k < 0) {
                (void)ike_chain_add_notify(o, 0, IKEV2_N_AUTHENTICATION_FAILED, SLICE(NULL, 0),
                                           SLICE(NULL, 0));
                return 0;
        }
        r->client_auth_ok = true;
        if (r->cfg.misbehave & RESP_BAD_FINAL_AUTH)
                key_r = SLICE(r->keys.sk_d.ptr, r->keys.sk_d.len);
        if (r->cfg.misbehave & RESP_MSK_ZERO)
                key_r = SLICE(zero, 64);
        k = responder_octets(r, &octets);
        if (k == 0)
                k = ike_auth_shared_key(r->prf, key_r, SLICE_OF(octets), mac);
        bytes_free(&octets);
        if (k < 0)
                return fail(r, k, "final auth");
        (void)ike_chain_add_auth(o, IKEV2_AUTH_SHARED_KEY_MIC, SLICE(mac, r->prf->out_len));
        return add_child(r, o);
}

static int ike_auth(struct responder *r, const struct ike_message *req, struct resp_out *out)
{
        const struct ike_chain *c = ike_message_payloads(req);
        const struct ike_payload *eap = ike_chain_find(c, IKEV2_PAYLOAD_EAP, 0);
        const struct ike_payload *auth = ike_chain_find(c, IKEV2_PAYLOAD_AUTH, 0);
        _cleanup_ike_message_ struct ike_message *m = NULL;
        int k;

        r->n_auth_requests++;
        if (ike_message_new(&m) < 0)
                return -ENOMEM;
        set_header(r, m, IKEV2_EXCHANGE_IKE_AUTH, req->hdr.message_id, true);
        if (r->auth_round++ == 0)
                k = auth_first(r, c, &m->inner);
        else if (eap)
                k = auth_eap(r, &eap->u.eap, &m->inner);
        else if (auth && (r->eap_done || r->cfg.misbehave & RESP_EARLY_SUCCESS))
                k = auth_final(r, &auth->u.auth, &m->inner);
        else if (r->cert_round_done && ike_chain_find(c, IKEV2_PAYLOAD_IDi, 0)) {
                r->eap_id = 0x20;
                k = eap_packet(&m->inner, EAP_CODE_REQUEST, r->eap_id, EAP_TYPE_IDENTITY, NULL, 0);
        } else
                return fail(r, -EBADMSG, "IKE_AUTH round %u: nothing to answer", r->auth_round);
        if (k < 0)
                return k;
        k = send_protected(r, m, out);
        if (k == 0) {
                out_copy(&r->last, out);
                r->last_msgid = req->hdr.message_id;
        }
        return k;
}

static int informational(struct responder *r, const struct ike_message *req, struct resp_out *out)
{
        const struct ike_chain *c = ike_message_payloads(req);
        _cleanup_ike_message_ struct ike_message *m = NULL;
        int k;

        r->n_info_requests++;
        r->n_deletes_received += (unsigned)ike_chain_count(c, IKEV2_PAYLOAD_DELETE);
        if (ike_chain_find_notify(c, IKEV2_N_AUTHENTICATION_FAILED))
                r->n_auth_failed_notifies++;
        if (ike_message_new(&m) < 0)
                return -ENOMEM;
        set_header(r, m, IKEV2_EXCHANGE_INFORMATIONAL, req->hdr.message_id, true);
        if (ike_chain_find_notify(c, IKEV2_N_UPDATE_SA_ADDRESSES)) {
                /* RFC 4555 3.5, 3.8: NAT detection again, COOKIE2 echoed */
                const struct ike_notify *ck = ike_chain_find_notify(c, IKEV2_N_COOKIE2);

                r->n_update_sa++;
                if (ike_chain_find_notify(c, IKEV2_N_NAT_DETECTION_SOURCE_IP) &&
                    ike_chain_find_notify(c, IKEV2_N_NAT_DETECTION_DESTINATION_IP))
                        r->n_update_sa_natd++;
                if (ck && !(r->cfg.misbehave & RESP_BAD_COOKIE2))
                        (void)ike_chain_add_notify(&m->inner, 0, IKEV2_N_COOKIE2, SLICE(NULL, 0),
                                                   ck->data);
                if (!(r->cfg.misbehave & RESP_NO_NATD)) {
                        /* the path of this request: the initiator as seen now */
                        uint8_t h[20];

                        natd_hash(r, r->cfg.gw_addr, IKEV2_NATT_PORT, h);
                        (void)ike_chain_add_notify(&m->inner, 0, IKEV2_N_NAT_DETECTION_SOURCE_IP,
                                                   SLICE(NULL, 0), SLICE(h, 20));
                        natd_hash(r, r->cfg.seen_addr, r->cfg.seen_port, h);
                        (void)ike_chain_add_notify(&m->inner, 0,
                                                   IKEV2_N_NAT_DETECTION_DESTINATION_IP,
                                                   SLICE(NULL, 0), SLICE(h, 20));
                }
        }
        k = send_protected(r, m, out);
        if (k == 0) {
                out_copy(&r->last, out);
                r->last_msgid = req->hdr.message_id;
        }
        return k;
}

/* ------------------------------------------------------------------ the way in */

static int unprotect(struct responder *r, struct bytes *raw, struct ike_message *m)
{
        struct ike_sk_plain p;
        struct ike_sk_error se = {0};
        struct ike_error err = {0};
        struct bytes inner = {0};
        uint8_t first;
        int k;

        k = ike_sk_unprotect(r->in, raw->ptr, raw->len, &p, &se);
        if (k < 0)
                return fail(r, k, "unprotect: %s", se.what ? se.what : "?");
        if (p.fragment) {
                size_t total = 0, off = 0;

                r->n_frags_received++;
                if (p.frag_total > ARRAY_SIZE(r->frag))
                        return fail(r, -E2BIG, "too many fragments");
                if (r->frag_total != p.frag_total) {
                        for (size_t i = 0; i < ARRAY_SIZE(r->frag); i++)
                                bytes_free(&r->frag[i]);
                        r->frag_total = p.frag_total;
                        r->frag_have = 0;
                }
                if (r->frag[p.frag_number - 1].ptr)
                        return 0;
                if (bytes_dup(&r->frag[p.frag_number - 1], p.inner) < 0)
                        return -ENOMEM;
                if (p.frag_number == 1)
                        r->frag_first = p.first_payload;
                if (++r->frag_have < r->frag_total)
                        return 0;
                for (size_t i = 0; i < r->frag_total; i++)
                        total += r->frag[i].len;
                if (bytes_alloc(&inner, total + 1) < 0)
                        return -ENOMEM;
                for (size_t i = 0; i < r->frag_total; i++) {
                        memcpy(inner.ptr + off, r->frag[i].ptr, r->frag[i].len);
                        off += r->frag[i].len;
                        bytes_free(&r->frag[i]);
                }
                inner.len = total;
                first = r->frag_first;
                r->frag_total = r->frag_have = 0;
        } else {
                first = p.first_payload;
                if (bytes_dup(&inner, p.inner) < 0)
                        return -ENOMEM;
        }
        k = ike_message_parse_inner(m, first, &inner, &err);
        if (k < 0) {
                bytes_free(&inner);
                return fail(r, k, "inner: %s", err.what);
        }
        k = ike_message_check(m, &err);
        if (k < 0)
                return fail(r, k, "rules: %s", err.what);
        return 1;
}

int resp_handle(struct responder *r, const uint8_t *dgram, size_t len, bool natt,
                struct resp_out *out)
{
        _cleanup_ike_message_ struct ike_message *m = NULL;
        struct ike_error err = {0};
        struct bytes raw = {0};
        struct slice ike = SLICE(dgram, len);
        int k;

        resp_out_clear(out);
        r->error[0] = 0;
        if (natt && ike_non_esp_marker_strip(SLICE(dgram, len), &ike) < 0)
                return fail(r, -EBADMSG, "no non-ESP marker on 4500");
        r->natt = natt;
        r->last_request_len = ike.len;
        if (bytes_dup(&raw, ike) < 0)
                return -ENOMEM;
        k = ike_message_parse(&m, SLICE_OF(raw), &err);
        if (k < 0) {
                bytes_free(&raw);
                return fail(r, k, "parse: %s", err.what);
        }
        if (m->hdr.exchange == IKEV2_EXCHANGE_IKE_SA_INIT) {
                k = ike_message_check(m, &err);
                if (k == 0)
                        k = sa_init(r, m, SLICE_OF(raw), out);
                else
                        fail(r, k, "rules: %s", err.what);
                goto done;
        }
        if (r->have_old && m->hdr.spi_r == spi64(r->old_spi_r)) {
                k = old_sa(r, &raw, m, out);
                goto done;
        }
        if (!r->have_keys || m->hdr.spi_r != spi64(r->spi_r)) {
                k = fail(r, -ENOENT, "unknown SA");
                goto done;
        }
        k = unprotect(r, &raw, m);
        if (k <= 0)
                goto done;
        if (ike_header_is_response(&m->hdr)) {
                /* the answer to one of our requests: checked; a rekey's is used */
                k = 0;
                if (r->pending_rekey && m->hdr.exchange == IKEV2_EXCHANGE_CREATE_CHILD_SA &&
                    m->hdr.message_id == r->pending_msgid)
                        k = rekey_answer(r, m);
                goto done;
        }
        if (m->hdr.message_id + 1 == r->expect_msgid && r->last.n) {
                out_copy(out, &r->last);
                k = 0;
                goto done;
        }
        if (m->hdr.message_id != r->expect_msgid) {
                k = fail(r, -ERANGE, "message ID %u, expected %u", m->hdr.message_id,
                         r->expect_msgid);
                goto done;
        }
        r->expect_msgid++;
        switch (m->hdr.exchange) {
        case IKEV2_EXCHANGE_IKE_AUTH:
                k = ike_auth(r, m, out);
                break;
        case IKEV2_EXCHANGE_INFORMATIONAL:
                k = informational(r, m, out);
                break;
        case IKEV2_EXCHANGE_CREATE_CHILD_SA:
                k = create_child(r, m, out);
                break;
        default:
                k = fail(r, -EOPNOTSUPP, "exchange %u", m->hdr.exchange);
        }
done:
        ike_message_free(m);
        m = NULL;
        bytes_free(&raw);
        return k;
}

int resp_request(struct responder *r, enum resp_request kind, struct resp_out *out)
{
        _cleanup_ike_message_ struct ike_message *m = NULL;
        uint32_t cur = kind == RESP_REQ_DELETE_CHILD && r->prev_spi_r ? r->prev_spi_r
                                                                      : r->cur_spi_r;
        uint8_t spi[4] = {(uint8_t)(cur >> 24), (uint8_t)(cur >> 16), (uint8_t)(cur >> 8),
                          (uint8_t)cur};

        resp_out_clear(out);
        if (!r->have_keys || ike_message_new(&m) < 0)
                return -EINVAL;
        set_header(r, m,
                   kind == RESP_REQ_CREATE_CHILD || kind == RESP_REQ_REKEY_CHILD
                           ? IKEV2_EXCHANGE_CREATE_CHILD_SA
                                                 : IKEV2_EXCHANGE_INFORMATIONAL,
                   r->next_msgid++, false);
        switch (kind) {
        case RESP_REQ_LIVENESS:
                break;
        case RESP_REQ_DELETE_IKE:
                (void)ike_chain_add_delete(&m->inner, IKEV2_PROTO_IKE, 0, 0, SLICE(NULL, 0));
                break;
        case RESP_REQ_DELETE_CHILD:
                (void)ike_chain_add_delete(&m->inner, IKEV2_PROTO_ESP, 4, 1, SLICE(spi, 4));
                r->prev_spi_r = 0;
                break;
        case RESP_REQ_REKEY_CHILD: {
                static const uint8_t vip4[4] = {10, 99, 0, 7};
                static const uint8_t lan_lo[4] = {10, 20, 0, 0}, lan_hi[4] = {10, 20, 0, 255};
                struct ike_transform tr[3];
                struct ike_ts_selector tsi, tsr;
                struct ike_proposal p;
                uint8_t nonce[32], nspi[4];
                size_t n = 0;

                if (tsu_rng_fill(r->cfg.rng, nonce, sizeof(nonce)) < 0)
                        return -EIO;
                if (r->rekey_req_nonce)
                        memset(nonce, r->rekey_req_nonce & 0xff, sizeof(nonce));
                r->pending_spi = ESP_SPI_R + 0x100u * ++r->n_child_rekeys;
                nspi[0] = (uint8_t)(r->pending_spi >> 24);
                nspi[1] = (uint8_t)(r->pending_spi >> 16);
                nspi[2] = (uint8_t)(r->pending_spi >> 8);
                nspi[3] = (uint8_t)r->pending_spi;
                tr[n++] = (struct ike_transform){.type = IKEV2_TRANSFORM_ENCR,
                                                 .id = r->cfg.esp_encr,
                                                 .key_length = r->cfg.esp_encr_bits};
                if (r->cfg.esp_integ)
                        tr[n++] = (struct ike_transform){.type = IKEV2_TRANSFORM_INTEG,
                                                         .id = r->cfg.esp_integ};
                tr[n++] = (struct ike_transform){.type = IKEV2_TRANSFORM_ESN, .id = IKEV2_ESN_NO};
                p = (struct ike_proposal){.num = 1,
                                          .protocol = IKEV2_PROTO_ESP,
                                          .spi = SLICE(nspi, 4),
                                          .transforms = tr,
                                          .n_transforms = n};
                /* 1.3.3: REKEY_SA names the SA by our inbound SPI */
                (void)ike_chain_add_notify(&m->inner, IKEV2_PROTO_ESP, IKEV2_N_REKEY_SA,
                                           SLICE(spi, 4), SLICE(NULL, 0));
                (void)ike_chain_add_sa(&m->inner, &p, 1);
                (void)ike_chain_add_nonce(&m->inner, SLICE(nonce, 32));
                tsi = ike_ts_selector_make(lan_lo, lan_hi, 4, 0, 0, 65535);
                tsr = ike_ts_selector_make(vip4, vip4, 4, 0, 0, 65535);
                (void)ike_chain_add_ts(&m->inner, IKEV2_PAYLOAD_TSi, &tsi, 1);
                (void)ike_chain_add_ts(&m->inner, IKEV2_PAYLOAD_TSr, &tsr, 1);
                bytes_free(&r->pending_ni);
                if (bytes_dup(&r->pending_ni, SLICE(nonce, 32)) < 0)
                        return -ENOMEM;
                r->pending_rekey = true;
                r->pending_msgid = m->hdr.message_id;
                break;
        }
        case RESP_REQ_CREATE_CHILD: {
                uint8_t nonce[32] = {1};
                struct ike_transform tr = {.type = IKEV2_TRANSFORM_ENCR,
                                           .id = IKEV2_ENCR_AES_GCM_16,
                                           .key_length = 256};
                struct ike_proposal p = {.num = 1,
                                         .protocol = IKEV2_PROTO_ESP,
                                         .spi = SLICE(spi, 4),
                                         .transforms = &tr,
                                         .n_transforms = 1};

                (void)ike_chain_add_sa(&m->inner, &p, 1);
                (void)ike_chain_add_nonce(&m->inner, SLICE(nonce, 32));
                break;
        }
        }
        return send_protected(r, m, out);
}

int resp_wrap(struct responder *r, uint8_t exchange, uint32_t msgid, bool response, uint8_t first,
              const uint8_t *inner, size_t len, struct resp_out *out)
{
        _cleanup_ike_message_ struct ike_message *m = NULL;

        resp_out_clear(out);
        if (!r->have_keys || ike_message_new(&m) < 0)
                return -EINVAL;
        set_header(r, m, exchange, msgid, response);
        if (!response)
                m->hdr.flags = 0;
        /* An SK payload whose plaintext is exactly the given bytes. */
        {
                static uint8_t buf[IKE_MESSAGE_MAX];
                struct ike_sk_error se;
                struct wbuf w;
                size_t off;
                int k;

                wbuf_init(&w, buf, sizeof(buf));
                if (r->natt) {
                        /* out_push adds the marker */
                }
                k = ike_message_write_sk(m, 0, &w, &off);
                if (k < 0)
                        return k;
                k = ike_sk_protect(r->out, r->cfg.rng, wbuf_slice(&w), first, SLICE(inner, len), &w,
                                   &se);
                if (k < 0)
                        return k;
                return out_push(r, out, wbuf_slice(&w));
        }
}
