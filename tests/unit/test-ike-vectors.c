/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The IKEv2 messages of tests/vectors/ike/handmade/ (written octet by octet
 * from the RFC 7296 diagrams; see the README there), parsed field by field,
 * checked against the exchange rules and serialized back byte for byte.
 */
#include "tests/unit/ike-test.h"

#include "client/ike/ikev2.h"
#include "client/ike/rules.h"

static struct ike_message *parse_vector(const char *name, GByteArray **ret)
{
        GByteArray *b = load_vector("handmade", name);
        struct ike_message *m = NULL;
        struct ike_error err;
        struct slice ike;

        /* Files captured on port 4500 start with the non-ESP marker. */
        if (ike_udp_classify(ba_slice(b), true, &ike) != IKE_UDP_IKE)
                ike = ba_slice(b);
        if (ike_message_parse(&m, ike, &err) < 0)
                g_error("%s: %s", name, err.what);
        assert_message_bytes(m, ike.ptr, ike.len);
        *ret = b;
        return m;
}

static void assert_types(const struct ike_chain *c, const uint8_t *types, size_t n)
{
        g_assert_cmpuint(c->n, ==, n);
        for (size_t i = 0; i < n; i++)
                g_assert_cmpuint(c->items[i].type, ==, types[i]);
}

static void test_sa_init_request(void)
{
        static const uint8_t types[] = { IKEV2_PAYLOAD_SA,     IKEV2_PAYLOAD_KE,
                                         IKEV2_PAYLOAD_NONCE,  IKEV2_PAYLOAD_NOTIFY,
                                         IKEV2_PAYLOAD_NOTIFY, IKEV2_PAYLOAD_NOTIFY,
                                         IKEV2_PAYLOAD_NOTIFY, IKEV2_PAYLOAD_VENDOR };
        g_autoptr(GByteArray) b = NULL;
        _cleanup_ike_message_ struct ike_message *m = parse_vector("ike_sa_init_request.hex", &b);
        const struct ike_chain *c = ike_message_payloads(m);
        const struct ike_proposal *p;
        struct ike_error err;
        struct slice s;
        uint16_t algs[8];
        size_t n;

        g_assert_cmphex(m->hdr.spi_i, ==, 0x5a3c1f9e7702b4c1ULL);
        g_assert_cmphex(m->hdr.spi_r, ==, 0);
        g_assert_cmpuint(m->hdr.next_payload, ==, IKEV2_PAYLOAD_SA);
        g_assert_cmpuint(m->hdr.version, ==, 0x20);
        g_assert_cmpuint(m->hdr.exchange, ==, IKEV2_EXCHANGE_IKE_SA_INIT);
        g_assert_cmpuint(m->hdr.flags, ==, IKEV2_FLAG_INITIATOR);
        g_assert_cmpuint(m->hdr.message_id, ==, 0);
        g_assert_cmpuint(m->hdr.length, ==, 328);
        assert_types(c, types, G_N_ELEMENTS(types));

        g_assert_cmpuint(c->items[0].u.sa.n_proposals, ==, 2);
        p = &c->items[0].u.sa.proposals[0];
        g_assert_cmpuint(p->num, ==, 1);
        g_assert_cmpuint(p->protocol, ==, IKEV2_PROTO_IKE);
        g_assert_cmpuint(p->n_transforms, ==, 3);
        g_assert_cmpuint(p->transforms[0].type, ==, IKEV2_TRANSFORM_ENCR);
        g_assert_cmpuint(p->transforms[0].id, ==, IKEV2_ENCR_AES_GCM_16);
        g_assert_cmpuint(p->transforms[0].key_length, ==, 256);
        g_assert_cmpuint(p->transforms[1].type, ==, IKEV2_TRANSFORM_PRF);
        g_assert_cmpuint(p->transforms[1].id, ==, IKEV2_PRF_HMAC_SHA2_256);
        g_assert_cmpuint(p->transforms[2].type, ==, IKEV2_TRANSFORM_DH);
        g_assert_cmpuint(p->transforms[2].id, ==, IKEV2_DH_ECP256);
        p = &c->items[0].u.sa.proposals[1];
        g_assert_cmpuint(p->num, ==, 2);
        g_assert_cmpuint(p->n_transforms, ==, 5);
        g_assert_cmpuint(p->transforms[0].id, ==, IKEV2_ENCR_AES_CBC);
        g_assert_cmpuint(p->transforms[0].key_length, ==, 256);
        g_assert_cmpuint(p->transforms[1].type, ==, IKEV2_TRANSFORM_INTEG);
        g_assert_cmpuint(p->transforms[1].id, ==, IKEV2_INTEG_HMAC_SHA2_256_128);
        g_assert_cmpuint(p->transforms[1].key_length, ==, 0);
        g_assert_cmpuint(p->transforms[4].id, ==, IKEV2_DH_CURVE25519);

        g_assert_cmpuint(c->items[1].u.ke.group, ==, IKEV2_DH_ECP256);
        g_assert_cmpuint(c->items[1].u.ke.data.len, ==, 64);
        g_assert_cmphex(c->items[1].u.ke.data.ptr[0], ==, 0x3b);
        g_assert_cmphex(c->items[1].u.ke.data.ptr[63], ==, 0xa6);
        g_assert_cmpuint(c->items[2].u.nonce.len, ==, 32);
        g_assert_cmphex(c->items[2].u.nonce.ptr[0], ==, 0x40);

        g_assert_cmpuint(c->items[3].u.notify.type, ==, IKEV2_N_NAT_DETECTION_SOURCE_IP);
        g_assert_cmpint(ike_notify_nat_detection(&c->items[3].u.notify, &s, &err), ==, 0);
        g_assert_cmphex(s.ptr[0], ==, 0x94);
        g_assert_cmpuint(c->items[4].u.notify.type, ==, IKEV2_N_NAT_DETECTION_DESTINATION_IP);
        g_assert_cmpint(ike_notify_nat_detection(&c->items[4].u.notify, &s, &err), ==, 0);
        g_assert_cmphex(s.ptr[19], ==, 0xcb);
        g_assert_cmpuint(c->items[5].u.notify.type, ==, IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED);
        g_assert_cmpuint(c->items[5].u.notify.data.len, ==, 0);
        g_assert_cmpint(ike_notify_hash_algorithms(&c->items[6].u.notify, algs, 8, &n, &err), ==,
                        0);
        g_assert_cmpuint(n, ==, 4);
        g_assert_cmpuint(algs[0], ==, IKEV2_HASH_SHA2_256);
        g_assert_cmpuint(algs[3], ==, IKEV2_HASH_IDENTITY);
        g_assert_cmpmem(c->items[7].u.vendor.ptr, c->items[7].u.vendor.len,
                        "\x88\x2f\xe5\x6d\x6f\xd2\x0d\xbc\x22\x51\x61\x3b\x2e\xbe\x5b\xeb", 16);
        g_assert_cmpint(ike_message_check(m, &err), ==, 0);
        g_assert_null(ike_message_sk(m));
}

static void test_sa_init_response(void)
{
        static const uint8_t types[] = { IKEV2_PAYLOAD_SA,     IKEV2_PAYLOAD_KE,
                                         IKEV2_PAYLOAD_NONCE,  IKEV2_PAYLOAD_NOTIFY,
                                         IKEV2_PAYLOAD_NOTIFY, IKEV2_PAYLOAD_CERTREQ,
                                         IKEV2_PAYLOAD_NOTIFY, IKEV2_PAYLOAD_NOTIFY,
                                         IKEV2_PAYLOAD_NOTIFY };
        g_autoptr(GByteArray) b = NULL;
        _cleanup_ike_message_ struct ike_message *m = parse_vector("ike_sa_init_response.hex", &b);
        const struct ike_chain *c = &m->clear;
        const struct ike_cert *cr;
        struct ike_error err;

        g_assert_cmphex(m->hdr.spi_r, ==, 0xc40e92113da85b66ULL);
        g_assert_true(ike_header_is_response(&m->hdr));
        g_assert_false(ike_header_from_initiator(&m->hdr));
        g_assert_cmpuint(m->hdr.length, ==, 309);
        assert_types(c, types, G_N_ELEMENTS(types));
        g_assert_cmpuint(c->items[0].u.sa.n_proposals, ==, 1);
        g_assert_cmpuint(c->items[0].u.sa.proposals[0].transforms[0].key_length, ==, 256);
        g_assert_cmphex(c->items[1].u.ke.data.ptr[0], ==, 0x53);
        g_assert_cmphex(c->items[2].u.nonce.ptr[31], ==, 0xaf);
        cr = &c->items[5].u.cert;
        g_assert_cmpuint(cr->encoding, ==, IKEV2_CERT_X509_SIGNATURE);
        g_assert_cmpuint(ike_certreq_hash_count(cr), ==, 2);
        g_assert_cmphex(ike_certreq_hash(cr, 0).ptr[0], ==, 0x52);
        g_assert_cmphex(ike_certreq_hash(cr, 1).ptr[19], ==, 0xf7);
        g_assert_cmpuint(c->items[8].u.notify.type, ==, IKEV2_N_MULTIPLE_AUTH_SUPPORTED);
        g_assert_null(ike_chain_find_error_notify(c));
        g_assert_cmpint(ike_message_check(m, &err), ==, 0);
}

static void test_sa_init_errors(void)
{
        g_autoptr(GByteArray) b1 = NULL, b2 = NULL;
        _cleanup_ike_message_ struct ike_message *ke =
                parse_vector("ike_sa_init_response_invalid_ke.hex", &b1);
        _cleanup_ike_message_ struct ike_message *ck =
                parse_vector("ike_sa_init_response_cookie.hex", &b2);
        const struct ike_notify *n;
        struct ike_error err;
        struct slice cookie;
        uint16_t group;

        n = ike_chain_find_error_notify(&ke->clear);
        g_assert_nonnull(n);
        g_assert_cmpuint(n->type, ==, IKEV2_N_INVALID_KE_PAYLOAD);
        g_assert_cmpint(ike_notify_dh_group(n, &group, &err), ==, 0);
        g_assert_cmpuint(group, ==, IKEV2_DH_CURVE25519);
        g_assert_cmpint(ike_message_check(ke, &err), ==, 0);

        n = ike_chain_find_notify(&ck->clear, IKEV2_N_COOKIE);
        g_assert_nonnull(n);
        g_assert_cmpint(ike_notify_cookie(n, &cookie, &err), ==, 0);
        g_assert_cmpuint(cookie.len, ==, 32);
        g_assert_cmphex(cookie.ptr[0], ==, 0x96);
        g_assert_cmpint(ike_message_check(ck, &err), ==, 0);
}

static void test_auth_response_sk(void)
{
        g_autoptr(GByteArray) b = NULL;
        g_autoptr(GByteArray) plain = load_vector("handmade", "ike_auth_response_plain.hex");
        _cleanup_ike_message_ struct ike_message *m = parse_vector("ike_auth_response_sk.hex", &b);
        const struct ike_sk *sk = ike_message_sk(m);
        struct ike_error err;
        struct bytes owned;

        g_assert_cmpuint(b->len, ==, 124);
        g_assert_cmpuint(m->hdr.exchange, ==, IKEV2_EXCHANGE_IKE_AUTH);
        g_assert_cmpuint(m->hdr.message_id, ==, 1);
        g_assert_nonnull(sk);
        g_assert_cmpuint(sk->next, ==, IKEV2_PAYLOAD_IDr);
        g_assert_true(sk->aad.ptr == b->data + 4); /* after the marker */
        g_assert_cmpuint(sk->aad.len, ==, 32);
        g_assert_cmpuint(sk->body.len, ==, 88);
        g_assert_cmphex(sk->body.ptr[0], ==, 0x6e);
        g_assert_cmpint(ike_message_check(m, &err), ==, -EINVAL);

        /* What the SK layer would hand back: the plaintext chain. */
        g_assert_cmpint(bytes_dup(&owned, ba_slice(plain)), ==, 0);
        g_assert_cmpint(ike_message_parse_inner(m, sk->next, &owned, &err), ==, 0);
        g_assert_cmpint(ike_message_check(m, &err), ==, 0);
        g_assert_cmpuint(ike_message_payloads(m)->n, ==, 9);
}

static void test_auth_response_fragments(void)
{
        g_autoptr(GByteArray) b1 = NULL, b2 = NULL;
        _cleanup_ike_message_ struct ike_message *f1 =
                parse_vector("ike_auth_response_skf_1of2.hex", &b1);
        _cleanup_ike_message_ struct ike_message *f2 =
                parse_vector("ike_auth_response_skf_2of2.hex", &b2);
        const struct ike_sk *s1 = ike_message_sk(f1), *s2 = ike_message_sk(f2);

        g_assert_true(ike_message_is_fragment(f1));
        g_assert_true(ike_message_is_fragment(f2));
        g_assert_cmpuint(s1->next, ==, IKEV2_PAYLOAD_IDr);
        g_assert_cmpuint(s1->frag_num, ==, 1);
        g_assert_cmpuint(s1->frag_total, ==, 2);
        g_assert_cmpuint(s1->aad.len, ==, 36);
        g_assert_cmpuint(s1->body.len, ==, 72);
        g_assert_cmphex(s1->body.ptr[0], ==, 0x4c);
        g_assert_cmpuint(s2->next, ==, 0);
        g_assert_cmpuint(s2->frag_num, ==, 2);
        g_assert_cmpuint(s2->frag_total, ==, 2);
        g_assert_cmpuint(s2->body.len, ==, 40);
        g_assert_cmphex(s2->body.ptr[39], ==, 0x49);
}

static void test_auth_response_plain(void)
{
        static const uint8_t types[] = { IKEV2_PAYLOAD_IDr, IKEV2_PAYLOAD_CERT,
                                         IKEV2_PAYLOAD_AUTH, IKEV2_PAYLOAD_CP,
                                         IKEV2_PAYLOAD_SA, IKEV2_PAYLOAD_TSi,
                                         IKEV2_PAYLOAD_TSr, IKEV2_PAYLOAD_NOTIFY,
                                         IKEV2_PAYLOAD_NOTIFY };
        g_autoptr(GByteArray) b = load_vector("handmade", "ike_auth_response_plain.hex");
        struct ike_chain c;
        const struct ike_cp *cp;
        const struct ike_proposal *p;
        const struct ike_ts *ts;
        struct ike_dnssec_ta ta;
        struct ike_error err;
        struct slice alg, sig, dom;
        uint8_t a4[4], m4[4], a16[16], prefix;
        char text[64];

        g_assert_cmpuint(b->len, ==, 329);
        parse_ok(&c, IKEV2_PAYLOAD_IDr, b);
        assert_chain_bytes(&c, b->data, b->len);
        assert_types(&c, types, G_N_ELEMENTS(types));

        g_assert_cmpuint(c.items[0].u.id.type, ==, IKEV2_ID_FQDN);
        ike_id_format(&c.items[0].u.id, text, sizeof(text));
        g_assert_cmpstr(text, ==, "vpn.example.com");
        g_assert_cmpuint(c.items[1].u.cert.encoding, ==, IKEV2_CERT_X509_SIGNATURE);
        g_assert_cmpuint(c.items[1].u.cert.data.len, ==, 12);
        g_assert_cmpint(ike_auth_digital_signature(&c.items[2].u.auth, &alg, &sig, &err), ==, 0);
        g_assert_cmpuint(alg.len, ==, 15);
        g_assert_cmpmem(alg.ptr, 4, "\x30\x0d\x06\x09", 4);
        g_assert_cmpuint(sig.len, ==, 16);
        g_assert_cmphex(sig.ptr[15], ==, 0xb0);

        cp = &c.items[3].u.cp;
        g_assert_cmpuint(cp->cfg_type, ==, IKEV2_CFG_REPLY);
        g_assert_cmpuint(cp->n_attrs, ==, 7);
        g_assert_cmpint(ike_cp_attr_ip4(&cp->attrs[0], a4), ==, 0);
        g_assert_cmpmem(a4, 4, "\x0a\x0a\x00\x02", 4);
        g_assert_cmpuint(cp->attrs[1].type, ==, IKEV2_CFG_INTERNAL_IP4_DNS);
        g_assert_cmpint(ike_cp_attr_ip4(&cp->attrs[1], a4), ==, 0);
        g_assert_cmpmem(a4, 4, "\x0a\x0a\x00\x01", 4);
        g_assert_cmpint(ike_cp_attr_ip6(&cp->attrs[2], a16, &prefix), ==, 0);
        g_assert_cmpuint(prefix, ==, 64);
        g_assert_cmphex(a16[15], ==, 2);
        g_assert_cmpint(ike_cp_attr_ip6(&cp->attrs[3], a16, &prefix), ==, 0);
        g_assert_cmpuint(prefix, ==, 128);
        g_assert_cmpint(ike_cp_attr_ip4_subnet(&cp->attrs[4], a4, m4), ==, 0);
        g_assert_cmpmem(m4, 4, "\xff\xff\x00\x00", 4);
        g_assert_cmpint(ike_cp_attr_dns_domain(&cp->attrs[5], &dom), ==, 0);
        g_assert_cmpmem(dom.ptr, dom.len, "corp.example", 12);
        g_assert_cmpint(ike_cp_attr_dnssec_ta(&cp->attrs[6], &ta), ==, 0);
        g_assert_cmpuint(ta.key_tag, ==, 58629);
        g_assert_cmpuint(ta.algorithm, ==, 8);
        g_assert_cmpuint(ta.digest_type, ==, 2);
        g_assert_cmpmem(ta.digest.ptr, ta.digest.len, "\xde\xad\xbe\xef", 4);

        p = &c.items[4].u.sa.proposals[0];
        g_assert_cmpuint(p->protocol, ==, IKEV2_PROTO_ESP);
        g_assert_cmpmem(p->spi.ptr, p->spi.len, "\xc1\xa2\xb3\xd4", 4);
        g_assert_cmpuint(p->transforms[0].key_length, ==, 256);
        g_assert_cmpuint(p->transforms[1].type, ==, IKEV2_TRANSFORM_ESN);
        g_assert_cmpuint(p->transforms[1].id, ==, IKEV2_ESN_NO);

        ts = &c.items[5].u.ts;
        g_assert_cmpuint(ts->n, ==, 1);
        g_assert_cmpmem(ts->sel[0].start, 4, "\x0a\x0a\x00\x02", 4);
        g_assert_cmpmem(ts->sel[0].end, 4, "\x0a\x0a\x00\x02", 4);
        ts = &c.items[6].u.ts;
        g_assert_cmpuint(ts->n, ==, 2);
        g_assert_cmpuint(ts->sel[0].type, ==, IKEV2_TS_IPV4_ADDR_RANGE);
        g_assert_cmpmem(ts->sel[0].end, 4, "\xff\xff\xff\xff", 4);
        g_assert_cmpuint(ts->sel[1].type, ==, IKEV2_TS_IPV6_ADDR_RANGE);
        g_assert_cmphex(ts->sel[1].start[0], ==, 0);
        g_assert_cmphex(ts->sel[1].end[15], ==, 0xff);
        g_assert_cmpuint(ts->sel[1].end_port, ==, 65535);

        g_assert_cmpuint(c.items[7].u.notify.type, ==, IKEV2_N_AUTH_LIFETIME);
        g_assert_cmpmem(c.items[7].u.notify.data.ptr, 4, "\x00\x00\x0e\x10", 4);
        g_assert_cmpuint(c.items[8].u.notify.type, ==, IKEV2_N_MOBIKE_SUPPORTED);
        ike_chain_clear(&c);
}

int main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/ike/vectors/handmade/sa-init-request", test_sa_init_request);
        g_test_add_func("/ike/vectors/handmade/sa-init-response", test_sa_init_response);
        g_test_add_func("/ike/vectors/handmade/sa-init-errors", test_sa_init_errors);
        g_test_add_func("/ike/vectors/handmade/auth-response-sk", test_auth_response_sk);
        g_test_add_func("/ike/vectors/handmade/auth-response-fragments",
                        test_auth_response_fragments);
        g_test_add_func("/ike/vectors/handmade/auth-response-plain", test_auth_response_plain);
        return g_test_run();
}
