/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The crash-recovery journal: a text file under the state directory that
 * lists, one operation a line (plan.h), everything that may have been
 * changed. It is rewritten atomically (temp file, fsync, rename, fsync of the
 * directory) BEFORE each change, so after a crash it names a superset of what
 * exists.
 */
#pragma once

#include <sys/types.h>

#include <glib.h>

#include "platform/linux/plan.h"

#define JOURNAL_MAGIC  "tsunagu-platform-journal 1"
#define JOURNAL_SUFFIX ".journal"
#define JOURNAL_MAX_SIZE (1024 * 1024)

struct journal;

/* Creates the state directory (0700) if needed; the journal file itself is
 * written by the first journal_record(). Fails with EEXIST if a journal by
 * that name is already there (recover first). */
int journal_new(const char *dir, const char *name, struct journal **ret, GError **error);
void journal_free(struct journal *j);
const char *journal_path(const struct journal *j);
/* The recorded operations, oldest first. */
GArray *journal_ops(struct journal *j);

/* Appends a copy of op and rewrites the file. */
int journal_record(struct journal *j, const struct op *op, GError **error);
/* Drops the newest operation (it was undone) and rewrites the file. */
int journal_pop(struct journal *j, GError **error);
/* Removes the file (everything was undone). */
int journal_remove(struct journal *j, GError **error);

/* Reads a journal file written by a previous instance. */
int journal_load(const char *path, GArray **ret_ops, GError **error);

/* Writes data to path through a temp file in the same directory: either
 * the old or the new content is there, whatever happens. */
int atomic_write_file(const char *path, const char *data, size_t len, mode_t mode,
                      GError **error);
/* mkdir -p for the state directory, mode 0700. */
int ensure_dir(const char *dir, GError **error);
