/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The engine process's seccomp filter (libseccomp), installed by the
 * engine itself once it has read its profile and before it reads a byte
 * from the network: an allow-list of what a GLib main loop, OpenSSL and
 * the datapath threads need on already-open descriptors. Opening files,
 * creating sockets, connecting, executing, ptrace, mount, module and
 * key-management calls are refused (EACCES for the "may be tried" ones,
 * the process is killed for anything else).
 *
 * Builds with AddressSanitizer also allow what LeakSanitizer needs at
 * exit (ptrace of its own threads, /proc/self reads); production builds
 * do not.
 */
#pragma once

#include <stdbool.h>

/* Returns 0, -ENOTSUP when built without libseccomp (the engine then runs
 * without a filter, and says so), or -errno. */
int sandbox_enter(void);
bool sandbox_available(void);
