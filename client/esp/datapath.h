/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ESP datapath: moves packets between a TUN device and the UDP socket to
 * one gateway, in two threads, one per direction:
 *
 *   TX  TUN --read--> [split super-packet] --esp_encap--> sendmmsg(UDP_SEGMENT)
 *   RX  recvmmsg(UDP_GRO) --esp_decap--> [coalesce TCP runs] --writev--> TUN
 *
 * Each thread sleeps in epoll on its fd and a shared eventfd (stop); the TX
 * thread also owns the NAT keepalive timer (timerfd). IKE datagrams (the
 * non-ESP marker) met by the RX thread go to the engine's on_ike callback;
 * the engine sends IKE with esp_datapath_send_ike() from its own thread.
 *
 * The engine keeps the fds it created and closes them after
 * esp_datapath_free(); SAs go in and out with install/remove at any time
 * (see satable.h for how rekeying stays make-before-break and lock-free).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esp.h"
#include "platform/linux/tun.h"

struct esp_datapath;

struct esp_dp_config {
        int tun_fd;
        enum tun_mode tun_mode; /* as tun_open() negotiated it */
        int udp_fd;             /* connected to the gateway */
        bool udp_gso, udp_gro;  /* as udp_open() found them */
        unsigned keepalive_ms;  /* RFC 3948 2.3 NAT keepalive when idle; 0 = off */
        unsigned tun_mtu;       /* largest inner packet we will ever see from TUN */
        /* Called from the RX thread with an IKE message (marker removed). The
         * engine must copy it and hand it to its own thread. */
        void (*on_ike)(void *userdata, const uint8_t *msg, size_t len);
        /* Called from a datapath thread when an SA raised esp_event bits. */
        void (*on_event)(void *userdata, uint32_t spi, enum esp_dir dir, unsigned events);
        /* Called rarely (fallbacks, I/O errors); one line, no secrets. */
        void (*on_log)(void *userdata, const char *msg);
        void *userdata;
};

struct esp_dp_counters {
        uint64_t tx_packets, tx_bytes;        /* inner packets/bytes encrypted */
        uint64_t tx_datagrams, tx_syscalls;   /* ESP datagrams, sendmmsg calls */
        uint64_t tx_tun_reads, tx_gso_reads;  /* TUN reads, of which super-packets */
        uint64_t rx_packets, rx_bytes;        /* inner packets/bytes decrypted */
        uint64_t rx_datagrams, rx_syscalls;   /* UDP datagrams, recvmmsg calls */
        uint64_t rx_tun_writes, rx_coalesced; /* TUN writes, of which coalesced */
        uint64_t ike_in, ike_out, keepalive_in, keepalive_out;
        uint64_t drops[_ESP_DROP_MAX];
        enum tun_mode tun_mode;
        bool udp_gso, udp_gro;
        /* CLOCK_MONOTONIC (ns) when the last ESP packet was decrypted (read
         * once per receive batch); 0 before the first. Dead peer detection
         * counts from it. */
        uint64_t last_rx_ns;
};

int esp_datapath_new(const struct esp_dp_config *c, struct esp_datapath **ret);
/* Starts the threads. */
int esp_datapath_start(struct esp_datapath *dp);
/* Stops and joins the threads; idempotent. */
void esp_datapath_stop(struct esp_datapath *dp);
/* Stops, then frees every SA (keys wiped); NULL-safe. Does not close the fds. */
void esp_datapath_free(struct esp_datapath *dp);

/* Creates the SA from p and installs it (outbound replaces the current
 * outbound SA). Thread-safe; returns when no packet uses a replaced SA. */
int esp_datapath_install_sa(struct esp_datapath *dp, const struct esp_sa_params *p);
int esp_datapath_remove_sa(struct esp_datapath *dp, uint32_t spi, enum esp_dir dir);

/* Sends an IKE message on the UDP socket, after the non-ESP marker (RFC 3948
 * 2.2). Thread-safe. */
int esp_datapath_send_ike(struct esp_datapath *dp, const uint8_t *msg, size_t len);

/* A consistent-per-field snapshot (each field read atomically); any thread. */
void esp_datapath_counters(struct esp_datapath *dp, struct esp_dp_counters *ret);
