/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/common/macro.h"
#include "platform/linux/dns.h"

#define SAVED_NAME "resolv.conf.saved"
/* glibc reads at most three nameserver lines (MAXNS). */
#define RESOLV_MAXNS 3
/* The first line of every file we write: on restore, a resolv.conf that
 * does not start with it was written by someone else after us. */
#define OUR_HEADER "# Written by tsunagu while the VPN is up; the original is\n"

char *resolvconf_render(const struct platform_config *cfg)
{
        GString *s = g_string_new(OUR_HEADER "# put back when it goes down.\n");
        size_t n = 0;

        for (size_t i = 0; i < cfg->n_dns && n < RESOLV_MAXNS; i++, n++) {
                g_autofree char *a = addr_to_string(&cfg->dns[i]);

                g_string_append_printf(s, "nameserver %s\n", a);
        }
        if (cfg->search_domains && cfg->search_domains[0]) {
                g_string_append(s, "search");
                for (size_t i = 0; cfg->search_domains[i]; i++)
                        g_string_append_printf(s, " %s", cfg->search_domains[i]);
                g_string_append_c(s, '\n');
        }
        return g_string_free(s, FALSE);
}

static int errno_error(GError **error, int r, const char *what, const char *path)
{
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(-r), "%s %s: %s", what, path,
                    g_strerror(-r));
        return r;
}

/* Atomically when we can. A resolv.conf that is a mount point (containers
 * bind-mount it) cannot be renamed over (EBUSY): it is rewritten in place. */
static int replace_file(const char *path, const char *data, size_t len, mode_t mode,
                        GError **error)
{
        g_autoptr(GError) e = NULL;
        _cleanup_close_ int fd = -1;
        size_t off = 0;
        int r;

        r = atomic_write_file(path, data, len, mode, &e);
        if (r != -EBUSY) {
                if (r < 0)
                        g_propagate_error(error, g_steal_pointer(&e));
                return r;
        }
        fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return errno_error(error, -errno, "rewriting", path);
        while (off < len) {
                ssize_t n = write(fd, data + off, len - off);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return errno_error(error, -errno, "rewriting", path);
                }
                off += (size_t)n;
        }
        if (fsync(fd) < 0)
                return errno_error(error, -errno, "rewriting", path);
        return 0;
}

static int resolvconf_apply(const struct platform_config *cfg, struct journal *j, GError **error)
{
        struct op op = { .kind = OP_DNS_RESOLVCONF, .suppress = -1 };
        g_autofree char *content = NULL;
        struct stat st;
        int r;

        if (lstat(cfg->resolv_conf, &st) < 0)
                return errno_error(error, -errno, "reading", cfg->resolv_conf);
        op.path = g_strdup(cfg->resolv_conf);
        if (S_ISLNK(st.st_mode)) {
                char target[PATH_MAX];
                ssize_t n = readlink(cfg->resolv_conf, target, sizeof(target) - 1);

                if (n < 0) {
                        r = errno_error(error, -errno, "reading the link", cfg->resolv_conf);
                        goto out;
                }
                target[n] = '\0';
                op.link = true;
                op.saved = g_strdup(target);
        } else if (S_ISREG(st.st_mode)) {
                g_autofree char *orig = NULL;
                g_autoptr(GError) e = NULL;
                gsize len;

                if (st.st_size > 1024 * 1024) {
                        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                    "%s is larger than 1 MiB", cfg->resolv_conf);
                        r = -EFBIG;
                        goto out;
                }
                if (!g_file_get_contents(cfg->resolv_conf, &orig, &len, &e)) {
                        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "saving %s: %s",
                                    cfg->resolv_conf, e->message);
                        r = -EIO;
                        goto out;
                }
                op.saved = g_strdup_printf("%s/%s", cfg->state_dir, SAVED_NAME);
                /* Never overwrite a copy a previous instance saved: that one
                 * is the user's, ours would be the VPN's (recover first). */
                if (access(op.saved, F_OK) == 0) {
                        g_set_error(error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                                    "%s exists: a previous instance did not restore %s "
                                    "(recover first)",
                                    op.saved, cfg->resolv_conf);
                        r = -EEXIST;
                        goto out;
                }
                /* The copy exists before the journal names it. */
                r = atomic_write_file(op.saved, orig, len, st.st_mode & 07777, error);
                if (r < 0)
                        goto out;
        } else {
                g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE,
                            "%s is neither a file nor a symlink", cfg->resolv_conf);
                r = -EINVAL;
                goto out;
        }
        r = journal_record(j, &op, error);
        if (r < 0)
                goto out;
        content = resolvconf_render(cfg);
        /* rename() over a symlink replaces the link itself, not its target. */
        r = replace_file(cfg->resolv_conf, content, strlen(content), 0644, error);
out:
        op_clear(&op);
        return r;
}

/* Whether path still holds what we wrote: a regular file (or a bind-mounted
 * one) that starts with our header. A DHCP client or NetworkManager that
 * rewrote resolv.conf while the tunnel was up (a new lease, another network)
 * wrote the machine's current truth; our saved copy is older than that. So
 * is a symlink put back by someone else. And after a crash between the
 * journal record and the write, the file is still the original. */
static bool still_ours(const char *path)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
        char head[sizeof(OUR_HEADER) - 1];
        size_t off = 0;
        struct stat st;

        if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
                return false;
        while (off < sizeof(head)) {
                ssize_t n = read(fd, head + off, sizeof(head) - off);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return false;
                off += (size_t)n;
        }
        return memcmp(head, OUR_HEADER, sizeof(head)) == 0;
}

int resolvconf_restore(const struct op *op, GError **error)
{
        g_autofree char *tmp = g_strdup_printf("%s.tsunagu-link", op->path);
        g_autofree char *data = NULL;
        g_autoptr(GError) e = NULL;
        struct stat st;
        gsize len;
        int r;

        if (!still_ours(op->path)) {
                /* Keep the newer file; only our copy of the old one goes. */
                if (!op->link && unlink(op->saved) < 0 && errno != ENOENT)
                        return errno_error(error, -errno, "removing", op->saved);
                return 0;
        }
        if (op->link) {
                (void)unlink(tmp);
                if (symlink(op->saved, tmp) < 0)
                        return errno_error(error, -errno, "recreating the link", tmp);
                if (rename(tmp, op->path) < 0) {
                        r = -errno;
                        (void)unlink(tmp);
                        return errno_error(error, r, "restoring the link", op->path);
                }
                return 0;
        }
        if (stat(op->saved, &st) < 0) {
                if (errno == ENOENT)
                        return 0; /* already put back */
                return errno_error(error, -errno, "reading", op->saved);
        }
        if (!g_file_get_contents(op->saved, &data, &len, &e)) {
                g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "restoring %s: %s", op->path,
                            e->message);
                return -EIO;
        }
        r = replace_file(op->path, data, len, st.st_mode & 07777, error);
        if (r < 0)
                return r;
        if (unlink(op->saved) < 0 && errno != ENOENT)
                return errno_error(error, -errno, "removing", op->saved);
        return 0;
}

const struct dns_backend dns_backend_resolvconf = {
        .name = "resolv.conf",
        .apply = resolvconf_apply,
};
