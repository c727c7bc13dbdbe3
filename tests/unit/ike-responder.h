/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small IKEv2 responder for the initiator's tests and fuzz target, built
 * from the codec and crypto APIs (GLib-free, like the fuzzer). It answers
 * IKE_SA_INIT, IKE_AUTH (certificate; EAP-MSCHAPv2 and EAP-MD5 as the EAP
 * server; certificate + EAP in two rounds) and INFORMATIONAL, and can
 * misbehave in the ways a test asks for (wrong signing key, early
 * EAP-Success, a proposal nobody offered, ...). It records what it
 * received, so that a test can assert that no EAP response ever left the
 * initiator.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>
#include <openssl/x509.h>

#include "client/common/bytes.h"
#include "client/crypto/aead.h"
#include "client/crypto/rng.h"
#include "client/ike/keys.h"
#include "client/ike/message.h"

enum resp_client_auth {
        RESP_CLIENT_EAP_MSCHAPV2 = 1,
        RESP_CLIENT_EAP_MD5,
        RESP_CLIENT_CERT,
        RESP_CLIENT_CERT_EAP, /* certificate, then EAP-MSCHAPv2 (RFC 4739) */
};

/* Ways to misbehave. */
enum {
        RESP_BAD_SIGNATURE = 1u << 0,    /* sign AUTH with sign_key_override */
        RESP_NO_AUTH = 1u << 1,          /* first IKE_AUTH answer without AUTH */
        RESP_EARLY_SUCCESS = 1u << 2,    /* EAP-Success right after the Identity */
        RESP_CHOOSE_UNOFFERED = 1u << 3, /* IKE: AES-CTR in the chosen proposal */
        RESP_OMIT_DH = 1u << 4,          /* IKE: no DH transform in the chosen proposal */
        RESP_TWO_PROPOSALS = 1u << 5,    /* IKE: two proposals in the answer */
        RESP_BAD_FINAL_AUTH = 1u << 6,   /* final AUTH over a wrong key */
        RESP_NO_CERT = 1u << 7,          /* no CERT payload */
        RESP_ESP_UNOFFERED = 1u << 8,    /* ESP: a cipher nobody offered */
        RESP_NO_NATD = 1u << 9,          /* no NAT detection notifies */
        RESP_FAKE_NATD_SRC = 1u << 10,   /* a source hash that never matches (forceencaps) */
        RESP_NO_VIP = 1u << 11,          /* CP reply without addresses */
        RESP_DH_MISMATCH = 1u << 12,     /* choose a DH group other than the KE's */
        RESP_MSK_ZERO = 1u << 13,        /* final AUTH over an all-zero MSK */
        RESP_BAD_MSCHAP_S = 1u << 14,    /* MS-CHAPv2 Success with a wrong "S=" */
        RESP_BAD_COOKIE2 = 1u << 15,     /* MOBIKE: COOKIE2 not echoed */
};

struct resp_cp_attr {
        uint16_t type;
        uint8_t len;
        uint8_t value[64];
};

struct resp_config {
        const struct tsu_rng *rng;
        /* The gateway's identity (IDr) and credentials. */
        uint8_t id_type;
        const char *id; /* text form of the data (FQDN/RFC822); */
        X509 *cert;
        STACK_OF(X509) * chain; /* extra CERT payloads, may be NULL */
        EVP_PKEY *key;
        EVP_PKEY *sign_key_override; /* RESP_BAD_SIGNATURE */
        /* The algorithms it picks (must be among the initiator's offer). */
        uint16_t ike_encr, ike_encr_bits, ike_integ, ike_prf, ike_dh;
        uint16_t esp_encr, esp_encr_bits, esp_integ;
        /* Behaviour. */
        enum resp_client_auth client_auth;
        const char *eap_password; /* what the EAP server accepts */
        X509 *client_ca;          /* for verifying the initiator's certificate (not chained) */
        bool require_cookie;
        uint16_t want_group;           /* != 0: INVALID_KE_PAYLOAD unless KE is this group */
        bool fragmentation;            /* announce and use RFC 7383 */
        uint16_t fragment_size;        /* message size budget for our fragments, 0: 1200 */
        bool hash_algorithms;          /* announce SIGNATURE_HASH_ALGORITHMS */
        bool multiple_auth;            /* announce MULTIPLE_AUTH_SUPPORTED */
        bool mobike;                   /* announce MOBIKE_SUPPORTED (RFC 4555) */
        uint16_t error_notify_sa_init; /* answer IKE_SA_INIT with this error notify */
        uint16_t error_notify_auth;    /* answer the first IKE_AUTH with this error notify */
        unsigned misbehave;
        /* Addresses: what NAT-D hashes it computes. */
        uint8_t family;
        uint8_t gw_addr[16];
        uint16_t gw_port;
        uint8_t seen_addr[16]; /* the initiator's address as the gateway sees it */
        uint16_t seen_port;
        /* Configuration reply (0 attributes: a default set). */
        struct resp_cp_attr cp[16];
        size_t n_cp;
        /* RFC 4478: AUTH_LIFETIME with this many seconds in the last IKE_AUTH
         * answer (0: none). */
        uint32_t auth_lifetime_s;
        /* Choose extended sequence numbers when the initiator offers them
         * (else always "no ESN"). */
        bool esn;
        /* Sees every message the responder sends, before protection: the
         * header, the first payload type and the payload chain (for seed
         * corpora). May be NULL. */
        void (*record)(void *ud, const struct ike_header *h, uint8_t first, struct slice chain);
        void *record_ud;
};

#define RESP_MAX_OUT 8

struct resp_out {
        size_t n;
        struct bytes d[RESP_MAX_OUT]; /* UDP payloads, marker included on 4500 */
};

void resp_out_clear(struct resp_out *o);

struct responder {
        struct resp_config cfg;
        /* IKE SA */
        uint8_t spi_i[8], spi_r[8];
        struct bytes ni, nr, req1, resp2;
        struct crypto_dh *dh;
        const struct crypto_prf_alg *prf;
        struct crypto_suite suite;
        struct ike_keys keys;
        struct crypto_aead *out, *in;
        bool have_keys;
        uint32_t expect_msgid; /* next request from the initiator */
        uint32_t next_msgid;   /* our next request */
        struct resp_out last;  /* our last answer (for retransmitted requests) */
        uint32_t last_msgid;
        bool natt;
        /* fragments of a request */
        struct bytes frag[16];
        uint16_t frag_total, frag_have;
        uint8_t frag_first;
        /* IKE_AUTH */
        struct bytes idi_body;
        struct bytes idr_body;
        uint8_t esp_spi_i[4];
        uint8_t esp_prop_num;
        bool esp_prop_ok;
        bool esp_esn; /* the CHILD SA uses ESN (cfg.esn and offered) */
        unsigned auth_round;
        bool cert_round_done;
        uint8_t eap_id;
        uint8_t challenge[16];
        uint8_t ms_auth[20];
        uint8_t msk[64];
        bool have_msk;
        bool eap_done;
        bool established;
        struct ike_child_keys child;
        /* what it saw */
        unsigned n_init_requests;
        unsigned n_auth_requests;
        unsigned n_eap_received;    /* EAP payloads received, any type */
        unsigned n_eap_nonidentity; /* EAP responses other than Identity */
        unsigned n_info_requests;
        unsigned n_create_child;  /* CREATE_CHILD_SA requests (CHILD SA rekeys) */
        unsigned n_update_sa;     /* UPDATE_SA_ADDRESSES (MOBIKE) */
        unsigned n_update_sa_natd; /* of which with both NAT detection notifies */
        unsigned n_child_rekeys;  /* answered; r->child holds the newest keys */
        unsigned n_pfs;           /* of which with a KE payload */
        bool rekey_spi_mismatch;  /* a REKEY_SA that did not name the current SA */
        uint32_t cur_spi_r;       /* our inbound ESP SPI now (ESP_SPI_R at first) */
        uint32_t prev_spi_r;      /* the one before our last rekey, until its DELETE */
        /* our own CHILD SA rekey (RESP_REQ_REKEY_CHILD) */
        bool pending_rekey;
        uint32_t pending_msgid, pending_spi;
        struct bytes pending_ni;
        unsigned n_gw_rekeys; /* completed */
        bool gw_rekey_refused;
        /* Tests of rekey collisions (RFC 7296 2.8.1) set the nonces: 0x100 |
         * b fills the nonce of our rekey request / of our answer to a rekey
         * with b; 0 draws them at random. */
        uint16_t rekey_req_nonce, rekey_ans_nonce;
        /* IKE SA rekeys by the initiator (RFC 7296 2.18): the old SA is kept
         * until its DELETE comes */
        unsigned n_ike_rekeys;
        bool have_old, old_deleted;
        uint8_t old_spi_i[8], old_spi_r[8];
        struct crypto_aead *old_out, *old_in;
        uint32_t old_expect;
        unsigned n_deletes_received;
        unsigned n_auth_failed_notifies;
        bool client_auth_ok;
        bool saw_certreq, saw_initial_contact, saw_idr, saw_frag_sup, saw_fake_natd;
        /* the CFG_REQUEST's INTERNAL_IP4_ADDRESS / IP6_ADDRESS values (0 octets:
         * "any") */
        uint8_t req_ip4[4], req_ip6[17];
        size_t req_ip4_len, req_ip6_len;
        uint8_t ke_group_seen;
        unsigned n_frags_received;
        size_t last_request_len;
        char error[256]; /* why the responder itself gave up */
};

int resp_init(struct responder *r, const struct resp_config *cfg);
void resp_free(struct responder *r);

/* One datagram from the initiator (UDP payload; natt: it came to 4500 and
 * starts with the marker). Answers in *out (cleared first). Returns 0, or
 * negative when the datagram was not acceptable (r->error says why). */
int resp_handle(struct responder *r, const uint8_t *dgram, size_t len, bool natt,
                struct resp_out *out);

/* Builds a request of ours to the initiator: an empty INFORMATIONAL
 * (liveness), a DELETE of the IKE SA, a DELETE of the CHILD SA, or a
 * CREATE_CHILD_SA (just a notify, to see it refused). */
enum resp_request {
        RESP_REQ_LIVENESS,
        RESP_REQ_DELETE_IKE,
        RESP_REQ_DELETE_CHILD,
        RESP_REQ_CREATE_CHILD,
        RESP_REQ_REKEY_CHILD, /* a CHILD SA rekey (REKEY_SA, SA, Ni, TSi, TSr) */
};
int resp_request(struct responder *r, enum resp_request kind, struct resp_out *out);

/* Protects an arbitrary inner payload chain (first payload type + bytes)
 * as a response of the given exchange and message ID (for the fuzzer). */
int resp_wrap(struct responder *r, uint8_t exchange, uint32_t msgid, bool response, uint8_t first,
              const uint8_t *inner, size_t len, struct resp_out *out);
