/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for .mobileconfig import (client/profile/mobileconfig.c,
 * plist.c, cms.c). The vectors were written from Apple's Device Management
 * documentation of the VPN payload; the signed ones are CMS SignedData made
 * by tests/vectors/profiles/gen.py or, here, at test time.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "client/ike/ikev2.h"
#include "profile-testlib.h"

static const struct profile_import_options keep = {
        .filename = "t.mobileconfig",
        .keep_secrets = true,
        .passphrase = "test-only",
        .trust_dir = "/nonexistent/tsunagu-trust",
};
static const struct profile_import_options plain = {
        .filename = "t.mobileconfig",
        .trust_dir = "/nonexistent/tsunagu-trust",
};

static struct profile *import_vector(const char *name, const struct profile_import_options *o,
                                     struct profile_report *rep)
{
        g_autoptr(GBytes) b = tl_vector(name);

        profile_report_init(rep);
        return tl_import(g_bytes_get_data(b, NULL), g_bytes_get_size(b), o, rep);
}

/* The eap vector with one substitution, expected to fail on field. */
static void expect_eap(const char *from, const char *to, const char *field,
                       enum profile_code code, const char *says)
{
        g_autofree char *orig = tl_vector_text("eap.mobileconfig");
        g_autofree char *text = tl_replace(orig, from, to);

        g_assert_cmpstr(orig, !=, text);
        tl_expect_error(text, strlen(text), &keep, field, code, says);
}

static void expect(const char *xml, const char *field, enum profile_code code, const char *says)
{
        tl_expect_error(xml, strlen(xml), &keep, field, code, says);
}

static char *format_list(const struct proposal_list *l)
{
        char buf[PROPOSAL_MAX_STRING + 1];

        g_assert_cmpint(proposal_list_format(l, buf, sizeof(buf)), >, 0);
        return g_strdup(buf);
}

static void test_eap_fields(void)
{
        struct profile_report rep;
        _cleanup_(profile_freep) struct profile *p = import_vector("eap.mobileconfig", &keep, &rep);
        g_autofree char *ike = format_list(&p->ike), *esp = format_list(&p->esp);

        g_assert_cmpint(rep.format, ==, PROFILE_FORMAT_MOBILECONFIG);
        g_assert_cmpint(rep.signature, ==, PROFILE_SIGNATURE_NONE);
        g_assert_nonnull(tl_find_warning(&rep, "PayloadContent[0]/IKEv2/NATKeepAliveOffloadEnable",
                                         PROFILE_W_IGNORED));
        g_assert_cmpuint(rep.n_warnings, ==, 1);
        g_assert_cmpstr(p->name, ==, "Example Corp (iOS EAP)");
        g_assert_cmpstr(p->uuid, ==, "baf40246-34b2-4420-8065-2b2c0bbe8a83");
        g_assert_cmpstr(p->host, ==, "vpn.example.com");
        g_assert_cmpstr(p->remote_id, ==, "vpn.example.com");
        g_assert_cmpstr(p->local_id, ==, "alice@example.com");
        g_assert_cmpstr(p->server_cn, ==, "vpn.example.com");
        g_assert_cmpstr(p->server_ca_cn, ==, "tsunagu TEST-ONLY root CA");
        g_assert_cmpint(p->auth, ==, PROFILE_AUTH_EAP_MSCHAPV2);
        g_assert_cmpstr(p->eap_id, ==, "alice");
        g_assert_cmpstr(p->eap_password, ==, "correct horse battery staple");
        g_assert_cmpint(p->ca_trust, ==, PROFILE_CA_EMBEDDED);
        g_assert_cmpuint(p->n_ca_certs, ==, 1);
        /* Apple's parameters are exact: strict proposals. */
        g_assert_cmpstr(ike, ==, "aes256gcm16-prfsha384-ecp384!");
        g_assert_cmpstr(esp, ==, "aes256gcm16-ecp384!"); /* EnablePFS */
        g_assert_cmpuint(p->ike_lifetime, ==, 480 * 60);
        g_assert_cmpuint(p->child_lifetime, ==, 3600);
        g_assert_cmpuint(p->child_rekey_margin, <, p->child_lifetime);
        g_assert_cmpuint(p->dpd_interval, ==, 60); /* High */
        g_assert_true(p->mobike);
        g_assert_false(p->redirect);
        g_assert_cmpuint(p->nat_keepalive, ==, 20);
        g_assert_cmpuint(p->mtu, ==, 1380);
        g_assert_cmpint(p->tunnel, ==, PROFILE_TUNNEL_FULL); /* IncludeAllNetworks */
        g_assert_true(p->kill_switch);
        g_assert_true(p->allow_lan);
        g_assert_false(p->dns_use_gateway);
        g_assert_cmpuint(p->n_dns_servers, ==, 1);
        g_assert_cmpmem(p->dns_servers[0].addr, 4, "\x0a\x00\x00\x35", 4);
        g_assert_cmpstr(p->dns_search[0], ==, "corp.example.com");
        g_assert_cmpstr(p->dns_routing[0], ==, "example.com");
        profile_report_clear(&rep);
}

static void test_cert_fields(void)
{
        struct profile_report rep;
        _cleanup_(profile_freep) struct profile *p = import_vector("cert.mobileconfig", &plain,
                                                                  &rep);
        _cleanup_(profile_freep) struct profile *k = NULL;
        g_autofree char *ike = format_list(&p->ike);

        g_assert_cmpint(p->auth, ==, PROFILE_AUTH_CERT);
        g_assert_cmpint(p->key_type, ==, PROFILE_KEY_ECDSA256);
        g_assert_cmpuint(p->client_pkcs12.len, >, 100);
        /* The PKCS#12 password checked the identity, and was not kept. */
        g_assert_null(p->client_passphrase);
        g_assert_nonnull(tl_find_warning(&rep, "PayloadContent[0]/Password", PROFILE_W_SECRET));
        g_assert_cmpuint(p->n_ca_certs, ==, 1); /* from the PEM payload */
        g_assert_cmpstr(ike, ==, "aes256-sha256-prfsha256-ecp256!");
        g_assert_cmpuint(p->ike_lifetime, ==, 1440 * 60); /* Apple's default */
        g_assert_null(p->esp_proposal);                    /* ours */
        g_assert_cmpuint(p->dpd_interval, ==, 1800);       /* Low */
        g_assert_false(p->revocation_crl);
        g_assert_false(p->revocation_ocsp);
        g_assert_cmpint(p->tunnel, ==, PROFILE_TUNNEL_FULL); /* OverridePrimary */
        g_assert_false(p->kill_switch);
        profile_report_clear(&rep);

        k = import_vector("cert.mobileconfig", &keep, &rep);
        g_assert_cmpstr(k->client_passphrase, ==, "test-only");
        profile_report_clear(&rep);
}

static void test_other_vectors(void)
{
        struct profile_report rep;
        _cleanup_(profile_freep) struct profile *a = NULL, *b = NULL, *c = NULL;
        g_autofree char *esp = NULL;

        a = import_vector("cert-eap.mobileconfig", &plain, &rep);
        g_assert_cmpint(a->auth, ==, PROFILE_AUTH_CERT_EAP);
        g_assert_cmpuint(profile_eap_type(a), ==, EAP_TYPE_MSCHAPV2);
        g_assert_true(a->auto_connect);
        g_assert_cmpstr(a->name, ==, "Certificate and password");
        g_assert_cmpint(a->tunnel, ==, PROFILE_TUNNEL_SPLIT);
        g_assert_cmpuint(a->n_subnets, ==, 0); /* what the gateway offers */
        g_assert_nonnull(tl_find_warning(&rep, "PayloadContent[3]/PayloadType", PROFILE_W_IGNORED));
        g_assert_nonnull(
                tl_find_warning(&rep, "PayloadContent[0]/IKEv2/OnDemandEnabled", PROFILE_W_NOTE));
        /* No password in the file and none given: checked when connecting. */
        g_assert_nonnull(tl_find_warning(&rep, "PayloadContent[1]/PayloadContent", PROFILE_W_NOTE));
        profile_report_clear(&rep);

        b = import_vector("eap-tls.mobileconfig", &keep, &rep);
        g_assert_cmpint(b->auth, ==, PROFILE_AUTH_EAP_TLS);
        g_assert_cmpint(b->ca_trust, ==, PROFILE_CA_SYSTEM);
        g_assert_cmpuint(b->dpd_interval, ==, 0);
        esp = format_list(&b->esp);
        g_assert_cmpstr(esp, ==, "chacha20poly1305!");
        profile_report_clear(&rep);

        /* The binary form of eap.mobileconfig gives the same profile. */
        c = import_vector("eap-binary.mobileconfig", &keep, &rep);
        profile_report_clear(&rep);
        {
                _cleanup_(profile_freep) struct profile *x = import_vector("eap.mobileconfig",
                                                                          &keep, &rep);

                tl_assert_profiles_equal(c, x);
                profile_report_clear(&rep);
        }
}

/* The signed vector: trusted with its CA as anchor, untrusted without, and
 * an error once a byte of the signed content changes. */
static void test_signed_vector(void)
{
        g_autofree char *dir = tl_tmpdir(), *empty = tl_tmpdir();
        g_autofree char *ca = tl_vector_text("pki/TEST-ONLY-ca.pem");
        g_autofree char *anchor = g_build_filename(dir, "corp.pem", NULL);
        g_autoptr(GBytes) b = tl_vector("eap-signed.mobileconfig");
        struct profile_import_options o = keep;
        struct profile_report rep;
        struct profile *p;
        gsize len;
        const uint8_t *d = g_bytes_get_data(b, &len);
        g_autofree uint8_t *broken = g_memdup2(d, len);
        uint8_t *at;

        g_assert_true(g_file_set_contents(anchor, ca, -1, NULL));
        o.trust_dir = dir;
        profile_report_init(&rep);
        p = tl_import(d, len, &o, &rep);
        g_assert_cmpint(rep.signature, ==, PROFILE_SIGNATURE_TRUSTED);
        g_assert_nonnull(strstr(rep.signer, "CN=tsunagu TEST-ONLY profile signer"));
        g_assert_cmpstr(p->name, ==, "Example Corp (iOS EAP)");
        {
                struct profile_report r2;
                _cleanup_(profile_freep) struct profile *x = import_vector("eap.mobileconfig",
                                                                          &keep, &r2);

                tl_assert_profiles_equal(p, x);
                profile_report_clear(&r2);
        }
        profile_free(p);
        profile_report_clear(&rep);

        o.trust_dir = empty;
        profile_report_init(&rep);
        p = tl_import(d, len, &o, &rep);
        g_assert_cmpint(rep.signature, ==, PROFILE_SIGNATURE_UNTRUSTED);
        g_assert_nonnull(tl_find_warning(&rep, "", PROFILE_W_UNTRUSTED));
        g_assert_nonnull(strstr(rep.signer, "TEST-ONLY profile signer"));
        profile_free(p);
        profile_report_clear(&rep);

        /* Change one letter of the gateway's name inside the signed content. */
        at = memmem(broken, len, "vpn.example.com", 15);
        g_assert_nonnull(at);
        at[0] = 'w';
        o.trust_dir = dir;
        g_assert_cmpint(tl_expect_error(broken, len, &o, "", PROFILE_E_SIGNATURE,
                                        "does not verify"),
                        ==, -EBADMSG);
        tl_rmtree(dir);
        tl_rmtree(empty);
}

/* Signatures made now: an expired signer is untrusted (its CA is an anchor),
 * a signer from another CA is untrusted, garbage is an error. */
static void test_signed_generated(void)
{
        g_autofree char *dir = tl_tmpdir();
        g_autofree char *xml = tl_vector_text("eap.mobileconfig");
        EVP_PKEY *ca_key = tl_key(), *key = tl_key(), *other_key = tl_key();
        X509 *ca = tl_cert("Signing CA", ca_key, NULL, NULL, true, -3600, 86400);
        X509 *other = tl_cert("Other CA", other_key, NULL, NULL, true, -3600, 86400);
        X509 *good = tl_cert("IT department", key, ca, ca_key, false, -60, 86400);
        X509 *expired = tl_cert("IT department", key, ca, ca_key, false, -7200, -60);
        X509 *stranger = tl_cert("Someone", key, other, other_key, false, -60, 86400);
        struct profile_import_options o = keep;
        static const uint8_t junk[] = { 0x30, 0x82, 0x00, 0x20, 0x06, 0x09, 0x2a, 0x86, 0x48,
                                        0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02, 0xa0, 0x00, 0x01,
                                        0x02, 0x03 };
        struct {
                X509 *signer, *extra;
                enum profile_signature want;
        } rows[] = {
                { good, ca, PROFILE_SIGNATURE_TRUSTED },
                { good, NULL, PROFILE_SIGNATURE_TRUSTED }, /* the anchor completes the chain */
                { expired, ca, PROFILE_SIGNATURE_UNTRUSTED },
                { stranger, other, PROFILE_SIGNATURE_UNTRUSTED },
        };

        tl_write_pem(dir, "ca.crt", ca);
        o.trust_dir = dir;
        for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
                g_autoptr(GBytes) s = tl_cms_sign(xml, strlen(xml), rows[i].signer, key,
                                                  rows[i].extra);
                struct profile_report rep;
                struct profile *p;

                profile_report_init(&rep);
                p = tl_import(g_bytes_get_data(s, NULL), g_bytes_get_size(s), &o, &rep);
                g_assert_cmpint(rep.signature, ==, rows[i].want);
                g_assert_nonnull(rep.signer);
                profile_free(p);
                profile_report_clear(&rep);
        }
        g_assert_cmpint(tl_expect_error(junk, sizeof(junk), &o, "", PROFILE_E_SIGNATURE,
                                        "not a CMS SignedData"),
                        ==, -EBADMSG);
        EVP_PKEY_free(ca_key);
        EVP_PKEY_free(key);
        EVP_PKEY_free(other_key);
        X509_free(ca);
        X509_free(other);
        X509_free(good);
        X509_free(expired);
        X509_free(stranger);
        tl_rmtree(dir);
}

#define IK "PayloadContent[0]/IKEv2/"

static void test_payload_errors(void)
{
        expect_eap("<string>None</string>", "<string>SharedSecret</string>",
                   IK "AuthenticationMethod", PROFILE_E_UNSUPPORTED, "pre-shared key");
        expect_eap("<string>None</string>", "<string>Magic</string>", IK "AuthenticationMethod",
                   PROFILE_E_VALUE, "'Magic'");
        expect_eap("<key>ExtendedAuthEnabled</key>\n\t\t\t\t<integer>1</integer>",
                   "<key>ExtendedAuthEnabled</key>\n\t\t\t\t<integer>0</integer>",
                   IK "AuthenticationMethod", PROFILE_E_VALUE, "unauthenticated");
        expect_eap("<key>ExtendedAuthEnabled</key>\n\t\t\t\t<integer>1</integer>",
                   "<key>ExtendedAuthEnabled</key>\n\t\t\t\t<integer>2</integer>",
                   IK "ExtendedAuthEnabled", PROFILE_E_TYPE, "0 or 1");
        expect_eap("<key>RemoteAddress</key>", "<key>RemoteAddressX</key>", IK "RemoteAddress",
                   PROFILE_E_MISSING, NULL);
        expect_eap("<string>vpn.example.com</string>\n\t\t\t\t<key>RemoteIdentifier",
                   "<integer>7</integer>\n\t\t\t\t<key>RemoteIdentifier", IK "RemoteAddress",
                   PROFILE_E_TYPE, "is an integer; expected a string");
        expect_eap("<integer>20</integer>\n\t\t\t\t\t<key>LifeTimeInMinutes</key>\n\t\t\t\t\t<integer>480",
                   "<integer>99</integer>\n\t\t\t\t\t<key>LifeTimeInMinutes</key>\n\t\t\t\t\t<integer>480",
                   IK "IKESecurityAssociationParameters/DiffieHellmanGroup", PROFILE_E_VALUE,
                   "99");
        expect_eap("<integer>480</integer>", "<integer>5</integer>",
                   IK "IKESecurityAssociationParameters/LifeTimeInMinutes", PROFILE_E_VALUE,
                   "10..1440");
        expect_eap("<string>AES-256-GCM</string>", "<string>DES</string>",
                   IK "IKESecurityAssociationParameters/EncryptionAlgorithm",
                   PROFILE_E_UNSUPPORTED, "broken");
        expect_eap("<string>SHA2-384</string>", "<string>MD5</string>",
                   IK "IKESecurityAssociationParameters/IntegrityAlgorithm", PROFILE_E_VALUE,
                   "'MD5'");
        expect_eap("<string>High</string>", "<string>Often</string>", IK "DeadPeerDetectionRate",
                   PROFILE_E_VALUE, "None, Low, Medium or High");
        expect_eap("<key>IKEv2</key>", "<key>IKEv3</key>", "PayloadContent[0]/IKEv2",
                   PROFILE_E_MISSING, NULL);
        expect_eap("<string>IKEv2</string>", "<string>L2TP</string>", "PayloadContent",
                   PROFILE_E_MISSING, "no com.apple.vpn.managed payload with VPNType IKEv2");
        expect_eap("<string>BAF40246-34B2-4420-8065-2B2C0BBE8A83</string>",
                   "<string>not-a-uuid</string>", "PayloadContent[0]/PayloadUUID",
                   PROFILE_E_VALUE, NULL);
        expect_eap("<data>MII", "<data>!MII", "PayloadContent[1]/PayloadContent",
                   PROFILE_E_BASE64, "character 1");
        expect_eap("<string>Configuration</string>", "<string>Wallpaper</string>", "PayloadType",
                   PROFILE_E_VALUE, "Configuration");
        expect_eap("<key>MTU</key>\n\t\t\t\t<integer>1380", "<key>MTU</key>\n\t\t\t\t<integer>70000",
                   IK "MTU", PROFILE_E_VALUE, NULL);
        expect_eap("<string>10.0.0.53</string>", "<string>dns.example.com</string>",
                   "PayloadContent[0]/DNS/ServerAddresses[0]", PROFILE_E_VALUE, "IP address");
        expect_eap("<key>AuthName</key>", "<key>PayloadCertificateUUID</key>\n"
                   "<string>00000000-0000-4000-8000-000000000000</string>\n<key>AuthName</key>",
                   IK "PayloadCertificateUUID", PROFILE_E_VALUE, "names no payload");
        expect_eap("<key>AuthName</key>", "<key>PayloadCertificateUUID</key>\n"
                   "<string>9FC5D969-0856-4FD7-9BC6-8941DFF94F05</string>\n<key>AuthName</key>",
                   IK "PayloadCertificateUUID", PROFILE_E_VALUE,
                   "not a com.apple.security.pkcs12 payload");
        expect_eap("<string>None</string>", "<string>Certificate</string>",
                   IK "PayloadCertificateUUID", PROFILE_E_MISSING, NULL);
        expect_eap("<key>PayloadContent</key>\n\t<array>", "<key>EncryptedPayloadContent</key>\n"
                   "\t<data>AAAA</data>\n\t<key>PayloadContent</key>\n\t<array>",
                   "EncryptedPayloadContent", PROFILE_E_UNSUPPORTED, NULL);
        /* A second IKEv2 payload. */
        expect_eap("\t\t<dict>\n\t\t\t<key>PayloadType</key>\n\t\t\t<string>com.apple.security.root",
                   "\t\t<dict><key>PayloadType</key><string>com.apple.vpn.managed</string>"
                   "<key>VPNType</key><string>IKEv2</string></dict>\n"
                   "\t\t<dict>\n\t\t\t<key>PayloadType</key>\n\t\t\t<string>com.apple.security.root",
                   "PayloadContent", PROFILE_E_UNSUPPORTED, "2 IKEv2 VPN payloads");
}

static void test_secrets_dropped(void)
{
        struct profile_report rep;
        _cleanup_(profile_freep) struct profile *p = import_vector("eap.mobileconfig", &plain,
                                                                  &rep);

        g_assert_null(p->eap_password);
        g_assert_nonnull(tl_find_warning(&rep, IK "AuthPassword", PROFILE_W_SECRET));
        profile_report_clear(&rep);
}

static void test_xml_errors(void)
{
        g_autoptr(GString) deep = g_string_new("<plist><dict><key>PayloadContent</key>");
        static const char bad[] = "<plist><dict><key>\xfe</key></dict></plist>";
        g_autofree char *huge = NULL;

        for (int i = 0; i < 20; i++)
                g_string_append(deep, "<array>");
        for (int i = 0; i < 20; i++)
                g_string_append(deep, "</array>");
        g_string_append(deep, "</dict></plist>");
        expect(deep->str, "", PROFILE_E_LIMIT, "nested deeper than 16 levels");

        expect("<plist><dict><key>a</key><string>x</string><key>a</key><string>y</string></dict>"
               "</plist>",
               "", PROFILE_E_SYNTAX, "key 'a' appears twice");
        expect("<plist><dict><key>a</key></dict></plist>", "", PROFILE_E_SYNTAX,
               "<key>a</key> has no value");
        expect("<plist><dict><string>x</string></dict></plist>", "", PROFILE_E_SYNTAX,
               "without a <key>");
        expect("<plist><dict><key>a</key><integer>12x</integer></dict></plist>", "",
               PROFILE_E_SYNTAX, "not a decimal integer");
        expect("<plist><dict><key>a</key><blob/></dict></plist>", "", PROFILE_E_SYNTAX,
               "unknown element <blob>");
        expect("<plist><dict>text</dict></plist>", "", PROFILE_E_SYNTAX, "text outside");
        expect("<plist><dict><key>a</key><string>x</string></dict><dict/></plist>", "",
               PROFILE_E_SYNTAX, "more than one value");
        expect("<html/>", "", PROFILE_E_SYNTAX, "expected <plist>");
        expect("<plist><array/></plist>", "", PROFILE_E_TYPE, "expected a dictionary");
        expect("<plist><dict><key>PayloadContent</key><string>x</string></dict></plist>",
               "PayloadContent", PROFILE_E_TYPE, "is a string; expected an array");
        expect("<plist><dict><key>PayloadContent</key><array><string>x</string></array></dict>"
               "</plist>",
               "PayloadContent[0]", PROFILE_E_TYPE, "payload dictionary");
        expect("<plist><dict><key>a</key><string>x</string></dict></plist>", "PayloadContent",
               PROFILE_E_MISSING, NULL);
        expect("<plist><dict><key>a</key><string>x</plist>", "", PROFILE_E_SYNTAX, NULL);
        tl_expect_error(bad, sizeof(bad) - 1, &keep, "", PROFILE_E_ENCODING, "byte 0xfe");
        huge = g_strnfill(PROFILE_MAX_FILE_SIZE + 10, ' ');
        huge[0] = '<';
        expect(huge, "", PROFILE_E_LIMIT, NULL);
}

/* ------------------------------------------------------------ binary plists */

struct bp {
        GByteArray *a;
        GArray *offsets;
};

static void bp_init(struct bp *b)
{
        b->a = g_byte_array_new();
        b->offsets = g_array_new(false, false, sizeof(guint32));
        g_byte_array_append(b->a, (const guint8 *)"bplist00", 8);
}

static void bp_obj(struct bp *b, const void *bytes, size_t n)
{
        guint32 off = b->a->len;

        g_array_append_val(b->offsets, off);
        g_byte_array_append(b->a, bytes, (guint)n);
}

/* Offsets 2 bytes, references 1 byte. */
static GBytes *bp_finish(struct bp *b, unsigned top, unsigned char offset_size)
{
        guint32 table = b->a->len;
        uint8_t trailer[32] = { 0 };

        for (guint i = 0; i < b->offsets->len; i++) {
                guint32 o = g_array_index(b->offsets, guint32, i);
                uint8_t be[2] = { (uint8_t)(o >> 8), (uint8_t)o };

                g_byte_array_append(b->a, be, 2);
        }
        trailer[6] = offset_size;
        trailer[7] = 1;
        trailer[15] = (uint8_t)b->offsets->len;
        trailer[23] = (uint8_t)top;
        trailer[30] = (uint8_t)(table >> 8);
        trailer[31] = (uint8_t)table;
        g_byte_array_append(b->a, trailer, 32);
        g_array_free(b->offsets, true);
        return g_byte_array_free_to_bytes(b->a);
}

static void expect_binary(GBytes *bytes, enum profile_code code, const char *says)
{
        gsize n;
        const void *d = g_bytes_get_data(bytes, &n);

        tl_expect_error(d, n, &keep, "", code, says);
        g_bytes_unref(bytes);
}

static void test_binary_errors(void)
{
        struct bp b;

        /* An array holding itself: bounded by the depth limit. */
        bp_init(&b);
        bp_obj(&b, "\xa1\x00", 2);
        expect_binary(bp_finish(&b, 0, 2), PROFILE_E_LIMIT, "nested deeper than 16 levels");

        /* 14 arrays each referring twice to the next: 2^14 nodes, cut off. */
        bp_init(&b);
        for (int i = 0; i < 14; i++) {
                uint8_t o[3] = { 0xa2, (uint8_t)(i + 1), (uint8_t)(i + 1) };

                bp_obj(&b, o, 3);
        }
        bp_obj(&b, "\x09", 1);
        expect_binary(bp_finish(&b, 0, 2), PROFILE_E_LIMIT, "more than 8192 objects");

        bp_init(&b);
        bp_obj(&b, "\xa1\x05", 2);
        expect_binary(bp_finish(&b, 0, 2), PROFILE_E_SYNTAX, "object reference 5 beyond 1 objects");

        bp_init(&b);
        bp_obj(&b, "\x09", 1);
        expect_binary(bp_finish(&b, 0, 0), PROFILE_E_SYNTAX, "bad trailer");

        bp_init(&b);
        bp_obj(&b, "\x53\x61\x00\x62", 4);
        expect_binary(bp_finish(&b, 0, 2), PROFILE_E_SYNTAX, "holds byte 0x00");

        bp_init(&b);
        bp_obj(&b, "\x5f\x10\x40" "abc", 6); /* says 64 characters, has 3 */
        expect_binary(bp_finish(&b, 0, 2), PROFILE_E_SYNTAX, "runs past the end");

        bp_init(&b);
        bp_obj(&b, "\xd1\x01\x01", 3);
        bp_obj(&b, "\x09", 1);
        expect_binary(bp_finish(&b, 0, 2), PROFILE_E_SYNTAX, "key is not a string");

        bp_init(&b);
        bp_obj(&b, "\x80\x01", 2);
        expect_binary(bp_finish(&b, 0, 2), PROFILE_E_SYNTAX, "unsupported object");

        tl_expect_error("bplist00\x01", 9, &keep, "", PROFILE_E_SYNTAX, "shorter than");
}

/* A well-formed binary list whose strings are UTF-16 is read correctly. */
static void test_binary_utf16(void)
{
        struct bp b;
        GBytes *bytes;
        gsize n;
        const void *d;

        bp_init(&b);
        /* 0: dict { 1: "PayloadType" -> 2: "Configuration" (UTF-16) } */
        bp_obj(&b, "\xd1\x01\x02", 3);
        bp_obj(&b, "\x5bPayloadType", 12);
        bp_obj(&b, "\x6d\x00\x43\x00\x6f\x00\x6e\x00\x66\x00\x69\x00\x67\x00\x75\x00\x72\x00\x61"
                   "\x00\x74\x00\x69\x00\x6f\x00\x6e",
               27);
        bytes = bp_finish(&b, 0, 2);
        d = g_bytes_get_data(bytes, &n);
        /* It parses; the profile then lacks its payloads. */
        tl_expect_error(d, n, &keep, "PayloadContent", PROFILE_E_MISSING, NULL);
        g_bytes_unref(bytes);
}

int main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/profile/mobileconfig/eap-fields", test_eap_fields);
        g_test_add_func("/profile/mobileconfig/cert-fields", test_cert_fields);
        g_test_add_func("/profile/mobileconfig/other-vectors", test_other_vectors);
        g_test_add_func("/profile/mobileconfig/signed-vector", test_signed_vector);
        g_test_add_func("/profile/mobileconfig/signed-generated", test_signed_generated);
        g_test_add_func("/profile/mobileconfig/payload-errors", test_payload_errors);
        g_test_add_func("/profile/mobileconfig/secrets-dropped", test_secrets_dropped);
        g_test_add_func("/profile/mobileconfig/xml-errors", test_xml_errors);
        g_test_add_func("/profile/mobileconfig/binary-errors", test_binary_errors);
        g_test_add_func("/profile/mobileconfig/binary-utf16", test_binary_utf16);
        return g_test_run();
}
