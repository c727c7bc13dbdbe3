/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tsunagu: the command-line client. A table of subcommands in the style of
 * wireguard-tools' wg.c; adding one is a new file and a new row.
 */
#include <stdio.h>
#include <string.h>

#include "client/common/macro.h"
#include "cli.h"

const char *cli_program = "tsunagu";

static const struct subcommand {
        const char *name;
        int (*run)(int argc, char *argv[]);
        const char *summary;
} subcommands[] = {
        {"import", cmd_import, "add a VPN profile (tsunagu, .sswan, .mobileconfig)"},
        {"list", cmd_list, "list the profiles you may use"},
        {"show", cmd_show, "print one profile (never its secrets) and its state"},
        {"connect", cmd_connect_any, "bring a tunnel up (--foreground: in this process, as root)"},
        {"disconnect", cmd_disconnect, "bring one tunnel, or all of yours, down"},
        {"status", cmd_status, "print the state of your tunnels"},
        {"remove", cmd_remove, "delete one of your profiles"},
        {"export", cmd_export, "write a profile out without its secrets"},
        {"logs", cmd_logs, "print (or follow) a tunnel's recent log"},
        {"check", cmd_check, "validate a profile file offline and print it normalised"},
        {"version", cmd_version, "print the version and the optional features built in"},
};

static void usage(FILE *f)
{
        fprintf(f, "Usage: %s <command> [<args>]\n\nCommands:\n", cli_program);
        for (size_t i = 0; i < ARRAY_SIZE(subcommands); i++)
                fprintf(f, "  %-10s %s\n", subcommands[i].name, subcommands[i].summary);
        fprintf(f,
                "\n'%s <command> --help' describes a command.\n"
                "\nExit codes: 0 ok, 1 other failure, 2 usage, 3 authentication failed,\n"
                "4 gateway unreachable, 5 profile invalid, 6 not authorised.\n",
                cli_program);
}

int main(int argc, char *argv[])
{
        if (argc < 2) {
                usage(stderr);
                return CLI_EXIT_USAGE;
        }
        if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
            strcmp(argv[1], "-h") == 0) {
                usage(stdout);
                return CLI_EXIT_OK;
        }
        if (strcmp(argv[1], "--version") == 0)
                return cmd_version(1, (char *[]){(char *)"version", NULL});
        for (size_t i = 0; i < ARRAY_SIZE(subcommands); i++)
                if (strcmp(argv[1], subcommands[i].name) == 0)
                        return subcommands[i].run(argc - 1, argv + 1);
        fprintf(stderr, "%s: unknown command '%s'\n\n", cli_program, argv[1]);
        usage(stderr);
        return CLI_EXIT_USAGE;
}
