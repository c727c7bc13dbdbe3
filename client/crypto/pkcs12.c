/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "pkcs12.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pkcs12.h>
#include <openssl/pkcs7.h>

#include "client/common/macro.h"
#include "legacy.h"

/* scrypt's work grows with N * r * p (RFC 7914 2); one unit costs about
 * what 4 PBKDF2-HMAC-SHA256 iterations do. OpenSSL's own default for PKCS#8
 * (N 2^14, r 8, p 1) is then 2^19 iterations' worth. */
#define SCRYPT_UNIT_COST 4

DEFINE_TRIVIAL_CLEANUP_FUNC(PKCS12 *, PKCS12_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(PBEPARAM *, PBEPARAM_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(PBE2PARAM *, PBE2PARAM_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(PBKDF2PARAM *, PBKDF2PARAM_free);
#ifndef OPENSSL_NO_SCRYPT
DEFINE_TRIVIAL_CLEANUP_FUNC(SCRYPT_PARAMS *, SCRYPT_PARAMS_free);
#endif

/* One encoding of a passphrase, as the PKCS12_* functions take it: s NULL
 * is the zero-byte encoding of the empty passphrase, "" the 00 00 one. */
struct pass {
        const char *s;
        int len;
};

struct walk {
        OSSL_LIB_CTX *libctx; /* where decryption fetches its algorithms */
        struct pass pass;
        EVP_PKEY *key;
        STACK_OF(X509) * certs;
        unsigned n_bags;
        uint64_t *work; /* KDF iterations spent on this file, all candidates */
        char *reason;
        size_t reason_size;
};

_printf_(4, 5) static int fail(char *reason, size_t reason_size, int r, const char *fmt, ...)
{
        va_list ap;

        if (reason && reason_size) {
                va_start(ap, fmt);
                vsnprintf(reason, reason_size, fmt, ap);
                va_end(ap);
        }
        return r;
}

#define walk_fail(w, r, ...) fail((w)->reason, (w)->reason_size, r, __VA_ARGS__)

/* An algorithm's name for a reason text: "RC2-40-CBC" or the dotted OID. */
static const char *obj_name(const ASN1_OBJECT *obj, char buf[static 64])
{
        int nid = obj ? OBJ_obj2nid(obj) : NID_undef;
        const char *sn = nid != NID_undef ? OBJ_nid2sn(nid) : NULL;

        if (sn)
                return sn;
        if (!obj || OBJ_obj2txt(buf, 64, obj, 1) <= 0)
                snprintf(buf, 64, "(unknown)");
        return buf;
}

/* An iteration count or cost parameter: 1..max. */
static int check_count(struct walk *w, const ASN1_INTEGER *a, uint64_t max, const char *what,
                       uint64_t *ret)
{
        uint64_t v;

        if (!a || ASN1_INTEGER_get_uint64(&v, a) != 1) {
                ERR_clear_error();
                if (a && ASN1_STRING_type(a) == V_ASN1_INTEGER)
                        return walk_fail(w, -E2BIG, "%s beyond 64 bits", what);
                return walk_fail(w, -EBADMSG, "%s missing or negative", what);
        }
        if (v == 0)
                return walk_fail(w, -EBADMSG, "%s is 0", what);
        if (v > max)
                return walk_fail(w, -E2BIG, "%s %llu is above the limit of %llu", what,
                                 (unsigned long long)v, (unsigned long long)max);
        *ret = v;
        return 0;
}

/* Every key derivation draws on one budget per file: RFC 7292 leaves the
 * iteration counts to whoever wrote the file. */
static int charge(struct walk *w, uint64_t iterations)
{
        if (iterations > CRYPTO_PKCS12_MAX_WORK - *w->work)
                return walk_fail(w, -E2BIG, "more than %d key derivation iterations in all",
                                 CRYPTO_PKCS12_MAX_WORK);
        *w->work += iterations;
        return 0;
}

static int check_md(struct walk *w, OSSL_LIB_CTX *libctx, int nid, const char *what)
{
        const char *sn = nid > 0 ? OBJ_nid2sn(nid) : NULL;
        EVP_MD *md = sn ? EVP_MD_fetch(libctx, sn, NULL) : NULL;

        if (!md) {
                ERR_clear_error();
                return walk_fail(w, -ENOTSUP, "%s: digest %s is not supported", what,
                                 sn ? sn : "(unknown)");
        }
        EVP_MD_free(md);
        return 0;
}

static int check_cipher(struct walk *w, const ASN1_OBJECT *obj, int nid, const char *what)
{
        const char *sn = nid > 0 ? OBJ_nid2sn(nid) : NULL;
        EVP_CIPHER *c = sn ? EVP_CIPHER_fetch(w->libctx, sn, NULL) : NULL;
        char buf[64];

        if (!c) {
                ERR_clear_error();
                return walk_fail(w, -ENOTSUP, "%s: cipher %s is not supported", what,
                                 obj  ? obj_name(obj, buf)
                                 : sn ? sn
                                      : "(unknown)");
        }
        EVP_CIPHER_free(c);
        return 0;
}

/* The parameters of an AlgorithmIdentifier decoded as it: a SEQUENCE,
 * present. NULL with the reason set otherwise. */
static void *unpack_params(struct walk *w, const ASN1_ITEM *it, const ASN1_TYPE *param,
                           const char *what, const char *which)
{
        void *p = param ? ASN1_TYPE_unpack_sequence(it, param) : NULL;

        if (!p) {
                ERR_clear_error();
                walk_fail(w, -EBADMSG, "%s: malformed %s parameters", what, which);
        }
        return p;
}

/* PBES2 (RFC 8018 6.2, A.4): PBKDF2 or scrypt, then a block cipher. */
static int check_pbes2(struct walk *w, const ASN1_TYPE *param, const char *what)
{
        _cleanup_(PBE2PARAM_freep) PBE2PARAM *pbe2 = NULL;
        uint64_t cost;
        char buf[64];
        int kdf, r;

        pbe2 = unpack_params(w, ASN1_ITEM_rptr(PBE2PARAM), param, what, "PBES2 (RFC 8018 A.4)");
        if (!pbe2)
                return -EBADMSG;
        if (!pbe2->keyfunc || !pbe2->encryption) /* not OPTIONAL, but be sure */
                return walk_fail(w, -EBADMSG, "%s: malformed PBES2 parameters", what);
        kdf = OBJ_obj2nid(pbe2->keyfunc->algorithm);
        if (kdf == NID_id_pbkdf2) {
                _cleanup_(PBKDF2PARAM_freep) PBKDF2PARAM *p = NULL;
                int prf = NID_hmacWithSHA1, md = NID_undef; /* RFC 8018 A.2 default */

                p = unpack_params(w, ASN1_ITEM_rptr(PBKDF2PARAM), pbe2->keyfunc->parameter, what,
                                  "PBKDF2 (RFC 8018 A.2)");
                if (!p)
                        return -EBADMSG;
                r = check_count(w, p->iter, CRYPTO_PKCS12_MAX_ITER, "PBKDF2 iteration count",
                                &cost);
                if (r < 0)
                        return r;
                if (p->prf)
                        prf = OBJ_obj2nid(p->prf->algorithm);
                if (!EVP_PBE_find(EVP_PBE_TYPE_PRF, prf, NULL, &md, NULL))
                        return walk_fail(w, -ENOTSUP, "%s: PBKDF2 with %s is not supported", what,
                                         p->prf ? obj_name(p->prf->algorithm, buf) : "?");
                r = check_md(w, w->libctx, md, what);
#ifndef OPENSSL_NO_SCRYPT
        } else if (kdf == NID_id_scrypt) {
                _cleanup_(SCRYPT_PARAMS_freep) SCRYPT_PARAMS *p = NULL;
                uint64_t n, bs, par;

                p = unpack_params(w, ASN1_ITEM_rptr(SCRYPT_PARAMS), pbe2->keyfunc->parameter, what,
                                  "scrypt (RFC 7914 7.1)");
                if (!p)
                        return -EBADMSG;
                /* Each factor within the limit first, so that the product
                 * cannot overflow (4 * 10^18 < 2^64). */
                r = check_count(w, p->costParameter, CRYPTO_PKCS12_MAX_ITER, "scrypt N", &n);
                if (r >= 0)
                        r = check_count(w, p->blockSize, CRYPTO_PKCS12_MAX_ITER, "scrypt r", &bs);
                if (r >= 0)
                        r = check_count(w, p->parallelizationParameter, CRYPTO_PKCS12_MAX_ITER,
                                        "scrypt p", &par);
                if (r < 0)
                        return r;
                cost = SCRYPT_UNIT_COST * n * bs * par;
                if (cost > CRYPTO_PKCS12_MAX_ITER)
                        return walk_fail(w, -E2BIG, "%s: scrypt cost N*r*p is above the limit",
                                         what);
#endif
        } else {
                return walk_fail(w, -ENOTSUP, "%s: key derivation %s is not supported", what,
                                 obj_name(pbe2->keyfunc->algorithm, buf));
        }
        if (r < 0)
                return r;
        r = check_cipher(w, pbe2->encryption->algorithm, OBJ_obj2nid(pbe2->encryption->algorithm),
                         what);
        if (r < 0)
                return r;
        return charge(w, cost);
}

/*
 * Whether an encryption AlgorithmIdentifier can be used, before any work is
 * spent on it: known, available in the library context, and within the cost
 * limits. What fails afterwards is then the passphrase (or the data).
 */
static int check_pbe(struct walk *w, const X509_ALGOR *alg, const char *what)
{
        _cleanup_(PBEPARAM_freep) PBEPARAM *p = NULL;
        int nid, cipher = NID_undef, md = NID_undef, r;
        uint64_t iter;
        char buf[64];

        if (!alg || !alg->algorithm)
                return walk_fail(w, -EBADMSG, "%s: no encryption algorithm", what);
        nid = OBJ_obj2nid(alg->algorithm);
        if (nid == NID_pbes2)
                return check_pbes2(w, alg->parameter, what);
        /* PKCS#12 PBEs (RFC 7292 C) and PKCS#5 v1.5 ones (RFC 8018 6.1). */
        if (nid == NID_undef || !EVP_PBE_find(EVP_PBE_TYPE_OUTER, nid, &cipher, &md, NULL))
                return walk_fail(w, -ENOTSUP, "%s: encryption %s is not supported", what,
                                 obj_name(alg->algorithm, buf));
        p = unpack_params(w, ASN1_ITEM_rptr(PBEPARAM), alg->parameter, what,
                          obj_name(alg->algorithm, buf));
        if (!p)
                return -EBADMSG;
        r = check_count(w, p->iter, CRYPTO_PKCS12_MAX_ITER, "encryption iteration count", &iter);
        if (r < 0)
                return r;
        r = check_cipher(w, NULL, cipher, what);
        if (r < 0)
                return r;
        r = check_md(w, w->libctx, md, what);
        if (r < 0)
                return r;
        /* The key and the IV are derived one after the other (RFC 7292 B.2). */
        return charge(w, 2 * iter);
}

/* ------------------------------------------------------------------ bags */

static int take_key(struct walk *w, const PKCS8_PRIV_KEY_INFO *p8)
{
        const ASN1_OBJECT *obj = NULL;
        EVP_KEYMGMT *km;
        EVP_PKEY *k;
        char oid[64], buf[64];

        if (!p8)
                return walk_fail(w, -EBADMSG, "a key bag without a key");
        if (w->key)
                return walk_fail(w, -E2BIG, "more than one private key");
        /* In the default context: that is where TLS and IKE use it. */
        k = EVP_PKCS82PKEY_ex(p8, NULL, NULL);
        if (k) {
                w->key = k;
                return 0;
        }
        ERR_clear_error();
        /* A key type no provider knows, or a broken key of a known type? */
        if (PKCS8_pkey_get0(&obj, NULL, NULL, NULL, p8) != 1 || !obj ||
            OBJ_obj2txt(oid, sizeof(oid), obj, 1) <= 0)
                return walk_fail(w, -EBADMSG, "the private key does not decode");
        km = EVP_KEYMGMT_fetch(NULL, oid, NULL);
        ERR_clear_error();
        if (!km)
                return walk_fail(w, -ENOTSUP, "private keys of type %s are not supported",
                                 obj_name(obj, buf));
        EVP_KEYMGMT_free(km);
        return walk_fail(w, -EBADMSG, "the %s private key does not decode", obj_name(obj, buf));
}

static int take_shrouded_key(struct walk *w, const PKCS12_SAFEBAG *bag)
{
        const X509_SIG *sig = PKCS12_SAFEBAG_get0_pkcs8(bag);
        const X509_ALGOR *alg = NULL;
        PKCS8_PRIV_KEY_INFO *p8;
        int r;

        if (!sig)
                return walk_fail(w, -EBADMSG, "a shrouded key bag without a key");
        if (w->key)
                return walk_fail(w, -E2BIG, "more than one private key");
        X509_SIG_get0(sig, &alg, NULL);
        r = check_pbe(w, alg, "the private key");
        if (r < 0)
                return r;
        p8 = PKCS12_decrypt_skey_ex(bag, w->pass.s, w->pass.len, w->libctx, NULL);
        if (!p8) {
                ERR_clear_error();
                return walk_fail(w, -EKEYREJECTED, "the private key does not decrypt");
        }
        r = take_key(w, p8);
        PKCS8_PRIV_KEY_INFO_free(p8); /* wipes the key octets */
        return r;
}

static int take_cert(struct walk *w, const PKCS12_SAFEBAG *bag)
{
        X509 *x;

        /* RFC 7292 4.2.3: x509Certificate or sdsiCertificate; only the first
         * is of use here. */
        if (PKCS12_SAFEBAG_get_bag_nid(bag) != NID_x509Certificate)
                return 0;
        if (sk_X509_num(w->certs) >= CRYPTO_PKCS12_MAX_CERTS)
                return walk_fail(w, -E2BIG, "more than %d certificates", CRYPTO_PKCS12_MAX_CERTS);
        x = PKCS12_SAFEBAG_get1_cert(bag);
        if (!x) {
                ERR_clear_error();
                return walk_fail(w, -EBADMSG, "certificate %d does not decode",
                                 sk_X509_num(w->certs) + 1);
        }
        if (!sk_X509_push(w->certs, x)) {
                X509_free(x);
                return -ENOMEM;
        }
        return 0;
}

static int walk_bags(struct walk *w, const STACK_OF(PKCS12_SAFEBAG) * bags, unsigned depth)
{
        for (int i = 0; i < sk_PKCS12_SAFEBAG_num(bags); i++) {
                const PKCS12_SAFEBAG *bag = sk_PKCS12_SAFEBAG_value(bags, i);
                int r = 0;

                if (++w->n_bags > CRYPTO_PKCS12_MAX_BAGS)
                        return walk_fail(w, -E2BIG, "more than %d bags", CRYPTO_PKCS12_MAX_BAGS);
                switch (PKCS12_SAFEBAG_get_nid(bag)) {
                case NID_keyBag:
                        r = take_key(w, PKCS12_SAFEBAG_get0_p8inf(bag));
                        break;
                case NID_pkcs8ShroudedKeyBag:
                        r = take_shrouded_key(w, bag);
                        break;
                case NID_certBag:
                        r = take_cert(w, bag);
                        break;
                case NID_safeContentsBag:
                        if (depth >= CRYPTO_PKCS12_MAX_DEPTH)
                                return walk_fail(w, -E2BIG, "SafeContents nested more than %d deep",
                                                 CRYPTO_PKCS12_MAX_DEPTH);
                        r = walk_bags(w, PKCS12_SAFEBAG_get0_safes(bag), depth + 1);
                        break;
                default:
                        break; /* CRLs, secrets: not ours */
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

/* An encryptedData ContentInfo (RFC 2315 13) that can be decrypted: its
 * contents are there and its algorithm passes check_pbe(). */
static int check_encrypted(struct walk *w, const PKCS7 *p7)
{
        const PKCS7_ENC_CONTENT *enc = p7->d.encrypted ? p7->d.encrypted->enc_data : NULL;

        if (!enc || !enc->enc_data)
                return walk_fail(w, -EBADMSG, "an encryptedData without contents");
        return check_pbe(w, enc->algorithm, "the encrypted contents");
}

/* The SafeContents of one ContentInfo of the authSafe (RFC 7292 5.1);
 * encrypted ones went through check_encrypted() already. */
static int walk_content(struct walk *w, PKCS7 *p7)
{
        STACK_OF(PKCS12_SAFEBAG) *bags = NULL;
        PKCS7_ENC_CONTENT *enc;
        char buf[64];
        int r;

        switch (OBJ_obj2nid(p7->type)) {
        case NID_pkcs7_data:
                bags = PKCS12_unpack_p7data(p7);
                if (!bags) {
                        ERR_clear_error();
                        return walk_fail(w, -EBADMSG, "a SafeContents does not decode");
                }
                break;
        case NID_pkcs7_encrypted:
                enc = p7->d.encrypted->enc_data;
                bags = PKCS12_item_decrypt_d2i_ex(enc->algorithm, ASN1_ITEM_rptr(PKCS12_SAFEBAGS),
                                                  w->pass.s, w->pass.len, enc->enc_data, 1,
                                                  w->libctx, NULL);
                if (!bags) {
                        ERR_clear_error();
                        return walk_fail(w, -EKEYREJECTED, "the encrypted contents do not decrypt");
                }
                break;
        case NID_pkcs7_enveloped:
                return walk_fail(w, -ENOTSUP,
                                 "public-key privacy mode (envelopedData) is not supported");
        default:
                return walk_fail(w, -EBADMSG, "unexpected content type %s",
                                 obj_name(p7->type, buf));
        }
        r = walk_bags(w, bags, 0);
        sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
        return r;
}

/* Everything in the file with one encoding of the passphrase. */
static int read_all(const PKCS12 *p12, struct pass pass, uint64_t *work, struct crypto_pkcs12 *ret,
                    char *reason, size_t reason_size)
{
        struct walk w = {
                .libctx = crypto_legacy_libctx(), /* NULL (the default) without the provider */
                .pass = pass,
                .certs = sk_X509_new_null(),
                .work = work,
                .reason = reason,
                .reason_size = reason_size,
        };
        STACK_OF(PKCS7) *safes = NULL;
        X509 *cert = NULL;
        int r = -ENOMEM;

        if (!w.certs)
                goto out;
        safes = PKCS12_unpack_authsafes(p12);
        if (!safes) {
                ERR_clear_error();
                r = walk_fail(&w, -EBADMSG, "the authSafe does not decode");
                goto out;
        }
        /* The outer layer first: a file that asks for too much work (many
         * encryptedData with costly parameters) is refused before any of it
         * is done. Shrouded keys inside are checked as they come. */
        r = 0;
        for (int i = 0; r >= 0 && i < sk_PKCS7_num(safes); i++) {
                const PKCS7 *p7 = sk_PKCS7_value(safes, i);

                if (++w.n_bags > CRYPTO_PKCS12_MAX_BAGS)
                        r = walk_fail(&w, -E2BIG, "more than %d bags", CRYPTO_PKCS12_MAX_BAGS);
                else if (OBJ_obj2nid(p7->type) == NID_pkcs7_encrypted)
                        r = check_encrypted(&w, p7);
        }
        for (int i = 0; r >= 0 && i < sk_PKCS7_num(safes); i++)
                r = walk_content(&w, sk_PKCS7_value(safes, i));
        if (r < 0)
                goto out;
        if (!w.key) {
                r = walk_fail(&w, -ENOKEY, "no private key in it");
                goto out;
        }
        /* The certificate that goes with the key is "the" certificate, the
         * rest is its chain, both in file order. */
        for (int i = 0; i < sk_X509_num(w.certs); i++)
                if (X509_check_private_key(sk_X509_value(w.certs, i), w.key) == 1) {
                        cert = sk_X509_delete(w.certs, i);
                        break;
                }
        *ret = (struct crypto_pkcs12){
                .key = TAKE_PTR(w.key),
                .cert = cert,
                .chain = TAKE_PTR(w.certs),
        };
out:
        ERR_clear_error();
        sk_PKCS7_pop_free(safes, PKCS7_free);
        EVP_PKEY_free(w.key);
        sk_X509_pop_free(w.certs, X509_free);
        return r;
}

/* The MAC's digest and iteration count (RFC 7292 4) are usable. */
static int check_mac(struct walk *w, const PKCS12 *p12, uint64_t *ret_iter)
{
        const X509_ALGOR *alg = NULL;
        const ASN1_INTEGER *iter = NULL;
        uint64_t n = 1; /* absent: 1 */
        int r;

        PKCS12_get0_mac(NULL, &alg, NULL, &iter, p12);
        if (!alg || !alg->algorithm)
                return walk_fail(w, -EBADMSG, "MacData without an algorithm");
        if (iter) {
                r = check_count(w, iter, CRYPTO_PKCS12_MAX_ITER, "MAC iteration count", &n);
                if (r < 0)
                        return r;
        }
        /* PKCS12_verify_mac() works in the default context. */
        r = check_md(w, NULL, OBJ_obj2nid(alg->algorithm), "the integrity check");
        if (r < 0)
                return r;
        *ret_iter = n;
        return 0;
}

/* 1 when the MAC verifies with p, 0 when not, -E2BIG when the budget is spent. */
static int mac_verifies(struct walk *w, PKCS12 *p12, struct pass p, uint64_t iter)
{
        int r = charge(w, iter);

        if (r < 0)
                return r;
        r = PKCS12_verify_mac(p12, p.s, p.len) == 1;
        ERR_clear_error();
        return r;
}

/* One DER PFX and nothing after it, or NULL. */
static PKCS12 *try_pkcs12(struct slice data)
{
        const unsigned char *q = data.ptr;
        PKCS12 *p12;

        if (!data.ptr || data.len == 0 || data.len > LONG_MAX)
                return NULL;
        p12 = d2i_PKCS12(NULL, &q, (long)data.len);
        if (p12 && q != data.ptr + data.len) {
                PKCS12_free(p12);
                p12 = NULL;
        }
        ERR_clear_error();
        return p12;
}

bool crypto_pkcs12_detect(struct slice data)
{
        PKCS12 *p12 = try_pkcs12(data);

        PKCS12_free(p12);
        return p12 != NULL;
}

static int open_pass(PKCS12 *p12, const struct pass *cand, size_t n, bool given,
                     struct crypto_pkcs12 *ret, char *reason, size_t reason_size)
{
        static const struct pass empty[] = {{"", 0}, {NULL, 0}};
        uint64_t work = 0, mac_iter = 0;
        struct walk w = {.work = &work, .reason = reason, .reason_size = reason_size};
        int r = -EKEYREJECTED;

        if (PKCS12_mac_present(p12)) {
                r = check_mac(&w, p12, &mac_iter);
                for (size_t i = 0; r >= 0 && i < n; i++) {
                        r = mac_verifies(&w, p12, cand[i], mac_iter);
                        if (r <= 0)
                                continue;
                        r = read_all(p12, cand[i], &work, ret, reason, reason_size);
                        if (r != -EKEYREJECTED)
                                return r;
                        /* Integrity and privacy passwords may differ in theory
                         * (RFC 7292 4); no tool writes that. */
                        return fail(reason, reason_size, -EBADMSG,
                                    "the contents do not decrypt with the passphrase that "
                                    "verifies the integrity check");
                }
                if (r < 0)
                        return r;
                if (!given)
                        return fail(reason, reason_size, -EKEYREJECTED,
                                    "the file needs a passphrase");
                /* Say so when the file has none (budget permitting), but do
                 * not open it. */
                if (mac_verifies(&w, p12, empty[0], mac_iter) > 0 ||
                    mac_verifies(&w, p12, empty[1], mac_iter) > 0)
                        return fail(reason, reason_size, -EKEYREJECTED,
                                    "the file has no passphrase");
                return fail(reason, reason_size, -EKEYREJECTED,
                            "the integrity check fails with this passphrase");
        }
        /* No MAC: a candidate is right when everything decrypts with it. */
        for (size_t i = 0; i < n && r == -EKEYREJECTED; i++)
                r = read_all(p12, cand[i], &work, ret, reason, reason_size);
        if (r == -EKEYREJECTED)
                return fail(reason, reason_size, -EKEYREJECTED, "%s",
                            given ? "the contents do not decrypt with this passphrase (the file "
                                    "has no integrity check)"
                                  : "the file needs a passphrase");
        return r;
}

int crypto_pkcs12_open(struct slice der, struct slice passphrase, struct crypto_pkcs12 *ret,
                       char *reason, size_t reason_size)
{
        _cleanup_(PKCS12_freep) PKCS12 *p12 = NULL;
        struct pass cand[2] = {{"", 0}, {NULL, 0}}; /* the empty one, RFC 7292 B.1 first */
        size_t n = 2;
        char *copy = NULL;
        int r;

        if (reason && reason_size)
                reason[0] = '\0';
        if (passphrase.len > INT_MAX)
                return fail(reason, reason_size, -E2BIG, "the passphrase is too long");
        p12 = try_pkcs12(der);
        if (!p12)
                return fail(reason, reason_size, -EBADMSG, "not a DER PKCS#12 file");
        if (passphrase.len > 0) {
                /* A C string for the APIs that might strlen() it; wiped below. */
                copy = malloc(passphrase.len + 1);
                if (!copy)
                        return -ENOMEM;
                memcpy(copy, passphrase.ptr, passphrase.len);
                copy[passphrase.len] = '\0';
                cand[0] = (struct pass){copy, (int)passphrase.len};
                n = 1;
        }
        r = open_pass(p12, cand, n, passphrase.len > 0, ret, reason, reason_size);
        if (copy)
                secure_free(copy, passphrase.len + 1);
        ERR_clear_error();
        return r;
}

void crypto_pkcs12_done(struct crypto_pkcs12 *p)
{
        if (!p)
                return;
        EVP_PKEY_free(p->key);
        X509_free(p->cert);
        sk_X509_pop_free(p->chain, X509_free);
        *p = (struct crypto_pkcs12){0};
}

int crypto_pkcs12_load(struct slice data, struct slice passphrase, EVP_PKEY **ret_key,
                       X509 **ret_cert, STACK_OF(X509) * *ret_chain)
{
        struct crypto_pkcs12 p;
        int r = crypto_pkcs12_open(data, passphrase, &p, NULL, 0);

        if (r < 0)
                return r;
        *ret_key = TAKE_PTR(p.key);
        if (ret_cert)
                *ret_cert = TAKE_PTR(p.cert);
        if (ret_chain)
                *ret_chain = TAKE_PTR(p.chain);
        crypto_pkcs12_done(&p);
        return 0;
}
