/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The per-exchange payload rules; see rules.h. */
#include <errno.h>
#include <stdio.h>

#include "client/common/macro.h"
#include "client/ike/codec.h"
#include "client/ike/ikev2-names.h"
#include "client/ike/rules.h"

#define R(t, mn, mx, enc) { .type = IKEV2_PAYLOAD_##t, .min = (mn), .max = (mx), .encrypted = (enc) }

/* RFC 7296 1.2: HDR, SAi1, KEi, Ni, [N(COOKIE)], [N(NAT_DETECTION_*)], ... */
static const struct ike_payload_rule ike_sa_init_i[] = {
        R(NOTIFY, 0, IKE_RULE_MAX_NOTIFY, false),
        R(SA, 1, 1, false),
        R(KE, 1, 1, false),
        R(NONCE, 1, 1, false),
        R(VENDOR, 0, IKE_RULE_MAX_VENDOR, false),
};

/* HDR, SAr1, KEr, Nr, [CERTREQ], ... or an error / COOKIE / REDIRECT alone */
static const struct ike_payload_rule ike_sa_init_r[] = {
        R(NOTIFY, 0, IKE_RULE_MAX_NOTIFY, false),
        R(SA, 1, 1, false),
        R(KE, 1, 1, false),
        R(NONCE, 1, 1, false),
        R(CERTREQ, 0, IKE_RULE_MAX_CERTREQ, false),
        R(VENDOR, 0, IKE_RULE_MAX_VENDOR, false),
};

/* RFC 7296 1.2, 2.16 (EAP), RFC 4739: every round carries a different subset,
 * so nothing is mandatory here; the state machine knows which round it is. */
static const struct ike_payload_rule ike_auth_i[] = {
        R(NOTIFY, 0, IKE_RULE_MAX_NOTIFY, true),
        R(IDi, 0, 1, true),
        R(CERT, 0, IKE_RULE_MAX_CERT, true),
        R(CERTREQ, 0, IKE_RULE_MAX_CERTREQ, true),
        R(IDr, 0, 1, true),
        R(AUTH, 0, 1, true),
        R(EAP, 0, 1, true),
        R(CP, 0, 1, true),
        R(SA, 0, 1, true),
        R(TSi, 0, 1, true),
        R(TSr, 0, 1, true),
        R(VENDOR, 0, IKE_RULE_MAX_VENDOR, true),
};

static const struct ike_payload_rule ike_auth_r[] = {
        R(NOTIFY, 0, IKE_RULE_MAX_NOTIFY, true),
        R(IDr, 0, 1, true),
        R(CERT, 0, IKE_RULE_MAX_CERT, true),
        R(AUTH, 0, 1, true),
        R(EAP, 0, 1, true),
        R(CP, 0, 1, true),
        R(SA, 0, 1, true),
        R(TSi, 0, 1, true),
        R(TSr, 0, 1, true),
        R(VENDOR, 0, IKE_RULE_MAX_VENDOR, true),
};

/* RFC 7296 1.3: SA and Nonce always; KE optional; TS for CHILD SAs only. */
static const struct ike_payload_rule create_child_sa_i[] = {
        R(NOTIFY, 0, IKE_RULE_MAX_NOTIFY, true),
        R(SA, 1, 1, true),
        R(NONCE, 1, 1, true),
        R(KE, 0, 1, true),
        R(TSi, 0, 1, true),
        R(TSr, 0, 1, true),
        R(CP, 0, 1, true),
        R(VENDOR, 0, IKE_RULE_MAX_VENDOR, true),
};

static const struct ike_payload_rule create_child_sa_r[] = {
        R(NOTIFY, 0, IKE_RULE_MAX_NOTIFY, true),
        R(SA, 1, 1, true),
        R(NONCE, 1, 1, true),
        R(KE, 0, 1, true),
        R(TSi, 0, 1, true),
        R(TSr, 0, 1, true),
        R(CP, 0, 1, true),
        R(VENDOR, 0, IKE_RULE_MAX_VENDOR, true),
};

/* RFC 7296 1.4: N, D, CP; an empty one is a liveness check. */
static const struct ike_payload_rule informational[] = {
        R(NOTIFY, 0, IKE_RULE_MAX_NOTIFY, true),
        R(DELETE, 0, IKE_RULE_MAX_DELETE, true),
        R(CP, 0, 1, true),
        R(VENDOR, 0, IKE_RULE_MAX_VENDOR, true),
};

/* RFC 9242 / RFC 9370: additional key exchanges */
static const struct ike_payload_rule ike_intermediate[] = {
        R(NOTIFY, 0, IKE_RULE_MAX_NOTIFY, true),
        R(KE, 0, 1, true),
        R(VENDOR, 0, IKE_RULE_MAX_VENDOR, true),
};

static const struct ike_payload_rule ike_followup_ke[] = {
        R(NOTIFY, 0, IKE_RULE_MAX_NOTIFY, true),
        R(KE, 1, 1, true),
};

#undef R

/* RFC 7296 2.6, RFC 5685 (REDIRECT), RFC 8019 (PUZZLE comes with COOKIE) */
static const uint16_t ike_sa_init_r_sufficient[] = {
        IKEV2_N_COOKIE,
        IKEV2_N_REDIRECT,
};

#define RULES(ex, resp, prot, table, err_ok, suff, n_suff)                                         \
        {                                                                                          \
                .exchange = IKEV2_EXCHANGE_##ex, .response = (resp), .protected_msg = (prot),      \
                .rules = (table), .n_rules = ARRAY_SIZE(table),                                    \
                .error_notify_sufficient = (err_ok), .sufficient_notifies = (suff),                \
                .n_sufficient_notifies = (n_suff),                                                 \
        }

static const struct ike_exchange_rules all_rules[] = {
        RULES(IKE_SA_INIT, false, false, ike_sa_init_i, false, NULL, 0),
        RULES(IKE_SA_INIT, true, false, ike_sa_init_r, true, ike_sa_init_r_sufficient,
              ARRAY_SIZE(ike_sa_init_r_sufficient)),
        RULES(IKE_AUTH, false, true, ike_auth_i, true, NULL, 0),
        RULES(IKE_AUTH, true, true, ike_auth_r, true, NULL, 0),
        RULES(CREATE_CHILD_SA, false, true, create_child_sa_i, false, NULL, 0),
        RULES(CREATE_CHILD_SA, true, true, create_child_sa_r, true, NULL, 0),
        RULES(INFORMATIONAL, false, true, informational, true, NULL, 0),
        RULES(INFORMATIONAL, true, true, informational, true, NULL, 0),
        RULES(IKE_INTERMEDIATE, false, true, ike_intermediate, true, NULL, 0),
        RULES(IKE_INTERMEDIATE, true, true, ike_intermediate, true, NULL, 0),
        RULES(IKE_FOLLOWUP_KE, false, true, ike_followup_ke, true, NULL, 0),
        RULES(IKE_FOLLOWUP_KE, true, true, ike_followup_ke, true, NULL, 0),
};

#undef RULES

const struct ike_exchange_rules *ike_rules_lookup(uint8_t exchange, bool response)
{
        for (size_t i = 0; i < ARRAY_SIZE(all_rules); i++)
                if (all_rules[i].exchange == exchange && all_rules[i].response == response)
                        return &all_rules[i];
        return NULL;
}

static const struct ike_payload_rule *rule_for(const struct ike_exchange_rules *rs,
                                               uint8_t type)
{
        for (size_t i = 0; i < rs->n_rules; i++)
                if (rs->rules[i].type == type)
                        return &rs->rules[i];
        return NULL;
}

/* Payload types whose absence from a rule table means "not allowed"; any
 * other type is unknown to us and was kept only because it was not critical. */
static bool is_known(uint8_t type)
{
        return ike_payload_ops_get(type) != NULL;
}

static bool is_unprotected_notify(uint16_t type)
{
        return type == IKEV2_N_INVALID_IKE_SPI || type == IKEV2_N_INVALID_SPI ||
               type == IKEV2_N_INVALID_MAJOR_VERSION;
}

bool ike_message_is_unprotected_informational(const struct ike_message *m)
{
        size_t notifies = 0;

        if (!m || m->hdr.exchange != IKEV2_EXCHANGE_INFORMATIONAL || ike_message_sk(m))
                return false;
        for (size_t i = 0; i < m->clear.n; i++) {
                const struct ike_payload *p = &m->clear.items[i];

                if (p->type == IKEV2_PAYLOAD_NOTIFY) {
                        if (!is_unprotected_notify(p->u.notify.type))
                                return false;
                        notifies++;
                } else if (is_known(p->type)) {
                        return false;
                }
        }
        return notifies == 1;
}

struct check_ctx {
        const struct ike_message *m;
        const struct ike_exchange_rules *rs;
        const char *where; /* "IKE_AUTH response" */
        size_t counts[256];
        bool sufficient;
};

static int count_chain(struct check_ctx *ctx, const struct ike_chain *c, bool inside,
                       struct ike_error *err)
{
        for (size_t i = 0; i < c->n; i++) {
                const struct ike_payload *p = &c->items[i];
                const struct ike_payload_rule *rule;

                if (p->type == IKEV2_PAYLOAD_SK || p->type == IKEV2_PAYLOAD_SKF)
                        continue; /* the container, checked by the caller */
                if (!is_known(p->type))
                        continue;
                rule = rule_for(ctx->rs, p->type);
                if (!rule)
                        return ike_err(err, -EPROTO, IKEV2_N_INVALID_SYNTAX, p->type,
                                       p->offset, "%s: payload %s not allowed", ctx->where,
                                       ikev2_payload_name(p->type, IKEV2_NAME_TMP));
                if (rule->encrypted && !inside)
                        return ike_err(err, -EPROTO, IKEV2_N_INVALID_SYNTAX, p->type,
                                       p->offset, "%s: payload %s outside the SK payload",
                                       ctx->where, ikev2_payload_name(p->type, IKEV2_NAME_TMP));
                ctx->counts[p->type]++;
                if (p->type == IKEV2_PAYLOAD_NOTIFY) {
                        uint16_t nt = p->u.notify.type;

                        if (ctx->rs->error_notify_sufficient && nt <= IKEV2_N_ERROR_MAX)
                                ctx->sufficient = true;
                        for (size_t j = 0; j < ctx->rs->n_sufficient_notifies; j++)
                                if (ctx->rs->sufficient_notifies[j] == nt)
                                        ctx->sufficient = true;
                }
        }
        return 0;
}

int ike_message_check(const struct ike_message *m, struct ike_error *err)
{
        struct check_ctx ctx = { .m = m };
        const struct ike_sk *sk;
        char where[64];
        int k;

        if (!m)
                return -EINVAL;
        ctx.rs = ike_rules_lookup(m->hdr.exchange, ike_header_is_response(&m->hdr));
        snprintf(where, sizeof(where), "%s %s",
                 ikev2_exchange_name(m->hdr.exchange, IKEV2_NAME_TMP),
                 ike_header_is_response(&m->hdr) ? "response" : "request");
        ctx.where = where;
        if (!ctx.rs)
                return ike_err(err, -EOPNOTSUPP, 0, IKEV2_PAYLOAD_NONE, 18,
                               "%s: exchange type not supported", where);
        sk = ike_message_sk(m);
        if (!ctx.rs->protected_msg && sk)
                return ike_err(err, -EPROTO, IKEV2_N_INVALID_SYNTAX,
                               m->clear.items[m->clear.n - 1].type,
                               m->clear.items[m->clear.n - 1].offset,
                               "%s: encrypted payload in an unprotected exchange", where);
        if (ctx.rs->protected_msg && !sk) {
                /* RFC 7296 2.21.4: a few errors travel unprotected. */
                if (ike_message_is_unprotected_informational(m))
                        return 0;
                return ike_err(err, -EPROTO, IKEV2_N_INVALID_SYNTAX, IKEV2_PAYLOAD_NONE,
                               IKEV2_HEADER_LEN, "%s: message not protected by an SK payload",
                               where);
        }
        if (sk && !m->has_inner)
                return ike_err(err, -EINVAL, 0, IKEV2_PAYLOAD_SK, IKEV2_HEADER_LEN,
                               "%s: the SK payload has not been decrypted", where);

        k = count_chain(&ctx, &m->clear, false, err);
        if (k < 0)
                return k;
        if (sk) {
                k = count_chain(&ctx, &m->inner, true, err);
                if (k < 0)
                        return k;
        }
        for (size_t i = 0; i < ctx.rs->n_rules; i++) {
                const struct ike_payload_rule *rule = &ctx.rs->rules[i];
                size_t n = ctx.counts[rule->type];

                if (n > rule->max)
                        return ike_err(err, -EPROTO, IKEV2_N_INVALID_SYNTAX, rule->type, 0,
                                       "%s: %zu %s payloads > maximum %u", where, n,
                                       ikev2_payload_name(rule->type, IKEV2_NAME_TMP),
                                       rule->max);
                if (n < rule->min && !ctx.sufficient)
                        return ike_err(err, -EPROTO, IKEV2_N_INVALID_SYNTAX, rule->type, 0,
                                       "%s: %zu %s payloads < minimum %u", where, n,
                                       ikev2_payload_name(rule->type, IKEV2_NAME_TMP),
                                       rule->min);
        }
        return 0;
}
