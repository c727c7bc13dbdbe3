/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the profile importers share and nobody else needs: limits, the
 * import context that remembers where each field came from (so a message
 * names it in the file's own terms), reporting, and small parsers.
 */
#pragma once

#include <stdarg.h>

#include "profile.h"

/* Limits on everything a profile file controls. */
#define PROFILE_MAX_DEPTH     16            /* JSON/plist nesting */
#define PROFILE_MAX_NODES     8192          /* JSON values, plist objects, keyfile lines */
#define PROFILE_MAX_LIST      64            /* subnets, DNS servers, domains per list */
#define PROFILE_MAX_CA_CERTS  16
#define PROFILE_MAX_NAME      128  /* bytes of the display name */
#define PROFILE_MAX_STRING    1024 /* identities, host names, other strings */
#define PROFILE_MAX_BLOB      (512 * 1024) /* a decoded certificate, PKCS#12 or key */

/* Model fields, to name them in messages in the importer's own terms. */
enum pf {
        PF_NAME,
        PF_UUID,
        PF_HOST,
        PF_PORT,
        PF_REMOTE_ID,
        PF_SERVER_CN,
        PF_SERVER_CA_CN,
        PF_CA_TRUST,
        PF_CA_CERTS,
        PF_REVOCATION,
        PF_AUTH,
        PF_CERT_EAP_METHOD,
        PF_LOCAL_ID,
        PF_EAP_ID,
        PF_EAP_PASSWORD,
        PF_PKCS12,
        PF_CLIENT_CERT,
        PF_CLIENT_KEY,
        PF_PASSPHRASE,
        PF_KEY_TYPE,
        PF_IKE,
        PF_ESP,
        PF_IKE_LIFETIME,
        PF_IKE_MARGIN,
        PF_CHILD_LIFETIME,
        PF_CHILD_MARGIN,
        PF_DPD,
        PF_KEEPALIVE,
        PF_RETRANSMIT_TIMEOUT,
        PF_RETRANSMIT_TRIES,
        PF_REAUTH,
        PF_CHILD_BYTES,
        PF_CHILD_PACKETS,
        PF_MTU,
        PF_TUNNEL,
        PF_SUBNETS,
        PF_EXCLUDED,
        PF_KILL_SWITCH,
        PF_DNS_SERVERS,
        PF_DNS_SEARCH,
        PF_DNS_ROUTING,
        PF__COUNT,
};

struct import_ctx {
        struct profile_report *report;
        const struct profile_import_options *opts;
        int64_t now;
        const char *field[PF__COUNT]; /* where each field came from; NULL: keyfile name */
        const char **ca_field;        /* per CA certificate, n_ca_certs of them, or NULL */
        GStringChunk *strings;        /* owns the field names */
};

void import_ctx_init(struct import_ctx *c, struct profile_report *r,
                     const struct profile_import_options *opts);
void import_ctx_clear(struct import_ctx *c);
/* Remembers that model field f was read from the field named path. */
void ctx_set_field(struct import_ctx *c, enum pf f, const char *path);
/* The name of model field f in the file being imported. */
const char *ctx_field(const struct import_ctx *c, enum pf f);
/* Keeps a string for the duration of the import (for field names). */
const char *ctx_intern(struct import_ctx *c, const char *s);
_printf_(2, 3) const char *ctx_printf(struct import_ctx *c, const char *fmt, ...);
/* The keyfile name of each field ("[gateway] host"). */
const char *pf_keyfile_name(enum pf f);

_printf_(5, 6) void report_add(struct profile_report *r, enum profile_severity sev,
                               enum profile_code code, const char *field, const char *fmt, ...);
_printf_(5, 0) void report_addv(struct profile_report *r, enum profile_severity sev,
                               enum profile_code code, const char *field, const char *fmt,
                               va_list ap);
#define report_error(r, code, field, ...) report_add(r, PROFILE_ERROR, code, field, __VA_ARGS__)
#define report_warn(r, code, field, ...)  report_add(r, PROFILE_WARNING, code, field, __VA_ARGS__)

/* Checks a whole file before any parser sees it: size, NUL bytes and UTF-8,
 * reporting line and column. text: false for binary formats (only the size
 * is checked). Returns 0 or -EINVAL/-EFBIG with an error reported. */
int check_file_bytes(struct profile_report *r, const uint8_t *data, size_t len, bool text);

/* Checks one string value: UTF-8, no control characters, at most max bytes.
 * Returns NULL if fine, else a static explanation. */
const char *check_text(const char *s, size_t max);

/* Strict base64 (RFC 4648 4): the alphabet, '=' padding only at the end,
 * ASCII whitespace between characters only if allow_space. On failure
 * *ret_bad is the offset of the first bad character and a reason is
 * returned; NULL on success. */
const char *base64_decode_strict(const char *s, size_t len, bool allow_space, struct bytes *ret,
                                 size_t *ret_bad);

/* A DNS name (letters, digits, '-', '_', dots, labels 1..63, total <= 253)
 * or an IPv4/IPv6 literal. NULL if fine, else why not. */
const char *check_host(const char *s);
const char *check_domain(const char *s);
int parse_addr(const char *s, struct profile_addr *ret);
/* "10.0.0.0/8", "fd00::/8", or an address (/32, /128). NULL if fine, else why not. */
const char *parse_subnet(const char *s, struct profile_subnet *ret);
char *format_addr(const struct profile_addr *a);
char *format_subnet(const struct profile_subnet *s);
/* Decimal digits only, value <= max. */
int parse_u64(const char *s, uint64_t max, uint64_t *ret);
/* "90", "90s", "15m", "4h", "1d". */
int parse_duration(const char *s, uint32_t *ret);
char *format_duration(uint32_t seconds);
/* true/false, yes/no, on/off, 1/0 (case-insensitive). */
int parse_bool(const char *s, bool *ret);
/* Accepts any RFC 4122 text UUID, writes the lower-case form. */
int parse_uuid(const char *s, char ret[static 37]);

/* Shared list helpers for the model. */
void profile_add_ca(struct profile *p, struct bytes der);
int profile_add_subnet(struct profile_subnet **v, size_t *n, const struct profile_subnet *s);
int profile_add_dns(struct profile *p, const struct profile_addr *a);
void strv_add(char ***v, const char *s);
size_t strv_len(char *const *v);
void profile_set_str(char **dst, const char *s);
/* Replaces a secret string, wiping the old one. */
void profile_set_secret(char **dst, const char *s);
void secret_str_free(char *s);

/* pki.c: certificate and key checks, reporting under the given field. */
struct x509_st;
struct x509_st *pki_parse_der(struct slice der); /* one DER certificate, nothing after it */
int pki_check_ca(struct import_ctx *c, const char *field, struct slice der);
int pki_check_client(struct profile *p, struct import_ctx *c, const char *passphrase);

/* Runs every semantic check on a filled profile (validate.c). */
int profile_check(struct profile *p, struct import_ctx *c);

/* The format parsers: each fills a fresh profile from bytes already
 * checked by check_file_bytes(), then calls profile_check(). */
int keyfile_import(const uint8_t *data, size_t len, struct import_ctx *c, struct profile **ret);
int sswan_import(const uint8_t *data, size_t len, struct import_ctx *c, struct profile **ret);
int mobileconfig_import(const uint8_t *data, size_t len, struct import_ctx *c,
                        struct profile **ret);
