/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The CHILD SA and the configuration that come with IKE_AUTH's last answer:
 * the configuration payload (RFC 7296 3.15, RFC 8598), the narrowed traffic
 * selectors (2.9) and the CHILD SA keys (2.17).
 *
 * Everything the gateway assigns is checked before it reaches the machine:
 * a virtual address must be a unicast address that is not the gateway's
 * own; DNS servers unicast and not loopback; DNS domains plain names (the
 * codec refuses anything else, control characters included). Each refusal
 * is a log line; what is left must include at least one virtual address.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>

#include "client/ike/ikev2-names.h"
#include "client/ike/initiator-internal.h"

/* ------------------------------------------------------------------ requests */

int ini_add_cp_request(const struct ike_initiator *ini, struct ike_chain *c)
{
        static const uint16_t types[] = {
                IKEV2_CFG_INTERNAL_IP4_ADDRESS, IKEV2_CFG_INTERNAL_IP4_DNS,
                IKEV2_CFG_INTERNAL_IP6_ADDRESS, IKEV2_CFG_INTERNAL_IP6_DNS,
                IKEV2_CFG_INTERNAL_DNS_DOMAIN,
        };
        struct ike_cp_attr attrs[ARRAY_SIZE(types)];
        uint8_t ip6[17];

        for (size_t i = 0; i < ARRAY_SIZE(types); i++)
                attrs[i] = (struct ike_cp_attr){.type = types[i]};
        /* RFC 7296 3.15.1: "a request for a particular address" is the
         * attribute with that value; the gateway may give it or another.
         * INTERNAL_IP6_ADDRESS is the address and a prefix length (3.15.1:
         * 17 octets); the gateways we know assign a /128. */
        if (ini->request_ip4)
                attrs[0].value = SLICE(ini->prev_ip4, 4);
        if (ini->request_ip6) {
                memcpy(ip6, ini->prev_ip6, 16);
                ip6[16] = 128;
                attrs[2].value = SLICE(ip6, 17);
        }
        return ike_chain_add_cp(c, IKEV2_CFG_REQUEST, attrs, ARRAY_SIZE(attrs));
}

int ini_add_ts_all(struct ike_chain *c, uint8_t payload_type)
{
        static const uint8_t zero[16] = {0};
        static const uint8_t ones[16] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                         0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
        struct ike_ts_selector sel[2] = {
                ike_ts_selector_make(zero, ones, 4, 0, 0, 65535),
                ike_ts_selector_make(zero, ones, 16, 0, 0, 65535),
        };

        return ike_chain_add_ts(c, payload_type, sel, 2);
}

/* ------------------------------------------------------------------ prefixes */

static int cmp_addr(const uint8_t *a, const uint8_t *b, size_t n)
{
        return memcmp(a, b, n);
}

/* Number of zero bits at the end of a. */
static unsigned trailing_zeros(const uint8_t *a, size_t n)
{
        unsigned z = 0;

        for (size_t i = n; i-- > 0;) {
                if (a[i] == 0) {
                        z += 8;
                        continue;
                }
                for (uint8_t v = a[i]; !(v & 1); v >>= 1)
                        z++;
                break;
        }
        return z;
}

/* out = a with its last k bits set. */
static void set_low_bits(const uint8_t *a, size_t n, unsigned k, uint8_t *out)
{
        memcpy(out, a, n);
        for (size_t i = n; i-- > 0 && k > 0;) {
                if (k >= 8) {
                        out[i] = 0xff;
                        k -= 8;
                } else {
                        out[i] |= (uint8_t)((1u << k) - 1);
                        k = 0;
                }
        }
}

/* a += 1; returns true on wrap-around. */
static bool increment(uint8_t *a, size_t n)
{
        for (size_t i = n; i-- > 0;)
                if (++a[i] != 0)
                        return false;
        return true;
}

int ike_range_to_prefixes(const uint8_t *start, const uint8_t *end, size_t addr_len,
                          struct ike_prefix *out, size_t max)
{
        uint8_t cur[16], last[16];
        unsigned bits = (unsigned)addr_len * 8;
        size_t n = 0;

        if (addr_len != 4 && addr_len != 16)
                return -EINVAL;
        if (cmp_addr(start, end, addr_len) > 0)
                return 0;
        memcpy(cur, start, addr_len);
        for (;;) {
                unsigned k = MIN(trailing_zeros(cur, addr_len), bits);

                for (;;) {
                        set_low_bits(cur, addr_len, k, last);
                        if (cmp_addr(last, end, addr_len) <= 0)
                                break;
                        k--;
                }
                if (n == max)
                        return -E2BIG;
                out[n] = (struct ike_prefix){.family = addr_len == 4 ? 4 : 6,
                                             .prefixlen = (uint8_t)(bits - k)};
                memcpy(out[n].addr, cur, addr_len);
                n++;
                if (cmp_addr(last, end, addr_len) == 0)
                        return (int)n;
                memcpy(cur, last, addr_len);
                if (increment(cur, addr_len))
                        return (int)n;
        }
}

/* ------------------------------------------------------------------ validation */

static const char *bad_ip4(const struct ike_initiator *ini, const uint8_t a[4], bool dns)
{
        if (a[0] == 0)
                return "an address in 0.0.0.0/8";
        if (a[0] == 127)
                return "a loopback address";
        if (a[0] >= 224 && a[0] <= 239)
                return "a multicast address";
        if (a[0] >= 240)
                return "a reserved or broadcast address";
        if (a[0] == 169 && a[1] == 254 && !dns)
                return "a link-local address";
        if (!dns && ini->remote.family == 4 && memcmp(a, ini->remote.addr, 4) == 0)
                return "the gateway's own address";
        return NULL;
}

static const char *bad_ip6(const struct ike_initiator *ini, const uint8_t a[16], bool dns)
{
        static const uint8_t zero[16] = {0};

        if (memcmp(a, zero, 16) == 0)
                return "the unspecified address";
        if (memcmp(a, zero, 15) == 0 && a[15] == 1)
                return "the loopback address";
        if (a[0] == 0xff)
                return "a multicast address";
        if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80 && !dns)
                return "a link-local address";
        if (memcmp(a, zero, 10) == 0 && a[10] == 0xff && a[11] == 0xff)
                return "an IPv4-mapped address";
        if (!dns && ini->remote.family == 6 && memcmp(a, ini->remote.addr, 16) == 0)
                return "the gateway's own address";
        return NULL;
}

static void addr_text(const uint8_t *a, size_t len, char *buf, size_t size)
{
        if (!inet_ntop(len == 4 ? AF_INET : AF_INET6, a, buf, (socklen_t)size))
                snprintf(buf, size, "?");
}

static void add_dns(struct ike_initiator *ini, struct ike_net_config *net, const uint8_t *a,
                    size_t len)
{
        char t[64];
        const char *why = len == 4 ? bad_ip4(ini, a, true) : bad_ip6(ini, a, true);

        addr_text(a, len, t, sizeof(t));
        if (why) {
                ini_log(ini, IKE_LOG_WARNING, "refusing DNS server %s from the gateway: %s", t,
                        why);
                return;
        }
        for (size_t i = 0; i < net->n_dns; i++)
                if (net->dns[i].family == (len == 4 ? 4 : 6) && !memcmp(net->dns[i].addr, a, len))
                        return;
        if (net->n_dns == IKE_NET_MAX_DNS) {
                ini_log(ini, IKE_LOG_WARNING, "ignoring DNS server %s: %d are enough", t,
                        IKE_NET_MAX_DNS);
                return;
        }
        net->dns[net->n_dns] =
                (struct ike_prefix){.family = len == 4 ? 4 : 6, .prefixlen = (uint8_t)(len * 8)};
        memcpy(net->dns[net->n_dns].addr, a, len);
        net->n_dns++;
}

static void read_cp(struct ike_initiator *ini, const struct ike_cp *cp, struct ike_net_config *net)
{
        for (size_t i = 0; i < cp->n_attrs; i++) {
                const struct ike_cp_attr *at = &cp->attrs[i];
                uint8_t a[16], prefix;
                struct slice dom;
                const char *why;
                char t[64];

                if (at->value.len == 0)
                        continue;
                switch (at->type) {
                case IKEV2_CFG_INTERNAL_IP4_ADDRESS:
                        if (ike_cp_attr_ip4(at, a) < 0)
                                break;
                        addr_text(a, 4, t, sizeof(t));
                        why = bad_ip4(ini, a, false);
                        if (why) {
                                ini_log(ini, IKE_LOG_WARNING,
                                        "refusing virtual IPv4 address %s from the gateway: %s", t,
                                        why);
                        } else if (!net->have_ip4) {
                                net->have_ip4 = true;
                                memcpy(net->ip4, a, 4);
                        } else {
                                ini_log(ini, IKE_LOG_INFO, "ignoring a second IPv4 address %s", t);
                        }
                        break;
                case IKEV2_CFG_INTERNAL_IP6_ADDRESS:
                        if (ike_cp_attr_ip6(at, a, &prefix) < 0)
                                break;
                        addr_text(a, 16, t, sizeof(t));
                        why = bad_ip6(ini, a, false);
                        if (why) {
                                ini_log(ini, IKE_LOG_WARNING,
                                        "refusing virtual IPv6 address %s from the gateway: %s", t,
                                        why);
                        } else if (!net->have_ip6) {
                                net->have_ip6 = true;
                                memcpy(net->ip6, a, 16);
                        } else {
                                ini_log(ini, IKE_LOG_INFO, "ignoring a second IPv6 address %s", t);
                        }
                        break;
                case IKEV2_CFG_INTERNAL_IP4_DNS:
                        if (ike_cp_attr_ip4(at, a) == 0)
                                add_dns(ini, net, a, 4);
                        break;
                case IKEV2_CFG_INTERNAL_IP6_DNS:
                        if (ike_cp_attr_ip6(at, a, &prefix) == 0)
                                add_dns(ini, net, a, 16);
                        break;
                case IKEV2_CFG_INTERNAL_DNS_DOMAIN:
                        if (ike_cp_attr_dns_domain(at, &dom) < 0) {
                                ini_log(ini, IKE_LOG_WARNING,
                                        "refusing a DNS domain from the gateway: not a plain DNS "
                                        "name (%zu bytes)",
                                        at->value.len);
                                break;
                        }
                        if (dom.len && dom.ptr[dom.len - 1] == '.')
                                dom.len--;
                        if (dom.len == 0 || dom.len >= IKE_NET_DOMAIN_MAX)
                                break;
                        if (net->n_domains == IKE_NET_MAX_DOMAINS) {
                                ini_log(ini, IKE_LOG_WARNING,
                                        "ignoring DNS domain %.*s: %d are "
                                        "enough",
                                        (int)dom.len, (const char *)dom.ptr, IKE_NET_MAX_DOMAINS);
                                break;
                        }
                        memcpy(net->domains[net->n_domains], dom.ptr, dom.len);
                        net->domains[net->n_domains][dom.len] = 0;
                        net->n_domains++;
                        break;
                default:
                        ini_log(ini, IKE_LOG_DEBUG, "ignoring configuration attribute %s",
                                ikev2_cfg_attr_name(at->type, IKEV2_NAME_TMP));
                        break;
                }
        }
}

/* TS payload -> ranges; raw types and bad ranges are skipped (logged). */
static size_t read_ts(struct ike_initiator *ini, const struct ike_ts *ts, const char *name,
                      struct ike_ts_range *out)
{
        size_t n = 0;

        for (size_t i = 0; i < ts->n; i++) {
                const struct ike_ts_selector *s = &ts->sel[i];
                size_t len = ike_ts_addr_len(s);

                if (len == 0) {
                        ini_log(ini, IKE_LOG_INFO, "ignoring a %s selector of type %s", name,
                                ikev2_ts_type_name(s->type, IKEV2_NAME_TMP));
                        continue;
                }
                if (memcmp(s->start, s->end, len) > 0 || s->start_port > s->end_port) {
                        ini_log(ini, IKE_LOG_WARNING, "ignoring an empty %s selector", name);
                        continue;
                }
                if (n == IKE_TS_MAX_OUT) {
                        ini_log(ini, IKE_LOG_WARNING, "ignoring %s selectors beyond %d", name,
                                IKE_TS_MAX_OUT);
                        break;
                }
                out[n] = (struct ike_ts_range){.family = len == 4 ? 4 : 6,
                                               .proto = s->ip_proto,
                                               .port_lo = s->start_port,
                                               .port_hi = s->end_port};
                memcpy(out[n].start, s->start, len);
                memcpy(out[n].end, s->end, len);
                n++;
        }
        return n;
}

static bool range_has(const struct ike_ts_range *r, const uint8_t *a, size_t len)
{
        return memcmp(r->start, a, len) <= 0 && memcmp(a, r->end, len) <= 0;
}

static bool range_all(const struct ike_ts_range *r)
{
        static const uint8_t zero[16] = {0};
        static const uint8_t ones[16] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                         0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
        size_t len = r->family == 4 ? 4 : 16;

        return r->proto == 0 && r->port_lo == 0 && r->port_hi == 65535 &&
               !memcmp(r->start, zero, len) && !memcmp(r->end, ones, len);
}

static void make_routes(struct ike_initiator *ini, struct ike_net_config *net)
{
        const struct ike_child_sa *ch = &ini->child;

        for (size_t i = 0; i < ch->n_ts_r; i++) {
                const struct ike_ts_range *r = &ch->ts_r[i];
                size_t len = r->family == 4 ? 4 : 16;
                int k;

                if ((r->family == 4 && !net->have_ip4) || (r->family == 6 && !net->have_ip6)) {
                        ini_log(ini, IKE_LOG_INFO,
                                "IPv%u selectors of the gateway unused: no IPv%u virtual "
                                "address",
                                r->family, r->family);
                        continue;
                }
                if (range_all(r)) {
                        if (r->family == 4)
                                net->routes_cover_all4 = true;
                        else
                                net->routes_cover_all6 = true;
                }
                k = ike_range_to_prefixes(r->start, r->end, len, net->routes + net->n_routes,
                                          IKE_NET_MAX_ROUTES - net->n_routes);
                if (k < 0) {
                        ini_log(ini, IKE_LOG_WARNING,
                                "the gateway's selectors need more than %d routes; some are left "
                                "out",
                                IKE_NET_MAX_ROUTES);
                        break;
                }
                net->n_routes += (size_t)k;
        }
}

/* ------------------------------------------------------------------ the CHILD SA */

enum ini_task_result ini_establish_child(struct ike_initiator *ini, const struct ike_chain *c)
{
        const struct ike_payload *sa_p = ike_chain_find(c, IKEV2_PAYLOAD_SA, 0);
        const struct ike_payload *tsi_p = ike_chain_find(c, IKEV2_PAYLOAD_TSi, 0);
        const struct ike_payload *tsr_p = ike_chain_find(c, IKEV2_PAYLOAD_TSr, 0);
        struct ike_net_config *net = &ini->net;
        struct ike_child_sa *ch = &ini->child;
        struct crypto_suite suite;
        struct ini_chosen cho;
        struct ike_action *a;
        char why[256], ours[PROPOSAL_MAX_STRING], theirs[512], v4[64] = "", v6[64] = "";
        const char *w = NULL;
        int r;

        if (!sa_p || !tsi_p || !tsr_p)
                return ini_fail(ini, IKE_FAIL_PROTOCOL, IKEV2_N_INVALID_SYNTAX,
                                "IKE_AUTH: the gateway's last answer lacks %s (no CHILD SA)",
                                !sa_p    ? "the SA payload"
                                : !tsi_p ? "TSi"
                                         : "TSr");
        if (ini_check_chosen(&sa_p->u.sa, &ini->esp_props, IKEV2_PROTO_ESP, true, &cho, why,
                             sizeof(why)) < 0) {
                ini_format_proposals(&ini->esp_props, true, ours, sizeof(ours));
                ini_format_sa_payload(&sa_p->u.sa, theirs, sizeof(theirs));
                return ini_fail(ini, IKE_FAIL_PROPOSAL_INVALID, IKEV2_N_NO_PROPOSAL_CHOSEN,
                                "IKE_AUTH: invalid ESP choice of the gateway: %s (it chose: %s; "
                                "we offered: %s)",
                                why, theirs, ours);
        }
        r = crypto_suite_lookup(cho.encr, cho.encr_bits, cho.integ, 0, &suite, &w);
        if (r < 0)
                return ini_fail(ini, IKE_FAIL_PROPOSAL_INVALID, IKEV2_N_NO_PROPOSAL_CHOSEN,
                                "IKE_AUTH: the chosen ESP algorithms are not usable: %s",
                                w ? w : "unknown");

        memset(ch, 0, sizeof(*ch));
        memset(net, 0, sizeof(*net));
        ch->n_ts_i = read_ts(ini, &tsi_p->u.ts, "TSi", ch->ts_i);
        ch->n_ts_r = read_ts(ini, &tsr_p->u.ts, "TSr", ch->ts_r);
        if (ch->n_ts_i == 0 || ch->n_ts_r == 0)
                return ini_fail(ini, IKE_FAIL_CONFIG, IKEV2_N_TS_UNACCEPTABLE,
                                "IKE_AUTH: the gateway's traffic selectors leave nothing usable");

        for (size_t i = 0; i < c->n; i++)
                if (c->items[i].type == IKEV2_PAYLOAD_CP &&
                    c->items[i].u.cp.cfg_type == IKEV2_CFG_REPLY)
                        read_cp(ini, &c->items[i].u.cp, net);
        if (!net->have_ip4 && !net->have_ip6)
                return ini_fail(ini, IKE_FAIL_CONFIG, IKEV2_N_INTERNAL_ADDRESS_FAILURE,
                                "IKE_AUTH: the gateway assigned no usable virtual IP address "
                                "(configuration payload); tsunagu needs one");
        if (net->have_ip4)
                addr_text(net->ip4, 4, v4, sizeof(v4));
        if (net->have_ip6)
                addr_text(net->ip6, 16, v6, sizeof(v6));
        /* Our selectors must contain our address, or the gateway drops
         * what we send. */
        for (int fam = 4; fam <= 6; fam += 2) {
                bool have = fam == 4 ? net->have_ip4 : net->have_ip6, in = false;
                const uint8_t *vip = fam == 4 ? net->ip4 : net->ip6;

                for (size_t i = 0; have && i < ch->n_ts_i; i++)
                        if (ch->ts_i[i].family == fam &&
                            range_has(&ch->ts_i[i], vip, fam == 4 ? 4 : 16))
                                in = true;
                if (have && !in)
                        ini_log(ini, IKE_LOG_WARNING,
                                "the gateway's TSi does not contain our virtual address %s",
                                fam == 4 ? v4 : v6);
        }

        ch->spi_in = ini->child_spi_in;
        ch->spi_out = ini_get_be32(cho.spi);
        ch->encr = cho.encr;
        ch->encr_bits = cho.encr_bits;
        ch->integ = cho.integ;
        ch->esn = cho.esn == IKEV2_ESN_YES;
        ch->lifetime_s = ini->child_lifetime_s;
        ch->rekey_s = ini->child_rekey_s;
        make_routes(ini, net);

        ike_child_keys_wipe(&ini->child_keys);
        r = ike_child_keys_derive(ini->prf, SLICE_OF(ini->keys.sk_d), SLICE(NULL, 0),
                                  SLICE_OF(ini->ni), SLICE_OF(ini->nr), &suite, &ini->child_keys);
        if (r < 0)
                return ini_fail(ini, IKE_FAIL_INTERNAL, 0, "CHILD SA key derivation failed: %s",
                                strerror(-r));
        /* RFC 7296 2.17: encr_i/integ_i protect what we send. */
        ch->encr_out = SLICE_OF(ini->child_keys.encr_i);
        ch->integ_out = SLICE_OF(ini->child_keys.integ_i);
        ch->encr_in = SLICE_OF(ini->child_keys.encr_r);
        ch->integ_in = SLICE_OF(ini->child_keys.integ_r);

        ini->child_spi_out = ch->spi_out;
        ini->esp_encr = cho.encr;
        ini->esp_encr_bits = cho.encr_bits;
        ini->esp_integ = cho.integ;
        ini->esp_esn = ch->esn;
        ini->child_installed = true;
        ini->auth.step = INI_AUTH_DONE;

        {
                char s[64];

                ini_log(ini, IKE_LOG_INFO,
                        "CHILD SA %08x_i %08x_o established with %s%s; virtual IP %s%s%s; %zu "
                        "DNS server(s), %zu domain(s), %zu route(s)",
                        ch->spi_in, ch->spi_out, crypto_suite_name(&suite, s),
                        ch->esn ? "/ESN" : "", v4, *v4 && *v6 ? " " : "", v6, net->n_dns,
                        net->n_domains, net->n_routes);
        }
        a = ini_action(ini, IKE_ACTION_INSTALL_CHILD);
        if (!a)
                return ini_fail(ini, IKE_FAIL_INTERNAL, 0, "out of memory");
        a->u.child = ch;
        a = ini_action(ini, IKE_ACTION_APPLY_CONFIG);
        if (!a)
                return ini_fail(ini, IKE_FAIL_INTERNAL, 0, "out of memory");
        a->u.config = net;
        ini_set_state(ini, IKE_STATE_ESTABLISHED);
        return INI_TASK_DONE;
}
