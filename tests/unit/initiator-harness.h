/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The test bench of tests/unit/test-initiator-*.c: an initiator and the
 * test responder (ike-responder.h) wired together through queues, a fake
 * clock, deterministic random streams, and a record of every action the
 * initiator produced.
 */
#pragma once

#include <glib.h>

#include "client/ike/initiator.h"
#include "tests/unit/ike-responder.h"
#include "tests/unit/test-eap-pki.h"

#define H_NOW_UNIX 1700000000

struct h_dgram {
        struct bytes b;
        bool natt;
        uint16_t port;
        uint64_t at; /* fake clock when sent */
};

struct harness {
        struct test_pki pki;
        struct tsu_rng_stream rs_i, rs_r;
        struct tsu_rng rng_i, rng_r;
        struct proposal_list ike, esp;
        struct ike_identity local_id, remote_id;
        STACK_OF(X509) * trusted;
        struct ike_initiator_config icfg;
        struct ike_initiator *ini;
        struct resp_config rcfg;
        struct responder resp;
        uint64_t now;

        /* what the initiator did */
        GPtrArray *sent; /* struct h_dgram *, every SEND in order */
        GArray *states;  /* enum ike_state */
        GString *log;
        bool need_secret;
        enum eap_secret_kind secret_kind;
        char prompt[512];
        bool installed;
        struct ike_child_sa child; /* keys copied below */
        uint8_t encr_in[64], encr_out[64], integ_in[64], integ_out[64];
        bool configured;
        struct ike_net_config net;
        bool failed;
        struct ike_failure failure;
        bool closed;
        unsigned removed;
        /* staying connected */
        bool allow_reinstall; /* INSTALL_CHILD may come again (rekeys) */
        unsigned n_installs, n_child_rekeyed, n_ike_rekeyed, n_reauth;
        bool redirected;
        struct ike_addr redirect_gw;
        char redirect_fqdn[256];

        /* the wire */
        GQueue to_resp, to_ini; /* struct h_dgram * */
        unsigned drop_to_resp;  /* drop this many datagrams towards the responder */
        unsigned drop_to_ini;
        bool hold; /* don't deliver: tests look at the queues */
        int last_resp_error;
};

enum h_auth {
        H_EAP_MSCHAPV2,
        H_EAP_MD5,
        H_CERT,
        H_CERT_EAP,
};

/* Sets both sides up for one authentication kind (defaults: the initiator
 * offers the profile defaults, the responder picks AES-GCM-256, PRF SHA-256,
 * ECP-384 and ESP AES-GCM-256; NAT in front of the initiator). Change h->icfg
 * / h->rcfg, then h_start(). */
void h_init(struct harness *h, enum h_auth auth);
void h_free(struct harness *h);
/* Creates the initiator from h->icfg and starts it; runs the wire. */
void h_start(struct harness *h);
/* Delivers queued datagrams both ways until nothing moves. */
void h_run(struct harness *h);
/* Reads the actions of the initiator's last call. */
void h_actions(struct harness *h);
/* Moves the clock and ticks the initiator (then runs the wire). */
void h_advance(struct harness *h, uint64_t ms);
/* Passes a responder request to the initiator and runs the wire. */
void h_gateway_request(struct harness *h, enum resp_request kind);
/* The payload types of a datagram the initiator sent, decrypted with the
 * responder's keys when protected; "" for IKE_SA_INIT it cannot read. */
unsigned h_count_sent(struct harness *h, uint8_t exchange);
/* Asserts the log contains text. */
void h_assert_log(struct harness *h, const char *text);
void h_assert_failed(struct harness *h, enum ike_fail reason, const char *text);
