#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Random D-Bus calls at tsunagud (python3-gi): dbus-fuzz.py SECONDS SEED.

Each call picks an object the caller knows of (the manager, profiles,
sessions, made-up paths), an interface and a method from the introspection
data (or a made-up one), and arguments that are either of the right
signature with random values or random GVariants of random types. Every
call must get an answer (a reply or an error) within the timeout: a helper
that crashes or hangs ends the run with exit 1. Prints how many calls were
made and how many were answered with an error."""
import random
import sys
import time

from gi.repository import Gio, GLib

NAME = "org.tsunagu.Vpn1"
BASIC = "bynqiuxtdsog"


def rand_str(r):
    pool = ["", "keep-secrets", "password", "format", "sswan", "keyfile", "passphrase",
            "eap-identity", "interactive", "foo", "x" * r.randint(1, 3000), "ü\u2603",
            "/org/tsunagu/Vpn1", "../../etc/shadow", "%s%n"]
    return r.choice(pool) if r.random() < 0.7 else "".join(
        chr(r.randint(1, 0x2ff)) for _ in range(r.randint(0, 40)))


def rand_type(r, depth=0):
    x = r.random()
    if depth > 2 or x < 0.5:
        return r.choice(BASIC)
    if x < 0.65:
        return "a" + rand_type(r, depth + 1)
    if x < 0.8:
        return "a{" + r.choice("sy") + rand_type(r, depth + 1) + "}"
    if x < 0.9:
        return "v"
    return "(" + "".join(rand_type(r, depth + 1) for _ in range(r.randint(1, 3))) + ")"


def rand_value(r, t, depth=0):
    """A Python value for GLib.Variant(t, value)."""
    c = t[0]
    if c == "b":
        return r.random() < 0.5
    if c in "ynqiuxt":
        bits = {"y": 8, "n": 16, "q": 16, "i": 32, "u": 32, "x": 64, "t": 64}[c]
        lo, hi = (0, 2 ** bits - 1) if c in "yqut" else (-2 ** (bits - 1), 2 ** (bits - 1) - 1)
        return r.choice([lo, hi, 0, 1, r.randint(lo, hi)])
    if c == "d":
        return r.choice([0.0, -1.5, 1e308, float("inf"), float("nan")])
    if c == "s":
        return rand_str(r)
    if c == "o":
        return r.choice(["/", "/org/tsunagu/Vpn1", "/org/tsunagu/Vpn1/Profile/x",
                         "/org/tsunagu/Vpn1/Session/1", "/a/b_c"])
    if c == "g":
        return r.choice(["", "s", "a{sv}", "(ii)"])
    if c == "v":
        inner = rand_type(r, depth + 1)
        return GLib.Variant(inner, rand_value(r, inner, depth + 1))
    if c == "a":
        inner = t[1:]
        if inner[0] == "{":
            k, v = inner[1], inner[2:-1]
            return {rand_value(r, k, depth + 1): rand_value(r, v, depth + 1)
                    for _ in range(r.randint(0, 4))}
        if inner == "y":
            return bytes(r.getrandbits(8) for _ in range(r.randint(0, 2000)))
        return [rand_value(r, inner, depth + 1) for _ in range(r.randint(0, 4))]
    if c == "(":
        return tuple(rand_value(r, s, depth + 1) for s in split_types(t[1:-1]))
    raise ValueError(t)


def split_types(sig):
    out, i = [], 0
    while i < len(sig):
        j = i
        depth = 0
        while True:
            ch = sig[j]
            if ch in "({":
                depth += 1
            elif ch in ")}":
                depth -= 1
            j += 1
            if depth == 0 and ch != "a":
                break
        out.append(sig[i:j])
        i = j
    return out


def wait_for_name(bus, seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        has = bus.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                            "NameHasOwner", GLib.Variant("(s)", (NAME,)), None,
                            Gio.DBusCallFlags.NONE, 5000, None).unpack()[0]
        if has:
            return True
        time.sleep(0.1)
    return False


def main():
    seconds, seed = float(sys.argv[1]), int(sys.argv[2])
    r = random.Random(seed)
    bus = Gio.bus_get_sync(Gio.BusType.SYSTEM, None)
    xml = bus.call_sync(NAME, "/org/tsunagu/Vpn1", "org.freedesktop.DBus.Introspectable",
                        "Introspect", None, GLib.VariantType("(s)"),
                        Gio.DBusCallFlags.NONE, 10000, None).unpack()[0]
    with open(sys.argv[3]) as f:
        api = Gio.DBusNodeInfo.new_for_xml(f.read())
    ifaces = {i.name: i for i in api.interfaces}
    std = Gio.DBusNodeInfo.new_for_xml(xml)
    for i in std.interfaces:
        ifaces.setdefault(i.name, i)
    paths = ["/org/tsunagu/Vpn1", "/org/tsunagu/Vpn1/Profile/nope", "/", "/org/tsunagu/Vpn1/Session/1"]
    calls = errors = reconnects = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if r.random() < 0.05:
            try:
                objs = bus.call_sync(NAME, "/org/tsunagu/Vpn1",
                                     "org.freedesktop.DBus.ObjectManager", "GetManagedObjects",
                                     None, None, Gio.DBusCallFlags.NO_AUTO_START, 10000,
                                     None).unpack()[0]
            except GLib.Error as e:
                # The helper may be between two bus connections (see below):
                # the same rule as for the random calls.
                if "ServiceUnknown" not in e.message and "NameHasNoOwner" not in e.message:
                    raise
                if not wait_for_name(bus, 10):
                    print("the helper is gone (GetManagedObjects)")
                    sys.exit(1)
                reconnects += 1
                continue
            paths = ["/org/tsunagu/Vpn1", "/org/tsunagu/Vpn1/Profile/nope"] + list(objs.keys())
        path = r.choice(paths)
        iface = r.choice(list(ifaces.values()))
        methods = list(iface.methods) or [None]
        m = r.choice(methods)
        name = m.name if m and r.random() < 0.9 else r.choice(["Nope", "Connect", "Get", ""]) or "X"
        if m and r.random() < 0.7:
            sig = "".join(a.signature for a in m.in_args)
        else:
            sig = "".join(rand_type(r) for _ in range(r.randint(0, 3)))
        if iface.name == "org.tsunagu.Vpn1.SecretAgent":
            iface_name = iface.name  # not ours: the helper does not export it
        else:
            iface_name = iface.name
        try:
            args = GLib.Variant("(" + sig + ")", tuple(rand_value(r, t) for t in split_types(sig)))
        except (ValueError, TypeError, OverflowError):
            continue
        calls += 1
        try:
            bus.call_sync(NAME, path, iface_name, name, args, None,
                          Gio.DBusCallFlags.NO_AUTO_START, 20000, None)
        except GLib.Error as e:
            errors += 1
            if "Timeout" in e.message or "NoReply" in str(e.domain) or \
               Gio.DBusError.is_remote_error(e) is False and e.code in (
                   Gio.IOErrorEnum.TIMED_OUT, Gio.IOErrorEnum.CLOSED):
                print(f"no answer: {path} {iface_name}.{name}{sig}: {e.message}")
                sys.exit(1)
            if "ServiceUnknown" in e.message or "NameHasNoOwner" in e.message:
                # GDBus (2.74) closes the helper's connection on some messages
                # it cannot decode; the helper connects again within a second
                # or two. A helper that crashed does not come back.
                if not wait_for_name(bus, 10):
                    print(f"the helper is gone after {path} {iface_name}.{name}({sig})")
                    sys.exit(1)
                reconnects += 1
    print(f"{calls} calls, {errors} errors, {reconnects} reconnects of the helper")


main()
