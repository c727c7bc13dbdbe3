/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TsuWindow: tsunagu-gtk's main window. Imports by file chooser (win.import,
 * Ctrl+O), by drag and drop of files onto the window, and by
 * tsu_window_import_file() (files given on the command line).
 */
#pragma once

#include <gtk/gtk.h>

#define TSU_TYPE_WINDOW (tsu_window_get_type())
G_DECLARE_FINAL_TYPE(TsuWindow, tsu_window, TSU, WINDOW, GtkApplicationWindow)

TsuWindow *tsu_window_new(GtkApplication *app);
void tsu_window_import_file(TsuWindow *w, GFile *file);
