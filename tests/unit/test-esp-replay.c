/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The replay window (client/esp/replay.c), driven by numbered tables of
 * (received sequence number, expected verdict, expected full 64-bit number):
 * each row is esp_replay_check() then, when it passes, esp_replay_update(), as
 * the receive path does after a good ICV.
 */
#include <errno.h>
#include <glib.h>

#include "client/esp/replay.h"

#define W ESP_REPLAY_WINDOW

struct row {
        unsigned n;
        uint32_t seq_lo;
        int expect;    /* 0, -EINVAL, -ESTALE, -EEXIST */
        uint64_t full; /* expected inferred number when expect == 0 */
};

static void run_table(const struct row *rows, size_t n, bool esn)
{
        struct esp_replay r;

        esp_replay_init(&r, esn);
        for (size_t i = 0; i < n; i++) {
                uint64_t full = 0;
                int got = esp_replay_check(&r, rows[i].seq_lo, &full);

                if (got != rows[i].expect)
                        g_error("row %u: seq %#x: got %d, expected %d", rows[i].n, rows[i].seq_lo,
                                got, rows[i].expect);
                if (got == 0) {
                        if (full != rows[i].full)
                                g_error("row %u: seq %#x inferred %#" G_GINT64_MODIFIER
                                        "x, expected %#" G_GINT64_MODIFIER "x",
                                        rows[i].n, rows[i].seq_lo, full, rows[i].full);
                        g_assert_cmpint(esp_replay_update(&r, full), ==, 0);
                        /* The number is now taken. */
                        g_assert_cmpint(esp_replay_check(&r, rows[i].seq_lo, &full), ==, -EEXIST);
                }
        }
}

static void test_window_32(void)
{
        static const struct row rows[] = {
                {1, 0, -EINVAL, 0}, /* sequence 0 is never sent (RFC 4303 3.3.3) */
                {2, 1, 0, 1},
                {3, 1, -EEXIST, 0},
                {4, 2, 0, 2},
                {5, 5, 0, 5}, /* a gap */
                {6, 3, 0, 3}, /* late but inside the window */
                {7, 3, -EEXIST, 0},
                {8, 4, 0, 4},
                {9, 5, -EEXIST, 0},
                {10, 2000, 0, 2000},
                {11, 2000 - W, -ESTALE, 0},          /* exactly one left of the window */
                {12, 2000 - W + 1, 0, 2000 - W + 1}, /* the window's left edge */
                {13, 2000 - W + 1, -EEXIST, 0},
                {14, 1999, 0, 1999},
                {15, 100000, 0, 100000}, /* a big jump clears everything */
                {16, 2000, -ESTALE, 0},
                {17, 100000 - W + 1, 0, 100000 - W + 1},
                {18, 100000 - W, -ESTALE, 0},
                {19, 100000, -EEXIST, 0},
                {20, 100001 + 64, 0, 100001 + 64}, /* crosses a bitmap word */
                {21, 100001, 0, 100001},
                {22, 100000 + 63, 0, 100000 + 63},
                {23, 0xfffffffe, 0, 0xfffffffe},
                {24, 0xffffffff, 0, 0xffffffff}, /* the last number of a 32-bit SA */
                {25, 0xffffffff, -EEXIST, 0},
                {26, 0xffffffffu - W + 1, 0, 0xffffffffu - W + 1},
                {27, 0xffffffffu - W, -ESTALE, 0},
                {28, 0, -EINVAL, 0}, /* no wrap without ESN */
        };

        run_table(rows, G_N_ELEMENTS(rows), false);
}

static void test_window_esn(void)
{
        static const struct row rows[] = {
                {1, 0, -EINVAL, 0}, /* full number 0 */
                {2, 1, 0, 1},
                {3, 0xfffffff0, -ESTALE, 0}, /* would be in subspace -1 (RFC 4303 A2.1 case B) */
                {4, 0x80000000, 0, 0x80000000},
                {5, 0xffffffff, 0, 0xffffffff},   /* case A, same subspace */
                {6, 0, 0, UINT64_C(0x100000000)}, /* wraps into subspace 1 */
                {7, 5, 0, UINT64_C(0x100000005)},
                {8, 0xfffffffe, 0, 0xfffffffe}, /* late packet from subspace 0 (case B) */
                {9, 0xffffffff, -EEXIST, 0},
                {10, 0xfffff000, 0, UINT64_C(0x1fffff000)}, /* far below: read as far ahead */
                {11, 0xfffff000 - 1, 0, UINT64_C(0x1fffff000) - 1},
                {12, 3, 0, UINT64_C(0x200000003)}, /* case A: below the window -> next subspace */
                {13, 0xffffffff, 0,
                 UINT64_C(0x1ffffffff)}, /* case B: previous subspace, in window */
                {14, 0xfffff844, 0, UINT64_C(0x1fffff844)}, /* the window's left edge */
                {15, 0xfffff843, 0, UINT64_C(0x2fffff843)}, /* one further: next subspace */
        };

        run_table(rows, G_N_ELEMENTS(rows), true);
}

/* A forged packet passes the pre-check but fails its ICV: the window must
 * not move, so the genuine packet with that number still gets in. */
static void test_precheck_does_not_move(void)
{
        struct esp_replay r;
        uint64_t full;

        esp_replay_init(&r, false);
        g_assert_cmpint(esp_replay_check(&r, 10, &full), ==, 0);
        g_assert_cmpint(esp_replay_update(&r, full), ==, 0);
        g_assert_cmpint(esp_replay_check(&r, 1000000, &full), ==, 0); /* forged: no update */
        g_assert_cmpint(esp_replay_check(&r, 11, &full), ==, 0);
        g_assert_cmpuint(full, ==, 11);
        g_assert_cmpuint(r.top, ==, 10);
}

/* Every number of a long run with reordering inside the window is accepted
 * once and only once. */
static void test_shuffled_run(void)
{
        struct esp_replay r;
        GRand *rnd = g_rand_new_with_seed(4303);
        uint32_t seqs[20000];
        size_t n = G_N_ELEMENTS(seqs);

        for (size_t i = 0; i < n; i++)
                seqs[i] = (uint32_t)i + 1;
        /* Shuffle inside blocks of W/2: no number arrives more than W/2
         * after a higher one. */
        for (size_t b = 0; b < n; b += W / 2) {
                size_t end = MIN(n, b + W / 2);

                for (size_t i = end - 1; i > b; i--) {
                        size_t j = b + (size_t)g_rand_int_range(rnd, 0, (gint32)(i - b + 1));
                        uint32_t t = seqs[i];

                        seqs[i] = seqs[j];
                        seqs[j] = t;
                }
        }
        esp_replay_init(&r, false);
        for (size_t i = 0; i < n; i++) {
                uint64_t full;

                g_assert_cmpint(esp_replay_check(&r, seqs[i], &full), ==, 0);
                g_assert_cmpint(esp_replay_update(&r, full), ==, 0);
        }
        for (size_t i = 0; i < n; i++) {
                uint64_t full;
                int got = esp_replay_check(&r, seqs[i], &full);

                g_assert_true(got == -EEXIST || got == -ESTALE);
        }
        g_rand_free(rnd);
}

int main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/esp/replay/window-32", test_window_32);
        g_test_add_func("/esp/replay/window-esn", test_window_esn);
        g_test_add_func("/esp/replay/precheck-does-not-move", test_precheck_does_not_move);
        g_test_add_func("/esp/replay/shuffled-run", test_shuffled_run);
        return g_test_run();
}
