/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The datapath threads end to end, without root: two datapaths joined by real
 * UDP sockets on the loopback (platform/linux/udp.c), each with a datagram
 * socketpair in place of its TUN device (TUN_MODE_PLAIN: one packet per
 * read/write, which is what a TUN fd without the virtio-net header does).
 * Checked: packets cross intact and in order, IKE goes to the callback behind
 * the non-ESP marker, NAT keepalives go out when idle, SAs are replaced under
 * traffic through the API without loss, drops are counted by reason.
 * The offloaded TUN path is covered by tests/bench/smoke.sh (root).
 */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client/esp/datapath.h"
#include "esp-test-util.h"
#include "platform/linux/udp.h"

struct end {
        struct esp_datapath *dp;
        int udp;
        int tun_app; /* what the kernel side of TUN would be */
        int tun_dp;
        GMutex lock;
        GPtrArray *ike; /* received IKE messages (GBytes) */
        bool is_a;
        unsigned events;
};

static void on_ike(void *ud, const uint8_t *msg, size_t len)
{
        struct end *e = ud;

        g_mutex_lock(&e->lock);
        g_ptr_array_add(e->ike, g_bytes_new(msg, len));
        g_mutex_unlock(&e->lock);
}

static void on_event(void *ud, uint32_t spi, enum esp_dir dir, unsigned events)
{
        struct end *e = ud;

        (void)spi;
        (void)dir;
        g_mutex_lock(&e->lock);
        e->events |= events;
        g_mutex_unlock(&e->lock);
}

static uint16_t local_port(int fd)
{
        struct sockaddr_in sin;
        socklen_t l = sizeof(sin);

        g_assert_cmpint(getsockname(fd, (struct sockaddr *)&sin, &l), ==, 0);
        return ntohs(sin.sin_port);
}

static struct sockaddr_in loopback(uint16_t port)
{
        return (struct sockaddr_in){.sin_family = AF_INET,
                                    .sin_port = htons(port),
                                    .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
}

static void end_open(struct end *e, bool is_a, uint16_t peer_port, unsigned keepalive_ms)
{
        struct sockaddr_in local = loopback(0), remote = loopback(peer_port ? peer_port : 9);
        struct udp_caps caps;
        int sv[2];

        memset(e, 0, sizeof(*e));
        e->is_a = is_a;
        g_mutex_init(&e->lock);
        e->ike = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
        e->udp = udp_open(&(struct udp_open_opts){.local = (struct sockaddr *)&local,
                                                  .local_len = sizeof(local),
                                                  .remote = (struct sockaddr *)&remote,
                                                  .remote_len = sizeof(remote),
                                                  .want_offloads = true},
                          &caps);
        g_assert_cmpint(e->udp, >=, 0);
        g_assert_cmpint(fcntl(e->udp, F_GETFD) & FD_CLOEXEC, !=, 0);
        g_assert_cmpint(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv), ==, 0);
        e->tun_app = sv[0];
        e->tun_dp = sv[1];
        g_assert_cmpint(fcntl(e->tun_dp, F_SETFL, O_NONBLOCK), ==, 0);
        g_assert_cmpint(esp_datapath_new(&(struct esp_dp_config){.tun_fd = e->tun_dp,
                                                                 .tun_mode = TUN_MODE_PLAIN,
                                                                 .udp_fd = e->udp,
                                                                 .udp_gso = caps.gso,
                                                                 .udp_gro = caps.gro,
                                                                 .keepalive_ms = keepalive_ms,
                                                                 .tun_mtu = 1400,
                                                                 .on_ike = on_ike,
                                                                 .on_event = on_event,
                                                                 .userdata = e},
                                         &e->dp),
                        ==, 0);
}

static void end_close(struct end *e)
{
        esp_datapath_free(e->dp);
        close(e->udp);
        close(e->tun_app);
        close(e->tun_dp);
        g_ptr_array_unref(e->ike);
        g_mutex_clear(&e->lock);
}

/* a -> b uses SPI 0x100 + gen, b -> a 0x200 + gen; each generation new keys. */
static void install(struct end *e, bool is_a, uint32_t gen, bool in, bool out)
{
        for (int d = 0; d < 2; d++) {
                enum esp_dir dir = d == 0 ? ESP_DIR_IN : ESP_DIR_OUT;
                bool ab = is_a == (dir == ESP_DIR_OUT);
                struct esp_sa_params p =
                        test_params(&test_algs[gen % G_N_ELEMENTS(test_algs)], dir, gen % 2 == 1);

                if ((dir == ESP_DIR_IN && !in) || (dir == ESP_DIR_OUT && !out))
                        continue;
                test_ekey[1] = (uint8_t)gen;
                p.spi = (ab ? 0x100u : 0x200u) + gen;
                /* b's virtual IP is test_vip4 in 198.51.100.0/24, a's test_gw4 in
                 * 192.0.2.0/24 (test_params' defaults are b's). */
                if (is_a) {
                        memcpy(p.policy.vip4, test_gw4, 4);
                        p.policy.ts[0] = (struct esp_ts){.family = 4,
                                                         .port_hi = 0xffff,
                                                         .start = {198, 51, 100, 0},
                                                         .end = {198, 51, 100, 255}};
                }
                g_assert_cmpint(esp_datapath_install_sa(e->dp, &p), ==, 0);
        }
}

static bool recv_packet(int fd, uint8_t *buf, size_t cap, size_t *len, int timeout_ms)
{
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        ssize_t r;

        if (poll(&pfd, 1, timeout_ms) != 1)
                return false;
        r = recv(fd, buf, cap, 0);
        if (r < 0)
                return false;
        *len = (size_t)r;
        return true;
}

/* Sends n packets a -> b (through a's "TUN") and checks that b's "TUN" gets
 * them all, intact and in order. */
static void traffic(struct end *a, struct end *b, unsigned n, unsigned tag)
{
        uint8_t pkt[1500], got[1500];
        /* a's virtual IP is test_gw4, b's test_vip4 (see install()). */
        bool from_a = a->is_a;

        for (unsigned i = 0; i < n; i++) {
                size_t len = make_packet(pkt, 4, from_a ? test_gw4 : test_vip4,
                                         from_a ? test_vip4 : test_gw4, false, (i * 37) % 1300,
                                         (uint8_t)(tag + i)),
                       glen;

                put_be16(pkt + 4, (uint16_t)i); /* IP ID: the packet's number */
                pkt[10] = pkt[11] = 0;
                put_be16(pkt + 10, ref_csum(pkt, 20, 0));
                g_assert_cmpint(send(a->tun_app, pkt, len, 0), ==, (ssize_t)len);
                if (!recv_packet(b->tun_app, got, sizeof(got), &glen, 2000))
                        g_error("packet %u of %u (tag %u) did not arrive", i, n, tag);
                g_assert_cmpmem(got, glen, pkt, len);
        }
}

static void test_datapath(void)
{
        struct end a, b;
        struct esp_dp_counters ca, cb;
        uint8_t buf[2048];
        size_t len;
        uint64_t t_before, t_after, a_rx_ns;

        end_open(&a, true, 0, 0);
        end_open(&b, false, local_port(a.udp), 200);
        {
                struct sockaddr_in to_b = loopback(local_port(b.udp));

                g_assert_cmpint(connect(a.udp, (struct sockaddr *)&to_b, sizeof(to_b)), ==, 0);
        }
        install(&a, true, 0, true, true);
        install(&b, false, 0, true, true);
        g_assert_cmpint(esp_datapath_start(a.dp), ==, 0);
        g_assert_cmpint(esp_datapath_start(b.dp), ==, 0);
        g_assert_cmpint(esp_datapath_start(a.dp), ==, -EALREADY);

        /* The last-receive stamp (dead peer detection counts from it): 0
         * before any ESP, then within the traffic, on the same clock as
         * g_get_monotonic_time(). */
        esp_datapath_counters(b.dp, &cb);
        g_assert_cmpuint(cb.last_rx_ns, ==, 0);
        t_before = (uint64_t)g_get_monotonic_time() * 1000u;
        traffic(&a, &b, 300, 1);
        t_after = ((uint64_t)g_get_monotonic_time() + 1) * 1000u;
        esp_datapath_counters(b.dp, &cb);
        g_assert_cmpuint(cb.last_rx_ns, >=, t_before);
        g_assert_cmpuint(cb.last_rx_ns, <=, t_after);
        traffic(&b, &a, 300, 2);

        /* Rekeys, make-before-break, with traffic between every step. */
        for (uint32_t gen = 1; gen <= 6; gen++) {
                install(&a, true, gen, true, false);
                install(&b, false, gen, true, false);
                traffic(&a, &b, 20, (uint8_t)gen);
                install(&a, true, gen, false, true);
                traffic(&a, &b, 20, (uint8_t)gen);
                install(&b, false, gen, false, true);
                traffic(&b, &a, 20, (uint8_t)gen);
                g_assert_cmpint(esp_datapath_remove_sa(a.dp, 0x200 + gen - 1, ESP_DIR_IN), ==, 0);
                g_assert_cmpint(esp_datapath_remove_sa(b.dp, 0x100 + gen - 1, ESP_DIR_IN), ==, 0);
                traffic(&a, &b, 20, (uint8_t)gen);
                traffic(&b, &a, 20, (uint8_t)gen);
        }
        g_assert_cmpint(esp_datapath_remove_sa(a.dp, 0x777, ESP_DIR_IN), ==, -ENOENT);
        esp_datapath_counters(a.dp, &ca);
        a_rx_ns = ca.last_rx_ns;
        g_assert_cmpuint(a_rx_ns, >, t_after);

        /* IKE, both ways, behind the non-ESP marker. */
        g_assert_cmpint(esp_datapath_send_ike(a.dp, (const uint8_t *)"IKE_SA_INIT?", 12), ==, 0);
        g_assert_cmpint(esp_datapath_send_ike(b.dp, (const uint8_t *)"IKE_AUTH!", 9), ==, 0);
        for (int i = 0; i < 200 && (a.ike->len < 1 || b.ike->len < 1); i++)
                g_usleep(10000);
        g_mutex_lock(&b.lock);
        g_assert_cmpuint(b.ike->len, ==, 1);
        g_assert_cmpmem(g_bytes_get_data(b.ike->pdata[0], NULL), g_bytes_get_size(b.ike->pdata[0]),
                        "IKE_SA_INIT?", 12);
        g_mutex_unlock(&b.lock);
        g_mutex_lock(&a.lock);
        g_assert_cmpuint(a.ike->len, ==, 1);
        g_mutex_unlock(&a.lock);

        /* Idle: b sends NAT keepalives (every 200 ms here). */
        g_usleep(700000);
        esp_datapath_counters(a.dp, &ca);
        esp_datapath_counters(b.dp, &cb);
        g_assert_cmpuint(cb.keepalive_out, >=, 1);
        g_assert_cmpuint(ca.keepalive_in, ==, cb.keepalive_out);
        g_assert_cmpuint(ca.keepalive_out, ==, 0);
        /* IKE and keepalives prove nothing by themselves (IKE is checked by
         * the core): only a decrypted ESP packet moves the stamp. */
        g_assert_cmpuint(ca.last_rx_ns, ==, a_rx_ns);

        /* Without an inbound SA: counted as unknown SPI, nothing reaches TUN. */
        g_assert_cmpint(esp_datapath_remove_sa(b.dp, 0x106, ESP_DIR_IN), ==, 0);
        len = make_packet(buf, 4, test_gw4, test_vip4, false, 10, 0);
        g_assert_cmpint(send(a.tun_app, buf, len, 0), ==, (ssize_t)len);
        g_assert_false(recv_packet(b.tun_app, buf, sizeof(buf), &len, 300));
        /* Not IP at all from "TUN": counted, not sent. */
        g_assert_cmpint(send(a.tun_app, "\x50hello", 6, 0), ==, 6);
        g_usleep(100000);

        esp_datapath_stop(a.dp);
        esp_datapath_stop(b.dp);
        esp_datapath_counters(a.dp, &ca);
        esp_datapath_counters(b.dp, &cb);
        g_assert_cmpuint(cb.drops[ESP_DROP_UNKNOWN_SPI], ==, 1);
        g_assert_cmpuint(ca.drops[ESP_DROP_TX_BAD_INNER], ==, 1);
        g_assert_cmpuint(ca.tx_packets, ==, 300 + 6 * 60 + 1);
        g_assert_cmpuint(cb.rx_packets, ==, 300 + 6 * 60);
        g_assert_cmpuint(cb.tx_packets, ==, 300 + 6 * 40);
        g_assert_cmpuint(ca.rx_packets, ==, cb.tx_packets);
        g_assert_cmpuint(ca.ike_out, ==, 1);
        g_assert_cmpuint(cb.ike_in, ==, 1);
        g_assert_cmpuint(ca.tun_mode, ==, TUN_MODE_PLAIN);
        for (int d = 1; d < _ESP_DROP_MAX; d++)
                if (d != ESP_DROP_UNKNOWN_SPI && d != ESP_DROP_TX_BAD_INNER)
                        g_assert_cmpuint(ca.drops[d] + cb.drops[d], ==, 0);
        /* Soft/hard lifetimes are 0 here: no events. */
        g_assert_cmpuint(a.events | b.events, ==, 0);
        end_close(&a);
        end_close(&b);
}

int main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/esp/datapath/loopback", test_datapath);
        return g_test_run();
}
