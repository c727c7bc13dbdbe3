/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RX: UDP -> ESP -> TUN.
 *
 * One recvmmsg() fills up to DP_BATCH buffers; with UDP_GRO each buffer may
 * hold many datagrams of one size back to back (the cmsg gives the size).
 * Every datagram is classified (IKE behind the non-ESP marker, keepalive,
 * ESP), ESP is decrypted in place, and the inner packets of the whole batch
 * are handed to gro_coalesce(): runs of one TCP flow become one super-packet
 * written with a single writev() (virtio-net header with GSO), the rest go
 * one write each.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "client/common/macro.h"
#include "datapath-internal.h"

#ifndef UDP_GRO
#define UDP_GRO 104
#endif

#define CTL_SZ CMSG_SPACE(sizeof(int))

int dp_rx_alloc(struct dp_rx *rx)
{
        for (size_t b = 0; b < DP_BATCH; b++) {
                rx->buf[b] = malloc(DP_RX_BUF);
                if (!rx->buf[b])
                        return -ENOMEM;
        }
        rx->ctl = calloc(DP_BATCH, CTL_SZ);
        rx->pkts = calloc(DP_RX_PKTS, sizeof(*rx->pkts));
        rx->groups = calloc(DP_RX_PKTS, sizeof(*rx->groups));
        rx->wiov = calloc(GRO_MAX_SEGS + 1, sizeof(*rx->wiov));
        if (!rx->ctl || !rx->pkts || !rx->groups || !rx->wiov)
                return -ENOMEM;
        return 0;
}

void dp_rx_free(struct dp_rx *rx)
{
        for (size_t b = 0; b < DP_BATCH; b++)
                free(rx->buf[b]);
        free(rx->ctl);
        free(rx->pkts);
        free(rx->groups);
        free(rx->wiov);
}

struct rx_state {
        struct esp_datapath *dp;
        struct dp_rx *rx;
        struct dp_local_stats st;
        size_t n_pkts;
        struct esp_sa *touched[SATABLE_MAX_IN];
        size_t n_touched;
};

static void drop(struct rx_state *s, enum esp_drop d)
{
        s->st.v[ST_DROP_BASE + d]++;
}

static void note_sa(struct rx_state *s, struct esp_sa *sa)
{
        for (size_t i = 0; i < s->n_touched; i++)
                if (s->touched[i] == sa)
                        return;
        if (s->n_touched < SATABLE_MAX_IN)
                s->touched[s->n_touched++] = sa;
}

static void one_datagram(struct rx_state *s, const struct sa_table *tb, uint8_t *d, size_t len)
{
        struct esp_datapath *dp = s->dp;
        size_t off, ilen;
        struct esp_sa *sa;
        enum esp_drop v;
        uint32_t spi;
        int r;

        s->st.v[ST_RX_DATAGRAMS]++;
        r = esp_peek_spi(d, len, &spi);
        if (r == -ENOMSG) {
                if (len == 1) {
                        s->st.v[ST_KEEPALIVE_IN]++;
                        return;
                }
                s->st.v[ST_IKE_IN]++;
                if (dp->cfg.on_ike)
                        dp->cfg.on_ike(dp->cfg.userdata, d + 4, len - 4);
                return;
        }
        if (r < 0) {
                drop(s, ESP_DROP_MALFORMED);
                return;
        }
        sa = sa_table_lookup_in(tb, spi);
        if (!sa) {
                drop(s, ESP_DROP_UNKNOWN_SPI);
                return;
        }
        v = esp_decap(sa, d, len, &off, &ilen);
        if (sa->events)
                note_sa(s, sa);
        if (v != ESP_DROP_NONE) {
                drop(s, v);
                return;
        }
        s->st.v[ST_RX_PACKETS]++;
        s->st.v[ST_RX_BYTES] += ilen;
        if (s->n_pkts < DP_RX_PKTS)
                s->rx->pkts[s->n_pkts++] = (struct gro_pkt){.p = d + off, .len = ilen};
        else
                drop(s, ESP_DROP_TOO_BIG); /* cannot happen: 64 datagrams per GRO buffer */
}

static void write_tun(struct rx_state *s)
{
        struct esp_datapath *dp = s->dp;
        struct dp_rx *rx = s->rx;

        if (dp->cfg.tun_mode == TUN_MODE_PLAIN) {
                for (size_t i = 0; i < s->n_pkts; i++) {
                        s->st.v[ST_RX_TUN_WRITES]++;
                        if (write(dp->cfg.tun_fd, rx->pkts[i].p, rx->pkts[i].len) < 0)
                                drop(s, ESP_DROP_IO);
                }
                return;
        }
        size_t ng = gro_coalesce(rx->pkts, s->n_pkts, rx->groups);

        for (size_t g = 0; g < ng; g++) {
                const struct gro_group *gr = &rx->groups[g];
                size_t hl = gro_group_header(gr, rx->pkts, rx->hdr), niov = 1;

                rx->wiov[0] = (struct iovec){.iov_base = rx->hdr, .iov_len = hl};
                for (size_t i = 0; i < gr->n; i++) {
                        const struct gro_pkt *p = &rx->pkts[gr->members[i]];

                        rx->wiov[niov++] = (struct iovec){.iov_base = p->p + gr->payload_off,
                                                          .iov_len = p->len - gr->payload_off};
                }
                s->st.v[ST_RX_TUN_WRITES]++;
                if (gr->n > 1)
                        s->st.v[ST_RX_COALESCED]++;
                if (writev(dp->cfg.tun_fd, rx->wiov, (int)niov) < 0) {
                        s->st.v[ST_DROP_BASE + ESP_DROP_IO] += gr->n;
                        if (!dp->logged_once[3]) {
                                dp->logged_once[3] = true;
                                dp_log(dp, "TUN: write failed: %s", strerror(errno));
                        }
                }
        }
}

static void drain_udp(struct rx_state *s, const struct sa_table **tb)
{
        struct esp_datapath *dp = s->dp;
        struct dp_rx *rx = s->rx;

        for (;;) {
                int n;

                for (size_t b = 0; b < DP_BATCH; b++) {
                        rx->iov[b] = (struct iovec){.iov_base = rx->buf[b], .iov_len = DP_RX_BUF};
                        rx->msgs[b].msg_hdr = (struct msghdr){
                                .msg_iov = &rx->iov[b],
                                .msg_iovlen = 1,
                                .msg_control = rx->ctl + b * CTL_SZ,
                                .msg_controllen = CTL_SZ,
                        };
                }
                n = recvmmsg(dp->cfg.udp_fd, rx->msgs, DP_BATCH, MSG_DONTWAIT, NULL);
                s->st.v[ST_RX_SYSCALLS]++;
                if (n <= 0) {
                        /* EAGAIN: drained. Errors on a connected UDP socket
                         * (ICMP unreachable) are reported once and dropped. */
                        return;
                }
                s->n_pkts = 0;
                s->n_touched = 0;
                for (int b = 0; b < n; b++) {
                        struct msghdr *m = &rx->msgs[b].msg_hdr;
                        size_t len = rx->msgs[b].msg_len, seg = len;

                        if (m->msg_flags & MSG_TRUNC) {
                                drop(s, ESP_DROP_MALFORMED);
                                continue;
                        }
                        for (struct cmsghdr *cm = CMSG_FIRSTHDR(m); cm; cm = CMSG_NXTHDR(m, cm))
                                if (cm->cmsg_level == SOL_UDP && cm->cmsg_type == UDP_GRO &&
                                    cm->cmsg_len >= CMSG_LEN(sizeof(int))) {
                                        int gs;

                                        memcpy(&gs, CMSG_DATA(cm), sizeof(gs));
                                        if (gs > 0)
                                                seg = (size_t)gs;
                                }
                        for (size_t off = 0; off < len; off += seg)
                                one_datagram(s, *tb, rx->buf[b] + off,
                                             len - off < seg ? len - off : seg);
                }
                /* One clock read (vDSO) per batch, not per packet: the
                 * engine's DPD counts from the last authenticated packet. */
                if (s->n_pkts)
                        atomic_store_explicit(&dp->last_rx_ns, dp_now_ns(), memory_order_relaxed);
                write_tun(s);
                for (size_t i = 0; i < s->n_touched; i++)
                        dp_report_events(dp, s->touched[i]);
                dp_flush_stats(dp, &s->st);
                *tb = sa_reader_enter(&dp->sa, DP_READER_RX);
                if ((size_t)n < DP_BATCH)
                        return;
        }
}

void *dp_rx_main(void *arg)
{
        struct esp_datapath *dp = arg;
        struct rx_state *s;
        struct epoll_event ev[2];
        int ep;

        s = calloc(1, sizeof(*s));
        if (!s)
                return NULL;
        s->dp = dp;
        s->rx = &dp->rx;
        ep = epoll_create1(EPOLL_CLOEXEC);
        if (ep < 0)
                goto out;
        {
                struct epoll_event e = {.events = EPOLLIN};

                e.data.fd = dp->stop_fd;
                if (epoll_ctl(ep, EPOLL_CTL_ADD, dp->stop_fd, &e) < 0)
                        goto out;
                e.data.fd = dp->cfg.udp_fd;
                if (epoll_ctl(ep, EPOLL_CTL_ADD, dp->cfg.udp_fd, &e) < 0)
                        goto out;
        }
        for (;;) {
                const struct sa_table *tb;
                int n;

                sa_reader_offline(&dp->sa, DP_READER_RX);
                n = epoll_wait(ep, ev, (int)ARRAY_SIZE(ev), -1);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        dp_log(dp, "RX: epoll_wait failed: %s", strerror(errno));
                        goto out;
                }
                tb = sa_reader_enter(&dp->sa, DP_READER_RX);
                for (int i = 0; i < n; i++) {
                        if (ev[i].data.fd == dp->stop_fd)
                                goto out;
                        if (ev[i].data.fd == dp->cfg.udp_fd)
                                drain_udp(s, &tb);
                }
        }
out:
        sa_reader_offline(&dp->sa, DP_READER_RX);
        dp_flush_stats(dp, &s->st);
        if (ep >= 0)
                close(ep);
        free(s);
        return NULL;
}
