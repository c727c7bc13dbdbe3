# SPDX-License-Identifier: GPL-2.0-or-later
"""Small helpers over dogtail for the GUI tests: TAP output, patient
lookups (AT-SPI trees fill in asynchronously), waiting, screenshots, and
requests to the root side of the test (pings in the lab's namespaces)."""
import os
import subprocess
import sys
import time

from dogtail.config import config

config.checkForA11y = False  # no GSettings here; the bridge is on
config.logDebugToFile = False
config.logDebugToStdOut = False
config.searchCutoffCount = 20  # lookups retry for 20 x 0.5 s
config.searchBackoffDuration = 0.5
config.defaultDelay = 0.2
config.actionDelay = 0.2
config.typingDelay = 0.02

from dogtail import tree  # noqa: E402  (after the configuration)
from dogtail import rawinput  # noqa: E402,F401

OUT = os.environ.get("GUI_OUT", ".")
REQ = os.environ.get("GUI_REQ_DIR", "")
failed = 0


def ok(desc):
    print("ok - " + desc, flush=True)


def not_ok(desc, why=""):
    global failed
    failed += 1
    print("not ok - " + desc, flush=True)
    if why:
        diag(why)


def check(cond, desc, why=""):
    if cond:
        ok(desc)
    else:
        not_ok(desc, why)
    return bool(cond)


def diag(text):
    for line in str(text).splitlines():
        print("# " + line, flush=True)


def shot(name):
    """A screenshot of the whole screen into GUI_OUT/name.png."""
    time.sleep(0.4)  # let GTK draw the last change
    diag("%s screenshot %s" % (time.strftime("%H:%M:%S"), name))
    subprocess.run(["import", "-window", "root", os.path.join(OUT, name + ".png")],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)


def wait(fn, timeout=20.0, step=0.25):
    """Calls fn until it returns something true (exceptions count as
    false: nodes come and go); returns that or None after timeout."""
    end = time.time() + timeout
    while True:
        try:
            v = fn()
            if v:
                return v
        except Exception:  # noqa: BLE001  (stale AT-SPI nodes)
            pass
        if time.time() > end:
            return None
        time.sleep(step)


def application(name, timeout=30.0):
    def find():
        for app in tree.root.applications():
            if app.name == name:
                return app
        return None
    return wait(find, timeout)


def toplevel(app, role, name=None, timeout=20.0):
    """A window of the application (dialogs are toplevels of their own)."""
    def find():
        for w in app.children:
            if w.roleName == role and (name is None or w.name == name) and w.showing:
                return w
        return None
    return wait(find, timeout)


def find(node, timeout=20.0, **kw):
    """node.child(**kw) that waits instead of raising."""
    def look():
        return node.findChild(lambda n: all(_match(n, k, v) for k, v in kw.items()),
                              retry=False, requireResult=False)
    return wait(look, timeout)


def _match(n, key, value):
    if key == "showing":
        return n.showing == value
    if key == "name_startswith":
        return n.name.startswith(value)
    return getattr(n, key) == value


def text_of(node):
    """A label's or an entry's text (a label's accessible name may be set)."""
    try:
        return node.text or ""
    except Exception:  # noqa: BLE001
        return node.name or ""


def act(node, *names):
    """Does the first of the named AT-SPI actions the node has."""
    for n in names:
        if n in node.actions:
            node.doActionNamed(n)
            return True
    raise RuntimeError("%s %r has none of %r (has %r)" % (node.roleName, node.name, names,
                                                         list(node.actions)))


def root_request(what, timeout=60.0):
    """Asks the root side of the test (tests/gui/window.sh) to do `what`
    (e.g. "ping"); returns (exit code, output)."""
    req = os.path.join(REQ, "req-" + what)
    rc = os.path.join(REQ, what + ".rc")
    out = os.path.join(REQ, what + ".out")
    for f in (rc, out):
        if os.path.exists(f):
            os.unlink(f)
    open(req, "w").close()
    end = time.time() + timeout
    while not os.path.exists(rc):
        if time.time() > end:
            return 124, "no answer from the root side"
        time.sleep(0.2)
    time.sleep(0.1)
    with open(rc) as f:
        code = int(f.read().strip() or "1")
    with open(out) as f:
        return code, f.read()


def done():
    sys.exit(1 if failed else 0)


def answer_dialog(app, title, secret, remember=None, timeout=60.0):
    """Types `secret` into the password dialog titled `title` and presses
    Connect. Each try looks the dialog up afresh: a dialog replaced by a
    newer question (or a tree read while it was still being built) leaves
    stale nodes behind. remember: None leaves the check box as it is.
    Returns True once Connect was pressed."""
    end = time.time() + timeout
    dlg = None
    while time.time() < end:
        dlg = toplevel(app, "dialog", title, 10)
        if not dlg:
            continue
        try:
            entry = find(dlg, 5, roleName="password text")
            button = find(dlg, 5, roleName="push button", name="Connect")
            if not entry or not button:
                continue
            entry.text = secret
            if remember is not None:
                box = find(dlg, 5, roleName="check box", name="Remember in my keyring")
                if box and bool(box.checked) != remember:
                    act(box, "click", "toggle")
            if not wait(lambda: button.sensitive, 5):
                continue
            act(button, "click")
            return True
        except Exception as e:  # noqa: BLE001  (a node went away under us)
            diag("answering %r: %r, again" % (title, e))
        time.sleep(0.5)
    if dlg:
        try:
            diag("dialog %r: %r" % (title, [(n.roleName, n.name) for n in
                                             dlg.findChildren(lambda n: True)]))
        except Exception:  # noqa: BLE001
            pass
    return False
