/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for our keyfile format (client/profile/keyfile.c) and the
 * validation every importer shares (validate.c, pki.c): the .tsunagu
 * vectors in tests/vectors/profiles/ (written from FORMAT.md), round trips,
 * and one precise error per kind of bad input.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "client/crypto/legacy.h"
#include "client/ike/ikev2.h"
#include "client/profile/pki.h"
#include "profile-testlib.h"
#include "test-eap-pki.h"

#define UUID "1b4e28ba-2fa1-41d2-883f-0016d3cca427"
#define BASE                                                                                       \
        "[profile]\nname = T\nuuid = " UUID "\n[gateway]\nhost = vpn.example.com\n[auth]\n"        \
        "method = eap-mschapv2\n"

static const struct profile_import_options keep = {
        .filename = "t.tsunagu",
        .keep_secrets = true,
        .passphrase = "test-only",
};
static const struct profile_import_options plain = { .filename = "t.tsunagu" };

static const char *const vectors[] = {
        "eap-mschapv2-full.tsunagu", "eap-md5-split.tsunagu", "minimal.tsunagu",
        "eap-tls.tsunagu",           "cert-split.tsunagu",    "cert-eap-full.tsunagu",
};

static struct profile *import_text(const char *text, const struct profile_import_options *o,
                                   struct profile_report *rep)
{
        return tl_import(text, strlen(text), o, rep);
}

static void expect(const char *text, const char *field, enum profile_code code, const char *says)
{
        tl_expect_error(text, strlen(text), &keep, field, code, says);
}

static void test_vector_fields(void)
{
        g_autoptr(GBytes) b = tl_vector("eap-mschapv2-full.tsunagu");
        struct profile_report rep;
        _cleanup_(profile_freep) struct profile *p = NULL;
        char buf[PROPOSAL_MAX_STRING + 1];

        profile_report_init(&rep);
        p = tl_import(g_bytes_get_data(b, NULL), g_bytes_get_size(b), &keep, &rep);
        g_assert_cmpuint(rep.n_warnings, ==, 0);
        g_assert_cmpint(rep.format, ==, PROFILE_FORMAT_KEYFILE);
        g_assert_cmpstr(p->name, ==, "Example Corp (full tunnel)");
        g_assert_cmpstr(p->uuid, ==, "cfc527be-311f-449c-a835-ad092172eff3");
        g_assert_true(p->auto_connect);
        g_assert_cmphex(p->user_may_change, ==,
                        PROFILE_SETTING_NAME | PROFILE_SETTING_AUTO_CONNECT |
                                PROFILE_SETTING_CREDENTIALS);
        g_assert_cmpstr(p->host, ==, "vpn.example.com");
        g_assert_cmpuint(p->port, ==, 500);
        g_assert_cmpstr(p->remote_id, ==, "vpn.example.com");
        g_assert_cmpint(p->ca_trust, ==, PROFILE_CA_SYSTEM);
        g_assert_cmpint(p->auth, ==, PROFILE_AUTH_EAP_MSCHAPV2);
        g_assert_cmpuint(profile_eap_type(p), ==, EAP_TYPE_MSCHAPV2);
        g_assert_cmpstr(p->eap_id, ==, "alice");
        g_assert_cmpstr(p->eap_password, ==, "correct horse battery staple");
        /* Not strict: our defaults follow the two proposals given. */
        g_assert_cmpuint(p->ike.n, ==, 4);
        g_assert_cmpuint(p->ike.p[0].encr[0].id, ==, IKEV2_ENCR_AES_GCM_16);
        g_assert_cmpuint(p->ike.p[1].prf[0], ==, IKEV2_PRF_HMAC_SHA2_256);
        g_assert_cmpuint(p->esp.p[1].dh[0], ==, IKEV2_DH_MODP2048);
        proposal_list_format(&p->esp, buf, sizeof(buf));
        g_assert_cmpstr(buf, ==,
                        "aes256gcm16,aes128-sha256-modp2048,aes256gcm16-aes128gcm16-"
                        "chacha20poly1305,aes256-aes128-sha384-sha256");
        g_assert_cmpuint(p->ike_lifetime, ==, 8 * 3600);
        g_assert_cmpuint(p->ike_rekey_margin, ==, 15 * 60);
        g_assert_cmpuint(p->child_lifetime, ==, 3600);
        g_assert_cmpuint(p->dpd_interval, ==, 60);
        g_assert_cmpuint(p->nat_keepalive, ==, 25);
        g_assert_cmpint(p->tunnel, ==, PROFILE_TUNNEL_FULL);
        g_assert_cmpuint(p->n_subnets, ==, 0);
        g_assert_cmpuint(p->n_excluded, ==, 1);
        g_assert_cmpuint(p->excluded[0].family, ==, AF_INET);
        g_assert_cmpuint(p->excluded[0].prefixlen, ==, 24);
        g_assert_cmpmem(p->excluded[0].addr, 4, "\xc0\x00\x02\x00", 4);
        g_assert_true(p->kill_switch);
        g_assert_true(p->allow_lan);
        g_assert_cmpuint(p->mtu, ==, 1400);
        g_assert_true(p->dns_use_gateway);
        g_assert_cmpuint(g_strv_length(p->dns_search), ==, 2);
        g_assert_cmpstr(p->dns_search[1], ==, "example.com");
        g_assert_cmpstr(p->dns_routing[0], ==, "corp.example.com");
        g_assert_true(profile_has_secrets(p));
        profile_drop_secrets(p);
        g_assert_false(profile_has_secrets(p));
        g_assert_null(p->eap_password);
        profile_report_clear(&rep);
}

static void test_vector_fields_split(void)
{
        g_autoptr(GBytes) b = tl_vector("eap-md5-split.tsunagu");
        struct profile_report rep;
        _cleanup_(profile_freep) struct profile *p = NULL;

        profile_report_init(&rep);
        p = tl_import(g_bytes_get_data(b, NULL), g_bytes_get_size(b), &keep, &rep);
        g_assert_cmpstr(p->host, ==, "2001:db8::1");
        g_assert_cmpuint(p->port, ==, 4500);
        g_assert_cmpint(p->auth, ==, PROFILE_AUTH_EAP_MD5);
        g_assert_cmpstr(p->local_id, ==, "bob@example.net");
        g_assert_true(p->ike.strict);
        g_assert_cmpuint(p->ike.n, ==, 1);
        g_assert_cmpuint(p->ike.p[0].dh[0], ==, IKEV2_DH_CURVE25519);
        g_assert_cmpuint(p->esp.p[0].esn[0], ==, IKEV2_ESN_YES);
        g_assert_cmpuint(p->dpd_interval, ==, 0);
        g_assert_false(p->mobike);
        g_assert_false(p->fragmentation);
        g_assert_true(p->ipv6_transport);
        g_assert_cmpint(p->tunnel, ==, PROFILE_TUNNEL_SPLIT);
        g_assert_false(p->kill_switch); /* the default for a split tunnel */
        g_assert_cmpuint(p->n_subnets, ==, 3);
        g_assert_cmpuint(p->subnets[2].family, ==, AF_INET6);
        g_assert_cmpuint(p->subnets[2].prefixlen, ==, 48);
        g_assert_true(p->block_ipv6);
        g_assert_false(p->dns_use_gateway);
        g_assert_cmpuint(p->n_dns_servers, ==, 2);
        g_assert_cmpuint(p->dns_servers[1].family, ==, AF_INET6);
        /* The file has no version key and no lock: everything may change. */
        g_assert_cmphex(p->user_may_change, ==, PROFILE_SETTINGS_ALL);
        profile_report_clear(&rep);
}

/* Certificates from the vectors: PEM key + certificate, PKCS#12 with passphrase. */
static void test_vector_credentials(void)
{
        static const char *const names[] = { "cert-split.tsunagu", "cert-eap-full.tsunagu",
                                             "eap-tls.tsunagu" };

        for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
                g_autoptr(GBytes) b = tl_vector(names[i]);
                struct profile_report rep;
                _cleanup_(profile_freep) struct profile *p = NULL;
                X509 *cert = NULL;
                EVP_PKEY *key = NULL;
                STACK_OF(X509) *chain = NULL;

                profile_report_init(&rep);
                p = tl_import(g_bytes_get_data(b, NULL), g_bytes_get_size(b), &keep, &rep);
                g_assert_cmpuint(rep.n_warnings, ==, 0);
                g_assert_true(profile_auth_uses_certificate(p->auth));
                g_assert_cmpuint(p->n_ca_certs, ==, 1);
                g_assert_cmpint(p->ca_trust, ==, PROFILE_CA_EMBEDDED);
                g_assert_cmpint(profile_load_client(p, "test-only", &cert, &key, &chain), ==, 0);
                g_assert_true(EVP_PKEY_is_a(key, "EC"));
                X509_free(cert);
                EVP_PKEY_free(key);
                sk_X509_pop_free(chain, X509_free);
                if (p->client_pkcs12.len > 0)
                        g_assert_cmpint(profile_load_client(p, "wrong", &cert, &key, NULL), ==,
                                        -EKEYREJECTED);
                profile_report_clear(&rep);
        }
}

/* ours -> model -> ours: the model survives, and the text is a fixed point. */
static void test_round_trip(void)
{
        for (size_t i = 0; i < G_N_ELEMENTS(vectors); i++) {
                g_autoptr(GBytes) b = tl_vector(vectors[i]);
                struct profile_report r1, r2, r3;
                _cleanup_(profile_freep) struct profile *a = NULL, *c = NULL;
                char *t1, *t2;

                g_test_message("%s", vectors[i]);
                profile_report_init(&r1);
                profile_report_init(&r2);
                profile_report_init(&r3);
                a = tl_import(g_bytes_get_data(b, NULL), g_bytes_get_size(b), &keep, &r1);
                t1 = profile_to_keyfile(a, PROFILE_WRITE_SECRETS);
                c = import_text(t1, &keep, &r2);
                tl_assert_profiles_equal(a, c);
                t2 = profile_to_keyfile(c, PROFILE_WRITE_SECRETS);
                g_assert_cmpstr(t1, ==, t2);
                g_assert_cmpuint(r2.n_warnings, ==, 0);
                profile_secret_free(t1);
                profile_secret_free(t2);
                profile_report_clear(&r1);
                profile_report_clear(&r2);
                profile_report_clear(&r3);
        }
}

static void test_secrets_masked_and_omitted(void)
{
        g_autoptr(GBytes) b = tl_vector("cert-eap-full.tsunagu");
        struct profile_report rep;
        _cleanup_(profile_freep) struct profile *p = NULL;
        g_autofree char *masked = NULL, *plain_text = NULL;
        g_autofree char *p12 = NULL;

        profile_report_init(&rep);
        p = tl_import(g_bytes_get_data(b, NULL), g_bytes_get_size(b), &keep, &rep);
        g_assert_nonnull(p->client_passphrase);
        p12 = g_base64_encode(p->client_pkcs12.ptr, p->client_pkcs12.len);
        masked = profile_to_keyfile(p, PROFILE_WRITE_MASK_SECRETS);
        g_assert_nonnull(strstr(masked, "pkcs12 = " PROFILE_SECRET_MASK "\n"));
        g_assert_nonnull(strstr(masked, "passphrase = " PROFILE_SECRET_MASK "\n"));
        g_assert_null(strstr(masked, "test-only"));
        g_assert_null(strstr(masked, p12));
        plain_text = profile_to_keyfile(p, 0);
        g_assert_null(strstr(plain_text, "pkcs12"));
        g_assert_null(strstr(plain_text, "passphrase"));
        g_assert_null(strstr(plain_text, PROFILE_SECRET_MASK));
        /* The mask never passes for a secret. */
        tl_expect_error(masked, strlen(masked), &keep, "[auth] pkcs12", PROFILE_E_VALUE, "mask");
        profile_report_clear(&rep);
}

static void test_secrets_not_kept(void)
{
        const char *text = BASE "eap-id = a\neap-password = pw\n";
        struct profile_report rep;
        _cleanup_(profile_freep) struct profile *p = NULL;

        profile_report_init(&rep);
        p = import_text(text, &plain, &rep);
        g_assert_null(p->eap_password);
        g_assert_nonnull(tl_find_warning(&rep, "[auth] eap-password", PROFILE_W_SECRET));
        profile_report_clear(&rep);

        /* A password for a method without one is dropped even when allowed. */
        profile_report_init(&rep);
        text = "[profile]\nname=T\nuuid=" UUID "\n[gateway]\nhost=h.example\n[auth]\n"
               "method=eap-tls\neap-password=pw\n";
        tl_expect_error(text, strlen(text), &keep, "[auth] pkcs12", PROFILE_E_MISSING,
                        "needs a client certificate");
        profile_report_clear(&rep);
}

static void test_missing_required(void)
{
        expect("[profile]\nuuid = " UUID "\n[gateway]\nhost = h.example\n[auth]\nmethod = cert\n",
               "[profile] name", PROFILE_E_MISSING, "display name");
        expect("[profile]\nname = T\n[auth]\nmethod = eap-md5\n", "[gateway] host",
               PROFILE_E_MISSING, "DNS name or IP address");
        expect("[profile]\nname = T\n[gateway]\nhost = h.example\n", "[auth] method",
               PROFILE_E_MISSING, "eap-mschapv2, eap-md5, eap-tls, cert or cert+eap");
        expect(BASE "[ca]\ntrust = embedded\n", "[ca] certificates", PROFILE_E_MISSING,
               "embedded");
        expect("[profile]\nname = T\nuuid = " UUID "\n[gateway]\nhost = h.example\n[auth]\n"
               "method = cert\ncertificate = MIIB\n",
               "[auth] private-key", PROFILE_E_MISSING, NULL);
}

static void test_wrong_types(void)
{
        expect(BASE "[gateway]\n", "[gateway]", PROFILE_E_SYNTAX, "second time");
        expect(BASE "[crypto]\nmobike = maybe\n", "[crypto] mobike", PROFILE_E_TYPE,
               "expected true or false");
        expect(BASE "[crypto]\ndpd-interval = 5x\n", "[crypto] dpd-interval", PROFILE_E_TYPE,
               "duration");
        expect(BASE "[crypto]\nike-lifetime = -1h\n", "[crypto] ike-lifetime", PROFILE_E_TYPE,
               NULL);
        expect(BASE "[tunnel]\nmtu = big\n", "[tunnel] mtu", PROFILE_E_TYPE, NULL);
        expect("[profile]\nname=T\n[gateway]\nhost=h.example\nport = 70000\n[auth]\nmethod=cert\n",
               "[gateway] port", PROFILE_E_VALUE, "1..65535");
        expect("[profile]\nname=T\n[gateway]\nhost=h.example\n[auth]\nmethod = psk\n",
               "[auth] method", PROFILE_E_VALUE, "'psk'");
        expect(BASE "[tunnel]\nmode = half\n", "[tunnel] mode", PROFILE_E_VALUE, "full or split");
        expect("[profile]\nname=T\nuuid = 123\n[gateway]\nhost=h.example\n[auth]\nmethod=cert\n",
               "[profile] uuid", PROFILE_E_VALUE, "not a UUID");
        expect(BASE "[ca]\ntrust = maybe\n", "[ca] trust", PROFILE_E_VALUE, NULL);
        expect(BASE "[auth]\n", "[auth]", PROFILE_E_SYNTAX, NULL);
        expect("[profile]\nname=T\n[gateway]\nhost=h.example\n[auth]\nmethod=cert+eap\n"
               "eap-method = tls\n",
               "[auth] eap-method", PROFILE_E_VALUE, "mschapv2 or md5");
        expect(BASE "[profile]x\n", "", PROFILE_E_SYNTAX, "alone on its line");
        expect(BASE "[tunnel]\nsubnets = 10.0.0.1/8\n", "[tunnel] subnets", PROFILE_E_VALUE,
               "bits set after the prefix");
        expect(BASE "[dns]\nservers = 10.0.0.300\n", "[dns] servers", PROFILE_E_VALUE,
               "not an IP address");
        expect(BASE "[dns]\nsearch-domains = bad_domain!\n", "[dns] search-domains",
               PROFILE_E_VALUE, "bad_domain!");
        expect("[profile]\nname=T\n[gateway]\nhost = vpn..example.com\n[auth]\nmethod=cert\n",
               "[gateway] host", PROFILE_E_VALUE, "empty label");
        expect("[profile]\nname=T\n[gateway]\nhost = 1.2.3.999\n[auth]\nmethod=cert\n",
               "[gateway] host", PROFILE_E_VALUE, "numeric");
        expect(BASE "[crypto]\nike = aes256gcm16-ecp384\n", "[crypto] ike", PROFILE_E_VALUE,
               "names no PRF");
        expect(BASE "[crypto]\nesp = aes257\n", "[crypto] esp", PROFILE_E_VALUE,
               "unknown algorithm 'aes257' (at character 1)");
        expect(BASE "[crypto]\nesp = des-sha256\n", "[crypto] esp", PROFILE_E_UNSUPPORTED,
               "broken");
}

static void test_syntax(void)
{
        expect("name = T\n[profile]\n", "", PROFILE_E_SYNTAX, "before the first [group] (line 1)");
        expect(BASE "just text\n", "", PROFILE_E_SYNTAX, "'#' comment (line 8)");
        expect(BASE "eap-id = a\\qb\n", "[auth] eap-id", PROFILE_E_SYNTAX, "invalid escape");
        expect(BASE "eap-id = ab\\\n", "[auth] eap-id", PROFILE_E_SYNTAX, "lone backslash");
        expect(BASE "name[de] = x\n", "[auth] name[de]", PROFILE_E_SYNTAX, "localised");
        expect(BASE "eap-id = a\neap-id = b\n", "[auth] eap-id", PROFILE_E_SYNTAX,
               "second time in its group");
        expect("[profile]\nversion = 2\nname=T\n[gateway]\nhost=h.example\n[auth]\nmethod=cert\n",
               "[profile] version", PROFILE_E_UNSUPPORTED, "newer tsunagu");
}

static void test_escapes_and_lists(void)
{
        const char *text = BASE "eap-id = \\salice and\\\\bob\n[dns]\n"
                                "search-domains = a.example; b.example ;;\n";
        struct profile_report rep;
        _cleanup_(profile_freep) struct profile *p = NULL;
        g_autofree char *out = NULL;

        profile_report_init(&rep);
        p = import_text(text, &keep, &rep);
        g_assert_cmpstr(p->eap_id, ==, " alice and\\bob");
        g_assert_cmpuint(g_strv_length(p->dns_search), ==, 2);
        g_assert_cmpstr(p->dns_search[1], ==, "b.example");
        out = profile_to_keyfile(p, 0);
        g_assert_nonnull(strstr(out, "eap-id = \\salice and\\\\bob\n"));
        profile_report_clear(&rep);

        /* Blanks at the end survive the trip too (escaped as \s). */
        {
                const char *t2 = BASE "[dns]\n";
                _cleanup_(profile_freep) struct profile *q = NULL, *r = NULL;
                g_autofree char *w = NULL;

                profile_report_init(&rep);
                q = import_text(t2, &keep, &rep);
                profile_report_clear(&rep);
                g_free(q->name);
                q->name = g_strdup("trailing ");
                w = profile_to_keyfile(q, 0);
                g_assert_nonnull(strstr(w, "name = trailing\\s\n"));
                profile_report_init(&rep);
                r = import_text(w, &keep, &rep);
                g_assert_cmpstr(r->name, ==, "trailing ");
        }
        profile_report_clear(&rep);
}

static void test_encoding(void)
{
        static const char bad_utf8[] = "[profile]\nname = T\nhost = \xc3\x28\n";
        static const char nul[] = "[profile]\nname = T\0x\n";

        tl_expect_error(bad_utf8, sizeof(bad_utf8) - 1, &keep, "", PROFILE_E_ENCODING,
                        "invalid UTF-8 (byte 0xc3) at line 3, column 8");
        tl_expect_error(nul, sizeof(nul) - 1, &keep, "", PROFILE_E_ENCODING,
                        "NUL byte at line 2, column 9");
        expect(BASE "eap-id = a\\nb\n", "[auth] eap-id", PROFILE_E_VALUE, "control character");
        tl_expect_error("", 0, &keep, "", PROFILE_E_SYNTAX, "empty");
}

static void test_limits(void)
{
        g_autoptr(GString) s = g_string_new(BASE "[tunnel]\nmode = split\nsubnets = ");
        g_autofree char *huge = NULL, *lines = NULL, *longval = NULL;

        for (int i = 0; i < 65; i++)
                g_string_append_printf(s, "10.%d.0.0/16;", i);
        g_string_append_c(s, '\n');
        expect(s->str, "[tunnel] subnets", PROFILE_E_LIMIT, "more than 64 entries");

        huge = g_strnfill(PROFILE_MAX_FILE_SIZE + 1, '#');
        tl_expect_error(huge, strlen(huge), &keep, "", PROFILE_E_LIMIT, "limited to 1048576");

        lines = g_strnfill(10000, '\n');
        tl_expect_error(lines, strlen(lines), &keep, "", PROFILE_E_LIMIT, "more than 8192 lines");

        longval = g_strdup_printf(BASE "eap-id = %0*d\n", 2000, 0);
        expect(longval, "[auth] eap-id", PROFILE_E_LIMIT, "at most 1024");
}

/* [crypto] retransmit-timeout / retransmit-tries: defaults, values,
 * ranges, written back only when changed. */
static void test_retransmit(void)
{
        static const char rt_text[] = BASE "[crypto]\nretransmit-timeout = 1s\nretransmit-tries = 2\n";
        struct profile_import_options o = { .filename = "t.tsunagu" };
        struct profile_report rep;
        struct profile *p, *q;
        g_autofree char *out = NULL, *def = NULL;

        profile_report_init(&rep);
        p = tl_import(BASE, strlen(BASE), &o, &rep);
        g_assert_cmpuint(p->retransmit_timeout, ==, 4);
        g_assert_cmpuint(p->retransmit_tries, ==, 5);
        def = profile_to_keyfile(p, 0);
        g_assert_null(strstr(def, "retransmit"));
        profile_free(p);
        profile_report_clear(&rep);

        profile_report_init(&rep);
        p = tl_import(rt_text, strlen(rt_text), &o, &rep);
        g_assert_cmpuint(p->retransmit_timeout, ==, 1);
        g_assert_cmpuint(p->retransmit_tries, ==, 2);
        out = profile_to_keyfile(p, 0);
        g_assert_nonnull(strstr(out, "retransmit-timeout = 1s\n"));
        g_assert_nonnull(strstr(out, "retransmit-tries = 2\n"));
        profile_report_clear(&rep);
        profile_report_init(&rep);
        q = tl_import(out, strlen(out), &o, &rep);
        tl_assert_profiles_equal(p, q);
        g_assert_cmpuint(profile_changed_settings(p, q), ==, 0);
        q->retransmit_tries = 3;
        g_assert_cmpuint(profile_changed_settings(p, q), ==, PROFILE_SETTING_DPD);
        profile_free(p);
        profile_free(q);
        profile_report_clear(&rep);

        expect(BASE "[crypto]\nretransmit-timeout = 0\n", "[crypto] retransmit-timeout",
               PROFILE_E_VALUE, "1..60 seconds");
        expect(BASE "[crypto]\nretransmit-timeout = 2m\n", "[crypto] retransmit-timeout",
               PROFILE_E_VALUE, "out of range");
        expect(BASE "[crypto]\nretransmit-tries = 21\n", "[crypto] retransmit-tries",
               PROFILE_E_VALUE, "0..20 retransmissions");
        expect(BASE "[crypto]\nretransmit-tries = many\n", "[crypto] retransmit-tries",
               PROFILE_E_TYPE, "not a number");
}

/* [crypto] reauth-time: off by default (and not written), parsed, written
 * back, range-checked, a lifetime setting. */
static void test_reauth_time(void)
{
        static const char text[] = BASE "[crypto]\nreauth-time = 2h\n";
        struct profile_import_options o = { .filename = "t.tsunagu" };
        struct profile_report rep;
        struct profile *p, *q;
        g_autofree char *out = NULL, *def = NULL;

        profile_report_init(&rep);
        p = tl_import(BASE, strlen(BASE), &o, &rep);
        g_assert_cmpuint(p->reauth_time, ==, 0);
        def = profile_to_keyfile(p, 0);
        g_assert_null(strstr(def, "reauth"));
        profile_free(p);
        profile_report_clear(&rep);

        profile_report_init(&rep);
        p = tl_import(text, strlen(text), &o, &rep);
        g_assert_cmpuint(p->reauth_time, ==, 7200);
        out = profile_to_keyfile(p, 0);
        g_assert_nonnull(strstr(out, "reauth-time = 2h\n"));
        profile_report_clear(&rep);
        profile_report_init(&rep);
        q = tl_import(out, strlen(out), &o, &rep);
        tl_assert_profiles_equal(p, q);
        g_assert_cmpuint(q->reauth_time, ==, 7200);
        g_assert_cmpuint(profile_changed_settings(p, q), ==, 0);
        q->reauth_time = 0;
        g_assert_cmpuint(profile_changed_settings(p, q), ==, PROFILE_SETTING_LIFETIMES);
        profile_free(p);
        profile_free(q);
        profile_report_clear(&rep);

        expect(BASE "[crypto]\nreauth-time = 30s\n", "[crypto] reauth-time", PROFILE_E_VALUE,
               "0 (off) or 60..604800 seconds");
        expect(BASE "[crypto]\nreauth-time = 8d\n", "[crypto] reauth-time", PROFILE_E_VALUE,
               "out of range");
        expect(BASE "[crypto]\nreauth-time = soon\n", "[crypto] reauth-time", PROFILE_E_TYPE,
               "");
}

/* [crypto] child-lifetime-bytes / -packets (amounts with k/m/g/t) and esn:
 * off by default and not written, parsed, written back, range-checked. */
static void test_child_limits_esn(void)
{
        static const char text[] = BASE "[crypto]\nchild-lifetime-bytes = 2g\n"
                                        "child-lifetime-packets = 5000000\nesn = true\n";
        struct profile_import_options o = { .filename = "t.tsunagu" };
        struct profile_report rep;
        struct profile *p, *q;
        g_autofree char *out = NULL, *def = NULL;

        profile_report_init(&rep);
        p = tl_import(BASE, strlen(BASE), &o, &rep);
        g_assert_cmpuint(p->child_lifetime_bytes, ==, 0);
        g_assert_cmpuint(p->child_lifetime_packets, ==, 0);
        g_assert_false(p->esn);
        def = profile_to_keyfile(p, 0);
        g_assert_null(strstr(def, "child-lifetime-bytes"));
        g_assert_null(strstr(def, "child-lifetime-packets"));
        g_assert_null(strstr(def, "esn"));
        profile_free(p);
        profile_report_clear(&rep);

        profile_report_init(&rep);
        p = tl_import(text, strlen(text), &o, &rep);
        g_assert_cmpuint(p->child_lifetime_bytes, ==, 2ull << 30);
        g_assert_cmpuint(p->child_lifetime_packets, ==, 5000000);
        g_assert_true(p->esn);
        out = profile_to_keyfile(p, 0);
        g_assert_nonnull(strstr(out, "child-lifetime-bytes = 2147483648\n"));
        g_assert_nonnull(strstr(out, "child-lifetime-packets = 5000000\n"));
        g_assert_nonnull(strstr(out, "esn = true\n"));
        profile_report_clear(&rep);
        profile_report_init(&rep);
        q = tl_import(out, strlen(out), &o, &rep);
        tl_assert_profiles_equal(p, q);
        g_assert_cmpuint(profile_changed_settings(p, q), ==, 0);
        q->child_lifetime_packets = 0;
        g_assert_cmpuint(profile_changed_settings(p, q), ==, PROFILE_SETTING_LIFETIMES);
        q->child_lifetime_packets = p->child_lifetime_packets;
        q->esn = false;
        g_assert_cmpuint(profile_changed_settings(p, q), ==, PROFILE_SETTING_PROPOSALS);
        profile_free(p);
        profile_free(q);
        profile_report_clear(&rep);

        expect(BASE "[crypto]\nchild-lifetime-bytes = 1000\n", "[crypto] child-lifetime-bytes",
               PROFILE_E_VALUE, "at least 1048576 bytes");
        expect(BASE "[crypto]\nchild-lifetime-packets = 10\n", "[crypto] child-lifetime-packets",
               PROFILE_E_VALUE, "at least 1000 packets");
        expect(BASE "[crypto]\nchild-lifetime-bytes = 5t5\n", "[crypto] child-lifetime-bytes",
               PROFILE_E_TYPE, "not an amount");
        expect(BASE "[crypto]\nchild-lifetime-bytes = 9999999t\n", "[crypto] child-lifetime-bytes",
               PROFILE_E_TYPE, "up to 2^62");
        expect(BASE "[crypto]\nesn = maybe\n", "[crypto] esn", PROFILE_E_TYPE, "");
}

static void test_semantics(void)
{
        expect(BASE "[tunnel]\nmode = full\nsubnets = 10.0.0.0/8\n", "[tunnel] subnets",
               PROFILE_E_VALUE, "only apply to a split tunnel");
        expect(BASE "[crypto]\nike-lifetime = 1h\nike-rekey-margin = 1h\n",
               "[crypto] ike-rekey-margin", PROFILE_E_VALUE, "not less than");
        expect(BASE "[crypto]\nchild-lifetime = 30\n", "[crypto] child-lifetime", PROFILE_E_VALUE,
               "out of range");
        expect(BASE "[crypto]\ndpd-interval = 2\n", "[crypto] dpd-interval", PROFILE_E_VALUE,
               "0 (off) or 5..86400");
        expect(BASE "[tunnel]\nmtu = 100\n", "[tunnel] mtu", PROFILE_E_VALUE, "576..9000");
        expect(BASE "[tunnel]\nexcluded = 0.0.0.0/0\n", "[tunnel] excluded", PROFILE_E_VALUE,
               "whole address family");
        expect("[profile]\nname=T\n[gateway]\nhost=h.example\n[auth]\nmethod = cert\n",
               "[auth] pkcs12", PROFILE_E_MISSING, "method cert needs");
        expect(BASE "[profile]\n", "[profile]", PROFILE_E_SYNTAX, "group appears a second time");
}

static void test_warnings(void)
{
        const char *text = BASE "colour = blue\n[extras]\nx = 1\n[tunnel]\nmtu = 1200\n"
                                "[crypto]\nike = aes128-sha1-modp1024\n";
        const char *nouuid = "[profile]\nname = T\n[gateway]\nhost = h.example\n[auth]\n"
                             "method = eap-mschapv2\n";
        struct profile_report rep;
        _cleanup_(profile_freep) struct profile *p = NULL, *q = NULL;

        profile_report_init(&rep);
        p = import_text(text, &keep, &rep);
        g_assert_nonnull(tl_find_warning(&rep, "[auth] colour", PROFILE_W_UNKNOWN));
        g_assert_nonnull(tl_find_warning(&rep, "[extras]", PROFILE_W_UNKNOWN));
        g_assert_nonnull(tl_find_warning(&rep, "[tunnel] mtu", PROFILE_W_NOTE));
        g_assert_nonnull(tl_find_warning(&rep, "[crypto] ike", PROFILE_W_WEAK));
        g_assert_cmpuint(rep.n_errors, ==, 0);
        profile_report_clear(&rep);

        profile_report_init(&rep);
        q = import_text(nouuid, &keep, &rep);
        g_assert_true(g_uuid_string_is_valid(q->uuid));
        g_assert_nonnull(tl_find_warning(&rep, "[profile] uuid", PROFILE_W_NOTE));
        profile_report_clear(&rep);
}

/* Certificates and keys made now, so validity is exact. */
struct pki {
        EVP_PKEY *ca_key, *key, *other_key;
        X509 *ca, *expired_ca, *future_ca, *cert, *expired_cert;
};

static void pki_make(struct pki *k)
{
        k->ca_key = tl_key();
        k->key = tl_key();
        k->other_key = tl_key();
        k->ca = tl_cert("unit CA", k->ca_key, NULL, NULL, true, -3600, 86400);
        k->expired_ca = tl_cert("old CA", k->ca_key, NULL, NULL, true, -7200, -3600);
        k->future_ca = tl_cert("future CA", k->ca_key, NULL, NULL, true, 3600, 7200);
        k->cert = tl_cert("alice", k->key, k->ca, k->ca_key, false, -60, 86400);
        k->expired_cert = tl_cert("alice", k->key, k->ca, k->ca_key, false, -7200, -60);
}

static void pki_free(struct pki *k)
{
        EVP_PKEY_free(k->ca_key);
        EVP_PKEY_free(k->key);
        EVP_PKEY_free(k->other_key);
        X509_free(k->ca);
        X509_free(k->expired_ca);
        X509_free(k->future_ca);
        X509_free(k->cert);
        X509_free(k->expired_cert);
}

static char *cert_profile(const char *ca_b64, const char *auth_lines)
{
        return g_strdup_printf("[profile]\nname = T\nuuid = " UUID "\n[gateway]\nhost = h.example\n"
                               "[ca]\ncertificates = %s\n[auth]\n%s\n",
                               ca_b64, auth_lines);
}

static void test_certificates(void)
{
        struct pki k;
        g_autofree char *ca = NULL, *old = NULL, *future = NULL, *cert = NULL, *pem = NULL;
        g_autofree char *key = NULL, *other = NULL, *enc = NULL, *p12 = NULL, *p12_empty = NULL;
        g_autofree char *p12_expired = NULL, *ca_pem = NULL;
        char *t;
        struct profile_report rep;
        struct profile *p;

        pki_make(&k);
        ca = tl_b64_cert(k.ca);
        old = tl_b64_cert(k.expired_ca);
        future = tl_b64_cert(k.future_ca);
        cert = tl_b64_cert(k.cert);
        pem = tl_escape_newlines(tl_pem_cert(k.cert));
        key = tl_escape_newlines(tl_pem_key(k.key, NULL));
        other = tl_escape_newlines(tl_pem_key(k.other_key, NULL));
        enc = tl_escape_newlines(tl_pem_key(k.key, "test-only"));
        p12 = tl_b64_p12(k.cert, k.key, "test-only");
        p12_empty = tl_b64_p12(k.cert, k.key, NULL);
        p12_expired = tl_b64_p12(k.expired_cert, k.key, "test-only");
        ca_pem = tl_escape_newlines(tl_pem_cert(k.ca));

#define AUTH(fmt, ...) g_strdup_printf("method = cert\n" fmt, __VA_ARGS__)
        /* Good ones: DER and PEM certificates, plain and encrypted keys, PKCS#12. */
        {
                g_autofree char *a = AUTH("certificate = %s\nprivate-key = %s", cert, key);
                g_autofree char *b = AUTH("certificate = %s\nprivate-key = %s",
                                          pem, enc);
                g_autofree char *c = AUTH("pkcs12 = %s", p12);
                const char *auths[] = { a, b, c };

                for (size_t i = 0; i < G_N_ELEMENTS(auths); i++) {
                        g_autofree char *text = cert_profile(i == 1 ? ca_pem : ca, auths[i]);

                        profile_report_init(&rep);
                        p = import_text(text, &keep, &rep);
                        g_assert_cmpuint(rep.n_warnings, ==, 0);
                        g_assert_cmpint(p->ca_trust, ==, PROFILE_CA_EMBEDDED);
                        profile_free(p);
                        profile_report_clear(&rep);
                }
        }
        /* A PKCS#12 without a passphrase opens when none is given; one given
         * for it is wrong, and not replaced by the empty one (this file used
         * to import with keep's passphrase). */
        {
                g_autofree char *a = AUTH("pkcs12 = %s", p12_empty);
                g_autofree char *text = cert_profile(ca, a);
                struct profile_import_options none = keep;

                none.passphrase = NULL;
                profile_report_init(&rep);
                p = import_text(text, &none, &rep);
                g_assert_cmpuint(rep.n_warnings, ==, 0);
                profile_free(p);
                profile_report_clear(&rep);
                tl_expect_error(text, strlen(text), &keep, "[auth] pkcs12", PROFILE_E_PASSPHRASE,
                                "wrong passphrase: PKCS#12: the file has no passphrase");
        }
        /* An encrypted key without its passphrase: accepted, checked later. */
        {
                g_autofree char *a = AUTH("certificate = %s\nprivate-key = %s", cert, enc);
                g_autofree char *text = cert_profile(ca, a);

                profile_report_init(&rep);
                p = import_text(text, &plain, &rep);
                g_assert_nonnull(tl_find_warning(&rep, "[auth] private-key", PROFILE_W_NOTE));
                profile_free(p);
                profile_report_clear(&rep);
        }

        t = cert_profile(old, "method = eap-mschapv2");
        expect(t, "[ca] certificates", PROFILE_E_CERT, "expired on");
        g_free(t);
        t = cert_profile(future, "method = eap-mschapv2");
        expect(t, "[ca] certificates", PROFILE_E_CERT, "not valid yet");
        g_free(t);
        {
                g_autofree char *two = g_strdup_printf("%s;%s", ca, old);

                t = cert_profile(two, "method = eap-mschapv2");
                expect(t, "[ca] certificates[1]", PROFILE_E_CERT, "\"CN=old CA,O=tsunagu unit tests\" expired");
                g_free(t);
        }
        t = cert_profile("MIIB!!", "method = eap-mschapv2");
        expect(t, "[ca] certificates", PROFILE_E_BASE64, "character 5: character outside");
        g_free(t);
        t = cert_profile("MIIBAA==", "method = eap-mschapv2");
        expect(t, "[ca] certificates", PROFILE_E_CERT, "not a DER X.509 certificate");
        g_free(t);
        {
                g_autofree char *a = AUTH("certificate = %s\nprivate-key = %s", cert, other);

                t = cert_profile(ca, a);
                expect(t, "[auth] private-key", PROFILE_E_KEY, "does not match the certificate");
                g_free(t);
        }
        {
                g_autofree char *a = AUTH("pkcs12 = %s", p12);
                struct profile_import_options wrong = keep;

                wrong.passphrase = "not-the-passphrase";
                t = cert_profile(ca, a);
                tl_expect_error(t, strlen(t), &wrong, "[auth] pkcs12", PROFILE_E_PASSPHRASE,
                                "wrong passphrase");
                g_free(t);
        }
        {
                g_autofree char *a =
                        AUTH("pkcs12 = %s\npassphrase = not-the-passphrase", p12);
                struct profile_import_options none = keep;

                none.passphrase = NULL;
                t = cert_profile(ca, a);
                tl_expect_error(t, strlen(t), &none, "[auth] pkcs12", PROFILE_E_PASSPHRASE,
                                "wrong passphrase in [auth] passphrase");
                g_free(t);
        }
        {
                g_autofree char *a = AUTH("certificate = %s\nprivate-key = %s", cert, enc);
                struct profile_import_options wrong = keep;

                wrong.passphrase = "nope";
                t = cert_profile(ca, a);
                tl_expect_error(t, strlen(t), &wrong, "[auth] private-key", PROFILE_E_PASSPHRASE,
                                "does not decrypt");
                g_free(t);
        }
        {
                g_autofree char *a = AUTH("pkcs12 = %s", p12_expired);

                t = cert_profile(ca, a);
                expect(t, "[auth] pkcs12", PROFILE_E_CERT, "client certificate");
                g_free(t);
        }
        {
                g_autofree char *a = AUTH("pkcs12 = %s\nkey-type = rsa", p12);

                t = cert_profile(ca, a);
                expect(t, "[auth] key-type", PROFILE_E_VALUE, "is rsa but the key");
                g_free(t);
        }
        {
                g_autofree char *a = AUTH("pkcs12 = %s", "AAAA");

                t = cert_profile(ca, a);
                expect(t, "[auth] pkcs12", PROFILE_E_CERT, "not a DER PKCS#12");
                g_free(t);
        }
        {
                g_autofree char *a = AUTH("pkcs12 = %s", "AAA");

                t = cert_profile(ca, a);
                expect(t, "[auth] pkcs12", PROFILE_E_BASE64, "multiple of 4");
                g_free(t);
        }
        {
                g_autofree char *a = AUTH("pkcs12 = %s\ncertificate = %s\nprivate-key = %s", p12,
                                          cert, key);

                t = cert_profile(ca, a);
                expect(t, "[auth] pkcs12", PROFILE_E_VALUE, "not both");
                g_free(t);
        }
        {
                g_autofree char *a = g_strdup_printf("method = cert\nprivate-key = not a key");

                t = cert_profile(ca, a);
                expect(t, "[auth] private-key", PROFILE_E_KEY, "not a PEM private key");
                g_free(t);
        }
        t = g_strdup_printf(BASE "[ca]\ntrust = system\ncertificates = %s\n", ca);
        expect(t, "[ca] trust", PROFILE_E_VALUE, "is system, but CA certificates are given");
        g_free(t);
#undef AUTH
        pki_free(&k);
}

/* A profile built in code, validated with errors named as in the keyfile. */
/* What older tools export: a 3DES key and RC2-40 certificates (from the
 * EAP-TLS test PKI), which only OpenSSL's legacy provider decrypts. Imported,
 * then loaded as the daemon does. */
static void test_pkcs12_legacy(void)
{
        struct test_pki pki;
        size_t len = 0;
        uint8_t *der;
        g_autofree char *ca = NULL, *p12 = NULL, *auth = NULL, *text = NULL;
        struct profile_import_options wrong = keep;
        struct profile_report rep;
        _cleanup_(profile_freep) struct profile *p = NULL;
        X509 *cert = NULL;
        EVP_PKEY *key = NULL;
        STACK_OF(X509) *chain = NULL;

        g_assert_cmpint(test_pki_init(&pki, (int64_t)time(NULL)), ==, 0);
        der = test_pki_pkcs12(pki.client_key, pki.client, pki.ca, "test-only", true,
                              crypto_legacy_libctx(), &len);
        g_assert_nonnull(der);
        ca = tl_b64_cert(pki.ca);
        p12 = g_base64_encode(der, len);
        auth = g_strdup_printf("method = cert\npkcs12 = %s", p12);
        text = cert_profile(ca, auth);

        profile_report_init(&rep);
        p = import_text(text, &keep, &rep);
        g_assert_cmpuint(rep.n_warnings, ==, 0);
        profile_report_clear(&rep);
        g_assert_cmpint(profile_load_client(p, "test-only", &cert, &key, &chain), ==, 0);
        g_assert_true(X509_cmp(cert, pki.client) == 0);
        g_assert_true(EVP_PKEY_eq(key, pki.client_key) == 1);
        g_assert_cmpint(sk_X509_num(chain), ==, 1);
        g_assert_true(X509_cmp(sk_X509_value(chain, 0), pki.ca) == 0);
        X509_free(cert);
        EVP_PKEY_free(key);
        sk_X509_pop_free(chain, X509_free);
        g_assert_cmpint(profile_load_client(p, "wrong", &cert, &key, NULL), ==, -EKEYREJECTED);

        wrong.passphrase = "not it";
        tl_expect_error(text, strlen(text), &wrong, "[auth] pkcs12", PROFILE_E_PASSPHRASE,
                        "integrity check fails");
        OPENSSL_free(der);
        test_pki_free(&pki);
}

static void test_validate_model(void)
{
        _cleanup_(profile_freep) struct profile *p = profile_new();
        struct profile_report rep;

        profile_report_init(&rep);
        g_assert_cmpint(profile_validate(p, NULL, 0, &rep), ==, -EINVAL);
        g_assert_nonnull(profile_report_find(&rep, "[profile] name"));
        g_assert_nonnull(profile_report_find(&rep, "[profile] uuid"));
        g_assert_nonnull(profile_report_find(&rep, "[gateway] host"));
        profile_report_clear(&rep);

        p->name = g_strdup("Built");
        p->host = g_strdup("vpn.example.com");
        memcpy(p->uuid, UUID, sizeof(UUID));
        p->ike_proposal = g_strdup("aes128gcm16-prfsha256-ecp256!");
        profile_report_init(&rep);
        g_assert_cmpint(profile_validate(p, NULL, 0, &rep), ==, 0);
        g_assert_cmpuint(p->ike.n, ==, 1);
        g_assert_true(p->ike.strict);
        profile_report_clear(&rep);

        p->tunnel = PROFILE_TUNNEL_SPLIT;
        p->mtu = 10;
        profile_report_init(&rep);
        g_assert_cmpint(profile_validate(p, NULL, 0, &rep), ==, -EINVAL);
        g_assert_nonnull(profile_report_find(&rep, "[tunnel] mtu"));
        profile_report_clear(&rep);
}

/* What a user changed, held against what IT lets them change. */
static void test_changed_settings(void)
{
        g_autoptr(GBytes) b = tl_vector("eap-mschapv2-full.tsunagu");
        struct profile_report rep;
        _cleanup_(profile_freep) struct profile *a = NULL, *c = NULL;
        uint32_t changed;

        profile_report_init(&rep);
        a = tl_import(g_bytes_get_data(b, NULL), g_bytes_get_size(b), &keep, &rep);
        c = tl_import(g_bytes_get_data(b, NULL), g_bytes_get_size(b), &keep, &rep);
        g_assert_cmphex(profile_changed_settings(a, c), ==, 0);

        profile_secret_free(c->eap_password);
        c->eap_password = g_strdup("new password");
        c->auto_connect = !c->auto_connect;
        changed = profile_changed_settings(a, c);
        g_assert_cmphex(changed, ==, PROFILE_SETTING_CREDENTIALS | PROFILE_SETTING_AUTO_CONNECT);
        g_assert_cmphex(changed & ~a->user_may_change, ==, 0); /* allowed */

        c->mtu = 1300;
        c->n_excluded = 0;
        changed = profile_changed_settings(a, c);
        g_assert_cmphex(changed & ~a->user_may_change, ==,
                        PROFILE_SETTING_MTU | PROFILE_SETTING_ROUTES); /* locked */

        c->user_may_change = PROFILE_SETTINGS_ALL;
        g_assert_cmphex(profile_changed_settings(a, c), ==, PROFILE_SETTINGS_ALL);
        profile_report_clear(&rep);
}

static void test_detect(void)
{
        g_assert_cmpint(profile_detect_format("{\"a\":1}", 7, NULL), ==, PROFILE_FORMAT_SSWAN);
        g_assert_cmpint(profile_detect_format("\xef\xbb\xbf  <?xml", 10, NULL), ==,
                        PROFILE_FORMAT_MOBILECONFIG);
        g_assert_cmpint(profile_detect_format("bplist00", 8, NULL), ==,
                        PROFILE_FORMAT_MOBILECONFIG);
        g_assert_cmpint(profile_detect_format("# x\n[profile]", 13, "x.sswan"), ==,
                        PROFILE_FORMAT_KEYFILE);
        g_assert_cmpint(profile_detect_format("junk", 4, "x.sswan"), ==, PROFILE_FORMAT_SSWAN);
        g_assert_cmpint(profile_detect_format("junk", 4, "x.mobileconfig"), ==,
                        PROFILE_FORMAT_MOBILECONFIG);
        g_assert_cmpint(profile_detect_format("junk", 4, NULL), ==, PROFILE_FORMAT_KEYFILE);
}

#if !HAVE_JSON_GLIB
/* Without json-glib a .sswan file gets a clear error, not a crash or a guess. */
static void test_sswan_unsupported(void)
{
        static const char j[] = "{\"uuid\":\"" UUID "\"}";
        struct profile_import_options o = { .filename = "x.sswan" };

        g_assert_cmpint(tl_expect_error(j, sizeof(j) - 1, &o, "", PROFILE_E_UNSUPPORTED,
                                        "built without json-glib"),
                        ==, -ENOTSUP);
}
#endif

int main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/profile/keyfile/vector-fields", test_vector_fields);
        g_test_add_func("/profile/keyfile/vector-fields-split", test_vector_fields_split);
        g_test_add_func("/profile/keyfile/vector-credentials", test_vector_credentials);
        g_test_add_func("/profile/keyfile/round-trip", test_round_trip);
        g_test_add_func("/profile/keyfile/secrets-masked", test_secrets_masked_and_omitted);
        g_test_add_func("/profile/keyfile/secrets-not-kept", test_secrets_not_kept);
        g_test_add_func("/profile/keyfile/missing-required", test_missing_required);
        g_test_add_func("/profile/keyfile/wrong-types", test_wrong_types);
        g_test_add_func("/profile/keyfile/syntax", test_syntax);
        g_test_add_func("/profile/keyfile/escapes-and-lists", test_escapes_and_lists);
        g_test_add_func("/profile/keyfile/encoding", test_encoding);
        g_test_add_func("/profile/keyfile/limits", test_limits);
        g_test_add_func("/profile/keyfile/semantics", test_semantics);
        g_test_add_func("/profile/keyfile/retransmit", test_retransmit);
        g_test_add_func("/profile/keyfile/reauth-time", test_reauth_time);
        g_test_add_func("/profile/keyfile/child-limits-esn", test_child_limits_esn);
        g_test_add_func("/profile/keyfile/warnings", test_warnings);
        g_test_add_func("/profile/keyfile/certificates", test_certificates);
        g_test_add_func("/profile/keyfile/pkcs12-legacy", test_pkcs12_legacy);
        g_test_add_func("/profile/keyfile/validate-model", test_validate_model);
        g_test_add_func("/profile/keyfile/detect", test_detect);
        g_test_add_func("/profile/keyfile/changed-settings", test_changed_settings);
#if !HAVE_JSON_GLIB
        g_test_add_func("/profile/keyfile/sswan-unsupported", test_sswan_unsupported);
#endif
        return g_test_run();
}
