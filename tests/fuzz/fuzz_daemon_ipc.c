/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes what tsunagud's parent reads from an engine process (which parses
 * the network and may be compromised): ipc_parse() on any datagram, and for
 * an IPC_APPLY that parses, netcheck_build() against a split-tunnel and a
 * full-tunnel profile; for an IPC_REDIRECT to an address, the parent's check
 * of that address. A message that parses must build back to the same bytes
 * (one encoding per message).
 *
 * Seeds in tests/fuzz/corpus/fuzz_daemon_ipc/ (made by make-ipc-corpus.py).
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "client/daemon/ipc.h"
#include "client/daemon/netcheck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct profile *make_profile(enum profile_tunnel t)
{
        struct profile *p = profile_new();

        p->name = g_strdup("fuzz");
        p->host = g_strdup("203.0.113.2");
        p->tunnel = t;
        if (t == PROFILE_TUNNEL_SPLIT) {
                p->n_subnets = 1;
                p->subnets = g_new0(struct profile_subnet, 1);
                p->subnets[0] = (struct profile_subnet){AF_INET, {10, 0, 0, 0}, 8};
        }
        p->n_excluded = 1;
        p->excluded = g_new0(struct profile_subnet, 1);
        p->excluded[0] = (struct profile_subnet){AF_INET, {10, 20, 99, 0}, 24};
        return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static struct profile *split, *full;
        struct ipc_msg m;
        uint8_t again[IPC_MAX_MSG];
        int n;

        if (!split) {
                split = make_profile(PROFILE_TUNNEL_SPLIT);
                full = make_profile(PROFILE_TUNNEL_FULL);
        }
        if (ipc_parse(data, size, &m) < 0)
                return 0;
        n = ipc_build(&m, again);
        if (n < 0 || (size_t)n != size || memcmp(again, data, size) != 0)
                abort();
        if (m.type == IPC_REDIRECT && m.redirect.addr.family != 0) {
                struct platform_addr a = {.family = m.redirect.addr.family == 4 ? AF_INET
                                                                                 : AF_INET6};

                memcpy(a.family == AF_INET ? (void *)&a.v4 : (void *)&a.v6, m.redirect.addr.addr,
                       a.family == AF_INET ? 4 : 16);
                (void)netcheck_gateway_problem(&a, AF_INET);
                (void)netcheck_gateway_problem(&a, AF_INET6);
        }
        if (m.type == IPC_APPLY) {
                struct profile *profiles[] = {split, full};

                for (size_t i = 0; i < 2; i++) {
                        struct netcheck_context ctx = {
                                .profile = profiles[i],
                                .ifname = "tsu0",
                                .ifindex = 3,
                        };
                        struct netcheck out;
                        char *why = NULL;

                        if (netcheck_build(&m.apply, &ctx, &out, &why) == 0) {
                                /* What passes is what the platform may take. */
                                if (out.cfg.n_include > PLATFORM_MAX_PREFIXES + IPC_MAX_PREFIXES ||
                                    out.cfg.n_dns > PLATFORM_MAX_DNS ||
                                    (!out.cfg.has_ipv4 && !out.cfg.has_ipv6))
                                        abort();
                        } else if (!why)
                                abort();
                        netcheck_clear(&out);
                        g_free(why);
                }
        }
        return 0;
}
