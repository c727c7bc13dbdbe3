/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Our SA payloads (RFC 7296 3.3) from the profile's proposal lists, and the
 * strict check of what the gateway chose: exactly one proposal (3.3.1), of
 * our protocol, numbered like the proposal of ours it comes from, one
 * transform of each type (3.3.6), every transform one we offered in that
 * proposal, none of the mandatory types missing (3.3.3).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "client/crypto/aead.h"
#include "client/crypto/prf.h"
#include "client/ike/ikev2-names.h"
#include "client/ike/initiator-internal.h"

/* The proposals as they go on the wire: for IKE_AUTH the ESP proposals
 * lose their DH groups (PFS applies to CREATE_CHILD_SA, RFC 7296 1.2), and
 * the duplicates this can create are dropped. Proposal k is out->p[k - 1]. */
static void offer_list(const struct proposal_list *l, bool strip_dh, struct proposal_list *out)
{
        memset(out, 0, sizeof(*out));
        for (size_t i = 0; i < l->n; i++) {
                struct proposal p = l->p[i];
                bool dup = false;

                if (strip_dh) {
                        p.n_dh = 0;
                        memset(p.dh, 0, sizeof(p.dh));
                }
                for (size_t j = 0; j < out->n && !dup; j++)
                        dup = proposal_eq(&out->p[j], &p);
                if (!dup)
                        out->p[out->n++] = p;
        }
        out->strict = true;
}

static void add_transform(struct ike_transform *t, size_t *n, uint8_t type, uint16_t id,
                          uint16_t key_bits)
{
        t[*n] = (struct ike_transform){.type = type, .id = id, .key_length = key_bits};
        (*n)++;
}

int ini_add_sa_payload(struct ike_chain *c, const struct proposal_list *l, uint8_t protocol,
                       const uint8_t *spi, size_t spi_len, bool strip_dh)
{
        struct ike_transform tr[PROPOSAL_MAX][5 * PROPOSAL_MAX_PER_TYPE + 2];
        struct ike_proposal props[PROPOSAL_MAX];
        struct proposal_list offer;

        offer_list(l, strip_dh, &offer);
        if (offer.n == 0)
                return -EINVAL;
        for (size_t i = 0; i < offer.n; i++) {
                const struct proposal *p = &offer.p[i];
                size_t n = 0;

                for (size_t k = 0; k < p->n_encr; k++)
                        add_transform(tr[i], &n, IKEV2_TRANSFORM_ENCR, p->encr[k].id,
                                      p->encr[k].key_bits);
                if (protocol == IKEV2_PROTO_IKE)
                        for (size_t k = 0; k < p->n_prf; k++)
                                add_transform(tr[i], &n, IKEV2_TRANSFORM_PRF, p->prf[k], 0);
                if (!p->aead)
                        for (size_t k = 0; k < p->n_integ; k++)
                                add_transform(tr[i], &n, IKEV2_TRANSFORM_INTEG, p->integ[k], 0);
                for (size_t k = 0; k < p->n_dh; k++)
                        add_transform(tr[i], &n, IKEV2_TRANSFORM_DH, p->dh[k], 0);
                if (protocol == IKEV2_PROTO_ESP)
                        for (size_t k = 0; k < p->n_esn; k++)
                                add_transform(tr[i], &n, IKEV2_TRANSFORM_ESN, p->esn[k], 0);
                props[i] = (struct ike_proposal){
                        .num = (uint8_t)(i + 1),
                        .protocol = protocol,
                        .spi = SLICE(spi, spi_len),
                        .transforms = tr[i],
                        .n_transforms = n,
                };
        }
        return ike_chain_add_sa(c, props, offer.n);
}

/* Is (type, id, bits) among the transforms of p? */
static bool offered(const struct proposal *p, uint8_t protocol, uint8_t type, uint16_t id,
                    uint16_t bits)
{
        switch (type) {
        case IKEV2_TRANSFORM_ENCR:
                for (size_t k = 0; k < p->n_encr; k++)
                        if (p->encr[k].id == id && p->encr[k].key_bits == bits)
                                return true;
                return false;
        case IKEV2_TRANSFORM_PRF:
                for (size_t k = 0; protocol == IKEV2_PROTO_IKE && k < p->n_prf; k++)
                        if (p->prf[k] == id && bits == 0)
                                return true;
                return false;
        case IKEV2_TRANSFORM_INTEG:
                if (p->aead)
                        return id == IKEV2_INTEG_NONE && bits == 0;
                for (size_t k = 0; k < p->n_integ; k++)
                        if (p->integ[k] == id && bits == 0)
                                return true;
                return false;
        case IKEV2_TRANSFORM_DH:
                for (size_t k = 0; k < p->n_dh; k++)
                        if (p->dh[k] == id && bits == 0)
                                return true;
                return false;
        case IKEV2_TRANSFORM_ESN:
                for (size_t k = 0; protocol == IKEV2_PROTO_ESP && k < p->n_esn; k++)
                        if (p->esn[k] == id && bits == 0)
                                return true;
                return false;
        default:
                return false;
        }
}

static const char *transform_text(uint8_t type, uint16_t id, uint16_t bits, char *buf, size_t size)
{
        const char *kw = proposal_keyword(type, id, bits);
        char t[IKEV2_NAME_BUF], n[IKEV2_NAME_BUF];

        if (kw)
                snprintf(buf, size, "%s", kw);
        else if (bits)
                snprintf(buf, size, "%s %s/%u", ikev2_transform_type_name(type, t),
                         ikev2_transform_id_name(type, id, n), bits);
        else
                snprintf(buf, size, "%s %s", ikev2_transform_type_name(type, t),
                         ikev2_transform_id_name(type, id, n));
        return buf;
}

int ini_check_chosen(const struct ike_sa *sa, const struct proposal_list *list, uint8_t protocol,
                     bool strip_dh, struct ini_chosen *ret, char *why, size_t why_size)
{
        struct ini_chosen ch = {0};
        struct proposal_list offer;
        const struct ike_proposal *p;
        const struct proposal *ours;
        bool seen[16] = {false};
        char a[64], b[IKEV2_NAME_BUF];

        offer_list(list, strip_dh, &offer);
        if (sa->n_proposals != 1) {
                snprintf(why, why_size, "the gateway chose %zu proposals (must be exactly one)",
                         sa->n_proposals);
                return -EPROTO;
        }
        p = &sa->proposals[0];
        if (p->protocol != protocol) {
                snprintf(why, why_size, "the gateway chose a proposal for %s instead of %s",
                         ikev2_protocol_name(p->protocol, b),
                         protocol == IKEV2_PROTO_IKE ? "IKE" : "ESP");
                return -EPROTO;
        }
        if (p->num == 0 || p->num > offer.n) {
                snprintf(why, why_size,
                         "the gateway chose proposal number %u, we offered %u proposals", p->num,
                         offer.n);
                return -EPROTO;
        }
        ours = &offer.p[p->num - 1];
        ch.num = p->num;
        if (protocol == IKEV2_PROTO_IKE) {
                /* RFC 7296 3.3.1: no SPI in the proposals of IKE_SA_INIT;
                 * 8 octets when rekeying (the caller tells which by
                 * checking spi_len). */
                if (p->spi.len != 0 && p->spi.len != 8) {
                        snprintf(why, why_size, "IKE proposal with a %zu-octet SPI (0 or 8)",
                                 p->spi.len);
                        return -EPROTO;
                }
                memcpy(ch.spi, p->spi.ptr, p->spi.len);
                ch.spi_len = p->spi.len;
        } else {
                if (p->spi.len != 4 || ini_get_be32(p->spi.ptr) == 0) {
                        snprintf(why, why_size, "ESP proposal with a bad SPI (%zu octets)",
                                 p->spi.len);
                        return -EPROTO;
                }
                memcpy(ch.spi, p->spi.ptr, 4);
                ch.spi_len = 4;
        }
        for (size_t i = 0; i < p->n_transforms; i++) {
                const struct ike_transform *t = &p->transforms[i];

                if (t->type == 0 || t->type >= ARRAY_SIZE(seen) ||
                    (t->type > IKEV2_TRANSFORM_ESN)) {
                        snprintf(why, why_size, "the gateway chose a transform of type %s",
                                 ikev2_transform_type_name(t->type, b));
                        return -EPROTO;
                }
                if (seen[t->type]) {
                        snprintf(why, why_size,
                                 "the gateway chose two transforms of type %s (one each allowed)",
                                 ikev2_transform_type_name(t->type, b));
                        return -EPROTO;
                }
                seen[t->type] = true;
                if (t->n_attrs) {
                        snprintf(why, why_size,
                                 "the gateway's %s transform has attributes we "
                                 "never sent",
                                 ikev2_transform_type_name(t->type, b));
                        return -EPROTO;
                }
                if (!offered(ours, protocol, t->type, t->id, t->key_length)) {
                        snprintf(why, why_size,
                                 "the gateway chose %s, which we did not offer in proposal %u",
                                 transform_text(t->type, t->id, t->key_length, a, sizeof(a)),
                                 p->num);
                        return -EPROTO;
                }
                switch (t->type) {
                case IKEV2_TRANSFORM_ENCR:
                        ch.encr = t->id;
                        ch.encr_bits = t->key_length;
                        break;
                case IKEV2_TRANSFORM_PRF:
                        ch.prf = t->id;
                        break;
                case IKEV2_TRANSFORM_INTEG:
                        ch.integ = t->id;
                        break;
                case IKEV2_TRANSFORM_DH:
                        ch.dh = t->id;
                        ch.has_dh = true;
                        break;
                case IKEV2_TRANSFORM_ESN:
                        ch.esn = t->id;
                        ch.has_esn = true;
                        break;
                }
        }
        if (!seen[IKEV2_TRANSFORM_ENCR]) {
                snprintf(why, why_size, "the gateway's proposal has no encryption algorithm");
                return -EPROTO;
        }
        if (!ours->aead && !seen[IKEV2_TRANSFORM_INTEG]) {
                snprintf(why, why_size, "the gateway's proposal has no integrity algorithm");
                return -EPROTO;
        }
        if (protocol == IKEV2_PROTO_IKE) {
                if (!seen[IKEV2_TRANSFORM_PRF]) {
                        snprintf(why, why_size, "the gateway's proposal has no PRF");
                        return -EPROTO;
                }
                if (!seen[IKEV2_TRANSFORM_DH]) {
                        snprintf(why, why_size,
                                 "the gateway's proposal has no key exchange (DH) method");
                        return -EPROTO;
                }
        } else {
                if (strip_dh && ch.has_dh && ch.dh != IKEV2_DH_NONE) {
                        snprintf(why, why_size,
                                 "the gateway chose a DH group for the CHILD SA "
                                 "of IKE_AUTH");
                        return -EPROTO;
                }
                if (!ch.has_esn) {
                        /* RFC 7296 3.3.3 makes ESN mandatory for ESP; a
                         * gateway that leaves it out means "no". */
                        if (!offered(ours, protocol, IKEV2_TRANSFORM_ESN, IKEV2_ESN_NO, 0)) {
                                snprintf(why, why_size,
                                         "the gateway's proposal has no ESN "
                                         "transform and we require ESN");
                                return -EPROTO;
                        }
                        ch.esn = IKEV2_ESN_NO;
                }
        }
        /* It must also be something we can run. */
        {
                struct crypto_suite s;
                const char *w = NULL;

                if (crypto_suite_lookup(ch.encr, ch.encr_bits,
                                        ours->aead ? IKEV2_INTEG_NONE : ch.integ, 0, &s, &w) < 0) {
                        snprintf(why, why_size, "the chosen algorithms are not usable: %s",
                                 w ? w : "unknown");
                        return -EPROTO;
                }
                if (protocol == IKEV2_PROTO_IKE && !crypto_prf_lookup(ch.prf)) {
                        snprintf(why, why_size, "the chosen PRF is not implemented");
                        return -EPROTO;
                }
        }
        if (ours->aead)
                ch.integ = IKEV2_INTEG_NONE;
        *ret = ch;
        return 0;
}

void ini_format_proposals(const struct proposal_list *l, bool strip_dh, char *buf, size_t size)
{
        struct proposal_list offer;

        offer_list(l, strip_dh, &offer);
        offer.strict = false;
        if (proposal_list_format(&offer, buf, size) < 0 && size > 4)
                memcpy(buf + size - 4, "...", 4);
}

void ini_format_sa_payload(const struct ike_sa *sa, char *buf, size_t size)
{
        size_t off = 0;

        if (size == 0)
                return;
        buf[0] = 0;
        for (size_t i = 0; i < sa->n_proposals && off < size; i++) {
                const struct ike_proposal *p = &sa->proposals[i];

                off += (size_t)snprintf(buf + off, size - off, "%s", i ? ", " : "");
                for (size_t k = 0; k < p->n_transforms && off < size; k++) {
                        char t[64];
                        const struct ike_transform *x = &p->transforms[k];

                        off += (size_t)snprintf(
                                buf + off, size - off, "%s%s", k ? "-" : "",
                                transform_text(x->type, x->id, x->key_length, t, sizeof(t)));
                }
        }
}

/* ------------------------------------------------------------------ answering proposals */

/* The first transform of type in p that ours offers (bits included). */
static bool pick(const struct ike_proposal *p, const struct proposal *ours, uint8_t protocol,
                 uint8_t type, uint16_t *ret_id, uint16_t *ret_bits, bool *ret_present)
{
        *ret_present = false;
        for (size_t i = 0; i < p->n_transforms; i++) {
                const struct ike_transform *t = &p->transforms[i];

                if (t->type != type)
                        continue;
                *ret_present = true;
                if (t->n_attrs > 1)
                        continue;
                if (offered(ours, protocol, type, t->id, t->key_length)) {
                        *ret_id = t->id;
                        *ret_bits = t->key_length;
                        return true;
                }
        }
        return false;
}

/* A DH group of theirs we implement (the gateway wants PFS our profile did
 * not ask for: better PFS than no tunnel). */
static bool pick_any_dh(const struct ike_proposal *p, uint16_t *ret)
{
        for (size_t i = 0; i < p->n_transforms; i++)
                if (p->transforms[i].type == IKEV2_TRANSFORM_DH &&
                    p->transforms[i].id != IKEV2_DH_NONE &&
                    crypto_dh_lookup(p->transforms[i].id)) {
                        *ret = p->transforms[i].id;
                        return true;
                }
        return false;
}

int ini_choose_proposal(const struct ike_sa *sa, const struct proposal_list *list,
                        uint8_t protocol, bool want_dh, struct ini_chosen *ret)
{
        struct proposal_list offer;

        offer_list(list, false, &offer);
        for (size_t i = 0; i < sa->n_proposals; i++) {
                const struct ike_proposal *p = &sa->proposals[i];
                size_t spi_len = protocol == IKEV2_PROTO_IKE ? 8 : 4;

                if (p->protocol != protocol || p->spi.len != spi_len)
                        continue;
                for (size_t k = 0; k < offer.n; k++) {
                        const struct proposal *q = &offer.p[k];
                        struct ini_chosen ch = {.num = p->num};
                        uint16_t bits = 0, id = 0;
                        bool present;

                        if (!pick(p, q, protocol, IKEV2_TRANSFORM_ENCR, &ch.encr, &ch.encr_bits,
                                  &present))
                                continue;
                        if (protocol == IKEV2_PROTO_IKE &&
                            !pick(p, q, protocol, IKEV2_TRANSFORM_PRF, &ch.prf, &bits, &present))
                                continue;
                        if (q->aead) {
                                ch.integ = IKEV2_INTEG_NONE;
                        } else if (!pick(p, q, protocol, IKEV2_TRANSFORM_INTEG, &ch.integ, &bits,
                                         &present)) {
                                continue;
                        }
                        if (pick(p, q, protocol, IKEV2_TRANSFORM_DH, &id, &bits, &present) &&
                            id != IKEV2_DH_NONE) {
                                ch.dh = id;
                                ch.has_dh = true;
                        } else if (present && want_dh && pick_any_dh(p, &id)) {
                                ch.dh = id;
                                ch.has_dh = true;
                        }
                        if (protocol == IKEV2_PROTO_IKE && !ch.has_dh)
                                continue;
                        if (want_dh != ch.has_dh && protocol == IKEV2_PROTO_ESP)
                                continue; /* a KE payload needs a group, and no KE none */
                        if (protocol == IKEV2_PROTO_ESP) {
                                if (pick(p, q, protocol, IKEV2_TRANSFORM_ESN, &ch.esn, &bits,
                                         &present)) {
                                        ch.has_esn = true;
                                } else if (!present) {
                                        ch.esn = IKEV2_ESN_NO;
                                } else {
                                        continue;
                                }
                        }
                        {
                                struct crypto_suite s;

                                if (crypto_suite_lookup(ch.encr, ch.encr_bits, ch.integ, 0, &s,
                                                        NULL) < 0)
                                        continue;
                        }
                        memcpy(ch.spi, p->spi.ptr, spi_len);
                        ch.spi_len = spi_len;
                        *ret = ch;
                        return 0;
                }
        }
        return -ENOENT;
}

int ini_add_chosen_sa(struct ike_chain *c, const struct ini_chosen *cho, uint8_t protocol,
                      const uint8_t *spi, size_t spi_len)
{
        struct ike_transform tr[5];
        struct ike_proposal prop;
        size_t n = 0;

        add_transform(tr, &n, IKEV2_TRANSFORM_ENCR, cho->encr, cho->encr_bits);
        if (protocol == IKEV2_PROTO_IKE)
                add_transform(tr, &n, IKEV2_TRANSFORM_PRF, cho->prf, 0);
        if (cho->integ != IKEV2_INTEG_NONE)
                add_transform(tr, &n, IKEV2_TRANSFORM_INTEG, cho->integ, 0);
        if (cho->has_dh)
                add_transform(tr, &n, IKEV2_TRANSFORM_DH, cho->dh, 0);
        if (protocol == IKEV2_PROTO_ESP)
                add_transform(tr, &n, IKEV2_TRANSFORM_ESN, cho->esn, 0);
        prop = (struct ike_proposal){
                .num = cho->num,
                .protocol = protocol,
                .spi = SLICE(spi, spi_len),
                .transforms = tr,
                .n_transforms = n,
        };
        return ike_chain_add_sa(c, &prop, 1);
}
