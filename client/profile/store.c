/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The profile store on disk: see store.h. */
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

void profile_entry_free(struct profile_entry *e)
{
        if (!e)
                return;
        g_free(e->filename);
        profile_free(e->profile);
        profile_report_clear(&e->report);
        g_free(e);
}

char *profile_store_user_dir(const char *base_dir, uid_t uid)
{
        return g_strdup_printf("%s/%u", base_dir, (unsigned)uid);
}

/* Reads a whole regular file (no symlink) below dfd, at most limit bytes. */
static int read_file_at(int dfd, const char *name, size_t limit, struct bytes *ret)
{
        _cleanup_close_ int fd = -1;
        struct bytes b = { 0 };
        struct stat st;
        size_t off = 0;

        fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EBADFD;
        if ((uint64_t)st.st_size > limit)
                return -EFBIG;
        if (bytes_alloc(&b, (size_t)st.st_size) < 0)
                return -ENOMEM;
        while (off < b.len) {
                ssize_t n = read(fd, b.ptr + off, b.len - off);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        int r = n < 0 ? -errno : -EIO;

                        bytes_free_secret(&b);
                        return r;
                }
                off += (size_t)n;
        }
        *ret = b;
        return 0;
}

static int load_at(int dfd, const char *name, int64_t now, struct profile **ret,
                   struct profile_report *report)
{
        struct profile_import_options opts = {
                .filename = name,
                .format = PROFILE_FORMAT_KEYFILE,
                /* Stored profiles hold only secrets the user already agreed to keep. */
                .keep_secrets = true,
                .now = now,
        };
        struct bytes data = { 0 };
        int r;

        if (!report->file)
                report->file = g_strdup(name);
        r = read_file_at(dfd, name, PROFILE_MAX_FILE_SIZE, &data);
        if (r == -EFBIG) {
                report_error(report, PROFILE_E_LIMIT, "", "larger than %d bytes",
                             PROFILE_MAX_FILE_SIZE);
                return r;
        }
        if (r < 0) {
                report_error(report, PROFILE_E_INTERNAL, "", "cannot be read: %s",
                             g_strerror(-r));
                return r;
        }
        r = profile_import(data.ptr, data.len, &opts, ret, report);
        bytes_free_secret(&data);
        return r;
}

static gint entry_cmp(gconstpointer a, gconstpointer b)
{
        const struct profile_entry *x = *(struct profile_entry *const *)a;
        const struct profile_entry *y = *(struct profile_entry *const *)b;

        return strcmp(x->filename, y->filename);
}

int profile_store_load_dir(const char *dir, int64_t now, GPtrArray **ret)
{
        g_autoptr(GPtrArray) entries =
                g_ptr_array_new_with_free_func((GDestroyNotify)profile_entry_free);
        struct dirent *de;
        DIR *d;
        int dfd;

        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        d = fdopendir(dfd);
        if (!d) {
                int r = -errno;

                close(dfd);
                return r;
        }
        while ((de = readdir(d))) {
                struct profile_entry *e;

                /* Dot files include our own temporary files. */
                if (de->d_name[0] == '.' || !g_str_has_suffix(de->d_name, PROFILE_FILE_SUFFIX))
                        continue;
                if (entries->len >= 4096)
                        break;
                e = g_new0(struct profile_entry, 1);
                e->filename = g_strdup(de->d_name);
                profile_report_init(&e->report);
                e->error = load_at(dirfd(d), de->d_name, now, &e->profile, &e->report);
                g_ptr_array_add(entries, e);
        }
        closedir(d);
        g_ptr_array_sort(entries, entry_cmp);
        *ret = g_steal_pointer(&entries);
        return 0;
}

static char *file_name(const char *uuid)
{
        char norm[37];

        if (parse_uuid(uuid, norm) < 0)
                return NULL;
        return g_strconcat(norm, PROFILE_FILE_SUFFIX, NULL);
}

int profile_store_load(const char *dir, const char *uuid, int64_t now, struct profile **ret,
                       struct profile_report *report)
{
        g_autofree char *name = file_name(uuid);
        _cleanup_close_ int dfd = -1;

        if (!name)
                return -EINVAL;
        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        return load_at(dfd, name, now, ret, report);
}

/* base_dir/UID, created if missing, checked to be ours and private. */
static int open_user_dir(const char *base_dir, uid_t uid, bool create)
{
        _cleanup_close_ int bfd = -1, ufd = -1;
        char name[16];
        struct stat st;

        snprintf(name, sizeof(name), "%u", (unsigned)uid);
        bfd = open(base_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (bfd < 0)
                return -errno;
        if (create && mkdirat(bfd, name, 0700) < 0 && errno != EEXIST)
                return -errno;
        ufd = openat(bfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (ufd < 0)
                return -errno;
        if (fstat(ufd, &st) < 0)
                return -errno;
        if (st.st_uid != geteuid() || (st.st_mode & 0022))
                return -EPERM;
        return TAKE_FD(ufd);
}

static int write_all(int fd, const char *p, size_t n)
{
        while (n > 0) {
                ssize_t w = write(fd, p, n);

                if (w < 0 && errno == EINTR)
                        continue;
                if (w <= 0)
                        return w < 0 ? -errno : -EIO;
                p += w;
                n -= (size_t)w;
        }
        return 0;
}

int profile_store_save(const char *base_dir, uid_t uid, const struct profile *p)
{
        g_autofree char *name = file_name(p->uuid);
        _cleanup_close_ int dfd = -1, fd = -1;
        char tmp[64];
        char *text = NULL;
        int r;

        if (!name)
                return -EINVAL;
        dfd = open_user_dir(base_dir, uid, true);
        if (dfd < 0)
                return dfd;
        for (int tries = 0;; tries++) {
                snprintf(tmp, sizeof(tmp), ".%s.%08x", name, g_random_int());
                fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
                if (fd >= 0)
                        break;
                if (errno != EEXIST || tries >= 16)
                        return -errno;
        }
        text = profile_to_keyfile(p, PROFILE_WRITE_SECRETS);
        /* The umask may have narrowed 0600 already; never widened. */
        if (fchmod(fd, 0600) < 0)
                r = -errno;
        else
                r = write_all(fd, text, strlen(text));
        secret_str_free(text);
        if (r == 0 && fsync(fd) < 0)
                r = -errno;
        if (r == 0 && close(TAKE_FD(fd)) < 0)
                r = -errno;
        if (r == 0 && renameat(dfd, tmp, dfd, name) < 0)
                r = -errno;
        if (r < 0) {
                unlinkat(dfd, tmp, 0);
                return r;
        }
        /* The rename itself must reach the disk. */
        if (fsync(dfd) < 0)
                return -errno;
        return 0;
}

int profile_store_remove(const char *base_dir, uid_t uid, const char *uuid)
{
        g_autofree char *name = file_name(uuid);
        _cleanup_close_ int dfd = -1;

        if (!name)
                return -EINVAL;
        dfd = open_user_dir(base_dir, uid, false);
        if (dfd < 0)
                return dfd;
        if (unlinkat(dfd, name, 0) < 0)
                return -errno;
        if (fsync(dfd) < 0)
                return -errno;
        return 0;
}
