/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The engine: one connection to one gateway. It drives the sans-I/O IKEv2
 * initiator (client/ike/initiator.h) with the UDP sockets and a timer on a
 * GLib main context, starts the ESP datapath (client/esp/datapath.h) when
 * the CHILD SA is negotiated, and asks its owner for everything privileged
 * or interactive through callbacks:
 *
 *   owner (tsunagud's engine process, or `tsunagu connect --foreground`)
 *     opens TUN + the two UDP sockets  ->  engine_new(params, callbacks)
 *                                          engine_start()
 *     state_changed(CONNECTING)        <-  IKE_SA_INIT
 *     state_changed(AUTHENTICATING)    <-  IKE_AUTH
 *     need_secret(PASSWORD, prompt)    <-  EAP wants a password nobody gave
 *     engine_provide_secret()          ->
 *     apply_config(net config)         <-  virtual IPs, DNS, routes
 *     state_changed(CONNECTED)         <-  CHILD SA installed, datapath running
 *     engine_disconnect()              ->  DELETE, bounded wait
 *     revert_config()                  <-
 *     state_changed(DISCONNECTED)      <-  (or FAILED with an engine_error)
 *
 * The engine never needs privileges: the sockets and the TUN device are
 * opened by the caller and handed over (the caller keeps them and closes
 * them after engine_free()). Every callback runs on the engine's main
 * context, never from a datapath thread.
 *
 * Stability: this header is shared with the daemon. Changes are additive
 * (new fields at the end, new enum values before the __COUNT markers); a
 * breaking change is announced in a commit "engine API change: ...".
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include <glib.h>

struct profile;
struct engine;

/* The D-Bus Session.State values, in their order. */
enum engine_state {
        ENGINE_STATE_DISCONNECTED,
        ENGINE_STATE_CONNECTING,     /* IKE_SA_INIT */
        ENGINE_STATE_AUTHENTICATING, /* IKE_AUTH (EAP rounds included) */
        ENGINE_STATE_CONNECTED,      /* CHILD SA up, configuration applied */
        ENGINE_STATE_RECONNECTING,   /* the gateway was lost: reconnecting with back-off,
                                      * TUN, routes and kill switch kept */
        ENGINE_STATE_DISCONNECTING,  /* DELETE sent, waiting for the answer */
        ENGINE_STATE_FAILED,         /* terminal; engine_error says why */
        ENGINE_STATE__COUNT,
};

/*
 * Why a connection failed: a stable code (its string form is the D-Bus
 * LastError name) and a text for a person that names the step and the
 * cause ("gateway certificate not trusted: CN=vpn.example.com: unable to get
 * local issuer certificate"). engine_error_exit_code() maps each code to the
 * CLI's exit codes (client/cli/cli.h): 3 authentication, 4 unreachable,
 * 5 profile, 1 anything else.
 */
enum engine_error_code {
        ENGINE_ERROR_NONE = 0,
        ENGINE_ERROR_AUTH_FAILED_PASSWORD,   /* EAP failed: wrong user name or password (3) */
        ENGINE_ERROR_AUTH_FAILED_CERT,       /* the gateway refused our certificate (3) */
        ENGINE_ERROR_AUTH_FAILED,            /* the gateway refused us, no more detail (3) */
        ENGINE_ERROR_GATEWAY_CERT_UNTRUSTED, /* its chain does not verify against the CA (3) */
        ENGINE_ERROR_GATEWAY_ID_MISMATCH,    /* its identity is not the expected one (3) */
        ENGINE_ERROR_GATEWAY_AUTH_INVALID,   /* it did not prove its identity: AUTH does not
                                              * verify, EAP-Success without a method (3) */
        ENGINE_ERROR_NO_SECRET,              /* a secret was needed and none came (3) */
        ENGINE_ERROR_NO_RESPONSE,            /* no answer after the retransmissions (4) */
        ENGINE_ERROR_NETWORK,                /* the datagram could not be sent (4) */
        ENGINE_ERROR_PROFILE,                /* the profile cannot be used as it is (5) */
        ENGINE_ERROR_PROPOSALS_REFUSED,      /* no algorithms in common (1) */
        ENGINE_ERROR_CONFIG_REFUSED,         /* no usable virtual IP, selectors refused (1) */
        ENGINE_ERROR_PLATFORM,               /* applying the network configuration failed (1) */
        ENGINE_ERROR_PROTOCOL,               /* the gateway broke the protocol (1) */
        ENGINE_ERROR_DELETED,                /* the gateway closed the connection (1) */
        ENGINE_ERROR_REDIRECTED, /* the gateway redirects elsewhere and it cannot be followed:
                                  * no redirect callback, refused, a loop (1) */
        ENGINE_ERROR_INTERNAL,   /* out of memory, a bug (1) */
        ENGINE_ERROR__COUNT,
};

#define ENGINE_ERROR_TEXT_MAX 512

struct engine_error {
        enum engine_error_code code;
        char text[ENGINE_ERROR_TEXT_MAX];
};

enum engine_secret_kind {
        ENGINE_SECRET_PASSWORD,   /* EAP-MSCHAPv2 / EAP-MD5 password */
        ENGINE_SECRET_PASSPHRASE, /* of the client's PKCS#12 or private key */
        ENGINE_SECRET_USERNAME,   /* the EAP identity, when the profile has none (not secret,
                                   * but asked the same way) */
        ENGINE_SECRET__COUNT,
};

/* ------------------------------------------------------------------ network configuration
 * What the engine asks its owner to apply once the gateway assigned it. A
 * fixed layout (arrays at their maximum size, counts in front) so that the
 * daemon can pass it over its socketpair as it is. The owner turns it into
 * a struct platform_config (platform/linux/platform.h) after checking it
 * against the profile. */
#define ENGINE_MAX_ADDRS    4
#define ENGINE_MAX_DNS      8
#define ENGINE_MAX_DOMAINS  8
#define ENGINE_DOMAIN_MAX   254 /* 253 characters + NUL */
#define ENGINE_MAX_PREFIXES 64

struct engine_prefix {
        uint8_t family; /* 4 or 6 */
        uint8_t prefixlen;
        uint8_t addr[16]; /* network order; 4 octets used for IPv4 */
};

struct engine_net_config {
        int32_t tun_ifindex;
        uint32_t mtu;     /* of the TUN device */
        bool full_tunnel; /* the profile asks for it AND the gateway's selectors cover
                           * 0.0.0.0/0 (else the engine falls back to the offered subnets) */
        uint8_t n_addrs;  /* virtual IPs: /32 and /128 */
        struct engine_prefix addrs[ENGINE_MAX_ADDRS];
        uint8_t n_dns; /* DNS servers (prefixlen 32/128) */
        struct engine_prefix dns[ENGINE_MAX_DNS];
        uint8_t n_domains; /* INTERNAL_DNS_DOMAIN (RFC 8598): resolved through the tunnel */
        char domains[ENGINE_MAX_DOMAINS][ENGINE_DOMAIN_MAX];
        uint16_t n_include; /* routed into the tunnel (split: the narrowed TSr, or the
                             * profile's subnets inside it) */
        struct engine_prefix include[ENGINE_MAX_PREFIXES];
        uint16_t n_exclude; /* the profile's excluded subnets */
        struct engine_prefix exclude[ENGINE_MAX_PREFIXES];
};

/* ------------------------------------------------------------------ status */
#define ENGINE_SUITE_MAX 128
#define ENGINE_MAX_DROPS 24
#define ENGINE_DROP_NAME 24

struct engine_drop {
        char name[ENGINE_DROP_NAME]; /* "replay", "bad-icv", ... */
        uint64_t count;
};

struct engine_status {
        enum engine_state state;
        struct engine_error last_error;   /* code NONE unless FAILED */
        struct sockaddr_storage gateway;  /* address and port the engine talks to */
        int64_t connected_since;          /* Unix seconds; 0 when not connected */
        uint64_t connect_ms;              /* how long connecting took (start to CONNECTED) */
        struct engine_net_config config;  /* as applied (valid when CONNECTED) */
        char ike_suite[ENGINE_SUITE_MAX]; /* "AES_GCM_16_256/PRF_HMAC_SHA2_256/CURVE25519" */
        char esp_suite[ENGINE_SUITE_MAX]; /* "AES_GCM_16_256" */
        bool nat_local;                   /* a NAT in front of us */
        bool nat_remote;                  /* a NAT in front of the gateway (or it fakes one) */
        uint32_t spi_in, spi_out;         /* the ESP SPIs */
        uint64_t bytes_in, bytes_out;     /* inner bytes */
        uint64_t packets_in, packets_out;
        uint64_t ike_in, ike_out; /* IKE datagrams on port 4500 once connected */
        uint64_t keepalives_out;
        char offload[32]; /* "tun=tso gso=on gro=on" */
        uint8_t n_drops;  /* only the reasons with a count */
        struct engine_drop drops[ENGINE_MAX_DROPS];
};

/* ------------------------------------------------------------------ parameters */
struct engine_params {
        /* The profile; the caller keeps it alive (and unchanged) until engine_free(). */
        const struct profile *profile;

        /* Opened by the caller; the engine neither closes nor reconfigures them. */
        int udp_fd_500;        /* connected to the gateway's IKE port (profile port, 500) */
        int udp_fd_4500;       /* connected to the gateway's port 4500 */
        bool udp_gso, udp_gro; /* what udp_open() found on the 4500 socket */
        int tun_fd;            /* from tun_open() */
        unsigned tun_mode;     /* enum tun_mode as tun_open() negotiated it */
        int tun_ifindex;
        unsigned tun_mtu; /* 0: profile mtu, else 1400 */

        /* Addresses for NAT detection (RFC 7296 2.23): the gateway as
         * udp_fd_500 is connected to, and the local address of that socket
         * (the engine asks getsockname() when local.ss_family is 0). */
        struct sockaddr_storage gateway;
        struct sockaddr_storage local;

        /* Secrets known up front (`--password-stdin`, D-Bus Connect options),
         * copied and wiped; NULL: asked through need_secret when needed. */
        const char *password;
        const char *passphrase;
        const char *username; /* EAP identity when the profile has none */

        /* IKE fragment size (RFC 7383), bytes of the IP packet; 0: 1280. */
        unsigned fragment_size;

        /* The main context the engine attaches its sources to (NULL: the
         * thread-default context at engine_new()). */
        GMainContext *context;
};

/* ------------------------------------------------------------------ redirect (RFC 5685) */
#define ENGINE_REDIRECT_FQDN_MAX 256
#define ENGINE_MAX_REDIRECTS     5 /* in a row without reaching CONNECTED: a loop */

struct engine_redirect {
        struct sockaddr_storage addr;        /* ss_family 0 when the gateway gave an FQDN */
        char fqdn[ENGINE_REDIRECT_FQDN_MAX]; /* "" unless an FQDN */
        unsigned count;                      /* 1 for the first redirect in a row */
};

/* All called on the engine's main context. Any may be NULL. */
struct engine_callbacks {
        /* err is NULL unless state is FAILED. */
        void (*state_changed)(void *ud, enum engine_state state, const struct engine_error *err);
        /* Apply the configuration (validate it against the profile first).
         * Return 0, or a negative errno and a message in *ret_error
         * (g_free'd by the engine): the connection then fails with
         * ENGINE_ERROR_PLATFORM. */
        int (*apply_config)(void *ud, const struct engine_net_config *cfg, char **ret_error);
        /* Undo apply_config (called once for every successful apply). */
        void (*revert_config)(void *ud, bool keep_kill_switch);
        /* Ask the user; answer with engine_provide_secret(). prompt says for
         * what ("Password for alice at vpn.example.com"). */
        void (*need_secret)(void *ud, enum engine_secret_kind kind, const char *prompt);
        /* One log line (syslog priority LOG_ERR..LOG_DEBUG); never contains a secret. */
        void (*log)(void *ud, int priority, const char *message);
        /* The gateway redirects us (RFC 5685: in IKE_SA_INIT, in IKE_AUTH, or an
         * established SA's INFORMATIONAL). The owner resolves r->fqdn if there is
         * one, checks the address (same family as the sockets; not loopback,
         * multicast, unspecified), lets it through its kill switch, re-connects
         * both sockets to it with udp_reconnect(), then answers with
         * engine_redirect_ready(). NULL callback: FAILED with
         * ENGINE_ERROR_REDIRECTED (as before). (Added with "engine API: network
         * change and redirect".) */
        void (*redirect)(void *ud, const struct engine_redirect *r);
};

/* Reads now what the engine would otherwise read from the file system
 * while connecting: OpenSSL's configuration, its legacy provider (MD4 and
 * DES for EAP-MSCHAPv2) and the system's CA bundle (for profiles that trust
 * the system's CAs). A process that closes the file system (seccomp, the
 * daemon's engine process) calls it before; others may. Returns 0, or
 * -ENOTSUP when the legacy provider is missing (EAP-MSCHAPv2 cannot work;
 * everything else can). Idempotent. (Added after "engine API ready".) */
int engine_preload(void);

/* Checks the parameters and the profile (credentials are loaded at
 * engine_start(), when their passphrase may be asked for). Returns 0, or
 * -EINVAL with *error (G_IO_ERROR_INVALID_ARGUMENT) naming what is wrong. */
int engine_new(const struct engine_params *p, const struct engine_callbacks *cb, void *ud,
               struct engine **ret, GError **error);
/* Starts connecting (returns at once; progress comes through the
 * callbacks). -EALREADY when started before. */
int engine_start(struct engine *e);
/* The answer to need_secret. The secret is copied and wiped. -EALREADY if
 * none of this kind is awaited. An empty secret (len 0, or a NULL one)
 * means "the user cancelled": the connection fails with NO_SECRET. */
int engine_provide_secret(struct engine *e, enum engine_secret_kind kind, const char *secret,
                          size_t len);
/* Graceful: sends DELETE and waits for the answer (at most a few seconds),
 * stops the datapath, reverts the configuration, then DISCONNECTED. Safe in
 * any state; does nothing when already DISCONNECTED or FAILED. */
void engine_disconnect(struct engine *e);
/* The local network changed (platform_monitor PLATFORM_NET_CHANGED) and the
 * owner has re-connected both UDP sockets with udp_reconnect(). local: the
 * new source address (NULL or ss_family 0: the engine asks getsockname() on
 * udp_fd_500).
 *  CONNECTED, MOBIKE negotiated: UPDATE_SA_ADDRESSES (RFC 4555) on port 4500;
 *    the datapath keeps its fd (same socket); if that exchange fails ->
 *    reconnect.
 *  CONNECTED, no MOBIKE: reconnect at once (RECONNECTING; TUN, routes, kill
 *    switch kept).
 *  CONNECTING/AUTHENTICATING/RECONNECTING: the attempt starts again at once,
 *    back-off reset.
 *  other states: nothing. */
void engine_network_changed(struct engine *e, const struct sockaddr_storage *local);
/* The owner's answer to the redirect callback. gateway: where the sockets
 * point now (its port is the profile's IKE port); local: their new source
 * (NULL or ss_family 0: getsockname()). gateway NULL: refused, `why` says
 * why -> FAILED, ENGINE_ERROR_REDIRECTED with that text. Returns -EALREADY
 * when no redirect is awaited, -EINVAL for a gateway that is not IPv4/IPv6. */
int engine_redirect_ready(struct engine *e, const struct sockaddr_storage *gateway,
                          const struct sockaddr_storage *local, const char *why);
void engine_get_status(const struct engine *e, struct engine_status *ret);
enum engine_state engine_get_state(const struct engine *e);
/* Stops everything at once (no DELETE; reverts an applied configuration),
 * wipes every secret, frees; NULL-safe. */
void engine_free(struct engine *e);
typedef struct engine engine;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(engine, engine_free)

/* Stable names: "disconnected", ... and "auth-failed-password", ... */
const char *engine_state_to_string(enum engine_state s);
const char *engine_error_code_to_string(enum engine_error_code c);
const char *engine_secret_kind_to_string(enum engine_secret_kind k);
/* 3, 4, 5 or 1 (client/cli/cli.h); 0 for ENGINE_ERROR_NONE. */
int engine_error_exit_code(enum engine_error_code c);
