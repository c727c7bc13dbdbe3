/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The captured IKEv2 scenarios of tests/vectors/ike/ (their README.md
 * describes the files) for test-ike-captured.c, in two layers:
 *
 *   reading   the message files, manifest.txt and keys.txt of a scenario
 *             directory, strongSwan's payload lists ("[ SA KE No ... ]")
 *             cut into tokens and its names for the numbers in them;
 *   decoding  every message parsed with our codec, and with decrypt every
 *             SK/SKF payload opened with our SK layer in the receiver's
 *             direction, with strongSwan's logged keys and the suite the SA
 *             payload on the wire chose; fragments reassembled (RFC 7383).
 *
 * The checks themselves (and what counts as a failure) are in
 * test-ike-captured.c; here a file that cannot be read is a GError naming the
 * file and line, and a message that cannot be decoded keeps the reason in its
 * struct tvi_msg, so that a broken vector is a precise failure, not a crash.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "client/common/bytes.h"
#include "client/crypto/aead.h"
#include "client/crypto/prf.h"
#include "client/ike/keys.h"
#include "client/ike/message.h"
#include "client/ike/sk.h"

enum tvi_protection {
        TVI_PLAIN = 0, /* encrypted=no */
        TVI_SK,        /* encrypted=SK */
        TVI_SKF,       /* encrypted=SKF, an RFC 7383 fragment */
};

/* One line of manifest.txt and the file it names. */
struct tvi_message {
        char *file;       /* "03-ike_auth-request-i2r.bin" */
        unsigned number;  /* the NN the file name starts with */
        unsigned line;    /* in manifest.txt */
        uint8_t exchange; /* IKEV2_EXCHANGE_* */
        uint32_t message_id;
        bool response;
        bool initiator;  /* the I flag */
        unsigned ike_sa; /* the [ike-sa N] of keys.txt, 0 for "-" */
        enum tvi_protection protection;
        uint16_t frag_num, frag_total; /* SKF only */
        size_t length;
        char *payloads;    /* strongSwan's list, "[ ... ]" */
        char *reassembled; /* for a fragment: the whole message's list; else NULL */
        GBytes *bytes;     /* the file's contents */
};

/* One [ike-sa N] or [child-sa N] block of keys.txt. */
struct tvi_block {
        bool child;
        unsigned num;
        unsigned line;      /* of the [..] line, for messages */
        GHashTable *values; /* char * -> char *, as written */
};

struct tvi_scenario {
        char *name;
        char *dir;
        GPtrArray *messages;  /* struct tvi_message, in manifest order */
        GPtrArray *ike_sas;   /* struct tvi_block */
        GPtrArray *child_sas; /* struct tvi_block */
        GPtrArray *bin_files; /* char *: the *.bin files in the directory, sorted */
};

/* Loads tests/vectors/ike/<name>/ (found through G_TEST_DIST). NULL and
 * *error when a file is missing or a line cannot be read. */
struct tvi_scenario *tvi_scenario_load(const char *name, GError **error);
void tvi_scenario_free(struct tvi_scenario *sc);
typedef struct tvi_scenario tvi_scenario;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(tvi_scenario, tvi_scenario_free)

const struct tvi_block *tvi_ike_sa(const struct tvi_scenario *sc, unsigned num);
const struct tvi_message *tvi_message_by_number(const struct tvi_scenario *sc, unsigned number);

/* A value as written, or NULL. */
const char *tvi_get(const struct tvi_block *b, const char *key);
/* A hex value as bytes: NULL and *error when absent or not hex. */
GBytes *tvi_get_hex(const struct tvi_block *b, const char *key, GError **error);
/* A decimal value: false and *error when absent or not a number. */
bool tvi_get_uint(const struct tvi_block *b, const char *key, unsigned *ret, GError **error);
/* "messages = 03 13": the two message numbers; false and *error otherwise. */
bool tvi_get_exchange(const struct tvi_block *b, unsigned *ret_request, unsigned *ret_response,
                      GError **error);

/* "[ IDi CPRQ(ADDR DNS) EAP/RES/ID ]" -> { "IDi", "CPRQ(ADDR DNS)", "EAP/RES/ID" }:
 * blanks separate tokens except inside parentheses. NULL and *error when the
 * brackets or parentheses do not match. */
GStrv tvi_list_tokens(const char *list, GError **error);

/* strongSwan's short names (as in its "generating"/"parsed" log lines) for
 * the numbers, or NULL when the tables here do not know the number. */
const char *tvi_notify_name(uint16_t type);
const char *tvi_cp_attr_name(uint16_t type);
const char *tvi_cfg_type_name(uint8_t cfg_type);
const char *tvi_eap_code_name(uint8_t code);
const char *tvi_eap_type_name(uint8_t type);
const char *tvi_payload_name(uint8_t type);

/* "ike-sa 2" / "child-sa 1" with the line, for failure messages. */
const char *tvi_block_where(const struct tvi_block *b, char buf[static 64]);

/* ------------------------------------------------------------------ decoding */

/* The bytes of a GBytes (NULL: empty). */
struct slice tvi_slice(GBytes *b);

/* A payload or a chain in strongSwan's notation: "N(NATD_S_IP)",
 * "CPRQ(ADDR DNS)", "EAP/REQ/MSCHAPV2", "EF(1/2)"; "[ SA KE No ]". Numbers the
 * tables above do not know are written as numbers, so they never match a
 * name. g_free() the result. */
char *tvi_render_payload(const struct ike_payload *p);
char *tvi_render_chain(const struct ike_chain *c);

/* The only payload of a type in a chain, or NULL (none or several). */
const struct ike_payload *tvi_find_one(const struct ike_chain *c, uint8_t type);
/* The nonce data of the chain's Nonce payload, or an empty slice. */
struct slice tvi_nonce(const struct ike_chain *c);

/* The proposal an SA payload chose (a response carries exactly one). */
struct tvi_chosen {
        uint8_t protocol;
        uint8_t num;
        struct slice spi;
        uint16_t encr, encr_bits, integ, prf, dh, esn;
};
bool tvi_chosen_proposal(const struct ike_chain *c, struct tvi_chosen *ret, const char **why);
/* The request's proposal with the number the response chose (its SPI is
 * the initiator's). */
const struct ike_proposal *tvi_offered_proposal(const struct ike_chain *c, uint8_t num);

/* An [ike-sa N]: what the wire chose for it and strongSwan's keys. */
struct tvi_sa {
        const struct tvi_block *blk;
        unsigned num;
        bool resolved;
        char *error; /* why it could not be resolved */
        /* from the SA payload of the exchange that created it */
        struct tvi_chosen chosen;
        const struct crypto_prf_alg *prf;
        struct crypto_suite suite;
        /* from keys.txt */
        uint64_t spi_i, spi_r;
        struct ike_keys logged;
        GBytes *msk; /* NULL without */
};
/* One message as decoded. */
struct tvi_msg {
        const struct tvi_message *tm;
        struct ike_message *m;         /* NULL if it did not parse */
        const struct ike_chain *chain; /* what it carries (for a fragment: the whole message) */
        struct ike_message *whole;     /* the message holding chain: m, or fragment 1's */
        struct bytes plain;            /* the decrypted inner chain (all fragments' for SKF) */
        bool fragment_ok;              /* SKF: this fragment decrypted */
        bool last_fragment;            /* the fragment whose arrival completed the message */
        char *error;                   /* why chain is NULL */
};
struct tvi_capture {
        struct tvi_scenario *sc;
        struct tvi_msg *msgs;
        size_t n_msgs;
        struct tvi_sa *sas;
        size_t n_sas;
};
typedef struct tvi_capture tvi_capture;

/*
 * Loads a scenario and parses every message; with decrypt, opens the
 * protected ones in wire order (an SA's suite is known once the response of
 * the exchange that created it is decoded). NULL and *error only when the
 * files cannot be read; decoding problems stay in each tvi_msg's error.
 */
struct tvi_capture *tvi_capture_open(const char *name, bool decrypt, GError **error);
void tvi_capture_free(struct tvi_capture *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(tvi_capture, tvi_capture_free)

/* The message numbered NN, or NULL. */
struct tvi_msg *tvi_capture_msg(struct tvi_capture *c, unsigned number);
/* The IKE SA of keys.txt numbered num, or NULL. */
struct tvi_sa *tvi_capture_sa(struct tvi_capture *c, unsigned num);
/* Finds what the SA payload chose and loads strongSwan's keys (once);
 * false with sa->error saying why. */
bool tvi_sa_resolve(struct tvi_capture *c, struct tvi_sa *sa);

/* Opens the SK/SKF payload of msg in place with the receiver's context
 * (ike_keys_sk_contexts() with strongSwan's keys): a message with the I flag
 * is read by the responder, the others by the initiator. */
int tvi_sk_open(const struct tvi_sa *sa, bool from_initiator, uint8_t *msg, size_t len,
                struct ike_sk_plain *ret, struct ike_sk_error *ret_err);
