/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "satable.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

int sa_tables_init(struct sa_tables *t, size_t n_readers)
{
        struct sa_table *empty;

        if (n_readers > SATABLE_MAX_READERS)
                return -EINVAL;
        empty = calloc(1, sizeof(*empty));
        if (!empty)
                return -ENOMEM;
        memset(t, 0, sizeof(*t));
        atomic_init(&t->cur, empty);
        atomic_init(&t->gen, 1);
        pthread_mutex_init(&t->writer, NULL);
        t->n_readers = n_readers;
        for (size_t i = 0; i < SATABLE_MAX_READERS; i++)
                atomic_init(&t->readers[i].seen, SA_READER_OFFLINE);
        return 0;
}

static void table_free_all(struct sa_table *tb)
{
        if (!tb)
                return;
        esp_sa_free(tb->out);
        for (size_t i = 0; i < tb->n_in; i++)
                esp_sa_free(tb->in[i]);
        free(tb);
}

void sa_tables_done(struct sa_tables *t)
{
        table_free_all(atomic_load(&t->cur));
        atomic_store(&t->cur, NULL);
        pthread_mutex_destroy(&t->writer);
}

/* Publishes next and waits until no reader can still hold the old table. */
static struct sa_table *publish(struct sa_tables *t, struct sa_table *next)
{
        struct sa_table *old = atomic_exchange(&t->cur, next);
        uint64_t gen = atomic_fetch_add(&t->gen, 1) + 1;

        for (size_t i = 0; i < t->n_readers; i++)
                for (;;) {
                        uint64_t seen = atomic_load(&t->readers[i].seen);

                        if (seen == SA_READER_OFFLINE || seen >= gen)
                                break;
                        /* Readers quiesce after every batch: microseconds. */
                        sched_yield();
                }
        return old;
}

int sa_tables_install(struct sa_tables *t, struct esp_sa *sa)
{
        struct sa_table *next, *old;
        struct esp_sa *gone = NULL;
        size_t i;

        if (!sa)
                return -EINVAL;
        next = malloc(sizeof(*next));
        if (!next) {
                esp_sa_free(sa);
                return -ENOMEM;
        }
        pthread_mutex_lock(&t->writer);
        *next = *atomic_load(&t->cur);
        if (sa->dir == ESP_DIR_OUT) {
                gone = next->out;
                next->out = sa;
        } else {
                for (i = 0; i < next->n_in; i++)
                        if (next->in[i]->spi == sa->spi)
                                break;
                if (i == next->n_in) {
                        if (next->n_in == SATABLE_MAX_IN) {
                                pthread_mutex_unlock(&t->writer);
                                free(next);
                                esp_sa_free(sa);
                                return -ENOSPC;
                        }
                        next->n_in++;
                } else
                        gone = next->in[i];
                next->in[i] = sa;
        }
        old = publish(t, next);
        pthread_mutex_unlock(&t->writer);
        free(old);
        esp_sa_free(gone);
        return 0;
}

int sa_tables_remove(struct sa_tables *t, uint32_t spi, enum esp_dir dir)
{
        struct sa_table *next, *old;
        struct esp_sa *gone = NULL;

        next = malloc(sizeof(*next));
        if (!next)
                return -ENOMEM;
        pthread_mutex_lock(&t->writer);
        *next = *atomic_load(&t->cur);
        if (dir == ESP_DIR_OUT) {
                if (next->out && next->out->spi == spi) {
                        gone = next->out;
                        next->out = NULL;
                }
        } else
                for (size_t i = 0; i < next->n_in; i++)
                        if (next->in[i]->spi == spi) {
                                gone = next->in[i];
                                next->in[i] = next->in[--next->n_in];
                                next->in[next->n_in] = NULL;
                                break;
                        }
        if (!gone) {
                pthread_mutex_unlock(&t->writer);
                free(next);
                return -ENOENT;
        }
        old = publish(t, next);
        pthread_mutex_unlock(&t->writer);
        free(old);
        esp_sa_free(gone);
        return 0;
}
