/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <sched.h>
#include <stddef.h>

#ifdef HAVE_LIBSECCOMP
#include <seccomp.h>
#endif

#include "client/common/macro.h"
#include "client/daemon/sandbox.h"

#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_ASAN 1
#endif
#endif

bool sandbox_available(void)
{
#ifdef HAVE_LIBSECCOMP
        return true;
#else
        return false;
#endif
}

#ifdef HAVE_LIBSECCOMP
/* What the engine does: I/O on the descriptors it was given (IPC, UDP,
 * TUN), timers, threads, memory, randomness, signals for itself. */
static const char *const allowed[] = {
        "read",
        "readv",
        "pread64",
        "write",
        "writev",
        "pwrite64",
        "recvfrom",
        "recvmsg",
        "recvmmsg",
        "sendto",
        "sendmsg",
        "sendmmsg",
        "getsockopt",
        "setsockopt",
        "getsockname",
        "getpeername",
        "shutdown",
        "poll",
        "ppoll",
        "select",
        "pselect6",
        "epoll_create1",
        "epoll_ctl",
        "epoll_wait",
        "epoll_pwait",
        "eventfd2",
        "pipe2",
        "timerfd_create",
        "timerfd_settime",
        "timerfd_gettime",
        "close",
        "dup",
        "dup3",
        "fcntl",
        "fstat",
        "newfstatat",
        "lseek",
        "ioctl", /* TUN: the offload ioctls are done by the parent; FIONREAD */
        "futex",
        "set_robust_list",
        "get_robust_list",
        "rseq",
        "sched_yield",
        "sched_getaffinity",
        "sched_setaffinity",
        "gettid",
        "getpid",
        "getppid",
        "getuid",
        "geteuid",
        "getgid",
        "getegid",
        "getresuid",
        "getresgid",
        "mmap",
        "munmap",
        "mremap",
        "mprotect",
        "madvise",
        "brk",
        "membarrier",
        "clock_gettime",
        "clock_getres",
        "clock_nanosleep",
        "nanosleep",
        "gettimeofday",
        "time",
        "getrandom",
        "rt_sigaction",
        "rt_sigprocmask",
        "rt_sigreturn",
        "rt_sigtimedwait",
        "sigaltstack",
        "restart_syscall",
        "tgkill",
        "tkill",
        "kill",
        "prctl",
        "uname",
        "prlimit64",
        "getrlimit",
        "exit",
        "exit_group",
        "sysinfo",
        "getcwd",
};

/* Libraries try these; they fail cleanly with EACCES instead of killing us. */
static const char *const refused[] = {
        "open",       "openat",       "openat2",       "socket",     "connect",    "bind",
        "listen",     "accept",       "accept4",       "readlink",   "readlinkat", "stat",
        "lstat",      "access",       "faccessat",     "faccessat2", "statx",      "mkdir",
        "mkdirat",    "unlink",       "unlinkat",      "statfs",     "fstatfs",    "getdents",
        "getdents64", "memfd_create", "inotify_init1",
};

#ifdef SANDBOX_ASAN
/* LeakSanitizer stops the world with ptrace from a helper thread and reads
 * /proc/self/maps; the symboliser reads the binary. Test builds only. */
static const char *const asan_extra[] = {
        "ptrace",
        "wait4",
        "waitid",
        "open",
        "openat",
        "readlink",
        "readlinkat",
        "getdents",
        "getdents64",
        "stat",
        "lstat",
        "statx",
        "access",
        "faccessat",
        "faccessat2",
        "fstatfs",
        "statfs",
        "sched_getparam",
        "sched_getscheduler",
        "unshare",
        "execve",
        "pipe",
        "getpgrp",
};
#endif

static int add_rules(scmp_filter_ctx ctx, const char *const *names, size_t n, uint32_t action)
{
        for (size_t i = 0; i < n; i++) {
                int nr = seccomp_syscall_resolve_name(names[i]);
                int r;

                if (nr == __NR_SCMP_ERROR)
                        continue; /* not on this architecture */
                r = seccomp_rule_add(ctx, action, nr, 0);
                if (r < 0 && r != -EEXIST)
                        return r;
        }
        return 0;
}
#endif

int sandbox_enter(void)
{
#ifdef HAVE_LIBSECCOMP
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
        int r;

        if (!ctx)
                return -ENOMEM;
#ifdef SANDBOX_ASAN
        r = add_rules(ctx, asan_extra, ARRAY_SIZE(asan_extra), SCMP_ACT_ALLOW);
        if (r < 0)
                goto out;
        /* LeakSanitizer's tracer is a clone() without CLONE_THREAD. */
        r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 0);
#else
        /* Threads only, never a new process: CLONE_THREAD must be set.
         * clone3 hides its flags in memory a filter cannot read: ENOSYS
         * makes glibc fall back to clone. */
        r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
                             SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD));
#endif
        if (r < 0)
                goto out;
        r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
        if (r < 0)
                goto out;
        r = add_rules(ctx, allowed, ARRAY_SIZE(allowed), SCMP_ACT_ALLOW);
        if (r < 0)
                goto out;
        r = add_rules(ctx, refused, ARRAY_SIZE(refused), SCMP_ACT_ERRNO(EACCES));
        if (r < 0)
                goto out;
        /* NO_NEW_PRIVS is set by the parent before exec; keep it required. */
        r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1);
        if (r < 0)
                goto out;
        r = seccomp_load(ctx);
out:
        seccomp_release(ctx);
        return r;
#else
        return -ENOTSUP;
#endif
}
