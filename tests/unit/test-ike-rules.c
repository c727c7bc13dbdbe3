/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for the per-exchange payload rules (client/ike/rules.c): each
 * row builds a message by hand (header + payloads in the clear, and for a
 * protected one the decrypted chain handed to ike_message_parse_inner()) and
 * names the verdict and the text it must give.
 */
#include "tests/unit/ike-test.h"

#include "client/ike/ikev2.h"
#include "client/ike/rules.h"

/* Payload snippets (generic header "next crit length" + body). NEXT is
 * filled in by build(): the snippets here start with a placeholder "XX". */
#define SA_IKE  "XX 00 00 14 00 00 00 10 01 01 00 01 00 00 00 08 01 00 00 0c"
#define SA_ESP  "XX 00 00 18 00 00 00 14 01 03 04 01 01 02 03 04 00 00 00 08 01 00 00 0c"
#define KE      "XX 00 00 09 00 13 00 00 aa"
#define NONCE   "XX 00 00 14 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f"
#define N(t)    "XX 00 00 08 00 00 " t
#define N_COOKIE "XX 00 00 09 00 00 40 06 01"
#define CERTREQ "XX 00 00 05 04"
#define V       "XX 00 00 05 aa"
#define IDI     "XX 00 00 09 02 00 00 00 61"
#define IDR     "XX 00 00 09 02 00 00 00 62"
#define AUTH    "XX 00 00 09 02 00 00 00 aa"
#define EAP     "XX 00 00 09 01 01 00 05 01"
#define CP      "XX 00 00 08 02 00 00 00"
#define TSI     "XX 00 00 18 01 00 00 00 07 00 00 10 00 00 ff ff 0a 00 00 01 0a 00 00 01"
#define TSR     "XX 00 00 18 01 00 00 00 07 00 00 10 00 00 ff ff 0a 00 00 00 0a ff ff ff"
#define D       "XX 00 00 08 01 00 00 00"
#define UNKNOWN "XX 00 00 05 00"
#define CERT    "XX 00 00 06 04 30"

struct rules_case {
        const char *name;
        uint8_t exchange;
        bool response;
        const char *clear[8]; /* snippets in the clear; "SK" ends with an SK payload */
        const char *inner[12];
        int code;
        const char *what;
};

static uint8_t snippet_type(const char *s)
{
        static const struct {
                const char *snippet;
                uint8_t type;
        } types[] = {
                { SA_IKE, IKEV2_PAYLOAD_SA },    { SA_ESP, IKEV2_PAYLOAD_SA },
                { KE, IKEV2_PAYLOAD_KE },        { NONCE, IKEV2_PAYLOAD_NONCE },
                { N_COOKIE, IKEV2_PAYLOAD_NOTIFY }, { CERTREQ, IKEV2_PAYLOAD_CERTREQ },
                { V, IKEV2_PAYLOAD_VENDOR },     { IDI, IKEV2_PAYLOAD_IDi },
                { IDR, IKEV2_PAYLOAD_IDr },      { AUTH, IKEV2_PAYLOAD_AUTH },
                { EAP, IKEV2_PAYLOAD_EAP },      { CP, IKEV2_PAYLOAD_CP },
                { TSI, IKEV2_PAYLOAD_TSi },      { TSR, IKEV2_PAYLOAD_TSr },
                { D, IKEV2_PAYLOAD_DELETE },     { UNKNOWN, 0x99 },
                { CERT, IKEV2_PAYLOAD_CERT },
        };

        if (strcmp(s, "SK") == 0)
                return IKEV2_PAYLOAD_SK;
        if (g_str_has_prefix(s, "XX 00 00 08 00 00 "))
                return IKEV2_PAYLOAD_NOTIFY;
        for (size_t i = 0; i < G_N_ELEMENTS(types); i++)
                if (strcmp(types[i].snippet, s) == 0)
                        return types[i].type;
        g_error("unknown snippet %s", s);
}

/* Concatenates snippets with their Next Payload fields filled in; an "SK"
 * snippet is skipped (the caller appends the SK payload). */
static GByteArray *build_chain(const char *const *parts, size_t max, uint8_t *ret_first,
                              uint8_t after)
{
        GByteArray *b = g_byte_array_new();
        size_t n = 0;

        while (n < max && parts[n])
                n++;
        *ret_first = n ? snippet_type(parts[0]) : after;
        for (size_t i = 0; i < n; i++) {
                g_autoptr(GByteArray) p = NULL;
                g_autofree char *hex = NULL;

                if (strcmp(parts[i], "SK") == 0)
                        break;
                hex = g_strdup(parts[i]);
                hex[0] = '0';
                hex[1] = '0';
                p = unhex(hex);
                p->data[0] = i + 1 < n ? snippet_type(parts[i + 1]) : after;
                g_byte_array_append(b, p->data, p->len);
        }
        return b;
}

static struct ike_message *build(const struct rules_case *tc, GByteArray **ret_datagram)
{
        uint8_t first_clear, first_inner;
        g_autoptr(GByteArray) inner =
                build_chain(tc->inner, G_N_ELEMENTS(tc->inner), &first_inner, IKEV2_PAYLOAD_NONE);
        g_autoptr(GByteArray) clear =
                build_chain(tc->clear, G_N_ELEMENTS(tc->clear), &first_clear, IKEV2_PAYLOAD_NONE);
        bool protected = false;
        GByteArray *d = g_byte_array_new();
        guint8 hdr[28] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
        struct ike_message *m = NULL;
        struct ike_error err;
        size_t len;

        for (size_t i = 0; i < 8 && tc->clear[i]; i++)
                if (strcmp(tc->clear[i], "SK") == 0)
                        protected = true;
        if (protected) {
                /* The SK payload's body is the plaintext itself (the rules do
                 * not care about cryptography). */
                guint8 skh[4] = { first_inner, 0, 0, 0 };
                size_t sklen = 4 + inner->len;

                if (clear->len > 0) {
                        /* fix the last clear payload's Next Payload to SK */
                        size_t off = 0, last = 0;

                        while (off < clear->len) {
                                last = off;
                                off += (size_t)(clear->data[off + 2] << 8 | clear->data[off + 3]);
                        }
                        clear->data[last] = IKEV2_PAYLOAD_SK;
                }
                skh[2] = (guint8)(sklen >> 8);
                skh[3] = (guint8)sklen;
                g_byte_array_append(clear, skh, 4);
                g_byte_array_append(clear, inner->data, inner->len);
        }
        len = 28 + clear->len;
        hdr[16] = first_clear;
        hdr[17] = IKEV2_VERSION;
        hdr[18] = tc->exchange;
        hdr[19] = tc->response ? IKEV2_FLAG_RESPONSE : IKEV2_FLAG_INITIATOR;
        hdr[26] = (guint8)(len >> 8);
        hdr[27] = (guint8)len;
        g_byte_array_append(d, hdr, 28);
        g_byte_array_append(d, clear->data, clear->len);
        if (ike_message_parse(&m, ba_slice(d), &err) < 0)
                g_error("%s: %s", tc->name, err.what);
        if (protected) {
                struct bytes plain;

                g_assert_cmpint(bytes_dup(&plain, ba_slice(inner)), ==, 0);
                if (ike_message_parse_inner(m, first_inner, &plain, &err) < 0)
                        g_error("%s: inner: %s", tc->name, err.what);
        }
        *ret_datagram = d;
        return m;
}

#define IKE_SA_INIT     IKEV2_EXCHANGE_IKE_SA_INIT
#define IKE_AUTH        IKEV2_EXCHANGE_IKE_AUTH
#define CREATE_CHILD_SA IKEV2_EXCHANGE_CREATE_CHILD_SA
#define INFORMATIONAL   IKEV2_EXCHANGE_INFORMATIONAL
#define REQ             false
#define RESP            true

static const struct rules_case cases[] = {
        /* IKE_SA_INIT */
        { "sa-init-request", IKE_SA_INIT, REQ,
          { SA_IKE, KE, NONCE, N("40 04"), N("40 05"), V } },
        { "sa-init-request-no-ke", IKE_SA_INIT, REQ, { SA_IKE, NONCE }, {}, -EPROTO,
          "IKE_SA_INIT request: 0 KE payloads < minimum 1" },
        { "sa-init-request-two-sa", IKE_SA_INIT, REQ, { SA_IKE, SA_IKE, KE, NONCE }, {}, -EPROTO,
          "IKE_SA_INIT request: 2 SA payloads > maximum 1" },
        { "sa-init-request-certreq", IKE_SA_INIT, REQ, { SA_IKE, KE, NONCE, CERTREQ }, {},
          -EPROTO, "IKE_SA_INIT request: payload CERTREQ not allowed" },
        { "sa-init-request-error-notify-not-enough", IKE_SA_INIT, REQ, { N("00 07") }, {}, -EPROTO,
          "IKE_SA_INIT request: 0 SA payloads < minimum 1" },
        { "sa-init-response", IKE_SA_INIT, RESP,
          { SA_IKE, KE, NONCE, N("40 04"), N("40 05"), CERTREQ, CERTREQ, N("40 2e") } },
        { "sa-init-response-unknown-ignored", IKE_SA_INIT, RESP, { SA_IKE, KE, UNKNOWN, NONCE } },
        { "sa-init-response-invalid-ke", IKE_SA_INIT, RESP, { N("00 11") } },
        { "sa-init-response-no-proposal", IKE_SA_INIT, RESP, { N("00 0e") } },
        { "sa-init-response-cookie", IKE_SA_INIT, RESP, { N_COOKIE } },
        { "sa-init-response-redirect", IKE_SA_INIT, RESP, { N("40 17") } },
        { "sa-init-response-status-only", IKE_SA_INIT, RESP, { N("40 2e") }, {}, -EPROTO,
          "IKE_SA_INIT response: 0 SA payloads < minimum 1" },
        { "sa-init-response-no-nonce", IKE_SA_INIT, RESP, { SA_IKE, KE }, {}, -EPROTO,
          "IKE_SA_INIT response: 0 Nonce payloads < minimum 1" },
        { "sa-init-response-auth", IKE_SA_INIT, RESP, { SA_IKE, KE, NONCE, AUTH }, {}, -EPROTO,
          "IKE_SA_INIT response: payload AUTH not allowed" },
        { "sa-init-with-sk", IKE_SA_INIT, RESP, { SA_IKE, KE, NONCE, "SK" }, { N("40 2e") },
          -EPROTO, "IKE_SA_INIT response: encrypted payload in an unprotected exchange" },
        /* IKE_AUTH */
        { "auth-request-cert", IKE_AUTH, REQ, { "SK" },
          { IDI, CERT, N("40 00"), CERTREQ, IDR, AUTH, CP, SA_ESP, TSI, TSR, N("40 0c") } },
        { "auth-request-eap-round", IKE_AUTH, REQ, { "SK" }, { EAP } },
        { "auth-request-final-auth", IKE_AUTH, REQ, { "SK" }, { AUTH } },
        { "auth-request-ke", IKE_AUTH, REQ, { "SK" }, { IDI, KE, AUTH }, -EPROTO,
          "IKE_AUTH request: payload KE not allowed" },
        { "auth-request-two-auth", IKE_AUTH, REQ, { "SK" }, { IDI, AUTH, AUTH }, -EPROTO,
          "IKE_AUTH request: 2 AUTH payloads > maximum 1" },
        { "auth-response", IKE_AUTH, RESP, { "SK" },
          { IDR, CERT, AUTH, CP, SA_ESP, TSI, TSR, N("40 13"), UNKNOWN } },
        { "auth-response-failed", IKE_AUTH, RESP, { "SK" }, { N("00 18") } },
        { "auth-response-certreq", IKE_AUTH, RESP, { "SK" }, { IDR, CERTREQ, AUTH }, -EPROTO,
          "IKE_AUTH response: payload CERTREQ not allowed" },
        { "auth-response-idi", IKE_AUTH, RESP, { "SK" }, { IDI }, -EPROTO,
          "IKE_AUTH response: payload IDi not allowed" },
        { "auth-unprotected", IKE_AUTH, RESP, { IDR, AUTH }, {}, -EPROTO,
          "IKE_AUTH response: message not protected by an SK payload" },
        { "auth-payload-before-sk", IKE_AUTH, REQ, { IDI, "SK" }, { AUTH }, -EPROTO,
          "IKE_AUTH request: payload IDi outside the SK payload" },
        { "auth-unknown-before-sk", IKE_AUTH, REQ, { UNKNOWN, "SK" }, { AUTH } },
        /* CREATE_CHILD_SA */
        { "child-request", CREATE_CHILD_SA, REQ, { "SK" },
          { N("40 09"), SA_ESP, NONCE, KE, TSI, TSR } },
        { "child-request-ike-rekey", CREATE_CHILD_SA, REQ, { "SK" }, { SA_IKE, NONCE, KE } },
        { "child-request-no-nonce", CREATE_CHILD_SA, REQ, { "SK" }, { SA_ESP, TSI, TSR }, -EPROTO,
          "CREATE_CHILD_SA request: 0 Nonce payloads < minimum 1" },
        { "child-request-error-not-enough", CREATE_CHILD_SA, REQ, { "SK" }, { N("00 07") },
          -EPROTO, "CREATE_CHILD_SA request: 0 SA payloads < minimum 1" },
        { "child-response-no-proposal", CREATE_CHILD_SA, RESP, { "SK" }, { N("00 0e") } },
        { "child-response-d", CREATE_CHILD_SA, RESP, { "SK" }, { SA_ESP, NONCE, D }, -EPROTO,
          "CREATE_CHILD_SA response: payload D not allowed" },
        /* INFORMATIONAL */
        { "info-empty", INFORMATIONAL, REQ, { "SK" }, {} },
        { "info-delete", INFORMATIONAL, REQ, { "SK" }, { D, D, N("40 10") } },
        { "info-cp", INFORMATIONAL, RESP, { "SK" }, { CP } },
        { "info-sa", INFORMATIONAL, RESP, { "SK" }, { SA_ESP }, -EPROTO,
          "INFORMATIONAL response: payload SA not allowed" },
        { "info-unprotected-invalid-spi", INFORMATIONAL, RESP, { N("00 04") } },
        { "info-unprotected-invalid-major", INFORMATIONAL, REQ, { N("00 05") } },
        { "info-unprotected-auth-failed", INFORMATIONAL, RESP, { N("00 18") }, {}, -EPROTO,
          "INFORMATIONAL response: message not protected by an SK payload" },
        { "info-unprotected-two", INFORMATIONAL, RESP, { N("00 04"), N("00 04") }, {}, -EPROTO,
          "INFORMATIONAL response: message not protected by an SK payload" },
        { "info-unprotected-delete", INFORMATIONAL, RESP, { N("00 04"), D }, {}, -EPROTO,
          "INFORMATIONAL response: message not protected by an SK payload" },
        { "info-unprotected-empty", INFORMATIONAL, RESP, {}, {}, -EPROTO,
          "INFORMATIONAL response: message not protected by an SK payload" },
        /* exchanges we do not implement */
        { "session-resume", IKEV2_EXCHANGE_IKE_SESSION_RESUME, REQ, { N("40 00") }, {},
          -EOPNOTSUPP, "IKE_SESSION_RESUME request: exchange type not supported" },
        { "unknown-exchange", 99, RESP, { N("40 00") }, {}, -EOPNOTSUPP,
          "UNKNOWN(99) response: exchange type not supported" },
        /* RFC 9242 / 9370 */
        { "intermediate", IKEV2_EXCHANGE_IKE_INTERMEDIATE, REQ, { "SK" }, { KE } },
        { "followup-ke-missing", IKEV2_EXCHANGE_IKE_FOLLOWUP_KE, REQ, { "SK" }, { N("40 39") },
          -EPROTO, "IKE_FOLLOWUP_KE request: 0 KE payloads < minimum 1" },
};

static void run_case(gconstpointer data)
{
        const struct rules_case *tc = data;
        g_autoptr(GByteArray) d = NULL;
        _cleanup_ike_message_ struct ike_message *m = build(tc, &d);
        struct ike_error err = { 0 };
        int k = ike_message_check(m, &err);

        if (tc->code == 0) {
                if (k != 0)
                        g_error("%s: %s", tc->name, err.what);
                return;
        }
        g_assert_cmpint(k, ==, tc->code);
        g_assert_cmpuint(err.notify, ==, tc->code == -EPROTO ? IKEV2_N_INVALID_SYNTAX : 0);
        if (!strstr(err.what, tc->what))
                g_error("%s: \"%s\" does not contain \"%s\"", tc->name, err.what, tc->what);
}

static void test_count_limits(void)
{
        struct rules_case tc = { "notifies", IKE_AUTH, RESP, { "SK" }, { 0 } };
        g_autoptr(GByteArray) d = NULL;
        _cleanup_ike_message_ struct ike_message *m = NULL;
        struct ike_error err;

        /* 32 notifies are fine, 33 are not: build the inner chain by builders. */
        tc.inner[0] = AUTH;
        m = build(&tc, &d);
        for (int i = 0; i < IKE_RULE_MAX_NOTIFY; i++)
                g_assert_cmpint(ike_chain_add_notify(&m->inner, 0, IKEV2_N_AUTH_LIFETIME,
                                                     SLICE(NULL, 0), SLICE("\0\0\0\1", 4)),
                                ==, 0);
        g_assert_cmpint(ike_message_check(m, &err), ==, 0);
        g_assert_cmpint(ike_chain_add_notify(&m->inner, 0, IKEV2_N_AUTH_LIFETIME, SLICE(NULL, 0),
                                             SLICE("\0\0\0\1", 4)),
                        ==, 0);
        g_assert_cmpint(ike_message_check(m, &err), ==, -EPROTO);
        g_assert_nonnull(strstr(err.what, "33 N payloads > maximum 32"));
}

static void test_undecrypted_and_unprotected(void)
{
        g_autoptr(GByteArray) d = unhex("01 02 03 04 05 06 07 08 11 12 13 14 15 16 17 18"
                                        "2e 20 23 20 00 00 00 01 00 00 00 24"
                                        "24 00 00 08 aa bb cc dd");
        g_autoptr(GByteArray) info = unhex("01 02 03 04 05 06 07 08 11 12 13 14 15 16 17 18"
                                           "29 20 25 20 00 00 00 00 00 00 00 24"
                                           "00 00 00 08 00 00 00 04");
        _cleanup_ike_message_ struct ike_message *m = NULL;
        _cleanup_ike_message_ struct ike_message *i = NULL;
        struct ike_error err;

        g_assert_cmpint(ike_message_parse(&m, ba_slice(d), &err), ==, 0);
        g_assert_cmpint(ike_message_check(m, &err), ==, -EINVAL);
        g_assert_cmpstr(err.what, ==,
                        "IKE_AUTH response: the SK payload has not been decrypted at offset 28");
        g_assert_false(ike_message_is_unprotected_informational(m));

        g_assert_cmpint(ike_message_parse(&i, ba_slice(info), &err), ==, 0);
        g_assert_cmpint(ike_message_check(i, &err), ==, 0);
        g_assert_true(ike_message_is_unprotected_informational(i));
        g_assert_cmpint(ike_message_check(NULL, &err), ==, -EINVAL);
}

static void test_lookup(void)
{
        const struct ike_exchange_rules *r = ike_rules_lookup(IKEV2_EXCHANGE_IKE_SA_INIT, true);

        g_assert_nonnull(r);
        g_assert_false(r->protected_msg);
        g_assert_true(r->error_notify_sufficient);
        r = ike_rules_lookup(IKEV2_EXCHANGE_IKE_AUTH, false);
        g_assert_nonnull(r);
        g_assert_true(r->protected_msg);
        g_assert_null(ike_rules_lookup(IKEV2_EXCHANGE_IKE_SESSION_RESUME, false));
        g_assert_null(ike_rules_lookup(0, false));
}

int main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autofree char *path = g_strdup_printf("/ike/rules/%s", cases[i].name);

                g_test_add_data_func(path, &cases[i], run_case);
        }
        g_test_add_func("/ike/rules/count-limits", test_count_limits);
        g_test_add_func("/ike/rules/undecrypted-unprotected", test_undecrypted_and_unprotected);
        g_test_add_func("/ike/rules/lookup", test_lookup);
        return g_test_run();
}
