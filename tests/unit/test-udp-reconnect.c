/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * udp_reconnect() (platform/linux/udp.c): a connected UDP socket is
 * re-pointed at another gateway, and after an address change it takes the
 * new source address. The second part needs root: it runs in a network
 * namespace of its own (a child process unshares one), with a dummy link
 * whose address is moved the way a laptop moves between networks.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sched.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>

#include "platform/linux/udp.h"

static struct sockaddr_in sin4(const char *addr, uint16_t port)
{
        struct sockaddr_in s = {.sin_family = AF_INET, .sin_port = htons(port)};

        g_assert_cmpint(inet_pton(AF_INET, addr, &s.sin_addr), ==, 1);
        return s;
}

static int listener(struct sockaddr_in *ret)
{
        struct sockaddr_in s = sin4("127.0.0.1", 0);
        socklen_t len = sizeof(s);
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

        g_assert_cmpint(fd, >=, 0);
        g_assert_cmpint(bind(fd, (struct sockaddr *)&s, sizeof(s)), ==, 0);
        g_assert_cmpint(getsockname(fd, (struct sockaddr *)&s, &len), ==, 0);
        *ret = s;
        return fd;
}

static void expect_datagram(int fd, const char *what)
{
        char buf[32] = "";
        ssize_t n;
        struct timeval tv = {.tv_sec = 2};

        g_assert_cmpint(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), ==, 0);
        n = recv(fd, buf, sizeof(buf) - 1, 0);
        g_assert_cmpint(n, ==, (ssize_t)strlen(what));
        g_assert_cmpstr(buf, ==, what);
}

static void assert_silent(int fd)
{
        char buf[32];

        g_assert_cmpint(recv(fd, buf, sizeof(buf), MSG_DONTWAIT), ==, -1);
        g_assert_cmpint(errno, ==, EAGAIN);
}

/* Re-pointing moves where the datagrams go; errors leave the socket as it was. */
static void test_repoint(void)
{
        struct sockaddr_in a, b, peer;
        struct sockaddr_in6 v6 = {.sin6_family = AF_INET6, .sin6_port = htons(500),
                                  .sin6_addr = IN6ADDR_LOOPBACK_INIT};
        socklen_t len = sizeof(peer);
        struct udp_caps caps;
        int la = listener(&a), lb = listener(&b), fd;

        fd = udp_open(&(struct udp_open_opts){.remote = (struct sockaddr *)&a,
                                              .remote_len = sizeof(a)},
                      &caps);
        g_assert_cmpint(fd, >=, 0);
        g_assert_cmpint(send(fd, "one", 3, 0), ==, 3);
        expect_datagram(la, "one");

        g_assert_cmpint(udp_reconnect(fd, (struct sockaddr *)&b, sizeof(b)), ==, 0);
        g_assert_cmpint(getpeername(fd, (struct sockaddr *)&peer, &len), ==, 0);
        g_assert_cmpint(peer.sin_port, ==, b.sin_port);
        g_assert_cmpint(send(fd, "two", 3, 0), ==, 3);
        expect_datagram(lb, "two");
        assert_silent(la);

        /* Another family is refused before anything is undone. */
        g_assert_cmpint(udp_reconnect(fd, (struct sockaddr *)&v6, sizeof(v6)), ==,
                        -EAFNOSUPPORT);
        g_assert_cmpint(send(fd, "three", 5, 0), ==, 5);
        expect_datagram(lb, "three");

        g_assert_cmpint(udp_reconnect(-1, (struct sockaddr *)&b, sizeof(b)), ==, -EINVAL);
        g_assert_cmpint(udp_reconnect(fd, NULL, 0), ==, -EINVAL);
        g_assert_cmpint(udp_reconnect(fd, (struct sockaddr *)&b, 1), ==, -EINVAL);
        close(fd);
        close(la);
        close(lb);
}

static void ip(const char *args)
{
        g_autofree char *cmd = g_strdup_printf("ip %s", args);
        g_auto(GStrv) argv = NULL;
        g_autoptr(GError) err = NULL;
        int status = -1;

        g_assert_true(g_shell_parse_argv(cmd, NULL, &argv, NULL));
        if (!g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                          &status, &err))
                g_error("%s: %s", cmd, err->message);
        if (!g_spawn_check_wait_status(status, &err))
                g_error("%s: %s", cmd, err->message);
}

static void source_of(int fd, char *buf, size_t size)
{
        struct sockaddr_in s;
        socklen_t len = sizeof(s);

        g_assert_cmpint(getsockname(fd, (struct sockaddr *)&s, &len), ==, 0);
        g_assert_nonnull(inet_ntop(AF_INET, &s.sin_addr, buf, (socklen_t)size));
}

/* In a namespace of its own (the child process): the source follows the move. */
static void source_moves_child(void)
{
        struct sockaddr_in gw = sin4("198.51.100.7", 4500);
        struct udp_caps caps;
        char src[INET_ADDRSTRLEN];
        int fd;

        if (unshare(CLONE_NEWNET) < 0) {
                g_test_skip("cannot unshare a network namespace");
                return;
        }
        ip("link set lo up");
        /* veth: the kernel may lack the dummy driver; the peer end stays
         * down in this namespace, which the route lookup does not mind. */
        ip("link add tsu0 type veth peer name tsu1");
        ip("link set tsu0 up");
        ip("link set tsu1 up");
        ip("addr add 192.0.2.10/24 dev tsu0");
        ip("route add default via 192.0.2.1 dev tsu0");

        fd = udp_open(&(struct udp_open_opts){.remote = (struct sockaddr *)&gw,
                                              .remote_len = sizeof(gw)},
                      &caps);
        g_assert_cmpint(fd, >=, 0);
        source_of(fd, src, sizeof(src));
        g_assert_cmpstr(src, ==, "192.0.2.10");

        /* The move: a new address, the default route through it, the old
         * address gone. */
        ip("addr add 203.0.113.20/24 dev tsu0");
        ip("route replace default via 203.0.113.1 dev tsu0 src 203.0.113.20");
        ip("addr del 192.0.2.10/24 dev tsu0");

        /* The socket still claims the old source until it is re-connected. */
        source_of(fd, src, sizeof(src));
        g_assert_cmpstr(src, ==, "192.0.2.10");
        g_assert_cmpint(udp_reconnect(fd, (struct sockaddr *)&gw, sizeof(gw)), ==, 0);
        source_of(fd, src, sizeof(src));
        g_assert_cmpstr(src, ==, "203.0.113.20");
        close(fd);
}

static void test_source_moves(void)
{
        g_autofree char *ip_path = g_find_program_in_path("ip");

        if (geteuid() != 0) {
                g_test_skip("needs root (a network namespace of its own)");
                return;
        }
        if (!ip_path) {
                g_test_skip("no ip(8)");
                return;
        }
        g_test_trap_subprocess("/udp/reconnect/source-moves/subprocess", 30 * G_USEC_PER_SEC,
                               G_TEST_SUBPROCESS_INHERIT_STDOUT |
                                       G_TEST_SUBPROCESS_INHERIT_STDERR);
        g_test_trap_assert_passed();
}

int main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/udp/reconnect/repoint", test_repoint);
        g_test_add_func("/udp/reconnect/source-moves", test_source_moves);
        g_test_add_func("/udp/reconnect/source-moves/subprocess", source_moves_child);
        return g_test_run();
}
