/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IKEv2 messages: the 28-octet header (RFC 7296 3.1), whole datagrams, the
 * non-ESP marker and NAT keepalives of port 4500 (RFC 3948), and the writing
 * of protected messages for the SK layer.
 *
 * Receiving:
 *   ike_udp_classify()            port 4500: IKE (marker stripped), ESP or keepalive
 *   ike_message_parse()           header + the payloads in the clear; the last
 *                                 one may be SK/SKF (ike_message_sk())
 *   (SK layer decrypts ike_message_sk()->body with ->aad)
 *   ike_message_parse_inner()     the decrypted payload chain, owned by the message
 *   ike_message_check()           rules.h: the payloads the exchange allows
 *   ike_message_payloads()        what the state machine reads
 *
 * Sending (initiator):
 *   ike_message_new(); set m->hdr; ike_chain_add_*(&m->clear or &m->inner, ...)
 *   unprotected (IKE_SA_INIT):    ike_message_serialize()
 *   protected:                    ike_chain_serialize(&m->inner) = plaintext;
 *                                 ike_message_write_sk() / _write_skf() write the
 *                                 header and the SK(F) header and reserve the body,
 *                                 the SK layer encrypts into it (AAD = w[0, body_off)).
 *
 * A parsed message borrows from the datagram (m->raw and every slice of
 * m->clear): it must not outlive that buffer. m->inner owns its plaintext.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "client/common/bytes.h"
#include "client/common/macro.h"
#include "client/common/wbuf.h"
#include "client/ike/payload.h"

/*
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       IKE SA Initiator's SPI                  |
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       IKE SA Responder's SPI                  |
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Next Payload | MjVer | MnVer | Exchange Type |     Flags     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                          Message ID                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                            Length                             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
struct ike_header {
        uint64_t spi_i; /* the 8 octets read big-endian: compare, don't interpret */
        uint64_t spi_r;
        uint8_t next_payload;
        uint8_t version;  /* MjVer << 4 | MnVer, IKEV2_VERSION */
        uint8_t exchange; /* IKEV2_EXCHANGE_* */
        uint8_t flags;    /* IKEV2_FLAG_*; the other bits kept as received */
        uint32_t message_id;
        uint32_t length;
};

/* Decodes the first 28 octets of bytes (a pure decoder: any version, any
 * length >= 28 is accepted; ike_message_parse() checks those against the
 * datagram). Returns 0 or -EBADMSG with *err filled. */
int ike_header_parse(struct slice bytes, struct ike_header *ret, struct ike_error *err);
/* Writes the 28 octets exactly as given. */
int ike_header_write(const struct ike_header *h, struct wbuf *w);

static inline bool ike_header_is_response(const struct ike_header *h)
{
        return (h->flags & IKEV2_FLAG_RESPONSE) != 0;
}

static inline bool ike_header_from_initiator(const struct ike_header *h)
{
        return (h->flags & IKEV2_FLAG_INITIATOR) != 0;
}

/* ------------------------------------------------------------------ UDP demultiplexing */

enum ike_udp_kind {
        IKE_UDP_IKE,       /* an IKE message: *ret_ike (the marker stripped on 4500) */
        IKE_UDP_ESP,       /* port 4500 only: an ESP packet (non-zero SPI, >= 8 octets) */
        IKE_UDP_KEEPALIVE, /* port 4500 only: a NAT-keepalive, RFC 3948 2.3 */
        IKE_UDP_INVALID,   /* none of those (too short, or a zero SPI without marker) */
};

/* RFC 3948 2.2: on port 4500 an IKE message is preceded by four zero octets
 * (the non-ESP marker, where ESP has its SPI), a single 0xFF is a keepalive,
 * anything else is ESP. On port 500 every datagram is IKE. */
enum ike_udp_kind ike_udp_classify(struct slice datagram, bool natt_port, struct slice *ret_ike);
/* A NAT-keepalive: exactly one octet 0xFF. */
bool ike_is_natt_keepalive(struct slice datagram);
/* The IKE message after the non-ESP marker; -EBADMSG if there is none. */
int ike_non_esp_marker_strip(struct slice datagram, struct slice *ret_ike);
/* Writes the four zero octets (before ike_message_serialize() on port 4500). */
int ike_non_esp_marker_write(struct wbuf *w);

/* ------------------------------------------------------------------ messages */

struct ike_message {
        struct ike_header hdr;
        struct ike_chain clear; /* payloads in the clear, wire order; in a protected
                                 * message usually just the SK or SKF payload */
        struct ike_chain inner; /* the payloads inside SK/SKF: decrypted
                                 * (ike_message_parse_inner) or to encrypt */
        bool has_inner;         /* parsed: inner holds the decrypted contents */
        struct slice raw;       /* parsed: the datagram (without marker), borrowed */
};

/* A new empty message: version 2.0, everything else zero. */
int ike_message_new(struct ike_message **ret);
/* Wipes and frees; NULL-safe. */
void ike_message_free(struct ike_message *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct ike_message *, ike_message_free)
#define _cleanup_ike_message_ _cleanup_(ike_message_freep)

/*
 * Parses a datagram (without the non-ESP marker): the header (major version 2,
 * Length == the datagram's length, at most IKE_MESSAGE_MAX) and the payloads
 * in the clear. If the last one is SK or SKF its .aad is set. The message
 * borrows from the datagram. Returns 0 or a negative errno with *err filled
 * (-EPROTONOSUPPORT with notify INVALID_MAJOR_VERSION for another major
 * version); *ret is written only on success.
 */
int ike_message_parse(struct ike_message **ret, struct slice datagram, struct ike_error *err);

/* The SK or SKF payload ending m->clear, or NULL for an unprotected message. */
const struct ike_sk *ike_message_sk(const struct ike_message *m);
/* true if the last payload in the clear is SKF */
bool ike_message_is_fragment(const struct ike_message *m);

/*
 * Parses the decrypted contents of the SK payload (first = sk->next; for a
 * reassembled fragmented message, the .next of fragment 1) into m->inner and
 * sets m->has_inner. Takes ownership of *plaintext on success (it is wiped
 * and freed with the message); on failure it stays the caller's. Error
 * offsets are relative to the plaintext. SK/SKF inside are rejected.
 */
int ike_message_parse_inner(struct ike_message *m, uint8_t first, struct bytes *plaintext,
                            struct ike_error *err);

/* The payloads the message carries: the decrypted ones when there are, else
 * those in the clear. */
const struct ike_chain *ike_message_payloads(const struct ike_message *m);

/*
 * Writes the message as it is: header (Next Payload and Length computed) and
 * m->clear. For a parsed message this gives back the datagram byte for byte.
 * -EINVAL if m->inner has payloads but m->clear does not end in SK/SKF (use
 * ike_message_write_sk()); -EMSGSIZE beyond IKE_MESSAGE_MAX.
 */
int ike_message_serialize(const struct ike_message *m, struct wbuf *w);

/*
 * Writes the header, the payloads of m->clear (normally none) and the SK
 * payload header whose Next Payload is m->inner's first type, then reserves
 * body_len zero octets for IV || ciphertext || ICV and returns their offset
 * in *ret_body_off. Header Length and SK Payload Length include body_len, so
 * w[0, *ret_body_off) is final: the AAD (RFC 5282) / the start of the data
 * the ICV covers (RFC 7296 3.14).
 */
int ike_message_write_sk(const struct ike_message *m, size_t body_len, struct wbuf *w,
                         size_t *ret_body_off);
/*
 * The same for one fragment (RFC 7383 2.5): header (Next Payload SKF), SKF
 * header (Next Payload = m->inner's first type in fragment 1, 0 in the
 * others), fragment number and total, then body_len reserved octets. m->clear
 * must be empty.
 */
int ike_message_write_skf(const struct ike_message *m, uint16_t frag_num, uint16_t frag_total,
                          size_t body_len, struct wbuf *w, size_t *ret_body_off);
