/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes tsunagud's check of a{sv} option dictionaries (ImportProfile and
 * Connect options) with serialised GVariants as a peer on the bus could send
 * them: byte 0 picks the method's table, the rest is the a{sv} in GVariant
 * serialisation (untrusted: GLib normalises it on access). A dictionary
 * that passes must hold only known keys of the right types.
 *
 * Seeds in tests/fuzz/corpus/fuzz_dbus_options/ (made by make-dbus-corpus.py).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "client/daemon/options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct option_spec import_spec[] = {
        {"keep-secrets", "b"},
        {"passphrase", "s", 1024},
        {"format", "s", 32},
        {NULL},
};
static const struct option_spec connect_spec[] = {
        {"password", "s", 256},
        {"passphrase", "s", 256},
        {"eap-identity", "s", 256},
        {"interactive", "b"},
        {NULL},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const struct option_spec *spec;
        GVariant *v;
        GVariantIter it;
        const char *key;
        GVariant *val;
        char *err = NULL;

        if (size < 1)
                return 0;
        spec = data[0] & 1 ? connect_spec : import_spec;
        v = g_variant_ref_sink(g_variant_new_from_data(G_VARIANT_TYPE("a{sv}"), data + 1, size - 1,
                                                       FALSE, NULL, NULL));
        if (options_check(v, spec, &err) == 0) {
                if (err)
                        abort();
                g_variant_iter_init(&it, v);
                while (g_variant_iter_next(&it, "{&sv}", &key, &val)) {
                        const struct option_spec *s = spec;

                        while (s->key && strcmp(s->key, key) != 0)
                                s++;
                        if (!s->key || !g_variant_is_of_type(val, G_VARIANT_TYPE(s->type)))
                                abort();
                        g_variant_unref(val);
                }
                (void)options_bool(v, "keep-secrets", false);
                (void)options_str(v, "password");
        } else if (!err)
                abort();
        g_free(err);
        g_variant_unref(v);
        return 0;
}
