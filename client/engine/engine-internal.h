/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside the engine: the state shared by engine.c (life, sockets, timers,
 * the initiator's actions), engine-setup.c (profile and credentials into
 * the initiator's configuration) and engine-net.c (configuration and SAs
 * into what the owner and the datapath take).
 */
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "client/engine/engine.h"
#include "client/esp/datapath.h"
#include "client/ike/initiator.h"
#include "client/profile/profile.h"

#define ENGINE_DEFAULT_MTU 1400
#define ENGINE_MAX_TLS_CAS 64

struct engine_inbox_item {
        bool log;      /* a datapath log line, else an IKE message */
        bool event;    /* an SA event (esp_event bits), else the above */
        uint32_t spi;  /* of the event */
        unsigned bits; /* of the event */
        size_t len;
        uint8_t data[];
};

struct engine {
        struct engine_params p; /* secrets cleared: they live below */
        const struct profile *prof;
        struct engine_callbacks cb;
        void *ud;
        GMainContext *ctx;

        enum engine_state state;
        struct engine_error error;
        bool started, torn_down;
        /* Reconnecting (engine.c): after the gateway was declared dead or
         * deleted the IKE SA, a new IKE SA with back-off (1, 2, 4 ... 60 s)
         * while the TUN device, routes and kill switch stay. */
        bool was_connected;
        GSource *retry;
        unsigned retry_delay_s; /* the next back-off; 0: none yet */
        unsigned reconnects;
        /* Starting again at once (engine.c): the network changed, the
         * gateway wants re-authentication. An idle source runs it after the
         * current batch of actions. */
        GSource *restart_src;
        char restart_why[128];
        bool abandoning; /* inside ike_initiator_abandon(): its CLOSED is ours */
        bool reauth_due; /* the batch carried REAUTH */
        bool reauthing;  /* the attempt under way re-authenticates */
        /* Redirects (RFC 5685, engine.c). */
        bool redirect_seen;     /* the batch carried REDIRECT */
        bool redirect_awaited;  /* the owner's engine_redirect_ready() is due */
        GSource *redirect_src;  /* calls the owner's redirect callback */
        struct engine_redirect redirect;
        unsigned redirects;     /* in a row without reaching CONNECTED */
        struct sockaddr_storage redirected_from; /* the next attempt's REDIRECTED_FROM
                                                  * (ss_family 0: none) */

        /* secrets: wiped on free */
        char *password, *passphrase, *username;
        bool waiting_secret;
        enum engine_secret_kind waiting_kind;
        bool core_waiting; /* the initiator asked (EAP), not the setup */

        /* credentials and trust */
        X509 *cert;
        EVP_PKEY *key;
        STACK_OF(X509) * chain;
        STACK_OF(X509) * trusted;
        X509 *tls_cas[ENGINE_MAX_TLS_CAS]; /* borrowed from trusted, for EAP-TLS */
        struct ike_identity local_id, remote_id;
        bool have_remote_id;

        struct ike_initiator *ini;
        GSource *src500, *src4500, *timer, *inbox_src;
        int inbox_fd; /* eventfd: the datapath threads wake the main context */
        GMutex inbox_lock;
        GQueue inbox; /* struct engine_inbox_item * */
        struct ike_net_config vip; /* the assigned configuration: policies of rekeyed SAs */

        /* calls from inside the callbacks, run when the batch is done */
        unsigned in_actions;
        GSource *deferred;
        bool deferred_disconnect, deferred_secret_set;
        /* engine_network_changed() / engine_redirect_ready() from inside a
         * callback: run once the batch is done */
        bool deferred_net_changed;
        bool deferred_redirect;
        bool deferred_redirect_refused;
        struct sockaddr_storage deferred_gw, deferred_local;
        char deferred_why[ENGINE_ERROR_TEXT_MAX];
        enum engine_secret_kind deferred_kind;
        char *deferred_secret; /* wiped */
        size_t deferred_secret_len;
        bool apply_failed;
        char apply_error[256];

        struct esp_datapath *dp;
        bool sa_installed;
        uint32_t spi_in, spi_out;
        bool applied;
        struct engine_net_config net;
        unsigned mtu;
        int64_t connected_since;
        uint64_t start_ms, connect_ms;
        struct ike_sa_info info;
};

/* engine.c */
_printf_(3, 4) void engine_log(struct engine *e, int priority, const char *fmt, ...);
_printf_(3, 4) void engine_fail(struct engine *e, enum engine_error_code code, const char *fmt,
                                ...);
uint64_t engine_now_ms(void);

/* engine-setup.c: loads credentials (asking for a passphrase or user name
 * through need_secret when needed: returns -EAGAIN then) and creates the
 * initiator. 0, -EAGAIN, or a failure already reported with engine_fail(). */
int engine_setup(struct engine *e);
/* AF_INET/AF_INET6 into the core's form (and back); -EAFNOSUPPORT otherwise. */
int engine_sockaddr_to_ike(const struct sockaddr_storage *ss, struct ike_addr *ret);
void engine_ike_to_sockaddr(const struct ike_addr *a, struct sockaddr_storage *ret);
void engine_setup_free(struct engine *e);

/* engine-policy.c: the profile's CHILD SA byte/packet limits (soft; hard a
 * tenth above; 0: none) and its ESP proposals with ESN offered first when
 * the profile asks. */
void engine_child_limits(const struct profile *p, struct esp_lifetime *ret_soft,
                         struct esp_lifetime *ret_hard);
void engine_esp_proposals(const struct profile *p, struct proposal_list *ret);

/* engine-net.c */
void engine_build_net_config(struct engine *e, const struct ike_net_config *in,
                             struct engine_net_config *out);
int engine_install_child(struct engine *e, const struct ike_child_sa *ch,
                         const struct ike_net_config *net);
enum engine_error_code engine_error_from_fail(enum ike_fail f);
