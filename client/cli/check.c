/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tsunagu check FILE: validates a profile offline (no daemon, no root) and
 * prints it normalised in our keyfile format with secrets masked, plus the
 * warnings; or prints every error. IT runs it before handing a profile out.
 * Exit 0 (valid) or 5 (invalid).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "client/common/bytes.h"
#include "client/profile/profile.h"
#include "cli.h"

static void help(FILE *f)
{
        fprintf(f,
                "Usage: %s check [OPTIONS] FILE\n"
                "\n"
                "Validates a VPN profile without installing it and prints it in the tsunagu\n"
                "format with secrets masked. FILE may be a tsunagu profile, a strongSwan\n"
                ".sswan file or an Apple .mobileconfig (signed or not); '-' reads stdin.\n"
                "\n"
                "Options:\n"
                "  --json                 print one JSON object (valid, diagnostics, profile)\n"
                "  --format=FORMAT        tsunagu, sswan or mobileconfig (default: detect)\n"
                "  --passphrase-file=F    first line of F unlocks an embedded PKCS#12 or key\n"
                "  --trust-dir=DIR        anchors for signed .mobileconfig (default %s)\n"
                "  --quiet                do not print the profile, only the diagnostics\n"
                "  -h, --help             this text\n"
                "\n"
                "Exit codes: 0 valid, 5 invalid, 2 usage, 1 the file cannot be read.\n",
                cli_program, PROFILE_TRUST_DIR);
}

static void json_str(GString *s, const char *v)
{
        if (!v) {
                g_string_append(s, "null");
                return;
        }
        g_string_append_c(s, '"');
        for (const unsigned char *c = (const unsigned char *)v; *c; c++) {
                if (*c == '"' || *c == '\\')
                        g_string_append_printf(s, "\\%c", *c);
                else if (*c == '\n')
                        g_string_append(s, "\\n");
                else if (*c < 0x20)
                        g_string_append_printf(s, "\\u%04x", *c);
                else
                        g_string_append_c(s, (char)*c);
        }
        g_string_append_c(s, '"');
}

static const char *signature_name(enum profile_signature s)
{
        switch (s) {
        case PROFILE_SIGNATURE_TRUSTED:
                return "trusted";
        case PROFILE_SIGNATURE_UNTRUSTED:
                return "untrusted";
        default:
                return "none";
        }
}

static void print_json(const struct profile_report *rep, const char *text, bool valid)
{
        g_autoptr(GString) s = g_string_new("{");

        g_string_append(s, "\"file\":");
        json_str(s, rep->file);
        g_string_append_printf(s, ",\"valid\":%s,\"format\":", valid ? "true" : "false");
        json_str(s, profile_format_to_string(rep->format));
        g_string_append(s, ",\"signature\":");
        json_str(s, signature_name(rep->signature));
        g_string_append(s, ",\"signer\":");
        json_str(s, rep->signer);
        g_string_append_printf(s, ",\"errors\":%u,\"warnings\":%u,\"diagnostics\":[",
                               rep->n_errors, rep->n_warnings);
        for (guint i = 0; rep->diags && i < rep->diags->len; i++) {
                const struct profile_diag *d = g_ptr_array_index(rep->diags, i);

                g_string_append(s, i ? ",{\"severity\":" : "{\"severity\":");
                json_str(s, d->severity == PROFILE_ERROR ? "error" : "warning");
                g_string_append(s, ",\"code\":");
                json_str(s, profile_code_to_string(d->code));
                g_string_append(s, ",\"field\":");
                json_str(s, d->field);
                g_string_append(s, ",\"message\":");
                json_str(s, d->message);
                g_string_append_c(s, '}');
        }
        g_string_append(s, "],\"profile\":");
        json_str(s, text);
        g_string_append(s, "}\n");
        fputs(s->str, stdout);
}

static void print_text(const struct profile_report *rep, const char *text)
{
        for (guint i = 0; rep->diags && i < rep->diags->len; i++) {
                const struct profile_diag *d = g_ptr_array_index(rep->diags, i);
                g_autofree char *line = profile_diag_format(d);

                fprintf(stderr, "%s: %s\n", d->severity == PROFILE_ERROR ? "error" : "warning",
                        line);
        }
        if (rep->signature != PROFILE_SIGNATURE_NONE)
                fprintf(stderr, "%s: signed by \"%s\" (%s)\n", rep->file, rep->signer,
                        signature_name(rep->signature));
        if (text)
                fputs(text, stdout);
        if (rep->n_errors > 0)
                fprintf(stderr, "%s: invalid (%u error%s)\n", rep->file, rep->n_errors,
                        rep->n_errors == 1 ? "" : "s");
}

int cmd_check(int argc, char *argv[])
{
        static const struct option options[] = {
                { "json", no_argument, NULL, 'j' },
                { "format", required_argument, NULL, 'f' },
                { "passphrase-file", required_argument, NULL, 'p' },
                { "trust-dir", required_argument, NULL, 't' },
                { "quiet", no_argument, NULL, 'q' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        struct profile_import_options opts = { 0 };
        struct profile_report rep;
        _cleanup_(profile_freep) struct profile *p = NULL;
        g_autofree char *text = NULL;
        char *passphrase = NULL;
        struct bytes data;
        bool json = false, quiet = false;
        int c, r;

        optind = 1;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
                switch (c) {
                case 'j':
                        json = true;
                        break;
                case 'q':
                        quiet = true;
                        break;
                case 'f':
                        if (strcmp(optarg, "tsunagu") == 0)
                                opts.format = PROFILE_FORMAT_KEYFILE;
                        else if (strcmp(optarg, "sswan") == 0)
                                opts.format = PROFILE_FORMAT_SSWAN;
                        else if (strcmp(optarg, "mobileconfig") == 0)
                                opts.format = PROFILE_FORMAT_MOBILECONFIG;
                        else {
                                fprintf(stderr, "%s check: unknown format '%s'\n", cli_program,
                                        optarg);
                                profile_secret_free(passphrase);
                                return CLI_EXIT_USAGE;
                        }
                        break;
                case 'p':
                        profile_secret_free(passphrase);
                        passphrase = NULL;
                        r = cli_read_secret_file(optarg, &passphrase);
                        if (r < 0) {
                                fprintf(stderr, "%s check: %s: %s\n", cli_program, optarg,
                                        g_strerror(-r));
                                return CLI_EXIT_FAILURE;
                        }
                        break;
                case 't':
                        opts.trust_dir = optarg;
                        break;
                case 'h':
                        help(stdout);
                        profile_secret_free(passphrase);
                        return CLI_EXIT_OK;
                default:
                        help(stderr);
                        profile_secret_free(passphrase);
                        return CLI_EXIT_USAGE;
                }
        }
        if (optind != argc - 1) {
                help(stderr);
                profile_secret_free(passphrase);
                return CLI_EXIT_USAGE;
        }
        r = cli_read_profile_file(argv[optind], &data);
        if (r < 0) {
                fprintf(stderr, "%s check: %s: %s\n", cli_program, argv[optind], g_strerror(-r));
                profile_secret_free(passphrase);
                return CLI_EXIT_FAILURE;
        }
        opts.filename = strcmp(argv[optind], "-") == 0 ? "stdin" : argv[optind];
        opts.passphrase = passphrase;
        /* Secrets in the file are read (to check them) and shown masked. */
        opts.keep_secrets = true;

        profile_report_init(&rep);
        r = profile_import(data.ptr, data.len, &opts, &p, &rep);
        secure_free(data.ptr, CLI_PROFILE_READ_MAX);
        profile_secret_free(passphrase);
        if (r == 0 && !quiet)
                text = profile_to_keyfile(p, PROFILE_WRITE_MASK_SECRETS);
        if (json)
                print_json(&rep, text, r == 0);
        else
                print_text(&rep, text);
        profile_report_clear(&rep);
        if (r == -ENOTSUP || r == -ENOMEM)
                return CLI_EXIT_FAILURE;
        return r == 0 ? CLI_EXIT_OK : CLI_EXIT_PROFILE;
}
