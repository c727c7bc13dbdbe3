/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "mschapv2.h"

#include <errno.h>
#include <string.h>

#include <openssl/evp.h>

#include "client/common/macro.h"
#include "client/crypto/legacy.h"

/* The constants are ASCII sentences; their lengths are part of the algorithm. */
#define STR(s) { .ptr = (const uint8_t *)(s), .len = sizeof(s) - 1 }

/* RFC 2759 8.7 */
static const struct slice auth_magic1 = STR("Magic server to client signing constant");
static const struct slice auth_magic2 = STR("Pad to make it do more than one iteration");
/* RFC 3079 3.4 */
static const struct slice mppe_magic1 = STR("This is the MPPE Master Key");
static const struct slice mppe_magic2 =
        STR("On the client side, this is the send key; on the server side, it is the receive key.");
static const struct slice mppe_magic3 =
        STR("On the client side, this is the receive key; on the server side, it is the send key.");

_Static_assert(sizeof("Magic server to client signing constant") - 1 == 39, "RFC 2759 Magic1");
_Static_assert(sizeof("Pad to make it do more than one iteration") - 1 == 41, "RFC 2759 Magic2");
_Static_assert(sizeof("This is the MPPE Master Key") - 1 == 27, "RFC 3079 Magic1");
_Static_assert(sizeof("On the client side, this is the send key; on the server side, it is the "
                      "receive key.") - 1 == 84,
               "RFC 3079 Magic2");

#define SHA1_LEN 20
#define SHS_PAD_LEN 40 /* RFC 3079 3.4 SHSpad1 (0x00) and SHSpad2 (0xf2) */

/* One digest over up to four parts. md NULL means SHA-1 from the default
 * library context. */
static int digest(const EVP_MD *md, const struct slice *parts, size_t n, uint8_t *ret,
                  size_t ret_len)
{
        EVP_MD *sha1 = NULL;
        EVP_MD_CTX *ctx;
        uint8_t out[EVP_MAX_MD_SIZE];
        unsigned out_len = 0;
        int r = -EIO;

        if (!md) {
                sha1 = EVP_MD_fetch(NULL, "SHA1", NULL);
                if (!sha1)
                        return -ENOTSUP;
                md = sha1;
        }
        ctx = EVP_MD_CTX_new();
        if (!ctx) {
                EVP_MD_free(sha1);
                return -ENOMEM;
        }
        if (!EVP_DigestInit_ex2(ctx, md, NULL))
                goto out;
        for (size_t i = 0; i < n; i++)
                if (parts[i].len > 0 && !EVP_DigestUpdate(ctx, parts[i].ptr, parts[i].len))
                        goto out;
        if (!EVP_DigestFinal_ex(ctx, out, &out_len) || out_len < ret_len)
                goto out;
        memcpy(ret, out, ret_len);
        r = 0;
out:
        secure_wipe(out, sizeof(out));
        EVP_MD_CTX_free(ctx);
        EVP_MD_free(sha1);
        return r;
}

int mschapv2_password_utf16le(struct slice utf8, struct bytes *ret)
{
        struct bytes out;
        size_t units = 0, i = 0;
        int r;

        /* At most two UTF-16 code units per input byte pair; never more
         * output bytes than 2 * input bytes. */
        if (utf8.len > MSCHAPV2_PASSWORD_MAX_UNITS * 4)
                return -E2BIG;
        r = bytes_alloc(&out, utf8.len * 2);
        if (r < 0)
                return r;

        while (i < utf8.len) {
                const uint8_t *s = utf8.ptr + i;
                size_t left = utf8.len - i, need;
                uint32_t cp, min;

                if (s[0] < 0x80) {
                        cp = s[0];
                        need = 1;
                        min = 0;
                } else if ((s[0] & 0xe0) == 0xc0) {
                        cp = s[0] & 0x1f;
                        need = 2;
                        min = 0x80;
                } else if ((s[0] & 0xf0) == 0xe0) {
                        cp = s[0] & 0x0f;
                        need = 3;
                        min = 0x800;
                } else if ((s[0] & 0xf8) == 0xf0) {
                        cp = s[0] & 0x07;
                        need = 4;
                        min = 0x10000;
                } else {
                        r = -EINVAL;
                        goto fail;
                }
                if (need > left) {
                        r = -EINVAL;
                        goto fail;
                }
                for (size_t k = 1; k < need; k++) {
                        if ((s[k] & 0xc0) != 0x80) {
                                r = -EINVAL;
                                goto fail;
                        }
                        cp = cp << 6 | (s[k] & 0x3f);
                }
                /* overlong forms, UTF-16 surrogates, beyond Unicode */
                if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) {
                        r = -EINVAL;
                        goto fail;
                }
                i += need;

                if (cp >= 0x10000) {
                        uint32_t v = cp - 0x10000;
                        uint16_t hi = (uint16_t)(0xd800 | v >> 10);
                        uint16_t lo = (uint16_t)(0xdc00 | (v & 0x3ff));

                        if (units + 2 > MSCHAPV2_PASSWORD_MAX_UNITS) {
                                r = -E2BIG;
                                goto fail;
                        }
                        out.ptr[units * 2] = (uint8_t)hi;
                        out.ptr[units * 2 + 1] = (uint8_t)(hi >> 8);
                        out.ptr[units * 2 + 2] = (uint8_t)lo;
                        out.ptr[units * 2 + 3] = (uint8_t)(lo >> 8);
                        units += 2;
                } else {
                        if (units + 1 > MSCHAPV2_PASSWORD_MAX_UNITS) {
                                r = -E2BIG;
                                goto fail;
                        }
                        out.ptr[units * 2] = (uint8_t)cp;
                        out.ptr[units * 2 + 1] = (uint8_t)(cp >> 8);
                        units += 1;
                }
        }
        /* Only the length shrinks; the wiped tail stays allocated. */
        if (out.len > units * 2)
                secure_wipe(out.ptr + units * 2, out.len - units * 2);
        ret->ptr = out.ptr;
        ret->len = units * 2;
        /* bytes_free_secret() wipes ret->len bytes; the tail is already zero. */
        return 0;
fail:
        bytes_free_secret(&out);
        return r;
}

struct slice mschapv2_username(struct slice identity)
{
        for (size_t i = 0; i < identity.len; i++)
                if (identity.ptr[i] == '\\')
                        return SLICE(identity.ptr + i + 1, identity.len - i - 1);
        return identity;
}

int mschapv2_nt_password_hash(struct slice password_utf8, uint8_t ret[static MSCHAPV2_HASH_LEN])
{
        const EVP_MD *md4 = crypto_legacy_md4();
        struct bytes unicode = { 0 };
        struct slice part;
        int r;

        if (!md4)
                return -ENOTSUP;
        r = mschapv2_password_utf16le(password_utf8, &unicode);
        if (r < 0)
                return r;
        part = SLICE(unicode.ptr, unicode.len);
        r = digest(md4, &part, 1, ret, MSCHAPV2_HASH_LEN);
        bytes_free_secret(&unicode);
        return r;
}

int mschapv2_hash_nt_password_hash(const uint8_t hash[static MSCHAPV2_HASH_LEN],
                                   uint8_t ret[static MSCHAPV2_HASH_LEN])
{
        const EVP_MD *md4 = crypto_legacy_md4();
        struct slice part = SLICE(hash, MSCHAPV2_HASH_LEN);

        if (!md4)
                return -ENOTSUP;
        return digest(md4, &part, 1, ret, MSCHAPV2_HASH_LEN);
}

int mschapv2_challenge_hash(const uint8_t peer_challenge[static MSCHAPV2_CHALLENGE_LEN],
                            const uint8_t auth_challenge[static MSCHAPV2_CHALLENGE_LEN],
                            struct slice username,
                            uint8_t ret[static MSCHAPV2_CHALLENGE_HASH_LEN])
{
        const struct slice parts[] = {
                SLICE(peer_challenge, MSCHAPV2_CHALLENGE_LEN),
                SLICE(auth_challenge, MSCHAPV2_CHALLENGE_LEN),
                username,
        };

        return digest(NULL, parts, ARRAY_SIZE(parts), ret, MSCHAPV2_CHALLENGE_HASH_LEN);
}

/*
 * RFC 2759 8.6 DesEncrypt takes a 7-byte (56-bit) key; DES wants 8 bytes
 * with the key bits in the upper seven bits of each byte. Bit i of the
 * 56-bit string (most significant first) lands in byte i / 7, and the low
 * bit of each byte gets odd parity (ignored by DES, set for tidiness).
 */
void mschapv2_des_key(const uint8_t in[static 7], uint8_t out[static 8])
{
        memset(out, 0, 8);
        for (unsigned i = 0; i < 56; i++) {
                unsigned bit = (in[i / 8] >> (7 - i % 8)) & 1u;

                out[i / 7] |= (uint8_t)(bit << (7 - i % 7));
        }
        for (unsigned k = 0; k < 8; k++) {
                unsigned ones = 0;

                for (unsigned b = 1; b < 8; b++)
                        ones += (out[k] >> b) & 1u;
                if (ones % 2 == 0)
                        out[k] |= 1;
        }
}

int mschapv2_challenge_response(const uint8_t challenge[static MSCHAPV2_CHALLENGE_HASH_LEN],
                                const uint8_t password_hash[static MSCHAPV2_HASH_LEN],
                                uint8_t ret[static MSCHAPV2_NT_RESPONSE_LEN])
{
        const EVP_CIPHER *des = crypto_legacy_des_ecb();
        EVP_CIPHER_CTX *ctx;
        uint8_t zhash[21] = { 0 }, key[8], out[MSCHAPV2_NT_RESPONSE_LEN];
        int r = -EIO;

        if (!des)
                return -ENOTSUP;
        ctx = EVP_CIPHER_CTX_new();
        if (!ctx)
                return -ENOMEM;
        /* ZPasswordHash: the 16-byte hash padded with zeros to 21 bytes, cut
         * into three 7-byte DES keys. */
        memcpy(zhash, password_hash, MSCHAPV2_HASH_LEN);
        for (unsigned k = 0; k < 3; k++) {
                int n = 0;

                mschapv2_des_key(zhash + 7 * k, key);
                if (!EVP_EncryptInit_ex2(ctx, des, key, NULL, NULL) ||
                    !EVP_CIPHER_CTX_set_padding(ctx, 0) ||
                    !EVP_EncryptUpdate(ctx, out + 8 * k, &n, challenge, 8) || n != 8)
                        goto done;
        }
        memcpy(ret, out, sizeof(out));
        r = 0;
done:
        secure_wipe(zhash, sizeof(zhash));
        secure_wipe(key, sizeof(key));
        secure_wipe(out, sizeof(out));
        EVP_CIPHER_CTX_free(ctx);
        return r;
}

int mschapv2_generate_nt_response(const uint8_t auth_challenge[static MSCHAPV2_CHALLENGE_LEN],
                                  const uint8_t peer_challenge[static MSCHAPV2_CHALLENGE_LEN],
                                  struct slice username,
                                  const uint8_t password_hash[static MSCHAPV2_HASH_LEN],
                                  uint8_t ret[static MSCHAPV2_NT_RESPONSE_LEN])
{
        uint8_t challenge[MSCHAPV2_CHALLENGE_HASH_LEN];
        int r;

        r = mschapv2_challenge_hash(peer_challenge, auth_challenge, username, challenge);
        if (r >= 0)
                r = mschapv2_challenge_response(challenge, password_hash, ret);
        secure_wipe(challenge, sizeof(challenge));
        return r;
}

int mschapv2_authenticator_response(const uint8_t password_hash[static MSCHAPV2_HASH_LEN],
                                    const uint8_t nt_response[static MSCHAPV2_NT_RESPONSE_LEN],
                                    const uint8_t peer_challenge[static MSCHAPV2_CHALLENGE_LEN],
                                    const uint8_t auth_challenge[static MSCHAPV2_CHALLENGE_LEN],
                                    struct slice username,
                                    uint8_t ret[static MSCHAPV2_AUTH_RESPONSE_LEN])
{
        uint8_t hash_hash[MSCHAPV2_HASH_LEN], inner[SHA1_LEN];
        uint8_t challenge[MSCHAPV2_CHALLENGE_HASH_LEN];
        int r;

        r = mschapv2_hash_nt_password_hash(password_hash, hash_hash);
        if (r < 0)
                goto out;
        {
                /* Digest = SHA1(PasswordHashHash | NTResponse | Magic1) */
                const struct slice parts[] = {
                        SLICE(hash_hash, sizeof(hash_hash)),
                        SLICE(nt_response, MSCHAPV2_NT_RESPONSE_LEN),
                        auth_magic1,
                };

                r = digest(NULL, parts, ARRAY_SIZE(parts), inner, sizeof(inner));
                if (r < 0)
                        goto out;
        }
        r = mschapv2_challenge_hash(peer_challenge, auth_challenge, username, challenge);
        if (r < 0)
                goto out;
        {
                /* AuthenticatorResponse = SHA1(Digest | Challenge | Magic2) */
                const struct slice parts[] = {
                        SLICE(inner, sizeof(inner)),
                        SLICE(challenge, sizeof(challenge)),
                        auth_magic2,
                };

                r = digest(NULL, parts, ARRAY_SIZE(parts), ret, MSCHAPV2_AUTH_RESPONSE_LEN);
        }
out:
        secure_wipe(hash_hash, sizeof(hash_hash));
        secure_wipe(inner, sizeof(inner));
        secure_wipe(challenge, sizeof(challenge));
        return r;
}

int mschapv2_master_key(const uint8_t password_hash_hash[static MSCHAPV2_HASH_LEN],
                        const uint8_t nt_response[static MSCHAPV2_NT_RESPONSE_LEN],
                        uint8_t ret[static MSCHAPV2_MASTER_KEY_LEN])
{
        const struct slice parts[] = {
                SLICE(password_hash_hash, MSCHAPV2_HASH_LEN),
                SLICE(nt_response, MSCHAPV2_NT_RESPONSE_LEN),
                mppe_magic1,
        };

        return digest(NULL, parts, ARRAY_SIZE(parts), ret, MSCHAPV2_MASTER_KEY_LEN);
}

int mschapv2_asymmetric_start_key(const uint8_t master_key[static MSCHAPV2_MASTER_KEY_LEN],
                                  bool is_send, bool is_server,
                                  uint8_t ret[static MSCHAPV2_MPPE_KEY_LEN])
{
        static const uint8_t pad1[SHS_PAD_LEN] = { 0 };
        uint8_t pad2[SHS_PAD_LEN];
        const struct slice parts[] = {
                SLICE(master_key, MSCHAPV2_MASTER_KEY_LEN),
                SLICE(pad1, sizeof(pad1)),
                is_send != is_server ? mppe_magic2 : mppe_magic3,
                SLICE(pad2, sizeof(pad2)),
        };

        memset(pad2, 0xf2, sizeof(pad2));
        return digest(NULL, parts, ARRAY_SIZE(parts), ret, MSCHAPV2_MPPE_KEY_LEN);
}

int mschapv2_msk(const uint8_t password_hash[static MSCHAPV2_HASH_LEN],
                 const uint8_t nt_response[static MSCHAPV2_NT_RESPONSE_LEN],
                 uint8_t ret[static MSCHAPV2_MSK_LEN])
{
        uint8_t hash_hash[MSCHAPV2_HASH_LEN], master[MSCHAPV2_MASTER_KEY_LEN];
        uint8_t msk[MSCHAPV2_MSK_LEN] = { 0 };
        int r;

        r = mschapv2_hash_nt_password_hash(password_hash, hash_hash);
        if (r >= 0)
                r = mschapv2_master_key(hash_hash, nt_response, master);
        /* The authenticator's receive key (= our send key, Magic2) first,
         * then its send key (= our receive key, Magic3); see mschapv2.h. */
        if (r >= 0)
                r = mschapv2_asymmetric_start_key(master, false, true, msk);
        if (r >= 0)
                r = mschapv2_asymmetric_start_key(master, true, true, msk + 16);
        if (r >= 0)
                memcpy(ret, msk, sizeof(msk));
        secure_wipe(hash_hash, sizeof(hash_hash));
        secure_wipe(master, sizeof(master));
        secure_wipe(msk, sizeof(msk));
        return r;
}
