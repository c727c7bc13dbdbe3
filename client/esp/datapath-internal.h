/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared between datapath.c, datapath-tx.c and datapath-rx.c. */
#pragma once

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "datapath.h"
#include "gso.h"
#include "satable.h"

/* Reader slots in the SA table. */
#define DP_READER_TX 0u
#define DP_READER_RX 1u

/* TUN reads (TX) and UDP receives (RX) per batch. */
#define DP_BATCH 16u
/* Largest TUN read: the virtio-net header and a 64 KiB super-packet. */
#define DP_TUN_READ_CAP (VNET_HDR_LEN + 65535u)
/* Where a TUN read lands in its buffer: the inner packet then sits right
 * after the largest ESP header + IV, so a packet that needs no segmenting is
 * encrypted where it was read (no copy). */
#define DP_RD_PKT_OFF ESP_MAX_HEADROOM
#define DP_RD_CAP     (DP_RD_PKT_OFF + 65535u + ESP_MAX_TAILROOM + 64u)
/* Segments of one super-packet laid out at a fixed stride (see datapath-tx.c). */
#define DP_SPLIT_CAP (160u * 1024u)
/* Per sendmsg with UDP_SEGMENT: the kernel's UDP_MAX_SEGMENTS is 64 on older kernels. */
#define DP_UDP_MAX_SEGS 64u
/* One UDP send carries at most 64 KiB, headers included (IPv6: 40 + 8). */
#define DP_UDP_MAX_BYTES (65535u - 40u - 8u)
#define DP_TX_MSGS       (DP_BATCH * GSO_MAX_SEGS)
#define DP_RX_BUF        65536u
#define DP_RX_PKTS       (DP_BATCH * 64u)

enum dp_stat {
        ST_TX_PACKETS,
        ST_TX_BYTES,
        ST_TX_DATAGRAMS,
        ST_TX_SYSCALLS,
        ST_TX_TUN_READS,
        ST_TX_GSO_READS,
        ST_RX_PACKETS,
        ST_RX_BYTES,
        ST_RX_DATAGRAMS,
        ST_RX_SYSCALLS,
        ST_RX_TUN_WRITES,
        ST_RX_COALESCED,
        ST_IKE_IN,
        ST_IKE_OUT,
        ST_KEEPALIVE_IN,
        ST_KEEPALIVE_OUT,
        ST_DROP_BASE,
        _ST_MAX = ST_DROP_BASE + _ESP_DROP_MAX,
};

struct dp_local_stats {
        uint64_t v[_ST_MAX];
};

struct dp_tx {
        uint8_t *rd[DP_BATCH];    /* TUN read buffers */
        uint8_t *split[DP_BATCH]; /* segments of super-packets */
        struct mmsghdr *msgs;
        struct iovec *iov;
        uint8_t *ctl; /* one UDP_SEGMENT cmsg per message */
        size_t seg_lens[GSO_MAX_SEGS];
        size_t esp_lens[GSO_MAX_SEGS];
};

struct dp_rx {
        uint8_t *buf[DP_BATCH];
        struct mmsghdr msgs[DP_BATCH];
        struct iovec iov[DP_BATCH];
        uint8_t *ctl;
        struct gro_pkt *pkts;
        struct gro_group *groups;
        struct iovec *wiov; /* one writev: header + up to GRO_MAX_SEGS payloads */
        uint8_t hdr[GRO_HDR_MAX];
};

struct esp_datapath {
        struct esp_dp_config cfg;
        struct sa_tables sa;
        int stop_fd;
        bool started;
        pthread_t tx_thread, rx_thread;
        _Atomic uint64_t stats[_ST_MAX];
        _Atomic uint64_t last_tx_ns; /* CLOCK_MONOTONIC of the last datagram sent */
        _Atomic uint64_t last_rx_ns; /* ... of the last batch with an ESP packet decrypted; 0: none */
        _Atomic bool udp_gso_active; /* cleared when the kernel refuses UDP_SEGMENT */
        bool logged_once[4];
        struct dp_tx tx;
        struct dp_rx rx;
};

void dp_flush_stats(struct esp_datapath *dp, struct dp_local_stats *l);
void dp_log(struct esp_datapath *dp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
uint64_t dp_now_ns(void);
void dp_report_events(struct esp_datapath *dp, struct esp_sa *sa);

void *dp_tx_main(void *arg);
void *dp_rx_main(void *arg);
int dp_tx_alloc(struct dp_tx *tx);
void dp_tx_free(struct dp_tx *tx);
int dp_rx_alloc(struct dp_rx *rx);
void dp_rx_free(struct dp_rx *rx);
