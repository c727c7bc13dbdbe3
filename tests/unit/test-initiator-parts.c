/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The initiator's parts: what the gateway chose (proposals it may not
 * choose), what it assigned (configuration that must be refused), NAT
 * detection, RFC 5998, identities from profile strings, ranges to
 * prefixes, and the reassembly of fragments (RFC 7383) with its limits.
 */
#include <arpa/inet.h>
#include <string.h>

#include "client/ike/ikev2.h"
#include "client/ike/initiator-internal.h"
#include "tests/unit/initiator-harness.h"

/* ------------------------------------------------------------------ proposals */

struct choice_case {
        const char *name;
        unsigned misbehave;
        const char *text;
};

static const struct choice_case choice_cases[] = {
        {"unoffered-transform", RESP_CHOOSE_UNOFFERED,
         "invalid choice of the gateway: the gateway chose aes256ctr, which we did not offer in "
         "proposal 1"},
        {"missing-dh", RESP_OMIT_DH, "has no key exchange (DH) method"},
        {"two-proposals", RESP_TWO_PROPOSALS,
         "the gateway chose 2 proposals (must be exactly one)"},
        {"dh-not-our-ke", RESP_DH_MISMATCH, "chose key exchange MODP2048 but did not ask us"},
        {"esp-unoffered", RESP_ESP_UNOFFERED,
         "invalid ESP choice of the gateway: the gateway chose camellia256"},
};

static void test_choice(gconstpointer data)
{
        const struct choice_case *tc = data;
        struct harness h;

        h_init(&h, H_EAP_MSCHAPV2);
        h.rcfg.misbehave = tc->misbehave;
        h_start(&h);
        h_assert_failed(&h, IKE_FAIL_PROPOSAL_INVALID, tc->text);
        /* the text lists both sides */
        if (!(tc->misbehave & RESP_DH_MISMATCH)) {
                g_assert_nonnull(strstr(h.failure.text, "it chose: "));
                g_assert_nonnull(strstr(h.failure.text, "we offered: "));
        }
        h_free(&h);
}

/* A strict profile list: the gateway's AES-GCM-256 is not in it. */
static void test_strict_list_refuses(void)
{
        struct harness h;
        struct proposal_error err;

        h_init(&h, H_EAP_MSCHAPV2);
        g_assert_cmpint(
                proposal_list_parse("aes128gcm16-prfsha256-ecp384!", PROPOSAL_IKE, &h.ike, &err),
                ==, 0);
        h_start(&h);
        /* the responder finds nothing it likes */
        h_assert_failed(&h, IKE_FAIL_PROPOSALS, "we offered: aes128gcm16-prfsha256-ecp384");
        h_free(&h);
}

/* ESP proposals with PFS groups go to IKE_AUTH without them. */
static void test_esp_dh_stripped(void)
{
        struct harness h;
        struct proposal_error err;

        h_init(&h, H_CERT);
        g_assert_cmpint(proposal_list_parse("aes256gcm16-ecp256, aes256gcm16, chacha20poly1305-"
                                            "curve25519!",
                                            PROPOSAL_ESP, &h.esp, &err),
                        ==, 0);
        h_start(&h);
        g_assert_true(h.installed);
        /* "aes256gcm16-ecp256" and "aes256gcm16" become one proposal */
        g_assert_cmpuint(h.resp.esp_prop_num, ==, 1);
        h_free(&h);
}

/* ------------------------------------------------------------------ configuration */

struct cp_case {
        const char *name;
        struct resp_cp_attr attrs[4];
        size_t n;
        bool ok;         /* still established */
        const char *log; /* the refusal */
};

#define A4(t, a, b, c, d)                                      \
        {                                                      \
                .type = (t), .len = 4, .value = { a, b, c, d } \
        }
static const struct cp_case cp_cases[] = {
        {"ip4-zero",
         {A4(IKEV2_CFG_INTERNAL_IP4_ADDRESS, 0, 0, 0, 0)},
         1,
         false,
         "refusing virtual IPv4 address 0.0.0.0 from the gateway: an address in 0.0.0.0/8"},
        {"ip4-multicast",
         {A4(IKEV2_CFG_INTERNAL_IP4_ADDRESS, 224, 0, 0, 1)},
         1,
         false,
         "refusing virtual IPv4 address 224.0.0.1 from the gateway: a multicast address"},
        {"ip4-loopback",
         {A4(IKEV2_CFG_INTERNAL_IP4_ADDRESS, 127, 0, 0, 1)},
         1,
         false,
         "a loopback address"},
        {"ip4-broadcast",
         {A4(IKEV2_CFG_INTERNAL_IP4_ADDRESS, 255, 255, 255, 255)},
         1,
         false,
         "a reserved or broadcast address"},
        {"ip4-gateway",
         {A4(IKEV2_CFG_INTERNAL_IP4_ADDRESS, 192, 0, 2, 1)},
         1,
         false,
         "refusing virtual IPv4 address 192.0.2.1 from the gateway: the gateway's own address"},
        {"dns-zero",
         {A4(IKEV2_CFG_INTERNAL_IP4_ADDRESS, 10, 99, 0, 9),
          A4(IKEV2_CFG_INTERNAL_IP4_DNS, 0, 0, 0, 0)},
         2,
         true,
         "refusing DNS server 0.0.0.0 from the gateway"},
        {"dns-multicast",
         {A4(IKEV2_CFG_INTERNAL_IP4_ADDRESS, 10, 99, 0, 9),
          A4(IKEV2_CFG_INTERNAL_IP4_DNS, 239, 1, 1, 1)},
         2,
         true,
         "refusing DNS server 239.1.1.1 from the gateway: a multicast address"},
        {"dns-loopback",
         {A4(IKEV2_CFG_INTERNAL_IP4_ADDRESS, 10, 99, 0, 9),
          A4(IKEV2_CFG_INTERNAL_IP4_DNS, 127, 0, 0, 53)},
         2,
         true,
         "refusing DNS server 127.0.0.53 from the gateway: a loopback address"},
        {"domain-control-char",
         {A4(IKEV2_CFG_INTERNAL_IP4_ADDRESS, 10, 99, 0, 9),
          {.type = IKEV2_CFG_INTERNAL_DNS_DOMAIN,
           .len = 9,
           .value = {'c', 'o', 'r', 'p', '\n', 't', 'e', 's', 't'}}},
         2,
         true,
         "refusing a DNS domain from the gateway: not a plain DNS name"},
        {"domain-space",
         {A4(IKEV2_CFG_INTERNAL_IP4_ADDRESS, 10, 99, 0, 9),
          {.type = IKEV2_CFG_INTERNAL_DNS_DOMAIN, .len = 5, .value = {'a', ' ', 'b', 'c', 'd'}}},
         2,
         true,
         "not a plain DNS name"},
        {"ip6-multicast",
         {{.type = IKEV2_CFG_INTERNAL_IP6_ADDRESS,
           .len = 17,
           .value = {0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 128}}},
         1,
         false,
         "refusing virtual IPv6 address ff02::1 from the gateway: a multicast address"},
        {"nothing", {A4(IKEV2_CFG_INTERNAL_IP4_DNS, 10, 20, 0, 10)}, 1, false, NULL},
};

static void test_cp(gconstpointer data)
{
        const struct cp_case *tc = data;
        struct harness h;

        h_init(&h, H_EAP_MSCHAPV2);
        memcpy(h.rcfg.cp, tc->attrs, sizeof(tc->attrs));
        h.rcfg.n_cp = tc->n;
        h_start(&h);
        if (tc->log)
                h_assert_log(&h, tc->log);
        if (tc->ok) {
                g_assert_true(h.installed);
                g_assert_true(h.configured);
                g_assert_cmpmem(h.net.ip4, 4, ((uint8_t[]){10, 99, 0, 9}), 4);
                g_assert_cmpuint(h.net.n_dns, ==, 0);
                g_assert_cmpuint(h.net.n_domains, ==, 0);
        } else {
                h_assert_failed(&h, IKE_FAIL_CONFIG, "assigned no usable virtual IP address");
                g_assert_false(h.configured);
        }
        h_free(&h);
}

/* ------------------------------------------------------------------ NAT, RFC 5998 */

static void test_no_nat(void)
{
        struct harness h;
        struct ike_sa_info info;

        h_init(&h, H_EAP_MSCHAPV2);
        memcpy(h.rcfg.seen_addr, h.icfg.local.addr, 4);
        h.rcfg.seen_port = 500;
        h_start(&h);
        g_assert_true(h.installed);
        ike_initiator_info(h.ini, &info);
        g_assert_false(info.nat_local);
        g_assert_false(info.nat_remote);
        h_assert_log(&h, "no NAT detected; forcing UDP encapsulation on port 4500");
        h_free(&h);

        /* kernel-libipsec's gateway fakes its own hash */
        h_init(&h, H_EAP_MSCHAPV2);
        memcpy(h.rcfg.seen_addr, h.icfg.local.addr, 4);
        h.rcfg.seen_port = 500;
        h.rcfg.misbehave = RESP_FAKE_NATD_SRC;
        h_start(&h);
        ike_initiator_info(h.ini, &info);
        g_assert_false(info.nat_local);
        g_assert_true(info.nat_remote);
        h_free(&h);

        h_init(&h, H_EAP_MSCHAPV2);
        h.rcfg.misbehave = RESP_NO_NATD;
        h_start(&h);
        g_assert_true(h.installed);
        h_assert_log(&h, "the gateway sent no NAT detection");
        h_free(&h);
}

/* Our own NAT_DETECTION_SOURCE_IP never matches our address
 * (forceencaps); the destination one is the gateway's. */
static void test_natd_sent(void)
{
        struct harness h;
        struct ike_message *m = NULL;
        struct ike_error err;
        const struct h_dgram *d;
        const struct ike_notify *n;
        uint8_t zero[8] = {0}, mine[20], gw[20], spi[8];

        h_init(&h, H_EAP_MSCHAPV2);
        h.hold = true;
        h_start(&h);
        d = g_ptr_array_index(h.sent, 0);
        g_assert_cmpint(ike_message_parse(&m, SLICE_OF(d->b), &err), ==, 0);
        memcpy(spi, d->b.ptr, 8);
        g_assert_cmpint(ike_natd_hash(spi, zero, SLICE(h.icfg.local.addr, 4), 500, mine), ==, 0);
        g_assert_cmpint(ike_natd_hash(spi, zero, SLICE(h.icfg.remote.addr, 4), 500, gw), ==, 0);
        n = ike_chain_find_notify(&m->clear, IKEV2_N_NAT_DETECTION_SOURCE_IP);
        g_assert_nonnull(n);
        g_assert_cmpuint(n->data.len, ==, 20);
        g_assert_true(memcmp(n->data.ptr, mine, 20) != 0);
        n = ike_chain_find_notify(&m->clear, IKEV2_N_NAT_DETECTION_DESTINATION_IP);
        g_assert_nonnull(n);
        g_assert_cmpmem(n->data.ptr, n->data.len, gw, 20);
        g_assert_nonnull(ike_chain_find_notify(&m->clear, IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED));
        g_assert_nonnull(ike_chain_find_notify(&m->clear, IKEV2_N_SIGNATURE_HASH_ALGORITHMS));
        g_assert_nonnull(ike_chain_find_notify(&m->clear, IKEV2_N_REDIRECT_SUPPORTED));
        g_assert_cmpuint(ike_chain_find(&m->clear, IKEV2_PAYLOAD_NONCE, 0)->u.nonce.len, ==, 32);
        g_assert_cmpuint(ike_chain_find(&m->clear, IKEV2_PAYLOAD_KE, 0)->u.ke.group, ==,
                         IKEV2_DH_CURVE25519);
        ike_message_free(m);
        h_free(&h);
}

static void test_eap_only(void)
{
        struct harness h;

        /* Not allowed: a gateway without AUTH is refused (see the errors test). */
        h_init(&h, H_EAP_MSCHAPV2);
        h.icfg.allow_eap_only = true;
        h.rcfg.misbehave = RESP_NO_AUTH | RESP_NO_CERT;
        h_start(&h);
        g_assert_true(h.installed);
        h_assert_log(&h, "EAP-only authentication (RFC 5998)");
        h_free(&h);

        /* ... but the final AUTH over the MSK must verify */
        h_init(&h, H_EAP_MSCHAPV2);
        h.icfg.allow_eap_only = true;
        h.rcfg.misbehave = RESP_NO_AUTH | RESP_NO_CERT | RESP_MSK_ZERO;
        h_start(&h);
        h_assert_failed(&h, IKE_FAIL_GATEWAY_AUTH, "does not hold the key EAP established");
        h_free(&h);

        /* and EAP-MD5 (no key, not mutual) never qualifies */
        h_init(&h, H_EAP_MD5);
        h.icfg.allow_eap_only = true;
        h.rcfg.misbehave = RESP_NO_AUTH | RESP_NO_CERT;
        h_start(&h);
        h_assert_failed(&h, IKE_FAIL_GATEWAY_AUTH, "did not authenticate itself");
        g_assert_cmpuint(h.resp.n_eap_received, ==, 0);
        h_free(&h);
}

/* ------------------------------------------------------------------ identities */

static void test_identity_parse(void)
{
        static const struct {
                const char *in;
                uint8_t type;
                const char *out;
        } ok[] = {
                {"192.0.2.1", IKEV2_ID_IPV4_ADDR, "192.0.2.1"},
                {"2001:db8::1", IKEV2_ID_IPV6_ADDR, "2001:db8::1"},
                {"vpn.example.com", IKEV2_ID_FQDN, "vpn.example.com"},
                {"@vpn", IKEV2_ID_FQDN, "vpn"},
                {"alice@example.com", IKEV2_ID_RFC822_ADDR, "alice@example.com"},
                {"@@alice", IKEV2_ID_RFC822_ADDR, "alice"},
                {"@#0aFF", IKEV2_ID_KEY_ID, NULL},
                {"CN=vpn.example.com, O=Example\\, Inc.", IKEV2_ID_DER_ASN1_DN,
                 "CN=vpn.example.com,O=Example\\, Inc."},
                {"/C=JP/O=Example/CN=vpn", IKEV2_ID_DER_ASN1_DN, "C=JP,O=Example,CN=vpn"},
        };
        static const char *const bad[] = {"", "@", "@#", "@#abc", "@#zz", "CN=", "FOO=bar", "a\tb"};
        struct ike_identity id, id2;
        const char *why;
        char buf[256];

        for (size_t i = 0; i < G_N_ELEMENTS(ok); i++) {
                g_assert_cmpint(ike_identity_parse(ok[i].in, &id, &why), ==, 0);
                g_assert_cmpuint(id.type, ==, ok[i].type);
                ike_identity_format(&id, buf, sizeof(buf));
                if (ok[i].out)
                        g_assert_cmpstr(buf, ==, ok[i].out);
        }
        g_assert_cmpint(ike_identity_parse("@#0aFF", &id, &why), ==, 0);
        g_assert_cmpmem(id.data, id.len, "\x0a\xff", 2);
        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                why = NULL;
                if (ike_identity_parse(bad[i], &id, &why) == 0)
                        g_error("\"%s\" parsed", bad[i]);
                g_assert_nonnull(why);
        }
        /* FQDNs compare without case; DNs by content */
        g_assert_cmpint(ike_identity_parse("VPN.Example.com", &id, &why), ==, 0);
        g_assert_cmpint(ike_identity_parse("vpn.example.COM", &id2, &why), ==, 0);
        g_assert_true(ike_identity_eq(&id, &id2));
        g_assert_cmpint(ike_identity_parse("CN=A,O=B", &id, &why), ==, 0);
        g_assert_cmpint(ike_identity_parse("/CN=a/O=b", &id2, &why), ==, 0);
        g_assert_true(ike_identity_eq(&id, &id2));
        g_assert_cmpint(ike_identity_parse("CN=A,O=C", &id2, &why), ==, 0);
        g_assert_false(ike_identity_eq(&id, &id2));
        g_assert_cmpint(ike_identity_parse("a@b", &id2, &why), ==, 0);
        g_assert_false(ike_identity_eq(&id, &id2));
}

/* ------------------------------------------------------------------ prefixes */

static void check_range(const char *lo, const char *hi, const char *const *want, size_t n)
{
        struct ike_prefix out[64];
        uint8_t a[16], b[16];
        int af = strchr(lo, ':') ? AF_INET6 : AF_INET;
        size_t len = af == AF_INET ? 4 : 16;
        int k;

        g_assert_cmpint(inet_pton(af, lo, a), ==, 1);
        g_assert_cmpint(inet_pton(af, hi, b), ==, 1);
        k = ike_range_to_prefixes(a, b, len, out, G_N_ELEMENTS(out));
        g_assert_cmpint(k, ==, (int)n);
        for (size_t i = 0; i < n; i++) {
                char t[64], s[80];

                inet_ntop(af, out[i].addr, t, sizeof(t));
                g_snprintf(s, sizeof(s), "%s/%u", t, out[i].prefixlen);
                g_assert_cmpstr(s, ==, want[i]);
        }
}

static void test_range_to_prefixes(void)
{
        struct ike_prefix out[2];
        uint8_t lo[4] = {10, 0, 0, 1}, hi[4] = {10, 0, 0, 6};

        check_range("0.0.0.0", "255.255.255.255", (const char *const[]){"0.0.0.0/0"}, 1);
        check_range("10.20.0.0", "10.20.0.255", (const char *const[]){"10.20.0.0/24"}, 1);
        check_range("10.99.0.7", "10.99.0.7", (const char *const[]){"10.99.0.7/32"}, 1);
        check_range(
                "10.0.0.1", "10.0.0.6",
                (const char *const[]){"10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/31", "10.0.0.6/32"},
                4);
        check_range("255.255.255.254", "255.255.255.255",
                    (const char *const[]){"255.255.255.254/31"}, 1);
        check_range("::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", (const char *const[]){"::/0"},
                    1);
        check_range("fd00:20::", "fd00:20::ffff:ffff:ffff:ffff",
                    (const char *const[]){"fd00:20::/64"}, 1);
        check_range("10.0.0.2", "10.0.0.1", NULL, 0);
        g_assert_cmpint(ike_range_to_prefixes(lo, hi, 4, out, 2), ==, -E2BIG);
        g_assert_cmpint(ike_range_to_prefixes(lo, hi, 5, out, 2), ==, -EINVAL);
}

/* ------------------------------------------------------------------ reassembly */

static void test_reassembly(void)
{
        struct harness h;
        struct ike_initiator *ini;
        struct ike_header hdr = {
                .exchange = IKEV2_EXCHANGE_IKE_AUTH, .flags = IKEV2_FLAG_RESPONSE, .message_id = 1};
        struct bytes whole = {0};
        const char *why = NULL;
        uint8_t first = 0;

        h_init(&h, H_EAP_MSCHAPV2);
        g_assert_cmpint(ike_initiator_new(&h.icfg, &h.ini, &why), ==, 0);
        ini = h.ini;

        /* out of order, a duplicate ignored */
        g_assert_cmpint(ini_frag_add(ini, &hdr, 2, 3, 0, SLICE("bb", 2), &whole, &first, &why), ==,
                        0);
        g_assert_cmpint(ini_frag_add(ini, &hdr, 2, 3, 0, SLICE("XX", 2), &whole, &first, &why), ==,
                        -EALREADY);
        g_assert_cmpstr(why, ==, "duplicate fragment");
        g_assert_cmpint(ini_frag_add(ini, &hdr, 3, 3, 0, SLICE("c", 1), &whole, &first, &why), ==,
                        0);
        /* fewer fragments than before: dropped */
        g_assert_cmpint(ini_frag_add(ini, &hdr, 1, 2, IKEV2_PAYLOAD_IDr, SLICE("a", 1), &whole,
                                     &first, &why),
                        ==, -EBADMSG);
        g_assert_cmpstr(why, ==, "Total Fragments smaller than in earlier fragments");
        /* fragment 1 must name the first payload */
        g_assert_cmpint(ini_frag_add(ini, &hdr, 1, 3, 0, SLICE("a", 1), &whole, &first, &why), ==,
                        -EBADMSG);
        g_assert_cmpint(ini_frag_add(ini, &hdr, 1, 3, IKEV2_PAYLOAD_IDr, SLICE("aa", 2), &whole,
                                     &first, &why),
                        ==, 1);
        g_assert_cmpmem(whole.ptr, whole.len, "aabbc", 5);
        g_assert_cmpuint(first, ==, IKEV2_PAYLOAD_IDr);
        bytes_free(&whole);

        /* number > total, zero, too many */
        g_assert_cmpint(ini_frag_add(ini, &hdr, 4, 3, 0, SLICE("a", 1), &whole, &first, &why), ==,
                        -EBADMSG);
        g_assert_cmpint(ini_frag_add(ini, &hdr, 0, 3, 0, SLICE("a", 1), &whole, &first, &why), ==,
                        -EBADMSG);
        g_assert_cmpint(ini_frag_add(ini, &hdr, 1, IKE_FRAGMENTS_MAX + 1, 1, SLICE("a", 1), &whole,
                                     &first, &why),
                        ==, -E2BIG);

        /* more fragments than before: start over (RFC 7383 2.6.2) */
        g_assert_cmpint(ini_frag_add(ini, &hdr, 2, 2, 0, SLICE("old", 3), &whole, &first, &why), ==,
                        0);
        g_assert_cmpint(ini_frag_add(ini, &hdr, 3, 3, 0, SLICE("3", 1), &whole, &first, &why), ==,
                        0);
        g_assert_cmpint(ini_frag_add(ini, &hdr, 2, 3, 0, SLICE("2", 1), &whole, &first, &why), ==,
                        0);
        g_assert_cmpint(ini_frag_add(ini, &hdr, 1, 3, IKEV2_PAYLOAD_IDr, SLICE("1", 1), &whole,
                                     &first, &why),
                        ==, 1);
        g_assert_cmpmem(whole.ptr, whole.len, "123", 3);
        bytes_free(&whole);

        /* another message ID starts a new message */
        g_assert_cmpint(ini_frag_add(ini, &hdr, 1, 2, IKEV2_PAYLOAD_IDr, SLICE("x", 1), &whole,
                                     &first, &why),
                        ==, 0);
        hdr.message_id = 2;
        g_assert_cmpint(ini_frag_add(ini, &hdr, 2, 2, 0, SLICE("y", 1), &whole, &first, &why), ==,
                        0);

        /* memory: 128 fragments of 4 KiB are allowed (256 KiB in all), one
         * more byte is not */
        {
                static uint8_t big[4096];

                hdr.message_id = 3;
                for (uint16_t i = 1; i <= 64; i++)
                        g_assert_cmpint(ini_frag_add(ini, &hdr, i, 128, IKEV2_PAYLOAD_IDr,
                                                     SLICE(big, sizeof(big)), &whole, &first, &why),
                                        ==, 0);
                g_assert_cmpint(
                        ini_frag_add(ini, &hdr, 65, 128, 0, SLICE(big, 1), &whole, &first, &why),
                        ==, -E2BIG);
                g_assert_cmpstr(why, ==, "reassembled message larger than we accept");
        }
        h_free(&h);
}

int main(int argc, char *argv[])
{
        g_test_init(&argc, &argv, NULL);
        if (eap_preload() < 0)
                return 77;
        for (size_t i = 0; i < G_N_ELEMENTS(choice_cases); i++) {
                g_autofree char *p =
                        g_strdup_printf("/initiator/parts/choice/%s", choice_cases[i].name);

                g_test_add_data_func(p, &choice_cases[i], test_choice);
        }
        g_test_add_func("/initiator/parts/strict-list-refuses", test_strict_list_refuses);
        g_test_add_func("/initiator/parts/esp-dh-stripped", test_esp_dh_stripped);
        for (size_t i = 0; i < G_N_ELEMENTS(cp_cases); i++) {
                g_autofree char *p = g_strdup_printf("/initiator/parts/cp/%s", cp_cases[i].name);

                g_test_add_data_func(p, &cp_cases[i], test_cp);
        }
        g_test_add_func("/initiator/parts/no-nat", test_no_nat);
        g_test_add_func("/initiator/parts/natd-sent", test_natd_sent);
        g_test_add_func("/initiator/parts/eap-only", test_eap_only);
        g_test_add_func("/initiator/parts/identity-parse", test_identity_parse);
        g_test_add_func("/initiator/parts/range-to-prefixes", test_range_to_prefixes);
        g_test_add_func("/initiator/parts/reassembly", test_reassembly);
        return g_test_run();
}
