/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IKE identities (RFC 7296 3.5) from the strings profiles hold, in the
 * syntax strongSwan configurations use (see initiator.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

#include <openssl/x509.h>

#include "client/common/macro.h"
#include "client/ike/ikev2.h"
#include "client/ike/initiator.h"
#include "client/ike/payload.h"

static int hexval(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

static int set_text(struct ike_identity *id, uint8_t type, const char *s, const char **why)
{
        size_t n = strlen(s);

        if (n == 0) {
                *why = "empty identity";
                return -EINVAL;
        }
        if (n > IKE_IDENTITY_MAX) {
                *why = "identity too long";
                return -EINVAL;
        }
        for (size_t i = 0; i < n; i++)
                if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
                        *why = "control character in the identity";
                        return -EINVAL;
                }
        id->type = type;
        id->len = n;
        memcpy(id->data, s, n);
        return 0;
}

/* "C=JP, O=Example, CN=vpn" or "/C=JP/O=Example/CN=vpn" -> DER. A backslash
 * escapes the next character (RFC 4514 style "\,"). */
static int parse_dn(const char *s, struct ike_identity *id, const char **why)
{
        X509_NAME *name = X509_NAME_new();
        char sep = *s == '/' ? '/' : ',';
        char attr[64], value[IKE_IDENTITY_MAX];
        const char *p = *s == '/' ? s + 1 : s;
        unsigned char *der = NULL;
        int len, r = -EINVAL;

        if (!name) {
                *why = "out of memory";
                return -ENOMEM;
        }
        while (*p) {
                size_t a = 0, v = 0;

                while (*p == ' ')
                        p++;
                while (*p && *p != '=' && a + 1 < sizeof(attr))
                        attr[a++] = *p++;
                while (a && attr[a - 1] == ' ')
                        a--;
                attr[a] = 0;
                if (*p != '=' || a == 0) {
                        *why = "a DN element is not ATTRIBUTE=value";
                        goto out;
                }
                p++;
                while (*p == ' ')
                        p++;
                while (*p && *p != sep && v + 1 < sizeof(value)) {
                        if (*p == '\\' && p[1])
                                p++;
                        value[v++] = *p++;
                }
                while (v && value[v - 1] == ' ')
                        v--;
                value[v] = 0;
                if (v == 0) {
                        *why = "a DN element has an empty value";
                        goto out;
                }
                if (!X509_NAME_add_entry_by_txt(name, attr, MBSTRING_UTF8,
                                                (const unsigned char *)value, (int)v, -1, 0)) {
                        *why = "unknown DN attribute (use C, ST, L, O, OU, CN, emailAddress, ...)";
                        goto out;
                }
                if (*p == sep)
                        p++;
        }
        if (X509_NAME_entry_count(name) == 0) {
                *why = "empty DN";
                goto out;
        }
        len = i2d_X509_NAME(name, &der);
        if (len <= 0 || (size_t)len > IKE_IDENTITY_MAX) {
                *why = "DN too long";
                goto out;
        }
        id->type = IKEV2_ID_DER_ASN1_DN;
        id->len = (size_t)len;
        memcpy(id->data, der, (size_t)len);
        r = 0;
out:
        OPENSSL_free(der);
        X509_NAME_free(name);
        return r;
}

int ike_identity_parse(const char *s, struct ike_identity *ret, const char **ret_why)
{
        struct ike_identity id = {0};
        const char *why = "invalid identity";
        uint8_t a[16];
        int r;

        if (!s) {
                if (ret_why)
                        *ret_why = "no identity";
                return -EINVAL;
        }
        if (inet_pton(AF_INET, s, a) == 1) {
                id.type = IKEV2_ID_IPV4_ADDR;
                id.len = 4;
                memcpy(id.data, a, 4);
                r = 0;
        } else if (inet_pton(AF_INET6, s, a) == 1) {
                id.type = IKEV2_ID_IPV6_ADDR;
                id.len = 16;
                memcpy(id.data, a, 16);
                r = 0;
        } else if (s[0] == '@' && s[1] == '#') {
                size_t n = strlen(s + 2);

                r = -EINVAL;
                if (n == 0 || n % 2 || n / 2 > IKE_IDENTITY_MAX) {
                        why = "a key ID needs an even number of hex digits";
                } else {
                        r = 0;
                        for (size_t i = 0; i < n / 2 && r == 0; i++) {
                                int hi = hexval(s[2 + 2 * i]), lo = hexval(s[3 + 2 * i]);

                                if (hi < 0 || lo < 0) {
                                        why = "a key ID is written in hex";
                                        r = -EINVAL;
                                        break;
                                }
                                id.data[i] = (uint8_t)(hi << 4 | lo);
                        }
                        id.type = IKEV2_ID_KEY_ID;
                        id.len = n / 2;
                }
        } else if (s[0] == '@' && s[1] == '@') {
                r = set_text(&id, IKEV2_ID_RFC822_ADDR, s + 2, &why);
        } else if (s[0] == '@') {
                r = set_text(&id, IKEV2_ID_FQDN, s + 1, &why);
        } else if (strchr(s, '=')) {
                r = parse_dn(s, &id, &why);
        } else if (strchr(s, '@')) {
                r = set_text(&id, IKEV2_ID_RFC822_ADDR, s, &why);
        } else {
                r = set_text(&id, IKEV2_ID_FQDN, s, &why);
        }
        if (r < 0) {
                if (ret_why)
                        *ret_why = why;
                return r;
        }
        *ret = id;
        return 0;
}

void ike_identity_format(const struct ike_identity *id, char *buf, size_t size)
{
        struct ike_id i = {.type = id->type, .data = SLICE(id->data, id->len)};

        if (id->type == IKEV2_ID_DER_ASN1_DN) {
                const unsigned char *p = id->data;
                X509_NAME *n = d2i_X509_NAME(NULL, &p, (long)id->len);

                if (n) {
                        BIO *b = BIO_new(BIO_s_mem());
                        char *t = NULL;
                        long len;

                        if (b &&
                            X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253 & ~XN_FLAG_DN_REV) >= 0 &&
                            (len = BIO_get_mem_data(b, &t)) > 0 && size > 0) {
                                size_t k = MIN((size_t)len, size - 1);

                                memcpy(buf, t, k);
                                buf[k] = 0;
                                for (size_t j = 0; j < k; j++)
                                        if ((unsigned char)buf[j] < 0x20)
                                                buf[j] = '?';
                                BIO_free(b);
                                X509_NAME_free(n);
                                return;
                        }
                        BIO_free(b);
                        X509_NAME_free(n);
                }
        }
        ike_id_format(&i, buf, size);
}

/* DNs compare by content (X509_NAME_cmp canonicalises string types and
 * case), not by encoding. */
static bool dn_eq(const struct ike_identity *a, const struct ike_identity *b)
{
        const unsigned char *pa = a->data, *pb = b->data;
        X509_NAME *na = d2i_X509_NAME(NULL, &pa, (long)a->len);
        X509_NAME *nb = d2i_X509_NAME(NULL, &pb, (long)b->len);
        bool eq = na && nb && X509_NAME_cmp(na, nb) == 0;

        X509_NAME_free(na);
        X509_NAME_free(nb);
        return eq;
}

bool ike_identity_eq(const struct ike_identity *a, const struct ike_identity *b)
{
        if (a->type == IKEV2_ID_DER_ASN1_DN && b->type == IKEV2_ID_DER_ASN1_DN)
                return dn_eq(a, b);
        if (a->type != b->type || a->len != b->len)
                return false;
        if (a->type == IKEV2_ID_FQDN || a->type == IKEV2_ID_RFC822_ADDR) {
                for (size_t i = 0; i < a->len; i++) {
                        uint8_t x = a->data[i], y = b->data[i];

                        if (x >= 'A' && x <= 'Z')
                                x = (uint8_t)(x + 32);
                        if (y >= 'A' && y <= 'Z')
                                y = (uint8_t)(y + 32);
                        if (x != y)
                                return false;
                }
                return true;
        }
        return memcmp(a->data, b->data, a->len) == 0;
}
