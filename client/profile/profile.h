/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The profile model shared by the daemon, the CLI and the GUI, and the
 * import/export entry points.
 *
 * One struct profile describes one VPN connection, whatever file it came
 * from: our keyfile format (FORMAT.md), strongSwan's .sswan (JSON) or the
 * IKEv2 payload of an Apple .mobileconfig (plain or CMS-signed). Importing
 * is all or nothing: either a complete, validated profile comes back (with
 * warnings in the report), or nothing and every error in the report, each
 * naming the file, the field and what was expected.
 *
 * Secrets held by a profile (EAP password, PKCS#12, private key, their
 * passphrase) are wiped when it is freed or when profile_drop_secrets()
 * is called. Strings are UTF-8, allocated with GLib, owned by the profile.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "client/common/bytes.h"
#include "client/common/macro.h"
#include "client/profile/proposal.h"

#define PROFILE_FORMAT_VERSION 1
#define PROFILE_MAX_FILE_SIZE  (1024 * 1024) /* bytes of one profile file, any format */
#ifndef PROFILE_TRUST_DIR
#define PROFILE_TRUST_DIR "/etc/tsunagu/trust"
#endif

/* How the client authenticates (the gateway always authenticates with a
 * certificate). */
enum profile_auth {
        PROFILE_AUTH_EAP_MSCHAPV2, /* EAP-only (RFC 5998), username + password */
        PROFILE_AUTH_EAP_MD5,      /* EAP-only, username + password */
        PROFILE_AUTH_EAP_TLS,      /* EAP-only, client certificate inside EAP (RFC 5216) */
        PROFILE_AUTH_CERT,         /* IKEv2 certificate authentication (RFC 7296 2.15) */
        PROFILE_AUTH_CERT_EAP,     /* certificate, then EAP (RFC 4739); method in cert_eap_method */
        PROFILE_AUTH__COUNT,
};

enum profile_ca_trust {
        PROFILE_CA_SYSTEM,   /* the system's trust store */
        PROFILE_CA_EMBEDDED, /* only the certificates in ca_certs */
};

enum profile_tunnel {
        PROFILE_TUNNEL_FULL,  /* all traffic (0.0.0.0/0 and ::/0), minus excluded */
        PROFILE_TUNNEL_SPLIT, /* only subnets (or what the gateway offers when empty), minus excluded */
};

/* Which kind of key the client certificate must have (Apple's
 * CertificateType); ANY accepts what the key is. */
enum profile_key_type {
        PROFILE_KEY_ANY,
        PROFILE_KEY_RSA,
        PROFILE_KEY_ECDSA256,
        PROFILE_KEY_ECDSA384,
        PROFILE_KEY_ECDSA521,
        PROFILE_KEY_ED25519,
        PROFILE_KEY__COUNT,
};

/* Settings a user may change; IT locks the others (keyfile key
 * [profile] user-may-change). */
enum profile_setting {
        PROFILE_SETTING_NAME          = 1u << 0,
        PROFILE_SETTING_GATEWAY       = 1u << 1,  /* host, port, remote-id */
        PROFILE_SETTING_CA            = 1u << 2,  /* trust, certificates, revocation */
        PROFILE_SETTING_CREDENTIALS   = 1u << 3,  /* identities, password, certificate, key */
        PROFILE_SETTING_AUTH_METHOD   = 1u << 4,
        PROFILE_SETTING_PROPOSALS     = 1u << 5,
        PROFILE_SETTING_LIFETIMES     = 1u << 6,
        PROFILE_SETTING_DPD           = 1u << 7,  /* DPD interval, NAT keepalive */
        PROFILE_SETTING_MTU           = 1u << 8,
        PROFILE_SETTING_ROUTES        = 1u << 9,  /* mode, subnets, excluded */
        PROFILE_SETTING_DNS           = 1u << 10,
        PROFILE_SETTING_BLOCK         = 1u << 11, /* block-ipv4, block-ipv6 */
        PROFILE_SETTING_KILL_SWITCH   = 1u << 12, /* kill switch, allow LAN */
        PROFILE_SETTING_AUTO_CONNECT  = 1u << 13,
        PROFILE_SETTING_MOBIKE        = 1u << 14, /* MOBIKE, redirect */
        PROFILE_SETTING_FRAGMENTATION = 1u << 15,
        PROFILE_SETTINGS_ALL          = (1u << 16) - 1,
};

struct profile_addr {
        int family;       /* AF_INET or AF_INET6 */
        uint8_t addr[16]; /* network byte order; 4 bytes used for AF_INET */
};

struct profile_subnet {
        int family;
        uint8_t addr[16]; /* host bits are zero */
        uint8_t prefixlen;
};

/* [crypto] child-lifetime-bytes / -packets: 0, or these minimums up to
 * PROFILE_AMOUNT_MAX (2^62). */
#define PROFILE_AMOUNT_MAX        (UINT64_C(1) << 62)
#define PROFILE_CHILD_BYTES_MIN   (UINT64_C(1) << 20)
#define PROFILE_CHILD_PACKETS_MIN UINT64_C(1000)

struct profile {
        char *name;
        char uuid[37]; /* RFC 4122 text form, lower case */

        /* gateway */
        char *host;         /* DNS name (ASCII) or IP literal */
        uint16_t port;      /* default 500 (RFC 7296 2) */
        char *remote_id;    /* IDr to require; NULL: the host */
        char *server_cn;    /* the gateway certificate's subject CN must be this (Apple), or NULL */
        char *server_ca_cn; /* its issuer's CN must be this (Apple), or NULL */

        /* trust */
        enum profile_ca_trust ca_trust;
        struct bytes *ca_certs; /* DER X.509 */
        size_t n_ca_certs;
        bool send_certreq;      /* default true */
        bool revocation_crl;    /* default true */
        bool revocation_ocsp;   /* default true */
        bool revocation_strict; /* fail when the status is unknown; default false */

        /* client authentication */
        enum profile_auth auth;
        uint8_t cert_eap_method; /* PROFILE_AUTH_CERT_EAP: EAP_TYPE_MSCHAPV2 (default) or EAP_TYPE_MD5 */
        char *local_id;          /* IDi; NULL: the certificate subject, or the IP address */
        char *eap_id;            /* EAP identity; NULL: asked when connecting */
        char *eap_password;      /* SECRET; NULL unless the user agreed to store it */
        struct bytes client_pkcs12; /* SECRET; DER PKCS#12 (certificate, key, chain) */
        struct bytes client_cert;   /* DER X.509, when given with client_key instead */
        struct bytes client_key;    /* SECRET; PEM private key, maybe encrypted */
        char *client_passphrase;    /* SECRET; of client_pkcs12/client_key, if stored */
        enum profile_key_type key_type;
        bool rsa_pss; /* RSA signatures with PSS (RFC 7427) */

        /* IKE and ESP */
        char *ike_proposal; /* as written (strongSwan syntax); NULL: defaults */
        char *esp_proposal;
        struct proposal_list ike; /* effective: parsed, defaults appended unless strict */
        struct proposal_list esp;
        uint32_t ike_lifetime;       /* seconds; default 4 h */
        uint32_t ike_rekey_margin;   /* rekey this long before; default 10 min */
        uint32_t child_lifetime;     /* default 1 h */
        uint32_t child_rekey_margin; /* default 5 min */
        uint64_t child_lifetime_bytes;   /* rekey a CHILD SA after this many bytes in
                                          * either direction; 0 = no limit (default) */
        uint64_t child_lifetime_packets; /* ... packets; 0 = no limit (default) */
        bool esn;                    /* offer extended sequence numbers (RFC 4303
                                      * 2.2.1) first in every ESP proposal; default false */
        uint32_t dpd_interval;       /* seconds, 0 = off; default 30 */
        uint32_t nat_keepalive;      /* seconds, 0 = off; default 20 (RFC 3948 4) */
        uint32_t retransmit_timeout; /* seconds before the first retransmission; default 4 */
        uint32_t retransmit_tries;   /* retransmissions before giving up; default 5 (RFC 7296
                                      * 2.1, strongSwan's defaults: about 165 s in all) */
        uint32_t reauth_time;        /* seconds, 0 = off (default): make a new IKE SA
                                      * with a new authentication this often (RFC 4478
                                      * re-authentication; the gateway may ask sooner) */
        uint32_t mtu;                /* of the tunnel interface; 0 = automatic */
        bool mobike;                 /* RFC 4555; default true */
        bool fragmentation;          /* RFC 7383; default true */
        bool redirect;               /* accept RFC 5685 redirects; default true */
        bool ipv6_transport;         /* may reach the gateway over IPv6; default false */

        /* routes */
        enum profile_tunnel tunnel;
        struct profile_subnet *subnets; /* split: what goes through the tunnel */
        size_t n_subnets;
        struct profile_subnet *excluded; /* never through the tunnel */
        size_t n_excluded;
        bool block_ipv4; /* drop IPv4 not covered by the tunnel */
        bool block_ipv6;
        bool kill_switch; /* nothing leaves outside the tunnel while up or reconnecting;
                           * default: on for full tunnel, off for split */
        bool allow_lan;   /* with the kill switch: the local network stays reachable */

        /* DNS */
        bool dns_use_gateway; /* use the servers the gateway assigns (CP); default true */
        struct profile_addr *dns_servers;
        size_t n_dns_servers;
        char **dns_search;  /* NULL-terminated; search domains */
        char **dns_routing; /* NULL-terminated; names resolved through the tunnel only */

        bool auto_connect;
        uint32_t user_may_change; /* enum profile_setting bits */
};

enum profile_format {
        PROFILE_FORMAT_AUTO,
        PROFILE_FORMAT_KEYFILE,
        PROFILE_FORMAT_SSWAN,
        PROFILE_FORMAT_MOBILECONFIG,
};

enum profile_signature {
        PROFILE_SIGNATURE_NONE,      /* not signed */
        PROFILE_SIGNATURE_TRUSTED,   /* valid, chains to an anchor in the trust directory */
        PROFILE_SIGNATURE_UNTRUSTED, /* valid signature, signer not trusted (a warning) */
};

enum profile_severity {
        PROFILE_WARNING,
        PROFILE_ERROR,
};

enum profile_code {
        PROFILE_E_SYNTAX,      /* the file does not parse */
        PROFILE_E_ENCODING,    /* not UTF-8, NUL byte */
        PROFILE_E_LIMIT,       /* size, nesting, count or length limit */
        PROFILE_E_MISSING,     /* a required field is absent */
        PROFILE_E_TYPE,        /* a field has the wrong type */
        PROFILE_E_VALUE,       /* a field's value is not acceptable */
        PROFILE_E_BASE64,      /* bad base64 */
        PROFILE_E_CERT,        /* certificate unreadable, expired, not yet valid */
        PROFILE_E_KEY,         /* key unreadable or not matching its certificate */
        PROFILE_E_PASSPHRASE,  /* wrong passphrase */
        PROFILE_E_SIGNATURE,   /* a CMS signature that does not verify */
        PROFILE_E_UNSUPPORTED, /* valid in its format, not supported by tsunagu */
        PROFILE_E_INTERNAL,    /* out of memory, built without a library */
        PROFILE_W_UNKNOWN,     /* unknown field: ignored */
        PROFILE_W_IGNORED,     /* known field that means nothing here: ignored */
        PROFILE_W_SECRET,      /* a secret in the file was not kept */
        PROFILE_W_UNTRUSTED,   /* signature valid, signer not trusted */
        PROFILE_W_WEAK,        /* weak algorithm or setting */
        PROFILE_W_NOTE,        /* anything else the user should read */
};

struct profile_diag {
        enum profile_severity severity;
        enum profile_code code;
        char *file;    /* the name given at import */
        char *field;   /* "[gateway] host", "/remote/addr", "PayloadContent[0]/IKEv2/RemoteAddress",
                        * or "" for the file as a whole */
        char *message; /* what is wrong and what was expected */
};

struct profile_report {
        GPtrArray *diags; /* of struct profile_diag *, in the order found */
        unsigned n_errors;
        unsigned n_warnings;
        enum profile_format format;       /* the format that was read */
        enum profile_signature signature; /* .mobileconfig: signed? trusted? */
        char *signer;                     /* subject of the CMS signer (RFC 2253), or NULL */
        char *file;                       /* name used in messages */
};

struct profile_import_options {
        const char *filename;       /* used in messages and to detect the format; NULL: "profile" */
        enum profile_format format; /* AUTO: from content, then file name */
        bool keep_secrets;          /* the user agreed to store secrets found in the file */
        const char *passphrase;     /* of an embedded PKCS#12 or key; NULL: not given */
        const char *trust_dir;      /* anchors for signed .mobileconfig; NULL: PROFILE_TRUST_DIR */
        int64_t now;                /* Unix time for validity checks; 0: now */
};

enum profile_write_flags {
        PROFILE_WRITE_SECRETS      = 1u << 0, /* include secrets (storage; explicit export) */
        PROFILE_WRITE_MASK_SECRETS = 1u << 1, /* show "********" where a secret is (display) */
};

#define PROFILE_SECRET_MASK "********"

/* ------------------------------------------------------------ model */

/* A profile with every default set and no name, host or uuid. */
struct profile *profile_new(void);
/* Wipes the secrets, frees everything. NULL-safe. */
void profile_free(struct profile *p);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct profile *, profile_free) /* _cleanup_(profile_freep) */

bool profile_has_secrets(const struct profile *p);
/* Wipes and frees a string that may hold a secret (NULL-safe): passwords,
 * and what profile_to_keyfile()/profile_to_sswan() return with
 * PROFILE_WRITE_SECRETS. */
void profile_secret_free(char *s);
/* Wipes and forgets the EAP password, PKCS#12, private key and passphrase. */
void profile_drop_secrets(struct profile *p);
/* Wipes and forgets only the passwords (EAP password, passphrase). */
void profile_drop_passwords(struct profile *p);

/* Which settings (enum profile_setting bits) differ between a and b, for
 * the daemon to hold a user's edit against p->user_may_change. A change of
 * user_may_change itself reports every bit: only IT may change the locks. */
uint32_t profile_changed_settings(const struct profile *a, const struct profile *b);

/* The EAP method number to run (EAP_TYPE_* of client/ike/ikev2.h), or 0. */
uint8_t profile_eap_type(const struct profile *p);
bool profile_auth_uses_certificate(enum profile_auth a);
bool profile_auth_uses_password(enum profile_auth a);

const char *profile_auth_to_string(enum profile_auth a); /* "eap-mschapv2", ... */
int profile_auth_from_string(const char *s, enum profile_auth *ret);
const char *profile_key_type_to_string(enum profile_key_type t); /* "any", "rsa", ... */
const char *profile_format_to_string(enum profile_format f);
const char *profile_code_to_string(enum profile_code c);
/* "eap-mschapv2"-style name of one setting bit, or NULL. */
const char *profile_setting_to_string(enum profile_setting s);
int profile_setting_from_string(const char *s, enum profile_setting *ret);

/* ------------------------------------------------------------ reports */

void profile_report_init(struct profile_report *r);
void profile_report_clear(struct profile_report *r);
/* "FILE: FIELD: MESSAGE" (or "FILE: MESSAGE"), g_free() it. */
char *profile_diag_format(const struct profile_diag *d);
/* The first diagnostic whose field equals field, or NULL (for tests and UIs). */
const struct profile_diag *profile_report_find(const struct profile_report *r, const char *field);

/* ------------------------------------------------------------ import and export */

/* Detects the format of data (content first, then the file name's extension). */
enum profile_format profile_detect_format(const void *data, size_t len, const char *filename);

/* Parses and validates data. Returns 0 and *ret (warnings in report), or a
 * negative errno with every error in report: -EINVAL invalid profile,
 * -EBADMSG broken signature, -EFBIG over a limit, -ENOTSUP format support
 * not built in, -ENOMEM. report must have been initialised; it is appended to. */
int profile_import(const void *data, size_t len, const struct profile_import_options *opts,
                   struct profile **ret, struct profile_report *report);

/* Our keyfile format; flags: enum profile_write_flags. Never fails. */
char *profile_to_keyfile(const struct profile *p, unsigned flags);

/* strongSwan .sswan JSON. What .sswan cannot express is reported as
 * warnings in report (may be NULL). Returns 0, or -ENOTSUP without json-glib. */
int profile_to_sswan(const struct profile *p, unsigned flags, char **ret,
                     struct profile_report *report);

/* Validates a profile built or changed in code (the importers call it too):
 * fields, proposals (fills p->ike/p->esp), certificates and keys. Returns 0
 * or -EINVAL with errors in report, whose fields are named as in our keyfile
 * format. passphrase may be NULL; now 0 means the current time. */
int profile_validate(struct profile *p, const char *passphrase, int64_t now,
                     struct profile_report *report);
