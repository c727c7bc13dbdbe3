/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for the profile store (client/profile/store.c): atomic writes
 * (mode 0600, no temporary file left, rename over the old file), loading a
 * directory where one file is bad, and names that never come from callers.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "client/profile/store.h"
#include "profile-testlib.h"

static const struct profile_import_options keep = {
        .filename = "t.tsunagu",
        .keep_secrets = true,
        .passphrase = "test-only",
};

static struct profile *vector_profile(const char *name)
{
        g_autoptr(GBytes) b = tl_vector(name);
        struct profile_report rep;
        struct profile *p;

        profile_report_init(&rep);
        p = tl_import(g_bytes_get_data(b, NULL), g_bytes_get_size(b), &keep, &rep);
        profile_report_clear(&rep);
        return p;
}

static GPtrArray *list_dir(const char *dir)
{
        GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
        GDir *d = g_dir_open(dir, 0, NULL);
        const char *n;

        g_assert_nonnull(d);
        while ((n = g_dir_read_name(d)))
                g_ptr_array_add(a, g_strdup(n));
        g_dir_close(d);
        return a;
}

static void test_save_atomic(void)
{
        g_autofree char *base = tl_tmpdir();
        _cleanup_(profile_freep) struct profile *p = vector_profile("cert-eap-full.tsunagu");
        g_autofree char *udir = profile_store_user_dir(base, 1000);
        g_autofree char *path = g_strdup_printf("%s/%s.tsunagu", udir, p->uuid);
        g_autoptr(GPtrArray) files = NULL;
        struct profile_report rep;
        struct stat st, st2;
        struct profile *back = NULL;
        int old_fd;
        char buf[64];
        ssize_t n;

        g_assert_cmpint(profile_store_save(base, 1000, p), ==, 0);
        g_assert_cmpint(stat(udir, &st), ==, 0);
        g_assert_cmpuint(st.st_mode & 07777, ==, 0700);
        g_assert_cmpint(stat(path, &st), ==, 0);
        g_assert_cmpuint(st.st_mode & 07777, ==, 0600);
        files = list_dir(udir);
        g_assert_cmpuint(files->len, ==, 1); /* no temporary file left */

        /* The stored file holds the secrets and reads back identical. */
        profile_report_init(&rep);
        g_assert_cmpint(profile_store_load(udir, p->uuid, 0, &back, &rep), ==, 0);
        tl_assert_profiles_equal(p, back);
        profile_free(back);
        profile_report_clear(&rep);

        /* A second save replaces the file by rename: a reader holding the old
         * file keeps seeing the old content, never a half-written one. */
        old_fd = open(path, O_RDONLY | O_CLOEXEC);
        g_assert_cmpint(old_fd, >=, 0);
        g_free(p->name);
        p->name = g_strdup("Renamed");
        g_assert_cmpint(profile_store_save(base, 1000, p), ==, 0);
        g_assert_cmpint(stat(path, &st2), ==, 0);
        g_assert_cmpuint(st.st_ino, !=, st2.st_ino);
        g_assert_cmpuint(st2.st_mode & 07777, ==, 0600);
        n = pread(old_fd, buf, sizeof(buf) - 1, 0);
        g_assert_cmpint(n, >, 0);
        close(old_fd);
        g_ptr_array_unref(files);
        files = list_dir(udir);
        g_assert_cmpuint(files->len, ==, 1);
        profile_report_init(&rep);
        g_assert_cmpint(profile_store_load(udir, p->uuid, 0, &back, &rep), ==, 0);
        g_assert_cmpstr(back->name, ==, "Renamed");
        profile_free(back);
        profile_report_clear(&rep);

        g_assert_cmpint(profile_store_remove(base, 1000, p->uuid), ==, 0);
        g_assert_cmpint(profile_store_remove(base, 1000, p->uuid), ==, -ENOENT);
        g_ptr_array_unref(files);
        files = list_dir(udir);
        g_assert_cmpuint(files->len, ==, 0);
        tl_rmtree(base);
}

static void test_save_refuses(void)
{
        g_autofree char *base = tl_tmpdir();
        g_autofree char *missing = g_build_filename(base, "missing", NULL);
        g_autofree char *udir = profile_store_user_dir(base, 42);
        _cleanup_(profile_freep) struct profile *p = vector_profile("minimal.tsunagu");
        g_autoptr(GPtrArray) files = NULL;

        g_assert_cmpint(profile_store_save(missing, 42, p), ==, -ENOENT);
        g_assert_false(g_file_test(missing, G_FILE_TEST_EXISTS));

        /* A user directory others can write to is not trusted. */
        g_assert_cmpint(g_mkdir(udir, 0700), ==, 0);
        g_assert_cmpint(chmod(udir, 0777), ==, 0);
        g_assert_cmpint(profile_store_save(base, 42, p), ==, -EPERM);
        files = list_dir(udir);
        g_assert_cmpuint(files->len, ==, 0);

        /* Names are made from validated UUIDs only. */
        memcpy(p->uuid, "../../../etc/passwd", 20);
        g_assert_cmpint(chmod(udir, 0700), ==, 0);
        g_assert_cmpint(profile_store_save(base, 42, p), ==, -EINVAL);
        g_assert_cmpint(profile_store_remove(base, 42, "../x"), ==, -EINVAL);
        {
                struct profile_report rep;
                struct profile *q = NULL;

                profile_report_init(&rep);
                g_assert_cmpint(profile_store_load(base, "../../etc/shadow", 0, &q, &rep), ==,
                                -EINVAL);
                g_assert_null(q);
                profile_report_clear(&rep);
        }
        tl_rmtree(base);
}

static void write_file(const char *dir, const char *name, const char *text)
{
        g_autofree char *path = g_build_filename(dir, name, NULL);

        g_assert_true(g_file_set_contents(path, text, -1, NULL));
}

/* One bad file does not stop the others; dot files and other names are
 * skipped; a symlink is not followed. */
static void test_load_dir(void)
{
        g_autofree char *dir = tl_tmpdir();
        g_autofree char *a = tl_vector_text("eap-mschapv2-full.tsunagu");
        g_autofree char *b = tl_vector_text("eap-md5-split.tsunagu");
        g_autofree char *link = g_build_filename(dir, "link.tsunagu", NULL);
        g_autoptr(GPtrArray) entries = NULL;
        const struct profile_entry *e;

        write_file(dir, "a.tsunagu", a);
        write_file(dir, "b.tsunagu", b);
        write_file(dir, "bad.tsunagu", "[profile]\nname = Broken\n[gateway]\nport = 0\n");
        write_file(dir, ".a.tsunagu.1234abcd", a);
        write_file(dir, "notes.txt", "not a profile");
        g_assert_cmpint(symlink("/etc/passwd", link), ==, 0);

        g_assert_cmpint(profile_store_load_dir(dir, 0, &entries), ==, 0);
        g_assert_cmpuint(entries->len, ==, 4);
        e = g_ptr_array_index(entries, 0);
        g_assert_cmpstr(e->filename, ==, "a.tsunagu");
        g_assert_cmpint(e->error, ==, 0);
        g_assert_nonnull(e->profile);
        /* Stored profiles keep the secrets they were saved with. */
        g_assert_cmpstr(e->profile->eap_password, ==, "correct horse battery staple");
        e = g_ptr_array_index(entries, 1);
        g_assert_cmpstr(e->filename, ==, "b.tsunagu");
        g_assert_nonnull(e->profile);
        e = g_ptr_array_index(entries, 2);
        g_assert_cmpstr(e->filename, ==, "bad.tsunagu");
        g_assert_cmpint(e->error, ==, -EINVAL);
        g_assert_null(e->profile);
        g_assert_nonnull(profile_report_find(&e->report, "[gateway] port"));
        g_assert_nonnull(profile_report_find(&e->report, "[auth] method"));
        g_assert_cmpstr(((struct profile_diag *)g_ptr_array_index(e->report.diags, 0))->file, ==,
                        "bad.tsunagu");
        e = g_ptr_array_index(entries, 3);
        g_assert_cmpstr(e->filename, ==, "link.tsunagu");
        g_assert_cmpint(e->error, ==, -ELOOP);
        g_assert_null(e->profile);

        g_assert_cmpint(profile_store_load_dir("/nonexistent/tsunagu", 0, &entries), ==, -ENOENT);
        tl_rmtree(dir);
}

int main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/profile/store/save-atomic", test_save_atomic);
        g_test_add_func("/profile/store/save-refuses", test_save_refuses);
        g_test_add_func("/profile/store/load-dir", test_load_dir);
        return g_test_run();
}
