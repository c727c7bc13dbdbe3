/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The parent <-> engine IPC framing (client/daemon/ipc.c): every type round
 * trips; short, long, mislabelled and unknown messages are refused; each
 * field out of its range is refused; over a real SOCK_SEQPACKET pair,
 * oversized datagrams, EOF and "nothing yet" come back as such.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>

#include "client/daemon/ipc.h"

static struct ipc_msg sample(enum ipc_type t)
{
        struct ipc_msg m;

        memset(&m, 0, sizeof(m));
        m.type = t;
        switch (t) {
        case IPC_STATE:
                m.state.state = IPC_ST_FAILED;
                m.state.reason = IPC_REASON_NO_RESPONSE;
                strcpy(m.state.text, "no answer from 203.0.113.2 after 7 tries – ✓");
                break;
        case IPC_APPLY:
                m.apply.mtu = 1400;
                m.apply.n_addrs = 2;
                m.apply.addrs[0] = (struct ipc_prefix){4, 32, {10, 99, 0, 7}};
                m.apply.addrs[1] = (struct ipc_prefix){6, 128, {0xfd, 0, 0, 0x99, [15] = 7}};
                m.apply.n_dns = 1;
                m.apply.dns[0] = (struct ipc_prefix){4, 32, {10, 20, 0, 10}};
                m.apply.n_domains = 2;
                strcpy(m.apply.domains[0], "corp.test");
                strcpy(m.apply.domains[1], "lab.test");
                m.apply.n_include = 2;
                m.apply.include[0] = (struct ipc_prefix){4, 24, {10, 20, 0, 0}};
                m.apply.include[1] = (struct ipc_prefix){6, 64, {0xfd, 0, 0, 0x20}};
                m.apply.n_exclude = 1;
                m.apply.exclude[0] = (struct ipc_prefix){4, 32, {10, 20, 0, 99}};
                break;
        case IPC_REVERT:
                m.revert.keep_kill_switch = true;
                break;
        case IPC_NEED_SECRET:
                m.need_secret.kind = IPC_SECRET_PASSWORD;
                strcpy(m.need_secret.prompt, "Password for alice at vpn.lab.test");
                break;
        case IPC_LOG:
                m.log.priority = 6;
                strcpy(m.log.text, "IKE_SA_INIT: proposal AES_GCM_16_256 chosen");
                break;
        case IPC_STATUS:
                m.status.bytes_in = 1ull << 40;
                m.status.packets_out = 12345;
                m.status.connected_since = 1700000000;
                m.status.gateway = (struct ipc_prefix){4, 0, {203, 0, 113, 2}};
                m.status.gateway_port = 4500;
                m.status.n_drops = 2;
                strcpy(m.status.drops[0].name, "replay");
                m.status.drops[0].count = 3;
                strcpy(m.status.drops[1].name, "bad-icv");
                m.status.drops[1].count = 1;
                break;
        case IPC_APPLY_RESULT:
                m.apply_result.error = -EINVAL;
                strcpy(m.apply_result.text,
                       "included route 1: 0.0.0.0/0 in a split-tunnel profile");
                break;
        case IPC_SECRET:
                m.secret.kind = IPC_SECRET_PASSWORD;
                m.secret.len = 18;
                memcpy(m.secret.secret, "alice-lab-password", 18);
                break;
        case IPC_REDIRECT:
                strcpy(m.redirect.fqdn, "gw2.lab.test");
                m.redirect.count = 2;
                break;
        case IPC_NETWORK_CHANGED:
                m.network_changed.local = (struct ipc_endpoint){{4, 32, {192, 168, 77, 10}}, 40123};
                break;
        case IPC_REDIRECT_READY:
                m.redirect_ready.gateway = (struct ipc_endpoint){{4, 32, {203, 0, 113, 3}}, 500};
                m.redirect_ready.local = (struct ipc_endpoint){{4, 32, {192, 168, 77, 10}}, 40124};
                break;
        case IPC_DISCONNECT:
        case IPC_START:
                break;
        }
        return m;
}

static const enum ipc_type all_types[] = {
        IPC_STATE,      IPC_APPLY,  IPC_REVERT,          IPC_NEED_SECRET,    IPC_LOG,
        IPC_STATUS,     IPC_REDIRECT, IPC_APPLY_RESULT,  IPC_SECRET,         IPC_DISCONNECT,
        IPC_START,      IPC_NETWORK_CHANGED, IPC_REDIRECT_READY,
};

static int build(const struct ipc_msg *m, uint8_t buf[static IPC_MAX_MSG])
{
        int n = ipc_build(m, buf);

        g_assert_cmpint(n, >, 0);
        g_assert_cmpuint((size_t)n, ==, IPC_HEADER_SIZE + ipc_body_size(m->type));
        return n;
}

static void test_roundtrip(void)
{
        for (size_t i = 0; i < G_N_ELEMENTS(all_types); i++) {
                struct ipc_msg m = sample(all_types[i]), back;
                uint8_t buf[IPC_MAX_MSG];
                int n = build(&m, buf);

                g_assert_cmpint(ipc_parse(buf, (size_t)n, &back), ==, 0);
                g_assert_true(memcmp(&m, &back, sizeof(m)) == 0);
        }
}

static void test_short_long(void)
{
        for (size_t i = 0; i < G_N_ELEMENTS(all_types); i++) {
                struct ipc_msg m = sample(all_types[i]), back;
                uint8_t buf[IPC_MAX_MSG + 1];
                int n = build(&m, buf);

                /* Every truncation. */
                for (int len = 0; len < n; len++)
                        g_assert_cmpint(ipc_parse(buf, (size_t)len, &back), ==, -EBADMSG);
                /* One byte too many. */
                buf[n] = 0;
                g_assert_cmpint(ipc_parse(buf, (size_t)n + 1, &back), ==, -EBADMSG);
                /* A length field that lies (and a datagram that matches it). */
                buf[2] ^= 0x01;
                g_assert_cmpint(ipc_parse(buf, (size_t)n, &back), ==, -EBADMSG);
        }
}

static void test_bad_type(void)
{
        uint8_t buf[IPC_HEADER_SIZE] = {0};
        struct ipc_msg back;
        const unsigned bad[] = {0, 8, 31, 38, 0xffff};

        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                buf[0] = (uint8_t)(bad[i] >> 8);
                buf[1] = (uint8_t)bad[i];
                g_assert_cmpint(ipc_parse(buf, sizeof(buf), &back), ==, -EPROTO);
        }
        g_assert_cmpint(ipc_build(&(struct ipc_msg){.type = 99}, (uint8_t[IPC_MAX_MSG]){0}), ==,
                        -EINVAL);
}

/* Parses buf after mutate() changed one field, expects -EBADMSG. */
static void expect_bad(enum ipc_type t, size_t off, uint8_t value, const char *what)
{
        struct ipc_msg m = sample(t), back;
        uint8_t buf[IPC_MAX_MSG];
        int n = build(&m, buf);

        g_assert_cmpuint(off, <, (size_t)n);
        buf[off] = value;
        if (ipc_parse(buf, (size_t)n, &back) != -EBADMSG)
                g_error("not refused: %s", what);
}

#define H IPC_HEADER_SIZE

static void test_fields(void)
{
        /* STATE: state, reason, text */
        expect_bad(IPC_STATE, H + 0, IPC_ST__COUNT, "state out of range");
        expect_bad(IPC_STATE, H + 2, IPC_REASON__COUNT, "reason out of range");
        expect_bad(IPC_STATE, H + 3 + IPC_TEXT_MAX - 1, 'x', "text without NUL");
        expect_bad(IPC_STATE, H + 3 + IPC_TEXT_MAX - 2, 'x', "bytes after the NUL");
        expect_bad(IPC_STATE, H + 3 + 2, '\n', "a control character");
        expect_bad(IPC_STATE, H + 3 + 2, 0xff, "invalid UTF-8");
        expect_bad(IPC_STATE, H + 3 + 2, 0xc0, "an overlong UTF-8 start");
        /* REVERT: a boolean */
        expect_bad(IPC_REVERT, H, 2, "boolean 2");
        /* NEED_SECRET: kind */
        expect_bad(IPC_NEED_SECRET, H, IPC_SECRET__COUNT, "secret kind out of range");
        /* LOG: priority */
        expect_bad(IPC_LOG, H, 8, "priority 8");
        /* APPLY: mtu(4) full(1) n_addrs(1) addrs(4*18) n_dns(1) dns(8*18) n_domains(1) ... */
        expect_bad(IPC_APPLY, H + 4, 2, "full_tunnel 2");
        expect_bad(IPC_APPLY, H + 5, IPC_MAX_ADDRS + 1, "too many addresses");
        expect_bad(IPC_APPLY, H + 6, 5, "address family 5");
        expect_bad(IPC_APPLY, H + 7, 33, "IPv4 /33");
        expect_bad(IPC_APPLY, H + 6 + 18 + 1, 129, "IPv6 /129");
        expect_bad(IPC_APPLY, H + 6 + 2 + 4, 1, "IPv4 address with bytes past 4");
        expect_bad(IPC_APPLY, H + 6 + 2 * 18, 4, "an unused address slot not zero");
        expect_bad(IPC_APPLY, H + 6 + 4 * 18, IPC_MAX_DNS + 1, "too many DNS servers");
        {
                size_t dom = H + 6 + 4 * 18 + 1 + 8 * 18;

                expect_bad(IPC_APPLY, dom, IPC_MAX_DOMAINS + 1, "too many domains");
                expect_bad(IPC_APPLY, dom, 3, "a counted domain that is empty");
                expect_bad(IPC_APPLY, dom + 1 + 2 * IPC_DOMAIN_MAX, 'x', "an uncounted domain");
                expect_bad(IPC_APPLY, dom + 1 + IPC_MAX_DOMAINS * IPC_DOMAIN_MAX, 0xff,
                           "too many included prefixes");
        }
        /* STATUS: 5 counters, gateway(18), port(2), n_drops, drops */
        expect_bad(IPC_STATUS, H + 40 + 18 + 2, IPC_MAX_DROPS + 1, "too many drop reasons");
        expect_bad(IPC_STATUS, H + 40 + 18 + 2 + 1, 'X', "a drop name in capitals");
        expect_bad(IPC_STATUS, H + 40 + 18 + 2 + 1 + 2 * 32, 'a', "an uncounted drop name");
        expect_bad(IPC_STATUS, H + 40 + 1, 40, "gateway IPv4 /40");
        /* APPLY_RESULT: a positive error */
        expect_bad(IPC_APPLY_RESULT, H, 0x00, "error becomes positive");
        /* SECRET: kind, error, len, bytes */
        expect_bad(IPC_SECRET, H, IPC_SECRET__COUNT, "secret kind out of range");
        expect_bad(IPC_SECRET, H + 1 + 4, 0x01, "length over the maximum");
        expect_bad(IPC_SECRET, H + 1 + 4 + 2 + 18, 'x', "bytes after the secret");
        expect_bad(IPC_SECRET, H + 1, 0xff, "an error (negative) with a secret");
        expect_bad(IPC_SECRET, H + 1, 0x01, "a positive error");
        /* REDIRECT: addr(18) fqdn(256) count(1); the sample is an FQDN */
        expect_bad(IPC_REDIRECT, H, 4, "an address and a name at once");
        expect_bad(IPC_REDIRECT, H + 18, 0, "neither address nor name");
        expect_bad(IPC_REDIRECT, H + 18 + 3, '_', "a name with '_'");
        expect_bad(IPC_REDIRECT, H + 18 + 4, '.', "an empty label");
        expect_bad(IPC_REDIRECT, H + 18, '-', "a label starting with '-'");
        expect_bad(IPC_REDIRECT, H + 18 + IPC_FQDN_MAX, 0, "count 0");
        expect_bad(IPC_REDIRECT, H + 18 + IPC_FQDN_MAX, IPC_MAX_REDIRECTS + 1, "count past the loop limit");
        /* NETWORK_CHANGED: family(1) prefixlen(1) addr(16) port(2) */
        expect_bad(IPC_NETWORK_CHANGED, H, 5, "family 5");
        expect_bad(IPC_NETWORK_CHANGED, H + 1, 24, "a prefix, not an address");
        expect_bad(IPC_NETWORK_CHANGED, H + 2 + 4, 1, "IPv4 with bytes past 4");
        expect_bad(IPC_NETWORK_CHANGED, H, 0, "family 0 with an address");
        /* REDIRECT_READY: error(4) gateway(20) local(20) text(256) */
        expect_bad(IPC_REDIRECT_READY, H, 0x00 + 1, "a positive error");
        expect_bad(IPC_REDIRECT_READY, H + 4, 0, "success without a gateway");
        expect_bad(IPC_REDIRECT_READY, H + 4 + 1, 128, "gateway IPv4 /128");
        expect_bad(IPC_REDIRECT_READY, H + 4 + 20, 6, "local of another family");
        expect_bad(IPC_REDIRECT_READY, H + 4 + 40, 'x', "success with a reason");
        expect_bad(IPC_REDIRECT_READY, H + 4 + 40 + IPC_TEXT_MAX - 1, 'x', "text without NUL");
}

/* A refusal has no endpoints and a reason; a failure without one is refused. */
static void test_redirect_ready_refusal(void)
{
        struct ipc_msg m = {.type = IPC_REDIRECT_READY}, back;
        uint8_t buf[IPC_MAX_MSG];
        int n;

        m.redirect_ready.error = -EPERM;
        /* A reason is required. */
        g_assert_cmpint(ipc_build(&m, buf), ==, -EINVAL);
        strcpy(m.redirect_ready.text, "gw2.lab.test resolves to 127.0.0.1 (loopback)");
        n = build(&m, buf);
        g_assert_cmpint(ipc_parse(buf, (size_t)n, &back), ==, 0);
        g_assert_cmpint(back.redirect_ready.error, ==, -EPERM);
        g_assert_cmpint(back.redirect_ready.gateway.addr.family, ==, 0);
        /* Endpoints with a refusal. */
        buf[H + 4] = 4;
        g_assert_cmpint(ipc_parse(buf, (size_t)n, &back), ==, -EBADMSG);
        /* A success with no local address (the engine asks getsockname()). */
        memset(&m, 0, sizeof(m));
        m.type = IPC_REDIRECT_READY;
        m.redirect_ready.gateway = (struct ipc_endpoint){{6, 128, {0x20, 0x01, 0x0d, 0xb8, [15] = 3}}, 500};
        n = build(&m, buf);
        g_assert_cmpint(ipc_parse(buf, (size_t)n, &back), ==, 0);
        g_assert_true(memcmp(&m, &back, sizeof(m)) == 0);
        /* A redirect to an address. */
        memset(&m, 0, sizeof(m));
        m.type = IPC_REDIRECT;
        m.redirect.addr = (struct ipc_prefix){4, 32, {203, 0, 113, 3}};
        m.redirect.count = 1;
        n = build(&m, buf);
        g_assert_cmpint(ipc_parse(buf, (size_t)n, &back), ==, 0);
        g_assert_true(memcmp(&m, &back, sizeof(m)) == 0);
        /* ... and with a name as well: not built. */
        strcpy(m.redirect.fqdn, "gw2.lab.test");
        g_assert_cmpint(ipc_build(&m, buf), ==, -EINVAL);
        /* A gateway without a port; a local address of the other family. */
        m = sample(IPC_REDIRECT_READY);
        m.redirect_ready.gateway.port = 0;
        g_assert_cmpint(ipc_build(&m, buf), ==, -EINVAL);
        m = sample(IPC_REDIRECT_READY);
        m.redirect_ready.local.addr = (struct ipc_prefix){6, 128, {0xfd, [15] = 1}};
        g_assert_cmpint(ipc_build(&m, buf), ==, -EINVAL);
        /* A network change with no address known. */
        memset(&m, 0, sizeof(m));
        m.type = IPC_NETWORK_CHANGED;
        n = build(&m, buf);
        g_assert_cmpint(ipc_parse(buf, (size_t)n, &back), ==, 0);
        m.network_changed.local.port = 4500;
        g_assert_cmpint(ipc_build(&m, buf), ==, -EINVAL);
}

static void test_fqdn(void)
{
        static const char *const good[] = {"a", "gw2.lab.test", "gw2.lab.test.", "xn--bcher-kva.example",
                                           "1.2.3.4.example", "A-b.C"};
        static const char *const bad[] = {"", ".", "a..b", ".a", "-a.b", "a-.b", "a_b", "a b",
                                          "a/b", "gw2.lab.test..", "é.example"};
        char longest[IPC_FQDN_MAX];

        for (size_t i = 0; i < G_N_ELEMENTS(good); i++)
                if (!ipc_fqdn_valid(good[i]))
                        g_error("refused: %s", good[i]);
        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
                if (ipc_fqdn_valid(bad[i]))
                        g_error("accepted: %s", bad[i]);
        /* Labels of 63, and 253 characters in all. */
        memset(longest, 0, sizeof(longest));
        memset(longest, 'a', 63);
        g_assert_true(ipc_fqdn_valid(longest));
        longest[63] = 'a';
        g_assert_false(ipc_fqdn_valid(longest));
        memset(longest, 0, sizeof(longest));
        for (size_t i = 0; i < 253; i++)
                longest[i] = i % 2 ? '.' : 'a';
        g_assert_true(ipc_fqdn_valid(longest));
        longest[253] = '.';
        g_assert_true(ipc_fqdn_valid(longest));
        longest[253] = 'a';
        longest[254] = 0;
        g_assert_false(ipc_fqdn_valid(longest));
}

static void test_set_text(void)
{
        char f[8];

        ipc_set_text(f, sizeof(f), "abc\ndef");
        g_assert_cmpstr(f, ==, "abc?def");
        /* "ééé" is 6 bytes; 4 bytes of room hold one é and the NUL (never half a character). */
        ipc_set_text(f, 4, "\xc3\xa9\xc3\xa9\xc3\xa9");
        g_assert_cmpstr(f, ==, "\xc3\xa9");
        ipc_set_text(f, sizeof(f), "\xff\xfe ok");
        g_assert_cmpstr(f, ==, "?? ok");
        ipc_set_text(f, sizeof(f), NULL);
        g_assert_cmpstr(f, ==, "");
        {
                struct ipc_msg m = sample(IPC_LOG), back;
                uint8_t buf[IPC_MAX_MSG];

                ipc_set_text(m.log.text, sizeof(m.log.text), "\x1b[31mred\x1b[0m \xc0\xaf");
                g_assert_cmpint(ipc_parse(buf, (size_t)build(&m, buf), &back), ==, 0);
        }
}

static void test_socket(void)
{
        int sp[2];
        struct ipc_msg m = sample(IPC_APPLY), back;
        uint8_t big[IPC_MAX_MSG + 100];

        g_assert_cmpint(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp), ==, 0);
        g_assert_cmpint(ipc_recv(sp[1], &back), ==, -EAGAIN);
        g_assert_cmpint(ipc_send(sp[0], &m), ==, 0);
        g_assert_cmpint(ipc_recv(sp[1], &back), ==, 0);
        g_assert_true(memcmp(&m, &back, sizeof(m)) == 0);
        /* A datagram larger than any message: refused whole, the next one is fine. */
        memset(big, 0, sizeof(big));
        g_assert_cmpint(send(sp[0], big, sizeof(big), 0), ==, (ssize_t)sizeof(big));
        g_assert_cmpint(ipc_recv(sp[1], &back), ==, -EBADMSG);
        g_assert_cmpint(ipc_send(sp[0], &m), ==, 0);
        g_assert_cmpint(ipc_recv(sp[1], &back), ==, 0);
        /* Two messages in a row keep their boundaries. */
        {
                struct ipc_msg a = sample(IPC_LOG), b = sample(IPC_START);

                g_assert_cmpint(ipc_send(sp[0], &a), ==, 0);
                g_assert_cmpint(ipc_send(sp[0], &b), ==, 0);
                g_assert_cmpint(ipc_recv(sp[1], &back), ==, 0);
                g_assert_cmpint(back.type, ==, IPC_LOG);
                g_assert_cmpint(ipc_recv(sp[1], &back), ==, 0);
                g_assert_cmpint(back.type, ==, IPC_START);
        }
        close(sp[0]);
        g_assert_cmpint(ipc_recv(sp[1], &back), ==, -EPIPE);
        g_assert_cmpint(ipc_send(sp[1], &m), ==, -EPIPE);
        close(sp[1]);
}

static void test_names(void)
{
        g_assert_cmpstr(ipc_state_to_string(IPC_ST_CONNECTED), ==, "connected");
        g_assert_cmpstr(ipc_state_to_string(IPC_ST__COUNT), ==, "unknown");
        g_assert_cmpstr(ipc_reason_to_string(IPC_REASON_AUTH_FAILED_PASSWORD), ==,
                        "auth-failed-password");
        g_assert_cmpstr(ipc_reason_to_string(IPC_REASON_ENGINE_CRASHED), ==, "engine-crashed");
        g_assert_cmpstr(ipc_reason_to_string(IPC_REASON__COUNT), ==, "internal");
        g_assert_cmpstr(ipc_secret_kind_to_string(IPC_SECRET_USERNAME), ==, "username");
        for (int r = 1; r < IPC_REASON__COUNT; r++)
                g_assert_cmpstr(ipc_reason_to_string(r), !=, "");
}

int main(int argc, char *argv[])
{
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/daemon/ipc/roundtrip", test_roundtrip);
        g_test_add_func("/daemon/ipc/short-long", test_short_long);
        g_test_add_func("/daemon/ipc/bad-type", test_bad_type);
        g_test_add_func("/daemon/ipc/fields", test_fields);
        g_test_add_func("/daemon/ipc/redirect-ready-refusal", test_redirect_ready_refusal);
        g_test_add_func("/daemon/ipc/fqdn", test_fqdn);
        g_test_add_func("/daemon/ipc/set-text", test_set_text);
        g_test_add_func("/daemon/ipc/socket", test_socket);
        g_test_add_func("/daemon/ipc/names", test_names);
        return g_test_run();
}
