#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""tsunagu-gtk driven through AT-SPI, as a user would, against tsunagud and
the lab gateway (tests/gui/window.sh sets it all up and runs this as the
test user). Prints TAP lines without numbers; window.sh numbers them.

  window.py main       import (file chooser), connect (password dialog),
                       status, ping, log, settings, disconnect, wrong password
                       and the helper's reason, remember, reconnect without
                       prompt, export, an import error
  window.py japanese   the window in Japanese at 200 %, remove
"""
import json

import pyatspi
import os
import re
import subprocess
import sys
import time

from atspi_util import (act, answer_dialog, application, check, diag, done, find, not_ok, ok, rawinput,
                        root_request, shot, text_of, toplevel, wait)

ENV = os.environ
NAME = ENV["PROFILE_NAME"]
GATEWAY = ENV["PROFILE_GATEWAY"]
PASSWORD = ENV["PROFILE_PASSWORD"]
CLI = ENV["TSUNAGU"]


def cli_status():
    r = subprocess.run([CLI, "status", "--json"], capture_output=True, text=True, timeout=30)
    try:
        return json.loads(r.stdout)["sessions"][0]
    except Exception:  # noqa: BLE001
        return {}


def main_window(app):
    return toplevel(app, "frame")


def value(win, description):
    """The text of the status label described as `description`."""
    lab = find(win, roleName="label", description=description)
    return text_of(lab) if lab else None


def state_is(win, want):
    return value(win, "Connection state") == want


def switch(win):
    return find(win, roleName="toggle button", name="Connection")


def password_dialog(app, timeout=20.0):
    return toplevel(app, "dialog", "Connect to " + NAME, timeout)


def answer(app, password, remember=False):
    return answer_dialog(app, "Connect to " + NAME, password, remember)


def connect_and_wait(app, win, password=None, remember=False, desc=""):
    act(switch(win), "toggle", "click")
    if password is not None:
        dlg = password_dialog(app)
        if not check(dlg, "the password dialog opens" + desc):
            return False
        answer(app, password, remember)
    return wait(lambda: state_is(win, "Connected"), 60)


def main():
    app = application("tsunagu-gtk")
    if not check(app, "tsunagu-gtk is on the accessibility bus"):
        return
    win = main_window(app)
    check(win and win.name == "tsunagu VPN", "its window is there, titled 'tsunagu VPN'")
    empty = find(win, roleName="label", name_startswith="No VPN profile yet")
    check(empty, "without profiles it says how to import one")
    shot("01-empty-window")

    # ------------------------------------------------------------ import
    act(find(win, roleName="push button", name="Import profile"), "click")
    chooser = toplevel(app, "file chooser", "Import VPN Profile")
    if not check(chooser, "Import opens the file chooser"):
        return
    shot("02-file-chooser")
    # Ctrl+L opens the chooser's location entry (once it has the focus).
    wait(lambda: chooser.getState().contains(pyatspi.STATE_ACTIVE), 5)
    # Without a window manager the keyboard follows the pointer.
    x, y = chooser.position
    w, h = chooser.size
    rawinput.absoluteMotion(x + w // 2, y + h // 2)
    time.sleep(0.5)
    rawinput.keyCombo("<ctrl>l")
    loc = wait(lambda: find(chooser, timeout=1, roleName="text", showing=True), 20)
    if loc:
        loc.text = ENV["PROFILE_FILE"]
    else:
        rawinput.typeText(ENV["PROFILE_FILE"])
    time.sleep(0.5)
    act(find(chooser, roleName="push button", name="Import"), "click")
    row = find(win, timeout=20, roleName="list item", name_startswith=NAME + ",")
    check(row, "the imported profile is listed")
    info = wait(lambda: text_of(find(win, timeout=1, roleName="label", description="Message")), 20)
    check(info and "Imported" in info, "the info bar says it was imported", repr(info))
    check(row and GATEWAY in row.name and "Disconnected" in row.name,
          "its row names the gateway and the state", row.name if row else "")
    check(value(win, "Authentication method") == "Password (EAP-MSCHAPv2)",
          "the status pane shows the authentication method")
    shot("03-imported")

    # ------------------------------------------------------------ connect
    act(switch(win), "toggle", "click")
    dlg = password_dialog(app)
    if not check(dlg, "connecting asks for the password in a dialog naming the profile"):
        return
    texts = [text_of(n) for n in dlg.findChildren(lambda n: n.roleName == "label")]
    check(NAME in texts and GATEWAY in texts, "the dialog names the profile and the gateway",
          repr(texts))
    check(find(dlg, roleName="check box", name="Remember in my keyring"),
          "the dialog offers to remember the password")
    shot("04-password-dialog")
    check(answer(app, PASSWORD), "the password is typed and Connect pressed")
    if not check(wait(lambda: state_is(win, "Connected"), 60), "the status pane says Connected",
                 repr(value(win, "Connection state"))):
        shot("05-not-connected")
        return
    vip = wait(lambda: value(win, "Virtual IP addresses") if
               re.match(r"^10\.99\.0\.\d+/32", value(win, "Virtual IP addresses") or "") else None,
               20)
    check(vip, "the virtual IP from the gateway's pool is shown (%s)" % vip,
          repr(value(win, "Virtual IP addresses")))
    check("10.20.0.0/24" in (value(win, "Traffic through the tunnel") or ""),
          "the routes are shown", repr(value(win, "Traffic through the tunnel")))
    check("10.20.0.10" in (value(win, "DNS servers and domains") or ""),
          "the DNS server is shown", repr(value(win, "DNS servers and domains")))
    check(value(win, "Gateway").startswith("203.0.113.2"), "the gateway's address is shown",
          repr(value(win, "Gateway")))
    check(switch(win).checked, "the switch is on")
    shot("05-connected")

    before = value(win, "Bytes received")
    rc, out = root_request("ping")
    check(rc == 0, "ping through the tunnel to the corporate LAN", out)
    after = wait(lambda: value(win, "Bytes received") if value(win, "Bytes received") != before
                 else None, 20)
    check(after, "the byte counters update live (%s -> %s)" % (before, after))
    up = wait(lambda: re.match(r"^\d+ s$|^\d+ min", value(win, "Time connected") or ""), 15)
    check(up, "the uptime counts", repr(value(win, "Time connected")))
    shot("06-traffic")

    # ------------------------------------------------------------ log, settings
    act(find(win, roleName="radio button", name="Log"), "click")
    log = find(win, roleName="text", name="Log")
    text = wait(lambda: text_of(log) if len(text_of(log).splitlines()) > 2 else None, 20)
    check(text, "the log page shows the helper's log (%d lines)" % len((text or "").splitlines()))
    shot("07-log")
    act(find(win, roleName="radio button", name="Settings"), "click")
    ks = find(win, roleName="toggle button", name="Kill switch")
    check(ks and not ks.sensitive, "the settings page shows the kill switch, read only")
    shot("08-settings")
    act(find(win, roleName="radio button", name="Status"), "click")

    # ------------------------------------------------------------ disconnect
    act(switch(win), "toggle", "click")
    check(wait(lambda: state_is(win, "Disconnected"), 30), "disconnecting: Disconnected",
          repr(value(win, "Connection state")))
    rc, out = root_request("ping")
    check(rc != 0, "no ping through the tunnel any more")
    shot("09-disconnected")

    # ------------------------------------------------------------ wrong password
    act(switch(win), "toggle", "click")
    dlg = password_dialog(app)
    if not check(dlg, "the password dialog opens again"):
        return
    answer(app, "not-the-password")
    again = wait(lambda: password_dialog(app, 1) if find(password_dialog(app, 1), timeout=1,
                 roleName="label", name="Why the last attempt failed", showing=True) else None, 60)
    if not check(again, "a wrong password: the dialog asks again"):
        shot("10-wrong-password")
        return
    why = text_of(find(again, roleName="label", name="Why the last attempt failed"))
    st = cli_status()
    msg = (st.get("error") or {}).get("message", "")
    reason = (st.get("error") or {}).get("reason", "")
    check(reason == "auth-failed-password", "the helper's reason is auth-failed-password",
          json.dumps(st))
    check(msg and msg in why, "the dialog shows the helper's message", "%r vs %r" % (why, msg))
    check(msg and msg in (value(win, "Last error") or ""), "the status pane shows it too",
          repr(value(win, "Last error")))
    shot("10-wrong-password")

    # ------------------------------------------------------------ remember
    answer(app, PASSWORD, remember=True)
    check(wait(lambda: state_is(win, "Connected"), 60), "the right password, remembered: Connected")
    r = subprocess.run(["secret-tool", "search", "uuid", ENV["PROFILE_UUID"]], capture_output=True,
                       text=True, timeout=30)
    r = wait(lambda: (lambda x: x if "org.tsunagu.Password" in x.stdout + x.stderr else None)(
        subprocess.run(["secret-tool", "search", "uuid", ENV["PROFILE_UUID"]], capture_output=True,
                       text=True, timeout=30)), 20) or r
    check("org.tsunagu.Password" in r.stdout + r.stderr and ENV["PROFILE_UUID"] in r.stdout + r.stderr,
          "the password is in the keyring (schema org.tsunagu.Password, uuid)", r.stdout + r.stderr)
    shot("11-connected-remembered")
    act(switch(win), "toggle", "click")
    wait(lambda: state_is(win, "Disconnected"), 30)
    act(switch(win), "toggle", "click")
    connected = wait(lambda: state_is(win, "Connected"), 60)
    asked = password_dialog(app, 0.5)
    check(connected and not asked, "connecting again uses the remembered password without asking")
    act(switch(win), "toggle", "click")
    wait(lambda: state_is(win, "Disconnected"), 30)

    # ------------------------------------------------------------ export
    act(find(win, roleName="push button", name="Export profile"), "click")
    saver = toplevel(app, "file chooser", "Export Profile")
    if check(saver, "Export opens a save dialog"):
        name = find(saver, roleName="text", showing=True)
        name.text = ENV["EXPORT_FILE"]
        time.sleep(0.3)
        act(find(saver, roleName="push button", name="Export"), "click")
        got = wait(lambda: os.path.exists(ENV["EXPORT_FILE"]) and open(ENV["EXPORT_FILE"]).read(), 20)
        check(got and "[profile]" in got and NAME in got and PASSWORD not in got,
              "the exported file is the profile, without the password", (got or "")[:300])
        info = text_of(find(win, roleName="label", description="Message"))
        check("Exported" in info, "the info bar says where it went", info)

    # ------------------------------------------------------------ an import error
    subprocess.run([ENV["TSUNAGU_GTK"], ENV["BROKEN_FILE"]], timeout=30)
    base = os.path.basename(ENV["BROKEN_FILE"])
    err = wait(lambda: (lambda t: t if "Cannot import" in t else None)(
        text_of(find(win, timeout=1, roleName="label", description="Message"))), 20)
    check(err and ("Cannot import " + base) in err, "an invalid file: the info bar names it", err)
    check(err and re.search(re.escape(base) + r": (\[[\w-]+\] )?[\w.-]+: ", err),
          "... with the field the helper names", err)
    shot("12-import-error")


def japanese():
    app = application("tsunagu-gtk")
    if not check(app, "tsunagu-gtk (Japanese, 200 %) is on the accessibility bus"):
        return
    win = main_window(app)
    check(win and win.name == "tsunagu VPN", "its window is there")
    lst = find(win, roleName="list box", name="プロファイル")
    check(lst, "the profile list is labelled in Japanese (プロファイル)")
    sw = find(win, roleName="toggle button", name="接続")
    check(sw, "the connect switch is named in Japanese (接続)")
    st = find(win, roleName="label", description="接続状態")
    check(st and text_of(st) == "未接続", "the state reads 未接続",
          repr(text_of(st) if st else None))
    check(find(win, roleName="radio button", name="ログ"), "the pages are in Japanese (ログ)")
    check(find(win, roleName="push button", name="プロファイルを読み込む"),
          "the import button is in Japanese")
    shot("13-japanese-200")

    act(find(win, roleName="push button", name="プロファイルを削除"), "click")
    ask = toplevel(app, "alert", None, 20) or toplevel(app, "dialog", None, 5)
    if check(ask, "Remove asks first"):
        shot("14-remove-confirm")
        act(find(ask, roleName="push button", name_startswith="削除"), "click")
        gone = wait(lambda: not win.findChildren(lambda n: n.roleName == "list item"), 20)
        check(gone, "the profile is removed")
    shot("15-removed")


if __name__ == "__main__":
    try:
        {"main": main, "japanese": japanese}[sys.argv[1]]()
    except Exception as e:  # noqa: BLE001
        not_ok("the driver ran to the end", repr(e))
        import traceback
        diag(traceback.format_exc())
    done()
