/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-journal.h>
#endif

#include "client/daemon/log.h"

static bool use_journal;
static int max_prio = LOG_INFO;

void log_init(bool journal, int max_priority)
{
#ifdef HAVE_LIBSYSTEMD
        use_journal = journal;
#else
        use_journal = false;
#endif
        max_prio = max_priority;
}

bool log_to_journal(void)
{
        return use_journal;
}

char *log_redact(const char *line, const char *const *secrets)
{
        GString *s = g_string_new(line);

        for (const char *const *sec = secrets; sec && *sec; sec++) {
                size_t n = strlen(*sec);
                char *hit;
                size_t from = 0;

                if (n == 0)
                        continue;
                while ((hit = strstr(s->str + from, *sec))) {
                        size_t at = (size_t)(hit - s->str);

                        g_string_erase(s, (gssize)at, (gssize)n);
                        g_string_insert(s, (gssize)at, "********");
                        from = at + 8;
                }
        }
        return g_string_free(s, FALSE);
}

static const char *prio_name(int p)
{
        static const char *const names[] = {"emerg",   "alert",  "crit", "error",
                                            "warning", "notice", "info", "debug"};

        return p >= 0 && p <= 7 ? names[p] : "info";
}

void log_msg(int priority, const struct log_fields *f, struct logring *ring,
             const char *const *secrets, const char *fmt, ...)
{
        g_autofree char *raw = NULL, *line = NULL;
        va_list ap;

        va_start(ap, fmt);
        raw = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        line = log_redact(raw, secrets);
        /* Control characters from a peer never reach a terminal or the journal. */
        for (char *c = line; *c; c++)
                if ((unsigned char)*c < 0x20 || *c == 0x7f)
                        *c = '?';

        if (ring) {
                g_autoptr(GDateTime) now = g_date_time_new_now_local();
                g_autofree char *ts = g_date_time_format(now, "%H:%M:%S");
                g_autofree char *entry = g_strdup_printf("%s %s %s", ts, prio_name(priority), line);

                logring_add(ring, entry);
        }
        if (priority > max_prio)
                return;
#ifdef HAVE_LIBSYSTEMD
        if (use_journal) {
                const char *profile = f && f->profile ? f->profile : "";
                const char *gateway = f && f->gateway ? f->gateway : "";
                const char *state = f && f->state ? f->state : "";
                const char *session = f && f->session ? f->session : "";

                if (f && f->profile)
                        sd_journal_send("MESSAGE=%s: %s", profile, line, "PRIORITY=%d", priority,
                                        "PROFILE=%s", profile, "GATEWAY=%s", gateway, "STATE=%s",
                                        state, "SESSION=%s", session, "SYSLOG_IDENTIFIER=tsunagud",
                                        NULL);
                else
                        sd_journal_send("MESSAGE=%s", line, "PRIORITY=%d", priority,
                                        "SYSLOG_IDENTIFIER=tsunagud", NULL);
                return;
        }
#endif
        if (f && f->profile)
                fprintf(stderr, "tsunagud[%d]: <%d> %s: %s\n", (int)getpid(), priority, f->profile,
                        line);
        else
                fprintf(stderr, "tsunagud[%d]: <%d> %s\n", (int)getpid(), priority, line);
}

void logring_add(struct logring *r, const char *line)
{
        g_free(r->lines[r->head]);
        r->lines[r->head] = g_strdup(line);
        r->head = (r->head + 1) % LOGRING_LINES;
        if (r->n < LOGRING_LINES)
                r->n++;
}

GVariant *logring_to_variant(const struct logring *r)
{
        GVariantBuilder b;
        size_t start = (r->head + LOGRING_LINES - r->n) % LOGRING_LINES;

        g_variant_builder_init(&b, G_VARIANT_TYPE("as"));
        for (size_t i = 0; i < r->n; i++)
                g_variant_builder_add(&b, "s", r->lines[(start + i) % LOGRING_LINES]);
        return g_variant_builder_end(&b);
}

void logring_clear(struct logring *r)
{
        for (size_t i = 0; i < LOGRING_LINES; i++)
                g_clear_pointer(&r->lines[i], g_free);
        r->head = r->n = 0;
}
