/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `tsunagu connect --foreground PROFILE`: the engine in-process, as root,
 * without tsunagud or a bus (containers, rescue shells, scripts, the lab).
 */
#pragma once

/* Runs the connection until it fails or a signal ends it. argv[0] is
 * "connect". Returns a client/cli/cli.h exit code. */
int connect_foreground(int argc, char *argv[]);

/* Whether argv asks for --foreground (so that the caller can pick this one
 * or the D-Bus connect). */
int connect_wants_foreground(int argc, char *argv[]);
