/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading a profile file (or standard input for "-") for the subcommands
 * that take one: bounded, so that a huge or endless input cannot exhaust
 * memory before the importer sees it. And reading one secret line, from
 * standard input or from the first line of a file.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "client/cli/cli.h"
#include "client/common/bytes.h"
#include "client/common/macro.h"
#include "client/profile/profile.h"

int cli_read_profile_file(const char *path, struct bytes *ret)
{
        _cleanup_close_ int fd = -1;
        size_t cap = CLI_PROFILE_READ_MAX, len = 0;
        uint8_t *buf;

        fd = strcmp(path, "-") == 0 ? fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3)
                                    : open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        buf = g_malloc(cap);
        while (len < cap) {
                ssize_t n = read(fd, buf + len, cap - len);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        int r = -errno;

                        secure_free(buf, cap);
                        return r;
                }
                if (n == 0)
                        break;
                len += (size_t)n;
        }
        *ret = (struct bytes){.ptr = buf, .len = len};
        return 0;
}

int cli_read_secret_line(int fd, char **ret)
{
        size_t cap = 1024, len = 0;
        char *buf = g_malloc(cap);

        for (;;) {
                char c;
                ssize_t n = read(fd, &c, 1);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        int r = -errno;

                        secure_free(buf, cap);
                        return r;
                }
                if (n == 0 || c == '\n')
                        break;
                if (len + 1 >= cap) {
                        secure_free(buf, cap);
                        return -E2BIG;
                }
                buf[len++] = c;
        }
        if (len > 0 && buf[len - 1] == '\r')
                len--;
        buf[len] = '\0';
        *ret = g_strdup(buf);
        secure_free(buf, cap);
        return 0;
}

int cli_read_secret_file(const char *path, char **ret)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

        if (fd < 0)
                return -errno;
        return cli_read_secret_line(fd, ret);
}
