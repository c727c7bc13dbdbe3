/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IKEv2 payloads (RFC 7296 section 3) as plain C structures, and payload
 * chains: parse a chain of payloads from a "next payload" type over a byte
 * range, serialize it back, build one for sending.
 *
 * Ownership and lifetime
 *   A chain (struct ike_chain) owns every array its payloads point to, in its
 *   arena. Byte fields (struct slice) of a PARSED chain borrow from the buffer
 *   it was parsed from: the chain must not outlive that buffer, unless the
 *   buffer was handed to the chain (ike_chain_parse_owned(), or
 *   ike_message_parse_inner() for decrypted SK contents). Byte fields of a
 *   BUILT chain (ike_chain_add_*) are copies in the arena: the caller's
 *   buffers may be freed right after the call. ike_chain_clear() wipes and
 *   frees everything.
 *
 * Byte-exact round trips
 *   serialize(parse(x)) == x for every x that parses. Lengths, counts and
 *   "last substructure" markers are recomputed on output and therefore checked
 *   strictly on input (a mismatch is a syntax error). RESERVED fields and bits
 *   are ignored on receipt as RFC 7296 asks, but kept as received in the
 *   `reserved` members and written back from there; builders leave them zero,
 *   so everything we originate carries zeros. Unknown payloads, unknown
 *   transform attributes, unknown TS types and unknown CP attributes are kept
 *   as raw bytes.
 *
 * Errors
 *   Parsers fill a struct ike_error (optional, may be NULL) with a negative
 *   errno, the IKEv2 notify type to answer with, the payload type, the
 *   absolute offset and a text that gives both numbers, e.g.
 *   "TS payload: IPv4 selector length 20 != 16 at offset 112". Builders and
 *   serializers return a negative errno only.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "client/common/bytes.h"
#include "client/common/wbuf.h"
#include "client/ike/arena.h"
#include "client/ike/ikev2.h"

/* ------------------------------------------------------------------ limits
 * Everything a peer controls is bounded. Counts beyond these limits fail with
 * -E2BIG; sizes beyond the protocol's own ranges fail with -EBADMSG. */
#define IKE_MESSAGE_MAX       65535u  /* one datagram (header length field included) */
#define IKE_CHAIN_MAX         262144u /* a decrypted, possibly reassembled, payload chain */
#define IKE_PAYLOADS_MAX      128u    /* payloads in one chain */
#define IKE_PROPOSALS_MAX     64u     /* proposals in one SA payload */
#define IKE_TRANSFORMS_MAX    128u    /* transforms in one proposal (the field is 8 bits) */
#define IKE_ATTRIBUTES_MAX    8u      /* attributes in one transform */
#define IKE_TS_MAX            64u     /* selectors in one TS payload */
#define IKE_CP_ATTRS_MAX      256u    /* attributes in one CP payload */
#define IKE_DELETE_SPIS_MAX   256u    /* SPIs in one Delete payload */
#define IKE_KE_DATA_MAX       4096u   /* MODP-8192 is 1024, ML-KEM-1024 1568 */
#define IKE_NONCE_MIN         16u     /* RFC 7296 3.9: 128 to 2048 bits */
#define IKE_NONCE_MAX         256u
#define IKE_ID_DATA_MAX       2048u
#define IKE_AUTH_DATA_MAX     4096u   /* RSA-8192 signature plus RFC 7427 AlgorithmIdentifier */
#define IKE_CERT_DATA_MAX     32768u
#define IKE_CERTREQ_DATA_MAX  4096u   /* 204 SHA-1 hashes */
#define IKE_NOTIFY_DATA_MAX   4096u
#define IKE_VENDOR_ID_MAX     512u
#define IKE_FRAGMENTS_MAX     128u    /* RFC 7383 Total Fragments we accept */
#define IKE_CERTREQ_HASH_LEN  20u     /* RFC 7296 3.7: SHA-1 of the SubjectPublicKeyInfo */

/* ------------------------------------------------------------------ errors */
struct ike_error {
        int code;        /* negative errno: -EBADMSG malformed, -EPROTO forbidden by the
                          * protocol (IKEv1 payload, misplaced SK, rule violation),
                          * -EOPNOTSUPP unsupported critical payload, -EPROTONOSUPPORT
                          * major version, -E2BIG a limit, -ENOMEM */
        uint16_t notify; /* IKEV2_N_INVALID_SYNTAX, IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD,
                          * IKEV2_N_INVALID_MAJOR_VERSION, or 0 (nothing to answer) */
        uint8_t payload; /* payload type being parsed (for UNSUPPORTED_CRITICAL_PAYLOAD the
                          * offending type: RFC 7296 2.5, the one-octet notify data) */
        size_t offset;   /* absolute offset of the offending field */
        char what[128];  /* "TS payload: IPv4 selector length 20 != 16 at offset 112" */
};

/* ------------------------------------------------------------------ SA, RFC 7296 3.3 */

/* A transform attribute (3.3.5): TV when the AF bit is set (2-byte value in
 * tv_value), TLV otherwise (tlv_value). The Key Length attribute is not kept
 * here but in struct ike_transform.key_length. */
struct ike_attr {
        uint16_t type; /* without the AF bit, < 0x8000 */
        bool tv;
        uint16_t tv_value;
        struct slice tlv_value;
};

struct ike_transform {
        uint8_t type; /* IKEV2_TRANSFORM_* (unknown types are kept) */
        uint16_t id;  /* IKEV2_ENCR_* / IKEV2_PRF_* / ... */
        uint16_t key_length; /* bits, from the Key Length attribute; 0: none (a Key
                              * Length of 0 is rejected on parse) */
        struct ike_attr *attrs; /* the other attributes, in wire order */
        size_t n_attrs;
        uint8_t key_length_pos; /* index among the attributes where Key Length was
                                 * (byte-exact re-serialization); builders leave 0 */
        uint8_t reserved[2];    /* the two RESERVED octets, as received */
};

struct ike_proposal {
        uint8_t num;      /* Proposal Num */
        uint8_t protocol; /* IKEV2_PROTO_* */
        struct slice spi; /* 0 or 8 octets for IKE, 4 for ESP and AH */
        struct ike_transform *transforms;
        size_t n_transforms;
        uint8_t reserved;
};

struct ike_sa {
        struct ike_proposal *proposals; /* at least one */
        size_t n_proposals;
};

/* ------------------------------------------------------------------ simple payloads */

struct ike_ke { /* 3.4 */
        uint16_t group; /* IKEV2_DH_* */
        uint16_t reserved;
        struct slice data; /* at least one octet */
};

struct ike_id { /* 3.5, IDi and IDr */
        uint8_t type; /* IKEV2_ID_*; unknown types are kept */
        uint8_t reserved[3];
        struct slice data; /* 4 octets for IPV4_ADDR, 16 for IPV6_ADDR, non-empty
                            * except for ID_NULL */
};

struct ike_cert { /* 3.6 CERT and 3.7 CERTREQ */
        uint8_t encoding;  /* IKEV2_CERT_* */
        struct slice data; /* CERT: the certificate (non-empty). CERTREQ: the
                            * Certification Authority field, for X509_SIGNATURE a
                            * multiple of 20 octets (SHA-1 hashes), possibly empty */
};

struct ike_auth { /* 3.8 */
        uint8_t method; /* IKEV2_AUTH_* */
        uint8_t reserved[3];
        struct slice data; /* non-empty */
};

struct ike_notify { /* 3.10 */
        uint8_t protocol; /* 0, or IKEV2_PROTO_* */
        uint16_t type;    /* IKEV2_N_* */
        struct slice spi;
        struct slice data;
};

struct ike_delete { /* 3.11 */
        uint8_t protocol;   /* IKEV2_PROTO_IKE (no SPIs), _ESP or _AH (4-octet SPIs) */
        uint8_t spi_size;
        uint16_t n_spis;
        struct slice spis; /* n_spis * spi_size octets */
};

/* ------------------------------------------------------------------ traffic selectors, 3.13 */

struct ike_ts_selector {
        uint8_t type;       /* IKEV2_TS_IPV4_ADDR_RANGE, _IPV6_ADDR_RANGE, or another type
                             * kept raw */
        uint8_t ip_proto;   /* IP Protocol ID (for a raw type: its second octet) */
        uint16_t start_port;
        uint16_t end_port;  /* start 65535 / end 0 means OPAQUE (3.13.1) */
        uint8_t start[16];  /* 4 octets used for IPv4 */
        uint8_t end[16];
        struct slice raw;   /* raw types: the octets after the 4-octet selector header */
};

struct ike_ts {
        struct ike_ts_selector *sel; /* at least one */
        size_t n;
        uint8_t reserved[3];
};

/* ------------------------------------------------------------------ SK and SKF, 3.14 and RFC 7383 */

struct ike_sk {
        uint8_t next;        /* payload type of the first inner payload (SKF: 0 in
                              * fragments other than the first) */
        uint16_t frag_num;   /* SKF only: 1 <= frag_num <= frag_total */
        uint16_t frag_total; /* SKF only */
        struct slice body;   /* IV || ciphertext || ICV, for the SK layer */
        struct slice aad;    /* set by ike_message_parse(): the message from its first
                              * octet up to body (IKE header, payloads before, the SK
                              * header and for SKF the fragment fields) = the AAD of
                              * RFC 5282 / the data the ICV covers starts here too */
};

/* ------------------------------------------------------------------ CP, 3.15 */

struct ike_cp_attr {
        uint16_t type; /* IKEV2_CFG_* (15 bits) */
        bool r;        /* the reserved top bit, as received */
        struct slice value; /* lengths of known types are checked on parse; 0 means
                             * "please assign" in a CFG_REQUEST */
};

struct ike_cp {
        uint8_t cfg_type; /* IKEV2_CFG_REQUEST ... */
        uint8_t reserved[3];
        struct ike_cp_attr *attrs;
        size_t n_attrs;
};

/* ------------------------------------------------------------------ EAP, 3.16 and RFC 3748 */

struct ike_eap {
        uint8_t code;       /* EAP_CODE_REQUEST .. EAP_CODE_FAILURE */
        uint8_t identifier;
        uint8_t type;       /* Request/Response only; 0 for Success/Failure */
        struct slice data;  /* Type-Data (for EAP_TYPE_EXPANDED: Vendor-Id, Vendor-Type,
                             * then the data) */
        struct slice msg;   /* parsed only: the whole EAP message (the payload body) */
};

/* ------------------------------------------------------------------ a payload */

struct ike_payload {
        uint8_t type;     /* IKEV2_PAYLOAD_*, or an unknown type kept raw */
        bool critical;    /* the critical bit, as received or to send */
        uint8_t reserved; /* the other 7 bits of that octet, as received */
        size_t offset;    /* parsed: absolute offset of the generic payload header */
        union {
                struct ike_sa sa;          /* SA */
                struct ike_ke ke;          /* KE */
                struct ike_id id;          /* IDi, IDr */
                struct ike_cert cert;      /* CERT, CERTREQ */
                struct ike_auth auth;      /* AUTH */
                struct slice nonce;        /* Ni, Nr */
                struct ike_notify notify;  /* N */
                struct ike_delete del;     /* D */
                struct slice vendor;       /* V */
                struct ike_ts ts;          /* TSi, TSr */
                struct ike_sk sk;          /* SK, SKF */
                struct ike_cp cp;          /* CP */
                struct ike_eap eap;        /* EAP */
                struct slice raw;          /* any payload type we do not parse */
        } u;
};

/* ------------------------------------------------------------------ chains */

struct ike_chain {
        struct ike_payload *items; /* wire order */
        size_t n;
        size_t cap;
        struct ike_arena arena;
};

#define IKE_CHAIN_INIT ((struct ike_chain){ 0 })

/* Parse flags. */
enum {
        /* The chain is the plaintext of an SK/SKF payload: SK and SKF inside are
         * a protocol error. */
        IKE_CHAIN_INNER = 1 << 0,
};

/*
 * Parses the payloads in bytes, the first of type `first` (IKEV2_PAYLOAD_NONE:
 * bytes must be empty), into *ret (which must be empty: IKE_CHAIN_INIT or
 * cleared). `base` is the absolute offset of bytes[0], used in error offsets.
 * An SK or SKF payload ends the chain and must extend to the end of bytes.
 * The chain borrows from bytes. Returns 0 or a negative errno with *err
 * filled; *ret is written only on success.
 */
int ike_chain_parse(struct ike_chain *ret, uint8_t first, struct slice bytes, size_t base,
                    unsigned flags, struct ike_error *err);
/* Same, but takes ownership of *bytes on success (*bytes is zeroed; it is
 * wiped and freed with the chain). On failure *bytes stays the caller's. */
int ike_chain_parse_owned(struct ike_chain *ret, uint8_t first, struct bytes *bytes,
                          size_t base, unsigned flags, struct ike_error *err);
/* Writes the payloads (generic headers included); the "next payload" of the
 * last one is NONE, or for an SK/SKF payload (which must be last) its .next.
 * Returns 0, -EINVAL (a structure that cannot be encoded: a count or value out
 * of its field's range, SK not last), -EMSGSIZE (a payload longer than 65535)
 * or the wbuf's error (-ENOBUFS). */
int ike_chain_serialize(const struct ike_chain *c, struct wbuf *w);
/* The type to put in the preceding "next payload" field: the first payload's
 * type, or IKEV2_PAYLOAD_NONE for an empty chain. */
uint8_t ike_chain_first_type(const struct ike_chain *c);
/* Writes only the body of one payload (no generic header), e.g. the
 * "RestOfInitIDPayload" an AUTH payload signs (RFC 7296 2.15). */
int ike_payload_serialize_body(const struct ike_payload *p, struct wbuf *w);
/* Wipes and frees everything the chain owns and resets it to empty. NULL-safe. */
void ike_chain_clear(struct ike_chain *c);
/* Moves *src into *dst (which must be empty); *src becomes empty. */
void ike_chain_move(struct ike_chain *dst, struct ike_chain *src);

/* Lookups. `from` is the index to start at (0 for the first match); they
 * return NULL when nothing (more) matches. */
const struct ike_payload *ike_chain_find(const struct ike_chain *c, uint8_t type, size_t from);
size_t ike_chain_count(const struct ike_chain *c, uint8_t type);
const struct ike_notify *ike_chain_find_notify(const struct ike_chain *c, uint16_t notify_type);
/* The first error notify (type <= IKEV2_N_ERROR_MAX), or NULL. */
const struct ike_notify *ike_chain_find_error_notify(const struct ike_chain *c);

/* ------------------------------------------------------------------ builders
 * Each appends one payload to c, copying every byte and array it is given
 * into the chain's arena. Returns 0, -EINVAL (a value the payload cannot carry
 * or that RFC 7296 forbids, e.g. a 8-octet nonce), -E2BIG (a limit above) or
 * -ENOMEM. The critical bit is 0 (RFC 7296 2.5: never set it on payloads
 * defined in RFC 7296). */

/* Appends an empty payload of any type (fill its union member by hand; its
 * byte fields must then stay valid as long as the chain). NULL on -ENOMEM or
 * when the chain is full (IKE_PAYLOADS_MAX). */
struct ike_payload *ike_chain_append(struct ike_chain *c, uint8_t type);
int ike_chain_add_sa(struct ike_chain *c, const struct ike_proposal *proposals, size_t n);
int ike_chain_add_ke(struct ike_chain *c, uint16_t group, struct slice data);
/* payload_type: IKEV2_PAYLOAD_IDi or IKEV2_PAYLOAD_IDr */
int ike_chain_add_id(struct ike_chain *c, uint8_t payload_type, uint8_t id_type,
                     struct slice data);
int ike_chain_add_cert(struct ike_chain *c, uint8_t encoding, struct slice data);
int ike_chain_add_certreq(struct ike_chain *c, uint8_t encoding, struct slice authorities);
int ike_chain_add_auth(struct ike_chain *c, uint8_t method, struct slice data);
/* RFC 7427 3: AUTH method 14 with data = length(alg_id) || alg_id || signature */
int ike_chain_add_auth_digital_signature(struct ike_chain *c, struct slice alg_id,
                                         struct slice signature);
int ike_chain_add_nonce(struct ike_chain *c, struct slice nonce);
int ike_chain_add_notify(struct ike_chain *c, uint8_t protocol, uint16_t type, struct slice spi,
                         struct slice data);
/* spis: n_spis * spi_size octets */
int ike_chain_add_delete(struct ike_chain *c, uint8_t protocol, uint8_t spi_size,
                         uint16_t n_spis, struct slice spis);
int ike_chain_add_vendor(struct ike_chain *c, struct slice vid);
/* payload_type: IKEV2_PAYLOAD_TSi or IKEV2_PAYLOAD_TSr */
int ike_chain_add_ts(struct ike_chain *c, uint8_t payload_type, const struct ike_ts_selector *sel,
                     size_t n);
int ike_chain_add_cp(struct ike_chain *c, uint8_t cfg_type, const struct ike_cp_attr *attrs,
                     size_t n);
/* type and data are ignored (must be 0/empty) for Success and Failure. */
int ike_chain_add_eap(struct ike_chain *c, uint8_t code, uint8_t identifier, uint8_t type,
                      struct slice data);
/* A whole EAP message as an EAP method produced it (checked like a received one). */
int ike_chain_add_eap_msg(struct ike_chain *c, struct slice msg);

/* ------------------------------------------------------------------ typed helpers */

/* Builds a selector covering [start, end] addresses and ports; family from
 * addr_len (4 or 16). */
struct ike_ts_selector ike_ts_selector_make(const uint8_t *start, const uint8_t *end,
                                            size_t addr_len, uint8_t ip_proto,
                                            uint16_t start_port, uint16_t end_port);
/* 4 for IPv4, 16 for IPv6, 0 for a raw type. */
size_t ike_ts_addr_len(const struct ike_ts_selector *s);

/* The i-th SHA-1 hash of an X509_SIGNATURE CERTREQ (count = data.len / 20). */
size_t ike_certreq_hash_count(const struct ike_cert *certreq);
struct slice ike_certreq_hash(const struct ike_cert *certreq, size_t i);

/* RFC 7427 3: splits a DIGITAL_SIGNATURE AUTH payload's data. */
int ike_auth_digital_signature(const struct ike_auth *a, struct slice *ret_alg_id,
                               struct slice *ret_signature, struct ike_error *err);

/* Formats an identity for logs: addresses as text, FQDN and RFC822 with
 * anything outside printable ASCII escaped as \xNN, DN/GN/KEY_ID and unknown
 * types as "type:hex" (truncated with "..."). Always NUL-terminates. */
void ike_id_format(const struct ike_id *id, char *buf, size_t size);

/* The i-th SPI of a Delete payload with 4-octet SPIs (ESP, AH). */
uint32_t ike_delete_spi32(const struct ike_delete *d, size_t i);

/* Typed notify data. Each checks the data's format and returns -EBADMSG with
 * *err filled (notify INVALID_SYNTAX) when it is wrong. */
/* INVALID_KE_PAYLOAD (RFC 7296 3.10.1): the accepted group, 2 octets */
int ike_notify_dh_group(const struct ike_notify *n, uint16_t *ret, struct ike_error *err);
/* NAT_DETECTION_SOURCE_IP / _DESTINATION_IP (2.23): a 20-octet SHA-1 */
int ike_notify_nat_detection(const struct ike_notify *n, struct slice *ret,
                             struct ike_error *err);
/* COOKIE (2.6): 1 to 64 octets */
int ike_notify_cookie(const struct ike_notify *n, struct slice *ret, struct ike_error *err);
/* SIGNATURE_HASH_ALGORITHMS (RFC 7427 4): a list of 2-octet hash identifiers,
 * up to max; *ret_n is how many there were (the rest beyond max are dropped). */
int ike_notify_hash_algorithms(const struct ike_notify *n, uint16_t *ret, size_t max,
                               size_t *ret_n, struct ike_error *err);
/* REDIRECT (RFC 5685 8.1): gateway identity and the optional nonce */
struct ike_redirect {
        uint8_t gw_type; /* IKEV2_GW_IPV4, _IPV6, _FQDN */
        struct slice gw; /* 4 or 16 octets, or an FQDN (1..255 octets) */
        struct slice nonce;
};
int ike_notify_redirect(const struct ike_notify *n, struct ike_redirect *ret,
                        struct ike_error *err);

/* Typed CP attribute values (after the parse-time length checks). Each
 * returns -EINVAL when the attribute is not of a suitable type or empty. */
/* INTERNAL_IP4_ADDRESS/NETMASK/DNS/NBNS/DHCP, P_CSCF_IP4_ADDRESS */
int ike_cp_attr_ip4(const struct ike_cp_attr *a, uint8_t ret[static 4]);
/* INTERNAL_IP6_DNS/DHCP, P_CSCF_IP6_ADDRESS (prefix 128), INTERNAL_IP6_ADDRESS,
 * INTERNAL_IP6_SUBNET (address + prefix length <= 128) */
int ike_cp_attr_ip6(const struct ike_cp_attr *a, uint8_t ret_addr[static 16],
                    uint8_t *ret_prefix);
/* INTERNAL_IP4_SUBNET: address and mask (the mask is not checked for contiguity) */
int ike_cp_attr_ip4_subnet(const struct ike_cp_attr *a, uint8_t ret_addr[static 4],
                           uint8_t ret_mask[static 4]);
/* INTERNAL_DNS_DOMAIN (RFC 8598 4.1): the domain, checked to be a DNS name in
 * presentation form (letters, digits, '-', '_', '.', labels of 1..63 octets,
 * 253 octets at most, no leading dot; one trailing dot allowed). */
int ike_cp_attr_dns_domain(const struct ike_cp_attr *a, struct slice *ret);
/* INTERNAL_DNSSEC_TA (RFC 8598 4.2): one DS record for the INTERNAL_DNS_DOMAIN
 * attribute it follows */
struct ike_dnssec_ta {
        uint16_t key_tag;
        uint8_t algorithm;
        uint8_t digest_type;
        struct slice digest;
};
int ike_cp_attr_dnssec_ta(const struct ike_cp_attr *a, struct ike_dnssec_ta *ret);

/* The first transform of a type in a proposal, or NULL. */
const struct ike_transform *ike_proposal_find_transform(const struct ike_proposal *prop,
                                                        uint8_t type);
