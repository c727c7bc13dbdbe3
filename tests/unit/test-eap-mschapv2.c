/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MS-CHAPv2 and MPPE known answers: RFC 2759 section 9 and RFC 3079 section
 * 3.5.3, from tests/vectors/eap/, against client/ike/mschapv2.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "client/ike/mschapv2.h"

static GKeyFile *load_vectors(const char *name)
{
        g_autofree char *path = g_test_build_filename(G_TEST_DIST, "tests", "vectors", "eap",
                                                      name, NULL);
        g_autoptr(GError) error = NULL;
        GKeyFile *kf = g_key_file_new();

        if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &error))
                g_error("%s: %s", path, error->message);
        return kf;
}

/* "5B 5D 7C" -> bytes; exactly n of them. */
static void vec_hex(GKeyFile *kf, const char *group, const char *key, uint8_t *out, size_t n)
{
        g_autoptr(GError) error = NULL;
        g_autofree char *v = g_key_file_get_string(kf, group, key, &error);
        size_t got = 0;

        if (!v)
                g_error("[%s] %s: %s", group, key, error->message);
        for (const char *p = v; *p;) {
                unsigned byte;

                if (g_ascii_isspace(*p)) {
                        p++;
                        continue;
                }
                if (!g_ascii_isxdigit(p[0]) || !g_ascii_isxdigit(p[1]) || sscanf(p, "%2x", &byte) != 1)
                        g_error("[%s] %s: not hex at '%s'", group, key, p);
                if (got >= n)
                        g_error("[%s] %s: more than %zu bytes", group, key, n);
                out[got++] = (uint8_t)byte;
                p += 2;
        }
        if (got != n)
                g_error("[%s] %s: %zu bytes, expected %zu", group, key, got, n);
}

static char *vec_str(GKeyFile *kf, const char *group, const char *key)
{
        g_autoptr(GError) error = NULL;
        char *v = g_key_file_get_string(kf, group, key, &error);

        if (!v)
                g_error("[%s] %s: %s", group, key, error->message);
        return v;
}

#define assert_bytes(a, b, n) g_assert_cmpmem((a), (n), (b), (n))

static void test_rfc2759_hash_example(void)
{
        g_autoptr(GKeyFile) kf = load_vectors("mschapv2-rfc2759.txt");
        const char *g = "hash-example";
        uint8_t user[4], unicode[20], auth_challenge[16], peer_challenge[16], challenge[8];
        uint8_t hash[16], nt_response[24], hash_hash[16], got[24], auth[20];
        g_autofree char *password = vec_str(kf, g, "PasswordText");
        g_autofree char *expected_auth = vec_str(kf, g, "AuthenticatorResponse");
        struct bytes utf16 = { 0 };
        char s_string[64];

        vec_hex(kf, g, "UserName", user, sizeof(user));
        vec_hex(kf, g, "Password", unicode, sizeof(unicode));
        vec_hex(kf, g, "AuthenticatorChallenge", auth_challenge, sizeof(auth_challenge));
        vec_hex(kf, g, "PeerChallenge", peer_challenge, sizeof(peer_challenge));
        vec_hex(kf, g, "Challenge", challenge, sizeof(challenge));
        vec_hex(kf, g, "PasswordHash", hash, sizeof(hash));
        vec_hex(kf, g, "NT-Response", nt_response, sizeof(nt_response));
        vec_hex(kf, g, "PasswordHashHash", hash_hash, sizeof(hash_hash));

        /* The UTF-8 password becomes the RFC's UTF-16LE bytes. */
        g_assert_cmpint(mschapv2_password_utf16le(SLICE(password, strlen(password)), &utf16), ==,
                        0);
        g_assert_cmpmem(utf16.ptr, utf16.len, unicode, sizeof(unicode));
        bytes_free_secret(&utf16);

        g_assert_cmpint(mschapv2_nt_password_hash(SLICE(password, strlen(password)), got), ==, 0);
        assert_bytes(got, hash, 16);

        g_assert_cmpint(mschapv2_challenge_hash(peer_challenge, auth_challenge,
                                                SLICE(user, sizeof(user)), got),
                        ==, 0);
        assert_bytes(got, challenge, 8);

        g_assert_cmpint(mschapv2_challenge_response(challenge, hash, got), ==, 0);
        assert_bytes(got, nt_response, 24);

        memset(got, 0, sizeof(got));
        g_assert_cmpint(mschapv2_generate_nt_response(auth_challenge, peer_challenge,
                                                      SLICE(user, sizeof(user)), hash, got),
                        ==, 0);
        assert_bytes(got, nt_response, 24);

        g_assert_cmpint(mschapv2_hash_nt_password_hash(hash, got), ==, 0);
        assert_bytes(got, hash_hash, 16);

        g_assert_cmpint(mschapv2_authenticator_response(hash, nt_response, peer_challenge,
                                                        auth_challenge, SLICE(user, sizeof(user)),
                                                        auth),
                        ==, 0);
        strcpy(s_string, "S=");
        for (size_t i = 0; i < sizeof(auth); i++)
                sprintf(s_string + 2 + 2 * i, "%02X", auth[i]);
        g_assert_cmpstr(s_string, ==, expected_auth);

        /* A different user name changes the challenge hash (the name is
         * really part of it). */
        g_assert_cmpint(mschapv2_challenge_hash(peer_challenge, auth_challenge,
                                                SLICE("user", 4), got),
                        ==, 0);
        g_assert_true(memcmp(got, challenge, 8) != 0);
}

static void test_rfc2759_des_key_example(void)
{
        g_autoptr(GKeyFile) kf = load_vectors("mschapv2-rfc2759.txt");
        const char *g = "des-key-example";
        g_autofree char *password = vec_str(kf, g, "PasswordText");
        uint8_t unicode[8], hash[16], raw1[7], raw2[7], key1[8], key2[8], got[16];
        struct bytes utf16 = { 0 };

        vec_hex(kf, g, "Password", unicode, sizeof(unicode));
        vec_hex(kf, g, "PasswordHash", hash, sizeof(hash));
        vec_hex(kf, g, "RawKey1", raw1, sizeof(raw1));
        vec_hex(kf, g, "DesKey1", key1, sizeof(key1));
        vec_hex(kf, g, "RawKey2", raw2, sizeof(raw2));
        vec_hex(kf, g, "DesKey2", key2, sizeof(key2));

        g_assert_cmpint(mschapv2_password_utf16le(SLICE(password, strlen(password)), &utf16), ==,
                        0);
        g_assert_cmpmem(utf16.ptr, utf16.len, unicode, sizeof(unicode));
        bytes_free_secret(&utf16);
        g_assert_cmpint(mschapv2_nt_password_hash(SLICE(password, strlen(password)), got), ==, 0);
        assert_bytes(got, hash, 16);
        /* The raw keys are the first and second seven bytes of the hash. */
        assert_bytes(hash, raw1, 7);
        assert_bytes(hash + 7, raw2, 7);
        mschapv2_des_key(raw1, got);
        assert_bytes(got, key1, 8);
        mschapv2_des_key(raw2, got);
        assert_bytes(got, key2, 8);
}

static void test_rfc3079_sample_128(void)
{
        g_autoptr(GKeyFile) kf = load_vectors("mppe-rfc3079.txt");
        const char *g = "sample-128-bit";
        uint8_t hash[16], nt_response[24], hash_hash[16], master[16], send_start[16];
        uint8_t client_send[16], msk[64], got[64];

        vec_hex(kf, g, "PasswordHash", hash, sizeof(hash));
        vec_hex(kf, g, "NT-Response", nt_response, sizeof(nt_response));
        vec_hex(kf, g, "PasswordHashHash", hash_hash, sizeof(hash_hash));
        vec_hex(kf, g, "MasterKey", master, sizeof(master));
        vec_hex(kf, g, "SendStartKey128", send_start, sizeof(send_start));
        vec_hex(kf, "derived-msk", "ClientSendStartKey128", client_send, sizeof(client_send));
        vec_hex(kf, "derived-msk", "MSK", msk, sizeof(msk));

        g_assert_cmpint(mschapv2_hash_nt_password_hash(hash, got), ==, 0);
        assert_bytes(got, hash_hash, 16);
        g_assert_cmpint(mschapv2_master_key(hash_hash, nt_response, got), ==, 0);
        assert_bytes(got, master, 16);

        /* The RFC's server-side send key ... */
        g_assert_cmpint(mschapv2_asymmetric_start_key(master, true, true, got), ==, 0);
        assert_bytes(got, send_start, 16);
        /* ... is the client's receive key ... */
        g_assert_cmpint(mschapv2_asymmetric_start_key(master, false, false, got), ==, 0);
        assert_bytes(got, send_start, 16);
        /* ... and the client's send key is the server's receive key. */
        g_assert_cmpint(mschapv2_asymmetric_start_key(master, true, false, got), ==, 0);
        assert_bytes(got, client_send, 16);
        g_assert_cmpint(mschapv2_asymmetric_start_key(master, false, true, got), ==, 0);
        assert_bytes(got, client_send, 16);

        /* MSK = server receive key | server send key | 32 zero bytes. */
        g_assert_cmpint(mschapv2_msk(hash, nt_response, got), ==, 0);
        assert_bytes(got, msk, 64);
        assert_bytes(got, client_send, 16);
        assert_bytes(got + 16, send_start, 16);
}

static void test_utf16le(void)
{
        static const struct {
                const char *utf8;
                size_t utf8_len;
                const char *utf16;
                size_t utf16_len;
                int ret;
        } cases[] = {
                { "", 0, "", 0, 0 },
                { "a", 1, "a\0", 2, 0 },
                { "\xc3\xa9", 2, "\xe9\0", 2, 0 },                 /* é */
                { "\xe2\x82\xac", 3, "\xac\x20", 2, 0 },           /* € */
                { "\xf0\x9f\x98\x80", 4, "\x3d\xd8\x00\xde", 4, 0 }, /* U+1F600, surrogate pair */
                { "\xf4\x8f\xbf\xbf", 4, "\xff\xdb\xff\xdf", 4, 0 }, /* U+10FFFF */
                { "\xc0\xaf", 2, NULL, 0, -EINVAL },               /* overlong '/' */
                { "\xe0\x80\xaf", 3, NULL, 0, -EINVAL },           /* overlong, 3 bytes */
                { "\xed\xa0\x80", 3, NULL, 0, -EINVAL },           /* UTF-16 surrogate */
                { "\xf4\x90\x80\x80", 4, NULL, 0, -EINVAL },       /* above U+10FFFF */
                { "\xe2\x82", 2, NULL, 0, -EINVAL },               /* truncated */
                { "\x80", 1, NULL, 0, -EINVAL },                   /* lone continuation */
                { "\xf8\x88\x80\x80\x80", 5, NULL, 0, -EINVAL },   /* 5-byte form */
                { "a\xc3", 2, NULL, 0, -EINVAL },
        };

        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                struct bytes out = { 0 };
                int r = mschapv2_password_utf16le(SLICE(cases[i].utf8, cases[i].utf8_len), &out);

                g_assert_cmpint(r, ==, cases[i].ret);
                if (r == 0)
                        g_assert_cmpmem(out.ptr, out.len, cases[i].utf16, cases[i].utf16_len);
                bytes_free_secret(&out);
        }
}

static void test_password_limits(void)
{
        char buf[1100];
        struct bytes out = { 0 };
        uint8_t hash[16];

        /* 256 characters are allowed (RFC 2759 8.2), 257 are not. */
        memset(buf, 'x', 257);
        g_assert_cmpint(mschapv2_password_utf16le(SLICE(buf, 256), &out), ==, 0);
        g_assert_cmpuint(out.len, ==, 512);
        bytes_free_secret(&out);
        g_assert_cmpint(mschapv2_password_utf16le(SLICE(buf, 257), &out), ==, -E2BIG);
        g_assert_cmpint(mschapv2_nt_password_hash(SLICE(buf, 257), hash), ==, -E2BIG);

        /* Code units count, not characters: 128 surrogate pairs fit, 129 not. */
        for (size_t i = 0; i < 129; i++)
                memcpy(buf + 4 * i, "\xf0\x9f\x98\x80", 4);
        g_assert_cmpint(mschapv2_password_utf16le(SLICE(buf, 128 * 4), &out), ==, 0);
        g_assert_cmpuint(out.len, ==, 512);
        bytes_free_secret(&out);
        g_assert_cmpint(mschapv2_password_utf16le(SLICE(buf, 129 * 4), &out), ==, -E2BIG);
}

static void test_username(void)
{
        struct slice s;

        s = mschapv2_username(SLICE("CORP\\alice", 10));
        g_assert_cmpmem(s.ptr, s.len, "alice", 5);
        s = mschapv2_username(SLICE("alice@corp.example", 18));
        g_assert_cmpmem(s.ptr, s.len, "alice@corp.example", 18);
        s = mschapv2_username(SLICE("a\\b\\c", 5));
        g_assert_cmpmem(s.ptr, s.len, "b\\c", 3);
        s = mschapv2_username(SLICE("trailing\\", 9));
        g_assert_cmpuint(s.len, ==, 0);
}

int main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/eap/mschapv2/rfc2759-hash-example", test_rfc2759_hash_example);
        g_test_add_func("/eap/mschapv2/rfc2759-des-key-example", test_rfc2759_des_key_example);
        g_test_add_func("/eap/mschapv2/rfc3079-sample-128-bit", test_rfc3079_sample_128);
        g_test_add_func("/eap/mschapv2/utf8-to-utf16le", test_utf16le);
        g_test_add_func("/eap/mschapv2/password-limits", test_password_limits);
        g_test_add_func("/eap/mschapv2/username-without-domain", test_username);
        return g_test_run();
}
