/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * esp-static: the real datapath between a TUN device and a UDP peer with a
 * fixed SA pair and no IKE. For benchmarks and lab tests only: the keys are
 * constants compiled in, so anything it carries is NOT confidential.
 *
 *   esp-static --side a|b --local IP:PORT --remote IP:PORT [--name IFNAME]
 *              [--mtu N] [--alg aes128gcm|aes256gcm|chacha20poly1305|
 *              aes128cbc-sha256|null] [--no-offload] [--vip IP --peer-net IP/LEN]
 *
 * Side a sends with SPI 0xa0000001 and receives with 0xb0000001, side b the
 * opposite, each direction with its own keys. It prints "ready IFNAME" once the
 * interface exists (the caller then gives it addresses and routes), runs
 * until SIGINT/SIGTERM, and prints its counters as one JSON object.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client/esp/datapath.h"
#include "client/ike/ikev2.h"
#include "platform/linux/tun.h"
#include "platform/linux/udp.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
        (void)sig;
        stop = 1;
}

static void on_log(void *ud, const char *msg)
{
        (void)ud;
        fprintf(stderr, "esp-static: %s\n", msg);
}

static int parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
        char host[128];
        const char *colon = strrchr(s, ':');
        unsigned long port;

        if (!colon || (size_t)(colon - s) >= sizeof(host))
                return -EINVAL;
        memcpy(host, s, (size_t)(colon - s));
        host[colon - s] = 0;
        port = strtoul(colon + 1, NULL, 10);
        if (port > 65535)
                return -EINVAL;
        memset(ss, 0, sizeof(*ss));
        if (inet_pton(AF_INET, host, &((struct sockaddr_in *)ss)->sin_addr) == 1) {
                ((struct sockaddr_in *)ss)->sin_family = AF_INET;
                ((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
                *len = sizeof(struct sockaddr_in);
                return 0;
        }
        if (host[0] == '[' && host[strlen(host) - 1] == ']') {
                memmove(host, host + 1, strlen(host));
                host[strlen(host) - 1] = 0;
        }
        if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)ss)->sin6_addr) == 1) {
                ((struct sockaddr_in6 *)ss)->sin6_family = AF_INET6;
                ((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
                *len = sizeof(struct sockaddr_in6);
                return 0;
        }
        return -EINVAL;
}

struct alg {
        const char *name;
        uint16_t encr, bits, integ;
        size_t key_len, integ_len;
};

static const struct alg algs[] = {
        {"aes128gcm", IKEV2_ENCR_AES_GCM_16, 128, IKEV2_INTEG_NONE, 20, 0},
        {"aes256gcm", IKEV2_ENCR_AES_GCM_16, 256, IKEV2_INTEG_NONE, 36, 0},
        {"chacha20poly1305", IKEV2_ENCR_CHACHA20_POLY1305, 256, IKEV2_INTEG_NONE, 36, 0},
        {"aes128cbc-sha256", IKEV2_ENCR_AES_CBC, 128, IKEV2_INTEG_HMAC_SHA2_256_128, 16, 32},
        {"null", IKEV2_ENCR_NULL, 0, IKEV2_INTEG_NONE, 0, 0},
};

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
        for (size_t i = 0; i < n; i++)
                p[i] = (uint8_t)(seed + 7 * i);
}

static void print_json(const struct esp_dp_counters *c)
{
        printf("{\"tun_mode\":\"%s\",\"udp_gso\":%s,\"udp_gro\":%s,"
               "\"tx_packets\":%llu,\"tx_bytes\":%llu,\"tx_datagrams\":%llu,\"tx_syscalls\":%llu,"
               "\"tx_tun_reads\":%llu,\"tx_gso_reads\":%llu,"
               "\"rx_packets\":%llu,\"rx_bytes\":%llu,\"rx_datagrams\":%llu,\"rx_syscalls\":%llu,"
               "\"rx_tun_writes\":%llu,\"rx_coalesced\":%llu,\"keepalive_out\":%llu,\"drops\":{",
               tun_mode_to_string(c->tun_mode), c->udp_gso ? "true" : "false",
               c->udp_gro ? "true" : "false", (unsigned long long)c->tx_packets,
               (unsigned long long)c->tx_bytes, (unsigned long long)c->tx_datagrams,
               (unsigned long long)c->tx_syscalls, (unsigned long long)c->tx_tun_reads,
               (unsigned long long)c->tx_gso_reads, (unsigned long long)c->rx_packets,
               (unsigned long long)c->rx_bytes, (unsigned long long)c->rx_datagrams,
               (unsigned long long)c->rx_syscalls, (unsigned long long)c->rx_tun_writes,
               (unsigned long long)c->rx_coalesced, (unsigned long long)c->keepalive_out);
        for (int i = 1; i < _ESP_DROP_MAX; i++)
                printf("%s\"%s\":%llu", i > 1 ? "," : "", esp_drop_to_string((enum esp_drop)i),
                       (unsigned long long)c->drops[i]);
        printf("}}\n");
        fflush(stdout);
}

int main(int argc, char **argv)
{
        static const struct option opts[] = {
                {"side", required_argument, NULL, 's'},     {"local", required_argument, NULL, 'l'},
                {"remote", required_argument, NULL, 'r'},   {"name", required_argument, NULL, 'n'},
                {"mtu", required_argument, NULL, 'm'},      {"alg", required_argument, NULL, 'a'},
                {"no-offload", no_argument, NULL, 'o'},     {"vip", required_argument, NULL, 'v'},
                {"peer-net", required_argument, NULL, 'p'}, {},
        };
        const char *side = NULL, *local = NULL, *remote = NULL, *name = NULL,
                   *algname = "aes128gcm";
        const char *vip = NULL, *peer_net = NULL;
        struct sockaddr_storage lss, rss;
        socklen_t llen = 0, rlen = 0;
        unsigned mtu = 1400;
        bool offload = true;
        const struct alg *alg = NULL;
        char ifname[16];
        enum tun_mode mode;
        struct udp_caps caps;
        struct esp_datapath *dp = NULL;
        struct esp_dp_counters cnt;
        int tun_fd, udp_fd, r, c;

        while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
                switch (c) {
                case 's':
                        side = optarg;
                        break;
                case 'l':
                        local = optarg;
                        break;
                case 'r':
                        remote = optarg;
                        break;
                case 'n':
                        name = optarg;
                        break;
                case 'm':
                        mtu = (unsigned)strtoul(optarg, NULL, 10);
                        break;
                case 'a':
                        algname = optarg;
                        break;
                case 'o':
                        offload = false;
                        break;
                case 'v':
                        vip = optarg;
                        break;
                case 'p':
                        peer_net = optarg;
                        break;
                default:
                        return 2;
                }
        }
        for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
                if (strcmp(algs[i].name, algname) == 0)
                        alg = &algs[i];
        if (!side || (strcmp(side, "a") && strcmp(side, "b")) || !local || !remote || !alg ||
            parse_addr(local, &lss, &llen) < 0 || parse_addr(remote, &rss, &rlen) < 0) {
                fprintf(stderr, "usage: esp-static --side a|b --local IP:PORT --remote IP:PORT "
                                "[--name IF] [--mtu N] [--alg NAME] [--no-offload] "
                                "[--vip IPv4 --peer-net IPv4/LEN]\n");
                return 2;
        }

        tun_fd = tun_open(
                &(struct tun_open_opts){.name = name, .mtu = mtu, .want_offloads = offload}, ifname,
                &mode, on_log, NULL);
        if (tun_fd < 0) {
                fprintf(stderr, "esp-static: TUN: %s\n", strerror(-tun_fd));
                return 1;
        }
        udp_fd = udp_open(&(struct udp_open_opts){.local = (struct sockaddr *)&lss,
                                                  .local_len = llen,
                                                  .remote = (struct sockaddr *)&rss,
                                                  .remote_len = rlen,
                                                  .want_offloads = offload},
                          &caps);
        if (udp_fd < 0) {
                fprintf(stderr, "esp-static: UDP: %s\n", strerror(-udp_fd));
                return 1;
        }
        r = esp_datapath_new(&(struct esp_dp_config){.tun_fd = tun_fd,
                                                     .tun_mode = mode,
                                                     .udp_fd = udp_fd,
                                                     .udp_gso = caps.gso,
                                                     .udp_gro = caps.gro,
                                                     .keepalive_ms = 20000,
                                                     .tun_mtu = mtu,
                                                     .on_log = on_log},
                             &dp);
        if (r < 0) {
                fprintf(stderr, "esp-static: datapath: %s\n", strerror(-r));
                return 1;
        }

        for (int dir = 0; dir < 2; dir++) {
                bool out = dir == 0;
                /* a->b traffic uses SPI a0000001 and key seed 1, b->a b0000001 and 2. */
                bool ab = (side[0] == 'a') == out;
                uint8_t ek[36], ik[32];
                struct esp_sa_params p = {
                        .spi = ab ? 0xa0000001u : 0xb0000001u,
                        .dir = out ? ESP_DIR_OUT : ESP_DIR_IN,
                        .encr = alg->encr,
                        .encr_bits = alg->bits,
                        .integ = alg->integ,
                        .encr_key = {ek, alg->key_len},
                        .integ_key = {ik, alg->integ_len},
                        .iv_seed = {1, 2, 3, 4, 5, 6, 7, (uint8_t)dir},
                        .allow_null_null = alg->encr == IKEV2_ENCR_NULL,
                };

                fill(ek, sizeof(ek), ab ? 1 : 2);
                fill(ik, sizeof(ik), ab ? 101 : 102);
                if (!out) {
                        struct esp_inner_policy *pol = &p.policy;

                        if (vip && inet_pton(AF_INET, vip, pol->vip4) == 1)
                                pol->have_vip4 = true;
                        if (peer_net) {
                                char net[64];
                                char *slash;
                                unsigned plen = 32;
                                uint32_t a, mask;

                                snprintf(net, sizeof(net), "%s", peer_net);
                                slash = strchr(net, '/');
                                if (slash) {
                                        *slash = 0;
                                        plen = (unsigned)strtoul(slash + 1, NULL, 10);
                                }
                                if (inet_pton(AF_INET, net, &a) == 1 && plen <= 32) {
                                        mask = plen ? htonl(~0u << (32 - plen)) : 0;
                                        struct esp_ts *ts = &pol->ts[pol->n_ts++];
                                        uint32_t lo = a & mask, hi = lo | ~mask;

                                        ts->family = 4;
                                        ts->port_hi = 0xffff;
                                        memcpy(ts->start, &lo, 4);
                                        memcpy(ts->end, &hi, 4);
                                }
                        }
                }
                r = esp_datapath_install_sa(dp, &p);
                if (r < 0) {
                        fprintf(stderr, "esp-static: SA: %s\n", strerror(-r));
                        return 1;
                }
        }

        signal(SIGINT, on_signal);
        signal(SIGTERM, on_signal);
        r = esp_datapath_start(dp);
        if (r < 0) {
                fprintf(stderr, "esp-static: start: %s\n", strerror(-r));
                return 1;
        }
        fprintf(stderr, "esp-static: %s tun=%s udp_gso=%d udp_gro=%d alg=%s\n", ifname,
                tun_mode_to_string(mode), caps.gso, caps.gro, alg->name);
        printf("ready %s\n", ifname);
        fflush(stdout);
        while (!stop)
                pause();
        esp_datapath_stop(dp);
        esp_datapath_counters(dp, &cnt);
        print_json(&cnt);
        esp_datapath_free(dp);
        close(udp_fd);
        close(tun_fd);
        return 0;
}
