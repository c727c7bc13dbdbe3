/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tsunagud, the privileged parent: shared types of its files.
 *
 *   main.c      options, startup (platform_recover first), signals, bus name
 *   bus.c       peers (uid per bus name), object registry, the filtered
 *               ObjectManager, property reads, unicast signals
 *   auth.c      polkit checks (root only without polkit)
 *   options.c   a{sv} option tables: unknown or ill-typed keys refused by name
 *   profiles.c  the profile store as Profile objects; Manager methods
 *   session.c   Session objects: connect, supervise the engine process,
 *               apply what it asks (netcheck.c), revert
 *   privsep.c   spawning the engine process (user, fds, no privileges)
 *   agent.c     secret agents
 *   log.c       journal/stderr, per-session ring buffers
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include <gio/gio.h>

#include "client/profile/profile.h"

struct daemon_options {
        char *system_dir;  /* PROFILE_SYSTEM_DIR */
        char *user_dir;    /* PROFILE_USER_DIR */
        char *state_dir;   /* PLATFORM_STATE_DIR */
        char *resolv_conf; /* PLATFORM_RESOLV_CONF */
        char *engine_path; /* LIBEXECDIR "/tsunagu-engine" */
        char *engine_user; /* TSUNAGU_ENGINE_USER */
        bool no_seccomp;   /* debugging only; logged loudly */
        bool no_recover;   /* tests that run beside another helper */
};

struct peer;
struct bus_object;
struct dprofile;
struct session;

struct daemon {
        struct daemon_options opts;
        GMainLoop *loop;
        GDBusConnection *bus; /* our own connection (not the shared singleton) */
        guint name_id;
        guint reconnect_timer;
        unsigned reconnects;
        guint name_owner_sub;
        GHashTable *peers;    /* unique name -> struct peer * */
        GHashTable *objects;  /* path -> struct bus_object * */
        GHashTable *profiles; /* path -> struct dprofile * */
        GDBusNodeInfo *om_info;
        struct bus_object *manager;
        unsigned next_session;
        void *authority; /* PolkitAuthority *, when built with polkit */
        bool stopping;
        unsigned n_stopping; /* sessions still going down at SIGTERM */
};

/* One method call, once the caller is known. */
struct call {
        struct daemon *d;
        GDBusMethodInvocation *inv; /* owned; answered exactly once */
        const char *sender;
        const char *method;
        GVariant *params;
        uid_t uid;
        pid_t pid;
};

/* ---------------------------------------------------------------- bus.c */

struct bus_object_class {
        const char *iface_name;
        GDBusInterfaceInfo *(*iface_info)(void);
        bool (*visible)(void *ud, uid_t uid);
        GVariant *(*get_property)(void *ud, const char *name);
        void (*call)(void *ud, struct call *c); /* answers c->inv; frees nothing */
};

struct bus_object {
        struct daemon *d;
        char *path;
        const struct bus_object_class *cls;
        void *ud;
        guint reg_id;
};

struct peer {
        char *name;
        uid_t uid;
        pid_t pid;
        char *agent_path; /* registered SecretAgent, or NULL */
};

int bus_init(struct daemon *d, GError **error);
void bus_fini(struct daemon *d);
/* (Re)registers everything on d->bus; bus_detach() forgets a closed one's. */
int bus_attach(struct daemon *d, GError **error);
void bus_detach(struct daemon *d);
struct bus_object *bus_object_new(struct daemon *d, const char *path,
                                  const struct bus_object_class *cls, void *ud, GError **error);
/* Emits InterfacesRemoved (to the peers that may see it) and unregisters. NULL-safe. */
void bus_object_free(struct bus_object *o);
/* PropertiesChanged for the given NULL-terminated property names. */
void bus_object_changed(struct bus_object *o, const char *const *names);
/* A signal of the object's interface, to the peers that may see it. */
void bus_object_signal(struct bus_object *o, const char *signal, GVariant *params);
struct peer *bus_peer(struct daemon *d, const char *name);

/* Answers with org.tsunagu.Vpn1.Error.* (enum tsu_error) and frees c. */
void call_error(struct call *c, int code, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
void call_return(struct call *c, GVariant *ret);
void call_free(struct call *c);

/* ---------------------------------------------------------------- auth.c */

#define ACTION_CONNECT       "org.tsunagu.vpn.connect"
#define ACTION_IMPORT        "org.tsunagu.vpn.import-profile"
#define ACTION_MANAGE_SYSTEM "org.tsunagu.vpn.manage-system-profiles"

int auth_init(struct daemon *d, GError **error);
void auth_fini(struct daemon *d);
/* Checks action for c's caller; then calls done(c, ud), or answers c with
 * NotAuthorized itself and frees ud with ud_free (may be NULL). */
void auth_check(struct call *c, const char *action, void (*done)(struct call *c, void *ud),
                void *ud, GDestroyNotify ud_free);
bool auth_have_polkit(void);

/* ---------------------------------------------------------------- profiles.c */

struct dprofile {
        struct daemon *d;
        struct profile *profile;
        uid_t owner; /* 0 for system profiles */
        bool system;
        char *filename; /* system profiles: the file's name in system_dir */
        struct bus_object *obj;
        struct session *session;
};

int profiles_load(struct daemon *d);
/* SIGHUP: system profiles re-read; connected ones are kept as they are. */
void profiles_reload_system(struct daemon *d);
void profiles_free_all(struct daemon *d);
bool dprofile_visible(const struct dprofile *p, uid_t uid);
void manager_call(void *ud, struct call *c);
GVariant *manager_get_property(void *ud, const char *name);

/* ---------------------------------------------------------------- session.c */

struct session *session_new(struct dprofile *p);
void session_free(struct session *s);
const char *session_path(const struct session *s);
bool session_active(const struct session *s);
uid_t session_owner(const struct session *s);
/* Profile.Connect/Disconnect after the polkit check. */
void session_connect(struct session *s, struct call *c);
void session_disconnect(struct session *s, struct call *c);
/* SIGTERM: every session down; calls daemon_stopped() when the last is. */
void sessions_stop_all(struct daemon *d);
void daemon_session_stopped(struct daemon *d);
/* The recent log lines (GetLog). */
GVariant *session_log(const struct session *s);

/* ---------------------------------------------------------------- agent.c */

typedef void (*agent_done_fn)(void *ud, int error, char *secret /* wiped by the callee */,
                              const char *message);
/* Asks the agent of caller (a bus name), or else any agent of uid. Returns
 * a cancellable (unref it; cancel to withdraw; done is still called), or
 * NULL when there is no agent (done is not called). */
GCancellable *agent_ask(struct daemon *d, uid_t uid, const char *caller, const char *profile_path,
                        const char *kind, const char *prompt, GVariant *hints, agent_done_fn done,
                        void *ud);
