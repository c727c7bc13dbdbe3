/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for .sswan import and export (client/profile/sswan.c). The
 * vectors in tests/vectors/profiles/ were written from strongSwan's
 * documentation of the format ("VPN Profile Import" for the Android and iOS
 * apps, docs.strongswan.org); fields are named by JSON pointer.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <json-glib/json-glib.h>

#include "client/ike/ikev2.h"
#include "profile-testlib.h"

#define UUID "1b4e28ba-2fa1-41d2-883f-0016d3cca427"

static const struct profile_import_options keep = {
        .filename = "t.sswan",
        .keep_secrets = true,
        .passphrase = "test-only",
};
static const struct profile_import_options plain = { .filename = "t.sswan" };

static const char *const vectors[] = { "eap.sswan",      "cert.sswan",     "cert-eap.sswan",
                                       "eap-tls.sswan",  "byod-eap.sswan", "android.sswan" };

static struct profile *import_vector(const char *name, const struct profile_import_options *o,
                                     struct profile_report *rep)
{
        g_autoptr(GBytes) b = tl_vector(name);

        profile_report_init(rep);
        return tl_import(g_bytes_get_data(b, NULL), g_bytes_get_size(b), o, rep);
}

static void expect(const char *json, const char *field, enum profile_code code, const char *says)
{
        tl_expect_error(json, strlen(json), &keep, field, code, says);
}

static void test_types(void)
{
        static const struct {
                const char *file;
                enum profile_auth auth;
        } rows[] = {
                { "eap.sswan", PROFILE_AUTH_EAP_MSCHAPV2 },
                { "cert.sswan", PROFILE_AUTH_CERT },
                { "cert-eap.sswan", PROFILE_AUTH_CERT_EAP },
                { "eap-tls.sswan", PROFILE_AUTH_EAP_TLS },
                { "byod-eap.sswan", PROFILE_AUTH_EAP_MSCHAPV2 },
        };

        for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
                struct profile_report rep;
                _cleanup_(profile_freep) struct profile *p = import_vector(rows[i].file, &keep, &rep);

                g_assert_cmpint(rep.format, ==, PROFILE_FORMAT_SSWAN);
                g_assert_cmpint(p->auth, ==, rows[i].auth);
                profile_report_clear(&rep);
        }
}

static void test_fields(void)
{
        struct profile_report rep;
        _cleanup_(profile_freep) struct profile *p = import_vector("eap.sswan", &keep, &rep);
        _cleanup_(profile_freep) struct profile *q = NULL, *b = NULL;

        g_assert_cmpuint(rep.n_warnings, ==, 0);
        g_assert_cmpstr(p->uuid, ==, "567a41f4-888c-4965-a1a6-1bbaf1f4f675");
        g_assert_cmpstr(p->name, ==, "Example Corp (EAP)");
        g_assert_cmpstr(p->host, ==, "vpn.example.com");
        g_assert_cmpuint(p->port, ==, 500);
        g_assert_cmpstr(p->remote_id, ==, "vpn.example.com");
        g_assert_cmpint(p->ca_trust, ==, PROFILE_CA_EMBEDDED);
        g_assert_cmpuint(p->n_ca_certs, ==, 1);
        g_assert_cmpstr(p->eap_id, ==, "alice");
        g_assert_cmpuint(p->ike.p[0].dh[0], ==, IKEV2_DH_ECP384);
        g_assert_cmpuint(p->esp.p[0].encr[0].key_bits, ==, 256);
        g_assert_cmpuint(p->n_dns_servers, ==, 2);
        g_assert_false(p->dns_use_gateway);
        g_assert_cmpuint(p->mtu, ==, 1400);
        g_assert_cmpuint(p->nat_keepalive, ==, 30);
        g_assert_cmpint(p->tunnel, ==, PROFILE_TUNNEL_SPLIT);
        g_assert_cmpuint(p->n_subnets, ==, 2);
        g_assert_cmpuint(p->subnets[1].family, ==, AF_INET6);
        g_assert_cmpuint(p->n_excluded, ==, 1);
        g_assert_true(p->block_ipv6);
        g_assert_false(p->block_ipv4);
        g_assert_false(p->kill_switch);
        profile_report_clear(&rep);

        q = import_vector("cert.sswan", &keep, &rep);
        g_assert_cmpuint(q->port, ==, 4500);
        g_assert_false(q->send_certreq);
        g_assert_true(q->revocation_crl);
        g_assert_false(q->revocation_ocsp);
        g_assert_true(q->revocation_strict);
        g_assert_cmpstr(q->local_id, ==, "alice@example.com");
        g_assert_cmpuint(q->client_pkcs12.len, >, 100);
        g_assert_cmpint(q->tunnel, ==, PROFILE_TUNNEL_FULL);
        g_assert_true(q->kill_switch);
        profile_report_clear(&rep);

        /* Arrays as lists; a BYOD type is a plain EAP profile with a warning. */
        b = import_vector("byod-eap.sswan", &keep, &rep);
        g_assert_nonnull(tl_find_warning(&rep, "/type", PROFILE_W_IGNORED));
        g_assert_cmpuint(b->n_dns_servers, ==, 2);
        g_assert_cmpuint(b->n_subnets, ==, 2);
        g_assert_false(b->revocation_crl);
        g_assert_false(b->revocation_ocsp);
        g_assert_true(b->rsa_pss);
        g_assert_cmpint(b->ca_trust, ==, PROFILE_CA_SYSTEM);
        profile_report_clear(&rep);
}

static void test_android_and_secret(void)
{
        struct profile_report rep;
        _cleanup_(profile_freep) struct profile *p = import_vector("android.sswan", &keep, &rep);
        _cleanup_(profile_freep) struct profile *q = NULL;

        g_assert_nonnull(tl_find_warning(&rep, "/apps", PROFILE_W_IGNORED));
        g_assert_nonnull(tl_find_warning(&rep, "/excluded-apps", PROFILE_W_IGNORED));
        g_assert_nonnull(tl_find_warning(&rep, "/proxy", PROFILE_W_IGNORED));
        g_assert_cmpstr(p->eap_password, ==, "hunter2");
        profile_report_clear(&rep);

        /* Without the user's consent the shared secret is reported and dropped. */
        q = import_vector("android.sswan", &plain, &rep);
        g_assert_null(q->eap_password);
        g_assert_nonnull(tl_find_warning(&rep, "/local/shared_secret", PROFILE_W_SECRET));
        profile_report_clear(&rep);
}

/* .sswan -> model -> .sswan gives the same JSON (the vectors are written the
 * way the exporter writes: only what differs from the defaults). */
static void test_round_trip(void)
{
        for (size_t i = 0; i < G_N_ELEMENTS(vectors); i++) {
                struct profile_report rep, rep2, rep3;
                _cleanup_(profile_freep) struct profile *p = NULL, *q = NULL;
                g_autoptr(JsonParser) a = json_parser_new(), b = json_parser_new();
                g_autofree char *orig = tl_vector_text(vectors[i]);
                char *out = NULL;

                g_test_message("%s", vectors[i]);
                p = import_vector(vectors[i], &keep, &rep);
                profile_report_init(&rep2);
                g_assert_cmpint(profile_to_sswan(p, PROFILE_WRITE_SECRETS, &out, &rep2), ==, 0);
                tl_print_report(&rep2);
                g_assert_cmpuint(rep2.n_warnings, ==, 0);
                g_assert_true(json_parser_load_from_data(a, orig, -1, NULL));
                g_assert_true(json_parser_load_from_data(b, out, -1, NULL));
                if (strcmp(vectors[i], "byod-eap.sswan") != 0 &&
                    strcmp(vectors[i], "android.sswan") != 0) {
                        if (!json_node_equal(json_parser_get_root(a), json_parser_get_root(b)))
                                g_error("%s exported differently:\n%s", vectors[i], out);
                }
                /* And the model survives the trip for every vector. */
                profile_report_init(&rep3);
                q = tl_import(out, strlen(out), &keep, &rep3);
                tl_assert_profiles_equal(p, q);
                profile_secret_free(out);
                profile_report_clear(&rep);
                profile_report_clear(&rep2);
                profile_report_clear(&rep3);
        }
}

static void test_export_secrets_and_warnings(void)
{
        struct profile_report rep;
        _cleanup_(profile_freep) struct profile *p = import_vector("cert-eap.sswan", &keep, &rep);
        g_autofree char *out = NULL, *kf = NULL;
        _cleanup_(profile_freep) struct profile *k = NULL;
        g_autoptr(GBytes) ours = tl_vector("eap-mschapv2-full.tsunagu");

        profile_report_clear(&rep);
        profile_report_init(&rep);
        g_assert_cmpint(profile_to_sswan(p, 0, &out, &rep), ==, 0);
        g_assert_null(strstr(out, "\"p12\""));
        g_assert_null(strstr(out, "shared_secret"));
        profile_report_clear(&rep);

        /* What .sswan cannot say is reported, field by field. */
        profile_report_init(&rep);
        k = tl_import(g_bytes_get_data(ours, NULL), g_bytes_get_size(ours), &keep, &rep);
        profile_report_clear(&rep);
        profile_report_init(&rep);
        g_free(out);
        out = NULL;
        g_assert_cmpint(profile_to_sswan(k, 0, &out, &rep), ==, 0);
        g_assert_nonnull(tl_find_warning(&rep, "[dns] search-domains", PROFILE_W_IGNORED));
        g_assert_nonnull(tl_find_warning(&rep, "[tunnel] allow-lan", PROFILE_W_IGNORED));
        g_assert_nonnull(tl_find_warning(&rep, "[profile] auto-connect", PROFILE_W_IGNORED));
        g_assert_nonnull(tl_find_warning(&rep, "[crypto] dpd-interval", PROFILE_W_IGNORED));
        g_assert_null(strstr(out, "correct horse"));
        profile_report_clear(&rep);
        kf = profile_to_keyfile(k, PROFILE_WRITE_MASK_SECRETS);
        g_assert_null(strstr(kf, "correct horse"));
}

static void test_missing(void)
{
        expect("{\"name\":\"n\",\"type\":\"ikev2-eap\",\"remote\":{\"addr\":\"h.example\"}}", "/uuid",
               PROFILE_E_MISSING, "RFC 4122");
        expect("{\"uuid\":\"" UUID "\",\"type\":\"ikev2-eap\",\"remote\":{\"addr\":\"h.example\"}}",
               "/name", PROFILE_E_MISSING, NULL);
        expect("{\"uuid\":\"" UUID "\",\"name\":\"n\",\"remote\":{\"addr\":\"h.example\"}}", "/type",
               PROFILE_E_MISSING, "ikev2-eap, ikev2-cert");
        expect("{\"uuid\":\"" UUID "\",\"name\":\"n\",\"type\":\"ikev2-eap\"}", "/remote/addr",
               PROFILE_E_MISSING, NULL);
        expect("{\"uuid\":\"" UUID "\",\"name\":\"n\",\"type\":\"ikev2-eap\",\"remote\":{}}",
               "/remote/addr", PROFILE_E_MISSING, NULL);
        expect("{\"uuid\":\"" UUID "\",\"name\":\"n\",\"type\":\"ikev2-cert\",\"remote\":"
               "{\"addr\":\"h.example\"}}",
               "/local/p12", PROFILE_E_MISSING, "needs a client certificate");
}

#define HEAD "{\"uuid\":\"" UUID "\",\"name\":\"n\",\"type\":\"ikev2-eap\","

static void test_wrong_types(void)
{
        expect(HEAD "\"remote\":{\"addr\":\"h.example\",\"port\":\"4500\"}}", "/remote/port",
               PROFILE_E_TYPE, "is a string; expected a whole number");
        expect(HEAD "\"remote\":{\"addr\":\"h.example\",\"port\":70000}}", "/remote/port",
               PROFILE_E_VALUE, "1..65535");
        expect(HEAD "\"remote\":{\"addr\":\"h.example\",\"certreq\":\"yes\"}}", "/remote/certreq",
               PROFILE_E_TYPE, "expected true or false");
        expect(HEAD "\"remote\":{\"addr\":42}}", "/remote/addr", PROFILE_E_TYPE, "is a number");
        expect(HEAD "\"remote\":\"h.example\"}", "/remote", PROFILE_E_TYPE, "expected an object");
        expect(HEAD "\"remote\":{\"addr\":\"h.example\",\"revocation\":{\"crl\":1}}}",
               "/remote/revocation/crl", PROFILE_E_TYPE, NULL);
        expect(HEAD "\"remote\":{\"addr\":\"h.example\"},\"mtu\":1400.5}", "/mtu", PROFILE_E_TYPE,
               "fractional");
        expect(HEAD "\"remote\":{\"addr\":\"h.example\"},\"dns-servers\":{}}", "/dns-servers",
               PROFILE_E_TYPE, "array of strings or a space-separated string");
        expect(HEAD "\"remote\":{\"addr\":\"h.example\"},\"split-tunneling\":{\"subnets\":"
               "[\"10.0.0.0/8\",\"10.0.0.1/8\"]}}",
               "/split-tunneling/subnets/1", PROFILE_E_VALUE, "bits set");
        expect(HEAD "\"remote\":{\"addr\":\"h.example\"},\"split-tunneling\":{\"subnets\":"
               "[\"10.0.0.0/8\",7]}}",
               "/split-tunneling/subnets/1", PROFILE_E_TYPE, NULL);
        expect(HEAD "\"remote\":{\"addr\":\"h.example\"},\"dns-servers\":\"10.0.0.1 nope\"}",
               "/dns-servers", PROFILE_E_VALUE, "'nope' is not an IP address");
        expect("{\"uuid\":\"" UUID "\",\"name\":\"n\",\"type\":\"ikev1-psk\",\"remote\":"
               "{\"addr\":\"h.example\"}}",
               "/type", PROFILE_E_VALUE, "'ikev1-psk'");
        expect("{\"uuid\":\"not-a-uuid\",\"name\":\"n\",\"type\":\"ikev2-eap\",\"remote\":"
               "{\"addr\":\"h.example\"}}",
               "/uuid", PROFILE_E_VALUE, NULL);
        expect(HEAD "\"remote\":{\"addr\":\"h.example\"},\"ike-proposal\":\"aes128-sha256\"}",
               "/ike-proposal", PROFILE_E_VALUE, "no key exchange method");
        expect(HEAD "\"remote\":{\"addr\":\"h.example\"},\"nat-keepalive\":1}", "/nat-keepalive",
               PROFILE_E_VALUE, "out of range");
        expect("[1,2]", "/", PROFILE_E_TYPE, "expected a JSON object");
        expect("{\"a\":", "", PROFILE_E_SYNTAX, "not valid JSON");
}

static void test_base64_and_credentials(void)
{
        EVP_PKEY *ca_key = tl_key(), *key = tl_key();
        X509 *ca = tl_cert("CA", ca_key, NULL, NULL, true, -60, 86400);
        X509 *old = tl_cert("old CA", ca_key, NULL, NULL, true, -7200, -3600);
        X509 *cert = tl_cert("alice", key, ca, ca_key, false, -60, 86400);
        g_autofree char *ca_b64 = tl_b64_cert(ca), *old_b64 = tl_b64_cert(old);
        g_autofree char *p12 = tl_b64_p12(cert, key, "right");
        g_autofree char *j = NULL;
        struct profile_import_options wrong = keep;

        j = g_strdup_printf(HEAD "\"remote\":{\"addr\":\"h.example\",\"cert\":\"%s*\"}}", ca_b64);
        expect(j, "/remote/cert", PROFILE_E_BASE64, "outside the base64 alphabet");
        g_free(j);
        j = g_strdup_printf(HEAD "\"remote\":{\"addr\":\"h.example\",\"cert\":\"%s\"}}", old_b64);
        expect(j, "/remote/cert", PROFILE_E_CERT, "expired on");
        g_free(j);
        j = g_strdup_printf("{\"uuid\":\"" UUID "\",\"name\":\"n\",\"type\":\"ikev2-cert\","
                            "\"remote\":{\"addr\":\"h.example\",\"cert\":\"%s\"},"
                            "\"local\":{\"p12\":\"%s\"}}",
                            ca_b64, p12);
        wrong.passphrase = "wrong";
        tl_expect_error(j, strlen(j), &wrong, "/local/p12", PROFILE_E_PASSPHRASE,
                        "wrong passphrase");
        wrong.passphrase = "right";
        {
                struct profile_report rep;
                _cleanup_(profile_freep) struct profile *p = NULL;

                profile_report_init(&rep);
                p = tl_import(j, strlen(j), &wrong, &rep);
                g_assert_cmpuint(rep.n_warnings, ==, 0);
                /* The passphrase is an input, not part of the profile. */
                g_assert_null(p->client_passphrase);
                profile_report_clear(&rep);
        }
        g_free(j);
        j = g_strdup_printf(HEAD "\"remote\":{\"addr\":\"h.example\"},\"local\":{\"p12\":\"@@\"}}");
        expect(j, "/local/p12", PROFILE_E_BASE64, NULL);
        X509_free(ca);
        X509_free(old);
        X509_free(cert);
        EVP_PKEY_free(ca_key);
        EVP_PKEY_free(key);
}

static void test_limits_and_encoding(void)
{
        g_autoptr(GString) deep = g_string_new(HEAD "\"remote\":{\"addr\":\"h.example\"},\"x\":");
        g_autoptr(GString) wide = g_string_new(HEAD "\"remote\":{\"addr\":\"h.example\"},\"x\":[");
        static const char bad[] = "{\"uuid\":\"\xff\"}";
        static const char nul[] = "{\"uuid\":\"a\0b\"}";

        for (int i = 0; i < 40; i++)
                g_string_append_c(deep, '[');
        for (int i = 0; i < 40; i++)
                g_string_append_c(deep, ']');
        g_string_append_c(deep, '}');
        expect(deep->str, "", PROFILE_E_LIMIT, "nested deeper than 16 levels at line 1");

        for (int i = 0; i < 9000; i++)
                g_string_append(wide, i ? ",1" : "1");
        g_string_append(wide, "]}");
        expect(wide->str, "", PROFILE_E_LIMIT, "more than 8192 JSON values");

        tl_expect_error(bad, sizeof(bad) - 1, &keep, "", PROFILE_E_ENCODING, "byte 0xff");
        tl_expect_error(nul, sizeof(nul) - 1, &keep, "", PROFILE_E_ENCODING, "NUL byte");
}

static void test_unknown_fields(void)
{
        const char *j = HEAD "\"remote\":{\"addr\":\"h.example\",\"colour\":\"red\"},\"extra\":[]}";
        struct profile_report rep;
        _cleanup_(profile_freep) struct profile *p = NULL;

        profile_report_init(&rep);
        p = tl_import(j, strlen(j), &keep, &rep);
        g_assert_nonnull(tl_find_warning(&rep, "/remote/colour", PROFILE_W_UNKNOWN));
        g_assert_nonnull(tl_find_warning(&rep, "/extra", PROFILE_W_UNKNOWN));
        profile_report_clear(&rep);
}

int main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/profile/sswan/types", test_types);
        g_test_add_func("/profile/sswan/fields", test_fields);
        g_test_add_func("/profile/sswan/android-and-secret", test_android_and_secret);
        g_test_add_func("/profile/sswan/round-trip", test_round_trip);
        g_test_add_func("/profile/sswan/export", test_export_secrets_and_warnings);
        g_test_add_func("/profile/sswan/missing", test_missing);
        g_test_add_func("/profile/sswan/wrong-types", test_wrong_types);
        g_test_add_func("/profile/sswan/base64-and-credentials", test_base64_and_credentials);
        g_test_add_func("/profile/sswan/limits-and-encoding", test_limits_and_encoding);
        g_test_add_func("/profile/sswan/unknown-fields", test_unknown_fields);
        return g_test_run();
}
