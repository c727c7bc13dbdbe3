/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * client/engine/engine-policy.c: the profile's CHILD SA byte and packet
 * lifetimes as the datapath's soft and hard limits, and ESN offered first
 * when the profile asks, carried through a whole IKE_AUTH with the test
 * responder (which picks ESN only when it is offered).
 */
#include <errno.h>
#include <string.h>

#include <glib.h>

#include "client/engine/engine-internal.h"
#include "client/ike/ikev2.h"
#include "client/profile/profile.h"
#include "tests/unit/initiator-harness.h"

#define PROFILE_BASE                                                                              \
        "[profile]\nname = T\nuuid = 0b9d6f5e-1c1a-4d0e-9a53-3f1f7c2a6b10\n[gateway]\n"           \
        "host = vpn.example.com\n[auth]\nmethod = eap-mschapv2\n[crypto]\n"

static struct profile *load(const char *crypto)
{
        g_autofree char *text = g_strconcat(PROFILE_BASE, crypto, NULL);
        struct profile_import_options o = {.filename = "t.tsunagu"};
        struct profile_report rep;
        struct profile *p = NULL;
        int r;

        profile_report_init(&rep);
        r = profile_import(text, strlen(text), &o, &p, &rep);
        profile_report_clear(&rep);
        g_assert_cmpint(r, ==, 0);
        return p;
}

static void test_limits(void)
{
        struct esp_lifetime soft, hard;
        struct profile *p = load("");

        engine_child_limits(p, &soft, &hard);
        g_assert_cmpuint(soft.bytes, ==, 0);
        g_assert_cmpuint(soft.packets, ==, 0);
        g_assert_cmpuint(hard.bytes, ==, 0);
        g_assert_cmpuint(hard.packets, ==, 0);
        profile_free(p);

        p = load("child-lifetime-bytes = 100m\nchild-lifetime-packets = 20000\n");
        engine_child_limits(p, &soft, &hard);
        g_assert_cmpuint(soft.bytes, ==, 100ull << 20);
        g_assert_cmpuint(hard.bytes, ==, (100ull << 20) + (10ull << 20));
        g_assert_cmpuint(soft.packets, ==, 20000);
        g_assert_cmpuint(hard.packets, ==, 22000);
        profile_free(p);

        /* the largest amount: the hard limit does not wrap */
        p = load("child-lifetime-bytes = 4194304t\n");
        engine_child_limits(p, &soft, &hard);
        g_assert_cmpuint(soft.bytes, ==, 1ull << 62);
        g_assert_cmpuint(hard.bytes, >, soft.bytes);
        profile_free(p);
}

static void test_esn_list(void)
{
        struct proposal_list l;
        struct profile *p = load("");

        engine_esp_proposals(p, &l);
        g_assert_cmpmem(&l, sizeof(l), &p->esp, sizeof(p->esp));
        profile_free(p);

        p = load("esn = true\n");
        engine_esp_proposals(p, &l);
        g_assert_cmpuint(l.n, ==, p->esp.n);
        for (size_t i = 0; i < l.n; i++) {
                g_assert_cmpuint(l.p[i].n_esn, ==, 2);
                g_assert_cmpuint(l.p[i].esn[0], ==, IKEV2_ESN_YES);
                g_assert_cmpuint(l.p[i].esn[1], ==, IKEV2_ESN_NO);
        }
        profile_free(p);

        /* a proposal that asks for ESN itself offers only that */
        p = load("esp = aes256gcm16-esn!\nesn = true\n");
        engine_esp_proposals(p, &l);
        g_assert_cmpuint(l.n, ==, 1);
        g_assert_cmpuint(l.p[0].n_esn, ==, 1);
        g_assert_cmpuint(l.p[0].esn[0], ==, IKEV2_ESN_YES);
        profile_free(p);
}

/* Through IKE_AUTH: the CHILD SA uses ESN exactly when the profile asks
 * and the gateway takes it. */
static void esn_flow(const char *crypto, bool gateway_esn, bool expect)
{
        struct harness h;
        struct profile *p = load(crypto);

        h_init(&h, H_EAP_MSCHAPV2);
        engine_esp_proposals(p, &h.esp);
        h.rcfg.esn = gateway_esn;
        h_start(&h);
        g_assert_true(h.installed);
        g_assert_false(h.failed);
        g_assert_cmpint(h.child.esn, ==, expect);
        h_free(&h);
        profile_free(p);
}

static void test_esn_flow(void)
{
        esn_flow("esn = true\n", true, true);
        esn_flow("esn = true\n", false, false); /* the fallback */
        esn_flow("", true, false);              /* not offered, not used */
}

int main(int argc, char *argv[])
{
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/engine/policy/limits", test_limits);
        g_test_add_func("/engine/policy/esn-list", test_esn_list);
        g_test_add_func("/engine/policy/esn-flow", test_esn_flow);
        return g_test_run();
}
