/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading and decoding tests/vectors/ike/<scenario>/; see test-vectors-ike.h. */
#include "tests/unit/test-vectors-ike.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "client/ike/ikev2.h"

#define TVI_ERROR (g_quark_from_static_string("tvi-error"))

static void message_free(gpointer p)
{
        struct tvi_message *m = p;

        g_free(m->file);
        g_free(m->payloads);
        g_free(m->reassembled);
        if (m->bytes)
                g_bytes_unref(m->bytes);
        g_free(m);
}

static void block_free(gpointer p)
{
        struct tvi_block *b = p;

        g_hash_table_unref(b->values);
        g_free(b);
}

void tvi_scenario_free(struct tvi_scenario *sc)
{
        if (!sc)
                return;
        g_free(sc->name);
        g_free(sc->dir);
        if (sc->messages)
                g_ptr_array_unref(sc->messages);
        if (sc->ike_sas)
                g_ptr_array_unref(sc->ike_sas);
        if (sc->child_sas)
                g_ptr_array_unref(sc->child_sas);
        if (sc->bin_files)
                g_ptr_array_unref(sc->bin_files);
        g_free(sc);
}

/* ------------------------------------------------------------------ numbers */

static bool parse_uint(const char *s, unsigned base, guint64 max, guint64 *ret)
{
        guint64 v;

        if (!g_ascii_string_to_unsigned(s, base, 0, max, &v, NULL))
                return false;
        *ret = v;
        return true;
}

static bool parse_exchange(const char *s, uint8_t *ret)
{
        static const struct {
                const char *name;
                uint8_t value;
        } t[] = {
                {"IKE_SA_INIT", IKEV2_EXCHANGE_IKE_SA_INIT},
                {"IKE_AUTH", IKEV2_EXCHANGE_IKE_AUTH},
                {"CREATE_CHILD_SA", IKEV2_EXCHANGE_CREATE_CHILD_SA},
                {"INFORMATIONAL", IKEV2_EXCHANGE_INFORMATIONAL},
        };

        for (size_t i = 0; i < G_N_ELEMENTS(t); i++)
                if (strcmp(s, t[i].name) == 0) {
                        *ret = t[i].value;
                        return true;
                }
        return false;
}

/* "1/2" */
static bool parse_fraction(const char *s, uint16_t *ret_k, uint16_t *ret_n)
{
        g_auto(GStrv) parts = g_strsplit(s, "/", -1);
        guint64 k, n;

        if (g_strv_length(parts) != 2 || !parse_uint(parts[0], 10, 65535, &k) ||
            !parse_uint(parts[1], 10, 65535, &n))
                return false;
        *ret_k = (uint16_t)k;
        *ret_n = (uint16_t)n;
        return true;
}

/* ------------------------------------------------------------------ manifest.txt */

/* Splits "k=v k=[ a b(c d) ] ..." into a table. */
static GHashTable *split_columns(const char *s, const char **ret_bad)
{
        GHashTable *t = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        const char *p = s;

        while (*p) {
                const char *eq, *end;

                while (*p == ' ')
                        p++;
                if (!*p)
                        break;
                eq = strchr(p, '=');
                if (!eq || memchr(p, ' ', (size_t)(eq - p))) {
                        *ret_bad = p;
                        g_hash_table_unref(t);
                        return NULL;
                }
                if (eq[1] == '[') {
                        end = strchr(eq, ']');
                        if (!end) {
                                *ret_bad = p;
                                g_hash_table_unref(t);
                                return NULL;
                        }
                        end++;
                } else {
                        end = strchr(eq, ' ');
                        if (!end)
                                end = eq + strlen(eq);
                }
                g_hash_table_replace(t, g_strndup(p, (size_t)(eq - p)),
                                     g_strndup(eq + 1, (size_t)(end - eq - 1)));
                p = end;
        }
        return t;
}

static bool load_manifest_line(struct tvi_scenario *sc, const char *line, unsigned lineno,
                               GError **error)
{
        g_autoptr(GHashTable) cols = NULL;
        struct tvi_message *m;
        const char *sp = strchr(line, ' '), *bad = NULL, *v;
        static const char *const need[] = {"exchange",  "msgid",    "type",   "initiator", "ike_sa",
                                           "encrypted", "fragment", "length", "payloads"};
        g_autofree char *path = NULL;
        g_autoptr(GError) ferr = NULL;
        gchar *data = NULL;
        gsize len = 0;
        guint64 u;

        if (!sp) {
                g_set_error(error, TVI_ERROR, EBADMSG, "%s/manifest.txt:%u: no columns", sc->name,
                            lineno);
                return false;
        }
        cols = split_columns(sp + 1, &bad);
        if (!cols) {
                g_set_error(error, TVI_ERROR, EBADMSG, "%s/manifest.txt:%u: cannot read at '%.20s'",
                            sc->name, lineno, bad);
                return false;
        }
        for (size_t i = 0; i < G_N_ELEMENTS(need); i++)
                if (!g_hash_table_lookup(cols, need[i])) {
                        g_set_error(error, TVI_ERROR, EBADMSG,
                                    "%s/manifest.txt:%u: no %s=", sc->name, lineno, need[i]);
                        return false;
                }

        m = g_new0(struct tvi_message, 1);
        g_ptr_array_add(sc->messages, m);
        m->file = g_strndup(line, (size_t)(sp - line));
        m->line = lineno;
        m->payloads = g_strdup(g_hash_table_lookup(cols, "payloads"));
        m->reassembled = g_strdup(g_hash_table_lookup(cols, "reassembled"));

#define BAD(what)                                                                              \
        do {                                                                                   \
                g_set_error(error, TVI_ERROR, EBADMSG, "%s/manifest.txt:%u: bad %s", sc->name, \
                            lineno, what);                                                     \
                return false;                                                                  \
        } while (0)

        {
                /* "NN-...": the order on the wire */
                g_autofree char *nn = g_strndup(m->file, strspn(m->file, "0123456789"));

                if (m->file[strlen(nn)] != '-' || !parse_uint(nn, 10, 9999, &u) || u == 0)
                        BAD("file name (no NN- prefix)");
                m->number = (unsigned)u;
        }
        if (!parse_exchange(g_hash_table_lookup(cols, "exchange"), &m->exchange))
                BAD("exchange");
        if (!parse_uint(g_hash_table_lookup(cols, "msgid"), 10, UINT32_MAX, &u))
                BAD("msgid");
        m->message_id = (uint32_t)u;
        v = g_hash_table_lookup(cols, "type");
        if (strcmp(v, "request") != 0 && strcmp(v, "response") != 0)
                BAD("type");
        m->response = strcmp(v, "response") == 0;
        v = g_hash_table_lookup(cols, "initiator");
        if (strcmp(v, "0") != 0 && strcmp(v, "1") != 0)
                BAD("initiator");
        m->initiator = strcmp(v, "1") == 0;
        v = g_hash_table_lookup(cols, "ike_sa");
        if (strcmp(v, "-") == 0)
                m->ike_sa = 0;
        else if (parse_uint(v, 10, 1000, &u) && u > 0)
                m->ike_sa = (unsigned)u;
        else
                BAD("ike_sa");
        v = g_hash_table_lookup(cols, "encrypted");
        if (strcmp(v, "no") == 0)
                m->protection = TVI_PLAIN;
        else if (strcmp(v, "SK") == 0)
                m->protection = TVI_SK;
        else if (strcmp(v, "SKF") == 0)
                m->protection = TVI_SKF;
        else
                BAD("encrypted");
        v = g_hash_table_lookup(cols, "fragment");
        if (m->protection == TVI_SKF) {
                if (!parse_fraction(v, &m->frag_num, &m->frag_total))
                        BAD("fragment");
                if (!m->reassembled)
                        BAD("fragment without reassembled=");
        } else if (strcmp(v, "-") != 0) {
                BAD("fragment");
        }
        if (!parse_uint(g_hash_table_lookup(cols, "length"), 10, 65535, &u))
                BAD("length");
        m->length = (size_t)u;
#undef BAD

        path = g_build_filename(sc->dir, m->file, NULL);
        if (!g_file_get_contents(path, &data, &len, &ferr)) {
                g_set_error(error, TVI_ERROR, ENOENT, "%s/manifest.txt:%u: %s", sc->name, lineno,
                            ferr->message);
                return false;
        }
        m->bytes = g_bytes_new_take(data, len);
        return true;
}

static bool load_manifest(struct tvi_scenario *sc, GError **error)
{
        g_autofree char *path = g_build_filename(sc->dir, "manifest.txt", NULL);
        g_autofree char *text = NULL;
        g_auto(GStrv) lines = NULL;

        if (!g_file_get_contents(path, &text, NULL, error))
                return false;
        lines = g_strsplit(text, "\n", -1);
        for (unsigned i = 0; lines[i]; i++) {
                const char *l = lines[i];

                if (l[0] == '#' || l[0] == '\0')
                        continue;
                if (!load_manifest_line(sc, l, i + 1, error))
                        return false;
        }
        return true;
}

/* ------------------------------------------------------------------ keys.txt */

static bool load_keys(struct tvi_scenario *sc, GError **error)
{
        g_autofree char *path = g_build_filename(sc->dir, "keys.txt", NULL);
        g_autofree char *text = NULL;
        g_auto(GStrv) lines = NULL;
        struct tvi_block *cur = NULL;

        if (!g_file_get_contents(path, &text, NULL, error))
                return false;
        lines = g_strsplit(text, "\n", -1);
        for (unsigned i = 0; lines[i]; i++) {
                g_autofree char *l = g_strstrip(g_strdup(lines[i]));
                unsigned num;
                char kind[16];
                const char *eq;

                if (l[0] == '#' || l[0] == '\0')
                        continue;
                if (l[0] == '[') {
                        char close = 0;

                        if (sscanf(l, "[%15[a-z-] %u%c", kind, &num, &close) != 3 || close != ']' ||
                            (strcmp(kind, "ike-sa") != 0 && strcmp(kind, "child-sa") != 0)) {
                                g_set_error(error, TVI_ERROR, EBADMSG,
                                            "%s/keys.txt:%u: bad block header '%s'", sc->name,
                                            i + 1, l);
                                return false;
                        }
                        cur = g_new0(struct tvi_block, 1);
                        cur->child = strcmp(kind, "child-sa") == 0;
                        cur->num = num;
                        cur->line = i + 1;
                        cur->values =
                                g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
                        g_ptr_array_add(cur->child ? sc->child_sas : sc->ike_sas, cur);
                        continue;
                }
                eq = strstr(l, " = ");
                if (!cur || !eq) {
                        g_set_error(error, TVI_ERROR, EBADMSG, "%s/keys.txt:%u: cannot read '%s'",
                                    sc->name, i + 1, l);
                        return false;
                }
                g_hash_table_replace(cur->values, g_strndup(l, (size_t)(eq - l)), g_strdup(eq + 3));
        }
        return true;
}

static gint cmp_str(gconstpointer a, gconstpointer b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

struct tvi_scenario *tvi_scenario_load(const char *name, GError **error)
{
        g_autoptr(tvi_scenario) sc = g_new0(struct tvi_scenario, 1);
        g_autoptr(GDir) d = NULL;
        const char *f;

        sc->name = g_strdup(name);
        sc->dir = g_test_build_filename(G_TEST_DIST, "tests", "vectors", "ike", name, NULL);
        sc->messages = g_ptr_array_new_with_free_func(message_free);
        sc->ike_sas = g_ptr_array_new_with_free_func(block_free);
        sc->child_sas = g_ptr_array_new_with_free_func(block_free);
        sc->bin_files = g_ptr_array_new_with_free_func(g_free);
        if (!load_manifest(sc, error) || !load_keys(sc, error))
                return NULL;
        d = g_dir_open(sc->dir, 0, error);
        if (!d)
                return NULL;
        while ((f = g_dir_read_name(d)))
                if (g_str_has_suffix(f, ".bin"))
                        g_ptr_array_add(sc->bin_files, g_strdup(f));
        g_ptr_array_sort(sc->bin_files, cmp_str);
        return g_steal_pointer(&sc);
}

const struct tvi_block *tvi_ike_sa(const struct tvi_scenario *sc, unsigned num)
{
        for (guint i = 0; i < sc->ike_sas->len; i++) {
                const struct tvi_block *b = sc->ike_sas->pdata[i];

                if (b->num == num)
                        return b;
        }
        return NULL;
}

const struct tvi_message *tvi_message_by_number(const struct tvi_scenario *sc, unsigned number)
{
        for (guint i = 0; i < sc->messages->len; i++) {
                const struct tvi_message *m = sc->messages->pdata[i];

                if (m->number == number)
                        return m;
        }
        return NULL;
}

const char *tvi_block_where(const struct tvi_block *b, char buf[static 64])
{
        snprintf(buf, 64, "keys.txt:%u [%s %u]", b->line, b->child ? "child-sa" : "ike-sa", b->num);
        return buf;
}

const char *tvi_get(const struct tvi_block *b, const char *key)
{
        return g_hash_table_lookup(b->values, key);
}

GBytes *tvi_get_hex(const struct tvi_block *b, const char *key, GError **error)
{
        const char *v = tvi_get(b, key);
        char where[64];
        size_t n;
        guint8 *out;

        if (!v) {
                g_set_error(error, TVI_ERROR, ENOENT, "%s: no '%s'", tvi_block_where(b, where),
                            key);
                return NULL;
        }
        n = strlen(v);
        if (n % 2 != 0) {
                g_set_error(error, TVI_ERROR, EBADMSG, "%s: '%s' has an odd number of digits",
                            tvi_block_where(b, where), key);
                return NULL;
        }
        out = g_malloc(n / 2 + 1);
        for (size_t i = 0; i < n / 2; i++) {
                int hi = g_ascii_xdigit_value(v[2 * i]), lo = g_ascii_xdigit_value(v[2 * i + 1]);

                if (hi < 0 || lo < 0) {
                        g_free(out);
                        g_set_error(error, TVI_ERROR, EBADMSG, "%s: '%s' is not hex",
                                    tvi_block_where(b, where), key);
                        return NULL;
                }
                out[i] = (guint8)(hi << 4 | lo);
        }
        return g_bytes_new_take(out, n / 2);
}

bool tvi_get_uint(const struct tvi_block *b, const char *key, unsigned *ret, GError **error)
{
        const char *v = tvi_get(b, key);
        char where[64];
        guint64 u;

        if (!v || !parse_uint(v, 10, UINT16_MAX, &u)) {
                g_set_error(error, TVI_ERROR, EBADMSG, "%s: '%s' is %s", tvi_block_where(b, where),
                            key, v ? "not a number" : "missing");
                return false;
        }
        *ret = (unsigned)u;
        return true;
}

bool tvi_get_exchange(const struct tvi_block *b, unsigned *ret_request, unsigned *ret_response,
                      GError **error)
{
        const char *v = tvi_get(b, "messages");
        g_auto(GStrv) parts = v ? g_strsplit(v, " ", -1) : NULL;
        char where[64];
        guint64 a, c;

        if (!parts || g_strv_length(parts) != 2 || !parse_uint(parts[0], 10, 9999, &a) ||
            !parse_uint(parts[1], 10, 9999, &c)) {
                g_set_error(error, TVI_ERROR, EBADMSG, "%s: 'messages' is not two numbers",
                            tvi_block_where(b, where));
                return false;
        }
        *ret_request = (unsigned)a;
        *ret_response = (unsigned)c;
        return true;
}

/* ------------------------------------------------------------------ payload lists */

GStrv tvi_list_tokens(const char *list, GError **error)
{
        g_autoptr(GStrvBuilder) b = g_strv_builder_new();
        g_autoptr(GString) cur = g_string_new(NULL);
        size_t n = list ? strlen(list) : 0;
        int depth = 0;

        if (n < 2 || list[0] != '[' || list[n - 1] != ']') {
                g_set_error(error, TVI_ERROR, EBADMSG, "payload list '%s' is not in [ ]",
                            list ? list : "(none)");
                return NULL;
        }
        for (size_t i = 1; i < n - 1; i++) {
                char ch = list[i];

                if (ch == ' ' && depth == 0) {
                        if (cur->len)
                                g_strv_builder_add(b, cur->str);
                        g_string_truncate(cur, 0);
                        continue;
                }
                depth += ch == '(';
                depth -= ch == ')';
                if (depth < 0)
                        break;
                g_string_append_c(cur, ch);
        }
        if (depth != 0) {
                g_set_error(error, TVI_ERROR, EBADMSG, "payload list '%s': unbalanced ( )", list);
                return NULL;
        }
        if (cur->len)
                g_strv_builder_add(b, cur->str);
        return g_strv_builder_end(b);
}

/* strongSwan's abbreviations (its enum names in src/libcharon/encoding/payloads/),
 * mapped to the IANA numbers of client/ike/ikev2.h. */
struct name16 {
        uint16_t value;
        const char *name;
};

static const char *lookup(const struct name16 *t, size_t n, uint16_t v)
{
        for (size_t i = 0; i < n; i++)
                if (t[i].value == v)
                        return t[i].name;
        return NULL;
}

const char *tvi_payload_name(uint8_t type)
{
        static const struct name16 t[] = {
                {IKEV2_PAYLOAD_SA, "SA"},     {IKEV2_PAYLOAD_KE, "KE"},
                {IKEV2_PAYLOAD_IDi, "IDi"},   {IKEV2_PAYLOAD_IDr, "IDr"},
                {IKEV2_PAYLOAD_CERT, "CERT"}, {IKEV2_PAYLOAD_CERTREQ, "CERTREQ"},
                {IKEV2_PAYLOAD_AUTH, "AUTH"}, {IKEV2_PAYLOAD_NONCE, "No"},
                {IKEV2_PAYLOAD_NOTIFY, "N"},  {IKEV2_PAYLOAD_DELETE, "D"},
                {IKEV2_PAYLOAD_VENDOR, "V"},  {IKEV2_PAYLOAD_TSi, "TSi"},
                {IKEV2_PAYLOAD_TSr, "TSr"},   {IKEV2_PAYLOAD_SK, "E"},
                {IKEV2_PAYLOAD_CP, "CP"},     {IKEV2_PAYLOAD_EAP, "EAP"},
                {IKEV2_PAYLOAD_SKF, "EF"},
        };

        return lookup(t, G_N_ELEMENTS(t), type);
}

const char *tvi_notify_name(uint16_t type)
{
        static const struct name16 t[] = {
                {IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD, "CRIT"},
                {IKEV2_N_INVALID_IKE_SPI, "INVAL_IKE_SPI"},
                {IKEV2_N_INVALID_MAJOR_VERSION, "INVAL_MAJOR"},
                {IKEV2_N_INVALID_SYNTAX, "INVAL_SYN"},
                {IKEV2_N_INVALID_MESSAGE_ID, "INVAL_MID"},
                {IKEV2_N_INVALID_SPI, "INVAL_SPI"},
                {IKEV2_N_NO_PROPOSAL_CHOSEN, "NO_PROP"},
                {IKEV2_N_INVALID_KE_PAYLOAD, "INVAL_KE"},
                {IKEV2_N_AUTHENTICATION_FAILED, "AUTH_FAILED"},
                {IKEV2_N_SINGLE_PAIR_REQUIRED, "SINGLE_PAIR"},
                {IKEV2_N_NO_ADDITIONAL_SAS, "NO_ADD_SAS"},
                {IKEV2_N_INTERNAL_ADDRESS_FAILURE, "INT_ADDR_FAIL"},
                {IKEV2_N_FAILED_CP_REQUIRED, "FAIL_CP_REQ"},
                {IKEV2_N_TS_UNACCEPTABLE, "TS_UNACCEPT"},
                {IKEV2_N_INVALID_SELECTORS, "INVAL_SEL"},
                {IKEV2_N_TEMPORARY_FAILURE, "TEMP_FAIL"},
                {IKEV2_N_CHILD_SA_NOT_FOUND, "NO_CHILD_SA"},
                {IKEV2_N_INITIAL_CONTACT, "INIT_CONTACT"},
                {IKEV2_N_SET_WINDOW_SIZE, "SET_WINSIZE"},
                {IKEV2_N_ADDITIONAL_TS_POSSIBLE, "ADD_TS_POSS"},
                {IKEV2_N_IPCOMP_SUPPORTED, "IPCOMP_SUPP"},
                {IKEV2_N_NAT_DETECTION_SOURCE_IP, "NATD_S_IP"},
                {IKEV2_N_NAT_DETECTION_DESTINATION_IP, "NATD_D_IP"},
                {IKEV2_N_COOKIE, "COOKIE"},
                {IKEV2_N_USE_TRANSPORT_MODE, "USE_TRANSP"},
                {IKEV2_N_HTTP_CERT_LOOKUP_SUPPORTED, "HTTP_CERT_LOOK"},
                {IKEV2_N_REKEY_SA, "REKEY_SA"},
                {IKEV2_N_ESP_TFC_PADDING_NOT_SUPPORTED, "ESP_TFC_PAD_N"},
                {IKEV2_N_NON_FIRST_FRAGMENTS_ALSO, "NON_FIRST_FRAG"},
                {IKEV2_N_MOBIKE_SUPPORTED, "MOBIKE_SUP"},
                {IKEV2_N_ADDITIONAL_IP4_ADDRESS, "ADD_4_ADDR"},
                {IKEV2_N_ADDITIONAL_IP6_ADDRESS, "ADD_6_ADDR"},
                {IKEV2_N_NO_ADDITIONAL_ADDRESSES, "NO_ADD_ADDR"},
                {IKEV2_N_UPDATE_SA_ADDRESSES, "UPD_SA_ADDR"},
                {IKEV2_N_COOKIE2, "COOKIE2"},
                {IKEV2_N_NO_NATS_ALLOWED, "NO_NATS"},
                {IKEV2_N_AUTH_LIFETIME, "AUTH_LFT"},
                {IKEV2_N_MULTIPLE_AUTH_SUPPORTED, "MULT_AUTH"},
                {IKEV2_N_ANOTHER_AUTH_FOLLOWS, "AUTH_FOLLOWS"},
                {IKEV2_N_REDIRECT_SUPPORTED, "REDIR_SUP"},
                {IKEV2_N_REDIRECT, "REDIR"},
                {IKEV2_N_REDIRECTED_FROM, "REDIR_FROM"},
                {IKEV2_N_EAP_ONLY_AUTHENTICATION, "EAP_ONLY"},
                {IKEV2_N_CHILDLESS_IKEV2_SUPPORTED, "CHDLESS_SUP"},
                {IKEV2_N_IKEV2_MESSAGE_ID_SYNC_SUPPORTED, "MSG_ID_SYN_SUP"},
                {IKEV2_N_IKEV2_FRAGMENTATION_SUPPORTED, "FRAG_SUP"},
                {IKEV2_N_SIGNATURE_HASH_ALGORITHMS, "HASH_ALG"},
        };

        return lookup(t, G_N_ELEMENTS(t), type);
}

const char *tvi_cp_attr_name(uint16_t type)
{
        static const struct name16 t[] = {
                {IKEV2_CFG_INTERNAL_IP4_ADDRESS, "ADDR"},
                {IKEV2_CFG_INTERNAL_IP4_NETMASK, "MASK"},
                {IKEV2_CFG_INTERNAL_IP4_DNS, "DNS"},
                {IKEV2_CFG_INTERNAL_IP4_NBNS, "NBNS"},
                {IKEV2_CFG_INTERNAL_IP4_DHCP, "DHCP"},
                {IKEV2_CFG_APPLICATION_VERSION, "VER"},
                {IKEV2_CFG_INTERNAL_IP6_ADDRESS, "ADDR6"},
                {IKEV2_CFG_INTERNAL_IP6_DNS, "DNS6"},
                {IKEV2_CFG_INTERNAL_IP6_DHCP, "DHCP6"},
                {IKEV2_CFG_INTERNAL_IP4_SUBNET, "SUBNET"},
                {IKEV2_CFG_SUPPORTED_ATTRIBUTES, "SUP"},
                {IKEV2_CFG_INTERNAL_IP6_SUBNET, "SUBNET6"},
                {IKEV2_CFG_INTERNAL_DNS_DOMAIN, "DOMAIN"},
        };

        return lookup(t, G_N_ELEMENTS(t), type);
}

const char *tvi_cfg_type_name(uint8_t cfg_type)
{
        static const struct name16 t[] = {
                {IKEV2_CFG_REQUEST, "CPRQ"},
                {IKEV2_CFG_REPLY, "CPRP"},
                {IKEV2_CFG_SET, "CPS"},
                {IKEV2_CFG_ACK, "CPA"},
        };

        return lookup(t, G_N_ELEMENTS(t), cfg_type);
}

const char *tvi_eap_code_name(uint8_t code)
{
        static const struct name16 t[] = {
                {EAP_CODE_REQUEST, "REQ"},
                {EAP_CODE_RESPONSE, "RES"},
                {EAP_CODE_SUCCESS, "SUCC"},
                {EAP_CODE_FAILURE, "FAIL"},
        };

        return lookup(t, G_N_ELEMENTS(t), code);
}

const char *tvi_eap_type_name(uint8_t type)
{
        static const struct name16 t[] = {
                {EAP_TYPE_IDENTITY, "ID"},       {EAP_TYPE_NOTIFICATION, "NTF"},
                {EAP_TYPE_NAK, "NAK"},           {EAP_TYPE_MD5, "MD5"},
                {EAP_TYPE_GTC, "GTC"},           {EAP_TYPE_TLS, "TLS"},
                {EAP_TYPE_TTLS, "TTLS"},         {EAP_TYPE_PEAP, "PEAP"},
                {EAP_TYPE_MSCHAPV2, "MSCHAPV2"},
        };

        return lookup(t, G_N_ELEMENTS(t), type);
}

/* ------------------------------------------------------------------ decoding */

struct slice tvi_slice(GBytes *b)
{
        gsize n = 0;
        const void *p = b ? g_bytes_get_data(b, &n) : NULL;

        return SLICE(p, n);
}

/* ------------------------------------------------------------------ strongSwan's notation */

/* One payload as strongSwan lists it: "N(NATD_S_IP)", "CPRQ(ADDR DNS)",
 * "EAP/REQ/MSCHAPV2", "EF(1/2)". Numbers its tables do not know are written
 * as numbers, so they can never match a name. */
char *tvi_render_payload(const struct ike_payload *p)
{
        const char *name = tvi_payload_name(p->type);
        GString *g = g_string_new(NULL);

        switch (p->type) {
        case IKEV2_PAYLOAD_NOTIFY: {
                const char *n = tvi_notify_name(p->u.notify.type);

                if (n)
                        g_string_printf(g, "N(%s)", n);
                else
                        g_string_printf(g, "N(%u)", p->u.notify.type);
                break;
        }
        case IKEV2_PAYLOAD_CP: {
                const char *t = tvi_cfg_type_name(p->u.cp.cfg_type);

                if (t)
                        g_string_append(g, t);
                else
                        g_string_append_printf(g, "CP%u", p->u.cp.cfg_type);
                g_string_append_c(g, '(');
                for (size_t i = 0; i < p->u.cp.n_attrs; i++) {
                        const char *a = tvi_cp_attr_name(p->u.cp.attrs[i].type);

                        if (i)
                                g_string_append_c(g, ' ');
                        if (a)
                                g_string_append(g, a);
                        else
                                g_string_append_printf(g, "%u", p->u.cp.attrs[i].type);
                }
                g_string_append_c(g, ')');
                break;
        }
        case IKEV2_PAYLOAD_EAP: {
                const char *code = tvi_eap_code_name(p->u.eap.code);

                g_string_append(g, "EAP/");
                if (code)
                        g_string_append(g, code);
                else
                        g_string_append_printf(g, "%u", p->u.eap.code);
                if (p->u.eap.code == EAP_CODE_REQUEST || p->u.eap.code == EAP_CODE_RESPONSE) {
                        const char *t = tvi_eap_type_name(p->u.eap.type);

                        if (t)
                                g_string_append_printf(g, "/%s", t);
                        else
                                g_string_append_printf(g, "/%u", p->u.eap.type);
                }
                break;
        }
        case IKEV2_PAYLOAD_SKF:
                g_string_printf(g, "EF(%u/%u)", p->u.sk.frag_num, p->u.sk.frag_total);
                break;
        default:
                if (name)
                        g_string_append(g, name);
                else
                        g_string_printf(g, "%u", p->type);
        }
        return g_string_free(g, FALSE);
}

char *tvi_render_chain(const struct ike_chain *c)
{
        GString *g = g_string_new("[ ");

        for (size_t i = 0; i < c->n; i++) {
                g_autofree char *t = tvi_render_payload(&c->items[i]);

                g_string_append_printf(g, "%s ", t);
        }
        g_string_append_c(g, ']');
        return g_string_free(g, FALSE);
}

/* ------------------------------------------------------------------ the negotiated proposal */

const struct ike_payload *tvi_find_one(const struct ike_chain *c, uint8_t type)
{
        return ike_chain_count(c, type) == 1 ? ike_chain_find(c, type, 0) : NULL;
}

struct slice tvi_nonce(const struct ike_chain *c)
{
        const struct ike_payload *p = tvi_find_one(c, IKEV2_PAYLOAD_NONCE);

        return p ? p->u.nonce : SLICE(NULL, 0);
}

/* The proposal an SA payload selected (a response carries exactly one). */
bool tvi_chosen_proposal(const struct ike_chain *c, struct tvi_chosen *ret, const char **why)
{
        const struct ike_payload *sa = tvi_find_one(c, IKEV2_PAYLOAD_SA);
        const struct ike_proposal *p;
        const struct ike_transform *t;

        if (!sa) {
                *why = "not exactly one SA payload";
                return false;
        }
        if (sa->u.sa.n_proposals != 1) {
                *why = "the SA payload does not hold exactly one proposal";
                return false;
        }
        p = &sa->u.sa.proposals[0];
        *ret = (struct tvi_chosen){.protocol = p->protocol, .num = p->num, .spi = p->spi};
        t = ike_proposal_find_transform(p, IKEV2_TRANSFORM_ENCR);
        if (!t) {
                *why = "no encryption transform";
                return false;
        }
        ret->encr = t->id;
        ret->encr_bits = t->key_length;
        t = ike_proposal_find_transform(p, IKEV2_TRANSFORM_INTEG);
        ret->integ = t ? t->id : IKEV2_INTEG_NONE;
        t = ike_proposal_find_transform(p, IKEV2_TRANSFORM_PRF);
        ret->prf = t ? t->id : 0;
        t = ike_proposal_find_transform(p, IKEV2_TRANSFORM_DH);
        ret->dh = t ? t->id : IKEV2_DH_NONE;
        t = ike_proposal_find_transform(p, IKEV2_TRANSFORM_ESN);
        ret->esn = t ? t->id : IKEV2_ESN_NO;
        return true;
}

/* The request's proposal with the number the response chose (its SPI is
 * the initiator's). */
const struct ike_proposal *tvi_offered_proposal(const struct ike_chain *c, uint8_t num)
{
        const struct ike_payload *sa = tvi_find_one(c, IKEV2_PAYLOAD_SA);

        if (!sa)
                return NULL;
        for (size_t i = 0; i < sa->u.sa.n_proposals; i++)
                if (sa->u.sa.proposals[i].num == num)
                        return &sa->u.sa.proposals[i];
        return NULL;
}

/* ------------------------------------------------------------------ a decoded scenario */

void tvi_capture_free(struct tvi_capture *c)
{
        if (!c)
                return;
        for (size_t i = 0; i < c->n_msgs; i++) {
                ike_message_free(c->msgs[i].m);
                bytes_free_secret(&c->msgs[i].plain);
                g_free(c->msgs[i].error);
        }
        for (size_t i = 0; i < c->n_sas; i++) {
                ike_keys_wipe(&c->sas[i].logged);
                g_free(c->sas[i].error);
                if (c->sas[i].msk)
                        g_bytes_unref(c->sas[i].msk);
        }
        g_free(c->msgs);
        g_free(c->sas);
        tvi_scenario_free(c->sc);
        g_free(c);
}

struct tvi_msg *tvi_capture_msg(struct tvi_capture *c, unsigned number)
{
        for (size_t i = 0; i < c->n_msgs; i++)
                if (c->msgs[i].tm->number == number)
                        return &c->msgs[i];
        return NULL;
}

struct tvi_sa *tvi_capture_sa(struct tvi_capture *c, unsigned num)
{
        for (size_t i = 0; i < c->n_sas; i++)
                if (c->sas[i].num == num)
                        return &c->sas[i];
        return NULL;
}

static bool spi_from_hex(const struct tvi_block *b, const char *key, uint64_t *ret, GError **error)
{
        g_autoptr(GBytes) v = tvi_get_hex(b, key, error);
        struct slice s = tvi_slice(v);
        uint64_t x = 0;

        if (!v)
                return false;
        if (s.len != 8) {
                g_set_error(error, g_quark_from_static_string("capture"), EBADMSG,
                            "%s is %zu octets, not 8", key, s.len);
                return false;
        }
        for (size_t i = 0; i < 8; i++)
                x = x << 8 | s.ptr[i];
        *ret = x;
        return true;
}

static bool logged_key(const struct tvi_block *b, const char *key, bool optional, struct bytes *ret,
                       GError **error)
{
        g_autoptr(GBytes) v = NULL;

        if (optional && !tvi_get(b, key))
                return true;
        v = tvi_get_hex(b, key, error);
        return v && bytes_dup(ret, tvi_slice(v)) == 0;
}

/* Finds the proposal that created the SA (in its exchange's response, which
 * comes earlier on the wire than any message the SA protects) and loads
 * strongSwan's keys. */
bool tvi_sa_resolve(struct tvi_capture *c, struct tvi_sa *sa)
{
        const struct tvi_block *b = sa->blk;
        g_autoptr(GError) error = NULL;
        unsigned rq, rs;
        struct tvi_msg *resp;
        const char *why = NULL;
        char where[64];

        if (sa->resolved || sa->error)
                return sa->resolved;
        tvi_block_where(b, where);
        if (!tvi_get_exchange(b, &rq, &rs, &error)) {
                sa->error = g_strdup(error->message);
                return false;
        }
        resp = tvi_capture_msg(c, rs);
        if (!resp || !resp->chain) {
                sa->error = g_strdup_printf("%s: its response %02u is %s", where, rs,
                                            resp ? resp->error : "not in the manifest");
                return false;
        }
        if (!tvi_chosen_proposal(resp->chain, &sa->chosen, &why)) {
                sa->error = g_strdup_printf("%s: %s: %s", where, resp->tm->file, why);
                return false;
        }
        sa->prf = crypto_prf_lookup(sa->chosen.prf);
        if (!sa->prf) {
                sa->error = g_strdup_printf("%s: PRF %u (from %s) is not implemented", where,
                                            sa->chosen.prf, resp->tm->file);
                return false;
        }
        if (crypto_suite_lookup(sa->chosen.encr, sa->chosen.encr_bits, sa->chosen.integ, 0,
                                &sa->suite, &why) < 0) {
                sa->error = g_strdup_printf("%s: the suite of %s: %s", where, resp->tm->file, why);
                return false;
        }
        if (!spi_from_hex(b, "spi_i", &sa->spi_i, &error) ||
            !spi_from_hex(b, "spi_r", &sa->spi_r, &error) ||
            !logged_key(b, "sk_d", false, &sa->logged.sk_d, &error) ||
            !logged_key(b, "sk_ai", true, &sa->logged.sk_ai, &error) ||
            !logged_key(b, "sk_ar", true, &sa->logged.sk_ar, &error) ||
            !logged_key(b, "sk_ei", false, &sa->logged.sk_ei, &error) ||
            !logged_key(b, "sk_er", false, &sa->logged.sk_er, &error) ||
            !logged_key(b, "sk_pi", false, &sa->logged.sk_pi, &error) ||
            !logged_key(b, "sk_pr", false, &sa->logged.sk_pr, &error)) {
                sa->error =
                        g_strdup_printf("%s: %s", where, error ? error->message : "out of memory");
                return false;
        }
        if (tvi_get(b, "msk"))
                sa->msk = tvi_get_hex(b, "msk", NULL);
        sa->resolved = true;
        return true;
}

/* The IKE SA whose SPIs the message carries; it must be the manifest's. */
static struct tvi_sa *sa_of_message(struct tvi_capture *c, struct tvi_msg *mi)
{
        struct tvi_sa *found = NULL;

        for (size_t i = 0; i < c->n_sas; i++) {
                struct tvi_sa *sa = &c->sas[i];
                g_autoptr(GError) error = NULL;
                uint64_t si, sr;

                if (!spi_from_hex(sa->blk, "spi_i", &si, &error) ||
                    !spi_from_hex(sa->blk, "spi_r", &sr, &error)) {
                        mi->error = g_strdup(error->message);
                        return NULL;
                }
                if (si == mi->m->hdr.spi_i && sr == mi->m->hdr.spi_r) {
                        if (found) {
                                mi->error = g_strdup("two IKE SAs in keys.txt have its SPIs");
                                return NULL;
                        }
                        found = sa;
                }
        }
        if (!found) {
                mi->error = g_strdup_printf("no IKE SA in keys.txt has SPIs %016" G_GINT64_MODIFIER
                                            "x/%016" G_GINT64_MODIFIER "x",
                                            (guint64)mi->m->hdr.spi_i, (guint64)mi->m->hdr.spi_r);
                return NULL;
        }
        if (found->num != mi->tm->ike_sa) {
                mi->error = g_strdup_printf("its SPIs are IKE SA %u's, the manifest says %u",
                                            found->num, mi->tm->ike_sa);
                return NULL;
        }
        if (!tvi_sa_resolve(c, found)) {
                mi->error = g_strdup(found->error);
                return NULL;
        }
        return found;
}

/* Opens the SK/SKF payload of a copy of the message with the receiver's
 * context: a message with the I flag is read by the responder, with SK_ei
 * (and SK_ai); the others by the initiator, with SK_er. */
int tvi_sk_open(const struct tvi_sa *sa, bool from_initiator, uint8_t *msg, size_t len,
                struct ike_sk_plain *ret, struct ike_sk_error *ret_err)
{
        _cleanup_(crypto_aead_freep) struct crypto_aead *out = NULL;
        _cleanup_(crypto_aead_freep) struct crypto_aead *in = NULL;
        int r;

        r = ike_keys_sk_contexts(&sa->logged, &sa->suite, !from_initiator, &out, &in);
        if (r < 0) {
                ret_err->what = "ike_keys_sk_contexts() failed";
                return r;
        }
        return ike_sk_unprotect(in, msg, len, ret, ret_err);
}

/* A fragmented message being reassembled. */
struct frag_group {
        unsigned sa;
        uint8_t exchange;
        uint32_t msgid;
        bool response;
        uint16_t total;
        struct tvi_msg *part[IKE_FRAGMENTS_MAX + 1];
        struct bytes pt[IKE_FRAGMENTS_MAX + 1];
        uint8_t first;
        size_t have;
};

static void group_free(gpointer p)
{
        struct frag_group *g = p;

        for (size_t i = 0; i < G_N_ELEMENTS(g->pt); i++)
                bytes_free_secret(&g->pt[i]);
        g_free(g);
}

static struct frag_group *group_for(GPtrArray *groups, unsigned sa, const struct ike_message *m,
                                    uint16_t total)
{
        struct frag_group *g;

        for (guint i = 0; i < groups->len; i++) {
                g = groups->pdata[i];
                if (g->sa == sa && g->exchange == m->hdr.exchange &&
                    g->msgid == m->hdr.message_id && g->response == ike_header_is_response(&m->hdr))
                        return g;
        }
        g = g_new0(struct frag_group, 1);
        g->sa = sa;
        g->exchange = m->hdr.exchange;
        g->msgid = m->hdr.message_id;
        g->response = ike_header_is_response(&m->hdr);
        g->total = total;
        g_ptr_array_add(groups, g);
        return g;
}

/* All fragments are in: one chain from their plaintexts in order (RFC 7383
 * 2.6), parsed into fragment 1's message. */
static void group_complete(struct frag_group *g)
{
        struct slice parts[IKE_FRAGMENTS_MAX];
        struct tvi_msg *first = g->part[1];
        struct bytes all = {0}, copy = {0};
        struct ike_error err = {0};

        for (size_t k = 1; k <= g->total; k++)
                parts[k - 1] = SLICE_OF(g->pt[k]);
        if (bytes_concat(&all, parts, g->total) < 0 || bytes_dup(&copy, SLICE_OF(all)) < 0)
                g_error("out of memory");
        if (ike_message_parse_inner(first->m, g->first, &all, &err) < 0) {
                for (size_t k = 1; k <= g->total; k++)
                        g->part[k]->error = g_strdup_printf("the reassembled chain does not "
                                                            "parse: %s",
                                                            err.what);
                bytes_free_secret(&all);
                bytes_free_secret(&copy);
                return;
        }
        for (size_t k = 1; k <= g->total; k++) {
                g->part[k]->chain = &first->m->inner;
                g->part[k]->whole = first->m;
        }
        first->plain = copy;
}

static void decode_protected(struct tvi_capture *c, struct tvi_msg *mi, GPtrArray *groups)
{
        struct tvi_sa *sa = sa_of_message(c, mi);
        const struct ike_sk *sk = ike_message_sk(mi->m);
        g_autofree uint8_t *copy = NULL;
        struct ike_sk_plain p;
        struct ike_sk_error serr = {0};
        struct ike_error err = {0};
        struct bytes pt = {0};
        gsize len;
        const uint8_t *raw = g_bytes_get_data(mi->tm->bytes, &len);
        int r;

        if (!sa)
                return;
        copy = g_memdup2(raw, len);
        r = tvi_sk_open(sa, ike_header_from_initiator(&mi->m->hdr), copy, len, &p, &serr);
        if (r < 0) {
                mi->error = g_strdup_printf("ike_sk_unprotect() = %s: %s at offset %zu (%zu, %zu)",
                                            g_strerror(-r), serr.what ? serr.what : "?",
                                            serr.offset, serr.got, serr.limit);
                return;
        }
        if (p.first_payload != sk->next || p.fragment != ike_message_is_fragment(mi->m)) {
                mi->error = g_strdup_printf("the SK layer read Next Payload %u%s, the codec %u%s",
                                            p.first_payload, p.fragment ? " (SKF)" : "", sk->next,
                                            ike_message_is_fragment(mi->m) ? " (SKF)" : "");
                return;
        }
        if (bytes_dup(&pt, p.inner) < 0)
                g_error("out of memory");
        if (!p.fragment) {
                if (bytes_dup(&mi->plain, p.inner) < 0)
                        g_error("out of memory");
                if (ike_message_parse_inner(mi->m, p.first_payload, &pt, &err) < 0) {
                        mi->error =
                                g_strdup_printf("the decrypted chain does not parse: %s", err.what);
                        bytes_free_secret(&pt);
                        return;
                }
                mi->chain = &mi->m->inner;
                mi->whole = mi->m;
                return;
        }

        /* RFC 7383 2.5: fragments of one message share SPIs, exchange and
         * Message ID; numbers run from 1 to Total Fragments. */
        {
                struct frag_group *g = group_for(groups, sa->num, mi->m, p.frag_total);

                if (p.frag_total != g->total || p.frag_number == 0 || p.frag_number > g->total ||
                    g->part[p.frag_number]) {
                        mi->error = g_strdup_printf("fragment %u/%u does not fit %u fragments "
                                                    "seen before",
                                                    p.frag_number, p.frag_total, g->total);
                        bytes_free_secret(&pt);
                        return;
                }
                g->part[p.frag_number] = mi;
                g->pt[p.frag_number] = pt;
                mi->fragment_ok = true;
                if (p.frag_number == 1)
                        g->first = p.first_payload;
                if (++g->have == g->total) {
                        mi->last_fragment = true;
                        group_complete(g);
                }
        }
}

struct tvi_capture *tvi_capture_open(const char *name, bool decrypt, GError **error)
{
        g_autoptr(tvi_capture) c = g_new0(struct tvi_capture, 1);
        g_autoptr(GPtrArray) groups = g_ptr_array_new_with_free_func(group_free);

        c->sc = tvi_scenario_load(name, error);
        if (!c->sc)
                return NULL;
        c->n_sas = c->sc->ike_sas->len;
        c->sas = g_new0(struct tvi_sa, c->n_sas);
        for (size_t i = 0; i < c->n_sas; i++) {
                c->sas[i].blk = c->sc->ike_sas->pdata[i];
                c->sas[i].num = c->sas[i].blk->num;
        }
        c->n_msgs = c->sc->messages->len;
        c->msgs = g_new0(struct tvi_msg, c->n_msgs);
        for (size_t i = 0; i < c->n_msgs; i++) {
                struct tvi_msg *mi = &c->msgs[i];
                struct ike_error err = {0};
                gsize len;
                const uint8_t *raw;

                mi->tm = c->sc->messages->pdata[i];
                raw = g_bytes_get_data(mi->tm->bytes, &len);
                if (ike_message_parse(&mi->m, SLICE(raw, len), &err) < 0) {
                        mi->error = g_strdup_printf("ike_message_parse(): %s", err.what);
                        continue;
                }
                if (!ike_message_sk(mi->m)) {
                        mi->chain = &mi->m->clear;
                        mi->whole = mi->m;
                } else if (decrypt) {
                        decode_protected(c, mi, groups);
                } else {
                        mi->error = g_strdup("(not decrypted)");
                }
        }
        for (size_t i = 0; i < c->n_msgs; i++)
                if (c->msgs[i].fragment_ok && !c->msgs[i].chain && !c->msgs[i].error)
                        c->msgs[i].error = g_strdup("fragments of its message are missing");
        return g_steal_pointer(&c);
}
