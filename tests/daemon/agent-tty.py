#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Runs a command on a new pseudo-terminal and answers its prompts, like a
person at the keyboard: agent-tty.py ANSWER PATTERN CMD... waits for PATTERN
(a substring) in the output, types ANSWER and Enter, then relays the rest.
Exits with the command's status; the whole output goes to stdout (the
answer never appears in it when the command turns echo off)."""
import os
import pty
import select
import sys
import time


def main():
    answer, pattern, cmd = sys.argv[1], sys.argv[2].encode(), sys.argv[3:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(cmd[0], cmd)
    out = b""
    answered = False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        r, _, _ = select.select([fd], [], [], 0.5)
        if r:
            try:
                data = os.read(fd, 4096)
            except OSError:
                data = b""
            if not data:
                # The terminal closed: the command ended.
                _, status = os.waitpid(pid, 0)
                sys.stdout.write(out.decode(errors="replace"))
                sys.exit(os.waitstatus_to_exitcode(status))
            out += data
        if not answered and pattern in out:
            os.write(fd, answer.encode() + b"\n")
            answered = True
        wpid, status = os.waitpid(pid, os.WNOHANG)
        if wpid:
            try:
                while True:
                    data = os.read(fd, 4096)
                    if not data:
                        break
                    out += data
            except OSError:
                pass
            sys.stdout.write(out.decode(errors="replace"))
            sys.exit(os.waitstatus_to_exitcode(status))
    sys.stdout.write(out.decode(errors="replace"))
    os.kill(pid, 9)
    sys.exit(124)


main()
