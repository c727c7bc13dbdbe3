/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small strict parsers shared by the profile importers. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "internal.h"

/* Line and column (1-based, column in bytes) of offset off. */
static void locate(const uint8_t *data, size_t off, size_t *ret_line, size_t *ret_col)
{
        size_t line = 1, col = 1;

        for (size_t i = 0; i < off; i++) {
                if (data[i] == '\n') {
                        line++;
                        col = 1;
                } else {
                        col++;
                }
        }
        *ret_line = line;
        *ret_col = col;
}

int check_file_bytes(struct profile_report *r, const uint8_t *data, size_t len, bool text)
{
        const char *end;
        size_t off, line, col;

        if (len > PROFILE_MAX_FILE_SIZE) {
                report_error(r, PROFILE_E_LIMIT, "",
                             "file is %zu bytes; profiles are limited to %d bytes", len,
                             PROFILE_MAX_FILE_SIZE);
                return -EFBIG;
        }
        if (len == 0) {
                report_error(r, PROFILE_E_SYNTAX, "", "file is empty");
                return -EINVAL;
        }
        if (!text)
                return 0;
        if (g_utf8_validate_len((const char *)data, len, &end))
                return 0;
        off = (size_t)((const uint8_t *)end - data);
        locate(data, off, &line, &col);
        if (data[off] == '\0')
                report_error(r, PROFILE_E_ENCODING, "",
                             "NUL byte at line %zu, column %zu (byte offset %zu); profiles are "
                             "text",
                             line, col, off);
        else
                report_error(r, PROFILE_E_ENCODING, "",
                             "invalid UTF-8 (byte 0x%02x) at line %zu, column %zu (byte offset "
                             "%zu); expected UTF-8 text",
                             data[off], line, col, off);
        return -EINVAL;
}

const char *check_text(const char *s, size_t max)
{
        size_t n = strlen(s);

        if (n > max)
                return "too long";
        if (!g_utf8_validate(s, (gssize)n, NULL))
                return "not valid UTF-8";
        for (size_t i = 0; i < n; i++)
                if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
                        return "contains a control character";
        return NULL;
}

static int b64_value(char c)
{
        if (c >= 'A' && c <= 'Z')
                return c - 'A';
        if (c >= 'a' && c <= 'z')
                return c - 'a' + 26;
        if (c >= '0' && c <= '9')
                return c - '0' + 52;
        if (c == '+')
                return 62;
        if (c == '/')
                return 63;
        return -1;
}

static bool is_space(char c)
{
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

const char *base64_decode_strict(const char *s, size_t len, bool allow_space, struct bytes *ret,
                                 size_t *ret_bad)
{
        struct bytes out;
        size_t chars = 0, pad = 0, o = 0;
        uint32_t acc = 0;
        int q = 0;

        /* First pass: validate and count, so the output is exactly sized. */
        for (size_t i = 0; i < len; i++) {
                char c = s[i];

                if (is_space(c)) {
                        if (!allow_space) {
                                *ret_bad = i;
                                return "whitespace inside base64";
                        }
                        continue;
                }
                if (c == '=') {
                        if (chars % 4 < 2 || pad >= 2) {
                                *ret_bad = i;
                                return "misplaced '=' padding";
                        }
                        pad++;
                        chars++;
                        continue;
                }
                if (b64_value(c) < 0) {
                        *ret_bad = i;
                        return "character outside the base64 alphabet";
                }
                if (pad > 0) {
                        *ret_bad = i;
                        return "data after '=' padding";
                }
                chars++;
        }
        if (chars == 0) {
                *ret_bad = 0;
                return "empty";
        }
        if (chars % 4 != 0 || (pad > 0 && chars % 4 != 0)) {
                *ret_bad = len;
                return "length is not a multiple of 4 (truncated or missing '=' padding)";
        }
        if (bytes_alloc(&out, chars / 4 * 3 - pad) < 0) {
                *ret_bad = 0;
                return "out of memory";
        }
        for (size_t i = 0; i < len; i++) {
                int v;

                if (is_space(s[i]) || s[i] == '=')
                        continue;
                v = b64_value(s[i]);
                acc = acc << 6 | (uint32_t)v;
                if (++q == 4) {
                        out.ptr[o++] = (uint8_t)(acc >> 16);
                        out.ptr[o++] = (uint8_t)(acc >> 8);
                        out.ptr[o++] = (uint8_t)acc;
                        acc = 0;
                        q = 0;
                }
        }
        if (q == 3) { /* one '=' */
                out.ptr[o++] = (uint8_t)(acc >> 10);
                out.ptr[o++] = (uint8_t)(acc >> 2);
        } else if (q == 2) { /* two '=' */
                out.ptr[o++] = (uint8_t)(acc >> 4);
        }
        g_assert(o == out.len);
        *ret = out;
        return NULL;
}

int parse_addr(const char *s, struct profile_addr *ret)
{
        struct profile_addr a = { 0 };

        if (strchr(s, ':')) {
                if (inet_pton(AF_INET6, s, a.addr) != 1)
                        return -EINVAL;
                a.family = AF_INET6;
        } else {
                if (inet_pton(AF_INET, s, a.addr) != 1)
                        return -EINVAL;
                a.family = AF_INET;
        }
        *ret = a;
        return 0;
}

static bool all_digits(const char *s, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (!g_ascii_isdigit(s[i]))
                        return false;
        return n > 0;
}

const char *check_domain(const char *s)
{
        size_t n = strlen(s), label = 0, last = 0;

        if (n == 0)
                return "empty";
        if (n > 253)
                return "longer than 253 characters";
        for (size_t i = 0; i <= n; i++) {
                char c = s[i];

                if (c == '.' || c == '\0') {
                        if (label == 0)
                                return "has an empty label";
                        if (s[i - 1] == '-' || s[i - label] == '-')
                                return "has a label that starts or ends with '-'";
                        last = i - label;
                        label = 0;
                        continue;
                }
                if ((unsigned char)c >= 0x80)
                        return "is not ASCII (write internationalised names in their xn-- form)";
                if (!g_ascii_isalnum(c) && c != '-' && c != '_')
                        return "contains a character other than letters, digits, '-', '_' and "
                               "'.'";
                if (++label > 63)
                        return "has a label longer than 63 characters";
        }
        if (all_digits(s + last, n - last))
                return "ends in a numeric label (not a valid IP address either)";
        return NULL;
}

const char *check_host(const char *s)
{
        struct profile_addr a;

        if (parse_addr(s, &a) == 0)
                return NULL;
        if (strchr(s, ':'))
                return "is not a valid IPv6 address";
        return check_domain(s);
}

const char *parse_subnet(const char *s, struct profile_subnet *ret)
{
        struct profile_subnet n = { 0 };
        struct profile_addr a;
        g_autofree char *addr = NULL;
        const char *slash = strchr(s, '/');
        uint64_t prefix;
        unsigned bits;

        addr = slash ? g_strndup(s, (gsize)(slash - s)) : g_strdup(s);
        if (parse_addr(addr, &a) < 0)
                return "is not an IPv4 or IPv6 address";
        bits = a.family == AF_INET ? 32 : 128;
        if (!slash)
                prefix = bits;
        else if (parse_u64(slash + 1, bits, &prefix) < 0)
                return a.family == AF_INET ? "has a prefix length that is not 0..32"
                                           : "has a prefix length that is not 0..128";
        n.family = a.family;
        n.prefixlen = (uint8_t)prefix;
        memcpy(n.addr, a.addr, sizeof(n.addr));
        for (unsigned i = (unsigned)prefix; i < bits; i++)
                if (n.addr[i / 8] & (0x80 >> (i % 8)))
                        return "has bits set after the prefix length (write the network "
                               "address)";
        *ret = n;
        return NULL;
}

char *format_addr(const struct profile_addr *a)
{
        char buf[INET6_ADDRSTRLEN];

        if (!inet_ntop(a->family, a->addr, buf, sizeof(buf)))
                return g_strdup("?");
        return g_strdup(buf);
}

char *format_subnet(const struct profile_subnet *s)
{
        char buf[INET6_ADDRSTRLEN];

        if (!inet_ntop(s->family, s->addr, buf, sizeof(buf)))
                return g_strdup("?");
        return g_strdup_printf("%s/%u", buf, s->prefixlen);
}

int parse_u64(const char *s, uint64_t max, uint64_t *ret)
{
        uint64_t v = 0;

        if (!s || !*s)
                return -EINVAL;
        for (const char *c = s; *c; c++) {
                if (!g_ascii_isdigit(*c))
                        return -EINVAL;
                if (v > (UINT64_MAX - (uint64_t)(*c - '0')) / 10)
                        return -ERANGE;
                v = v * 10 + (uint64_t)(*c - '0');
        }
        if (v > max)
                return -ERANGE;
        *ret = v;
        return 0;
}

int parse_duration(const char *s, uint32_t *ret)
{
        g_autofree char *num = NULL;
        size_t n = strlen(s);
        uint64_t unit = 1, v;
        int r;

        if (n == 0)
                return -EINVAL;
        switch (s[n - 1]) {
        case 's':
                n--;
                break;
        case 'm':
                unit = 60, n--;
                break;
        case 'h':
                unit = 3600, n--;
                break;
        case 'd':
                unit = 86400, n--;
                break;
        default:
                break;
        }
        num = g_strndup(s, n);
        r = parse_u64(num, UINT32_MAX, &v);
        if (r < 0)
                return r;
        if (v > UINT32_MAX / unit)
                return -ERANGE;
        *ret = (uint32_t)(v * unit);
        return 0;
}

char *format_duration(uint32_t seconds)
{
        if (seconds > 0 && seconds % 86400 == 0)
                return g_strdup_printf("%ud", seconds / 86400);
        if (seconds > 0 && seconds % 3600 == 0)
                return g_strdup_printf("%uh", seconds / 3600);
        if (seconds > 0 && seconds % 60 == 0)
                return g_strdup_printf("%um", seconds / 60);
        return g_strdup_printf("%us", seconds);
}

int parse_bool(const char *s, bool *ret)
{
        static const char *const yes[] = { "true", "yes", "on", "1" };
        static const char *const no[] = { "false", "no", "off", "0" };

        for (size_t i = 0; i < G_N_ELEMENTS(yes); i++) {
                if (g_ascii_strcasecmp(s, yes[i]) == 0) {
                        *ret = true;
                        return 0;
                }
                if (g_ascii_strcasecmp(s, no[i]) == 0) {
                        *ret = false;
                        return 0;
                }
        }
        return -EINVAL;
}

int parse_uuid(const char *s, char ret[static 37])
{
        if (strlen(s) != 36 || !g_uuid_string_is_valid(s))
                return -EINVAL;
        for (size_t i = 0; i < 36; i++)
                ret[i] = g_ascii_tolower(s[i]);
        ret[36] = '\0';
        return 0;
}
