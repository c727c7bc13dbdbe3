#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes seeds for fuzz_dbus_options: a{sv} dictionaries in GVariant
serialisation (python3-gi), byte 0 = 0 ImportProfile, 1 Connect."""
import os

from gi.repository import GLib

OUT = os.path.join(os.path.dirname(__file__), "corpus", "fuzz_dbus_options")
V = GLib.Variant
seeds = {
    "import-empty": (0, {}),
    "import-keep": (0, {"keep-secrets": V("b", True), "format": V("s", "sswan")}),
    "import-unknown": (0, {"foo": V("i", 1)}),
    "import-badtype": (0, {"keep-secrets": V("s", "yes")}),
    "connect-password": (1, {"password": V("s", "alice-lab-password"), "interactive": V("b", False)}),
    "connect-nested": (1, {"password": V("v", V("s", "x")), "eap-identity": V("ay", b"alice")}),
    "connect-long": (1, {"password": V("s", "p" * 300)}),
}
os.makedirs(OUT, exist_ok=True)
for name, (which, d) in seeds.items():
    data = V("a{sv}", d).get_data_as_bytes().get_data()
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(bytes([which]) + data)
