/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the resolv.conf fallback, in a private directory: the file
 * written, the original (a file, or a symlink and its target) saved first and
 * put back exactly, the journal entry made before the change, and the
 * refusal to overwrite a copy a previous instance left. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "platform/linux/dns.h"
#include "platform/linux/journal.h"
#include "platform/linux/plan.h"

struct fixture {
        char *top;
        char *state;
        char *resolv;
        struct platform_addr dns[4];
        struct platform_config cfg;
};

static const char *const search[] = { "corp.example", "eng.corp.example", NULL };

static void setup(struct fixture *f, gconstpointer data)
{
        static const char *const servers[] = { "10.9.0.53", "fd00:9::53", "10.9.0.54", "10.9.0.55" };

        f->top = g_dir_make_tmp("tsuplat-rc-XXXXXX", NULL);
        g_assert_nonnull(f->top);
        f->state = g_build_filename(f->top, "state", NULL);
        f->resolv = g_build_filename(f->top, "resolv.conf", NULL);
        for (size_t i = 0; i < G_N_ELEMENTS(servers); i++)
                g_assert_cmpint(platform_addr_parse(servers[i], &f->dns[i]), ==, 0);
        platform_config_init(&f->cfg);
        f->cfg.ifname = "tsu0";
        f->cfg.ifindex = 5;
        f->cfg.state_dir = f->state;
        f->cfg.resolv_conf = f->resolv;
        f->cfg.dns = f->dns;
        f->cfg.n_dns = G_N_ELEMENTS(servers);
        f->cfg.search_domains = search;
}

static void rm_tree(const char *dir)
{
        g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
        const char *name;

        while (d && (name = g_dir_read_name(d))) {
                g_autofree char *p = g_build_filename(dir, name, NULL);

                if (g_file_test(p, G_FILE_TEST_IS_DIR) && !g_file_test(p, G_FILE_TEST_IS_SYMLINK))
                        rm_tree(p);
                else
                        g_assert_cmpint(g_unlink(p), ==, 0);
        }
        g_assert_cmpint(g_rmdir(dir), ==, 0);
}

static void teardown(struct fixture *f, gconstpointer data)
{
        rm_tree(f->top);
        g_free(f->top);
        g_free(f->state);
        g_free(f->resolv);
}

static char *slurp(const char *p)
{
        char *s = NULL;

        g_assert_true(g_file_get_contents(p, &s, NULL, NULL));
        return s;
}

static void test_render(struct fixture *f, gconstpointer data)
{
        g_autofree char *s = resolvconf_render(&f->cfg);

        /* glibc reads three servers: the fourth is left out. */
        g_assert_nonnull(strstr(s, "\nnameserver 10.9.0.53\nnameserver fd00:9::53\n"
                                   "nameserver 10.9.0.54\nsearch corp.example eng.corp.example\n"));
        g_assert_null(strstr(s, "10.9.0.55"));
}

/* Apply through the backend with a fresh journal; returns the journal. */
static struct journal *apply(struct fixture *f, int expect)
{
        g_autoptr(GError) error = NULL;
        struct journal *j = NULL;

        g_assert_cmpint(journal_new(f->state, "tsu0", &j, &error), ==, 0);
        g_assert_cmpint(dns_backend_resolvconf.apply(&f->cfg, j, &error), ==, expect);
        if (expect < 0)
                g_assert_nonnull(error);
        return j;
}

static void test_file(struct fixture *f, gconstpointer data)
{
        static const char orig[] = "nameserver 192.168.1.1\nsearch home.example\n";
        g_autofree char *saved = g_build_filename(f->state, "resolv.conf.saved", NULL);
        g_autofree char *now = NULL, *journal = NULL, *back = NULL;
        g_autoptr(GError) error = NULL;
        struct journal *j;
        struct stat st;

        g_assert_true(g_file_set_contents(f->resolv, orig, -1, NULL));
        g_assert_cmpint(chmod(f->resolv, 0640), ==, 0);
        j = apply(f, 0);
        now = slurp(f->resolv);
        g_assert_nonnull(strstr(now, "nameserver 10.9.0.53\n"));
        g_assert_null(strstr(now, "192.168.1.1"));
        /* The copy and the journal entry exist. */
        back = slurp(saved);
        g_assert_cmpstr(back, ==, orig);
        journal = slurp(journal_path(j));
        g_assert_nonnull(strstr(journal, "dns-resolvconf file "));

        g_assert_cmpint(resolvconf_restore(&g_array_index(journal_ops(j), struct op, 0), &error),
                        ==, 0);
        g_clear_pointer(&now, g_free);
        now = slurp(f->resolv);
        g_assert_cmpstr(now, ==, orig);
        g_assert_cmpint(stat(f->resolv, &st), ==, 0);
        g_assert_cmpint(st.st_mode & 0777, ==, 0640);
        g_assert_false(g_file_test(saved, G_FILE_TEST_EXISTS));
        /* Restoring again (recovery after a crash in revert) is harmless. */
        g_assert_cmpint(resolvconf_restore(&g_array_index(journal_ops(j), struct op, 0), &error),
                        ==, 0);
        g_clear_pointer(&now, g_free);
        now = slurp(f->resolv);
        g_assert_cmpstr(now, ==, orig);
        g_assert_cmpint(journal_remove(j, NULL), ==, 0);
        journal_free(j);
}

static void test_symlink(struct fixture *f, gconstpointer data)
{
        g_autofree char *target = g_build_filename(f->top, "stub-resolv.conf", NULL);
        g_autofree char *link = NULL, *t = NULL, *now = NULL;
        g_autoptr(GError) error = NULL;
        struct journal *j;

        g_assert_true(g_file_set_contents(target, "nameserver 127.0.0.53\n", -1, NULL));
        /* A relative target, as systemd-resolved's is. */
        g_assert_cmpint(symlink("stub-resolv.conf", f->resolv), ==, 0);
        j = apply(f, 0);
        g_assert_false(g_file_test(f->resolv, G_FILE_TEST_IS_SYMLINK));
        now = slurp(f->resolv);
        g_assert_nonnull(strstr(now, "nameserver 10.9.0.53"));
        t = slurp(target);
        g_assert_cmpstr(t, ==, "nameserver 127.0.0.53\n"); /* the target is untouched */

        g_assert_cmpint(resolvconf_restore(&g_array_index(journal_ops(j), struct op, 0), &error),
                        ==, 0);
        g_assert_true(g_file_test(f->resolv, G_FILE_TEST_IS_SYMLINK));
        link = g_file_read_link(f->resolv, NULL);
        g_assert_cmpstr(link, ==, "stub-resolv.conf");
        g_assert_cmpint(journal_remove(j, NULL), ==, 0);
        journal_free(j);
}

/* A copy left by a crashed instance is the user's original: never overwrite
 * it with what is now in resolv.conf (the VPN's). */
static void test_refuses_stale_copy(struct fixture *f, gconstpointer data)
{
        g_autofree char *saved = g_build_filename(f->state, "resolv.conf.saved", NULL);
        g_autofree char *back = NULL, *now = NULL;
        struct journal *j;

        g_assert_cmpint(g_mkdir_with_parents(f->state, 0700), ==, 0);
        g_assert_true(g_file_set_contents(saved, "nameserver 192.168.1.1\n", -1, NULL));
        g_assert_true(g_file_set_contents(f->resolv, "nameserver 10.0.0.53 # the VPN's\n", -1,
                                          NULL));
        j = apply(f, -EEXIST);
        back = slurp(saved);
        g_assert_cmpstr(back, ==, "nameserver 192.168.1.1\n");
        now = slurp(f->resolv);
        g_assert_cmpstr(now, ==, "nameserver 10.0.0.53 # the VPN's\n");
        g_assert_cmpuint(journal_ops(j)->len, ==, 0);
        journal_free(j);
}

static void test_missing(struct fixture *f, gconstpointer data)
{
        struct journal *j = apply(f, -ENOENT);

        journal_free(j);
}

int main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        g_test_add("/platform/resolvconf/render", struct fixture, NULL, setup, test_render,
                   teardown);
        g_test_add("/platform/resolvconf/file", struct fixture, NULL, setup, test_file, teardown);
        g_test_add("/platform/resolvconf/symlink", struct fixture, NULL, setup, test_symlink,
                   teardown);
        g_test_add("/platform/resolvconf/refuses-stale-copy", struct fixture, NULL, setup,
                   test_refuses_stale_copy, teardown);
        g_test_add("/platform/resolvconf/missing", struct fixture, NULL, setup, test_missing,
                   teardown);
        return g_test_run();
}
