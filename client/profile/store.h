/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where profiles live on disk (used by the daemon).
 *
 *   system profiles    PROFILE_SYSTEM_DIR/NAME.tsunagu        written by IT, read here
 *   personal profiles  PROFILE_USER_DIR/UID/UUID.tsunagu      written here, mode 0600
 *
 * Files are only ever named by the store (from a validated UUID), never
 * from a path a caller supplies: callers hand over bytes and get profiles
 * back. Writes are atomic: a temporary file in the same directory (O_EXCL,
 * O_CLOEXEC, O_NOFOLLOW), fsync, rename over the old one, fsync of the
 * directory. The base directories are parameters so tests use their own.
 */
#pragma once

#include <sys/types.h>

#include "client/profile/profile.h"

#ifndef PROFILE_SYSTEM_DIR
#define PROFILE_SYSTEM_DIR "/etc/tsunagu/profiles"
#endif
#ifndef PROFILE_USER_DIR
#define PROFILE_USER_DIR "/var/lib/tsunagu/profiles"
#endif
#define PROFILE_FILE_SUFFIX ".tsunagu"

/* One file of a directory, loaded or not. */
struct profile_entry {
        char *filename;          /* inside the directory */
        struct profile *profile; /* NULL if it did not load */
        struct profile_report report;
        int error; /* 0, or the negative errno of the failure */
};

void profile_entry_free(struct profile_entry *e);

/* Loads every regular *.tsunagu file of dir (not following symlinks,
 * skipping dot files), each validated at time now (0: the current time).
 * One bad file does not stop the others: *ret holds one entry per file
 * (struct profile_entry *, sorted by name, free with g_ptr_array_unref).
 * Returns 0, or a negative errno if dir itself cannot be read (-ENOENT for a
 * missing directory, which callers usually treat as empty). */
int profile_store_load_dir(const char *dir, int64_t now, GPtrArray **ret);

/* Loads dir/UUID.tsunagu. Returns 0, -EINVAL (bad uuid or invalid profile:
 * see report), -ENOENT. */
int profile_store_load(const char *dir, const char *uuid, int64_t now, struct profile **ret,
                       struct profile_report *report);

/* base_dir/UID as a string. */
char *profile_store_user_dir(const char *base_dir, uid_t uid);

/* Writes p, secrets included, as base_dir/UID/UUID.tsunagu (creating
 * base_dir/UID with mode 0700 if needed). The UID directory must belong to
 * the caller's effective user and not be writable by others. Returns 0 or a
 * negative errno; on failure no temporary file is left behind and the old
 * file, if any, is untouched. */
int profile_store_save(const char *base_dir, uid_t uid, const struct profile *p);

/* Removes base_dir/UID/UUID.tsunagu. Returns 0, -ENOENT, -EINVAL (bad uuid). */
int profile_store_remove(const char *base_dir, uid_t uid, const char *uuid);
