/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * strongSwan proposal strings -> IKEv2 transform IDs. See proposal.h for the
 * grammar. The keyword names follow strongSwan's documented algorithm
 * keywords (docs.strongswan.org, "IKEv2 Cipher Suites"); the table below is
 * ours.
 */
#include "proposal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "client/common/macro.h"

enum {
        KW_AEAD    = 1 << 0, /* combined-mode cipher */
        KW_WEAK    = 1 << 1, /* accepted, but the profile validator warns */
        KW_REFUSED = 1 << 2, /* recognised and rejected: broken */
        KW_ALIAS   = 1 << 3, /* another spelling; never printed */
};

struct keyword {
        const char *name;
        uint8_t type; /* enum ikev2_transform_type */
        uint16_t id;
        uint16_t key_bits;
        uint8_t flags;
};

#define E(n, i, k, f) { n, IKEV2_TRANSFORM_ENCR, IKEV2_ENCR_##i, k, f }
#define P(n, i, f)    { n, IKEV2_TRANSFORM_PRF, IKEV2_PRF_##i, 0, f }
#define I(n, i, f)    { n, IKEV2_TRANSFORM_INTEG, IKEV2_INTEG_##i, 0, f }
#define D(n, i, f)    { n, IKEV2_TRANSFORM_DH, IKEV2_DH_##i, 0, f }
#define AEAD  KW_AEAD
#define ALIAS KW_ALIAS

/* Canonical spellings come before their aliases: formatting prints the first
 * entry that matches (type, id, key_bits). */
static const struct keyword keywords[] = {
        E("aes128", AES_CBC, 128, 0),
        E("aes192", AES_CBC, 192, 0),
        E("aes256", AES_CBC, 256, 0),
        E("aes", AES_CBC, 128, ALIAS),
        E("aes128ctr", AES_CTR, 128, 0),
        E("aes192ctr", AES_CTR, 192, 0),
        E("aes256ctr", AES_CTR, 256, 0),
        E("aes128gcm16", AES_GCM_16, 128, AEAD),
        E("aes192gcm16", AES_GCM_16, 192, AEAD),
        E("aes256gcm16", AES_GCM_16, 256, AEAD),
        E("aes128gcm128", AES_GCM_16, 128, AEAD | ALIAS),
        E("aes192gcm128", AES_GCM_16, 192, AEAD | ALIAS),
        E("aes256gcm128", AES_GCM_16, 256, AEAD | ALIAS),
        E("aes128gcm", AES_GCM_16, 128, AEAD | ALIAS),
        E("aes192gcm", AES_GCM_16, 192, AEAD | ALIAS),
        E("aes256gcm", AES_GCM_16, 256, AEAD | ALIAS),
        E("aes128gcm12", AES_GCM_12, 128, AEAD),
        E("aes192gcm12", AES_GCM_12, 192, AEAD),
        E("aes256gcm12", AES_GCM_12, 256, AEAD),
        E("aes128gcm96", AES_GCM_12, 128, AEAD | ALIAS),
        E("aes192gcm96", AES_GCM_12, 192, AEAD | ALIAS),
        E("aes256gcm96", AES_GCM_12, 256, AEAD | ALIAS),
        E("aes128gcm8", AES_GCM_8, 128, AEAD),
        E("aes192gcm8", AES_GCM_8, 192, AEAD),
        E("aes256gcm8", AES_GCM_8, 256, AEAD),
        E("aes128gcm64", AES_GCM_8, 128, AEAD | ALIAS),
        E("aes192gcm64", AES_GCM_8, 192, AEAD | ALIAS),
        E("aes256gcm64", AES_GCM_8, 256, AEAD | ALIAS),
        E("aes128ccm16", AES_CCM_16, 128, AEAD),
        E("aes192ccm16", AES_CCM_16, 192, AEAD),
        E("aes256ccm16", AES_CCM_16, 256, AEAD),
        E("aes128ccm128", AES_CCM_16, 128, AEAD | ALIAS),
        E("aes192ccm128", AES_CCM_16, 192, AEAD | ALIAS),
        E("aes256ccm128", AES_CCM_16, 256, AEAD | ALIAS),
        E("aes128ccm", AES_CCM_16, 128, AEAD | ALIAS),
        E("aes192ccm", AES_CCM_16, 192, AEAD | ALIAS),
        E("aes256ccm", AES_CCM_16, 256, AEAD | ALIAS),
        E("aes128ccm12", AES_CCM_12, 128, AEAD),
        E("aes192ccm12", AES_CCM_12, 192, AEAD),
        E("aes256ccm12", AES_CCM_12, 256, AEAD),
        E("aes128ccm96", AES_CCM_12, 128, AEAD | ALIAS),
        E("aes192ccm96", AES_CCM_12, 192, AEAD | ALIAS),
        E("aes256ccm96", AES_CCM_12, 256, AEAD | ALIAS),
        E("aes128ccm8", AES_CCM_8, 128, AEAD),
        E("aes192ccm8", AES_CCM_8, 192, AEAD),
        E("aes256ccm8", AES_CCM_8, 256, AEAD),
        E("aes128ccm64", AES_CCM_8, 128, AEAD | ALIAS),
        E("aes192ccm64", AES_CCM_8, 192, AEAD | ALIAS),
        E("aes256ccm64", AES_CCM_8, 256, AEAD | ALIAS),
        E("chacha20poly1305", CHACHA20_POLY1305, 0, AEAD),
        E("camellia128", CAMELLIA_CBC, 128, 0),
        E("camellia192", CAMELLIA_CBC, 192, 0),
        E("camellia256", CAMELLIA_CBC, 256, 0),
        E("camellia", CAMELLIA_CBC, 128, ALIAS),
        E("camellia128ctr", CAMELLIA_CTR, 128, 0),
        E("camellia192ctr", CAMELLIA_CTR, 192, 0),
        E("camellia256ctr", CAMELLIA_CTR, 256, 0),
        E("3des", 3DES, 0, KW_WEAK),
        E("des", DES, 0, KW_REFUSED),
        E("null", NULL, 0, KW_REFUSED),

        P("prfsha256", HMAC_SHA2_256, 0),
        P("prfsha384", HMAC_SHA2_384, 0),
        P("prfsha512", HMAC_SHA2_512, 0),
        P("prfsha1", HMAC_SHA1, KW_WEAK),
        P("prfaesxcbc", AES128_XCBC, 0),
        P("prfaescmac", AES128_CMAC, 0),
        P("prfmd5", HMAC_MD5, KW_REFUSED),

        I("sha256", HMAC_SHA2_256_128, 0),
        I("sha384", HMAC_SHA2_384_192, 0),
        I("sha512", HMAC_SHA2_512_256, 0),
        I("sha2_256", HMAC_SHA2_256_128, ALIAS),
        I("sha2_384", HMAC_SHA2_384_192, ALIAS),
        I("sha2_512", HMAC_SHA2_512_256, ALIAS),
        I("sha1", HMAC_SHA1_96, KW_WEAK),
        I("sha", HMAC_SHA1_96, KW_WEAK | ALIAS),
        I("sha1_160", HMAC_SHA1_160, KW_WEAK),
        I("aesxcbc", AES_XCBC_96, 0),
        I("aescmac", AES_CMAC_96, 0),
        I("md5", HMAC_MD5_96, KW_REFUSED),
        I("md5_128", HMAC_MD5_128, KW_REFUSED),

        D("modp2048", MODP2048, 0),
        D("modp3072", MODP3072, 0),
        D("modp4096", MODP4096, 0),
        D("modp6144", MODP6144, 0),
        D("modp8192", MODP8192, 0),
        D("modp1536", MODP1536, KW_WEAK),
        D("modp1024", MODP1024, KW_WEAK),
        D("modp768", MODP768, KW_REFUSED),
        D("modp1024s160", MODP1024_160, KW_WEAK),
        D("modp2048s224", MODP2048_224, KW_WEAK),
        D("modp2048s256", MODP2048_256, 0),
        D("ecp192", ECP192, KW_WEAK),
        D("ecp224", ECP224, 0),
        D("ecp256", ECP256, 0),
        D("ecp384", ECP384, 0),
        D("ecp521", ECP521, 0),
        D("ecp224bp", BRAINPOOL224, 0),
        D("ecp256bp", BRAINPOOL256, 0),
        D("ecp384bp", BRAINPOOL384, 0),
        D("ecp512bp", BRAINPOOL512, 0),
        D("curve25519", CURVE25519, 0),
        D("x25519", CURVE25519, ALIAS),
        D("curve448", CURVE448, 0),
        D("x448", CURVE448, ALIAS),

        { "noesn", IKEV2_TRANSFORM_ESN, IKEV2_ESN_NO, 0, 0 },
        { "esn", IKEV2_TRANSFORM_ESN, IKEV2_ESN_YES, 0, 0 },
};

#undef E
#undef P
#undef I
#undef D
#undef AEAD
#undef ALIAS

/* strongSwan derives an IKE proposal's PRF from its integrity algorithms
 * when none is named ("aes128-sha256-modp2048" uses prfsha256). */
static const struct {
        uint16_t integ;
        uint16_t prf;
} integ_to_prf[] = {
        { IKEV2_INTEG_HMAC_SHA2_256_128, IKEV2_PRF_HMAC_SHA2_256 },
        { IKEV2_INTEG_HMAC_SHA2_384_192, IKEV2_PRF_HMAC_SHA2_384 },
        { IKEV2_INTEG_HMAC_SHA2_512_256, IKEV2_PRF_HMAC_SHA2_512 },
        { IKEV2_INTEG_HMAC_SHA1_96, IKEV2_PRF_HMAC_SHA1 },
        { IKEV2_INTEG_HMAC_SHA1_160, IKEV2_PRF_HMAC_SHA1 },
        { IKEV2_INTEG_AES_XCBC_96, IKEV2_PRF_AES128_XCBC },
        { IKEV2_INTEG_AES_CMAC_96, IKEV2_PRF_AES128_CMAC },
};

/* The first group of the first proposal goes into IKE_SA_INIT's KE payload:
 * X25519 first, the group strongSwan, libreswan and most current gateways
 * pick, so that connecting usually takes no INVALID_KE_PAYLOAD round trip
 * (gateways without it, such as Windows RRAS, answer with the group they
 * want from the rest of the list). */
static const char *const default_ike =
        "aes256gcm16-aes128gcm16-chacha20poly1305-prfsha384-prfsha256-curve25519-ecp256-ecp384"
        "-modp3072-modp2048,"
        "aes256-aes128-sha384-sha256-prfsha384-prfsha256-curve25519-ecp256-ecp384-modp3072-modp2048";
static const char *const default_esp = "aes256gcm16-aes128gcm16-chacha20poly1305,"
                                       "aes256-aes128-sha384-sha256";

_printf_(4, 5) static int fail(struct proposal_error *err, size_t off, size_t len, const char *fmt,
                               ...)
{
        va_list ap;

        if (!err)
                return -EINVAL;
        err->offset = off;
        err->len = len;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof(err->message), fmt, ap);
        va_end(ap);
        return -EINVAL;
}

static const struct keyword *keyword_find(const char *s, size_t n)
{
        for (size_t i = 0; i < ARRAY_SIZE(keywords); i++)
                if (strlen(keywords[i].name) == n && strncasecmp(keywords[i].name, s, n) == 0)
                        return &keywords[i];
        return NULL;
}

const char *proposal_keyword(enum ikev2_transform_type type, uint16_t id, uint16_t key_bits)
{
        for (size_t i = 0; i < ARRAY_SIZE(keywords); i++) {
                const struct keyword *k = &keywords[i];

                if (k->type == type && k->id == id && (k->flags & KW_ALIAS) == 0 &&
                    (type != IKEV2_TRANSFORM_ENCR || k->key_bits == key_bits))
                        return k->name;
        }
        return NULL;
}

static const struct keyword *keyword_of(uint8_t type, uint16_t id, uint16_t key_bits)
{
        for (size_t i = 0; i < ARRAY_SIZE(keywords); i++) {
                const struct keyword *k = &keywords[i];

                if (k->type == type && k->id == id &&
                    (type != IKEV2_TRANSFORM_ENCR || k->key_bits == key_bits))
                        return k;
        }
        return NULL;
}

static const char *type_name(uint8_t type)
{
        switch (type) {
        case IKEV2_TRANSFORM_ENCR:
                return "encryption algorithm";
        case IKEV2_TRANSFORM_PRF:
                return "PRF";
        case IKEV2_TRANSFORM_INTEG:
                return "integrity algorithm";
        case IKEV2_TRANSFORM_DH:
                return "key exchange method";
        default:
                return "ESN setting";
        }
}

/* Adds one transform to p, refusing duplicates and overflow. */
static int proposal_add(struct proposal *p, const struct keyword *k, const char *tok, size_t off,
                        size_t len, struct proposal_error *err)
{
        uint16_t *ids;
        uint8_t *n;
        size_t cap = PROPOSAL_MAX_PER_TYPE;

        switch (k->type) {
        case IKEV2_TRANSFORM_ENCR:
                for (size_t i = 0; i < p->n_encr; i++)
                        if (p->encr[i].id == k->id && p->encr[i].key_bits == k->key_bits)
                                return fail(err, off, len, "'%.*s' is named twice in one proposal",
                                            (int)len, tok);
                if (p->n_encr >= cap) {
                        fail(err, off, len, "more than %zu encryption algorithms in one proposal",
                             cap);
                        return -E2BIG;
                }
                p->encr[p->n_encr++] = (struct proposal_encr){ k->id, k->key_bits };
                return 0;
        case IKEV2_TRANSFORM_PRF:
                ids = p->prf, n = &p->n_prf;
                break;
        case IKEV2_TRANSFORM_INTEG:
                ids = p->integ, n = &p->n_integ;
                break;
        case IKEV2_TRANSFORM_DH:
                ids = p->dh, n = &p->n_dh;
                break;
        default:
                ids = p->esn, n = &p->n_esn;
                cap = ARRAY_SIZE(p->esn);
                break;
        }
        for (size_t i = 0; i < *n; i++)
                if (ids[i] == k->id)
                        return fail(err, off, len, "'%.*s' is named twice in one proposal",
                                    (int)len, tok);
        if (*n >= cap) {
                fail(err, off, len, "more than %zu %ss in one proposal", cap, type_name(k->type));
                return -E2BIG;
        }
        ids[(*n)++] = k->id;
        return 0;
}

/* Checks a complete proposal and fills in what strongSwan implies. */
static int proposal_finish(struct proposal *p, enum proposal_kind kind, const char *s,
                           size_t start, size_t end, struct proposal_error *err)
{
        size_t len = end - start;

        if (p->n_encr == 0)
                return fail(err, start, len, "proposal '%.*s' has no encryption algorithm",
                            (int)len, s + start);
        if (p->aead && p->n_integ > 0)
                return fail(err, start, len,
                            "proposal '%.*s' combines an AEAD cipher with an integrity algorithm "
                            "(RFC 5282 8: AEAD proposals carry no integrity transform)",
                            (int)len, s + start);
        if (!p->aead && p->n_integ == 0)
                return fail(err, start, len,
                            "proposal '%.*s' has no integrity algorithm (needed with a non-AEAD "
                            "cipher, e.g. sha256)",
                            (int)len, s + start);
        if (kind == PROPOSAL_IKE) {
                if (p->n_prf == 0) {
                        if (p->aead)
                                return fail(err, start, len,
                                            "IKE proposal '%.*s' uses an AEAD cipher and names no "
                                            "PRF (add one, e.g. prfsha256)",
                                            (int)len, s + start);
                        for (size_t i = 0; i < p->n_integ; i++)
                                for (size_t j = 0; j < ARRAY_SIZE(integ_to_prf); j++) {
                                        bool seen = false;

                                        if (integ_to_prf[j].integ != p->integ[i])
                                                continue;
                                        for (size_t m = 0; m < p->n_prf; m++)
                                                seen |= p->prf[m] == integ_to_prf[j].prf;
                                        if (!seen)
                                                p->prf[p->n_prf++] = integ_to_prf[j].prf;
                                }
                        if (p->n_prf == 0)
                                return fail(err, start, len, "IKE proposal '%.*s' names no PRF",
                                            (int)len, s + start);
                }
                if (p->n_dh == 0)
                        return fail(err, start, len,
                                    "IKE proposal '%.*s' has no key exchange method (e.g. ecp256, "
                                    "curve25519, modp2048)",
                                    (int)len, s + start);
        } else {
                if (p->n_esn == 0)
                        p->esn[p->n_esn++] = IKEV2_ESN_NO;
        }
        return 0;
}

int proposal_list_parse(const char *s, enum proposal_kind kind, struct proposal_list *ret,
                        struct proposal_error *err)
{
        struct proposal_list l = { 0 };
        struct proposal *p = NULL;
        size_t n, pos = 0, start = 0;
        int r;

        if (!s)
                return fail(err, 0, 0, "no proposal");
        n = strnlen(s, PROPOSAL_MAX_STRING + 1);
        if (n > PROPOSAL_MAX_STRING) {
                fail(err, PROPOSAL_MAX_STRING, 0, "longer than %d characters",
                     PROPOSAL_MAX_STRING);
                return -E2BIG;
        }
        /* Blanks at the ends and around separators are tolerated, not inside a name. */
        while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
                n--;
        while (pos < n && (s[pos] == ' ' || s[pos] == '\t'))
                pos++;
        if (pos == n)
                return fail(err, pos, 0, "empty proposal list");
        if (s[n - 1] == '!') {
                l.strict = true;
                n--;
                if (pos == n)
                        return fail(err, pos, 0, "empty proposal list before '!'");
        }

        start = pos;
        while (pos <= n) {
                size_t tok = pos, len, end;
                const struct keyword *k;

                while (pos < n && s[pos] != '-' && s[pos] != ',')
                        pos++;
                /* Blanks around '-' and ',' are tolerated, as strongSwan does. */
                end = pos;
                while (tok < end && (s[tok] == ' ' || s[tok] == '\t'))
                        tok++;
                while (end > tok && (s[end - 1] == ' ' || s[end - 1] == '\t'))
                        end--;
                len = end - tok;
                if (!p) {
                        if (l.n >= PROPOSAL_MAX) {
                                fail(err, tok, len, "more than %d proposals", PROPOSAL_MAX);
                                return -E2BIG;
                        }
                        p = &l.p[l.n++];
                        *p = (struct proposal){
                                .protocol = kind == PROPOSAL_IKE ? IKEV2_PROTO_IKE
                                                                 : IKEV2_PROTO_ESP,
                        };
                        start = tok;
                }
                if (len == 0 && pos < n)
                        return fail(err, tok, 0, "empty algorithm name before '%c'", s[pos]);
                if (len == 0)
                        return fail(err, tok, 0, "empty algorithm name at the end");
                for (size_t i = tok; i < end; i++)
                        if (s[i] == '!')
                                return fail(err, i, 1,
                                            "'!' (strict) is only allowed at the very end");
                        else if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
                                return fail(err, i, 1,
                                            "unexpected character 0x%02x in algorithm name",
                                            (unsigned char)s[i]);
                k = keyword_find(s + tok, len);
                if (!k)
                        return fail(err, tok, len, "unknown algorithm '%.*s'", (int)len, s + tok);
                if (k->flags & KW_REFUSED) {
                        fail(err, tok, len, "'%.*s' is broken and not supported", (int)len,
                             s + tok);
                        return -ENOTSUP;
                }
                if (kind == PROPOSAL_ESP && k->type == IKEV2_TRANSFORM_PRF)
                        return fail(err, tok, len, "'%.*s' is a PRF; PRFs belong in IKE proposals",
                                    (int)len, s + tok);
                if (kind == PROPOSAL_IKE && k->type == IKEV2_TRANSFORM_ESN)
                        return fail(err, tok, len, "'%.*s' only applies to ESP proposals",
                                    (int)len, s + tok);
                if (k->type == IKEV2_TRANSFORM_ENCR) {
                        bool aead = k->flags & KW_AEAD;

                        if (p->n_encr > 0 && p->aead != aead)
                                return fail(err, tok, len,
                                            "'%.*s' mixes AEAD and non-AEAD ciphers in one "
                                            "proposal (write them as two proposals separated by "
                                            "',')",
                                            (int)len, s + tok);
                        p->aead = aead;
                }
                r = proposal_add(p, k, s + tok, tok, len, err);
                if (r < 0)
                        return r;

                if (pos == n || s[pos] == ',') {
                        r = proposal_finish(p, kind, s, start, pos, err);
                        if (r < 0)
                                return r;
                        p = NULL;
                        if (pos == n)
                                break;
                }
                pos++;
        }

        *ret = l;
        return 0;
}

void proposal_list_defaults(enum proposal_kind kind, struct proposal_list *ret)
{
        int r;

        r = proposal_list_parse(kind == PROPOSAL_IKE ? default_ike : default_esp, kind, ret, NULL);
        /* The defaults are constants checked by the unit tests. */
        if (r < 0)
                abort();
}

bool proposal_eq(const struct proposal *a, const struct proposal *b)
{
        if (a->protocol != b->protocol || a->aead != b->aead || a->n_encr != b->n_encr ||
            a->n_prf != b->n_prf || a->n_integ != b->n_integ || a->n_dh != b->n_dh ||
            a->n_esn != b->n_esn)
                return false;
        for (size_t i = 0; i < a->n_encr; i++)
                if (a->encr[i].id != b->encr[i].id || a->encr[i].key_bits != b->encr[i].key_bits)
                        return false;
        return memcmp(a->prf, b->prf, a->n_prf * sizeof(a->prf[0])) == 0 &&
               memcmp(a->integ, b->integ, a->n_integ * sizeof(a->integ[0])) == 0 &&
               memcmp(a->dh, b->dh, a->n_dh * sizeof(a->dh[0])) == 0 &&
               memcmp(a->esn, b->esn, a->n_esn * sizeof(a->esn[0])) == 0;
}

bool proposal_list_eq(const struct proposal_list *a, const struct proposal_list *b)
{
        if (a->n != b->n || a->strict != b->strict)
                return false;
        for (size_t i = 0; i < a->n; i++)
                if (!proposal_eq(&a->p[i], &b->p[i]))
                        return false;
        return true;
}

size_t proposal_list_merge(struct proposal_list *dst, const struct proposal_list *src)
{
        size_t added = 0;

        for (size_t i = 0; i < src->n && dst->n < PROPOSAL_MAX; i++) {
                bool dup = false;

                for (size_t j = 0; j < dst->n && !dup; j++)
                        dup = proposal_eq(&dst->p[j], &src->p[i]);
                if (dup)
                        continue;
                dst->p[dst->n++] = src->p[i];
                added++;
        }
        return added;
}

struct out {
        char *buf;
        size_t size, len;
        bool overflow;
};

static void out_put(struct out *o, const char *s)
{
        size_t n = strlen(s);

        if (o->overflow)
                return;
        if (n >= o->size - o->len) {
                o->overflow = true;
                return;
        }
        memcpy(o->buf + o->len, s, n);
        o->len += n;
        o->buf[o->len] = '\0';
}

static void out_word(struct out *o, bool *first, uint8_t type, uint16_t id, uint16_t bits)
{
        const char *name = proposal_keyword(type, id, bits);

        if (!*first)
                out_put(o, "-");
        *first = false;
        out_put(o, name ? name : "?");
}

int proposal_list_format(const struct proposal_list *l, char *buf, size_t size)
{
        struct out o = { .buf = buf, .size = size };

        if (size == 0)
                return -ENOBUFS;
        buf[0] = '\0';
        for (size_t i = 0; i < l->n; i++) {
                const struct proposal *p = &l->p[i];
                bool first = true;

                if (i > 0)
                        out_put(&o, ",");
                for (size_t j = 0; j < p->n_encr; j++)
                        out_word(&o, &first, IKEV2_TRANSFORM_ENCR, p->encr[j].id,
                                 p->encr[j].key_bits);
                for (size_t j = 0; j < p->n_integ; j++)
                        out_word(&o, &first, IKEV2_TRANSFORM_INTEG, p->integ[j], 0);
                for (size_t j = 0; j < p->n_prf; j++)
                        out_word(&o, &first, IKEV2_TRANSFORM_PRF, p->prf[j], 0);
                for (size_t j = 0; j < p->n_dh; j++)
                        out_word(&o, &first, IKEV2_TRANSFORM_DH, p->dh[j], 0);
                /* "noesn" alone is the default and not written. */
                if (!(p->n_esn == 1 && p->esn[0] == IKEV2_ESN_NO))
                        for (size_t j = 0; j < p->n_esn; j++)
                                out_word(&o, &first, IKEV2_TRANSFORM_ESN, p->esn[j], 0);
        }
        if (l->strict)
                out_put(&o, "!");
        if (o.overflow)
                return -ENOBUFS;
        return (int)o.len;
}

static bool weak(uint8_t type, uint16_t id, uint16_t bits, const char **ret_keyword)
{
        const struct keyword *k = keyword_of(type, id, bits);

        if (k && (k->flags & KW_WEAK)) {
                *ret_keyword = k->name;
                return true;
        }
        return false;
}

bool proposal_list_weak(const struct proposal_list *l, const char **ret_keyword)
{
        const char *kw = NULL;

        for (size_t i = 0; i < l->n; i++) {
                const struct proposal *p = &l->p[i];

                for (size_t j = 0; j < p->n_encr; j++)
                        if (weak(IKEV2_TRANSFORM_ENCR, p->encr[j].id, p->encr[j].key_bits, &kw))
                                goto found;
                for (size_t j = 0; j < p->n_prf; j++)
                        if (weak(IKEV2_TRANSFORM_PRF, p->prf[j], 0, &kw))
                                goto found;
                for (size_t j = 0; j < p->n_integ; j++)
                        if (weak(IKEV2_TRANSFORM_INTEG, p->integ[j], 0, &kw))
                                goto found;
                for (size_t j = 0; j < p->n_dh; j++)
                        if (weak(IKEV2_TRANSFORM_DH, p->dh[j], 0, &kw))
                                goto found;
        }
        return false;
found:
        if (ret_keyword)
                *ret_keyword = kw;
        return true;
}
