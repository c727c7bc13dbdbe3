/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The datapath's SA table, read on every packet without a lock and replaced
 * as a whole on rekey (RCU-like, quiescent-state based):
 *
 *   writers (the engine's thread, one at a time under a mutex) build a new
 *   immutable table, publish it with one atomic pointer store, then wait until
 *   every reader has passed a quiescent point (finished the batch it was in,
 *   or is asleep in epoll) before freeing the old table and the SAs it alone
 *   held;
 *   readers (the datapath threads) load the pointer once per batch and report
 *   a quiescent point after each batch, and go "offline" before sleeping.
 *
 * Make-before-break on rekey (RFC 7296 2.8): the engine installs the new
 * inbound SA, then the new outbound SA (which replaces the old outbound), and
 * deletes the old inbound SA only when the gateway deleted it.
 *
 * Each SA is used by one reader: outbound SAs by the TX reader, inbound SAs by
 * the RX reader; the table never lets two threads touch one SA's state.
 */
#pragma once

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esp.h"

#define SATABLE_MAX_IN      8u
#define SATABLE_MAX_READERS 4u

struct sa_table {
        struct esp_sa *out;
        size_t n_in;
        struct esp_sa *in[SATABLE_MAX_IN];
};

struct sa_reader {
        _Atomic uint64_t seen; /* generation last seen, or SA_READER_OFFLINE */
};
#define SA_READER_OFFLINE UINT64_MAX

struct sa_tables {
        _Atomic(struct sa_table *) cur;
        _Atomic uint64_t gen;
        pthread_mutex_t writer;
        size_t n_readers;
        struct sa_reader readers[SATABLE_MAX_READERS];
};

int sa_tables_init(struct sa_tables *t, size_t n_readers);
/* Frees the table and every SA in it; no reader may be running. */
void sa_tables_done(struct sa_tables *t);

/* Readers. */
static inline const struct sa_table *sa_reader_enter(struct sa_tables *t, size_t reader)
{
        atomic_store(&t->readers[reader].seen, atomic_load(&t->gen));
        return atomic_load(&t->cur);
}

/* A quiescent point: nothing loaded before it is used after it. */
static inline void sa_reader_quiesce(struct sa_tables *t, size_t reader)
{
        atomic_store(&t->readers[reader].seen, atomic_load(&t->gen));
}

static inline void sa_reader_offline(struct sa_tables *t, size_t reader)
{
        atomic_store(&t->readers[reader].seen, SA_READER_OFFLINE);
}

static inline struct esp_sa *sa_table_lookup_in(const struct sa_table *tb, uint32_t spi)
{
        for (size_t i = 0; i < tb->n_in; i++)
                if (tb->in[i]->spi == spi)
                        return tb->in[i];
        return NULL;
}

/* Writers: take ownership of sa (also on failure: it is freed). An outbound SA
 * replaces the current one; an inbound SA with an SPI already present
 * replaces it. -ENOSPC when the inbound slots are full. */
int sa_tables_install(struct sa_tables *t, struct esp_sa *sa);
/* -ENOENT when there is no such SA. */
int sa_tables_remove(struct sa_tables *t, uint32_t spi, enum esp_dir dir);
