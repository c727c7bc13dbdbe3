/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one OpenSSL library context that holds the legacy algorithms.
 *
 * MS-CHAPv2 needs MD4 and single DES (RFC 2759), and PKCS#12 files written by
 * older tools encrypt their certificates with RC2-40 (RFC 7292 C): all three
 * live only in OpenSSL 3's "legacy" provider. Loading that provider into the
 * default library context would make the weak algorithms available to every
 * other caller in the process (IKE proposals, TLS cipher selection), so they
 * are loaded into a dedicated context instead, next to the "default"
 * provider, and fetched from there by name. The default context is never
 * changed.
 *
 * The context is created once per process, on first use, thread-safely, and
 * kept until exit. A privilege-separated engine that loses file system
 * access (seccomp, chroot) must call crypto_legacy_preload() before, because
 * loading a provider opens its module file.
 */
#pragma once

#include <openssl/evp.h>
#include <openssl/types.h>

/* The context holding "default" + "legacy", or NULL when the legacy provider
 * cannot be loaded on this system. Not to be freed. */
OSSL_LIB_CTX *crypto_legacy_libctx(void);

/* MD4 and DES-ECB fetched once from that context (not to be freed), or NULL. */
const EVP_MD *crypto_legacy_md4(void);
const EVP_CIPHER *crypto_legacy_des_ecb(void);

/* Creates the context and fetches MD4 and DES-ECB now, while the provider
 * module can still be opened. 0, or -ENOTSUP when any of it is missing. */
int crypto_legacy_preload(void);
