/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Our IKEv2 code against real strongSwan 5.9.8 traffic: the eight scenarios
 * of tests/vectors/ike/ (messages captured on the wire between a strongSwan
 * client and the lab gateway, strongSwan's own payload lists and every key
 * both charons logged; see the README there).
 *
 * Per scenario, each a GTest case of its own:
 *   codec          every message parses, its header says what the manifest
 *                  says, serialize(parse(x)) == x, plaintext payload lists
 *                  and exchange rules
 *   decrypt        every SK message and every SKF fragment opens with our SK
 *                  layer in the receiver's direction; the inner chains (the
 *                  reassembled ones for fragments) are strongSwan's lists,
 *                  round-trip, and pass the exchange rules
 *   icv            a flipped ciphertext, ICV or Message ID octet and a
 *                  changed Fragment Number are all rejected
 *   ike-sa/N/keys  SKEYSEED and SK_* from g^ir, the nonces and SPIs read from
 *                  the messages, with the PRF and suite the SA payload chose
 *   child-sa/N/keys KEYMAT (with PFS where there was a KE)
 *   auth           every AUTH payload: signatures with the key of the CERT
 *                  payload beside it, shared-key MICs with the MSK (or SK_p)
 *   mschapv2       NT-Response, authenticator response and MSK recomputed
 *                  with client/ike/mschapv2.h from the captured challenges
 *   eap-peer       our EAP peer answers the gateway's captured requests with
 *                  strongSwan's captured responses, octet for octet
 *
 * Decryption uses strongSwan's logged keys, so that a fault in our key
 * schedule shows in the keys cases only and not in every other case too;
 * the keys cases prove that ours are the same.
 *
 * A case reports every discrepancy it finds (one "# FAIL:" line each, with
 * the scenario and file) before it fails.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include <glib.h>
#include <openssl/x509.h>

#include "client/common/bytes.h"
#include "client/common/macro.h"
#include "client/common/wbuf.h"
#include "client/crypto/aead.h"
#include "client/crypto/prf.h"
#include "client/crypto/sig.h"
#include "client/crypto/x509.h"
#include "client/ike/eap.h"
#include "client/ike/ikev2.h"
#include "client/ike/keys.h"
#include "client/ike/message.h"
#include "client/ike/mschapv2.h"
#include "client/ike/rules.h"
#include "client/ike/sk.h"
#include "tests/unit/test-vectors-ike.h"

/* The lab's EAP password (tests/lab/README.md, tests/lab/lib/env.sh
 * LAB_EAP_PASSWORD), which the gateway's eap-split and eap-md5 connections
 * use. It is a test credential of a throw-away lab. */
#define LAB_EAP_PASSWORD "alice-lab-password"

/* The scenarios and the EAP method each authenticates the client with (0:
 * a certificate), so that no case can pass because its subject is missing. */
static const struct scenario {
        const char *name;
        uint8_t eap_method;
} scenarios[] = {
        {"big-fragmented", 0},
        {"cookie", EAP_TYPE_MSCHAPV2},
        {"eap-md5", EAP_TYPE_MD5},
        {"eap-mschapv2-gcm", EAP_TYPE_MSCHAPV2},
        {"eap-tls-gcm128", EAP_TYPE_TLS},
        {"ecdsa-chacha", 0},
        {"invalid-ke", EAP_TYPE_MSCHAPV2},
        {"rsa-cbc", 0},
};

/* ------------------------------------------------------------------ reporting */

/* Records a discrepancy and lets the case go on to find the others. */
_printf_(1, 2) static void fail(const char *fmt, ...)
{
        g_autofree char *msg = NULL;
        va_list ap;

        va_start(ap, fmt);
        msg = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        g_test_message("FAIL: %s", msg);
        g_test_fail_printf("%s", msg);
}

static char *hex(struct slice s)
{
        GString *g = g_string_sized_new(2 * s.len + 1);

        for (size_t i = 0; i < s.len; i++)
                g_string_append_printf(g, "%02x", s.ptr[i]);
        return g_string_free(g, FALSE);
}

/* Compares a value we computed with strongSwan's; false (and a failure
 * naming both) when they differ. */
static bool same(const char *where, const char *what, struct slice ours, struct slice theirs)
{
        g_autofree char *a = NULL, *b = NULL;

        if (ours.len == theirs.len &&
            (ours.len == 0 || memcmp(ours.ptr, theirs.ptr, ours.len) == 0))
                return true;
        a = hex(ours);
        b = hex(theirs);
        fail("%s: %s differs: ours (%zu octets) %s, strongSwan's (%zu octets) %s", where, what,
             ours.len, a, theirs.len, b);
        return false;
}

/* The decoded chain must be exactly strongSwan's logged list. */
static bool check_list(const char *where, const struct ike_chain *c, const char *logged)
{
        g_autoptr(GError) error = NULL;
        g_auto(GStrv) toks = tvi_list_tokens(logged, &error);
        g_autofree char *ours = tvi_render_chain(c);
        size_t n;

        if (!toks) {
                fail("%s: %s", where, error->message);
                return false;
        }
        n = g_strv_length(toks);
        for (size_t i = 0; i < MAX(n, c->n); i++) {
                g_autofree char *t = i < c->n ? tvi_render_payload(&c->items[i]) : NULL;

                if (i >= n || i >= c->n || strcmp(t, toks[i]) != 0) {
                        fail("%s: payload %zu is %s, strongSwan logged %s (decoded %s, logged %s)",
                             where, i + 1, t ? t : "(none)", i < n ? toks[i] : "(none)", ours,
                             logged);
                        return false;
                }
        }
        return true;
}

/* keys.txt names the transforms strongSwan selected: they must be what the
 * SA payload on the wire chose. */
static bool check_transform_ids(const char *where, const struct tvi_block *b,
                                const struct tvi_chosen *ch, bool ike)
{
        struct {
                const char *key;
                unsigned ours;
        } f[] = {
                {"encr", ch->encr},
                {"encr_keylen", ch->encr_bits},
                {"integ", ch->integ},
                {"dh", ch->dh},
                {ike ? "prf" : "esn", ike ? ch->prf : ch->esn},
        };
        bool ok = true;

        for (size_t i = 0; i < G_N_ELEMENTS(f); i++) {
                g_autoptr(GError) error = NULL;
                unsigned v;

                if (!tvi_get_uint(b, f[i].key, &v, &error)) {
                        fail("%s: %s", where, error->message);
                        ok = false;
                } else if (v != f[i].ours) {
                        fail("%s: keys.txt says %s = %u, the SA payload on the wire chose %u",
                             where, f[i].key, v, f[i].ours);
                        ok = false;
                }
        }
        return ok;
}

static const struct scenario *scenario_of(const char *name)
{
        for (size_t i = 0; i < G_N_ELEMENTS(scenarios); i++)
                if (strcmp(scenarios[i].name, name) == 0)
                        return &scenarios[i];
        g_assert_not_reached();
}

static struct tvi_capture *open_capture(const char *name, bool decrypt)
{
        g_autoptr(GError) error = NULL;
        struct tvi_capture *c = tvi_capture_open(name, decrypt, &error);

        if (!c)
                fail("%s: %s", name, error->message);
        return c;
}

/* ------------------------------------------------------------------ codec */

static void test_codec(gconstpointer data)
{
        const char *name = data;
        g_autoptr(tvi_capture) c = open_capture(name, false);
        g_autofree uint8_t *buf = g_malloc(IKE_MESSAGE_MAX);
        size_t n_bins;

        if (!c)
                return;
        /* The manifest covers exactly the message files. */
        n_bins = c->sc->bin_files->len;
        if (n_bins != c->n_msgs || n_bins == 0)
                fail("%s: %zu .bin files, %zu manifest lines", name, n_bins, c->n_msgs);
        for (size_t i = 0; i < MIN(n_bins, c->n_msgs); i++)
                if (strcmp(c->sc->bin_files->pdata[i], c->msgs[i].tm->file) != 0)
                        fail("%s: manifest line %zu names %s, the directory has %s", name, i + 1,
                             c->msgs[i].tm->file, (const char *)c->sc->bin_files->pdata[i]);

        for (size_t i = 0; i < c->n_msgs; i++) {
                const struct tvi_msg *mi = &c->msgs[i];
                const struct tvi_message *tm = mi->tm;
                const struct ike_header *h;
                const struct ike_sk *sk;
                g_autofree char *where = g_strdup_printf("%s/%s", name, tm->file);
                struct ike_error err = {0};
                gsize len;
                const uint8_t *raw = g_bytes_get_data(tm->bytes, &len);
                struct wbuf w;
                int r;

                if (!mi->m) {
                        fail("%s: %s", where, mi->error);
                        continue;
                }
                h = &mi->m->hdr;
                if (len != tm->length || h->length != len)
                        fail("%s: file size %zu, header Length %u, manifest length %zu", where,
                             (size_t)len, h->length, tm->length);
                if (h->version != IKEV2_VERSION)
                        fail("%s: version 0x%02x", where, h->version);
                if (h->exchange != tm->exchange)
                        fail("%s: exchange %u, the manifest says %u", where, h->exchange,
                             tm->exchange);
                if (h->message_id != tm->message_id)
                        fail("%s: Message ID %u, the manifest says %u", where, h->message_id,
                             tm->message_id);
                if (ike_header_is_response(h) != tm->response)
                        fail("%s: R flag %d, the manifest says %s", where,
                             ike_header_is_response(h), tm->response ? "response" : "request");
                if (ike_header_from_initiator(h) != tm->initiator)
                        fail("%s: I flag %d, the manifest says initiator=%d", where,
                             ike_header_from_initiator(h), tm->initiator);

                /* serialize(parse(x)) == x */
                wbuf_init(&w, buf, IKE_MESSAGE_MAX);
                r = ike_message_serialize(mi->m, &w);
                if (r < 0)
                        fail("%s: ike_message_serialize() = %s", where, g_strerror(-r));
                else if (wbuf_len(&w) != len || memcmp(buf, raw, len) != 0) {
                        size_t k = 0;

                        while (k < MIN(len, wbuf_len(&w)) && buf[k] == raw[k])
                                k++;
                        fail("%s: serialized %zu octets differ from the %zu received at "
                             "offset %zu",
                             where, wbuf_len(&w), (size_t)len, k);
                }

                sk = ike_message_sk(mi->m);
                switch (tm->protection) {
                case TVI_PLAIN:
                        if (sk) {
                                fail("%s: an SK/SKF payload in a message the manifest says is "
                                     "plaintext",
                                     where);
                                break;
                        }
                        check_list(where, &mi->m->clear, tm->payloads);
                        r = ike_message_check(mi->m, &err);
                        if (r < 0)
                                fail("%s: ike_message_check() = %s: %s", where, g_strerror(-r),
                                     err.what);
                        break;
                case TVI_SK:
                        if (!sk || ike_message_is_fragment(mi->m) || mi->m->clear.n != 1) {
                                g_autofree char *got = tvi_render_chain(&mi->m->clear);

                                fail("%s: not a message with one SK payload: %s", where, got);
                        }
                        break;
                case TVI_SKF:
                        if (!sk || !ike_message_is_fragment(mi->m) || mi->m->clear.n != 1) {
                                fail("%s: not a message with one SKF payload", where);
                                break;
                        }
                        if (sk->frag_num != tm->frag_num || sk->frag_total != tm->frag_total)
                                fail("%s: fragment %u/%u, the manifest says %u/%u", where,
                                     sk->frag_num, sk->frag_total, tm->frag_num, tm->frag_total);
                        /* RFC 7383 2.5: only fragment 1 names the first inner payload */
                        if ((sk->next != IKEV2_PAYLOAD_NONE) != (sk->frag_num == 1))
                                fail("%s: fragment %u has Next Payload %u", where, sk->frag_num,
                                     sk->next);
                        check_list(where, &mi->m->clear, tm->payloads);
                        break;
                }
        }
}

/* ------------------------------------------------------------------ decrypt */

static void check_inner(const char *where, const struct tvi_msg *mi, const char *logged)
{
        g_autofree uint8_t *buf = g_malloc(IKE_CHAIN_MAX);
        struct ike_error err = {0};
        struct wbuf w;
        int r;

        check_list(where, mi->chain, logged);
        /* the inner chain round-trips too (the padding is the SK layer's) */
        wbuf_init(&w, buf, IKE_CHAIN_MAX);
        r = ike_chain_serialize(mi->chain, &w);
        if (r < 0)
                fail("%s: ike_chain_serialize(inner) = %s", where, g_strerror(-r));
        else
                same(where, "the serialized inner chain", wbuf_slice(&w), SLICE_OF(mi->plain));
        r = ike_message_check(mi->whole, &err);
        if (r < 0)
                fail("%s: ike_message_check() = %s: %s", where, g_strerror(-r), err.what);
}

static void test_decrypt(gconstpointer data)
{
        const char *name = data;
        g_autoptr(tvi_capture) c = open_capture(name, true);
        size_t n_sk = 0, n_skf = 0, n_whole = 0;

        if (!c)
                return;
        for (size_t i = 0; i < c->n_msgs; i++) {
                struct tvi_msg *mi = &c->msgs[i];
                const struct tvi_message *tm = mi->tm;
                g_autofree char *where = g_strdup_printf("%s/%s", name, tm->file);

                if (tm->protection == TVI_PLAIN)
                        continue;
                if (!mi->m) {
                        fail("%s: %s", where, mi->error);
                        continue;
                }
                if (tm->protection == TVI_SK) {
                        if (!mi->chain) {
                                fail("%s: %s", where, mi->error);
                                continue;
                        }
                        n_sk++;
                        check_inner(where, mi, tm->payloads);
                        continue;
                }
                /* a fragment: decrypted on its own, then the whole message */
                if (!mi->chain) {
                        fail("%s: %s", where, mi->error);
                        continue;
                }
                n_skf += mi->fragment_ok;
                if (mi->last_fragment) {
                        g_autofree char *w2 = g_strdup_printf("%s (reassembled)", where);
                        const struct tvi_msg *first = NULL;

                        for (size_t k = 0; k < c->n_msgs; k++)
                                if (c->msgs[k].m == mi->whole)
                                        first = &c->msgs[k];
                        g_assert_nonnull(first);
                        n_whole++;
                        check_inner(w2, first, tm->reassembled);
                }
                /* every fragment names the same whole message */
                for (size_t k = 0; k < c->n_msgs; k++)
                        if (c->msgs[k].whole == mi->whole &&
                            g_strcmp0(c->msgs[k].tm->reassembled, tm->reassembled) != 0)
                                fail("%s: reassembled=%s, but %s says %s", where, tm->reassembled,
                                     c->msgs[k].tm->file, c->msgs[k].tm->reassembled);
        }
        /* nothing was skipped */
        {
                size_t want_sk = 0, want_skf = 0;

                for (size_t i = 0; i < c->n_msgs; i++) {
                        want_sk += c->msgs[i].tm->protection == TVI_SK;
                        want_skf += c->msgs[i].tm->protection == TVI_SKF;
                }
                if (n_sk != want_sk || n_skf != want_skf || want_sk + want_skf == 0)
                        fail("%s: %zu of %zu SK messages and %zu of %zu fragments decrypted", name,
                             n_sk, want_sk, n_skf, want_skf);
                g_test_message("%s: %zu SK messages, %zu fragments making %zu messages decrypted",
                               name, n_sk, n_skf, n_whole);
        }
}

/* ------------------------------------------------------------------ icv */

/* Expects the (damaged) copy of a message to be refused by the ICV check. */
static void expect_rejected(const char *where, const char *damage, const struct tvi_sa *sa,
                            const struct tvi_msg *mi, uint8_t *copy, size_t len)
{
        struct ike_sk_plain p;
        struct ike_sk_error serr = {0};
        int r = tvi_sk_open(sa, ike_header_from_initiator(&mi->m->hdr), copy, len, &p, &serr);

        if (r != -EKEYREJECTED)
                fail("%s: %s: ike_sk_unprotect() = %d (%s), want -EKEYREJECTED", where, damage, r,
                     r < 0 ? g_strerror(-r) : "accepted");
}

static void test_icv(gconstpointer data)
{
        const char *name = data;
        g_autoptr(tvi_capture) c = open_capture(name, true);
        bool done_sk = false, done_skf = false;

        if (!c)
                return;
        for (size_t i = 0; i < c->n_msgs && !(done_sk && done_skf); i++) {
                const struct tvi_msg *mi = &c->msgs[i];
                const struct ike_sk *sk;
                struct tvi_sa *sa;
                g_autofree char *where = g_strdup_printf("%s/%s", name, mi->tm->file);
                g_autofree uint8_t *copy = NULL;
                struct ike_sk_plain p;
                struct ike_sk_error serr = {0};
                size_t body_off;
                gsize len;
                const uint8_t *raw = g_bytes_get_data(mi->tm->bytes, &len);
                int r;

                if (!mi->m || !(sk = ike_message_sk(mi->m)))
                        continue;
                if (ike_message_is_fragment(mi->m) ? done_skf : done_sk)
                        continue;
                sa = tvi_capture_sa(c, mi->tm->ike_sa);
                if (!sa || !sa->resolved) {
                        fail("%s: no keys: %s", where, sa && sa->error ? sa->error : "?");
                        return;
                }
                body_off = (size_t)(sk->body.ptr - raw);

                /* as received: accepted (so the refusals below are the damage's) */
                copy = g_memdup2(raw, len);
                r = tvi_sk_open(sa, ike_header_from_initiator(&mi->m->hdr), copy, len, &p, &serr);
                if (r < 0) {
                        fail("%s: undamaged: ike_sk_unprotect() = %s: %s", where, g_strerror(-r),
                             serr.what);
                        continue;
                }
                /* a ciphertext octet in the middle of the body */
                memcpy(copy, raw, len);
                copy[body_off + sk->body.len / 2] ^= 0x01;
                expect_rejected(where, "a flipped ciphertext octet", sa, mi, copy, len);
                /* the last ICV octet */
                memcpy(copy, raw, len);
                copy[len - 1] ^= 0x80;
                expect_rejected(where, "a flipped ICV octet", sa, mi, copy, len);
                /* the Message ID: authenticated, not encrypted (RFC 5282 5.1,
                 * RFC 7296 3.14) */
                memcpy(copy, raw, len);
                copy[23] ^= 0x01;
                expect_rejected(where, "a flipped Message ID octet", sa, mi, copy, len);
                if (ike_message_is_fragment(mi->m)) {
                        /* RFC 7383 2.5: Fragment Number is covered by the ICV, so
                         * a fragment cannot be passed off as another one */
                        uint16_t other = sk->frag_num == 1 ? 2 : 1;

                        memcpy(copy, raw, len);
                        copy[body_off - 4] = (uint8_t)(other >> 8);
                        copy[body_off - 3] = (uint8_t)other;
                        expect_rejected(where, "another Fragment Number", sa, mi, copy, len);
                        done_skf = true;
                } else {
                        done_sk = true;
                }
                g_test_message("%s: damaged copies rejected", where);
        }
        if (!done_sk || !done_skf)
                fail("%s: no %s message to damage", name, done_sk ? "SKF" : "SK");
}

/* ------------------------------------------------------------------ IKE SA keys */

struct sa_case {
        char *scenario;
        unsigned num;
};

static void sa_case_free(gpointer p)
{
        struct sa_case *k = p;

        g_free(k->scenario);
        g_free(k);
}

static bool check_logged_slice(const char *where, const struct tvi_block *b, const char *key,
                               struct slice wire)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(GBytes) v = tvi_get_hex(b, key, &error);

        if (!v) {
                fail("%s: %s", where, error->message);
                return false;
        }
        if (wire.len == 0) {
                fail("%s: %s not found in the messages", where, key);
                return false;
        }
        /* "ours": what our codec read from the messages */
        return same(where, key, wire, tvi_slice(v));
}

/* The request and response of the exchange that created an SA (keys.txt
 * "messages"), both decoded. */
static bool exchange_of(struct tvi_capture *c, const char *where, const struct tvi_block *b,
                        struct tvi_msg **ret_rq, struct tvi_msg **ret_rs)
{
        g_autoptr(GError) error = NULL;
        unsigned rq, rs;

        if (!tvi_get_exchange(b, &rq, &rs, &error)) {
                fail("%s: %s", where, error->message);
                return false;
        }
        *ret_rq = tvi_capture_msg(c, rq);
        *ret_rs = tvi_capture_msg(c, rs);
        for (int i = 0; i < 2; i++) {
                struct tvi_msg *mi = i ? *ret_rs : *ret_rq;

                if (!mi || !mi->chain) {
                        fail("%s: message %02u: %s", where, i ? rs : rq,
                             mi ? mi->error : "not in the manifest");
                        return false;
                }
                if (ike_header_is_response(&mi->m->hdr) != (i == 1)) {
                        fail("%s: message %02u is not a %s", where, i ? rs : rq,
                             i ? "response" : "request");
                        return false;
                }
        }
        return true;
}

static void compare_ike_keys(const char *where, const struct ike_keys *ours,
                             const struct ike_keys *logged)
{
        same(where, "SK_d", SLICE_OF(ours->sk_d), SLICE_OF(logged->sk_d));
        same(where, "SK_ai", SLICE_OF(ours->sk_ai), SLICE_OF(logged->sk_ai));
        same(where, "SK_ar", SLICE_OF(ours->sk_ar), SLICE_OF(logged->sk_ar));
        same(where, "SK_ei", SLICE_OF(ours->sk_ei), SLICE_OF(logged->sk_ei));
        same(where, "SK_er", SLICE_OF(ours->sk_er), SLICE_OF(logged->sk_er));
        same(where, "SK_pi", SLICE_OF(ours->sk_pi), SLICE_OF(logged->sk_pi));
        same(where, "SK_pr", SLICE_OF(ours->sk_pr), SLICE_OF(logged->sk_pr));
}

/* The KE payloads of both messages carry the negotiated group. */
static void check_ke_groups(const char *where, const struct tvi_msg *rq, const struct tvi_msg *rs,
                            uint16_t dh)
{
        for (int i = 0; i < 2; i++) {
                const struct tvi_msg *mi = i ? rs : rq;
                const struct ike_payload *ke = tvi_find_one(mi->chain, IKEV2_PAYLOAD_KE);

                if (dh == IKEV2_DH_NONE && ke)
                        fail("%s: %s has a KE payload but no DH group was chosen", where,
                             mi->tm->file);
                else if (dh != IKEV2_DH_NONE && (!ke || ke->u.ke.group != dh))
                        fail("%s: %s: KE payload %s, the proposal chose group %u", where,
                             mi->tm->file, ke ? "of another group" : "missing", dh);
        }
}

static void test_ike_sa_keys(gconstpointer data)
{
        const struct sa_case *k = data;
        g_autoptr(tvi_capture) c = open_capture(k->scenario, true);
        g_autoptr(GError) error = NULL;
        g_autoptr(GBytes) g_ir = NULL, skeyseed = NULL;
        g_autofree char *where = NULL;
        struct ike_keys ours = {0};
        struct bytes seed = {0};
        struct tvi_msg *rq, *rs;
        struct tvi_sa *sa;
        struct slice ni, nr;
        uint8_t spi_i[8], spi_r[8];
        const char *rekey_of;
        int r;

        if (!c)
                return;
        where = g_strdup_printf("%s: IKE SA %u", k->scenario, k->num);
        sa = tvi_capture_sa(c, k->num);
        g_assert_nonnull(sa);
        if (!tvi_sa_resolve(c, sa)) {
                fail("%s: %s", where, sa->error);
                return;
        }
        if (!exchange_of(c, where, sa->blk, &rq, &rs))
                return;
        check_transform_ids(where, sa->blk, &sa->chosen, true);
        if (sa->chosen.protocol != IKEV2_PROTO_IKE)
                fail("%s: the chosen proposal is for protocol %u", where, sa->chosen.protocol);
        check_ke_groups(where, rq, rs, sa->chosen.dh);

        /* Nonces and SPIs from the messages (and strongSwan agrees) */
        ni = tvi_nonce(rq->chain);
        nr = tvi_nonce(rs->chain);
        check_logged_slice(where, sa->blk, "ni", ni);
        check_logged_slice(where, sa->blk, "nr", nr);
        if (rq->tm->exchange == IKEV2_EXCHANGE_IKE_SA_INIT) {
                /* RFC 7296 2.14: the IKE header's SPIs */
                for (int i = 0; i < 8; i++) {
                        spi_i[i] = (uint8_t)(rs->m->hdr.spi_i >> (56 - 8 * i));
                        spi_r[i] = (uint8_t)(rs->m->hdr.spi_r >> (56 - 8 * i));
                }
        } else {
                /* RFC 7296 2.18: the SPIs of the new IKE SA are those of the
                 * proposals in the CREATE_CHILD_SA exchange */
                const struct ike_proposal *offered =
                        tvi_offered_proposal(rq->chain, sa->chosen.num);

                if (!offered || offered->spi.len != 8 || sa->chosen.spi.len != 8) {
                        fail("%s: no 8-octet SPIs in the proposals of %s and %s", where,
                             rq->tm->file, rs->tm->file);
                        return;
                }
                memcpy(spi_i, offered->spi.ptr, 8);
                memcpy(spi_r, sa->chosen.spi.ptr, 8);
        }
        check_logged_slice(where, sa->blk, "spi_i", SLICE(spi_i, 8));
        check_logged_slice(where, sa->blk, "spi_r", SLICE(spi_r, 8));

        g_ir = tvi_get_hex(sa->blk, "g_ir", &error);
        skeyseed = g_ir ? tvi_get_hex(sa->blk, "skeyseed", &error) : NULL;
        if (!skeyseed) {
                fail("%s: %s", where, error->message);
                return;
        }
        rekey_of = tvi_get(sa->blk, "rekey_of");
        if (!rekey_of || strcmp(rekey_of, "-") == 0) {
                /* RFC 7296 2.14 */
                r = ike_skeyseed(sa->prf, ni, nr, tvi_slice(g_ir), &seed);
                if (r < 0) {
                        fail("%s: ike_skeyseed() = %s", where, g_strerror(-r));
                        return;
                }
                same(where, "SKEYSEED", SLICE_OF(seed), tvi_slice(skeyseed));
                r = ike_keys_derive(sa->prf, &sa->suite, ni, nr, spi_i, spi_r, tvi_slice(g_ir),
                                    &ours);
        } else {
                /* RFC 7296 2.18: SKEYSEED with the old SA's PRF, prf+ "using
                 * the new IKE SA's PRF" (our ike_keys_derive_rekey()).
                 * strongSwan runs prf+ with the old PRF too (vectors
                 * README); both SAs of the capture use the same PRF, so
                 * the two readings give the same keys here. */
                guint64 old_num = 0;
                struct tvi_sa *old = NULL;

                if (g_ascii_string_to_unsigned(rekey_of, 10, 1, 1000, &old_num, NULL))
                        old = tvi_capture_sa(c, (unsigned)old_num);
                if (!old || !tvi_sa_resolve(c, old)) {
                        fail("%s: rekey_of = %s: %s", where, rekey_of,
                             old ? old->error : "no such IKE SA");
                        return;
                }
                if (old->prf != sa->prf)
                        g_test_message("%s: the old SA's PRF is %s, the new one's %s", where,
                                       old->prf->name, sa->prf->name);
                r = ike_skeyseed_rekey(old->prf, SLICE_OF(old->logged.sk_d), tvi_slice(g_ir), ni,
                                       nr, &seed);
                if (r < 0) {
                        fail("%s: ike_skeyseed_rekey() = %s", where, g_strerror(-r));
                        return;
                }
                same(where, "SKEYSEED", SLICE_OF(seed), tvi_slice(skeyseed));
                r = ike_keys_derive_rekey(old->prf, SLICE_OF(old->logged.sk_d), sa->prf, &sa->suite,
                                          ni, nr, spi_i, spi_r, tvi_slice(g_ir), &ours);
        }
        bytes_free_secret(&seed);
        if (r < 0) {
                fail("%s: the key derivation = %s", where, g_strerror(-r));
                return;
        }
        compare_ike_keys(where, &ours, &sa->logged);
        ike_keys_wipe(&ours);
        g_test_message("%s: SKEYSEED and SK_* of %s/%s/%u", where, sa->prf->name,
                       crypto_suite_name(&sa->suite, (char[64]){0}), sa->chosen.dh);
}

/* ------------------------------------------------------------------ CHILD SA keys */

static void test_child_sa_keys(gconstpointer data)
{
        const struct sa_case *k = data;
        g_autoptr(tvi_capture) c = open_capture(k->scenario, true);
        g_autoptr(GError) error = NULL;
        g_autoptr(GBytes) g_ir = NULL;
        g_autofree char *where = NULL;
        const struct tvi_block *b = NULL;
        struct ike_child_keys ours = {0};
        struct tvi_msg *rq, *rs;
        const struct ike_proposal *offered;
        struct crypto_suite suite;
        struct tvi_chosen ch;
        struct tvi_sa *parent;
        struct slice ni, nr;
        const char *why = NULL, *created_by;
        unsigned parent_num;
        int r;

        if (!c)
                return;
        where = g_strdup_printf("%s: CHILD SA %u", k->scenario, k->num);
        for (guint i = 0; i < c->sc->child_sas->len; i++)
                if (((const struct tvi_block *)c->sc->child_sas->pdata[i])->num == k->num)
                        b = c->sc->child_sas->pdata[i];
        g_assert_nonnull(b);
        if (!tvi_get_uint(b, "ike_sa", &parent_num, &error) ||
            !(parent = tvi_capture_sa(c, parent_num))) {
                fail("%s: %s", where, error ? error->message : "its IKE SA is not in keys.txt");
                return;
        }
        if (!tvi_sa_resolve(c, parent)) {
                fail("%s: IKE SA %u: %s", where, parent_num, parent->error);
                return;
        }
        if (!exchange_of(c, where, b, &rq, &rs))
                return;
        if (!tvi_chosen_proposal(rs->chain, &ch, &why)) {
                fail("%s: %s: %s", where, rs->tm->file, why);
                return;
        }
        if (ch.protocol != IKEV2_PROTO_ESP)
                fail("%s: the chosen proposal is for protocol %u, not ESP", where, ch.protocol);
        check_transform_ids(where, b, &ch, false);
        if (crypto_suite_lookup(ch.encr, ch.encr_bits, ch.integ, 0, &suite, &why) < 0) {
                fail("%s: the suite of %s: %s", where, rs->tm->file, why);
                return;
        }
        /* The ESP SPIs: each side's inbound SPI, in its proposal */
        offered = tvi_offered_proposal(rq->chain, ch.num);
        check_logged_slice(where, b, "spi_i", offered ? offered->spi : SLICE(NULL, 0));
        check_logged_slice(where, b, "spi_r", ch.spi);

        /* RFC 7296 2.17: the nonces of the exchange; for the CHILD SA of
         * IKE_AUTH, those of IKE_SA_INIT. */
        created_by = tvi_get(b, "created_by");
        if (created_by && strcmp(created_by, "IKE_AUTH") == 0) {
                struct tvi_msg *irq, *irs;

                if (!exchange_of(c, where, parent->blk, &irq, &irs))
                        return;
                ni = tvi_nonce(irq->chain);
                nr = tvi_nonce(irs->chain);
        } else {
                ni = tvi_nonce(rq->chain);
                nr = tvi_nonce(rs->chain);
        }
        check_logged_slice(where, b, "ni", ni);
        check_logged_slice(where, b, "nr", nr);

        /* PFS: a KE in both messages, g^ir (new) first in the seed */
        if (rq->tm->exchange == IKEV2_EXCHANGE_CREATE_CHILD_SA)
                check_ke_groups(where, rq, rs, ch.dh);
        if (ch.dh != IKEV2_DH_NONE) {
                g_ir = tvi_get_hex(b, "g_ir", &error);
                if (!g_ir) {
                        fail("%s: PFS with group %u but %s", where, ch.dh, error->message);
                        return;
                }
        } else if (tvi_get(b, "g_ir")) {
                fail("%s: keys.txt has g_ir but the proposal has no DH group", where);
        }

        r = ike_child_keys_derive(parent->prf, SLICE_OF(parent->logged.sk_d), tvi_slice(g_ir), ni,
                                  nr, &suite, &ours);
        if (r < 0) {
                fail("%s: ike_child_keys_derive() = %s", where, g_strerror(-r));
                return;
        }
        {
                static const char *const names[] = {"encr_i", "integ_i", "encr_r", "integ_r"};
                const struct bytes *mine[] = {&ours.encr_i, &ours.integ_i, &ours.encr_r,
                                              &ours.integ_r};

                for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
                        g_autoptr(GBytes) v = NULL;

                        if (!tvi_get(b, names[i]) && mine[i]->len == 0)
                                continue; /* AEAD: no integrity keys */
                        v = tvi_get_hex(b, names[i], NULL);
                        same(where, names[i], SLICE_OF(*mine[i]), tvi_slice(v));
                }
        }
        ike_child_keys_wipe(&ours);
        g_test_message("%s: KEYMAT of %s%s from SK_d of IKE SA %u", where,
                       crypto_suite_name(&suite, (char[64]){0}), g_ir ? " with PFS" : "",
                       parent_num);
}

/* ------------------------------------------------------------------ AUTH */

/* The whole chains of the IKE_AUTH exchanges of an IKE SA, each once, in
 * wire order. */
static size_t auth_chains(struct tvi_capture *c, unsigned sa, const struct tvi_msg **out,
                          size_t max)
{
        size_t n = 0;

        for (size_t i = 0; i < c->n_msgs && n < max; i++) {
                const struct tvi_msg *mi = &c->msgs[i];

                if (mi->tm->exchange != IKEV2_EXCHANGE_IKE_AUTH || mi->tm->ike_sa != sa)
                        continue;
                if (!mi->chain) {
                        fail("%s/%s: %s", c->sc->name, mi->tm->file, mi->error);
                        continue;
                }
                if (mi->tm->protection == TVI_SKF && !mi->last_fragment)
                        continue;
                out[n++] = mi;
        }
        return n;
}

static bool id_body(const struct ike_chain *c, uint8_t type, struct bytes *ret)
{
        const struct ike_payload *p = ike_chain_find(c, type, 0);
        uint8_t buf[4 + IKE_ID_DATA_MAX];
        struct wbuf w;

        if (!p)
                return false;
        wbuf_init(&w, buf, sizeof(buf));
        return ike_payload_serialize_body(p, &w) == 0 && bytes_dup(ret, wbuf_slice(&w)) == 0;
}

static void verify_auth(const char *where, const struct tvi_sa *sa, const struct ike_chain *c,
                        const struct ike_auth *a, bool initiator, struct slice octets,
                        unsigned *n_ok)
{
        const char *who = initiator ? "initiator" : "responder";
        g_autofree uint8_t *bad = g_memdup2(octets.ptr, octets.len);
        struct slice tampered = SLICE(bad, octets.len);
        int r;

        bad[octets.len - 1] ^= 0x01;
        if (a->method == IKEV2_AUTH_SHARED_KEY_MIC) {
                /* RFC 7296 2.16: after EAP, the MSK; SK_pi/SK_pr when the
                 * method made none */
                struct slice secret =
                        sa->msk ? tvi_slice(sa->msk)
                                : SLICE_OF(initiator ? sa->logged.sk_pi : sa->logged.sk_pr);

                r = ike_auth_shared_key_verify(sa->prf, secret, octets, a->data);
                if (r < 0) {
                        fail("%s: AUTH of the %s does not verify as a shared-key MIC with the "
                             "%s: ike_auth_shared_key_verify() = %d (%s)",
                             where, who, sa->msk ? "MSK" : "SK_p", r, g_strerror(-r));
                        return;
                }
                if (ike_auth_shared_key_verify(sa->prf, secret, tampered, a->data) == 0) {
                        fail("%s: AUTH of the %s verifies over other octets too", where, who);
                        return;
                }
                g_test_message("%s: AUTH of the %s: shared-key MIC with the %s", where, who,
                               sa->msk ? "MSK" : (initiator ? "SK_pi" : "SK_pr"));
        } else {
                /* signatures: with the certificate of the CERT payload beside it */
                const struct ike_payload *cert = NULL;
                enum crypto_sig_scheme scheme = CRYPTO_SIG_NONE;
                const char *why = NULL;
                X509 *x = NULL;

                for (size_t from = 0; (cert = ike_chain_find(c, IKEV2_PAYLOAD_CERT, from));
                     from = (size_t)(cert - c->items) + 1)
                        if (cert->u.cert.encoding == IKEV2_CERT_X509_SIGNATURE)
                                break;
                if (!cert) {
                        fail("%s: AUTH of the %s (method %u) without an X.509 CERT payload", where,
                             who, a->method);
                        return;
                }
                r = crypto_cert_load(cert->u.cert.data, &x);
                if (r < 0) {
                        fail("%s: the CERT payload does not load: %s", where, g_strerror(-r));
                        return;
                }
                r = crypto_auth_verify(X509_get0_pubkey(x), a->method, a->data, octets, 0, &scheme,
                                       &why);
                if (r < 0) {
                        fail("%s: AUTH of the %s (method %u) = %s: %s", where, who, a->method,
                             g_strerror(-r), why ? why : "");
                        X509_free(x);
                        return;
                }
                r = crypto_auth_verify(X509_get0_pubkey(x), a->method, a->data, tampered, 0, NULL,
                                       NULL);
                X509_free(x);
                if (r != -EKEYREJECTED) {
                        fail("%s: AUTH of the %s over other octets = %d, want -EKEYREJECTED", where,
                             who, r);
                        return;
                }
                g_test_message("%s: AUTH of the %s: method %u, %s", where, who, a->method,
                               crypto_sig_scheme_name(scheme));
        }
        (*n_ok)++;
}

static void test_auth(gconstpointer data)
{
        const char *name = data;
        g_autoptr(tvi_capture) c = open_capture(name, true);
        size_t n_sas = 0;

        if (!c)
                return;
        for (size_t s = 0; s < c->n_sas; s++) {
                struct tvi_sa *sa = &c->sas[s];
                const char *created_by = tvi_get(sa->blk, "created_by");
                g_autofree char *where = g_strdup_printf("%s: IKE SA %u", name, sa->num);
                const struct tvi_msg *chains[64];
                struct tvi_msg *rq, *rs;
                struct bytes idi = {0}, idr = {0};
                unsigned n_i = 0, n_r = 0;
                size_t n;

                if (!created_by || strcmp(created_by, "IKE_SA_INIT") != 0)
                        continue; /* a rekeyed SA is not authenticated again */
                n_sas++;
                if (!tvi_sa_resolve(c, sa)) {
                        fail("%s: %s", where, sa->error);
                        continue;
                }
                if (!exchange_of(c, where, sa->blk, &rq, &rs))
                        continue;
                if ((scenario_of(name)->eap_method == EAP_TYPE_MSCHAPV2 ||
                     scenario_of(name)->eap_method == EAP_TYPE_TLS) != (sa->msk != NULL))
                        fail("%s: keys.txt %s an MSK", where, sa->msk ? "has" : "lacks");
                n = auth_chains(c, sa->num, chains, G_N_ELEMENTS(chains));
                for (size_t i = 0; i < n; i++) {
                        bool req = !ike_header_is_response(&chains[i]->m->hdr);

                        if (req && !idi.ptr)
                                id_body(chains[i]->chain, IKEV2_PAYLOAD_IDi, &idi);
                        if (!req && !idr.ptr)
                                id_body(chains[i]->chain, IKEV2_PAYLOAD_IDr, &idr);
                }
                if (!idi.ptr || !idr.ptr) {
                        fail("%s: no %s payload in IKE_AUTH", where, idi.ptr ? "IDr" : "IDi");
                        bytes_free(&idi);
                        bytes_free(&idr);
                        continue;
                }
                for (size_t i = 0; i < n; i++) {
                        const struct tvi_msg *mi = chains[i];
                        bool initiator = !ike_header_is_response(&mi->m->hdr);
                        g_autofree char *w2 = g_strdup_printf("%s/%s", name, mi->tm->file);
                        const struct ike_payload *p;

                        for (size_t j = 0; (p = ike_chain_find(mi->chain, IKEV2_PAYLOAD_AUTH, j));
                             j = (size_t)(p - mi->chain->items) + 1) {
                                /* RFC 7296 2.15: the initiator signs its IKE_SA_INIT
                                 * request, Nr and prf(SK_pi, IDi'); the responder
                                 * its response, Ni and prf(SK_pr, IDr'). */
                                struct bytes octets = {0};
                                gsize l1, l2;
                                const uint8_t *m1 = g_bytes_get_data(rq->tm->bytes, &l1);
                                const uint8_t *m2 = g_bytes_get_data(rs->tm->bytes, &l2);
                                int r = ike_auth_octets(
                                        sa->prf, initiator ? SLICE(m1, l1) : SLICE(m2, l2),
                                        initiator ? tvi_nonce(rs->chain) : tvi_nonce(rq->chain),
                                        SLICE_OF(initiator ? sa->logged.sk_pi : sa->logged.sk_pr),
                                        SLICE_OF(initiator ? idi : idr), &octets);

                                if (r < 0) {
                                        fail("%s: ike_auth_octets() = %s", w2, g_strerror(-r));
                                        continue;
                                }
                                verify_auth(w2, sa, mi->chain, &p->u.auth, initiator,
                                            SLICE_OF(octets), initiator ? &n_i : &n_r);
                                bytes_free(&octets);
                        }
                }
                bytes_free(&idi);
                bytes_free(&idr);
                /* each side authenticated itself at least once (EAP: the
                 * gateway twice, with its signature and with the MSK) */
                if (n_i < 1 || n_r < (scenario_of(name)->eap_method ? 2u : 1u))
                        fail("%s: %u AUTH payloads of the initiator and %u of the responder "
                             "verified",
                             where, n_i, n_r);
        }
        if (n_sas == 0)
                fail("%s: no IKE SA set up with IKE_SA_INIT in keys.txt", name);
}

/* ------------------------------------------------------------------ EAP */

/* The EAP payloads of IKE SA 1's IKE_AUTH exchanges, in wire order. */
static size_t eap_payloads(struct tvi_capture *c, const struct ike_eap **out, bool *from_gateway,
                           size_t max)
{
        const struct tvi_msg *chains[64];
        size_t n = auth_chains(c, 1, chains, G_N_ELEMENTS(chains)), k = 0;

        for (size_t i = 0; i < n; i++) {
                const struct ike_payload *p =
                        ike_chain_find(chains[i]->chain, IKEV2_PAYLOAD_EAP, 0);

                if (p && k < max) {
                        from_gateway[k] = ike_header_is_response(&chains[i]->m->hdr);
                        out[k++] = &p->u.eap;
                }
        }
        return k;
}

/* draft-kamath-pppext-eap-mschapv2 (see client/ike/eap_mschapv2.c for the
 * diagram): OpCode, MS-CHAPv2-ID, MS-Length, then per OpCode. */
enum { MSCHAPV2_OP_CHALLENGE = 1, MSCHAPV2_OP_RESPONSE = 2, MSCHAPV2_OP_SUCCESS = 3 };

struct mschapv2_seen {
        const struct ike_eap *challenge, *response, *success;
        uint8_t auth_challenge[16];
        uint8_t peer_challenge[16];
        uint8_t nt_response[24];
        struct slice name;  /* the Name of the peer's Response */
        struct slice s_hex; /* the 40 hex digits after "S=" in the Success request */
};

static bool find_mschapv2(const char *where, const struct ike_eap **e, const bool *gw, size_t n,
                          struct mschapv2_seen *ret)
{
        *ret = (struct mschapv2_seen){0};
        for (size_t i = 0; i < n; i++) {
                const struct slice d = e[i]->data;

                if (e[i]->type != EAP_TYPE_MSCHAPV2 || d.len < 4)
                        continue;
                if (gw[i] && d.ptr[0] == MSCHAPV2_OP_CHALLENGE && !ret->challenge) {
                        if (d.len < 4 + 1 + 16 || d.ptr[4] != 16) {
                                fail("%s: MS-CHAPv2 Challenge of %zu octets, Value-Size %u", where,
                                     d.len, d.len > 4 ? d.ptr[4] : 0);
                                return false;
                        }
                        ret->challenge = e[i];
                        memcpy(ret->auth_challenge, d.ptr + 5, 16);
                } else if (!gw[i] && d.ptr[0] == MSCHAPV2_OP_RESPONSE && !ret->response) {
                        /* Value-Size 49: Peer-Challenge, 8 reserved, NT-Response, Flags */
                        if (d.len < 4 + 1 + 49 || d.ptr[4] != 49) {
                                fail("%s: MS-CHAPv2 Response of %zu octets, Value-Size %u", where,
                                     d.len, d.len > 4 ? d.ptr[4] : 0);
                                return false;
                        }
                        ret->response = e[i];
                        memcpy(ret->peer_challenge, d.ptr + 5, 16);
                        memcpy(ret->nt_response, d.ptr + 5 + 16 + 8, 24);
                        ret->name = SLICE(d.ptr + 5 + 49, d.len - 5 - 49);
                } else if (gw[i] && d.ptr[0] == MSCHAPV2_OP_SUCCESS && !ret->success) {
                        if (d.len < 4 + 2 + 40 || memcmp(d.ptr + 4, "S=", 2) != 0) {
                                fail("%s: MS-CHAPv2 Success request without S=", where);
                                return false;
                        }
                        ret->success = e[i];
                        ret->s_hex = SLICE(d.ptr + 6, 40);
                }
        }
        if (!ret->challenge || !ret->response || !ret->success) {
                fail("%s: the MS-CHAPv2 %s is not in the captured IKE_AUTH messages", where,
                     !ret->challenge  ? "Challenge"
                     : !ret->response ? "Response"
                                      : "Success");
                return false;
        }
        if (ret->response->data.ptr[1] != ret->challenge->data.ptr[1])
                fail("%s: the Response's MS-CHAPv2-ID %u does not echo the Challenge's %u", where,
                     ret->response->data.ptr[1], ret->challenge->data.ptr[1]);
        return true;
}

static void test_mschapv2(gconstpointer data)
{
        const char *name = data;
        g_autoptr(tvi_capture) c = open_capture(name, true);
        const struct ike_eap *e[64];
        bool gw[64];
        struct mschapv2_seen s;
        struct tvi_sa *sa;
        uint8_t pw_hash[MSCHAPV2_HASH_LEN], nt[MSCHAPV2_NT_RESPONSE_LEN];
        uint8_t auth[MSCHAPV2_AUTH_RESPONSE_LEN], msk[MSCHAPV2_MSK_LEN];
        char auth_hex[2 * MSCHAPV2_AUTH_RESPONSE_LEN + 1];
        struct slice user;
        size_t n;
        int r;

        if (!c)
                return;
        n = eap_payloads(c, e, gw, G_N_ELEMENTS(e));
        if (!find_mschapv2(name, e, gw, n, &s))
                return;
        sa = tvi_capture_sa(c, 1);
        if (!sa || !tvi_sa_resolve(c, sa) || !sa->msk) {
                fail("%s: no MSK for IKE SA 1 in keys.txt", name);
                return;
        }

        /* RFC 2759 8.1: the peer's NT-Response, from the password */
        user = mschapv2_username(s.name);
        r = mschapv2_nt_password_hash(SLICE(LAB_EAP_PASSWORD, strlen(LAB_EAP_PASSWORD)), pw_hash);
        if (r == 0)
                r = mschapv2_generate_nt_response(s.auth_challenge, s.peer_challenge, user, pw_hash,
                                                  nt);
        if (r < 0) {
                fail("%s: mschapv2 NT-Response = %s", name, g_strerror(-r));
                return;
        }
        same(name, "the NT-Response (RFC 2759 8.1)", SLICE(nt, sizeof(nt)),
             SLICE(s.nt_response, sizeof(s.nt_response)));

        /* RFC 2759 8.7: the gateway's authenticator response */
        r = mschapv2_authenticator_response(pw_hash, s.nt_response, s.peer_challenge,
                                            s.auth_challenge, user, auth);
        if (r < 0) {
                fail("%s: mschapv2_authenticator_response() = %s", name, g_strerror(-r));
                return;
        }
        for (size_t i = 0; i < sizeof(auth); i++)
                g_snprintf(auth_hex + 2 * i, 3, "%02X", auth[i]);
        if (g_ascii_strncasecmp(auth_hex, (const char *)s.s_hex.ptr, 40) != 0)
                fail("%s: authenticator response differs: ours S=%s, the gateway's S=%.40s", name,
                     auth_hex, (const char *)s.s_hex.ptr);

        /* RFC 3079 3.4 / the MSK strongSwan keyed the AUTH payloads with */
        r = mschapv2_msk(pw_hash, s.nt_response, msk);
        if (r < 0) {
                fail("%s: mschapv2_msk() = %s", name, g_strerror(-r));
                return;
        }
        same(name, "the MSK (RFC 3079)", SLICE(msk, sizeof(msk)), tvi_slice(sa->msk));
        g_test_message("%s: NT-Response, S= and MSK of user '%.*s' match", name, (int)user.len,
                       (const char *)user.ptr);
}

/* A random source that hands out exactly the bytes strongSwan drew. */
struct replay_rng {
        const uint8_t *bytes;
        size_t len, used;
        bool overdrawn;
};

static int replay_fill(void *ctx, uint8_t *buf, size_t n)
{
        struct replay_rng *r = ctx;

        if (n > r->len - r->used) {
                r->overdrawn = true;
                return -EIO;
        }
        memcpy(buf, r->bytes + r->used, n);
        r->used += n;
        return 0;
}

static void test_eap_peer(gconstpointer data)
{
        const char *name = data;
        g_autoptr(tvi_capture) c = open_capture(name, true);
        const struct ike_eap *e[64];
        bool gw[64];
        struct mschapv2_seen s = {0};
        struct replay_rng rng = {0};
        struct eap_peer_config cfg = {0};
        struct eap_peer *peer = NULL;
        struct eap_error eerr = {0};
        struct tvi_sa *sa;
        size_t n, rounds = 0;
        bool success = false;
        int r;

        if (!c)
                return;
        n = eap_payloads(c, e, gw, G_N_ELEMENTS(e));
        if (n < 4 || !gw[0] || gw[1] || e[1]->type != EAP_TYPE_IDENTITY) {
                fail("%s: the captured EAP conversation does not start with Request/Identity "
                     "and its Response (%zu EAP payloads)",
                     name, n);
                return;
        }
        if (scenario_of(name)->eap_method == EAP_TYPE_MSCHAPV2) {
                if (!find_mschapv2(name, e, gw, n, &s))
                        return;
                rng.bytes = s.peer_challenge;
                rng.len = sizeof(s.peer_challenge);
        }
        cfg.identity = e[1]->data; /* the identity strongSwan answered with */
        cfg.method = scenario_of(name)->eap_method;
        cfg.secret = SLICE(LAB_EAP_PASSWORD, strlen(LAB_EAP_PASSWORD));
        cfg.rng_fill = replay_fill;
        cfg.rng_ctx = &rng;
        r = eap_peer_new(&peer, &cfg, &eerr);
        if (r < 0) {
                fail("%s: eap_peer_new() = %s: %s", name, g_strerror(-r), eerr.text);
                return;
        }
        for (size_t i = 0; i < n && !success; i++) {
                struct eap_result res = {0};

                if (!gw[i]) {
                        fail("%s: EAP payload %zu from the client without a request before it",
                             name, i + 1);
                        break;
                }
                r = eap_peer_process(peer, e[i]->msg, &res);
                if (r < 0) {
                        fail("%s: eap_peer_process() = %s", name, g_strerror(-r));
                        break;
                }
                if (e[i]->code == EAP_CODE_SUCCESS) {
                        if (res.action != EAP_ACTION_SUCCESS)
                                fail("%s: EAP-Success gives action %d (%s)", name, res.action,
                                     res.reason ? res.reason : "");
                        success = res.action == EAP_ACTION_SUCCESS;
                        break;
                }
                if (res.action != EAP_ACTION_SEND) {
                        fail("%s: request %zu (code %u type %u): action %d (%s), strongSwan "
                             "answered",
                             name, i + 1, e[i]->code, e[i]->type, res.action,
                             res.reason ? res.reason : "");
                        break;
                }
                if (i + 1 >= n || gw[i + 1]) {
                        fail("%s: we answer request %zu, strongSwan did not", name, i + 1);
                        break;
                }
                i++;
                rounds++;
                {
                        g_autofree char *w =
                                g_strdup_printf("%s: our answer to EAP request %zu "
                                                "(code %u type %u)",
                                                name, i, e[i - 1]->code, e[i - 1]->type);

                        if (!same(w, "the EAP packet", res.response, e[i]->msg))
                                break;
                }
        }
        if (!success)
                fail("%s: the conversation did not end in EAP-Success after %zu rounds", name,
                     rounds);
        if (rng.overdrawn || rng.used != rng.len)
                fail("%s: the peer drew %zu random octets%s, strongSwan %zu", name, rng.used,
                     rng.overdrawn ? " and wanted more" : "", rng.len);
        sa = tvi_capture_sa(c, 1);
        if (success && sa && tvi_sa_resolve(c, sa)) {
                struct slice msk;

                r = eap_peer_msk(peer, &msk);
                if (cfg.method == EAP_TYPE_MD5) {
                        if (r != -ENOKEY || sa->msk)
                                fail("%s: EAP-MD5: eap_peer_msk() = %d, keys.txt %s an MSK", name,
                                     r, sa->msk ? "has" : "has no");
                } else if (r < 0) {
                        fail("%s: eap_peer_msk() = %s", name, g_strerror(-r));
                } else {
                        same(name, "the EAP peer's MSK", msk, tvi_slice(sa->msk));
                }
        }
        eap_peer_free(peer);
        if (success)
                g_test_message("%s: %zu EAP rounds answered as strongSwan did", name, rounds);
}

/* ------------------------------------------------------------------ registration */

static void add(const char *scenario, const char *what, GTestDataFunc fn)
{
        g_autofree char *path = g_strdup_printf("/ike-captured/%s/%s", scenario, what);

        g_test_add_data_func(path, scenario, fn);
}

static void add_sa(const char *scenario, bool child, unsigned num)
{
        g_autofree char *path = g_strdup_printf("/ike-captured/%s/%s-sa/%u/keys", scenario,
                                                child ? "child" : "ike", num);
        struct sa_case *k = g_new0(struct sa_case, 1);

        k->scenario = g_strdup(scenario);
        k->num = num;
        g_test_add_data_func_full(path, k, child ? test_child_sa_keys : test_ike_sa_keys,
                                  sa_case_free);
}

static void test_load_error(gconstpointer data)
{
        fail("%s", (const char *)data);
}

int main(int argc, char **argv)
{
        g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func(g_free);
        g_autofree char **args = g_new0(char *, (size_t)argc + 2);
        int n_args = 0;

        /* The cases are independent (scenarios, SAs, checks): one broken
         * vector or one fault of ours should show every case it breaks, so
         * GTest goes on after a failure instead of bailing out. */
        for (int i = 0; i < argc; i++)
                args[n_args++] = argv[i];
        args[n_args++] = (char *)"--keep-going";
        argv = args;
        g_test_init(&n_args, &argv, NULL);
        for (size_t i = 0; i < G_N_ELEMENTS(scenarios); i++) {
                const char *name = scenarios[i].name;
                g_autoptr(GError) error = NULL;
                g_autoptr(tvi_scenario) sc = tvi_scenario_load(name, &error);

                if (!sc) {
                        /* registered as a case that fails, naming the file and line */
                        g_autofree char *path = g_strdup_printf("/ike-captured/%s/load", name);
                        char *msg = g_strdup(error->message);

                        g_ptr_array_add(errors, msg);
                        g_test_add_data_func(path, msg, test_load_error);
                        continue;
                }
                add(name, "codec", test_codec);
                add(name, "decrypt", test_decrypt);
                add(name, "icv", test_icv);
                for (guint k = 0; k < sc->ike_sas->len; k++)
                        add_sa(name, false, ((const struct tvi_block *)sc->ike_sas->pdata[k])->num);
                for (guint k = 0; k < sc->child_sas->len; k++)
                        add_sa(name, true,
                               ((const struct tvi_block *)sc->child_sas->pdata[k])->num);
                add(name, "auth", test_auth);
                if (scenarios[i].eap_method == EAP_TYPE_MSCHAPV2)
                        add(name, "mschapv2", test_mschapv2);
                if (scenarios[i].eap_method == EAP_TYPE_MSCHAPV2 ||
                    scenarios[i].eap_method == EAP_TYPE_MD5)
                        add(name, "eap-peer", test_eap_peer);
        }
        return g_test_run();
}
