# SPDX-License-Identifier: GPL-2.0-or-later
#
# resolved_locate: sets RESOLVED (the systemd-resolved binary) and RESOLVECTL,
# or skips the whole test (tap_skip_all). The systemd-resolved package is not
# installed on the machine on purpose: its postinst turns /etc/resolv.conf
# into a link to the stub resolver, which breaks name resolution where systemd
# is not PID 1. When /lib/systemd/systemd-resolved is missing, the package is
# fetched with "apt-get download" and unpacked (dpkg-deb -x) into the build
# tree (tests/platform/resolved-root, shared by the tests that use it).
resolved_locate() {
        local cache
        RESOLVED=/lib/systemd/systemd-resolved
        RESOLVECTL=resolvectl
        if [ ! -x "$RESOLVED" ]; then
                cache=$(realpath "${top_builddir:-.}")/tests/platform/resolved-root
                if [ ! -x "$cache/lib/systemd/systemd-resolved" ]; then
                        rm -rf "$cache.dl"
                        mkdir -p "$cache.dl"
                        if ! (cd "$cache.dl" && apt-get download systemd-resolved >/dev/null 2>&1 &&
                                dpkg-deb -x systemd-resolved_*.deb "$cache"); then
                                rm -rf "$cache.dl"
                                tap_skip_all "systemd-resolved is not installed and apt-get download systemd-resolved failed"
                        fi
                        rm -rf "$cache.dl"
                fi
                RESOLVED=$cache/lib/systemd/systemd-resolved
                RESOLVECTL=$cache/usr/bin/resolvectl
        fi
        "$RESOLVED" --version >/dev/null 2>&1 ||
                tap_skip_all "$RESOLVED does not run here (library mismatch?)"
}
