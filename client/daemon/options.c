/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <string.h>

#include "client/daemon/options.h"

int options_check(GVariant *opts, const struct option_spec *specs, char **ret_error)
{
        GVariantIter it;
        const char *key;
        GVariant *val;
        g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);

        *ret_error = NULL;
        if (!g_variant_is_of_type(opts, G_VARIANT_TYPE("a{sv}"))) {
                *ret_error = g_strdup_printf("options must be a{sv}, not %s",
                                             g_variant_get_type_string(opts));
                return -EINVAL;
        }
        g_variant_iter_init(&it, opts);
        while (g_variant_iter_next(&it, "{&sv}", &key, &val)) {
                const struct option_spec *s = specs;
                g_autoptr(GVariant) v = val;

                while (s->key && strcmp(s->key, key) != 0)
                        s++;
                if (!s->key) {
                        g_autofree char *safe =
                                g_utf8_substring(key, 0, MIN(g_utf8_strlen(key, -1), 64));

                        *ret_error = g_strdup_printf("unknown option '%s'", safe);
                        return -EINVAL;
                }
                if (!g_hash_table_add(seen, (gpointer)s->key)) {
                        *ret_error = g_strdup_printf("option '%s' given twice", s->key);
                        return -EINVAL;
                }
                if (!g_variant_is_of_type(v, G_VARIANT_TYPE(s->type))) {
                        *ret_error = g_strdup_printf("option '%s' must be of type %s, not %s",
                                                     s->key, s->type, g_variant_get_type_string(v));
                        return -EINVAL;
                }
                if (g_variant_is_of_type(v, G_VARIANT_TYPE_STRING)) {
                        size_t len = 0, max = s->max_len ? s->max_len : 4096;
                        const char *str = g_variant_get_string(v, &len);

                        if (len > max) {
                                *ret_error =
                                        g_strdup_printf("option '%s' is too long (%zu > %zu bytes)",
                                                        s->key, len, max);
                                return -EINVAL;
                        }
                        if (strlen(str) != len) {
                                *ret_error =
                                        g_strdup_printf("option '%s' holds a NUL byte", s->key);
                                return -EINVAL;
                        }
                }
        }
        return 0;
}

bool options_bool(GVariant *opts, const char *key, bool def)
{
        gboolean b;

        if (g_variant_lookup(opts, key, "b", &b))
                return b;
        return def;
}

const char *options_str(GVariant *opts, const char *key)
{
        const char *s = NULL;

        if (!g_variant_lookup(opts, key, "&s", &s))
                return NULL;
        return s;
}
