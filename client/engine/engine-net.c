/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the gateway assigned, turned into what the owner applies (struct
 * engine_net_config, checked against the profile here first) and into the
 * ESP datapath's two SAs.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <syslog.h>

#include <openssl/rand.h>

#include "client/engine/engine-internal.h"
#include "client/ike/ikev2.h"

enum engine_error_code engine_error_from_fail(enum ike_fail f)
{
        switch (f) {
        case IKE_FAIL_NONE:
                return ENGINE_ERROR_NONE;
        case IKE_FAIL_TIMEOUT:
        case IKE_FAIL_DEAD:
                return ENGINE_ERROR_NO_RESPONSE;
        case IKE_FAIL_PROPOSALS:
                return ENGINE_ERROR_PROPOSALS_REFUSED;
        case IKE_FAIL_AUTH_PASSWORD:
                return ENGINE_ERROR_AUTH_FAILED_PASSWORD;
        case IKE_FAIL_AUTH_CERT:
                return ENGINE_ERROR_AUTH_FAILED_CERT;
        case IKE_FAIL_AUTH:
                return ENGINE_ERROR_AUTH_FAILED;
        case IKE_FAIL_GATEWAY_CERT:
                return ENGINE_ERROR_GATEWAY_CERT_UNTRUSTED;
        case IKE_FAIL_GATEWAY_ID:
                return ENGINE_ERROR_GATEWAY_ID_MISMATCH;
        case IKE_FAIL_GATEWAY_AUTH:
                return ENGINE_ERROR_GATEWAY_AUTH_INVALID;
        case IKE_FAIL_NO_SECRET:
                return ENGINE_ERROR_NO_SECRET;
        case IKE_FAIL_LOCAL:
                return ENGINE_ERROR_PROFILE;
        case IKE_FAIL_CONFIG:
                return ENGINE_ERROR_CONFIG_REFUSED;
        case IKE_FAIL_DELETED:
                return ENGINE_ERROR_DELETED;
        case IKE_FAIL_REDIRECT:
                return ENGINE_ERROR_REDIRECTED;
        case IKE_FAIL_PROPOSAL_INVALID:
        case IKE_FAIL_PROTOCOL:
        case IKE_FAIL_TEMPORARY:
                return ENGINE_ERROR_PROTOCOL;
        case IKE_FAIL_INTERNAL:
        default:
                return ENGINE_ERROR_INTERNAL;
        }
}

static struct engine_prefix prefix_of(uint8_t family, const uint8_t *addr, uint8_t len)
{
        struct engine_prefix p = {.family = family, .prefixlen = len};

        memcpy(p.addr, addr, family == 4 ? 4 : 16);
        return p;
}

/* Does the prefix s lie inside one of the gateway's routes? */
static bool covered(const struct ike_net_config *in, const struct profile_subnet *s)
{
        uint8_t fam = s->family == AF_INET ? 4 : 6;
        size_t len = fam == 4 ? 4 : 16;

        for (size_t i = 0; i < in->n_routes; i++) {
                const struct ike_prefix *r = &in->routes[i];
                bool match = true;

                if (r->family != fam || r->prefixlen > s->prefixlen)
                        continue;
                for (unsigned b = 0; b < r->prefixlen && match; b++) {
                        uint8_t m = (uint8_t)(0x80 >> (b % 8));

                        match = (r->addr[b / 8] & m) == (s->addr[b / 8] & m);
                }
                (void)len;
                if (match)
                        return true;
        }
        return false;
}

void engine_build_net_config(struct engine *e, const struct ike_net_config *in,
                             struct engine_net_config *out)
{
        const struct profile *p = e->prof;
        char t[INET6_ADDRSTRLEN];

        memset(out, 0, sizeof(*out));
        out->tun_ifindex = e->p.tun_ifindex;
        out->mtu = e->mtu;
        if (in->have_ip4)
                out->addrs[out->n_addrs++] = prefix_of(4, in->ip4, 32);
        if (in->have_ip6)
                out->addrs[out->n_addrs++] = prefix_of(6, in->ip6, 128);
        if (p->dns_use_gateway)
                for (size_t i = 0; i < in->n_dns && out->n_dns < ENGINE_MAX_DNS; i++)
                        out->dns[out->n_dns++] =
                                prefix_of(in->dns[i].family, in->dns[i].addr, in->dns[i].prefixlen);
        for (size_t i = 0; i < p->n_dns_servers && out->n_dns < ENGINE_MAX_DNS; i++) {
                uint8_t fam = p->dns_servers[i].family == AF_INET ? 4 : 6;

                out->dns[out->n_dns++] =
                        prefix_of(fam, p->dns_servers[i].addr, fam == 4 ? 32 : 128);
        }
        for (size_t i = 0; i < in->n_domains && out->n_domains < ENGINE_MAX_DOMAINS; i++)
                g_strlcpy(out->domains[out->n_domains++], in->domains[i], ENGINE_DOMAIN_MAX);

        /* Full tunnel only when the gateway carries everything; otherwise
         * what it offers (RFC 7296 2.9: its TSr is the truth). */
        out->full_tunnel = p->tunnel == PROFILE_TUNNEL_FULL && in->routes_cover_all4;
        if (p->tunnel == PROFILE_TUNNEL_FULL && !out->full_tunnel)
                engine_log(e, LOG_WARNING,
                           "the profile asks for a full tunnel, but the gateway only carries "
                           "some networks: routing those only");
        if (p->tunnel == PROFILE_TUNNEL_SPLIT && p->n_subnets > 0) {
                for (size_t i = 0; i < p->n_subnets && out->n_include < ENGINE_MAX_PREFIXES; i++) {
                        const struct profile_subnet *s = &p->subnets[i];

                        if (!covered(in, s)) {
                                inet_ntop(s->family, s->addr, t, sizeof(t));
                                engine_log(e, LOG_WARNING,
                                           "the profile's subnet %s/%u is not carried by the "
                                           "gateway's traffic selectors: not routed",
                                           t, s->prefixlen);
                                continue;
                        }
                        out->include[out->n_include++] =
                                prefix_of(s->family == AF_INET ? 4 : 6, s->addr, s->prefixlen);
                }
        } else {
                for (size_t i = 0; i < in->n_routes && out->n_include < ENGINE_MAX_PREFIXES; i++)
                        out->include[out->n_include++] = prefix_of(
                                in->routes[i].family, in->routes[i].addr, in->routes[i].prefixlen);
        }
        for (size_t i = 0; i < p->n_excluded && out->n_exclude < ENGINE_MAX_PREFIXES; i++)
                out->exclude[out->n_exclude++] =
                        prefix_of(p->excluded[i].family == AF_INET ? 4 : 6, p->excluded[i].addr,
                                  p->excluded[i].prefixlen);
}

static void fill_sa(const struct engine *e, struct esp_sa_params *sa,
                    const struct ike_child_sa *ch, enum esp_dir dir)
{
        memset(sa, 0, sizeof(*sa));
        engine_child_limits(e->prof, &sa->soft, &sa->hard);
        sa->dir = dir;
        sa->spi = dir == ESP_DIR_IN ? ch->spi_in : ch->spi_out;
        sa->encr = ch->encr;
        sa->encr_bits = ch->encr_bits ? ch->encr_bits : 256; /* ChaCha20: no Key Length */
        sa->integ = ch->integ;
        sa->esn = ch->esn;
        sa->encr_key = dir == ESP_DIR_IN ? ch->encr_in : ch->encr_out;
        sa->integ_key = dir == ESP_DIR_IN ? ch->integ_in : ch->integ_out;
        (void)RAND_bytes(sa->iv_seed, sizeof(sa->iv_seed));
}

int engine_install_child(struct engine *e, const struct ike_child_sa *ch,
                         const struct ike_net_config *net)
{
        struct esp_sa_params in, out;
        int r;

        fill_sa(e, &in, ch, ESP_DIR_IN);
        fill_sa(e, &out, ch, ESP_DIR_OUT);
        /* RFC 4301 5.2: what comes out of the tunnel must be for our virtual
         * address and from the gateway's side of the selectors. */
        in.policy.have_vip4 = net->have_ip4;
        in.policy.have_vip6 = net->have_ip6;
        memcpy(in.policy.vip4, net->ip4, 4);
        memcpy(in.policy.vip6, net->ip6, 16);
        for (size_t i = 0; i < ch->n_ts_r && in.policy.n_ts < ESP_MAX_TS; i++) {
                struct esp_ts *ts = &in.policy.ts[in.policy.n_ts++];

                ts->family = ch->ts_r[i].family;
                ts->proto = ch->ts_r[i].proto;
                ts->port_lo = ch->ts_r[i].port_lo;
                ts->port_hi = ch->ts_r[i].port_hi;
                memcpy(ts->start, ch->ts_r[i].start, 16);
                memcpy(ts->end, ch->ts_r[i].end, 16);
        }
        /* Make-before-break: the new inbound SA first, then the outbound
         * SA, which replaces the current one. A rekey collision's redundant
         * SA is inbound only (RFC 7296 2.8.1). */
        r = ch->outbound_only ? 0 : esp_datapath_install_sa(e->dp, &in);
        if (r == 0 && !ch->inbound_only)
                r = esp_datapath_install_sa(e->dp, &out);
        secure_wipe(&in, sizeof(in));
        secure_wipe(&out, sizeof(out));
        if (r < 0)
                return r;
        if (ch->inbound_only)
                return 0;
        e->sa_installed = true;
        e->spi_in = ch->spi_in;
        e->spi_out = ch->spi_out;
        return 0;
}
