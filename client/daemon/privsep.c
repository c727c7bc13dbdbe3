/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdint.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "client/common/macro.h"
#include "client/daemon/privsep.h"

int privsep_lookup_user(const char *name, uid_t *ret_uid, gid_t *ret_gid)
{
        struct passwd pw, *res = NULL;
        char buf[4096];
        int r = getpwnam_r(name, &pw, buf, sizeof(buf), &res);

        if (r != 0)
                return -r;
        if (!res)
                return -ENOENT;
        if (pw.pw_uid == 0 || pw.pw_gid == 0)
                return -EPERM;
        *ret_uid = pw.pw_uid;
        *ret_gid = pw.pw_gid;
        return 0;
}

struct setup {
        uid_t uid;
        gid_t gid;
};

/* Runs in the forked child, before exec: async-signal-safe calls only. Any
 * failure ends the child before it can run with privileges. */
static void child_setup(gpointer data)
{
        const struct setup *s = data;
        uid_t ruid, euid, suid;
        gid_t rgid, egid, sgid;

        if (setgroups(0, NULL) < 0 || setresgid(s->gid, s->gid, s->gid) < 0 ||
            setresuid(s->uid, s->uid, s->uid) < 0)
                _exit(126);
        /* Make sure it stuck (a saved set-user-ID of 0 would let it back). */
        if (getresuid(&ruid, &euid, &suid) < 0 || getresgid(&rgid, &egid, &sgid) < 0 ||
            ruid != s->uid || euid != s->uid || suid != s->uid || rgid != s->gid ||
            egid != s->gid || sgid != s->gid || setuid(0) == 0)
                _exit(126);
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                _exit(126);
        /* The engine must not outlive the parent that reverts its changes. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
                _exit(126);
        if (getppid() == 1)
                _exit(126);
}

GSubprocess *privsep_spawn(const struct privsep_spawn *s, GError **error)
{
        g_autoptr(GSubprocessLauncher) l = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_NONE);
        g_autoptr(GPtrArray) argv = g_ptr_array_new();
        static const char *const pass_env[] = {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS",
                                               "G_DEBUG", NULL};
        struct setup *setup;
        GSubprocess *p;

        g_subprocess_launcher_set_environ(
                l, (char *[]){(char *)"PATH=/usr/bin:/bin", (char *)"LANG=C.UTF-8", NULL});
        for (const char *const *e = pass_env; *e; e++) {
                const char *v = g_getenv(*e);

                if (v)
                        g_subprocess_launcher_setenv(l, *e, v, TRUE);
        }
        g_subprocess_launcher_set_cwd(l, "/");
        /* dup'ed: the launcher closes what it takes, the caller keeps its own. */
        g_subprocess_launcher_take_fd(l, fcntl(s->ipc_fd, F_DUPFD_CLOEXEC, 10), ENGINE_FD_IPC);
        g_subprocess_launcher_take_fd(l, fcntl(s->profile_fd, F_DUPFD_CLOEXEC, 10),
                                      ENGINE_FD_PROFILE);
        g_subprocess_launcher_take_fd(l, fcntl(s->udp_ike_fd, F_DUPFD_CLOEXEC, 10),
                                      ENGINE_FD_UDP_IKE);
        g_subprocess_launcher_take_fd(l, fcntl(s->udp_natt_fd, F_DUPFD_CLOEXEC, 10),
                                      ENGINE_FD_UDP_NATT);
        g_subprocess_launcher_take_fd(l, fcntl(s->tun_fd, F_DUPFD_CLOEXEC, 10), ENGINE_FD_TUN);

        setup = g_new(struct setup, 1);
        setup->uid = s->uid;
        setup->gid = s->gid;
        g_subprocess_launcher_set_child_setup(l, child_setup, setup, g_free);

        g_ptr_array_add(argv, (gpointer)s->engine_path);
        for (const char *const *a = s->argv_extra; a && *a; a++)
                g_ptr_array_add(argv, (gpointer)*a);
        g_ptr_array_add(argv, NULL);
        p = g_subprocess_launcher_spawnv(l, (const char *const *)argv->pdata, error);
        return p;
}

int privsep_memfd(const char *name, const void *data, size_t len)
{
        _cleanup_close_ int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
        const uint8_t *p = data;
        size_t off = 0;

        if (fd < 0)
                return -errno;
        while (off < len) {
                ssize_t n = write(fd, p + off, len - off);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                off += (size_t)n;
        }
        if (lseek(fd, 0, SEEK_SET) < 0 ||
            fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
                return -errno;
        return TAKE_FD(fd);
}
