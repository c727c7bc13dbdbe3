#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Runs a command on a new pseudo-terminal and answers each of its prompts
like a person at the keyboard: mx-agent.py PATTERN=ANSWER... -- CMD...
Whenever a new PATTERN (a substring) appears in the output after the last
answer, types its ANSWER and Enter. Used by the matrix for profiles that need
the PKCS#12 passphrase and an EAP password (cert+EAP), which tsunagu asks
for as the secret agent. Exits with the command's status (124: timeout)."""
import os
import pty
import select
import sys
import time


def main():
    sep = sys.argv.index("--")
    answers = [a.split("=", 1) for a in sys.argv[1:sep]]
    cmd = sys.argv[sep + 1:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(cmd[0], cmd)
    out = b""
    seen = 0  # output before this offset has been answered already
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        r, _, _ = select.select([fd], [], [], 0.2)
        data = b""
        if r:
            try:
                data = os.read(fd, 4096)
            except OSError:
                data = b""
            out += data
        for pattern, answer in answers:
            i = out.find(pattern.encode(), seen)
            if i >= 0:
                os.write(fd, answer.encode() + b"\n")
                seen = i + len(pattern)
                break
        wpid, status = os.waitpid(pid, os.WNOHANG)
        if wpid or (r and not data):
            if not wpid:
                _, status = os.waitpid(pid, 0)
            try:
                while True:
                    more = os.read(fd, 4096)
                    if not more:
                        break
                    out += more
            except OSError:
                pass
            sys.stdout.write(out.decode(errors="replace"))
            sys.exit(os.waitstatus_to_exitcode(status))
    sys.stdout.write(out.decode(errors="replace"))
    os.kill(pid, 9)
    sys.exit(124)


main()
