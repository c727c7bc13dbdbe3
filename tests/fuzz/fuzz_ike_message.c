/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the IKEv2 codec (client/ike/): everything a peer can
 * send to UDP 500/4500.
 *
 * Each input is used as
 *  - a datagram on port 500 and on port 4500 (non-ESP marker demultiplexing);
 *  - a whole message: parse, then serialize and abort unless the bytes are
 *    identical; the rule check, every typed accessor and the log helpers run
 *    on what parsed; the SK body is fed back as if it were the decrypted
 *    payload chain;
 *  - a payload chain: the bytes after a 28-octet header, from each plausible
 *    first payload type, and the whole input from the type in its first
 *    octet; the same round-trip check.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/common/wbuf.h"
#include "client/ike/ikev2-names.h"
#include "client/ike/message.h"
#include "client/ike/payload.h"
#include "client/ike/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_same(const char *what, const uint8_t *want, size_t want_len,
                       const uint8_t *got, size_t got_len)
{
        if (want_len != got_len || (want_len && memcmp(want, got, want_len) != 0)) {
                fprintf(stderr, "%s: round trip changed the bytes (%zu -> %zu)\n", what,
                        want_len, got_len);
                abort();
        }
}

static void exercise_payload(const struct ike_payload *p)
{
        char buf[IKEV2_NAME_BUF], text[96];
        struct ike_error err;

        (void)ikev2_payload_name(p->type, buf);
        switch (p->type) {
        case IKEV2_PAYLOAD_SA:
                for (size_t i = 0; i < p->u.sa.n_proposals; i++) {
                        const struct ike_proposal *prop = &p->u.sa.proposals[i];

                        (void)ikev2_protocol_name(prop->protocol, buf);
                        (void)ike_proposal_find_transform(prop, IKEV2_TRANSFORM_ENCR);
                        for (size_t j = 0; j < prop->n_transforms; j++) {
                                (void)ikev2_transform_type_name(prop->transforms[j].type, buf);
                                (void)ikev2_transform_id_name(prop->transforms[j].type,
                                                              prop->transforms[j].id, buf);
                        }
                }
                break;
        case IKEV2_PAYLOAD_KE:
                (void)ikev2_dh_name(p->u.ke.group, buf);
                break;
        case IKEV2_PAYLOAD_IDi:
        case IKEV2_PAYLOAD_IDr:
                (void)ikev2_id_type_name(p->u.id.type, buf);
                ike_id_format(&p->u.id, text, sizeof(text));
                ike_id_format(&p->u.id, text, 9);
                break;
        case IKEV2_PAYLOAD_CERT:
        case IKEV2_PAYLOAD_CERTREQ:
                (void)ikev2_cert_encoding_name(p->u.cert.encoding, buf);
                for (size_t i = 0; i < ike_certreq_hash_count(&p->u.cert); i++)
                        if (ike_certreq_hash(&p->u.cert, i).len != IKE_CERTREQ_HASH_LEN)
                                abort();
                break;
        case IKEV2_PAYLOAD_AUTH: {
                struct slice alg, sig;

                (void)ikev2_auth_method_name(p->u.auth.method, buf);
                if (ike_auth_digital_signature(&p->u.auth, &alg, &sig, &err) == 0 &&
                    alg.len + sig.len + 1 != p->u.auth.data.len)
                        abort();
                break;
        }
        case IKEV2_PAYLOAD_NOTIFY: {
                const struct ike_notify *n = &p->u.notify;
                struct ike_redirect rd;
                struct slice s;
                uint16_t v, algs[4];
                size_t count;

                (void)ikev2_notify_name(n->type, buf);
                (void)ike_notify_dh_group(n, &v, &err);
                (void)ike_notify_nat_detection(n, &s, &err);
                (void)ike_notify_cookie(n, &s, &err);
                (void)ike_notify_hash_algorithms(n, algs, 4, &count, &err);
                (void)ike_notify_redirect(n, &rd, &err);
                break;
        }
        case IKEV2_PAYLOAD_DELETE:
                for (size_t i = 0; i < p->u.del.n_spis; i++)
                        (void)ike_delete_spi32(&p->u.del, i);
                break;
        case IKEV2_PAYLOAD_TSi:
        case IKEV2_PAYLOAD_TSr:
                for (size_t i = 0; i < p->u.ts.n; i++) {
                        (void)ikev2_ts_type_name(p->u.ts.sel[i].type, buf);
                        (void)ike_ts_addr_len(&p->u.ts.sel[i]);
                }
                break;
        case IKEV2_PAYLOAD_CP:
                (void)ikev2_cfg_type_name(p->u.cp.cfg_type, buf);
                for (size_t i = 0; i < p->u.cp.n_attrs; i++) {
                        const struct ike_cp_attr *a = &p->u.cp.attrs[i];
                        struct ike_dnssec_ta ta;
                        uint8_t addr[16], mask[4], prefix;
                        struct slice dom;

                        (void)ikev2_cfg_attr_name(a->type, buf);
                        (void)ike_cp_attr_ip4(a, addr);
                        (void)ike_cp_attr_ip6(a, addr, &prefix);
                        (void)ike_cp_attr_ip4_subnet(a, addr, mask);
                        (void)ike_cp_attr_dns_domain(a, &dom);
                        (void)ike_cp_attr_dnssec_ta(a, &ta);
                }
                break;
        case IKEV2_PAYLOAD_EAP:
                (void)eap_code_name(p->u.eap.code, buf);
                (void)eap_type_name(p->u.eap.type, buf);
                break;
        default:
                break;
        }
}

static void exercise_chain(const struct ike_chain *c)
{
        for (size_t i = 0; i < c->n; i++)
                exercise_payload(&c->items[i]);
        (void)ike_chain_find_error_notify(c);
        (void)ike_chain_find_notify(c, IKEV2_N_COOKIE);
        (void)ike_chain_count(c, IKEV2_PAYLOAD_NOTIFY);
}

/* Parses bytes as a chain from `first` and checks the round trip. */
static void chain_round_trip(uint8_t first, const uint8_t *data, size_t size, unsigned flags)
{
        struct ike_chain c = IKE_CHAIN_INIT;
        struct ike_error err;
        struct wbuf w;
        uint8_t *out;

        if (ike_chain_parse(&c, first, SLICE(data, size), 0, flags, &err) < 0) {
                if (err.what[0] == '\0' || err.code >= 0)
                        abort(); /* every failure must say what and why */
                return;
        }
        if (ike_chain_first_type(&c) != first)
                abort();
        out = malloc(size ? size : 1);
        if (!out)
                abort();
        wbuf_init(&w, out, size);
        if (ike_chain_serialize(&c, &w) < 0)
                abort();
        check_same("chain", data, size, out, wbuf_len(&w));
        exercise_chain(&c);
        free(out);
        ike_chain_clear(&c);
}

static void message_round_trip(const uint8_t *data, size_t size)
{
        _cleanup_ike_message_ struct ike_message *m = NULL;
        const struct ike_sk *sk;
        struct ike_error err;
        struct wbuf w;
        uint8_t *out;

        if (ike_message_parse(&m, SLICE(data, size), &err) < 0) {
                if (err.what[0] == '\0' || err.code >= 0)
                        abort();
                return;
        }
        out = malloc(size);
        if (!out)
                abort();
        wbuf_init(&w, out, size);
        if (ike_message_serialize(m, &w) < 0)
                abort();
        check_same("message", data, size, out, wbuf_len(&w));
        free(out);
        exercise_chain(&m->clear);
        (void)ike_message_check(m, &err);
        (void)ikev2_exchange_name(m->hdr.exchange, IKEV2_NAME_TMP);

        /* Pretend the SK body is its plaintext: the inner chain parser and the
         * rule check on decrypted messages get hostile bytes too. */
        sk = ike_message_sk(m);
        if (sk) {
                struct bytes plain;

                if (sk->aad.len + sk->body.len != size ||
                    (sk->aad.len && sk->aad.ptr != data))
                        abort();
                if (bytes_dup(&plain, sk->body) < 0)
                        abort();
                if (ike_message_parse_inner(m, sk->next, &plain, &err) == 0) {
                        const struct ike_chain *c = ike_message_payloads(m);

                        out = malloc(sk->body.len ? sk->body.len : 1);
                        if (!out)
                                abort();
                        wbuf_init(&w, out, sk->body.len);
                        if (c != &m->inner || ike_chain_serialize(c, &w) < 0)
                                abort();
                        check_same("inner chain", sk->body.ptr, sk->body.len, out,
                                   wbuf_len(&w));
                        free(out);
                        exercise_chain(c);
                        (void)ike_message_check(m, &err);
                } else {
                        bytes_free(&plain);
                }
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const uint8_t firsts[] = {
                IKEV2_PAYLOAD_SA,     IKEV2_PAYLOAD_KE,      IKEV2_PAYLOAD_IDi,
                IKEV2_PAYLOAD_CERT,   IKEV2_PAYLOAD_CERTREQ, IKEV2_PAYLOAD_AUTH,
                IKEV2_PAYLOAD_NONCE,  IKEV2_PAYLOAD_NOTIFY,  IKEV2_PAYLOAD_DELETE,
                IKEV2_PAYLOAD_VENDOR, IKEV2_PAYLOAD_TSi,     IKEV2_PAYLOAD_SK,
                IKEV2_PAYLOAD_CP,     IKEV2_PAYLOAD_EAP,     IKEV2_PAYLOAD_SKF,
        };
        struct slice ike;

        if (size > IKE_MESSAGE_MAX + IKEV2_NON_ESP_MARKER_LEN)
                return 0;

        /* Port 500: the datagram is the message. */
        message_round_trip(data, size);
        /* Port 4500: marker, keepalive or ESP. */
        if (ike_udp_classify(SLICE(data, size), true, &ike) == IKE_UDP_IKE) {
                if (ike.ptr != data + IKEV2_NON_ESP_MARKER_LEN)
                        abort();
                message_round_trip(ike.ptr, ike.len);
        }
        (void)ike_is_natt_keepalive(SLICE(data, size));

        /* The whole input as a chain from the type in its first octet. */
        if (size >= 1) {
                chain_round_trip(data[0], data + 1, size - 1, 0);
                chain_round_trip(data[0], data + 1, size - 1, IKE_CHAIN_INNER);
        }
        /* The body after a header, from each plausible first type. */
        if (size >= IKEV2_HEADER_LEN)
                for (size_t i = 0; i < sizeof(firsts); i++)
                        chain_round_trip(firsts[i], data + IKEV2_HEADER_LEN,
                                         size - IKEV2_HEADER_LEN, 0);
        return 0;
}
