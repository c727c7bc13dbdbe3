/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Asking a secret agent (the CLI or the GUI of the user who connects):
 * SecretAgent.GetSecret on the agent's own connection, at most 120 s. The
 * agent of the bus name that called Connect is asked first, then any other
 * agent of the same uid. The answer is copied into memory the caller wipes;
 * the GVariant that carried it is wiped before it is released.
 */
#include <errno.h>
#include <string.h>

#include "client/common/bytes.h"
#include "client/dbus/errors.h"
#include "client/daemon/daemon.h"
#include "client/daemon/log.h"

#define AGENT_TIMEOUT_MS (120 * 1000)

struct ask {
        struct daemon *d;
        agent_done_fn done;
        void *ud;
        char *agent_name;
        char *agent_path;
        char *profile_path;
        GCancellable *cancel;
        gulong cancel_id;
};

static void ask_free(struct ask *a)
{
        g_free(a->agent_name);
        g_free(a->agent_path);
        g_free(a->profile_path);
        g_clear_object(&a->cancel);
        g_free(a);
}

/* Wipes a string GVariant's bytes before it is released (it is ours: the
 * reply was deserialised into memory we own). */
static void wipe_variant_string(GVariant *v)
{
        gsize len = 0;
        const char *s = g_variant_get_string(v, &len);

        secure_wipe((void *)s, len);
}

static void on_reply(GObject *src, GAsyncResult *res, gpointer data)
{
        struct ask *a = data;
        g_autoptr(GError) error = NULL;
        GVariant *ret = g_dbus_connection_call_finish(G_DBUS_CONNECTION(src), res, &error);

        if (!ret) {
                bool cancelled = g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
                                 g_error_matches(error, TSU_ERROR, TSU_ERROR_CANCELLED);

                if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
                        /* We withdrew the question: tell the agent. */
                        g_dbus_connection_call(
                                a->d->bus, a->agent_name, a->agent_path, TSU_DBUS_IFACE_AGENT,
                                "CancelGetSecret", g_variant_new("(o)", a->profile_path), NULL,
                                G_DBUS_CALL_FLAGS_NO_AUTO_START, 5000, NULL, NULL, NULL);
                }
                g_dbus_error_strip_remote_error(error);
                a->done(a->ud, cancelled ? -ECANCELED : -EIO, NULL,
                        cancelled ? "the user cancelled" : error->message);
                ask_free(a);
                return;
        }
        {
                GVariant *s = g_variant_get_child_value(ret, 0);
                gsize len = 0;
                const char *str = g_variant_get_string(s, &len);
                char *copy = g_malloc(len + 1);

                memcpy(copy, str, len + 1);
                wipe_variant_string(s);
                g_variant_unref(s);
                g_variant_unref(ret);
                a->done(a->ud, 0, copy, NULL);
        }
        ask_free(a);
}

GCancellable *agent_ask(struct daemon *d, uid_t uid, const char *caller, const char *profile_path,
                        const char *kind, const char *prompt, GVariant *hints, agent_done_fn done,
                        void *ud)
{
        struct peer *best = NULL, *p;
        GHashTableIter it;
        struct ask *a;

        p = caller ? bus_peer(d, caller) : NULL;
        if (p && p->uid == uid && p->agent_path)
                best = p;
        g_hash_table_iter_init(&it, d->peers);
        while (!best && g_hash_table_iter_next(&it, NULL, (gpointer *)&p))
                if (p->uid == uid && p->agent_path)
                        best = p;
        if (!best) {
                if (hints)
                        g_variant_unref(g_variant_ref_sink(hints));
                return NULL;
        }
        a = g_new0(struct ask, 1);
        a->d = d;
        a->done = done;
        a->ud = ud;
        a->agent_name = g_strdup(best->name);
        a->agent_path = g_strdup(best->agent_path);
        a->profile_path = g_strdup(profile_path);
        a->cancel = g_cancellable_new();
        log_info("asking the agent %s of uid %u for a %s", best->name, (unsigned)uid, kind);
        g_dbus_connection_call(
                d->bus, best->name, best->agent_path, TSU_DBUS_IFACE_AGENT, "GetSecret",
                g_variant_new("(oss@a{sv})", profile_path, kind, prompt,
                              hints ? hints : g_variant_new_array(G_VARIANT_TYPE("{sv}"), NULL, 0)),
                G_VARIANT_TYPE("(s)"), G_DBUS_CALL_FLAGS_NO_AUTO_START, AGENT_TIMEOUT_MS, a->cancel,
                on_reply, a);
        return g_object_ref(a->cancel);
}
