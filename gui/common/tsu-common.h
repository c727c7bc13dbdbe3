/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Once per program (tsunagu-gtk, tsunagu-tray), after gtk_init: registers
 * the shared resources (the secret dialog, the state icons) and makes the
 * icons findable by name even when they are not installed.
 */
#pragma once

void tsu_common_init(void);
