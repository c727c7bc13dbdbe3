/* SPDX-License-Identifier: GPL-2.0-or-later */
/* TsuProfileRow: one profile in the window's list (name, gateway, method, state). */
#pragma once

#include <gtk/gtk.h>

#include "gui/common/tsu-client.h"

#define TSU_TYPE_PROFILE_ROW (tsu_profile_row_get_type())
G_DECLARE_FINAL_TYPE(TsuProfileRow, tsu_profile_row, TSU, PROFILE_ROW, GtkListBoxRow)

TsuProfileRow *tsu_profile_row_new(TsuProfile *p);
TsuProfile *tsu_profile_row_get_profile(TsuProfileRow *row);
/* Shows the profile's properties and state (a Session.State). */
void tsu_profile_row_update(TsuProfileRow *row, const char *state);
