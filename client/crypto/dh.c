/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Key exchange over OpenSSL 3: EVP_PKEY for the keys and the derivation,
 * BIGNUM/EC_POINT (constant-time exponentiation and scalar multiplication)
 * only to turn a private value we were given into its public value, which
 * EVP_PKEY_fromdata() does not do for DH and EC keys.
 */
#include "dh.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/dh.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "client/ike/ikev2.h"

#define DH_MAX_PUB_LEN 512 /* MODP-4096 */
#define RNG_TRIES      64  /* rejection sampling; each try fails with p <= 2^-32 */

/* clang-format off */
static const struct crypto_dh_group groups[] = {
        /* RFC 3526. Exponents of twice the group's strength (NIST SP 800-56A
         * 5.6.1.1.1, SP 800-57 Part 1 table 2): 112 -> 256, 128 -> 320,
         * 152 -> 384 bits, rounded up. */
        { .name = "MODP_2048", .ikev2_id = IKEV2_DH_MODP2048, .kind = CRYPTO_DH_MODP,
          .ossl_name = "modp_2048", .pub_len = 256, .secret_len = 256, .priv_len = 32 },
        { .name = "MODP_3072", .ikev2_id = IKEV2_DH_MODP3072, .kind = CRYPTO_DH_MODP,
          .ossl_name = "modp_3072", .pub_len = 384, .secret_len = 384, .priv_len = 40 },
        { .name = "MODP_4096", .ikev2_id = IKEV2_DH_MODP4096, .kind = CRYPTO_DH_MODP,
          .ossl_name = "modp_4096", .pub_len = 512, .secret_len = 512, .priv_len = 48 },
        /* RFC 5903 */
        { .name = "ECP_256", .ikev2_id = IKEV2_DH_ECP256, .kind = CRYPTO_DH_ECP,
          .ossl_name = "P-256", .pub_len = 64, .secret_len = 32, .priv_len = 32 },
        { .name = "ECP_384", .ikev2_id = IKEV2_DH_ECP384, .kind = CRYPTO_DH_ECP,
          .ossl_name = "P-384", .pub_len = 96, .secret_len = 48, .priv_len = 48 },
        { .name = "ECP_521", .ikev2_id = IKEV2_DH_ECP521, .kind = CRYPTO_DH_ECP,
          .ossl_name = "P-521", .pub_len = 132, .secret_len = 66, .priv_len = 66 },
        /* RFC 8031 */
        { .name = "CURVE25519", .ikev2_id = IKEV2_DH_CURVE25519, .kind = CRYPTO_DH_XDH,
          .ossl_name = "X25519", .pub_len = 32, .secret_len = 32, .priv_len = 32 },
        { .name = "CURVE448", .ikev2_id = IKEV2_DH_CURVE448, .kind = CRYPTO_DH_XDH,
          .ossl_name = "X448", .pub_len = 56, .secret_len = 56, .priv_len = 56 },
};
/* clang-format on */

const struct crypto_dh_group *crypto_dh_lookup(uint16_t ikev2_id)
{
        for (size_t i = 0; i < ARRAY_SIZE(groups); i++)
                if (groups[i].ikev2_id == ikev2_id)
                        return &groups[i];
        return NULL;
}

const struct crypto_dh_group *crypto_dh_table(size_t *ret_n)
{
        *ret_n = ARRAY_SIZE(groups);
        return groups;
}

struct crypto_dh {
        const struct crypto_dh_group *g;
        EVP_PKEY *key;
        uint8_t pub[DH_MAX_PUB_LEN];
};

void crypto_dh_free(struct crypto_dh *dh)
{
        if (!dh)
                return;
        EVP_PKEY_free(dh->key); /* clears the private value */
        secure_free(dh, sizeof(*dh));
}

const struct crypto_dh_group *crypto_dh_group(const struct crypto_dh *dh)
{
        return dh->g;
}

struct slice crypto_dh_public(const struct crypto_dh *dh)
{
        return SLICE(dh->pub, dh->g->pub_len);
}

static void set_why(const char **ret_why, const char *why)
{
        if (ret_why)
                *ret_why = why;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(BIGNUM *, BN_clear_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(BN_CTX *, BN_CTX_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(EC_GROUP *, EC_GROUP_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(EC_POINT *, EC_POINT_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(EVP_PKEY *, EVP_PKEY_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(EVP_PKEY_CTX *, EVP_PKEY_CTX_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(OSSL_PARAM_BLD *, OSSL_PARAM_BLD_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(OSSL_PARAM *, OSSL_PARAM_free);

/* Builds a key of g's type from params (a named group plus key parts). */
static EVP_PKEY *pkey_fromdata(const struct crypto_dh_group *g, OSSL_PARAM_BLD *bld, int selection)
{
        _cleanup_(EVP_PKEY_CTX_freep) EVP_PKEY_CTX *ctx = NULL;
        _cleanup_(OSSL_PARAM_freep) OSSL_PARAM *params = NULL;
        EVP_PKEY *key = NULL;

        if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, g->ossl_name, 0))
                return NULL;
        params = OSSL_PARAM_BLD_to_param(bld);
        ctx = EVP_PKEY_CTX_new_from_name(NULL, g->kind == CRYPTO_DH_MODP ? "DH" : "EC", NULL);
        if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) != 1 ||
            EVP_PKEY_fromdata(ctx, &key, selection, params) != 1)
                return NULL;
        return key;
}

/* ------------------------------------------------------------------ MODP */

/* The group's prime p and subgroup order q = (p-1)/2. */
static int modp_pq(const struct crypto_dh_group *g, BIGNUM **ret_p, BIGNUM **ret_q)
{
        _cleanup_(OSSL_PARAM_BLD_freep) OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *params = NULL;
        BIGNUM *p = NULL, *q = NULL;

        if (!bld)
                return -ENOMEM;
        params = pkey_fromdata(g, bld, EVP_PKEY_KEY_PARAMETERS);
        if (!params || EVP_PKEY_get_bn_param(params, OSSL_PKEY_PARAM_FFC_P, &p) != 1 ||
            EVP_PKEY_get_bn_param(params, OSSL_PKEY_PARAM_FFC_Q, &q) != 1) {
                BN_free(p);
                return -EIO;
        }
        *ret_p = p;
        *ret_q = q;
        return 0;
}

static int modp_from_private(struct crypto_dh *dh, struct slice priv)
{
        _cleanup_(BN_clear_freep) BIGNUM *x = NULL;
        _cleanup_(BN_clear_freep) BIGNUM *p = NULL;
        _cleanup_(BN_clear_freep) BIGNUM *q = NULL;
        _cleanup_(BN_clear_freep) BIGNUM *y = NULL;
        _cleanup_(BN_clear_freep) BIGNUM *two = NULL;
        _cleanup_(BN_CTX_freep) BN_CTX *bnctx = BN_CTX_new();
        _cleanup_(OSSL_PARAM_BLD_freep) OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
        int r;

        if (!bnctx || !bld)
                return -ENOMEM;
        r = modp_pq(dh->g, &p, &q);
        if (r < 0)
                return r;
        if (priv.len == 0 || priv.len > dh->g->pub_len)
                return -EINVAL;
        x = BN_secure_new();
        y = BN_new();
        two = BN_new();
        if (!x || !y || !two || !BN_bin2bn(priv.ptr, (int)priv.len, x) || !BN_set_word(two, 2))
                return -ENOMEM;
        /* 1 < x < q: 0 and 1 give a public value the peer must refuse. */
        if (BN_cmp(x, BN_value_one()) <= 0 || BN_cmp(x, q) >= 0)
                return -EINVAL;
        BN_set_flags(x, BN_FLG_CONSTTIME);
        /* y = g^x mod p, g = 2 for every RFC 3526 group */
        if (!BN_mod_exp_mont_consttime(y, two, x, p, bnctx, NULL))
                return -EIO;
        if (BN_bn2binpad(y, dh->pub, dh->g->pub_len) != (int)dh->g->pub_len)
                return -EIO;
        if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, x) ||
            !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, y))
                return -ENOMEM;
        dh->key = pkey_fromdata(dh->g, bld, EVP_PKEY_KEYPAIR);
        return dh->key ? 0 : -EIO;
}

static int modp_check(const struct crypto_dh_group *g, struct slice peer, const char **ret_why)
{
        _cleanup_(BN_clear_freep) BIGNUM *p = NULL;
        _cleanup_(BN_clear_freep) BIGNUM *q = NULL;
        _cleanup_(BN_clear_freep) BIGNUM *y = NULL;
        _cleanup_(BN_clear_freep) BIGNUM *pm1 = NULL;
        _cleanup_(OSSL_PARAM_BLD_freep) OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
        _cleanup_(EVP_PKEY_CTX_freep) EVP_PKEY_CTX *ctx = NULL;
        int r;

        if (!bld)
                return -ENOMEM;
        r = modp_pq(g, &p, &q);
        if (r < 0)
                return r;
        y = BN_bin2bn(peer.ptr, (int)peer.len, NULL);
        pm1 = BN_dup(p);
        if (!y || !pm1 || !BN_sub_word(pm1, 1))
                return -ENOMEM;
        /* RFC 6989 2.1: 1 < y < p-1 (0, 1 and p-1 give away the secret). */
        if (BN_cmp(y, BN_value_one()) <= 0 || BN_cmp(y, pm1) >= 0) {
                set_why(ret_why, "MODP public value not in the range (1, p-1) (RFC 6989 2.1)");
                return -EINVAL;
        }
        /* RFC 6989 2.2: y^q = 1 mod p, i.e. y lies in the prime-order subgroup.
         * OpenSSL's full public key check does it for named groups (q known). */
        if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, y))
                return -ENOMEM;
        key = pkey_fromdata(g, bld, EVP_PKEY_PUBLIC_KEY);
        if (!key)
                return -EIO;
        ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
        if (!ctx)
                return -ENOMEM;
        if (EVP_PKEY_public_check(ctx) != 1) {
                set_why(ret_why, "MODP public value outside the prime-order subgroup: "
                                 "y^q != 1 mod p (RFC 6989 2.2)");
                return -EINVAL;
        }
        return 0;
}

/* ------------------------------------------------------------------ ECP */

static size_t ecp_field_len(const struct crypto_dh_group *g)
{
        return g->pub_len / 2;
}

static EC_GROUP *ecp_group(const struct crypto_dh_group *g)
{
        return EC_GROUP_new_by_curve_name(EC_curve_nist2nid(g->ossl_name));
}

static int ecp_from_private(struct crypto_dh *dh, struct slice priv)
{
        const size_t flen = ecp_field_len(dh->g);
        _cleanup_(EC_GROUP_freep) EC_GROUP *grp = ecp_group(dh->g);
        _cleanup_(EC_POINT_freep) EC_POINT *pt = NULL;
        _cleanup_(BN_clear_freep) BIGNUM *d = NULL;
        _cleanup_(BN_CTX_freep) BN_CTX *bnctx = BN_CTX_new();
        _cleanup_(OSSL_PARAM_BLD_freep) OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
        uint8_t oct[1 + DH_MAX_PUB_LEN];

        if (!grp || !bnctx || !bld)
                return -ENOMEM;
        if (priv.len != flen)
                return -EINVAL;
        d = BN_secure_new();
        pt = EC_POINT_new(grp);
        if (!d || !pt || !BN_bin2bn(priv.ptr, (int)priv.len, d))
                return -ENOMEM;
        if (BN_is_zero(d) || BN_cmp(d, EC_GROUP_get0_order(grp)) >= 0)
                return -EINVAL;
        BN_set_flags(d, BN_FLG_CONSTTIME);
        /* Q = d * G (OpenSSL's constant-time ladder for a secret scalar). */
        if (!EC_POINT_mul(grp, pt, d, NULL, NULL, bnctx) ||
            EC_POINT_point2oct(grp, pt, POINT_CONVERSION_UNCOMPRESSED, oct, sizeof(oct), bnctx) !=
                    1 + 2 * flen)
                return -EIO;
        /* RFC 5903 7: the KE payload carries x || y without the 0x04 octet. */
        memcpy(dh->pub, oct + 1, 2 * flen);
        if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) ||
            !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, oct, 1 + 2 * flen))
                return -ENOMEM;
        dh->key = pkey_fromdata(dh->g, bld, EVP_PKEY_KEYPAIR);
        return dh->key ? 0 : -EIO;
}

static int ecp_check(const struct crypto_dh_group *g, struct slice peer, const char **ret_why)
{
        const size_t flen = ecp_field_len(g);
        _cleanup_(EC_GROUP_freep) EC_GROUP *grp = ecp_group(g);
        _cleanup_(EC_POINT_freep) EC_POINT *pt = NULL;
        _cleanup_(BN_clear_freep) BIGNUM *p = NULL;
        _cleanup_(BN_clear_freep) BIGNUM *x = NULL;
        _cleanup_(BN_clear_freep) BIGNUM *y = NULL;
        _cleanup_(BN_CTX_freep) BN_CTX *bnctx = BN_CTX_new();
        uint8_t oct[1 + DH_MAX_PUB_LEN];
        uint8_t acc = 0;

        if (!grp || !bnctx)
                return -ENOMEM;
        for (size_t i = 0; i < peer.len; i++)
                acc |= peer.ptr[i];
        if (acc == 0) {
                /* x || y = 0 is how a careless encoder writes the point at
                 * infinity; it is not on the curve either. */
                set_why(ret_why, "ECP public value is the point at infinity (RFC 6989 2.3)");
                return -EINVAL;
        }
        p = BN_new();
        x = BN_bin2bn(peer.ptr, (int)flen, NULL);
        y = BN_bin2bn(peer.ptr + flen, (int)flen, NULL);
        pt = EC_POINT_new(grp);
        if (!p || !x || !y || !pt || !EC_GROUP_get_curve(grp, p, NULL, NULL, bnctx))
                return -ENOMEM;
        if (BN_cmp(x, p) >= 0 || BN_cmp(y, p) >= 0) {
                set_why(ret_why, "ECP public value has a coordinate not below p (RFC 6989 2.3)");
                return -EINVAL;
        }
        oct[0] = POINT_CONVERSION_UNCOMPRESSED;
        memcpy(oct + 1, peer.ptr, peer.len);
        if (EC_POINT_oct2point(grp, pt, oct, 1 + peer.len, bnctx) != 1 ||
            EC_POINT_is_on_curve(grp, pt, bnctx) != 1 || EC_POINT_is_at_infinity(grp, pt)) {
                set_why(ret_why, "ECP public value is not a point on the curve (RFC 6989 2.3)");
                return -EINVAL;
        }
        /* The NIST curves have cofactor 1: every point on the curve but the
         * infinity is in the prime-order group, no further check needed. */
        return 0;
}

static EVP_PKEY *ecp_peer_key(const struct crypto_dh_group *g, struct slice peer)
{
        _cleanup_(OSSL_PARAM_BLD_freep) OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
        uint8_t oct[1 + DH_MAX_PUB_LEN];

        if (!bld)
                return NULL;
        oct[0] = POINT_CONVERSION_UNCOMPRESSED;
        memcpy(oct + 1, peer.ptr, peer.len);
        if (!OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, oct, 1 + peer.len))
                return NULL;
        return pkey_fromdata(g, bld, EVP_PKEY_PUBLIC_KEY);
}

/* ------------------------------------------------------------------ X25519/X448 */

static int xdh_from_private(struct crypto_dh *dh, struct slice priv)
{
        size_t len = dh->g->pub_len;

        if (priv.len != dh->g->priv_len)
                return -EINVAL;
        /* RFC 7748 5: OpenSSL clamps the scalar itself. */
        dh->key = EVP_PKEY_new_raw_private_key_ex(NULL, dh->g->ossl_name, NULL, priv.ptr, priv.len);
        if (!dh->key)
                return -EIO;
        if (EVP_PKEY_get_raw_public_key(dh->key, dh->pub, &len) != 1 || len != dh->g->pub_len)
                return -EIO;
        return 0;
}

/* ------------------------------------------------------------------ common */

int crypto_dh_new_from_private(const struct crypto_dh_group *g, struct slice priv,
                               struct crypto_dh **ret)
{
        _cleanup_(crypto_dh_freep) struct crypto_dh *dh = NULL;
        int r;

        if (!g || (priv.len > 0 && !priv.ptr))
                return -EINVAL;
        dh = calloc(1, sizeof(*dh));
        if (!dh)
                return -ENOMEM;
        dh->g = g;
        switch (g->kind) {
        case CRYPTO_DH_MODP:
                r = modp_from_private(dh, priv);
                break;
        case CRYPTO_DH_ECP:
                r = ecp_from_private(dh, priv);
                break;
        case CRYPTO_DH_XDH:
                r = xdh_from_private(dh, priv);
                break;
        default:
                r = -EINVAL;
        }
        if (r < 0)
                return r;
        *ret = TAKE_PTR(dh);
        return 0;
}

int crypto_dh_new(const struct crypto_dh_group *g, const struct tsu_rng *rng,
                  struct crypto_dh **ret)
{
        uint8_t priv[DH_MAX_PUB_LEN];
        int r = -EIO;

        if (!g)
                return -EINVAL;
        /* Rejection sampling: a draw outside the valid range (ECP: 0 or >= n,
         * MODP: <= 1) is thrown away and drawn again. */
        for (int tries = 0; tries < RNG_TRIES; tries++) {
                r = tsu_rng_fill(rng, priv, g->priv_len);
                if (r < 0)
                        break;
                if (g->kind == CRYPTO_DH_ECP && g->ikev2_id == IKEV2_DH_ECP521)
                        priv[0] &= 0x01; /* 521 bits in 66 octets */
                r = crypto_dh_new_from_private(g, SLICE(priv, g->priv_len), ret);
                if (r != -EINVAL)
                        break;
        }
        OPENSSL_cleanse(priv, sizeof(priv));
        return r == -EINVAL ? -EIO : r;
}

int crypto_dh_check_public(const struct crypto_dh_group *g, struct slice peer, const char **ret_why)
{
        if (peer.len != g->pub_len || !peer.ptr) {
                set_why(ret_why, "public value length does not match the group "
                                 "(RFC 7296 3.4, RFC 6989 2)");
                return -EBADMSG;
        }
        switch (g->kind) {
        case CRYPTO_DH_MODP:
                return modp_check(g, peer, ret_why);
        case CRYPTO_DH_ECP:
                return ecp_check(g, peer, ret_why);
        case CRYPTO_DH_XDH:
                /* Every 32/56-octet string is a u-coordinate (RFC 7748 5);
                 * low-order points show up as an all-zero result. */
                return 0;
        }
        return -EINVAL;
}

int crypto_dh_compute(struct crypto_dh *dh, struct slice peer, struct bytes *ret_secret,
                      const char **ret_why)
{
        const struct crypto_dh_group *g = dh->g;
        _cleanup_(EVP_PKEY_freep) EVP_PKEY *peer_key = NULL;
        _cleanup_(EVP_PKEY_CTX_freep) EVP_PKEY_CTX *ctx = NULL;
        struct bytes secret = {0};
        size_t len;
        int r;

        r = crypto_dh_check_public(g, peer, ret_why);
        if (r < 0)
                return r;

        switch (g->kind) {
        case CRYPTO_DH_MODP: {
                _cleanup_(OSSL_PARAM_BLD_freep) OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
                _cleanup_(BN_clear_freep) BIGNUM *y = BN_bin2bn(peer.ptr, (int)peer.len, NULL);

                if (!bld || !y || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, y))
                        return -ENOMEM;
                peer_key = pkey_fromdata(g, bld, EVP_PKEY_PUBLIC_KEY);
                break;
        }
        case CRYPTO_DH_ECP:
                peer_key = ecp_peer_key(g, peer);
                break;
        case CRYPTO_DH_XDH:
                peer_key = EVP_PKEY_new_raw_public_key_ex(NULL, g->ossl_name, NULL, peer.ptr,
                                                          peer.len);
                break;
        }
        if (!peer_key)
                return -EIO;

        ctx = EVP_PKEY_CTX_new_from_pkey(NULL, dh->key, NULL);
        if (!ctx || EVP_PKEY_derive_init(ctx) != 1)
                return -EIO;
        /* RFC 7296 2.14: g^ir is as long as the prime, leading zeros kept. */
        if (g->kind == CRYPTO_DH_MODP && EVP_PKEY_CTX_set_dh_pad(ctx, 1) != 1)
                return -EIO;
        if (EVP_PKEY_derive_set_peer_ex(ctx, peer_key, 1) != 1) {
                set_why(ret_why, "OpenSSL refused the peer's public value");
                return -EINVAL;
        }
        r = bytes_alloc(&secret, g->secret_len);
        if (r < 0)
                return r;
        len = secret.len;
        if (EVP_PKEY_derive(ctx, secret.ptr, &len) != 1) {
                bytes_free_secret(&secret);
                if (g->kind == CRYPTO_DH_XDH) {
                        /* OpenSSL refuses an all-zero X25519/X448 result. */
                        set_why(ret_why, "low-order peer public value: all-zero shared secret "
                                         "(RFC 8031 2.3, RFC 7748 6)");
                        return -EINVAL;
                }
                return -EIO;
        }
        if (len != g->secret_len) {
                bytes_free_secret(&secret);
                return -EIO;
        }
        if (g->kind == CRYPTO_DH_XDH) {
                uint8_t acc = 0;

                for (size_t i = 0; i < len; i++)
                        acc |= secret.ptr[i];
                if (acc == 0) {
                        bytes_free_secret(&secret);
                        set_why(ret_why, "low-order peer public value: all-zero shared secret "
                                         "(RFC 8031 2.3, RFC 7748 6)");
                        return -EINVAL;
                }
        }
        *ret_secret = secret;
        return 0;
}
