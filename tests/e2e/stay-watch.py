#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Watches one tsunagud session over D-Bus, for the lab tests of staying
connected (tests/e2e/lib-stay.sh): prints "<monotonic s> State <state>" and
"<monotonic s> Gateway <address:port>" whenever the property changes (polled
every 0.1 s, so that no state is missed between two signals) and
"<monotonic s> signal <state>" for each StateChanged signal.

usage: stay-watch.py PROFILE-NAME"""
import sys
import time

import dbus
import dbus.mainloop.glib
from gi.repository import GLib

SESS = "org.tsunagu.Vpn1.Session"
PROF = "org.tsunagu.Vpn1.Profile"
PROPS = "org.freedesktop.DBus.Properties"


def log(kind, value):
    print("%.3f %s %s" % (time.monotonic(), kind, value), flush=True)


def main():
    name = sys.argv[1]
    dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
    bus = dbus.SystemBus()
    om = bus.get_object("org.tsunagu.Vpn1", "/org/tsunagu/Vpn1")
    objs = om.GetManagedObjects(dbus_interface="org.freedesktop.DBus.ObjectManager")
    path = None
    for p, ifs in objs.items():
        if SESS in ifs:
            prof = objs.get(ifs[SESS]["Profile"], {}).get(PROF, {})
            if prof.get("Name") == name:
                path = p
    if path is None:
        print("no session for profile %r" % name, file=sys.stderr)
        return 1
    sess = bus.get_object("org.tsunagu.Vpn1", path)
    last = {}

    def poll():
        for prop in ("State", "Gateway"):
            try:
                v = str(sess.Get(SESS, prop, dbus_interface=PROPS))
            except dbus.DBusException as e:
                v = "error:" + e.get_dbus_name()
            if last.get(prop) != v:
                last[prop] = v
                log(prop, v)
        return True

    bus.add_signal_receiver(lambda state, reason, message: log("signal", str(state)),
                            signal_name="StateChanged", dbus_interface=SESS, path=path)
    poll()
    GLib.timeout_add(100, poll)
    GLib.MainLoop().run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
