/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/common/macro.h"
#include "platform/linux/journal.h"

struct journal {
        char *path;
        GArray *ops;
};

static int set_errno_error(GError **error, int r, const char *what, const char *path)
{
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(-r), "%s %s: %s", what, path,
                    g_strerror(-r));
        return r;
}

int ensure_dir(const char *dir, GError **error)
{
        if (g_mkdir_with_parents(dir, 0700) < 0)
                return set_errno_error(error, -errno, "creating directory", dir);
        return 0;
}

static int fsync_dir_of(const char *path)
{
        g_autofree char *dir = g_path_get_dirname(path);
        _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        if (fd < 0 || fsync(fd) < 0)
                return -errno;
        return 0;
}

int atomic_write_file(const char *path, const char *data, size_t len, mode_t mode,
                      GError **error)
{
        g_autofree char *tmp = g_strdup_printf("%s.tmp-XXXXXX", path);
        _cleanup_close_ int fd = -1;
        size_t off = 0;
        int r;

        fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, 0600);
        if (fd < 0)
                return set_errno_error(error, -errno, "creating", tmp);
        while (off < len) {
                ssize_t n = write(fd, data + off, len - off);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        r = -errno;
                        goto fail;
                }
                off += (size_t)n;
        }
        if (fchmod(fd, mode) < 0 || fsync(fd) < 0) {
                r = -errno;
                goto fail;
        }
        if (close(TAKE_FD(fd)) < 0) {
                r = -errno;
                goto fail;
        }
        if (rename(tmp, path) < 0) {
                r = -errno;
                goto fail;
        }
        (void)fsync_dir_of(path);
        return 0;
fail:
        (void)unlink(tmp);
        return set_errno_error(error, r, "writing", path);
}

int journal_new(const char *dir, const char *name, struct journal **ret, GError **error)
{
        struct journal *j;
        int r;

        r = ensure_dir(dir, error);
        if (r < 0)
                return r;
        j = g_new0(struct journal, 1);
        j->path = g_strdup_printf("%s/%s%s", dir, name, JOURNAL_SUFFIX);
        j->ops = op_list_new();
        if (access(j->path, F_OK) == 0) {
                g_set_error(error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                            "journal %s exists: a previous instance left changes behind "
                            "(recover first)",
                            j->path);
                journal_free(j);
                return -EEXIST;
        }
        *ret = j;
        return 0;
}

void journal_free(struct journal *j)
{
        if (!j)
                return;
        g_array_unref(j->ops);
        g_free(j->path);
        g_free(j);
}

const char *journal_path(const struct journal *j)
{
        return j->path;
}

GArray *journal_ops(struct journal *j)
{
        return j->ops;
}

static int journal_write(struct journal *j, GError **error)
{
        g_autoptr(GString) s = g_string_new(JOURNAL_MAGIC "\n");

        for (guint i = 0; i < j->ops->len; i++) {
                g_autofree char *line = op_format(&g_array_index(j->ops, struct op, i));

                g_string_append(s, line);
                g_string_append_c(s, '\n');
        }
        return atomic_write_file(j->path, s->str, s->len, 0600, error);
}

int journal_record(struct journal *j, const struct op *op, GError **error)
{
        struct op copy = *op;
        int r;

        copy.path = g_strdup(op->path);
        copy.saved = g_strdup(op->saved);
        g_array_append_val(j->ops, copy);
        r = journal_write(j, error);
        if (r < 0)
                g_array_set_size(j->ops, j->ops->len - 1);
        return r;
}

int journal_pop(struct journal *j, GError **error)
{
        if (j->ops->len == 0)
                return 0;
        g_array_set_size(j->ops, j->ops->len - 1);
        return journal_write(j, error);
}

int journal_remove(struct journal *j, GError **error)
{
        g_array_set_size(j->ops, 0);
        if (unlink(j->path) < 0 && errno != ENOENT)
                return set_errno_error(error, -errno, "removing", j->path);
        (void)fsync_dir_of(j->path);
        return 0;
}

int journal_load(const char *path, GArray **ret_ops, GError **error)
{
        g_autofree char *data = NULL;
        g_autoptr(GArray) ops = op_list_new();
        g_autoptr(GError) e = NULL;
        g_auto(GStrv) lines = NULL;
        struct stat st;
        gsize len;

        if (stat(path, &st) < 0)
                return set_errno_error(error, -errno, "reading", path);
        if (!S_ISREG(st.st_mode) || st.st_size > JOURNAL_MAX_SIZE) {
                g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                            "journal %s is not a regular file under %d bytes", path,
                            JOURNAL_MAX_SIZE);
                return -EBADMSG;
        }
        if (!g_file_get_contents(path, &data, &len, &e)) {
                g_propagate_prefixed_error(error, g_steal_pointer(&e), "reading journal: ");
                return -EIO;
        }
        if (strlen(data) != len) {
                g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                            "journal %s contains a NUL byte", path);
                return -EBADMSG;
        }
        lines = g_strsplit(data, "\n", -1);
        if (!lines[0] || strcmp(lines[0], JOURNAL_MAGIC) != 0) {
                g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                            "%s is not a tsunagu journal (first line \"%.40s\")", path,
                            lines[0] ? lines[0] : "");
                return -EBADMSG;
        }
        for (size_t i = 1; lines[i]; i++) {
                struct op op;
                int r;

                if (lines[i][0] == '\0')
                        continue;
                r = op_parse(lines[i], &op, &e);
                if (r < 0) {
                        g_propagate_prefixed_error(error, g_steal_pointer(&e), "%s line %zu: ",
                                                   path, i + 1);
                        return r;
                }
                g_array_append_val(ops, op);
        }
        *ret_ops = g_steal_pointer(&ops);
        return 0;
}
