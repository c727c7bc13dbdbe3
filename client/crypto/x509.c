/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "x509.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "client/common/macro.h"
#include "client/ike/ikev2.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(BIO *, BIO_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(X509_STORE *, X509_STORE_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(X509_STORE_CTX *, X509_STORE_CTX_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(X509_NAME *, X509_NAME_free);

const char *crypto_cert_reason_name(enum crypto_cert_reason r)
{
        switch (r) {
        case CRYPTO_CERT_OK:
                return "valid";
        case CRYPTO_CERT_MALFORMED:
                return "malformed";
        case CRYPTO_CERT_UNTRUSTED:
                return "untrusted";
        case CRYPTO_CERT_EXPIRED:
                return "expired";
        case CRYPTO_CERT_NOT_YET_VALID:
                return "not yet valid";
        case CRYPTO_CERT_REVOKED:
                return "revoked";
        case CRYPTO_CERT_CRL_PROBLEM:
                return "CRL problem";
        case CRYPTO_CERT_WRONG_PURPOSE:
                return "wrong purpose";
        case CRYPTO_CERT_NAME_MISMATCH:
                return "name mismatch";
        case CRYPTO_CERT_OTHER:
                break;
        }
        return "invalid";
}

static bool looks_pem(struct slice d)
{
        static const char tag[] = "-----BEGIN ";

        for (size_t i = 0; i + sizeof(tag) - 1 <= d.len; i++)
                if (memcmp(d.ptr + i, tag, sizeof(tag) - 1) == 0)
                        return true;
        return false;
}

static BIO *mem_bio(struct slice d)
{
        if (d.len > INT_MAX)
                return NULL;
        return BIO_new_mem_buf(d.ptr, (int)d.len);
}

int crypto_cert_load(struct slice data, X509 **ret)
{
        X509 *x = NULL;

        if (!data.ptr || data.len == 0 || data.len > LONG_MAX)
                return -EBADMSG;
        if (looks_pem(data)) {
                _cleanup_(BIO_freep) BIO *b = mem_bio(data);

                if (!b)
                        return -ENOMEM;
                x = PEM_read_bio_X509(b, NULL, NULL, NULL);
        } else {
                const unsigned char *p = data.ptr;

                x = d2i_X509(NULL, &p, (long)data.len);
                if (x && p != data.ptr + data.len) {
                        X509_free(x);
                        x = NULL;
                }
        }
        ERR_clear_error();
        if (!x)
                return -EBADMSG;
        *ret = x;
        return 0;
}

int crypto_certs_load(struct slice data, STACK_OF(X509) **stack)
{
        STACK_OF(X509) *st = *stack ? *stack : sk_X509_new_null();
        int n = 0;

        if (!st)
                return -ENOMEM;
        if (looks_pem(data)) {
                _cleanup_(BIO_freep) BIO *b = mem_bio(data);
                X509 *x;

                if (!b)
                        goto nomem;
                while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL))) {
                        if (!sk_X509_push(st, x)) {
                                X509_free(x);
                                goto nomem;
                        }
                        n++;
                }
                ERR_clear_error();
        } else {
                X509 *x = NULL;

                if (crypto_cert_load(data, &x) == 0) {
                        if (!sk_X509_push(st, x)) {
                                X509_free(x);
                                goto nomem;
                        }
                        n = 1;
                }
        }
        *stack = st;
        return n > 0 ? n : -EBADMSG;
nomem:
        if (!*stack)
                sk_X509_pop_free(st, X509_free);
        return -ENOMEM;
}

int crypto_crls_load(struct slice data, STACK_OF(X509_CRL) **stack)
{
        STACK_OF(X509_CRL) *st = *stack ? *stack : sk_X509_CRL_new_null();
        X509_CRL *c;
        int n = 0;

        if (!st)
                return -ENOMEM;
        if (!data.ptr || data.len == 0 || data.len > LONG_MAX) {
                n = -EBADMSG;
        } else if (looks_pem(data)) {
                _cleanup_(BIO_freep) BIO *b = mem_bio(data);

                while (b && (c = PEM_read_bio_X509_CRL(b, NULL, NULL, NULL))) {
                        if (!sk_X509_CRL_push(st, c)) {
                                X509_CRL_free(c);
                                break;
                        }
                        n++;
                }
        } else {
                const unsigned char *p = data.ptr;

                c = d2i_X509_CRL(NULL, &p, (long)data.len);
                if (c && (p != data.ptr + data.len || !sk_X509_CRL_push(st, c)))
                        X509_CRL_free(c);
                else if (c)
                        n = 1;
        }
        ERR_clear_error();
        *stack = st;
        return n > 0 ? n : -EBADMSG;
}

/* ------------------------------------------------------------------ errors */

static void subject_of(X509 *x, char *buf, size_t len)
{
        _cleanup_(BIO_freep) BIO *b = BIO_new(BIO_s_mem());
        int n;

        buf[0] = '\0';
        if (!x || !b)
                return;
        if (X509_NAME_print_ex(b, X509_get_subject_name(x), 0,
                               XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0)
                return;
        n = BIO_read(b, buf, (int)len - 1);
        buf[n > 0 ? n : 0] = '\0';
}

static void set_err(struct crypto_cert_error *e, enum crypto_cert_reason reason, int depth,
                    int x509_error, X509 *cert, const char *detail)
{
        if (!e)
                return;
        e->reason = reason;
        e->depth = depth;
        e->x509_error = x509_error;
        subject_of(cert, e->subject, sizeof(e->subject));
        snprintf(e->detail, sizeof(e->detail), "%s", detail);
}

static enum crypto_cert_reason reason_of(int err)
{
        switch (err) {
        case X509_V_ERR_CERT_HAS_EXPIRED:
                return CRYPTO_CERT_EXPIRED;
        case X509_V_ERR_CERT_NOT_YET_VALID:
                return CRYPTO_CERT_NOT_YET_VALID;
        case X509_V_ERR_CERT_REVOKED:
                return CRYPTO_CERT_REVOKED;
        case X509_V_ERR_UNABLE_TO_GET_CRL:
        case X509_V_ERR_CRL_HAS_EXPIRED:
        case X509_V_ERR_CRL_NOT_YET_VALID:
        case X509_V_ERR_CRL_SIGNATURE_FAILURE:
        case X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE:
        case X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD:
        case X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD:
        case X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER:
        case X509_V_ERR_DIFFERENT_CRL_SCOPE:
                return CRYPTO_CERT_CRL_PROBLEM;
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        case X509_V_ERR_CERT_UNTRUSTED:
        case X509_V_ERR_CERT_CHAIN_TOO_LONG:
                return CRYPTO_CERT_UNTRUSTED;
        case X509_V_ERR_INVALID_CA:
        case X509_V_ERR_INVALID_PURPOSE:
        case X509_V_ERR_KEYUSAGE_NO_CERTSIGN:
        case X509_V_ERR_KEYUSAGE_NO_CRL_SIGN:
        case X509_V_ERR_PATH_LENGTH_EXCEEDED:
                return CRYPTO_CERT_WRONG_PURPOSE;
        case X509_V_ERR_CERT_SIGNATURE_FAILURE:
        case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
        case X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY:
        case X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD:
        case X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD:
                return CRYPTO_CERT_MALFORMED;
        }
        return CRYPTO_CERT_OTHER;
}

/* ------------------------------------------------------------------ verification */

/* Tolerates a missing CRL when the caller does not require one. */
static int verify_cb(int ok, X509_STORE_CTX *ctx)
{
        const bool *crl_required = X509_STORE_CTX_get_app_data(ctx);

        if (!ok && X509_STORE_CTX_get_error(ctx) == X509_V_ERR_UNABLE_TO_GET_CRL && crl_required &&
            !*crl_required)
                return 1;
        return ok;
}

/* RFC 4945 5.1.3.2 and 5.1.3.12 */
static int check_leaf_purpose(X509 *leaf, struct crypto_cert_error *e)
{
        uint32_t ku = X509_get_key_usage(leaf);
        uint32_t xku = X509_get_extended_key_usage(leaf);
        uint32_t flags = X509_get_extension_flags(leaf);

        if ((flags & EXFLAG_KUSAGE) && !(ku & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION))) {
                set_err(e, CRYPTO_CERT_WRONG_PURPOSE, 0, 0, leaf,
                        "key usage allows neither digitalSignature nor nonRepudiation");
                return -EPERM;
        }
        if (flags & EXFLAG_XKUSAGE) {
                EXTENDED_KEY_USAGE *eku;
                bool ok = (xku & (XKU_SSL_SERVER | XKU_ANYEKU)) != 0;

                /* OpenSSL has no flag for id-kp-ipsecIKE: look for the OID. */
                eku = X509_get_ext_d2i(leaf, NID_ext_key_usage, NULL, NULL);
                for (int i = 0; eku && !ok && i < sk_ASN1_OBJECT_num(eku); i++)
                        ok = OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, i)) == NID_ipsec_IKE;
                sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
                if (!ok) {
                        set_err(e, CRYPTO_CERT_WRONG_PURPOSE, 0, 0, leaf,
                                "extended key usage has none of serverAuth, ipsecIKE, "
                                "anyExtendedKeyUsage");
                        return -EPERM;
                }
        }
        return 0;
}

int crypto_cert_verify(X509 *leaf, const struct crypto_cert_verify_params *p,
                       struct crypto_cert_error *ret_err)
{
        _cleanup_(X509_STORE_freep) X509_STORE *store = X509_STORE_new();
        _cleanup_(X509_STORE_CTX_freep) X509_STORE_CTX *ctx = X509_STORE_CTX_new();
        X509_VERIFY_PARAM *vp;
        bool crl_required = p->crl_required;
        unsigned long vflags = X509_V_FLAG_USE_CHECK_TIME | X509_V_FLAG_PARTIAL_CHAIN;
        int err, depth;

        if (ret_err)
                *ret_err = (struct crypto_cert_error){0};
        if (!leaf || !p->trusted || sk_X509_num(p->trusted) == 0)
                return -EINVAL;
        if (!store || !ctx)
                return -ENOMEM;
        for (int i = 0; i < sk_X509_num(p->trusted); i++)
                if (X509_STORE_add_cert(store, sk_X509_value(p->trusted, i)) != 1)
                        return -ENOMEM;
        if (p->crls && sk_X509_CRL_num(p->crls) > 0) {
                for (int i = 0; i < sk_X509_CRL_num(p->crls); i++)
                        if (X509_STORE_add_crl(store, sk_X509_CRL_value(p->crls, i)) != 1)
                                return -ENOMEM;
                vflags |= X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL;
        }
        X509_STORE_set_verify_cb(store, verify_cb);
        if (X509_STORE_CTX_init(ctx, store, leaf, p->untrusted) != 1)
                return -ENOMEM;
        X509_STORE_CTX_set_app_data(ctx, &crl_required);
        vp = X509_STORE_CTX_get0_param(ctx);
        X509_VERIFY_PARAM_set_flags(vp, vflags);
        X509_VERIFY_PARAM_set_time(vp, p->now);
        X509_VERIFY_PARAM_set_depth(vp, 8);

        if (X509_verify_cert(ctx) != 1) {
                X509 *bad = X509_STORE_CTX_get_current_cert(ctx);

                err = X509_STORE_CTX_get_error(ctx);
                depth = X509_STORE_CTX_get_error_depth(ctx);
                set_err(ret_err, reason_of(err), depth, err, bad ? bad : leaf,
                        X509_verify_cert_error_string(err));
                ERR_clear_error();
                return -EPERM;
        }
        return check_leaf_purpose(leaf, ret_err);
}

/* ------------------------------------------------------------------ identity */

int crypto_cert_match_id(X509 *cert, uint8_t id_type, struct slice id_data,
                         struct crypto_cert_error *ret_err)
{
        int r = 0;

        if (ret_err)
                *ret_err = (struct crypto_cert_error){0};
        if (!cert || !id_data.ptr || id_data.len == 0)
                return -EINVAL;
        switch (id_type) {
        case IKEV2_ID_FQDN:
        case IKEV2_ID_RFC822_ADDR:
                /* An embedded NUL would make the name mean something else. */
                if (memchr(id_data.ptr, '\0', id_data.len))
                        return -EINVAL;
                if (id_type == IKEV2_ID_FQDN)
                        r = X509_check_host(cert, (const char *)id_data.ptr, id_data.len,
                                            X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS |
                                                    X509_CHECK_FLAG_NEVER_CHECK_SUBJECT,
                                            NULL);
                else
                        r = X509_check_email(cert, (const char *)id_data.ptr, id_data.len,
                                             X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
                break;
        case IKEV2_ID_IPV4_ADDR:
        case IKEV2_ID_IPV6_ADDR:
                if (id_data.len != (id_type == IKEV2_ID_IPV4_ADDR ? 4u : 16u))
                        return -EINVAL;
                r = X509_check_ip(cert, id_data.ptr, id_data.len, 0);
                break;
        case IKEV2_ID_DER_ASN1_DN: {
                const unsigned char *p = id_data.ptr;
                _cleanup_(X509_NAME_freep) X509_NAME *name = NULL;

                if (id_data.len > LONG_MAX)
                        return -EINVAL;
                name = d2i_X509_NAME(NULL, &p, (long)id_data.len);
                if (!name || p != id_data.ptr + id_data.len) {
                        ERR_clear_error();
                        return -EINVAL;
                }
                r = X509_NAME_cmp(X509_get_subject_name(cert), name) == 0;
                break;
        }
        default:
                return -ENOTSUP;
        }
        ERR_clear_error();
        if (r < 0)
                return -EINVAL; /* OpenSSL: malformed input */
        if (r != 1) {
                set_err(ret_err, CRYPTO_CERT_NAME_MISMATCH, 0, 0, cert,
                        id_type == IKEV2_ID_DER_ASN1_DN
                                ? "the subject DN differs from the IKE identity"
                                : "no subjectAltName matches the IKE identity");
                return -EPERM;
        }
        return 0;
}
