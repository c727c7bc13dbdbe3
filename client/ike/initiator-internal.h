/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside the initiator: the state shared by the exchange files
 * (task-sa-init.c, task-auth.c, task-info.c) and the machinery in
 * initiator.c, ike-frag.c, ike-proposal.c, ike-authsig.c and ike-netcfg.c.
 * Not for users of the initiator (they include initiator.h).
 */
#pragma once

#include <stdarg.h>

#include "client/common/macro.h"
#include "client/crypto/aead.h"
#include "client/crypto/dh.h"
#include "client/crypto/prf.h"
#include "client/crypto/x509.h"
#include "client/ike/initiator.h"
#include "client/ike/keys.h"
#include "client/ike/message.h"

#define INI_NONCE_LEN         32            /* RFC 7296 2.10: at least half the PRF key size */
#define INI_MAX_COOKIE_ROUNDS 3             /* COOKIE answers before we give up */
#define INI_MAX_KE_ROUNDS     1             /* INVALID_KE_PAYLOAD answers we follow */
#define INI_MAX_AUTH_ROUNDS   64            /* IKE_AUTH exchanges (EAP-TLS takes ~10) */
#define INI_MAX_FRAG_BYTES    IKE_CHAIN_MAX /* reassembled plaintext */
#define INI_MAX_CERTS         8             /* CERT payloads from the gateway we look at */
#define INI_MAX_PEER_HASHES   16            /* SIGNATURE_HASH_ALGORITHMS entries kept */

/* What a task's process() tells the machinery. */
enum ini_task_result {
        INI_TASK_DONE,  /* the task is finished; run the next one */
        INI_TASK_AGAIN, /* build and send another request of this task */
        INI_TASK_WAIT,  /* waiting for input from the driver (a secret) */
        INI_TASK_FAILED /* ini_fail() was called; stop */
};

struct ike_initiator;

/* One exchange we initiate (RFC 7296 1.2-1.4). build() fills the request's
 * payloads (the machinery sets the header and protects it); process()
 * reads a response that passed every generic check (SPIs, message ID,
 * decryption, payload rules). */
struct ini_task_ops {
        const char *name; /* for logs: "IKE_SA_INIT" */
        uint8_t exchange;
        int (*build)(struct ike_initiator *ini, struct ike_message *req);
        enum ini_task_result (*process)(struct ike_initiator *ini, const struct ike_message *resp);
};

extern const struct ini_task_ops ini_task_sa_init;
extern const struct ini_task_ops ini_task_auth;
extern const struct ini_task_ops ini_task_delete;
extern const struct ini_task_ops ini_task_liveness;     /* task-info.c, DPD */
extern const struct ini_task_ops ini_task_child_rekey;  /* task-child.c */
extern const struct ini_task_ops ini_task_child_delete; /* task-child.c */
extern const struct ini_task_ops ini_task_ike_rekey;    /* task-ike-rekey.c */
extern const struct ini_task_ops ini_task_mobike;       /* task-mobike.c */

#define INI_MAX_TASKS 8
#define INI_MAX_CHILDREN 4 /* CHILD SAs held at once around rekeys (current + old ones) */

/* A request in flight: the datagrams exactly as sent (RFC 7296 2.1:
 * retransmissions are identical), its timer. */
struct ini_request {
        bool active;
        const struct ini_task_ops *task;
        uint32_t msgid;
        struct bytes *dgrams; /* UDP payloads, marker included on 4500 */
        size_t n_dgrams;
        uint16_t port;
        bool natt;
        unsigned retransmits;
        uint64_t first_sent;
        uint64_t deadline;
        uint32_t timeout;    /* the current wait */
        uint64_t give_up_at; /* a hard end (DELETE's bounded wait), or UINT64_MAX */
        /* Datagrams that claimed to answer this request and were dropped, so
         * that giving up can say what came instead of an answer: malformed
         * ones from the gateway itself (they passed the integrity check, or
         * answer IKE_SA_INIT, which has none), and unauthenticated ones
         * (integrity check failed, unprotected notifies: anyone may send
         * those). */
        unsigned malformed, unauthenticated;
        char why[160]; /* why the last of them was dropped */
};

/* The answer to the last request the gateway sent us, for retransmissions
 * of that request (RFC 7296 2.1). */
struct ini_response_cache {
        bool valid;
        uint32_t msgid;
        struct bytes *dgrams;
        size_t n_dgrams;
};

/* Incoming fragments of one message (RFC 7383 2.6). */
struct ini_frag_buf {
        bool active;
        bool response;
        uint32_t msgid;
        uint8_t exchange;
        uint16_t total;
        uint16_t received;
        uint8_t first_payload; /* from fragment 1 */
        size_t bytes;          /* plaintext held so far */
        struct bytes *parts;   /* [total], index = number - 1 */
        bool *have;            /* [total] */
};

/* The IKE_AUTH task's progress. */
enum ini_auth_step {
        INI_AUTH_FIRST,     /* the first request (IDi, [CERT, AUTH], SA, TS, CP) */
        INI_AUTH_SECOND_ID, /* RFC 4739: IDi of the EAP round */
        INI_AUTH_EAP,       /* EAP responses */
        INI_AUTH_FINAL,     /* our MSK AUTH */
        INI_AUTH_DONE,
};

struct ini_auth {
        enum ini_auth_step step;
        unsigned rounds;
        bool gateway_verified; /* chain, identity, signature: all checked */
        bool eap_only;         /* RFC 5998: the gateway sent no AUTH yet */
        struct eap_peer *eap;
        struct bytes eap_out; /* the EAP packet for the next request */
        bool waiting_secret;
        enum eap_secret_kind secret_kind;
        char prompt[320];
        struct bytes idi_body; /* the IDi payload body sent in this round (AUTH octets) */
        struct bytes idr_body; /* the gateway's IDr payload body */
        X509 *peer_cert;
        char peer_id[256];
        struct bytes key_i, key_r; /* AUTH keys after EAP: the MSK, or SK_pi / SK_pr */
};

/* A CHILD SA the datapath holds. */
struct ini_child_ref {
        bool used;
        bool deleting; /* in our DELETE request (or about to be) */
        uint32_t spi_in, spi_out;
};

/* Our CHILD SA rekey in flight (RFC 7296 1.3.3). */
struct ini_child_rekey {
        bool active;
        uint32_t old_spi_in, old_spi_out;
        uint32_t new_spi_in;
        struct bytes ni;
        struct crypto_dh *dh; /* PFS */
        uint16_t dh_group;
        unsigned ke_rounds;
        /* RFC 7296 2.8.1: the gateway rekeyed the same SA meanwhile (we
         * answered and installed its new SA): the exchange with the lowest
         * nonce made the redundant SA. */
        bool collided;
        uint32_t peer_spi_in, peer_spi_out;
        struct bytes peer_min_nonce;
};

/* The IKE SA before a rekey, kept for its DELETE exchange (RFC 7296 2.18). */
struct ini_retired {
        bool active;
        uint8_t spi_i[8], spi_r[8];
        bool we_initiator;
        struct crypto_aead *aead_out, *aead_in;
        uint32_t peer_msgid;              /* the gateway's next request on it */
        struct ini_response_cache cache;  /* our last answer on it */
        bool deleting;                    /* our DELETE on it is out */
        uint32_t del_msgid;
        struct bytes *dgrams;
        size_t n_dgrams;
        unsigned retransmits;
        uint64_t deadline, give_up_at;
        uint32_t timeout;
};

/* Our IKE SA rekey in flight, or the gateway's waiting for our answer to
 * leave before the new SA takes over. */
struct ini_ike_rekey {
        uint8_t spi[8]; /* our new SPI */
        struct bytes ni;
        struct crypto_dh *dh;
        bool pending; /* the gateway's: switch after the answer went out */
        uint8_t p_spi_i[8], p_spi_r[8];
        struct ike_keys p_keys;
        struct crypto_aead *p_out, *p_in;
};

struct ike_initiator {
        /* configuration (copied) */
        struct tsu_rng rng;
        struct proposal_list ike_props, esp_props;
        struct ike_addr local, remote;
        char *gateway_host;
        struct ike_identity local_id;
        bool have_remote_id;
        struct ike_identity remote_id;
        char *server_cert_cn, *server_ca_cn;
        STACK_OF(X509) * trusted;
        bool send_certreq;
        enum ike_auth_kind auth_kind;
        X509 *cert;
        EVP_PKEY *key;
        STACK_OF(X509) * chain;
        bool rsa_pss;
        struct eap_peer_config eap_cfg; /* identity and secret owned below */
        struct bytes eap_identity;
        struct bytes eap_secret;
        bool allow_eap_only;
        struct ike_retransmit rt;
        uint32_t delete_timeout_ms;
        bool fragmentation;
        uint16_t fragment_size;
        uint32_t child_lifetime_s, child_rekey_s;
        int64_t unix_time;
        uint32_t dpd_ms;
        uint32_t ike_lifetime_s, ike_rekey_s, reauth_s;
        bool mobike, follow_redirects, no_initial_contact;
        struct ike_addr redirected_from;
        bool request_ip4, request_ip6;
        uint8_t prev_ip4[4], prev_ip6[16];

        /* life */
        enum ike_state state;
        struct ike_failure failure;
        uint64_t now;     /* time of the current call */
        uint64_t started; /* ike_initiator_start() */

        /* actions of the current call */
        struct ike_action *actions;
        size_t n_actions, cap_actions;
        void **owned; /* buffers the actions point into, freed at the next call */
        size_t n_owned, cap_owned;

        /* tasks, run one at a time (window size 1, RFC 7296 2.3) */
        const struct ini_task_ops *tasks[INI_MAX_TASKS];
        size_t n_tasks;
        struct ini_request req;
        uint32_t next_msgid; /* our next request */
        uint32_t peer_msgid; /* the gateway's next request */
        struct ini_response_cache resp_cache;
        struct ini_frag_buf frag;

        /* IKE_SA_INIT */
        uint8_t spi_i[8], spi_r[8];
        struct bytes ni, nr;
        struct crypto_dh *dh;
        uint16_t ke_group;
        struct bytes cookie;
        unsigned cookie_rounds, ke_rounds;
        struct bytes sa_init_req;  /* RealMessage1 (RFC 7296 2.15) */
        struct bytes sa_init_resp; /* RealMessage2 */
        bool natt;                 /* IKE now on 4500 */
        bool nat_local, nat_remote;
        bool peer_fragmentation;
        bool peer_multiple_auth;
        uint16_t peer_hashes[INI_MAX_PEER_HASHES];
        size_t n_peer_hashes;

        /* the IKE SA */
        bool have_keys;
        uint16_t ike_encr, ike_encr_bits, ike_integ, ike_prf, ike_dh;
        const struct crypto_prf_alg *prf;
        struct crypto_suite suite;
        struct ike_keys keys;
        struct crypto_aead *aead_out, *aead_in;

        /* IKE_AUTH */
        struct ini_auth auth;
        uint32_t child_spi_in;

        /* the CHILD SA and configuration */
        bool child_installed;
        uint32_t child_spi_out;
        uint16_t esp_encr, esp_encr_bits, esp_integ;
        bool esp_esn;
        struct ike_child_sa child;
        struct ike_child_keys child_keys;
        struct ike_net_config net;

        /* staying connected */
        bool we_initiator;  /* the original initiator of the current IKE SA (false once
                             * the gateway rekeyed it, RFC 7296 2.18) */
        uint64_t last_rx;   /* the gateway was last heard of (IKE or ESP) */
        uint64_t ike_since; /* the current IKE SA was made */
        uint64_t ike_rekey_at, child_rekey_at, reauth_at; /* UINT64_MAX: none */
        /* The gateway rekeyed the CHILD SA: its new outbound SA goes in
         * when the old one is deleted, or at this time (UINT64_MAX: not
         * pending); the keys wait in child_keys. */
        uint64_t child_out_at;
        bool reauth_sent;
        bool peer_mobike;
        bool natd_recheck; /* the driver gave a new local address: the answer to
                            * UPDATE_SA_ADDRESSES says whether a NAT is in front */
        uint8_t cookie2[16];
        struct ini_child_ref children[INI_MAX_CHILDREN]; /* [0..] old SAs to delete */
        struct ini_child_rekey crk;
        struct ini_ike_rekey irk;
        struct ini_retired retired;
        unsigned n_child_rekeys, n_ike_rekeys;
        bool established_once;
};

/* ------------------------------------------------------------------ initiator.c */
_printf_(3, 4) void ini_log(struct ike_initiator *ini, int level, const char *fmt, ...);
/* Records the failure (the first one wins), emits FAILED and, unless a
 * best-effort message is on its way, CLOSED. Always returns INI_TASK_FAILED. */
_printf_(4, 5) enum ini_task_result ini_fail(struct ike_initiator *ini, enum ike_fail reason,
                                             uint16_t notify, const char *fmt, ...);
void ini_set_state(struct ike_initiator *ini, enum ike_state s);
/* Ends the IKE SA without a failure: timers off, STATE closed, CLOSED. */
void ini_close(struct ike_initiator *ini);
/* Appends an action; NULL on -ENOMEM (then the call fails as internal). */
struct ike_action *ini_action(struct ike_initiator *ini, enum ike_action_type type);
/* A heap copy that lives until the next call (for action payloads). */
void *ini_keep(struct ike_initiator *ini, const void *p, size_t n);
/* Wall-clock time now, Unix seconds. */
int64_t ini_unix_now(const struct ike_initiator *ini);
/* Sends a one-off protected message (no retransmission, no answer
 * expected), e.g. INFORMATIONAL AUTHENTICATION_FAILED. */
int ini_send_oneshot(struct ike_initiator *ini, uint8_t exchange, struct ike_message *m);
const char *ini_exchange_name(uint8_t exchange);
/* Keeps the answer to the gateway's request msgid (takes d), sends it and
 * moves the window on. */
void ini_cache_response(struct ike_initiator *ini, uint32_t msgid, struct bytes *d, size_t n);

/* ------------------------------------------------------------------ ike-frag.c */
/* Protects m->inner into one SK datagram or, when it exceeds the fragment
 * budget and the gateway supports RFC 7383, into SKF fragments. The
 * datagrams are UDP payloads (marker included when natt). */
int ini_protect(struct ike_initiator *ini, struct ike_message *m, bool allow_fragments,
                struct bytes **ret_dgrams, size_t *ret_n);
void ini_dgrams_free(struct bytes *d, size_t n);
/* Adds a decrypted fragment; returns 1 and the whole plaintext (owned, to
 * wipe) when the message is complete, 0 when more are needed, negative to
 * drop (with *ret_why). */
int ini_frag_add(struct ike_initiator *ini, const struct ike_header *h, uint16_t number,
                 uint16_t total, uint8_t first_payload, struct slice plain, struct bytes *ret_whole,
                 uint8_t *ret_first, const char **ret_why);
void ini_frag_reset(struct ini_frag_buf *f);

/* ------------------------------------------------------------------ ike-proposal.c */
/* The SA payload's proposals for a list (IKE: no SPI; ESP: spi, DH removed
 * when strip_dh). Builds into c. */
int ini_add_sa_payload(struct ike_chain *c, const struct proposal_list *l, uint8_t protocol,
                       const uint8_t *spi, size_t spi_len, bool strip_dh);
/* Checks a chosen SA payload against what we offered: exactly one
 * proposal of our protocol, one transform of each type, each one from the
 * proposal whose number it carries, none missing. On error a text naming
 * the problem in why. */
struct ini_chosen {
        uint8_t num;
        uint16_t encr, encr_bits, prf, integ, dh, esn;
        bool has_dh, has_esn;
        uint8_t spi[8];
        size_t spi_len;
};
int ini_check_chosen(const struct ike_sa *sa, const struct proposal_list *offered, uint8_t protocol,
                     bool strip_dh, struct ini_chosen *ret, char *why, size_t why_size);
/* "aes256gcm16-prfsha256-curve25519, ..." for error texts. */
void ini_format_proposals(const struct proposal_list *l, bool strip_dh, char *buf, size_t size);
void ini_format_sa_payload(const struct ike_sa *sa, char *buf, size_t size);

/* ------------------------------------------------------------------ ike-authsig.c */
/* Our signature AUTH payload over the initiator's octets (RFC 7296 2.15). */
int ini_add_signature_auth(struct ike_initiator *ini, struct ike_chain *c);
/* Our shared-key AUTH (EAP: MSK, or SK_pi when the method has none). */
int ini_add_msk_auth(struct ike_initiator *ini, struct ike_chain *c, struct slice key);
/* Verifies the gateway: certificate chain, identity, AUTH signature.
 * Returns INI_TASK_DONE when it is authenticated, or fails. */
enum ini_task_result ini_verify_gateway(struct ike_initiator *ini, const struct ike_chain *c,
                                        bool auth_required);
/* Verifies the gateway's shared-key AUTH (after EAP). */
enum ini_task_result ini_verify_msk_auth(struct ike_initiator *ini, const struct ike_auth *a,
                                         struct slice key);
/* CERTREQ payload for our anchors. */
int ini_add_certreq(struct ike_initiator *ini, struct ike_chain *c);

/* ------------------------------------------------------------------ ike-netcfg.c */
/* CFG_REQUEST: every attribute we use, empty ("please assign"), or the
 * previous virtual IP when the configuration asks for it again. */
int ini_add_cp_request(const struct ike_initiator *ini, struct ike_chain *c);
int ini_add_ts_all(struct ike_chain *c, uint8_t payload_type);
/* The CP reply, the chosen ESP proposal and the narrowed selectors:
 * validates them, derives the keys and emits INSTALL_CHILD and
 * APPLY_CONFIG. */
enum ini_task_result ini_establish_child(struct ike_initiator *ini, const struct ike_chain *c);

/* ------------------------------------------------------------------ task-info.c */
/* A request from the gateway (decrypted, checked). Answers it. */
void ini_handle_peer_request(struct ike_initiator *ini, const struct ike_message *m);
/* Answers a protected request from the gateway that we decrypted but cannot
 * parse with the notify err names (RFC 7296 2.21.2, 3.2), so that its
 * window moves on instead of the IKE SA hanging on that message ID. */
void ini_reject_peer_request(struct ike_initiator *ini, const struct ike_header *h,
                             const struct ike_error *err);
/* An error notify in a response, mapped to a failure. */
enum ini_task_result ini_fail_notify(struct ike_initiator *ini, const struct ike_notify *n,
                                     const char *exchange);

/* ------------------------------------------------------------------ initiator.c (stay) */
/* Starts an API call: forgets the previous call's actions, moves the clock. */
void ini_begin(struct ike_initiator *ini, uint64_t now);
/* Queues a task unless it is queued or running already. */
int ini_task_queue(struct ike_initiator *ini, const struct ini_task_ops *t);
bool ini_task_pending(const struct ike_initiator *ini, const struct ini_task_ops *t);
/* Starts the next task when the window is free. */
void ini_run_tasks(struct ike_initiator *ini);
/* Our header flags: I when we are the original initiator (RFC 7296 3.1). */
uint8_t ini_flags(const struct ike_initiator *ini);
/* The timers of an established SA: DPD, rekeys, reauthentication. */
void ini_schedule_child_rekey(struct ike_initiator *ini);
void ini_schedule_ike(struct ike_initiator *ini);
/* A uniformly random value in [0, n). */
uint64_t ini_random_below(struct ike_initiator *ini, uint64_t n);
/* The gateway rekeyed or we rekeyed the IKE SA: the new one becomes
 * current, the old one is retired (we_delete: we send its DELETE). Takes
 * keys and contexts. */
void ini_switch_ike_sa(struct ike_initiator *ini, const uint8_t spi_i[static 8],
                       const uint8_t spi_r[static 8], bool we_initiator, struct ike_keys *keys,
                       struct crypto_aead *out, struct crypto_aead *in, bool we_delete);
/* Protects m with the retired SA's keys (for answers on it). */
int ini_protect_retired(struct ike_initiator *ini, struct ike_message *m, struct bytes **ret,
                        size_t *ret_n);

/* ------------------------------------------------------------------ task-child.c */
/* The gateway's CREATE_CHILD_SA request (CHILD SA rekey, or an IKE SA
 * rekey handed on to task-ike-rekey.c). Fills resp. */
void ini_child_respond(struct ike_initiator *ini, const struct ike_message *req,
                       struct ike_message *resp);
/* A DELETE of ESP SPIs from the gateway: fills resp with ours, emits
 * REMOVE_CHILD; returns true when the current CHILD SA was deleted. */
bool ini_child_deleted(struct ike_initiator *ini, const struct ike_delete *d,
                       struct ike_message *resp);
/* Remembers an old CHILD SA until it is deleted. */
void ini_child_keep_old(struct ike_initiator *ini, uint32_t spi_in, uint32_t spi_out,
                        bool we_delete);
void ini_emit_remove(struct ike_initiator *ini, uint32_t spi_in, uint32_t spi_out);
/* Installs the pending outbound half of a rekey the gateway started. */
void ini_child_switch_out(struct ike_initiator *ini);
/* A new CHILD SA from keys (KEYMAT with initiator = who started the
 * exchange): becomes current, INSTALL_CHILD. */
int ini_child_install(struct ike_initiator *ini, const struct crypto_suite *suite,
                      const struct ini_chosen *cho, uint32_t spi_in, uint32_t spi_out,
                      struct slice g_ir, struct slice ni, struct slice nr, bool we_started);
/* ESP proposals we accept for a CHILD SA from the gateway (its SA payload):
 * the first of its proposals that matches one of ours. */
int ini_choose_proposal(const struct ike_sa *sa, const struct proposal_list *ours,
                        uint8_t protocol, bool want_dh, struct ini_chosen *ret);
/* Adds our answer SA payload (one proposal) for cho. */
int ini_add_chosen_sa(struct ike_chain *c, const struct ini_chosen *cho, uint8_t protocol,
                      const uint8_t *spi, size_t spi_len);
int ini_nonce_cmp(struct slice a, struct slice b);

/* ------------------------------------------------------------------ task-ike-rekey.c */
void ini_ike_rekey_respond(struct ike_initiator *ini, const struct ike_message *req,
                           struct ike_message *resp);
void ini_ike_rekey_free(struct ike_initiator *ini);
/* After the answer to the gateway's IKE SA rekey went out: switch. */
void ini_ike_rekey_commit(struct ike_initiator *ini);

/* ------------------------------------------------------------------ task-sa-init.c */
int ini_random_nonce(struct ike_initiator *ini, struct bytes *ret);
int ini_random_nonzero(struct ike_initiator *ini, uint8_t *buf, size_t n);

/* ------------------------------------------------------------------ task-info.c (redirect) */
/* RFC 5685: a REDIRECT notify. nonce: what its nonce data must be (Ni in
 * IKE_SA_INIT), or an empty slice where it carries none. Emits REDIRECT
 * when the profile lets us follow, then fails with IKE_FAIL_REDIRECT. */
enum ini_task_result ini_redirect(struct ike_initiator *ini, const struct ike_notify *n,
                                  const char *where, struct slice nonce);

/* ------------------------------------------------------------------ helpers */
static inline void ini_put_be32(uint8_t *p, uint32_t v)
{
        p[0] = (uint8_t)(v >> 24);
        p[1] = (uint8_t)(v >> 16);
        p[2] = (uint8_t)(v >> 8);
        p[3] = (uint8_t)v;
}

static inline uint32_t ini_get_be32(const uint8_t *p)
{
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t ini_spi_u64(const uint8_t spi[static 8])
{
        uint64_t v = 0;

        for (int i = 0; i < 8; i++)
                v = v << 8 | spi[i];
        return v;
}

static inline void ini_u64_spi(uint64_t v, uint8_t spi[static 8])
{
        for (int i = 7; i >= 0; i--) {
                spi[i] = (uint8_t)v;
                v >>= 8;
        }
}
