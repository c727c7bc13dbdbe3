/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The body shared by the three profile fuzz targets: import the input in
 * one format; when it is accepted, check that our own writer and reader
 * agree (what we write we read back identically) and run the exporters.
 */
#pragma once

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "client/profile/profile.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A GLib critical or warning is a bug in how we call GLib: make it a crash. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
        return 0;
}

static void fuzz_profile(const uint8_t *data, size_t size, enum profile_format format)
{
        /* A fixed clock (2096) inside the test CA's validity, so that runs repeat. */
        struct profile_import_options o = {
                .filename = "fuzz",
                .format = format,
                .keep_secrets = true,
                .passphrase = "test-only",
                .trust_dir = "/nonexistent/tsunagu-fuzz-trust",
                .now = 4000000000LL,
        };
        struct profile_report rep, rep2;
        struct profile *p = NULL, *q = NULL;
        char *text, *again, *json = NULL;

        profile_report_init(&rep);
        if (profile_import(data, size, &o, &p, &rep) < 0) {
                if (p || rep.n_errors == 0)
                        abort(); /* a failure always says why, and hands back nothing */
                profile_report_clear(&rep);
                return;
        }
        text = profile_to_keyfile(p, PROFILE_WRITE_SECRETS);
        o.format = PROFILE_FORMAT_KEYFILE;
        o.passphrase = NULL;
        profile_report_init(&rep2);
        if (profile_import(text, strlen(text), &o, &q, &rep2) < 0)
                abort();
        again = profile_to_keyfile(q, PROFILE_WRITE_SECRETS);
        if (strcmp(text, again) != 0)
                abort();
        profile_secret_free(again);
        profile_secret_free(text);
        text = profile_to_keyfile(p, PROFILE_WRITE_MASK_SECRETS);
        profile_secret_free(text);
        if (profile_to_sswan(p, PROFILE_WRITE_SECRETS, &json, NULL) == 0)
                profile_secret_free(json);
        profile_free(p);
        profile_free(q);
        profile_report_clear(&rep);
        profile_report_clear(&rep2);
}
