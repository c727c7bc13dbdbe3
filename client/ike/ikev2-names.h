/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Names of IKEv2 (and EAP) numbers for logs, one function per IANA registry.
 * Each returns a static string, or formats "UNKNOWN(1234)" into the caller's
 * buffer and returns that: no static mutable state, safe from any thread.
 *
 *   char b[IKEV2_NAME_BUF];
 *   log("... %s", ikev2_notify_name(n->type, b));
 * or inside one expression: ikev2_notify_name(n->type, IKEV2_NAME_TMP)
 */
#pragma once

#include <stdint.h>

#define IKEV2_NAME_BUF 24 /* "UNKNOWN(4294967295)" and the NUL */
/* A temporary buffer that lives until the end of the enclosing block. */
#define IKEV2_NAME_TMP ((char[IKEV2_NAME_BUF]){ 0 })

const char *ikev2_exchange_name(uint32_t v, char buf[static IKEV2_NAME_BUF]);
/* Short names as in the RFC 7296 1.2 diagrams: "SA", "KE", "IDi", "Nonce", "N" (notify),
 * "D", "V", "SK"... */
const char *ikev2_payload_name(uint32_t v, char buf[static IKEV2_NAME_BUF]);
const char *ikev2_notify_name(uint32_t v, char buf[static IKEV2_NAME_BUF]);
const char *ikev2_protocol_name(uint32_t v, char buf[static IKEV2_NAME_BUF]);
const char *ikev2_transform_type_name(uint32_t v, char buf[static IKEV2_NAME_BUF]);
/* The transform ID in the family its transform type selects. */
const char *ikev2_transform_id_name(uint32_t type, uint32_t id, char buf[static IKEV2_NAME_BUF]);
const char *ikev2_encr_name(uint32_t v, char buf[static IKEV2_NAME_BUF]);
const char *ikev2_prf_name(uint32_t v, char buf[static IKEV2_NAME_BUF]);
const char *ikev2_integ_name(uint32_t v, char buf[static IKEV2_NAME_BUF]);
const char *ikev2_dh_name(uint32_t v, char buf[static IKEV2_NAME_BUF]);
const char *ikev2_esn_name(uint32_t v, char buf[static IKEV2_NAME_BUF]);
const char *ikev2_id_type_name(uint32_t v, char buf[static IKEV2_NAME_BUF]);
const char *ikev2_auth_method_name(uint32_t v, char buf[static IKEV2_NAME_BUF]);
const char *ikev2_cert_encoding_name(uint32_t v, char buf[static IKEV2_NAME_BUF]);
const char *ikev2_ts_type_name(uint32_t v, char buf[static IKEV2_NAME_BUF]);
const char *ikev2_cfg_type_name(uint32_t v, char buf[static IKEV2_NAME_BUF]);
const char *ikev2_cfg_attr_name(uint32_t v, char buf[static IKEV2_NAME_BUF]);
const char *ikev2_hash_name(uint32_t v, char buf[static IKEV2_NAME_BUF]);
const char *eap_code_name(uint32_t v, char buf[static IKEV2_NAME_BUF]);
const char *eap_type_name(uint32_t v, char buf[static IKEV2_NAME_BUF]);
