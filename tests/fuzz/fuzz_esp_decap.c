/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes everything the ESP datapath parses from outside:
 *
 *   byte 0 = 0..3  an ESP datagram for a fixed inbound SA: 0 AES-128-GCM,
 *                  1 AES-128-GCM with ESN, 2 and 3 the benchmark's NULL
 *                  transform (no ICV, so the fuzzer reaches the padding,
 *                  next header and inner-packet checks), 3 with ESN;
 *                  the rest is 4 bytes of window position + the datagram
 *   byte 0 = 4     a virtio-net header + packet as TUN hands them to us:
 *                  gso_layout() and gso_split()
 *   byte 0 = 5     decrypted inner packets (2-byte length prefixes) for
 *                  gro_coalesce() and gro_group_header()
 *
 * Seeds in tests/fuzz/corpus/fuzz_esp_decap/ (made by make-esp-corpus.py).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "client/esp/esp.h"
#include "client/esp/gso.h"
#include "client/ike/ikev2.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t key[20] = {0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19,
                                0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0xa0, 0xa1, 0xa2, 0xa3};

static struct esp_sa *make_sa(int which)
{
        struct esp_sa_params p = {
                .spi = 0x0badcafe,
                .dir = ESP_DIR_IN,
                .encr = which < 2 ? IKEV2_ENCR_AES_GCM_16 : IKEV2_ENCR_NULL,
                .encr_bits = which < 2 ? 128 : 0,
                .integ = IKEV2_INTEG_NONE,
                .esn = which & 1,
                .encr_key = {key, which < 2 ? sizeof(key) : 0},
                .allow_null_null = which >= 2,
                .policy =
                        {
                                .have_vip4 = true,
                                .vip4 = {198, 51, 100, 7},
                                .have_vip6 = true,
                                .vip6 = {0x20, 0x01, 0x0d, 0xb8, [15] = 7},
                                .n_ts = 2,
                                .ts =
                                        {
                                                {.family = 4,
                                                 .proto = 0,
                                                 .port_lo = 0,
                                                 .port_hi = 0xffff,
                                                 .start = {192, 0, 2, 0},
                                                 .end = {192, 0, 2, 255}},
                                                {.family = 6,
                                                 .proto = 6,
                                                 .port_lo = 80,
                                                 .port_hi = 443,
                                                 .start = {0x20, 0x01, 0x0d, 0xb8},
                                                 .end = {0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, 0xff,
                                                         0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                                         0xff, 0xff}},
                                        },
                        },
        };
        struct esp_sa *sa = NULL;

        if (esp_sa_new(&p, &sa) < 0)
                abort();
        return sa;
}

static void fuzz_decap(int which, const uint8_t *data, size_t size)
{
        struct esp_sa *sa;
        uint8_t *buf;
        uint32_t top;
        size_t off, len;
        uint32_t spi;

        if (size < 4)
                return;
        sa = make_sa(which);
        memcpy(&top, data, 4);
        if (top)
                (void)esp_replay_update(&sa->replay, sa->esn ? (uint64_t)top << 16 : top);
        data += 4;
        size -= 4;
        /* An exactly sized copy: decapsulation works in place. */
        buf = malloc(size ? size : 1);
        if (!buf)
                abort();
        memcpy(buf, data, size);
        if (esp_peek_spi(buf, size, &spi) == 0 &&
            esp_decap(sa, buf, size, &off, &len) == ESP_DROP_NONE) {
                if (off > size || len > size - off)
                        abort();
                /* A second time must be a replay. */
                memcpy(buf, data, size);
                if (esp_decap(sa, buf, size, &off, &len) != ESP_DROP_REPLAY)
                        abort();
        }
        free(buf);
        esp_sa_free(sa);
}

static void fuzz_split(const uint8_t *data, size_t size)
{
        enum { STRIDE = 1600, HEAD = 24, MAXSEG = 256 };
        static uint8_t out[STRIDE * MAXSEG];
        size_t lens[GSO_MAX_SEGS], seg_max, nseg;
        struct vnet_hdr h;
        uint8_t *pkt;
        int n;

        if (size < VNET_HDR_LEN)
                return;
        vnet_hdr_parse(data, &h);
        size -= VNET_HDR_LEN;
        pkt = malloc(size ? size : 1);
        if (!pkt)
                abort();
        memcpy(pkt, data + VNET_HDR_LEN, size);
        if (gso_layout(&h, pkt, size, &seg_max, &nseg) == 0 && seg_max <= STRIDE - HEAD - 64 &&
            nseg <= MAXSEG) {
                n = gso_split(&h, pkt, size, out, STRIDE, HEAD, STRIDE - HEAD - 64, MAXSEG, lens);
                if (n > 0 && (size_t)n != nseg)
                        abort();
                for (int i = 0; i < n; i++)
                        if (lens[i] > seg_max)
                                abort();
        }
        (void)gso_complete_csum(&h, pkt, size);
        free(pkt);
}

static void fuzz_coalesce(const uint8_t *data, size_t size)
{
        static struct gro_group groups[64];
        struct gro_pkt pkts[64] = { 0 }; /* gcc -O2 cannot see that n > 0 before use */
        uint8_t *copies[64];
        size_t n = 0;

        while (size >= 2 && n < 64) {
                size_t len = (size_t)data[0] << 8 | data[1];

                data += 2;
                size -= 2;
                if (len > size)
                        len = size;
                copies[n] = malloc(len ? len : 1);
                if (!copies[n])
                        abort();
                memcpy(copies[n], data, len);
                pkts[n] = (struct gro_pkt){copies[n], len};
                n++;
                data += len;
                size -= len;
        }
        size_t ng = gro_coalesce(pkts, n, groups), seen = 0;

        for (size_t g = 0; g < ng; g++) {
                uint8_t hdr[GRO_HDR_MAX];
                size_t hl = gro_group_header(&groups[g], pkts, hdr), total = hl - VNET_HDR_LEN;

                if (groups[g].n == 0 || groups[g].n > GRO_MAX_SEGS)
                        abort();
                for (size_t i = 0; i < groups[g].n; i++) {
                        const struct gro_pkt *p = &pkts[groups[g].members[i]];

                        if (groups[g].payload_off > p->len)
                                abort();
                        total += p->len - groups[g].payload_off;
                }
                if (total != groups[g].total || total > GSO_MAX_PACKET)
                        abort();
                seen += groups[g].n;
        }
        if (seen != n)
                abort();
        for (size_t i = 0; i < n; i++)
                free(copies[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size < 1)
                return 0;
        switch (data[0]) {
        case 0:
        case 1:
        case 2:
        case 3:
                fuzz_decap(data[0], data + 1, size - 1);
                break;
        case 4:
                fuzz_split(data + 1, size - 1);
                break;
        case 5:
                fuzz_coalesce(data + 1, size - 1);
                break;
        default:
                break;
        }
        return 0;
}
