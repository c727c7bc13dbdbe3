/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Property lists: the XML form (Apple's PropertyList-1.0 DTD: plist, dict,
 * key, array, string, integer, real, true, false, data, date) read with
 * GMarkup, and the binary form read with the bounded reader.
 *
 * Binary form ("bplist00"), as Apple's CFBinaryPList.c describes it:
 *
 *   +----------+---------------------+--------------+-------------------+
 *   | bplist00 | objects ...         | offset table | trailer (32 bytes)|
 *   +----------+---------------------+--------------+-------------------+
 *   trailer: 5 unused, 1 sort version, offset int size, object ref size,
 *            number of objects (be64), top object (be64), offset table
 *            offset (be64)
 *   object:  marker byte, high nibble the type, low nibble a size (0xf:
 *            an integer object follows with the size).
 */
#include "plist.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include <glib.h>

#include "client/common/rbuf.h"
#include "internal.h"

void plist_free(struct plist *p)
{
        if (!p)
                return;
        switch (p->type) {
        case PLIST_STRING:
        case PLIST_DATE:
                g_free(p->str);
                break;
        case PLIST_DATA:
                bytes_free(&p->data.bytes);
                break;
        case PLIST_DICT:
                for (size_t i = 0; i < p->dict.n; i++) {
                        g_free(p->dict.keys[i]);
                        plist_free(p->dict.values[i]);
                }
                g_free(p->dict.keys);
                g_free(p->dict.values);
                break;
        case PLIST_ARRAY:
                for (size_t i = 0; i < p->array.n; i++)
                        plist_free(p->array.items[i]);
                g_free(p->array.items);
                break;
        default:
                break;
        }
        g_free(p);
}

void plist_wipe(struct plist *p)
{
        if (!p)
                return;
        switch (p->type) {
        case PLIST_STRING:
        case PLIST_DATE:
                secure_wipe(p->str, strlen(p->str));
                break;
        case PLIST_DATA:
                secure_wipe(p->data.bytes.ptr, p->data.bytes.len);
                break;
        case PLIST_DICT:
                for (size_t i = 0; i < p->dict.n; i++)
                        plist_wipe(p->dict.values[i]);
                break;
        case PLIST_ARRAY:
                for (size_t i = 0; i < p->array.n; i++)
                        plist_wipe(p->array.items[i]);
                break;
        default:
                break;
        }
}

struct plist *plist_get(const struct plist *d, const char *key)
{
        if (!d || d->type != PLIST_DICT)
                return NULL;
        for (size_t i = 0; i < d->dict.n; i++)
                if (strcmp(d->dict.keys[i], key) == 0)
                        return d->dict.values[i];
        return NULL;
}

const char *plist_type_name(enum plist_type t)
{
        static const char *const names[] = {
                [PLIST_DICT] = "a dictionary", [PLIST_ARRAY] = "an array",
                [PLIST_STRING] = "a string",   [PLIST_INTEGER] = "an integer",
                [PLIST_REAL] = "a real",       [PLIST_BOOL] = "a boolean",
                [PLIST_DATA] = "data",         [PLIST_DATE] = "a date",
        };

        return (size_t)t < G_N_ELEMENTS(names) ? names[t] : "?";
}

static int dict_add(struct plist *d, char *key, struct plist *v, char **ret_error)
{
        for (size_t i = 0; i < d->dict.n; i++)
                if (strcmp(d->dict.keys[i], key) == 0) {
                        *ret_error = g_strdup_printf("key '%s' appears twice in one dictionary",
                                                     key);
                        g_free(key);
                        plist_free(v);
                        return -EINVAL;
                }
        d->dict.keys = g_renew(char *, d->dict.keys, d->dict.n + 1);
        d->dict.values = g_renew(struct plist *, d->dict.values, d->dict.n + 1);
        d->dict.keys[d->dict.n] = key;
        d->dict.values[d->dict.n] = v;
        d->dict.n++;
        return 0;
}

static void array_add(struct plist *a, struct plist *v)
{
        a->array.items = g_renew(struct plist *, a->array.items, a->array.n + 1);
        a->array.items[a->array.n++] = v;
}

/* ------------------------------------------------------------ XML */

struct frame {
        struct plist *node; /* NULL for the <plist> wrapper */
        char *key;          /* dict: key waiting for its value */
};

struct xp {
        struct plist *root;
        struct frame stack[PROFILE_MAX_DEPTH + 1];
        size_t depth;
        size_t nodes;
        GString *text;
        const char *leaf; /* element whose text is being collected */
        bool seen_plist;
        bool limit; /* a limit, not a syntax error, stopped the parse */
        GMarkupParseContext *ctx;
};

static const char *const leaves[] = { "key",  "string", "integer", "real",
                                      "data", "date",   "true",    "false" };

static int line_of(struct xp *x)
{
        int line = 0, ch = 0;

        g_markup_parse_context_get_position(x->ctx, &line, &ch);
        return line;
}

/* Hangs v into the current container. Takes v. */
static bool attach(struct xp *x, struct plist *v, GError **error)
{
        struct frame *f = &x->stack[x->depth - 1];
        char *why = NULL;

        if (++x->nodes > PROFILE_MAX_NODES) {
                x->limit = true;
                plist_free(v);
                g_set_error(error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                            "more than %d objects", PROFILE_MAX_NODES);
                return false;
        }
        if (!f->node) {
                if (x->root) {
                        plist_free(v);
                        g_set_error_literal(error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                                            "<plist> holds more than one value");
                        return false;
                }
                x->root = v;
                return true;
        }
        if (f->node->type == PLIST_ARRAY) {
                array_add(f->node, v);
                return true;
        }
        if (!f->key) {
                g_set_error(error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                            "%s inside <dict> without a <key> before it",
                            plist_type_name(v->type));
                plist_free(v);
                return false;
        }
        if (dict_add(f->node, TAKE_PTR(f->key), v, &why) < 0) {
                g_set_error(error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT, "%s", why);
                g_free(why);
                return false;
        }
        return true;
}

static void xml_start(GMarkupParseContext *ctx, const char *name, const char **attr_names,
                      const char **attr_values, gpointer data, GError **error)
{
        struct xp *x = data;
        struct plist *v;

        if (x->leaf) {
                g_set_error(error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                            "<%s> inside <%s>", name, x->leaf);
                return;
        }
        if (x->depth == 0) {
                if (strcmp(name, "plist") != 0 || x->seen_plist) {
                        g_set_error(error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                                    "the document element is <%s>; expected <plist>", name);
                        return;
                }
                x->seen_plist = true;
                x->stack[x->depth++] = (struct frame){ 0 };
                return;
        }
        for (size_t i = 0; i < G_N_ELEMENTS(leaves); i++)
                if (strcmp(name, leaves[i]) == 0) {
                        x->leaf = leaves[i];
                        g_string_truncate(x->text, 0);
                        return;
                }
        if (strcmp(name, "dict") != 0 && strcmp(name, "array") != 0) {
                g_set_error(error, G_MARKUP_ERROR, G_MARKUP_ERROR_UNKNOWN_ELEMENT,
                            "unknown element <%s>", name);
                return;
        }
        if (x->depth > PROFILE_MAX_DEPTH) {
                x->limit = true;
                g_set_error(error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                            "nested deeper than %d levels", PROFILE_MAX_DEPTH);
                return;
        }
        v = g_new0(struct plist, 1);
        v->type = name[0] == 'd' ? PLIST_DICT : PLIST_ARRAY;
        v->line = (size_t)line_of(x);
        if (!attach(x, v, error))
                return;
        x->stack[x->depth++] = (struct frame){ .node = v };
}

static void xml_end(GMarkupParseContext *ctx, const char *name, gpointer data, GError **error)
{
        struct xp *x = data;
        struct frame *f;
        struct plist *v;
        const char *t;

        if (!x->leaf) {
                /* A container or <plist> closes. */
                f = &x->stack[x->depth - 1];
                if (f->key) {
                        g_set_error(error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                                    "<key>%s</key> has no value", f->key);
                        return;
                }
                if (!f->node && !x->root) {
                        g_set_error_literal(error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                                            "<plist> is empty");
                        return;
                }
                x->depth--;
                return;
        }
        x->leaf = NULL;
        t = x->text->str;
        f = &x->stack[x->depth - 1];
        if (strcmp(name, "key") == 0) {
                if (!f->node || f->node->type != PLIST_DICT) {
                        g_set_error_literal(error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                                            "<key> outside a <dict>");
                        return;
                }
                if (f->key) {
                        g_set_error(error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                                    "<key>%s</key> has no value before the next <key>", f->key);
                        return;
                }
                if (x->text->len > PROFILE_MAX_STRING) {
                        g_set_error(error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                                    "a <key> longer than %d bytes", PROFILE_MAX_STRING);
                        return;
                }
                f->key = g_strdup(t);
                return;
        }
        v = g_new0(struct plist, 1);
        v->line = (size_t)line_of(x);
        if (strcmp(name, "string") == 0 || strcmp(name, "date") == 0) {
                v->type = name[0] == 's' ? PLIST_STRING : PLIST_DATE;
                v->str = g_strdup(t);
        } else if (strcmp(name, "integer") == 0) {
                g_autofree char *s = g_strstrip(g_strdup(t));
                gint64 n;

                v->type = PLIST_INTEGER;
                if (!g_ascii_string_to_signed(s, 10, G_MININT64, G_MAXINT64, &n, NULL)) {
                        g_set_error(error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                                    "<integer>%.32s</integer> is not a decimal integer", s);
                        plist_free(v);
                        return;
                }
                v->integer = n;
        } else if (strcmp(name, "real") == 0) {
                g_autofree char *s = g_strstrip(g_strdup(t));
                char *end = NULL;

                v->type = PLIST_REAL;
                v->real = g_ascii_strtod(s, &end);
                if (!*s || *end || !isfinite(v->real)) {
                        g_set_error(error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                                    "<real>%.32s</real> is not a number", s);
                        plist_free(v);
                        return;
                }
        } else if (strcmp(name, "data") == 0) {
                v->type = PLIST_DATA;
                v->data.base64 = true;
                bytes_dup(&v->data.bytes, SLICE(t, x->text->len));
        } else {
                v->type = PLIST_BOOL;
                v->boolean = strcmp(name, "true") == 0;
                if (x->text->len > 0) {
                        g_set_error(error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                                    "<%s> must be empty", name);
                        plist_free(v);
                        return;
                }
        }
        attach(x, v, error);
}

static void xml_text(GMarkupParseContext *ctx, const char *text, gsize len, gpointer data,
                     GError **error)
{
        struct xp *x = data;

        if (x->leaf) {
                g_string_append_len(x->text, text, (gssize)len);
                return;
        }
        for (gsize i = 0; i < len; i++)
                if (!g_ascii_isspace(text[i])) {
                        g_set_error_literal(error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                                            "text outside of a value element");
                        return;
                }
}

static const GMarkupParser xml_parser = {
        .start_element = xml_start,
        .end_element = xml_end,
        .text = xml_text,
};

static int xml_parse(const uint8_t *data, size_t len, struct plist **ret, char **ret_error)
{
        struct xp x = { .text = g_string_new(NULL) };
        g_autoptr(GError) e = NULL;
        bool ok;

        x.ctx = g_markup_parse_context_new(&xml_parser, G_MARKUP_PREFIX_ERROR_POSITION, &x, NULL);
        ok = g_markup_parse_context_parse(x.ctx, (const char *)data, (gssize)len, &e) &&
             g_markup_parse_context_end_parse(x.ctx, &e);
        if (ok && !x.root) {
                ok = false;
                g_set_error_literal(&e, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                                    "no <plist> element with a value");
        }
        for (size_t i = 0; i < G_N_ELEMENTS(x.stack); i++)
                g_free(x.stack[i].key);
        g_markup_parse_context_free(x.ctx);
        /* The text buffer may have held a password or a PKCS#12. */
        secure_wipe(x.text->str, x.text->allocated_len);
        g_string_free(x.text, true);
        if (!ok) {
                plist_free(x.root);
                *ret_error = g_strdup(e ? e->message : "unreadable XML");
                return x.limit ? -E2BIG : -EINVAL;
        }
        *ret = x.root;
        return 0;
}

/* ------------------------------------------------------------ binary */

struct bp {
        const uint8_t *data;
        size_t len;
        uint8_t offset_size, ref_size;
        uint64_t count, table;
        size_t nodes;
        bool limit;
        char *error;
};

_printf_(2, 3) static int bp_fail(struct bp *b, const char *fmt, ...)
{
        va_list ap;

        if (!b->error) {
                va_start(ap, fmt);
                b->error = g_strdup_vprintf(fmt, ap);
                va_end(ap);
        }
        return -EINVAL;
}

static int read_be(struct rbuf *r, uint8_t size, uint64_t *ret)
{
        uint64_t v = 0;

        for (uint8_t i = 0; i < size; i++) {
                uint8_t c;

                if (rbuf_u8(r, &c) < 0)
                        return -EBADMSG;
                v = v << 8 | c;
        }
        *ret = v;
        return 0;
}

/* The object count of a marker: the low nibble, or an integer object after it. */
static int bp_count(struct bp *b, struct rbuf *r, uint8_t marker, uint64_t *ret)
{
        uint8_t m;

        if ((marker & 0x0f) != 0x0f) {
                *ret = marker & 0x0f;
                return 0;
        }
        if (rbuf_u8(r, &m) < 0 || (m & 0xf0) != 0x10 || (m & 0x0f) > 3)
                return bp_fail(b, "bad length encoding at offset %zu", rbuf_pos(r));
        if (read_be(r, (uint8_t)(1u << (m & 0x0f)), ret) < 0)
                return bp_fail(b, "truncated length at offset %zu", rbuf_pos(r));
        return 0;
}

static int bp_object(struct bp *b, uint64_t idx, unsigned depth, struct plist **ret);

static int bp_ref(struct bp *b, struct rbuf *r, uint64_t *ret)
{
        if (read_be(r, b->ref_size, ret) < 0)
                return bp_fail(b, "truncated object reference");
        if (*ret >= b->count)
                return bp_fail(b, "object reference %" G_GUINT64_FORMAT " beyond %" G_GUINT64_FORMAT
                               " objects",
                               *ret, b->count);
        return 0;
}

static int bp_container(struct bp *b, struct rbuf *r, uint8_t marker, unsigned depth,
                        struct plist *v)
{
        uint64_t n, ref;
        struct rbuf keys, vals;
        int rr;

        if (bp_count(b, r, marker, &n) < 0)
                return -EINVAL;
        if (n > PROFILE_MAX_NODES)
                return bp_fail(b, "a container of %" G_GUINT64_FORMAT " entries", n);
        if (rbuf_sub(r, (size_t)n * b->ref_size, &keys) < 0)
                return bp_fail(b, "container references run past the end");
        if (v->type == PLIST_ARRAY) {
                for (uint64_t i = 0; i < n; i++) {
                        struct plist *item = NULL;

                        if (bp_ref(b, &keys, &ref) < 0)
                                return -EINVAL;
                        rr = bp_object(b, ref, depth + 1, &item);
                        if (rr < 0)
                                return rr;
                        array_add(v, item);
                }
                return 0;
        }
        if (rbuf_sub(r, (size_t)n * b->ref_size, &vals) < 0)
                return bp_fail(b, "dictionary value references run past the end");
        for (uint64_t i = 0; i < n; i++) {
                struct plist *k = NULL, *val = NULL;
                char *why = NULL;
                uint64_t kref, vref;

                if (bp_ref(b, &keys, &kref) < 0 || bp_ref(b, &vals, &vref) < 0)
                        return -EINVAL;
                rr = bp_object(b, kref, depth + 1, &k);
                if (rr < 0)
                        return rr;
                if (k->type != PLIST_STRING) {
                        plist_free(k);
                        return bp_fail(b, "a dictionary key is not a string");
                }
                rr = bp_object(b, vref, depth + 1, &val);
                if (rr < 0) {
                        plist_free(k);
                        return rr;
                }
                if (dict_add(v, TAKE_PTR(k->str), val, &why) < 0) {
                        plist_free(k);
                        bp_fail(b, "%s", why);
                        g_free(why);
                        return -EINVAL;
                }
                plist_free(k);
        }
        return 0;
}

static int bp_string(struct bp *b, struct rbuf *r, uint8_t marker, struct plist *v)
{
        struct slice s;
        uint64_t n;

        if (bp_count(b, r, marker, &n) < 0)
                return -EINVAL;
        if ((marker & 0xf0) == 0x60) {
                g_autofree gunichar2 *u = NULL;
                g_autoptr(GError) e = NULL;
                glong written = 0;

                if (n > SIZE_MAX / 2 || rbuf_slice(r, (size_t)n * 2, &s) < 0)
                        return bp_fail(b, "a UTF-16 string runs past the end");
                u = g_new(gunichar2, n + 1);
                for (size_t i = 0; i < n; i++)
                        u[i] = (gunichar2)(s.ptr[2 * i] << 8 | s.ptr[2 * i + 1]);
                v->str = g_utf16_to_utf8(u, (glong)n, NULL, &written, &e);
                if (!v->str)
                        return bp_fail(b, "a UTF-16 string is not valid: %s", e->message);
                if ((size_t)written != strlen(v->str))
                        return bp_fail(b, "a string holds a NUL character");
        } else {
                if (rbuf_slice(r, (size_t)n, &s) < 0)
                        return bp_fail(b, "an ASCII string runs past the end");
                for (size_t i = 0; i < s.len; i++)
                        if (s.ptr[i] == 0 || s.ptr[i] >= 0x80)
                                return bp_fail(b, "an ASCII string holds byte 0x%02x",
                                               s.ptr[i]);
                v->str = g_strndup((const char *)s.ptr, s.len);
        }
        return 0;
}

static int bp_object(struct bp *b, uint64_t idx, unsigned depth, struct plist **ret)
{
        _cleanup_(plist_freep) struct plist *v = NULL;
        struct rbuf r, table;
        uint64_t off, n;
        uint8_t marker;
        int rr;

        if (depth > PROFILE_MAX_DEPTH || ++b->nodes > PROFILE_MAX_NODES) {
                b->limit = true;
                if (depth > PROFILE_MAX_DEPTH)
                        return bp_fail(b, "nested deeper than %d levels", PROFILE_MAX_DEPTH);
                return bp_fail(b, "more than %d objects", PROFILE_MAX_NODES);
        }
        rbuf_init(&table, b->data + b->table, b->len - 32 - b->table);
        if (rbuf_skip(&table, (size_t)idx * b->offset_size) < 0 ||
            read_be(&table, b->offset_size, &off) < 0)
                return bp_fail(b, "offset table too short for object %" G_GUINT64_FORMAT, idx);
        if (off < 8 || off >= b->table)
                return bp_fail(b, "object %" G_GUINT64_FORMAT " at offset %" G_GUINT64_FORMAT
                               " outside the object area",
                               idx, off);
        rbuf_init(&r, b->data, b->table);
        r.off = (size_t)off;
        if (rbuf_u8(&r, &marker) < 0)
                return bp_fail(b, "truncated object");
        v = g_new0(struct plist, 1);
        switch (marker >> 4) {
        case 0x0:
                if (marker != 0x08 && marker != 0x09)
                        return bp_fail(b, "unsupported object (marker 0x%02x) at offset %"
                                       G_GUINT64_FORMAT, marker, off);
                v->type = PLIST_BOOL;
                v->boolean = marker == 0x09;
                break;
        case 0x1:
                if ((marker & 0x0f) > 3)
                        return bp_fail(b, "integer wider than 64 bits at offset %" G_GUINT64_FORMAT,
                                       off);
                if (read_be(&r, (uint8_t)(1u << (marker & 0x0f)), &n) < 0)
                        return bp_fail(b, "truncated integer");
                v->type = PLIST_INTEGER;
                v->integer = (int64_t)n; /* 8-byte integers are signed, shorter ones unsigned */
                break;
        case 0x2:
        case 0x3: {
                double d;

                if (marker != 0x22 && marker != 0x23 && marker != 0x33)
                        return bp_fail(b, "unsupported number (marker 0x%02x)", marker);
                if (marker == 0x22) {
                        uint32_t u;
                        float f;

                        if (rbuf_be32(&r, &u) < 0)
                                return bp_fail(b, "truncated real");
                        memcpy(&f, &u, sizeof(f));
                        d = (double)f;
                } else {
                        if (rbuf_be64(&r, &n) < 0)
                                return bp_fail(b, "truncated real");
                        memcpy(&d, &n, sizeof(d));
                }
                if (!isfinite(d))
                        return bp_fail(b, "a real that is not finite");
                v->type = marker == 0x33 ? PLIST_DATE : PLIST_REAL;
                if (v->type == PLIST_DATE)
                        v->str = g_strdup_printf("%.0f", d); /* seconds since 2001-01-01 */
                else
                        v->real = d;
                break;
        }
        case 0x4: {
                struct slice s;

                if (bp_count(b, &r, marker, &n) < 0)
                        return -EINVAL;
                if (rbuf_slice(&r, (size_t)n, &s) < 0)
                        return bp_fail(b, "data runs past the end");
                v->type = PLIST_DATA;
                bytes_dup(&v->data.bytes, s);
                break;
        }
        case 0x5:
        case 0x6:
                v->type = PLIST_STRING;
                rr = bp_string(b, &r, marker, v);
                if (rr < 0)
                        return rr;
                break;
        case 0xa:
        case 0xd:
                v->type = (marker >> 4) == 0xa ? PLIST_ARRAY : PLIST_DICT;
                rr = bp_container(b, &r, marker, depth, v);
                if (rr < 0)
                        return rr;
                break;
        default:
                return bp_fail(b, "unsupported object (marker 0x%02x) at offset %" G_GUINT64_FORMAT,
                               marker, off);
        }
        *ret = TAKE_PTR(v);
        return 0;
}

static int binary_parse(const uint8_t *data, size_t len, struct plist **ret, char **ret_error)
{
        struct bp b = { .data = data, .len = len };
        struct rbuf r;
        uint64_t top;
        int rr;

        if (len < 8 + 32) {
                *ret_error = g_strdup("binary property list shorter than its header and trailer");
                return -EINVAL;
        }
        rbuf_init(&r, data + len - 32, 32);
        rbuf_skip(&r, 6);
        rbuf_u8(&r, &b.offset_size);
        rbuf_u8(&r, &b.ref_size);
        rbuf_be64(&r, &b.count);
        rbuf_be64(&r, &top);
        rbuf_be64(&r, &b.table);
        if (b.offset_size < 1 || b.offset_size > 8 || b.ref_size < 1 || b.ref_size > 8) {
                *ret_error = g_strdup_printf("bad trailer: offset size %u, reference size %u "
                                             "(expected 1..8)",
                                             b.offset_size, b.ref_size);
                return -EINVAL;
        }
        if (b.count == 0 || b.count > PROFILE_MAX_NODES || top >= b.count) {
                *ret_error = g_strdup_printf("bad trailer: %" G_GUINT64_FORMAT
                                             " objects, top object %" G_GUINT64_FORMAT,
                                             b.count, top);
                return -EINVAL;
        }
        if (b.table < 8 || b.table > len - 32 ||
            b.count * b.offset_size > len - 32 - b.table) {
                *ret_error = g_strdup_printf("bad trailer: offset table at %" G_GUINT64_FORMAT
                                             " does not fit in %zu bytes",
                                             b.table, len);
                return -EINVAL;
        }
        rr = bp_object(&b, top, 0, ret);
        if (rr < 0) {
                *ret_error = b.error ? b.error : g_strdup("unreadable binary property list");
                return b.limit ? -E2BIG : rr;
        }
        return 0;
}

int plist_parse(const uint8_t *data, size_t len, struct plist **ret, char **ret_error)
{
        if (len >= 8 && memcmp(data, "bplist00", 8) == 0)
                return binary_parse(data, len, ret, ret_error);
        if (!g_utf8_validate_len((const char *)data, len, NULL)) {
                *ret_error = g_strdup("not UTF-8 text and not a binary property list");
                return -EINVAL;
        }
        return xml_parse(data, len, ret, ret_error);
}
