/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ESP core (RFC 4303, tunnel mode, carried in UDP per RFC 3948): security
 * associations, encapsulation and decapsulation. Sans-I/O and GLib-free: the
 * caller brings the packets, the keys, the random IV seed and the clock.
 *
 * An ESP-in-UDP datagram (the UDP payload; RFC 3948 2.2, RFC 4303 2):
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |               Security Parameters Index (SPI), never 0        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                 Sequence Number (low 32 bits)                 |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |               IV (8 bytes AEAD, 16 bytes AES-CBC)             |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |     inner IPv4/IPv6 packet (encrypted) ...                    |
 *   +               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |               |  Padding 1, 2, 3, ... (0-255 bytes)           |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                               |  Pad Length   | Next Header   |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |         Integrity Check Value (16-32 bytes)                   |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * A datagram whose first four bytes are zero is IKE (the non-ESP marker,
 * RFC 3948 2.2); a single 0xFF byte is a NAT keepalive (RFC 3948 2.3).
 *
 * Threads: an SA is used by one thread at a time (the datapath's TX thread
 * for outbound SAs, its RX thread for inbound SAs); it owns its cipher
 * context, created once. Nothing here allocates per packet.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "client/common/bytes.h"
#include "replay.h"

struct esp_cipher;

#define ESP_HDR_LEN     8u /* SPI + sequence number */
#define ESP_MAX_IV_LEN  16u
#define ESP_MAX_ICV_LEN 32u
#define ESP_TRAILER_LEN 2u /* pad length + next header */
/* Worst case bytes after the inner packet: padding to a 16-byte block, the
 * trailer and the ICV. */
#define ESP_MAX_TAILROOM (15u + ESP_TRAILER_LEN + ESP_MAX_ICV_LEN)
#define ESP_MAX_HEADROOM (ESP_HDR_LEN + ESP_MAX_IV_LEN)
#define ESP_MAX_TS       16u

#define ESP_NEXT_IPV4  4u /* IP-in-IP */
#define ESP_NEXT_IPV6  41u
#define ESP_NEXT_DUMMY 59u /* RFC 4303 2.6: dummy packet for traffic flow confidentiality */

/* Why a packet was dropped; every drop is counted under one of these. */
enum esp_drop {
        ESP_DROP_NONE = 0,
        ESP_DROP_MALFORMED, /* shorter than header + IV + ICV, or not block aligned */
        ESP_DROP_UNKNOWN_SPI,
        ESP_DROP_REPLAY, /* duplicate or left of the window */
        ESP_DROP_BAD_ICV,
        ESP_DROP_BAD_PADDING, /* RFC 4303 2.4: pad bytes are 1, 2, 3, ... */
        ESP_DROP_BAD_NEXT_HEADER,
        ESP_DROP_DUMMY,        /* next header 59: TFC dummy, dropped silently */
        ESP_DROP_BAD_INNER,    /* inner packet not a consistent IPv4/IPv6 packet */
        ESP_DROP_INNER_DST,    /* not addressed to our virtual IP */
        ESP_DROP_INNER_SRC,    /* source outside the negotiated traffic selectors */
        ESP_DROP_SA_EXPIRED,   /* hard lifetime reached, or sequence numbers exhausted */
        ESP_DROP_NO_SA,        /* nothing to send with (no outbound SA) */
        ESP_DROP_TX_BAD_INNER, /* TUN gave us something that is not IPv4/IPv6 */
        ESP_DROP_TOO_BIG,      /* does not fit the buffer */
        ESP_DROP_GSO,          /* a TUN super-packet we cannot split */
        ESP_DROP_IO,           /* a send/write failed */
        _ESP_DROP_MAX,
};

const char *esp_drop_to_string(enum esp_drop d);

/* Events an SA raises once each; the datapath reports them upward (to IKE). */
enum esp_event {
        ESP_EVENT_SOFT_LIFETIME = 1u << 0, /* bytes or packets soft limit: rekey now */
        ESP_EVENT_HARD_LIFETIME = 1u << 1, /* SA unusable from now on */
        ESP_EVENT_SEQ_REKEY = 1u << 2,     /* sequence number close to exhaustion: rekey */
};

struct esp_lifetime {
        uint64_t bytes;   /* 0 = no limit */
        uint64_t packets; /* 0 = no limit */
};

/* An inclusive address range plus an IP protocol (0 = any) and an inclusive
 * port range: a traffic selector as IKEv2 negotiates it (RFC 7296 3.13.1). */
struct esp_ts {
        uint8_t family; /* 4 or 6 */
        uint8_t proto;
        uint16_t port_lo, port_hi;
        uint8_t start[16], end[16];
};

/* What an inbound packet's inner header must satisfy (RFC 4301 5.2: the
 * receiver checks decrypted packets against the SA's selectors). */
struct esp_inner_policy {
        bool have_vip4, have_vip6;
        uint8_t vip4[4], vip6[16];
        size_t n_ts;
        struct esp_ts ts[ESP_MAX_TS]; /* TSr: what the gateway may send us */
};

enum esp_dir {
        ESP_DIR_IN,
        ESP_DIR_OUT,
};

struct esp_sa_params {
        uint32_t spi; /* network order value as a host integer, never 0 */
        enum esp_dir dir;
        uint16_t encr;      /* IKEV2_ENCR_AES_GCM_16, _CHACHA20_POLY1305, _AES_CBC, _NULL */
        uint16_t encr_bits; /* 128/192/256 for AES, 256 for ChaCha20 */
        uint16_t integ;     /* IKEV2_INTEG_NONE for AEADs, _HMAC_SHA2_256_128/384_192/512_256 */
        bool esn;           /* RFC 4303 2.2.1 */
        /* KEYMAT as RFC 7296 2.17 hands it out: for AES-GCM and ChaCha20 the
         * encryption key includes the 4-byte salt at its end (RFC 4106 8.1,
         * RFC 7634 2). */
        struct slice encr_key;
        struct slice integ_key;
        /* AES-CBC only: 8 random bytes (the caller's RNG, once per SA) that
         * make IVs unpredictable; see esp-cipher.c. */
        uint8_t iv_seed[8];
        struct esp_lifetime soft, hard;
        /* Outbound: first sequence number minus one (0 normally; tests set it
         * near the end of the space). */
        uint64_t seq_start;
        struct esp_inner_policy policy; /* inbound only */
        /* Allows ENCR_NULL without integrity (RFC 4303 forbids it on the
         * wire): only the benchmark's I/O-ceiling mode sets this. */
        bool allow_null_null;
};

struct esp_sa {
        uint32_t spi;
        enum esp_dir dir;
        bool esn;
        uint8_t iv_len, icv_len, align;
        struct esp_cipher *cipher;
        uint64_t seq;             /* outbound: last sequence number sent */
        struct esp_replay replay; /* inbound */
        uint64_t bytes, packets;
        struct esp_lifetime soft, hard;
        unsigned events;        /* raised, not yet taken */
        unsigned events_raised; /* every event raised so far (raised once) */
        struct esp_inner_policy policy;
};

/* Creates the SA and its cipher context. -EOPNOTSUPP for a transform we do
 * not implement, -EINVAL for a bad key length or SPI 0. */
int esp_sa_new(const struct esp_sa_params *p, struct esp_sa **ret);
/* Wipes the keys; NULL-safe. */
void esp_sa_free(struct esp_sa *sa);

static inline size_t esp_sa_headroom(const struct esp_sa *sa)
{
        return ESP_HDR_LEN + sa->iv_len;
}

/* Bytes an inner packet of inner_len grows by. */
size_t esp_sa_overhead(const struct esp_sa *sa, size_t inner_len);

/* Returns and clears the events raised since the last call. */
static inline unsigned esp_sa_take_events(struct esp_sa *sa)
{
        unsigned e = sa->events;

        sa->events = 0;
        return e;
}

/* Outbound. The inner packet sits at buf + esp_sa_headroom(sa), inner_len
 * bytes; buf has cap bytes. Writes the ESP header and IV in front of it and
 * the padding, trailer and ICV behind it, encrypting in place; returns the
 * datagram length (from buf) in *ret_len. The next header (4 or 41) follows
 * the inner packet's version nibble. Returns ESP_DROP_NONE or why not. */
enum esp_drop esp_encap(struct esp_sa *sa, uint8_t *buf, size_t cap, size_t inner_len,
                        size_t *ret_len);

/* Reads the SPI of an ESP datagram; -EBADMSG when too short, -ENOMSG for the
 * non-ESP marker (IKE) and for a keepalive. */
int esp_peek_spi(const uint8_t *pkt, size_t len, uint32_t *ret_spi);

/* Inbound, for the SA the caller found by SPI. Decrypts in place; the inner
 * packet is pkt[*ret_off .. *ret_off + *ret_len) (trimmed to the length its
 * IP header gives). Order: replay pre-check, ICV check (constant time),
 * window update, padding and next header, inner sanity and policy. */
enum esp_drop esp_decap(struct esp_sa *sa, uint8_t *pkt, size_t len, size_t *ret_off,
                        size_t *ret_len);

/* How many more packets / bytes may pass before the soft/hard limits. Used by
 * the SA to raise events; exposed for tests. */
void esp_sa_account(struct esp_sa *sa, size_t bytes);
/* Raises ev unless it was raised before (internal to encap/decap). */
void esp_sa_raise(struct esp_sa *sa, unsigned ev);
