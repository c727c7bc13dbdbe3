/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which payloads each exchange allows (RFC 7296 1.2-1.5, 2.21, RFC 9242,
 * RFC 9370), declared as one table per exchange and direction in the style
 * of strongSwan's message.c, and the check the state machine runs on every
 * parsed (and decrypted) message before looking at its contents.
 *
 * The rules are deliberately about presence and counts only. What a payload
 * must contain in a given state (IDr only in the first IKE_AUTH response,
 * the SA with exactly one proposal, ...) is for the state machine.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "client/ike/message.h"
#include "client/ike/payload.h"

/* Per-message maxima for repeatable payloads. */
#define IKE_RULE_MAX_NOTIFY  32
#define IKE_RULE_MAX_VENDOR  16
#define IKE_RULE_MAX_CERT    8
#define IKE_RULE_MAX_CERTREQ 8
#define IKE_RULE_MAX_DELETE  32

struct ike_payload_rule {
        uint8_t type;
        uint8_t min;
        uint8_t max;
        bool encrypted; /* must be inside SK/SKF */
};

struct ike_exchange_rules {
        uint8_t exchange;
        bool response;
        bool protected_msg; /* the message must be protected by SK/SKF */
        const struct ike_payload_rule *rules;
        size_t n_rules;
        /* Minimum counts are not enforced in a message carrying an error
         * notify (RFC 7296 2.21: an error response is just the notify) or one
         * of these notify types (COOKIE, REDIRECT in an IKE_SA_INIT response). */
        bool error_notify_sufficient;
        const uint16_t *sufficient_notifies;
        size_t n_sufficient_notifies;
};

/* The rules for an exchange and direction, or NULL for an exchange we do not
 * implement (IKE_SESSION_RESUME, G-IKEv2, unknown numbers). */
const struct ike_exchange_rules *ike_rules_lookup(uint8_t exchange, bool response);

/*
 * Checks a parsed message against its exchange's rules:
 *  - the exchange is one we know (-EOPNOTSUPP, notify 0, otherwise);
 *  - IKE_SA_INIT is unprotected (an SK/SKF there is -EPROTO); the other
 *    exchanges are protected, and a protected message must have been
 *    decrypted (m->has_inner, else -EINVAL); the one exception is an
 *    unprotected INFORMATIONAL carrying a single INVALID_IKE_SPI,
 *    INVALID_SPI or INVALID_MAJOR_VERSION notify (RFC 7296 2.21.4), which
 *    the state machine must treat as unauthenticated;
 *  - every known payload is allowed in this exchange and direction, in the
 *    clear only where the rule allows it, at most max times, and at least
 *    min times unless an error (or sufficient) notify is present. Unknown
 *    payload types (kept because not critical) are ignored (RFC 7296 2.5).
 * Violations are -EPROTO with notify INVALID_SYNTAX and a text such as
 * "IKE_AUTH response: payload KE not allowed".
 */
int ike_message_check(const struct ike_message *m, struct ike_error *err);
/* true when the message passed ike_message_check() only as an unprotected
 * INFORMATIONAL (its notify is unauthenticated). */
bool ike_message_is_unprotected_informational(const struct ike_message *m);
