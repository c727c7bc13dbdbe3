/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "legacy.h"

#include <errno.h>

#include <openssl/crypto.h>
#include <openssl/provider.h>

/*
 * Created once and kept for the life of the process: the providers stay
 * loaded (a provider module cannot be reopened after a sandbox closes the
 * file system), and the fetched algorithms are plain references into them.
 */
static CRYPTO_ONCE legacy_once = CRYPTO_ONCE_STATIC_INIT;
static OSSL_LIB_CTX *legacy_ctx;
static EVP_MD *legacy_md4;
static EVP_CIPHER *legacy_des_ecb;

static void legacy_init(void)
{
        OSSL_LIB_CTX *ctx;

        ctx = OSSL_LIB_CTX_new();
        if (!ctx)
                return;
        if (!OSSL_PROVIDER_load(ctx, "default") || !OSSL_PROVIDER_load(ctx, "legacy")) {
                OSSL_LIB_CTX_free(ctx);
                return;
        }
        legacy_md4 = EVP_MD_fetch(ctx, "MD4", NULL);
        legacy_des_ecb = EVP_CIPHER_fetch(ctx, "DES-ECB", NULL);
        legacy_ctx = ctx;
}

OSSL_LIB_CTX *crypto_legacy_libctx(void)
{
        if (!CRYPTO_THREAD_run_once(&legacy_once, legacy_init))
                return NULL;
        return legacy_ctx;
}

const EVP_MD *crypto_legacy_md4(void)
{
        return crypto_legacy_libctx() ? legacy_md4 : NULL;
}

const EVP_CIPHER *crypto_legacy_des_ecb(void)
{
        return crypto_legacy_libctx() ? legacy_des_ecb : NULL;
}

int crypto_legacy_preload(void)
{
        if (!crypto_legacy_libctx())
                return -ENOTSUP;
        if (!crypto_legacy_md4() || !crypto_legacy_des_ecb())
                return -ENOTSUP;
        return 0;
}
