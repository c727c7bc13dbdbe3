#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""tsunagu-tray against a StatusNotifierWatcher and a notification server
of our own on the test's session bus (tests/gui/tray.sh runs this as the
test user, with tsunagud and the lab gateway up and the profile imported).

The tray is started here, after the watcher exists. We check that its item
registers, that Status and IconName follow the connection, that its
exported menu (com.canonical.dbusmenu) lists the profile and connects and
disconnects it, the notifications, the remembered password (keyring) used
without a prompt, a wrong one forgotten and asked again in the shared
dialog (answered through AT-SPI), "Open tsunagu" and "Quit".

The watcher and the notification server are this script too, run as
`tray.py serve` in a process of their own; they tell the driver what they
saw through a file of JSON lines."""
import json
import os
import subprocess
import sys
import time

import gi

gi.require_version("Gio", "2.0")
from gi.repository import Gio, GLib  # noqa: E402

if sys.argv[1:] != ["serve"]:  # (the server stays away from AT-SPI)
    from atspi_util import (act, answer_dialog, application, check, diag, done, find,  # noqa: E402
                            not_ok, ok, shot, text_of, toplevel, wait)

ENV = os.environ
NAME = ENV["PROFILE_NAME"]
UUID = ENV["PROFILE_UUID"]
PASSWORD = ENV["PROFILE_PASSWORD"]

WATCHER_XML = """<node><interface name="org.kde.StatusNotifierWatcher">
  <method name="RegisterStatusNotifierItem"><arg name="service" type="s" direction="in"/></method>
  <method name="RegisterStatusNotifierHost"><arg name="service" type="s" direction="in"/></method>
  <property name="RegisteredStatusNotifierItems" type="as" access="read"/>
  <property name="IsStatusNotifierHostRegistered" type="b" access="read"/>
  <property name="ProtocolVersion" type="i" access="read"/>
  <signal name="StatusNotifierItemRegistered"><arg type="s"/></signal>
  <signal name="StatusNotifierItemUnregistered"><arg type="s"/></signal>
  <signal name="StatusNotifierHostRegistered"/>
</interface></node>"""

NOTIFY_XML = """<node><interface name="org.freedesktop.Notifications">
  <method name="Notify">
    <arg type="s" direction="in"/><arg type="u" direction="in"/><arg type="s" direction="in"/>
    <arg type="s" direction="in"/><arg type="s" direction="in"/><arg type="as" direction="in"/>
    <arg type="a{sv}" direction="in"/><arg type="i" direction="in"/><arg type="u" direction="out"/>
  </method>
  <method name="GetCapabilities"><arg type="as" direction="out"/></method>
  <method name="GetServerInformation">
    <arg type="s" direction="out"/><arg type="s" direction="out"/>
    <arg type="s" direction="out"/><arg type="s" direction="out"/>
  </method>
  <method name="CloseNotification"><arg type="u" direction="in"/></method>
</interface></node>"""

bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
EVENTS = os.path.join(ENV.get("GUI_OUT", "."), "tray-events.jsonl")


def emit(kind, *args):
    """(server) One event for the driver: a line of JSON in EVENTS."""
    with open(EVENTS, "a") as f:
        f.write(json.dumps([kind] + list(args)) + "\n")


def on_watcher(conn, sender, path, iface, method, params, inv):
    if method == "RegisterStatusNotifierItem":
        service = params.unpack()[0]
        path = service if service.startswith("/") else "/StatusNotifierItem"
        registered.append(sender + path)
        emit("item", sender, path)
        conn.emit_signal(None, "/StatusNotifierWatcher", "org.kde.StatusNotifierWatcher",
                         "StatusNotifierItemRegistered", GLib.Variant("(s)", (sender + path,)))
    inv.return_value(None)


def watcher_prop(conn, sender, path, iface, prop):
    if prop == "RegisteredStatusNotifierItems":
        return GLib.Variant("as", registered)
    if prop == "IsStatusNotifierHostRegistered":
        return GLib.Variant("b", True)
    return GLib.Variant("i", 0)


def on_notify(conn, sender, path, iface, method, params, inv):
    if method == "Notify":
        app, replaces, icon, summary, body, actions, hints, timeout = params.unpack()
        emit("notification", summary, body)
        on_notify.n += 1
        inv.return_value(GLib.Variant("(u)", (on_notify.n,)))
    elif method == "GetCapabilities":
        inv.return_value(GLib.Variant("(as)", (["body"],)))
    elif method == "GetServerInformation":
        inv.return_value(GLib.Variant("(ssss)", ("test", "tsunagu", "1", "1.2")))
    else:
        inv.return_value(None)


on_notify.n = 0
registered = []


def serve():
    """(server, a process of its own) The watcher and the notification
    server. Apart from the driver: AT-SPI (dogtail) and a GLib main loop
    in another thread of one process share GLib's default main context,
    and crash."""
    for xml, path, call, prop, name in (
            (WATCHER_XML, "/StatusNotifierWatcher", on_watcher, watcher_prop,
             "org.kde.StatusNotifierWatcher"),
            (NOTIFY_XML, "/org/freedesktop/Notifications", on_notify, None,
             "org.freedesktop.Notifications")):
        info = Gio.DBusNodeInfo.new_for_xml(xml).interfaces[0]
        bus.register_object(path, info, call, prop, None)
        r = bus.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                          "RequestName", GLib.Variant("(su)", (name, 4)), None,
                          Gio.DBusCallFlags.NONE, 5000, None)
        if r.unpack()[0] != 1:
            emit("error", "cannot own " + name)
            sys.exit(1)
    emit("ready")
    GLib.MainLoop().run()


def events(kind):
    """(driver) The server's events of one kind, oldest first."""
    try:
        with open(EVENTS) as f:
            lines = [json.loads(line) for line in f if line.endswith("\n")]
    except FileNotFoundError:
        return []
    return [e[1:] for e in lines if e[0] == kind]


def items():
    return events("item")


def item_props():
    sender, path = items()[-1]
    r = bus.call_sync(sender, path, "org.freedesktop.DBus.Properties", "GetAll",
                      GLib.Variant("(s)", ("org.kde.StatusNotifierItem",)), None,
                      Gio.DBusCallFlags.NONE, 5000, None)
    return r.unpack()[0]


def menu_items():
    """[(id, label, props)] of the item's menu, in order."""
    sender = items()[-1][0]
    menu = item_props()["Menu"]
    r = bus.call_sync(sender, menu, "com.canonical.dbusmenu", "GetLayout",
                      GLib.Variant("(iias)", (0, -1, [])), None, Gio.DBusCallFlags.NONE, 5000, None)
    rev, layout = r.unpack()
    out = []

    def walk(node):
        ident, props, children = node
        if ident != 0:
            out.append((ident, props.get("label", ""), props))
        for ch in children:
            walk(ch)
    walk(layout)
    return out


def click(label_start):
    """Sends "clicked" to the menu item whose label starts so."""
    sender = items()[-1][0]
    menu = item_props()["Menu"]
    for ident, label, props in menu_items():
        if label.replace("_", "").startswith(label_start):
            bus.call_sync(sender, menu, "com.canonical.dbusmenu", "Event",
                          GLib.Variant("(isvu)", (ident, "clicked", GLib.Variant("s", ""),
                                                  int(time.time()))),
                          None, Gio.DBusCallFlags.NONE, 5000, None)
            return True
    raise RuntimeError("no menu item %r in %r" % (label_start, menu_items()))


def profile_label():
    for ident, label, props in menu_items():
        if label.startswith(NAME + " — "):
            return label
    return None


def icon_is(name, status="Active"):
    p = item_props()
    return p.get("IconName") == name and p.get("Status") == status


def notified(summary_start):
    for s, b in events("notification"):
        if s.startswith(summary_start):
            return (s, b)
    return None


def keyring(op, secret=None):
    # What libsecret stores for the schema: its name is an attribute too.
    attrs = ["xdg:schema", "org.tsunagu.Password", "uuid", UUID, "kind", "password"]
    args = {"store": ["secret-tool", "store", "--label=test"] + attrs,
            "lookup": ["secret-tool", "lookup"] + attrs}[op]
    return subprocess.run(args, input=secret, capture_output=True, text=True, timeout=30)


def main():
    if os.path.exists(EVENTS):
        os.unlink(EVENTS)
    server = subprocess.Popen([sys.executable, __file__, "serve"])
    try:
        if not check(wait(lambda: events("ready") or events("error"), 20) == [[]],
                     "the test's StatusNotifierWatcher and notification server are up",
                     repr(events("error"))):
            return
        keyring("store", PASSWORD)
        tray = subprocess.Popen([ENV["TSUNAGU_TRAY"]], stdout=open(ENV["TRAY_LOG"], "w"),
                                stderr=subprocess.STDOUT)
        try:
            run(tray)
        finally:
            if tray.poll() is None:
                tray.terminate()
                tray.wait(10)
    finally:
        server.terminate()
        server.wait(10)


def run(tray):
    if not check(wait(items, 20), "the tray's item registers with the watcher"):
        return
    check(wait(lambda: icon_is("tsunagu-disconnected-symbolic"), 20),
          "Status Active, IconName tsunagu-disconnected-symbolic", repr(item_props()))
    label = wait(profile_label, 20)
    check(label == NAME + " — Disconnected", "the menu lists the profile and its state",
          repr(menu_items()))
    labels = [lab.replace("_", "") for _, lab, _ in menu_items()]
    check("Open tsunagu" in labels and "Quit" in labels, "... and Open tsunagu, Quit", repr(labels))

    # Connect from the menu; the remembered password is used without asking.
    click(NAME)
    check(wait(lambda: icon_is("tsunagu-connected-symbolic"), 60),
          "connect from the menu: IconName tsunagu-connected-symbolic", repr(item_props()))
    app = application("tsunagu-tray", 5)
    check(not (app and toplevel(app, "dialog", None, 0.5)),
          "the remembered password was used without a prompt")
    n = wait(lambda: notified("Connected to " + NAME), 20)
    check(n and "10.99.0." in n[1], "a notification: connected, with the address", repr(n))
    check(wait(lambda: profile_label() == NAME + " — Connected", 20),
          "the menu shows it connected", repr(profile_label()))

    click(NAME)
    check(wait(lambda: icon_is("tsunagu-disconnected-symbolic"), 30),
          "disconnect from the menu: IconName tsunagu-disconnected-symbolic", repr(item_props()))
    check(wait(lambda: notified("Disconnected from " + NAME), 20),
          "a notification: disconnected")

    # A wrong remembered password: failed, forgotten, asked again.
    keyring("store", "not-the-password")
    click(NAME)
    check(wait(lambda: icon_is("tsunagu-error-symbolic", "NeedsAttention"), 60),
          "a wrong password: IconName tsunagu-error-symbolic, Status NeedsAttention",
          repr(item_props()))
    n = wait(lambda: notified("Cannot connect to " + NAME), 20)
    check(n and "MSCHAPv2" in n[1], "a notification: failed, with the helper's reason", repr(n))
    check(wait(lambda: keyring("lookup").stdout == "", 20),
          "the refused password is forgotten from the keyring")
    app = application("tsunagu-tray", 20)
    dlg = app and toplevel(app, "dialog", "Connect to " + NAME, 20)
    if check(dlg, "the tray asks again in the password dialog"):
        why = wait(lambda: [text_of(n) for n in dlg.findChildren(
            lambda n: n.roleName == "label" and "MSCHAPv2" in text_of(n))], 20)
        check(why, "... showing the helper's message",
              repr([(n.name, text_of(n)) for n in dlg.findChildren(lambda n: n.roleName == "label")]))
        shot("20-tray-password-dialog")
        check(answer_dialog(app, "Connect to " + NAME, PASSWORD),
              "... answered with the right password")
        check(wait(lambda: icon_is("tsunagu-connected-symbolic"), 60),
              "answered: connected (IconName)", repr(item_props()))
        click(NAME)
        wait(lambda: icon_is("tsunagu-disconnected-symbolic"), 30)

    # Open tsunagu: the window starts.
    click("Open tsunagu")
    gtk = application("tsunagu-gtk", 30)
    check(gtk and toplevel(gtk, "frame", "tsunagu VPN", 20), "Open tsunagu starts the window")
    shot("21-tray-open-window")
    subprocess.run(["gdbus", "call", "--session", "--dest", "org.tsunagu.Gtk", "--object-path",
                    "/org/tsunagu/Gtk", "--method", "org.gtk.Actions.Activate", "quit", "[]",
                    "{}"], capture_output=True, timeout=30)

    click("Quit")
    try:
        tray.wait(15)
        check(tray.returncode == 0, "Quit ends the tray (exit 0)", "exit %r" % tray.returncode)
    except subprocess.TimeoutExpired:
        not_ok("Quit ends the tray")


if __name__ == "__main__" and sys.argv[1:] == ["serve"]:
    serve()
elif __name__ == "__main__":
    try:
        main()
    except Exception as e:  # noqa: BLE001
        not_ok("the driver ran to the end", repr(e))
        import traceback
        diag(traceback.format_exc())
    done()
