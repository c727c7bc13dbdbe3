/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The IKEv2 initiator (RFC 7296) as a sans-I/O state machine: bytes, time
 * and randomness come in, actions go out. It never opens a socket, reads a
 * clock, draws randomness by itself or logs.
 *
 *   driver (client/engine, tests, fuzzers)      ike_initiator
 *   ------                                      -------------
 *   ike_initiator_start(now)             --->   IKE_SA_INIT request
 *   datagram from port 500 / 4500        --->   ike_initiator_receive(bytes, now)
 *   the deadline passed                  --->   ike_initiator_tick(now)
 *   the user typed a password            --->   ike_initiator_provide_secret()
 *   the user wants out                   --->   ike_initiator_disconnect(now)
 *                                        <---   ike_initiator_actions():
 *        SEND          a datagram, to port 500 or to 4500 (non-ESP marker included)
 *        STATE         connecting / authenticating / established / deleting / closed
 *        NEED_SECRET   EAP needs a password (kind + prompt)
 *        INSTALL_CHILD both directions of the ESP SA: SPIs, transforms, KEYMAT,
 *                      lifetimes, narrowed traffic selectors
 *        APPLY_CONFIG  virtual IPs, DNS servers and domains, routes (narrowed TSr)
 *        REMOVE_CHILD  the gateway deleted the CHILD SA
 *        LOG           one line for a person (never a secret)
 *        FAILED        a stable reason, the notify involved, a text
 *        CLOSED        the IKE SA is gone (after FAILED, a DELETE, or disconnect)
 *   ike_initiator_next_timer()           --->   when to call tick() next
 *
 * Time is a monotonic clock in milliseconds chosen by the driver; the wall
 * clock (for certificate validity) is config.unix_time at start plus the
 * monotonic time elapsed since.
 *
 * The work is split in one file per exchange ("tasks", as in strongSwan's
 * sa/ikev2/tasks): task-sa-init.c, task-auth.c, task-info.c; the shared
 * machinery (message IDs and windows, RFC 7296 2.3; retransmission, 2.1;
 * protection and fragmentation, RFC 7383) is in initiator.c and ike-frag.c.
 *
 * The gateway is authenticated before any user secret leaves: its
 * certificate chain, its identity and its AUTH signature are verified on the
 * first IKE_AUTH response, before the EAP peer sees a single EAP packet.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>
#include <openssl/x509.h>

#include "client/common/bytes.h"
#include "client/crypto/rng.h"
#include "client/ike/eap.h"
#include "client/profile/proposal.h"

struct ike_initiator;

/* ------------------------------------------------------------------ identities */
#define IKE_IDENTITY_MAX 1024

/* An IKE identity (RFC 7296 3.5): the ID Type and the Identification Data. */
struct ike_identity {
        uint8_t type; /* IKEV2_ID_* */
        size_t len;
        uint8_t data[IKE_IDENTITY_MAX];
};

/*
 * Parses an identity the way strongSwan writes them in its configuration:
 *   192.0.2.1, 2001:db8::1      ID_IPV4_ADDR / ID_IPV6_ADDR
 *   @#0123abcd                  ID_KEY_ID (hex)
 *   @vpn.example.com            ID_FQDN (the @ forces FQDN)
 *   @@alice@example.com         ID_RFC822_ADDR (the @@ forces RFC822)
 *   CN=vpn,O=Example            ID_DER_ASN1_DN (RFC 2253-like, ',' or '/' separated)
 *   alice@example.com           ID_RFC822_ADDR (contains '@')
 *   vpn.example.com             ID_FQDN
 * Returns 0, -EINVAL (*ret_why says why), -ENOMEM.
 */
int ike_identity_parse(const char *s, struct ike_identity *ret, const char **ret_why);
/* Formats for logs, like ike_id_format(). */
void ike_identity_format(const struct ike_identity *id, char *buf, size_t size);
/* Same type and data (FQDN and RFC822 compared without regard to ASCII case). */
bool ike_identity_eq(const struct ike_identity *a, const struct ike_identity *b);

/* ------------------------------------------------------------------ configuration */

enum ike_auth_kind {
        IKE_AUTH_KIND_EAP = 1,  /* EAP only (MSCHAPv2, MD5, TLS), RFC 7296 2.16 */
        IKE_AUTH_KIND_CERT,     /* certificate signature, RFC 7296 2.15 / RFC 7427 */
        IKE_AUTH_KIND_CERT_EAP, /* certificate, then EAP (RFC 4739) */
};

struct ike_addr {
        uint8_t family; /* 4 or 6 */
        uint8_t addr[16];
        uint16_t port; /* host order */
};

/* RFC 7296 2.1: the n-th retransmission goes out timeout * base^n after
 * the previous one; after `tries` retransmissions and one more timeout the
 * exchange fails. strongSwan's defaults are 4 s, 1.8, 5 tries (165 s). */
struct ike_retransmit {
        uint32_t timeout_ms;    /* 0: 4000 */
        uint32_t base_permille; /* 0: 1800 (1.8) */
        uint8_t tries;          /* retransmissions; 255: use the default 5 */
};
#define IKE_RETRANSMIT_DEFAULT_TRIES 255

#define IKE_FRAGMENT_SIZE_DEFAULT  1280 /* IP packet size of an IKE fragment */
#define IKE_FRAGMENT_SIZE_MIN      576
#define IKE_DELETE_TIMEOUT_DEFAULT 3000 /* ms to wait for the DELETE's answer */

struct ike_initiator_config {
        /* Randomness for SPIs, nonces, DH private values, IVs, EAP (required). */
        const struct tsu_rng *rng;
        /* What we offer (copied). ESP proposals lose their DH groups in
         * IKE_AUTH (PFS applies to rekeying, RFC 7296 1.2). */
        const struct proposal_list *ike_proposals;
        const struct proposal_list *esp_proposals;

        /* Addresses for NAT detection (RFC 7296 2.23): the local address of
         * the socket to port 500 and the gateway's address and port. */
        struct ike_addr local, remote;
        /* The gateway as the profile names it: its identity must match when
         * no remote_id is set (a DNS name: a dNSName SAN; an address: an
         * iPAddress SAN). Also used in prompts and logs. Copied. */
        const char *gateway_host;

        /* IDi (required) and the IDr to require (NULL: any IDr, but the
         * certificate must be for gateway_host). Copied. */
        const struct ike_identity *local_id;
        const struct ike_identity *remote_id;
        /* Apple's extra checks of the gateway certificate, or NULL. Copied. */
        const char *server_cert_cn;
        const char *server_ca_cn;

        /* Trust anchors for the gateway certificate (up-referenced). */
        STACK_OF(X509) * trusted;
        bool send_certreq; /* CERTREQ with the SHA-1 of each anchor's public key */

        enum ike_auth_kind auth;
        /* IKE_AUTH_KIND_CERT / _CERT_EAP: our certificate, its key and the
         * intermediates to send (all up-referenced). */
        X509 *cert;
        EVP_PKEY *key;
        STACK_OF(X509) * chain;
        bool rsa_pss; /* RFC 7427 with RSA-PSS for RSA keys */

        /* IKE_AUTH_KIND_EAP / _CERT_EAP: the EAP peer's configuration (its
         * rng_fill may be left NULL: then config.rng is used). The secret
         * may be empty: NEED_SECRET asks for it. */
        struct eap_peer_config eap;
        /* RFC 5998: let the gateway skip its certificate AUTH when the EAP
         * method authenticates it (MSCHAPv2, TLS). Off unless a profile
         * asks for it. */
        bool allow_eap_only;

        struct ike_retransmit retransmit;
        uint32_t delete_timeout_ms; /* 0: IKE_DELETE_TIMEOUT_DEFAULT */
        bool fragmentation;         /* announce RFC 7383 support */
        uint16_t fragment_size;     /* 0: IKE_FRAGMENT_SIZE_DEFAULT */

        /* Lifetimes handed on with the CHILD SA (seconds; 0: none). The
         * CHILD SA is rekeyed child_rekey_s after it was made, less a random
         * jitter of up to a tenth of (child_lifetime_s - child_rekey_s). */
        uint32_t child_lifetime_s;
        uint32_t child_rekey_s;

        /* Wall-clock time (Unix seconds) at ike_initiator_start(). */
        int64_t unix_time;

        /* ---- staying connected (added after the first release of this API) */
        /* Dead peer detection (RFC 7296 2.4): a liveness check after this
         * long without anything from the gateway (ike_initiator_alive()
         * counts ESP too); 0: off. */
        uint32_t dpd_interval_s;
        /* IKE SA rekey (RFC 7296 2.18) this long after it was made, less a
         * random jitter of up to a tenth of (ike_lifetime_s - ike_rekey_s);
         * 0: never (the gateway may still rekey it). */
        uint32_t ike_lifetime_s;
        uint32_t ike_rekey_s;
        /* Re-authentication (RFC 4478) this long after the IKE SA was made
         * (0: only when the gateway asks with AUTH_LIFETIME): an action
         * REAUTH tells the driver to make a new IKE SA. */
        uint32_t reauth_s;
        /* RFC 4555: announce MOBIKE_SUPPORTED. */
        bool mobike;
        /* RFC 5685: REDIRECT is announced always; followed (action
         * REDIRECT) only when this is set. */
        bool follow_redirects;
        /* RFC 5685 7: this attempt follows a redirect from this gateway
         * (REDIRECTED_FROM instead of REDIRECT_SUPPORTED). family 0: not. */
        struct ike_addr redirected_from;
        /* A re-authentication of a session that is still up: leave out
         * INITIAL_CONTACT (RFC 7296 2.4) so that the gateway keeps the old
         * IKE SA until we delete it (make-before-break). */
        bool no_initial_contact;
        /* RFC 7296 3.15.1: ask for these virtual IPs again (a reconnect or a
         * re-authentication: the gateway may give the same ones back, and the
         * tunnel's addresses and routes need not change). */
        bool request_ip4, request_ip6;
        uint8_t prev_ip4[4];
        uint8_t prev_ip6[16];
};

/* ------------------------------------------------------------------ actions */

enum ike_state {
        IKE_STATE_IDLE,
        IKE_STATE_CONNECTING,     /* IKE_SA_INIT */
        IKE_STATE_AUTHENTICATING, /* IKE_AUTH */
        IKE_STATE_ESTABLISHED,    /* CHILD SA installed */
        IKE_STATE_DELETING,       /* our DELETE is out */
        IKE_STATE_CLOSED,         /* terminal: done (see failure for why, if failed) */
};

/* Why an attempt failed. Stable: the engine maps them to its error codes. */
enum ike_fail {
        IKE_FAIL_NONE = 0,
        IKE_FAIL_TIMEOUT,          /* no response (which exchange, after how long) */
        IKE_FAIL_PROPOSALS,        /* NO_PROPOSAL_CHOSEN (IKE or ESP) */
        IKE_FAIL_PROPOSAL_INVALID, /* the gateway chose something we never offered */
        IKE_FAIL_PROTOCOL,         /* a malformed or impossible answer */
        IKE_FAIL_AUTH_PASSWORD,    /* EAP failed: user name or password refused */
        IKE_FAIL_AUTH_CERT,        /* AUTHENTICATION_FAILED for our certificate */
        IKE_FAIL_AUTH,             /* AUTHENTICATION_FAILED, other cases */
        IKE_FAIL_GATEWAY_CERT,     /* gateway certificate missing or not trusted */
        IKE_FAIL_GATEWAY_ID,       /* gateway identity is not the expected one */
        IKE_FAIL_GATEWAY_AUTH,     /* gateway AUTH does not verify, EAP-Success without a
                                    * completed method, no MSK: CVE-2021-45079 family */
        IKE_FAIL_NO_SECRET,        /* the user gave no secret */
        IKE_FAIL_LOCAL,            /* our own credentials or configuration cannot be used */
        IKE_FAIL_CONFIG,           /* no usable virtual IP, CP or TS refused */
        IKE_FAIL_DELETED,          /* the gateway deleted the IKE or CHILD SA */
        IKE_FAIL_REDIRECT,         /* REDIRECT (RFC 5685); REDIRECT action says where when
                                    * the profile lets us follow it */
        IKE_FAIL_TEMPORARY,        /* TEMPORARY_FAILURE and the like */
        IKE_FAIL_INTERNAL,         /* out of memory, crypto library failure */
        IKE_FAIL_DEAD,             /* the gateway did not answer a liveness check (DPD) or
                                    * an exchange of an established SA */
};

const char *ike_fail_name(enum ike_fail f);
const char *ike_state_name(enum ike_state s);

enum ike_action_type {
        IKE_ACTION_SEND = 1,
        IKE_ACTION_STATE,
        IKE_ACTION_LOG,
        IKE_ACTION_NEED_SECRET,
        IKE_ACTION_INSTALL_CHILD,
        IKE_ACTION_REMOVE_CHILD,
        IKE_ACTION_APPLY_CONFIG,
        IKE_ACTION_FAILED,
        IKE_ACTION_CLOSED,
        /* added for staying connected */
        IKE_ACTION_REKEYED,  /* a CHILD or IKE SA was rekeyed (for counters) */
        IKE_ACTION_REDIRECT, /* RFC 5685: connect to this gateway instead (FAILED and
                              * CLOSED with IKE_FAIL_REDIRECT follow) */
        IKE_ACTION_REAUTH,   /* RFC 4478 or reauth_s: make a new IKE SA, then
                              * ike_initiator_disconnect() this one */
};

/* syslog priorities */
enum {
        IKE_LOG_ERR = 3,
        IKE_LOG_WARNING = 4,
        IKE_LOG_NOTICE = 5,
        IKE_LOG_INFO = 6,
        IKE_LOG_DEBUG = 7,
};

#define IKE_TS_MAX_OUT      16
#define IKE_NET_MAX_DNS     8
#define IKE_NET_MAX_DOMAINS 8
#define IKE_NET_DOMAIN_MAX  254
#define IKE_NET_MAX_ROUTES  64

/* An inclusive address range with protocol and ports (a narrowed TS). */
struct ike_ts_range {
        uint8_t family; /* 4 or 6 */
        uint8_t proto;
        uint16_t port_lo, port_hi;
        uint8_t start[16], end[16];
};

struct ike_prefix {
        uint8_t family; /* 4 or 6 */
        uint8_t prefixlen;
        uint8_t addr[16];
};

/* Both directions of the CHILD SA. Keys are valid until the next call on
 * the initiator (then wiped). A rekeyed CHILD SA comes as another
 * INSTALL_CHILD (make-before-break: install its inbound, then its outbound,
 * which replaces the current one); the old SA's REMOVE_CHILD follows once
 * its DELETE exchange is done (RFC 7296 2.8). */
struct ike_child_sa {
        uint32_t spi_in;                 /* ours: the gateway sends with it */
        uint32_t spi_out;                /* the gateway's */
        uint16_t encr, encr_bits, integ; /* IKEV2_ENCR_*, key bits, IKEV2_INTEG_* */
        bool esn;
        struct slice encr_in, integ_in;   /* KEYMAT encr_r / integ_r */
        struct slice encr_out, integ_out; /* KEYMAT encr_i / integ_i */
        uint32_t lifetime_s, rekey_s;
        size_t n_ts_i, n_ts_r;
        struct ike_ts_range ts_i[IKE_TS_MAX_OUT]; /* our side (the virtual IP) */
        struct ike_ts_range ts_r[IKE_TS_MAX_OUT]; /* what is reached through the tunnel */
        /* A rekey collision's redundant SA (RFC 7296 2.8.1): install the
         * inbound direction only (the gateway may still send on it until it
         * is deleted); the current outbound SA stays. */
        bool inbound_only;
        /* The second half of a rekey the gateway started: install the
         * outbound direction only (the inbound SA came before). RFC 7296
         * 2.8: the responder keeps sending on the old SA until the
         * initiator deletes it, as the initiator may not have installed
         * its new inbound SA when our answer is on its way. */
        bool outbound_only;
};

/* The configuration the gateway assigned, validated attribute by attribute. */
struct ike_net_config {
        bool have_ip4, have_ip6;
        uint8_t ip4[4];
        uint8_t ip6[16];
        size_t n_dns;
        struct ike_prefix dns[IKE_NET_MAX_DNS]; /* prefixlen 32/128 */
        size_t n_domains;
        char domains[IKE_NET_MAX_DOMAINS][IKE_NET_DOMAIN_MAX];
        size_t n_routes; /* the narrowed TSr as prefixes */
        struct ike_prefix routes[IKE_NET_MAX_ROUTES];
        bool routes_cover_all4, routes_cover_all6; /* TSr is 0.0.0.0/0, ::/0 */
};

struct ike_failure {
        enum ike_fail reason;
        uint16_t notify; /* the IKEv2 notify involved (received or that we would send), or 0 */
        char text[512];
};

struct ike_action {
        enum ike_action_type type;
        union {
                struct {
                        struct slice datagram; /* the UDP payload (marker included on 4500) */
                        uint16_t port;         /* IKEV2_PORT (the profile's port) or 4500 */
                        bool natt;             /* port 4500: the marker is there */
                } send;
                enum ike_state state;
                struct {
                        int level;
                        const char *text;
                } log;
                struct {
                        enum eap_secret_kind kind;
                        const char *prompt;
                } secret;
                const struct ike_child_sa *child;
                struct {
                        uint32_t spi_in, spi_out;
                } remove;
                const struct ike_net_config *config;
                const struct ike_failure *failed;
                struct {
                        bool ike; /* the IKE SA, else a CHILD SA */
                } rekeyed;
                struct {
                        struct ike_addr gateway; /* family 0 for an FQDN */
                        const char *fqdn;        /* NUL-terminated, or NULL */
                } redirect;
        } u;
};

/* What the SA negotiated, for status displays. */
struct ike_sa_info {
        char ike_suite[128]; /* "AES_GCM_16_256/PRF_HMAC_SHA2_256/CURVE25519" */
        char esp_suite[128];
        bool nat_local, nat_remote;
        bool fragmentation; /* both sides support RFC 7383 */
        uint64_t spi_i, spi_r;
        uint32_t spi_in, spi_out;
        char peer_id[256];
        bool mobike;             /* both sides support RFC 4555 */
        unsigned child_rekeys;   /* CHILD SA rekeys so far (both directions) */
        unsigned ike_rekeys;     /* IKE SA rekeys so far */
};

/* ------------------------------------------------------------------ API */

/* Validates and copies cfg (credentials up-referenced). Returns 0, -EINVAL
 * (why in ret_why, a static or internal string), -ENOMEM. */
int ike_initiator_new(const struct ike_initiator_config *cfg, struct ike_initiator **ret,
                      const char **ret_why);
/* Wipes every key and secret; NULL-safe. */
void ike_initiator_free(struct ike_initiator *ini);

/* Each call first forgets the actions of the previous call, then appends
 * its own. They return 0, or -EINVAL/-EALREADY for a call that makes no
 * sense in the current state; protocol outcomes (failures included) are
 * actions. Garbage from the network is dropped with a LOG action. */
int ike_initiator_start(struct ike_initiator *ini, uint64_t now_ms);
/* msg: one IKE message without the non-ESP marker; natt: it came on 4500. */
int ike_initiator_receive(struct ike_initiator *ini, const uint8_t *msg, size_t len, bool natt,
                          uint64_t now_ms);
int ike_initiator_tick(struct ike_initiator *ini, uint64_t now_ms);
/* The answer to NEED_SECRET; an empty secret means the user cancelled. */
int ike_initiator_provide_secret(struct ike_initiator *ini, enum eap_secret_kind kind,
                                 struct slice secret, uint64_t now_ms);
/* Sends DELETE for the IKE SA when there is one and closes after its
 * answer or config.delete_timeout_ms; CLOSED at once otherwise. */
int ike_initiator_disconnect(struct ike_initiator *ini, uint64_t now_ms);

/* Something arrived from the gateway outside IKE (ESP packets, as the
 * datapath's counters tell) at rx_ms, the time it arrived, which may be
 * earlier than now (a driver that samples its counters on a timer passes the
 * packet's timestamp, not the sampling time) or slightly later than the last
 * call's time: the next liveness check goes out at rx_ms + the DPD interval.
 * A time older than the last one seen changes nothing. */
void ike_initiator_alive(struct ike_initiator *ini, uint64_t rx_ms);
/* The ESP SA with this SPI (either direction) reached a soft limit (bytes,
 * packets, sequence numbers about to wrap): rekey it now. 0, or -ENOENT
 * when it is not the current CHILD SA (already rekeyed). */
int ike_initiator_rekey_child(struct ike_initiator *ini, uint32_t spi, uint64_t now_ms);
/* Rekeys the IKE SA now (tests, or a driver's own policy). */
int ike_initiator_rekey_ike(struct ike_initiator *ini, uint64_t now_ms);
/* MOBIKE (RFC 4555 3.5): our address changed (the driver re-connected
 * its sockets; local is the new source address): UPDATE_SA_ADDRESSES with
 * NAT detection and COOKIE2. -EOPNOTSUPP when the gateway did not announce
 * MOBIKE (then reconnect instead), -EINVAL when not established. */
int ike_initiator_update_addresses(struct ike_initiator *ini, const struct ike_addr *local,
                                   uint64_t now_ms);

/* Leaves the IKE SA at once, for a driver that makes a new one right after
 * (our address changed and the gateway has no MOBIKE; break-before-make
 * re-authentication): a best-effort DELETE (one datagram, no answer awaited)
 * when there are keys, REMOVE_CHILD for every CHILD SA, CLOSED, and no
 * FAILED. -EALREADY when closed already. */
int ike_initiator_abandon(struct ike_initiator *ini, uint64_t now_ms);

/* The actions of the last call, in order; valid until the next call. */
const struct ike_action *ike_initiator_actions(const struct ike_initiator *ini, size_t *ret_n);
/* The next deadline (monotonic ms), or UINT64_MAX when nothing is pending. */
uint64_t ike_initiator_next_timer(const struct ike_initiator *ini);
enum ike_state ike_initiator_state(const struct ike_initiator *ini);
/* The failure once CLOSED after one (reason IKE_FAIL_NONE otherwise). */
const struct ike_failure *ike_initiator_failure(const struct ike_initiator *ini);
void ike_initiator_info(const struct ike_initiator *ini, struct ike_sa_info *ret);

/* Helpers shared with the engine and tests. */
/* Splits the inclusive range [start, end] of addr_len (4 or 16) octets into
 * the fewest CIDR prefixes, at most max; returns how many, or -E2BIG. */
int ike_range_to_prefixes(const uint8_t *start, const uint8_t *end, size_t addr_len,
                          struct ike_prefix *out, size_t max);
