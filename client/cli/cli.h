/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tsunagu, the command-line client: one file per subcommand, dispatched
 * from the table in main.c. Every subcommand returns one of these exit
 * codes (documented in `tsunagu help` and in scripts that call us).
 */
#pragma once

enum cli_exit {
        CLI_EXIT_OK = 0,             /* done */
        CLI_EXIT_FAILURE = 1,        /* anything else: I/O error, daemon gone, ... */
        CLI_EXIT_USAGE = 2,          /* bad command line */
        CLI_EXIT_AUTH_FAILED = 3,    /* the gateway rejected our credentials */
        CLI_EXIT_UNREACHABLE = 4,    /* the gateway did not answer */
        CLI_EXIT_PROFILE = 5,        /* the profile is invalid */
        CLI_EXIT_NOT_AUTHORISED = 6, /* polkit said no */
};

/* Each subcommand: argv[0] is the subcommand's name. */
int cmd_check(int argc, char *argv[]);
int cmd_connect(int argc, char *argv[]); /* foreground.c: --foreground; the D-Bus form is tsunagud's */
int cmd_version(int argc, char *argv[]);
/* Through tsunagud on the system bus (client.c, agent.c). */
int cmd_import(int argc, char *argv[]);
int cmd_list(int argc, char *argv[]);
int cmd_show(int argc, char *argv[]);
/* connect.c: `connect --foreground` goes to foreground.c, the rest to tsunagud. */
int cmd_connect_any(int argc, char *argv[]);
int cmd_disconnect(int argc, char *argv[]);
int cmd_status(int argc, char *argv[]);
int cmd_remove(int argc, char *argv[]);
int cmd_export(int argc, char *argv[]);
int cmd_logs(int argc, char *argv[]);

/* The program name for messages ("tsunagu"). */
extern const char *cli_program;

/* input.c: the whole of a profile file, or of standard input for "-", at
 * most CLI_PROFILE_READ_MAX bytes: one more than a profile may have, so that
 * the importer reports the size. The buffer is CLI_PROFILE_READ_MAX bytes
 * long; free it with secure_free(ptr, CLI_PROFILE_READ_MAX). Negative errno
 * on failure, nothing printed. */
#define CLI_PROFILE_READ_MAX (PROFILE_MAX_FILE_SIZE + 1)
struct bytes;
int cli_read_profile_file(const char *path, struct bytes *ret);
/* input.c: one line (without its end, at most 1023 bytes) from fd, or the
 * first line of the file at path, into a new string the caller wipes
 * (profile_secret_free). Returns 0 or -errno (-E2BIG: the line is longer). */
int cli_read_secret_line(int fd, char **ret);
int cli_read_secret_file(const char *path, char **ret);
