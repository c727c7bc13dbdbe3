/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The datapath's life and its API for the engine; the per-direction loops are
 * in datapath-tx.c and datapath-rx.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "client/common/macro.h"
#include "datapath-internal.h"

uint64_t dp_now_ns(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void dp_log(struct esp_datapath *dp, const char *fmt, ...)
{
        char msg[256];
        va_list ap;

        if (!dp->cfg.on_log)
                return;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        dp->cfg.on_log(dp->cfg.userdata, msg);
}

void dp_flush_stats(struct esp_datapath *dp, struct dp_local_stats *l)
{
        for (size_t i = 0; i < _ST_MAX; i++)
                if (l->v[i]) {
                        atomic_fetch_add_explicit(&dp->stats[i], l->v[i], memory_order_relaxed);
                        l->v[i] = 0;
                }
}

void dp_report_events(struct esp_datapath *dp, struct esp_sa *sa)
{
        unsigned ev = esp_sa_take_events(sa);

        if (ev && dp->cfg.on_event)
                dp->cfg.on_event(dp->cfg.userdata, sa->spi, sa->dir, ev);
}

int esp_datapath_new(const struct esp_dp_config *c, struct esp_datapath **ret)
{
        struct esp_datapath *dp;
        int r;

        if (c->tun_fd < 0 || c->udp_fd < 0)
                return -EBADF;
        dp = calloc(1, sizeof(*dp));
        if (!dp)
                return -ENOMEM;
        dp->cfg = *c;
        dp->stop_fd = -1;
        r = sa_tables_init(&dp->sa, 2);
        if (r < 0) {
                free(dp);
                return r;
        }
        dp->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (dp->stop_fd < 0) {
                r = -errno;
                goto fail;
        }
        r = dp_tx_alloc(&dp->tx);
        if (r < 0)
                goto fail;
        r = dp_rx_alloc(&dp->rx);
        if (r < 0)
                goto fail;
        atomic_init(&dp->last_tx_ns, dp_now_ns());
        atomic_init(&dp->last_rx_ns, 0);
        atomic_init(&dp->udp_gso_active, c->udp_gso);
        *ret = dp;
        return 0;
fail:
        esp_datapath_free(dp);
        return r;
}

int esp_datapath_start(struct esp_datapath *dp)
{
        int r;

        if (dp->started)
                return -EALREADY;
        r = -pthread_create(&dp->tx_thread, NULL, dp_tx_main, dp);
        if (r < 0)
                return r;
        r = -pthread_create(&dp->rx_thread, NULL, dp_rx_main, dp);
        if (r < 0) {
                uint64_t one = 1;

                (void)!write(dp->stop_fd, &one, sizeof(one));
                pthread_join(dp->tx_thread, NULL);
                return r;
        }
        dp->started = true;
        return 0;
}

void esp_datapath_stop(struct esp_datapath *dp)
{
        uint64_t one = 1;

        if (!dp || !dp->started)
                return;
        /* The eventfd stays readable: both threads see it and leave. */
        (void)!write(dp->stop_fd, &one, sizeof(one));
        pthread_join(dp->tx_thread, NULL);
        pthread_join(dp->rx_thread, NULL);
        dp->started = false;
}

void esp_datapath_free(struct esp_datapath *dp)
{
        if (!dp)
                return;
        esp_datapath_stop(dp);
        sa_tables_done(&dp->sa);
        dp_tx_free(&dp->tx);
        dp_rx_free(&dp->rx);
        if (dp->stop_fd >= 0)
                close(dp->stop_fd);
        free(dp);
}

int esp_datapath_install_sa(struct esp_datapath *dp, const struct esp_sa_params *p)
{
        struct esp_sa *sa;
        int r;

        r = esp_sa_new(p, &sa);
        if (r < 0)
                return r;
        return sa_tables_install(&dp->sa, sa);
}

int esp_datapath_remove_sa(struct esp_datapath *dp, uint32_t spi, enum esp_dir dir)
{
        return sa_tables_remove(&dp->sa, spi, dir);
}

int esp_datapath_send_ike(struct esp_datapath *dp, const uint8_t *msg, size_t len)
{
        static const uint8_t marker[4] = {0, 0, 0, 0};
        struct iovec iov[2] = {
                {.iov_base = (void *)marker, .iov_len = sizeof(marker)},
                {.iov_base = (void *)msg, .iov_len = len},
        };
        struct msghdr m = {.msg_iov = iov, .msg_iovlen = 2};

        if (len > 65535 - 8 - sizeof(marker))
                return -EMSGSIZE;
        if (sendmsg(dp->cfg.udp_fd, &m, MSG_NOSIGNAL) < 0)
                return -errno;
        atomic_fetch_add_explicit(&dp->stats[ST_IKE_OUT], 1, memory_order_relaxed);
        atomic_store_explicit(&dp->last_tx_ns, dp_now_ns(), memory_order_relaxed);
        return 0;
}

void esp_datapath_counters(struct esp_datapath *dp, struct esp_dp_counters *ret)
{
        uint64_t v[_ST_MAX];
        struct esp_dp_counters c;

        for (size_t i = 0; i < _ST_MAX; i++)
                v[i] = atomic_load_explicit(&dp->stats[i], memory_order_relaxed);
        c = (struct esp_dp_counters){
                .tx_packets = v[ST_TX_PACKETS],
                .tx_bytes = v[ST_TX_BYTES],
                .tx_datagrams = v[ST_TX_DATAGRAMS],
                .tx_syscalls = v[ST_TX_SYSCALLS],
                .tx_tun_reads = v[ST_TX_TUN_READS],
                .tx_gso_reads = v[ST_TX_GSO_READS],
                .rx_packets = v[ST_RX_PACKETS],
                .rx_bytes = v[ST_RX_BYTES],
                .rx_datagrams = v[ST_RX_DATAGRAMS],
                .rx_syscalls = v[ST_RX_SYSCALLS],
                .rx_tun_writes = v[ST_RX_TUN_WRITES],
                .rx_coalesced = v[ST_RX_COALESCED],
                .ike_in = v[ST_IKE_IN],
                .ike_out = v[ST_IKE_OUT],
                .keepalive_in = v[ST_KEEPALIVE_IN],
                .keepalive_out = v[ST_KEEPALIVE_OUT],
                .tun_mode = dp->cfg.tun_mode,
                .udp_gso = atomic_load(&dp->udp_gso_active),
                .udp_gro = dp->cfg.udp_gro,
                .last_rx_ns = atomic_load_explicit(&dp->last_rx_ns, memory_order_relaxed),
        };
        for (size_t i = 0; i < _ESP_DROP_MAX; i++)
                c.drops[i] = v[ST_DROP_BASE + i];
        *ret = c;
}
