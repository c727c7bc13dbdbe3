/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * EAP-MSCHAPv2 (draft-kamath-pppext-eap-mschapv2-02): MS-CHAPv2 (RFC 2759)
 * carried in EAP Type 26, the way Windows, FreeRADIUS and strongSwan speak
 * it. The Type-Data of every request and of our Response:
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |    OpCode     |  MS-CHAPv2-ID |  MS-Length (= EAP Length - 5)  |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Challenge (1):  Value-Size=16 | Challenge (16) | Name ...
 *   |  Response (2):   Value-Size=49 | Peer-Challenge (16) | Reserved (8, 0)
 *   |                  | NT-Response (24) | Flags (1, 0) | Name ...
 *   |  Success (3):    "S=<40 hex digits> M=<message>"
 *   |  Failure (4):    "E=eeeeeeeeee R=r C=<32 hex digits> V=vvvvvvvvvv M=<message>"
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Our Success and Failure Responses are the OpCode alone.
 *
 * The method is complete only when the server proved it knows the password:
 * its Success carries the authenticator response of RFC 2759 8.7, compared
 * in constant time with ours. Only then may EAP-Success be accepted and the
 * MSK (RFC 3079, see mschapv2.h) be used. A Failure ends the method; we do
 * not retry (R=1) or change passwords (OpCode 7) — both need the user, and
 * the profile is the place to fix a password.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "client/common/rbuf.h"
#include "eap_method.h"
#include "mschapv2.h"

enum mschapv2_opcode {
        OP_CHALLENGE = 1,
        OP_RESPONSE = 2,
        OP_SUCCESS = 3,
        OP_FAILURE = 4,
        OP_CHANGE_PASSWORD = 7,
};

#define RESPONSE_VALUE_SIZE 49
#define AUTH_STRING_HEX (2 * MSCHAPV2_AUTH_RESPONSE_LEN)

enum mschapv2_state {
        ST_WAIT_CHALLENGE = 0,
        ST_ANSWERED,
        ST_COMPLETE,
};

struct mschapv2_method {
        enum mschapv2_state state;
        uint8_t auth_response[MSCHAPV2_AUTH_RESPONSE_LEN]; /* what the server must prove */
        uint8_t msk[MSCHAPV2_MSK_LEN];
};

static int mschapv2_new(void **ret, const struct eap_method_ctx *ctx)
{
        struct mschapv2_method *m = calloc(1, sizeof(*m));

        if (!m)
                return -ENOMEM;
        *ret = m;
        return 0;
}

static void mschapv2_free(void *m)
{
        secure_free(m, sizeof(struct mschapv2_method));
}

static int hex_value(uint8_t c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

static bool hex_decode(struct slice hex, uint8_t *out, size_t n)
{
        if (hex.len != 2 * n)
                return false;
        for (size_t i = 0; i < n; i++) {
                int hi = hex_value(hex.ptr[2 * i]), lo = hex_value(hex.ptr[2 * i + 1]);

                if (hi < 0 || lo < 0)
                        return false;
                out[i] = (uint8_t)(hi << 4 | lo);
        }
        return true;
}

/* The value of "K=" in a Success/Failure message: after "K=", up to the
 * next space, except M= which runs to the end. Empty slice if absent. */
static struct slice message_field(struct slice msg, char key)
{
        for (size_t i = 0; i + 1 < msg.len; i++) {
                size_t end;

                if ((i > 0 && msg.ptr[i - 1] != ' ') || msg.ptr[i] != key || msg.ptr[i + 1] != '=')
                        continue;
                if (key == 'M')
                        return SLICE(msg.ptr + i + 2, msg.len - i - 2);
                for (end = i + 2; end < msg.len && msg.ptr[end] != ' '; end++)
                        ;
                return SLICE(msg.ptr + i + 2, end - i - 2);
        }
        return SLICE(NULL, 0);
}

static enum eap_method_status on_challenge(struct mschapv2_method *m, struct eap_method_ctx *ctx,
                                           uint8_t ms_id, struct rbuf *r, struct wbuf *out)
{
        uint8_t value_size, auth_challenge[MSCHAPV2_CHALLENGE_LEN];
        uint8_t peer_challenge[MSCHAPV2_CHALLENGE_LEN], hash[MSCHAPV2_HASH_LEN];
        uint8_t nt_response[MSCHAPV2_NT_RESPONSE_LEN];
        struct slice username = mschapv2_username(ctx->identity);
        enum eap_method_status st = EAP_METHOD_SEND;
        size_t ms_length;
        int k;

        if (rbuf_u8(r, &value_size) < 0 || value_size != MSCHAPV2_CHALLENGE_LEN ||
            rbuf_copy(r, auth_challenge, sizeof(auth_challenge)) < 0)
                return eap_method_reason(ctx, EAP_METHOD_DROP,
                                         "EAP-MSCHAPv2 Challenge without a %d-byte challenge",
                                         MSCHAPV2_CHALLENGE_LEN);
        /* The server's Name follows; nothing in it concerns us. */
        if (!ctx->secret) {
                ctx->secret_kind = EAP_SECRET_PASSWORD;
                ctx->prompt = "EAP-MSCHAPv2 password";
                return EAP_METHOD_NEED_SECRET;
        }
        k = ctx->rng_fill(ctx->rng_ctx, peer_challenge, sizeof(peer_challenge));
        if (k < 0)
                return eap_method_reason(ctx, EAP_METHOD_FAIL,
                                         "EAP-MSCHAPv2: no random bytes for the peer challenge (%s)",
                                         strerror(-k));

        k = mschapv2_nt_password_hash(SLICE_OF(*ctx->secret), hash);
        if (k >= 0)
                k = mschapv2_generate_nt_response(auth_challenge, peer_challenge, username, hash,
                                                  nt_response);
        if (k >= 0)
                k = mschapv2_authenticator_response(hash, nt_response, peer_challenge,
                                                    auth_challenge, username, m->auth_response);
        if (k >= 0)
                k = mschapv2_msk(hash, nt_response, m->msk);
        if (k == -EINVAL) {
                st = eap_method_reason(ctx, EAP_METHOD_FAIL,
                                       "EAP-MSCHAPv2: the password is not valid UTF-8");
                goto out;
        } else if (k == -E2BIG) {
                st = eap_method_reason(ctx, EAP_METHOD_FAIL,
                                       "EAP-MSCHAPv2: the password is longer than %d characters",
                                       MSCHAPV2_PASSWORD_MAX_UNITS);
                goto out;
        } else if (k < 0) {
                st = eap_method_reason(ctx, EAP_METHOD_FAIL,
                                       "EAP-MSCHAPv2: MD4/DES/SHA-1 unavailable (%s)",
                                       strerror(-k));
                goto out;
        }

        /* OpCode, MS-CHAPv2-ID, MS-Length, Value-Size, Value, Name */
        ms_length = 4 + 1 + RESPONSE_VALUE_SIZE + ctx->identity.len;
        wbuf_u8(out, OP_RESPONSE);
        wbuf_u8(out, ms_id);
        wbuf_be16(out, (uint16_t)ms_length);
        wbuf_u8(out, RESPONSE_VALUE_SIZE);
        wbuf_bytes(out, peer_challenge, sizeof(peer_challenge));
        wbuf_zero(out, 8); /* Reserved */
        wbuf_bytes(out, nt_response, sizeof(nt_response));
        wbuf_u8(out, 0); /* Flags */
        wbuf_slice_put(out, ctx->identity);
        m->state = ST_ANSWERED;
out:
        secure_wipe(hash, sizeof(hash));
        secure_wipe(nt_response, sizeof(nt_response));
        secure_wipe(auth_challenge, sizeof(auth_challenge));
        secure_wipe(peer_challenge, sizeof(peer_challenge));
        return st;
}

static enum eap_method_status on_success(struct mschapv2_method *m, struct eap_method_ctx *ctx,
                                         struct slice msg, struct wbuf *out)
{
        uint8_t got[MSCHAPV2_AUTH_RESPONSE_LEN];
        struct slice s;
        bool match;

        /* A failure here means the server did not prove that it knows the
         * password (RFC 2759 8.8): not our password's fault. */
        ctx->server_unproven = true;
        if (m->state == ST_WAIT_CHALLENGE)
                return eap_method_reason(ctx, EAP_METHOD_FAIL,
                                         "EAP-MSCHAPv2 Success before any challenge was answered");
        /* "S=" and 40 hex digits first, then nothing or " M=..." */
        if (msg.len < 2 + AUTH_STRING_HEX || msg.ptr[0] != 'S' || msg.ptr[1] != '=' ||
            (msg.len > 2 + AUTH_STRING_HEX && msg.ptr[2 + AUTH_STRING_HEX] != ' '))
                return eap_method_reason(ctx, EAP_METHOD_FAIL,
                                         "EAP-MSCHAPv2 Success without an \"S=<%d hex digits>\" "
                                         "authenticator response",
                                         AUTH_STRING_HEX);
        s = SLICE(msg.ptr + 2, AUTH_STRING_HEX);
        if (!hex_decode(s, got, sizeof(got)))
                return eap_method_reason(ctx, EAP_METHOD_FAIL,
                                         "EAP-MSCHAPv2 authenticator response is not hexadecimal");
        match = CRYPTO_memcmp(got, m->auth_response, sizeof(got)) == 0;
        secure_wipe(got, sizeof(got));
        if (!match)
                /* RFC 2759 6: the peer MUST end the session. No Success
                 * Response: the server did not prove it knows the password. */
                return eap_method_reason(ctx, EAP_METHOD_FAIL,
                                         "EAP-MSCHAPv2: the server's authenticator response is "
                                         "wrong; it does not know the password (impostor?)");
        ctx->server_unproven = false;
        m->state = ST_COMPLETE;
        wbuf_u8(out, OP_SUCCESS);
        return EAP_METHOD_SEND;
}

static const char *failure_meaning(long code)
{
        /* RFC 2759 6 */
        switch (code) {
        case 646:
                return "logon not allowed at this time";
        case 647:
                return "account disabled";
        case 648:
                return "password expired (changing it here is not supported)";
        case 649:
                return "no permission to dial in";
        case 691:
                return "wrong password or user name";
        case 709:
                return "error while changing the password (not supported here)";
        default:
                return "authentication failed";
        }
}

static enum eap_method_status on_failure(struct mschapv2_method *m, struct eap_method_ctx *ctx,
                                         struct slice msg, struct wbuf *out)
{
        struct slice e = message_field(msg, 'E'), text = message_field(msg, 'M');
        char sanitized[160];
        long code = 0;

        for (size_t i = 0; i < e.len && i < 10; i++) {
                if (e.ptr[i] < '0' || e.ptr[i] > '9') {
                        code = 0;
                        break;
                }
                code = code * 10 + (e.ptr[i] - '0');
        }
        eap_sanitize(sanitized, sizeof(sanitized), text);
        m->state = ST_WAIT_CHALLENGE;
        secure_wipe(m->msk, sizeof(m->msk));
        /* A Failure Response, for the server to end the conversation with
         * EAP-Failure; the caller may send it or just stop. */
        wbuf_u8(out, OP_FAILURE);
        if (code)
                return eap_method_reason(ctx, EAP_METHOD_FAIL, "EAP-MSCHAPv2: %s (E=%ld)%s%s",
                                         failure_meaning(code), code, sanitized[0] ? ": " : "",
                                         sanitized);
        return eap_method_reason(ctx, EAP_METHOD_FAIL, "EAP-MSCHAPv2: authentication failed%s%s",
                                 sanitized[0] ? ": " : "", sanitized);
}

static enum eap_method_status mschapv2_process(void *mp, struct eap_method_ctx *ctx,
                                               struct slice type_data, struct wbuf *out)
{
        struct mschapv2_method *m = mp;
        uint8_t opcode, ms_id;
        uint16_t ms_length;
        struct rbuf r;

        rbuf_init(&r, type_data.ptr, type_data.len);
        if (rbuf_u8(&r, &opcode) < 0 || rbuf_u8(&r, &ms_id) < 0 || rbuf_be16(&r, &ms_length) < 0)
                return eap_method_reason(ctx, EAP_METHOD_DROP,
                                         "EAP-MSCHAPv2 request shorter than its 4-byte header "
                                         "(%zu bytes)",
                                         type_data.len);
        if (ms_length != type_data.len)
                return eap_method_reason(ctx, EAP_METHOD_DROP,
                                         "EAP-MSCHAPv2 MS-Length %u disagrees with the %zu bytes "
                                         "of the request",
                                         ms_length, type_data.len);
        switch (opcode) {
        case OP_CHALLENGE:
                return on_challenge(m, ctx, ms_id, &r, out);
        case OP_SUCCESS:
                return on_success(m, ctx, rbuf_rest(&r), out);
        case OP_FAILURE:
                return on_failure(m, ctx, rbuf_rest(&r), out);
        default:
                return eap_method_reason(ctx, EAP_METHOD_DROP,
                                         "EAP-MSCHAPv2 OpCode %u is not for a peer", opcode);
        }
}

static bool mschapv2_is_complete(const void *mp)
{
        const struct mschapv2_method *m = mp;

        return m->state == ST_COMPLETE;
}

static int mschapv2_get_msk(const void *mp, uint8_t ret[static EAP_MSK_LEN])
{
        const struct mschapv2_method *m = mp;

        _Static_assert(MSCHAPV2_MSK_LEN == EAP_MSK_LEN, "MSK sizes");
        if (m->state != ST_COMPLETE)
                return -ENOKEY;
        memcpy(ret, m->msk, EAP_MSK_LEN);
        return 0;
}

const struct eap_method_ops eap_mschapv2_ops = {
        .type = EAP_TYPE_MSCHAPV2,
        .name = "MSCHAPv2",
        .derives_msk = true,
        .new = mschapv2_new,
        .process = mschapv2_process,
        .free = mschapv2_free,
        .get_msk = mschapv2_get_msk,
        .is_complete = mschapv2_is_complete,
};
