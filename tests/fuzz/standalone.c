/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A main() for fuzz targets when they are not built with libFuzzer: it feeds
 * every file named on the command line (or found in a named directory) to
 * LLVMFuzzerTestOneInput once. make check uses it to replay the seed corpora
 * with any compiler; options starting with '-' (libFuzzer's) are ignored, so
 * the same command line works for both builds.
 */
#ifndef TSU_LIBFUZZER

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

#define FUZZ_MAX_INPUT (1024 * 1024)

static int run_file(const char *path)
{
        struct stat st;
        uint8_t *buf;
        size_t n;
        FILE *f;

        f = fopen(path, "rbe");
        if (!f) {
                fprintf(stderr, "%s: %s\n", path, strerror(errno));
                return -1;
        }
        if (fstat(fileno(f), &st) < 0 || st.st_size > FUZZ_MAX_INPUT) {
                fprintf(stderr, "%s: unreadable or larger than %d bytes\n", path, FUZZ_MAX_INPUT);
                fclose(f);
                return -1;
        }
        /* An exactly-sized heap copy, so ASan sees reads past the end. */
        buf = malloc(st.st_size > 0 ? (size_t)st.st_size : 1);
        if (!buf) {
                fclose(f);
                return -1;
        }
        n = fread(buf, 1, (size_t)st.st_size, f);
        fclose(f);
        LLVMFuzzerTestOneInput(buf, n);
        free(buf);
        return 0;
}

static int run_path(const char *path, unsigned *count)
{
        struct dirent *de;
        struct stat st;
        int r = 0;
        DIR *d;

        if (stat(path, &st) < 0) {
                fprintf(stderr, "%s: %s\n", path, strerror(errno));
                return -1;
        }
        if (!S_ISDIR(st.st_mode)) {
                (*count)++;
                return run_file(path);
        }
        d = opendir(path);
        if (!d)
                return -1;
        while ((de = readdir(d))) {
                char sub[4096];

                if (de->d_name[0] == '.')
                        continue;
                if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name) >= sizeof(sub))
                        continue;
                if (run_path(sub, count) < 0)
                        r = -1;
        }
        closedir(d);
        return r;
}

int main(int argc, char **argv)
{
        unsigned count = 0;
        int r = 0;

        if (LLVMFuzzerInitialize)
                LLVMFuzzerInitialize(&argc, &argv);
        for (int i = 1; i < argc; i++) {
                if (argv[i][0] == '-')
                        continue;
                if (run_path(argv[i], &count) < 0)
                        r = 1;
        }
        printf("%s: ran %u inputs\n", argv[0], count);
        return r;
}

#endif
