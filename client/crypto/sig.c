/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "sig.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>

#include "client/common/macro.h"
#include "client/ike/ikev2.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(EVP_MD_CTX *, EVP_MD_CTX_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(X509_ALGOR *, X509_ALGOR_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(RSA_PSS_PARAMS *, RSA_PSS_PARAMS_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(ECDSA_SIG *, ECDSA_SIG_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(OSSL_DECODER_CTX *, OSSL_DECODER_CTX_free);

enum key_kind {
        KEY_RSA,
        KEY_EC,
        KEY_ED25519,
};

struct scheme {
        enum crypto_sig_scheme id;
        const char *name;
        enum key_kind key;
        bool pss;
        const char *md; /* NULL: the algorithm hashes itself (Ed25519) */
        int md_nid;
        int oid; /* the RFC 7427 AlgorithmIdentifier */
        uint16_t hash;
};

/* clang-format off */
static const struct scheme schemes[] = {
        { CRYPTO_SIG_RSA_PKCS1_SHA1, "RSA-PKCS1-SHA1", KEY_RSA, false, "SHA1", NID_sha1,
          NID_sha1WithRSAEncryption, IKEV2_HASH_SHA1 },
        { CRYPTO_SIG_RSA_PKCS1_SHA256, "RSA-PKCS1-SHA256", KEY_RSA, false, "SHA256", NID_sha256,
          NID_sha256WithRSAEncryption, IKEV2_HASH_SHA2_256 },
        { CRYPTO_SIG_RSA_PKCS1_SHA384, "RSA-PKCS1-SHA384", KEY_RSA, false, "SHA384", NID_sha384,
          NID_sha384WithRSAEncryption, IKEV2_HASH_SHA2_384 },
        { CRYPTO_SIG_RSA_PKCS1_SHA512, "RSA-PKCS1-SHA512", KEY_RSA, false, "SHA512", NID_sha512,
          NID_sha512WithRSAEncryption, IKEV2_HASH_SHA2_512 },
        { CRYPTO_SIG_RSA_PSS_SHA256, "RSA-PSS-SHA256", KEY_RSA, true, "SHA256", NID_sha256,
          NID_rsassaPss, IKEV2_HASH_SHA2_256 },
        { CRYPTO_SIG_RSA_PSS_SHA384, "RSA-PSS-SHA384", KEY_RSA, true, "SHA384", NID_sha384,
          NID_rsassaPss, IKEV2_HASH_SHA2_384 },
        { CRYPTO_SIG_RSA_PSS_SHA512, "RSA-PSS-SHA512", KEY_RSA, true, "SHA512", NID_sha512,
          NID_rsassaPss, IKEV2_HASH_SHA2_512 },
        { CRYPTO_SIG_ECDSA_SHA256, "ECDSA-SHA256", KEY_EC, false, "SHA256", NID_sha256,
          NID_ecdsa_with_SHA256, IKEV2_HASH_SHA2_256 },
        { CRYPTO_SIG_ECDSA_SHA384, "ECDSA-SHA384", KEY_EC, false, "SHA384", NID_sha384,
          NID_ecdsa_with_SHA384, IKEV2_HASH_SHA2_384 },
        { CRYPTO_SIG_ECDSA_SHA512, "ECDSA-SHA512", KEY_EC, false, "SHA512", NID_sha512,
          NID_ecdsa_with_SHA512, IKEV2_HASH_SHA2_512 },
        { CRYPTO_SIG_ED25519, "Ed25519", KEY_ED25519, false, NULL, NID_undef,
          NID_ED25519, IKEV2_HASH_IDENTITY },
};
/* clang-format on */

static const struct scheme *scheme_get(enum crypto_sig_scheme id)
{
        for (size_t i = 0; i < ARRAY_SIZE(schemes); i++)
                if (schemes[i].id == id)
                        return &schemes[i];
        return NULL;
}

const char *crypto_sig_scheme_name(enum crypto_sig_scheme s)
{
        const struct scheme *sc = scheme_get(s);

        return sc ? sc->name : "none";
}

uint16_t crypto_sig_scheme_hash(enum crypto_sig_scheme s)
{
        const struct scheme *sc = scheme_get(s);

        return sc ? sc->hash : 0;
}

static void set_why(const char **ret_why, const char *why)
{
        if (ret_why)
                *ret_why = why;
}

/* ------------------------------------------------------------------ keys */

int crypto_privkey_load(struct slice data, struct slice passphrase, EVP_PKEY **ret)
{
        _cleanup_(OSSL_DECODER_CTX_freep) OSSL_DECODER_CTX *dctx = NULL;
        const unsigned char *p = data.ptr;
        size_t left = data.len;
        EVP_PKEY *key = NULL;

        if (!data.ptr || data.len == 0)
                return -EBADMSG;
        if (crypto_pkcs12_detect(data)) {
                int r = crypto_pkcs12_load(data, passphrase, ret, NULL, NULL);

                /* This function's errors: whatever else keeps the key from
                 * us is "not a key we can read". */
                return r == 0 || r == -EKEYREJECTED || r == -ENOMEM ? r : -EBADMSG;
        }
        /* Any input format (PEM, DER), any structure (PKCS#8, encrypted
         * PKCS#8, type-specific), private keys only. */
        dctx = OSSL_DECODER_CTX_new_for_pkey(&key, NULL, NULL, NULL, EVP_PKEY_KEYPAIR, NULL, NULL);
        if (!dctx)
                return -ENOMEM;
        if (OSSL_DECODER_CTX_set_passphrase(
                    dctx, passphrase.len ? passphrase.ptr : (const unsigned char *)"",
                    passphrase.len) != 1)
                return -ENOMEM;
        if (OSSL_DECODER_from_data(dctx, &p, &left) != 1 || !key) {
                ERR_clear_error();
                return -EBADMSG;
        }
        *ret = key;
        return 0;
}

/* ------------------------------------------------------------------ key facts */

static bool key_is(EVP_PKEY *key, enum key_kind kind)
{
        switch (kind) {
        case KEY_RSA:
                return EVP_PKEY_is_a(key, "RSA") || EVP_PKEY_is_a(key, "RSA-PSS");
        case KEY_EC:
                return EVP_PKEY_is_a(key, "EC");
        case KEY_ED25519:
                return EVP_PKEY_is_a(key, "ED25519");
        }
        return false;
}

/* NID of an EC key's curve, NID_undef otherwise. */
static int ec_curve(EVP_PKEY *key)
{
        char name[64];

        if (!EVP_PKEY_is_a(key, "EC") ||
            EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof(name),
                                           NULL) != 1)
                return NID_undef;
        return OBJ_txt2nid(name);
}

/* RFC 4754: each method binds a curve and a hash. */
static const struct {
        uint8_t method;
        int curve;
        enum crypto_sig_scheme scheme;
        size_t n; /* octets of r and of s */
} ecdsa_methods[] = {
        {IKEV2_AUTH_ECDSA_SHA256_P256, NID_X9_62_prime256v1, CRYPTO_SIG_ECDSA_SHA256, 32},
        {IKEV2_AUTH_ECDSA_SHA384_P384, NID_secp384r1, CRYPTO_SIG_ECDSA_SHA384, 48},
        {IKEV2_AUTH_ECDSA_SHA512_P521, NID_secp521r1, CRYPTO_SIG_ECDSA_SHA512, 66},
};

int crypto_sig_classic_method(EVP_PKEY *key, uint8_t *ret_method)
{
        int curve;

        if (key_is(key, KEY_RSA) && !EVP_PKEY_is_a(key, "RSA-PSS")) {
                *ret_method = IKEV2_AUTH_RSA_SIG;
                return 0;
        }
        curve = ec_curve(key);
        for (size_t i = 0; i < ARRAY_SIZE(ecdsa_methods); i++)
                if (ecdsa_methods[i].curve == curve) {
                        *ret_method = ecdsa_methods[i].method;
                        return 0;
                }
        return -ENOTSUP;
}

size_t crypto_sig_supported_hashes(uint16_t out[static 4])
{
        out[0] = IKEV2_HASH_SHA2_256;
        out[1] = IKEV2_HASH_SHA2_384;
        out[2] = IKEV2_HASH_SHA2_512;
        out[3] = IKEV2_HASH_IDENTITY;
        return 4;
}

static bool peer_has(const uint16_t *h, size_t n, uint16_t want)
{
        for (size_t i = 0; i < n; i++)
                if (h[i] == want)
                        return true;
        return false;
}

int crypto_sig_pick_scheme(EVP_PKEY *key, const uint16_t *peer_hashes, size_t n, bool prefer_pss,
                           enum crypto_sig_scheme *ret)
{
        static const uint16_t order[3] = {IKEV2_HASH_SHA2_256, IKEV2_HASH_SHA2_384,
                                          IKEV2_HASH_SHA2_512};
        enum key_kind kind;
        bool pss = false;
        int want, bits;
        uint16_t hash = 0;

        if (key_is(key, KEY_ED25519)) {
                if (!peer_has(peer_hashes, n, IKEV2_HASH_IDENTITY))
                        return -ENOTSUP;
                *ret = CRYPTO_SIG_ED25519;
                return 0;
        }
        if (key_is(key, KEY_RSA)) {
                kind = KEY_RSA;
                pss = prefer_pss || EVP_PKEY_is_a(key, "RSA-PSS");
                /* SP 800-57 Part 1 table 2: 3072 bits ~ 128, 7680 ~ 192. */
                bits = EVP_PKEY_get_bits(key);
                want = bits < 3072 ? 0 : bits < 7680 ? 1 : 2;
        } else if (key_is(key, KEY_EC)) {
                kind = KEY_EC;
                switch (ec_curve(key)) {
                case NID_X9_62_prime256v1:
                        want = 0;
                        break;
                case NID_secp384r1:
                        want = 1;
                        break;
                case NID_secp521r1:
                        want = 2;
                        break;
                default:
                        return -ENOTSUP;
                }
        } else {
                return -ENOTSUP;
        }
        /* The matching hash, else the nearest stronger, else the strongest weaker. */
        for (int i = want; i < 3 && !hash; i++)
                if (peer_has(peer_hashes, n, order[i]))
                        hash = order[i];
        for (int i = want - 1; i >= 0 && !hash; i--)
                if (peer_has(peer_hashes, n, order[i]))
                        hash = order[i];
        if (!hash)
                return -ENOTSUP;
        for (size_t i = 0; i < ARRAY_SIZE(schemes); i++)
                if (schemes[i].key == kind && schemes[i].hash == hash && schemes[i].pss == pss) {
                        *ret = schemes[i].id;
                        return 0;
                }
        return -ENOTSUP;
}

/* ------------------------------------------------------------------ raw sign/verify */

static int setup_ctx(EVP_PKEY_CTX *pctx, const struct scheme *sc, int pss_saltlen)
{
        if (sc->key != KEY_RSA)
                return 0;
        if (EVP_PKEY_CTX_set_rsa_padding(pctx,
                                         sc->pss ? RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING) != 1)
                return -EIO;
        if (sc->pss && (EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, sc->md, NULL) != 1 ||
                        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, pss_saltlen) != 1))
                return -EIO;
        return 0;
}

/* The X.509 form of the signature (ECDSA: DER). */
static int sign_raw(EVP_PKEY *key, const struct scheme *sc, struct slice msg, struct bytes *ret)
{
        _cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *md = EVP_MD_CTX_new();
        EVP_PKEY_CTX *pctx = NULL;
        struct bytes sig = {0};
        size_t len = 0;
        int r;

        if (!md)
                return -ENOMEM;
        if (EVP_DigestSignInit_ex(md, &pctx, sc->md, NULL, NULL, key, NULL) != 1)
                return -EINVAL;
        r = setup_ctx(pctx, sc, RSA_PSS_SALTLEN_DIGEST);
        if (r < 0)
                return r;
        if (EVP_DigestSign(md, NULL, &len, msg.ptr, msg.len) != 1)
                return -EIO;
        r = bytes_alloc(&sig, len);
        if (r < 0)
                return r;
        if (EVP_DigestSign(md, sig.ptr, &len, msg.ptr, msg.len) != 1) {
                bytes_free(&sig);
                return -EIO;
        }
        sig.len = len; /* ECDSA signatures are often shorter than the maximum */
        *ret = sig;
        return 0;
}

static int verify_raw(EVP_PKEY *key, const struct scheme *sc, int pss_saltlen, struct slice sig,
                      struct slice msg)
{
        _cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *md = EVP_MD_CTX_new();
        EVP_PKEY_CTX *pctx = NULL;
        int r;

        if (!md)
                return -ENOMEM;
        if (EVP_DigestVerifyInit_ex(md, &pctx, sc->md, NULL, NULL, key, NULL) != 1)
                return -EPERM;
        r = setup_ctx(pctx, sc, pss_saltlen);
        if (r < 0)
                return r;
        return EVP_DigestVerify(md, sig.ptr, sig.len, msg.ptr, msg.len) == 1 ? 0 : -EKEYREJECTED;
}

/* ------------------------------------------------------------------ AlgorithmIdentifier */

static X509_ALGOR *md_algor(int md_nid)
{
        X509_ALGOR *a = X509_ALGOR_new();

        /* RFC 4055 2.1 / RFC 7427 A.4.3: SHA-2 identifiers with NULL parameters. */
        if (a && X509_ALGOR_set0(a, OBJ_nid2obj(md_nid), V_ASN1_NULL, NULL) != 1) {
                X509_ALGOR_free(a);
                return NULL;
        }
        return a;
}

/* RSASSA-PSS-params (RFC 4055 3.1): hash, MGF1 with the same hash, salt =
 * hash length, trailer field default (omitted). */
static int pss_params(const struct scheme *sc, ASN1_STRING **ret)
{
        _cleanup_(RSA_PSS_PARAMS_freep) RSA_PSS_PARAMS *pss = RSA_PSS_PARAMS_new();
        _cleanup_(X509_ALGOR_freep) X509_ALGOR *mgf_hash = md_algor(sc->md_nid);
        ASN1_STRING *mgf_param = NULL;
        const EVP_MD *md = EVP_get_digestbynid(sc->md_nid);

        if (!pss || !mgf_hash || !md)
                return -ENOMEM;
        pss->hashAlgorithm = md_algor(sc->md_nid);
        pss->maskGenAlgorithm = X509_ALGOR_new();
        pss->saltLength = ASN1_INTEGER_new();
        if (!pss->hashAlgorithm || !pss->maskGenAlgorithm || !pss->saltLength ||
            !ASN1_INTEGER_set(pss->saltLength, EVP_MD_get_size(md)) ||
            !ASN1_item_pack(mgf_hash, ASN1_ITEM_rptr(X509_ALGOR), &mgf_param))
                return -ENOMEM;
        if (X509_ALGOR_set0(pss->maskGenAlgorithm, OBJ_nid2obj(NID_mgf1), V_ASN1_SEQUENCE,
                            mgf_param) != 1) {
                ASN1_STRING_free(mgf_param);
                return -ENOMEM;
        }
        if (!ASN1_item_pack(pss, ASN1_ITEM_rptr(RSA_PSS_PARAMS), ret))
                return -ENOMEM;
        return 0;
}

int crypto_sig_algorithm_identifier(enum crypto_sig_scheme s, struct bytes *ret)
{
        const struct scheme *sc = scheme_get(s);
        _cleanup_(X509_ALGOR_freep) X509_ALGOR *alg = X509_ALGOR_new();
        unsigned char *der = NULL;
        int len, r;

        if (!sc || s == CRYPTO_SIG_RSA_PKCS1_SHA1)
                return -EINVAL;
        if (!alg)
                return -ENOMEM;
        if (sc->pss) {
                ASN1_STRING *params = NULL;

                r = pss_params(sc, &params);
                if (r < 0)
                        return r;
                if (X509_ALGOR_set0(alg, OBJ_nid2obj(NID_rsassaPss), V_ASN1_SEQUENCE, params) !=
                    1) {
                        ASN1_STRING_free(params);
                        return -ENOMEM;
                }
        } else {
                /* RSA PKCS#1 (RFC 4055 5): NULL parameters; ECDSA (RFC 5758
                 * 3.2) and Ed25519 (RFC 8410 3): no parameters. */
                int ptype = sc->key == KEY_RSA ? V_ASN1_NULL : V_ASN1_UNDEF;

                if (X509_ALGOR_set0(alg, OBJ_nid2obj(sc->oid), ptype, NULL) != 1)
                        return -ENOMEM;
        }
        len = i2d_X509_ALGOR(alg, &der);
        if (len <= 0)
                return -ENOMEM;
        r = bytes_dup(ret, SLICE(der, (size_t)len));
        OPENSSL_free(der);
        return r;
}

/* Parses the RSASSA-PSS-params of a received AlgorithmIdentifier: the hash
 * must be SHA-2, MGF1 with the same hash, the trailer field 1. */
static int pss_parse(const ASN1_TYPE *param, const struct scheme **ret_sc, int *ret_salt,
                     const char **ret_why)
{
        _cleanup_(RSA_PSS_PARAMS_freep) RSA_PSS_PARAMS *pss = NULL;
        _cleanup_(X509_ALGOR_freep) X509_ALGOR *mgf_hash = NULL;
        const ASN1_OBJECT *obj;
        int hash_nid, mgf_nid, ptype;
        const void *pval;
        long salt = 20, trailer = 1; /* RFC 4055 3.1 defaults */

        if (!param || param->type != V_ASN1_SEQUENCE)
                goto bad;
        pss = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(RSA_PSS_PARAMS), param);
        if (!pss)
                goto bad;
        /* An absent hashAlgorithm means SHA-1 (RFC 4055 3.1). */
        if (!pss->hashAlgorithm || !pss->maskGenAlgorithm) {
                set_why(ret_why, "RSA-PSS with SHA-1 refused");
                return -EPERM;
        }
        X509_ALGOR_get0(&obj, NULL, NULL, pss->hashAlgorithm);
        hash_nid = OBJ_obj2nid(obj);
        X509_ALGOR_get0(&obj, &ptype, &pval, pss->maskGenAlgorithm);
        if (OBJ_obj2nid(obj) != NID_mgf1 || ptype != V_ASN1_SEQUENCE) {
                set_why(ret_why, "RSA-PSS with a mask generation function other than MGF1");
                return -ENOTSUP;
        }
        mgf_hash = ASN1_TYPE_unpack_sequence(
                ASN1_ITEM_rptr(X509_ALGOR),
                (const ASN1_TYPE *)&(ASN1_TYPE){.type = V_ASN1_SEQUENCE,
                                                .value.sequence = (ASN1_STRING *)pval});
        if (!mgf_hash)
                goto bad;
        X509_ALGOR_get0(&obj, NULL, NULL, mgf_hash);
        mgf_nid = OBJ_obj2nid(obj);
        if (mgf_nid != hash_nid) {
                set_why(ret_why, "RSA-PSS with an MGF1 hash different from the message hash");
                return -ENOTSUP;
        }
        if (pss->saltLength)
                salt = ASN1_INTEGER_get(pss->saltLength);
        if (pss->trailerField)
                trailer = ASN1_INTEGER_get(pss->trailerField);
        if (salt < 0 || salt > 1024 || trailer != 1)
                goto bad;
        for (size_t i = 0; i < ARRAY_SIZE(schemes); i++)
                if (schemes[i].pss && schemes[i].md_nid == hash_nid) {
                        *ret_sc = &schemes[i];
                        *ret_salt = (int)salt;
                        return 0;
                }
        set_why(ret_why, hash_nid == NID_sha1 ? "RSA-PSS with SHA-1 refused"
                                              : "RSA-PSS with an unsupported hash");
        return hash_nid == NID_sha1 ? -EPERM : -ENOTSUP;
bad:
        set_why(ret_why, "malformed RSASSA-PSS parameters (RFC 4055 3.1)");
        return -EBADMSG;
}

/* Maps a received AlgorithmIdentifier to a scheme. */
static int algor_parse(const X509_ALGOR *alg, const struct scheme **ret_sc, int *ret_salt,
                       const char **ret_why)
{
        const ASN1_OBJECT *obj;
        const void *pval;
        int ptype, nid;

        X509_ALGOR_get0(&obj, &ptype, &pval, alg);
        nid = OBJ_obj2nid(obj);
        if (nid == NID_rsassaPss) {
                ASN1_TYPE t = {.type = ptype};

                if (ptype != V_ASN1_SEQUENCE) {
                        set_why(ret_why, "RSA-PSS without parameters (RFC 7427 A.4)");
                        return -EBADMSG;
                }
                t.value.sequence = (ASN1_STRING *)pval;
                return pss_parse(&t, ret_sc, ret_salt, ret_why);
        }
        if (nid == NID_sha1WithRSAEncryption || nid == NID_ecdsa_with_SHA1) {
                set_why(ret_why, "SHA-1 signatures are refused in AUTH method 14");
                return -EPERM;
        }
        for (size_t i = 0; i < ARRAY_SIZE(schemes); i++) {
                const struct scheme *sc = &schemes[i];

                if (sc->pss || sc->oid != nid || sc->id == CRYPTO_SIG_RSA_PKCS1_SHA1)
                        continue;
                /* RSA: NULL parameters (some senders omit them); ECDSA and
                 * Ed25519: none at all. */
                if (sc->key == KEY_RSA ? (ptype != V_ASN1_NULL && ptype != V_ASN1_UNDEF)
                                       : ptype != V_ASN1_UNDEF) {
                        set_why(ret_why, "unexpected AlgorithmIdentifier parameters");
                        return -EBADMSG;
                }
                *ret_sc = sc;
                *ret_salt = 0;
                return 0;
        }
        set_why(ret_why, "signature algorithm not supported");
        return -ENOTSUP;
}

/* ------------------------------------------------------------------ ECDSA r || s */

static int ecdsa_der_to_rs(struct slice der, size_t n, struct bytes *ret)
{
        const unsigned char *p = der.ptr;
        _cleanup_(ECDSA_SIG_freep) ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)der.len);
        const BIGNUM *r, *s;
        struct bytes out;
        int e;

        if (!sig)
                return -EIO;
        ECDSA_SIG_get0(sig, &r, &s);
        e = bytes_alloc(&out, 2 * n);
        if (e < 0)
                return e;
        if (BN_bn2binpad(r, out.ptr, (int)n) != (int)n ||
            BN_bn2binpad(s, out.ptr + n, (int)n) != (int)n) {
                bytes_free(&out);
                return -EIO;
        }
        *ret = out;
        return 0;
}

static int ecdsa_rs_to_der(struct slice rs, struct bytes *ret)
{
        _cleanup_(ECDSA_SIG_freep) ECDSA_SIG *sig = ECDSA_SIG_new();
        BIGNUM *r, *s;
        unsigned char *der = NULL;
        int len, e;

        if (!sig)
                return -ENOMEM;
        r = BN_bin2bn(rs.ptr, (int)(rs.len / 2), NULL);
        s = BN_bin2bn(rs.ptr + rs.len / 2, (int)(rs.len / 2), NULL);
        if (!r || !s || ECDSA_SIG_set0(sig, r, s) != 1) {
                BN_free(r);
                BN_free(s);
                return -ENOMEM;
        }
        len = i2d_ECDSA_SIG(sig, &der);
        if (len <= 0)
                return -ENOMEM;
        e = bytes_dup(ret, SLICE(der, (size_t)len));
        OPENSSL_free(der);
        return e;
}

/* ------------------------------------------------------------------ AUTH */

int crypto_auth_sign(EVP_PKEY *key, uint8_t method, enum crypto_sig_scheme scheme,
                     struct slice octets, struct bytes *ret)
{
        const struct scheme *sc;
        struct bytes sig = {0};
        int r;

        if (!key)
                return -EINVAL;
        switch (method) {
        case IKEV2_AUTH_RSA_SIG:
                if (!key_is(key, KEY_RSA) || EVP_PKEY_is_a(key, "RSA-PSS"))
                        return -EINVAL;
                return sign_raw(key, scheme_get(CRYPTO_SIG_RSA_PKCS1_SHA1), octets, ret);
        case IKEV2_AUTH_ECDSA_SHA256_P256:
        case IKEV2_AUTH_ECDSA_SHA384_P384:
        case IKEV2_AUTH_ECDSA_SHA512_P521:
                for (size_t i = 0; i < ARRAY_SIZE(ecdsa_methods); i++) {
                        if (ecdsa_methods[i].method != method)
                                continue;
                        if (ec_curve(key) != ecdsa_methods[i].curve)
                                return -EINVAL;
                        r = sign_raw(key, scheme_get(ecdsa_methods[i].scheme), octets, &sig);
                        if (r < 0)
                                return r;
                        r = ecdsa_der_to_rs(SLICE_OF(sig), ecdsa_methods[i].n, ret);
                        bytes_free(&sig);
                        return r;
                }
                return -ENOTSUP;
        case IKEV2_AUTH_DIGITAL_SIGNATURE: {
                struct bytes algid = {0};
                struct slice parts[3];

                sc = scheme_get(scheme);
                if (!sc || scheme == CRYPTO_SIG_RSA_PKCS1_SHA1 || !key_is(key, sc->key) ||
                    (EVP_PKEY_is_a(key, "RSA-PSS") && !sc->pss))
                        return -EINVAL;
                r = crypto_sig_algorithm_identifier(scheme, &algid);
                if (r < 0)
                        return r;
                r = sign_raw(key, sc, octets, &sig);
                if (r < 0 || algid.len > 255) {
                        bytes_free(&algid);
                        return r < 0 ? r : -EINVAL;
                }
                /* ASN.1 Length | AlgorithmIdentifier | Signature (RFC 7427 3) */
                parts[0] = SLICE(&(uint8_t){(uint8_t)algid.len}, 1);
                parts[1] = SLICE_OF(algid);
                parts[2] = SLICE_OF(sig);
                r = bytes_concat(ret, parts, 3);
                bytes_free(&algid);
                bytes_free(&sig);
                return r;
        }
        default:
                return -ENOTSUP;
        }
}

static int auth_verify(EVP_PKEY *pub, uint8_t method, struct slice auth_data, struct slice octets,
                       unsigned flags, enum crypto_sig_scheme *ret_scheme, const char **ret_why)
{
        const struct scheme *sc = NULL;
        int r, salt = 0;

        if (!pub || !auth_data.ptr || auth_data.len == 0) {
                set_why(ret_why, "empty AUTH data");
                return -EBADMSG;
        }
        switch (method) {
        case IKEV2_AUTH_RSA_SIG:
                if (!(flags & CRYPTO_AUTH_ALLOW_SHA1)) {
                        set_why(ret_why, "AUTH method 1 (RSA with SHA-1) refused by policy");
                        return -EPERM;
                }
                if (!key_is(pub, KEY_RSA)) {
                        set_why(ret_why, "AUTH method 1 needs an RSA key");
                        return -EPERM;
                }
                sc = scheme_get(CRYPTO_SIG_RSA_PKCS1_SHA1);
                r = verify_raw(pub, sc, 0, auth_data, octets);
                break;
        case IKEV2_AUTH_ECDSA_SHA256_P256:
        case IKEV2_AUTH_ECDSA_SHA384_P384:
        case IKEV2_AUTH_ECDSA_SHA512_P521: {
                struct bytes der = {0};
                size_t i = 0;

                while (ecdsa_methods[i].method != method)
                        i++;
                if (ec_curve(pub) != ecdsa_methods[i].curve) {
                        set_why(ret_why, "the key's curve does not match the ECDSA AUTH method "
                                         "(RFC 4754)");
                        return -EPERM;
                }
                if (auth_data.len != 2 * ecdsa_methods[i].n) {
                        set_why(ret_why, "ECDSA signature is not r || s of the curve's length "
                                         "(RFC 4754 7)");
                        return -EBADMSG;
                }
                sc = scheme_get(ecdsa_methods[i].scheme);
                r = ecdsa_rs_to_der(auth_data, &der);
                if (r < 0)
                        return r;
                r = verify_raw(pub, sc, 0, SLICE_OF(der), octets);
                bytes_free(&der);
                break;
        }
        case IKEV2_AUTH_DIGITAL_SIGNATURE: {
                size_t alen = auth_data.ptr[0];
                const unsigned char *p = auth_data.ptr + 1;
                _cleanup_(X509_ALGOR_freep) X509_ALGOR *alg = NULL;

                if (alen == 0 || alen >= auth_data.len - 1) {
                        set_why(ret_why, "RFC 7427 ASN.1 Length beyond the AUTH data");
                        return -EBADMSG;
                }
                alg = d2i_X509_ALGOR(NULL, &p, (long)alen);
                if (!alg || p != auth_data.ptr + 1 + alen) {
                        set_why(ret_why, "malformed RFC 7427 AlgorithmIdentifier");
                        return -EBADMSG;
                }
                r = algor_parse(alg, &sc, &salt, ret_why);
                if (r < 0)
                        return r;
                if (!key_is(pub, sc->key)) {
                        set_why(ret_why, "the signature algorithm does not match the key");
                        return -EPERM;
                }
                r = verify_raw(pub, sc, salt, SLICE(p, auth_data.len - 1 - alen), octets);
                break;
        }
        default:
                set_why(ret_why, "AUTH method not supported");
                return -ENOTSUP;
        }
        if (r == -EKEYREJECTED)
                set_why(ret_why, "signature does not verify");
        else if (r == -EPERM)
                set_why(ret_why, "the key cannot verify this signature algorithm");
        if (r < 0)
                return r;
        if (ret_scheme)
                *ret_scheme = sc->id;
        return 0;
}

int crypto_auth_verify(EVP_PKEY *pub, uint8_t method, struct slice auth_data, struct slice octets,
                       unsigned flags, enum crypto_sig_scheme *ret_scheme, const char **ret_why)
{
        int r = auth_verify(pub, method, auth_data, octets, flags, ret_scheme, ret_why);

        /* Hostile input fills OpenSSL's error queue: leave it empty for the
         * next caller. */
        ERR_clear_error();
        return r;
}
