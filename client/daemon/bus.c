/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The objects tsunagud exports, and who may see them.
 *
 * GDBusObjectManagerServer and the generated skeletons would show every
 * profile and session to everyone on the system bus (GetManagedObjects,
 * Properties.Get, PropertiesChanged are not access-checked), which would tell
 * user B the name, gateway and addresses of user A's VPN. So each object is
 * registered here with the generated interface description and one vtable
 * whose get_property/set_property are NULL: GDBus then routes
 * org.freedesktop.DBus.Properties calls to method_call as well, after its
 * own checks of names and access. Every call first learns the caller's uid
 * (GetConnectionCredentials, cached per unique name until the name goes
 * away), then the object says whether that uid may see it; if not, the
 * answer is NotFound, as for an object that does not exist. Signals
 * (PropertiesChanged, InterfacesAdded/Removed, StateChanged) go unicast to
 * the peers that called us before and may see the object.
 */
#include <errno.h>
#include <string.h>

#include "client/dbus/errors.h"
#include "client/daemon/daemon.h"
#include "client/daemon/log.h"

#define DBUS_OM_IFACE    "org.freedesktop.DBus.ObjectManager"
#define DBUS_PROPS_IFACE "org.freedesktop.DBus.Properties"

static const char om_xml[] = "<node><interface name='org.freedesktop.DBus.ObjectManager'>"
                             "<method name='GetManagedObjects'>"
                             "<arg name='objects' type='a{oa{sa{sv}}}' direction='out'/></method>"
                             "<signal name='InterfacesAdded'><arg name='object' type='o'/>"
                             "<arg name='interfaces' type='a{sa{sv}}'/></signal>"
                             "<signal name='InterfacesRemoved'><arg name='object' type='o'/>"
                             "<arg name='interfaces' type='as'/></signal>"
                             "</interface></node>";

/* ---------------------------------------------------------------- calls */

void call_free(struct call *c)
{
        if (!c)
                return;
        g_clear_object(&c->inv);
        g_free((char *)c->sender);
        g_free((char *)c->method);
        g_clear_pointer(&c->params, g_variant_unref);
        g_free(c);
}

void call_error(struct call *c, int code, const char *fmt, ...)
{
        g_autofree char *msg = NULL;
        va_list ap;

        va_start(ap, fmt);
        msg = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        g_dbus_method_invocation_return_dbus_error(g_steal_pointer(&c->inv),
                                                   tsu_error_dbus_name(code), msg);
        call_free(c);
}

void call_return(struct call *c, GVariant *ret)
{
        g_dbus_method_invocation_return_value(g_steal_pointer(&c->inv), ret);
        call_free(c);
}

/* ---------------------------------------------------------------- peers */

static void peer_free(struct peer *p)
{
        if (!p)
                return;
        g_free(p->name);
        g_free(p->agent_path);
        g_free(p);
}

struct peer *bus_peer(struct daemon *d, const char *name)
{
        return g_hash_table_lookup(d->peers, name);
}

static void on_name_owner_changed(GDBusConnection *conn, const char *sender, const char *path,
                                  const char *iface, const char *signal, GVariant *params,
                                  gpointer ud)
{
        struct daemon *d = ud;
        const char *name, *old_owner, *new_owner;

        if (!g_variant_is_of_type(params, G_VARIANT_TYPE("(sss)")))
                return;
        g_variant_get(params, "(&s&s&s)", &name, &old_owner, &new_owner);
        /* A unique name that leaves never comes back: forget it. */
        if (name[0] == ':' && new_owner[0] == '\0')
                g_hash_table_remove(d->peers, name);
}

typedef void (*caller_fn)(struct call *c, void *ud);

struct lookup {
        struct call *c;
        caller_fn fn;
        void *ud;
};

static void on_credentials(GObject *src, GAsyncResult *res, gpointer data)
{
        struct lookup *l = data;
        struct call *c = l->c;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) ret = NULL, creds = NULL;
        guint32 uid, pid = 0;
        struct peer *p;

        ret = g_dbus_connection_call_finish(G_DBUS_CONNECTION(src), res, &error);
        if (!ret) {
                log_warn("cannot learn who %s is: %s", c->sender, error->message);
                call_error(c, TSU_ERROR_NOT_AUTHORIZED, "cannot identify the caller");
                g_free(l);
                return;
        }
        creds = g_variant_get_child_value(ret, 0);
        if (!g_variant_lookup(creds, "UnixUserID", "u", &uid)) {
                call_error(c, TSU_ERROR_NOT_AUTHORIZED, "the bus did not give the caller's uid");
                g_free(l);
                return;
        }
        g_variant_lookup(creds, "ProcessID", "u", &pid);
        p = g_new0(struct peer, 1);
        p->name = g_strdup(c->sender);
        p->uid = uid;
        p->pid = (pid_t)pid;
        g_hash_table_replace(c->d->peers, p->name, p);
        c->uid = uid;
        c->pid = (pid_t)pid;
        l->fn(c, l->ud);
        g_free(l);
}

/* Learns c's caller, then calls fn. */
static void with_caller(struct call *c, caller_fn fn, void *ud)
{
        struct peer *p = bus_peer(c->d, c->sender);
        struct lookup *l;

        if (p) {
                c->uid = p->uid;
                c->pid = p->pid;
                fn(c, ud);
                return;
        }
        l = g_new0(struct lookup, 1);
        *l = (struct lookup){.c = c, .fn = fn, .ud = ud};
        g_dbus_connection_call(c->d->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                               "org.freedesktop.DBus", "GetConnectionCredentials",
                               g_variant_new("(s)", c->sender), G_VARIANT_TYPE("(a{sv})"),
                               G_DBUS_CALL_FLAGS_NONE, 10000, NULL, on_credentials, l);
}

/* ---------------------------------------------------------------- objects */

static GVariant *object_props(struct bus_object *o)
{
        GDBusInterfaceInfo *info = o->cls->iface_info();
        GVariantBuilder b;

        g_variant_builder_init(&b, G_VARIANT_TYPE("a{sv}"));
        for (GDBusPropertyInfo **pi = info->properties; pi && *pi; pi++) {
                GVariant *v = o->cls->get_property(o->ud, (*pi)->name);

                if (v)
                        g_variant_builder_add(&b, "{sv}", (*pi)->name, v);
        }
        return g_variant_builder_end(&b);
}

static void props_call(struct call *c, void *ud)
{
        struct bus_object *o = ud;
        const char *iface, *name;

        if (!o->cls->visible(o->ud, c->uid)) {
                g_dbus_method_invocation_return_error(g_steal_pointer(&c->inv), G_DBUS_ERROR,
                                                      G_DBUS_ERROR_UNKNOWN_OBJECT,
                                                      "no object at %s", o->path);
                call_free(c);
                return;
        }
        if (strcmp(c->method, "Get") == 0) {
                GVariant *v;

                g_variant_get(c->params, "(&s&s)", &iface, &name);
                v = o->cls->get_property(o->ud, name);
                if (!v) {
                        g_dbus_method_invocation_return_error(
                                g_steal_pointer(&c->inv), G_DBUS_ERROR,
                                G_DBUS_ERROR_UNKNOWN_PROPERTY, "no property %s", name);
                        call_free(c);
                        return;
                }
                call_return(c, g_variant_new("(v)", v));
        } else if (strcmp(c->method, "GetAll") == 0) {
                call_return(c, g_variant_new("(@a{sv})", object_props(o)));
        } else {
                g_dbus_method_invocation_return_error(g_steal_pointer(&c->inv), G_DBUS_ERROR,
                                                      G_DBUS_ERROR_PROPERTY_READ_ONLY,
                                                      "every property is read-only");
                call_free(c);
        }
}

static void method_call_checked(struct call *c, void *ud)
{
        struct bus_object *o = ud;

        if (!o->cls->visible(o->ud, c->uid)) {
                call_error(c, TSU_ERROR_NOT_FOUND, "no object at %s", o->path);
                return;
        }
        o->cls->call(o->ud, c);
}

static void om_call(struct call *c, void *ud);

static void on_method_call(GDBusConnection *conn, const char *sender, const char *path,
                           const char *iface, const char *method, GVariant *params,
                           GDBusMethodInvocation *inv, gpointer ud)
{
        struct bus_object *o = ud;
        struct call *c = g_new0(struct call, 1);

        c->d = o->d;
        c->inv = inv; /* we own it now */
        c->sender = g_strdup(sender ? sender : "");
        c->method = g_strdup(method);
        c->params = g_variant_ref(params);
        if (!sender) {
                call_error(c, TSU_ERROR_NOT_AUTHORIZED, "no sender");
                return;
        }
        if (strcmp(iface, DBUS_PROPS_IFACE) == 0)
                with_caller(c, props_call, o);
        else if (strcmp(iface, DBUS_OM_IFACE) == 0)
                with_caller(c, om_call, o);
        else
                with_caller(c, method_call_checked, o);
}

static const GDBusInterfaceVTable vtable = {
        .method_call = on_method_call,
        /* NULL: Properties calls reach on_method_call, after GDBus's checks. */
        .get_property = NULL,
        .set_property = NULL,
};

static void emit_to_peers(struct bus_object *o, const char *path, const char *iface,
                          const char *signal, GVariant *params)
{
        GHashTableIter it;
        struct peer *p;

        g_variant_ref_sink(params);
        g_hash_table_iter_init(&it, o->d->peers);
        while (g_hash_table_iter_next(&it, NULL, (gpointer *)&p)) {
                if (!o->cls->visible(o->ud, p->uid))
                        continue;
                g_dbus_connection_emit_signal(o->d->bus, p->name, path, iface, signal, params,
                                              NULL);
        }
        g_variant_unref(params);
}

struct bus_object *bus_object_new(struct daemon *d, const char *path,
                                  const struct bus_object_class *cls, void *ud, GError **error)
{
        struct bus_object *o = g_new0(struct bus_object, 1);

        o->d = d;
        o->path = g_strdup(path);
        o->cls = cls;
        o->ud = ud;
        /* While the bus connection is being replaced, bus_attach() registers it. */
        if (!g_dbus_connection_is_closed(d->bus))
                o->reg_id = g_dbus_connection_register_object(d->bus, path, cls->iface_info(),
                                                              &vtable, o, NULL, error);
        if (o->reg_id == 0 && !g_dbus_connection_is_closed(d->bus)) {
                g_free(o->path);
                g_free(o);
                return NULL;
        }
        g_hash_table_insert(d->objects, o->path, o);
        if (d->manager && o != d->manager) {
                GVariantBuilder b;

                g_variant_builder_init(&b, G_VARIANT_TYPE("a{sa{sv}}"));
                g_variant_builder_add(&b, "{s@a{sv}}", cls->iface_name, object_props(o));
                emit_to_peers(o, TSU_DBUS_PATH, DBUS_OM_IFACE, "InterfacesAdded",
                              g_variant_new("(o@a{sa{sv}})", path, g_variant_builder_end(&b)));
        }
        return o;
}

void bus_object_free(struct bus_object *o)
{
        const char *ifaces[] = {NULL, NULL};

        if (!o)
                return;
        ifaces[0] = o->cls->iface_name;
        if (o->d->manager && o != o->d->manager)
                emit_to_peers(o, TSU_DBUS_PATH, DBUS_OM_IFACE, "InterfacesRemoved",
                              g_variant_new("(o^as)", o->path, ifaces));
        if (o->reg_id)
                g_dbus_connection_unregister_object(o->d->bus, o->reg_id);
        g_hash_table_remove(o->d->objects, o->path);
        g_free(o->path);
        g_free(o);
}

void bus_object_changed(struct bus_object *o, const char *const *names)
{
        GVariantBuilder b;
        const char *none[] = {NULL};

        g_variant_builder_init(&b, G_VARIANT_TYPE("a{sv}"));
        for (const char *const *n = names; *n; n++) {
                GVariant *v = o->cls->get_property(o->ud, *n);

                if (v)
                        g_variant_builder_add(&b, "{sv}", *n, v);
        }
        emit_to_peers(
                o, o->path, DBUS_PROPS_IFACE, "PropertiesChanged",
                g_variant_new("(s@a{sv}^as)", o->cls->iface_name, g_variant_builder_end(&b), none));
}

void bus_object_signal(struct bus_object *o, const char *signal, GVariant *params)
{
        emit_to_peers(o, o->path, o->cls->iface_name, signal, params);
}

/* ---------------------------------------------------------------- ObjectManager */

static void om_call(struct call *c, void *ud)
{
        struct daemon *d = c->d;
        GVariantBuilder b;
        GHashTableIter it;
        struct bus_object *o;

        if (strcmp(c->method, "GetManagedObjects") != 0) {
                call_error(c, TSU_ERROR_FAILED, "no method %s", c->method);
                return;
        }
        g_variant_builder_init(&b, G_VARIANT_TYPE("a{oa{sa{sv}}}"));
        g_hash_table_iter_init(&it, d->objects);
        while (g_hash_table_iter_next(&it, NULL, (gpointer *)&o)) {
                GVariantBuilder ib;

                /* The manager itself is not one of its managed objects
                 * (the D-Bus specification: children of the path only). */
                if (o == d->manager || !o->cls->visible(o->ud, c->uid))
                        continue;
                g_variant_builder_init(&ib, G_VARIANT_TYPE("a{sa{sv}}"));
                g_variant_builder_add(&ib, "{s@a{sv}}", o->cls->iface_name, object_props(o));
                g_variant_builder_add(&b, "{o@a{sa{sv}}}", o->path, g_variant_builder_end(&ib));
        }
        call_return(c, g_variant_new("(@a{oa{sa{sv}}})", g_variant_builder_end(&b)));
}

/* ---------------------------------------------------------------- setup */

static guint om_reg;
static struct bus_object om_obj; /* only for the vtable's user data */

/* Registers the ObjectManager, every object and the NameOwnerChanged
 * subscription on d->bus: at start, and again on a new connection after
 * the old one was closed (see main.c). */
int bus_attach(struct daemon *d, GError **error)
{
        GHashTableIter it;
        struct bus_object *o;

        d->name_owner_sub = g_dbus_connection_signal_subscribe(
                d->bus, "org.freedesktop.DBus", "org.freedesktop.DBus", "NameOwnerChanged",
                "/org/freedesktop/DBus", NULL, G_DBUS_SIGNAL_FLAGS_NONE, on_name_owner_changed, d,
                NULL);
        om_obj.d = d;
        om_obj.path = (char *)TSU_DBUS_PATH;
        om_reg = g_dbus_connection_register_object(d->bus, TSU_DBUS_PATH, d->om_info->interfaces[0],
                                                   &vtable, &om_obj, NULL, error);
        if (!om_reg)
                return -EIO;
        g_hash_table_iter_init(&it, d->objects);
        while (g_hash_table_iter_next(&it, NULL, (gpointer *)&o)) {
                o->reg_id = g_dbus_connection_register_object(d->bus, o->path, o->cls->iface_info(),
                                                              &vtable, o, NULL, error);
                if (!o->reg_id)
                        return -EIO;
        }
        return 0;
}

/* The connection is gone: forget its registrations (they died with it). */
void bus_detach(struct daemon *d)
{
        GHashTableIter it;
        struct bus_object *o;

        om_reg = 0;
        d->name_owner_sub = 0;
        g_hash_table_iter_init(&it, d->objects);
        while (g_hash_table_iter_next(&it, NULL, (gpointer *)&o))
                o->reg_id = 0;
}

int bus_init(struct daemon *d, GError **error)
{
        d->peers = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)peer_free);
        d->objects = g_hash_table_new(g_str_hash, g_str_equal);
        d->om_info = g_dbus_node_info_new_for_xml(om_xml, error);
        if (!d->om_info)
                return -EINVAL;
        return bus_attach(d, error);
}

void bus_fini(struct daemon *d)
{
        if (om_reg)
                g_dbus_connection_unregister_object(d->bus, om_reg);
        om_reg = 0;
        if (d->name_owner_sub)
                g_dbus_connection_signal_unsubscribe(d->bus, d->name_owner_sub);
        d->name_owner_sub = 0;
        g_clear_pointer(&d->om_info, g_dbus_node_info_unref);
        g_clear_pointer(&d->peers, g_hash_table_unref);
        g_clear_pointer(&d->objects, g_hash_table_unref);
}
