/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the crash-recovery journal: the text form of each operation
 * (round trip, and rejection of anything malformed, since recovery reads
 * what a crashed process or someone else left), and the file's life cycle. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "platform/linux/journal.h"
#include "platform/linux/plan.h"

static const char *const good_lines[] = {
        "link 7 1500 0",
        "link 3 65535 1",
        "addr 4 7 10.9.0.2/32",
        "addr 6 7 fd00:9::2/128",
        "route 4 29811 unicast 0.0.0.0/0 7",
        "route 6 29811 unreachable ::/0 0",
        "route 4 4294967295 throw 198.18.0.0/15 0",
        "rule 4 32702 29811 0.0.0.0/0 29811 1 -1",
        "rule 6 32701 254 fc00::/7 0 0 0",
        "rule 4 1 100 10.0.0.0/8 4294967295 0 128",
        "dns-resolved 7",
        "dns-resolvconf file /etc/resolv.conf /run/tsunagu/resolv.conf.saved",
        "dns-resolvconf link /etc/resolv.conf ../run/systemd/resolve/stub-resolv.conf",
        "dns-resolvconf file /tmp/with%20space/resolv.conf /run/x%25y/saved",
        "rp-filter 0",
        "rp-filter 1",
};

static void test_round_trip(void)
{
        for (size_t i = 0; i < G_N_ELEMENTS(good_lines); i++) {
                g_autoptr(GError) error = NULL;
                g_autofree char *again = NULL;
                struct op op;

                if (op_parse(good_lines[i], &op, &error) < 0)
                        g_error("\"%s\": %s", good_lines[i], error->message);
                again = op_format(&op);
                g_assert_cmpstr(again, ==, good_lines[i]);
                op_clear(&op);
        }
}

static void test_paths_decoded(void)
{
        struct op op;

        g_assert_cmpint(op_parse("dns-resolvconf file /tmp/with%20space/resolv.conf /run/x%25y/saved",
                                 &op, NULL),
                        ==, 0);
        g_assert_cmpstr(op.path, ==, "/tmp/with space/resolv.conf");
        g_assert_cmpstr(op.saved, ==, "/run/x%y/saved");
        g_assert_false(op.link);
        op_clear(&op);
}

static void test_rejects(void)
{
        static const char *const bad[] = {
                "",
                "link",
                "link 0 1500 0",                 /* ifindex 0 */
                "link 7 70000 0",                /* MTU out of range */
                "link 7 1500 2",
                "link 7 1500 0 extra",
                "addr 4 7 fd00::1/128",          /* family mismatch */
                "addr 5 7 10.0.0.1/32",
                "addr 4 7 10.0.0.1",             /* no prefix length */
                "addr 4 -7 10.0.0.1/32",
                "addr 4 7 10.0.0.1/33",
                "route 4 29811 multicast 0.0.0.0/0 7",
                "route 4 29811 unicast 0.0.0.0/0 0", /* unicast needs a device */
                "route 4 0 throw 10.0.0.0/8 0",  /* table 0 */
                "route 4 4294967296 throw 10.0.0.0/8 0",
                "route 4 29811 throw 10.0.0.0/8 0; rm -rf /",
                "rule 4 32702 29811 0.0.0.0/0 29811 1 129",
                "rule 4 32702 29811 0.0.0.0/0 29811 1 -2",
                "rule 4 32702 29811 0.0.0.0/0 29811 yes -1",
                "rule 4 32702 0 0.0.0.0/0 29811 1 -1",
                "dns-resolved 0",
                "dns-resolved x",
                "dns-resolvconf file relative/resolv.conf /run/saved",
                "dns-resolvconf file /etc/resolv.conf /run/../etc/shadow",
                "dns-resolvconf file /etc/resolv.conf /run/..",
                "dns-resolvconf pipe /etc/resolv.conf /run/saved",
                "dns-resolvconf link /etc/resolv.conf ",
                "DNS-RESOLVED 7",
                " dns-resolved 7",
                "dns-resolved  7",
                "route 4 29811 unicast 0.0.0.0/0 +7",
                "rp-filter 3", /* rp_filter is 0, 1 or 2 */
                "rp-filter",
                "rp-filter 1 1",
                "rp-filter -1",
        };

        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                g_autoptr(GError) error = NULL;
                struct op op = { 0 };

                if (op_parse(bad[i], &op, &error) != -EBADMSG)
                        g_error("accepted: \"%s\"", bad[i]);
                g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
                g_assert_nonnull(strstr(error->message, "malformed journal line"));
        }
}

static char *make_dir(void)
{
        g_autoptr(GError) error = NULL;
        char *dir = g_dir_make_tmp("tsuplat-journal-XXXXXX", &error);

        g_assert_no_error(error);
        return dir;
}

static void rm_rf(const char *dir)
{
        g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
        const char *name;

        while (d && (name = g_dir_read_name(d))) {
                g_autofree char *p = g_build_filename(dir, name, NULL);

                g_assert_cmpint(g_unlink(p), ==, 0);
        }
        g_assert_cmpint(g_rmdir(dir), ==, 0);
}

static guint count_files(const char *dir)
{
        g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
        guint n = 0;

        while (d && g_dir_read_name(d))
                n++;
        return n;
}

static void test_life_cycle(void)
{
        g_autofree char *top = make_dir();
        g_autofree char *dir = g_build_filename(top, "state", NULL);
        g_autofree char *data = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GArray) loaded = NULL;
        struct journal *j = NULL, *j2 = NULL;
        struct op ops[3];
        struct stat st;

        for (size_t i = 0; i < 3; i++)
                g_assert_cmpint(op_parse(good_lines[i + 2], &ops[i], NULL), ==, 0);

        /* The directory is created 0700; nothing is written until a record. */
        g_assert_cmpint(journal_new(dir, "tsu0", &j, &error), ==, 0);
        g_assert_cmpint(stat(dir, &st), ==, 0);
        g_assert_cmpint(st.st_mode & 0777, ==, 0700);
        g_assert_cmpuint(count_files(dir), ==, 0);

        for (size_t i = 0; i < 3; i++)
                g_assert_cmpint(journal_record(j, &ops[i], &error), ==, 0);
        g_assert_true(g_file_get_contents(journal_path(j), &data, NULL, NULL));
        g_assert_cmpstr(data, ==,
                        JOURNAL_MAGIC "\n"
                                      "addr 4 7 10.9.0.2/32\n"
                                      "addr 6 7 fd00:9::2/128\n"
                                      "route 4 29811 unicast 0.0.0.0/0 7\n");
        g_assert_cmpint(stat(journal_path(j), &st), ==, 0);
        g_assert_cmpint(st.st_mode & 0777, ==, 0600);
        g_assert_cmpuint(count_files(dir), ==, 1); /* no temp file left */

        /* A second instance for the same device refuses: recover first. */
        g_assert_cmpint(journal_new(dir, "tsu0", &j2, &error), ==, -EEXIST);
        g_assert_error(error, G_IO_ERROR, G_IO_ERROR_EXISTS);
        g_clear_error(&error);

        g_assert_cmpint(journal_load(journal_path(j), &loaded, &error), ==, 0);
        g_assert_cmpuint(loaded->len, ==, 3);
        g_assert_cmpint(g_array_index(loaded, struct op, 2).kind, ==, OP_ROUTE);

        g_assert_cmpint(journal_pop(j, &error), ==, 0);
        g_clear_pointer(&data, g_free);
        g_assert_true(g_file_get_contents(journal_path(j), &data, NULL, NULL));
        g_assert_null(strstr(data, "route"));

        g_assert_cmpint(journal_remove(j, &error), ==, 0);
        g_assert_cmpuint(count_files(dir), ==, 0);
        g_assert_cmpint(journal_remove(j, &error), ==, 0); /* again: fine */
        journal_free(j);
        for (size_t i = 0; i < 3; i++)
                op_clear(&ops[i]);
        rm_rf(dir);
        rm_rf(top);
}

static void load_expect(const char *dir, const char *content, const char *needle)
{
        g_autofree char *p = g_build_filename(dir, "x.journal", NULL);
        g_autoptr(GError) error = NULL;
        g_autoptr(GArray) ops = NULL;

        g_assert_true(g_file_set_contents(p, content, -1, NULL));
        g_assert_cmpint(journal_load(p, &ops, &error), <, 0);
        g_assert_null(ops);
        if (!strstr(error->message, needle))
                g_error("\"%s\" does not mention \"%s\"", error->message, needle);
        g_unlink(p);
}

static void test_load_rejects(void)
{
        g_autofree char *dir = make_dir();
        g_autofree char *big = g_strnfill(JOURNAL_MAX_SIZE + 1, 'a');
        g_autofree char *p = g_build_filename(dir, "nul.journal", NULL);
        static const char nul[] = JOURNAL_MAGIC "\ndns-resolved 7\0\nlink 1 1500 0\n";
        g_autoptr(GError) error = NULL;
        g_autoptr(GArray) ops = NULL;

        load_expect(dir, "route 4 29811 unicast 0.0.0.0/0 7\n", "not a tsunagu journal");
        load_expect(dir, JOURNAL_MAGIC "\nroute 4 29811 unicast 0.0.0.0/0 7\nbogus\n",
                    "line 3");
        load_expect(dir, big, "under");
        g_assert_true(g_file_set_contents(p, nul, sizeof(nul) - 1, NULL));
        g_assert_cmpint(journal_load(p, &ops, &error), ==, -EBADMSG);
        g_assert_nonnull(strstr(error->message, "NUL"));
        g_unlink(p);
        rm_rf(dir);
}

static void test_atomic_write(void)
{
        g_autofree char *dir = make_dir();
        g_autofree char *p = g_build_filename(dir, "f", NULL);
        g_autofree char *data = NULL;
        g_autoptr(GError) error = NULL;
        struct stat st;

        g_assert_cmpint(atomic_write_file(p, "one\n", 4, 0644, &error), ==, 0);
        g_assert_cmpint(atomic_write_file(p, "two\n", 4, 0640, &error), ==, 0);
        g_assert_true(g_file_get_contents(p, &data, NULL, NULL));
        g_assert_cmpstr(data, ==, "two\n");
        g_assert_cmpint(stat(p, &st), ==, 0);
        g_assert_cmpint(st.st_mode & 0777, ==, 0640);
        g_assert_cmpuint(count_files(dir), ==, 1);
        /* A directory that does not exist: a clear error, nothing left. */
        g_clear_pointer(&p, g_free);
        p = g_build_filename(dir, "missing", "f", NULL);
        g_assert_cmpint(atomic_write_file(p, "x", 1, 0600, &error), ==, -ENOENT);
        g_assert_nonnull(strstr(error->message, "missing"));
        g_clear_pointer(&p, g_free);
        p = g_build_filename(dir, "f", NULL);
        g_unlink(p);
        rm_rf(dir);
}

int main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/platform/journal/round-trip", test_round_trip);
        g_test_add_func("/platform/journal/paths-decoded", test_paths_decoded);
        g_test_add_func("/platform/journal/rejects", test_rejects);
        g_test_add_func("/platform/journal/life-cycle", test_life_cycle);
        g_test_add_func("/platform/journal/load-rejects", test_load_rejects);
        g_test_add_func("/platform/journal/atomic-write", test_atomic_write);
        return g_test_run();
}
