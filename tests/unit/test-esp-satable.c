/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The datapath's SA table (client/esp/satable.c) under concurrent traffic:
 * a TX thread encapsulates with whatever outbound SA the table holds, an RX
 * thread decapsulates with the inbound SA found by SPI, and the main thread
 * rekeys again and again, make-before-break (new inbound, new outbound, then
 * the old inbound goes). No packet may be lost or misrouted, and every
 * replaced SA is freed while the readers run (ASan checks the memory).
 */
#include <errno.h>
#include <glib.h>
#include <pthread.h>
#include <stdatomic.h>

#include "client/esp/satable.h"
#include "esp-test-util.h"

#define REKEYS 60

struct pkt {
        size_t len;
        uint8_t b[256];
};

static struct sa_tables tables;
static GAsyncQueue *wire;
static atomic_bool stop_tx;
static atomic_uint_fast64_t sent, received, dropped;
static _Atomic uint32_t last_spi_seen;

static struct esp_sa *new_sa(uint32_t spi, enum esp_dir dir)
{
        struct esp_sa_params p = test_params(&test_algs[spi % 3], dir, false);
        struct esp_sa *sa;

        /* Each generation its own key: a packet opened with the wrong SA fails its ICV. */
        test_ekey[0] = (uint8_t)spi;
        p.spi = spi;
        g_assert_cmpint(esp_sa_new(&p, &sa), ==, 0);
        return sa;
}

static void *tx_main(void *arg)
{
        (void)arg;
        while (!atomic_load(&stop_tx)) {
                const struct sa_table *tb = sa_reader_enter(&tables, 0);
                struct pkt *p;
                size_t ilen, head;

                if (!tb->out) {
                        sa_reader_offline(&tables, 0);
                        g_usleep(10);
                        continue;
                }
                p = g_new(struct pkt, 1);
                head = esp_sa_headroom(tb->out);
                ilen = make_packet(p->b + head, 4, test_gw4, test_vip4, false, 50, 0);
                g_assert_cmpint(esp_encap(tb->out, p->b, sizeof(p->b), ilen, &p->len), ==,
                                ESP_DROP_NONE);
                sa_reader_quiesce(&tables, 0);
                atomic_fetch_add(&sent, 1);
                g_async_queue_push(wire, p);
                if (g_async_queue_length(wire) > 1000)
                        g_usleep(50);
        }
        sa_reader_offline(&tables, 0);
        return NULL;
}

static void *rx_main(void *arg)
{
        (void)arg;
        for (;;) {
                struct pkt *p;
                const struct sa_table *tb;
                struct esp_sa *sa;
                uint32_t spi;
                size_t off, len;

                sa_reader_offline(&tables, 1);
                p = g_async_queue_pop(wire);
                if (p->len == 0) {
                        g_free(p);
                        break;
                }
                tb = sa_reader_enter(&tables, 1);
                g_assert_cmpint(esp_peek_spi(p->b, p->len, &spi), ==, 0);
                sa = sa_table_lookup_in(tb, spi);
                if (sa && esp_decap(sa, p->b, p->len, &off, &len) == ESP_DROP_NONE)
                        atomic_fetch_add(&received, 1);
                else
                        atomic_fetch_add(&dropped, 1);
                atomic_store(&last_spi_seen, spi);
                sa_reader_quiesce(&tables, 1);
                g_free(p);
        }
        sa_reader_offline(&tables, 1);
        return NULL;
}

static void test_swap_under_traffic(void)
{
        pthread_t tx, rx;
        struct pkt *end;

        g_assert_cmpint(sa_tables_init(&tables, 2), ==, 0);
        wire = g_async_queue_new();
        g_assert_cmpint(sa_tables_install(&tables, new_sa(0x100, ESP_DIR_IN)), ==, 0);
        g_assert_cmpint(sa_tables_install(&tables, new_sa(0x100, ESP_DIR_OUT)), ==, 0);
        g_assert_cmpint(pthread_create(&tx, NULL, tx_main, NULL), ==, 0);
        g_assert_cmpint(pthread_create(&rx, NULL, rx_main, NULL), ==, 0);

        for (uint32_t gen = 1; gen <= REKEYS; gen++) {
                uint32_t spi = 0x100 + gen;
                uint64_t before = atomic_load(&sent);

                /* Let traffic flow under the current pair. */
                while (atomic_load(&sent) < before + 200)
                        g_usleep(20);
                g_assert_cmpint(sa_tables_install(&tables, new_sa(spi, ESP_DIR_IN)), ==, 0);
                g_assert_cmpint(sa_tables_install(&tables, new_sa(spi, ESP_DIR_OUT)), ==, 0);
                /* Once the receiver has seen the new SPI, nothing in flight uses
                 * the old one (the wire is FIFO): delete it. */
                while (atomic_load(&last_spi_seen) != spi)
                        g_usleep(20);
                g_assert_cmpint(sa_tables_remove(&tables, spi - 1, ESP_DIR_IN), ==, 0);
                g_assert_cmpint(sa_tables_remove(&tables, spi - 1, ESP_DIR_IN), ==, -ENOENT);
        }
        atomic_store(&stop_tx, true);
        pthread_join(tx, NULL);
        end = g_new0(struct pkt, 1);
        g_async_queue_push(wire, end);
        pthread_join(rx, NULL);

        g_test_message("%" G_GUINT64_FORMAT " packets through %d rekeys",
                       (guint64)atomic_load(&received), REKEYS);
        g_assert_cmpuint(atomic_load(&dropped), ==, 0);
        g_assert_cmpuint(atomic_load(&received), ==, atomic_load(&sent));
        g_assert_cmpuint(atomic_load(&received), >=, REKEYS * 200);
        {
                const struct sa_table *tb = atomic_load(&tables.cur);

                g_assert_cmpuint(tb->n_in, ==, 1);
                g_assert_cmpuint(tb->in[0]->spi, ==, 0x100 + REKEYS);
                g_assert_cmpuint(tb->out->spi, ==, 0x100 + REKEYS);
        }
        sa_tables_done(&tables);
        g_async_queue_unref(wire);
}

static void test_limits(void)
{
        struct sa_tables t;

        g_assert_cmpint(sa_tables_init(&t, SATABLE_MAX_READERS + 1), ==, -EINVAL);
        g_assert_cmpint(sa_tables_init(&t, 1), ==, 0);
        for (uint32_t i = 1; i <= SATABLE_MAX_IN; i++)
                g_assert_cmpint(sa_tables_install(&t, new_sa(i, ESP_DIR_IN)), ==, 0);
        g_assert_cmpint(sa_tables_install(&t, new_sa(99, ESP_DIR_IN)), ==, -ENOSPC);
        /* Same SPI again: replaces. */
        g_assert_cmpint(sa_tables_install(&t, new_sa(3, ESP_DIR_IN)), ==, 0);
        g_assert_cmpuint(atomic_load(&t.cur)->n_in, ==, SATABLE_MAX_IN);
        g_assert_cmpint(sa_tables_remove(&t, 7, ESP_DIR_OUT), ==, -ENOENT);
        g_assert_nonnull(sa_table_lookup_in(atomic_load(&t.cur), 5));
        g_assert_cmpint(sa_tables_remove(&t, 5, ESP_DIR_IN), ==, 0);
        g_assert_null(sa_table_lookup_in(atomic_load(&t.cur), 5));
        sa_tables_done(&t);
}

int main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/esp/satable/swap-under-traffic", test_swap_under_traffic);
        g_test_add_func("/esp/satable/limits", test_limits);
        return g_test_run();
}
