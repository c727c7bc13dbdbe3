/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "inner.h"

#include <string.h>

static bool proto_has_ports(uint8_t proto)
{
        return proto == 6 || proto == 17 || proto == 132 ||
               proto == 136; /* TCP, UDP, SCTP, UDP-Lite */
}

bool esp_ts_match(const struct esp_ts *ts, uint8_t family, const uint8_t *addr, uint8_t proto,
                  uint16_t port)
{
        size_t alen = family == 4 ? 4 : 16;

        if (ts->family != family)
                return false;
        if (memcmp(addr, ts->start, alen) < 0 || memcmp(addr, ts->end, alen) > 0)
                return false;
        if (ts->proto != 0 && ts->proto != proto)
                return false;
        if (ts->port_lo == 0 && ts->port_hi == 0xffff)
                return true;
        /* A narrower port range only admits protocols that have ports. */
        return proto_has_ports(proto) && port >= ts->port_lo && port <= ts->port_hi;
}

static bool policy_admits_src(const struct esp_inner_policy *pol, uint8_t family,
                              const uint8_t *src, uint8_t proto, const uint8_t *l4, size_t l4_len)
{
        uint16_t sport = 0;

        if (proto_has_ports(proto) && l4_len >= 2)
                sport = (uint16_t)(l4[0] << 8 | l4[1]);
        for (size_t i = 0; i < pol->n_ts && i < ESP_MAX_TS; i++)
                if (esp_ts_match(&pol->ts[i], family, src, proto, sport))
                        return true;
        return false;
}

enum esp_drop esp_inner_check(const struct esp_inner_policy *pol, uint8_t nh, const uint8_t *pkt,
                              size_t len, size_t *ret_len)
{
        size_t total, hlen;
        uint8_t proto;

        if (len < 1)
                return ESP_DROP_BAD_INNER;
        if (nh == ESP_NEXT_IPV4) {
                if (len < 20 || pkt[0] >> 4 != 4)
                        return ESP_DROP_BAD_INNER;
                hlen = (size_t)(pkt[0] & 0x0f) * 4;
                total = (size_t)pkt[2] << 8 | pkt[3];
                if (hlen < 20 || total < hlen || total > len)
                        return ESP_DROP_BAD_INNER;
                if (!pol->have_vip4 || memcmp(pkt + 16, pol->vip4, 4) != 0)
                        return ESP_DROP_INNER_DST;
                proto = pkt[9];
                /* Only the first fragment carries the ports. */
                bool first = ((pkt[6] & 0x1f) | pkt[7]) == 0;
                if (!policy_admits_src(pol, 4, pkt + 12, proto, pkt + hlen,
                                       first ? total - hlen : 0))
                        return ESP_DROP_INNER_SRC;
        } else if (nh == ESP_NEXT_IPV6) {
                if (len < 40 || pkt[0] >> 4 != 6)
                        return ESP_DROP_BAD_INNER;
                /* A zero payload length means a jumbogram: not over a tunnel. */
                total = 40 + ((size_t)pkt[4] << 8 | pkt[5]);
                if (total == 40 && pkt[6] == 0 /* hop-by-hop */)
                        return ESP_DROP_BAD_INNER;
                if (total > len)
                        return ESP_DROP_BAD_INNER;
                if (!pol->have_vip6 || memcmp(pkt + 24, pol->vip6, 16) != 0)
                        return ESP_DROP_INNER_DST;
                proto = pkt[6];
                /* Extension headers are not walked: the ports of a packet that
                 * has them are not known, which only a port-narrowed selector
                 * cares about. */
                if (!policy_admits_src(pol, 6, pkt + 8, proto, pkt + 40, total - 40))
                        return ESP_DROP_INNER_SRC;
        } else
                return ESP_DROP_BAD_NEXT_HEADER;
        *ret_len = total;
        return ESP_DROP_NONE;
}
