/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Authorisation. With polkit, each action is checked for the caller's bus
 * name (polkit's system-bus-name subject: polkitd asks the bus itself for
 * the uid and pid behind the name, so nothing the caller says is trusted);
 * interaction (an authentication dialog) only when the caller set
 * ALLOW_INTERACTIVE_AUTHORIZATION on its message. Without polkit (a build
 * without polkit-gobject-1), root may do everything and nobody else anything
 * that changes state.
 */
#include <errno.h>

#ifdef HAVE_POLKIT
#include <polkit/polkit.h>
#endif

#include "client/dbus/errors.h"
#include "client/daemon/daemon.h"
#include "client/daemon/log.h"

bool auth_have_polkit(void)
{
#ifdef HAVE_POLKIT
        return true;
#else
        return false;
#endif
}

int auth_init(struct daemon *d, GError **error)
{
#ifdef HAVE_POLKIT
        /* Lazily: polkitd may start after us (D-Bus activation). */
        d->authority = NULL;
#endif
        return 0;
}

void auth_fini(struct daemon *d)
{
#ifdef HAVE_POLKIT
        g_clear_object((PolkitAuthority **)&d->authority);
#endif
}

#ifdef HAVE_POLKIT
struct check {
        struct call *c;
        char *action;
        void (*done)(struct call *c, void *ud);
        void *ud;
        GDestroyNotify ud_free;
};

static void on_checked(GObject *src, GAsyncResult *res, gpointer data)
{
        struct check *k = data;
        g_autoptr(GError) error = NULL;
        g_autoptr(PolkitAuthorizationResult) r = NULL;

        r = polkit_authority_check_authorization_finish(POLKIT_AUTHORITY(src), res, &error);
        if (!r) {
                log_warn("polkit check of %s for uid %u failed: %s", k->action, (unsigned)k->c->uid,
                         error->message);
                call_error(k->c, TSU_ERROR_NOT_AUTHORIZED, "%s: polkit failed: %s", k->action,
                           error->message);
                if (k->ud_free)
                        k->ud_free(k->ud);
        } else if (polkit_authorization_result_get_is_authorized(r)) {
                k->done(k->c, k->ud);
        } else {
                log_info("uid %u not authorised for %s", (unsigned)k->c->uid, k->action);
                call_error(k->c, TSU_ERROR_NOT_AUTHORIZED, "not authorised (%s)%s", k->action,
                           polkit_authorization_result_get_is_challenge(r)
                                   ? ": authentication is needed (no agent answered)"
                                   : "");
                if (k->ud_free)
                        k->ud_free(k->ud);
        }
        g_free(k->action);
        g_free(k);
}
#endif

void auth_check(struct call *c, const char *action, void (*done)(struct call *c, void *ud),
                void *ud, GDestroyNotify ud_free)
{
#ifdef HAVE_POLKIT
        struct daemon *d = c->d;
        g_autoptr(GError) error = NULL;
        g_autoptr(PolkitSubject) subject = NULL;
        PolkitCheckAuthorizationFlags flags = POLKIT_CHECK_AUTHORIZATION_FLAGS_NONE;
        struct check *k;

        if (!d->authority) {
                d->authority = polkit_authority_get_sync(NULL, &error);
                if (!d->authority) {
                        log_err("polkit is not available: %s", error->message);
                        call_error(c, TSU_ERROR_NOT_AUTHORIZED, "polkit is not available: %s",
                                   error->message);
                        if (ud_free)
                                ud_free(ud);
                        return;
                }
        }
        if (g_dbus_message_get_flags(g_dbus_method_invocation_get_message(c->inv)) &
            G_DBUS_MESSAGE_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION)
                flags |= POLKIT_CHECK_AUTHORIZATION_FLAGS_ALLOW_USER_INTERACTION;
        subject = polkit_system_bus_name_new(c->sender);
        k = g_new0(struct check, 1);
        *k = (struct check){
                .c = c, .action = g_strdup(action), .done = done, .ud = ud, .ud_free = ud_free};
        polkit_authority_check_authorization(d->authority, subject, action, NULL, flags, NULL,
                                             on_checked, k);
#else
        if (c->uid == 0) {
                done(c, ud);
                return;
        }
        log_info("uid %u not authorised for %s (built without polkit: root only)", (unsigned)c->uid,
                 action);
        call_error(c, TSU_ERROR_NOT_AUTHORIZED,
                   "not authorised (%s): built without polkit, only root", action);
        if (ud_free)
                ud_free(ud);
#endif
}
