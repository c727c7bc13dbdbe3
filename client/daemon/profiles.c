/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Profiles as D-Bus objects, and the Manager interface.
 *
 *   system profiles    PROFILE_SYSTEM_DIR/NAME.tsunagu      IT's; seen by everyone;
 *                      removed only with manage-system-profiles
 *   personal profiles  PROFILE_USER_DIR/UID/UUID.tsunagu    seen by UID (and root)
 *
 * Callers hand over bytes (ImportProfile), never a path; the store names
 * every file from a validated UUID.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/dbus/errors.h"
#include "client/dbus/tsu-dbus.h"
#include "client/daemon/daemon.h"
#include "client/daemon/log.h"
#include "client/daemon/options.h"
#include "client/profile/store.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0"
#endif

static const struct bus_object_class profile_class;

bool dprofile_visible(const struct dprofile *p, uid_t uid)
{
        return uid == 0 || p->system || p->owner == uid;
}

static bool profile_visible_cb(void *ud, uid_t uid)
{
        return dprofile_visible(ud, uid);
}

/* Removing: one's own personal profile with import-profile; a system
 * profile or someone else's (root sees them) with manage-system-profiles. */
static const char *remove_action(const struct dprofile *p, uid_t uid)
{
        return !p->system && p->owner == uid ? ACTION_IMPORT : ACTION_MANAGE_SYSTEM;
}

static char *object_path_for(bool system, uid_t owner, const char *uuid)
{
        g_autofree char *id = g_strdup(uuid);

        g_strdelimit(id, "-", '_');
        if (system)
                return g_strdup_printf(TSU_DBUS_PROFILE_DIR "/system_%s", id);
        return g_strdup_printf(TSU_DBUS_PROFILE_DIR "/u%u_%s", (unsigned)owner, id);
}

/* An encrypted PKCS#12 or key without its passphrase is found out by the
 * engine, which asks then; only the EAP password is known in advance. */
static bool needs_password(const struct profile *p)
{
        return profile_auth_uses_password(p->auth) && !p->eap_password;
}

static GVariant *profile_get_property(void *ud, const char *name)
{
        struct dprofile *dp = ud;
        const struct profile *p = dp->profile;

        if (strcmp(name, "Name") == 0)
                return g_variant_new_string(p->name ? p->name : "");
        if (strcmp(name, "Uuid") == 0)
                return g_variant_new_string(p->uuid);
        if (strcmp(name, "Gateway") == 0)
                return g_variant_new_string(p->host ? p->host : "");
        if (strcmp(name, "Port") == 0)
                return g_variant_new_uint16(p->port);
        if (strcmp(name, "AuthMethod") == 0)
                return g_variant_new_string(profile_auth_to_string(p->auth));
        if (strcmp(name, "Tunnel") == 0)
                return g_variant_new_string(p->tunnel == PROFILE_TUNNEL_FULL ? "full" : "split");
        if (strcmp(name, "System") == 0)
                return g_variant_new_boolean(dp->system);
        if (strcmp(name, "Owner") == 0)
                return g_variant_new_uint32(dp->owner);
        if (strcmp(name, "HasSecrets") == 0)
                return g_variant_new_boolean(profile_has_secrets(p));
        if (strcmp(name, "NeedsPassword") == 0)
                return g_variant_new_boolean(needs_password(p));
        if (strcmp(name, "EapIdentity") == 0)
                return g_variant_new_string(p->eap_id ? p->eap_id : "");
        if (strcmp(name, "AutoConnect") == 0)
                return g_variant_new_boolean(p->auto_connect);
        if (strcmp(name, "Session") == 0)
                return g_variant_new_object_path(dp->session ? session_path(dp->session) : "/");
        return NULL;
}

static void dprofile_free(struct dprofile *dp)
{
        if (!dp)
                return;
        if (dp->session)
                session_free(dp->session);
        bus_object_free(dp->obj);
        profile_free(dp->profile);
        g_free(dp->filename);
        g_free(dp);
}

static void log_report(const struct profile_report *rep)
{
        for (guint i = 0; rep->diags && i < rep->diags->len; i++) {
                const struct profile_diag *dg = g_ptr_array_index(rep->diags, i);
                g_autofree char *line = profile_diag_format(dg);

                log_msg(dg->severity == PROFILE_ERROR ? LOG_WARNING : LOG_NOTICE, NULL, NULL, NULL,
                        "%s", line);
        }
}

/* Takes p. Returns the registered profile, or NULL (logged). */
static struct dprofile *dprofile_add(struct daemon *d, struct profile *p, bool system, uid_t owner,
                                     const char *filename)
{
        g_autoptr(GError) error = NULL;
        g_autofree char *path = object_path_for(system, owner, p->uuid);
        struct dprofile *dp;

        if (g_hash_table_contains(d->profiles, path)) {
                log_warn("%s: another profile has the UUID %s; ignored",
                         filename ? filename : p->name, p->uuid);
                profile_free(p);
                return NULL;
        }
        dp = g_new0(struct dprofile, 1);
        dp->d = d;
        dp->profile = p;
        dp->system = system;
        dp->owner = system ? 0 : owner;
        dp->filename = g_strdup(filename);
        dp->obj = bus_object_new(d, path, &profile_class, dp, &error);
        if (!dp->obj) {
                log_err("cannot export %s: %s", path, error->message);
                dp->obj = NULL;
                dprofile_free(dp);
                return NULL;
        }
        g_hash_table_insert(d->profiles, dp->obj->path, dp);
        return dp;
}

static void dprofile_remove(struct dprofile *dp)
{
        g_hash_table_remove(dp->d->profiles, dp->obj->path);
        dprofile_free(dp);
}

static void load_dir(struct daemon *d, const char *dir, bool system, uid_t owner)
{
        g_autoptr(GPtrArray) entries = NULL;
        int r = profile_store_load_dir(dir, 0, &entries);

        if (r == -ENOENT)
                return;
        if (r < 0) {
                log_warn("cannot read %s: %s", dir, g_strerror(-r));
                return;
        }
        for (guint i = 0; i < entries->len; i++) {
                struct profile_entry *e = g_ptr_array_index(entries, i);

                if (!e->profile) {
                        log_warn("%s/%s: not loaded: %s", dir, e->filename, g_strerror(-e->error));
                        log_report(&e->report);
                        continue;
                }
                dprofile_add(d, g_steal_pointer(&e->profile), system, owner, e->filename);
        }
}

int profiles_load(struct daemon *d)
{
        g_autoptr(GDir) dir = NULL;
        const char *name;

        load_dir(d, d->opts.system_dir, true, 0);
        dir = g_dir_open(d->opts.user_dir, 0, NULL);
        while (dir && (name = g_dir_read_name(dir))) {
                g_autofree char *sub = NULL;
                char *end;
                unsigned long uid;

                /* UID directories only: digits, no leading zero. */
                if (!g_ascii_isdigit(name[0]) || (name[0] == '0' && name[1]))
                        continue;
                errno = 0;
                uid = strtoul(name, &end, 10);
                if (errno || *end || uid >= (uid_t)-1)
                        continue;
                sub = g_build_filename(d->opts.user_dir, name, NULL);
                load_dir(d, sub, false, (uid_t)uid);
        }
        log_info("%u profiles loaded", g_hash_table_size(d->profiles));
        return 0;
}

void profiles_reload_system(struct daemon *d)
{
        GHashTableIter it;
        struct dprofile *dp;
        g_autoptr(GPtrArray) gone = g_ptr_array_new();

        /* Drop the system profiles that are not in use, then read the
         * directory again; a profile in use stays as it was loaded. */
        g_hash_table_iter_init(&it, d->profiles);
        while (g_hash_table_iter_next(&it, NULL, (gpointer *)&dp))
                if (dp->system && !(dp->session && session_active(dp->session)))
                        g_ptr_array_add(gone, dp);
        for (guint i = 0; i < gone->len; i++)
                dprofile_remove(g_ptr_array_index(gone, i));
        load_dir(d, d->opts.system_dir, true, 0);
        log_info("system profiles reloaded");
}

void profiles_free_all(struct daemon *d)
{
        GHashTableIter it;
        struct dprofile *dp;
        g_autoptr(GPtrArray) all = g_ptr_array_new();

        if (!d->profiles)
                return;
        g_hash_table_iter_init(&it, d->profiles);
        while (g_hash_table_iter_next(&it, NULL, (gpointer *)&dp))
                g_ptr_array_add(all, dp);
        for (guint i = 0; i < all->len; i++)
                dprofile_remove(g_ptr_array_index(all, i));
}

/* ---------------------------------------------------------------- Profile methods */

/* The polkit check is asynchronous: the profile may be gone when it
 * answers. The checks carry the object path (owned; freed here) and look it
 * up again. */
static struct dprofile *dprofile_again(struct call *c, void *path)
{
        struct dprofile *dp = g_hash_table_lookup(c->d->profiles, path);

        if (!dp)
                call_error(c, TSU_ERROR_NOT_FOUND, "no object at %s", (const char *)path);
        g_free(path);
        return dp;
}

static void do_connect(struct call *c, void *ud)
{
        struct dprofile *dp = dprofile_again(c, ud);

        if (!dp)
                return;

        if (!dp->session)
                dp->session = session_new(dp);
        if (!dp->session) {
                call_error(c, TSU_ERROR_FAILED, "cannot create the session object");
                return;
        }
        {
                const char *names[] = {"Session", NULL};

                bus_object_changed(dp->obj, names);
        }
        session_connect(dp->session, c);
}

static void do_disconnect(struct call *c, void *ud)
{
        struct dprofile *dp = dprofile_again(c, ud);

        if (!dp)
                return;
        if (!dp->session || !session_active(dp->session)) {
                call_return(c, NULL);
                return;
        }
        session_disconnect(dp->session, c);
}

static void do_remove(struct call *c, void *ud)
{
        struct dprofile *dp = dprofile_again(c, ud);
        struct daemon *d = c->d;
        g_autofree char *name = NULL;
        int r;

        if (!dp)
                return;
        name = g_strdup(dp->profile->name);
        if (dp->session && session_active(dp->session)) {
                call_error(c, TSU_ERROR_BUSY, "'%s' is connected: disconnect it first", name);
                return;
        }
        if (dp->system) {
                int dfd = open(d->opts.system_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

                /* The name came from readdir, not from the caller. */
                r = dfd < 0 ? -errno : unlinkat(dfd, dp->filename, 0) < 0 ? -errno : 0;
                if (dfd >= 0)
                        close(dfd);
        } else
                r = profile_store_remove(d->opts.user_dir, dp->owner, dp->profile->uuid);
        if (r < 0 && r != -ENOENT) {
                call_error(c, TSU_ERROR_FAILED, "cannot remove '%s': %s", name, g_strerror(-r));
                return;
        }
        log_info("profile '%s' (%s) removed by uid %u", name, dp->profile->uuid, (unsigned)c->uid);
        dprofile_remove(dp);
        call_return(c, NULL);
}

static GVariant *strv_variant(const struct profile_report *rep, enum profile_severity sev)
{
        GVariantBuilder b;

        g_variant_builder_init(&b, G_VARIANT_TYPE("as"));
        for (guint i = 0; rep->diags && i < rep->diags->len; i++) {
                const struct profile_diag *dg = g_ptr_array_index(rep->diags, i);

                if (dg->severity == sev) {
                        g_autofree char *line = profile_diag_format(dg);

                        g_variant_builder_add(&b, "s", line);
                }
        }
        return g_variant_builder_end(&b);
}

static void do_export(struct call *c, struct dprofile *dp)
{
        const char *format;
        char *text = NULL;
        struct profile_report rep;
        GVariant *data;

        g_variant_get(c->params, "(&s)", &format);
        profile_report_init(&rep);
        if (strcmp(format, "keyfile") == 0 || strcmp(format, "tsunagu") == 0) {
                text = profile_to_keyfile(dp->profile, 0);
        } else if (strcmp(format, "sswan") == 0) {
                int r = profile_to_sswan(dp->profile, 0, &text, &rep);

                if (r < 0) {
                        profile_report_clear(&rep);
                        call_error(c, TSU_ERROR_FAILED, "cannot export as sswan: %s",
                                   r == -ENOTSUP ? "built without json-glib" : g_strerror(-r));
                        return;
                }
        } else {
                g_autofree char *safe =
                        g_utf8_substring(format, 0, MIN(g_utf8_strlen(format, -1), 32));

                profile_report_clear(&rep);
                call_error(c, TSU_ERROR_INVALID_ARGS, "unknown format '%s' (keyfile or sswan)",
                           safe);
                return;
        }
        /* Without PROFILE_WRITE_SECRETS no secret is written; this is also
         * what keeps GetLog, Export and properties free of them. */
        data = g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, text, strlen(text), 1);
        call_return(c, g_variant_new("(@ay@as)", data, strv_variant(&rep, PROFILE_WARNING)));
        profile_report_clear(&rep);
        g_free(text);
}

static void profile_call(void *ud, struct call *c)
{
        struct dprofile *dp = ud;

        if (strcmp(c->method, "Connect") == 0) {
                /* A system profile or your own: connect. Someone else's: no. */
                if (!dp->system && dp->owner != c->uid && c->uid != 0) {
                        call_error(c, TSU_ERROR_NOT_FOUND, "no object at %s", dp->obj->path);
                        return;
                }
                auth_check(c, ACTION_CONNECT, do_connect, g_strdup(dp->obj->path), g_free);
        } else if (strcmp(c->method, "Disconnect") == 0) {
                /* The session's owner, or an administrator. */
                if (dp->session && session_active(dp->session) &&
                    session_owner(dp->session) != c->uid && c->uid != 0)
                        auth_check(c, ACTION_MANAGE_SYSTEM, do_disconnect, g_strdup(dp->obj->path),
                                   g_free);
                else
                        auth_check(c, ACTION_CONNECT, do_disconnect, g_strdup(dp->obj->path),
                                   g_free);
        } else if (strcmp(c->method, "Remove") == 0) {
                auth_check(c, remove_action(dp, c->uid), do_remove, g_strdup(dp->obj->path),
                           g_free);
        } else if (strcmp(c->method, "Export") == 0) {
                do_export(c, dp);
        } else if (strcmp(c->method, "GetLog") == 0) {
                if (!dp->session || (session_owner(dp->session) != c->uid && c->uid != 0)) {
                        GVariantBuilder b;

                        g_variant_builder_init(&b, G_VARIANT_TYPE("as"));
                        call_return(c, g_variant_new("(as)", &b));
                        return;
                }
                call_return(c, g_variant_new("(@as)", session_log(dp->session)));
        } else
                call_error(c, TSU_ERROR_FAILED, "no method %s", c->method);
}

static const struct bus_object_class profile_class = {
        .iface_name = TSU_DBUS_IFACE_PROFILE,
        .iface_info = tsu_profile_interface_info,
        .visible = profile_visible_cb,
        .get_property = profile_get_property,
        .call = profile_call,
};

/* ---------------------------------------------------------------- Manager */

static const struct option_spec import_options[] = {
        {"keep-secrets", "b"},
        {"passphrase", "s", 1024},
        {"format", "s", 32},
        {NULL},
};

struct import {
        GVariant *data;
        char *filename;
        GVariant *opts;
};

static void import_free(struct import *im)
{
        g_clear_pointer(&im->data, g_variant_unref);
        g_clear_pointer(&im->opts, g_variant_unref);
        g_free(im->filename);
        g_free(im);
}

static void do_import(struct call *c, void *ud)
{
        struct import *im = ud;
        struct daemon *d = c->d;
        struct profile_import_options io = {0};
        struct profile_report rep;
        struct profile *p = NULL;
        g_autofree char *path = NULL;
        struct dprofile *old, *dp;
        const char *fmt = options_str(im->opts, "format");
        gsize len;
        const void *bytes = g_variant_get_fixed_array(im->data, &len, 1);
        int r;

        io.filename = im->filename;
        io.keep_secrets = options_bool(im->opts, "keep-secrets", false);
        io.passphrase = options_str(im->opts, "passphrase");
        if (fmt) {
                if (strcmp(fmt, "tsunagu") == 0 || strcmp(fmt, "keyfile") == 0)
                        io.format = PROFILE_FORMAT_KEYFILE;
                else if (strcmp(fmt, "sswan") == 0)
                        io.format = PROFILE_FORMAT_SSWAN;
                else if (strcmp(fmt, "mobileconfig") == 0)
                        io.format = PROFILE_FORMAT_MOBILECONFIG;
                else {
                        call_error(
                                c, TSU_ERROR_INVALID_ARGS,
                                "option 'format': unknown format (tsunagu, sswan, mobileconfig)");
                        import_free(im);
                        return;
                }
        }
        profile_report_init(&rep);
        r = profile_import(bytes, len, &io, &p, &rep);
        if (r < 0) {
                g_autoptr(GString) msg = g_string_new(NULL);

                for (guint i = 0; rep.diags && i < rep.diags->len; i++) {
                        const struct profile_diag *dg = g_ptr_array_index(rep.diags, i);
                        g_autofree char *line = NULL;

                        if (dg->severity != PROFILE_ERROR)
                                continue;
                        line = profile_diag_format(dg);
                        if (msg->len)
                                g_string_append_c(msg, '\n');
                        g_string_append(msg, line);
                }
                if (msg->len == 0)
                        g_string_append_printf(msg, "%s: %s", im->filename, g_strerror(-r));
                log_info("import of %s by uid %u refused (%u errors)", im->filename,
                         (unsigned)c->uid, rep.n_errors);
                call_error(c, TSU_ERROR_INVALID_PROFILE, "%s", msg->str);
                profile_report_clear(&rep);
                import_free(im);
                return;
        }

        path = object_path_for(false, c->uid, p->uuid);
        old = g_hash_table_lookup(d->profiles, path);
        if (old && old->session && session_active(old->session)) {
                call_error(c, TSU_ERROR_BUSY,
                           "'%s' is connected: disconnect it before replacing it",
                           old->profile->name);
                profile_free(p);
                profile_report_clear(&rep);
                import_free(im);
                return;
        }
        r = profile_store_save(d->opts.user_dir, c->uid, p);
        if (r < 0) {
                log_err("cannot store %s for uid %u: %s", p->uuid, (unsigned)c->uid,
                        g_strerror(-r));
                call_error(c, TSU_ERROR_FAILED, "cannot store the profile: %s", g_strerror(-r));
                profile_free(p);
                profile_report_clear(&rep);
                import_free(im);
                return;
        }
        if (old)
                dprofile_remove(old);
        /* Secrets stay only on disk: the object in memory keeps them too
         * (needed to connect), but none is ever sent out. */
        dp = dprofile_add(d, p, false, c->uid, NULL);
        if (!dp) {
                call_error(c, TSU_ERROR_FAILED, "cannot export the profile");
                profile_report_clear(&rep);
                import_free(im);
                return;
        }
        log_info("profile '%s' (%s) imported by uid %u from %s%s", dp->profile->name,
                 dp->profile->uuid, (unsigned)c->uid, im->filename,
                 io.keep_secrets ? " with its secrets" : "");
        call_return(c, g_variant_new("(o@as)", dp->obj->path, strv_variant(&rep, PROFILE_WARNING)));
        profile_report_clear(&rep);
        import_free(im);
}

static void manager_import(struct call *c)
{
        g_autoptr(GVariant) data = NULL, opts = NULL;
        const char *hint;
        g_autofree char *err = NULL, *base = NULL;
        struct import *im;

        g_variant_get(c->params, "(@ay&s@a{sv})", &data, &hint, &opts);
        if (options_check(opts, import_options, &err) < 0) {
                call_error(c, TSU_ERROR_INVALID_ARGS, "%s", err);
                return;
        }
        if (g_variant_n_children(data) > PROFILE_MAX_FILE_SIZE) {
                call_error(c, TSU_ERROR_INVALID_PROFILE, "the file is larger than %d bytes",
                           PROFILE_MAX_FILE_SIZE);
                return;
        }
        /* Only a name for messages and for the format's extension: never opened. */
        base = g_path_get_basename(hint[0] ? hint : "profile");
        if (strlen(base) > 255 || strcmp(base, "/") == 0 || strcmp(base, ".") == 0) {
                g_free(base);
                base = g_strdup("profile");
        }
        im = g_new0(struct import, 1);
        im->data = g_steal_pointer(&data);
        im->opts = g_steal_pointer(&opts);
        im->filename = g_steal_pointer(&base);
        auth_check(c, ACTION_IMPORT, do_import, im, (GDestroyNotify)import_free);
}

static gint cmp_by_name(gconstpointer a, gconstpointer b)
{
        const struct dprofile *x = *(struct dprofile *const *)a, *y = *(struct dprofile *const *)b;
        int r = g_strcmp0(x->profile->name, y->profile->name);

        return r ? r : strcmp(x->obj->path, y->obj->path);
}

static void manager_list(struct call *c)
{
        g_autoptr(GPtrArray) list = g_ptr_array_new();
        GHashTableIter it;
        struct dprofile *dp;
        GVariantBuilder b;

        g_hash_table_iter_init(&it, c->d->profiles);
        while (g_hash_table_iter_next(&it, NULL, (gpointer *)&dp))
                if (dprofile_visible(dp, c->uid))
                        g_ptr_array_add(list, dp);
        g_ptr_array_sort(list, cmp_by_name);
        g_variant_builder_init(&b, G_VARIANT_TYPE("ao"));
        for (guint i = 0; i < list->len; i++)
                g_variant_builder_add(&b, "o", ((struct dprofile *)list->pdata[i])->obj->path);
        call_return(c, g_variant_new("(ao)", &b));
}

static void manager_agent(struct call *c, bool reg)
{
        struct peer *p = bus_peer(c->d, c->sender);
        const char *path;

        g_variant_get(c->params, "(&o)", &path);
        if (!p) {
                call_error(c, TSU_ERROR_FAILED, "unknown caller");
                return;
        }
        if (reg) {
                g_free(p->agent_path);
                p->agent_path = g_strdup(path);
                log_info("secret agent %s%s registered for uid %u", c->sender, path,
                         (unsigned)c->uid);
        } else {
                if (!p->agent_path || strcmp(p->agent_path, path) != 0) {
                        call_error(c, TSU_ERROR_NOT_FOUND, "no agent registered at %s", path);
                        return;
                }
                g_clear_pointer(&p->agent_path, g_free);
        }
        call_return(c, NULL);
}

void manager_call(void *ud, struct call *c)
{
        if (strcmp(c->method, "ImportProfile") == 0)
                manager_import(c);
        else if (strcmp(c->method, "ListProfiles") == 0)
                manager_list(c);
        else if (strcmp(c->method, "RegisterAgent") == 0)
                manager_agent(c, true);
        else if (strcmp(c->method, "UnregisterAgent") == 0)
                manager_agent(c, false);
        else
                call_error(c, TSU_ERROR_FAILED, "no method %s", c->method);
}

GVariant *manager_get_property(void *ud, const char *name)
{
        if (strcmp(name, "Version") == 0)
                return g_variant_new_string(PACKAGE_VERSION);
        if (strcmp(name, "Features") == 0) {
                GVariantBuilder b;

                g_variant_builder_init(&b, G_VARIANT_TYPE("as"));
                if (auth_have_polkit())
                        g_variant_builder_add(&b, "s", "polkit");
                g_variant_builder_add(&b, "s", "privsep");
#ifdef HAVE_LIBSECCOMP
                g_variant_builder_add(&b, "s", "seccomp");
#endif
                if (log_to_journal())
                        g_variant_builder_add(&b, "s", "journal");
#ifdef HAVE_JSON_GLIB
                g_variant_builder_add(&b, "s", "sswan");
#endif
                return g_variant_builder_end(&b);
        }
        return NULL;
}
