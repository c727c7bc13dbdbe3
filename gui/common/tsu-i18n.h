/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gettext for the window and the tray: the "tsunagu" domain (GETTEXT_PACKAGE
 * from configure). tsu_i18n_init() binds it to LOCALEDIR, or to
 * $TSUNAGU_LOCALEDIR when set (tests run the programs uninstalled).
 */
#pragma once

#include <glib/gi18n-lib.h>

void tsu_i18n_init(void);
