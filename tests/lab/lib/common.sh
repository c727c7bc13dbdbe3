# tests/lab/lib/common.sh - names, paths and process helpers shared by the lab scripts.
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# shellcheck disable=SC2034 # variables used by the files that source this one
#
# Sourced by tests/lab/lab; expects LAB_HOME (the tests/lab directory) to be set.

LAB_PREFIX=${LAB_PREFIX:-tsu-}
case $LAB_PREFIX in
*[!a-z0-9-]* | "" | -*)
    echo "lab: LAB_PREFIX must be lower-case letters, digits and '-' (got '$LAB_PREFIX')" >&2
    exit 2
    ;;
esac
if [ ${#LAB_PREFIX} -gt 16 ]; then
    echo "lab: LAB_PREFIX is too long (at most 16 characters)" >&2
    exit 2
fi
P=$LAB_PREFIX
LAB_DIR=${LAB_DIR:-/run/tsunagu-lab/${P%-}}
case $LAB_DIR in
/*) ;;
*)
    echo "lab: LAB_DIR must be an absolute path (got '$LAB_DIR')" >&2
    exit 2
    ;;
esac
# Resolve symlinks (/var/run -> /run): charon's private /run relies on it.
LAB_DIR=$(realpath -m "$LAB_DIR")
case $LAB_DIR in
"" | /run | /tmp | /var/run)
    echo "lab: refusing LAB_DIR='$LAB_DIR'" >&2
    exit 2
    ;;
esac

# The five namespaces of one lab.
LAB_NODES="client nat inet gw lan"

# A marker that says "this directory belongs to a lab"; down only deletes
# directories that carry it.
LAB_MARKER=.tsunagu-lab

# Debian ships python3 in /usr/bin; prefer it over whatever a user's PATH has.
if [ -x /usr/bin/python3 ]; then
    LAB_PYTHON=/usr/bin/python3
else
    LAB_PYTHON=python3
fi

LAB_CHARON=${LAB_CHARON:-/usr/lib/ipsec/charon}

lab_say() { printf 'lab[%s]: %s\n' "${P%-}" "$*" >&2; }
lab_die() {
    lab_say "error: $*"
    exit 1
}

ns_name() { printf '%s%s' "$P" "$1"; }

ns_exists() { [ -e "/run/netns/$(ns_name "$1")" ]; }

# nsx NODE CMD... : run CMD inside the node's namespace.
nsx() {
    local node=$1
    shift
    ip netns exec "$(ns_name "$node")" "$@"
}

# lab_spawn NAME NODE CMD... : start a long-running process in NODE, detached
# (own session, stdio to $LAB_DIR/log/NAME.log), remember its pid.
lab_spawn() {
    local name=$1 node=$2
    shift 2
    mkdir -p "$LAB_DIR/pid" "$LAB_DIR/log"
    setsid ip netns exec "$(ns_name "$node")" "$@" \
        </dev/null >>"$LAB_DIR/log/$name.log" 2>&1 &
    echo $! >"$LAB_DIR/pid/$name.pid"
}

# A zombie counts as dead: whoever reaps orphans here (pid 1) may be slow.
pid_alive() {
    local stat
    [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null || return 1
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [ "${stat%% *}" != Z ]
}

pid_dead() { ! pid_alive "$1"; }

# lab_pid NAME : print the pid recorded for NAME if that process is alive.
lab_pid() {
    local pid
    pid=$(cat "$LAB_DIR/pid/$1.pid" 2>/dev/null) || return 1
    pid_alive "$pid" || return 1
    echo "$pid"
}

# kill_pids SECONDS PID... : TERM, wait up to SECONDS, then KILL what is left.
kill_pids() {
    local wait=$1 pid left i
    shift
    [ $# -gt 0 ] || return 0
    kill -TERM "$@" 2>/dev/null || true
    for ((i = 0; i < wait * 10; i++)); do
        left=
        for pid in "$@"; do
            pid_alive "$pid" && left=1
        done
        [ -z "$left" ] && return 0
        sleep 0.1
    done
    kill -KILL "$@" 2>/dev/null || true
    sleep 0.1
}

# lab_stop NAME : stop a process started with lab_spawn.
lab_stop() {
    local pid
    if pid=$(lab_pid "$1"); then
        kill_pids 5 "$pid"
    fi
    rm -f "$LAB_DIR/pid/$1.pid"
}

# wait_for SECONDS CMD... : poll CMD every 0.1 s until it succeeds.
wait_for() {
    local secs=$1 i
    shift
    for ((i = 0; i < secs * 10; i++)); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    "$@" >/dev/null 2>&1
}
