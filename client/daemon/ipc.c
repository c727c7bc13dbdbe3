/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Parent <-> engine messages: see ipc.h. The parser is written for a hostile
 * engine: the exact size per type is checked first, then every field; unused
 * array slots and string padding must be zero, so that there is exactly one
 * encoding of every message.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "client/common/bytes.h"
#include "client/common/macro.h"
#include "client/common/rbuf.h"
#include "client/common/wbuf.h"
#include "client/daemon/ipc.h"

#define PREFIX_WIRE 18 /* family, prefixlen, 16 address bytes */
#define DROP_WIRE   (IPC_DROP_NAME + 8)
#define ENDPOINT_WIRE (PREFIX_WIRE + 2)

static const size_t body_sizes[] = {
        [IPC_STATE] = 1 + 2 + IPC_TEXT_MAX,
        [IPC_APPLY] = 4 + 1 + 1 + IPC_MAX_ADDRS * PREFIX_WIRE + 1 + IPC_MAX_DNS * PREFIX_WIRE + 1 +
                      IPC_MAX_DOMAINS * IPC_DOMAIN_MAX + 2 + IPC_MAX_PREFIXES * PREFIX_WIRE + 2 +
                      IPC_MAX_PREFIXES * PREFIX_WIRE,
        [IPC_REVERT] = 1,
        [IPC_NEED_SECRET] = 1 + IPC_TEXT_MAX,
        [IPC_LOG] = 1 + IPC_LOG_MAX,
        [IPC_STATUS] = 5 * 8 + PREFIX_WIRE + 2 + 1 + IPC_MAX_DROPS * DROP_WIRE,
        [IPC_APPLY_RESULT] = 4 + IPC_TEXT_MAX,
        [IPC_SECRET] = 1 + 4 + 2 + IPC_SECRET_MAX,
        [IPC_REDIRECT] = PREFIX_WIRE + IPC_FQDN_MAX + 1,
        [IPC_DISCONNECT] = 0,
        [IPC_START] = 0,
        [IPC_NETWORK_CHANGED] = ENDPOINT_WIRE,
        [IPC_REDIRECT_READY] = 4 + 2 * ENDPOINT_WIRE + IPC_TEXT_MAX,
};

size_t ipc_body_size(enum ipc_type type)
{
        if ((size_t)type >= ARRAY_SIZE(body_sizes))
                return 0;
        return body_sizes[type];
}

static bool type_known(unsigned type)
{
        return (type >= IPC_STATE && type <= IPC_REDIRECT) ||
               (type >= IPC_APPLY_RESULT && type <= IPC_REDIRECT_READY);
}

/* ---------------------------------------------------------------- text */

/* Length of the UTF-8 sequence at s (at most n bytes), 0 if invalid:
 * RFC 3629 4 (no overlongs, no surrogates, nothing above U+10FFFF). */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
        unsigned c = s[0];
        size_t len;
        uint32_t cp;

        if (c < 0x80)
                return 1;
        if (c >= 0xc2 && c <= 0xdf) {
                len = 2;
                cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
                len = 3;
                cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
                len = 4;
                cp = c & 0x07;
        } else
                return 0;
        if (len > n)
                return 0;
        for (size_t i = 1; i < len; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                cp = (cp << 6) | (s[i] & 0x3f);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
            (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        return len;
}

/* A fixed string field: a NUL inside, zeros after it, printable UTF-8 before. */
static int text_check(const char *field, size_t size)
{
        const unsigned char *s = (const unsigned char *)field;
        size_t n = strnlen(field, size);

        if (n == size)
                return -EBADMSG;
        for (size_t i = n; i < size; i++)
                if (s[i] != 0)
                        return -EBADMSG;
        for (size_t i = 0; i < n;) {
                size_t l;

                if (s[i] < 0x20 || s[i] == 0x7f)
                        return -EBADMSG;
                l = utf8_seq(s + i, n - i);
                if (l == 0)
                        return -EBADMSG;
                i += l;
        }
        return 0;
}

void ipc_set_text(char *dst, size_t size, const char *s)
{
        const unsigned char *u = (const unsigned char *)(s ? s : "");
        size_t out = 0;

        memset(dst, 0, size);
        if (size == 0)
                return;
        for (size_t i = 0; u[i] != 0;) {
                size_t l = utf8_seq(u + i, strlen((const char *)u + i));

                if (l == 0 || u[i] < 0x20 || u[i] == 0x7f) {
                        /* not UTF-8, or a control character */
                        if (out + 1 >= size)
                                break;
                        dst[out++] = '?';
                        i++;
                        continue;
                }
                if (out + l >= size)
                        break;
                memcpy(dst + out, u + i, l);
                out += l;
                i += l;
        }
}

/* RFC 1123 2.1 host names: labels of letters, digits and hyphens, 1..63
 * long, not starting or ending with a hyphen; 253 characters without the
 * optional final dot (RFC 1035 2.3.4). */
bool ipc_dns_name_valid(const char *s, bool underscore)
{
        size_t n = strnlen(s, IPC_FQDN_MAX), label = 0;

        if (n == 0 || n == IPC_FQDN_MAX)
                return false;
        if (s[n - 1] == '.')
                n--;
        if (n == 0 || n > 253)
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = s[i];

                if (c == '.') {
                        if (label == 0 || s[i - 1] == '-')
                                return false;
                        label = 0;
                        continue;
                }
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || (underscore && c == '_')))
                        return false;
                if (c == '-' && label == 0)
                        return false;
                if (++label > 63)
                        return false;
        }
        return label > 0 && s[n - 1] != '-';
}

bool ipc_fqdn_valid(const char *s)
{
        return ipc_dns_name_valid(s, false);
}

/* ---------------------------------------------------------------- parse */

static int read_text(struct rbuf *r, char *dst, size_t size)
{
        int e = rbuf_copy(r, dst, size);

        return e < 0 ? e : text_check(dst, size);
}

static bool all_zero(const uint8_t *p, size_t n)
{
        uint8_t acc = 0;

        for (size_t i = 0; i < n; i++)
                acc |= p[i];
        return acc == 0;
}

static int read_prefix(struct rbuf *r, struct ipc_prefix *ret, bool used)
{
        uint8_t raw[PREFIX_WIRE];
        int e = rbuf_copy(r, raw, sizeof(raw));

        if (e < 0)
                return e;
        if (!used)
                return all_zero(raw, sizeof(raw)) ? 0 : -EBADMSG;
        if (raw[0] == 4) {
                if (raw[1] > 32 || !all_zero(raw + 2 + 4, 12))
                        return -EBADMSG;
        } else if (raw[0] == 6) {
                if (raw[1] > 128)
                        return -EBADMSG;
        } else
                return -EBADMSG;
        ret->family = raw[0];
        ret->prefixlen = raw[1];
        memcpy(ret->addr, raw + 2, 16);
        return 0;
}

static int read_prefixes(struct rbuf *r, struct ipc_prefix *arr, size_t max, size_t n)
{
        if (n > max)
                return -EBADMSG;
        for (size_t i = 0; i < max; i++) {
                int e = read_prefix(r, &arr[i], i < n);

                if (e < 0)
                        return e;
        }
        return 0;
}

/* A host address and port (struct ipc_endpoint); all zero when !used. A
 * used one has the full prefix length, so that it has one encoding. */
static int read_endpoint(struct rbuf *r, struct ipc_endpoint *ret, bool used)
{
        uint8_t fam;
        int e;

        if ((e = rbuf_peek_u8(r, &fam)) < 0)
                return e;
        if (used != (fam != 0))
                return -EBADMSG;
        if ((e = read_prefix(r, &ret->addr, used)) < 0 || (e = rbuf_be16(r, &ret->port)) < 0)
                return e;
        if (!used)
                return ret->port == 0 ? 0 : -EBADMSG;
        if (ret->addr.prefixlen != (ret->addr.family == 4 ? 32 : 128))
                return -EBADMSG;
        return 0;
}

static int parse_apply(struct rbuf *r, struct ipc_net_config *c)
{
        uint8_t u8;
        int e;

        if ((e = rbuf_be32(r, &c->mtu)) < 0 || (e = rbuf_u8(r, &u8)) < 0)
                return e;
        if (u8 > 1)
                return -EBADMSG;
        c->full_tunnel = u8;
        if ((e = rbuf_u8(r, &c->n_addrs)) < 0 ||
            (e = read_prefixes(r, c->addrs, IPC_MAX_ADDRS, c->n_addrs)) < 0)
                return e;
        if ((e = rbuf_u8(r, &c->n_dns)) < 0 ||
            (e = read_prefixes(r, c->dns, IPC_MAX_DNS, c->n_dns)) < 0)
                return e;
        if ((e = rbuf_u8(r, &c->n_domains)) < 0)
                return e;
        if (c->n_domains > IPC_MAX_DOMAINS)
                return -EBADMSG;
        for (size_t i = 0; i < IPC_MAX_DOMAINS; i++) {
                if ((e = read_text(r, c->domains[i], IPC_DOMAIN_MAX)) < 0)
                        return e;
                if (i >= c->n_domains && c->domains[i][0] != 0)
                        return -EBADMSG;
                if (i < c->n_domains && c->domains[i][0] == 0)
                        return -EBADMSG;
        }
        if ((e = rbuf_be16(r, &c->n_include)) < 0 ||
            (e = read_prefixes(r, c->include, IPC_MAX_PREFIXES, c->n_include)) < 0)
                return e;
        if ((e = rbuf_be16(r, &c->n_exclude)) < 0 ||
            (e = read_prefixes(r, c->exclude, IPC_MAX_PREFIXES, c->n_exclude)) < 0)
                return e;
        return 0;
}

static int parse_status(struct rbuf *r, struct ipc_status *s)
{
        int e;

        if ((e = rbuf_be64(r, &s->bytes_in)) < 0 || (e = rbuf_be64(r, &s->bytes_out)) < 0 ||
            (e = rbuf_be64(r, &s->packets_in)) < 0 || (e = rbuf_be64(r, &s->packets_out)) < 0 ||
            (e = rbuf_be64(r, &s->connected_since)) < 0)
                return e;
        {
                uint8_t fam;

                if ((e = rbuf_peek_u8(r, &fam)) < 0 ||
                    (e = read_prefix(r, &s->gateway, fam != 0)) < 0)
                        return e;
        }
        if ((e = rbuf_be16(r, &s->gateway_port)) < 0 || (e = rbuf_u8(r, &s->n_drops)) < 0)
                return e;
        if (s->n_drops > IPC_MAX_DROPS)
                return -EBADMSG;
        for (size_t i = 0; i < IPC_MAX_DROPS; i++) {
                struct ipc_drop *d = &s->drops[i];

                if ((e = read_text(r, d->name, IPC_DROP_NAME)) < 0 ||
                    (e = rbuf_be64(r, &d->count)) < 0)
                        return e;
                if (i >= s->n_drops) {
                        if (d->name[0] != 0 || d->count != 0)
                                return -EBADMSG;
                        continue;
                }
                if (d->name[0] == 0)
                        return -EBADMSG;
                for (const char *c = d->name; *c; c++)
                        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-'))
                                return -EBADMSG;
        }
        return 0;
}

int ipc_parse(const void *buf, size_t len, struct ipc_msg *ret)
{
        struct rbuf r;
        uint16_t type, body_len;
        uint8_t u8;
        struct ipc_msg m;
        int e;

        rbuf_init(&r, buf, len);
        if (rbuf_be16(&r, &type) < 0 || rbuf_be16(&r, &body_len) < 0)
                return -EBADMSG;
        if (!type_known(type))
                return -EPROTO;
        if (body_len != body_sizes[type] || rbuf_left(&r) != body_len)
                return -EBADMSG;

        memset(&m, 0, sizeof(m));
        m.type = type;
        switch ((enum ipc_type)type) {
        case IPC_STATE:
                if ((e = rbuf_u8(&r, &m.state.state)) < 0 ||
                    (e = rbuf_be16(&r, &m.state.reason)) < 0 ||
                    (e = read_text(&r, m.state.text, sizeof(m.state.text))) < 0)
                        goto fail;
                if (m.state.state >= IPC_ST__COUNT || m.state.reason >= IPC_REASON__COUNT)
                        goto bad;
                break;
        case IPC_APPLY:
                if ((e = parse_apply(&r, &m.apply)) < 0)
                        goto fail;
                break;
        case IPC_REVERT:
                if ((e = rbuf_u8(&r, &u8)) < 0)
                        goto fail;
                if (u8 > 1)
                        goto bad;
                m.revert.keep_kill_switch = u8;
                break;
        case IPC_NEED_SECRET:
                if ((e = rbuf_u8(&r, &m.need_secret.kind)) < 0 ||
                    (e = read_text(&r, m.need_secret.prompt, sizeof(m.need_secret.prompt))) < 0)
                        goto fail;
                if (m.need_secret.kind >= IPC_SECRET__COUNT)
                        goto bad;
                break;
        case IPC_LOG:
                if ((e = rbuf_u8(&r, &m.log.priority)) < 0 ||
                    (e = read_text(&r, m.log.text, sizeof(m.log.text))) < 0)
                        goto fail;
                if (m.log.priority > 7)
                        goto bad;
                break;
        case IPC_STATUS:
                if ((e = parse_status(&r, &m.status)) < 0)
                        goto fail;
                break;
        case IPC_APPLY_RESULT: {
                uint32_t v;

                if ((e = rbuf_be32(&r, &v)) < 0 ||
                    (e = read_text(&r, m.apply_result.text, sizeof(m.apply_result.text))) < 0)
                        goto fail;
                m.apply_result.error = (int32_t)v;
                if (m.apply_result.error > 0)
                        goto bad;
                break;
        }
        case IPC_SECRET: {
                uint32_t v;

                if ((e = rbuf_u8(&r, &m.secret.kind)) < 0 || (e = rbuf_be32(&r, &v)) < 0 ||
                    (e = rbuf_be16(&r, &m.secret.len)) < 0 ||
                    (e = rbuf_copy(&r, m.secret.secret, IPC_SECRET_MAX)) < 0)
                        goto fail;
                m.secret.error = (int32_t)v;
                if (m.secret.kind >= IPC_SECRET__COUNT || m.secret.error > 0 ||
                    m.secret.len > IPC_SECRET_MAX || (m.secret.error < 0 && m.secret.len != 0) ||
                    !all_zero(m.secret.secret + m.secret.len, IPC_SECRET_MAX - m.secret.len))
                        goto bad;
                break;
        }
        case IPC_REDIRECT: {
                uint8_t fam;

                if ((e = rbuf_peek_u8(&r, &fam)) < 0 ||
                    (e = read_prefix(&r, &m.redirect.addr, fam != 0)) < 0 ||
                    (e = read_text(&r, m.redirect.fqdn, sizeof(m.redirect.fqdn))) < 0 ||
                    (e = rbuf_u8(&r, &m.redirect.count)) < 0)
                        goto fail;
                if (m.redirect.count < 1 || m.redirect.count > IPC_MAX_REDIRECTS)
                        goto bad;
                if (fam != 0) {
                        /* An address, and no name with it. */
                        if (m.redirect.addr.prefixlen != (fam == 4 ? 32 : 128) ||
                            m.redirect.fqdn[0] != 0)
                                goto bad;
                } else if (!ipc_fqdn_valid(m.redirect.fqdn))
                        goto bad;
                break;
        }
        case IPC_NETWORK_CHANGED: {
                uint8_t fam;

                if ((e = rbuf_peek_u8(&r, &fam)) < 0 ||
                    (e = read_endpoint(&r, &m.network_changed.local, fam != 0)) < 0)
                        goto fail;
                break;
        }
        case IPC_REDIRECT_READY: {
                struct ipc_endpoint *gw = &m.redirect_ready.gateway;
                uint32_t v;
                uint8_t fam;
                bool ok;

                if ((e = rbuf_be32(&r, &v)) < 0)
                        goto fail;
                m.redirect_ready.error = (int32_t)v;
                if (m.redirect_ready.error > 0)
                        goto bad;
                ok = m.redirect_ready.error == 0;
                if ((e = read_endpoint(&r, gw, ok)) < 0 || (e = rbuf_peek_u8(&r, &fam)) < 0 ||
                    (e = read_endpoint(&r, &m.redirect_ready.local, ok && fam != 0)) < 0 ||
                    (e = read_text(&r, m.redirect_ready.text, sizeof(m.redirect_ready.text))) < 0)
                        goto fail;
                /* The sockets are re-connected to the same family; the
                 * gateway needs a port; a refusal says why, an answer does not. */
                if (ok && (gw->port == 0 || m.redirect_ready.text[0] != 0 ||
                           (m.redirect_ready.local.addr.family != 0 &&
                            m.redirect_ready.local.addr.family != gw->addr.family)))
                        goto bad;
                if (!ok && m.redirect_ready.text[0] == 0)
                        goto bad;
                break;
        }
        case IPC_DISCONNECT:
        case IPC_START:
                break;
        }
        if (!rbuf_empty(&r))
                goto bad;
        *ret = m;
        secure_wipe(&m, sizeof(m));
        return 0;
bad:
        e = -EBADMSG;
fail:
        secure_wipe(&m, sizeof(m));
        return e == -EPROTO ? e : -EBADMSG;
}

/* ---------------------------------------------------------------- build */

static void put_text(struct wbuf *w, const char *s, size_t size)
{
        size_t n = strnlen(s, size);

        if (n == size) {
                w->err = -EINVAL;
                return;
        }
        wbuf_bytes(w, s, n);
        wbuf_zero(w, size - n);
}

static void put_endpoint(struct wbuf *w, const struct ipc_endpoint *ep)
{
        if (ep->addr.family == 0) {
                if (ep->port != 0 || !all_zero(ep->addr.addr, 16) || ep->addr.prefixlen != 0)
                        w->err = -EINVAL; /* a port without an address */
                wbuf_zero(w, ENDPOINT_WIRE);
                return;
        }
        wbuf_u8(w, ep->addr.family);
        wbuf_u8(w, ep->addr.prefixlen);
        wbuf_bytes(w, ep->addr.addr, 16);
        wbuf_be16(w, ep->port);
}

static void put_prefixes(struct wbuf *w, const struct ipc_prefix *arr, size_t max, size_t n)
{
        if (n > max) {
                w->err = -EINVAL;
                return;
        }
        for (size_t i = 0; i < max; i++) {
                if (i >= n) {
                        wbuf_zero(w, PREFIX_WIRE);
                        continue;
                }
                wbuf_u8(w, arr[i].family);
                wbuf_u8(w, arr[i].prefixlen);
                wbuf_bytes(w, arr[i].addr, 16);
        }
}

int ipc_build(const struct ipc_msg *m, uint8_t buf[static IPC_MAX_MSG])
{
        struct wbuf w;
        size_t body;

        if (!type_known(m->type))
                return -EINVAL;
        body = body_sizes[m->type];
        wbuf_init(&w, buf, IPC_MAX_MSG);
        wbuf_be16(&w, (uint16_t)m->type);
        wbuf_be16(&w, (uint16_t)body);
        switch (m->type) {
        case IPC_STATE:
                wbuf_u8(&w, m->state.state);
                wbuf_be16(&w, m->state.reason);
                put_text(&w, m->state.text, sizeof(m->state.text));
                break;
        case IPC_APPLY: {
                const struct ipc_net_config *c = &m->apply;

                wbuf_be32(&w, c->mtu);
                wbuf_u8(&w, c->full_tunnel);
                wbuf_u8(&w, c->n_addrs);
                put_prefixes(&w, c->addrs, IPC_MAX_ADDRS, c->n_addrs);
                wbuf_u8(&w, c->n_dns);
                put_prefixes(&w, c->dns, IPC_MAX_DNS, c->n_dns);
                wbuf_u8(&w, c->n_domains);
                for (size_t i = 0; i < IPC_MAX_DOMAINS; i++)
                        put_text(&w, i < c->n_domains ? c->domains[i] : "", IPC_DOMAIN_MAX);
                wbuf_be16(&w, c->n_include);
                put_prefixes(&w, c->include, IPC_MAX_PREFIXES, c->n_include);
                wbuf_be16(&w, c->n_exclude);
                put_prefixes(&w, c->exclude, IPC_MAX_PREFIXES, c->n_exclude);
                break;
        }
        case IPC_REVERT:
                wbuf_u8(&w, m->revert.keep_kill_switch);
                break;
        case IPC_NEED_SECRET:
                wbuf_u8(&w, m->need_secret.kind);
                put_text(&w, m->need_secret.prompt, sizeof(m->need_secret.prompt));
                break;
        case IPC_LOG:
                wbuf_u8(&w, m->log.priority);
                put_text(&w, m->log.text, sizeof(m->log.text));
                break;
        case IPC_STATUS: {
                const struct ipc_status *s = &m->status;

                wbuf_be64(&w, s->bytes_in);
                wbuf_be64(&w, s->bytes_out);
                wbuf_be64(&w, s->packets_in);
                wbuf_be64(&w, s->packets_out);
                wbuf_be64(&w, s->connected_since);
                put_prefixes(&w, &s->gateway, 1, s->gateway.family != 0);
                wbuf_be16(&w, s->gateway_port);
                wbuf_u8(&w, s->n_drops);
                if (s->n_drops > IPC_MAX_DROPS)
                        return -EINVAL;
                for (size_t i = 0; i < IPC_MAX_DROPS; i++) {
                        put_text(&w, i < s->n_drops ? s->drops[i].name : "", IPC_DROP_NAME);
                        wbuf_be64(&w, i < s->n_drops ? s->drops[i].count : 0);
                }
                break;
        }
        case IPC_APPLY_RESULT:
                wbuf_be32(&w, (uint32_t)m->apply_result.error);
                put_text(&w, m->apply_result.text, sizeof(m->apply_result.text));
                break;
        case IPC_SECRET:
                if (m->secret.len > IPC_SECRET_MAX)
                        return -EINVAL;
                wbuf_u8(&w, m->secret.kind);
                wbuf_be32(&w, (uint32_t)m->secret.error);
                wbuf_be16(&w, m->secret.len);
                wbuf_bytes(&w, m->secret.secret, m->secret.len);
                wbuf_zero(&w, IPC_SECRET_MAX - m->secret.len);
                break;
        case IPC_REDIRECT:
                put_prefixes(&w, &m->redirect.addr, 1, m->redirect.addr.family != 0);
                put_text(&w, m->redirect.fqdn, sizeof(m->redirect.fqdn));
                wbuf_u8(&w, m->redirect.count);
                break;
        case IPC_NETWORK_CHANGED:
                put_endpoint(&w, &m->network_changed.local);
                break;
        case IPC_REDIRECT_READY:
                wbuf_be32(&w, (uint32_t)m->redirect_ready.error);
                put_endpoint(&w, &m->redirect_ready.gateway);
                put_endpoint(&w, &m->redirect_ready.local);
                put_text(&w, m->redirect_ready.text, sizeof(m->redirect_ready.text));
                break;
        case IPC_DISCONNECT:
        case IPC_START:
                break;
        }
        if (wbuf_error(&w) < 0)
                return -EINVAL;
        if (wbuf_len(&w) != IPC_HEADER_SIZE + body)
                return -EINVAL;
        /* What the other side would refuse is not sent: a malformed message
         * ends the engine (or the parent's trust in it). */
        {
                struct ipc_msg check;
                int e = ipc_parse(buf, wbuf_len(&w), &check);

                secure_wipe(&check, sizeof(check));
                if (e < 0)
                        return -EINVAL;
        }
        return (int)wbuf_len(&w);
}

/* ---------------------------------------------------------------- socket */

int ipc_send(int fd, const struct ipc_msg *m)
{
        uint8_t buf[IPC_MAX_MSG];
        ssize_t n;
        int len = ipc_build(m, buf);

        if (len < 0) {
                secure_wipe(buf, sizeof(buf));
                return len;
        }
        do
                n = send(fd, buf, (size_t)len, MSG_NOSIGNAL);
        while (n < 0 && errno == EINTR);
        secure_wipe(buf, (size_t)len);
        if (n < 0)
                return errno == ECONNRESET ? -EPIPE : -errno;
        return n == len ? 0 : -EMSGSIZE;
}

int ipc_recv(int fd, struct ipc_msg *ret)
{
        uint8_t buf[IPC_MAX_MSG + 1];
        ssize_t n;
        int e;

        do
                n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return errno == EWOULDBLOCK ? -EAGAIN : errno == ECONNRESET ? -EPIPE : -errno;
        if (n == 0)
                return -EPIPE; /* SOCK_SEQPACKET: the peer closed */
        if ((size_t)n > IPC_MAX_MSG) {
                secure_wipe(buf, sizeof(buf));
                return -EBADMSG; /* MSG_TRUNC gives the real size */
        }
        e = ipc_parse(buf, (size_t)n, ret);
        secure_wipe(buf, (size_t)n);
        return e;
}

/* ---------------------------------------------------------------- names */

const char *ipc_state_to_string(enum ipc_state s)
{
        static const char *const names[] = {
                [IPC_ST_DISCONNECTED] = "disconnected",
                [IPC_ST_CONNECTING] = "connecting",
                [IPC_ST_AUTHENTICATING] = "authenticating",
                [IPC_ST_CONNECTED] = "connected",
                [IPC_ST_RECONNECTING] = "reconnecting",
                [IPC_ST_DISCONNECTING] = "disconnecting",
                [IPC_ST_FAILED] = "failed",
        };

        return (size_t)s < ARRAY_SIZE(names) ? names[s] : "unknown";
}

const char *ipc_secret_kind_to_string(enum ipc_secret_kind k)
{
        static const char *const names[] = {
                [IPC_SECRET_PASSWORD] = "password",
                [IPC_SECRET_PASSPHRASE] = "passphrase",
                [IPC_SECRET_USERNAME] = "username",
        };

        return (size_t)k < ARRAY_SIZE(names) ? names[k] : "unknown";
}

const char *ipc_reason_to_string(enum ipc_reason r)
{
        static const char *const names[] = {
                [IPC_REASON_NONE] = "",
                [IPC_REASON_AUTH_FAILED_PASSWORD] = "auth-failed-password",
                [IPC_REASON_AUTH_FAILED_CERT] = "auth-failed-cert",
                [IPC_REASON_AUTH_FAILED] = "auth-failed",
                [IPC_REASON_GATEWAY_CERT_UNTRUSTED] = "gateway-cert-untrusted",
                [IPC_REASON_GATEWAY_ID_MISMATCH] = "gateway-id-mismatch",
                [IPC_REASON_GATEWAY_AUTH_INVALID] = "gateway-auth-invalid",
                [IPC_REASON_NO_SECRET] = "no-secret",
                [IPC_REASON_NO_RESPONSE] = "no-response",
                [IPC_REASON_NETWORK] = "network",
                [IPC_REASON_PROFILE] = "profile",
                [IPC_REASON_PROPOSALS_REFUSED] = "proposals-refused",
                [IPC_REASON_CONFIG_REFUSED] = "config-refused",
                [IPC_REASON_PLATFORM] = "platform",
                [IPC_REASON_PROTOCOL] = "protocol",
                [IPC_REASON_DELETED] = "deleted",
                [IPC_REASON_REDIRECTED] = "redirected",
                [IPC_REASON_INTERNAL] = "internal",
                [IPC_REASON_ENGINE_CRASHED] = "engine-crashed",
        };
        _Static_assert(ARRAY_SIZE(names) == IPC_REASON__COUNT, "a name per reason");

        return (size_t)r < ARRAY_SIZE(names) && names[r] ? names[r] : "internal";
}
