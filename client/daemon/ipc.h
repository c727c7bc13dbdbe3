/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The messages between tsunagud's privileged parent and an unprivileged
 * engine process, over a SOCK_SEQPACKET socketpair: one message per
 * datagram, each with a fixed layout (arrays always sent at their maximum
 * size, counts in front), so that the parent checks one exact size per type
 * before it reads a byte of the body. GLib-free: the fuzz target and the
 * engine process use it too.
 *
 *   0               1               2               3
 *   +---------------+---------------+---------------+---------------+
 *   |          type (be16)          |       body length (be16)      |
 *   +---------------+---------------+---------------+---------------+
 *   |   body (exactly ipc_body_size(type) bytes)                  ...
 *
 * Strings are fixed fields, NUL-padded; a field with no NUL, with bytes
 * after the first NUL that are not NUL, with control characters or with
 * invalid UTF-8 is refused. Numbers are big-endian.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IPC_HEADER_SIZE 4
#define IPC_MAX_MSG     8192 /* the largest message (IPC_APPLY) fits */

#define IPC_TEXT_MAX     256 /* state texts, prompts, apply errors (with NUL) */
#define IPC_LOG_MAX      512
#define IPC_SECRET_MAX   256
#define IPC_MAX_ADDRS    4 /* virtual addresses; the parent takes one per family */
#define IPC_MAX_DNS      8
#define IPC_MAX_DOMAINS  8
#define IPC_DOMAIN_MAX   254 /* 253 characters + NUL (RFC 1035 2.3.4) */
#define IPC_MAX_PREFIXES 64  /* included, and excluded, each */
#define IPC_MAX_DROPS    24
#define IPC_DROP_NAME    24
#define IPC_FQDN_MAX     256 /* a redirect's gateway name, 253 characters + NUL */
#define IPC_MAX_REDIRECTS 5  /* in a row (ENGINE_MAX_REDIRECTS; more is a loop) */

enum ipc_type {
        /* engine -> parent */
        IPC_STATE = 1,   /* a state change, with the reason when failed */
        IPC_APPLY,       /* apply this network configuration */
        IPC_REVERT,      /* undo it (reconnecting or going down) */
        IPC_NEED_SECRET, /* ask the user */
        IPC_LOG,         /* one log line, secrets already left out */
        IPC_STATUS,      /* counters and addresses in use */
        IPC_REDIRECT,    /* the gateway sends us elsewhere (RFC 5685): resolve, allow, re-point */
        /* parent -> engine */
        IPC_APPLY_RESULT = 32,
        IPC_SECRET,
        IPC_DISCONNECT,
        IPC_START,           /* after the secrets known up front: connect now */
        IPC_NETWORK_CHANGED, /* the sockets were re-connected on a new network */
        IPC_REDIRECT_READY,  /* the answer to IPC_REDIRECT */
};

/* Session states: the same order as D-Bus Session.State. */
enum ipc_state {
        IPC_ST_DISCONNECTED,
        IPC_ST_CONNECTING,
        IPC_ST_AUTHENTICATING,
        IPC_ST_CONNECTED,
        IPC_ST_RECONNECTING,
        IPC_ST_DISCONNECTING,
        IPC_ST_FAILED,
        IPC_ST__COUNT,
};

/* Why a session failed (IPC_STATE reason); D-Bus LastError names them.
 * The same codes, in the same order, as enum engine_error_code
 * (client/engine/engine.h; engine-child.c asserts it), plus the parent's own. */
enum ipc_reason {
        IPC_REASON_NONE,
        IPC_REASON_AUTH_FAILED_PASSWORD,
        IPC_REASON_AUTH_FAILED_CERT,
        IPC_REASON_AUTH_FAILED,
        IPC_REASON_GATEWAY_CERT_UNTRUSTED,
        IPC_REASON_GATEWAY_ID_MISMATCH,
        IPC_REASON_GATEWAY_AUTH_INVALID,
        IPC_REASON_NO_SECRET,
        IPC_REASON_NO_RESPONSE,
        IPC_REASON_NETWORK,
        IPC_REASON_PROFILE,
        IPC_REASON_PROPOSALS_REFUSED,
        IPC_REASON_CONFIG_REFUSED,
        IPC_REASON_PLATFORM,
        IPC_REASON_PROTOCOL,
        IPC_REASON_DELETED,
        IPC_REASON_REDIRECTED,
        IPC_REASON_INTERNAL,
        /* the parent's own */
        IPC_REASON_ENGINE_CRASHED,
        IPC_REASON__COUNT,
};

/* As enum engine_secret_kind. */
enum ipc_secret_kind {
        IPC_SECRET_PASSWORD,
        IPC_SECRET_PASSPHRASE,
        IPC_SECRET_USERNAME, /* the EAP identity: not secret, asked the same way */
        IPC_SECRET__COUNT,
};

struct ipc_prefix {
        uint8_t family; /* 4 or 6 */
        uint8_t prefixlen;
        uint8_t addr[16];
};

struct ipc_net_config {
        uint32_t mtu; /* 0: the parent decides */
        bool full_tunnel;
        uint8_t n_addrs;
        struct ipc_prefix addrs[IPC_MAX_ADDRS];
        uint8_t n_dns;
        struct ipc_prefix dns[IPC_MAX_DNS]; /* prefixlen ignored */
        uint8_t n_domains;
        char domains[IPC_MAX_DOMAINS][IPC_DOMAIN_MAX];
        uint16_t n_include;
        struct ipc_prefix include[IPC_MAX_PREFIXES];
        uint16_t n_exclude;
        struct ipc_prefix exclude[IPC_MAX_PREFIXES];
};

struct ipc_drop {
        char name[IPC_DROP_NAME]; /* [a-z0-9-], e.g. "replay" */
        uint64_t count;
};

struct ipc_status {
        uint64_t bytes_in, bytes_out, packets_in, packets_out;
        uint64_t connected_since;  /* Unix seconds, 0: not connected */
        struct ipc_prefix gateway; /* prefixlen ignored; family 0: unknown */
        uint16_t gateway_port;
        uint8_t n_drops;
        struct ipc_drop drops[IPC_MAX_DROPS];
};

/* A host address: family 4 or 6 with prefixlen 32 or 128 and a port, or
 * all zero (family 0, port 0) for "none / not known". */
struct ipc_endpoint {
        struct ipc_prefix addr;
        uint16_t port;
};

struct ipc_msg {
        enum ipc_type type;
        union {
                struct {
                        uint8_t state;   /* enum ipc_state */
                        uint16_t reason; /* enum ipc_reason */
                        char text[IPC_TEXT_MAX];
                } state;
                struct ipc_net_config apply;
                struct {
                        bool keep_kill_switch;
                } revert;
                struct {
                        uint8_t kind; /* enum ipc_secret_kind */
                        char prompt[IPC_TEXT_MAX];
                } need_secret;
                struct {
                        uint8_t priority; /* syslog LOG_ERR..LOG_DEBUG */
                        char text[IPC_LOG_MAX];
                } log;
                struct ipc_status status;
                struct {
                        int32_t error; /* 0 or a negative errno */
                        char text[IPC_TEXT_MAX];
                } apply_result;
                struct {
                        uint8_t kind;
                        int32_t error; /* 0: secret holds the answer; else why not */
                        uint16_t len;
                        uint8_t secret[IPC_SECRET_MAX]; /* SECRET: wipe after use */
                } secret;
                /* Exactly one of addr (prefixlen 32/128) and fqdn (a host
                 * name: letters, digits, '-', dots between labels of 1..63). */
                struct {
                        struct ipc_prefix addr; /* family 0 when fqdn */
                        char fqdn[IPC_FQDN_MAX];
                        uint8_t count; /* 1..IPC_MAX_REDIRECTS */
                } redirect;
                struct {
                        struct ipc_endpoint local; /* the sockets' new source; may be zero */
                } network_changed;
                /* error 0: gateway (required, port not 0) and local (may be
                 * zero) say where the sockets point now, text is empty.
                 * error < 0: refused, both endpoints zero, text says why. */
                struct {
                        int32_t error;
                        struct ipc_endpoint gateway;
                        struct ipc_endpoint local;
                        char text[IPC_TEXT_MAX];
                } redirect_ready;
        };
};

/* The body size of a type, or 0 for an unknown type. */
size_t ipc_body_size(enum ipc_type type);

/* Parses one datagram. Returns 0, or -EBADMSG (short, long, wrong length
 * field, a field out of its range), -EPROTO (unknown type). *ret is written
 * only on success; a SECRET message in it must be wiped by the caller. */
int ipc_parse(const void *buf, size_t len, struct ipc_msg *ret);

/* Serialises m into buf (at least IPC_MAX_MSG bytes). Returns the length or
 * -EINVAL (a field out of range, a string too long: whatever ipc_parse()
 * would refuse is not built). */
int ipc_build(const struct ipc_msg *m, uint8_t buf[static IPC_MAX_MSG]);

/* Copies s into a fixed field, cutting it at a UTF-8 boundary so that it
 * fits with its NUL, and replacing control characters with '?'. */
void ipc_set_text(char *dst, size_t size, const char *s);

/* Is s a DNS name of at most 253 characters (an optional final dot; RFC
 * 1035 2.3.4) made of RFC 1123 labels, with '_' in them too when underscore
 * is set (DNS domains: "_srv.corp.test")? ipc_fqdn_valid: a host name as
 * IPC_REDIRECT carries it. */
bool ipc_dns_name_valid(const char *s, bool underscore);
bool ipc_fqdn_valid(const char *s);

/* Sends/receives one message on a SOCK_SEQPACKET socket. send: 0 or
 * -errno. recv: 0, -EAGAIN, -EPIPE (peer gone), -EBADMSG/-EPROTO (the
 * datagram is dropped), -errno. Both wipe their buffers. */
int ipc_send(int fd, const struct ipc_msg *m);
int ipc_recv(int fd, struct ipc_msg *ret);

const char *ipc_state_to_string(enum ipc_state s);
const char *ipc_secret_kind_to_string(enum ipc_secret_kind k);
/* "auth-failed", ...: the reason codes of D-Bus Session.LastError. */
const char *ipc_reason_to_string(enum ipc_reason r);
