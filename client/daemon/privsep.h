/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Starting an engine process: the parent has opened everything the engine
 * needs (TUN, UDP sockets, the profile in a sealed memfd, its end of the
 * IPC socketpair); the child is forked, drops to the engine user (all
 * groups, then gid, then uid: no way back, no capabilities left), sets
 * PR_SET_NO_NEW_PRIVS and a parent-death signal, and executes the engine
 * binary with exactly these descriptors and a minimal environment. The
 * engine installs its seccomp filter itself before it reads the network.
 */
#pragma once

#include <sys/types.h>

#include <gio/gio.h>

/* The descriptor numbers in the engine process. */
enum {
        ENGINE_FD_IPC = 3,
        ENGINE_FD_PROFILE = 4,
        ENGINE_FD_UDP_IKE = 5,  /* gateway port (500) */
        ENGINE_FD_UDP_NATT = 6, /* gateway port 4500 */
        ENGINE_FD_TUN = 7,
};

struct privsep_spawn {
        const char *engine_path;
        uid_t uid;
        gid_t gid;
        /* Given to the child (the caller closes its copies afterwards). */
        int ipc_fd, profile_fd, udp_ike_fd, udp_natt_fd, tun_fd;
        const char *const *argv_extra; /* NULL-terminated, non-secret, may be NULL */
};

/* Looks up the engine user. Returns 0, -ENOENT (no such user), -EPERM (it
 * is root or has uid/gid 0). */
int privsep_lookup_user(const char *name, uid_t *ret_uid, gid_t *ret_gid);

/* Spawns the engine. Returns the process or NULL with *error. */
GSubprocess *privsep_spawn(const struct privsep_spawn *s, GError **error);

/* A sealed memfd holding len bytes of data (the profile, secrets included):
 * the child reads it; nobody can change it in between. Returns the fd or
 * -errno. */
int privsep_memfd(const char *name, const void *data, size_t len);
