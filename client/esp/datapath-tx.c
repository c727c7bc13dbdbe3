/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TX: TUN -> ESP -> UDP.
 *
 * A batch is up to DP_BATCH reads from TUN. A read is either one packet,
 * encrypted where it was read (it lands after room for the ESP header), or a
 * TCP/UDP super-packet (virtio-net GSO), cut by gso_split() into segments laid
 * out at a fixed stride equal to the ESP datagram size of a full segment:
 *
 *   split[b]: |ESP hdr+IV|seg 0 ...|pad,ICV|ESP hdr+IV|seg 1 ...|pad,ICV|...|last, shorter|
 *             <----------- stride ---------><----------- stride -------->
 *
 * so that after encryption the datagrams are back to back and go out in one
 * sendmsg with UDP_SEGMENT = stride (the last may be shorter, as UDP GSO
 * allows). All messages of a batch leave in one sendmmsg().
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "client/common/macro.h"
#include "datapath-internal.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

#define CTL_SZ CMSG_SPACE(sizeof(uint16_t))

int dp_tx_alloc(struct dp_tx *tx)
{
        for (size_t b = 0; b < DP_BATCH; b++) {
                tx->rd[b] = malloc(DP_RD_CAP);
                tx->split[b] = malloc(DP_SPLIT_CAP);
                if (!tx->rd[b] || !tx->split[b])
                        return -ENOMEM;
        }
        tx->msgs = calloc(DP_TX_MSGS, sizeof(*tx->msgs));
        tx->iov = calloc(DP_TX_MSGS, sizeof(*tx->iov));
        tx->ctl = calloc(DP_TX_MSGS, CTL_SZ);
        if (!tx->msgs || !tx->iov || !tx->ctl)
                return -ENOMEM;
        return 0;
}

void dp_tx_free(struct dp_tx *tx)
{
        for (size_t b = 0; b < DP_BATCH; b++) {
                free(tx->rd[b]);
                free(tx->split[b]);
        }
        free(tx->msgs);
        free(tx->iov);
        free(tx->ctl);
}

struct tx_state {
        struct esp_datapath *dp;
        struct dp_tx *tx;
        struct dp_local_stats st;
        size_t n_msgs;
        uint16_t ndg[DP_TX_MSGS]; /* datagrams per message */
        uint16_t seg[DP_TX_MSGS]; /* UDP_SEGMENT of the message, 0 = none */
        bool gso;
};

static void drop(struct tx_state *s, enum esp_drop d, uint64_t n)
{
        s->st.v[ST_DROP_BASE + d] += n;
}

static void add_msg(struct tx_state *s, uint8_t *base, size_t len, uint16_t seg, size_t ndg)
{
        size_t i = s->n_msgs++;
        struct msghdr *m = &s->tx->msgs[i].msg_hdr;

        s->tx->iov[i] = (struct iovec){.iov_base = base, .iov_len = len};
        *m = (struct msghdr){.msg_iov = &s->tx->iov[i], .msg_iovlen = 1};
        s->ndg[i] = (uint16_t)ndg;
        s->seg[i] = seg;
        if (seg) {
                uint8_t *ctl = s->tx->ctl + i * CTL_SZ;
                struct cmsghdr *cm = (struct cmsghdr *)ctl;

                memset(ctl, 0, CTL_SZ);
                cm->cmsg_level = SOL_UDP;
                cm->cmsg_type = UDP_SEGMENT;
                cm->cmsg_len = CMSG_LEN(sizeof(uint16_t));
                memcpy(CMSG_DATA(cm), &seg, sizeof(seg));
                m->msg_control = ctl;
                m->msg_controllen = CTL_SZ;
        }
}

/* Turns the encrypted segments at base + i * stride into messages: runs of
 * full-size datagrams (plus one shorter at the end) share a message when the
 * socket does GSO. esp_lens[i] == 0 marks a dropped segment (a hole). */
static void queue_segments(struct tx_state *s, uint8_t *base, size_t stride, const size_t *esp_lens,
                           size_t n)
{
        size_t i = 0;

        while (i < n) {
                size_t start = i, len = esp_lens[i], total = len, j = i + 1;

                if (len == 0) {
                        i++;
                        continue;
                }
                if (s->gso && len == stride) {
                        while (j < n && j - start < DP_UDP_MAX_SEGS && esp_lens[j] != 0 &&
                               esp_lens[j] <= len && esp_lens[j] <= DP_UDP_MAX_BYTES - total) {
                                total += esp_lens[j];
                                if (esp_lens[j++] < len)
                                        break; /* a shorter one ends the run */
                        }
                }
                add_msg(s, base + start * stride, total, j - start > 1 ? (uint16_t)len : 0,
                        j - start);
                i = j;
        }
}

static void process_read(struct tx_state *s, struct esp_sa *sa, size_t b, size_t rlen, bool vnet)
{
        struct dp_tx *tx = s->tx;
        uint8_t *pkt = tx->rd[b] + DP_RD_PKT_OFF;
        size_t len = rlen - (vnet ? VNET_HDR_LEN : 0), head, seg_max, nseg, stride, cap;
        struct vnet_hdr h = {0};
        enum esp_drop d;
        int n;

        if (vnet)
                vnet_hdr_parse(pkt - VNET_HDR_LEN, &h);
        if (!sa) {
                drop(s, ESP_DROP_NO_SA, 1);
                return;
        }
        head = esp_sa_headroom(sa);
        if ((h.gso_type & (uint8_t)~VNET_GSO_ECN) == VNET_GSO_NONE) {
                size_t elen;

                if (gso_complete_csum(&h, pkt, len) < 0) {
                        drop(s, ESP_DROP_GSO, 1);
                        return;
                }
                cap = DP_RD_CAP - (DP_RD_PKT_OFF - head);
                d = esp_encap(sa, pkt - head, cap, len, &elen);
                if (d != ESP_DROP_NONE) {
                        drop(s, d, 1);
                        return;
                }
                s->st.v[ST_TX_PACKETS]++;
                s->st.v[ST_TX_BYTES] += len;
                add_msg(s, pkt - head, elen, 0, 1);
                return;
        }

        s->st.v[ST_TX_GSO_READS]++;
        if (gso_layout(&h, pkt, len, &seg_max, &nseg) < 0) {
                drop(s, ESP_DROP_GSO, 1);
                return;
        }
        stride = seg_max + esp_sa_overhead(sa, seg_max);
        if (nseg > GSO_MAX_SEGS || nseg > DP_SPLIT_CAP / stride) {
                drop(s, ESP_DROP_GSO, 1);
                return;
        }
        n = gso_split(&h, pkt, len, tx->split[b], stride, head, seg_max, nseg, tx->seg_lens);
        if (n < 0) {
                drop(s, ESP_DROP_GSO, 1);
                return;
        }
        for (size_t i = 0; i < (size_t)n; i++) {
                d = esp_encap(sa, tx->split[b] + i * stride, stride, tx->seg_lens[i],
                              &tx->esp_lens[i]);
                if (d != ESP_DROP_NONE) {
                        drop(s, d, 1);
                        tx->esp_lens[i] = 0;
                        continue;
                }
                s->st.v[ST_TX_PACKETS]++;
                s->st.v[ST_TX_BYTES] += tx->seg_lens[i];
        }
        queue_segments(s, tx->split[b], stride, tx->esp_lens, (size_t)n);
}

/* A message the kernel refused with its UDP_SEGMENT (e.g. larger than the
 * route's MTU allows for GSO): send its datagrams one by one. */
static void send_unsegmented(struct tx_state *s, size_t i)
{
        uint8_t *base = s->tx->iov[i].iov_base;
        size_t total = s->tx->iov[i].iov_len, seg = s->seg[i];

        for (size_t off = 0; off < total; off += seg) {
                size_t len = total - off < seg ? total - off : seg;

                s->st.v[ST_TX_SYSCALLS]++;
                if (send(s->dp->cfg.udp_fd, base + off, len, MSG_NOSIGNAL) < 0)
                        drop(s, ESP_DROP_IO, 1);
                else
                        s->st.v[ST_TX_DATAGRAMS]++;
        }
}

static void send_batch(struct tx_state *s)
{
        struct esp_datapath *dp = s->dp;
        size_t sent = 0;

        while (sent < s->n_msgs) {
                size_t left = s->n_msgs - sent;
                int r = sendmmsg(dp->cfg.udp_fd, s->tx->msgs + sent,
                                 left > 1024 ? 1024u : (unsigned)left, MSG_NOSIGNAL);

                s->st.v[ST_TX_SYSCALLS]++;
                if (r < 0) {
                        int err = errno;

                        if (err == EINTR)
                                continue;
                        if (s->seg[sent] && (err == EINVAL || err == EMSGSIZE || err == EIO)) {
                                /* From now on, one datagram per message
                                 * (counters show udp_gso false). */
                                if (!dp->logged_once[0]) {
                                        dp->logged_once[0] = true;
                                        dp_log(dp,
                                               "UDP: kernel refused a segmented send (%s), "
                                               "falling back to one datagram per message",
                                               strerror(err));
                                }
                                s->gso = false;
                                atomic_store(&dp->udp_gso_active, false);
                                send_unsegmented(s, sent);
                        } else {
                                /* E.g. ECONNREFUSED after an ICMP error: the
                                 * datagrams are lost, the next ones may pass. */
                                drop(s, ESP_DROP_IO, s->ndg[sent]);
                                if (!dp->logged_once[1]) {
                                        dp->logged_once[1] = true;
                                        dp_log(dp, "UDP: send failed: %s", strerror(err));
                                }
                        }
                        sent++;
                        continue;
                }
                for (int k = 0; k < r; k++)
                        s->st.v[ST_TX_DATAGRAMS] += s->ndg[sent + (size_t)k];
                sent += (size_t)r;
        }
        if (s->n_msgs)
                atomic_store_explicit(&dp->last_tx_ns, dp_now_ns(), memory_order_relaxed);
        s->n_msgs = 0;
}

static void keepalive(struct tx_state *s, int tfd)
{
        struct esp_datapath *dp = s->dp;
        uint64_t expirations, now = dp_now_ns(), idle, last;
        static const uint8_t ka = 0xff;

        (void)!read(tfd, &expirations, sizeof(expirations));
        last = atomic_load_explicit(&dp->last_tx_ns, memory_order_relaxed);
        idle = now > last ? now - last : 0;
        if (idle < (uint64_t)dp->cfg.keepalive_ms * 1000000u)
                return;
        /* RFC 3948 2.3: one byte 0xFF, only when nothing else was sent. */
        if (send(dp->cfg.udp_fd, &ka, 1, MSG_NOSIGNAL) == 1)
                s->st.v[ST_KEEPALIVE_OUT]++;
        atomic_store_explicit(&dp->last_tx_ns, now, memory_order_relaxed);
}

static int make_timer(unsigned ms)
{
        struct itimerspec its = {0};
        unsigned tick = ms / 4 < 100 ? 100 : ms / 4;
        int fd;

        fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
        if (fd < 0)
                return -errno;
        its.it_interval.tv_sec = tick / 1000;
        its.it_interval.tv_nsec = (long)(tick % 1000) * 1000000L;
        its.it_value = its.it_interval;
        if (timerfd_settime(fd, 0, &its, NULL) < 0) {
                int r = -errno;

                close(fd);
                return r;
        }
        return fd;
}

static void drain_tun(struct tx_state *s, const struct sa_table **tb)
{
        struct esp_datapath *dp = s->dp;
        bool vnet = dp->cfg.tun_mode != TUN_MODE_PLAIN;
        size_t vh = vnet ? VNET_HDR_LEN : 0;
        size_t lens[DP_BATCH];

        for (;;) {
                size_t nb = 0;

                while (nb < DP_BATCH) {
                        ssize_t r = read(dp->cfg.tun_fd, s->tx->rd[nb] + DP_RD_PKT_OFF - vh,
                                         vh + 65535u);

                        if (r < 0) {
                                if (errno != EAGAIN && errno != EINTR && !dp->logged_once[2]) {
                                        dp->logged_once[2] = true;
                                        dp_log(dp, "TUN: read failed: %s", strerror(errno));
                                }
                                break;
                        }
                        if ((size_t)r <= vh)
                                continue;
                        lens[nb++] = (size_t)r;
                }
                if (nb == 0)
                        return;
                s->st.v[ST_TX_TUN_READS] += nb;
                for (size_t b = 0; b < nb; b++)
                        process_read(s, (*tb)->out, b, lens[b], vnet);
                send_batch(s);
                if ((*tb)->out)
                        dp_report_events(dp, (*tb)->out);
                dp_flush_stats(dp, &s->st);
                /* A quiescent point: a new table may be picked up. */
                *tb = sa_reader_enter(&dp->sa, DP_READER_TX);
                if (nb < DP_BATCH)
                        return;
        }
}

void *dp_tx_main(void *arg)
{
        struct esp_datapath *dp = arg;
        struct tx_state *s;
        struct epoll_event ev[4];
        int ep = -1, tfd = -1;

        s = calloc(1, sizeof(*s));
        if (!s)
                return NULL;
        s->dp = dp;
        s->tx = &dp->tx;
        s->gso = dp->cfg.udp_gso;
        ep = epoll_create1(EPOLL_CLOEXEC);
        if (ep < 0)
                goto out;
        if (dp->cfg.keepalive_ms) {
                tfd = make_timer(dp->cfg.keepalive_ms);
                if (tfd < 0)
                        goto out;
        }
        {
                struct epoll_event e = {.events = EPOLLIN};

                e.data.fd = dp->stop_fd;
                if (epoll_ctl(ep, EPOLL_CTL_ADD, dp->stop_fd, &e) < 0)
                        goto out;
                e.data.fd = dp->cfg.tun_fd;
                if (epoll_ctl(ep, EPOLL_CTL_ADD, dp->cfg.tun_fd, &e) < 0)
                        goto out;
                if (tfd >= 0) {
                        e.data.fd = tfd;
                        if (epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &e) < 0)
                                goto out;
                }
        }
        for (;;) {
                const struct sa_table *tb;
                int n;

                sa_reader_offline(&dp->sa, DP_READER_TX);
                n = epoll_wait(ep, ev, (int)ARRAY_SIZE(ev), -1);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        dp_log(dp, "TX: epoll_wait failed: %s", strerror(errno));
                        goto out;
                }
                tb = sa_reader_enter(&dp->sa, DP_READER_TX);
                for (int i = 0; i < n; i++) {
                        if (ev[i].data.fd == dp->stop_fd)
                                goto out;
                        if (ev[i].data.fd == tfd)
                                keepalive(s, tfd);
                        else if (ev[i].data.fd == dp->cfg.tun_fd)
                                drain_tun(s, &tb);
                }
                dp_flush_stats(dp, &s->st);
        }
out:
        sa_reader_offline(&dp->sa, DP_READER_TX);
        dp_flush_stats(dp, &s->st);
        if (tfd >= 0)
                close(tfd);
        if (ep >= 0)
                close(ep);
        free(s);
        return NULL;
}
