/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The interface between the EAP peer state machine (eap.c) and its methods
 * (eap_md5.c, eap_mschapv2.c, eap_tls.c). Internal to client/ike.
 *
 * The state machine parses the EAP header, answers Identity, Notification
 * and Nak itself, and hands the Type-Data of requests for the configured
 * method to process(). The method writes the Type-Data of its response
 * (everything after the Type byte) into out; the state machine adds the
 * header, the identifier and the Type.
 */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "client/common/bytes.h"
#include "client/common/macro.h"
#include "client/common/wbuf.h"
#include "eap.h"
#include "eap_tls_cred.h"

enum eap_method_status {
        EAP_METHOD_SEND,        /* out holds the response Type-Data */
        EAP_METHOD_NEED_SECRET, /* ctx->secret_kind and ctx->prompt are set */
        EAP_METHOD_FAIL,        /* terminal; reason set; out may hold a courtesy response */
        EAP_METHOD_DROP,        /* the request was ignored; reason set; nothing changed */
};

struct eap_method_ctx {
        /* inputs */
        struct slice identity;
        const struct bytes *secret; /* NULL when not provided */
        int (*rng_fill)(void *ctx, uint8_t *buf, size_t n);
        void *rng_ctx;
        struct eap_tls_creds *tls; /* EAP-TLS only */
        uint8_t identifier;        /* of the request being processed */

        /* outputs */
        char *reason; /* FAIL, DROP */
        size_t reason_size;
        enum eap_secret_kind secret_kind; /* NEED_SECRET */
        const char *prompt;
        bool forget_secret; /* the secret was wrong: drop it before asking again */
        bool server_unproven; /* FAIL: the server did not prove who it is (the user's
                               * credentials are not in question) */
};

struct eap_method_ops {
        uint8_t type;
        const char *name;
        bool derives_msk;
        int (*new)(void **ret, const struct eap_method_ctx *ctx);
        enum eap_method_status (*process)(void *m, struct eap_method_ctx *ctx,
                                          struct slice type_data, struct wbuf *out);
        void (*free)(void *m);
        /* 0 and the MSK once complete, -ENOKEY otherwise. */
        int (*get_msk)(const void *m, uint8_t ret[static EAP_MSK_LEN]);
        bool (*is_complete)(const void *m);
};

extern const struct eap_method_ops eap_md5_ops;
extern const struct eap_method_ops eap_mschapv2_ops;
extern const struct eap_method_ops eap_tls_ops;

/* Writes the reason for FAIL/DROP and returns status, for one-line returns. */
_printf_(3, 4) enum eap_method_status eap_method_reason(struct eap_method_ctx *ctx,
                                                      enum eap_method_status status,
                                                      const char *fmt, ...);

/* Copies s into buf as printable ASCII (others become '?'), NUL-terminated,
 * truncated to fit. For text a server sends us to display. */
void eap_sanitize(char *buf, size_t size, struct slice s);
