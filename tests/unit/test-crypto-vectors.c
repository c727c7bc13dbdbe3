/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "test-crypto-vectors.h"

#include <string.h>

static void tv_case_free(gpointer p)
{
        struct tv_case *c = p;

        for (guint i = 0; i < c->fields->len; i++) {
                struct tv_field *f = &g_array_index(c->fields, struct tv_field, i);

                g_free(f->key);
                g_free(f->value);
        }
        g_array_unref(c->fields);
        g_free(c->file);
        g_free(c);
}

static bool is_blank(const char *s)
{
        for (; *s; s++)
                if (!g_ascii_isspace(*s))
                        return false;
        return true;
}

GPtrArray *tv_load(const char *name)
{
        g_autofree char *path =
                g_test_build_filename(G_TEST_DIST, "tests", "vectors", "crypto", name, NULL);
        g_autofree char *text = NULL;
        g_autoptr(GError) error = NULL;
        g_auto(GStrv) lines = NULL;
        GPtrArray *cases = g_ptr_array_new_with_free_func(tv_case_free);
        struct tv_case *cur = NULL;

        if (!g_file_get_contents(path, &text, NULL, &error))
                g_error("%s: %s", path, error->message);
        lines = g_strsplit(text, "\n", -1);
        for (unsigned n = 0; lines[n]; n++) {
                const char *line = lines[n];
                const char *eq;
                struct tv_field f;

                if (line[0] == '#')
                        continue;
                if (is_blank(line)) {
                        cur = NULL;
                        continue;
                }
                if (line[0] == ' ' || line[0] == '\t') {
                        struct tv_field *last;
                        char *joined;

                        if (!cur || cur->fields->len == 0)
                                g_error("%s:%u: continuation without a value", path, n + 1);
                        last = &g_array_index(cur->fields, struct tv_field, cur->fields->len - 1);
                        joined = g_strconcat(last->value, " ", line, NULL);
                        g_free(last->value);
                        last->value = g_strstrip(joined);
                        continue;
                }
                eq = strchr(line, '=');
                if (!eq)
                        g_error("%s:%u: expected \"key = value\"", path, n + 1);
                if (!cur) {
                        cur = g_new0(struct tv_case, 1);
                        cur->file = g_strdup(name);
                        cur->line = n + 1;
                        cur->fields = g_array_new(FALSE, FALSE, sizeof(struct tv_field));
                        g_ptr_array_add(cases, cur);
                }
                f.key = g_strstrip(g_strndup(line, (gsize)(eq - line)));
                f.value = g_strstrip(g_strdup(eq + 1));
                g_array_append_val(cur->fields, f);
        }
        if (cases->len == 0)
                g_error("%s: no test cases", path);
        return cases;
}

const char *tv_str(const struct tv_case *c, const char *key)
{
        for (guint i = 0; i < c->fields->len; i++) {
                const struct tv_field *f = &g_array_index(c->fields, struct tv_field, i);

                if (strcmp(f->key, key) == 0)
                        return f->value;
        }
        return NULL;
}

bool tv_has(const struct tv_case *c, const char *key)
{
        return tv_str(c, key) != NULL;
}

GBytes *tv_hex(const char *hex)
{
        GByteArray *out = g_byte_array_new();
        int hi = -1;

        for (const char *p = hex; *p; p++) {
                int v;

                if (g_ascii_isspace(*p))
                        continue;
                v = g_ascii_xdigit_value(*p);
                if (v < 0) {
                        g_byte_array_unref(out);
                        return NULL;
                }
                if (hi < 0) {
                        hi = v;
                } else {
                        guint8 b = (guint8)(hi << 4 | v);

                        g_byte_array_append(out, &b, 1);
                        hi = -1;
                }
        }
        if (hi >= 0) {
                g_byte_array_unref(out);
                return NULL;
        }
        return g_byte_array_free_to_bytes(out);
}

GBytes *tv_bytes(const struct tv_case *c, const char *key)
{
        const char *v = tv_str(c, key);
        size_t n;
        GBytes *b;

        if (!v)
                g_error("%s: no field \"%s\"", tv_where(c), key);
        n = strlen(v);
        if (n >= 2 && v[0] == '"' && v[n - 1] == '"')
                return g_bytes_new(v + 1, n - 2);
        b = tv_hex(v);
        if (!b)
                g_error("%s: field \"%s\" is not hex", tv_where(c), key);
        return b;
}

uint64_t tv_uint(const struct tv_case *c, const char *key)
{
        const char *v = tv_str(c, key);
        guint64 u;

        if (!v || !g_ascii_string_to_unsigned(v, 10, 0, G_MAXUINT64, &u, NULL))
                g_error("%s: field \"%s\" is not a number", tv_where(c), key);
        return u;
}

const char *tv_where(const struct tv_case *c)
{
        static char buf[256];
        const char *name = tv_str(c, "name");

        g_snprintf(buf, sizeof(buf), "%s:%u %s", c->file, c->line, name ? name : "");
        return buf;
}
