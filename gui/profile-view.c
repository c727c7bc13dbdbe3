/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>
#include <time.h>

#include "gui/common/tsu-format.h"
#include "gui/common/tsu-i18n.h"
#include "gui/common/tsu-keyring.h"
#include "profile-view.h"

/* Export answers and log lines come from the helper: bounded. */
#define MAX_LOG_LINES 2000
#define MAX_LOG_LINE  1024

struct _TsuProfileView {
        GtkBox parent;

        GtkStack *main_stack;
        GtkLabel *placeholder_label;
        GtkImage *state_icon;
        GtkLabel *title_label, *subtitle_label;
        GtkSwitch *connect_switch;
        GtkStack *pages;
        GtkLabel *state_value, *gateway_value, *vip_value, *dns_value, *routes_value;
        GtkLabel *uptime_value, *bytes_in_value, *bytes_out_value, *error_value, *auth_value;
        GtkLabel *error_caption;
        GtkSwitch *autoconnect_switch, *killswitch_switch, *allowlan_switch;
        GtkLabel *tunnel_value, *may_change_value, *keyring_value;
        GtkButton *forget_button;
        GtkTextView *log_view;
        GtkButton *export_button, *remove_button;

        TsuClient *client;
        TsuProfile *profile;
        GCancellable *cancel; /* of the calls about the current profile */
        char *last_state;
        guint tick;
        bool updating;
};

G_DEFINE_TYPE(TsuProfileView, tsu_profile_view, GTK_TYPE_BOX)

enum { SIG_MESSAGE, N_SIGNALS };
static guint signals[N_SIGNALS];

static void message(TsuProfileView *v, GtkMessageType type, const char *text)
{
        g_signal_emit(v, signals[SIG_MESSAGE], 0, (int)type, text);
}

static void set_label(GtkLabel *l, const char *text)
{
        gtk_label_set_text(l, text && *text ? text : "—");
}

static char *join_sanitized(const char *const *v, size_t max_items)
{
        g_autoptr(GString) s = g_string_new(NULL);

        for (size_t i = 0; v && v[i] && i < max_items; i++) {
                g_autofree char *t = tsu_sanitize_text(v[i], 64);

                g_string_append_printf(s, "%s%s", s->len ? "\n" : "", t);
        }
        return g_string_free(g_steal_pointer(&s), FALSE);
}

static uint64_t counter(TsuSession *s, const char *key)
{
        GVariant *c = tsu_session_get_counters(s);
        guint64 v = 0;

        if (c && g_variant_is_of_type(c, G_VARIANT_TYPE("a{st}")))
                g_variant_lookup(c, key, "t", &v);
        return v;
}

static bool is_connected(TsuSession *s)
{
        return s && g_strcmp0(tsu_session_get_state(s), "connected") == 0;
}

static void update_uptime(TsuProfileView *v)
{
        TsuSession *s = v->profile ? tsu_client_lookup_session(v->client, v->profile) : NULL;
        guint64 since = s ? tsu_session_get_connected_since(s) : 0;
        time_t now = time(NULL);

        if (is_connected(s) && since > 0 && (guint64)now >= since) {
                g_autofree char *d = tsu_format_duration((guint64)now - since);

                set_label(v->uptime_value, d);
        } else {
                set_label(v->uptime_value, NULL);
        }
}

static gboolean on_tick(gpointer data)
{
        update_uptime(data);
        return G_SOURCE_CONTINUE;
}

/* ------------------------------------------------------------ the log */

static void on_log(GObject *src, GAsyncResult *res, gpointer data)
{
        TsuProfileView *v = data;
        g_autoptr(GError) error = NULL;
        g_auto(GStrv) lines = NULL;
        g_autoptr(GString) text = g_string_new(NULL);
        size_t n;

        if (!tsu_profile_call_get_log_finish(TSU_PROFILE(src), &lines, res, &error)) {
                if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
                        g_dbus_error_strip_remote_error(error);
                        g_string_append(text, error->message);
                        gtk_text_buffer_set_text(gtk_text_view_get_buffer(v->log_view), text->str,
                                                 -1);
                }
                g_object_unref(v);
                return;
        }
        n = g_strv_length(lines);
        for (size_t i = n > MAX_LOG_LINES ? n - MAX_LOG_LINES : 0; i < n; i++) {
                g_autofree char *t = tsu_sanitize_text(lines[i], MAX_LOG_LINE);

                g_string_append_printf(text, "%s\n", t);
        }
        if (!text->len)
                g_string_append(text, _("Nothing logged yet."));
        gtk_text_buffer_set_text(gtk_text_view_get_buffer(v->log_view), text->str, -1);
        g_object_unref(v);
}

static void refresh_log(TsuProfileView *v)
{
        if (!v->profile)
                return;
        tsu_profile_call_get_log(v->profile, v->cancel, on_log, g_object_ref(v));
}

static bool page_is(TsuProfileView *v, const char *name)
{
        return g_strcmp0(gtk_stack_get_visible_child_name(v->pages), name) == 0;
}

/* ------------------------------------------------------------ settings */

static void set_switch(GtkSwitch *sw, GKeyFile *kf, const char *group, const char *key, bool def)
{
        g_autoptr(GError) error = NULL;
        gboolean b = g_key_file_get_boolean(kf, group, key, &error);

        gtk_switch_set_active(sw, error ? def : b);
        gtk_switch_set_state(sw, error ? def : b);
}

static void on_export_settings(GObject *src, GAsyncResult *res, gpointer data)
{
        TsuProfileView *v = data;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) bytes = NULL;
        g_auto(GStrv) warnings = NULL;
        g_autoptr(GKeyFile) kf = g_key_file_new();
        gsize len = 0;
        const char *text;

        if (!tsu_profile_call_export_finish(TSU_PROFILE(src), &bytes, &warnings, res, &error)) {
                if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
                        g_message("Export for the settings page: %s", error->message);
                g_object_unref(v);
                return;
        }
        text = g_variant_get_fixed_array(bytes, &len, 1);
        if (len > 0 && g_key_file_load_from_data(kf, text, len, G_KEY_FILE_NONE, NULL)) {
                g_autofree char *mode = g_key_file_get_string(kf, "tunnel", "mode", NULL);
                g_auto(GStrv) may = g_key_file_get_string_list(kf, "profile", "user-may-change",
                                                               NULL, NULL);
                bool full = g_strcmp0(mode, "full") == 0;
                g_autofree char *may_text = NULL;

                set_switch(v->autoconnect_switch, kf, "profile", "auto-connect", false);
                set_switch(v->killswitch_switch, kf, "tunnel", "kill-switch", full);
                set_switch(v->allowlan_switch, kf, "tunnel", "allow-lan", false);
                set_label(v->tunnel_value,
                          full ? _("All traffic") : _("Only the networks of the profile"));
                may_text = join_sanitized((const char *const *)may, 32);
                set_label(v->may_change_value, may && *may ? may_text : _("Nothing"));
        }
        g_object_unref(v);
}

struct has {
        TsuProfileView *v;
        TsuProfile *p;
};

static void on_keyring_has(int has, gpointer data)
{
        struct has *h = data;
        TsuProfileView *v = h->v;

        if (v->profile == h->p) {
                set_label(v->keyring_value, has > 0    ? _("Saved in your keyring")
                                            : has == 0 ? _("Not saved; you are asked when connecting")
                                                       : _("The keyring cannot be reached"));
                gtk_widget_set_sensitive(GTK_WIDGET(v->forget_button), has > 0);
        }
        g_object_unref(h->p);
        g_object_unref(h->v);
        g_free(h);
}

static void refresh_settings(TsuProfileView *v)
{
        struct has *h;

        if (!v->profile)
                return;
        tsu_profile_call_export(v->profile, "keyfile", v->cancel, on_export_settings,
                                g_object_ref(v));
        h = g_new0(struct has, 1);
        h->v = g_object_ref(v);
        h->p = g_object_ref(v->profile);
        gtk_widget_set_visible(GTK_WIDGET(v->forget_button), tsu_keyring_available());
        tsu_keyring_has(tsu_profile_get_uuid(v->profile), "password", v->cancel, on_keyring_has,
                        h);
}

static void on_forget_clicked(GtkButton *b, TsuProfileView *v)
{
        if (!v->profile)
                return;
        tsu_client_forget_secrets(v->client, v->profile);
        set_label(v->keyring_value, _("Not saved; you are asked when connecting"));
        gtk_widget_set_sensitive(GTK_WIDGET(v->forget_button), FALSE);
}

static void on_page_changed(GtkStack *pages, GParamSpec *pspec, TsuProfileView *v)
{
        if (page_is(v, "log"))
                refresh_log(v);
        else if (page_is(v, "settings"))
                refresh_settings(v);
}

static void on_refresh_clicked(GtkButton *b, TsuProfileView *v)
{
        refresh_log(v);
}

/* ------------------------------------------------------------ status */

void tsu_profile_view_update(TsuProfileView *v)
{
        TsuProfile *p = v->profile;
        TsuSession *s;
        const char *state;
        enum tsu_look look;
        g_autofree char *label = NULL, *auth = NULL, *subtitle = NULL, *gw = NULL;
        g_autofree char *vips = NULL, *dns = NULL, *routes = NULL, *in = NULL, *out = NULL;
        g_autofree char *err = NULL;
        bool connected;

        if (!p) {
                gtk_stack_set_visible_child_name(v->main_stack, "empty");
                return;
        }
        gtk_stack_set_visible_child_name(v->main_stack, "profile");
        s = tsu_client_lookup_session(v->client, p);
        state = tsu_client_profile_state(v->client, p);
        look = tsu_state_look(state);
        connected = look == TSU_LOOK_CONNECTED;
        label = tsu_state_label(state);
        auth = tsu_auth_label(tsu_profile_get_auth_method(p));
        {
                g_autofree char *name = tsu_sanitize_text(tsu_profile_get_name(p), 80);
                g_autofree char *host = tsu_sanitize_text(tsu_profile_get_gateway(p), 80);

                gtk_label_set_text(v->title_label, name);
                subtitle = g_strdup_printf("%s · %s", host, label);
                gtk_label_set_text(v->subtitle_label, subtitle);
                /* The address in use while there is a tunnel, else the profile's. */
                gw = s && look != TSU_LOOK_DISCONNECTED && look != TSU_LOOK_ERROR &&
                                     tsu_session_get_gateway(s) && *tsu_session_get_gateway(s)
                             ? tsu_sanitize_text(tsu_session_get_gateway(s), 80)
                             : g_steal_pointer(&host);
        }
        gtk_image_set_from_icon_name(v->state_icon, tsu_look_icon(look), GTK_ICON_SIZE_DIALOG);
        set_label(v->state_value, label);
        set_label(v->gateway_value, gw);
        set_label(v->auth_value, auth);

        /* The switch: on while connecting or connected, its state is the tunnel's. */
        v->updating = true;
        gtk_switch_set_active(v->connect_switch,
                              (look == TSU_LOOK_CONNECTING && g_strcmp0(state, "disconnecting")) ||
                                      connected);
        gtk_switch_set_state(v->connect_switch, connected);
        v->updating = false;

        if (connected) {
                vips = join_sanitized(tsu_session_get_virtual_ips(s), 16);
                dns = tsu_format_dns(tsu_session_get_dns(s));
                routes = tsu_format_routes(tsu_session_get_routes(s));
        }
        set_label(v->vip_value, vips);
        set_label(v->dns_value, dns);
        set_label(v->routes_value, routes);
        if (s && connected) {
                in = tsu_format_bytes(counter(s, "bytes-in"));
                out = tsu_format_bytes(counter(s, "bytes-out"));
        }
        set_label(v->bytes_in_value, in);
        set_label(v->bytes_out_value, out);
        update_uptime(v);
        if (connected && !v->tick)
                v->tick = g_timeout_add_seconds(1, on_tick, v);
        else if (!connected && v->tick)
                g_clear_handle_id(&v->tick, g_source_remove);

        if (s && tsu_session_get_last_error(s) &&
            g_variant_is_of_type(tsu_session_get_last_error(s), G_VARIANT_TYPE("(ss)"))) {
                const char *reason, *msg;

                g_variant_get(tsu_session_get_last_error(s), "(&s&s)", &reason, &msg);
                if (*reason || *msg) {
                        g_autofree char *r = tsu_sanitize_text(reason, 40);
                        g_autofree char *m = *msg ? tsu_sanitize_text(msg, 400)
                                                  : tsu_reason_label(reason);

                        err = g_strdup_printf("%s (%s)", m, r);
                }
        }
        set_label(v->error_value, err);
        gtk_widget_set_visible(GTK_WIDGET(v->error_value), err != NULL);
        gtk_widget_set_visible(GTK_WIDGET(v->error_caption), err != NULL);

        if (g_strcmp0(v->last_state, state) != 0) {
                g_free(v->last_state);
                v->last_state = g_strdup(state);
                if (page_is(v, "log"))
                        refresh_log(v);
        }
}

static gboolean on_connect_state_set(GtkSwitch *sw, gboolean on, TsuProfileView *v)
{
        if (v->updating || !v->profile)
                return FALSE;
        if (on)
                tsu_client_connect(v->client, v->profile);
        else
                tsu_client_disconnect(v->client, v->profile);
        /* The tunnel's state follows from the helper (tsu_profile_view_update). */
        return TRUE;
}

/* ------------------------------------------------------------ export */

struct export {
        TsuProfileView *v;
        GFile *file;
        char **warnings;
};

static void export_free(struct export *e)
{
        g_object_unref(e->v);
        g_object_unref(e->file);
        g_strfreev(e->warnings);
        g_free(e);
}

static void on_export_written(GObject *src, GAsyncResult *res, gpointer data)
{
        struct export *e = data;
        g_autoptr(GError) error = NULL;
        g_autofree char *name = g_file_get_parse_name(e->file);
        g_autoptr(GString) text = g_string_new(NULL);

        if (!g_file_replace_contents_finish(e->file, res, NULL, &error)) {
                /* TRANSLATORS: %s is a file name, then why. */
                g_string_printf(text, _("Cannot write %s: %s"), name, error->message);
                message(e->v, GTK_MESSAGE_ERROR, text->str);
                export_free(e);
                return;
        }
        /* TRANSLATORS: %s is a file name. */
        g_string_printf(text, _("Exported to %s (without passwords)."), name);
        for (size_t i = 0; e->warnings && e->warnings[i] && i < 32; i++) {
                g_autofree char *w = tsu_sanitize_text(e->warnings[i], 300);

                g_string_append_printf(text, "\n%s", w);
        }
        message(e->v, e->warnings && *e->warnings ? GTK_MESSAGE_WARNING : GTK_MESSAGE_INFO,
                text->str);
        export_free(e);
}

static void on_exported(GObject *src, GAsyncResult *res, gpointer data)
{
        struct export *e = data;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) bytes = NULL;
        GBytes *b;

        if (!tsu_profile_call_export_finish(TSU_PROFILE(src), &bytes, &e->warnings, res,
                                            &error)) {
                g_autofree char *t = NULL;

                g_dbus_error_strip_remote_error(error);
                /* TRANSLATORS: %s says why. */
                t = g_strdup_printf(_("Cannot export the profile: %s"), error->message);
                message(e->v, GTK_MESSAGE_ERROR, t);
                export_free(e);
                return;
        }
        b = g_variant_get_data_as_bytes(bytes);
        g_file_replace_contents_bytes_async(e->file, b, NULL, FALSE, G_FILE_CREATE_PRIVATE, NULL,
                                            on_export_written, e);
        g_bytes_unref(b);
}

static void on_export_chosen(GtkNativeDialog *dialog, int response, gpointer data)
{
        TsuProfileView *v = data;

        if (response == GTK_RESPONSE_ACCEPT && v->profile) {
                struct export *e = g_new0(struct export, 1);
                g_autofree char *base = NULL;

                e->v = g_object_ref(v);
                e->file = gtk_file_chooser_get_file(GTK_FILE_CHOOSER(dialog));
                base = g_file_get_basename(e->file);
                tsu_profile_call_export(v->profile,
                                        g_str_has_suffix(base, ".sswan") ? "sswan" : "keyfile",
                                        NULL, on_exported, e);
        }
        g_object_unref(dialog);
        g_object_unref(v);
}

static void on_export_clicked(GtkButton *b, TsuProfileView *v)
{
        GtkFileChooserNative *fc;
        g_autofree char *name = NULL, *file = NULL;

        if (!v->profile)
                return;
        fc = gtk_file_chooser_native_new(_("Export Profile"),
                                         GTK_WINDOW(gtk_widget_get_toplevel(GTK_WIDGET(v))),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
        gtk_file_chooser_set_do_overwrite_confirmation(GTK_FILE_CHOOSER(fc), TRUE);
        name = tsu_sanitize_text(tsu_profile_get_name(v->profile), 64);
        g_strdelimit(name, "/\\:", '_');
        file = g_strdup_printf("%s.tsunagu", name);
        gtk_file_chooser_set_current_name(GTK_FILE_CHOOSER(fc), file);
        g_signal_connect(fc, "response", G_CALLBACK(on_export_chosen), g_object_ref(v));
        gtk_native_dialog_show(GTK_NATIVE_DIALOG(fc));
}

/* ------------------------------------------------------------ remove */

static void on_remove_answer(GtkDialog *d, int response, gpointer data)
{
        TsuProfileView *v = data;
        TsuProfile *p = g_object_get_data(G_OBJECT(d), "profile");

        if (response == GTK_RESPONSE_ACCEPT && p)
                tsu_client_remove(v->client, p);
        gtk_widget_destroy(GTK_WIDGET(d));
        g_object_unref(v);
}

static void on_remove_clicked(GtkButton *b, TsuProfileView *v)
{
        GtkWidget *d;
        g_autofree char *name = NULL;

        if (!v->profile)
                return;
        name = tsu_sanitize_text(tsu_profile_get_name(v->profile), 80);
        d = gtk_message_dialog_new(GTK_WINDOW(gtk_widget_get_toplevel(GTK_WIDGET(v))),
                                   GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                   GTK_MESSAGE_QUESTION, GTK_BUTTONS_NONE,
                                   /* TRANSLATORS: %s is a profile name. */
                                   _("Remove the profile “%s”?"), name);
        gtk_message_dialog_format_secondary_text(
                GTK_MESSAGE_DIALOG(d),
                _("It is disconnected first, and its saved password is forgotten."));
        gtk_dialog_add_buttons(GTK_DIALOG(d), _("_Cancel"), GTK_RESPONSE_CANCEL, _("_Remove"),
                               GTK_RESPONSE_ACCEPT, NULL);
        gtk_dialog_set_default_response(GTK_DIALOG(d), GTK_RESPONSE_CANCEL);
        g_object_set_data_full(G_OBJECT(d), "profile", g_object_ref(v->profile), g_object_unref);
        g_signal_connect(d, "response", G_CALLBACK(on_remove_answer), g_object_ref(v));
        gtk_widget_show(d);
}

/* ------------------------------------------------------------ object */

void tsu_profile_view_set_client(TsuProfileView *v, TsuClient *client)
{
        g_set_object(&v->client, client);
}

TsuProfile *tsu_profile_view_get_profile(TsuProfileView *v)
{
        return v->profile;
}

void tsu_profile_view_set_profile(TsuProfileView *v, TsuProfile *p)
{
        if (v->profile == p) {
                tsu_profile_view_update(v);
                return;
        }
        g_cancellable_cancel(v->cancel);
        g_object_unref(v->cancel);
        v->cancel = g_cancellable_new();
        g_set_object(&v->profile, p);
        g_clear_pointer(&v->last_state, g_free);
        gtk_text_buffer_set_text(gtk_text_view_get_buffer(v->log_view), "", -1);
        tsu_profile_view_update(v);
        if (p && page_is(v, "settings"))
                refresh_settings(v);
}

void tsu_profile_view_set_placeholder(TsuProfileView *v, const char *text)
{
        gtk_label_set_text(v->placeholder_label, text);
}

static void tsu_profile_view_dispose(GObject *obj)
{
        TsuProfileView *v = TSU_PROFILE_VIEW(obj);

        if (v->cancel)
                g_cancellable_cancel(v->cancel);
        g_clear_object(&v->cancel);
        g_clear_handle_id(&v->tick, g_source_remove);
        g_clear_object(&v->profile);
        g_clear_object(&v->client);
        g_clear_pointer(&v->last_state, g_free);
        G_OBJECT_CLASS(tsu_profile_view_parent_class)->dispose(obj);
}

#define BIND(name) gtk_widget_class_bind_template_child(w, TsuProfileView, name)

static void tsu_profile_view_class_init(TsuProfileViewClass *klass)
{
        GtkWidgetClass *w = GTK_WIDGET_CLASS(klass);

        G_OBJECT_CLASS(klass)->dispose = tsu_profile_view_dispose;
        signals[SIG_MESSAGE] =
                g_signal_new("message", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                             NULL, G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_STRING);
        gtk_widget_class_set_template_from_resource(w, "/org/tsunagu/Gtk/profile-view.ui");
        BIND(main_stack);
        BIND(placeholder_label);
        BIND(state_icon);
        BIND(title_label);
        BIND(subtitle_label);
        BIND(connect_switch);
        BIND(pages);
        BIND(state_value);
        BIND(gateway_value);
        BIND(vip_value);
        BIND(dns_value);
        BIND(routes_value);
        BIND(uptime_value);
        BIND(bytes_in_value);
        BIND(bytes_out_value);
        BIND(error_value);
        BIND(error_caption);
        BIND(auth_value);
        BIND(autoconnect_switch);
        BIND(killswitch_switch);
        BIND(allowlan_switch);
        BIND(tunnel_value);
        BIND(may_change_value);
        BIND(keyring_value);
        BIND(forget_button);
        BIND(log_view);
        BIND(export_button);
        BIND(remove_button);
        gtk_widget_class_bind_template_callback(w, on_connect_state_set);
        gtk_widget_class_bind_template_callback(w, on_page_changed);
        gtk_widget_class_bind_template_callback(w, on_refresh_clicked);
        gtk_widget_class_bind_template_callback(w, on_forget_clicked);
        gtk_widget_class_bind_template_callback(w, on_export_clicked);
        gtk_widget_class_bind_template_callback(w, on_remove_clicked);
}

static void tsu_profile_view_init(TsuProfileView *v)
{
        gtk_widget_init_template(GTK_WIDGET(v));
        v->cancel = g_cancellable_new();
}
