/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * EAP-MD5-Challenge (RFC 3748 5.4), the CHAP exchange of RFC 1994 4.1
 * inside EAP:
 *
 *   Type-Data of the request and of our response
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Value-Size   |  Value ...      |  Name ...
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 *   request:  Value = the challenge (any length >= 1), Name = the server's
 *   response: Value = MD5(Identifier | password | challenge), 16 bytes, no
 *             Name (strongSwan, FreeRADIUS and Windows read only the Value)
 *
 * The method authenticates only us and derives no key: IKEv2 then computes
 * AUTH from SK_pi/SK_pr (RFC 7296 2.16), and the gateway has already proved
 * itself with its IKE certificate. It is complete once we have answered.
 */
#include <errno.h>
#include <stdlib.h>

#include <openssl/evp.h>

#include "client/common/rbuf.h"
#include "eap_method.h"

#define MD5_LEN 16

struct md5_method {
        bool answered;
};

static int md5_new(void **ret, const struct eap_method_ctx *ctx)
{
        struct md5_method *m = calloc(1, sizeof(*m));

        if (!m)
                return -ENOMEM;
        *ret = m;
        return 0;
}

static void md5_free(void *m)
{
        free(m);
}

static enum eap_method_status md5_process(void *mp, struct eap_method_ctx *ctx,
                                          struct slice type_data, struct wbuf *out)
{
        struct md5_method *m = mp;
        struct slice challenge;
        uint8_t size, hash[MD5_LEN];
        unsigned hash_len = 0;
        EVP_MD_CTX *md = NULL;
        EVP_MD *md5 = NULL;
        struct rbuf r;
        bool ok;

        rbuf_init(&r, type_data.ptr, type_data.len);
        if (rbuf_u8(&r, &size) < 0)
                return eap_method_reason(ctx, EAP_METHOD_DROP, "EAP-MD5 request without data");
        if (size == 0)
                return eap_method_reason(ctx, EAP_METHOD_DROP, "EAP-MD5 challenge is empty");
        if (rbuf_slice(&r, size, &challenge) < 0)
                return eap_method_reason(ctx, EAP_METHOD_DROP,
                                         "EAP-MD5 Value-Size %u exceeds the %zu bytes that follow",
                                         size, rbuf_left(&r));
        if (!ctx->secret) {
                ctx->secret_kind = EAP_SECRET_PASSWORD;
                ctx->prompt = "EAP-MD5 password";
                return EAP_METHOD_NEED_SECRET;
        }

        md5 = EVP_MD_fetch(NULL, "MD5", NULL);
        md = EVP_MD_CTX_new();
        ok = md5 && md && EVP_DigestInit_ex2(md, md5, NULL) &&
             EVP_DigestUpdate(md, &ctx->identifier, 1) &&
             (ctx->secret->len == 0 ||
              EVP_DigestUpdate(md, ctx->secret->ptr, ctx->secret->len)) &&
             EVP_DigestUpdate(md, challenge.ptr, challenge.len) &&
             EVP_DigestFinal_ex(md, hash, &hash_len) && hash_len == MD5_LEN;
        EVP_MD_CTX_free(md);
        EVP_MD_free(md5);
        if (!ok) {
                secure_wipe(hash, sizeof(hash));
                return eap_method_reason(ctx, EAP_METHOD_FAIL, "EAP-MD5: MD5 is not available");
        }
        wbuf_u8(out, MD5_LEN);
        wbuf_bytes(out, hash, MD5_LEN);
        secure_wipe(hash, sizeof(hash));
        m->answered = true;
        return EAP_METHOD_SEND;
}

static bool md5_is_complete(const void *mp)
{
        const struct md5_method *m = mp;

        return m->answered;
}

static int md5_get_msk(const void *m, uint8_t ret[static EAP_MSK_LEN])
{
        return -ENOKEY;
}

const struct eap_method_ops eap_md5_ops = {
        .type = EAP_TYPE_MD5,
        .name = "MD5",
        .derives_msk = false,
        .new = md5_new,
        .process = md5_process,
        .free = md5_free,
        .get_msk = md5_get_msk,
        .is_complete = md5_is_complete,
};
