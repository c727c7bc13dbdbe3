/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Cryptographic proposals written in strongSwan's proposal syntax, parsed
 * into plain IKEv2 transform IDs (client/ike/ikev2.h) for the initiator.
 *
 *   list      := proposal ( "," proposal )* [ "!" ]
 *   proposal  := keyword ( "-" keyword )*
 *
 * Each keyword names one transform (encryption with its key size, PRF,
 * integrity, key exchange method, ESN). A proposal may name several
 * transforms of one type: "aes128-aes256-sha256-modp2048-ecp256" offers
 * both ciphers and both groups (RFC 7296 3.3). A trailing "!" makes the
 * list strict: nothing else is offered; without it the caller appends its
 * defaults (strongSwan's behaviour). Keywords are case-insensitive; blanks
 * around '-' and ',' are ignored.
 *
 * GLib-free and I/O-free: compiled into the core library. Errors come back
 * in struct proposal_error (where, how long, why), never logged.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "client/ike/ikev2.h"

#define PROPOSAL_MAX_PER_TYPE 8  /* transforms of one type in one proposal */
#define PROPOSAL_MAX          16 /* proposals in one list */
#define PROPOSAL_MAX_STRING   1024

enum proposal_kind {
        PROPOSAL_IKE, /* ENCR, PRF, INTEG (unless AEAD), DH (required) */
        PROPOSAL_ESP, /* ENCR, INTEG (unless AEAD), DH optional (PFS), ESN */
};

struct proposal_encr {
        uint16_t id;       /* enum ikev2_encr */
        uint16_t key_bits; /* RFC 7296 3.3.5 Key Length attribute; 0 when the cipher has none */
};

struct proposal {
        uint8_t protocol; /* IKEV2_PROTO_IKE or IKEV2_PROTO_ESP */
        bool aead;        /* every ENCR is a combined mode: no INTEG (RFC 5282 8) */
        uint8_t n_encr, n_prf, n_integ, n_dh, n_esn;
        struct proposal_encr encr[PROPOSAL_MAX_PER_TYPE];
        uint16_t prf[PROPOSAL_MAX_PER_TYPE];   /* enum ikev2_prf */
        uint16_t integ[PROPOSAL_MAX_PER_TYPE]; /* enum ikev2_integ */
        uint16_t dh[PROPOSAL_MAX_PER_TYPE];    /* enum ikev2_dh_group; ESP: PFS groups */
        uint16_t esn[2];                       /* enum ikev2_esn; ESP only, never empty */
};

struct proposal_list {
        uint8_t n;
        bool strict; /* "!": offer exactly these */
        struct proposal p[PROPOSAL_MAX];
};

struct proposal_error {
        size_t offset; /* of the offending token in the input */
        size_t len;    /* its length (0 for "at end of input") */
        char message[160];
};

/* Parses s (NUL-terminated, at most PROPOSAL_MAX_STRING bytes) into *ret.
 * Returns 0, -EINVAL (syntax, unknown keyword, incomplete proposal: see
 * *err), -E2BIG (a limit above), -ENOTSUP (a keyword we know but refuse:
 * single DES, MD5, NULL encryption, 768-bit MODP). *ret is written only on
 * success; err may be NULL. */
int proposal_list_parse(const char *s, enum proposal_kind kind, struct proposal_list *ret,
                        struct proposal_error *err);

/* The proposals tsunagu offers when a profile names none (and appends after
 * a non-strict list): AEAD first, then CBC with HMAC-SHA2; ECP and curve25519
 * first, MODP 3072/2048 last. */
void proposal_list_defaults(enum proposal_kind kind, struct proposal_list *ret);

/* Appends the proposals of src that dst does not already contain, as far as
 * PROPOSAL_MAX allows. Returns how many were appended. */
size_t proposal_list_merge(struct proposal_list *dst, const struct proposal_list *src);

/* Writes the canonical strongSwan form of l ("aes256gcm16-prfsha384-ecp384,...!")
 * into buf. Returns the length, or -ENOBUFS if it did not fit (buf is then
 * NUL-terminated but truncated). Parsing the result gives l back. */
int proposal_list_format(const struct proposal_list *l, char *buf, size_t size);

bool proposal_eq(const struct proposal *a, const struct proposal *b);
bool proposal_list_eq(const struct proposal_list *a, const struct proposal_list *b);

/* Algorithms we accept but advise against (3DES, HMAC-SHA1, MODP-1024/1536,
 * 160/224-bit subgroup MODP): true if any transform of l is one of them, and
 * the first such keyword in *ret_keyword. */
bool proposal_list_weak(const struct proposal_list *l, const char **ret_keyword);

/* The canonical keyword of one transform, or NULL if unknown. */
const char *proposal_keyword(enum ikev2_transform_type type, uint16_t id, uint16_t key_bits);
